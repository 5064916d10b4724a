#pragma once

#include "businessrepository.h"
#include "inboundroutetable.h"
#include "leadadsadapter.h"
#include "messengerroute.h"
#include "result.h"

#include <QList>
#include <QString>
#include <QStringList>

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
    // Lead Ads: where the Messenger route hands `leadgen` references (MessengerRoute). Empty: a
    // delivery with leadgen changes is journalled 'failed' so `journal replay` finishes it later.
    MessengerRoute::LeadgenHandler leadgenHandler = {};
};

// The one place every HTTP route of LeadDesk is listed (DESIGN §7): campaign forms, the chatbot
// API, WhatsApp and Messenger / Lead Ads (with their GET handshakes), Thumbtack, Twilio. /health
// and /metrics are the receiver's own and are not listed. A channel whose secrets are missing is
// still registered and refuses every request (401/403, nothing stored), with one warning here -
// never unsigned or anonymous acceptance.
Core::Result<void> registerDefaultRoutes(InboundRouteTable &table,
                                         const RouteEnvironment &environment);

// The environment-variable secret lookup `serve` uses (see RouteEnvironment::secret).
[[nodiscard]] QString secretFromEnvironment(const QString &name);

// The secret names the routes read, for documentation and `serve`'s start-up check.
[[nodiscard]] QStringList routeSecretNames();

} // namespace LeadDesk::Sync
