// registerDefaultRoutes: every channel's route is listed, and a channel whose secrets are missing
// refuses (screen() answers 401/403 before anything is stored) instead of accepting unsigned or
// anonymous requests.
#include "receiverroutes.h"
#include "testsupport.h"

#include <QTest>

using namespace LeadDesk;

namespace {

Sync::InboundRequest post(const QString &path, const QByteArray &contentType,
                          const QByteArray &body)
{
    Sync::InboundRequest request;
    request.method = "POST";
    request.path = path;
    request.url = QUrl(QStringLiteral("http://127.0.0.1:8080") + path);
    request.headers = {{"content-type", contentType}};
    request.body = body;
    return request;
}

Core::Business business()
{
    Core::Business b;
    b.id = QStringLiteral("b1");
    b.name = QStringLiteral("Test");
    return b;
}

} // namespace

class tst_ReceiverRoutes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void everyChannelIsRegistered_data();
    void everyChannelIsRegistered();
    void missingSecretsRefuse_data();
    void missingSecretsRefuse();
    void secretNamesAreListed();
};

void tst_ReceiverRoutes::everyChannelIsRegistered_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QString>("path");
    QTest::newRow("form") << QByteArray("POST") << QStringLiteral("/v1/api/leads");
    QTest::newRow("chatbot root") << QByteArray("GET") << QStringLiteral("/");
    QTest::newRow("chatbot start") << QByteArray("POST") << QStringLiteral("/api/session/start");
    QTest::newRow("chatbot summary") << QByteArray("GET") << QStringLiteral("/api/lead/summary/s1");
    QTest::newRow("whatsapp") << QByteArray("POST") << QStringLiteral("/webhooks/whatsapp");
    QTest::newRow("whatsapp verify") << QByteArray("GET") << QStringLiteral("/webhooks/whatsapp");
    QTest::newRow("messenger") << QByteArray("POST") << QStringLiteral("/webhooks/messenger");
    QTest::newRow("messenger verify") << QByteArray("GET") << QStringLiteral("/webhooks/messenger");
    QTest::newRow("thumbtack v4") << QByteArray("POST") << QStringLiteral("/webhooks/thumbtack");
    QTest::newRow("thumbtack lead") << QByteArray("POST") << QStringLiteral("/v1/lead");
    QTest::newRow("thumbtack message") << QByteArray("POST") << QStringLiteral("/v1/message");
    QTest::newRow("twilio sms") << QByteArray("POST") << QStringLiteral("/webhooks/twilio/sms");
    QTest::newRow("twilio status")
        << QByteArray("POST") << QStringLiteral("/webhooks/twilio/status");
}

void tst_ReceiverRoutes::everyChannelIsRegistered()
{
    QFETCH(QByteArray, method);
    QFETCH(QString, path);
    Sync::InboundRouteTable table;
    LD_VERIFY_OK(Sync::registerDefaultRoutes(table, {business(), QString(), QString(), {}}));
    QVERIFY(table.match(method, path).route);
}

void tst_ReceiverRoutes::missingSecretsRefuse_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::newRow("whatsapp") << QStringLiteral("/webhooks/whatsapp")
                              << QByteArray("application/json")
                              << Test::readFixture(QStringLiteral("whatsapp_inbound_text.json"))
                              << 401;
    QTest::newRow("messenger") << QStringLiteral("/webhooks/messenger")
                               << QByteArray("application/json")
                               << Test::readFixture(QStringLiteral("leadads_webhook_leadgen.json"))
                               << 401;
    QTest::newRow("thumbtack") << QStringLiteral("/webhooks/thumbtack")
                               << QByteArray("application/json")
                               << Test::readFixture(QStringLiteral(
                                      "thumbtack_v4_webhook_negotiation_created.json"))
                               << 401;
    QTest::newRow("thumbtack legacy")
        << QStringLiteral("/v1/lead") << QByteArray("application/json")
        << Test::readFixture(QStringLiteral("thumbtack_legacy_v1_lead.json")) << 401;
    QTest::newRow("twilio")
        << QStringLiteral("/webhooks/twilio/sms") << QByteArray("application/x-www-form-urlencoded")
        << Test::readFixture(QStringLiteral("twilio_inbound_sms.form")).trimmed() << 403;
}

void tst_ReceiverRoutes::missingSecretsRefuse()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    // A lookup that knows nothing, and one that answers only for other channels.
    for (const bool other : {false, true}) {
        Sync::RouteEnvironment environment{business(), QString(), QString(), {}};
        if (other)
            environment.secret = [](const QString &name) {
                return name == QLatin1String("meta.verify_token") ? QStringLiteral("tok")
                                                                  : QString();
            };
        Sync::InboundRouteTable table;
        LD_VERIFY_OK(Sync::registerDefaultRoutes(table, environment));
        const auto match = table.match("POST", path);
        QVERIFY(match.route);
        const auto screened = match.route->screen(post(path, contentType, body));
        QVERIFY2(screened.has_value(), "accepted without its secret");
        QCOMPARE(screened->status, status);
    }
}

void tst_ReceiverRoutes::secretNamesAreListed()
{
    const QStringList names = Sync::routeSecretNames();
    for (const char *name : {"meta.app_secret", "meta.verify_token", "meta.page_access_token",
                             "twilio.auth_token", "thumbtack.username", "thumbtack.password"})
        QVERIFY2(names.contains(QLatin1String(name)), name);
}

QTEST_GUILESS_MAIN(tst_ReceiverRoutes)
#include "tst_receiverroutes.moc"
