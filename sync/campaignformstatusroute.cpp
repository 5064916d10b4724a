#include "campaignformstatusroute.h"

#include "campaignform.h"

#include <QDateTime>
#include <QTimeZone>

namespace LeadDesk::Sync {

namespace {

QJsonValue isoTime(qint64 ms)
{
    if (ms <= 0)
        return QJsonValue();
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

QJsonValue nextAction(const QString &status, qint64 followUpAtMs)
{
    if (followUpAtMs > 0)
        return QStringLiteral("Follow-up scheduled for %1").arg(isoTime(followUpAtMs).toString());
    if (status == QLatin1String("new"))
        return QStringLiteral("Awaiting first contact");
    if (status == QLatin1String("contacted"))
        return QStringLiteral("Follow-up to be scheduled");
    if (status == QLatin1String("qualified"))
        return QStringLiteral("Proposal in preparation");
    if (status == QLatin1String("proposal"))
        return QStringLiteral("Awaiting a decision on the proposal");
    return QJsonValue(); // closed
}

} // namespace

CampaignFormStatusRoute::CampaignFormStatusRoute(const Core::Business &business)
    : m_businessId(business.id)
{}

InboundRoute::Spec CampaignFormStatusRoute::spec() const
{
    Spec spec;
    spec.name = QStringLiteral("campaign_lead_status");
    spec.method = "GET";
    spec.pattern = QStringLiteral("/v1/api/leads/{lead_id}/status");
    spec.kind = Kind::Read;
    spec.maxBodyBytes = 0;
    return spec;
}

Core::Result<InboundResponse> CampaignFormStatusRoute::read(const InboundRequest &request,
                                                            ReadContext &context) const
{
    const QString publicId = request.pathParams.value(QStringLiteral("lead_id"));
    const QString uuid = Core::CampaignForm::uuidOfPublicId(publicId);
    const InboundResponse notFound
        = InboundResponse::error(404, QStringLiteral("NOT_FOUND"),
                                 QStringLiteral("No lead with this id"), QStringLiteral("lead_id"));
    if (uuid.isEmpty())
        return notFound;
    std::optional<QJsonObject> answer;
    auto ok = context.db.forEachRow(
        QStringLiteral("SELECT l.status, l.updated_at, l.lead_grade, l.follow_up_at, "
                       "COALESCE(NULLIF(u.email, ''), NULLIF(u.display_name, ''), u.username) "
                       "FROM scored_leads l LEFT JOIN users u ON u.id = l.assigned_to "
                       "WHERE l.id = ? AND l.business_id = ? AND l.deleted = 0"),
        {uuid, m_businessId}, [&](const QSqlQuery &q) {
            const QString status = q.value(0).toString();
            const bool closed = status.startsWith(QLatin1String("closed"));
            answer = QJsonObject{
                {QStringLiteral("lead_id"), Core::CampaignForm::publicLeadId(uuid)},
                {QStringLiteral("status"), status},
                {QStringLiteral("last_updated"), isoTime(q.value(1).toLongLong())},
                {QStringLiteral("assigned_to"),
                 q.value(4).isNull() ? QJsonValue() : QJsonValue(q.value(4).toString())},
                {QStringLiteral("next_action"), nextAction(status, q.value(3).toLongLong())},
                {QStringLiteral("estimated_response_time"),
                 closed ? QJsonValue()
                        : QJsonValue(
                            Core::CampaignForm::expectedResponseTime(q.value(2).toString()))}};
        });
    if (!ok)
        return std::unexpected(ok.error());
    if (!answer)
        return notFound;
    return InboundResponse::json(200, *answer);
}

} // namespace LeadDesk::Sync
