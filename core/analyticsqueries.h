#pragma once

#include "analyticscounters.h"
#include "analyticsperiod.h"
#include "database.h"
#include "result.h"

#include <QHash>
#include <QList>

#include <optional>
#include <utility>
#include <vector>

namespace LeadDesk::Core {

// The analytics SQL, in one place. Every statement takes the business and a time range (and,
// where it applies, a source) as parameters, and every plan is an index search: lead figures come
// from the rollups of AnalyticsRollup, the rest from small covered index ranges (plans are checked
// by tst_analyticsqueries). Callers make sure the rollup is current (AnalyticsRollup).
class AnalyticsQueries final
{
public:
    explicit AnalyticsQueries(Database &db);

    struct Business
    {
        QString name;
        QString timeZone;
    };
    struct LeadRow
    {
        qint64 day = 0;
        QString channel;
        QString assignee; // users.id, empty when unassigned
        LeadCounters counters;
    };
    struct ResponseSample
    {
        QString channel;
        QString assignee;
        qint64 ms = 0;
    };
    struct ChatbotTotals
    {
        qint64 sessions = 0;
        qint64 completed = 0;
        qint64 answers = 0;
        double averageGapMs = -1; // -1: no answers
    };
    struct DeliverySample
    {
        QString target;
        bool ok = false;
        qint64 latencyMs = 0;
    };
    struct CampaignRow
    {
        QString campaignId; // campaigns.id
        QString channel;
        QString sourceKey;
        QString utmContent;
        qint64 firstDay = 0;
        CampaignCounters counters;
    };
    struct Campaign
    {
        QString id;
        QString externalId;
        QString name;
        qint64 budgetCents = -1; // -1: no budget recorded
        QDate startDate;
    };

    Result<Business> business(const QString &businessId);
    // Rollup rows of the range (day numbers), of one channel when `source` is not empty.
    Result<std::vector<LeadRow>> leadRows(const QString &businessId, const AnalyticsRange &range,
                                          const QString &source);
    // Per channel, the sums that need no histogram (slots up to WonValueCents): all-time totals.
    Result<QHash<QString, LeadCounters>> leadTotalsByChannel(const QString &businessId,
                                                             const AnalyticsRange &range,
                                                             const QString &source);
    // Wall-clock first-response times of the leads created in the range (the exact path, for
    // ranges small enough to read lead by lead).
    Result<std::vector<ResponseSample>>
    responseTimes(const QString &businessId, const AnalyticsRange &range, const QString &source);
    // Sessions started in the range.
    Result<ChatbotTotals> chatbot(const QString &businessId, const AnalyticsRange &range);
    // Outbound attempts in the range, of one target when `target` is not empty.
    Result<std::vector<DeliverySample>>
    deliveries(const QString &businessId, const AnalyticsRange &range, const QString &target);
    // Campaign rollup rows of the range, summed over days; one campaign when `campaignId` is set.
    Result<std::vector<CampaignRow>> campaignRows(const QString &businessId,
                                                  const AnalyticsRange &range,
                                                  const QString &campaignId = {});
    Result<std::vector<Campaign>> campaigns(const QString &businessId);
    Result<std::optional<Campaign>> campaignByExternalId(const QString &businessId,
                                                         const QString &externalId);
    // users.id -> display name (username when it has none).
    Result<QHash<QString, QString>> userNames(const QString &businessId);

    // Every statement above by name, for plan checks.
    static QList<std::pair<QString, QString>> statements();

private:
    Database &m_db;
};

} // namespace LeadDesk::Core
