#include "testsupport.h"
#include "twilioadapter.h"

#include <QJsonArray>
#include <QTest>

using namespace LeadDesk;
using Core::InboundEvent;
using Sync::TwilioAdapter;
using Sync::TwilioSignature;
using Kind = InboundEvent::Kind;

namespace {

TwilioSignature::FormParams form(const QByteArray &body)
{
    auto params = TwilioSignature::parseForm(body.trimmed());
    return params ? *params : TwilioSignature::FormParams{};
}

TwilioSignature::FormParams fixture(const char *name)
{
    return form(Test::readFixture(QString::fromLatin1(name)));
}

} // namespace

class tst_TwilioAdapter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void inboundSms();
    void stopFixtureIsAnOptOut();
    void keywords_data();
    void keywords();
    void mms();
    void inboundRequiredFields_data();
    void inboundRequiredFields();
    void bodyIsKeptVerbatim_data();
    void bodyIsKeptVerbatim();
    void invalidUtf8BecomesReplacementCharacters();
    void statusDelivered();
    void statusUndeliveredKeepsItsErrorCode();
    void statusMapping_data();
    void statusMapping();
    void statusRequiredFields();
    void dedupeKeys();
    void emptyTwimlMatchesTheFixture();
};

void tst_TwilioAdapter::inboundSms()
{
    auto event = TwilioAdapter::parseInbound(fixture("twilio_inbound_sms.form"));
    LD_VERIFY_OK(event);
    QCOMPARE(event->kind, Kind::Message);
    QCOMPARE(event->channel, QStringLiteral("sms"));
    QCOMPARE(event->externalId, QStringLiteral("SMcccccccccccccccccccccccccccccccc"));
    QCOMPARE(event->senderId, QStringLiteral("+16145550177"));
    QCOMPARE(event->threadId, QStringLiteral("+16145550177"));
    QCOMPARE(event->recipientId, QStringLiteral("+16145550100"));
    QCOMPARE(event->body, QStringLiteral("Yes call me after 5"));
    QVERIFY(event->media.isEmpty());
}

void tst_TwilioAdapter::stopFixtureIsAnOptOut()
{
    auto event = TwilioAdapter::parseInbound(fixture("twilio_inbound_sms_stop.form"));
    LD_VERIFY_OK(event);
    QCOMPARE(event->kind, Kind::OptOut);
    QCOMPARE(event->body, QStringLiteral("STOP"));
    QCOMPARE(event->externalId, QStringLiteral("SMeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee"));
}

void tst_TwilioAdapter::keywords_data()
{
    QTest::addColumn<QString>("body");
    QTest::addColumn<TwilioAdapter::Keyword>("keyword");
    using K = TwilioAdapter::Keyword;
    for (const char *word : {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
        QTest::newRow(word) << QString::fromLatin1(word) << K::OptOut;
    for (const char *word : {"START", "YES", "UNSTOP"})
        QTest::newRow(word) << QString::fromLatin1(word) << K::OptIn;
    for (const char *word : {"HELP", "INFO"})
        QTest::newRow(word) << QString::fromLatin1(word) << K::Help;
    QTest::newRow("lower case") << "stop" << K::OptOut;
    QTest::newRow("mixed case, spaces") << "  Unsubscribe \n" << K::OptOut;
    QTest::newRow("punctuation") << "Stop." << K::OptOut;
    QTest::newRow("exclamation") << "STOP!!" << K::OptOut;
    QTest::newRow("yes please") << "yes please" << K::None;
    QTest::newRow("stop in a sentence") << "Please stop calling me at work" << K::None;
    QTest::newRow("don't stop") << "Don't stop" << K::None;
    QTest::newRow("twice") << "STOP STOP" << K::None;
    QTest::newRow("prefix") << "STOPPED" << K::None;
    QTest::newRow("yesterday") << "yesterday" << K::None;
    QTest::newRow("empty") << "" << K::None;
    QTest::newRow("spaces") << "   " << K::None;
    QTest::newRow("ordinary") << "Yes call me after 5" << K::None;
}

void tst_TwilioAdapter::keywords()
{
    QFETCH(QString, body);
    QFETCH(TwilioAdapter::Keyword, keyword);
    QCOMPARE(TwilioAdapter::keyword(body), keyword);
    const QByteArray encoded
        = "MessageSid=SM1&From=%2B16145550177&Body=" + body.toUtf8().toPercentEncoding();
    auto event = TwilioAdapter::parseInbound(form(encoded));
    LD_VERIFY_OK(event);
    const Kind expected = keyword == TwilioAdapter::Keyword::OptOut  ? Kind::OptOut
                          : keyword == TwilioAdapter::Keyword::OptIn ? Kind::OptIn
                          : keyword == TwilioAdapter::Keyword::Help  ? Kind::Help
                                                                     : Kind::Message;
    QCOMPARE(event->kind, expected);
}

void tst_TwilioAdapter::mms()
{
    auto event = TwilioAdapter::parseInbound(form(
        "MessageSid=MM1&From=%2B16145550177&To=%2B16145550100&Body=&NumMedia=2"
        "&MediaUrl0=https%3A%2F%2Fapi.twilio.com%2Fm%2F0&MediaContentType0=image%2Fjpeg"
        "&MediaUrl1=https%3A%2F%2Fapi.twilio.com%2Fm%2F1&MediaContentType1=application%2Fpdf"));
    LD_VERIFY_OK(event);
    QCOMPARE(event->kind, Kind::Message);
    QVERIFY(event->body.isEmpty());
    QCOMPARE(event->media.value(QStringLiteral("type")).toString(), QStringLiteral("mms"));
    const QJsonArray items = event->media.value(QStringLiteral("items")).toArray();
    QCOMPARE(items.size(), 2);
    QCOMPARE(items.at(0).toObject().value(QStringLiteral("url")).toString(),
             QStringLiteral("https://api.twilio.com/m/0"));
    QCOMPARE(items.at(1).toObject().value(QStringLiteral("mime_type")).toString(),
             QStringLiteral("application/pdf"));
}

void tst_TwilioAdapter::inboundRequiredFields_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("field"); // empty: parses
    QTest::newRow("no sid") << QByteArray("From=%2B16145550177&Body=hi") << "MessageSid";
    QTest::newRow("empty sid") << QByteArray("MessageSid=&From=%2B16145550177") << "MessageSid";
    QTest::newRow("no from") << QByteArray("MessageSid=SM1&Body=hi") << "From";
    QTest::newRow("blank from") << QByteArray("MessageSid=SM1&From=++&Body=hi") << "From";
    QTest::newRow("SmsSid fallback") << QByteArray("SmsSid=SM9&From=%2B16145550177") << "";
    QTest::newRow("no body is fine") << QByteArray("MessageSid=SM1&From=%2B16145550177") << "";
    QTest::newRow("unknown parameters") << QByteArray("MessageSid=SM1&From=x&NewParam2031=1&"
                                                      "OptOutType=STOP")
                                        << "";
    QTest::newRow("empty form") << QByteArray() << "MessageSid";
}

void tst_TwilioAdapter::inboundRequiredFields()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, field);
    auto event = TwilioAdapter::parseInbound(form(body));
    if (field.isEmpty()) {
        LD_VERIFY_OK(event);
        QVERIFY(!event->externalId.isEmpty());
    } else {
        QVERIFY(!event);
        QCOMPARE(event.error().field, field);
    }
}

void tst_TwilioAdapter::bodyIsKeptVerbatim_data()
{
    QTest::addColumn<QString>("body");
    QTest::newRow("sql") << QStringLiteral("Robert'); DROP TABLE messages;--");
    QTest::newRow("html") << QStringLiteral(
        "<script>alert('x')</script><Response><Say>hi</Say></Response>");
    QTest::newRow("spaces kept") << QStringLiteral("  two  spaces \n and a newline ");
    QTest::newRow("emoji and rtl") << QStringLiteral("ok \U0001F44D \u202eevil");
    QTest::newRow("form syntax") << QStringLiteral("a=b&c=d%20+");
    QTest::newRow("nul") << QString(QStringLiteral("a") + QChar(0) + QStringLiteral("b"));
}

void tst_TwilioAdapter::bodyIsKeptVerbatim()
{
    QFETCH(QString, body);
    auto event = TwilioAdapter::parseInbound(
        form("MessageSid=SM1&From=%2B16145550177&Body=" + body.toUtf8().toPercentEncoding()));
    LD_VERIFY_OK(event);
    QCOMPARE(event->body, body);
    QCOMPARE(event->kind, Kind::Message);
}

void tst_TwilioAdapter::invalidUtf8BecomesReplacementCharacters()
{
    auto event = TwilioAdapter::parseInbound(form("MessageSid=SM1&From=%2B1614555&Body=ok%FF%C3"));
    LD_VERIFY_OK(event);
    QVERIFY(event->body.startsWith(QLatin1String("ok")));
    QVERIFY(event->body.contains(QChar::ReplacementCharacter));
}

void tst_TwilioAdapter::statusDelivered()
{
    auto event = TwilioAdapter::parseStatus(fixture("twilio_status_callback_delivered.form"));
    LD_VERIFY_OK(event);
    QCOMPARE(event->kind, Kind::DeliveryStatus);
    QCOMPARE(event->channel, QStringLiteral("sms"));
    QCOMPARE(event->externalId, QStringLiteral("SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"));
    QCOMPARE(event->status, QStringLiteral("delivered"));
    QCOMPARE(event->senderId, QStringLiteral("+16145550177"));
    QCOMPARE(event->recipientId, QStringLiteral("+16145550100"));
    QVERIFY(event->errorCode.isEmpty());
}

void tst_TwilioAdapter::statusUndeliveredKeepsItsErrorCode()
{
    auto event = TwilioAdapter::parseStatus(fixture("twilio_status_callback_undelivered.form"));
    LD_VERIFY_OK(event);
    QCOMPARE(event->status, QStringLiteral("failed"));
    QCOMPARE(event->errorCode, QStringLiteral("30003"));
    QCOMPARE(event->errorText, QStringLiteral("undelivered"));
    auto withMessage = TwilioAdapter::parseStatus(
        form("MessageSid=SM1&MessageStatus=failed&ErrorCode=30008&ErrorMessage=Unknown+error"));
    LD_VERIFY_OK(withMessage);
    QCOMPARE(withMessage->errorCode, QStringLiteral("30008"));
    QCOMPARE(withMessage->errorText, QStringLiteral("Unknown error"));
}

void tst_TwilioAdapter::statusMapping_data()
{
    QTest::addColumn<QString>("twilio");
    QTest::addColumn<QString>("ours");
    QTest::newRow("accepted") << "accepted"
                              << "queued";
    QTest::newRow("scheduled") << "scheduled"
                               << "queued";
    QTest::newRow("queued") << "queued"
                            << "queued";
    QTest::newRow("sending") << "sending"
                             << "queued";
    QTest::newRow("sent") << "sent"
                          << "sent";
    QTest::newRow("delivered") << "delivered"
                               << "delivered";
    QTest::newRow("read") << "read"
                          << "read";
    QTest::newRow("undelivered") << "undelivered"
                                 << "failed";
    QTest::newRow("failed") << "failed"
                            << "failed";
    QTest::newRow("canceled") << "canceled"
                              << "failed";
    QTest::newRow("upper case") << "DELIVERED"
                                << "delivered";
    QTest::newRow("unknown kept") << "partially_delivered"
                                  << "partially_delivered";
}

void tst_TwilioAdapter::statusMapping()
{
    QFETCH(QString, twilio);
    QFETCH(QString, ours);
    QCOMPARE(TwilioAdapter::statusOf(twilio), ours);
}

void tst_TwilioAdapter::statusRequiredFields()
{
    auto noStatus = TwilioAdapter::parseStatus(form("MessageSid=SM1&To=%2B1"));
    QVERIFY(!noStatus);
    QCOMPARE(noStatus.error().field, QStringLiteral("MessageStatus"));
    auto noSid = TwilioAdapter::parseStatus(form("MessageStatus=sent"));
    QVERIFY(!noSid);
    QCOMPARE(noSid.error().field, QStringLiteral("MessageSid"));
    auto legacyNames = TwilioAdapter::parseStatus(form("SmsSid=SM1&SmsStatus=sent"));
    LD_VERIFY_OK(legacyNames);
    QCOMPARE(legacyNames->status, QStringLiteral("sent"));
}

void tst_TwilioAdapter::dedupeKeys()
{
    auto inbound = TwilioAdapter::parseInbound(fixture("twilio_inbound_sms.form"));
    auto delivered = TwilioAdapter::parseStatus(fixture("twilio_status_callback_delivered.form"));
    auto failed = TwilioAdapter::parseStatus(fixture("twilio_status_callback_undelivered.form"));
    LD_VERIFY_OK(inbound);
    LD_VERIFY_OK(delivered);
    LD_VERIFY_OK(failed);
    QCOMPARE(TwilioAdapter::dedupeKey(*inbound),
             QStringLiteral("SMcccccccccccccccccccccccccccccccc"));
    QCOMPARE(TwilioAdapter::dedupeKey(*delivered),
             QStringLiteral("SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:delivered"));
    QVERIFY(TwilioAdapter::dedupeKey(*delivered) != TwilioAdapter::dedupeKey(*failed));
}

void tst_TwilioAdapter::emptyTwimlMatchesTheFixture()
{
    QCOMPARE(TwilioAdapter::emptyTwiml(),
             Test::readFixture(QStringLiteral("twilio_inbound_reply_twiml.xml")));
}

QTEST_GUILESS_MAIN(tst_TwilioAdapter)
#include "tst_twilioadapter.moc"
