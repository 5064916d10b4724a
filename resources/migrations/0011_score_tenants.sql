-- Version 11: a score row names its business by a small number local to this store (issue 4,
-- rescoring). The business id, 36 bytes of text, was a third of every score row and nearly half
-- of every entry of the list's score index (business, score, lead), and a rescore rewrites both
-- whole: 920,000 score rows and their index took 210 MB, with the number 134 MB, and the index
-- is built in two thirds of the time (its sort compared the same 36 bytes on every step).
-- The numbers are never synced: each store gives its own, to every business it holds.
CREATE TABLE tenants (
    tenant      INTEGER PRIMARY KEY,
    business_id TEXT NOT NULL UNIQUE
)
--;
INSERT INTO tenants (business_id) SELECT id FROM businesses ORDER BY created_at, id
--;
-- Score rows carry no foreign key: one of a business the store does not hold still gets a number.
INSERT OR IGNORE INTO tenants (business_id) SELECT DISTINCT business_id FROM lead_scores
--;
-- Every business has its number before any of its leads is scored.
CREATE TRIGGER tenants_for_business AFTER INSERT ON businesses
BEGIN
    INSERT OR IGNORE INTO tenants (business_id) VALUES (NEW.id);
END
--;
DROP VIEW scored_leads
--;
-- The score rows copied into a table of the new shape, in key order so that its pages are full.
-- After these statements, Database::migrate has ScoreTable put it in the old table's place, with
-- the old table's triggers, the score index on the number and the view.
CREATE TABLE lead_scores_v11 (
    lead_id              TEXT PRIMARY KEY,     -- leads.id; no foreign key: written first
    tenant               INTEGER NOT NULL,     -- tenants.tenant of the lead's business
    lead_score           INTEGER NOT NULL DEFAULT 0,
    lead_grade           TEXT NOT NULL DEFAULT 'D'
                         CHECK (lead_grade = 'A' OR lead_grade = 'B' OR lead_grade = 'C'
                                OR lead_grade = 'D'),
    qualification_status TEXT NOT NULL DEFAULT 'unqualified'
                         CHECK (qualification_status = 'unqualified'
                                OR qualification_status = 'marketing_qualified'
                                OR qualification_status = 'sales_qualified'
                                OR qualification_status = 'customer'
                                OR qualification_status = 'lost'),
    breakdown_id         INTEGER NOT NULL DEFAULT 0, -- score_breakdowns.id
    scored_at            INTEGER NOT NULL DEFAULT 0,
    hlc                  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID
--;
INSERT INTO lead_scores_v11 (lead_id, tenant, lead_score, lead_grade, qualification_status,
                             breakdown_id, scored_at, hlc)
SELECT s.lead_id, t.tenant, s.lead_score, s.lead_grade, s.qualification_status, s.breakdown_id,
       s.scored_at, s.hlc
FROM lead_scores AS s JOIN tenants AS t ON t.business_id = s.business_id
ORDER BY s.lead_id
