#include "twilioroute.h"

#include "inboundrecorder.h"
#include "twilioadapter.h"
#include "twiliosignature.h"

#include <memory>

namespace LeadDesk::Sync {

namespace {

using Recorder = Core::InboundRecorder;

struct Prepared
{
    Core::Result<Core::InboundEvent> event;
};

} // namespace

TwilioRoute::TwilioRoute(Endpoint endpoint, QByteArray authToken)
    : m_endpoint(endpoint)
    , m_authToken(std::move(authToken))
{}

InboundRoute::Spec TwilioRoute::spec() const
{
    Spec spec;
    const bool sms = m_endpoint == Endpoint::Sms;
    spec.name = sms ? QStringLiteral("twilio_sms") : QStringLiteral("twilio_status");
    spec.pattern = QString::fromLatin1(sms ? kSmsPattern : kStatusPattern);
    spec.method = "POST";
    spec.kind = Kind::Journalled;
    spec.contentTypes = {"application/x-www-form-urlencoded"};
    spec.maxBodyBytes = 64 * 1024; // 1,600 characters of body and a few dozen parameters
    spec.rateLimited = false;      // Twilio's callbacks come in bursts from its own addresses
    return spec;
}

std::optional<InboundResponse> TwilioRoute::screen(const InboundRequest &request) const
{
    auto params = TwilioSignature::parseForm(request.body);
    if (!params)
        return InboundResponse::error(400, QStringLiteral("invalid_form"), params.error().message);
    auto verified = TwilioSignature::verify(m_authToken, request.publicUrl(), *params,
                                            request.header("x-twilio-signature"));
    if (!verified)
        return InboundResponse::error(403, QStringLiteral("invalid_signature"),
                                      verified.error().message);
    return std::nullopt;
}

PreparedRequest TwilioRoute::prepare(const InboundRequest &request) const
{
    PreparedRequest prepared;
    auto params = TwilioSignature::parseForm(request.body);
    if (!params) {
        prepared.rejection
            = InboundResponse::error(400, QStringLiteral("invalid_form"), params.error().message);
        return prepared;
    }
    auto data = std::make_shared<Prepared>(Prepared{m_endpoint == Endpoint::Sms
                                                        ? TwilioAdapter::parseInbound(*params)
                                                        : TwilioAdapter::parseStatus(*params)});
    if (data->event)
        prepared.dedupeKey = TwilioAdapter::dedupeKey(*data->event);
    prepared.data = std::shared_ptr<const Prepared>(std::move(data));
    return prepared;
}

Core::Result<ProcessOutcome> TwilioRoute::process(const InboundRequest &,
                                                  const PreparedRequest &prepared,
                                                  WriteContext &context) const
{
    const auto *data = std::any_cast<std::shared_ptr<const Prepared>>(&prepared.data);
    if (!data || !*data)
        return Core::fail(QStringLiteral("the request was not prepared"));
    ProcessOutcome outcome;
    outcome.response = success();
    const auto &event = (*data)->event;
    if (!event) {
        outcome.status = ProcessOutcome::Status::Failed;
        outcome.error = event.error().toString();
        return outcome;
    }
    Recorder recorder(context.db, context.ingestor, context.normalizer, context.clock);
    auto applied = recorder.apply(context.business.id, *event);
    if (!applied)
        return std::unexpected(applied.error());
    outcome.leadId = applied->leadId;
    if (applied->outcome == Recorder::Outcome::Duplicate)
        outcome.status = ProcessOutcome::Status::Duplicate;
    if (!applied->reason.isEmpty())
        outcome.error
            = Recorder::outcomeName(applied->outcome) + QStringLiteral(": ") + applied->reason;
    return outcome;
}

InboundResponse TwilioRoute::success() const
{
    if (m_endpoint == Endpoint::Sms)
        return InboundResponse::text(200, TwilioAdapter::emptyTwiml(), "text/xml");
    return InboundResponse::text(200, QByteArray());
}

InboundResponse TwilioRoute::failureResponse(const Core::Error &) const
{
    return success(); // the body is in the journal; replay will finish it
}

} // namespace LeadDesk::Sync
