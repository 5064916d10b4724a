#pragma once

#include "analyticsperiod.h"
#include "analyticsqueries.h"
#include "clock.h"
#include "database.h"
#include "result.h"

#include <QJsonObject>
#include <QList>

#include <optional>

namespace LeadDesk::Core {

// Seed 004's campaign analytics: the body of GET /v1/api/campaigns/{campaign_id}/analytics.
//   total_leads        leads of the campaign created in the period
//   qualified_leads    of those, qualification sales_qualified or marketing_qualified
//   conversion_rate    qualified / total (45 leads, 18 qualified: 0.4), 4 decimals
//   average_lead_score mean lead_score, 1 decimal
//   cost_per_lead      campaign budget / total leads, currency units (0: no budget or no leads)
//   revenue_generated  sum of value_cents of the campaign's closed_won leads, currency units
//   lead_sources       leads by source_label ("landing-page", "modal"...), the channel when absent
//   top_performing_content  up to 5 utm_content values: leads and conversion rate, most leads first
// The period is days in the business's time zone; an open start is the campaign's start date or
// its first lead, whichever is earlier, an open end today.
class CampaignAnalytics final
{
public:
    static constexpr int kTopContent = 5;

    // The endpoint's answer for the campaign whose external id (the campaign_id forms send) is
    // `campaignExternalId`; nullopt when the business has no such campaign (404). Brings the
    // rollup up to date first (AnalyticsRollup::ensureCurrent), which needs a writable connection
    // when the rollup was never built.
    static Result<std::optional<QJsonObject>>
    analyticsResponse(Database &db, const QString &businessId, const QString &campaignExternalId,
                      const AnalyticsPeriod &period, const Clock &clock = Clock::system());

    struct Entry
    {
        QString name;
        qint64 totalLeads = 0;
        QJsonObject response; // as analyticsResponse
    };
    // Every campaign with leads in the period (of one channel when `source` is set), busiest
    // first, for the report. The rollup must be current.
    static Result<QList<Entry>> forPeriod(Database &db, const QString &businessId,
                                          const AnalyticsPeriod &period, const QTimeZone &zone,
                                          QDate today, const QString &source);

    // The response from a campaign's rollup rows (summed over days); pure, for tests.
    static QJsonObject response(const AnalyticsQueries::Campaign &campaign,
                                const std::vector<AnalyticsQueries::CampaignRow> &rows, QDate start,
                                QDate end);
};

} // namespace LeadDesk::Core
