#pragma once

#include "analyticscounters.h"
#include "result.h"

#include <QString>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

struct sqlite3_stmt;

namespace LeadDesk::Core {

class Database;

// One business's leads summed into the rows of the analytics rollups (analytics_leads_daily by
// local day, channel and assignee; analytics_campaign_daily by campaign, day, channel, source key
// and utm_content), exactly as the rollup triggers count a lead. Used by a full rebuild
// (AnalyticsRollup) and by the writer's once-per-commit pass over the leads it inserted
// (DeferredRollups). Raw sqlite3 rows and UTF-8 keys: a rebuild reads a million leads.
class RollupSums final
{
public:
    // The columns addLead() reads, in order, from a query over `scored_leads`.
    static constexpr const char *kLeadColumns
        = "created_at, channel, COALESCE(assigned_to, ''), status, lead_grade, "
          "qualification_status, waiting_on, lead_score, value_cents, first_response_at, "
          "campaign_id, COALESCE(NULLIF(source_label, ''), channel), COALESCE(utm_content, '')";
    static constexpr int kLeadColumnCount = 13;

    // How write() stores the sums: as new rows (the business's rollups were just emptied), or
    // added to whatever rows are there.
    enum class Write { Insert, Add };

    // One lead from `row`, whose columns from `firstColumn` on are kLeadColumns; `day` is its
    // local day (AnalyticsRollup::localDay of created_at).
    void addLead(sqlite3_stmt *row, int firstColumn, qint64 day);
    Result<void> write(Database &db, const QString &businessId, Write mode) const;

    [[nodiscard]] bool isEmpty() const { return m_leadRows.empty(); }
    [[nodiscard]] qint64 leadRows() const { return qint64(m_leadRows.size()); }
    [[nodiscard]] qint64 campaignRows() const { return qint64(m_campaignRows.size()); }

private:
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

    std::string m_key; // scratch for the lookups
    std::unordered_map<std::string, std::size_t> m_leadIndex, m_campaignIndex;
    std::vector<std::pair<LeadKey, LeadCounters>> m_leadRows;
    std::vector<std::pair<CampaignKey, CampaignCounters>> m_campaignRows;
};

} // namespace LeadDesk::Core
