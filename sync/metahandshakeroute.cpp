#include "metahandshakeroute.h"

#include "metasignature.h"

namespace LeadDesk::Sync {

MetaHandshakeRoute::MetaHandshakeRoute(QString name, QString pattern, QString verifyToken)
    : m_name(std::move(name))
    , m_pattern(std::move(pattern))
    , m_verifyToken(std::move(verifyToken))
{}

InboundRoute::Spec MetaHandshakeRoute::spec() const
{
    Spec spec;
    spec.name = m_name;
    spec.method = "GET";
    spec.pattern = m_pattern;
    spec.kind = Kind::Direct;
    spec.rateLimited = true; // only Meta's dashboard calls this, rarely
    return spec;
}

std::optional<InboundResponse> MetaHandshakeRoute::screen(const InboundRequest &request) const
{
    const MetaSignature::HandshakeReply reply
        = MetaSignature::handshake(request.query, m_verifyToken);
    if (reply.status == 200)
        return InboundResponse::text(200, reply.body);
    if (reply.status == 400)
        return InboundResponse::error(400, QStringLiteral("INVALID_CHALLENGE"),
                                      QStringLiteral("hub.challenge is missing or malformed"));
    return InboundResponse::error(403, QStringLiteral("FORBIDDEN"),
                                  QStringLiteral("hub.mode or hub.verify_token is wrong"));
}

} // namespace LeadDesk::Sync
