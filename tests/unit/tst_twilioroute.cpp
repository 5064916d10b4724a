#include "businessrepository.h"
#include "clock.h"
#include "inboundroutetable.h"
#include "journalprocessor.h"
#include "testsupport.h"
#include "twilioroute.h"
#include "twiliosignature.h"

#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;
using Sync::InboundRequest;
using Sync::TwilioRoute;
using Sync::TwilioSignature;

namespace {

constexpr auto kToken = "test_auth_token_0000";
constexpr qint64 kNow = 1'741'100'000'000;

// What the receiver does with one request, minus the socket: screen() on the "server thread",
// then prepare() and JournalProcessor::receive() in one writer transaction.
struct Harness
{
    Test::TempStore store;
    Core::ManualClock clock{kNow};
    std::shared_ptr<Sync::InboundRouteTable> table = std::make_shared<Sync::InboundRouteTable>();
    std::shared_ptr<const TwilioRoute> sms;
    std::shared_ptr<const TwilioRoute> status;
    std::unique_ptr<Sync::JournalProcessor> processor;

    explicit Harness(const QByteArray &token = kToken)
        : sms(std::make_shared<const TwilioRoute>(TwilioRoute::Endpoint::Sms, token))
        , status(std::make_shared<const TwilioRoute>(TwilioRoute::Endpoint::Status, token))
    {
        (void)table->add(sms);
        (void)table->add(status);
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

    Result send(const TwilioRoute &route, const InboundRequest &request)
    {
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

// A request as it reaches the server behind a proxy: http on a local port, the public URL
// configured (or not).
InboundRequest request(const QString &path, const QByteArray &body, const QByteArray &signature,
                       const QString &publicBase = QStringLiteral("https://mock-crm.local"))
{
    InboundRequest r;
    r.method = "POST";
    r.path = path;
    r.url = QUrl(QStringLiteral("http://127.0.0.1:8080") + path);
    r.publicBaseUrl = publicBase;
    r.body = body;
    r.headers = {{"content-type", "application/x-www-form-urlencoded"}};
    if (!signature.isNull())
        r.headers.push_back({"x-twilio-signature", signature});
    r.receivedAtMs = kNow;
    return r;
}

// Signed the way Twilio signs: over the public URL and the decoded parameters.
InboundRequest signedRequest(const QString &path, const QByteArray &body,
                             const QByteArray &token = kToken)
{
    const InboundRequest unsignedRequest = request(path, body, {});
    auto params = TwilioSignature::parseForm(body);
    return request(path, body,
                   TwilioSignature::sign(token, unsignedRequest.publicUrl(),
                                         params.value_or(TwilioSignature::FormParams{})));
}

QByteArray inboundForm()
{
    return Test::readFixture(QStringLiteral("twilio_inbound_sms.form")).trimmed();
}

} // namespace

class tst_TwilioRoute : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void specs();
    void fixtureSignatureThroughThePublicUrl();
    void inboundSmsIsStoredAndAnsweredWithEmptyTwiml();
    void redeliveryChangesNothing();
    void badSignaturesAreRefused_data();
    void badSignaturesAreRefused();
    void withoutPublicUrlTheArrivalUrlIsSigned();
    void malformedFormIsRefused();
    void stopOptsTheContactOut();
    void signedButUnusableIsKeptAsFailed();
    void statusCallbacksMoveForwardOnly();
    void failedStatusKeepsItsErrorCode();
    void statusForUnknownMessageIsAnsweredAndNoted();
    void injectionInEveryFieldIsHarmless();
};

void tst_TwilioRoute::specs()
{
    const TwilioRoute sms(TwilioRoute::Endpoint::Sms, kToken);
    const TwilioRoute status(TwilioRoute::Endpoint::Status, kToken);
    QCOMPARE(sms.spec().pattern, QStringLiteral("/webhooks/twilio/sms"));
    QCOMPARE(status.spec().pattern, QStringLiteral("/webhooks/twilio/status"));
    QCOMPARE(sms.spec().method, QByteArray("POST"));
    QCOMPARE(sms.spec().contentTypes, QList<QByteArray>{"application/x-www-form-urlencoded"});
    QVERIFY(sms.spec().name != status.spec().name);
}

void tst_TwilioRoute::fixtureSignatureThroughThePublicUrl()
{
    // reference/channels.md §9.2: the fixture body signed for https://mock-crm.local/twilio/sms.
    Harness h;
    const InboundRequest r
        = request(QStringLiteral("/twilio/sms"), inboundForm(), "pRBT7tGhRdvQbMaMBWgttzK4iJY=");
    QCOMPARE(r.publicUrl(), QStringLiteral("https://mock-crm.local/twilio/sms"));
    QVERIFY(!h.sms->screen(r).has_value());
}

void tst_TwilioRoute::inboundSmsIsStoredAndAnsweredWithEmptyTwiml()
{
    Harness h;
    auto result
        = h.send(*h.sms, signedRequest(QStringLiteral("/webhooks/twilio/sms"), inboundForm()));
    QCOMPARE(result.journalStatus, QStringLiteral("processed"));
    QCOMPARE(result.response.status, 200);
    QCOMPARE(result.response.contentType, QByteArray("text/xml"));
    QCOMPARE(result.response.body,
             Test::readFixture(QStringLiteral("twilio_inbound_reply_twiml.xml")));
    QCOMPARE(h.scalar(QStringLiteral("SELECT body || '|' || external_id FROM messages")),
             QStringLiteral("Yes call me after 5|SMcccccccccccccccccccccccccccccccc"));
    QCOMPARE(h.scalar(QStringLiteral("SELECT phone FROM contacts")),
             QStringLiteral("+16145550177"));
    QCOMPARE(h.scalar(QStringLiteral("SELECT waiting_on || unread_count FROM conversations")),
             QStringLiteral("business1"));
    QCOMPARE(h.scalar(QStringLiteral("SELECT status || '|' || route || '|' || lead_id FROM "
                                     "inbound_journal")),
             QStringLiteral("processed|twilio_sms|%1")
                 .arg(h.scalar(QStringLiteral("SELECT id FROM leads"))));
}

void tst_TwilioRoute::redeliveryChangesNothing()
{
    Harness h;
    const InboundRequest r = signedRequest(QStringLiteral("/webhooks/twilio/sms"), inboundForm());
    auto first = h.send(*h.sms, r);
    auto second = h.send(*h.sms, r);
    QCOMPARE(first.journalStatus, QStringLiteral("processed"));
    QCOMPARE(second.journalStatus, QStringLiteral("duplicate"));
    QCOMPARE(second.response.body, first.response.body);
    QCOMPARE(second.response.contentType, first.response.contentType);
    QCOMPARE(h.count(QStringLiteral("messages")), 1);
    QCOMPARE(h.count(QStringLiteral("leads")), 1);
    QCOMPARE(h.scalar(QStringLiteral("SELECT unread_count FROM conversations")),
             QStringLiteral("1"));
}

void tst_TwilioRoute::badSignaturesAreRefused_data()
{
    QTest::addColumn<QByteArray>("signature");
    QTest::addColumn<QByteArray>("token"); // the route's
    const QByteArray good = TwilioSignature::sign(
        kToken, QStringLiteral("https://mock-crm.local/webhooks/twilio/sms"),
        *TwilioSignature::parseForm(inboundForm()));
    QTest::newRow("missing") << QByteArray() << QByteArray(kToken);
    QTest::newRow("empty") << QByteArray("") << QByteArray(kToken);
    QTest::newRow("wrong") << QByteArray("pRBT7tGhRdvQbMaMBWgttzK4iJY=") << QByteArray(kToken);
    QTest::newRow("other token") << good << QByteArray("another_token");
    QTest::newRow("no token configured") << good << QByteArray();
    QTest::newRow("not base64") << QByteArray("<script>") << QByteArray(kToken);
}

void tst_TwilioRoute::badSignaturesAreRefused()
{
    QFETCH(QByteArray, signature);
    QFETCH(QByteArray, token);
    Harness h(token);
    auto result = h.send(*h.sms, request(QStringLiteral("/webhooks/twilio/sms"), inboundForm(),
                                         signature.isNull() ? QByteArray() : signature));
    QCOMPARE(result.response.status, 403);
    QVERIFY(result.journalStatus.isEmpty());
    QCOMPARE(h.count(QStringLiteral("inbound_journal")), 0);
    QCOMPARE(h.count(QStringLiteral("messages")), 0);
}

void tst_TwilioRoute::withoutPublicUrlTheArrivalUrlIsSigned()
{
    Harness h;
    // Twilio called the public https URL; without the public URL configured the server only
    // knows http://127.0.0.1:8080, so the signature cannot match...
    InboundRequest behindProxy
        = signedRequest(QStringLiteral("/webhooks/twilio/sms"), inboundForm());
    behindProxy.publicBaseUrl.clear();
    QCOMPARE(h.send(*h.sms, behindProxy).response.status, 403);
    // ...while a request signed for the URL it arrived on passes.
    InboundRequest direct = request(QStringLiteral("/webhooks/twilio/sms"), inboundForm(), {}, {});
    direct.headers.push_back(
        {"x-twilio-signature",
         TwilioSignature::sign(kToken, QStringLiteral("http://127.0.0.1:8080/webhooks/twilio/sms"),
                               *TwilioSignature::parseForm(inboundForm()))});
    QCOMPARE(h.send(*h.sms, direct).journalStatus, QStringLiteral("processed"));
}

void tst_TwilioRoute::malformedFormIsRefused()
{
    Harness h;
    auto result = h.send(*h.sms, signedRequest(QStringLiteral("/webhooks/twilio/sms"),
                                               "MessageSid=SM1&From=%2B1614&Body=%E2%8"));
    QCOMPARE(result.response.status, 400);
    QCOMPARE(h.count(QStringLiteral("messages")), 0);
    // A truncated but well-formed body no longer matches its signature.
    const QByteArray form = inboundForm();
    InboundRequest truncated = signedRequest(QStringLiteral("/webhooks/twilio/sms"), form);
    truncated.body = form.left(form.size() - 10);
    QCOMPARE(h.send(*h.sms, truncated).response.status, 403);
}

void tst_TwilioRoute::stopOptsTheContactOut()
{
    Harness h;
    QCOMPARE(h.send(*h.sms, signedRequest(QStringLiteral("/webhooks/twilio/sms"), inboundForm()))
                 .journalStatus,
             QStringLiteral("processed"));
    const QByteArray stop
        = Test::readFixture(QStringLiteral("twilio_inbound_sms_stop.form")).trimmed();
    auto result = h.send(*h.sms, signedRequest(QStringLiteral("/webhooks/twilio/sms"), stop));
    QCOMPARE(result.journalStatus, QStringLiteral("processed"));
    // No auto-reply from us: Twilio sends the opt-out confirmation itself.
    QCOMPARE(result.response.body,
             Test::readFixture(QStringLiteral("twilio_inbound_reply_twiml.xml")));
    QCOMPARE(h.scalar(QStringLiteral("SELECT sms_opted_out FROM contacts")), QStringLiteral("1"));
    QCOMPARE(h.count(QStringLiteral("activities"), QStringLiteral("activity_type = 'sms_opt_out'")),
             1);
    QCOMPARE(h.count(QStringLiteral("contacts")), 1);
}

void tst_TwilioRoute::signedButUnusableIsKeptAsFailed()
{
    Harness h;
    auto result = h.send(*h.sms, signedRequest(QStringLiteral("/webhooks/twilio/sms"),
                                               "From=%2B16145550177&Body=no+sid"));
    QCOMPARE(result.journalStatus, QStringLiteral("failed"));
    QCOMPARE(result.response.status, 200);
    QCOMPARE(result.response.contentType, QByteArray("text/xml"));
    QVERIFY(result.error.contains(QLatin1String("MessageSid")));
    QCOMPARE(h.count(QStringLiteral("messages")), 0);
    QCOMPARE(h.count(QStringLiteral("contacts")), 0);
    QCOMPARE(h.count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'failed'")), 1);
}

void tst_TwilioRoute::statusCallbacksMoveForwardOnly()
{
    Harness h;
    h.send(*h.sms, signedRequest(QStringLiteral("/webhooks/twilio/sms"), inboundForm()));
    // Our reply, as the outbox records it after Twilio's 201.
    QSqlQuery q(h.store.db().connection());
    QVERIFY(q.exec(QStringLiteral(
        "INSERT INTO messages (id, business_id, conversation_id, lead_id, direction, body, "
        "sent_at, external_id, delivery_status, created_at, updated_at) SELECT 'm-out', "
        "business_id, id, lead_id, 'out', 'Sure', 1, 'SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', 'sent', "
        "1, "
        "1 FROM conversations")));
    auto statusForm = [](const char *status) -> QByteArray {
        return QByteArray("SmsSid=SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb&SmsStatus=") + status
               + "&MessageStatus=" + status
               + "&To=%2B16145550177&MessageSid=SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
                 "&AccountSid=ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa&From=%2B16145550100";
    };
    auto read = h.send(
        *h.status, signedRequest(QStringLiteral("/webhooks/twilio/status"), statusForm("read")));
    QCOMPARE(read.journalStatus, QStringLiteral("processed"));
    QCOMPARE(read.response.status, 200);
    QVERIFY(read.response.body.isEmpty());
    // The delivered callback arrives after read: answered, journalled, nothing regresses.
    auto delivered = h.send(
        *h.status,
        signedRequest(
            QStringLiteral("/webhooks/twilio/status"),
            Test::readFixture(QStringLiteral("twilio_status_callback_delivered.form")).trimmed()));
    QCOMPARE(delivered.response.status, 200);
    QCOMPARE(delivered.journalStatus, QStringLiteral("processed"));
    QVERIFY(delivered.error.contains(QLatin1String("does not follow")));
    QCOMPARE(h.scalar(QStringLiteral("SELECT delivery_status FROM messages WHERE id = 'm-out'")),
             QStringLiteral("read"));
    // The same callback twice: a request-level duplicate.
    auto again = h.send(
        *h.status, signedRequest(QStringLiteral("/webhooks/twilio/status"), statusForm("read")));
    QCOMPARE(again.journalStatus, QStringLiteral("duplicate"));
}

void tst_TwilioRoute::failedStatusKeepsItsErrorCode()
{
    Harness h;
    h.send(*h.sms, signedRequest(QStringLiteral("/webhooks/twilio/sms"), inboundForm()));
    QSqlQuery q(h.store.db().connection());
    QVERIFY(q.exec(QStringLiteral(
        "INSERT INTO messages (id, business_id, conversation_id, lead_id, direction, body, "
        "sent_at, external_id, delivery_status, created_at, updated_at) SELECT 'm-out', "
        "business_id, id, lead_id, 'out', 'Sure', 1, 'SMbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb', "
        "'queued', "
        "1, 1 FROM conversations")));
    auto failed = h.send(
        *h.status,
        signedRequest(QStringLiteral("/webhooks/twilio/status"),
                      Test::readFixture(QStringLiteral("twilio_status_callback_undelivered.form"))
                          .trimmed()));
    QCOMPARE(failed.journalStatus, QStringLiteral("processed"));
    auto late = h.send(
        *h.status,
        signedRequest(
            QStringLiteral("/webhooks/twilio/status"),
            Test::readFixture(QStringLiteral("twilio_status_callback_delivered.form")).trimmed()));
    QCOMPARE(late.response.status, 200);
    QCOMPARE(h.scalar(QStringLiteral("SELECT delivery_status || '|' || error FROM messages WHERE "
                                     "id = 'm-out'")),
             QStringLiteral("failed|30003: undelivered"));
}

void tst_TwilioRoute::statusForUnknownMessageIsAnsweredAndNoted()
{
    Harness h;
    auto result = h.send(
        *h.status,
        signedRequest(
            QStringLiteral("/webhooks/twilio/status"),
            Test::readFixture(QStringLiteral("twilio_status_callback_delivered.form")).trimmed()));
    QCOMPARE(result.response.status, 200);
    QCOMPARE(result.journalStatus, QStringLiteral("processed"));
    QVERIFY(result.error.contains(QLatin1String("unknown message")));
    QCOMPARE(h.count(QStringLiteral("messages")), 0);
}

void tst_TwilioRoute::injectionInEveryFieldIsHarmless()
{
    Harness h;
    const QByteArray evil = QByteArray("Robert'); DROP TABLE contacts;-- <Response><Message>pwn"
                                       "</Message></Response> \" \\ %s")
                                .toPercentEncoding();
    const QByteArray form = "MessageSid=SM" + evil + "&From=" + evil + "&To=" + evil
                            + "&Body=" + evil + "&FromCity=" + evil + "&NumMedia=" + evil
                            + "&MediaUrl0=" + evil + "&" + evil + "=" + evil;
    auto result = h.send(*h.sms, signedRequest(QStringLiteral("/webhooks/twilio/sms"), form));
    QCOMPARE(result.journalStatus, QStringLiteral("processed"));
    // The answer is still our empty TwiML: nothing the sender wrote reaches it.
    QCOMPARE(result.response.body,
             Test::readFixture(QStringLiteral("twilio_inbound_reply_twiml.xml")));
    const QString text = QString::fromUtf8(QByteArray::fromPercentEncoding(evil));
    QCOMPARE(h.scalar(QStringLiteral("SELECT body FROM messages")), text);
    QCOMPARE(h.count(QStringLiteral("contact_identities"), QStringLiteral("channel = 'sms'")), 1);
    QCOMPARE(h.count(QStringLiteral("contacts")), 1);
}

QTEST_GUILESS_MAIN(tst_TwilioRoute)
#include "tst_twilioroute.moc"
