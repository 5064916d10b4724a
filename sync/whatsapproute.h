#pragma once

#include "inboundroute.h"

#include <QByteArray>

namespace LeadDesk::Sync {

// `POST /webhooks/whatsapp`: WhatsApp Cloud API notifications. screen() refuses anything without
// a valid X-Hub-Signature-256 (401, nothing stored); prepare() rejects a body that is not JSON
// (400) and parses the rest with WhatsAppAdapter; process() applies the events through
// Core::InboundRecorder (messages threaded to the person, statuses only moving forward). A
// well-formed delivery the adapter cannot use is journalled as 'failed' for replay and still
// answered 200. The GET handshake on the same path is a MetaHandshakeRoute.
class WhatsAppRoute final : public InboundRoute
{
public:
    static constexpr auto kName = "whatsapp";
    static constexpr auto kPattern = "/webhooks/whatsapp";

    explicit WhatsAppRoute(QByteArray appSecret);

    [[nodiscard]] Spec spec() const override;
    [[nodiscard]] std::optional<InboundResponse>
    screen(const InboundRequest &request) const override;
    [[nodiscard]] PreparedRequest prepare(const InboundRequest &request) const override;
    [[nodiscard]] Core::Result<ProcessOutcome> process(const InboundRequest &request,
                                                       const PreparedRequest &prepared,
                                                       WriteContext &context) const override;
    [[nodiscard]] InboundResponse failureResponse(const Core::Error &error) const override;

private:
    const QByteArray m_appSecret;
};

} // namespace LeadDesk::Sync
