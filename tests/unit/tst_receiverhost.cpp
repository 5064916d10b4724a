// Sync::ReceiverHost over real HTTP on loopback: every route is registered, the Lead Ads path
// (a signed leadgen webhook, the lead fetched from a fake Graph API and stored; a form polled at
// start), and what happens without a Page access token.
#include "businessrepository.h"
#include "databasethread.h"
#include "fakegraphapi.h"
#include "metasignature.h"
#include "receiverhost.h"
#include "sourcerepository.h"
#include "testsupport.h"

#include <QDateTime>
#include <QHostAddress>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace LeadDesk;
using Test::FakeGraphApi;

namespace {

constexpr auto kSecret = "host_app_secret";
const QString kForm = QStringLiteral("901234567890123");

// One request on its own connection; the status, 0 when no whole answer came back.
int send(quint16 port, const QByteArray &method, const QByteArray &target,
         const QByteArray &body = {}, const QList<QByteArray> &extraHeaders = {},
         QByteArray *answer = nullptr)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return 0;
    QByteArray request
        = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (method == "POST") {
        const bool typed
            = std::any_of(extraHeaders.cbegin(), extraHeaders.cend(), [](const QByteArray &h) {
                  return h.toLower().startsWith("content-type:");
              });
        if (!typed)
            request += "Content-Type: application/json\r\n";
        request += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    }
    for (const QByteArray &header : extraHeaders)
        request += header + "\r\n";
    request += "\r\n" + body;
    socket.write(request);
    QByteArray data;
    while (socket.waitForReadyRead(10'000))
        data += socket.readAll();
    data += socket.readAll();
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return 0;
    if (answer)
        *answer = data.mid(end + 4);
    return data.mid(9, 3).toInt();
}

QByteArray signatureHeader(const QByteArray &body)
{
    return QByteArray(Sync::MetaSignature::kHeader) + ": "
           + Sync::MetaSignature::sign(kSecret, body);
}

} // namespace

class tst_ReceiverHost : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void registersEveryRouteAndListsTheirUrls();
    void leadgenWebhookFetchesAndStoresTheLead();
    void leadAdsFormIsPolledAtStart();
    void withoutAccessTokenLeadgenIsKeptForReplay();
    void drainRefusesNewRequests();
    void portInUseFailsCleanly();

private:
    void startHost(QHash<QString, QString> secrets, const QString &publicUrl = {});
    int count(const QString &table, const QString &where = {})
    {
        return Test::countRows(m_store->db(), table, where);
    }

    std::unique_ptr<Test::TempStore> m_store;
    Core::Business m_business;
    std::unique_ptr<Core::StoreWriter> m_writer;
    std::unique_ptr<Core::StoreReader> m_reader;
    std::unique_ptr<FakeGraphApi> m_graph;
    std::unique_ptr<Sync::ReceiverHost> m_host;
    quint16 m_port = 0;
};

void tst_ReceiverHost::init()
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
}

void tst_ReceiverHost::cleanup()
{
    m_host.reset();
    m_graph.reset();
    m_reader.reset();
    m_writer.reset();
    m_store.reset();
}

void tst_ReceiverHost::startHost(QHash<QString, QString> secrets, const QString &publicUrl)
{
    Sync::ReceiverHost::Options options;
    options.http.perPeerPerMinute = 0;
    options.http.logRequests = false;
    options.http.publicBaseUrl = publicUrl;
    options.watchFolders = false;
    options.graphBaseUrl = m_graph->baseUrl().toString();
    m_host = std::make_unique<Sync::ReceiverHost>(
        *m_writer, *m_reader, m_business, m_store->dir(),
        [secrets](const QString &name) { return secrets.value(name); }, options);
    auto port = m_host->start();
    LD_VERIFY_OK(port);
    m_port = *port;
    QVERIFY(m_host->isRunning());
}

void tst_ReceiverHost::registersEveryRouteAndListsTheirUrls()
{
    startHost({{QStringLiteral("meta.verify_token"), QStringLiteral("tok")}},
              QStringLiteral("https://leads.example.com"));
    const QStringList urls = m_host->webhookUrls();
    for (const char *path : {"/webhooks/whatsapp", "/webhooks/messenger", "/webhooks/thumbtack",
                             "/v1/lead", "/v1/message", "/webhooks/twilio/sms",
                             "/webhooks/twilio/status", "/v1/api/leads", "/api/"})
        QVERIFY2(
            urls.filter(QStringLiteral(": https://leads.example.com") + QLatin1String(path)).size()
                == 1,
            path);
    // Each channel answers (no 404); without their secrets they refuse.
    QByteArray answer;
    QCOMPARE(send(m_port, "GET",
                  "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=tok&hub.challenge=42", {},
                  {}, &answer),
             200);
    QCOMPARE(answer, QByteArray("42"));
    QCOMPARE(send(m_port, "POST", "/webhooks/whatsapp", "{}"), 401);
    QCOMPARE(send(m_port, "POST", "/webhooks/thumbtack", "{}"), 401);
    QCOMPARE(send(m_port, "POST", "/webhooks/twilio/sms", "a=b",
                  {"Content-Type: application/x-www-form-urlencoded"}),
             403);
    QCOMPARE(send(m_port, "POST", "/api/session/start", "{}"), 200);
    QCOMPARE(count(QStringLiteral("inbound_journal")), 1); // only the chatbot's was kept
}

void tst_ReceiverHost::leadgenWebhookFetchesAndStoresTheLead()
{
    m_graph->addLeadObject(
        kForm,
        QJsonDocument::fromJson(Test::readFixture("leadads_lead_get_response.json")).object());
    startHost({{QStringLiteral("meta.app_secret"), QString::fromLatin1(kSecret)},
               {QStringLiteral("meta.page_access_token"), m_graph->accessToken}});
    const QByteArray body = Test::readFixture("leadads_webhook_leadgen.json");
    QCOMPARE(send(m_port, "POST", "/webhooks/messenger", body, {signatureHeader(body)}), 200);
    QTRY_COMPARE_WITH_TIMEOUT(count(QStringLiteral("leads"), QStringLiteral("channel = 'leadads'")),
                              1, 10'000);
    QSqlQuery q(m_store->db().connection());
    QVERIFY(q.exec(QStringLiteral("SELECT external_id, email FROM leads")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("444555666777888"));
    QCOMPARE(q.value(1).toString(), QStringLiteral("marcus.o@example.com"));
    QCOMPARE(m_graph->requests.size(), 1);
    QCOMPARE(m_graph->requests.first().path, QStringLiteral("/v25.0/444555666777888"));
    QCOMPARE(count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'processed'")), 1);
    // The same body unsigned is refused and fetches nothing more.
    QCOMPARE(send(m_port, "POST", "/webhooks/messenger", body), 401);
    QCOMPARE(m_graph->requests.size(), 1);
}

void tst_ReceiverHost::leadAdsFormIsPolledAtStart()
{
    const qint64 created = QDateTime::currentSecsSinceEpoch() - 3600;
    m_graph->addLead(kForm, QStringLiteral("555000111222333"), created,
                     QStringLiteral("Dana Polled"));
    LD_VERIFY_OK(Core::SourceRepository(m_store->db())
                     .add(m_business.id, QStringLiteral("leadads"), QStringLiteral("main"),
                          QJsonObject{{QStringLiteral("form_ids"), kForm}},
                          QDateTime::currentMSecsSinceEpoch()));
    startHost({{QStringLiteral("meta.access_token"), m_graph->accessToken}});
    QTRY_COMPARE_WITH_TIMEOUT(
        count(QStringLiteral("leads"), QStringLiteral("external_id = '555000111222333'")), 1,
        10'000);
    QVERIFY(!m_graph->requests.isEmpty());
    QCOMPARE(m_graph->requests.first().path,
             QStringLiteral("/v25.0/") + kForm + QStringLiteral("/leads"));
}

void tst_ReceiverHost::withoutAccessTokenLeadgenIsKeptForReplay()
{
    startHost({{QStringLiteral("meta.app_secret"), QString::fromLatin1(kSecret)}});
    const QByteArray body = Test::readFixture("leadads_webhook_leadgen.json");
    QCOMPARE(send(m_port, "POST", "/webhooks/messenger", body, {signatureHeader(body)}), 200);
    QCOMPARE(count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'failed'")), 1);
    QTest::qWait(200); // nothing is fetched asynchronously either
    QVERIFY(m_graph->requests.isEmpty());
    QCOMPARE(count(QStringLiteral("leads")), 0);
}

void tst_ReceiverHost::drainRefusesNewRequests()
{
    startHost({});
    QCOMPARE(send(m_port, "GET", "/health"), 200);
    QVERIFY(m_host->drain(5000));
    QVERIFY(!m_host->isRunning());
    QCOMPARE(send(m_port, "GET", "/health"), 0); // no longer listening
    m_host->stop();
    QVERIFY(m_host->webhookUrls().isEmpty());
    // It starts again on the same store.
    auto port = m_host->start();
    LD_VERIFY_OK(port);
    QCOMPARE(send(*port, "GET", "/health"), 200);
}

void tst_ReceiverHost::portInUseFailsCleanly()
{
    startHost({});
    Sync::ReceiverHost::Options options;
    options.http.port = m_port; // taken by the first host
    options.watchFolders = false;
    Sync::ReceiverHost second(*m_writer, *m_reader, m_business, m_store->dir(), {}, options);
    QVERIFY(!second.start().has_value());
    QVERIFY(!second.isRunning());
    QVERIFY(second.webhookUrls().isEmpty());
    QCOMPARE(send(m_port, "GET", "/health"), 200); // the first one is unharmed
}

QTEST_GUILESS_MAIN(tst_ReceiverHost)
#include "tst_receiverhost.moc"
