-- Version 7: a lead's score lives in a narrow table of its own (issue 4, rescoring). A rule
-- change rewrites every lead's score; in `leads` that meant rewriting about four wide rows per
-- page (1.2 GB of WAL for a million leads), here about fifteen score rows per page.
-- A lead without a row scores 0, grade D, unqualified: every reader says COALESCE, and the
-- scored_leads view says it once for the readers that want leads and scores together.
-- The score row of a new lead is written before the lead, so the lead's rollup triggers count
-- it; the score triggers below only act on leads that exist. A bulk rescore puts a row in
-- analytics_paused inside its own transaction, writes the rollup differences itself, and takes
-- the row out before it commits: other connections never see it.
CREATE TABLE lead_scores (
    lead_id              TEXT PRIMARY KEY,     -- leads.id; no foreign key: written first
    business_id          TEXT NOT NULL,
    lead_score           INTEGER NOT NULL DEFAULT 0,
    lead_grade           TEXT NOT NULL DEFAULT 'D' CHECK (lead_grade IN ('A', 'B', 'C', 'D')),
    qualification_status TEXT NOT NULL DEFAULT 'unqualified'
                         CHECK (qualification_status IN ('unqualified', 'marketing_qualified',
                                'sales_qualified', 'customer', 'lost')),
    score_breakdown      TEXT NOT NULL DEFAULT '{}',
    scored_at            INTEGER NOT NULL DEFAULT 0,
    hlc                  INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID
--;
INSERT INTO lead_scores (lead_id, business_id, lead_score, lead_grade, qualification_status,
                         score_breakdown, scored_at, hlc)
SELECT id, business_id, lead_score, lead_grade, qualification_status, score_breakdown,
       updated_at, hlc
FROM leads
--;
-- The list's score (and grade) sort: the lead id breaks ties.
CREATE INDEX idx_lead_scores_sort ON lead_scores (business_id, lead_score, lead_id)
--;
CREATE TABLE analytics_paused (
    paused INTEGER PRIMARY KEY CHECK (paused = 1)
)
--;
DROP TRIGGER analytics_leads_insert
--;
DROP TRIGGER analytics_leads_update
--;
DROP TRIGGER analytics_leads_delete
--;
DROP TRIGGER analytics_campaign_insert
--;
DROP TRIGGER analytics_campaign_update
--;
DROP TRIGGER analytics_campaign_delete
--;
DROP INDEX idx_leads_score
--;
ALTER TABLE leads DROP COLUMN lead_score
--;
ALTER TABLE leads DROP COLUMN lead_grade
--;
ALTER TABLE leads DROP COLUMN qualification_status
--;
ALTER TABLE leads DROP COLUMN score_breakdown
--;
CREATE VIEW scored_leads AS
SELECT l.*, COALESCE(s.lead_score, 0) AS lead_score, COALESCE(s.lead_grade, 'D') AS lead_grade,
       COALESCE(s.qualification_status, 'unqualified') AS qualification_status,
       COALESCE(s.score_breakdown, '{}') AS score_breakdown
FROM leads AS l LEFT JOIN lead_scores AS s ON s.lead_id = l.id
--;
-- The rollup triggers of version 4, reading the score from lead_scores. Deletes count the lead
-- out before it goes (BEFORE), so its score row is still there to read.
CREATE TRIGGER analytics_leads_insert AFTER INSERT ON leads WHEN NEW.deleted = 0
BEGIN
    INSERT INTO analytics_leads_daily (
        business_id, day, channel, assignee, leads, st_new, st_contacted, st_qualified, st_proposal,
        st_closed_won, st_closed_lost, gr_a, gr_b, gr_c, gr_d, qu_unqualified,
        qu_marketing_qualified, qu_sales_qualified, qu_customer, qu_lost, wait_business, wait_lead,
        score_sum, won_value_cents, responded, response_ms_sum, rt00, rt01, rt02, rt03, rt04, rt05,
        rt06, rt07, rt08, rt09, rt10, rt11, rt12, rt13, rt14, rt15, rt16, rt17, rt18, rt19, rt20,
        rt21, rt22, rt23, rt24, rt25, rt26, rt27, rt28, rt29, rt30, rt31, rt32, rt33, rt34, rt35,
        rt36, rt37, rt38, rt39, rt40, rt41, rt42, rt43, rt44)
    SELECT NEW.business_id,
           (NEW.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = NEW.business_id AND z.start_ms <= NEW.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           NEW.channel, COALESCE(NEW.assigned_to, ''), 1, (NEW.status = 'new'),
           (NEW.status = 'contacted'), (NEW.status = 'qualified'), (NEW.status = 'proposal'),
           (NEW.status = 'closed_won'), (NEW.status = 'closed_lost'), (COALESCE(s.lead_grade, 'D') = 'A'),
           (COALESCE(s.lead_grade, 'D') = 'B'), (COALESCE(s.lead_grade, 'D') = 'C'), (COALESCE(s.lead_grade, 'D') = 'D'),
           (COALESCE(s.qualification_status, 'unqualified') = 'unqualified'),
           (COALESCE(s.qualification_status, 'unqualified') = 'marketing_qualified'),
           (COALESCE(s.qualification_status, 'unqualified') = 'sales_qualified'), (COALESCE(s.qualification_status, 'unqualified') = 'customer'),
           (COALESCE(s.qualification_status, 'unqualified') = 'lost'),
           (NEW.waiting_on IS 'business' AND NEW.status NOT IN ('closed_won', 'closed_lost')),
           (NEW.waiting_on IS 'lead' AND NEW.status NOT IN ('closed_won', 'closed_lost')),
           (COALESCE(s.lead_score, 0)),
           (CASE WHEN NEW.status = 'closed_won' THEN COALESCE(NEW.value_cents, 0) ELSE 0 END),
           (b.bucket >= 0),
           (CASE WHEN b.bucket >= 0
                 THEN MAX(0, NEW.first_response_at - NEW.created_at) ELSE 0 END),
           (b.bucket = 0), (b.bucket = 1), (b.bucket = 2), (b.bucket = 3), (b.bucket = 4),
           (b.bucket = 5), (b.bucket = 6), (b.bucket = 7), (b.bucket = 8), (b.bucket = 9),
           (b.bucket = 10), (b.bucket = 11), (b.bucket = 12), (b.bucket = 13), (b.bucket = 14),
           (b.bucket = 15), (b.bucket = 16), (b.bucket = 17), (b.bucket = 18), (b.bucket = 19),
           (b.bucket = 20), (b.bucket = 21), (b.bucket = 22), (b.bucket = 23), (b.bucket = 24),
           (b.bucket = 25), (b.bucket = 26), (b.bucket = 27), (b.bucket = 28), (b.bucket = 29),
           (b.bucket = 30), (b.bucket = 31), (b.bucket = 32), (b.bucket = 33), (b.bucket = 34),
           (b.bucket = 35), (b.bucket = 36), (b.bucket = 37), (b.bucket = 38), (b.bucket = 39),
           (b.bucket = 40), (b.bucket = 41), (b.bucket = 42), (b.bucket = 43), (b.bucket = 44)
    FROM analytics_response_buckets AS b
         LEFT JOIN lead_scores AS s ON s.lead_id = NEW.id
    WHERE NEW.deleted = 0
      AND b.lower_ms <= COALESCE(MAX(0, NEW.first_response_at - NEW.created_at), -1)
    ORDER BY b.lower_ms DESC LIMIT 1
    ON CONFLICT (business_id, day, channel, assignee) DO UPDATE SET
        leads = leads + excluded.leads, st_new = st_new + excluded.st_new,
        st_contacted = st_contacted + excluded.st_contacted,
        st_qualified = st_qualified + excluded.st_qualified,
        st_proposal = st_proposal + excluded.st_proposal,
        st_closed_won = st_closed_won + excluded.st_closed_won,
        st_closed_lost = st_closed_lost + excluded.st_closed_lost, gr_a = gr_a + excluded.gr_a,
        gr_b = gr_b + excluded.gr_b, gr_c = gr_c + excluded.gr_c, gr_d = gr_d + excluded.gr_d,
        qu_unqualified = qu_unqualified + excluded.qu_unqualified,
        qu_marketing_qualified = qu_marketing_qualified + excluded.qu_marketing_qualified,
        qu_sales_qualified = qu_sales_qualified + excluded.qu_sales_qualified,
        qu_customer = qu_customer + excluded.qu_customer, qu_lost = qu_lost + excluded.qu_lost,
        wait_business = wait_business + excluded.wait_business,
        wait_lead = wait_lead + excluded.wait_lead, score_sum = score_sum + excluded.score_sum,
        won_value_cents = won_value_cents + excluded.won_value_cents,
        responded = responded + excluded.responded,
        response_ms_sum = response_ms_sum + excluded.response_ms_sum, rt00 = rt00 + excluded.rt00,
        rt01 = rt01 + excluded.rt01, rt02 = rt02 + excluded.rt02, rt03 = rt03 + excluded.rt03,
        rt04 = rt04 + excluded.rt04, rt05 = rt05 + excluded.rt05, rt06 = rt06 + excluded.rt06,
        rt07 = rt07 + excluded.rt07, rt08 = rt08 + excluded.rt08, rt09 = rt09 + excluded.rt09,
        rt10 = rt10 + excluded.rt10, rt11 = rt11 + excluded.rt11, rt12 = rt12 + excluded.rt12,
        rt13 = rt13 + excluded.rt13, rt14 = rt14 + excluded.rt14, rt15 = rt15 + excluded.rt15,
        rt16 = rt16 + excluded.rt16, rt17 = rt17 + excluded.rt17, rt18 = rt18 + excluded.rt18,
        rt19 = rt19 + excluded.rt19, rt20 = rt20 + excluded.rt20, rt21 = rt21 + excluded.rt21,
        rt22 = rt22 + excluded.rt22, rt23 = rt23 + excluded.rt23, rt24 = rt24 + excluded.rt24,
        rt25 = rt25 + excluded.rt25, rt26 = rt26 + excluded.rt26, rt27 = rt27 + excluded.rt27,
        rt28 = rt28 + excluded.rt28, rt29 = rt29 + excluded.rt29, rt30 = rt30 + excluded.rt30,
        rt31 = rt31 + excluded.rt31, rt32 = rt32 + excluded.rt32, rt33 = rt33 + excluded.rt33,
        rt34 = rt34 + excluded.rt34, rt35 = rt35 + excluded.rt35, rt36 = rt36 + excluded.rt36,
        rt37 = rt37 + excluded.rt37, rt38 = rt38 + excluded.rt38, rt39 = rt39 + excluded.rt39,
        rt40 = rt40 + excluded.rt40, rt41 = rt41 + excluded.rt41, rt42 = rt42 + excluded.rt42,
        rt43 = rt43 + excluded.rt43, rt44 = rt44 + excluded.rt44;
END
--;
CREATE TRIGGER analytics_leads_update AFTER UPDATE OF
    business_id, created_at, channel, assigned_to, status, waiting_on, value_cents, first_response_at, deleted
    ON leads
WHEN OLD.business_id IS NOT NEW.business_id
     OR OLD.created_at IS NOT NEW.created_at
     OR OLD.channel IS NOT NEW.channel
     OR OLD.assigned_to IS NOT NEW.assigned_to
     OR OLD.status IS NOT NEW.status
     OR OLD.waiting_on IS NOT NEW.waiting_on
     OR OLD.value_cents IS NOT NEW.value_cents
     OR OLD.first_response_at IS NOT NEW.first_response_at
     OR OLD.deleted IS NOT NEW.deleted
BEGIN
    -- Still in the same rollup row (the usual edit): one upsert of the differences.
    INSERT INTO analytics_leads_daily (
        business_id, day, channel, assignee, leads, st_new, st_contacted, st_qualified, st_proposal,
        st_closed_won, st_closed_lost, gr_a, gr_b, gr_c, gr_d, qu_unqualified,
        qu_marketing_qualified, qu_sales_qualified, qu_customer, qu_lost, wait_business, wait_lead,
        score_sum, won_value_cents, responded, response_ms_sum, rt00, rt01, rt02, rt03, rt04, rt05,
        rt06, rt07, rt08, rt09, rt10, rt11, rt12, rt13, rt14, rt15, rt16, rt17, rt18, rt19, rt20,
        rt21, rt22, rt23, rt24, rt25, rt26, rt27, rt28, rt29, rt30, rt31, rt32, rt33, rt34, rt35,
        rt36, rt37, rt38, rt39, rt40, rt41, rt42, rt43, rt44)
    SELECT NEW.business_id,
           (NEW.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = NEW.business_id AND z.start_ms <= NEW.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           NEW.channel, COALESCE(NEW.assigned_to, ''), 0,
           (NEW.status = 'new') - (OLD.status = 'new'),
           (NEW.status = 'contacted') - (OLD.status = 'contacted'),
           (NEW.status = 'qualified') - (OLD.status = 'qualified'),
           (NEW.status = 'proposal') - (OLD.status = 'proposal'),
           (NEW.status = 'closed_won') - (OLD.status = 'closed_won'),
           (NEW.status = 'closed_lost') - (OLD.status = 'closed_lost'),
           (COALESCE(s.lead_grade, 'D') = 'A') - (COALESCE(s.lead_grade, 'D') = 'A'),
           (COALESCE(s.lead_grade, 'D') = 'B') - (COALESCE(s.lead_grade, 'D') = 'B'),
           (COALESCE(s.lead_grade, 'D') = 'C') - (COALESCE(s.lead_grade, 'D') = 'C'),
           (COALESCE(s.lead_grade, 'D') = 'D') - (COALESCE(s.lead_grade, 'D') = 'D'),
           (COALESCE(s.qualification_status, 'unqualified') = 'unqualified') - (COALESCE(s.qualification_status, 'unqualified') = 'unqualified'),
           (COALESCE(s.qualification_status, 'unqualified') = 'marketing_qualified') - (COALESCE(s.qualification_status, 'unqualified') = 'marketing_qualified'),
           (COALESCE(s.qualification_status, 'unqualified') = 'sales_qualified') - (COALESCE(s.qualification_status, 'unqualified') = 'sales_qualified'),
           (COALESCE(s.qualification_status, 'unqualified') = 'customer') - (COALESCE(s.qualification_status, 'unqualified') = 'customer'),
           (COALESCE(s.qualification_status, 'unqualified') = 'lost') - (COALESCE(s.qualification_status, 'unqualified') = 'lost'),
           (NEW.waiting_on IS 'business' AND NEW.status NOT IN ('closed_won', 'closed_lost')) - (OLD.waiting_on IS 'business' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           (NEW.waiting_on IS 'lead' AND NEW.status NOT IN ('closed_won', 'closed_lost')) - (OLD.waiting_on IS 'lead' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           (COALESCE(s.lead_score, 0)) - (COALESCE(s.lead_score, 0)),
           (CASE WHEN NEW.status = 'closed_won' THEN COALESCE(NEW.value_cents, 0) ELSE 0 END) - (CASE WHEN OLD.status = 'closed_won' THEN COALESCE(OLD.value_cents, 0) ELSE 0 END),
           (bn.bucket >= 0) - (bo.bucket >= 0),
           (CASE WHEN bn.bucket >= 0
                 THEN MAX(0, NEW.first_response_at - NEW.created_at) ELSE 0 END) - (CASE WHEN bo.bucket >= 0
                 THEN MAX(0, OLD.first_response_at - OLD.created_at) ELSE 0 END),
           (bn.bucket = 0) - (bo.bucket = 0), (bn.bucket = 1) - (bo.bucket = 1),
           (bn.bucket = 2) - (bo.bucket = 2), (bn.bucket = 3) - (bo.bucket = 3),
           (bn.bucket = 4) - (bo.bucket = 4), (bn.bucket = 5) - (bo.bucket = 5),
           (bn.bucket = 6) - (bo.bucket = 6), (bn.bucket = 7) - (bo.bucket = 7),
           (bn.bucket = 8) - (bo.bucket = 8), (bn.bucket = 9) - (bo.bucket = 9),
           (bn.bucket = 10) - (bo.bucket = 10), (bn.bucket = 11) - (bo.bucket = 11),
           (bn.bucket = 12) - (bo.bucket = 12), (bn.bucket = 13) - (bo.bucket = 13),
           (bn.bucket = 14) - (bo.bucket = 14), (bn.bucket = 15) - (bo.bucket = 15),
           (bn.bucket = 16) - (bo.bucket = 16), (bn.bucket = 17) - (bo.bucket = 17),
           (bn.bucket = 18) - (bo.bucket = 18), (bn.bucket = 19) - (bo.bucket = 19),
           (bn.bucket = 20) - (bo.bucket = 20), (bn.bucket = 21) - (bo.bucket = 21),
           (bn.bucket = 22) - (bo.bucket = 22), (bn.bucket = 23) - (bo.bucket = 23),
           (bn.bucket = 24) - (bo.bucket = 24), (bn.bucket = 25) - (bo.bucket = 25),
           (bn.bucket = 26) - (bo.bucket = 26), (bn.bucket = 27) - (bo.bucket = 27),
           (bn.bucket = 28) - (bo.bucket = 28), (bn.bucket = 29) - (bo.bucket = 29),
           (bn.bucket = 30) - (bo.bucket = 30), (bn.bucket = 31) - (bo.bucket = 31),
           (bn.bucket = 32) - (bo.bucket = 32), (bn.bucket = 33) - (bo.bucket = 33),
           (bn.bucket = 34) - (bo.bucket = 34), (bn.bucket = 35) - (bo.bucket = 35),
           (bn.bucket = 36) - (bo.bucket = 36), (bn.bucket = 37) - (bo.bucket = 37),
           (bn.bucket = 38) - (bo.bucket = 38), (bn.bucket = 39) - (bo.bucket = 39),
           (bn.bucket = 40) - (bo.bucket = 40), (bn.bucket = 41) - (bo.bucket = 41),
           (bn.bucket = 42) - (bo.bucket = 42), (bn.bucket = 43) - (bo.bucket = 43),
           (bn.bucket = 44) - (bo.bucket = 44)
    FROM (SELECT bucket FROM analytics_response_buckets
          WHERE lower_ms <= COALESCE(MAX(0, OLD.first_response_at - OLD.created_at), -1)
          ORDER BY lower_ms DESC LIMIT 1) AS bo,
         (SELECT bucket FROM analytics_response_buckets
          WHERE lower_ms <= COALESCE(MAX(0, NEW.first_response_at - NEW.created_at), -1)
          ORDER BY lower_ms DESC LIMIT 1) AS bn
         LEFT JOIN lead_scores AS s ON s.lead_id = NEW.id
    WHERE OLD.deleted = 0 AND NEW.deleted = 0
      AND OLD.business_id IS NEW.business_id
      AND OLD.created_at IS NEW.created_at AND OLD.channel IS NEW.channel
      AND OLD.assigned_to IS NEW.assigned_to
    ON CONFLICT (business_id, day, channel, assignee) DO UPDATE SET
        leads = leads + excluded.leads, st_new = st_new + excluded.st_new,
        st_contacted = st_contacted + excluded.st_contacted,
        st_qualified = st_qualified + excluded.st_qualified,
        st_proposal = st_proposal + excluded.st_proposal,
        st_closed_won = st_closed_won + excluded.st_closed_won,
        st_closed_lost = st_closed_lost + excluded.st_closed_lost, gr_a = gr_a + excluded.gr_a,
        gr_b = gr_b + excluded.gr_b, gr_c = gr_c + excluded.gr_c, gr_d = gr_d + excluded.gr_d,
        qu_unqualified = qu_unqualified + excluded.qu_unqualified,
        qu_marketing_qualified = qu_marketing_qualified + excluded.qu_marketing_qualified,
        qu_sales_qualified = qu_sales_qualified + excluded.qu_sales_qualified,
        qu_customer = qu_customer + excluded.qu_customer, qu_lost = qu_lost + excluded.qu_lost,
        wait_business = wait_business + excluded.wait_business,
        wait_lead = wait_lead + excluded.wait_lead, score_sum = score_sum + excluded.score_sum,
        won_value_cents = won_value_cents + excluded.won_value_cents,
        responded = responded + excluded.responded,
        response_ms_sum = response_ms_sum + excluded.response_ms_sum, rt00 = rt00 + excluded.rt00,
        rt01 = rt01 + excluded.rt01, rt02 = rt02 + excluded.rt02, rt03 = rt03 + excluded.rt03,
        rt04 = rt04 + excluded.rt04, rt05 = rt05 + excluded.rt05, rt06 = rt06 + excluded.rt06,
        rt07 = rt07 + excluded.rt07, rt08 = rt08 + excluded.rt08, rt09 = rt09 + excluded.rt09,
        rt10 = rt10 + excluded.rt10, rt11 = rt11 + excluded.rt11, rt12 = rt12 + excluded.rt12,
        rt13 = rt13 + excluded.rt13, rt14 = rt14 + excluded.rt14, rt15 = rt15 + excluded.rt15,
        rt16 = rt16 + excluded.rt16, rt17 = rt17 + excluded.rt17, rt18 = rt18 + excluded.rt18,
        rt19 = rt19 + excluded.rt19, rt20 = rt20 + excluded.rt20, rt21 = rt21 + excluded.rt21,
        rt22 = rt22 + excluded.rt22, rt23 = rt23 + excluded.rt23, rt24 = rt24 + excluded.rt24,
        rt25 = rt25 + excluded.rt25, rt26 = rt26 + excluded.rt26, rt27 = rt27 + excluded.rt27,
        rt28 = rt28 + excluded.rt28, rt29 = rt29 + excluded.rt29, rt30 = rt30 + excluded.rt30,
        rt31 = rt31 + excluded.rt31, rt32 = rt32 + excluded.rt32, rt33 = rt33 + excluded.rt33,
        rt34 = rt34 + excluded.rt34, rt35 = rt35 + excluded.rt35, rt36 = rt36 + excluded.rt36,
        rt37 = rt37 + excluded.rt37, rt38 = rt38 + excluded.rt38, rt39 = rt39 + excluded.rt39,
        rt40 = rt40 + excluded.rt40, rt41 = rt41 + excluded.rt41, rt42 = rt42 + excluded.rt42,
        rt43 = rt43 + excluded.rt43, rt44 = rt44 + excluded.rt44;
    -- Moved to another row, deleted or restored: out of the old row, into the new one.
    INSERT INTO analytics_leads_daily (
        business_id, day, channel, assignee, leads, st_new, st_contacted, st_qualified, st_proposal,
        st_closed_won, st_closed_lost, gr_a, gr_b, gr_c, gr_d, qu_unqualified,
        qu_marketing_qualified, qu_sales_qualified, qu_customer, qu_lost, wait_business, wait_lead,
        score_sum, won_value_cents, responded, response_ms_sum, rt00, rt01, rt02, rt03, rt04, rt05,
        rt06, rt07, rt08, rt09, rt10, rt11, rt12, rt13, rt14, rt15, rt16, rt17, rt18, rt19, rt20,
        rt21, rt22, rt23, rt24, rt25, rt26, rt27, rt28, rt29, rt30, rt31, rt32, rt33, rt34, rt35,
        rt36, rt37, rt38, rt39, rt40, rt41, rt42, rt43, rt44)
    SELECT OLD.business_id,
           (OLD.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = OLD.business_id AND z.start_ms <= OLD.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           OLD.channel, COALESCE(OLD.assigned_to, ''), -1, -(OLD.status = 'new'),
           -(OLD.status = 'contacted'), -(OLD.status = 'qualified'), -(OLD.status = 'proposal'),
           -(OLD.status = 'closed_won'), -(OLD.status = 'closed_lost'), -(COALESCE(s.lead_grade, 'D') = 'A'),
           -(COALESCE(s.lead_grade, 'D') = 'B'), -(COALESCE(s.lead_grade, 'D') = 'C'), -(COALESCE(s.lead_grade, 'D') = 'D'),
           -(COALESCE(s.qualification_status, 'unqualified') = 'unqualified'),
           -(COALESCE(s.qualification_status, 'unqualified') = 'marketing_qualified'),
           -(COALESCE(s.qualification_status, 'unqualified') = 'sales_qualified'),
           -(COALESCE(s.qualification_status, 'unqualified') = 'customer'), -(COALESCE(s.qualification_status, 'unqualified') = 'lost'),
           -(OLD.waiting_on IS 'business' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           -(OLD.waiting_on IS 'lead' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           -(COALESCE(s.lead_score, 0)),
           -(CASE WHEN OLD.status = 'closed_won' THEN COALESCE(OLD.value_cents, 0) ELSE 0 END),
           -(b.bucket >= 0),
           -(CASE WHEN b.bucket >= 0
                 THEN MAX(0, OLD.first_response_at - OLD.created_at) ELSE 0 END),
           -(b.bucket = 0), -(b.bucket = 1), -(b.bucket = 2), -(b.bucket = 3), -(b.bucket = 4),
           -(b.bucket = 5), -(b.bucket = 6), -(b.bucket = 7), -(b.bucket = 8), -(b.bucket = 9),
           -(b.bucket = 10), -(b.bucket = 11), -(b.bucket = 12), -(b.bucket = 13), -(b.bucket = 14),
           -(b.bucket = 15), -(b.bucket = 16), -(b.bucket = 17), -(b.bucket = 18), -(b.bucket = 19),
           -(b.bucket = 20), -(b.bucket = 21), -(b.bucket = 22), -(b.bucket = 23), -(b.bucket = 24),
           -(b.bucket = 25), -(b.bucket = 26), -(b.bucket = 27), -(b.bucket = 28), -(b.bucket = 29),
           -(b.bucket = 30), -(b.bucket = 31), -(b.bucket = 32), -(b.bucket = 33), -(b.bucket = 34),
           -(b.bucket = 35), -(b.bucket = 36), -(b.bucket = 37), -(b.bucket = 38), -(b.bucket = 39),
           -(b.bucket = 40), -(b.bucket = 41), -(b.bucket = 42), -(b.bucket = 43), -(b.bucket = 44)
    FROM analytics_response_buckets AS b
         LEFT JOIN lead_scores AS s ON s.lead_id = NEW.id
    WHERE OLD.deleted = 0
      AND NOT (NEW.deleted = 0 AND OLD.business_id IS NEW.business_id
           AND OLD.created_at IS NEW.created_at AND OLD.channel IS NEW.channel
           AND OLD.assigned_to IS NEW.assigned_to)
      AND b.lower_ms <= COALESCE(MAX(0, OLD.first_response_at - OLD.created_at), -1)
    ORDER BY b.lower_ms DESC LIMIT 1
    ON CONFLICT (business_id, day, channel, assignee) DO UPDATE SET
        leads = leads + excluded.leads, st_new = st_new + excluded.st_new,
        st_contacted = st_contacted + excluded.st_contacted,
        st_qualified = st_qualified + excluded.st_qualified,
        st_proposal = st_proposal + excluded.st_proposal,
        st_closed_won = st_closed_won + excluded.st_closed_won,
        st_closed_lost = st_closed_lost + excluded.st_closed_lost, gr_a = gr_a + excluded.gr_a,
        gr_b = gr_b + excluded.gr_b, gr_c = gr_c + excluded.gr_c, gr_d = gr_d + excluded.gr_d,
        qu_unqualified = qu_unqualified + excluded.qu_unqualified,
        qu_marketing_qualified = qu_marketing_qualified + excluded.qu_marketing_qualified,
        qu_sales_qualified = qu_sales_qualified + excluded.qu_sales_qualified,
        qu_customer = qu_customer + excluded.qu_customer, qu_lost = qu_lost + excluded.qu_lost,
        wait_business = wait_business + excluded.wait_business,
        wait_lead = wait_lead + excluded.wait_lead, score_sum = score_sum + excluded.score_sum,
        won_value_cents = won_value_cents + excluded.won_value_cents,
        responded = responded + excluded.responded,
        response_ms_sum = response_ms_sum + excluded.response_ms_sum, rt00 = rt00 + excluded.rt00,
        rt01 = rt01 + excluded.rt01, rt02 = rt02 + excluded.rt02, rt03 = rt03 + excluded.rt03,
        rt04 = rt04 + excluded.rt04, rt05 = rt05 + excluded.rt05, rt06 = rt06 + excluded.rt06,
        rt07 = rt07 + excluded.rt07, rt08 = rt08 + excluded.rt08, rt09 = rt09 + excluded.rt09,
        rt10 = rt10 + excluded.rt10, rt11 = rt11 + excluded.rt11, rt12 = rt12 + excluded.rt12,
        rt13 = rt13 + excluded.rt13, rt14 = rt14 + excluded.rt14, rt15 = rt15 + excluded.rt15,
        rt16 = rt16 + excluded.rt16, rt17 = rt17 + excluded.rt17, rt18 = rt18 + excluded.rt18,
        rt19 = rt19 + excluded.rt19, rt20 = rt20 + excluded.rt20, rt21 = rt21 + excluded.rt21,
        rt22 = rt22 + excluded.rt22, rt23 = rt23 + excluded.rt23, rt24 = rt24 + excluded.rt24,
        rt25 = rt25 + excluded.rt25, rt26 = rt26 + excluded.rt26, rt27 = rt27 + excluded.rt27,
        rt28 = rt28 + excluded.rt28, rt29 = rt29 + excluded.rt29, rt30 = rt30 + excluded.rt30,
        rt31 = rt31 + excluded.rt31, rt32 = rt32 + excluded.rt32, rt33 = rt33 + excluded.rt33,
        rt34 = rt34 + excluded.rt34, rt35 = rt35 + excluded.rt35, rt36 = rt36 + excluded.rt36,
        rt37 = rt37 + excluded.rt37, rt38 = rt38 + excluded.rt38, rt39 = rt39 + excluded.rt39,
        rt40 = rt40 + excluded.rt40, rt41 = rt41 + excluded.rt41, rt42 = rt42 + excluded.rt42,
        rt43 = rt43 + excluded.rt43, rt44 = rt44 + excluded.rt44;
    INSERT INTO analytics_leads_daily (
        business_id, day, channel, assignee, leads, st_new, st_contacted, st_qualified, st_proposal,
        st_closed_won, st_closed_lost, gr_a, gr_b, gr_c, gr_d, qu_unqualified,
        qu_marketing_qualified, qu_sales_qualified, qu_customer, qu_lost, wait_business, wait_lead,
        score_sum, won_value_cents, responded, response_ms_sum, rt00, rt01, rt02, rt03, rt04, rt05,
        rt06, rt07, rt08, rt09, rt10, rt11, rt12, rt13, rt14, rt15, rt16, rt17, rt18, rt19, rt20,
        rt21, rt22, rt23, rt24, rt25, rt26, rt27, rt28, rt29, rt30, rt31, rt32, rt33, rt34, rt35,
        rt36, rt37, rt38, rt39, rt40, rt41, rt42, rt43, rt44)
    SELECT NEW.business_id,
           (NEW.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = NEW.business_id AND z.start_ms <= NEW.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           NEW.channel, COALESCE(NEW.assigned_to, ''), 1, (NEW.status = 'new'),
           (NEW.status = 'contacted'), (NEW.status = 'qualified'), (NEW.status = 'proposal'),
           (NEW.status = 'closed_won'), (NEW.status = 'closed_lost'), (COALESCE(s.lead_grade, 'D') = 'A'),
           (COALESCE(s.lead_grade, 'D') = 'B'), (COALESCE(s.lead_grade, 'D') = 'C'), (COALESCE(s.lead_grade, 'D') = 'D'),
           (COALESCE(s.qualification_status, 'unqualified') = 'unqualified'),
           (COALESCE(s.qualification_status, 'unqualified') = 'marketing_qualified'),
           (COALESCE(s.qualification_status, 'unqualified') = 'sales_qualified'), (COALESCE(s.qualification_status, 'unqualified') = 'customer'),
           (COALESCE(s.qualification_status, 'unqualified') = 'lost'),
           (NEW.waiting_on IS 'business' AND NEW.status NOT IN ('closed_won', 'closed_lost')),
           (NEW.waiting_on IS 'lead' AND NEW.status NOT IN ('closed_won', 'closed_lost')),
           (COALESCE(s.lead_score, 0)),
           (CASE WHEN NEW.status = 'closed_won' THEN COALESCE(NEW.value_cents, 0) ELSE 0 END),
           (b.bucket >= 0),
           (CASE WHEN b.bucket >= 0
                 THEN MAX(0, NEW.first_response_at - NEW.created_at) ELSE 0 END),
           (b.bucket = 0), (b.bucket = 1), (b.bucket = 2), (b.bucket = 3), (b.bucket = 4),
           (b.bucket = 5), (b.bucket = 6), (b.bucket = 7), (b.bucket = 8), (b.bucket = 9),
           (b.bucket = 10), (b.bucket = 11), (b.bucket = 12), (b.bucket = 13), (b.bucket = 14),
           (b.bucket = 15), (b.bucket = 16), (b.bucket = 17), (b.bucket = 18), (b.bucket = 19),
           (b.bucket = 20), (b.bucket = 21), (b.bucket = 22), (b.bucket = 23), (b.bucket = 24),
           (b.bucket = 25), (b.bucket = 26), (b.bucket = 27), (b.bucket = 28), (b.bucket = 29),
           (b.bucket = 30), (b.bucket = 31), (b.bucket = 32), (b.bucket = 33), (b.bucket = 34),
           (b.bucket = 35), (b.bucket = 36), (b.bucket = 37), (b.bucket = 38), (b.bucket = 39),
           (b.bucket = 40), (b.bucket = 41), (b.bucket = 42), (b.bucket = 43), (b.bucket = 44)
    FROM analytics_response_buckets AS b
         LEFT JOIN lead_scores AS s ON s.lead_id = NEW.id
    WHERE NEW.deleted = 0
      AND NOT (OLD.deleted = 0 AND OLD.business_id IS NEW.business_id
           AND OLD.created_at IS NEW.created_at AND OLD.channel IS NEW.channel
           AND OLD.assigned_to IS NEW.assigned_to)
      AND b.lower_ms <= COALESCE(MAX(0, NEW.first_response_at - NEW.created_at), -1)
    ORDER BY b.lower_ms DESC LIMIT 1
    ON CONFLICT (business_id, day, channel, assignee) DO UPDATE SET
        leads = leads + excluded.leads, st_new = st_new + excluded.st_new,
        st_contacted = st_contacted + excluded.st_contacted,
        st_qualified = st_qualified + excluded.st_qualified,
        st_proposal = st_proposal + excluded.st_proposal,
        st_closed_won = st_closed_won + excluded.st_closed_won,
        st_closed_lost = st_closed_lost + excluded.st_closed_lost, gr_a = gr_a + excluded.gr_a,
        gr_b = gr_b + excluded.gr_b, gr_c = gr_c + excluded.gr_c, gr_d = gr_d + excluded.gr_d,
        qu_unqualified = qu_unqualified + excluded.qu_unqualified,
        qu_marketing_qualified = qu_marketing_qualified + excluded.qu_marketing_qualified,
        qu_sales_qualified = qu_sales_qualified + excluded.qu_sales_qualified,
        qu_customer = qu_customer + excluded.qu_customer, qu_lost = qu_lost + excluded.qu_lost,
        wait_business = wait_business + excluded.wait_business,
        wait_lead = wait_lead + excluded.wait_lead, score_sum = score_sum + excluded.score_sum,
        won_value_cents = won_value_cents + excluded.won_value_cents,
        responded = responded + excluded.responded,
        response_ms_sum = response_ms_sum + excluded.response_ms_sum, rt00 = rt00 + excluded.rt00,
        rt01 = rt01 + excluded.rt01, rt02 = rt02 + excluded.rt02, rt03 = rt03 + excluded.rt03,
        rt04 = rt04 + excluded.rt04, rt05 = rt05 + excluded.rt05, rt06 = rt06 + excluded.rt06,
        rt07 = rt07 + excluded.rt07, rt08 = rt08 + excluded.rt08, rt09 = rt09 + excluded.rt09,
        rt10 = rt10 + excluded.rt10, rt11 = rt11 + excluded.rt11, rt12 = rt12 + excluded.rt12,
        rt13 = rt13 + excluded.rt13, rt14 = rt14 + excluded.rt14, rt15 = rt15 + excluded.rt15,
        rt16 = rt16 + excluded.rt16, rt17 = rt17 + excluded.rt17, rt18 = rt18 + excluded.rt18,
        rt19 = rt19 + excluded.rt19, rt20 = rt20 + excluded.rt20, rt21 = rt21 + excluded.rt21,
        rt22 = rt22 + excluded.rt22, rt23 = rt23 + excluded.rt23, rt24 = rt24 + excluded.rt24,
        rt25 = rt25 + excluded.rt25, rt26 = rt26 + excluded.rt26, rt27 = rt27 + excluded.rt27,
        rt28 = rt28 + excluded.rt28, rt29 = rt29 + excluded.rt29, rt30 = rt30 + excluded.rt30,
        rt31 = rt31 + excluded.rt31, rt32 = rt32 + excluded.rt32, rt33 = rt33 + excluded.rt33,
        rt34 = rt34 + excluded.rt34, rt35 = rt35 + excluded.rt35, rt36 = rt36 + excluded.rt36,
        rt37 = rt37 + excluded.rt37, rt38 = rt38 + excluded.rt38, rt39 = rt39 + excluded.rt39,
        rt40 = rt40 + excluded.rt40, rt41 = rt41 + excluded.rt41, rt42 = rt42 + excluded.rt42,
        rt43 = rt43 + excluded.rt43, rt44 = rt44 + excluded.rt44;
END
--;
CREATE TRIGGER analytics_leads_delete BEFORE DELETE ON leads WHEN OLD.deleted = 0
BEGIN
    INSERT INTO analytics_leads_daily (
        business_id, day, channel, assignee, leads, st_new, st_contacted, st_qualified, st_proposal,
        st_closed_won, st_closed_lost, gr_a, gr_b, gr_c, gr_d, qu_unqualified,
        qu_marketing_qualified, qu_sales_qualified, qu_customer, qu_lost, wait_business, wait_lead,
        score_sum, won_value_cents, responded, response_ms_sum, rt00, rt01, rt02, rt03, rt04, rt05,
        rt06, rt07, rt08, rt09, rt10, rt11, rt12, rt13, rt14, rt15, rt16, rt17, rt18, rt19, rt20,
        rt21, rt22, rt23, rt24, rt25, rt26, rt27, rt28, rt29, rt30, rt31, rt32, rt33, rt34, rt35,
        rt36, rt37, rt38, rt39, rt40, rt41, rt42, rt43, rt44)
    SELECT OLD.business_id,
           (OLD.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = OLD.business_id AND z.start_ms <= OLD.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           OLD.channel, COALESCE(OLD.assigned_to, ''), -1, -(OLD.status = 'new'),
           -(OLD.status = 'contacted'), -(OLD.status = 'qualified'), -(OLD.status = 'proposal'),
           -(OLD.status = 'closed_won'), -(OLD.status = 'closed_lost'), -(COALESCE(s.lead_grade, 'D') = 'A'),
           -(COALESCE(s.lead_grade, 'D') = 'B'), -(COALESCE(s.lead_grade, 'D') = 'C'), -(COALESCE(s.lead_grade, 'D') = 'D'),
           -(COALESCE(s.qualification_status, 'unqualified') = 'unqualified'),
           -(COALESCE(s.qualification_status, 'unqualified') = 'marketing_qualified'),
           -(COALESCE(s.qualification_status, 'unqualified') = 'sales_qualified'),
           -(COALESCE(s.qualification_status, 'unqualified') = 'customer'), -(COALESCE(s.qualification_status, 'unqualified') = 'lost'),
           -(OLD.waiting_on IS 'business' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           -(OLD.waiting_on IS 'lead' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           -(COALESCE(s.lead_score, 0)),
           -(CASE WHEN OLD.status = 'closed_won' THEN COALESCE(OLD.value_cents, 0) ELSE 0 END),
           -(b.bucket >= 0),
           -(CASE WHEN b.bucket >= 0
                 THEN MAX(0, OLD.first_response_at - OLD.created_at) ELSE 0 END),
           -(b.bucket = 0), -(b.bucket = 1), -(b.bucket = 2), -(b.bucket = 3), -(b.bucket = 4),
           -(b.bucket = 5), -(b.bucket = 6), -(b.bucket = 7), -(b.bucket = 8), -(b.bucket = 9),
           -(b.bucket = 10), -(b.bucket = 11), -(b.bucket = 12), -(b.bucket = 13), -(b.bucket = 14),
           -(b.bucket = 15), -(b.bucket = 16), -(b.bucket = 17), -(b.bucket = 18), -(b.bucket = 19),
           -(b.bucket = 20), -(b.bucket = 21), -(b.bucket = 22), -(b.bucket = 23), -(b.bucket = 24),
           -(b.bucket = 25), -(b.bucket = 26), -(b.bucket = 27), -(b.bucket = 28), -(b.bucket = 29),
           -(b.bucket = 30), -(b.bucket = 31), -(b.bucket = 32), -(b.bucket = 33), -(b.bucket = 34),
           -(b.bucket = 35), -(b.bucket = 36), -(b.bucket = 37), -(b.bucket = 38), -(b.bucket = 39),
           -(b.bucket = 40), -(b.bucket = 41), -(b.bucket = 42), -(b.bucket = 43), -(b.bucket = 44)
    FROM analytics_response_buckets AS b
         LEFT JOIN lead_scores AS s ON s.lead_id = OLD.id
    WHERE OLD.deleted = 0
      AND b.lower_ms <= COALESCE(MAX(0, OLD.first_response_at - OLD.created_at), -1)
    ORDER BY b.lower_ms DESC LIMIT 1
    ON CONFLICT (business_id, day, channel, assignee) DO UPDATE SET
        leads = leads + excluded.leads, st_new = st_new + excluded.st_new,
        st_contacted = st_contacted + excluded.st_contacted,
        st_qualified = st_qualified + excluded.st_qualified,
        st_proposal = st_proposal + excluded.st_proposal,
        st_closed_won = st_closed_won + excluded.st_closed_won,
        st_closed_lost = st_closed_lost + excluded.st_closed_lost, gr_a = gr_a + excluded.gr_a,
        gr_b = gr_b + excluded.gr_b, gr_c = gr_c + excluded.gr_c, gr_d = gr_d + excluded.gr_d,
        qu_unqualified = qu_unqualified + excluded.qu_unqualified,
        qu_marketing_qualified = qu_marketing_qualified + excluded.qu_marketing_qualified,
        qu_sales_qualified = qu_sales_qualified + excluded.qu_sales_qualified,
        qu_customer = qu_customer + excluded.qu_customer, qu_lost = qu_lost + excluded.qu_lost,
        wait_business = wait_business + excluded.wait_business,
        wait_lead = wait_lead + excluded.wait_lead, score_sum = score_sum + excluded.score_sum,
        won_value_cents = won_value_cents + excluded.won_value_cents,
        responded = responded + excluded.responded,
        response_ms_sum = response_ms_sum + excluded.response_ms_sum, rt00 = rt00 + excluded.rt00,
        rt01 = rt01 + excluded.rt01, rt02 = rt02 + excluded.rt02, rt03 = rt03 + excluded.rt03,
        rt04 = rt04 + excluded.rt04, rt05 = rt05 + excluded.rt05, rt06 = rt06 + excluded.rt06,
        rt07 = rt07 + excluded.rt07, rt08 = rt08 + excluded.rt08, rt09 = rt09 + excluded.rt09,
        rt10 = rt10 + excluded.rt10, rt11 = rt11 + excluded.rt11, rt12 = rt12 + excluded.rt12,
        rt13 = rt13 + excluded.rt13, rt14 = rt14 + excluded.rt14, rt15 = rt15 + excluded.rt15,
        rt16 = rt16 + excluded.rt16, rt17 = rt17 + excluded.rt17, rt18 = rt18 + excluded.rt18,
        rt19 = rt19 + excluded.rt19, rt20 = rt20 + excluded.rt20, rt21 = rt21 + excluded.rt21,
        rt22 = rt22 + excluded.rt22, rt23 = rt23 + excluded.rt23, rt24 = rt24 + excluded.rt24,
        rt25 = rt25 + excluded.rt25, rt26 = rt26 + excluded.rt26, rt27 = rt27 + excluded.rt27,
        rt28 = rt28 + excluded.rt28, rt29 = rt29 + excluded.rt29, rt30 = rt30 + excluded.rt30,
        rt31 = rt31 + excluded.rt31, rt32 = rt32 + excluded.rt32, rt33 = rt33 + excluded.rt33,
        rt34 = rt34 + excluded.rt34, rt35 = rt35 + excluded.rt35, rt36 = rt36 + excluded.rt36,
        rt37 = rt37 + excluded.rt37, rt38 = rt38 + excluded.rt38, rt39 = rt39 + excluded.rt39,
        rt40 = rt40 + excluded.rt40, rt41 = rt41 + excluded.rt41, rt42 = rt42 + excluded.rt42,
        rt43 = rt43 + excluded.rt43, rt44 = rt44 + excluded.rt44;
END
--;
CREATE TRIGGER analytics_campaign_insert AFTER INSERT ON leads
WHEN NEW.deleted = 0 AND NEW.campaign_id IS NOT NULL
BEGIN
    INSERT INTO analytics_campaign_daily (
        business_id, campaign_id, day, channel, source_key, utm_content, leads, qualified,
        score_sum, won, won_value_cents)
    SELECT NEW.business_id, NEW.campaign_id,
           (NEW.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = NEW.business_id AND z.start_ms <= NEW.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           NEW.channel, COALESCE(NULLIF(NEW.source_label, ''), NEW.channel),
           COALESCE(NEW.utm_content, ''), 1,
           (COALESCE(s.qualification_status, 'unqualified') IN ('sales_qualified', 'marketing_qualified')),
           (COALESCE(s.lead_score, 0)), (NEW.status = 'closed_won'),
           (CASE WHEN NEW.status = 'closed_won' THEN COALESCE(NEW.value_cents, 0) ELSE 0 END)
    FROM (SELECT 1) AS one LEFT JOIN lead_scores AS s ON s.lead_id = NEW.id
    WHERE NEW.deleted = 0 AND NEW.campaign_id IS NOT NULL
    ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET
        leads = leads + excluded.leads, qualified = qualified + excluded.qualified,
        score_sum = score_sum + excluded.score_sum, won = won + excluded.won,
        won_value_cents = won_value_cents + excluded.won_value_cents;
END
--;
CREATE TRIGGER analytics_campaign_update AFTER UPDATE OF
    business_id, created_at, campaign_id, channel, source_label, utm_content, status, value_cents, deleted
    ON leads
WHEN (OLD.campaign_id IS NOT NULL OR NEW.campaign_id IS NOT NULL)
 AND (OLD.business_id IS NOT NEW.business_id
     OR OLD.created_at IS NOT NEW.created_at
     OR OLD.campaign_id IS NOT NEW.campaign_id
     OR OLD.channel IS NOT NEW.channel
     OR OLD.source_label IS NOT NEW.source_label
     OR OLD.utm_content IS NOT NEW.utm_content
     OR OLD.status IS NOT NEW.status
     OR OLD.value_cents IS NOT NEW.value_cents
     OR OLD.deleted IS NOT NEW.deleted)
BEGIN
    INSERT INTO analytics_campaign_daily (
        business_id, campaign_id, day, channel, source_key, utm_content, leads, qualified,
        score_sum, won, won_value_cents)
    SELECT NEW.business_id, NEW.campaign_id,
           (NEW.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = NEW.business_id AND z.start_ms <= NEW.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           NEW.channel, COALESCE(NULLIF(NEW.source_label, ''), NEW.channel),
           COALESCE(NEW.utm_content, ''), 0,
           (COALESCE(s.qualification_status, 'unqualified') IN ('sales_qualified', 'marketing_qualified')) - (COALESCE(s.qualification_status, 'unqualified') IN ('sales_qualified', 'marketing_qualified')),
           (COALESCE(s.lead_score, 0)) - (COALESCE(s.lead_score, 0)),
           (NEW.status = 'closed_won') - (OLD.status = 'closed_won'),
           (CASE WHEN NEW.status = 'closed_won' THEN COALESCE(NEW.value_cents, 0) ELSE 0 END) - (CASE WHEN OLD.status = 'closed_won' THEN COALESCE(OLD.value_cents, 0) ELSE 0 END)
    FROM (SELECT 1) AS one LEFT JOIN lead_scores AS s ON s.lead_id = NEW.id
    WHERE OLD.deleted = 0 AND NEW.deleted = 0 AND NEW.campaign_id IS NOT NULL
      AND OLD.business_id IS NEW.business_id AND OLD.campaign_id IS NEW.campaign_id
      AND OLD.created_at IS NEW.created_at AND OLD.channel IS NEW.channel
      AND OLD.source_label IS NEW.source_label AND OLD.utm_content IS NEW.utm_content
    ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET
        leads = leads + excluded.leads, qualified = qualified + excluded.qualified,
        score_sum = score_sum + excluded.score_sum, won = won + excluded.won,
        won_value_cents = won_value_cents + excluded.won_value_cents;
    INSERT INTO analytics_campaign_daily (
        business_id, campaign_id, day, channel, source_key, utm_content, leads, qualified,
        score_sum, won, won_value_cents)
    SELECT OLD.business_id, OLD.campaign_id,
           (OLD.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = OLD.business_id AND z.start_ms <= OLD.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           OLD.channel, COALESCE(NULLIF(OLD.source_label, ''), OLD.channel),
           COALESCE(OLD.utm_content, ''), -1,
           -(COALESCE(s.qualification_status, 'unqualified') IN ('sales_qualified', 'marketing_qualified')),
           -(COALESCE(s.lead_score, 0)), -(OLD.status = 'closed_won'),
           -(CASE WHEN OLD.status = 'closed_won' THEN COALESCE(OLD.value_cents, 0) ELSE 0 END)
    FROM (SELECT 1) AS one LEFT JOIN lead_scores AS s ON s.lead_id = NEW.id
    WHERE OLD.deleted = 0 AND OLD.campaign_id IS NOT NULL
      AND NOT (NEW.deleted = 0 AND NEW.campaign_id IS NOT NULL AND OLD.business_id IS NEW.business_id AND OLD.campaign_id IS NEW.campaign_id
           AND OLD.created_at IS NEW.created_at AND OLD.channel IS NEW.channel
           AND OLD.source_label IS NEW.source_label AND OLD.utm_content IS NEW.utm_content)
    ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET
        leads = leads + excluded.leads, qualified = qualified + excluded.qualified,
        score_sum = score_sum + excluded.score_sum, won = won + excluded.won,
        won_value_cents = won_value_cents + excluded.won_value_cents;
    INSERT INTO analytics_campaign_daily (
        business_id, campaign_id, day, channel, source_key, utm_content, leads, qualified,
        score_sum, won, won_value_cents)
    SELECT NEW.business_id, NEW.campaign_id,
           (NEW.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = NEW.business_id AND z.start_ms <= NEW.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           NEW.channel, COALESCE(NULLIF(NEW.source_label, ''), NEW.channel),
           COALESCE(NEW.utm_content, ''), 1,
           (COALESCE(s.qualification_status, 'unqualified') IN ('sales_qualified', 'marketing_qualified')),
           (COALESCE(s.lead_score, 0)), (NEW.status = 'closed_won'),
           (CASE WHEN NEW.status = 'closed_won' THEN COALESCE(NEW.value_cents, 0) ELSE 0 END)
    FROM (SELECT 1) AS one LEFT JOIN lead_scores AS s ON s.lead_id = NEW.id
    WHERE NEW.deleted = 0 AND NEW.campaign_id IS NOT NULL
      AND NOT (OLD.deleted = 0 AND OLD.business_id IS NEW.business_id AND OLD.campaign_id IS NEW.campaign_id
           AND OLD.created_at IS NEW.created_at AND OLD.channel IS NEW.channel
           AND OLD.source_label IS NEW.source_label AND OLD.utm_content IS NEW.utm_content)
    ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET
        leads = leads + excluded.leads, qualified = qualified + excluded.qualified,
        score_sum = score_sum + excluded.score_sum, won = won + excluded.won,
        won_value_cents = won_value_cents + excluded.won_value_cents;
END
--;
CREATE TRIGGER analytics_campaign_delete BEFORE DELETE ON leads
WHEN OLD.deleted = 0 AND OLD.campaign_id IS NOT NULL
BEGIN
    INSERT INTO analytics_campaign_daily (
        business_id, campaign_id, day, channel, source_key, utm_content, leads, qualified,
        score_sum, won, won_value_cents)
    SELECT OLD.business_id, OLD.campaign_id,
           (OLD.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = OLD.business_id AND z.start_ms <= OLD.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           OLD.channel, COALESCE(NULLIF(OLD.source_label, ''), OLD.channel),
           COALESCE(OLD.utm_content, ''), -1,
           -(COALESCE(s.qualification_status, 'unqualified') IN ('sales_qualified', 'marketing_qualified')),
           -(COALESCE(s.lead_score, 0)), -(OLD.status = 'closed_won'),
           -(CASE WHEN OLD.status = 'closed_won' THEN COALESCE(OLD.value_cents, 0) ELSE 0 END)
    FROM (SELECT 1) AS one LEFT JOIN lead_scores AS s ON s.lead_id = OLD.id
    WHERE OLD.deleted = 0 AND OLD.campaign_id IS NOT NULL
    ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET
        leads = leads + excluded.leads, qualified = qualified + excluded.qualified,
        score_sum = score_sum + excluded.score_sum, won = won + excluded.won,
        won_value_cents = won_value_cents + excluded.won_value_cents;
END
--;
-- A lead that goes takes its score with it (AFTER: the rollup triggers above have read it).
CREATE TRIGGER lead_scores_follow_delete AFTER DELETE ON leads
BEGIN
    DELETE FROM lead_scores WHERE lead_id = OLD.id;
END
--;
-- A score that changes on its own (the chatbot, an import's rescore of one lead) moves only the
-- score columns of the lead's rollup rows.
CREATE TRIGGER analytics_scores_insert AFTER INSERT ON lead_scores
WHEN NOT EXISTS (SELECT 1 FROM analytics_paused)
BEGIN
    INSERT INTO analytics_leads_daily (
        business_id, day, channel, assignee, gr_a, gr_b, gr_c, gr_d, qu_unqualified,
        qu_marketing_qualified, qu_sales_qualified, qu_customer, qu_lost, score_sum)
    SELECT l.business_id,
           (l.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = l.business_id AND z.start_ms <= l.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           l.channel, COALESCE(l.assigned_to, ''),
           (NEW.lead_grade = 'A') - ('D' = 'A'),
           (NEW.lead_grade = 'B') - ('D' = 'B'),
           (NEW.lead_grade = 'C') - ('D' = 'C'),
           (NEW.lead_grade = 'D') - ('D' = 'D'),
           (NEW.qualification_status = 'unqualified') - ('unqualified' = 'unqualified'),
           (NEW.qualification_status = 'marketing_qualified') - ('unqualified' = 'marketing_qualified'),
           (NEW.qualification_status = 'sales_qualified') - ('unqualified' = 'sales_qualified'),
           (NEW.qualification_status = 'customer') - ('unqualified' = 'customer'),
           (NEW.qualification_status = 'lost') - ('unqualified' = 'lost'),
           NEW.lead_score - 0
    FROM leads AS l
    WHERE l.id = NEW.lead_id AND l.deleted = 0
    ON CONFLICT (business_id, day, channel, assignee) DO UPDATE SET
        gr_a = gr_a + excluded.gr_a, gr_b = gr_b + excluded.gr_b, gr_c = gr_c + excluded.gr_c,
        gr_d = gr_d + excluded.gr_d, qu_unqualified = qu_unqualified + excluded.qu_unqualified,
        qu_marketing_qualified = qu_marketing_qualified + excluded.qu_marketing_qualified,
        qu_sales_qualified = qu_sales_qualified + excluded.qu_sales_qualified,
        qu_customer = qu_customer + excluded.qu_customer, qu_lost = qu_lost + excluded.qu_lost,
        score_sum = score_sum + excluded.score_sum;
    INSERT INTO analytics_campaign_daily (
        business_id, campaign_id, day, channel, source_key, utm_content, qualified, score_sum)
    SELECT l.business_id, l.campaign_id,
           (l.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = l.business_id AND z.start_ms <= l.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           l.channel, COALESCE(NULLIF(l.source_label, ''), l.channel), COALESCE(l.utm_content, ''),
           (NEW.qualification_status IN ('sales_qualified', 'marketing_qualified')) - ('unqualified' IN ('sales_qualified', 'marketing_qualified')),
           NEW.lead_score - 0
    FROM leads AS l
    WHERE l.id = NEW.lead_id AND l.deleted = 0 AND l.campaign_id IS NOT NULL
    ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET
        qualified = qualified + excluded.qualified, score_sum = score_sum + excluded.score_sum;
END
--;
CREATE TRIGGER analytics_scores_update AFTER UPDATE OF lead_score, lead_grade, qualification_status ON lead_scores
WHEN (OLD.lead_score IS NOT NEW.lead_score OR OLD.lead_grade IS NOT NEW.lead_grade
      OR OLD.qualification_status IS NOT NEW.qualification_status)
 AND NOT EXISTS (SELECT 1 FROM analytics_paused)
BEGIN
    INSERT INTO analytics_leads_daily (
        business_id, day, channel, assignee, gr_a, gr_b, gr_c, gr_d, qu_unqualified,
        qu_marketing_qualified, qu_sales_qualified, qu_customer, qu_lost, score_sum)
    SELECT l.business_id,
           (l.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = l.business_id AND z.start_ms <= l.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           l.channel, COALESCE(l.assigned_to, ''),
           (NEW.lead_grade = 'A') - (OLD.lead_grade = 'A'),
           (NEW.lead_grade = 'B') - (OLD.lead_grade = 'B'),
           (NEW.lead_grade = 'C') - (OLD.lead_grade = 'C'),
           (NEW.lead_grade = 'D') - (OLD.lead_grade = 'D'),
           (NEW.qualification_status = 'unqualified') - (OLD.qualification_status = 'unqualified'),
           (NEW.qualification_status = 'marketing_qualified') - (OLD.qualification_status = 'marketing_qualified'),
           (NEW.qualification_status = 'sales_qualified') - (OLD.qualification_status = 'sales_qualified'),
           (NEW.qualification_status = 'customer') - (OLD.qualification_status = 'customer'),
           (NEW.qualification_status = 'lost') - (OLD.qualification_status = 'lost'),
           NEW.lead_score - OLD.lead_score
    FROM leads AS l
    WHERE l.id = NEW.lead_id AND l.deleted = 0
    ON CONFLICT (business_id, day, channel, assignee) DO UPDATE SET
        gr_a = gr_a + excluded.gr_a, gr_b = gr_b + excluded.gr_b, gr_c = gr_c + excluded.gr_c,
        gr_d = gr_d + excluded.gr_d, qu_unqualified = qu_unqualified + excluded.qu_unqualified,
        qu_marketing_qualified = qu_marketing_qualified + excluded.qu_marketing_qualified,
        qu_sales_qualified = qu_sales_qualified + excluded.qu_sales_qualified,
        qu_customer = qu_customer + excluded.qu_customer, qu_lost = qu_lost + excluded.qu_lost,
        score_sum = score_sum + excluded.score_sum;
    INSERT INTO analytics_campaign_daily (
        business_id, campaign_id, day, channel, source_key, utm_content, qualified, score_sum)
    SELECT l.business_id, l.campaign_id,
           (l.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = l.business_id AND z.start_ms <= l.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           l.channel, COALESCE(NULLIF(l.source_label, ''), l.channel), COALESCE(l.utm_content, ''),
           (NEW.qualification_status IN ('sales_qualified', 'marketing_qualified')) - (OLD.qualification_status IN ('sales_qualified', 'marketing_qualified')),
           NEW.lead_score - OLD.lead_score
    FROM leads AS l
    WHERE l.id = NEW.lead_id AND l.deleted = 0 AND l.campaign_id IS NOT NULL
    ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET
        qualified = qualified + excluded.qualified, score_sum = score_sum + excluded.score_sum;
END
--;
CREATE TRIGGER analytics_scores_delete AFTER DELETE ON lead_scores
WHEN NOT EXISTS (SELECT 1 FROM analytics_paused)
BEGIN
    INSERT INTO analytics_leads_daily (
        business_id, day, channel, assignee, gr_a, gr_b, gr_c, gr_d, qu_unqualified,
        qu_marketing_qualified, qu_sales_qualified, qu_customer, qu_lost, score_sum)
    SELECT l.business_id,
           (l.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = l.business_id AND z.start_ms <= l.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           l.channel, COALESCE(l.assigned_to, ''),
           ('D' = 'A') - (OLD.lead_grade = 'A'),
           ('D' = 'B') - (OLD.lead_grade = 'B'),
           ('D' = 'C') - (OLD.lead_grade = 'C'),
           ('D' = 'D') - (OLD.lead_grade = 'D'),
           ('unqualified' = 'unqualified') - (OLD.qualification_status = 'unqualified'),
           ('unqualified' = 'marketing_qualified') - (OLD.qualification_status = 'marketing_qualified'),
           ('unqualified' = 'sales_qualified') - (OLD.qualification_status = 'sales_qualified'),
           ('unqualified' = 'customer') - (OLD.qualification_status = 'customer'),
           ('unqualified' = 'lost') - (OLD.qualification_status = 'lost'),
           0 - OLD.lead_score
    FROM leads AS l
    WHERE l.id = OLD.lead_id AND l.deleted = 0
    ON CONFLICT (business_id, day, channel, assignee) DO UPDATE SET
        gr_a = gr_a + excluded.gr_a, gr_b = gr_b + excluded.gr_b, gr_c = gr_c + excluded.gr_c,
        gr_d = gr_d + excluded.gr_d, qu_unqualified = qu_unqualified + excluded.qu_unqualified,
        qu_marketing_qualified = qu_marketing_qualified + excluded.qu_marketing_qualified,
        qu_sales_qualified = qu_sales_qualified + excluded.qu_sales_qualified,
        qu_customer = qu_customer + excluded.qu_customer, qu_lost = qu_lost + excluded.qu_lost,
        score_sum = score_sum + excluded.score_sum;
    INSERT INTO analytics_campaign_daily (
        business_id, campaign_id, day, channel, source_key, utm_content, qualified, score_sum)
    SELECT l.business_id, l.campaign_id,
           (l.created_at + COALESCE((SELECT z.offset_ms FROM analytics_zone_offsets AS z
               WHERE z.business_id = l.business_id AND z.start_ms <= l.created_at
               ORDER BY z.start_ms DESC LIMIT 1), 0)) / 86400000,
           l.channel, COALESCE(NULLIF(l.source_label, ''), l.channel), COALESCE(l.utm_content, ''),
           ('unqualified' IN ('sales_qualified', 'marketing_qualified')) - (OLD.qualification_status IN ('sales_qualified', 'marketing_qualified')),
           0 - OLD.lead_score
    FROM leads AS l
    WHERE l.id = OLD.lead_id AND l.deleted = 0 AND l.campaign_id IS NOT NULL
    ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET
        qualified = qualified + excluded.qualified, score_sum = score_sum + excluded.score_sum;
END
