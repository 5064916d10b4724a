#include "receiverroutes.h"

#include "campaignformanalyticsroute.h"
#include "campaignformroute.h"
#include "campaignformstatusroute.h"

#include <QtGlobal>

#include <memory>

namespace LeadDesk::Sync {

Core::Result<void> registerDefaultRoutes(InboundRouteTable &table,
                                         const RouteEnvironment &environment)
{
    const Core::Business &business = environment.business;
    std::vector<std::shared_ptr<const InboundRoute>> routes;

    // Campaign forms (seed 004).
    routes.push_back(std::make_shared<const CampaignFormRoute>(business));
    routes.push_back(std::make_shared<const CampaignFormStatusRoute>(business));
    routes.push_back(std::make_shared<const CampaignFormAnalyticsRoute>(business));

    // Channel adapters (WhatsApp, Messenger / Lead Ads, Thumbtack, Twilio, chatbot API) are
    // added here: routes.push_back(std::make_shared<const XyzRoute>(business, environment...)).

    for (auto &route : routes) {
        if (auto ok = table.add(std::move(route)); !ok)
            return ok;
    }
    return {};
}

QString secretFromEnvironment(const QString &name)
{
    QString variable = QStringLiteral("LEADDESK_") + name.toUpper();
    variable.replace(QLatin1Char('.'), QLatin1Char('_')).replace(QLatin1Char('-'), QLatin1Char('_'));
    return qEnvironmentVariable(variable.toLatin1().constData());
}

} // namespace LeadDesk::Sync
