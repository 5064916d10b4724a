#include "messengeradapter.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace LeadDesk;
using Core::InboundEvent;
using Sync::MessengerAdapter;

namespace {

const QString kPage = QStringLiteral("104857600012345");
const QString kPsid = QStringLiteral("6723451298765432");

QJsonObject item(const QString &key, const QJsonObject &content,
                 const QJsonValue &timestamp = 1739321024318LL)
{
    return {{"sender", QJsonObject{{"id", kPsid}}},
            {"recipient", QJsonObject{{"id", kPage}}},
            {"timestamp", timestamp},
            {key, content}};
}

QByteArray page(const QJsonArray &messaging)
{
    const QJsonObject entry{{"id", kPage}, {"time", 1739321024512LL}, {"messaging", messaging}};
    return QJsonDocument(QJsonObject{{"object", "page"}, {"entry", QJsonArray{entry}}}).toJson();
}

QList<InboundEvent> parsed(const QByteArray &body)
{
    auto events = MessengerAdapter::parse(body);
    if (!events) {
        qWarning("parse failed: %s", qPrintable(events.error().toString()));
        return {};
    }
    return *events;
}

} // namespace

class tst_MessengerAdapter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void inboundTextFixture();
    void quickReplyAndReplyTo();
    void attachments();
    void postbacks();
    void postbackWithoutMidGetsStableId();
    void echoesAreSkipped();
    void deliveryReceipts();
    void readsAndOtherEventsAreIgnored();
    void batchedEntries();
    void leadgenChangesAreNotMessengerEvents();
    void timestampsInSeconds();
    void chatPluginGuestByUserRef();
    void injectionStringsAreKeptVerbatim();
    void unknownFieldsAreIgnored();
    void malformedBodies_data();
    void malformedBodies();
    void missingRequiredFields_data();
    void missingRequiredFields();
};

void tst_MessengerAdapter::inboundTextFixture()
{
    const auto events = parsed(Test::readFixture("messenger_inbound_text.json"));
    QCOMPARE(events.size(), 1);
    const InboundEvent &e = events.first();
    QCOMPARE(e.kind, InboundEvent::Kind::Message);
    QCOMPARE(e.channel, QStringLiteral("messenger"));
    QCOMPARE(e.externalId, QStringLiteral("m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"));
    QCOMPARE(e.senderId, kPsid);
    QCOMPARE(e.threadId, kPsid);
    QCOMPARE(e.recipientId, kPage);
    QCOMPARE(e.occurredAtMs, 1739321024318LL);
    QCOMPARE(e.body, QStringLiteral("Do you do FHA loans in Ohio?"));
    QCOMPARE(e.lead.channel, QStringLiteral("messenger"));
    QCOMPARE(MessengerAdapter::dedupeKey(e), e.externalId);
}

void tst_MessengerAdapter::quickReplyAndReplyTo()
{
    const auto events
        = parsed(page({item("message", {{"mid", "m_qr"},
                                        {"text", "Refinance"},
                                        {"quick_reply", QJsonObject{{"payload", "GOAL_REFI"}}},
                                        {"reply_to", QJsonObject{{"mid", "m_ours"}}}})}));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().body, QStringLiteral("Refinance"));
    QCOMPARE(events.first().extra.value("quick_reply_payload").toString(),
             QStringLiteral("GOAL_REFI"));
    QCOMPARE(events.first().extra.value("reply_to").toString(), QStringLiteral("m_ours"));
}

void tst_MessengerAdapter::attachments()
{
    const QJsonArray attachments{
        QJsonObject{
            {"type", "image"},
            {"payload", QJsonObject{{"url", "https://scontent.xx.fbcdn.net/v/t1/abc.jpg"}}}},
        QJsonObject{{"type", "file"},
                    {"payload", QJsonObject{{"url", "https://cdn.fbsbx.com/v/t59/doc.pdf"}}}}};
    const auto events
        = parsed(page({item("message", {{"mid", "m_att"}, {"attachments", attachments}})}));
    QCOMPARE(events.size(), 1);
    const InboundEvent &e = events.first();
    QCOMPARE(e.body, QString());
    QCOMPARE(e.media.value("type").toString(), QStringLiteral("image"));
    QCOMPARE(e.media.value("url").toString(),
             QStringLiteral("https://scontent.xx.fbcdn.net/v/t1/abc.jpg"));
    QCOMPARE(e.extra.value("attachments").toArray(), attachments);
}

void tst_MessengerAdapter::postbacks()
{
    const auto events
        = parsed(page({item("postback", {{"mid", "m_pb"},
                                         {"title", "Get Started"},
                                         {"payload", "GET_STARTED"},
                                         {"referral", QJsonObject{{"ref", "spring-promo"},
                                                                  {"source", "SHORTLINK"},
                                                                  {"type", "OPEN_THREAD"}}}})}));
    QCOMPARE(events.size(), 1);
    const InboundEvent &e = events.first();
    QCOMPARE(e.kind, InboundEvent::Kind::Message);
    QCOMPARE(e.externalId, QStringLiteral("m_pb"));
    QCOMPARE(e.senderId, kPsid);
    QCOMPARE(e.body, QStringLiteral("Get Started"));
    QCOMPARE(e.extra.value("type").toString(), QStringLiteral("postback"));
    QCOMPARE(e.extra.value("postback_payload").toString(), QStringLiteral("GET_STARTED"));
    QCOMPARE(e.extra.value("referral").toObject().value("ref").toString(),
             QStringLiteral("spring-promo"));
}

void tst_MessengerAdapter::postbackWithoutMidGetsStableId()
{
    const QByteArray body
        = page({item("postback", {{"payload", "USER_DEFINED_PAYLOAD"}}, 1458692752478LL)});
    const auto first = parsed(body);
    const auto again = parsed(body);
    QCOMPARE(first.size(), 1);
    QVERIFY(!first.first().externalId.isEmpty());
    QCOMPARE(first.first().externalId, again.first().externalId);
    QCOMPARE(first.first().externalId,
             QStringLiteral("postback:") + kPsid + QStringLiteral(":1458692752478"));
}

void tst_MessengerAdapter::echoesAreSkipped()
{
    const auto events
        = parsed(page({item("message", {{"mid", "m_echo"},
                                        {"text", "our reply"},
                                        {"is_echo", true},
                                        {"app_id", 1517776481860111LL}}),
                       item("message", {{"mid", "m_real"}, {"text", "their reply"}})}));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().externalId, QStringLiteral("m_real"));
}

void tst_MessengerAdapter::deliveryReceipts()
{
    const auto events = parsed(page({item(
        "delivery", {{"mids", QJsonArray{"m_out1", "m_out2"}}, {"watermark", 1739321030000LL}})}));
    QCOMPARE(events.size(), 2);
    for (const InboundEvent &e : events) {
        QCOMPARE(e.kind, InboundEvent::Kind::DeliveryStatus);
        QCOMPARE(e.status, QStringLiteral("delivered"));
        QCOMPARE(e.threadId, kPsid);
    }
    QCOMPARE(events.at(0).externalId, QStringLiteral("m_out1"));
    QCOMPARE(events.at(1).externalId, QStringLiteral("m_out2"));
    QCOMPARE(MessengerAdapter::dedupeKey(events.at(0)), QStringLiteral("m_out1#delivered"));
}

void tst_MessengerAdapter::readsAndOtherEventsAreIgnored()
{
    const auto events
        = parsed(page({item("read", {{"watermark", 1739321030000LL}}),
                       item("reaction", {{"mid", "m_out1"}, {"action", "react"}, {"emoji", "x"}}),
                       item("optin", {{"ref", "x"}})}));
    QVERIFY(events.isEmpty());
}

void tst_MessengerAdapter::batchedEntries()
{
    QJsonObject doc{{"object", "page"}};
    QJsonArray entries;
    for (int i = 0; i < 3; ++i) {
        entries.append(QJsonObject{
            {"id", kPage},
            {"time", 1739321024512LL + i},
            {"messaging",
             QJsonArray{item("message", {{"mid", QStringLiteral("m_%1").arg(i)},
                                         {"text", QStringLiteral("text %1").arg(i)}})}}});
    }
    doc.insert("entry", entries);
    const auto events = parsed(QJsonDocument(doc).toJson());
    QCOMPARE(events.size(), 3);
    QCOMPARE(events.at(2).body, QStringLiteral("text 2"));
}

void tst_MessengerAdapter::leadgenChangesAreNotMessengerEvents()
{
    auto events = MessengerAdapter::parse(Test::readFixture("leadads_webhook_leadgen.json"));
    LD_VERIFY_OK(events);
    QVERIFY(events->isEmpty());
}

void tst_MessengerAdapter::timestampsInSeconds()
{
    const auto events = parsed(
        page({item("postback", {{"mid", "m_s"}, {"title", "Hi"}}, QStringLiteral("1527459824"))}));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().occurredAtMs, 1527459824000LL);
}

void tst_MessengerAdapter::chatPluginGuestByUserRef()
{
    QJsonObject e = item("message", {{"mid", "m_guest"}, {"text", "hello"}});
    e.insert("sender", QJsonObject{{"user_ref", "guest-abc"}});
    const auto events = parsed(page({e}));
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().senderId, QStringLiteral("guest-abc"));
}

void tst_MessengerAdapter::injectionStringsAreKeptVerbatim()
{
    const QStringList texts{QStringLiteral("Robert'); DROP TABLE messages;--"),
                            QStringLiteral("<svg/onload=alert(1)>"),
                            QStringLiteral("{{constructor.constructor('x')()}}"),
                            QString::fromUtf8("\u202E\U0001F600 caf\u00e9 \\u0000 \"quoted\"")};
    QJsonArray messaging;
    for (int i = 0; i < texts.size(); ++i)
        messaging.append(
            item("message", {{"mid", QStringLiteral("m_inj%1").arg(i)}, {"text", texts.at(i)}}));
    const auto events = parsed(page(messaging));
    QCOMPARE(events.size(), texts.size());
    for (int i = 0; i < texts.size(); ++i)
        QCOMPARE(events.at(i).body, texts.at(i));
}

void tst_MessengerAdapter::unknownFieldsAreIgnored()
{
    QJsonObject e
        = item("message", {{"mid", "m_u"}, {"text", "x"}, {"nlp", QJsonObject{{"a", 1}}}});
    e.insert("brand_new", QJsonArray{1, 2});
    QByteArray body = page({e});
    body.replace(R"("object")", R"("whatever": {"deep": [1]}, "object")");
    const auto events = parsed(body);
    QCOMPARE(events.size(), 1);
    QCOMPARE(events.first().body, QStringLiteral("x"));
}

void tst_MessengerAdapter::malformedBodies_data()
{
    const QByteArray good = Test::readFixture("messenger_inbound_text.json");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << QByteArray() << "empty";
    QTest::newRow("truncated") << good.left(200) << "not valid JSON";
    QTest::newRow("invalid utf-8")
        << QByteArray(good).replace("Ohio", "Oh\xe9o") << "not valid JSON";
    QByteArray deep
        = "{\"object\":\"page\",\"entry\":" + QByteArray(3000, '[') + QByteArray(3000, ']') + "}";
    QTest::newRow("deeply nested") << deep << "not valid JSON";
    QTest::newRow("whatsapp object") << Test::readFixture("whatsapp_inbound_text.json") << "object";
    QTest::newRow("no entry") << QByteArray(R"({"object":"page"})") << "entry";
}

void tst_MessengerAdapter::malformedBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, reason);
    auto events = MessengerAdapter::parse(body);
    QVERIFY(!events);
    QVERIFY2(events.error().toString().contains(reason), qPrintable(events.error().toString()));
}

void tst_MessengerAdapter::missingRequiredFields_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    const QJsonObject good = item("message", {{"mid", "m_ok"}, {"text", "hi"}});
    QJsonObject noSender = good;
    noSender.remove("sender");
    QTest::newRow("sender") << page({good, noSender}) << "entry[0].messaging[1].sender.id";
    QJsonObject noTime = good;
    noTime.remove("timestamp");
    QTest::newRow("timestamp") << page({noTime}) << "entry[0].messaging[0].timestamp";
    QJsonObject noMid = item("message", {{"text", "hi"}});
    QTest::newRow("mid") << page({noMid}) << "entry[0].messaging[0].message.mid";
    QTest::newRow("not object") << page({QJsonValue("m_x")}) << "entry[0].messaging[0]";
}

void tst_MessengerAdapter::missingRequiredFields()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    auto events = MessengerAdapter::parse(body);
    QVERIFY(!events);
    QCOMPARE(events.error().field, field);
}

QTEST_GUILESS_MAIN(tst_MessengerAdapter)
#include "tst_messengeradapter.moc"
