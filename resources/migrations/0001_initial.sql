-- LeadDesk schema, version 1: every table of DESIGN §5.
-- Conventions: ids are UUIDv7 text; times are UTC epoch milliseconds (INTEGER); every synced row
-- carries business_id, updated_at, an HLC stamp (hlc) and a tombstone flag (deleted).
-- Statements are separated by lines holding only "--;" so the migrator can run them one by one.

CREATE TABLE businesses (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    time_zone     TEXT NOT NULL DEFAULT 'UTC',
    default_region TEXT NOT NULL DEFAULT 'US',
    settings      TEXT NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    hlc           INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0
);
--;
CREATE TABLE users (
    id              TEXT PRIMARY KEY,
    business_id     TEXT NOT NULL REFERENCES businesses(id),
    username        TEXT NOT NULL COLLATE NOCASE,
    display_name    TEXT NOT NULL DEFAULT '',
    email           TEXT,
    role            TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'rep')),
    password_hash   TEXT NOT NULL,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    locked_until    INTEGER,
    last_login_at   INTEGER,
    away            INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    hlc             INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0,
    UNIQUE (business_id, username)
);
--;
CREATE TABLE sources (
    id          TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES businesses(id),
    kind        TEXT NOT NULL CHECK (kind IN ('whatsapp', 'messenger', 'leadads', 'thumbtack', 'sms',
                                              'webform', 'chatbot', 'csv', 'manual')),
    name        TEXT NOT NULL,
    settings    TEXT NOT NULL DEFAULT '{}',
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    hlc         INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (business_id, kind, name)
);
--;
CREATE TABLE contacts (
    id            TEXT PRIMARY KEY,
    business_id   TEXT NOT NULL REFERENCES businesses(id),
    first_name    TEXT NOT NULL DEFAULT '',
    last_name     TEXT NOT NULL DEFAULT '',
    email         TEXT,
    phone         TEXT,
    company       TEXT,
    address_line  TEXT,
    street        TEXT,
    city          TEXT,
    state         TEXT,
    postal_code   TEXT,
    country       TEXT,
    consent_email INTEGER NOT NULL DEFAULT 0,
    consent_sms   INTEGER NOT NULL DEFAULT 0,
    sms_opted_out INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    hlc           INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0
);
--;
-- (channel, external id) -> contact. Channels include the person-level keys 'email' and 'phone',
-- so identity resolution is one indexed probe per key.
CREATE TABLE contact_identities (
    id          TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES businesses(id),
    contact_id  TEXT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    external_id TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    hlc         INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (business_id, channel, external_id)
);
--;
CREATE INDEX idx_identities_contact ON contact_identities (contact_id);
--;
CREATE TABLE campaigns (
    id                  TEXT PRIMARY KEY,
    business_id         TEXT NOT NULL REFERENCES businesses(id),
    external_id         TEXT NOT NULL,          -- the campaign_id forms send, e.g. 'nextcloud-installation-2025'
    name                TEXT NOT NULL,
    description         TEXT,
    campaign_type       TEXT NOT NULL DEFAULT 'service'
                        CHECK (campaign_type IN ('service', 'product', 'consultation', 'assessment')),
    status              TEXT NOT NULL DEFAULT 'active'
                        CHECK (status IN ('draft', 'active', 'paused', 'completed')),
    start_date          TEXT,
    end_date            TEXT,
    budget_cents        INTEGER,
    target_leads        INTEGER,
    landing_page_url    TEXT,
    auto_assign         INTEGER NOT NULL DEFAULT 1,
    assigned_to         TEXT,
    notification_emails TEXT NOT NULL DEFAULT '[]',
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    hlc                 INTEGER NOT NULL DEFAULT 0,
    deleted             INTEGER NOT NULL DEFAULT 0,
    UNIQUE (business_id, external_id)
);
--;
-- One request/opportunity. Contact fields are kept as submitted (seed 004); contact_id is the
-- resolved person.
CREATE TABLE leads (
    id                   TEXT PRIMARY KEY,
    business_id          TEXT NOT NULL REFERENCES businesses(id),
    contact_id           TEXT NOT NULL REFERENCES contacts(id),
    source_id            TEXT REFERENCES sources(id),
    channel              TEXT NOT NULL,
    external_id          TEXT,
    first_name           TEXT NOT NULL DEFAULT '',
    last_name            TEXT NOT NULL DEFAULT '',
    email                TEXT,
    phone                TEXT,
    company              TEXT,
    address_line         TEXT,
    state                TEXT,
    campaign_id          TEXT REFERENCES campaigns(id),
    campaign_name        TEXT NOT NULL DEFAULT '',
    source_label         TEXT,
    medium               TEXT,
    utm_source           TEXT,
    utm_medium           TEXT,
    utm_campaign         TEXT,
    utm_term             TEXT,
    utm_content          TEXT,
    service_interest     TEXT,
    urgency              TEXT,
    message              TEXT,
    budget_range         TEXT,
    timeline             TEXT,
    visitor_id           TEXT,
    session_id           TEXT,
    ip_address           TEXT,
    user_agent           TEXT,
    referrer_url         TEXT,
    landing_page_url     TEXT,
    consent_given        INTEGER NOT NULL DEFAULT 0,
    lead_score           INTEGER NOT NULL DEFAULT 0,
    lead_grade           TEXT NOT NULL DEFAULT 'D' CHECK (lead_grade IN ('A', 'B', 'C', 'D')),
    qualification_status TEXT NOT NULL DEFAULT 'unqualified'
                         CHECK (qualification_status IN ('unqualified', 'marketing_qualified',
                                'sales_qualified', 'customer', 'lost')),
    score_breakdown      TEXT NOT NULL DEFAULT '{}',
    status               TEXT NOT NULL DEFAULT 'new'
                         CHECK (status IN ('new', 'contacted', 'qualified', 'proposal',
                                           'closed_won', 'closed_lost')),
    assigned_to          TEXT REFERENCES users(id),
    follow_up_at         INTEGER,
    contacted_at         INTEGER,
    first_response_at    INTEGER,
    last_inbound_at      INTEGER,
    last_outbound_at     INTEGER,
    waiting_on           TEXT CHECK (waiting_on IN ('business', 'lead')),
    value_cents          INTEGER,
    details              TEXT NOT NULL DEFAULT '{}',
    created_at           INTEGER NOT NULL,
    updated_at           INTEGER NOT NULL,
    hlc                  INTEGER NOT NULL DEFAULT 0,
    deleted              INTEGER NOT NULL DEFAULT 0
);
--;
-- The list's sort columns, each with the business first so every page is an index range scan.
-- Grade sorts by score: the grade is a monotone function of the score. Partial on live rows, so
-- list queries (which always say deleted = 0) never touch the table to skip tombstones.
CREATE INDEX idx_leads_created   ON leads (business_id, created_at) WHERE deleted = 0;
--;
CREATE INDEX idx_leads_name      ON leads (business_id, last_name, first_name) WHERE deleted = 0;
--;
CREATE INDEX idx_leads_channel   ON leads (business_id, channel, created_at) WHERE deleted = 0;
--;
CREATE INDEX idx_leads_campaign  ON leads (business_id, campaign_id, created_at);
--;
CREATE INDEX idx_leads_campaign_name ON leads (business_id, campaign_name) WHERE deleted = 0;
--;
CREATE INDEX idx_leads_score     ON leads (business_id, lead_score) WHERE deleted = 0;
--;
CREATE INDEX idx_leads_status    ON leads (business_id, status, created_at) WHERE deleted = 0;
--;
CREATE INDEX idx_leads_assignee  ON leads (business_id, assigned_to, status);
--;
CREATE INDEX idx_leads_contact   ON leads (contact_id, created_at);
--;
CREATE INDEX idx_leads_email     ON leads (business_id, email);
--;
CREATE UNIQUE INDEX idx_leads_external ON leads (business_id, channel, external_id)
    WHERE external_id IS NOT NULL;
--;
CREATE TABLE conversations (
    id                 TEXT PRIMARY KEY,
    business_id        TEXT NOT NULL REFERENCES businesses(id),
    contact_id         TEXT NOT NULL REFERENCES contacts(id),
    lead_id            TEXT REFERENCES leads(id),
    source_id          TEXT REFERENCES sources(id),
    channel            TEXT NOT NULL,
    external_thread_id TEXT,
    last_message_at    INTEGER,
    last_inbound_at    INTEGER,
    last_outbound_at   INTEGER,
    last_sender        TEXT CHECK (last_sender IN ('business', 'lead')),
    waiting_on         TEXT CHECK (waiting_on IN ('business', 'lead')),
    unread_count       INTEGER NOT NULL DEFAULT 0,
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'snoozed', 'closed')),
    snoozed_until      INTEGER,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    hlc                INTEGER NOT NULL DEFAULT 0,
    deleted            INTEGER NOT NULL DEFAULT 0,
    UNIQUE (business_id, contact_id, channel)
);
--;
CREATE INDEX idx_conversations_inbox ON conversations (business_id, waiting_on, last_message_at)
    WHERE deleted = 0;
--;
CREATE INDEX idx_conversations_lead ON conversations (lead_id);
--;
CREATE TABLE messages (
    id              TEXT PRIMARY KEY,
    business_id     TEXT NOT NULL REFERENCES businesses(id),
    conversation_id TEXT NOT NULL REFERENCES conversations(id),
    lead_id         TEXT REFERENCES leads(id),
    direction       TEXT NOT NULL CHECK (direction IN ('in', 'out')),
    body            TEXT NOT NULL DEFAULT '',
    media           TEXT,
    sent_at         INTEGER NOT NULL,
    external_id     TEXT,
    delivery_status TEXT NOT NULL DEFAULT 'received'
                    CHECK (delivery_status IN ('received', 'queued', 'sent', 'delivered', 'read',
                                               'failed')),
    error           TEXT,
    author_user_id  TEXT REFERENCES users(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    hlc             INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0
);
--;
CREATE INDEX idx_messages_conversation ON messages (conversation_id, sent_at);
--;
CREATE INDEX idx_messages_lead ON messages (lead_id, sent_at);
--;
CREATE UNIQUE INDEX idx_messages_external ON messages (business_id, external_id)
    WHERE external_id IS NOT NULL;
--;
CREATE TABLE activities (
    id            TEXT PRIMARY KEY,
    business_id   TEXT NOT NULL REFERENCES businesses(id),
    lead_id       TEXT REFERENCES leads(id),
    contact_id    TEXT REFERENCES contacts(id),
    activity_type TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    performed_by  TEXT,
    metadata      TEXT NOT NULL DEFAULT '{}',
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    hlc           INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0
);
--;
CREATE INDEX idx_activities_lead ON activities (lead_id, created_at);
--;
CREATE INDEX idx_activities_contact ON activities (contact_id, created_at);
--;
CREATE TABLE chatbot_sessions (
    id               TEXT PRIMARY KEY,
    business_id      TEXT NOT NULL REFERENCES businesses(id),
    session_key      TEXT NOT NULL UNIQUE,      -- the session_id the chatbot API hands out
    lead_id          TEXT REFERENCES leads(id),
    utm_source       TEXT NOT NULL DEFAULT 'direct',
    last_question_id INTEGER,
    completed        INTEGER NOT NULL DEFAULT 0,
    started_at       INTEGER NOT NULL,
    ended_at         INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL,
    hlc              INTEGER NOT NULL DEFAULT 0,
    deleted          INTEGER NOT NULL DEFAULT 0
);
--;
CREATE TABLE answers (
    id            TEXT PRIMARY KEY,
    business_id   TEXT NOT NULL REFERENCES businesses(id),
    session_id    TEXT NOT NULL REFERENCES chatbot_sessions(id),
    question_id   INTEGER NOT NULL,
    answer_text   TEXT NOT NULL,
    time_taken_ms INTEGER,
    score_earned  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    hlc           INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0,
    UNIQUE (session_id, question_id)
);
--;
CREATE TABLE behaviors (
    id            TEXT PRIMARY KEY,
    business_id   TEXT NOT NULL REFERENCES businesses(id),
    session_id    TEXT NOT NULL REFERENCES chatbot_sessions(id),
    behavior_type TEXT NOT NULL,
    metadata      TEXT NOT NULL DEFAULT '{}',
    score_impact  INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    hlc           INTEGER NOT NULL DEFAULT 0,
    deleted       INTEGER NOT NULL DEFAULT 0
);
--;
CREATE INDEX idx_behaviors_session ON behaviors (session_id, behavior_type);
--;
CREATE TABLE ab_assignments (
    id          TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES businesses(id),
    test_name   TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    variant     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    hlc         INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (business_id, test_name, subject_id)
);
--;
CREATE TABLE ab_events (
    id          TEXT PRIMARY KEY,
    business_id TEXT NOT NULL REFERENCES businesses(id),
    test_name   TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    variant     TEXT NOT NULL,
    goal        TEXT NOT NULL,
    value_cents INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    hlc         INTEGER NOT NULL DEFAULT 0,
    deleted     INTEGER NOT NULL DEFAULT 0
);
--;
CREATE INDEX idx_ab_events_test ON ab_events (business_id, test_name, goal, variant);
--;
CREATE TABLE broadcasts (
    id           TEXT PRIMARY KEY,
    business_id  TEXT NOT NULL REFERENCES businesses(id),
    name         TEXT NOT NULL,
    body         TEXT NOT NULL,
    audience     TEXT NOT NULL DEFAULT '{}',   -- the filter, as JSON
    status       TEXT NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'scheduled', 'sending', 'sent', 'cancelled')),
    created_by   TEXT REFERENCES users(id),
    scheduled_at INTEGER,
    started_at   INTEGER,
    finished_at  INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    hlc          INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0
);
--;
CREATE TABLE broadcast_recipients (
    id           TEXT PRIMARY KEY,
    business_id  TEXT NOT NULL REFERENCES businesses(id),
    broadcast_id TEXT NOT NULL REFERENCES broadcasts(id) ON DELETE CASCADE,
    contact_id   TEXT NOT NULL REFERENCES contacts(id),
    lead_id      TEXT REFERENCES leads(id),
    channel      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'queued', 'sent', 'delivered', 'failed', 'skipped')),
    message_id   TEXT REFERENCES messages(id),
    error        TEXT,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    hlc          INTEGER NOT NULL DEFAULT 0,
    deleted      INTEGER NOT NULL DEFAULT 0,
    UNIQUE (broadcast_id, contact_id)
);
--;
CREATE TABLE outbox (
    id              TEXT PRIMARY KEY,
    business_id     TEXT NOT NULL REFERENCES businesses(id),
    kind            TEXT NOT NULL,              -- reply, broadcast, notification, crm_push
    target          TEXT NOT NULL,              -- channel or endpoint name
    payload         TEXT NOT NULL,
    idempotency_key TEXT NOT NULL UNIQUE,
    status          TEXT NOT NULL DEFAULT 'pending'
                    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    last_error      TEXT,
    message_id      TEXT REFERENCES messages(id),
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    hlc             INTEGER NOT NULL DEFAULT 0,
    deleted         INTEGER NOT NULL DEFAULT 0
);
--;
CREATE INDEX idx_outbox_due ON outbox (status, next_attempt_at);
--;
-- Every raw request body, committed before the source is told 2xx. Local only: never synced.
CREATE TABLE inbound_journal (
    id           TEXT PRIMARY KEY,
    business_id  TEXT REFERENCES businesses(id),
    source_id    TEXT REFERENCES sources(id),
    route        TEXT NOT NULL,
    method       TEXT NOT NULL,
    headers      TEXT NOT NULL DEFAULT '{}',
    body         BLOB NOT NULL,
    remote_addr  TEXT,
    dedupe_key   TEXT,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'processed', 'duplicate', 'failed', 'rejected')),
    error        TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    received_at  INTEGER NOT NULL,
    processed_at INTEGER
);
--;
CREATE INDEX idx_journal_status ON inbound_journal (status, received_at);
--;
CREATE INDEX idx_journal_dedupe ON inbound_journal (route, dedupe_key);
--;
CREATE TABLE delivery_log (
    id           TEXT PRIMARY KEY,
    business_id  TEXT REFERENCES businesses(id),
    outbox_id    TEXT REFERENCES outbox(id),
    target       TEXT NOT NULL,
    kind         TEXT NOT NULL,
    http_status  INTEGER,
    ok           INTEGER NOT NULL,
    latency_ms   INTEGER NOT NULL,
    error        TEXT,
    response     TEXT,
    attempted_at INTEGER NOT NULL
);
--;
CREATE INDEX idx_delivery_target ON delivery_log (target, attempted_at);
--;
-- Per-business configuration documents (scoring rules, routing rules, SLA policies, hours).
CREATE TABLE settings (
    business_id TEXT NOT NULL REFERENCES businesses(id),
    key         TEXT NOT NULL,
    value       TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    hlc         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (business_id, key)
);
--;
CREATE TABLE import_runs (
    id           TEXT PRIMARY KEY,
    business_id  TEXT NOT NULL REFERENCES businesses(id),
    source_kind  TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    file_sha256  TEXT NOT NULL,
    rows_read    INTEGER NOT NULL DEFAULT 0,
    imported     INTEGER NOT NULL DEFAULT 0,
    merged       INTEGER NOT NULL DEFAULT 0,
    duplicates   INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER
);
--;
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    business_id TEXT REFERENCES businesses(id),
    user_id     TEXT,
    action      TEXT NOT NULL,
    entity      TEXT NOT NULL,
    entity_id   TEXT,
    detail      TEXT NOT NULL DEFAULT '{}',
    created_at  INTEGER NOT NULL
);
--;
CREATE INDEX idx_audit_entity ON audit_log (entity, entity_id, created_at);
--;
-- Local change log and cursor for the PostgreSQL sync worker (DESIGN §10).
CREATE TABLE change_log (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    table_name TEXT NOT NULL,
    row_id    TEXT NOT NULL,
    hlc       INTEGER NOT NULL,
    pushed    INTEGER NOT NULL DEFAULT 0
);
--;
CREATE INDEX idx_change_log_pending ON change_log (pushed, seq);
--;
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
