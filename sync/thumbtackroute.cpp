#include "thumbtackroute.h"

#include "inboundrecorder.h"
#include "thumbtackadapter.h"

#include <QJsonArray>

#include <memory>

namespace LeadDesk::Sync {

namespace {

using Recorder = Core::InboundRecorder;

// What prepare() hands to process(): the events, or why the adapter refused them.
struct Prepared
{
    Core::Result<ThumbtackAdapter::Parsed> parsed;
};

InboundResponse received()
{
    return InboundResponse::json(200, QJsonObject{{QStringLiteral("received"), true}});
}

} // namespace

ThumbtackRoute::ThumbtackRoute(Endpoint endpoint, Credentials credentials,
                               bool allowUnauthenticated)
    : m_endpoint(endpoint)
    , m_credentials(std::move(credentials))
    , m_allowUnauthenticated(allowUnauthenticated)
{}

InboundRoute::Spec ThumbtackRoute::spec() const
{
    Spec spec;
    switch (m_endpoint) {
    case Endpoint::V4Webhook:
        spec.name = QStringLiteral("thumbtack");
        spec.pattern = QString::fromLatin1(kV4Pattern);
        break;
    case Endpoint::LegacyLead:
        spec.name = QStringLiteral("thumbtack_v1_lead");
        spec.pattern = QString::fromLatin1(kLegacyLeadPattern);
        break;
    case Endpoint::LegacyMessage:
        spec.name = QStringLiteral("thumbtack_v1_message");
        spec.pattern = QString::fromLatin1(kLegacyMessagePattern);
        break;
    }
    spec.method = "POST";
    spec.kind = Kind::Journalled;
    spec.contentTypes = {"application/json"};
    spec.maxBodyBytes = 512 * 1024; // one lead with its Q&A; attachments are links
    spec.rateLimited = false;       // Thumbtack delivers from a few addresses
    return spec;
}

std::optional<InboundResponse> ThumbtackRoute::screen(const InboundRequest &request) const
{
    const bool configured = !m_credentials.username.isEmpty() || !m_credentials.password.isEmpty();
    if (!configured && m_allowUnauthenticated)
        return std::nullopt;
    if (configured
        && ThumbtackAdapter::checkBasicAuth(request.header("authorization"), m_credentials.username,
                                            m_credentials.password))
        return std::nullopt;
    InboundResponse response = InboundResponse::error(
        401, QStringLiteral("unauthorized"),
        configured ? QStringLiteral("Missing or wrong HTTP Basic credentials")
                   : QStringLiteral("No Thumbtack webhook credentials are configured"));
    response.headers.push_back({"WWW-Authenticate", "Basic realm=\"LeadDesk\", charset=\"UTF-8\""});
    return response;
}

PreparedRequest ThumbtackRoute::prepare(const InboundRequest &request) const
{
    PreparedRequest prepared;
    auto document = InboundRoute::parseJsonBody(request.body);
    if (!document || !document->isObject()) {
        prepared.rejection
            = InboundResponse::error(400, QStringLiteral("invalid_json"),
                                     document ? QStringLiteral("The JSON body must be an object")
                                              : document.error().message);
        return prepared;
    }
    const QJsonObject root = document->object();
    auto data = std::make_shared<Prepared>(Prepared{
        m_endpoint == Endpoint::V4Webhook    ? ThumbtackAdapter::parseV4(root)
        : m_endpoint == Endpoint::LegacyLead ? ThumbtackAdapter::parseLegacyLead(root)
                                             : ThumbtackAdapter::parseLegacyMessage(root)});
    if (data->parsed) {
        QStringList keys;
        for (const Core::InboundEvent &event : std::as_const(data->parsed->events))
            keys << ThumbtackAdapter::dedupeKey(event);
        prepared.dedupeKey = keys.join(QLatin1Char(','));
    }
    prepared.data = std::shared_ptr<const Prepared>(std::move(data));
    return prepared;
}

Core::Result<ProcessOutcome> ThumbtackRoute::process(const InboundRequest &,
                                                     const PreparedRequest &prepared,
                                                     WriteContext &context) const
{
    const auto *data = std::any_cast<std::shared_ptr<const Prepared>>(&prepared.data);
    if (!data || !*data)
        return Core::fail(QStringLiteral("the request was not prepared"));
    ProcessOutcome outcome;
    outcome.response = received();
    const auto &parsed = (*data)->parsed;
    if (!parsed) {
        // Well-formed JSON we cannot use: kept for replay once the adapter knows better.
        outcome.status = ProcessOutcome::Status::Failed;
        outcome.error = parsed.error().toString();
        return outcome;
    }
    if (parsed->events.isEmpty()) {
        outcome.error = parsed->ignoredReason; // e.g. ReviewCreatedV4: received, nothing to do
        return outcome;
    }
    Recorder recorder(context.db, context.ingestor, context.normalizer, context.clock);
    auto applied = recorder.apply(context.business.id, parsed->events);
    if (!applied)
        return std::unexpected(applied.error());
    bool allDuplicate = true;
    QStringList notes;
    QJsonArray outcomes;
    for (const Recorder::Applied &one : std::as_const(*applied)) {
        allDuplicate = allDuplicate && one.outcome == Recorder::Outcome::Duplicate;
        if (outcome.leadId.isEmpty())
            outcome.leadId = one.leadId;
        outcomes.push_back(Recorder::outcomeName(one.outcome));
        if (!one.reason.isEmpty())
            notes << Recorder::outcomeName(one.outcome) + QStringLiteral(": ") + one.reason;
        for (const Core::FieldError &dropped : one.droppedFields)
            notes << QStringLiteral("set aside %1: %2").arg(dropped.field, dropped.message);
    }
    if (allDuplicate)
        outcome.status = ProcessOutcome::Status::Duplicate;
    outcome.error = notes.join(QStringLiteral("; ")).left(2000);
    outcome.response
        = InboundResponse::json(200, QJsonObject{{QStringLiteral("received"), true},
                                                 {QStringLiteral("outcomes"), outcomes}});
    return outcome;
}

InboundResponse ThumbtackRoute::failureResponse(const Core::Error &) const
{
    return received(); // the body is in the journal; replay will finish it
}

} // namespace LeadDesk::Sync
