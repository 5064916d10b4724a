#include "analyticsrollup.h"

#include "deferredrollups.h"
#include "rollupsums.h"
#include "savepoint.h"
#include "sqlitestatement.h"

#include <QDateTime>
#include <QElapsedTimer>

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>

namespace LeadDesk::Core {

namespace {

constexpr qint64 kDayMs = 86'400'000;

struct ZoneState
{
    QString businessZone;
    std::optional<QString> builtFor; // empty when the rollups were never built
};

Result<ZoneState> zoneState(Database &db, const QString &businessId)
{
    SqliteStatement &query
        = db.statement("SELECT b.time_zone, s.time_zone FROM businesses AS b "
                       "LEFT JOIN analytics_state AS s ON s.business_id = b.id WHERE b.id = ?1");
    query.bind(1, businessId);
    auto row = query.step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row) {
        query.reset();
        return fail(QStringLiteral("no business with id %1").arg(businessId));
    }
    ZoneState state;
    state.businessZone = query.columnText(0);
    if (!query.columnIsNull(1))
        state.builtFor = query.columnText(1);
    query.reset();
    return state;
}

} // namespace

QTimeZone AnalyticsRollup::zone(const QString &ianaId)
{
    QTimeZone zone(ianaId.toUtf8());
    return zone.isValid() ? zone : QTimeZone::utc();
}

std::vector<std::pair<qint64, qint64>> AnalyticsRollup::zoneOffsets(const QTimeZone &zone)
{
    // Leads are never older than 1970; 2100 is far enough ahead for any store in use.
    const QDateTime start(QDate(1970, 1, 1), QTime(0, 0), QTimeZone::utc());
    const QDateTime end(QDate(2100, 1, 1), QTime(0, 0), QTimeZone::utc());
    std::vector<std::pair<qint64, qint64>> offsets;
    offsets.emplace_back(std::numeric_limits<qint64>::min(),
                         qint64(zone.offsetFromUtc(start)) * 1000);
    if (!zone.hasTransitions())
        return offsets;
    const auto add = [&offsets](const QTimeZone::OffsetData &transition) {
        const qint64 offset = qint64(transition.offsetFromUtc) * 1000;
        if (offset != offsets.back().second)
            offsets.emplace_back(transition.atUtc.toMSecsSinceEpoch(), offset);
    };
    QDateTime last = start;
    for (const QTimeZone::OffsetData &transition : zone.transitions(start, end)) {
        add(transition);
        last = transition.atUtc;
    }
    // Qt's transitions() stops in 2037 where the zone file's table ends; nextTransition() goes on
    // with the zone's rule.
    for (;;) {
        const QTimeZone::OffsetData next = zone.nextTransition(last.addSecs(1));
        if (!next.atUtc.isValid() || next.atUtc <= last || next.atUtc >= end)
            break;
        add(next);
        last = next.atUtc;
    }
    return offsets;
}

Result<std::vector<std::pair<qint64, qint64>>>
AnalyticsRollup::storedZoneOffsets(sqlite3 *db, const QByteArray &businessId)
{
    SqliteStatement query(db, "SELECT start_ms, offset_ms FROM analytics_zone_offsets "
                              "WHERE business_id = ?1 ORDER BY start_ms");
    query.bind(1, businessId);
    std::vector<std::pair<qint64, qint64>> offsets;
    for (;;) {
        auto row = query.step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            return offsets;
        offsets.emplace_back(query.columnInt(0), query.columnInt(1));
    }
}

qint64 AnalyticsRollup::localDay(qint64 utcMs,
                                 const std::vector<std::pair<qint64, qint64>> &offsets)
{
    auto it = std::upper_bound(offsets.begin(), offsets.end(), utcMs,
                               [](qint64 ms, const auto &entry) { return ms < entry.first; });
    const qint64 offset = it == offsets.begin() ? 0 : std::prev(it)->second;
    return (utcMs + offset) / kDayMs; // SQLite's integer division truncates the same way
}

Result<bool> AnalyticsRollup::isCurrent(Database &db, const QString &businessId)
{
    auto state = zoneState(db, businessId);
    if (!state)
        return std::unexpected(state.error());
    return state->builtFor && *state->builtFor == state->businessZone;
}

Result<bool> AnalyticsRollup::ensureCurrent(Database &db, const QString &businessId)
{
    auto current = isCurrent(db, businessId);
    if (!current)
        return std::unexpected(current.error());
    if (*current)
        return false;
    auto rebuilt = rebuild(db, businessId);
    if (!rebuilt)
        return fail(QStringLiteral("cannot rebuild the analytics rollups: %1")
                        .arg(rebuilt.error().message));
    return true;
}

Result<AnalyticsRollup::RebuildStats> AnalyticsRollup::rebuild(Database &db,
                                                               const QString &businessId)
{
    QElapsedTimer timer;
    timer.start();
    // A savepoint rather than BEGIN: a rebuild may run inside the writer's open transaction.
    Savepoint savepoint(db, "analytics_rebuild");
    if (auto opened = savepoint.status(); !opened)
        return std::unexpected(opened.error());
    auto state = zoneState(db, businessId);
    if (!state)
        return std::unexpected(state.error());
    const auto offsets = zoneOffsets(zone(state->businessZone));

    for (const char *sql : {"DELETE FROM analytics_zone_offsets WHERE business_id = ?1",
                            "DELETE FROM analytics_leads_daily WHERE business_id = ?1",
                            "DELETE FROM analytics_campaign_daily WHERE business_id = ?1"}) {
        SqliteStatement &clear = db.statement(sql);
        clear.bind(1, businessId);
        if (auto ok = clear.execute(); !ok)
            return std::unexpected(ok.error());
    }
    // Leads the open transaction deferred are counted below with every other lead; the commit
    // must not count them again.
    if (db.schemaVersion() >= DeferredRollups::kSchemaVersion) {
        SqliteStatement &undefer = db.statement("DELETE FROM analytics_deferred WHERE lead_id IN "
                                                "(SELECT id FROM leads WHERE business_id = ?1)");
        undefer.bind(1, businessId);
        if (auto ok = undefer.execute(); !ok)
            return std::unexpected(ok.error());
    }
    SqliteStatement &insertOffset = db.statement("INSERT INTO analytics_zone_offsets (business_id, "
                                                 "start_ms, offset_ms) VALUES (?1, ?2, ?3)");
    for (const auto &[startMs, offsetMs] : offsets) {
        insertOffset.bind(1, businessId);
        insertOffset.bind(2, startMs);
        insertOffset.bind(3, offsetMs);
        if (auto ok = insertOffset.execute(); !ok)
            return std::unexpected(ok.error());
    }

    // One pass over the business's leads, summed in memory under a few thousand keys.
    RollupSums sums;
    RebuildStats stats;
    auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
    sqlite3_stmt *scan = nullptr;
    const std::string sql = std::string("SELECT ") + RollupSums::kLeadColumns
                            + " FROM scored_leads WHERE business_id = ?1 AND deleted = 0";
    if (sqlite3_prepare_v2(handle, sql.c_str(), -1, &scan, nullptr) != SQLITE_OK)
        return fail(QString::fromUtf8(sqlite3_errmsg(handle)));
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> finalizer(scan, sqlite3_finalize);
    const QByteArray business = businessId.toUtf8();
    sqlite3_bind_text(scan, 1, business.constData(), int(business.size()), SQLITE_STATIC);
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(scan)) == SQLITE_ROW) {
        ++stats.leads;
        sums.addLead(scan, 0, localDay(sqlite3_column_int64(scan, 0), offsets));
    }
    if (rc != SQLITE_DONE)
        return fail(QString::fromUtf8(sqlite3_errmsg(handle)));
    if (auto ok = sums.write(db, businessId, RollupSums::Write::Insert); !ok)
        return std::unexpected(ok.error());
    SqliteStatement &mark = db.statement(
        "INSERT INTO analytics_state (business_id, time_zone, rebuilt_at) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (business_id) DO UPDATE SET time_zone = excluded.time_zone, "
        "rebuilt_at = excluded.rebuilt_at");
    mark.bind(1, businessId);
    mark.bind(2, state->businessZone);
    mark.bind(3, QDateTime::currentMSecsSinceEpoch());
    if (auto ok = mark.execute(); !ok)
        return std::unexpected(ok.error());
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    stats.leadRows = sums.leadRows();
    stats.campaignRows = sums.campaignRows();
    stats.elapsedMs = timer.elapsed();
    return stats;
}

} // namespace LeadDesk::Core
