-- Version 5: state of lead routing and A/B conversions.
-- Round-robin cursors: the last user each pool handed a lead to, so the rotation continues where
-- it stopped after a restart. Local state of the store's writer: never synced.
CREATE TABLE routing_cursors (
    business_id  TEXT NOT NULL REFERENCES businesses(id),
    pool         TEXT NOT NULL,          -- "everyone" or "team:alice,bob" (RoutingTarget::poolKey)
    last_user_id TEXT NOT NULL,
    updated_at   INTEGER NOT NULL,
    PRIMARY KEY (business_id, pool)
) WITHOUT ROWID;
--;
-- A subject converts at most once per goal: the check before each conversion is one probe.
-- Not unique, so rows synced from another device never fail to apply.
CREATE INDEX idx_ab_events_subject ON ab_events (business_id, test_name, subject_id, goal);
--;
-- Capacity checks count a rep's open leads, stopping at the capacity: a covering range of live,
-- open leads only, so neither closed leads nor table rows are read.
CREATE INDEX idx_leads_open_assignee ON leads (business_id, assigned_to, status)
    WHERE deleted = 0 AND status IN ('new', 'contacted', 'qualified', 'proposal');
