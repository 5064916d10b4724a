#pragma once

#include "inboundroute.h"
#include "leadadsadapter.h"

#include <QByteArray>
#include <QList>

#include <functional>

namespace LeadDesk::Sync {

// `POST /webhooks/messenger`: the Page webhook, which carries both Messenger (`messaging[]`:
// messages, postbacks, delivery receipts by PSID) and Lead Ads (`changes[]` with field
// `leadgen`). screen() refuses anything without a valid X-Hub-Signature-256 (401, nothing
// stored); prepare() rejects a body that is not JSON (400) and parses the rest; process()
// applies the Messenger events through Core::InboundRecorder and passes the leadgen references
// to `leadgenHandler`. The receiver's handler queues them for LeadAdsFetcher, which fetches the
// leads from the Graph API after the answer (it is called on the writer thread and must not
// block); `journal replay`'s fetches and stores them at once, and its error leaves the delivery
// 'failed'. Without a handler a delivery with leadgen changes is journalled as 'failed' so
// `journal replay` can finish it once Lead Ads is connected. The GET handshake is a
// MetaHandshakeRoute.
class MessengerRoute final : public InboundRoute
{
public:
    static constexpr auto kName = "messenger";
    static constexpr auto kPattern = "/webhooks/messenger";

    using LeadgenHandler = std::function<Core::Result<void>(
        const QList<LeadAdsAdapter::LeadgenRef> &refs, WriteContext &context)>;

    explicit MessengerRoute(QByteArray appSecret, LeadgenHandler leadgenHandler = {});

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
    const LeadgenHandler m_leadgenHandler;
};

} // namespace LeadDesk::Sync
