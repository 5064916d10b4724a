#include "inboundrecorder.h"
#include "testsupport.h"
#include "thumbtackadapter.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace LeadDesk;
using Core::InboundEvent;
using Sync::ThumbtackAdapter;

namespace {

qint64 iso(const char *text)
{
    return QDateTime::fromString(QString::fromLatin1(text), Qt::ISODate).toMSecsSinceEpoch();
}

QJsonObject fixtureObject(const QString &name)
{
    return QJsonDocument::fromJson(Test::readFixture(name)).object();
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

// Sets the value at a dotted path ("data.customer.firstName"), creating objects on the way;
// an undefined value removes the member.
void setPath(QJsonObject &root, const QString &path, const QJsonValue &value)
{
    const qsizetype dot = path.indexOf(QLatin1Char('.'));
    if (dot < 0) {
        if (value.isUndefined())
            root.remove(path);
        else
            root.insert(path, value);
        return;
    }
    const QString head = path.left(dot);
    QJsonObject child = root.value(head).toObject();
    setPath(child, path.mid(dot + 1), value);
    root.insert(head, child);
}

QByteArray basic(const QByteArray &credentials)
{
    return "Basic " + credentials.toBase64();
}

} // namespace

class tst_ThumbtackAdapter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void negotiationCreated();
    void messageCreated();
    void messageFromTheBusinessIsOutbound();
    void customerShapes_data();
    void customerShapes();
    void legacyLead();
    void legacyMessage_data();
    void legacyMessage();
    void otherEventTypesAreIgnored();
    void flatBodyWithoutEnvelope();
    void numericIdsKeepEveryDigit();
    void unknownFieldsAreIgnored();
    void injectionStringsAreKeptVerbatim();
    void badBodiesFail_data();
    void badBodiesFail();
    void dedupeKeys();
    void basicAuth_data();
    void basicAuth();
};

void tst_ThumbtackAdapter::negotiationCreated()
{
    auto parsed = ThumbtackAdapter::parseV4(
        Test::readFixture(QStringLiteral("thumbtack_v4_webhook_negotiation_created.json")));
    LD_VERIFY_OK(parsed);
    QCOMPARE(parsed->events.size(), 1);
    QVERIFY(parsed->ignoredReason.isEmpty());
    const InboundEvent &e = parsed->events.first();
    QCOMPARE(e.kind, InboundEvent::Kind::Lead);
    QCOMPARE(e.channel, QStringLiteral("thumbtack"));
    QCOMPARE(e.externalId, QStringLiteral("590299344770600002"));
    QCOMPARE(e.threadId, e.externalId);
    QCOMPARE(e.senderId, QStringLiteral("590299344770100004"));
    QCOMPARE(e.senderName, QStringLiteral("Renee Castillo"));
    QCOMPARE(e.recipientId, QStringLiteral("590297085345700003"));
    QCOMPARE(e.occurredAtMs, iso("2025-03-04T15:02:24Z"));

    const Core::RawLead &lead = e.lead;
    QCOMPARE(lead.firstName, QStringLiteral("Renee"));
    QCOMPARE(lead.lastName, QStringLiteral("Castillo"));
    QCOMPARE(lead.phone, QStringLiteral("6145550177"));
    QCOMPARE(lead.street, QStringLiteral("88 Birchwood Ln"));
    QCOMPARE(lead.city, QStringLiteral("Columbus"));
    QCOMPARE(lead.state, QStringLiteral("OH"));
    QCOMPARE(lead.postalCode, QStringLiteral("43214"));
    QCOMPARE(lead.serviceInterest, QStringLiteral("Mortgage Brokers"));
    QCOMPARE(lead.message,
             QStringLiteral("Looking to refinance a 2019 30-year loan, house worth about 410k."));
    QCOMPARE(lead.createdAt, QStringLiteral("2025-03-04T15:02:24Z"));
    QCOMPARE(lead.sourceLabel, QStringLiteral("Thumbtack"));

    const QJsonObject &d = e.extra; // becomes the lead's details JSON
    QCOMPARE(d.value(QStringLiteral("lead_price")).toString(), QStringLiteral("$25.00"));
    QCOMPARE(d.value(QStringLiteral("lead_price_cents")).toInteger(), 2500);
    const QJsonObject breakdown = d.value(QStringLiteral("lead_price_breakdown")).toObject();
    QCOMPARE(breakdown.value(QStringLiteral("sales_tax_cents")).toInteger(), 185);
    QCOMPARE(breakdown.value(QStringLiteral("subtotal_cents")).toInteger(), 2315);
    const QJsonObject estimate = d.value(QStringLiteral("estimate")).toObject();
    QCOMPARE(estimate.value(QStringLiteral("total_cents")).toInteger(), 0);
    QCOMPARE(estimate.value(QStringLiteral("type")).toString(), QStringLiteral("Fixed"));
    QCOMPARE(estimate.value(QStringLiteral("unit_name")).toString(),
             QStringLiteral("consultation"));
    QCOMPARE(estimate.value(QStringLiteral("unit_quantity")).toInteger(), 1);
    QCOMPARE(d.value(QStringLiteral("category")).toString(), QStringLiteral("Mortgage Brokers"));
    QCOMPARE(d.value(QStringLiteral("category_id")).toString(),
             QStringLiteral("240123621172100006"));
    QCOMPARE(d.value(QStringLiteral("request_id")).toString(),
             QStringLiteral("590299344772100005"));
    QCOMPARE(d.value(QStringLiteral("negotiation_status")).toString(), QStringLiteral("Open"));
    QCOMPARE(d.value(QStringLiteral("charge_state")).toString(), QStringLiteral("Created"));
    QCOMPARE(d.value(QStringLiteral("business_name")).toString(),
             QStringLiteral("Lakeview Home Lending"));
    QCOMPARE(d.value(QStringLiteral("customer_id")).toString(),
             QStringLiteral("590299344770100004"));
    QVERIFY(d.value(QStringLiteral("description")).toString().startsWith(QLatin1String("Looking")));
    const QJsonArray qa = d.value(QStringLiteral("qa")).toArray();
    QCOMPARE(qa.size(), 2);
    QCOMPARE(qa.at(1).toObject().value(QStringLiteral("question")).toString(),
             QStringLiteral("Estimated credit score"));
    QCOMPARE(qa.at(1).toObject().value(QStringLiteral("answer")).toString(),
             QStringLiteral("700-749"));
    QCOMPARE(d.value(QStringLiteral("proposed_times"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("start"))
                 .toString(),
             QStringLiteral("2025-03-05T14:00:00Z"));
    QCOMPARE(d.value(QStringLiteral("travel_preferences")).toArray().at(0).toString(),
             QStringLiteral("ProviderTravelToCustomer"));
    QCOMPARE(
        d.value(QStringLiteral("location")).toObject().value(QStringLiteral("zipCode")).toString(),
        QStringLiteral("43214"));
    QVERIFY(!d.contains(QStringLiteral("attachments"))); // empty lists are not kept
}

void tst_ThumbtackAdapter::messageCreated()
{
    auto parsed = ThumbtackAdapter::parseV4(
        Test::readFixture(QStringLiteral("thumbtack_v4_webhook_message_created.json")));
    LD_VERIFY_OK(parsed);
    QCOMPARE(parsed->events.size(), 1);
    const InboundEvent &e = parsed->events.first();
    QCOMPARE(e.kind, InboundEvent::Kind::Message);
    QCOMPARE(e.channel, QStringLiteral("thumbtack"));
    QCOMPARE(e.externalId, QStringLiteral("590299344999900007"));
    QCOMPARE(e.threadId, QStringLiteral("590299344770600002"));
    QCOMPARE(e.senderId, QStringLiteral("590299344770100004"));
    QCOMPARE(e.senderName, QStringLiteral("Renee C."));
    QCOMPARE(e.lead.fullName, QStringLiteral("Renee C."));
    QCOMPARE(e.recipientId, QStringLiteral("590297085345700003"));
    QCOMPARE(e.body, QStringLiteral("Can you call me after 5pm?"));
    QCOMPARE(e.occurredAtMs, iso("2025-03-04T15:10:09Z"));
    QCOMPARE(e.extra.value(Core::InboundRecorder::kLeadRefKey).toString(),
             QStringLiteral("590299344770600002"));
    QVERIFY(!e.extra.contains(Core::InboundRecorder::kDirectionKey));
    QVERIFY(e.media.isEmpty());
}

void tst_ThumbtackAdapter::messageFromTheBusinessIsOutbound()
{
    QJsonObject root = fixtureObject(QStringLiteral("thumbtack_v4_webhook_message_created.json"));
    setPath(root, QStringLiteral("data.from"), QStringLiteral("Business"));
    setPath(root, QStringLiteral("data.attachments"),
            QJsonArray{QJsonObject{{QStringLiteral("fileName"), QStringLiteral("quote.pdf")},
                                   {QStringLiteral("url"), QStringLiteral("https://x/q.pdf")}}});
    auto parsed = ThumbtackAdapter::parseV4(json(root));
    LD_VERIFY_OK(parsed);
    const InboundEvent &e = parsed->events.first();
    QCOMPARE(e.extra.value(Core::InboundRecorder::kDirectionKey).toString(), QStringLiteral("out"));
    // The person is still the customer: the thread is theirs.
    QCOMPARE(e.senderId, QStringLiteral("590299344770100004"));
    QCOMPARE(e.media.value(QStringLiteral("items")).toArray().size(), 1);
}

void tst_ThumbtackAdapter::customerShapes_data()
{
    QTest::addColumn<QJsonObject>("customer");
    QTest::addColumn<QString>("first");
    QTest::addColumn<QString>("last");
    QTest::addColumn<QString>("full");
    QTest::addColumn<QString>("senderName");
    QTest::newRow("firstName/lastName")
        << QJsonObject{{QStringLiteral("customerID"), QStringLiteral("C1")},
                       {QStringLiteral("firstName"), QStringLiteral("Renee")},
                       {QStringLiteral("lastName"), QStringLiteral("Castillo")}}
        << "Renee"
        << "Castillo"
        << ""
        << "Renee Castillo";
    QTest::newRow("displayName")
        << QJsonObject{{QStringLiteral("customerID"), QStringLiteral("C1")},
                       {QStringLiteral("displayName"), QStringLiteral("Renee C.")}}
        << ""
        << ""
        << "Renee C."
        << "Renee C.";
    QTest::newRow("name") << QJsonObject{{QStringLiteral("customerID"), QStringLiteral("C1")},
                                         {QStringLiteral("name"), QStringLiteral("Test Customer")}}
                          << ""
                          << ""
                          << "Test Customer"
                          << "Test Customer";
    QTest::newRow("first name only")
        << QJsonObject{{QStringLiteral("customerID"), QStringLiteral("C1")},
                       {QStringLiteral("firstName"), QStringLiteral("Renee")},
                       {QStringLiteral("displayName"), QStringLiteral("Renee C.")}}
        << "Renee"
        << ""
        << ""
        << "Renee C.";
}

void tst_ThumbtackAdapter::customerShapes()
{
    QFETCH(QJsonObject, customer);
    QFETCH(QString, first);
    QFETCH(QString, last);
    QFETCH(QString, full);
    QFETCH(QString, senderName);
    QJsonObject root
        = fixtureObject(QStringLiteral("thumbtack_v4_webhook_negotiation_created.json"));
    setPath(root, QStringLiteral("data.customer"), customer);
    auto parsed = ThumbtackAdapter::parseV4(json(root));
    LD_VERIFY_OK(parsed);
    const InboundEvent &e = parsed->events.first();
    QCOMPARE(e.lead.firstName, first);
    QCOMPARE(e.lead.lastName, last);
    QCOMPARE(e.lead.fullName, full);
    QCOMPARE(e.senderName, senderName);
    QCOMPARE(e.senderId, QStringLiteral("C1"));
}

void tst_ThumbtackAdapter::legacyLead()
{
    auto parsed = ThumbtackAdapter::parseLegacyLead(
        Test::readFixture(QStringLiteral("thumbtack_legacy_v1_lead.json")));
    LD_VERIFY_OK(parsed);
    QCOMPARE(parsed->events.size(), 1);
    const InboundEvent &e = parsed->events.first();
    QCOMPARE(e.kind, InboundEvent::Kind::Lead);
    QCOMPARE(e.externalId, QStringLiteral("4433221100"));
    QCOMPARE(e.threadId, QStringLiteral("4433221100"));
    QCOMPARE(e.senderId, QStringLiteral("lead:4433221100")); // the customer block is unknown
    QCOMPARE(e.occurredAtMs, qint64(1741100544) * 1000);
    QCOMPARE(e.lead.createdAt, QStringLiteral("1741100544"));
    QCOMPARE(e.lead.serviceInterest, QStringLiteral("Mortgage Brokers"));
    QCOMPARE(e.lead.message, QStringLiteral("Refinance, 30-year fixed, home value about 410k"));
    QCOMPARE(e.lead.timeline, QStringLiteral("Within 2 weeks"));
    QCOMPARE(e.lead.city, QStringLiteral("Columbus"));
    QCOMPARE(e.lead.street, QString());
    const QJsonObject &d = e.extra;
    QCOMPARE(d.value(QStringLiteral("title")).toString(), QStringLiteral("Mortgage Brokers"));
    QCOMPARE(d.value(QStringLiteral("category_id")).toString(), QStringLiteral("6655443322"));
    QCOMPARE(d.value(QStringLiteral("request_id")).toString(), QStringLiteral("5544332211"));
    QCOMPARE(d.value(QStringLiteral("schedule")).toString(), QStringLiteral("Within 2 weeks"));
    QCOMPARE(d.value(QStringLiteral("lead_type")).toString(), QStringLiteral("ESTIMATION"));
    QCOMPARE(d.value(QStringLiteral("lead_price_cents")).toInteger(), 2500);
    QCOMPARE(d.value(QStringLiteral("travel_preferences")).toString(),
             QStringLiteral("Professional must travel to my address."));
    QCOMPARE(d.value(QStringLiteral("qa")).toArray().size(), 2);

    // With a customer block (its shape is not documented; both name shapes are read).
    QJsonObject root = fixtureObject(QStringLiteral("thumbtack_legacy_v1_lead.json"));
    root.insert(QStringLiteral("customer"),
                QJsonObject{{QStringLiteral("customerID"), QStringLiteral("777")},
                            {QStringLiteral("name"), QStringLiteral("Renee Castillo")},
                            {QStringLiteral("phone"), QStringLiteral("6145550177")}});
    auto withCustomer = ThumbtackAdapter::parseLegacyLead(json(root));
    LD_VERIFY_OK(withCustomer);
    QCOMPARE(withCustomer->events.first().senderId, QStringLiteral("777"));
    QCOMPARE(withCustomer->events.first().lead.fullName, QStringLiteral("Renee Castillo"));
    QCOMPARE(withCustomer->events.first().lead.phone, QStringLiteral("6145550177"));
}

void tst_ThumbtackAdapter::legacyMessage_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("messageId");
    QTest::addColumn<QString>("senderId");
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("outbound");
    QTest::newRow("customer object")
        << QByteArray(R"({"leadID":"4433221100","messageID":"m-1","text":"Any update?",)"
                      R"("customer":{"customerID":"777","displayName":"Renee C."},)"
                      R"("createTimestamp":"1741100600","from":"Customer"})")
        << "m-1"
        << "777"
        << "Any update?" << false;
    QTest::newRow("flat customer, message field")
        << QByteArray(R"({"leadID":4433221100,"id":"m-2","message":"Hi","customerID":"777",)"
                      R"("customerName":"Renee"})")
        << "m-2"
        << "777"
        << "Hi" << false;
    QTest::newRow("no customer") << QByteArray(
        R"({"leadID":"4433221100","messageID":"m-3","text":"Hello"})")
                                 << "m-3"
                                 << "lead:4433221100"
                                 << "Hello" << false;
    QTest::newRow("from the business") << QByteArray(
        R"({"leadID":"4433221100","messageID":"m-4","text":"On it","sender":"business"})")
                                       << "m-4"
                                       << "lead:4433221100"
                                       << "On it" << true;
}

void tst_ThumbtackAdapter::legacyMessage()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, messageId);
    QFETCH(QString, senderId);
    QFETCH(QString, text);
    QFETCH(bool, outbound);
    auto parsed = ThumbtackAdapter::parseLegacyMessage(body);
    LD_VERIFY_OK(parsed);
    QCOMPARE(parsed->events.size(), 1);
    const InboundEvent &e = parsed->events.first();
    QCOMPARE(e.kind, InboundEvent::Kind::Message);
    QCOMPARE(e.externalId, messageId);
    QCOMPARE(e.threadId, QStringLiteral("4433221100"));
    QCOMPARE(e.extra.value(Core::InboundRecorder::kLeadRefKey).toString(),
             QStringLiteral("4433221100"));
    QCOMPARE(e.senderId, senderId);
    QCOMPARE(e.body, text);
    QCOMPARE(e.extra.contains(Core::InboundRecorder::kDirectionKey), outbound);
}

void tst_ThumbtackAdapter::otherEventTypesAreIgnored()
{
    const QByteArray body
        = R"({"event":{"eventType":"ReviewCreatedV4","triggeredAt":"2025-03-04T15:10:11Z"},)"
          R"("data":{"reviewID":"r1","rating":5}})";
    auto parsed = ThumbtackAdapter::parseV4(body);
    LD_VERIFY_OK(parsed);
    QVERIFY(parsed->events.isEmpty());
    QVERIFY(parsed->ignoredReason.contains(QLatin1String("ReviewCreatedV4")));
}

void tst_ThumbtackAdapter::flatBodyWithoutEnvelope()
{
    // The shape Thumbtack's docs showed: the data object alone.
    const QJsonObject data
        = fixtureObject(QStringLiteral("thumbtack_v4_webhook_negotiation_created.json"))
              .value(QStringLiteral("data"))
              .toObject();
    auto parsed = ThumbtackAdapter::parseV4(json(data));
    LD_VERIFY_OK(parsed);
    QCOMPARE(parsed->events.size(), 1);
    QCOMPARE(parsed->events.first().kind, InboundEvent::Kind::Lead);
    QCOMPARE(parsed->events.first().externalId, QStringLiteral("590299344770600002"));

    const QJsonObject message
        = fixtureObject(QStringLiteral("thumbtack_v4_webhook_message_created.json"))
              .value(QStringLiteral("data"))
              .toObject();
    auto parsedMessage = ThumbtackAdapter::parseV4(json(message));
    LD_VERIFY_OK(parsedMessage);
    QCOMPARE(parsedMessage->events.first().kind, InboundEvent::Kind::Message);
}

void tst_ThumbtackAdapter::numericIdsKeepEveryDigit()
{
    const QByteArray body = R"({"event":{"eventType":"MessageCreatedV4"},"data":{)"
                            R"("messageID":590299344999900007,"negotiationID":590299344770600002,)"
                            R"("customer":{"customerID":590299344770100004},"text":"hi"}})";
    auto parsed = ThumbtackAdapter::parseV4(body);
    LD_VERIFY_OK(parsed);
    QCOMPARE(parsed->events.first().externalId, QStringLiteral("590299344999900007"));
    QCOMPARE(parsed->events.first().threadId, QStringLiteral("590299344770600002"));
    QCOMPARE(parsed->events.first().senderId, QStringLiteral("590299344770100004"));
}

void tst_ThumbtackAdapter::unknownFieldsAreIgnored()
{
    QJsonObject root
        = fixtureObject(QStringLiteral("thumbtack_v4_webhook_negotiation_created.json"));
    setPath(root, QStringLiteral("data.futureField"), QJsonObject{{QStringLiteral("x"), 1}});
    setPath(root, QStringLiteral("data.request.newThing"), QJsonArray{1, 2, 3});
    setPath(root, QStringLiteral("event.schemaVersion"), 7);
    root.insert(QStringLiteral("topLevelExtra"), true);
    auto parsed = ThumbtackAdapter::parseV4(json(root));
    LD_VERIFY_OK(parsed);
    QCOMPARE(parsed->events.first().externalId, QStringLiteral("590299344770600002"));
}

void tst_ThumbtackAdapter::injectionStringsAreKeptVerbatim()
{
    const QString evil = QStringLiteral("Robert'); DROP TABLE leads;-- <script>alert(1)</script> "
                                        "\" \\ %s ${jndi:ldap://x} \u202e\U0001F600");
    QJsonObject root
        = fixtureObject(QStringLiteral("thumbtack_v4_webhook_negotiation_created.json"));
    for (const char *path :
         {"data.request.description", "data.customer.firstName", "data.customer.lastName",
          "data.request.category.name", "data.request.location.city", "data.request.details"}) {
        if (QLatin1String(path) == QLatin1String("data.request.details"))
            setPath(root, QString::fromLatin1(path),
                    QJsonArray{QJsonObject{{QStringLiteral("question"), evil},
                                           {QStringLiteral("answer"), evil}}});
        else
            setPath(root, QString::fromLatin1(path), evil);
    }
    auto parsed = ThumbtackAdapter::parseV4(json(root));
    LD_VERIFY_OK(parsed);
    const InboundEvent &e = parsed->events.first();
    QCOMPARE(e.lead.message, evil);
    QCOMPARE(e.lead.firstName, evil);
    QCOMPARE(e.lead.lastName, evil);
    QCOMPARE(e.lead.serviceInterest, evil);
    QCOMPARE(e.lead.city, evil);
    QCOMPARE(e.extra.value(QStringLiteral("qa"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("answer"))
                 .toString(),
             evil);
}

void tst_ThumbtackAdapter::badBodiesFail_data()
{
    QTest::addColumn<int>("api"); // 0 v4, 1 legacy lead, 2 legacy message
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field"); // the error's field, when it names one
    const QByteArray negotiation
        = Test::readFixture(QStringLiteral("thumbtack_v4_webhook_negotiation_created.json"));
    QJsonObject root = QJsonDocument::fromJson(negotiation).object();
    auto without = [&root](const QString &path) {
        QJsonObject copy = root;
        setPath(copy, path, QJsonValue(QJsonValue::Undefined));
        return json(copy);
    };
    auto with = [&root](const QString &path, const QJsonValue &value) {
        QJsonObject copy = root;
        setPath(copy, path, value);
        return json(copy);
    };
    QTest::newRow("empty body") << 0 << QByteArray() << "";
    QTest::newRow("malformed") << 0 << QByteArray("{\"event\": {") << "";
    QTest::newRow("truncated") << 0 << negotiation.left(negotiation.size() / 2) << "";
    QTest::newRow("invalid utf-8")
        << 0 << QByteArray("{\"data\":{\"negotiationID\":\"1\",\"x\":\"\xc3\x28\"}}") << "";
    QTest::newRow("overlong utf-8") << 0 << QByteArray("{\"a\":\"\xc0\xaf\"}") << "";
    QTest::newRow("array") << 0 << QByteArray("[1,2]") << "";
    QTest::newRow("string") << 0 << QByteArray("\"NegotiationCreatedV4\"") << "";
    QTest::newRow("no negotiationID")
        << 0 << without(QStringLiteral("data.negotiationID")) << "data.negotiationID";
    QTest::newRow("empty negotiationID")
        << 0 << with(QStringLiteral("data.negotiationID"), "  ") << "data.negotiationID";
    QTest::newRow("object negotiationID")
        << 0 << with(QStringLiteral("data.negotiationID"), QJsonObject{}) << "data.negotiationID";
    QTest::newRow("data not an object") << 0 << with(QStringLiteral("data"), 5) << "data";
    QTest::newRow("event not an object") << 0 << with(QStringLiteral("event"), "x") << "event";
    QTest::newRow("customer not an object")
        << 0 << with(QStringLiteral("data.customer"), "Renee") << "data.customer";
    QTest::newRow("location not an object")
        << 0 << with(QStringLiteral("data.request.location"), QJsonArray{})
        << "data.request.location";
    QTest::newRow("no event type, no ids")
        << 0 << QByteArray(R"({"data":{"foo":1}})") << "event.eventType";
    QTest::newRow("message without messageID")
        << 0
        << QByteArray(
               R"({"event":{"eventType":"MessageCreatedV4"},"data":{"negotiationID":"1","text":"x"}})")
        << "data.messageID";
    QTest::newRow("message without negotiationID")
        << 0
        << QByteArray(
               R"({"event":{"eventType":"MessageCreatedV4"},"data":{"messageID":"1","text":"x"}})")
        << "data.negotiationID";
    QTest::newRow("legacy lead without leadID") << 1 << QByteArray(R"({"request":{}})") << "leadID";
    QTest::newRow("legacy lead malformed") << 1 << QByteArray("{\"leadID\": \"1\"") << "";
    QTest::newRow("legacy message without messageID")
        << 2 << QByteArray(R"({"leadID":"1","text":"x"})") << "messageID";
    QTest::newRow("legacy message without leadID")
        << 2 << QByteArray(R"({"messageID":"1","text":"x"})") << "leadID";
}

void tst_ThumbtackAdapter::badBodiesFail()
{
    QFETCH(int, api);
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    auto parsed = api == 0   ? ThumbtackAdapter::parseV4(body)
                  : api == 1 ? ThumbtackAdapter::parseLegacyLead(body)
                             : ThumbtackAdapter::parseLegacyMessage(body);
    QVERIFY(!parsed);
    QVERIFY(!parsed.error().message.isEmpty());
    QCOMPARE(parsed.error().field, field);
}

void tst_ThumbtackAdapter::dedupeKeys()
{
    auto lead = ThumbtackAdapter::parseV4(
        Test::readFixture(QStringLiteral("thumbtack_v4_webhook_negotiation_created.json")));
    auto message = ThumbtackAdapter::parseV4(
        Test::readFixture(QStringLiteral("thumbtack_v4_webhook_message_created.json")));
    LD_VERIFY_OK(lead);
    LD_VERIFY_OK(message);
    QCOMPARE(ThumbtackAdapter::dedupeKey(lead->events.first()),
             QStringLiteral("lead:590299344770600002"));
    QCOMPARE(ThumbtackAdapter::dedupeKey(message->events.first()),
             QStringLiteral("message:590299344999900007"));
}

void tst_ThumbtackAdapter::basicAuth_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("user");
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("ok");
    const QString u = QStringLiteral("thumbtack"), p = QStringLiteral("s3cret:with:colons");
    QTest::newRow("right") << basic("thumbtack:s3cret:with:colons") << u << p << true;
    QTest::newRow("scheme in lower case")
        << "basic " + QByteArray("thumbtack:s3cret:with:colons").toBase64() << u << p << true;
    QTest::newRow("wrong password") << basic("thumbtack:s3cret:with:colon") << u << p << false;
    QTest::newRow("longer password") << basic("thumbtack:s3cret:with:colons!") << u << p << false;
    QTest::newRow("wrong user") << basic("thumbtak:s3cret:with:colons") << u << p << false;
    QTest::newRow("no colon") << basic("thumbtacks3cret") << u << p << false;
    QTest::newRow("missing") << QByteArray() << u << p << false;
    QTest::newRow("bearer") << "Bearer " + QByteArray("thumbtack:s3cret:with:colons").toBase64()
                            << u << p << false;
    QTest::newRow("not base64") << QByteArray("Basic !!!notbase64***") << u << p << false;
    QTest::newRow("nothing configured") << basic(":") << QString() << QString() << false;
    QTest::newRow("unicode password") << basic(QStringLiteral("tt:pässwörd").toUtf8())
                                      << QStringLiteral("tt") << QStringLiteral("pässwörd") << true;
}

void tst_ThumbtackAdapter::basicAuth()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, user);
    QFETCH(QString, password);
    QFETCH(bool, ok);
    QCOMPARE(ThumbtackAdapter::checkBasicAuth(header, user, password), ok);
}

QTEST_GUILESS_MAIN(tst_ThumbtackAdapter)
#include "tst_thumbtackadapter.moc"
