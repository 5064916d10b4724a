#include "slatracker.h"

#include "leadrepository.h"
#include "sqlitestatement.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <limits>

namespace LeadDesk::Core {

namespace {

std::optional<qint64> optionalColumn(const SqliteStatement &statement, int column)
{
    if (statement.columnIsNull(column))
        return std::nullopt;
    return statement.columnInt(column);
}

QString iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString percent(double rate)
{
    return QString::number(rate * 100, 'f', rate * 100 == std::floor(rate * 100) ? 0 : 1)
           + QStringLiteral(" %");
}

} // namespace

QString slaStateName(SlaState state)
{
    switch (state) {
    case SlaState::None:
        return QStringLiteral("none");
    case SlaState::OnTrack:
        return QStringLiteral("on_track");
    case SlaState::AtRisk:
        return QStringLiteral("at_risk");
    case SlaState::Breached:
        return QStringLiteral("breached");
    case SlaState::Met:
        return QStringLiteral("met");
    }
    return {};
}

SlaState slaStateOf(const SlaColumns &columns, qint64 nowMs)
{
    if (!columns.dueAt)
        return SlaState::None;
    if (!columns.stoppedAt) {
        if (*columns.dueAt <= nowMs)
            return SlaState::Breached;
        if (columns.atRiskAt && *columns.atRiskAt <= nowMs)
            return SlaState::AtRisk;
        return SlaState::OnTrack;
    }
    if (columns.breachedAt || *columns.stoppedAt > *columns.dueAt)
        return SlaState::Breached;
    return SlaState::Met;
}

QJsonObject SlaCounts::toJson() const
{
    return QJsonObject{{QStringLiteral("on_track"), onTrack},
                       {QStringLiteral("at_risk"), atRisk},
                       {QStringLiteral("breached"), breached},
                       {QStringLiteral("breached_waiting"), breachedWaiting},
                       {QStringLiteral("met"), met},
                       {QStringLiteral("none"), none},
                       {QStringLiteral("total"), total()}};
}

QJsonObject SlaLead::toJson() const
{
    return QJsonObject{{QStringLiteral("lead_id"), leadId},
                       {QStringLiteral("name"), name},
                       {QStringLiteral("channel"), channel},
                       {QStringLiteral("grade"), grade},
                       {QStringLiteral("assignee"), assignee},
                       {QStringLiteral("kind"), slaKindName(kind)},
                       {QStringLiteral("state"), slaStateName(state)},
                       {QStringLiteral("started_at"), iso(startedAt)},
                       {QStringLiteral("at_risk_at"), iso(atRiskAt)},
                       {QStringLiteral("due_at"), iso(dueAt)},
                       {QStringLiteral("target_ms"), targetMs},
                       {QStringLiteral("elapsed_business_ms"), elapsedBusinessMs}};
}

QJsonObject SlaEscalationEvent::toJson() const
{
    return QJsonObject{
        {QStringLiteral("window_start"), iso(windowStart)},
        {QStringLiteral("window_end"), iso(windowEnd)},
        {QStringLiteral("leads_due"), leadsDue},
        {QStringLiteral("leads_breached"), leadsBreached},
        {QStringLiteral("breach_rate"), breachRate},
        {QStringLiteral("threshold"), threshold},
        {QStringLiteral("manager"), QJsonObject{{QStringLiteral("name"), managerName},
                                                {QStringLiteral("email"), managerEmail}}},
        {QStringLiteral("booking_url"), bookingUrl},
        {QStringLiteral("message"), message}};
}

QStringList SlaCheckResult::breachedLeadIds() const
{
    QStringList ids;
    ids.reserve(breaches.size());
    for (const SlaBreach &breach : breaches)
        ids.append(breach.leadId);
    return ids;
}

QJsonObject SlaCheckResult::toJson() const
{
    QJsonArray list;
    for (const SlaBreach &breach : breaches)
        list.append(breach.toJson());
    return QJsonObject{{QStringLiteral("breaches"), list},
                       {QStringLiteral("escalation"),
                        escalation ? QJsonValue(escalation->toJson()) : QJsonValue()}};
}

SlaTracker::SlaTracker(Database &db, QString businessId, SlaConfig config)
    : m_db(db)
    , m_businessId(std::move(businessId))
    , m_config(std::move(config))
{}

Result<SlaCounts> SlaTracker::counts(qint64 nowMs)
{
    // The time-independent categories come from sla_state_counts (kept by triggers); running
    // clocks split by reading only their not-yet-due range of idx_leads_sla_running.
    qint64 running = 0;
    SlaCounts counts;
    {
        SqliteStatement &categories
            = m_db.statement("SELECT category, leads FROM sla_state_counts WHERE business_id = ?1");
        categories.bind(1, m_businessId);
        for (;;) {
            auto row = categories.step();
            if (!row) {
                categories.reset();
                return std::unexpected(row.error());
            }
            if (!*row)
                break;
            const QString category = categories.columnText(0);
            const qint64 leads = categories.columnInt(1);
            if (category == QLatin1String("none"))
                counts.none = leads;
            else if (category == QLatin1String("running"))
                running = leads;
            else if (category == QLatin1String("met"))
                counts.met = leads;
            else if (category == QLatin1String("breached"))
                counts.breached = leads;
        }
        categories.reset();
    }
    SqliteStatement &notDue = m_db.statement(
        "SELECT COUNT(*), COALESCE(SUM(sla_at_risk_at <= ?2), 0) "
        "FROM leads INDEXED BY idx_leads_sla_running WHERE business_id = ?1 "
        "AND sla_stopped_at IS NULL AND response_due_at IS NOT NULL AND deleted = 0 "
        "AND response_due_at > ?2");
    notDue.bind(1, m_businessId);
    notDue.bind(2, nowMs);
    auto row = notDue.step();
    if (!row) {
        notDue.reset();
        return std::unexpected(row.error());
    }
    const qint64 waiting = *row ? notDue.columnInt(0) : 0;
    counts.atRisk = *row ? notDue.columnInt(1) : 0;
    notDue.reset();
    counts.onTrack = waiting - counts.atRisk;
    counts.breachedWaiting = std::max<qint64>(0, running - waiting);
    counts.breached += counts.breachedWaiting;
    return counts;
}

Result<SlaPage> SlaTracker::atRisk(qint64 nowMs, int limit, const std::optional<SlaCursor> &after)
{
    return page(nowMs, limit, after, false);
}

Result<SlaPage> SlaTracker::breached(qint64 nowMs, int limit, const std::optional<SlaCursor> &after)
{
    return page(nowMs, limit, after, true);
}

Result<SlaPage> SlaTracker::page(qint64 nowMs, int limit, const std::optional<SlaCursor> &after,
                                 bool breachedList)
{
#define LD_SLA_PAGE(condition)                                                                     \
    "SELECT l.id, l.first_name, l.last_name, l.channel, COALESCE(s.lead_grade, 'D'), "             \
    "COALESCE(NULLIF(u.display_name, ''), u.username, ''), l.first_response_at, "                  \
    "l.sla_started_at, l.sla_at_risk_at, l.response_due_at "                                       \
    "FROM leads l LEFT JOIN lead_scores s ON s.lead_id = l.id "                                    \
    "LEFT JOIN users u ON u.id = l.assigned_to "                                                   \
    "WHERE l.business_id = ?1 AND l.sla_stopped_at IS NULL AND l.response_due_at IS NOT NULL "     \
    "AND l.deleted = 0 AND " condition " AND (l.response_due_at, l.id) > (?3, ?4) "                \
    "ORDER BY l.response_due_at, l.id LIMIT ?5"
    SqliteStatement &query
        = breachedList
              ? m_db.statement(LD_SLA_PAGE("l.response_due_at <= ?2"))
              : m_db.statement(LD_SLA_PAGE("l.response_due_at > ?2 AND l.sla_at_risk_at <= ?2"));
#undef LD_SLA_PAGE
    limit = std::max(limit, 1);
    query.bind(1, m_businessId);
    query.bind(2, nowMs);
    // The keyset bound is also the range's start: the at-risk list starts after every lead due
    // by now (U+FFFF sorts after any id), so SQLite seeks there instead of walking the breached.
    SlaCursor from = after.value_or(SlaCursor{std::numeric_limits<qint64>::min(), QString()});
    if (!breachedList && from.dueAt <= nowMs)
        from = SlaCursor{nowMs, QString(QChar(0xFFFF))};
    query.bind(3, from.dueAt);
    query.bind(4, from.leadId);
    query.bind(5, qint64(limit) + 1); // one more says whether another page follows
    SlaPage result;
    for (;;) {
        auto row = query.step();
        if (!row) {
            query.reset();
            return std::unexpected(row.error());
        }
        if (!*row)
            break;
        if (result.leads.size() == limit) {
            const SlaLead &last = result.leads.last();
            result.next = SlaCursor{last.dueAt, last.leadId};
            break;
        }
        SlaLead lead;
        lead.leadId = query.columnText(0);
        lead.name = QString(query.columnText(1) + u' ' + query.columnText(2)).trimmed();
        lead.channel = query.columnText(3);
        lead.grade = query.columnText(4);
        lead.assignee = query.columnText(5);
        lead.kind = query.columnIsNull(6) ? SlaKind::First : SlaKind::Next;
        lead.startedAt = query.columnInt(7);
        lead.atRiskAt = query.columnInt(8);
        lead.dueAt = query.columnInt(9);
        lead.state = breachedList ? SlaState::Breached : SlaState::AtRisk;
        const SlaTarget &target = m_config.policy.match(lead.channel, lead.grade);
        lead.targetMs
            = lead.kind == SlaKind::First ? target.firstResponseMs : target.nextResponseMs;
        lead.elapsedBusinessMs = m_config.calendar.businessTimeBetween(lead.startedAt, nowMs);
        result.leads.append(lead);
    }
    query.reset();
    return result;
}

Result<qint64> SlaTracker::forEachLead(qint64 nowMs,
                                       const std::function<void(const LeadState &)> &onLead)
{
    SqliteStatement &query = m_db.statement(
        "SELECT rowid, sla_started_at, sla_at_risk_at, response_due_at, sla_stopped_at, "
        "sla_breached_at FROM leads INDEXED BY idx_leads_sla_state "
        "WHERE business_id = ?1 AND deleted = 0");
    query.bind(1, m_businessId);
    qint64 count = 0;
    LeadState lead;
    for (;;) {
        auto row = query.step();
        if (!row) {
            query.reset();
            return std::unexpected(row.error());
        }
        if (!*row)
            break;
        lead.rowId = query.columnInt(0);
        lead.columns.startedAt = optionalColumn(query, 1);
        lead.columns.atRiskAt = optionalColumn(query, 2);
        lead.columns.dueAt = optionalColumn(query, 3);
        lead.columns.stoppedAt = optionalColumn(query, 4);
        lead.columns.breachedAt = optionalColumn(query, 5);
        lead.state = slaStateOf(lead.columns, nowMs);
        lead.elapsedBusinessMs
            = lead.columns.startedAt ? m_config.calendar.businessTimeBetween(
                  *lead.columns.startedAt, lead.columns.stoppedAt.value_or(nowMs))
                                     : 0;
        onLead(lead);
        ++count;
    }
    query.reset();
    return count;
}

Result<std::pair<qint64, qint64>> SlaTracker::breachRate(qint64 windowStart, qint64 nowMs)
{
    SqliteStatement &query = m_db.statement(
        "SELECT COUNT(*), COALESCE(SUM(first_response_at IS NULL "
        "OR first_response_at > first_response_due_at), 0) "
        "FROM leads WHERE business_id = ?1 AND first_response_due_at IS NOT NULL AND deleted = 0 "
        "AND first_response_due_at > ?2 AND first_response_due_at <= ?3");
    query.bind(1, m_businessId);
    query.bind(2, windowStart);
    query.bind(3, nowMs);
    auto row = query.step();
    if (!row) {
        query.reset();
        return std::unexpected(row.error());
    }
    const std::pair<qint64, qint64> rate = *row ? std::pair(query.columnInt(0), query.columnInt(1))
                                                : std::pair<qint64, qint64>(0, 0);
    query.reset();
    return rate;
}

Result<SlaCheckResult> SlaTracker::check(qint64 nowMs)
{
    Transaction transaction(m_db);
    if (!transaction.isOpen())
        return std::unexpected(transaction.error());
    SlaCheckResult result;
    {
        SqliteStatement &query = m_db.statement(
            "SELECT id, contact_id, first_name, last_name, channel, "
            "COALESCE((SELECT lead_grade FROM lead_scores WHERE lead_id = leads.id), 'D'), "
            "assigned_to, "
            "first_response_at, sla_started_at, response_due_at "
            "FROM leads INDEXED BY idx_leads_sla_unrecorded "
            "WHERE business_id = ?1 AND sla_stopped_at IS NULL AND response_due_at IS NOT NULL "
            "AND sla_breached_at IS NULL AND deleted = 0 AND response_due_at <= ?2 "
            "ORDER BY response_due_at, id");
        query.bind(1, m_businessId);
        query.bind(2, nowMs);
        for (;;) {
            auto row = query.step();
            if (!row) {
                query.reset();
                return std::unexpected(row.error());
            }
            if (!*row)
                break;
            SlaBreach breach;
            breach.leadId = query.columnText(0);
            breach.contactId = query.columnText(1);
            breach.name = QString(query.columnText(2) + u' ' + query.columnText(3)).trimmed();
            breach.channel = query.columnText(4);
            breach.grade = query.columnText(5);
            breach.assignedTo = query.columnText(6);
            breach.kind = query.columnIsNull(7) ? SlaKind::First : SlaKind::Next;
            breach.startedAt = query.columnInt(8);
            breach.dueAt = query.columnInt(9);
            breach.detectedAt = nowMs;
            const SlaTarget &target = m_config.policy.match(breach.channel, breach.grade);
            breach.policyId = target.id;
            breach.targetMs
                = breach.kind == SlaKind::First ? target.firstResponseMs : target.nextResponseMs;
            breach.elapsedBusinessMs
                = m_config.calendar.businessTimeBetween(breach.startedAt, nowMs);
            result.breaches.append(breach);
        }
        query.reset();
    }
    SqliteStatement &mark
        = m_db.statement("UPDATE leads SET sla_breached_at = response_due_at WHERE id = ?1");
    for (const SlaBreach &breach : std::as_const(result.breaches)) {
        mark.bind(1, breach.leadId);
        if (auto ok = mark.execute(); !ok)
            return std::unexpected(ok.error());
        if (auto ok = SlaClock::recordBreachActivity(m_db, m_businessId, m_config, breach, nowMs);
            !ok)
            return std::unexpected(ok.error());
    }
    auto escalation = escalate(nowMs);
    if (!escalation)
        return std::unexpected(escalation.error());
    result.escalation = *escalation;
    if (auto ok = transaction.commit(); !ok)
        return std::unexpected(ok.error());
    return result;
}

Result<std::optional<SlaEscalationEvent>> SlaTracker::escalate(qint64 nowMs)
{
    const SlaEscalation &config = m_config.policy.escalation();
    if (!config.enabled)
        return std::nullopt;
    SlaEscalationEvent event;
    event.windowEnd = nowMs;
    event.windowStart = nowMs - qint64(config.windowHours) * 60 * 60 * 1000;
    event.threshold = config.breachRateThreshold;
    auto rate = breachRate(event.windowStart, nowMs);
    if (!rate)
        return std::unexpected(rate.error());
    std::tie(event.leadsDue, event.leadsBreached) = *rate;
    if (event.leadsDue < config.minLeads || event.leadsDue == 0)
        return std::nullopt;
    event.breachRate = double(event.leadsBreached) / double(event.leadsDue);
    if (event.breachRate <= config.breachRateThreshold)
        return std::nullopt;

    // Once per window: an escalation within the last window already told the manager.
    {
        SqliteStatement &recent = m_db.statement(
            "SELECT 1 FROM activities WHERE lead_id IS NULL AND business_id = ?1 "
            "AND activity_type = 'sla_escalation' AND created_at > ?2 AND deleted = 0 LIMIT 1");
        recent.bind(1, m_businessId);
        recent.bind(2, event.windowStart);
        auto row = recent.step();
        recent.reset();
        if (!row)
            return std::unexpected(row.error());
        if (*row)
            return std::nullopt;
    }

    event.managerName = config.managerName;
    event.managerEmail = config.managerEmail;
    event.bookingUrl = config.bookingUrl;
    if (event.managerName.isEmpty() && event.managerEmail.isEmpty()) {
        // No manager configured: the business's owner account.
        SqliteStatement &owner = m_db.statement(
            "SELECT COALESCE(NULLIF(display_name, ''), username), COALESCE(email, '') FROM users "
            "WHERE business_id = ?1 AND role = 'owner' AND deleted = 0 ORDER BY created_at LIMIT "
            "1");
        owner.bind(1, m_businessId);
        auto row = owner.step();
        if (row && *row) {
            event.managerName = owner.columnText(0);
            event.managerEmail = owner.columnText(1);
        }
        owner.reset();
        if (!row)
            return std::unexpected(row.error());
    }
    QString manager = event.managerName;
    if (!event.managerEmail.isEmpty())
        manager += (manager.isEmpty() ? QString() : QStringLiteral(" "))
                   + QStringLiteral("<%1>").arg(event.managerEmail);
    event.message
        = QStringLiteral("First-response SLA missed for %1 of %2 leads (%3) in the last %4 h, "
                         "above the %5 threshold.")
              .arg(event.leadsBreached)
              .arg(event.leadsDue)
              .arg(percent(event.breachRate))
              .arg(config.windowHours)
              .arg(percent(config.breachRateThreshold));
    event.message += manager.isEmpty() ? QStringLiteral(" No manager is configured.")
                                       : QStringLiteral(" Alerting %1.").arg(manager);
    event.message += event.bookingUrl.isEmpty()
                         ? QStringLiteral(" No professional-services booking link is configured "
                                          "(escalation.booking_url).")
                         : QStringLiteral(" Book professional services: %1").arg(event.bookingUrl);
    QJsonObject metadata = event.toJson();
    metadata.remove(QStringLiteral("message"));
    if (auto ok = LeadRepository(m_db).addActivity(
            m_businessId, {}, {}, QStringLiteral("sla_escalation"), event.message,
            QString::fromUtf8(QJsonDocument(metadata).toJson(QJsonDocument::Compact)), nowMs);
        !ok)
        return std::unexpected(ok.error());
    return event;
}

} // namespace LeadDesk::Core
