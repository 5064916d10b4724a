#include "businessrepository.h"
#include "databasethread.h"
#include "fakegraphapi.h"
#include "graphapiclient.h"
#include "httpreceiver.h"
#include "inboundrecorder.h"
#include "inboundroutetable.h"
#include "leadadsfetcher.h"
#include "leadingestor.h"
#include "messengerroute.h"
#include "metahandshakeroute.h"
#include "metasignature.h"
#include "normalizer.h"
#include "testsupport.h"
#include "whatsapproute.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTest>

using namespace LeadDesk;
using Sync::MetaSignature;
using Test::FakeGraphApi;

namespace {

constexpr auto kSecret = "test_app_secret"; // channels.md §9.1
constexpr auto kVerifyToken = "my-verify-token-123";

using Reply = Test::HttpReply;

// One request on its own connection, raw bytes, so a test can send what Meta never would.
Reply send(quint16 port, const QByteArray &method, const QByteArray &target,
           const QByteArray &body = {}, const QList<QByteArray> &extraHeaders = {})
{
    return Test::sendHttp(port, method, target, body, extraHeaders);
}

QByteArray signatureHeader(const QByteArray &body, const QByteArray &secret = kSecret)
{
    return QByteArray(MetaSignature::kHeader) + ": " + MetaSignature::sign(secret, body);
}

// A WhatsApp delivery with one change whose value is `value`.
QByteArray whatsapp(QJsonObject value)
{
    value.insert("messaging_product", "whatsapp");
    value.insert("metadata", QJsonObject{{"display_phone_number", "15550783881"},
                                         {"phone_number_id", "106540352242922"}});
    const QJsonObject change{{"value", value}, {"field", "messages"}};
    return QJsonDocument(
               QJsonObject{{"object", "whatsapp_business_account"},
                           {"entry", QJsonArray{QJsonObject{{"id", "102290129340398"},
                                                            {"changes", QJsonArray{change}}}}}})
        .toJson(QJsonDocument::Compact);
}

QJsonObject textMessage(const QString &id, const QString &body,
                        const QString &from = QStringLiteral("16505551234"))
{
    return {{"from", from},
            {"id", id},
            {"timestamp", "1739321024"},
            {"type", "text"},
            {"text", QJsonObject{{"body", body}}}};
}

QByteArray messengerPage(const QJsonArray &messaging)
{
    const QJsonObject entry{
        {"id", "104857600012345"}, {"time", 1739321024512LL}, {"messaging", messaging}};
    return QJsonDocument(QJsonObject{{"object", "page"}, {"entry", QJsonArray{entry}}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

// The Meta routes over real HTTP on loopback: the receiver and its journal, the WhatsApp and
// Messenger/Lead Ads routes, the store through InboundRecorder, and a fake Graph API that the
// Lead Ads fetcher reads leads from.
class tst_MetaRoutes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void specs();
    void handshakeOverHttp_data();
    void handshakeOverHttp();
    void whatsappFixtureIsStored();
    void whatsappRedeliveryChangesNothing();
    void badSignaturesAreRefusedAndNotKept_data();
    void badSignaturesAreRefusedAndNotKept();
    void unreadableBodiesAreRejected_data();
    void unreadableBodiesAreRejected();
    void missingRequiredFieldIsKeptForReplay();
    void injectionStringsAreStoredVerbatim();
    void mediaAndInteractiveAreStored();
    void statusesNeverRegress();
    void failedStatusKeepsItsError();
    void nonMessageChangesAreAcknowledged();
    void messengerFixtureIsStored();
    void messengerPostbackAndEcho();
    void leadgenWebhookFetchesTheLead();
    void leadgenRedeliveryFetchesOnce();
    void leadgenFetchRetriesTransientErrors();
    void leadgenWithoutLeadAdsIsKeptForReplay();

private:
    void startReceiver(bool withLeadAds);
    QString scalar(const QString &sql);
    int count(const QString &table, const QString &where = {})
    {
        return Test::countRows(m_store->db(), table, where);
    }
    Reply post(const QByteArray &path, const QByteArray &body)
    {
        return send(m_port, "POST", path, body, {signatureHeader(body)});
    }
    // Our outbound WhatsApp message with this wamid, as the outbox records it after the send.
    bool insertOutbound(const QString &wamid, const QString &status);

    std::unique_ptr<Test::TempStore> m_store;
    Core::Business m_business;
    std::unique_ptr<Core::StoreWriter> m_writer;
    std::unique_ptr<Core::StoreReader> m_reader;
    std::unique_ptr<FakeGraphApi> m_graph;
    std::unique_ptr<Sync::GraphApiClient> m_client;
    std::unique_ptr<Sync::LeadAdsFetcher> m_fetcher;
    std::unique_ptr<Sync::HttpReceiver> m_receiver;
    quint16 m_port = 0;
};

void tst_MetaRoutes::init()
{
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    auto business = Core::BusinessRepository(m_store->db()).primary();
    LD_VERIFY_OK(business);
    m_business = *business;
    Core::StoreWriter::Options writerOptions;
    writerOptions.fullSync = true;
    auto writer = Core::StoreWriter::start(m_store->path(), writerOptions);
    LD_VERIFY_OK(writer);
    m_writer = std::move(*writer);
    auto reader = Core::StoreReader::start(m_store->path());
    LD_VERIFY_OK(reader);
    m_reader = std::move(*reader);

    m_graph = std::make_unique<FakeGraphApi>();
    QVERIFY(m_graph->listen());
    Sync::GraphApiClient::Config config;
    config.baseUrl = m_graph->baseUrl();
    config.accessToken = m_graph->accessToken;
    config.timeoutMs = 5000;
    m_client = std::make_unique<Sync::GraphApiClient>(config);
    Sync::LeadAdsFetcher::Options fetchOptions;
    fetchOptions.firstBackoffMs = 20;
    // The sink the engine wires: leads applied by InboundRecorder on the store's writer.
    auto sink = [this](QList<Core::InboundEvent> leads) {
        const Core::Business business = m_business;
        return m_writer->submit([leads, business](Core::Database &db) -> Core::Result<void> {
            Core::LeadIngestor ingestor(db);
            const Core::Normalizer normalizer(business.defaultRegion);
            Core::InboundRecorder recorder(db, ingestor, normalizer);
            auto applied = recorder.apply(business.id, leads);
            if (!applied)
                return std::unexpected(applied.error());
            return {};
        });
    };
    m_fetcher = std::make_unique<Sync::LeadAdsFetcher>(*m_client, sink, fetchOptions);
    startReceiver(true);
}

void tst_MetaRoutes::startReceiver(bool withLeadAds)
{
    if (m_receiver)
        m_receiver->drain(5000);
    m_receiver.reset();
    auto table = std::make_shared<Sync::InboundRouteTable>();
    const QString token = QString::fromLatin1(kVerifyToken);
    LD_VERIFY_OK(table->add(std::make_shared<const Sync::MetaHandshakeRoute>(
        QStringLiteral("whatsapp_verify"), QStringLiteral("/webhooks/whatsapp"), token)));
    LD_VERIFY_OK(table->add(std::make_shared<const Sync::WhatsAppRoute>(kSecret)));
    LD_VERIFY_OK(table->add(std::make_shared<const Sync::MetaHandshakeRoute>(
        QStringLiteral("messenger_verify"), QStringLiteral("/webhooks/messenger"), token)));
    Sync::MessengerRoute::LeadgenHandler handler;
    if (withLeadAds) {
        Sync::LeadAdsFetcher *fetcher = m_fetcher.get();
        handler = [fetcher](const QList<Sync::LeadAdsAdapter::LeadgenRef> &refs,
                            Sync::WriteContext &) -> Core::Result<void> {
            fetcher->enqueue(refs);
            return {};
        };
    }
    LD_VERIFY_OK(table->add(std::make_shared<const Sync::MessengerRoute>(kSecret, handler)));
    Sync::HttpReceiver::Options options;
    options.perPeerPerMinute = 0;
    options.logRequests = false;
    options.maxBodyBytes = 8 * 1024 * 1024;
    m_receiver
        = std::make_unique<Sync::HttpReceiver>(*m_writer, *m_reader, m_business, table, options);
    auto port = m_receiver->start();
    LD_VERIFY_OK(port);
    m_port = *port;
}

void tst_MetaRoutes::cleanup()
{
    if (m_receiver)
        m_receiver->drain(5000);
    m_receiver.reset();
    m_fetcher.reset();
    m_client.reset();
    m_graph.reset();
    m_reader.reset();
    m_writer.reset();
    m_store.reset();
}

QString tst_MetaRoutes::scalar(const QString &sql)
{
    QSqlQuery q(m_store->db().connection());
    if (!q.exec(sql) || !q.next())
        return QStringLiteral("<none>");
    return q.value(0).isNull() ? QStringLiteral("<null>") : q.value(0).toString();
}

bool tst_MetaRoutes::insertOutbound(const QString &wamid, const QString &status)
{
    QSqlQuery q(m_store->db().connection());
    q.prepare(QStringLiteral(
        "INSERT INTO messages (id, business_id, conversation_id, lead_id, direction, body, "
        "sent_at, external_id, delivery_status, created_at, updated_at) SELECT ?, business_id, "
        "id, lead_id, 'out', 'Sure - today''s rate is 6.1%', 1, ?, ?, 1, 1 FROM conversations "
        "LIMIT 1"));
    q.addBindValue(QString(QStringLiteral("m-") + wamid.right(8)));
    q.addBindValue(wamid);
    q.addBindValue(status);
    return q.exec() && q.numRowsAffected() == 1;
}

void tst_MetaRoutes::specs()
{
    const Sync::WhatsAppRoute whatsapp(kSecret);
    const Sync::MessengerRoute messenger(kSecret);
    const Sync::MetaHandshakeRoute verify(QStringLiteral("whatsapp_verify"),
                                          QStringLiteral("/webhooks/whatsapp"), kVerifyToken);
    QCOMPARE(whatsapp.spec().pattern, QStringLiteral("/webhooks/whatsapp"));
    QCOMPARE(whatsapp.spec().method, QByteArray("POST"));
    QCOMPARE(whatsapp.spec().kind, Sync::InboundRoute::Kind::Journalled);
    QCOMPARE(whatsapp.spec().contentTypes, QList<QByteArray>{"application/json"});
    QVERIFY(!whatsapp.spec().rateLimited);
    QCOMPARE(messenger.spec().pattern, QStringLiteral("/webhooks/messenger"));
    QCOMPARE(verify.spec().method, QByteArray("GET"));
    QCOMPARE(verify.spec().kind, Sync::InboundRoute::Kind::Direct);
}

void tst_MetaRoutes::handshakeOverHttp_data()
{
    QTest::addColumn<QByteArray>("target");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    // whatsapp_verify_request.http
    QTest::newRow("whatsapp") << QByteArray(
        "/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444"
        "&hub.verify_token=my-verify-token-123")
                              << 200 << QByteArray("1158201444");
    QTest::newRow("messenger") << QByteArray(
        "/webhooks/messenger?hub.mode=subscribe&hub.challenge=987654321"
        "&hub.verify_token=my-verify-token-123")
                               << 200 << QByteArray("987654321");
    QTest::newRow("wrong token") << QByteArray(
        "/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444"
        "&hub.verify_token=guess")
                                 << 403 << QByteArray();
    QTest::newRow("no parameters") << QByteArray("/webhooks/messenger") << 403 << QByteArray();
    QTest::newRow("script as challenge")
        << QByteArray("/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=%3Cscript%3E"
                      "&hub.verify_token=my-verify-token-123")
        << 400 << QByteArray();
}

void tst_MetaRoutes::handshakeOverHttp()
{
    QFETCH(QByteArray, target);
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    const Reply reply = send(m_port, "GET", target);
    QCOMPARE(reply.status, status);
    if (status == 200) {
        QCOMPARE(reply.body, body);
        QVERIFY(reply.header("content-type").startsWith("text/plain"));
    } else {
        QVERIFY(!reply.body.contains("1158201444"));
    }
    QCOMPARE(count(QStringLiteral("inbound_journal")), 0);
}

void tst_MetaRoutes::whatsappFixtureIsStored()
{
    // The fixture with its §9.1 header, byte for byte.
    const QByteArray body = Test::readFixture("whatsapp_inbound_text.json");
    const Reply reply = send(m_port, "POST", "/webhooks/whatsapp", body,
                             {"X-Hub-Signature-256: sha256=275d72c1a3a27060f7b376770b7626784da603"
                              "f91dd725c5246626b04a6ba348"});
    QCOMPARE(reply.status, 200);
    QCOMPARE(reply.object().value("received").toBool(), true);
    QCOMPARE(scalar("SELECT status || '|' || route FROM inbound_journal"),
             QStringLiteral("processed|whatsapp"));
    QCOMPARE(scalar("SELECT body FROM messages"),
             QStringLiteral("Hi, is the 30-year fixed rate still 6.1%?"));
    QCOMPARE(scalar("SELECT direction || '|' || external_id FROM messages"),
             QStringLiteral("in|wamid.HBgLMTY1MDU1NTEyMzQVAgASGBQzQUFGRjEyMzQ1Njc4OTBBQkNEAA=="));
    QCOMPARE(count(QStringLiteral("contact_identities"),
                   QStringLiteral("channel = 'whatsapp' AND external_id = '16505551234'")),
             1);
    QCOMPARE(count(QStringLiteral("conversations"), QStringLiteral("channel = 'whatsapp'")), 1);
    // The journal row keeps the exact bytes (replay re-verifies nothing, re-parses them).
    QSqlQuery q(m_store->db().connection());
    QVERIFY(q.exec(QStringLiteral("SELECT body FROM inbound_journal")) && q.next());
    QCOMPARE(q.value(0).toByteArray(), body);
}

void tst_MetaRoutes::whatsappRedeliveryChangesNothing()
{
    const QByteArray body = Test::readFixture("whatsapp_inbound_text.json");
    QCOMPARE(post("/webhooks/whatsapp", body).status, 200);
    const Reply again = post("/webhooks/whatsapp", body);
    QCOMPARE(again.status, 200);
    QCOMPARE(count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'duplicate'")), 1);
    QCOMPARE(count(QStringLiteral("messages")), 1);
    // The same message in another batch (Meta re-batches retries): stored once still.
    const QJsonObject value = QJsonDocument::fromJson(body)
                                  .object()["entry"]
                                  .toArray()[0]
                                  .toObject()["changes"]
                                  .toArray()[0]
                                  .toObject()["value"]
                                  .toObject();
    QJsonArray messages = value["messages"].toArray();
    messages.append(textMessage(QStringLiteral("wamid.second"), QStringLiteral("And FHA?")));
    QJsonObject rebatched = value;
    rebatched["messages"] = messages;
    QCOMPARE(post("/webhooks/whatsapp", whatsapp(rebatched)).status, 200);
    QCOMPARE(count(QStringLiteral("messages")), 2);
}

void tst_MetaRoutes::badSignaturesAreRefusedAndNotKept_data()
{
    const QByteArray body = Test::readFixture("whatsapp_inbound_text.json");
    QTest::addColumn<QByteArray>("path");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QList<QByteArray>>("headers");
    QTest::newRow("missing") << QByteArray("/webhooks/whatsapp") << body << QList<QByteArray>{};
    QTest::newRow("other secret") << QByteArray("/webhooks/whatsapp") << body
                                  << QList<QByteArray>{signatureHeader(body, "not_the_secret")};
    QTest::newRow("tampered body")
        << QByteArray("/webhooks/whatsapp") << QByteArray(body).replace("6.1%", "1.6%")
        << QList<QByteArray>{signatureHeader(body)};
    QTest::newRow("sha1 only")
        << QByteArray("/webhooks/whatsapp") << body
        << QList<QByteArray>{"X-Hub-Signature: sha1=0123456789abcdef0123456789abcdef01234567"};
    QTest::newRow("garbage") << QByteArray("/webhooks/whatsapp") << body
                             << QList<QByteArray>{"X-Hub-Signature-256: sha256=zz"};
    const QByteArray messenger = Test::readFixture("messenger_inbound_text.json");
    QTest::newRow("messenger missing")
        << QByteArray("/webhooks/messenger") << messenger << QList<QByteArray>{};
    const QByteArray leadgen = Test::readFixture("leadads_webhook_leadgen.json");
    QTest::newRow("leadgen other secret")
        << QByteArray("/webhooks/messenger") << leadgen
        << QList<QByteArray>{signatureHeader(leadgen, "not_the_secret")};
}

void tst_MetaRoutes::badSignaturesAreRefusedAndNotKept()
{
    QFETCH(QByteArray, path);
    QFETCH(QByteArray, body);
    QFETCH(QList<QByteArray>, headers);
    const Reply reply = send(m_port, "POST", path, body, headers);
    QCOMPARE(reply.status, 401);
    QCOMPARE(reply.object().value("error").toString(), QStringLiteral("INVALID_SIGNATURE"));
    QCOMPARE(count(QStringLiteral("inbound_journal")), 0);
    QCOMPARE(count(QStringLiteral("messages")), 0);
    QTest::qWait(50);
    QVERIFY(m_graph->requests.isEmpty()); // no lead fetched for an unsigned leadgen
}

void tst_MetaRoutes::unreadableBodiesAreRejected_data()
{
    const QByteArray good = Test::readFixture("whatsapp_inbound_text.json");
    QTest::addColumn<QByteArray>("body");
    QTest::newRow("truncated") << good.left(good.size() / 2);
    QTest::newRow("not json") << QByteArray("object=whatsapp_business_account");
    QTest::newRow("invalid utf-8") << QByteArray(good).replace("Dana", "D\xff\xfe");
    QTest::newRow("deeply nested") << QByteArray(R"({"object":"whatsapp_business_account","x":)")
                                          + QByteArray(200, '[') + QByteArray(200, ']') + "}";
    QTest::newRow("top-level array") << QByteArray("[]");
}

void tst_MetaRoutes::unreadableBodiesAreRejected()
{
    QFETCH(QByteArray, body);
    const Reply reply = post("/webhooks/whatsapp", body);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.object().value("error").toString(), QStringLiteral("INVALID_JSON"));
    QCOMPARE(count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'rejected'")), 1);
    QCOMPARE(count(QStringLiteral("messages")), 0);
}

void tst_MetaRoutes::missingRequiredFieldIsKeptForReplay()
{
    QJsonObject message = textMessage(QStringLiteral("wamid.nofrom"), QStringLiteral("hi"));
    message.remove("from");
    const Reply reply = post("/webhooks/whatsapp", whatsapp({{"messages", QJsonArray{message}}}));
    QCOMPARE(reply.status, 200); // safe in the journal; Meta must not resend it for days
    QCOMPARE(scalar("SELECT status FROM inbound_journal"), QStringLiteral("failed"));
    QVERIFY(scalar("SELECT error FROM inbound_journal")
                .contains(QStringLiteral("entry[0].changes[0].value.messages[0].from")));
    QCOMPARE(count(QStringLiteral("messages")), 0);
}

void tst_MetaRoutes::injectionStringsAreStoredVerbatim()
{
    const QStringList texts{QStringLiteral("Robert'); DROP TABLE messages;--"),
                            QStringLiteral("<script>alert(document.cookie)</script>"),
                            QStringLiteral("=HYPERLINK(\"http://x\")"),
                            QString::fromUtf8("\u202Etxt.exe \U0001F600 l\u00edne1\nline2")};
    QJsonArray messages;
    for (int i = 0; i < texts.size(); ++i)
        messages.append(textMessage(QStringLiteral("wamid.inj%1").arg(i), texts.at(i)));
    const QJsonArray contacts{
        QJsonObject{{"profile", QJsonObject{{"name", "O'Brien <b>"}}}, {"wa_id", "16505551234"}}};
    QCOMPARE(post("/webhooks/whatsapp", whatsapp({{"contacts", contacts}, {"messages", messages}}))
                 .status,
             200);
    QCOMPARE(count(QStringLiteral("messages")), int(texts.size()));
    for (int i = 0; i < texts.size(); ++i) {
        QSqlQuery q(m_store->db().connection());
        q.prepare(QStringLiteral("SELECT body FROM messages WHERE external_id = ?"));
        q.addBindValue(QStringLiteral("wamid.inj%1").arg(i));
        QVERIFY(q.exec() && q.next());
        QCOMPARE(q.value(0).toString(), texts.at(i));
    }
    QCOMPARE(count(QStringLiteral("sqlite_master"), QStringLiteral("name = 'messages'")), 1);
}

void tst_MetaRoutes::mediaAndInteractiveAreStored()
{
    QJsonObject image{
        {"from", "16505551234"},
        {"id", "wamid.img"},
        {"timestamp", "1739321030"},
        {"type", "image"},
        {"image", QJsonObject{{"caption", "My paystub"},
                              {"mime_type", "image/jpeg"},
                              {"sha256", "IeHfGyMTZ0AXZMC0VtEoGXXaAJPPOBWnhBgKabH+ckA="},
                              {"id", "1013859600285441"}}}};
    QJsonObject button{
        {"from", "16505551234"},
        {"id", "wamid.btn"},
        {"timestamp", "1739321040"},
        {"type", "interactive"},
        {"interactive", QJsonObject{{"type", "button_reply"},
                                    {"button_reply",
                                     QJsonObject{{"id", "book-call"}, {"title", "Book a call"}}}}}};
    QCOMPARE(post("/webhooks/whatsapp", whatsapp({{"messages", QJsonArray{image, button}}})).status,
             200);
    QCOMPARE(scalar("SELECT body FROM messages WHERE external_id = 'wamid.img'"),
             QStringLiteral("My paystub"));
    const QJsonObject media
        = QJsonDocument::fromJson(
              scalar("SELECT media FROM messages WHERE external_id = 'wamid.img'").toUtf8())
              .object();
    QCOMPARE(media.value("id").toString(), QStringLiteral("1013859600285441"));
    QCOMPARE(media.value("mime_type").toString(), QStringLiteral("image/jpeg"));
    QCOMPARE(scalar("SELECT body FROM messages WHERE external_id = 'wamid.btn'"),
             QStringLiteral("Book a call"));
}

void tst_MetaRoutes::statusesNeverRegress()
{
    QCOMPARE(post("/webhooks/whatsapp", Test::readFixture("whatsapp_inbound_text.json")).status,
             200);
    const QString wamid
        = QStringLiteral("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI5QTNDQTVCM0Q0Q0Q2RTY3RTcA");
    QVERIFY(insertOutbound(wamid, QStringLiteral("queued")));
    const QString statusSql
        = QStringLiteral("SELECT delivery_status FROM messages WHERE external_id = '%1'")
              .arg(wamid);

    // read arrives first; the late delivered and sent must not undo it.
    QCOMPARE(post("/webhooks/whatsapp", Test::readFixture("whatsapp_status_read.json")).status,
             200);
    QCOMPARE(scalar(statusSql), QStringLiteral("read"));
    QCOMPARE(post("/webhooks/whatsapp", Test::readFixture("whatsapp_status_delivered.json")).status,
             200);
    QCOMPARE(scalar(statusSql), QStringLiteral("read"));
    QCOMPARE(post("/webhooks/whatsapp", Test::readFixture("whatsapp_status_sent.json")).status,
             200);
    QCOMPARE(scalar(statusSql), QStringLiteral("read"));
    QCOMPARE(count(QStringLiteral("inbound_journal")), 4);
    QCOMPARE(count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'failed'")), 0);
    // The journal says why nothing changed.
    QVERIFY(
        scalar("SELECT error FROM inbound_journal ORDER BY received_at DESC, rowid DESC LIMIT 1")
            .contains(QStringLiteral("does not follow")));
}

void tst_MetaRoutes::failedStatusKeepsItsError()
{
    QCOMPARE(post("/webhooks/whatsapp", Test::readFixture("whatsapp_inbound_text.json")).status,
             200);
    const QString wamid
        = QStringLiteral("wamid.HBgLMTY1MDU1NTEyMzQVAgARGBJGNEU1RDZDN0I4QTk5MDAxMjMA");
    QVERIFY(insertOutbound(wamid, QStringLiteral("sent")));
    QCOMPARE(post("/webhooks/whatsapp", Test::readFixture("whatsapp_status_failed.json")).status,
             200);
    QCOMPARE(scalar(QStringLiteral("SELECT delivery_status FROM messages WHERE external_id = '%1'")
                        .arg(wamid)),
             QStringLiteral("failed"));
    QVERIFY(scalar(QStringLiteral("SELECT error FROM messages WHERE external_id = '%1'").arg(wamid))
                .contains(QStringLiteral("131047")));
}

void tst_MetaRoutes::nonMessageChangesAreAcknowledged()
{
    QCOMPARE(
        post("/webhooks/whatsapp", Test::readFixture("whatsapp_webhook_value_errors.json")).status,
        200);
    QCOMPARE(scalar("SELECT status FROM inbound_journal"), QStringLiteral("processed"));
    QCOMPARE(count(QStringLiteral("messages")), 0);
}

void tst_MetaRoutes::messengerFixtureIsStored()
{
    const QByteArray body = Test::readFixture("messenger_inbound_text.json");
    const Reply reply = send(m_port, "POST", "/webhooks/messenger", body,
                             {"X-Hub-Signature-256: sha256=bd5542da939ac2d5055e428e08fb88fb9b0fb2"
                              "0a8dcf37889569eb8d7ec176b9"});
    QCOMPARE(reply.status, 200);
    QCOMPARE(scalar("SELECT status || '|' || route FROM inbound_journal"),
             QStringLiteral("processed|messenger"));
    QCOMPARE(scalar("SELECT body || '|' || external_id FROM messages"),
             QStringLiteral("Do you do FHA loans in Ohio?|m_AbCdEfGhIjKlMnOpQrStUvWxYz0123456789"));
    QCOMPARE(count(QStringLiteral("contact_identities"),
                   QStringLiteral("channel = 'messenger' AND external_id = '6723451298765432'")),
             1);
    QCOMPARE(post("/webhooks/messenger", body).status, 200);
    QCOMPARE(count(QStringLiteral("messages")), 1);
}

void tst_MetaRoutes::messengerPostbackAndEcho()
{
    const QJsonObject sender{{"id", "6723451298765432"}};
    const QJsonObject page{{"id", "104857600012345"}};
    const QJsonArray messaging{
        QJsonObject{
            {"sender", sender},
            {"recipient", page},
            {"timestamp", 1739321030000LL},
            {"postback",
             QJsonObject{{"mid", "m_pb1"}, {"title", "Get a quote"}, {"payload", "QUOTE"}}}},
        QJsonObject{
            {"sender", page},
            {"recipient", sender},
            {"timestamp", 1739321031000LL},
            {"message", QJsonObject{{"mid", "m_echo"}, {"text", "Sure!"}, {"is_echo", true}}}}};
    QCOMPARE(post("/webhooks/messenger", messengerPage(messaging)).status, 200);
    QCOMPARE(scalar("SELECT body || '|' || external_id FROM messages"),
             QStringLiteral("Get a quote|m_pb1"));
    QCOMPARE(count(QStringLiteral("messages")), 1);
}

void tst_MetaRoutes::leadgenWebhookFetchesTheLead()
{
    m_graph->addLeadObject(
        QStringLiteral("901234567890123"),
        QJsonDocument::fromJson(Test::readFixture("leadads_lead_get_response.json")).object());
    QSignalSpy stored(m_fetcher.get(), &Sync::LeadAdsFetcher::leadStored);
    const QByteArray body = Test::readFixture("leadads_webhook_leadgen.json");
    const Reply reply = send(m_port, "POST", "/webhooks/messenger", body,
                             {"X-Hub-Signature-256: sha256=2100a35a9d5cf9473b25a06809b5caee878c84"
                              "8791f3ca86c38717e0f273a4a3"});
    QCOMPARE(reply.status, 200);
    QCOMPARE(scalar("SELECT status FROM inbound_journal"), QStringLiteral("processed"));
    QVERIFY(stored.wait(10'000));
    QCOMPARE(stored.first().first().toString(), QStringLiteral("444555666777888"));

    QCOMPARE(m_graph->requests.size(), 1);
    const FakeGraphApi::Request &r = m_graph->requests.first();
    QCOMPARE(r.path, QStringLiteral("/v25.0/444555666777888"));
    QCOMPARE(r.param("access_token"), QStringLiteral("test-page-token"));
    QCOMPARE(r.param("fields"), QString::fromLatin1(Sync::LeadAdsAdapter::kGraphFields));

    QCOMPARE(count(QStringLiteral("leads"), QStringLiteral("channel = 'leadads'")), 1);
    QCOMPARE(scalar("SELECT external_id || '|' || email || '|' || phone FROM leads"),
             QStringLiteral("444555666777888|marcus.o@example.com|+13305550147"));
    const QJsonObject details
        = QJsonDocument::fromJson(scalar("SELECT details FROM leads").toUtf8()).object();
    QCOMPARE(details.value("form_id").toString(), QStringLiteral("901234567890123"));
    QCOMPARE(details.value("ad_id").toString(), QStringLiteral("238470000000001"));
    QCOMPARE(details.value("what_is_your_estimated_credit_score?").toString(),
             QStringLiteral("680-719"));
}

void tst_MetaRoutes::leadgenRedeliveryFetchesOnce()
{
    m_graph->addLead(QStringLiteral("901234567890123"), QStringLiteral("444555666777888"),
                     1739321020, QStringLiteral("Marcus Oyelaran"));
    QSignalSpy stored(m_fetcher.get(), &Sync::LeadAdsFetcher::leadStored);
    const QByteArray body = Test::readFixture("leadads_webhook_leadgen.json");
    QCOMPARE(post("/webhooks/messenger", body).status, 200);
    QCOMPARE(post("/webhooks/messenger", body).status, 200);
    QVERIFY(stored.wait(10'000));
    QTest::qWait(100);
    QCOMPARE(count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'duplicate'")), 1);
    QCOMPARE(m_graph->requests.size(), 1);
    // The poller may bring the same lead again: the store keeps one.
    m_fetcher->enqueue(
        {Sync::LeadAdsAdapter::LeadgenRef{QStringLiteral("444555666777888"), {}, {}, {}, {}, 0}});
    QVERIFY(stored.wait(10'000));
    QCOMPARE(count(QStringLiteral("leads"), QStringLiteral("channel = 'leadads'")), 1);
}

void tst_MetaRoutes::leadgenFetchRetriesTransientErrors()
{
    m_graph->addLead(QStringLiteral("901234567890123"), QStringLiteral("444555666777888"),
                     1739321020);
    FakeGraphApi::Reply limited = FakeGraphApi::rateLimited(4);
    limited.headers << std::pair{QByteArray("Retry-After"), QByteArray("0")};
    m_graph->script << limited << FakeGraphApi::Reply{502, "<html>bad gateway</html>", {}, false};
    QSignalSpy stored(m_fetcher.get(), &Sync::LeadAdsFetcher::leadStored);
    QSignalSpy failed(m_fetcher.get(), &Sync::LeadAdsFetcher::leadFailed);
    QCOMPARE(post("/webhooks/messenger", Test::readFixture("leadads_webhook_leadgen.json")).status,
             200);
    QVERIFY(stored.wait(10'000));
    QCOMPARE(failed.size(), 2);
    QCOMPARE(failed.at(0).at(2).toBool(), true); // will retry
    QCOMPARE(m_graph->requests.size(), 3);
    QCOMPARE(count(QStringLiteral("leads"), QStringLiteral("channel = 'leadads'")), 1);

    // A permanent error is reported, not retried.
    QSignalSpy failedAgain(m_fetcher.get(), &Sync::LeadAdsFetcher::leadFailed);
    m_fetcher->enqueue(
        {Sync::LeadAdsAdapter::LeadgenRef{QStringLiteral("999"), {}, {}, {}, {}, 0}});
    QVERIFY(failedAgain.wait(10'000));
    QCOMPARE(failedAgain.first().at(2).toBool(), false);
    QVERIFY(failedAgain.first().at(1).toString().contains(QStringLiteral("not found")));
    QCOMPARE(m_fetcher->pendingCount(), 0);
}

void tst_MetaRoutes::leadgenWithoutLeadAdsIsKeptForReplay()
{
    startReceiver(false);
    const QByteArray body = Test::readFixture("leadads_webhook_leadgen.json");
    QCOMPARE(post("/webhooks/messenger", body).status, 200);
    QCOMPARE(scalar("SELECT status FROM inbound_journal"), QStringLiteral("failed"));
    QVERIFY(scalar("SELECT error FROM inbound_journal")
                .contains(QStringLiteral("Lead Ads is not connected")));
    QTest::qWait(50);
    QVERIFY(m_graph->requests.isEmpty());
}

QTEST_GUILESS_MAIN(tst_MetaRoutes)
#include "tst_metaroutes.moc"
