#include "slaclock.h"

#include "ids.h"
#include "leadrepository.h"
#include "settingsrepository.h"
#include "sqlitestatement.h"
#include "tableprefetcher.h"

#include <QDateTime>
#include <QJsonDocument>

namespace LeadDesk::Core {

namespace {

std::optional<qint64> optionalColumn(const SqliteStatement &statement, int column)
{
    if (statement.columnIsNull(column))
        return std::nullopt;
    return statement.columnInt(column);
}

void bindOptional(SqliteStatement &statement, int index, const std::optional<qint64> &value)
{
    if (value)
        statement.bind(index, *value);
    else
        statement.bindNull(index);
}

// The SLA columns, in the order every statement here reads them.
constexpr const char *kColumns = "sla_started_at, sla_at_risk_at, response_due_at, sla_stopped_at, "
                                 "sla_breached_at, first_response_due_at";

SlaColumns readColumns(const SqliteStatement &statement, int first)
{
    SlaColumns columns;
    columns.startedAt = optionalColumn(statement, first);
    columns.atRiskAt = optionalColumn(statement, first + 1);
    columns.dueAt = optionalColumn(statement, first + 2);
    columns.stoppedAt = optionalColumn(statement, first + 3);
    columns.breachedAt = optionalColumn(statement, first + 4);
    columns.firstResponseDueAt = optionalColumn(statement, first + 5);
    return columns;
}

Result<void> writeColumns(Database &db, const QString &leadId, const SlaColumns &columns)
{
    SqliteStatement &update = db.statement(
        "UPDATE leads SET sla_started_at = ?1, sla_at_risk_at = ?2, response_due_at = ?3, "
        "sla_stopped_at = ?4, sla_breached_at = ?5, first_response_due_at = ?6 WHERE id = ?7");
    bindOptional(update, 1, columns.startedAt);
    bindOptional(update, 2, columns.atRiskAt);
    bindOptional(update, 3, columns.dueAt);
    bindOptional(update, 4, columns.stoppedAt);
    bindOptional(update, 5, columns.breachedAt);
    bindOptional(update, 6, columns.firstResponseDueAt);
    update.bind(7, leadId);
    return update.execute();
}

bool isRunning(const SlaColumns &columns)
{
    return columns.dueAt && !columns.stoppedAt;
}

QString minutesText(qint64 ms)
{
    const qint64 minutes = ms / 60'000;
    if (minutes % 60 == 0)
        return QStringLiteral("%1 h").arg(minutes / 60);
    if (minutes > 60)
        return QStringLiteral("%1 h %2 min").arg(minutes / 60).arg(minutes % 60);
    return QStringLiteral("%1 min").arg(minutes);
}

// What the live calls read about a lead.
struct LiveLead
{
    QString businessId;
    QString contactId;
    QString name;
    QString channel;
    QString grade;
    QString status;
    QString assignedTo;
    std::optional<qint64> firstResponseAt;
    std::optional<qint64> lastInboundAt;
    std::optional<qint64> lastOutboundAt;
    SlaColumns sla;
};

Result<std::optional<LiveLead>> readLead(Database &db, const QString &leadId)
{
    static const QByteArray sql
        = QByteArray("SELECT business_id, contact_id, first_name, last_name, channel, lead_grade, "
                     "status, assigned_to, first_response_at, last_inbound_at, last_outbound_at, ")
          + kColumns + " FROM scored_leads WHERE id = ?1 AND deleted = 0";
    SqliteStatement &select = db.statement(sql.constData());
    select.bind(1, leadId);
    auto row = select.step();
    if (!row) {
        select.reset();
        return std::unexpected(row.error());
    }
    if (!*row) {
        select.reset();
        return std::optional<LiveLead>();
    }
    LiveLead lead;
    lead.businessId = select.columnText(0);
    lead.contactId = select.columnText(1);
    lead.name = QString(select.columnText(2) + u' ' + select.columnText(3)).trimmed();
    lead.channel = select.columnText(4);
    lead.grade = select.columnText(5);
    lead.status = select.columnText(6);
    lead.assignedTo = select.columnText(7);
    lead.firstResponseAt = optionalColumn(select, 8);
    lead.lastInboundAt = optionalColumn(select, 9);
    lead.lastOutboundAt = optionalColumn(select, 10);
    lead.sla = readColumns(select, 11);
    select.reset();
    return std::optional<LiveLead>(std::move(lead));
}

// A new clock of `kind` started at `start` (running, not breached); the first-response due time
// is kept.
SlaColumns startedClock(const SlaConfig &config, const LiveLead &lead, SlaKind kind, qint64 start)
{
    const SlaTarget &target = config.policy.match(lead.channel, lead.grade);
    const auto times = config.clockTimes(start, kind == SlaKind::First ? target.firstResponseMs
                                                                       : target.nextResponseMs);
    SlaColumns columns;
    columns.startedAt = start;
    columns.atRiskAt = times.atRiskAt;
    columns.dueAt = times.dueAt;
    columns.firstResponseDueAt = lead.sla.firstResponseDueAt;
    return columns;
}

Result<void> stopRunningClock(Database &db, SlaClock &clock, const QString &leadId,
                              const LiveLead &lead, qint64 atMs, qint64 nowMs, bool answer,
                              SlaColumns &columns)
{
    columns.stoppedAt = atMs;
    if (atMs <= *columns.dueAt || columns.breachedAt)
        return {};
    // Missed, and no check has recorded it yet: record it now, once.
    columns.breachedAt = columns.dueAt;
    auto config = clock.configFor(db, lead.businessId);
    if (!config)
        return std::unexpected(config.error());
    const SlaTarget &target = (*config)->policy.match(lead.channel, lead.grade);
    SlaBreach breach;
    breach.leadId = leadId;
    breach.contactId = lead.contactId;
    breach.name = lead.name;
    breach.channel = lead.channel;
    breach.grade = lead.grade;
    breach.assignedTo = lead.assignedTo;
    breach.kind = lead.firstResponseAt ? SlaKind::Next : SlaKind::First;
    breach.policyId = target.id;
    breach.targetMs
        = breach.kind == SlaKind::First ? target.firstResponseMs : target.nextResponseMs;
    breach.startedAt = columns.startedAt.value_or(0);
    breach.dueAt = *columns.dueAt;
    breach.detectedAt = atMs;
    breach.elapsedBusinessMs = (*config)->calendar.businessTimeBetween(breach.startedAt, atMs);
    breach.lateResponse = answer;
    return SlaClock::recordBreachActivity(db, lead.businessId, **config, breach, nowMs);
}

} // namespace

QString slaKindName(SlaKind kind)
{
    return kind == SlaKind::First ? QStringLiteral("first_response")
                                  : QStringLiteral("next_response");
}

bool isClosedStatus(const QString &status)
{
    return status == QLatin1String("closed_won") || status == QLatin1String("closed_lost");
}

QJsonObject SlaBreach::toJson() const
{
    const auto iso = [](qint64 ms) {
        return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
    };
    return QJsonObject{{QStringLiteral("lead_id"), leadId},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("channel"), channel},
                       {QStringLiteral("grade"), grade},
                       {QStringLiteral("assigned_to"), assignedTo},
                       {QStringLiteral("kind"), slaKindName(kind)},
                       {QStringLiteral("policy"), policyId},
                       {QStringLiteral("target_ms"), targetMs},
                       {QStringLiteral("started_at"), iso(startedAt)},
                       {QStringLiteral("due_at"), iso(dueAt)},
                       {QStringLiteral("detected_at"), iso(detectedAt)},
                       {QStringLiteral("elapsed_business_ms"), elapsedBusinessMs},
                       {QStringLiteral("late_response"), lateResponse}};
}

LeadIngestor::AfterStore SlaClock::afterStoreStage(std::shared_ptr<SlaClock> clock)
{
    return [clock](Database &db, const LeadRecord &lead, const LeadIngestor::Stored &stored,
                   qint64 nowMs) -> Result<void> {
        LeadRecord withId = lead;
        if (withId.id.isEmpty())
            withId.id = stored.leadId;
        return clock->startForNewLead(db, withId, nowMs);
    };
}

Result<std::shared_ptr<const SlaConfig>> SlaClock::configFor(Database &db,
                                                             const QString &businessId)
{
    // One cheap probe per call (it runs for every ingested lead): the documents' text and the
    // zone; parsing happens only when they differ from what the cache was built from.
    SqliteStatement &probe
        = db.statement("SELECT (SELECT value FROM settings WHERE business_id = ?1 AND key = ?2), "
                       "(SELECT value FROM settings WHERE business_id = ?1 AND key = ?3), "
                       "(SELECT time_zone FROM businesses WHERE id = ?1)");
    probe.bind(1, businessId);
    probe.bind(2, QByteArray(SettingsRepository::kSlaPolicy));
    probe.bind(3, QByteArray(SettingsRepository::kBusinessHours));
    auto row = probe.step();
    if (!row || !*row) {
        probe.reset();
        if (!row)
            return std::unexpected(row.error());
        return fail(QStringLiteral("no business with id %1").arg(businessId));
    }
    if (probe.columnIsNull(2)) {
        probe.reset();
        return fail(QStringLiteral("no business with id %1").arg(businessId));
    }
    const QByteArray key = probe.columnText(0).toUtf8() + '\0' + probe.columnText(1).toUtf8() + '\0'
                           + probe.columnText(2).toUtf8();
    probe.reset();
    {
        std::lock_guard lock(m_mutex);
        const auto cached = m_configs.constFind(businessId);
        if (cached != m_configs.constEnd() && cached->key == key)
            return cached->config;
    }
    auto config = SlaConfig::load(db, businessId);
    if (!config)
        return std::unexpected(config.error());
    auto shared = std::make_shared<const SlaConfig>(std::move(*config));
    std::lock_guard lock(m_mutex);
    m_configs.insert(businessId, Cached{key, shared});
    return shared;
}

Result<SlaColumns> SlaClock::columnsForNewLead(Database &db, const LeadRecord &lead, qint64 nowMs)
{
    auto config = configFor(db, lead.businessId);
    if (!config)
        return std::unexpected(config.error());
    const qint64 created = lead.createdAtMs;
    const qint64 start
        = created > 0 && created <= nowMs && nowMs - created <= kRecentArrivalMs ? created : nowMs;
    const SlaTarget &target = (*config)->policy.match(lead.channel, lead.grade);
    const auto times = (*config)->clockTimes(start, target.firstResponseMs);
    SlaColumns columns;
    columns.firstResponseDueAt = times.dueAt;
    if (!isClosedStatus(lead.status)) {
        columns.startedAt = start;
        columns.atRiskAt = times.atRiskAt;
        columns.dueAt = times.dueAt;
    }
    return columns;
}

Result<void> SlaClock::startForNewLead(Database &db, const LeadRecord &lead, qint64 nowMs)
{
    auto columns = columnsForNewLead(db, lead, nowMs);
    if (!columns)
        return std::unexpected(columns.error());
    return writeColumns(db, lead.id, *columns);
}

Result<void> SlaClock::fillForNewLead(Database &db, LeadRecord &lead, qint64 nowMs)
{
    auto columns = columnsForNewLead(db, lead, nowMs);
    if (!columns)
        return std::unexpected(columns.error());
    lead.slaStartedAt = columns->startedAt;
    lead.slaAtRiskAt = columns->atRiskAt;
    lead.responseDueAt = columns->dueAt;
    lead.firstResponseDueAt = columns->firstResponseDueAt;
    return {};
}

LeadIngestor::BeforeStore SlaClock::beforeStoreStage(std::shared_ptr<SlaClock> clock)
{
    return [clock](Database &db, LeadRecord &lead, qint64 nowMs) -> Result<void> {
        return clock->fillForNewLead(db, lead, nowMs);
    };
}

Result<void> SlaClock::recordInbound(Database &db, const QString &leadId, qint64 atMs, qint64 nowMs)
{
    auto lead = readLead(db, leadId);
    if (!lead)
        return std::unexpected(lead.error());
    if (!*lead)
        return fail(QStringLiteral("no lead with id %1").arg(leadId));
    // A late delivery of a message older than the business's last answer changes nothing but
    // last_inbound_at.
    const bool newest = atMs >= (*lead)->lastOutboundAt.value_or(0);
    SqliteStatement &update = db.statement(
        "UPDATE leads SET "
        "waiting_on = CASE WHEN ?2 >= COALESCE(last_outbound_at, 0) THEN 'business' "
        "ELSE waiting_on END, "
        "last_inbound_at = MAX(COALESCE(last_inbound_at, 0), ?2), updated_at = ?3, hlc = ?4 "
        "WHERE id = ?1");
    update.bind(1, leadId);
    update.bind(2, atMs);
    update.bind(3, nowMs);
    update.bind(4, Ids::nextHlc(nowMs));
    if (auto ok = update.execute(); !ok)
        return ok;
    const LiveLead &row = **lead;
    if (!newest || isClosedStatus(row.status) || isRunning(row.sla))
        return {};
    auto config = configFor(db, row.businessId);
    if (!config)
        return std::unexpected(config.error());
    return writeColumns(
        db, leadId,
        startedClock(**config, row, row.firstResponseAt ? SlaKind::Next : SlaKind::First, atMs));
}

Result<void> SlaClock::recordResponse(Database &db, const QString &leadId, qint64 atMs,
                                      qint64 nowMs)
{
    auto lead = readLead(db, leadId);
    if (!lead)
        return std::unexpected(lead.error());
    if (!*lead)
        return fail(QStringLiteral("no lead with id %1").arg(leadId));
    SqliteStatement &update = db.statement(
        "UPDATE leads SET "
        "waiting_on = CASE WHEN ?2 >= COALESCE(last_inbound_at, 0) THEN 'lead' ELSE waiting_on "
        "END, "
        "first_response_at = COALESCE(first_response_at, ?2), "
        "last_outbound_at = MAX(COALESCE(last_outbound_at, 0), ?2), updated_at = ?3, hlc = ?4 "
        "WHERE id = ?1");
    update.bind(1, leadId);
    update.bind(2, atMs);
    update.bind(3, nowMs);
    update.bind(4, Ids::nextHlc(nowMs));
    if (auto ok = update.execute(); !ok)
        return ok;
    LiveLead &row = **lead;
    SlaColumns columns = row.sla;
    // An answer older than the clock's start (a late delivery) does not answer it.
    if (!isRunning(columns) || atMs < columns.startedAt.value_or(0))
        return {};
    if (auto ok = stopRunningClock(db, *this, leadId, row, atMs, nowMs, true, columns); !ok)
        return ok;
    // The lead wrote again after this answer: that message now waits on its own clock.
    if (row.lastInboundAt && *row.lastInboundAt > atMs && !isClosedStatus(row.status)) {
        auto config = configFor(db, row.businessId);
        if (!config)
            return std::unexpected(config.error());
        row.firstResponseAt = row.firstResponseAt.value_or(atMs);
        columns = startedClock(**config, row, SlaKind::Next, *row.lastInboundAt);
    }
    return writeColumns(db, leadId, columns);
}

Result<void> SlaClock::stop(Database &db, const QString &leadId, qint64 atMs)
{
    auto lead = readLead(db, leadId);
    if (!lead)
        return std::unexpected(lead.error());
    if (!*lead)
        return fail(QStringLiteral("no lead with id %1").arg(leadId));
    SlaColumns columns = (*lead)->sla;
    if (!isRunning(columns))
        return {};
    if (auto ok = stopRunningClock(db, *this, leadId, **lead, std::max(atMs, *columns.startedAt),
                                   atMs, false, columns);
        !ok)
        return ok;
    return writeColumns(db, leadId, columns);
}

Result<void> SlaClock::recordBreachActivity(Database &db, const QString &businessId,
                                            const SlaConfig &config, const SlaBreach &breach,
                                            qint64 nowMs)
{
    const QString due = QDateTime::fromMSecsSinceEpoch(breach.dueAt, config.calendar.timeZone())
                            .toString(QStringLiteral("yyyy-MM-dd HH:mm t"));
    const QString what = breach.kind == SlaKind::First ? QStringLiteral("first response")
                                                       : QStringLiteral("reply");
    QString description = QStringLiteral("SLA breached: no %1 within %2 of business time "
                                         "(policy %3, due %4)")
                              .arg(what, minutesText(breach.targetMs), breach.policyId, due);
    if (breach.lateResponse)
        description += QStringLiteral("; answered late");
    QJsonObject metadata = breach.toJson();
    metadata.remove(QStringLiteral("lead_id"));
    metadata.remove(QStringLiteral("name"));
    return LeadRepository(db).addActivity(
        businessId, breach.leadId, breach.contactId, QStringLiteral("sla_breached"), description,
        QString::fromUtf8(QJsonDocument(metadata).toJson(QJsonDocument::Compact)), nowMs);
}

SlaColumns SlaClock::derive(const LeadFacts &lead, const SlaConfig &config, qint64 nowMs,
                            Overdue overdue)
{
    const SlaTarget &target = config.policy.match(lead.channel, lead.grade);
    const SlaColumns &current = lead.current;
    const bool closed = isClosedStatus(lead.status);
    // The stored clock is the first-response clock while nothing has answered it, when the first
    // answer stopped it, or when it still runs though an answer came after its start (synced from
    // another device); then its start stands (an imported lead's clock starts at import).
    const bool currentIsFirst
        = current.startedAt
          && (!lead.firstResponseAt
              || (current.stoppedAt ? *current.stoppedAt == *lead.firstResponseAt
                                    : *lead.firstResponseAt >= *current.startedAt));
    const qint64 firstStart = currentIsFirst ? *current.startedAt : lead.createdAt;
    const auto first = config.clockTimes(firstStart, target.firstResponseMs);

    SlaColumns out;
    out.firstResponseDueAt = first.dueAt;
    const auto runningBreach = [&](const SlaColumns &clock) -> std::optional<qint64> {
        if (!clock.dueAt || *clock.dueAt > nowMs)
            return std::nullopt;
        const bool sameClock
            = current.breachedAt && !current.stoppedAt && current.startedAt == clock.startedAt;
        if (sameClock || overdue == Overdue::MarkSilently)
            return clock.dueAt;
        return std::nullopt;
    };
    const auto stoppedBreach = [](const SlaColumns &clock) -> std::optional<qint64> {
        if (clock.dueAt && clock.stoppedAt && *clock.stoppedAt > *clock.dueAt)
            return clock.dueAt;
        return std::nullopt;
    };

    if (!lead.firstResponseAt) {
        if (closed && !(currentIsFirst && current.stoppedAt))
            return out; // closed unanswered before any clock: outside the SLA
        out.startedAt = firstStart;
        out.atRiskAt = first.atRiskAt;
        out.dueAt = first.dueAt;
        if (closed) {
            out.stoppedAt = current.stoppedAt;
            out.breachedAt = stoppedBreach(out);
        } else {
            out.breachedAt = runningBreach(out);
        }
        return out;
    }

    const bool waiting = !closed && lead.waitingOn == QLatin1String("business")
                         && lead.lastInboundAt
                         && *lead.lastInboundAt > lead.lastOutboundAt.value_or(0);
    if (waiting) {
        const bool runningNext = current.startedAt && !current.stoppedAt && !currentIsFirst;
        const qint64 start = runningNext ? *current.startedAt
                                         : lead.firstUnansweredAt.value_or(*lead.lastInboundAt);
        const auto next = config.clockTimes(start, target.nextResponseMs);
        out.startedAt = start;
        out.atRiskAt = next.atRiskAt;
        out.dueAt = next.dueAt;
        out.breachedAt = runningBreach(out);
        return out;
    }

    // Answered: the last clock, stopped. A store without one yet gets its first-response clock.
    if (current.startedAt && current.stoppedAt) {
        const auto last = config.clockTimes(
            *current.startedAt, currentIsFirst ? target.firstResponseMs : target.nextResponseMs);
        out.startedAt = current.startedAt;
        out.atRiskAt = last.atRiskAt;
        out.dueAt = last.dueAt;
        out.stoppedAt = current.stoppedAt;
    } else {
        out.startedAt = firstStart;
        out.atRiskAt = first.atRiskAt;
        out.dueAt = first.dueAt;
        out.stoppedAt = std::max(*lead.firstResponseAt, firstStart);
    }
    out.breachedAt = stoppedBreach(out);
    return out;
}

Result<SlaClock::RecomputeStats>
SlaClock::recomputeAll(Database &db, const QString &businessId, const SlaConfig &config,
                       qint64 nowMs, Overdue overdue,
                       const std::function<void(qint64, qint64)> &progress)
{
    // Every lead and its score row is read once, in order: on a store the OS does not hold in
    // its cache, asking for all their pages at once beats SQLite's reads one after the other.
    const auto prefetch = TablePrefetcher::forTrees(static_cast<sqlite3 *>(db.sqliteHandle()),
                                                    {"idx_leads_created", "leads", "lead_scores"});
    qint64 total = 0;
    {
        SqliteStatement &count = db.statement(
            "SELECT COUNT(*), MIN(created_at) FROM leads WHERE business_id = ?1 AND deleted = 0");
        count.bind(1, businessId);
        auto row = count.step();
        if (!row) {
            count.reset();
            return std::unexpected(row.error());
        }
        total = *row ? count.columnInt(0) : 0;
        // Build the calendar's day table once for the whole span.
        if (*row && !count.columnIsNull(1))
            config.calendar.prepare(count.columnInt(1), nowMs + 90LL * 24 * 60 * 60 * 1000);
        count.reset();
    }

    static const QByteArray pageSql
        = QByteArray("SELECT leads.rowid, channel, COALESCE(s.lead_grade, 'D'), status, "
                     "waiting_on, created_at, "
                     "first_response_at, last_inbound_at, last_outbound_at, ")
          + kColumns
          + ", CASE WHEN (sla_started_at IS NULL OR sla_stopped_at IS NOT NULL) "
            "AND first_response_at IS NOT NULL AND waiting_on = 'business' "
            "AND status NOT IN ('closed_won', 'closed_lost') "
            "AND last_inbound_at > COALESCE(last_outbound_at, 0) "
            "THEN (SELECT MIN(m.sent_at) FROM messages m WHERE m.lead_id = leads.id "
            "AND m.direction = 'in' AND m.sent_at > COALESCE(leads.last_outbound_at, 0)) END "
            // NOT INDEXED: a rowid range walk. With an index on business_id the planner would
            // read and sort the whole business for every page.
            "FROM leads NOT INDEXED LEFT JOIN lead_scores AS s ON s.lead_id = leads.id "
            "WHERE leads.rowid > ?2 AND leads.business_id = ?1 AND deleted = 0 "
            "ORDER BY leads.rowid LIMIT ?3";

    RecomputeStats stats;
    qint64 lastRowId = 0;
    for (;;) {
        Transaction transaction(db);
        if (!transaction.isOpen())
            return std::unexpected(transaction.error());
        SqliteStatement &page = db.statement(pageSql.constData());
        page.bind(1, businessId);
        page.bind(2, lastRowId);
        page.bind(3, qint64(kPageSize));
        struct Change
        {
            qint64 rowId;
            SlaColumns columns;
        };
        std::vector<Change> changes;
        qint64 read = 0;
        for (;;) {
            auto row = page.step();
            if (!row) {
                page.reset();
                return std::unexpected(row.error());
            }
            if (!*row)
                break;
            ++read;
            lastRowId = page.columnInt(0);
            LeadFacts facts;
            facts.channel = page.columnText(1);
            facts.grade = page.columnText(2);
            facts.status = page.columnText(3);
            facts.waitingOn = page.columnText(4);
            facts.createdAt = page.columnInt(5);
            facts.firstResponseAt = optionalColumn(page, 6);
            facts.lastInboundAt = optionalColumn(page, 7);
            facts.lastOutboundAt = optionalColumn(page, 8);
            facts.current = readColumns(page, 9);
            facts.firstUnansweredAt = optionalColumn(page, 15);
            const SlaColumns columns = derive(facts, config, nowMs, overdue);
            if (isRunning(columns)) {
                ++stats.running;
                if (*columns.dueAt <= nowMs)
                    ++stats.overdue;
                if (columns.breachedAt && !facts.current.breachedAt)
                    ++stats.markedBreached;
            }
            if (!(columns == facts.current))
                changes.push_back({lastRowId, columns});
        }
        page.reset();
        if (read == 0)
            break;

        SqliteStatement &update = db.statement(
            "UPDATE leads SET sla_started_at = ?1, sla_at_risk_at = ?2, response_due_at = ?3, "
            "sla_stopped_at = ?4, sla_breached_at = ?5, first_response_due_at = ?6 "
            "WHERE rowid = ?7");
        for (const Change &change : changes) {
            bindOptional(update, 1, change.columns.startedAt);
            bindOptional(update, 2, change.columns.atRiskAt);
            bindOptional(update, 3, change.columns.dueAt);
            bindOptional(update, 4, change.columns.stoppedAt);
            bindOptional(update, 5, change.columns.breachedAt);
            bindOptional(update, 6, change.columns.firstResponseDueAt);
            update.bind(7, change.rowId);
            if (auto ok = update.execute(); !ok)
                return std::unexpected(ok.error());
        }
        if (auto ok = transaction.commit(); !ok)
            return std::unexpected(ok.error());
        stats.leads += read;
        if (progress)
            progress(stats.leads, total);
    }
    return stats;
}

Result<bool> SlaClock::needsBackfill(Database &db, const QString &businessId)
{
    // Computed leads all have a first-response due time (unless the calendar is never open);
    // the ones without a clock are few, so this probe reads few rows.
    SqliteStatement &probe
        = db.statement("SELECT 1 FROM leads INDEXED BY idx_leads_sla_state WHERE business_id = ?1 "
                       "AND deleted = 0 AND sla_stopped_at IS NULL AND response_due_at IS NULL "
                       "AND first_response_due_at IS NULL AND sla_started_at IS NULL LIMIT 1");
    probe.bind(1, businessId);
    auto row = probe.step();
    probe.reset();
    if (!row)
        return std::unexpected(row.error());
    return *row;
}

Result<void> SlaClock::recomputeLead(Database &db, const QString &leadId, qint64 nowMs,
                                     Overdue overdue)
{
    static const QByteArray sql
        = QByteArray("SELECT business_id, channel, lead_grade, status, waiting_on, created_at, "
                     "first_response_at, last_inbound_at, last_outbound_at, ")
          + kColumns + " FROM scored_leads WHERE id = ?1 AND deleted = 0";
    SqliteStatement &select = db.statement(sql.constData());
    select.bind(1, leadId);
    auto row = select.step();
    if (!row || !*row) {
        select.reset();
        if (!row)
            return std::unexpected(row.error());
        return fail(QStringLiteral("no lead with id %1").arg(leadId));
    }
    const QString businessId = select.columnText(0);
    LeadFacts facts;
    facts.channel = select.columnText(1);
    facts.grade = select.columnText(2);
    facts.status = select.columnText(3);
    facts.waitingOn = select.columnText(4);
    facts.createdAt = select.columnInt(5);
    facts.firstResponseAt = optionalColumn(select, 6);
    facts.lastInboundAt = optionalColumn(select, 7);
    facts.lastOutboundAt = optionalColumn(select, 8);
    facts.current = readColumns(select, 9);
    select.reset();
    auto config = configFor(db, businessId);
    if (!config)
        return std::unexpected(config.error());
    const SlaColumns columns = derive(facts, **config, nowMs, overdue);
    if (columns == facts.current)
        return {};
    return writeColumns(db, leadId, columns);
}

} // namespace LeadDesk::Core
