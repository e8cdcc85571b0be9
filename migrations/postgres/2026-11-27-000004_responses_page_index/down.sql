DROP INDEX responses_by_campaign_id;
