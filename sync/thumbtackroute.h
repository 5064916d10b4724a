#pragma once

#include "inboundroute.h"

#include <QString>

namespace LeadDesk::Sync {

// Thumbtack's three inbound endpoints, one route object each (DESIGN §7):
//   V4Webhook     POST /webhooks/thumbtack  NegotiationCreatedV4 / MessageCreatedV4 {event, data}
//   LegacyLead    POST /v1/lead             seed 000's partner lead transfer
//   LegacyMessage POST /v1/message          seed 000's partner message transfer
// screen() checks HTTP Basic (the username / password the business registered the webhook with,
// compared in constant time): 401 with WWW-Authenticate when wrong or missing, nothing stored.
// Thumbtack's self-serve webhooks cannot send credentials; only with `allowUnauthenticated`
// are requests without them taken, and then only while no credentials are configured.
// prepare() rejects a body that is not a JSON object (400) and parses the rest with
// ThumbtackAdapter; process() applies the events through Core::InboundRecorder (a negotiation is
// deduped by its id, a message by its id). A well-formed body the adapter cannot use (a missing
// negotiationID) is journalled as 'failed' for `journal replay` after a fix and answered 200,
// like a store failure: the body is safe, and Thumbtack would only retry it.
class ThumbtackRoute final : public InboundRoute
{
public:
    enum class Endpoint { V4Webhook, LegacyLead, LegacyMessage };

    static constexpr auto kV4Pattern = "/webhooks/thumbtack";
    static constexpr auto kLegacyLeadPattern = "/v1/lead";
    static constexpr auto kLegacyMessagePattern = "/v1/message";

    struct Credentials
    {
        QString username; // RouteEnvironment secrets "thumbtack.username" / "thumbtack.password"
        QString password;
    };

    ThumbtackRoute(Endpoint endpoint, Credentials credentials, bool allowUnauthenticated = false);

    [[nodiscard]] Spec spec() const override;
    [[nodiscard]] std::optional<InboundResponse>
    screen(const InboundRequest &request) const override;
    [[nodiscard]] PreparedRequest prepare(const InboundRequest &request) const override;
    [[nodiscard]] Core::Result<ProcessOutcome> process(const InboundRequest &request,
                                                       const PreparedRequest &prepared,
                                                       WriteContext &context) const override;
    [[nodiscard]] InboundResponse failureResponse(const Core::Error &error) const override;

private:
    const Endpoint m_endpoint;
    const Credentials m_credentials;
    const bool m_allowUnauthenticated;
};

} // namespace LeadDesk::Sync
