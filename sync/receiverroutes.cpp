#include "receiverroutes.h"

#include "campaignformanalyticsroute.h"
#include "campaignformroute.h"
#include "campaignformstatusroute.h"
#include "chatbotroutes.h"
#include "messengerroute.h"
#include "metahandshakeroute.h"
#include "thumbtackroute.h"
#include "twilioroute.h"
#include "whatsapproute.h"

#include <QLoggingCategory>
#include <QtGlobal>

#include <memory>

Q_LOGGING_CATEGORY(lcReceiverRoutes, "leaddesk.routes")

namespace LeadDesk::Sync {

namespace {

QString secretOf(const RouteEnvironment &environment, const QString &name)
{
    return environment.secret ? environment.secret(name) : QString();
}

// A channel without its secrets stays registered and refuses every request; say so once.
void warnUnconfigured(const QString &channel, const QStringList &missing, const QString &effect)
{
    qCWarning(lcReceiverRoutes).noquote()
        << QStringLiteral("%1: secret %2 not configured: %3")
               .arg(channel, missing.join(QStringLiteral(" / ")), effect);
}

} // namespace

Core::Result<void> registerDefaultRoutes(InboundRouteTable &table,
                                         const RouteEnvironment &environment)
{
    const Core::Business &business = environment.business;
    std::vector<std::shared_ptr<const InboundRoute>> routes;

    // Campaign forms (seed 004).
    routes.push_back(std::make_shared<const CampaignFormRoute>(business));
    routes.push_back(std::make_shared<const CampaignFormStatusRoute>(business));
    routes.push_back(std::make_shared<const CampaignFormAnalyticsRoute>(business));

    // The chatbot API (seeds 001/002). Browsers reach it from the business's site, so it needs
    // CORS: that is the receiver's Options::allowedOrigins (serve --allow-origin), not opened
    // here, because it applies to every path.
    auto chatbot = ChatbotRoute::defaultSetup(business);
    if (!chatbot)
        return std::unexpected(chatbot.error());
    for (auto &route : ChatbotRoute::all(business, *chatbot))
        routes.push_back(std::move(route));

    // Meta: WhatsApp Cloud API and the Page webhook (Messenger + Lead Ads). Without an app
    // secret every POST fails its X-Hub-Signature-256 check (401); without a verify token the
    // handshake is refused (403).
    const QByteArray appSecret = secretOf(environment, QStringLiteral("meta.app_secret")).toUtf8();
    const QString verifyToken = secretOf(environment, QStringLiteral("meta.verify_token"));
    if (appSecret.isEmpty())
        warnUnconfigured(QStringLiteral("WhatsApp / Messenger"),
                         {QStringLiteral("meta.app_secret")},
                         QStringLiteral("every webhook POST is refused (401)"));
    if (verifyToken.isEmpty())
        warnUnconfigured(QStringLiteral("WhatsApp / Messenger"),
                         {QStringLiteral("meta.verify_token")},
                         QStringLiteral("the subscription handshake is refused (403)"));
    routes.push_back(std::make_shared<const MetaHandshakeRoute>(
        QStringLiteral("whatsapp_verify"), QString::fromLatin1(WhatsAppRoute::kPattern),
        verifyToken));
    routes.push_back(std::make_shared<const WhatsAppRoute>(appSecret));
    routes.push_back(std::make_shared<const MetaHandshakeRoute>(
        QStringLiteral("messenger_verify"), QString::fromLatin1(MessengerRoute::kPattern),
        verifyToken));
    routes.push_back(std::make_shared<const MessengerRoute>(appSecret, environment.leadgenHandler));

    // Thumbtack: HTTP Basic with the credentials the webhook was registered with. Anonymous
    // posts are never taken (allowUnauthenticated stays false): no credentials, every post 401.
    ThumbtackRoute::Credentials thumbtack;
    thumbtack.username = secretOf(environment, QStringLiteral("thumbtack.username"));
    thumbtack.password = secretOf(environment, QStringLiteral("thumbtack.password"));
    if (thumbtack.username.isEmpty() && thumbtack.password.isEmpty())
        warnUnconfigured(
            QStringLiteral("Thumbtack"),
            {QStringLiteral("thumbtack.username"), QStringLiteral("thumbtack.password")},
            QStringLiteral("every post is refused (401)"));
    for (const auto endpoint :
         {ThumbtackRoute::Endpoint::V4Webhook, ThumbtackRoute::Endpoint::LegacyLead,
          ThumbtackRoute::Endpoint::LegacyMessage})
        routes.push_back(std::make_shared<const ThumbtackRoute>(endpoint, thumbtack));

    // Twilio: X-Twilio-Signature over the public URL with the auth token; without a token every
    // request is refused (TwilioRoute).
    const QByteArray twilioToken
        = secretOf(environment, QStringLiteral("twilio.auth_token")).toUtf8();
    if (twilioToken.isEmpty())
        warnUnconfigured(QStringLiteral("Twilio"), {QStringLiteral("twilio.auth_token")},
                         QStringLiteral("every request is refused (403)"));
    else if (environment.publicBaseUrl.isEmpty())
        qCInfo(lcReceiverRoutes) << "Twilio: no public URL set; signatures are checked against "
                                    "the Host the request names";
    routes.push_back(std::make_shared<const TwilioRoute>(TwilioRoute::Endpoint::Sms, twilioToken));
    routes.push_back(
        std::make_shared<const TwilioRoute>(TwilioRoute::Endpoint::Status, twilioToken));

    for (auto &route : routes) {
        if (auto ok = table.add(std::move(route)); !ok)
            return ok;
    }
    return {};
}

QString secretFromEnvironment(const QString &name)
{
    QString variable = QStringLiteral("LEADDESK_") + name.toUpper();
    variable.replace(QLatin1Char('.'), QLatin1Char('_'))
        .replace(QLatin1Char('-'), QLatin1Char('_'));
    return qEnvironmentVariable(variable.toLatin1().constData());
}

QStringList routeSecretNames()
{
    return {QStringLiteral("meta.app_secret"),        QStringLiteral("meta.verify_token"),
            QStringLiteral("meta.page_access_token"), QStringLiteral("twilio.auth_token"),
            QStringLiteral("thumbtack.username"),     QStringLiteral("thumbtack.password")};
}

} // namespace LeadDesk::Sync
