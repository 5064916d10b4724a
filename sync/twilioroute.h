#pragma once

#include "inboundroute.h"

#include <QByteArray>

namespace LeadDesk::Sync {

// Twilio Programmable Messaging webhooks, one route object per endpoint (DESIGN §7):
//   Sms     POST /webhooks/twilio/sms     inbound SMS / MMS; answered with empty TwiML
//                                         (`<Response></Response>`, text/xml: no auto-reply)
//   Status  POST /webhooks/twilio/status  StatusCallback delivery updates; answered 200, empty
// screen() refuses a body that is not a form (400) and any request whose X-Twilio-Signature does
// not match the auth token over InboundRequest::publicUrl() (403; behind a reverse proxy set the
// public base URL, since Twilio signs the URL it called). prepare() parses with TwilioAdapter;
// process() applies the event through Core::InboundRecorder: messages threaded by phone number,
// STOP / START / HELP recorded on the contact, statuses only moving forward. A signed request
// the adapter cannot use (no MessageSid) is journalled as 'failed' for replay and answered 200,
// as Twilio would otherwise retry or log an error for a body that is safe with us.
class TwilioRoute final : public InboundRoute
{
public:
    enum class Endpoint { Sms, Status };

    static constexpr auto kSmsPattern = "/webhooks/twilio/sms";
    static constexpr auto kStatusPattern = "/webhooks/twilio/status";

    // `authToken`: RouteEnvironment secret "twilio.auth_token". Empty: every request is refused.
    TwilioRoute(Endpoint endpoint, QByteArray authToken);

    [[nodiscard]] Spec spec() const override;
    [[nodiscard]] std::optional<InboundResponse>
    screen(const InboundRequest &request) const override;
    [[nodiscard]] PreparedRequest prepare(const InboundRequest &request) const override;
    [[nodiscard]] Core::Result<ProcessOutcome> process(const InboundRequest &request,
                                                       const PreparedRequest &prepared,
                                                       WriteContext &context) const override;
    [[nodiscard]] InboundResponse failureResponse(const Core::Error &error) const override;

private:
    [[nodiscard]] InboundResponse success() const;

    const Endpoint m_endpoint;
    const QByteArray m_authToken;
};

} // namespace LeadDesk::Sync
