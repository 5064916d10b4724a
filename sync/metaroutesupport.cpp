#include "metaroutesupport.h"

#include "inboundrecorder.h"
#include "metasignature.h"

#include <QCryptographicHash>

namespace LeadDesk::Sync::MetaRouteSupport {

namespace {

constexpr qsizetype kMaxPlainKey = 200;

} // namespace

std::optional<InboundResponse> screenSignature(const InboundRequest &request,
                                               const QByteArray &appSecret)
{
    auto verified
        = MetaSignature::verify(appSecret, request.body, request.header("x-hub-signature-256"));
    if (verified)
        return std::nullopt;
    return InboundResponse::error(401, QStringLiteral("INVALID_SIGNATURE"),
                                  verified.error().message);
}

std::optional<InboundResponse> rejectUnreadable(const QByteArray &body)
{
    auto doc = InboundRoute::parseJsonBody(body);
    if (!doc)
        return InboundResponse::error(400, QStringLiteral("INVALID_JSON"), doc.error().message);
    if (!doc->isObject())
        return InboundResponse::error(400, QStringLiteral("INVALID_JSON"),
                                      QStringLiteral("the body is not a JSON object"));
    return std::nullopt;
}

QString dedupeKey(QStringList eventKeys)
{
    if (eventKeys.isEmpty())
        return {};
    eventKeys.sort();
    eventKeys.removeDuplicates();
    const QString joined = eventKeys.join(QLatin1Char(','));
    if (joined.size() <= kMaxPlainKey)
        return joined;
    return QStringLiteral("sha256:")
           + QString::fromLatin1(
               QCryptographicHash::hash(joined.toUtf8(), QCryptographicHash::Sha256).toHex());
}

InboundResponse received()
{
    return InboundResponse::json(200, QJsonObject{{QStringLiteral("received"), true}});
}

Core::Result<ProcessOutcome> applyEvents(const QList<Core::InboundEvent> &events,
                                         WriteContext &context)
{
    ProcessOutcome outcome;
    outcome.response = received();
    if (events.isEmpty())
        return outcome;
    Core::InboundRecorder recorder(context.db, context.ingestor, context.normalizer, context.clock);
    auto applied = recorder.apply(context.business.id, events);
    if (!applied)
        return std::unexpected(applied.error());
    bool allDuplicate = true;
    QStringList notes;
    for (const Core::InboundRecorder::Applied &one : std::as_const(*applied)) {
        allDuplicate = allDuplicate && one.outcome == Core::InboundRecorder::Outcome::Duplicate;
        if (outcome.leadId.isEmpty() && !one.leadId.isEmpty())
            outcome.leadId = one.leadId;
        if (!one.reason.isEmpty())
            notes << Core::InboundRecorder::outcomeName(one.outcome) + QStringLiteral(": ")
                         + one.reason;
    }
    if (allDuplicate)
        outcome.status = ProcessOutcome::Status::Duplicate;
    // Stale statuses, unknown message ids...: not errors, but worth seeing in the journal.
    outcome.error = notes.join(QStringLiteral("; ")).left(2000);
    return outcome;
}

ProcessOutcome failedOutcome(const Core::Error &error)
{
    ProcessOutcome outcome;
    outcome.status = ProcessOutcome::Status::Failed;
    outcome.response = received();
    outcome.error = error.toString();
    return outcome;
}

} // namespace LeadDesk::Sync::MetaRouteSupport
