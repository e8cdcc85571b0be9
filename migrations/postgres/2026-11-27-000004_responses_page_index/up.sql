-- Exports walk a campaign in id order, page by page: this index serves both the filter and
-- the order, so each page is a range scan instead of a scan of the whole campaign.
CREATE INDEX responses_by_campaign_id ON responses (campaign_id, id);
