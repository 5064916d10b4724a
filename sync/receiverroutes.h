#pragma once

#include "businessrepository.h"
#include "inboundroutetable.h"
#include "result.h"

#include <QString>

#include <functional>

namespace LeadDesk::Sync {

// What a route may need to be built: the business it receives for, the public URL the outside
// world reaches us on, and the secrets of the connected sources.
struct RouteEnvironment
{
    Core::Business business;
    QString dataDir;
    QString publicBaseUrl; // e.g. "https://leads.example.com", no trailing slash; may be empty
    // A named secret ("meta.app_secret", "meta.verify_token", "twilio.auth_token"...), empty
    // when not configured. Headless (`serve`): the environment variable LEADDESK_<NAME> with
    // dots as underscores, upper-case (LEADDESK_META_APP_SECRET). Never logged, never stored.
    std::function<QString(const QString &name)> secret;
};

// The one place every HTTP route of LeadDesk is listed (DESIGN §7). Channel adapters add their
// routes here. /health and /metrics are the receiver's own and are not listed.
Core::Result<void> registerDefaultRoutes(InboundRouteTable &table,
                                         const RouteEnvironment &environment);

// The environment-variable secret lookup `serve` uses (see RouteEnvironment::secret).
[[nodiscard]] QString secretFromEnvironment(const QString &name);

} // namespace LeadDesk::Sync
