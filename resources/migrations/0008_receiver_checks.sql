-- Version 8: cheaper writes of a new lead (issue 3, receiving).
-- After these statements, Database::migrate has ConstantInChecks rewrite every
-- `CHECK (x IN ('a', 'b', 'c'))` of the earlier versions as `CHECK (x = 'a' OR ...)`: the same
-- constraint, which SQLite evaluates in place instead of building a temporary B-tree of the
-- constants for every row it writes.
--
-- idx_leads_email (business_id, email) is the leading part of idx_leads_email_campaign, which
-- answers every lookup by e-mail as well: one random index page less per new lead.
DROP INDEX idx_leads_email
--;
-- A rep's open leads, for capacity checks: the same rows, with a predicate of two constants
-- (closed leads out) that SQLite checks in place on every insert instead of a temporary B-tree
-- of the four open statuses. `status` is NOT NULL and CHECKed to six values, so "not closed"
-- is "open".
DROP INDEX idx_leads_open_assignee
--;
CREATE INDEX idx_leads_open_assignee ON leads (business_id, assigned_to, status)
    WHERE deleted = 0 AND status NOT IN ('closed_won', 'closed_lost')
