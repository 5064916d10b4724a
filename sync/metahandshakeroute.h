#pragma once

#include "inboundroute.h"

#include <QString>

namespace LeadDesk::Sync {

// `GET /webhooks/whatsapp` and `GET /webhooks/messenger`: Meta's subscription handshake
// (hub.mode=subscribe, hub.verify_token, hub.challenge), answered on the server thread with the
// challenge as text/plain, or 403 when the token is wrong (see MetaSignature::handshake). Nothing
// is journalled: the request carries no data.
class MetaHandshakeRoute final : public InboundRoute
{
public:
    // `name` is the route's stable id ("whatsapp_verify"), `pattern` its path.
    MetaHandshakeRoute(QString name, QString pattern, QString verifyToken);

    [[nodiscard]] Spec spec() const override;
    [[nodiscard]] std::optional<InboundResponse>
    screen(const InboundRequest &request) const override;

private:
    const QString m_name;
    const QString m_pattern;
    const QString m_verifyToken;
};

} // namespace LeadDesk::Sync
