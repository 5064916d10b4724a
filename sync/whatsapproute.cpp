#include "whatsapproute.h"

#include "metaroutesupport.h"
#include "whatsappadapter.h"

#include <memory>

namespace LeadDesk::Sync {

namespace {

// What prepare() hands to process(): the events, or why the adapter refused them.
struct Parsed
{
    Core::Result<QList<Core::InboundEvent>> events;
};

} // namespace

WhatsAppRoute::WhatsAppRoute(QByteArray appSecret)
    : m_appSecret(std::move(appSecret))
{}

InboundRoute::Spec WhatsAppRoute::spec() const
{
    Spec spec;
    spec.name = QString::fromLatin1(kName);
    spec.method = "POST";
    spec.pattern = QString::fromLatin1(kPattern);
    spec.kind = Kind::Journalled;
    spec.contentTypes = {"application/json"};
    spec.maxBodyBytes = MetaRouteSupport::kMaxBodyBytes;
    spec.rateLimited = false; // Meta delivers bursts from a few addresses
    return spec;
}

std::optional<InboundResponse> WhatsAppRoute::screen(const InboundRequest &request) const
{
    return MetaRouteSupport::screenSignature(request, m_appSecret);
}

PreparedRequest WhatsAppRoute::prepare(const InboundRequest &request) const
{
    PreparedRequest prepared;
    prepared.rejection = MetaRouteSupport::rejectUnreadable(request.body);
    if (prepared.rejection)
        return prepared;
    auto parsed = std::make_shared<Parsed>(Parsed{WhatsAppAdapter::parse(request.body)});
    if (parsed->events) {
        QStringList keys;
        for (const Core::InboundEvent &event : std::as_const(*parsed->events))
            keys << WhatsAppAdapter::dedupeKey(event);
        prepared.dedupeKey = MetaRouteSupport::dedupeKey(keys);
    }
    prepared.data = std::shared_ptr<const Parsed>(std::move(parsed));
    return prepared;
}

Core::Result<ProcessOutcome> WhatsAppRoute::process(const InboundRequest &,
                                                    const PreparedRequest &prepared,
                                                    WriteContext &context) const
{
    const auto *parsed = std::any_cast<std::shared_ptr<const Parsed>>(&prepared.data);
    if (!parsed || !*parsed)
        return Core::fail(QStringLiteral("the request was not prepared"));
    if (!(*parsed)->events)
        return MetaRouteSupport::failedOutcome((*parsed)->events.error());
    return MetaRouteSupport::applyEvents(*(*parsed)->events, context);
}

InboundResponse WhatsAppRoute::failureResponse(const Core::Error &) const
{
    return MetaRouteSupport::received(); // the body is in the journal; replay will finish it
}

} // namespace LeadDesk::Sync
