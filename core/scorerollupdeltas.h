#pragma once

#include "result.h"

#include <QByteArray>

#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
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
    [[nodiscard]] bool isEmpty() const { return m_daily.empty() && m_campaign.empty(); }

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

    // A rollup row's key columns after the business: the day, then its texts, (channel,
    // assignee) for the daily rollup and (campaign, channel, source key, utm_content) for the
    // campaign one. Looked up by a view of the lead's texts, so adding a lead whose row is
    // already there allocates nothing: it was ten allocations a lead, and a third of scoring's
    // time went into summing.
    template<std::size_t N, typename Text>
    struct Key
    {
        qint64 day = 0;
        std::array<Text, N> texts;
    };
    template<std::size_t N>
    using StoredKey = Key<N, std::string>;
    template<std::size_t N>
    using KeyView = Key<N, std::string_view>;
    struct KeyHash
    {
        using is_transparent = void;
        template<std::size_t N, typename Text>
        std::size_t operator()(const Key<N, Text> &key) const;
    };
    struct KeyEqual
    {
        using is_transparent = void;
        template<std::size_t N, typename A, typename B>
        bool operator()(const Key<N, A> &a, const Key<N, B> &b) const;
    };
    template<std::size_t N, typename Value>
    using Table = std::unordered_map<StoredKey<N>, Value, KeyHash, KeyEqual>;
    template<std::size_t N, typename Value>
    static Value &entry(Table<N, Value> &table, const KeyView<N> &key);

    QByteArray m_businessId;
    std::vector<std::pair<qint64, qint64>> m_offsets; // (start_ms, offset_ms), by start
    Table<2, Sums> m_daily;                           // (channel, assignee)
    Table<4, CampaignSums> m_campaign; // (campaign, channel, source key, utm_content)
};

} // namespace LeadDesk::Core
