-- Version 2: indexes the inbox and contact search need (contact name look-up, leads waiting on
-- the business, first-response analytics).
CREATE INDEX idx_contacts_name ON contacts (business_id, last_name, first_name);
--;
CREATE INDEX idx_leads_waiting ON leads (business_id, waiting_on, last_inbound_at);
--;
CREATE INDEX idx_leads_first_response ON leads (business_id, first_response_at);
