#include "scorerollupdeltas.h"

#include "analyticsrollup.h"
#include "sqlitestatement.h"

#include <sqlite3.h>

#include <algorithm>
#include <functional>

namespace LeadDesk::Core {

namespace {

bool isQualified(std::string_view qualification)
{
    // The campaign rollup's "qualified" (migration 0004): marketing or sales qualified.
    return qualification == "sales_qualified" || qualification == "marketing_qualified";
}

} // namespace

Result<void> ScoreRollupDeltas::load(sqlite3 *db, const QByteArray &businessId)
{
    m_businessId = businessId;
    auto offsets = AnalyticsRollup::storedZoneOffsets(db, businessId);
    if (!offsets)
        return std::unexpected(offsets.error());
    m_offsets = std::move(*offsets);
    return {};
}

ScoreRollupDeltas ScoreRollupDeltas::emptyLike() const
{
    ScoreRollupDeltas empty;
    empty.m_businessId = m_businessId;
    empty.m_offsets = m_offsets;
    return empty;
}

template<std::size_t N, typename Text>
std::size_t ScoreRollupDeltas::KeyHash::operator()(const Key<N, Text> &key) const
{
    std::size_t hash = std::hash<qint64>{}(key.day);
    for (const Text &text : key.texts) // boost's hash_combine
        hash ^= std::hash<std::string_view>{}(text) + 0x9e3779b9 + (hash << 6) + (hash >> 2);
    return hash;
}

template<std::size_t N, typename A, typename B>
bool ScoreRollupDeltas::KeyEqual::operator()(const Key<N, A> &a, const Key<N, B> &b) const
{
    if (a.day != b.day)
        return false;
    for (std::size_t i = 0; i < N; ++i) {
        if (std::string_view(a.texts[i]) != std::string_view(b.texts[i]))
            return false;
    }
    return true;
}

template<std::size_t N, typename Value>
Value &ScoreRollupDeltas::entry(Table<N, Value> &table, const KeyView<N> &key)
{
    if (auto found = table.find(key); found != table.end())
        return found->second;
    StoredKey<N> stored{key.day, {}};
    for (std::size_t i = 0; i < N; ++i)
        stored.texts[i] = std::string(key.texts[i]);
    return table.emplace(std::move(stored), Value{}).first->second;
}

void ScoreRollupDeltas::merge(const ScoreRollupDeltas &other)
{
    for (const auto &[key, from] : other.m_daily) {
        Sums &sums = m_daily[key];
        for (int slot = 0; slot < kSlots; ++slot)
            sums.slots[slot] += from.slots[slot];
    }
    for (const auto &[key, from] : other.m_campaign) {
        CampaignSums &sums = m_campaign[key];
        sums.qualified += from.qualified;
        sums.scoreSum += from.scoreSum;
    }
}

void ScoreRollupDeltas::add(const LeadKey &key, const Score &before, const Score &after)
{
    static constexpr std::string_view kGrades[] = {"A", "B", "C", "D"};
    static constexpr std::string_view kQualifications[]
        = {"unqualified", "marketing_qualified", "sales_qualified", "customer", "lost"};
    const qint64 day = AnalyticsRollup::localDay(key.createdAtMs, m_offsets);

    Sums &sums = entry(m_daily, KeyView<2>{day, {key.channel, key.assignee}});
    for (int i = 0; i < 4; ++i)
        sums.slots[GradeA + i] += int(after.grade == kGrades[i]) - int(before.grade == kGrades[i]);
    for (int i = 0; i < 5; ++i)
        sums.slots[Unqualified + i] += int(after.qualification == kQualifications[i])
                                       - int(before.qualification == kQualifications[i]);
    sums.slots[ScoreSum] += after.score - before.score;

    if (!key.hasCampaign)
        return;
    CampaignSums &campaign = entry(
        m_campaign, KeyView<4>{day, {key.campaignId, key.channel, key.sourceKey, key.utmContent}});
    campaign.qualified
        += int(isQualified(after.qualification)) - int(isQualified(before.qualification));
    campaign.scoreSum += after.score - before.score;
}

namespace {

// Adds to the rollup row the statements' shared parameters name: an UPDATE, since a rescore
// moves leads between rows that exist (one search where the upsert makes two), and the upsert
// for a row that does not exist yet.
template<typename Bind>
Result<void> addToRow(sqlite3 *db, SqliteStatement &update, SqliteStatement &upsert, Bind &&bind)
{
    bind(update);
    if (auto ok = update.execute(); !ok)
        return ok;
    if (sqlite3_changes(db) > 0)
        return {};
    bind(upsert);
    return upsert.execute();
}

} // namespace

Result<void> ScoreRollupDeltas::apply(sqlite3 *db)
{
    SqliteStatement dailyUpdate(
        db, "UPDATE analytics_leads_daily SET gr_a = gr_a + ?5, gr_b = gr_b + ?6, "
            "gr_c = gr_c + ?7, gr_d = gr_d + ?8, qu_unqualified = qu_unqualified + ?9, "
            "qu_marketing_qualified = qu_marketing_qualified + ?10, "
            "qu_sales_qualified = qu_sales_qualified + ?11, qu_customer = qu_customer + ?12, "
            "qu_lost = qu_lost + ?13, score_sum = score_sum + ?14 "
            "WHERE business_id = ?1 AND day = ?2 AND channel = ?3 AND assignee = ?4");
    SqliteStatement dailyUpsert(
        db, "INSERT INTO analytics_leads_daily (business_id, day, channel, assignee, gr_a, gr_b, "
            "gr_c, gr_d, qu_unqualified, qu_marketing_qualified, qu_sales_qualified, qu_customer, "
            "qu_lost, score_sum) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
            "?14) ON CONFLICT (business_id, day, channel, assignee) DO UPDATE SET "
            "gr_a = gr_a + excluded.gr_a, gr_b = gr_b + excluded.gr_b, "
            "gr_c = gr_c + excluded.gr_c, gr_d = gr_d + excluded.gr_d, "
            "qu_unqualified = qu_unqualified + excluded.qu_unqualified, "
            "qu_marketing_qualified = qu_marketing_qualified + excluded.qu_marketing_qualified, "
            "qu_sales_qualified = qu_sales_qualified + excluded.qu_sales_qualified, "
            "qu_customer = qu_customer + excluded.qu_customer, "
            "qu_lost = qu_lost + excluded.qu_lost, score_sum = score_sum + excluded.score_sum");
    const std::string_view businessId(m_businessId.constData(), std::size_t(m_businessId.size()));
    for (const auto &[key, sums] : m_daily) {
        // Changes that cancel out (a lead up a grade, another down) leave the row as it is.
        if (std::all_of(std::begin(sums.slots), std::end(sums.slots),
                        [](qint64 slot) { return slot == 0; }))
            continue;
        const auto bind = [&](SqliteStatement &statement) {
            statement.bindStatic(1, businessId);
            statement.bind(2, key.day);
            statement.bindStatic(3, key.texts[0]);
            statement.bindStatic(4, key.texts[1]);
            for (int slot = 0; slot < kSlots; ++slot)
                statement.bind(5 + slot, sums.slots[slot]);
        };
        if (auto ok = addToRow(db, dailyUpdate, dailyUpsert, bind); !ok)
            return ok;
    }
    SqliteStatement campaignUpdate(
        db, "UPDATE analytics_campaign_daily SET qualified = qualified + ?7, "
            "score_sum = score_sum + ?8 WHERE business_id = ?1 AND campaign_id = ?2 AND day = ?3 "
            "AND channel = ?4 AND source_key = ?5 AND utm_content = ?6");
    SqliteStatement campaignUpsert(
        db, "INSERT INTO analytics_campaign_daily (business_id, campaign_id, day, channel, "
            "source_key, utm_content, qualified, score_sum) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
            "?8) ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) "
            "DO UPDATE SET qualified = qualified + excluded.qualified, "
            "score_sum = score_sum + excluded.score_sum");
    for (const auto &[key, sums] : m_campaign) {
        if (sums.qualified == 0 && sums.scoreSum == 0)
            continue;
        const auto bind = [&](SqliteStatement &statement) {
            statement.bindStatic(1, businessId);
            statement.bindStatic(2, key.texts[0]);
            statement.bind(3, key.day);
            statement.bindStatic(4, key.texts[1]);
            statement.bindStatic(5, key.texts[2]);
            statement.bindStatic(6, key.texts[3]);
            statement.bind(7, sums.qualified);
            statement.bind(8, sums.scoreSum);
        };
        if (auto ok = addToRow(db, campaignUpdate, campaignUpsert, bind); !ok)
            return ok;
    }
    m_daily.clear();
    m_campaign.clear();
    return {};
}

} // namespace LeadDesk::Core
