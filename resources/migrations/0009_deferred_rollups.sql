-- Version 9: the analytics rollups counted once per transaction for the leads it inserts
-- (issue 3, receiving; DeferredRollups). Rows live here only inside the writer's transaction
-- that inserts the lead: every rollup trigger skips a listed lead, and Database::commit() counts
-- the listed leads from their final state, one upsert per rollup row, then empties the table.
-- After this statement, Database::migrate has DeferredRollups extend the WHEN clause of every
-- rollup trigger (analytics_* on leads and lead_scores) with that check.
CREATE TABLE analytics_deferred (
    lead_id TEXT PRIMARY KEY
) WITHOUT ROWID
