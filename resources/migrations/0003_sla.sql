-- Version 3: the SLA clock of each lead, denormalised into leads so the whole store's SLA state
-- is index range scans (core/slaclock.h writes these columns, core/slatracker.h reads them).
-- Times are UTC epoch ms. The columns describe the lead's current or last clock:
--   sla_started_at        when it started: the lead's arrival, or the lead's first message the
--                         business has not answered
--   sla_at_risk_at        when the policy's at-risk share of the target has elapsed (business time)
--   response_due_at       when the target runs out (business time); NULL: no clock
--   sla_stopped_at        when the business answered (or the lead was closed); NULL while running
--   sla_breached_at       the due time, once the breach has been recorded (an sla_breached
--                         activity); cleared when a new clock starts
--   first_response_due_at the first-response target's due time, kept for escalation and reports
-- Derived from the SLA policy and business hours: recomputed locally, never stamped for sync.
ALTER TABLE leads ADD COLUMN sla_started_at INTEGER;
--;
ALTER TABLE leads ADD COLUMN sla_at_risk_at INTEGER;
--;
ALTER TABLE leads ADD COLUMN response_due_at INTEGER;
--;
ALTER TABLE leads ADD COLUMN sla_stopped_at INTEGER;
--;
ALTER TABLE leads ADD COLUMN sla_breached_at INTEGER;
--;
ALTER TABLE leads ADD COLUMN first_response_due_at INTEGER;
--;
-- Running clocks by due time: the at-risk and breached lists (keyset pages on
-- (response_due_at, id)), the breach check and the not-yet-due counts are range scans of this
-- partial index, as small as the open work.
CREATE INDEX idx_leads_sla_running ON leads (business_id, response_due_at, id, sla_at_risk_at,
                                             sla_started_at, sla_breached_at)
    WHERE sla_stopped_at IS NULL AND response_due_at IS NOT NULL AND deleted = 0;
--;
-- Running clocks whose breach is not recorded yet: what the periodic check looks for, without
-- walking past the breaches it already recorded.
CREATE INDEX idx_leads_sla_unrecorded ON leads (business_id, response_due_at, id)
    WHERE sla_stopped_at IS NULL AND response_due_at IS NOT NULL AND sla_breached_at IS NULL
      AND deleted = 0;
--;
-- Every lead's clock in a few bytes: the per-lead pass (state and elapsed business time of the
-- whole store) reads only this index, never the wide rows.
CREATE INDEX idx_leads_sla_state ON leads (business_id, sla_stopped_at, response_due_at,
                                           sla_at_risk_at, sla_started_at, sla_breached_at)
    WHERE deleted = 0;
--;
-- Escalation's breach rate: leads whose first-response target ran out within a window.
CREATE INDEX idx_leads_first_response_due ON leads (business_id, first_response_due_at,
                                                    first_response_at)
    WHERE first_response_due_at IS NOT NULL AND deleted = 0;
--;
-- The first-response report (per source and rep, by arrival time) reads only this index.
CREATE INDEX idx_leads_sla_report ON leads (business_id, created_at, channel, assigned_to,
                                            first_response_at, first_response_due_at)
    WHERE deleted = 0;
--;
-- Live leads per business and clock category, kept by the triggers below, so the counts of the
-- states that do not depend on the time (met, answered late, no clock) and of running clocks
-- are one look-up. 'running' splits into on track / at risk / breached at read time, from the
-- not-yet-due range of idx_leads_sla_running. The category follows core/slatracker.cpp's
-- slaStateOf(). Local state derived from leads: never synced.
CREATE TABLE sla_state_counts (
    business_id TEXT NOT NULL,
    category    TEXT NOT NULL CHECK (category IN ('none', 'running', 'met', 'breached')),
    leads       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (business_id, category)
) WITHOUT ROWID;
--;
INSERT INTO sla_state_counts (business_id, category, leads)
    SELECT business_id, 'none', COUNT(*) FROM leads WHERE deleted = 0 GROUP BY business_id;
--;
CREATE TRIGGER sla_counts_insert AFTER INSERT ON leads WHEN NEW.deleted = 0
BEGIN
    INSERT INTO sla_state_counts (business_id, category, leads)
    VALUES (NEW.business_id,
            CASE WHEN NEW.response_due_at IS NULL THEN 'none'
                 WHEN NEW.sla_stopped_at IS NULL THEN 'running'
                 WHEN NEW.sla_breached_at IS NOT NULL
                      OR NEW.sla_stopped_at > NEW.response_due_at THEN 'breached'
                 ELSE 'met' END, 1)
    ON CONFLICT (business_id, category) DO UPDATE SET leads = leads + 1;
END;
--;
CREATE TRIGGER sla_counts_delete AFTER DELETE ON leads WHEN OLD.deleted = 0
BEGIN
    UPDATE sla_state_counts SET leads = leads - 1
    WHERE business_id = OLD.business_id
      AND category = CASE WHEN OLD.response_due_at IS NULL THEN 'none'
                          WHEN OLD.sla_stopped_at IS NULL THEN 'running'
                          WHEN OLD.sla_breached_at IS NOT NULL
                               OR OLD.sla_stopped_at > OLD.response_due_at THEN 'breached'
                          ELSE 'met' END;
END;
--;
-- A change of category (or of business, or a tombstone): one out, one in.
CREATE TRIGGER sla_counts_update AFTER UPDATE OF business_id, response_due_at, sla_stopped_at,
    sla_breached_at, deleted ON leads
WHEN OLD.business_id IS NOT NEW.business_id OR OLD.deleted IS NOT NEW.deleted
    OR (CASE WHEN OLD.response_due_at IS NULL THEN 'none'
             WHEN OLD.sla_stopped_at IS NULL THEN 'running'
             WHEN OLD.sla_breached_at IS NOT NULL
                  OR OLD.sla_stopped_at > OLD.response_due_at THEN 'breached'
             ELSE 'met' END)
       IS NOT (CASE WHEN NEW.response_due_at IS NULL THEN 'none'
                    WHEN NEW.sla_stopped_at IS NULL THEN 'running'
                    WHEN NEW.sla_breached_at IS NOT NULL
                         OR NEW.sla_stopped_at > NEW.response_due_at THEN 'breached'
                    ELSE 'met' END)
BEGIN
    UPDATE sla_state_counts SET leads = leads - 1
    WHERE OLD.deleted = 0 AND business_id = OLD.business_id
      AND category = CASE WHEN OLD.response_due_at IS NULL THEN 'none'
                          WHEN OLD.sla_stopped_at IS NULL THEN 'running'
                          WHEN OLD.sla_breached_at IS NOT NULL
                               OR OLD.sla_stopped_at > OLD.response_due_at THEN 'breached'
                          ELSE 'met' END;
    INSERT INTO sla_state_counts (business_id, category, leads)
    SELECT NEW.business_id,
           CASE WHEN NEW.response_due_at IS NULL THEN 'none'
                WHEN NEW.sla_stopped_at IS NULL THEN 'running'
                WHEN NEW.sla_breached_at IS NOT NULL
                     OR NEW.sla_stopped_at > NEW.response_due_at THEN 'breached'
                ELSE 'met' END, 1
    WHERE NEW.deleted = 0
    ON CONFLICT (business_id, category) DO UPDATE SET leads = leads + 1;
END;
