#include "slareport.h"

#include "sqlitestatement.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <vector>

namespace LeadDesk::Core {

namespace {

// One group while the rows stream by.
struct Accumulator
{
    SlaResponseStats stats;
    std::vector<qint64> times;

    // Times are -1 when NULL (plain values: GCC 12 warns falsely on optionals here).
    void add(qint64 createdAt, qint64 firstResponseAt, qint64 dueAt, qint64 nowMs,
             const BusinessCalendar &calendar)
    {
        ++stats.leads;
        if (firstResponseAt >= 0) {
            ++stats.responded;
            times.push_back(
                std::max<qint64>(0, calendar.businessTimeBetween(createdAt, firstResponseAt)));
            if (dueAt >= 0)
                ++(firstResponseAt <= dueAt ? stats.met : stats.breached);
        } else if (dueAt >= 0 && dueAt <= nowMs) {
            ++stats.breached;
        } else {
            ++stats.pending;
        }
    }

    SlaResponseStats finish()
    {
        if (!times.empty()) {
            const auto rank = [this](double p) {
                const size_t index = size_t(std::ceil(p * double(times.size()))) - 1;
                std::nth_element(times.begin(), times.begin() + qint64(index), times.end());
                return times[index];
            };
            stats.medianMs = rank(0.5);
            stats.p90Ms = rank(0.9);
        }
        return stats;
    }
};

QJsonValue optionalJson(const std::optional<qint64> &value)
{
    return value ? QJsonValue(double(*value)) : QJsonValue();
}

QJsonValue optionalJson(const std::optional<double> &value)
{
    return value ? QJsonValue(*value) : QJsonValue();
}

QString iso(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

} // namespace

std::optional<double> SlaResponseStats::metRate() const
{
    if (met + breached == 0)
        return std::nullopt;
    return double(met) / double(met + breached);
}

std::optional<double> SlaResponseStats::breachedRate() const
{
    if (met + breached == 0)
        return std::nullopt;
    return double(breached) / double(met + breached);
}

QJsonObject SlaResponseStats::toJson() const
{
    return QJsonObject{
        {QStringLiteral("key"), key},
        {QStringLiteral("label"), label},
        {QStringLiteral("leads"), leads},
        {QStringLiteral("responded"), responded},
        {QStringLiteral("first_response_median_business_ms"), optionalJson(medianMs)},
        {QStringLiteral("first_response_p90_business_ms"), optionalJson(p90Ms)},
        {QStringLiteral("met"), met},
        {QStringLiteral("breached"), breached},
        {QStringLiteral("pending"), pending},
        {QStringLiteral("met_rate"), optionalJson(metRate())},
        {QStringLiteral("breached_rate"), optionalJson(breachedRate())}};
}

QJsonObject SlaReport::toJson() const
{
    QJsonArray sources;
    for (const SlaResponseStats &stats : bySource)
        sources.append(stats.toJson());
    QJsonArray reps;
    for (const SlaResponseStats &stats : byRep)
        reps.append(stats.toJson());
    return QJsonObject{{QStringLiteral("from"), iso(fromMs)},
                       {QStringLiteral("to"), iso(toMs)},
                       {QStringLiteral("source"), source.isEmpty() ? QJsonValue() : source},
                       {QStringLiteral("generated_at"), iso(generatedAt)},
                       {QStringLiteral("overall"), overall.toJson()},
                       {QStringLiteral("by_source"), sources},
                       {QStringLiteral("by_rep"), reps}};
}

Result<SlaReport> SlaReport::build(Database &db, const QString &businessId, const SlaConfig &config,
                                   qint64 fromMs, qint64 toMs, const QString &source, qint64 nowMs)
{
    SlaReport report;
    report.fromMs = fromMs;
    report.toMs = toMs;
    report.source = source;
    report.generatedAt = nowMs;
    if (toMs > fromMs)
        config.calendar.prepare(fromMs, std::max(toMs, nowMs));

    Accumulator overall;
    QHash<QString, Accumulator> bySource;
    QHash<QString, Accumulator> byRep;
    SqliteStatement &query = db.statement(
        "SELECT channel, COALESCE(assigned_to, ''), created_at, first_response_at, "
        "first_response_due_at FROM leads INDEXED BY idx_leads_sla_report "
        "WHERE business_id = ?1 AND deleted = 0 AND created_at >= ?2 AND created_at < ?3 "
        "AND (?4 = '' OR channel = ?4)");
    query.bind(1, businessId);
    query.bind(2, fromMs);
    query.bind(3, toMs);
    query.bind(4, source.isNull() ? QStringLiteral("") : source);
    for (;;) {
        auto row = query.step();
        if (!row) {
            query.reset();
            return std::unexpected(row.error());
        }
        if (!*row)
            break;
        const QString channel = query.columnText(0);
        const QString rep = query.columnText(1);
        const qint64 created = query.columnInt(2);
        const qint64 response = query.columnIsNull(3) ? -1 : query.columnInt(3);
        const qint64 due = query.columnIsNull(4) ? -1 : query.columnInt(4);
        overall.add(created, response, due, nowMs, config.calendar);
        bySource[channel].add(created, response, due, nowMs, config.calendar);
        byRep[rep].add(created, response, due, nowMs, config.calendar);
    }
    query.reset();

    report.overall = overall.finish();
    report.overall.key = QStringLiteral("all");
    report.overall.label = QStringLiteral("All leads");
    for (auto it = bySource.begin(); it != bySource.end(); ++it) {
        SlaResponseStats stats = it->finish();
        stats.key = stats.label = it.key();
        report.bySource.append(stats);
    }
    // Reps by name: the users table is small.
    QHash<QString, QString> names;
    {
        SqliteStatement &users
            = db.statement("SELECT id, COALESCE(NULLIF(display_name, ''), username) FROM users "
                           "WHERE business_id = ?1");
        users.bind(1, businessId);
        for (;;) {
            auto row = users.step();
            if (!row) {
                users.reset();
                return std::unexpected(row.error());
            }
            if (!*row)
                break;
            names.insert(users.columnText(0), users.columnText(1));
        }
        users.reset();
    }
    for (auto it = byRep.begin(); it != byRep.end(); ++it) {
        SlaResponseStats stats = it->finish();
        stats.key = it.key();
        stats.label
            = it.key().isEmpty() ? QStringLiteral("(unassigned)") : names.value(it.key(), it.key());
        report.byRep.append(stats);
    }
    const auto busiestFirst = [](const SlaResponseStats &a, const SlaResponseStats &b) {
        return a.leads != b.leads ? a.leads > b.leads : a.label < b.label;
    };
    std::sort(report.bySource.begin(), report.bySource.end(), busiestFirst);
    std::sort(report.byRep.begin(), report.byRep.end(), busiestFirst);
    return report;
}

} // namespace LeadDesk::Core
