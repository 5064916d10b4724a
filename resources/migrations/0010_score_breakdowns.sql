-- Version 10: a score's breakdown is stored once per distinct text and each score row names it
-- by number (issue 4, rescoring). A million leads have a few hundred distinct breakdowns (which
-- rules fired, and their points), yet the text, 80 bytes on average, was two fifths of every
-- score row: a rescore rewrote 209 MiB of score rows where 130 MiB now do, and the WAL it writes
-- shrinks with them (bench_rescore). Id 0 is the empty breakdown, the default of a new row.
-- Entries are never deleted: a rule change adds at most as many as there are distinct
-- breakdowns, and an entry no row names costs only its few bytes.
-- No foreign key from the score rows: every write of one would look its breakdown up twice.
CREATE TABLE score_breakdowns (
    id        INTEGER PRIMARY KEY,
    breakdown TEXT NOT NULL UNIQUE
)
--;
INSERT INTO score_breakdowns (id, breakdown) VALUES (0, '{}')
--;
INSERT INTO score_breakdowns (breakdown)
SELECT DISTINCT score_breakdown FROM lead_scores WHERE score_breakdown <> '{}'
--;
DROP VIEW scored_leads
--;
-- The score rows copied into a table of the new shape, in key order so that its pages are full
-- (dropping the column in place would leave every page two fifths empty). After these
-- statements, Database::migrate has ScoreBreakdowns put it in the old table's place, with the
-- old table's triggers, its index and the view.
CREATE TABLE lead_scores_v10 (
    lead_id              TEXT PRIMARY KEY,     -- leads.id; no foreign key: written first
    business_id          TEXT NOT NULL,
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
INSERT INTO lead_scores_v10 (lead_id, business_id, lead_score, lead_grade, qualification_status,
                             breakdown_id, scored_at, hlc)
SELECT s.lead_id, s.business_id, s.lead_score, s.lead_grade, s.qualification_status,
       b.id, s.scored_at, s.hlc
FROM lead_scores AS s JOIN score_breakdowns AS b ON b.breakdown = s.score_breakdown
ORDER BY s.lead_id
