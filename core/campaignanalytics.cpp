#include "campaignanalytics.h"

#include "analyticsrollup.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QMap>

#include <algorithm>
#include <cmath>

namespace LeadDesk::Core {

namespace {

double rounded(double value, int decimals)
{
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

double ratio(qint64 part, qint64 whole, int decimals)
{
    return whole > 0 ? rounded(double(part) / double(whole), decimals) : 0.0;
}

// The period as the response states it: explicit ends as asked, open ones from the data.
std::pair<QDate, QDate> statedPeriod(const AnalyticsPeriod &period,
                                     const AnalyticsQueries::Campaign &campaign,
                                     const std::vector<AnalyticsQueries::CampaignRow> &rows,
                                     QDate today)
{
    QDate start;
    if (period.from) {
        start = *period.from;
    } else {
        start = campaign.startDate;
        for (const auto &row : rows) {
            const QDate first = AnalyticsRange::dateOfDay(row.firstDay);
            if (!start.isValid() || first < start)
                start = first;
        }
        if (!start.isValid())
            start = today;
    }
    return {start, period.to.value_or(today)};
}

} // namespace

QJsonObject CampaignAnalytics::response(const AnalyticsQueries::Campaign &campaign,
                                        const std::vector<AnalyticsQueries::CampaignRow> &rows,
                                        QDate start, QDate end)
{
    CampaignCounters total;
    QMap<QString, qint64> sources;
    QHash<QString, CampaignCounters> contents;
    for (const auto &row : rows) {
        total.add(row.counters);
        sources[row.sourceKey] += row.counters.leads;
        if (!row.utmContent.isEmpty())
            contents[row.utmContent].add(row.counters);
    }

    QJsonObject metrics;
    metrics.insert(QStringLiteral("total_leads"), total.leads);
    metrics.insert(QStringLiteral("qualified_leads"), total.qualified);
    metrics.insert(QStringLiteral("conversion_rate"), ratio(total.qualified, total.leads, 4));
    metrics.insert(QStringLiteral("average_lead_score"),
                   total.leads > 0 ? rounded(double(total.scoreSum) / double(total.leads), 1)
                                   : 0.0);
    metrics.insert(QStringLiteral("cost_per_lead"),
                   campaign.budgetCents >= 0 && total.leads > 0
                       ? rounded(double(campaign.budgetCents) / 100.0 / double(total.leads), 2)
                       : 0.0);
    metrics.insert(QStringLiteral("revenue_generated"),
                   rounded(double(total.wonValueCents) / 100.0, 2));

    QJsonObject leadSources;
    for (auto it = sources.cbegin(); it != sources.cend(); ++it) {
        if (it.value() > 0)
            leadSources.insert(it.key(), it.value());
    }

    struct Content
    {
        QString name;
        CampaignCounters counters;
    };
    std::vector<Content> ranked;
    for (auto it = contents.cbegin(); it != contents.cend(); ++it) {
        if (it.value().leads > 0)
            ranked.push_back({it.key(), it.value()});
    }
    // Most leads first; among equals the better converting, then by name for a stable answer.
    std::sort(ranked.begin(), ranked.end(), [](const Content &a, const Content &b) {
        if (a.counters.leads != b.counters.leads)
            return a.counters.leads > b.counters.leads;
        const qint64 left = a.counters.qualified * b.counters.leads;
        const qint64 right = b.counters.qualified * a.counters.leads;
        if (left != right)
            return left > right;
        return a.name < b.name;
    });
    QJsonArray top;
    for (std::size_t i = 0; i < ranked.size() && i < std::size_t(kTopContent); ++i) {
        top.append(QJsonObject{{QStringLiteral("utm_content"), ranked[i].name},
                               {QStringLiteral("leads"), ranked[i].counters.leads},
                               {QStringLiteral("conversion_rate"),
                                ratio(ranked[i].counters.qualified, ranked[i].counters.leads, 4)}});
    }

    return QJsonObject{
        {QStringLiteral("campaign_id"), campaign.externalId},
        {QStringLiteral("period"),
         QJsonObject{{QStringLiteral("start"), start.toString(Qt::ISODate)},
                     {QStringLiteral("end"), end.toString(Qt::ISODate)}}},
        {QStringLiteral("metrics"), metrics},
        {QStringLiteral("lead_sources"), leadSources},
        {QStringLiteral("top_performing_content"), top},
    };
}

Result<std::optional<QJsonObject>>
CampaignAnalytics::analyticsResponse(Database &db, const QString &businessId,
                                     const QString &campaignExternalId,
                                     const AnalyticsPeriod &period, const Clock &clock)
{
    AnalyticsQueries queries(db);
    auto campaign = queries.campaignByExternalId(businessId, campaignExternalId);
    if (!campaign)
        return std::unexpected(campaign.error());
    if (!*campaign)
        return std::optional<QJsonObject>();
    auto business = queries.business(businessId);
    if (!business)
        return std::unexpected(business.error());
    if (auto current = AnalyticsRollup::ensureCurrent(db, businessId); !current)
        return std::unexpected(current.error());
    const QTimeZone zone = AnalyticsRollup::zone(business->timeZone);
    const QDate today = QDateTime::fromMSecsSinceEpoch(clock.nowMs(), zone).date();
    auto rows
        = queries.campaignRows(businessId, AnalyticsRange::resolve(period, zone), (*campaign)->id);
    if (!rows)
        return std::unexpected(rows.error());
    const auto [start, end] = statedPeriod(period, **campaign, *rows, today);
    return std::optional<QJsonObject>(response(**campaign, *rows, start, end));
}

Result<QList<CampaignAnalytics::Entry>>
CampaignAnalytics::forPeriod(Database &db, const QString &businessId, const AnalyticsPeriod &period,
                             const QTimeZone &zone, QDate today, const QString &source)
{
    AnalyticsQueries queries(db);
    auto rows = queries.campaignRows(businessId, AnalyticsRange::resolve(period, zone));
    if (!rows)
        return std::unexpected(rows.error());
    QHash<QString, std::vector<AnalyticsQueries::CampaignRow>> byCampaign;
    for (auto &row : *rows) {
        if (source.isEmpty() || row.channel == source)
            byCampaign[row.campaignId].push_back(std::move(row));
    }
    QList<Entry> entries;
    if (byCampaign.isEmpty())
        return entries;
    auto campaigns = queries.campaigns(businessId);
    if (!campaigns)
        return std::unexpected(campaigns.error());
    for (const auto &campaign : *campaigns) {
        const auto found = byCampaign.constFind(campaign.id);
        if (found == byCampaign.constEnd())
            continue;
        Entry entry;
        entry.name = campaign.name;
        for (const auto &row : *found)
            entry.totalLeads += row.counters.leads;
        if (entry.totalLeads == 0)
            continue;
        const auto [start, end] = statedPeriod(period, campaign, *found, today);
        entry.response = response(campaign, *found, start, end);
        entries.append(std::move(entry));
    }
    std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
        return a.totalLeads != b.totalLeads ? a.totalLeads > b.totalLeads : a.name < b.name;
    });
    return entries;
}

} // namespace LeadDesk::Core
