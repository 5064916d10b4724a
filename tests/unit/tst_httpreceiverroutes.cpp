// The route interface the channel adapters implement: matching, the request view's helpers,
// JSON body limits, the error shape and the default registration.
#include "testsupport.h"

#include "inboundroutetable.h"
#include "receiverroutes.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace LeadDesk;

namespace {

class FixedRoute final : public Sync::InboundRoute
{
public:
    FixedRoute(QString name, QByteArray method, QString pattern)
        : m_name(std::move(name))
        , m_method(std::move(method))
        , m_pattern(std::move(pattern))
    {}
    Spec spec() const override
    {
        Spec spec;
        spec.name = m_name;
        spec.method = m_method;
        spec.pattern = m_pattern;
        return spec;
    }

private:
    QString m_name;
    QByteArray m_method;
    QString m_pattern;
};

std::shared_ptr<const Sync::InboundRoute> route(const char *name, const char *method,
                                                const char *pattern)
{
    return std::make_shared<const FixedRoute>(QString::fromLatin1(name), QByteArray(method),
                                              QString::fromLatin1(pattern));
}

} // namespace

class tst_HttpReceiverRoutes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matchesPathParameters();
    void literalSegmentsWinOverParameters();
    void unknownMethodListsTheAllowedOnes();
    void refusesBadOrDuplicateRoutes();
    void requestHelpers();
    void errorShapeIsSeed004s();
    void jsonBodyLimits_data();
    void jsonBodyLimits();
    void defaultRoutesIncludeTheCampaignForms();
    void secretsComeFromTheEnvironment();
};

void tst_HttpReceiverRoutes::matchesPathParameters()
{
    Sync::InboundRouteTable table;
    LD_VERIFY_OK(table.add(route("status", "GET", "/v1/api/leads/{lead_id}/status")));
    const auto match = table.match("GET", QStringLiteral("/v1/api/leads/lead_42/status"));
    QVERIFY(match.route);
    QCOMPARE(match.spec->name, QStringLiteral("status"));
    QCOMPARE(match.params.value(QStringLiteral("lead_id")), QStringLiteral("lead_42"));
    QVERIFY(table.match("GET", QStringLiteral("/v1/api/leads/lead_42/status/")).route);
    QVERIFY(!table.match("GET", QStringLiteral("/v1/api/leads/lead_42")).route);
    QVERIFY(!table.match("GET", QStringLiteral("/v1/api/leads/a/b/status")).route);
}

void tst_HttpReceiverRoutes::literalSegmentsWinOverParameters()
{
    Sync::InboundRouteTable table;
    LD_VERIFY_OK(table.add(route("by_id", "GET", "/v1/api/leads/{lead_id}")));
    LD_VERIFY_OK(table.add(route("export", "GET", "/v1/api/leads/export")));
    QCOMPARE(table.match("GET", QStringLiteral("/v1/api/leads/export")).spec->name,
             QStringLiteral("export"));
    QCOMPARE(table.match("GET", QStringLiteral("/v1/api/leads/lead_1")).spec->name,
             QStringLiteral("by_id"));
}

void tst_HttpReceiverRoutes::unknownMethodListsTheAllowedOnes()
{
    Sync::InboundRouteTable table;
    LD_VERIFY_OK(table.add(route("wa_verify", "GET", "/webhooks/whatsapp")));
    LD_VERIFY_OK(table.add(route("wa_events", "POST", "/webhooks/whatsapp")));
    const auto match = table.match("PUT", QStringLiteral("/webhooks/whatsapp"));
    QVERIFY(!match.route);
    QCOMPARE(match.allowed, (QList<QByteArray>{"GET", "POST"}));
    QVERIFY(table.match("GET", QStringLiteral("/nothing")).allowed.isEmpty());
    QCOMPARE(table.byName(QStringLiteral("wa_events"))->spec().method, QByteArray("POST"));
}

void tst_HttpReceiverRoutes::refusesBadOrDuplicateRoutes()
{
    Sync::InboundRouteTable table;
    LD_VERIFY_OK(table.add(route("a", "POST", "/x/{id}")));
    QVERIFY(!table.add(route("b", "POST", "/x/{other}"))); // same shape, same method
    QVERIFY(!table.add(route("a", "GET", "/y")));          // same name
    QVERIFY(!table.add(route("c", "GET", "no-slash")));
    QVERIFY(!table.add(route("d", "GET", "/x/{broken")));
    QVERIFY(!table.add(nullptr));
    LD_VERIFY_OK(table.add(route("e", "GET", "/x/{id}")));
    QCOMPARE(table.specs().size(), 2);
}

void tst_HttpReceiverRoutes::requestHelpers()
{
    Sync::InboundRequest request;
    request.headers
        = {{"content-type", "Application/JSON; charset=UTF-8"}, {"x-twilio-signature", "abc="}};
    request.url
        = QUrl(QStringLiteral("http://10.0.0.5:8080/webhooks/twilio/sms?a=1&b=two%20words"));
    QCOMPARE(request.mediaType(), QByteArray("application/json"));
    QCOMPARE(request.header("x-twilio-signature"), QByteArray("abc="));
    QVERIFY(!request.hasHeader("x-missing"));
    QCOMPARE(request.publicUrl(), request.url.toString(QUrl::FullyEncoded));
    request.publicBaseUrl = QStringLiteral("https://leads.example.com");
    QCOMPARE(request.publicUrl(),
             QStringLiteral("https://leads.example.com/webhooks/twilio/sms?a=1&b=two%20words"));
}

void tst_HttpReceiverRoutes::errorShapeIsSeed004s()
{
    const Sync::InboundResponse response = Sync::InboundResponse::error(
        400, QStringLiteral("VALIDATION_ERROR"), QStringLiteral("Invalid email format"),
        QStringLiteral("contact.email"));
    QCOMPARE(response.status, 400);
    QCOMPARE(response.contentType, QByteArray("application/json"));
    QCOMPARE(QJsonDocument::fromJson(response.body).object(),
             (QJsonObject{{QStringLiteral("success"), false},
                          {QStringLiteral("error"), QStringLiteral("VALIDATION_ERROR")},
                          {QStringLiteral("message"), QStringLiteral("Invalid email format")},
                          {QStringLiteral("field"), QStringLiteral("contact.email")},
                          {QStringLiteral("code"), 400}}));
    const QJsonObject noField
        = QJsonDocument::fromJson(
              Sync::InboundResponse::error(404, QStringLiteral("NOT_FOUND"), QStringLiteral("x"))
                  .body)
              .object();
    QVERIFY(noField.value(QStringLiteral("field")).isNull());
}

void tst_HttpReceiverRoutes::jsonBodyLimits_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("ok");
    QTest::newRow("object") << QByteArray(R"({"a":[1,{"b":"}]{["}]})") << true;
    QTest::newRow("escaped quote")
        << QByteArray(R"({"a":"\"[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["})") << true;
    QTest::newRow("32 deep") << QByteArray(QByteArray(32, '[') + QByteArray(32, ']')) << true;
    QTest::newRow("33 deep") << QByteArray(QByteArray(33, '[') + QByteArray(33, ']')) << false;
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("blank") << QByteArray(" \r\n") << false;
    QTest::newRow("scalar") << QByteArray("42") << false;
    QTest::newRow("truncated") << QByteArray(R"({"a":)") << false;
    QTest::newRow("invalid UTF-8") << QByteArray("{\"a\":\"\xC0\xAF\"}") << false;
    QTest::newRow("surrogate in UTF-8") << QByteArray("{\"a\":\"\xED\xA0\x80\"}") << false;
    QTest::newRow("valid UTF-8") << QByteArray("{\"a\":\"Jos\xC3\xA9 \xF0\x9F\x98\x80\"}") << true;
    QTest::newRow("trailing garbage") << QByteArray(R"({"a":1} x)") << false;
}

void tst_HttpReceiverRoutes::jsonBodyLimits()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, ok);
    const auto document = Sync::InboundRoute::parseJsonBody(body, 32);
    QCOMPARE(document.has_value(), ok);
}

void tst_HttpReceiverRoutes::defaultRoutesIncludeTheCampaignForms()
{
    Sync::InboundRouteTable table;
    Core::Business business;
    business.id = QStringLiteral("b1");
    LD_VERIFY_OK(Sync::registerDefaultRoutes(table, {business, QString(), QString(), {}}));
    const auto form = table.match("POST", QStringLiteral("/v1/api/leads"));
    QVERIFY(form.route);
    QCOMPARE(form.spec->kind, Sync::InboundRoute::Kind::Journalled);
    QCOMPARE(form.spec->contentTypes, (QList<QByteArray>{"application/json"}));
    QCOMPARE(table.match("GET", QStringLiteral("/v1/api/leads/lead_1/status")).spec->kind,
             Sync::InboundRoute::Kind::Read);
    QCOMPARE(table.match("GET", QStringLiteral("/v1/api/campaigns/c/analytics")).spec->kind,
             Sync::InboundRoute::Kind::Read);
    // /health and /metrics belong to the receiver itself.
    QVERIFY(!table.match("GET", QStringLiteral("/health")).route);
}

void tst_HttpReceiverRoutes::secretsComeFromTheEnvironment()
{
    qputenv("LEADDESK_META_APP_SECRET", "from-env");
    QCOMPARE(Sync::secretFromEnvironment(QStringLiteral("meta.app_secret")),
             QStringLiteral("from-env"));
    QCOMPARE(Sync::secretFromEnvironment(QStringLiteral("twilio.auth-token")), QString());
    qunsetenv("LEADDESK_META_APP_SECRET");
}

QTEST_GUILESS_MAIN(tst_HttpReceiverRoutes)
#include "tst_httpreceiverroutes.moc"
