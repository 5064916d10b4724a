#include "businessrepository.h"
#include "clock.h"
#include "inboundroutetable.h"
#include "journalprocessor.h"
#include "testsupport.h"
#include "thumbtackroute.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;
using Sync::InboundRequest;
using Sync::ThumbtackRoute;
using Endpoint = ThumbtackRoute::Endpoint;

namespace {

constexpr qint64 kNow = 1'741'100'000'000;
const ThumbtackRoute::Credentials kCredentials{QStringLiteral("thumbtack-hook"),
                                               QStringLiteral("s3cret")};

// What the receiver does with one request, minus the socket: screen() on the "server thread",
// then prepare() and JournalProcessor::receive() in one writer transaction.
struct Harness
{
    Test::TempStore store;
    Core::ManualClock clock{kNow};
    std::shared_ptr<Sync::InboundRouteTable> table = std::make_shared<Sync::InboundRouteTable>();
    std::shared_ptr<const ThumbtackRoute> v4, legacyLead, legacyMessage;
    std::unique_ptr<Sync::JournalProcessor> processor;

    explicit Harness(const ThumbtackRoute::Credentials &credentials = kCredentials,
                     bool allowUnauthenticated = false)
        : v4(std::make_shared<const ThumbtackRoute>(Endpoint::V4Webhook, credentials,
                                                    allowUnauthenticated))
        , legacyLead(std::make_shared<const ThumbtackRoute>(Endpoint::LegacyLead, credentials))
        , legacyMessage(
              std::make_shared<const ThumbtackRoute>(Endpoint::LegacyMessage, credentials))
    {
        for (const auto &route : {v4, legacyLead, legacyMessage})
            (void)table->add(route);
        auto business = Core::BusinessRepository(store.db()).primary();
        processor = std::make_unique<Sync::JournalProcessor>(
            table, business.value_or(Core::Business{}), Sync::JournalProcessor::Options{}, clock);
    }

    struct Result
    {
        Sync::InboundResponse response;
        QString journalStatus; // empty: screened out, nothing stored
        QString error;
    };

    Result send(const ThumbtackRoute &route, const QByteArray &body,
                const QByteArray &authorization
                = "Basic " + QByteArray("thumbtack-hook:s3cret").toBase64())
    {
        InboundRequest request;
        request.method = "POST";
        request.path = route.spec().pattern;
        request.url = QUrl(QStringLiteral("http://127.0.0.1:8080") + request.path);
        request.body = body;
        request.headers = {{"content-type", "application/json"}};
        if (!authorization.isEmpty())
            request.headers.push_back({"authorization", authorization});
        request.receivedAtMs = kNow;
        Result result;
        if (auto refused = route.screen(request)) {
            result.response = *refused;
            return result;
        }
        const Sync::PreparedRequest prepared = route.prepare(request);
        Core::Transaction transaction(store.db());
        auto answer = processor->receive(store.db(), route, route.spec().name, request, prepared);
        if (!answer || !transaction.commit()) {
            result.journalStatus = QStringLiteral("<store error>");
            return result;
        }
        result.response = answer->response;
        result.journalStatus = answer->journalStatus;
        result.error = answer->error;
        return result;
    }

    int count(const QString &table, const QString &where = {})
    {
        return Test::countRows(store.db(), table, where);
    }
    QString scalar(const QString &sql)
    {
        QSqlQuery q(store.db().connection());
        if (!q.exec(sql) || !q.next())
            return QStringLiteral("<none>");
        return q.value(0).isNull() ? QStringLiteral("<null>") : q.value(0).toString();
    }
};

QByteArray fixture(const char *name)
{
    return Test::readFixture(QString::fromLatin1(name));
}

} // namespace

class tst_ThumbtackRoute : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void specs();
    void credentialsAreChecked_data();
    void credentialsAreChecked();
    void unconfiguredCredentials();
    void negotiationThenMessage();
    void redeliveriesChangeNothing();
    void messageBeforeNegotiation();
    void unreadableBodiesAreRejected_data();
    void unreadableBodiesAreRejected();
    void missingRequiredFieldIsKeptAsFailed();
    void otherEventTypesAreReceived();
    void legacyEndpoints();
    void injectionInEveryFieldIsStoredVerbatim();
};

void tst_ThumbtackRoute::specs()
{
    QCOMPARE(ThumbtackRoute(Endpoint::V4Webhook, kCredentials).spec().pattern,
             QStringLiteral("/webhooks/thumbtack"));
    QCOMPARE(ThumbtackRoute(Endpoint::LegacyLead, kCredentials).spec().pattern,
             QStringLiteral("/v1/lead"));
    QCOMPARE(ThumbtackRoute(Endpoint::LegacyMessage, kCredentials).spec().pattern,
             QStringLiteral("/v1/message"));
    const auto spec = ThumbtackRoute(Endpoint::V4Webhook, kCredentials).spec();
    QCOMPARE(spec.method, QByteArray("POST"));
    QCOMPARE(spec.kind, Sync::InboundRoute::Kind::Journalled);
}

void tst_ThumbtackRoute::credentialsAreChecked_data()
{
    QTest::addColumn<QByteArray>("authorization");
    QTest::addColumn<int>("status");
    QTest::newRow("right") << "Basic " + QByteArray("thumbtack-hook:s3cret").toBase64() << 200;
    QTest::newRow("missing") << QByteArray() << 401;
    QTest::newRow("wrong password")
        << "Basic " + QByteArray("thumbtack-hook:s3cre").toBase64() << 401;
    QTest::newRow("wrong user") << "Basic " + QByteArray("thumbtack:s3cret").toBase64() << 401;
    QTest::newRow("bearer") << QByteArray("Bearer s3cret") << 401;
    QTest::newRow("garbage") << QByteArray("Basic '; DROP TABLE leads;--") << 401;
}

void tst_ThumbtackRoute::credentialsAreChecked()
{
    QFETCH(QByteArray, authorization);
    QFETCH(int, status);
    Harness h;
    auto result
        = h.send(*h.v4, fixture("thumbtack_v4_webhook_negotiation_created.json"), authorization);
    QCOMPARE(result.response.status, status);
    if (status == 401) {
        QVERIFY(result.journalStatus.isEmpty());
        bool challenged = false;
        for (const auto &[name, value] : result.response.headers)
            challenged = challenged || (name == "WWW-Authenticate" && value.startsWith("Basic"));
        QVERIFY(challenged);
        QCOMPARE(h.count(QStringLiteral("inbound_journal")), 0);
        QCOMPARE(h.count(QStringLiteral("leads")), 0);
    } else {
        QCOMPARE(result.journalStatus, QStringLiteral("processed"));
        QCOMPARE(h.count(QStringLiteral("leads")), 1);
    }
}

void tst_ThumbtackRoute::unconfiguredCredentials()
{
    // No credentials: refused unless the business chose a self-serve (unauthenticated) webhook.
    Harness closed(ThumbtackRoute::Credentials{}, false);
    QCOMPARE(closed.send(*closed.v4, fixture("thumbtack_v4_webhook_negotiation_created.json"), {})
                 .response.status,
             401);
    Harness open(ThumbtackRoute::Credentials{}, true);
    QCOMPARE(open.send(*open.v4, fixture("thumbtack_v4_webhook_negotiation_created.json"), {})
                 .journalStatus,
             QStringLiteral("processed"));
    // Configured credentials are always required, whatever the flag says.
    Harness both(kCredentials, true);
    QCOMPARE(both.send(*both.v4, fixture("thumbtack_v4_webhook_negotiation_created.json"), {})
                 .response.status,
             401);
}

void tst_ThumbtackRoute::negotiationThenMessage()
{
    Harness h;
    auto lead = h.send(*h.v4, fixture("thumbtack_v4_webhook_negotiation_created.json"));
    QCOMPARE(lead.journalStatus, QStringLiteral("processed"));
    QCOMPARE(lead.response.status, 200);
    QCOMPARE(QJsonDocument::fromJson(lead.response.body).object().value(QStringLiteral("received")),
             QJsonValue(true));
    QCOMPARE(h.scalar(QStringLiteral(
                 "SELECT channel || '|' || external_id || '|' || first_name || ' ' || last_name || "
                 "'|' || phone || '|' || state || '|' || service_interest FROM leads")),
             QStringLiteral("thumbtack|590299344770600002|Renee Castillo|+16145550177|OH|Mortgage "
                            "Brokers"));
    QCOMPARE(h.scalar(QStringLiteral("SELECT json_extract(details, '$.lead_price_cents') || '|' || "
                                     "json_extract(details, '$.qa[1].answer') FROM leads")),
             QStringLiteral("2500|700-749"));
    QCOMPARE(h.scalar(QStringLiteral("SELECT lead_id FROM inbound_journal")),
             h.scalar(QStringLiteral("SELECT id FROM leads")));

    auto message = h.send(*h.v4, fixture("thumbtack_v4_webhook_message_created.json"));
    QCOMPARE(message.journalStatus, QStringLiteral("processed"));
    QCOMPARE(h.count(QStringLiteral("leads")), 1);
    QCOMPARE(h.count(QStringLiteral("contacts")), 1);
    QCOMPARE(h.scalar(QStringLiteral("SELECT m.body || '|' || (m.lead_id = l.id) FROM messages m, "
                                     "leads l")),
             QStringLiteral("Can you call me after 5pm?|1"));
    QCOMPARE(h.scalar(QStringLiteral("SELECT external_thread_id || '|' || waiting_on || '|' || "
                                     "unread_count FROM conversations")),
             QStringLiteral("590299344770600002|business|1"));
}

void tst_ThumbtackRoute::redeliveriesChangeNothing()
{
    Harness h;
    for (int i = 0; i < 2; ++i) {
        h.send(*h.v4, fixture("thumbtack_v4_webhook_negotiation_created.json"));
        h.send(*h.v4, fixture("thumbtack_v4_webhook_message_created.json"));
    }
    QCOMPARE(h.count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'processed'")), 2);
    QCOMPARE(h.count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'duplicate'")), 2);
    QCOMPARE(h.count(QStringLiteral("leads")), 1);
    QCOMPARE(h.count(QStringLiteral("messages")), 1);
    QCOMPARE(h.scalar(QStringLiteral("SELECT unread_count FROM conversations")),
             QStringLiteral("1"));
    // A redelivery with a body that differs in bytes (re-serialised by Thumbtack, a new
    // triggeredAt) still carries the same negotiation: the recorder says duplicate.
    QJsonObject again
        = QJsonDocument::fromJson(fixture("thumbtack_v4_webhook_negotiation_created.json"))
              .object();
    QJsonObject event = again.value(QStringLiteral("event")).toObject();
    event.insert(QStringLiteral("triggeredAt"), QStringLiteral("2025-03-04T16:00:00Z"));
    again.insert(QStringLiteral("event"), event);
    auto result = h.send(*h.v4, QJsonDocument(again).toJson());
    QCOMPARE(result.journalStatus, QStringLiteral("duplicate"));
    QCOMPARE(h.count(QStringLiteral("leads")), 1);
}

void tst_ThumbtackRoute::messageBeforeNegotiation()
{
    Harness h;
    QCOMPARE(h.send(*h.v4, fixture("thumbtack_v4_webhook_message_created.json")).journalStatus,
             QStringLiteral("processed"));
    QCOMPARE(h.scalar(QStringLiteral("SELECT json_extract(details, '$.placeholder') FROM leads")),
             QStringLiteral("1"));
    QCOMPARE(h.send(*h.v4, fixture("thumbtack_v4_webhook_negotiation_created.json")).journalStatus,
             QStringLiteral("processed"));
    QCOMPARE(h.count(QStringLiteral("leads")), 1);
    QCOMPARE(h.count(QStringLiteral("contacts")), 1);
    QCOMPARE(h.scalar(QStringLiteral("SELECT last_name || '|' || phone || '|' || "
                                     "COALESCE(json_extract(details, '$.placeholder'), 'filled') "
                                     "FROM leads")),
             QStringLiteral("Castillo|+16145550177|filled"));
}

void tst_ThumbtackRoute::unreadableBodiesAreRejected_data()
{
    QTest::addColumn<QByteArray>("body");
    const QByteArray negotiation = fixture("thumbtack_v4_webhook_negotiation_created.json");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("malformed") << QByteArray("{\"event\":");
    QTest::newRow("truncated") << negotiation.left(negotiation.size() - 40);
    QTest::newRow("invalid utf-8") << QByteArray("{\"data\":{\"negotiationID\":\"\xff\"}}");
    QTest::newRow("array") << QByteArray("[{}]");
    QTest::newRow("deep") << QByteArray(200, '[') + QByteArray(200, ']');
}

void tst_ThumbtackRoute::unreadableBodiesAreRejected()
{
    QFETCH(QByteArray, body);
    Harness h;
    auto result = h.send(*h.v4, body);
    QCOMPARE(result.response.status, 400);
    QCOMPARE(result.journalStatus, QStringLiteral("rejected"));
    QCOMPARE(h.count(QStringLiteral("leads")), 0);
    QCOMPARE(h.count(QStringLiteral("contacts")), 0);
}

void tst_ThumbtackRoute::missingRequiredFieldIsKeptAsFailed()
{
    Harness h;
    QJsonObject root
        = QJsonDocument::fromJson(fixture("thumbtack_v4_webhook_negotiation_created.json"))
              .object();
    QJsonObject data = root.value(QStringLiteral("data")).toObject();
    data.remove(QStringLiteral("negotiationID"));
    root.insert(QStringLiteral("data"), data);
    auto result = h.send(*h.v4, QJsonDocument(root).toJson());
    QCOMPARE(result.journalStatus, QStringLiteral("failed"));
    QCOMPARE(result.response.status, 200);
    QVERIFY(result.error.contains(QLatin1String("data.negotiationID")));
    QCOMPARE(h.count(QStringLiteral("leads")), 0);
}

void tst_ThumbtackRoute::otherEventTypesAreReceived()
{
    Harness h;
    auto result
        = h.send(*h.v4, R"({"event":{"eventType":"ReviewCreatedV4"},"data":{"reviewID":"1"}})");
    QCOMPARE(result.response.status, 200);
    QCOMPARE(result.journalStatus, QStringLiteral("processed"));
    QVERIFY(result.error.contains(QLatin1String("ReviewCreatedV4")));
    QCOMPARE(h.count(QStringLiteral("leads")), 0);
}

void tst_ThumbtackRoute::legacyEndpoints()
{
    Harness h;
    auto lead = h.send(*h.legacyLead, fixture("thumbtack_legacy_v1_lead.json"));
    QCOMPARE(lead.journalStatus, QStringLiteral("processed"));
    QCOMPARE(h.scalar(QStringLiteral("SELECT external_id || '|' || timeline || '|' || "
                                     "json_extract(details, '$.title') || '|' || created_at FROM "
                                     "leads")),
             QStringLiteral("4433221100|Within 2 weeks|Mortgage Brokers|1741100544000"));
    auto message = h.send(*h.legacyMessage,
                          R"({"leadID":"4433221100","messageID":"lm-1","text":"Any news?"})");
    QCOMPARE(message.journalStatus, QStringLiteral("processed"));
    QCOMPARE(h.count(QStringLiteral("leads")), 1);
    QCOMPARE(h.count(QStringLiteral("contacts")), 1);
    QCOMPARE(h.scalar(QStringLiteral("SELECT COUNT(*) FROM messages m JOIN leads l ON l.id = "
                                     "m.lead_id WHERE l.external_id = '4433221100'")),
             QStringLiteral("1"));
    // The lead endpoint does not take messages, and the other way round.
    QCOMPARE(h.send(*h.legacyLead, R"({"leadID":"","messageID":"x"})").journalStatus,
             QStringLiteral("failed"));
    QCOMPARE(h.send(*h.legacyMessage, fixture("thumbtack_legacy_v1_lead.json")).journalStatus,
             QStringLiteral("failed"));
    // Credentials apply to the legacy paths too.
    QCOMPARE(h.send(*h.legacyLead, fixture("thumbtack_legacy_v1_lead.json"), {}).response.status,
             401);
}

void tst_ThumbtackRoute::injectionInEveryFieldIsStoredVerbatim()
{
    Harness h;
    const QString evil = QStringLiteral("x'); DROP TABLE leads;-- <img src=x onerror=alert(1)> "
                                        "\" \\ ${7*7} \u0000end");
    QJsonObject root
        = QJsonDocument::fromJson(fixture("thumbtack_v4_webhook_negotiation_created.json"))
              .object();
    QJsonObject data = root.value(QStringLiteral("data")).toObject();
    QJsonObject customer = data.value(QStringLiteral("customer")).toObject();
    customer.insert(QStringLiteral("firstName"), evil);
    customer.insert(QStringLiteral("lastName"), evil);
    customer.insert(QStringLiteral("customerID"), evil);
    data.insert(QStringLiteral("customer"), customer);
    QJsonObject request = data.value(QStringLiteral("request")).toObject();
    request.insert(QStringLiteral("description"), evil);
    request.insert(QStringLiteral("title"), evil);
    data.insert(QStringLiteral("request"), request);
    data.insert(QStringLiteral("leadPrice"), evil);
    data.insert(QStringLiteral("negotiationID"), evil);
    root.insert(QStringLiteral("data"), data);
    auto result = h.send(*h.v4, QJsonDocument(root).toJson());
    QCOMPARE(result.journalStatus, QStringLiteral("processed"));
    QCOMPARE(h.count(QStringLiteral("leads")), 1);
    QCOMPARE(h.scalar(QStringLiteral("SELECT message FROM leads")), evil.trimmed());
    QCOMPARE(h.scalar(QStringLiteral("SELECT external_id FROM leads")), evil);
    // (json_extract() stops at the NUL; the stored JSON keeps it, escaped.)
    const QJsonObject details
        = QJsonDocument::fromJson(h.scalar(QStringLiteral("SELECT details FROM leads")).toUtf8())
              .object();
    QCOMPARE(details.value(QStringLiteral("title")).toString(), evil);
    QCOMPARE(details.value(QStringLiteral("lead_price")).toString(), evil);
    QCOMPARE(h.count(QStringLiteral("contact_identities"), QStringLiteral("channel = 'thumbtack'")),
             1);
}

QTEST_GUILESS_MAIN(tst_ThumbtackRoute)
#include "tst_thumbtackroute.moc"
