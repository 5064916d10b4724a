-- The HTTP receiver (issue 3). The journal keeps the answer it gave, so a redelivery gets the
-- same answer (a campaign form's lead_id) without touching the store again; the URL a request
-- was sent to (Twilio signs it); the lead a request made. Campaign forms may require a
-- per-campaign X-Campaign-Token: only its SHA-256 is stored, never the token.
ALTER TABLE inbound_journal ADD COLUMN url TEXT;
--;
ALTER TABLE inbound_journal ADD COLUMN response_status INTEGER;
--;
ALTER TABLE inbound_journal ADD COLUMN response_type TEXT;
--;
ALTER TABLE inbound_journal ADD COLUMN response_body BLOB;
--;
ALTER TABLE inbound_journal ADD COLUMN lead_id TEXT;
--;
ALTER TABLE campaigns ADD COLUMN token_sha256 TEXT;
--;
-- Seed 004's 24-hour rule looks a lead up by business, e-mail and campaign for every form post.
-- Without this index SQLite answers it from idx_leads_campaign, walking the campaign's whole
-- last day of leads: a cost that grows with the campaign's traffic.
CREATE INDEX idx_leads_email_campaign ON leads (business_id, email, campaign_id, created_at);
