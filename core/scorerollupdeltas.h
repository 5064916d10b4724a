#pragma once

#include "result.h"

#include <QByteArray>
#include <QHash>
#include <QList>

#include <string_view>
#include <utility>
#include <vector>

struct sqlite3;

namespace LeadDesk::Core {

// What a bulk rescore changes in the analytics rollups, summed in memory and written as one
// upsert per rollup row, instead of the per-lead triggers on lead_scores (which are off while
// the rescore writes: LeadScoreWriter). Keys and sums follow those triggers exactly: the lead's
// local day from analytics_zone_offsets, its channel and assignee; for campaign leads also the
// campaign, source key and utm_content. tst_leadrescorer compares the result with a rebuild.
class ScoreRollupDeltas final
{
public:
    // Where a lead sits in the rollups (its texts as stored, NULLs already turned into '').
    struct LeadKey
    {
        qint64 createdAtMs = 0;
        std::string_view channel;
        std::string_view assignee;
        bool hasCampaign = false;
        std::string_view campaignId;
        std::string_view sourceKey; // source_label, or the channel when it has none
        std::string_view utmContent;
    };
    struct Score
    {
        int score = 0;
        std::string_view grade;
        std::string_view qualification;
    };

    // Reads the business's zone offsets; call once per transaction before add().
    Result<void> load(sqlite3 *db, const QByteArray &businessId);
    // Empty sums over what `loaded` read: for adding on another thread, then merge().
    [[nodiscard]] ScoreRollupDeltas emptyLike() const;
    void add(const LeadKey &key, const Score &before, const Score &after);
    void merge(const ScoreRollupDeltas &other);
    // Writes the sums into the rollups and forgets them.
    Result<void> apply(sqlite3 *db);
    [[nodiscard]] bool isEmpty() const { return m_daily.isEmpty() && m_campaign.isEmpty(); }

private:
    enum Slot { GradeA, GradeB, GradeC, GradeD, Unqualified, Mql, Sql, Customer, Lost, ScoreSum };
    static constexpr int kSlots = ScoreSum + 1;
    struct Sums
    {
        qint64 slots[kSlots] = {};
    };
    struct CampaignSums
    {
        qint64 qualified = 0;
        qint64 scoreSum = 0;
    };

    QByteArray m_businessId;
    std::vector<std::pair<qint64, qint64>> m_offsets; // (start_ms, offset_ms), by start
    // Keyed by the rollup rows' key columns (the day as text): (day, channel, assignee) and
    // (campaign, day, channel, source key, utm_content).
    QHash<QList<QByteArray>, Sums> m_daily;
    QHash<QList<QByteArray>, CampaignSums> m_campaign;
};

} // namespace LeadDesk::Core
