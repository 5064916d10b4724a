#include "messengerroute.h"

#include "messengeradapter.h"
#include "metaroutesupport.h"

#include <memory>

namespace LeadDesk::Sync {

namespace {

struct Parsed
{
    Core::Result<QList<Core::InboundEvent>> events;
    Core::Result<QList<LeadAdsAdapter::LeadgenRef>> leadgens;
};

} // namespace

MessengerRoute::MessengerRoute(QByteArray appSecret, LeadgenHandler leadgenHandler)
    : m_appSecret(std::move(appSecret))
    , m_leadgenHandler(std::move(leadgenHandler))
{}

InboundRoute::Spec MessengerRoute::spec() const
{
    Spec spec;
    spec.name = QString::fromLatin1(kName);
    spec.method = "POST";
    spec.pattern = QString::fromLatin1(kPattern);
    spec.kind = Kind::Journalled;
    spec.contentTypes = {"application/json"};
    spec.maxBodyBytes = MetaRouteSupport::kMaxBodyBytes;
    spec.rateLimited = false;
    return spec;
}

std::optional<InboundResponse> MessengerRoute::screen(const InboundRequest &request) const
{
    return MetaRouteSupport::screenSignature(request, m_appSecret);
}

PreparedRequest MessengerRoute::prepare(const InboundRequest &request) const
{
    PreparedRequest prepared;
    prepared.rejection = MetaRouteSupport::rejectUnreadable(request.body);
    if (prepared.rejection)
        return prepared;
    auto parsed = std::make_shared<Parsed>(
        Parsed{MessengerAdapter::parse(request.body), LeadAdsAdapter::parseWebhook(request.body)});
    if (parsed->events && parsed->leadgens) {
        QStringList keys;
        for (const Core::InboundEvent &event : std::as_const(*parsed->events))
            keys << MessengerAdapter::dedupeKey(event);
        for (const LeadAdsAdapter::LeadgenRef &ref : std::as_const(*parsed->leadgens))
            keys << QStringLiteral("leadgen:") + ref.leadgenId;
        prepared.dedupeKey = MetaRouteSupport::dedupeKey(keys);
    }
    prepared.data = std::shared_ptr<const Parsed>(std::move(parsed));
    return prepared;
}

Core::Result<ProcessOutcome> MessengerRoute::process(const InboundRequest &,
                                                     const PreparedRequest &prepared,
                                                     WriteContext &context) const
{
    const auto *parsed = std::any_cast<std::shared_ptr<const Parsed>>(&prepared.data);
    if (!parsed || !*parsed)
        return Core::fail(QStringLiteral("the request was not prepared"));
    if (!(*parsed)->events)
        return MetaRouteSupport::failedOutcome((*parsed)->events.error());
    if (!(*parsed)->leadgens)
        return MetaRouteSupport::failedOutcome((*parsed)->leadgens.error());
    const QList<LeadAdsAdapter::LeadgenRef> &leadgens = *(*parsed)->leadgens;
    if (!leadgens.isEmpty() && !m_leadgenHandler)
        return MetaRouteSupport::failedOutcome(
            Core::Error{QStringLiteral("Lead Ads is not connected: %1 leadgen change(s) kept for "
                                       "replay")
                            .arg(leadgens.size()),
                        {}});

    auto outcome = MetaRouteSupport::applyEvents(*(*parsed)->events, context);
    if (!outcome)
        return outcome;
    if (!leadgens.isEmpty()) {
        // The lead's fields are not in the webhook; they are read from the Graph API off this
        // thread. The store dedupes on the leadgen id, so a retried delivery is harmless.
        if (auto handled = m_leadgenHandler(leadgens, context); !handled)
            return MetaRouteSupport::failedOutcome(handled.error());
        outcome->status = ProcessOutcome::Status::Processed;
    }
    return outcome;
}

InboundResponse MessengerRoute::failureResponse(const Core::Error &) const
{
    return MetaRouteSupport::received();
}

} // namespace LeadDesk::Sync
