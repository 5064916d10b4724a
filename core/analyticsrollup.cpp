#include "analyticsrollup.h"

#include "analyticscounters.h"
#include "savepoint.h"
#include "sqlitestatement.h"

#include <QDateTime>
#include <QElapsedTimer>

#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

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

const std::string &leadRowInsertSql()
{
    static const std::string sql = [] {
        const QStringList &columns = LeadCounters::columnNames();
        QString text
            = QStringLiteral("INSERT INTO analytics_leads_daily (business_id, day, channel, "
                             "assignee, ")
              + columns.join(QStringLiteral(", ")) + QStringLiteral(") VALUES (?1, ?2, ?3, ?4");
        for (int i = 0; i < columns.size(); ++i)
            text += QStringLiteral(", ?%1").arg(i + 5);
        text += QLatin1Char(')');
        return text.toStdString();
    }();
    return sql;
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
    SqliteStatement &insertOffset = db.statement("INSERT INTO analytics_zone_offsets (business_id, "
                                                 "start_ms, offset_ms) VALUES (?1, ?2, ?3)");
    for (const auto &[startMs, offsetMs] : offsets) {
        insertOffset.bind(1, businessId);
        insertOffset.bind(2, startMs);
        insertOffset.bind(3, offsetMs);
        if (auto ok = insertOffset.execute(); !ok)
            return std::unexpected(ok.error());
    }

    // One pass over the business's leads, summed in memory under a few thousand keys. Raw sqlite3
    // calls and UTF-8 keys: a million leads leave no room for a QString per column.
    struct LeadKey
    {
        qint64 day;
        QString channel, assignee;
    };
    struct CampaignKey
    {
        QString campaignId;
        qint64 day;
        QString channel, sourceKey, utmContent;
    };
    std::unordered_map<std::string, std::size_t> leadIndex, campaignIndex;
    std::vector<std::pair<LeadKey, LeadCounters>> leadRows;
    std::vector<std::pair<CampaignKey, CampaignCounters>> campaignRows;
    RebuildStats stats;

    auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
    sqlite3_stmt *scan = nullptr;
    if (sqlite3_prepare_v2(handle,
                           "SELECT created_at, channel, COALESCE(assigned_to, ''), status, "
                           "lead_grade, qualification_status, waiting_on, lead_score, value_cents, "
                           "first_response_at, campaign_id, "
                           "COALESCE(NULLIF(source_label, ''), channel), COALESCE(utm_content, '') "
                           "FROM scored_leads WHERE business_id = ?1 AND deleted = 0",
                           -1, &scan, nullptr)
        != SQLITE_OK)
        return fail(QString::fromUtf8(sqlite3_errmsg(handle)));
    const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt *)> finalizer(scan, sqlite3_finalize);
    const QByteArray business = businessId.toUtf8();
    sqlite3_bind_text(scan, 1, business.constData(), int(business.size()), SQLITE_STATIC);
    const auto text = [scan](int column) {
        const auto *bytes = reinterpret_cast<const char *>(sqlite3_column_text(scan, column));
        return std::string_view(bytes ? bytes : "",
                                std::size_t(sqlite3_column_bytes(scan, column)));
    };
    const auto qtext = [](std::string_view view) {
        return QString::fromUtf8(view.data(), qsizetype(view.size()));
    };
    std::string key;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(scan)) == SQLITE_ROW) {
        ++stats.leads;
        const qint64 createdAt = sqlite3_column_int64(scan, 0);
        const qint64 day = localDay(createdAt, offsets);
        const std::string_view channel = text(1);
        const std::string_view assignee = text(2);
        const std::string_view status = text(3);
        const std::string_view qualification = text(5);
        const qint64 score = sqlite3_column_int64(scan, 7);
        const qint64 value = sqlite3_column_int64(scan, 8);
        const qint64 response
            = sqlite3_column_type(scan, 9) == SQLITE_NULL
                  ? -1
                  : std::max<qint64>(0, sqlite3_column_int64(scan, 9) - createdAt);

        key.assign(reinterpret_cast<const char *>(&day), sizeof day);
        key.append(channel).append(1, '\x1f').append(assignee);
        auto [slot, added] = leadIndex.try_emplace(key, leadRows.size());
        if (added)
            leadRows.push_back({LeadKey{day, qtext(channel), qtext(assignee)}, LeadCounters{}});
        leadRows[slot->second].second.addLead(
            QByteArrayView(status.data(), qsizetype(status.size())),
            QByteArrayView(text(4).data(), qsizetype(text(4).size())),
            QByteArrayView(qualification.data(), qsizetype(qualification.size())),
            QByteArrayView(text(6).data(), qsizetype(text(6).size())), score, value, response);

        if (sqlite3_column_type(scan, 10) == SQLITE_NULL)
            continue;
        const std::string_view campaign = text(10);
        const std::string_view sourceKey = text(11);
        const std::string_view content = text(12);
        key.assign(reinterpret_cast<const char *>(&day), sizeof day);
        key.append(channel).append(1, '\x1f').append(campaign).append(1, '\x1f');
        key.append(sourceKey).append(1, '\x1f').append(content);
        auto [found, isNew] = campaignIndex.try_emplace(key, campaignRows.size());
        if (isNew)
            campaignRows.push_back({CampaignKey{qtext(campaign), day, qtext(channel),
                                                qtext(sourceKey), qtext(content)},
                                    CampaignCounters{}});
        CampaignCounters &counters = campaignRows[found->second].second;
        counters.leads += 1;
        counters.qualified
            += qualification == "sales_qualified" || qualification == "marketing_qualified";
        counters.scoreSum += score;
        if (status == "closed_won") {
            counters.won += 1;
            counters.wonValueCents += value;
        }
    }
    if (rc != SQLITE_DONE)
        return fail(QString::fromUtf8(sqlite3_errmsg(handle)));

    SqliteStatement &insertLead = db.statement(leadRowInsertSql().c_str());
    for (const auto &[key, counters] : leadRows) {
        insertLead.bind(1, businessId);
        insertLead.bind(2, key.day);
        insertLead.bind(3, key.channel);
        insertLead.bind(4, key.assignee);
        for (int i = 0; i < LeadCounters::kSlots; ++i)
            insertLead.bind(5 + i, counters.slots[size_t(i)]);
        if (auto ok = insertLead.execute(); !ok)
            return std::unexpected(ok.error());
    }
    SqliteStatement &insertCampaign = db.statement(
        "INSERT INTO analytics_campaign_daily (business_id, campaign_id, day, channel, source_key, "
        "utm_content, leads, qualified, score_sum, won, won_value_cents) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    for (const auto &[key, counters] : campaignRows) {
        insertCampaign.bind(1, businessId);
        insertCampaign.bind(2, key.campaignId);
        insertCampaign.bind(3, key.day);
        insertCampaign.bind(4, key.channel);
        insertCampaign.bind(5, key.sourceKey);
        insertCampaign.bind(6, key.utmContent);
        insertCampaign.bind(7, counters.leads);
        insertCampaign.bind(8, counters.qualified);
        insertCampaign.bind(9, counters.scoreSum);
        insertCampaign.bind(10, counters.won);
        insertCampaign.bind(11, counters.wonValueCents);
        if (auto ok = insertCampaign.execute(); !ok)
            return std::unexpected(ok.error());
    }
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
    stats.leadRows = qint64(leadRows.size());
    stats.campaignRows = qint64(campaignRows.size());
    stats.elapsedMs = timer.elapsed();
    return stats;
}

} // namespace LeadDesk::Core
