#include "scorerollupdeltas.h"

#include "analyticsrollup.h"
#include "sqlitestatement.h"

#include <QList>

namespace LeadDesk::Core {

namespace {

QByteArray bytes(std::string_view text)
{
    return {text.data(), qsizetype(text.size())};
}

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

void ScoreRollupDeltas::merge(const ScoreRollupDeltas &other)
{
    for (auto it = other.m_daily.cbegin(); it != other.m_daily.cend(); ++it) {
        Sums &sums = m_daily[it.key()];
        for (int slot = 0; slot < kSlots; ++slot)
            sums.slots[slot] += it->slots[slot];
    }
    for (auto it = other.m_campaign.cbegin(); it != other.m_campaign.cend(); ++it) {
        CampaignSums &sums = m_campaign[it.key()];
        sums.qualified += it->qualified;
        sums.scoreSum += it->scoreSum;
    }
}

void ScoreRollupDeltas::add(const LeadKey &key, const Score &before, const Score &after)
{
    static constexpr std::string_view kGrades[] = {"A", "B", "C", "D"};
    static constexpr std::string_view kQualifications[]
        = {"unqualified", "marketing_qualified", "sales_qualified", "customer", "lost"};
    const QByteArray day
        = QByteArray::number(AnalyticsRollup::localDay(key.createdAtMs, m_offsets));

    Sums &sums = m_daily[{day, bytes(key.channel), bytes(key.assignee)}];
    for (int i = 0; i < 4; ++i)
        sums.slots[GradeA + i] += int(after.grade == kGrades[i]) - int(before.grade == kGrades[i]);
    for (int i = 0; i < 5; ++i)
        sums.slots[Unqualified + i] += int(after.qualification == kQualifications[i])
                                       - int(before.qualification == kQualifications[i]);
    sums.slots[ScoreSum] += after.score - before.score;

    if (!key.hasCampaign)
        return;
    CampaignSums &campaign = m_campaign[{bytes(key.campaignId), day, bytes(key.channel),
                                         bytes(key.sourceKey), bytes(key.utmContent)}];
    campaign.qualified
        += int(isQualified(after.qualification)) - int(isQualified(before.qualification));
    campaign.scoreSum += after.score - before.score;
}

Result<void> ScoreRollupDeltas::apply(sqlite3 *db)
{
    SqliteStatement daily(
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
    for (auto it = m_daily.cbegin(); it != m_daily.cend(); ++it) {
        const QList<QByteArray> &key = it.key();
        daily.bind(1, m_businessId);
        daily.bind(2, key.at(0).toLongLong());
        daily.bind(3, key.at(1));
        daily.bind(4, key.at(2));
        for (int slot = 0; slot < kSlots; ++slot)
            daily.bind(5 + slot, it->slots[slot]);
        if (auto ok = daily.execute(); !ok)
            return ok;
    }
    SqliteStatement campaign(
        db, "INSERT INTO analytics_campaign_daily (business_id, campaign_id, day, channel, "
            "source_key, utm_content, qualified, score_sum) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
            "?8) ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) "
            "DO UPDATE SET qualified = qualified + excluded.qualified, "
            "score_sum = score_sum + excluded.score_sum");
    for (auto it = m_campaign.cbegin(); it != m_campaign.cend(); ++it) {
        const QList<QByteArray> &key = it.key();
        campaign.bind(1, m_businessId);
        campaign.bind(2, key.at(0));
        campaign.bind(3, key.at(1).toLongLong());
        campaign.bind(4, key.at(2));
        campaign.bind(5, key.at(3));
        campaign.bind(6, key.at(4));
        campaign.bind(7, it->qualified);
        campaign.bind(8, it->scoreSum);
        if (auto ok = campaign.execute(); !ok)
            return ok;
    }
    m_daily.clear();
    m_campaign.clear();
    return {};
}

} // namespace LeadDesk::Core
