-- Version 4: analytics (issue 4, part 5). Dashboards read two small rollups kept current by
-- triggers on leads, so no dashboard query scans the million-row leads table:
--   analytics_leads_daily     per business, local day, channel and assignee: lead counts by
--                             status, grade, qualification and open waiting side, score and
--                             closed-won value sums, and a histogram of first-response times;
--   analytics_campaign_daily  per campaign, local day, channel, source label and utm_content.
-- "Local day" is the lead's created_at in the business's time zone, as days since 1970-01-01. SQL
-- has no time-zone rules, so AnalyticsRollup copies the zone's UTC offsets into
-- analytics_zone_offsets and the triggers look the offset up. analytics_state says which zone the
-- rollups were built for; no row (a new store, a new business, a changed zone) means rebuild
-- (AnalyticsRollup::ensureCurrent), and until then the triggers bucket by UTC.
-- An edit that keeps a lead in the same rollup row (status, score, waiting side, first response)
-- is one upsert of the differences. Local state derived from leads: never synced. The trigger
-- bodies repeat one column list, which core/analyticscounters.h states again; tst_analyticsrollup
-- compares the two and checks trigger-kept rollups against a rebuild after random edits.
CREATE TABLE analytics_state (
    business_id TEXT PRIMARY KEY REFERENCES businesses(id),
    time_zone   TEXT NOT NULL,
    rebuilt_at  INTEGER NOT NULL
)
--;
CREATE TABLE analytics_zone_offsets (
    business_id TEXT NOT NULL,
    start_ms    INTEGER NOT NULL,          -- the offset applies from this UTC instant on
    offset_ms   INTEGER NOT NULL,
    PRIMARY KEY (business_id, start_ms)
) WITHOUT ROWID
--;
-- First-response histogram buckets: bucket i holds times in [lower_ms(i), lower_ms(i + 1)); the
-- row (-1, -1) catches leads nobody has answered yet.
CREATE TABLE analytics_response_buckets (
    lower_ms INTEGER PRIMARY KEY,
    bucket   INTEGER NOT NULL
)
--;
INSERT INTO analytics_response_buckets (lower_ms, bucket) VALUES
    (-1, -1),
    (0, 0), (30000, 1), (60000, 2), (90000, 3), (120000, 4), (180000, 5), (240000, 6), (300000, 7),
    (360000, 8), (480000, 9), (600000, 10), (720000, 11), (900000, 12), (1200000, 13),
    (1500000, 14), (1800000, 15), (2400000, 16), (3000000, 17), (3600000, 18), (4500000, 19),
    (5400000, 20), (7200000, 21), (9000000, 22), (10800000, 23), (14400000, 24), (18000000, 25),
    (21600000, 26), (28800000, 27), (36000000, 28), (43200000, 29), (57600000, 30), (72000000, 31),
    (86400000, 32), (108000000, 33), (129600000, 34), (172800000, 35), (216000000, 36),
    (259200000, 37), (345600000, 38), (432000000, 39), (604800000, 40), (864000000, 41),
    (1209600000, 42), (1814400000, 43), (2592000000, 44)
--;
CREATE TABLE analytics_leads_daily (
    business_id     TEXT NOT NULL,
    day             INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    assignee        TEXT NOT NULL,         -- users.id, '' when unassigned
    leads           INTEGER NOT NULL DEFAULT 0,
    st_new          INTEGER NOT NULL DEFAULT 0,
    st_contacted    INTEGER NOT NULL DEFAULT 0,
    st_qualified    INTEGER NOT NULL DEFAULT 0,
    st_proposal     INTEGER NOT NULL DEFAULT 0,
    st_closed_won   INTEGER NOT NULL DEFAULT 0,
    st_closed_lost  INTEGER NOT NULL DEFAULT 0,
    gr_a            INTEGER NOT NULL DEFAULT 0,
    gr_b            INTEGER NOT NULL DEFAULT 0,
    gr_c            INTEGER NOT NULL DEFAULT 0,
    gr_d            INTEGER NOT NULL DEFAULT 0,
    qu_unqualified  INTEGER NOT NULL DEFAULT 0,
    qu_marketing_qualified INTEGER NOT NULL DEFAULT 0,
    qu_sales_qualified INTEGER NOT NULL DEFAULT 0,
    qu_customer     INTEGER NOT NULL DEFAULT 0,
    qu_lost         INTEGER NOT NULL DEFAULT 0,
    wait_business   INTEGER NOT NULL DEFAULT 0,
    wait_lead       INTEGER NOT NULL DEFAULT 0,
    score_sum       INTEGER NOT NULL DEFAULT 0,
    won_value_cents INTEGER NOT NULL DEFAULT 0,
    responded       INTEGER NOT NULL DEFAULT 0,
    response_ms_sum INTEGER NOT NULL DEFAULT 0,
    -- first-response histogram: rtNN counts leads answered in bucket NN
    rt00 INTEGER NOT NULL DEFAULT 0, rt01 INTEGER NOT NULL DEFAULT 0,
    rt02 INTEGER NOT NULL DEFAULT 0, rt03 INTEGER NOT NULL DEFAULT 0,
    rt04 INTEGER NOT NULL DEFAULT 0, rt05 INTEGER NOT NULL DEFAULT 0,
    rt06 INTEGER NOT NULL DEFAULT 0, rt07 INTEGER NOT NULL DEFAULT 0,
    rt08 INTEGER NOT NULL DEFAULT 0, rt09 INTEGER NOT NULL DEFAULT 0,
    rt10 INTEGER NOT NULL DEFAULT 0, rt11 INTEGER NOT NULL DEFAULT 0,
    rt12 INTEGER NOT NULL DEFAULT 0, rt13 INTEGER NOT NULL DEFAULT 0,
    rt14 INTEGER NOT NULL DEFAULT 0, rt15 INTEGER NOT NULL DEFAULT 0,
    rt16 INTEGER NOT NULL DEFAULT 0, rt17 INTEGER NOT NULL DEFAULT 0,
    rt18 INTEGER NOT NULL DEFAULT 0, rt19 INTEGER NOT NULL DEFAULT 0,
    rt20 INTEGER NOT NULL DEFAULT 0, rt21 INTEGER NOT NULL DEFAULT 0,
    rt22 INTEGER NOT NULL DEFAULT 0, rt23 INTEGER NOT NULL DEFAULT 0,
    rt24 INTEGER NOT NULL DEFAULT 0, rt25 INTEGER NOT NULL DEFAULT 0,
    rt26 INTEGER NOT NULL DEFAULT 0, rt27 INTEGER NOT NULL DEFAULT 0,
    rt28 INTEGER NOT NULL DEFAULT 0, rt29 INTEGER NOT NULL DEFAULT 0,
    rt30 INTEGER NOT NULL DEFAULT 0, rt31 INTEGER NOT NULL DEFAULT 0,
    rt32 INTEGER NOT NULL DEFAULT 0, rt33 INTEGER NOT NULL DEFAULT 0,
    rt34 INTEGER NOT NULL DEFAULT 0, rt35 INTEGER NOT NULL DEFAULT 0,
    rt36 INTEGER NOT NULL DEFAULT 0, rt37 INTEGER NOT NULL DEFAULT 0,
    rt38 INTEGER NOT NULL DEFAULT 0, rt39 INTEGER NOT NULL DEFAULT 0,
    rt40 INTEGER NOT NULL DEFAULT 0, rt41 INTEGER NOT NULL DEFAULT 0,
    rt42 INTEGER NOT NULL DEFAULT 0, rt43 INTEGER NOT NULL DEFAULT 0,
    rt44 INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (business_id, day, channel, assignee)
) WITHOUT ROWID
--;
CREATE TABLE analytics_campaign_daily (
    business_id     TEXT NOT NULL,
    campaign_id     TEXT NOT NULL,         -- campaigns.id
    day             INTEGER NOT NULL,
    channel         TEXT NOT NULL,
    source_key      TEXT NOT NULL,         -- source_label ('landing-page', 'modal'...) or channel
    utm_content     TEXT NOT NULL,         -- '' when absent
    leads           INTEGER NOT NULL DEFAULT 0,
    qualified       INTEGER NOT NULL DEFAULT 0,
    score_sum       INTEGER NOT NULL DEFAULT 0,
    won             INTEGER NOT NULL DEFAULT 0,
    won_value_cents INTEGER NOT NULL DEFAULT 0,
    -- day last: the per-campaign sums read in key order, without sorting
    PRIMARY KEY (business_id, campaign_id, channel, source_key, utm_content, day)
) WITHOUT ROWID
--;
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
           (NEW.status = 'closed_won'), (NEW.status = 'closed_lost'), (NEW.lead_grade = 'A'),
           (NEW.lead_grade = 'B'), (NEW.lead_grade = 'C'), (NEW.lead_grade = 'D'),
           (NEW.qualification_status = 'unqualified'),
           (NEW.qualification_status = 'marketing_qualified'),
           (NEW.qualification_status = 'sales_qualified'), (NEW.qualification_status = 'customer'),
           (NEW.qualification_status = 'lost'),
           (NEW.waiting_on IS 'business' AND NEW.status NOT IN ('closed_won', 'closed_lost')),
           (NEW.waiting_on IS 'lead' AND NEW.status NOT IN ('closed_won', 'closed_lost')),
           (NEW.lead_score),
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
    business_id, created_at, channel, assigned_to, status, lead_grade, qualification_status,
    waiting_on, lead_score, value_cents, first_response_at, deleted
    ON leads
WHEN OLD.business_id IS NOT NEW.business_id
     OR OLD.created_at IS NOT NEW.created_at
     OR OLD.channel IS NOT NEW.channel
     OR OLD.assigned_to IS NOT NEW.assigned_to
     OR OLD.status IS NOT NEW.status
     OR OLD.lead_grade IS NOT NEW.lead_grade
     OR OLD.qualification_status IS NOT NEW.qualification_status
     OR OLD.waiting_on IS NOT NEW.waiting_on
     OR OLD.lead_score IS NOT NEW.lead_score
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
           (NEW.lead_grade = 'A') - (OLD.lead_grade = 'A'),
           (NEW.lead_grade = 'B') - (OLD.lead_grade = 'B'),
           (NEW.lead_grade = 'C') - (OLD.lead_grade = 'C'),
           (NEW.lead_grade = 'D') - (OLD.lead_grade = 'D'),
           (NEW.qualification_status = 'unqualified') - (OLD.qualification_status = 'unqualified'),
           (NEW.qualification_status = 'marketing_qualified') - (OLD.qualification_status = 'marketing_qualified'),
           (NEW.qualification_status = 'sales_qualified') - (OLD.qualification_status = 'sales_qualified'),
           (NEW.qualification_status = 'customer') - (OLD.qualification_status = 'customer'),
           (NEW.qualification_status = 'lost') - (OLD.qualification_status = 'lost'),
           (NEW.waiting_on IS 'business' AND NEW.status NOT IN ('closed_won', 'closed_lost')) - (OLD.waiting_on IS 'business' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           (NEW.waiting_on IS 'lead' AND NEW.status NOT IN ('closed_won', 'closed_lost')) - (OLD.waiting_on IS 'lead' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           (NEW.lead_score) - (OLD.lead_score),
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
           -(OLD.status = 'closed_won'), -(OLD.status = 'closed_lost'), -(OLD.lead_grade = 'A'),
           -(OLD.lead_grade = 'B'), -(OLD.lead_grade = 'C'), -(OLD.lead_grade = 'D'),
           -(OLD.qualification_status = 'unqualified'),
           -(OLD.qualification_status = 'marketing_qualified'),
           -(OLD.qualification_status = 'sales_qualified'),
           -(OLD.qualification_status = 'customer'), -(OLD.qualification_status = 'lost'),
           -(OLD.waiting_on IS 'business' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           -(OLD.waiting_on IS 'lead' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           -(OLD.lead_score),
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
           (NEW.status = 'closed_won'), (NEW.status = 'closed_lost'), (NEW.lead_grade = 'A'),
           (NEW.lead_grade = 'B'), (NEW.lead_grade = 'C'), (NEW.lead_grade = 'D'),
           (NEW.qualification_status = 'unqualified'),
           (NEW.qualification_status = 'marketing_qualified'),
           (NEW.qualification_status = 'sales_qualified'), (NEW.qualification_status = 'customer'),
           (NEW.qualification_status = 'lost'),
           (NEW.waiting_on IS 'business' AND NEW.status NOT IN ('closed_won', 'closed_lost')),
           (NEW.waiting_on IS 'lead' AND NEW.status NOT IN ('closed_won', 'closed_lost')),
           (NEW.lead_score),
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
CREATE TRIGGER analytics_leads_delete AFTER DELETE ON leads WHEN OLD.deleted = 0
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
           -(OLD.status = 'closed_won'), -(OLD.status = 'closed_lost'), -(OLD.lead_grade = 'A'),
           -(OLD.lead_grade = 'B'), -(OLD.lead_grade = 'C'), -(OLD.lead_grade = 'D'),
           -(OLD.qualification_status = 'unqualified'),
           -(OLD.qualification_status = 'marketing_qualified'),
           -(OLD.qualification_status = 'sales_qualified'),
           -(OLD.qualification_status = 'customer'), -(OLD.qualification_status = 'lost'),
           -(OLD.waiting_on IS 'business' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           -(OLD.waiting_on IS 'lead' AND OLD.status NOT IN ('closed_won', 'closed_lost')),
           -(OLD.lead_score),
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
           (NEW.qualification_status IN ('sales_qualified', 'marketing_qualified')),
           (NEW.lead_score), (NEW.status = 'closed_won'),
           (CASE WHEN NEW.status = 'closed_won' THEN COALESCE(NEW.value_cents, 0) ELSE 0 END)
    WHERE NEW.deleted = 0 AND NEW.campaign_id IS NOT NULL
    ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET
        leads = leads + excluded.leads, qualified = qualified + excluded.qualified,
        score_sum = score_sum + excluded.score_sum, won = won + excluded.won,
        won_value_cents = won_value_cents + excluded.won_value_cents;
END
--;
CREATE TRIGGER analytics_campaign_update AFTER UPDATE OF
    business_id, created_at, campaign_id, channel, source_label, utm_content, qualification_status,
    lead_score, status, value_cents, deleted
    ON leads
WHEN (OLD.campaign_id IS NOT NULL OR NEW.campaign_id IS NOT NULL)
 AND (OLD.business_id IS NOT NEW.business_id
     OR OLD.created_at IS NOT NEW.created_at
     OR OLD.campaign_id IS NOT NEW.campaign_id
     OR OLD.channel IS NOT NEW.channel
     OR OLD.source_label IS NOT NEW.source_label
     OR OLD.utm_content IS NOT NEW.utm_content
     OR OLD.qualification_status IS NOT NEW.qualification_status
     OR OLD.lead_score IS NOT NEW.lead_score
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
           (NEW.qualification_status IN ('sales_qualified', 'marketing_qualified')) - (OLD.qualification_status IN ('sales_qualified', 'marketing_qualified')),
           (NEW.lead_score) - (OLD.lead_score),
           (NEW.status = 'closed_won') - (OLD.status = 'closed_won'),
           (CASE WHEN NEW.status = 'closed_won' THEN COALESCE(NEW.value_cents, 0) ELSE 0 END) - (CASE WHEN OLD.status = 'closed_won' THEN COALESCE(OLD.value_cents, 0) ELSE 0 END)
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
           -(OLD.qualification_status IN ('sales_qualified', 'marketing_qualified')),
           -(OLD.lead_score), -(OLD.status = 'closed_won'),
           -(CASE WHEN OLD.status = 'closed_won' THEN COALESCE(OLD.value_cents, 0) ELSE 0 END)
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
           (NEW.qualification_status IN ('sales_qualified', 'marketing_qualified')),
           (NEW.lead_score), (NEW.status = 'closed_won'),
           (CASE WHEN NEW.status = 'closed_won' THEN COALESCE(NEW.value_cents, 0) ELSE 0 END)
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
CREATE TRIGGER analytics_campaign_delete AFTER DELETE ON leads
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
           -(OLD.qualification_status IN ('sales_qualified', 'marketing_qualified')),
           -(OLD.lead_score), -(OLD.status = 'closed_won'),
           -(CASE WHEN OLD.status = 'closed_won' THEN COALESCE(OLD.value_cents, 0) ELSE 0 END)
    WHERE OLD.deleted = 0 AND OLD.campaign_id IS NOT NULL
    ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET
        leads = leads + excluded.leads, qualified = qualified + excluded.qualified,
        score_sum = score_sum + excluded.score_sum, won = won + excluded.won,
        won_value_cents = won_value_cents + excluded.won_value_cents;
END
--;
-- A new zone invalidates every bucket of the business: the next read rebuilds.
CREATE TRIGGER analytics_business_zone AFTER UPDATE OF time_zone ON businesses
WHEN OLD.time_zone IS NOT NEW.time_zone
BEGIN
    DELETE FROM analytics_state WHERE business_id = NEW.id;
END
--;
-- Chatbot completion and pacing by session start; delivery health by attempt time, covering.
CREATE INDEX idx_chatbot_sessions_started ON chatbot_sessions (business_id, started_at, completed)
    WHERE deleted = 0
--;
CREATE INDEX idx_delivery_business
    ON delivery_log (business_id, attempted_at, target, ok, latency_ms)
