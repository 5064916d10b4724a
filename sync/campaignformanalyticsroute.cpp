#include "campaignformanalyticsroute.h"

#include "campaignanalytics.h"
#include "campaignformtokens.h"

#include <QDate>
#include <QDateTime>
#include <QJsonArray>
#include <QLoggingCategory>
#include <QTimeZone>

#include <cmath>

Q_LOGGING_CATEGORY(lcAnalyticsRoute, "leaddesk.http.analytics")

namespace LeadDesk::Sync {

namespace {

double rounded(double value, int decimals = 2)
{
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

qint64 startOfDayMs(QDate date)
{
    return QDateTime(date, QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
}

} // namespace

CampaignFormAnalyticsRoute::CampaignFormAnalyticsRoute(const Core::Business &business)
    : m_businessId(business.id)
{}

InboundRoute::Spec CampaignFormAnalyticsRoute::spec() const
{
    Spec spec;
    spec.name = QStringLiteral("campaign_analytics");
    spec.method = "GET";
    spec.pattern = QStringLiteral("/v1/api/campaigns/{campaign_id}/analytics");
    spec.kind = Kind::Read;
    spec.maxBodyBytes = 0;
    return spec;
}

Core::Result<InboundResponse> CampaignFormAnalyticsRoute::read(const InboundRequest &request,
                                                               ReadContext &context) const
{
    const QString campaign = request.pathParams.value(QStringLiteral("campaign_id"));
    if (auto refused = checkToken(request, context, campaign))
        return *refused;
    auto period
        = Core::AnalyticsPeriod::parse(request.query.queryItemValue(QStringLiteral("start")),
                                       request.query.queryItemValue(QStringLiteral("end")));
    if (!period) {
        const QString field = period.error().field == QLatin1String("to") ? QStringLiteral("end")
                                                                          : QStringLiteral("start");
        return InboundResponse::error(400, QStringLiteral("VALIDATION_ERROR"),
                                      QStringLiteral("%1 must be a date (YYYY-MM-DD), not after "
                                                     "end")
                                          .arg(field),
                                      field);
    }
    auto answer = Core::CampaignAnalytics::analyticsResponse(context.db, m_businessId, campaign,
                                                             *period, context.clock);
    if (answer) {
        if (!*answer)
            return notFound();
        return InboundResponse::json(200, **answer);
    }
    // The rollup is built by the writer (`serve` does it at start); until then the figures come
    // straight from the leads.
    qCDebug(lcAnalyticsRoute).noquote()
        << QStringLiteral("analytics rollup unavailable (%1); counting leads directly")
               .arg(answer.error().toString());
    return fallback(request, context, campaign);
}

Core::Result<InboundResponse> CampaignFormAnalyticsRoute::fallback(const InboundRequest &request,
                                                                   ReadContext &context,
                                                                   const QString &campaign) const
{
    QString campaignRowId;
    qint64 budgetCents = -1;
    auto found = context.db.forEachRow(
        QStringLiteral("SELECT id, budget_cents FROM campaigns "
                       "WHERE business_id = ? AND external_id = ? AND deleted = 0"),
        {m_businessId, campaign}, [&](const QSqlQuery &q) {
            campaignRowId = q.value(0).toString();
            budgetCents = q.value(1).isNull() ? -1 : q.value(1).toLongLong();
        });
    if (!found)
        return std::unexpected(found.error());
    if (campaignRowId.isEmpty())
        return notFound();

    const QDate today
        = QDateTime::fromMSecsSinceEpoch(context.clock.nowMs(), QTimeZone::utc()).date();
    QDate start = today.addDays(-29);
    QDate end = today;
    for (const auto &[name, target] :
         {std::pair{QStringLiteral("start"), &start}, std::pair{QStringLiteral("end"), &end}}) {
        if (!request.query.hasQueryItem(name))
            continue;
        const QDate date = QDate::fromString(request.query.queryItemValue(name), Qt::ISODate);
        if (!date.isValid())
            return InboundResponse::error(
                400, QStringLiteral("VALIDATION_ERROR"),
                QStringLiteral("%1 must be a date (YYYY-MM-DD)").arg(name), name);
        *target = date;
    }
    if (end < start)
        return InboundResponse::error(400, QStringLiteral("VALIDATION_ERROR"),
                                      QStringLiteral("end is before start"), QStringLiteral("end"));
    const QVariantList range{m_businessId, campaignRowId, startOfDayMs(start),
                             startOfDayMs(end.addDays(1))};
    // One pass over the campaign's index range (idx_leads_campaign) per figure group.
    const QString where = QStringLiteral(
        " FROM scored_leads WHERE business_id = ? AND campaign_id = ? AND created_at >= ? "
        "AND created_at < ? AND deleted = 0");
    const QString qualified = QStringLiteral(
        "qualification_status IN ('marketing_qualified', 'sales_qualified', 'customer')");
    qint64 total = 0, qualifiedLeads = 0, revenueCents = 0;
    double averageScore = 0;
    auto totals = context.db.forEachRow(
        QStringLiteral("SELECT COUNT(*), COALESCE(SUM(%1), 0), COALESCE(AVG(lead_score), 0), "
                       "COALESCE(SUM(CASE WHEN status = 'closed_won' THEN value_cents END), 0)")
                .arg(qualified)
            + where,
        range, [&](const QSqlQuery &q) {
            total = q.value(0).toLongLong();
            qualifiedLeads = q.value(1).toLongLong();
            averageScore = q.value(2).toDouble();
            revenueCents = q.value(3).toLongLong();
        });
    if (!totals)
        return std::unexpected(totals.error());
    QJsonObject sources;
    auto bySource
        = context.db.forEachRow(QStringLiteral("SELECT COALESCE(source_label, channel), COUNT(*)")
                                    + where + QStringLiteral(" GROUP BY 1 ORDER BY 2 DESC"),
                                range, [&](const QSqlQuery &q) {
                                    sources.insert(q.value(0).toString(), q.value(1).toLongLong());
                                });
    if (!bySource)
        return std::unexpected(bySource.error());
    QJsonArray content;
    auto byContent = context.db.forEachRow(
        QStringLiteral("SELECT utm_content, COUNT(*), SUM(%1)").arg(qualified) + where
            + QStringLiteral(" AND utm_content IS NOT NULL AND utm_content <> '' "
                             "GROUP BY utm_content ORDER BY 2 DESC, 1 LIMIT 5"),
        range, [&](const QSqlQuery &q) {
            const qint64 leads = q.value(1).toLongLong();
            content.append(QJsonObject{
                {QStringLiteral("utm_content"), q.value(0).toString()},
                {QStringLiteral("leads"), leads},
                {QStringLiteral("conversion_rate"),
                 leads ? rounded(double(q.value(2).toLongLong()) / double(leads)) : 0.0}});
        });
    if (!byContent)
        return std::unexpected(byContent.error());

    QJsonObject metrics{
        {QStringLiteral("total_leads"), total},
        {QStringLiteral("qualified_leads"), qualifiedLeads},
        {QStringLiteral("conversion_rate"),
         total ? rounded(double(qualifiedLeads) / double(total)) : 0.0},
        {QStringLiteral("average_lead_score"), qint64(std::lround(averageScore))},
        {QStringLiteral("cost_per_lead"), budgetCents >= 0 && total > 0 ? QJsonValue(
                                              rounded(double(budgetCents) / 100.0 / double(total)))
                                                                        : QJsonValue()},
        {QStringLiteral("revenue_generated"), rounded(double(revenueCents) / 100.0)}};
    return InboundResponse::json(
        200, QJsonObject{{QStringLiteral("campaign_id"), campaign},
                         {QStringLiteral("period"),
                          QJsonObject{{QStringLiteral("start"), start.toString(Qt::ISODate)},
                                      {QStringLiteral("end"), end.toString(Qt::ISODate)}}},
                         {QStringLiteral("metrics"), metrics},
                         {QStringLiteral("lead_sources"), sources},
                         {QStringLiteral("top_performing_content"), content}});
}

InboundResponse CampaignFormAnalyticsRoute::notFound()
{
    return InboundResponse::error(404, QStringLiteral("NOT_FOUND"),
                                  QStringLiteral("No campaign with this id"),
                                  QStringLiteral("campaign_id"));
}

std::optional<InboundResponse> CampaignFormAnalyticsRoute::checkToken(const InboundRequest &request,
                                                                      ReadContext &context,
                                                                      const QString &campaign) const
{
    auto stored = Core::CampaignFormTokens::storedHash(context.db, m_businessId, campaign);
    if (!stored)
        return InboundResponse::error(503, QStringLiteral("SERVICE_UNAVAILABLE"),
                                      QStringLiteral("The store is not available; try again"));
    if (!*stored)
        return std::nullopt;
    const QByteArray token = request.header("x-campaign-token").trimmed();
    if (token.isEmpty())
        return InboundResponse::error(401, QStringLiteral("UNAUTHORIZED"),
                                      QStringLiteral("This campaign requires an X-Campaign-Token"),
                                      QStringLiteral("X-Campaign-Token"));
    if (!Core::CampaignFormTokens::matches(**stored, token))
        return InboundResponse::error(403, QStringLiteral("FORBIDDEN"),
                                      QStringLiteral("The X-Campaign-Token is not valid for this "
                                                     "campaign"),
                                      QStringLiteral("X-Campaign-Token"));
    return std::nullopt;
}

} // namespace LeadDesk::Sync
