-- How the form link a response came through checked out: 'signed' (the source tag of a
-- printed QR code matched), 'unsigned' (no tag: a typed or shared link), 'invalid' (the tag
-- did not match: the link was edited by hand).
ALTER TABLE responses ADD COLUMN link_check TEXT NOT NULL DEFAULT 'unsigned'
    CHECK (link_check IN ('signed', 'unsigned', 'invalid'));
