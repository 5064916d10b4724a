// The HTTP receiver end to end on loopback: a real Qt HttpServer, real sockets, a real store.
// Every bad-input class of issue 3 is sent as raw bytes, so the test controls exactly what
// arrives (truncated bodies, invalid UTF-8, a 10 MB body, wrong headers).
#include "testsupport.h"

#include "analyticsrollup.h"
#include "businessrepository.h"
#include "campaignform.h"
#include "campaignformtokens.h"
#include "clock.h"
#include "databasethread.h"
#include "httpreceiver.h"
#include "leadingestor.h"
#include "receiverroutes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTest>

#include <sys/socket.h>

using namespace LeadDesk;

namespace {

struct Reply
{
    int status = 0;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    bool complete = false;

    [[nodiscard]] QByteArray header(const QByteArray &name) const
    {
        for (const auto &[key, value] : headers) {
            if (key.compare(name, Qt::CaseInsensitive) == 0)
                return value;
        }
        return {};
    }
    [[nodiscard]] QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// Parses one HTTP/1.1 response from `data`; false while it is incomplete.
bool parseReply(const QByteArray &data, Reply *reply)
{
    const qsizetype end = data.indexOf("\r\n\r\n");
    if (end < 0)
        return false;
    const QList<QByteArray> lines = data.left(end).split('\n');
    reply->status = lines.value(0).split(' ').value(1).toInt();
    reply->headers.clear();
    qint64 length = 0;
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        reply->headers.push_back({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
        if (line.left(colon).trimmed().toLower() == "content-length")
            length = line.mid(colon + 1).trimmed().toLongLong();
    }
    if (data.size() < end + 4 + length)
        return false;
    reply->body = data.mid(end + 4, length);
    reply->complete = true;
    return true;
}

// Sends raw bytes on a new connection and reads one answer.
Reply exchange(quint16 port, const QByteArray &raw, int timeoutMs = 10'000,
               bool closeWriteSide = false)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    Reply reply;
    if (!socket.waitForConnected(timeoutMs))
        return reply;
    socket.write(raw);
    if (closeWriteSide) {
        socket.waitForBytesWritten(timeoutMs);
        ::shutdown(int(socket.socketDescriptor()), SHUT_WR);
    }
    QByteArray data;
    QElapsedTimer timer;
    timer.start();
    while (!parseReply(data, &reply) && !timer.hasExpired(timeoutMs)) {
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0)
            break;
        socket.waitForReadyRead(100);
        data += socket.readAll();
    }
    return reply;
}

QByteArray request(const QByteArray &method, const QByteArray &path, const QByteArray &body = {},
                   const QList<std::pair<QByteArray, QByteArray>> &headers
                   = {{"Content-Type", "application/json"}})
{
    QByteArray raw = method + ' ' + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto &[name, value] : headers)
        raw += name + ": " + value + "\r\n";
    if (!body.isEmpty() || method == "POST")
        raw += "Content-Length: " + QByteArray::number(body.size()) + "\r\n";
    return raw + "\r\n" + body;
}

QByteArray bytes(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

QJsonObject withField(QJsonObject form, const QString &path, const QJsonValue &value)
{
    const qsizetype dot = path.indexOf(QLatin1Char('.'));
    if (dot < 0) {
        if (value.isUndefined())
            form.remove(path);
        else
            form.insert(path, value);
        return form;
    }
    const QString section = path.left(dot);
    form.insert(section, withField(form.value(section).toObject(), path.mid(dot + 1), value));
    return form;
}

// POST /test/flaky: stores a lead for {"email": ...}; a body saying "fail" breaks after storing.
class FlakyRoute final : public Sync::InboundRoute
{
public:
    Spec spec() const override
    {
        Spec spec;
        spec.name = QStringLiteral("flaky");
        spec.method = "POST";
        spec.pattern = QStringLiteral("/test/flaky");
        spec.rateLimited = false;
        return spec;
    }
    Sync::PreparedRequest prepare(const Sync::InboundRequest &request) const override
    {
        Sync::PreparedRequest prepared;
        prepared.data = QJsonDocument::fromJson(request.body).object();
        return prepared;
    }
    Core::Result<Sync::ProcessOutcome> process(const Sync::InboundRequest &,
                                               const Sync::PreparedRequest &prepared,
                                               Sync::WriteContext &context) const override
    {
        const QJsonObject body = std::any_cast<QJsonObject>(prepared.data);
        Core::LeadRecord lead;
        lead.channel = QStringLiteral("webform");
        lead.email = body.value(QLatin1String("email")).toString();
        lead.createdAtMs = context.clock.nowMs();
        auto stored = context.ingestor.store(context.business.id, lead);
        if (!stored)
            return std::unexpected(stored.error());
        if (body.value(QLatin1String("fail")).toBool())
            return Core::fail(QStringLiteral("flaky route failed on purpose"));
        Sync::ProcessOutcome outcome;
        outcome.leadId = stored->leadId;
        outcome.response
            = Sync::InboundResponse::json(200, QJsonObject{{QStringLiteral("ok"), true}});
        return outcome;
    }
};

} // namespace

class tst_HttpReceiver : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void seedRequestIsStoredAndAnswered();
    void statusApiAnswersInSeedShape();
    void analyticsApiCountsTheCampaign();
    void duplicateDeliveryChangesNothing();
    void idempotencyKeyMarksARetry();
    void sameEmailSameCampaignIsADuplicateSubmission();
    void missingRequiredFields_data();
    void missingRequiredFields();
    void malformedBodies_data();
    void malformedBodies();
    void invalidUtf8IsRejectedAndJournalledVerbatim();
    void truncatedBodyStoresNothing();
    void tenMegabyteBodyIsRefusedBeforeItIsRead();
    void oversizedHeadIsRefused();
    void chunkedBodyIsRefused();
    void injectionStringsAreStoredVerbatim();
    void unknownFieldsAreIgnored();
    void contentTypeMustBeJson();
    void unknownPathAndMethod();
    void campaignTokenIsEnforcedAndNeverStored();
    void perPeerRateLimit();
    void perCampaignRateLimit();
    void healthAndMetrics();
    void corsPreflight();
    void pipelinedAnswersKeepRequestOrder();
    void aFailingRequestDoesNotTakeItsBatchAlong();
    void drainAnswersInFlightThenRefuses();

private:
    void start(Sync::HttpReceiver::Options options = {},
               const Core::Clock &clock = Core::Clock::system());
    Reply post(const QByteArray &body, const QList<std::pair<QByteArray, QByteArray>> &headers
                                       = {{"Content-Type", "application/json"}})
    {
        return exchange(m_port, request("POST", "/v1/api/leads", body, headers));
    }
    Reply get(const QByteArray &path, const QList<std::pair<QByteArray, QByteArray>> &headers = {})
    {
        return exchange(m_port, request("GET", path, {}, headers));
    }
    int count(const QString &table, const QString &where = {})
    {
        return Test::countRows(m_store->db(), table, where);
    }

    std::unique_ptr<Test::TempStore> m_store;
    std::unique_ptr<Core::StoreWriter> m_writer;
    std::unique_ptr<Core::StoreReader> m_reader;
    std::unique_ptr<Sync::HttpReceiver> m_receiver;
    Core::Business m_business;
    quint16 m_port = 0;
};

void tst_HttpReceiver::initTestCase()
{
    QLoggingCategory::setFilterRules(
        QStringLiteral("leaddesk.*.info=false\nleaddesk.*.debug=false"));
}

void tst_HttpReceiver::init()
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
}

void tst_HttpReceiver::cleanup()
{
    m_receiver.reset();
    m_reader.reset();
    m_writer.reset();
    m_store.reset();
}

void tst_HttpReceiver::start(Sync::HttpReceiver::Options options, const Core::Clock &clock)
{
    auto routes = std::make_shared<Sync::InboundRouteTable>();
    LD_VERIFY_OK(Sync::registerDefaultRoutes(*routes, {m_business, m_store->dir(), {}, {}}));
    options.logRequests = false;
    m_receiver = std::make_unique<Sync::HttpReceiver>(*m_writer, *m_reader, m_business, routes,
                                                      options, clock);
    auto port = m_receiver->start();
    LD_VERIFY_OK(port);
    m_port = *port;
}

void tst_HttpReceiver::seedRequestIsStoredAndAnswered()
{
    start();
    const Reply reply = post(bytes(Test::seedCampaignForm()));
    QCOMPARE(reply.status, 201);
    const QJsonObject answer = reply.json();
    QCOMPARE(answer.value(QStringLiteral("success")).toBool(), true);
    QCOMPARE(answer.value(QStringLiteral("message")).toString(),
             QStringLiteral("Lead captured successfully"));
    const QString leadId = answer.value(QStringLiteral("lead_id")).toString();
    QVERIFY2(leadId.startsWith(QStringLiteral("lead_")) && leadId.size() == 37, qPrintable(leadId));
    const QJsonObject next = answer.value(QStringLiteral("next_steps")).toObject();
    QVERIFY(next.contains(QStringLiteral("expected_response_time")));
    QCOMPARE(next.value(QStringLiteral("contact_method")).toString(), QStringLiteral("phone"));
    QCOMPARE(next.value(QStringLiteral("tracking_enabled")).toBool(), true);

    // Answered only after the commit: the lead and its journal row are already there.
    const QString uuid = Core::CampaignForm::uuidOfPublicId(leadId);
    QSqlQuery q(m_store->db().connection());
    QVERIFY(q.prepare(QStringLiteral(
        "SELECT first_name, last_name, email, phone, company, source_label, utm_medium, "
        "consent_given, lead_score, lead_grade, details, campaign_id FROM scored_leads WHERE id = "
        "?")));
    q.addBindValue(uuid);
    QVERIFY(q.exec() && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("John"));
    QCOMPARE(q.value(2).toString(), QStringLiteral("john.doe@company.com"));
    QCOMPARE(q.value(3).toString(), QStringLiteral("+15551234567")); // kept, marked unverified
    QCOMPARE(q.value(5).toString(), QStringLiteral("landing-page"));
    QCOMPARE(q.value(7).toInt(), 1); // consent recorded
    QVERIFY(q.value(8).toInt() > 0); // scored
    const QJsonObject details = QJsonDocument::fromJson(q.value(10).toByteArray()).object();
    QCOMPARE(details.value(QStringLiteral("phone_unverified")).toBool(), true);
    QCOMPARE(details.value(QStringLiteral("form"))
                 .toObject()
                 .value(QStringLiteral("form_version"))
                 .toString(),
             QStringLiteral("v2.1"));
    QVERIFY(!q.value(11).toString().isEmpty());
    QCOMPARE(count(QStringLiteral("contacts"), QStringLiteral("consent_email = 1")), 1);
    QCOMPARE(count(QStringLiteral("inbound_journal"),
                   QStringLiteral("status = 'processed' AND route = 'campaign_form' AND "
                                  "lead_id = '%1'")
                       .arg(uuid)),
             1);
}

void tst_HttpReceiver::statusApiAnswersInSeedShape()
{
    start();
    const QString leadId
        = post(bytes(Test::seedCampaignForm())).json().value(QStringLiteral("lead_id")).toString();
    const Reply reply = get("/v1/api/leads/" + leadId.toLatin1() + "/status");
    QCOMPARE(reply.status, 200);
    const QJsonObject status = reply.json();
    QCOMPARE(status.value(QStringLiteral("lead_id")).toString(), leadId);
    QCOMPARE(status.value(QStringLiteral("status")).toString(), QStringLiteral("new"));
    QVERIFY(status.value(QStringLiteral("last_updated")).toString().endsWith(QLatin1Char('Z')));
    for (const char *key : {"assigned_to", "next_action", "estimated_response_time"})
        QVERIFY2(status.contains(QLatin1String(key)), key);
    // The bare UUID works too; anything else is the seed's 404 error shape.
    const QString uuid = Core::CampaignForm::uuidOfPublicId(leadId);
    QCOMPARE(get("/v1/api/leads/" + uuid.toLatin1() + "/status").status, 200);
    const Reply missing = get("/v1/api/leads/lead_00000000000070008000000000000000/status");
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.json().value(QStringLiteral("error")).toString(), QStringLiteral("NOT_FOUND"));
    QCOMPARE(missing.json().value(QStringLiteral("field")).toString(), QStringLiteral("lead_id"));
    QCOMPARE(get("/v1/api/leads/'%20OR%201=1--/status").status, 404);
}

void tst_HttpReceiver::analyticsApiCountsTheCampaign()
{
    start();
    for (int i = 0; i < 3; ++i) {
        QJsonObject form = Test::seedCampaignForm(QStringLiteral("person%1@company.com").arg(i));
        form = withField(form, QStringLiteral("tracking.utm_content"),
                         i == 2 ? QStringLiteral("ad-variant-b") : QStringLiteral("ad-variant-a"));
        QCOMPARE(post(bytes(form)).status, 201);
    }
    // Counted from the leads while the store has no analytics rollup, from the rollup (what
    // `serve` builds at start) once it has one: the same answer either way.
    QCOMPARE(get("/v1/api/campaigns/nextcloud-installation-2025/analytics")
                 .json()
                 .value(QStringLiteral("metrics"))
                 .toObject()
                 .value(QStringLiteral("total_leads"))
                 .toInt(),
             3);
    {
        Core::Transaction transaction(m_store->db());
        LD_VERIFY_OK(Core::AnalyticsRollup::ensureCurrent(m_store->db(), m_business.id));
        LD_VERIFY_OK(transaction.commit());
    }
    const Reply reply = get("/v1/api/campaigns/nextcloud-installation-2025/analytics");
    QCOMPARE(reply.status, 200);
    const QJsonObject analytics = reply.json();
    QCOMPARE(analytics.value(QStringLiteral("campaign_id")).toString(),
             QStringLiteral("nextcloud-installation-2025"));
    const QJsonObject metrics = analytics.value(QStringLiteral("metrics")).toObject();
    QCOMPARE(metrics.value(QStringLiteral("total_leads")).toInt(), 3);
    for (const char *key : {"qualified_leads", "conversion_rate", "average_lead_score",
                            "cost_per_lead", "revenue_generated"})
        QVERIFY2(metrics.contains(QLatin1String(key)), key);
    QCOMPARE(analytics.value(QStringLiteral("lead_sources"))
                 .toObject()
                 .value(QStringLiteral("landing-page"))
                 .toInt(),
             3);
    const QJsonArray content = analytics.value(QStringLiteral("top_performing_content")).toArray();
    QCOMPARE(content.first().toObject().value(QStringLiteral("utm_content")).toString(),
             QStringLiteral("ad-variant-a"));
    QCOMPARE(content.first().toObject().value(QStringLiteral("leads")).toInt(), 2);
    QVERIFY(analytics.value(QStringLiteral("period")).toObject().contains(QStringLiteral("start")));
    QCOMPARE(get("/v1/api/campaigns/no-such-campaign/analytics").status, 404);
    QCOMPARE(get("/v1/api/campaigns/nextcloud-installation-2025/analytics?start=yesterday").status,
             400);
}

void tst_HttpReceiver::duplicateDeliveryChangesNothing()
{
    start();
    const QByteArray body = bytes(Test::seedCampaignForm());
    const Reply first = post(body);
    QCOMPARE(first.status, 201);
    const int activities = count(QStringLiteral("activities"));
    const Reply second = post(body);
    QCOMPARE(second.status, first.status);
    QCOMPARE(second.body, first.body); // the same lead_id, the same answer
    QCOMPARE(count(QStringLiteral("leads")), 1);
    QCOMPARE(count(QStringLiteral("contacts")), 1);
    QCOMPARE(count(QStringLiteral("activities")), activities);
    QCOMPARE(count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'duplicate'")), 1);
}

void tst_HttpReceiver::idempotencyKeyMarksARetry()
{
    start();
    const QList<std::pair<QByteArray, QByteArray>> headers
        = {{"Content-Type", "application/json"}, {"Idempotency-Key", "form-submit-42"}};
    const Reply first
        = post(bytes(Test::seedCampaignForm(QStringLiteral("a@company.com"))), headers);
    QCOMPARE(first.status, 201);
    // A retry whose body differs (a new client timestamp) is still the same submission.
    QJsonObject retried = withField(Test::seedCampaignForm(QStringLiteral("a@company.com")),
                                    QStringLiteral("form_metadata.timestamp"),
                                    QStringLiteral("2025-10-03T10:30:05Z"));
    const Reply second = post(bytes(retried), headers);
    QCOMPARE(second.body, first.body);
    QCOMPARE(count(QStringLiteral("leads")), 1);
}

void tst_HttpReceiver::sameEmailSameCampaignIsADuplicateSubmission()
{
    start();
    const Reply first = post(bytes(Test::seedCampaignForm()));
    QCOMPARE(first.status, 201);
    QJsonObject again = withField(Test::seedCampaignForm(), QStringLiteral("lead_details.message"),
                                  QStringLiteral("Any update?"));
    const Reply second = post(bytes(again));
    QCOMPARE(second.status, 409);
    const QJsonObject error = second.json();
    QCOMPARE(error.value(QStringLiteral("success")).toBool(true), false);
    QCOMPARE(error.value(QStringLiteral("error")).toString(),
             QStringLiteral("DUPLICATE_SUBMISSION"));
    QCOMPARE(error.value(QStringLiteral("lead_id")).toString(),
             first.json().value(QStringLiteral("lead_id")).toString());
    QCOMPARE(count(QStringLiteral("leads")), 1);
    QCOMPARE(count(QStringLiteral("activities"),
                   QStringLiteral("activity_type = 'duplicate_submission'")),
             1);
    // Its redelivery adds no second activity.
    QCOMPARE(post(bytes(again)).status, 409);
    QCOMPARE(count(QStringLiteral("activities"),
                   QStringLiteral("activity_type = 'duplicate_submission'")),
             1);
}

void tst_HttpReceiver::missingRequiredFields_data()
{
    QTest::addColumn<QString>("field");
    for (const char *field :
         {"campaign_id", "source", "contact.firstName", "contact.lastName", "contact.email"})
        QTest::newRow(field) << QString::fromLatin1(field);
}

void tst_HttpReceiver::missingRequiredFields()
{
    QFETCH(QString, field);
    start();
    for (const QJsonValue &missing :
         {QJsonValue(QJsonValue::Undefined), QJsonValue(), QJsonValue(QStringLiteral("   "))}) {
        const Reply reply = post(bytes(withField(Test::seedCampaignForm(), field, missing)));
        QCOMPARE(reply.status, 400);
        const QJsonObject error = reply.json();
        QCOMPARE(error.value(QStringLiteral("success")).toBool(true), false);
        QCOMPARE(error.value(QStringLiteral("error")).toString(),
                 QStringLiteral("VALIDATION_ERROR"));
        QCOMPARE(error.value(QStringLiteral("field")).toString(), field);
        QCOMPARE(error.value(QStringLiteral("code")).toInt(), 400);
        QVERIFY(!error.value(QStringLiteral("message")).toString().isEmpty());
    }
    QCOMPARE(count(QStringLiteral("leads")), 0);
    // Rejected bodies are journalled with their reason, and nothing else is stored.
    QCOMPARE(count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'rejected'")), 3);
}

void tst_HttpReceiver::malformedBodies_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("error");
    QTest::addColumn<QString>("field");
    QByteArray deep;
    for (int i = 0; i < 5000; ++i)
        deep += '[';
    QTest::newRow("not json") << QByteArray("campaign_id=x&source=y") << "INVALID_JSON"
                              << "";
    QTest::newRow("truncated") << bytes(Test::seedCampaignForm()).left(120) << "INVALID_JSON"
                               << "";
    QTest::newRow("empty object") << QByteArray("{}") << "VALIDATION_ERROR"
                                  << "campaign_id";
    QTest::newRow("array") << QByteArray("[1,2]") << "INVALID_JSON"
                           << "";
    QTest::newRow("deeply nested") << deep << "INVALID_JSON"
                                   << "";
    QTest::newRow("nested in a field") << QByteArray(
        R"({"campaign_id":"c","source":"s","contact":{"firstName":{"a":[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]}}})")
                                       << "INVALID_JSON"
                                       << "";
    QTest::newRow("email is a number")
        << bytes(withField(Test::seedCampaignForm(), QStringLiteral("contact.email"), 42))
        << "VALIDATION_ERROR"
        << "contact.email";
    QTest::newRow("contact is a string") << bytes(
        withField(Test::seedCampaignForm(), QStringLiteral("contact"), QStringLiteral("John")))
                                         << "VALIDATION_ERROR"
                                         << "contact";
    QTest::newRow("invalid email") << bytes(withField(
        Test::seedCampaignForm(), QStringLiteral("contact.email"), QStringLiteral("john@")))
                                   << "VALIDATION_ERROR"
                                   << "contact.email";
    QTest::newRow("invalid phone") << bytes(withField(
        Test::seedCampaignForm(), QStringLiteral("contact.phone"), QStringLiteral("call me")))
                                   << "VALIDATION_ERROR"
                                   << "contact.phone";
    QTest::newRow("consent not boolean")
        << bytes(withField(Test::seedCampaignForm(), QStringLiteral("form_metadata.consent_given"),
                           QStringLiteral("maybe")))
        << "VALIDATION_ERROR"
        << "form_metadata.consent_given";
    QTest::newRow("name too long")
        << bytes(withField(Test::seedCampaignForm(), QStringLiteral("contact.firstName"),
                           QString(101, QLatin1Char('a'))))
        << "VALIDATION_ERROR"
        << "contact.firstName";
    QTest::newRow("NUL in a name")
        << bytes(withField(Test::seedCampaignForm(), QStringLiteral("contact.lastName"),
                           QString(QStringLiteral("Doe") + QChar(0))))
        << "VALIDATION_ERROR"
        << "contact.lastName";
}

void tst_HttpReceiver::malformedBodies()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, error);
    QFETCH(QString, field);
    start();
    const Reply reply = post(body);
    QCOMPARE(reply.status, 400);
    const QJsonObject answer = reply.json();
    QCOMPARE(answer.value(QStringLiteral("error")).toString(), error);
    QCOMPARE(answer.value(QStringLiteral("field")).toString(), field);
    QCOMPARE(answer.value(QStringLiteral("code")).toInt(), 400);
    QCOMPARE(count(QStringLiteral("leads")), 0);
    QCOMPARE(count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'rejected'")), 1);
    // The server is still fine.
    QCOMPARE(post(bytes(Test::seedCampaignForm())).status, 201);
}

void tst_HttpReceiver::invalidUtf8IsRejectedAndJournalledVerbatim()
{
    start();
    QByteArray body = bytes(Test::seedCampaignForm());
    body.replace("Acme Corp", "Acme \xC3\x28 \xFF\xFE Corp");
    const Reply reply = post(body);
    QCOMPARE(reply.status, 400);
    QCOMPARE(reply.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("INVALID_JSON"));
    QSqlQuery q(m_store->db().connection());
    QVERIFY(q.exec(QStringLiteral("SELECT body, status FROM inbound_journal")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toByteArray(), body); // byte for byte
    QCOMPARE(q.value(1).toString(), QStringLiteral("rejected"));
}

void tst_HttpReceiver::truncatedBodyStoresNothing()
{
    start();
    // The client promises 2000 bytes, sends 100 and hangs up: nothing to answer, nothing kept.
    QByteArray raw = "POST /v1/api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: 2000\r\n\r\n"
                     + bytes(Test::seedCampaignForm()).left(100);
    const Reply reply = exchange(m_port, raw, 1500, true);
    QVERIFY(!reply.complete);
    QCOMPARE(count(QStringLiteral("inbound_journal")), 0);
    QCOMPARE(count(QStringLiteral("leads")), 0);
    QCOMPARE(m_receiver->inFlight(), 0);
    QCOMPARE(post(bytes(Test::seedCampaignForm())).status, 201);
}

void tst_HttpReceiver::tenMegabyteBodyIsRefusedBeforeItIsRead()
{
    start();
    const QByteArray huge(10 * 1024 * 1024, 'a');
    QByteArray raw = "POST /v1/api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                     "Content-Length: "
                     + QByteArray::number(huge.size()) + "\r\n\r\n" + huge;
    const Reply reply = exchange(m_port, raw, 20'000);
    QCOMPARE(reply.status, 413);
    QCOMPARE(reply.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("PAYLOAD_TOO_LARGE"));
    QCOMPARE(count(QStringLiteral("inbound_journal")), 0);
    // Over the route's own cap (64 KiB) but under the server's: refused by the route.
    const QByteArray big = bytes(withField(Test::seedCampaignForm(), QStringLiteral("padding"),
                                           QString(100'000, QLatin1Char('x'))));
    QCOMPARE(post(big).status, 413);
    QCOMPARE(m_receiver->metrics().rejected(QStringLiteral("body_too_large")), 2);
    QCOMPARE(post(bytes(Test::seedCampaignForm())).status, 201);
}

void tst_HttpReceiver::oversizedHeadIsRefused()
{
    start();
    const QByteArray raw
        = request("POST", "/v1/api/leads", bytes(Test::seedCampaignForm()),
                  {{"Content-Type", "application/json"}, {"X-Filler", QByteArray(20'000, 'x')}});
    const Reply reply = exchange(m_port, raw);
    QCOMPARE(reply.status, 431);
    QCOMPARE(count(QStringLiteral("inbound_journal")), 0);
}

void tst_HttpReceiver::chunkedBodyIsRefused()
{
    start();
    const QByteArray body = bytes(Test::seedCampaignForm());
    const QByteArray raw = "POST /v1/api/leads HTTP/1.1\r\nHost: x\r\nContent-Type: "
                           "application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                           + QByteArray::number(body.size(), 16) + "\r\n" + body + "\r\n0\r\n\r\n";
    const Reply reply = exchange(m_port, raw);
    QCOMPARE(reply.status, 411);
    QCOMPARE(count(QStringLiteral("inbound_journal")), 0);
}

void tst_HttpReceiver::injectionStringsAreStoredVerbatim()
{
    start();
    const QString sql = QStringLiteral("Robert'); DROP TABLE leads;--");
    const QString html = QStringLiteral("<script>alert(\"x\")</script>");
    const QString format = QStringLiteral("%s%s%n ${jndi:ldap://x} {{7*7}} \\\" ' ` \u202E");
    QJsonObject form = Test::seedCampaignForm();
    const QStringList freeText = {QStringLiteral("contact.company"),
                                  QStringLiteral("lead_details.service_interest"),
                                  QStringLiteral("lead_details.urgency"),
                                  QStringLiteral("lead_details.message"),
                                  QStringLiteral("lead_details.budget_range"),
                                  QStringLiteral("lead_details.timeline"),
                                  QStringLiteral("tracking.visitor_id"),
                                  QStringLiteral("tracking.session_id"),
                                  QStringLiteral("tracking.utm_source"),
                                  QStringLiteral("tracking.utm_medium"),
                                  QStringLiteral("tracking.utm_campaign"),
                                  QStringLiteral("tracking.utm_term"),
                                  QStringLiteral("tracking.utm_content"),
                                  QStringLiteral("tracking.referrer_url"),
                                  QStringLiteral("tracking.landing_page_url"),
                                  QStringLiteral("tracking.user_agent"),
                                  QStringLiteral("source")};
    const QStringList values = {sql, html, format};
    for (qsizetype i = 0; i < freeText.size(); ++i)
        form = withField(form, freeText.at(i), values.at(i % values.size()));
    form = withField(form, QStringLiteral("contact.firstName"), sql);
    form = withField(form, QStringLiteral("contact.lastName"), html);
    form = withField(form, QStringLiteral("campaign_id"), QStringLiteral("x' OR '1'='1"));
    const Reply reply = post(bytes(form));
    QCOMPARE(reply.status, 201);

    QSqlQuery q(m_store->db().connection());
    QVERIFY(q.exec(QStringLiteral(
        "SELECT company, service_interest, urgency, message, budget_range, timeline, visitor_id, "
        "session_id, utm_source, utm_medium, utm_campaign, utm_term, utm_content, referrer_url, "
        "landing_page_url, user_agent, source_label, first_name, last_name FROM leads")));
    QVERIFY(q.next());
    for (qsizetype i = 0; i < freeText.size(); ++i)
        QCOMPARE(q.value(int(i)).toString(), values.at(i % values.size()));
    // Names are normalised (title case), never executed.
    QCOMPARE(q.value(17).toString(), *Core::Normalizer::personName(sql));
    QVERIFY(!q.next());
    QCOMPARE(count(QStringLiteral("campaigns"), QStringLiteral("external_id = 'x'' OR ''1''=''1'")),
             1);
    QCOMPARE(count(QStringLiteral("leads")), 1); // the table is still there
    const QString leadId = reply.json().value(QStringLiteral("lead_id")).toString();
    QCOMPARE(get("/v1/api/leads/" + leadId.toLatin1() + "/status").status, 200);
}

void tst_HttpReceiver::unknownFieldsAreIgnored()
{
    start();
    QJsonObject form = Test::seedCampaignForm();
    form.insert(QStringLiteral("honeypot"), QStringLiteral("x"));
    form = withField(form, QStringLiteral("contact.fax"), QStringLiteral("555"));
    form = withField(form, QStringLiteral("tracking.screen"),
                     QJsonObject{{QStringLiteral("w"), 1920}});
    QCOMPARE(post(bytes(form)).status, 201);
    QCOMPARE(count(QStringLiteral("leads")), 1);
}

void tst_HttpReceiver::contentTypeMustBeJson()
{
    start();
    for (const QByteArray &type : {QByteArray("text/plain"),
                                   QByteArray("application/x-www-form-urlencoded"), QByteArray()}) {
        QList<std::pair<QByteArray, QByteArray>> headers;
        if (!type.isEmpty())
            headers.push_back({"Content-Type", type});
        const Reply reply = post(bytes(Test::seedCampaignForm()), headers);
        QCOMPARE(reply.status, 415);
        QCOMPARE(reply.json().value(QStringLiteral("error")).toString(),
                 QStringLiteral("UNSUPPORTED_MEDIA_TYPE"));
    }
    QCOMPARE(
        post(bytes(Test::seedCampaignForm()), {{"Content-Type", "Application/JSON; charset=utf-8"}})
            .status,
        201);
}

void tst_HttpReceiver::unknownPathAndMethod()
{
    start();
    const Reply missing = get("/v1/api/nothing");
    QCOMPARE(missing.status, 404);
    QCOMPARE(missing.header("Content-Type"), QByteArray("application/json"));
    QCOMPARE(missing.json().value(QStringLiteral("error")).toString(), QStringLiteral("NOT_FOUND"));
    const Reply wrong = exchange(m_port, request("DELETE", "/v1/api/leads"));
    QCOMPARE(wrong.status, 405);
    QCOMPARE(wrong.header("Allow"), QByteArray("POST"));
    QCOMPARE(get("/v1/api/leads").status, 405);
}

void tst_HttpReceiver::campaignTokenIsEnforcedAndNeverStored()
{
    LD_VERIFY_OK(Core::CampaignFormTokens::set(m_store->db(), m_business.id,
                                               QStringLiteral("nextcloud-installation-2025"),
                                               QStringLiteral("s3cret-token"), 1));
    start();
    const Reply none = post(bytes(Test::seedCampaignForm()));
    QCOMPARE(none.status, 401);
    QCOMPARE(none.json().value(QStringLiteral("field")).toString(),
             QStringLiteral("X-Campaign-Token"));
    const Reply wrong = post(bytes(Test::seedCampaignForm()),
                             {{"Content-Type", "application/json"}, {"X-Campaign-Token", "guess"}});
    QCOMPARE(wrong.status, 403);
    QCOMPARE(count(QStringLiteral("inbound_journal")), 0); // unauthenticated bodies are not kept
    QCOMPARE(m_receiver->metrics().rejected(QStringLiteral("unauthorized")), 2);
    const Reply right
        = post(bytes(Test::seedCampaignForm()),
               {{"Content-Type", "application/json"}, {"X-Campaign-Token", "s3cret-token"}});
    QCOMPARE(right.status, 201);
    QCOMPARE(get("/v1/api/campaigns/nextcloud-installation-2025/analytics").status, 401);
    QCOMPARE(get("/v1/api/campaigns/nextcloud-installation-2025/analytics",
                 {{"X-Campaign-Token", "s3cret-token"}})
                 .status,
             200);
    // Neither the campaign row nor the journal holds the token.
    QSqlQuery q(m_store->db().connection());
    QVERIFY(q.exec(QStringLiteral("SELECT token_sha256 FROM campaigns")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toByteArray(), Core::CampaignFormTokens::hash("s3cret-token"));
    QVERIFY(q.exec(QStringLiteral("SELECT headers FROM inbound_journal")));
    QVERIFY(q.next());
    QVERIFY(!q.value(0).toString().contains(QStringLiteral("s3cret")));
    QVERIFY(q.value(0).toString().contains(QStringLiteral("[redacted]")));
    // A campaign without a token stays open.
    QCOMPARE(post(bytes(withField(Test::seedCampaignForm(QStringLiteral("b@company.com")),
                                  QStringLiteral("campaign_id"), QStringLiteral("open-campaign"))))
                 .status,
             201);
}

void tst_HttpReceiver::perPeerRateLimit()
{
    Core::ManualClock clock;
    Sync::HttpReceiver::Options options;
    options.perPeerPerMinute = 3;
    start(options, clock);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(get("/v1/api/leads/lead_x/status").status, 404);
    const Reply limited = get("/v1/api/leads/lead_x/status");
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.json().value(QStringLiteral("error")).toString(),
             QStringLiteral("RATE_LIMITED"));
    QCOMPARE(limited.header("Retry-After"), QByteArray("20")); // one request per 20 s
    QCOMPARE(post(bytes(Test::seedCampaignForm())).status, 429);
    clock.advanceMs(20'000);
    QCOMPARE(post(bytes(Test::seedCampaignForm())).status, 201);
    QCOMPARE(get("/health").status, 200); // never limited
    QCOMPARE(m_receiver->metrics().rejected(QStringLiteral("rate_limit_ip")), 2);
}

void tst_HttpReceiver::perCampaignRateLimit()
{
    Core::ManualClock clock(QDateTime::currentMSecsSinceEpoch());
    Sync::HttpReceiver::Options options;
    options.perCampaignPerHour = 2;
    start(options, clock);
    QCOMPARE(post(bytes(Test::seedCampaignForm(QStringLiteral("a@x.com")))).status, 201);
    QCOMPARE(post(bytes(Test::seedCampaignForm(QStringLiteral("b@x.com")))).status, 201);
    const Reply limited = post(bytes(Test::seedCampaignForm(QStringLiteral("c@x.com"))));
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("Retry-After"), QByteArray("1800"));
    // Another campaign has its own budget.
    QCOMPARE(post(bytes(withField(Test::seedCampaignForm(QStringLiteral("c@x.com")),
                                  QStringLiteral("campaign_id"), QStringLiteral("other"))))
                 .status,
             201);
    QCOMPARE(count(QStringLiteral("leads")), 3);
}

void tst_HttpReceiver::healthAndMetrics()
{
    start();
    const Reply health = get("/health");
    QCOMPARE(health.status, 200);
    const QJsonObject state = health.json();
    QCOMPARE(state.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(state.value(QStringLiteral("database"))
                 .toObject()
                 .value(QStringLiteral("writable"))
                 .toBool(),
             true);
    QVERIFY(state.value(QStringLiteral("journal")).toObject().contains(QStringLiteral("backlog")));
    QCOMPARE(post(bytes(Test::seedCampaignForm())).status, 201);
    QCOMPARE(post("{").status, 400);
    QCOMPARE(get("/nope").status, 404);
    const Reply metrics = get("/metrics");
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.header("Content-Type").startsWith("text/plain"));
    const QByteArray text = metrics.body;
    QVERIFY2(
        text.contains("leaddesk_http_requests_total{route=\"campaign_form\",status=\"201\"} 1"),
        text.constData());
    QVERIFY(
        text.contains("leaddesk_http_requests_total{route=\"campaign_form\",status=\"400\"} 1"));
    QVERIFY(text.contains("leaddesk_ingest_latency_seconds_count{route=\"campaign_form\"} 2"));
    QVERIFY(text.contains(
        "leaddesk_ingest_latency_seconds_bucket{route=\"campaign_form\",le=\"+Inf\"} 2"));
    QVERIFY(text.contains("leaddesk_requests_rejected_total{reason=\"not_found\"} 1"));
    QVERIFY(text.contains("leaddesk_requests_rejected_total{reason=\"invalid_body\"} 1"));
    QVERIFY(text.contains("leaddesk_journal_backlog 0"));
    QVERIFY(text.contains("# TYPE leaddesk_ingest_latency_seconds histogram"));
}

void tst_HttpReceiver::corsPreflight()
{
    Sync::HttpReceiver::Options options;
    options.allowedOrigins = {QStringLiteral("https://nexlink.website")};
    start(options);
    const Reply preflight = exchange(m_port, request("OPTIONS", "/v1/api/leads", {},
                                                     {{"Origin", "https://nexlink.website"},
                                                      {"Access-Control-Request-Method", "POST"}}));
    QCOMPARE(preflight.status, 204);
    QCOMPARE(preflight.header("Access-Control-Allow-Origin"),
             QByteArray("https://nexlink.website"));
    QVERIFY(preflight.header("Access-Control-Allow-Headers").contains("X-Campaign-Token"));
    const Reply posted
        = post(bytes(Test::seedCampaignForm()),
               {{"Content-Type", "application/json"}, {"Origin", "https://nexlink.website"}});
    QCOMPARE(posted.header("Access-Control-Allow-Origin"), QByteArray("https://nexlink.website"));
    const Reply foreign = exchange(
        m_port, request("OPTIONS", "/v1/api/leads", {}, {{"Origin", "https://evil.example"}}));
    QVERIFY(foreign.header("Access-Control-Allow-Origin").isEmpty());
}

void tst_HttpReceiver::pipelinedAnswersKeepRequestOrder()
{
    start();
    // A POST (answered after its commit) and a GET (answered at once) in one write: the answers
    // come back in request order.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(socket.waitForConnected(5000));
    socket.write(request("POST", "/v1/api/leads", bytes(Test::seedCampaignForm()))
                 + request("GET", "/v1/api/leads/lead_x/status"));
    QByteArray data;
    QElapsedTimer timer;
    timer.start();
    while (data.count("HTTP/1.1 ") < 2 || !data.endsWith("}")) {
        QVERIFY(!timer.hasExpired(10'000));
        socket.waitForReadyRead(100);
        data += socket.readAll();
    }
    QVERIFY2(data.indexOf("HTTP/1.1 201") < data.indexOf("HTTP/1.1 404"), data.constData());
}

void tst_HttpReceiver::aFailingRequestDoesNotTakeItsBatchAlong()
{
    auto routes = std::make_shared<Sync::InboundRouteTable>();
    LD_VERIFY_OK(routes->add(std::make_shared<const FlakyRoute>()));
    Sync::HttpReceiver::Options options;
    options.logRequests = false;
    m_receiver
        = std::make_unique<Sync::HttpReceiver>(*m_writer, *m_reader, m_business, routes, options);
    auto port = m_receiver->start();
    LD_VERIFY_OK(port);
    // Sent together so they tend to share a writer batch: the failing one is rolled back alone
    // and kept as 'failed'; the others commit.
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < 6; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, *port);
        QVERIFY(socket->waitForConnected(5000));
        const QJsonObject body{{QStringLiteral("email"), QStringLiteral("f%1@example.com").arg(i)},
                               {QStringLiteral("fail"), i == 2}};
        socket->write(request("POST", "/test/flaky", bytes(body)));
        sockets.push_back(std::move(socket));
    }
    QList<int> statuses;
    for (auto &socket : sockets) {
        QByteArray data;
        Reply reply;
        while (!parseReply(data, &reply) && socket->waitForReadyRead(5000))
            data += socket->readAll();
        statuses << reply.status;
    }
    QCOMPARE(statuses, (QList<int>{200, 200, 500, 200, 200, 200}));
    QCOMPARE(count(QStringLiteral("leads")), 5);
    QCOMPARE(count(QStringLiteral("leads"), QStringLiteral("email = 'f2@example.com'")), 0);
    QCOMPARE(count(QStringLiteral("inbound_journal"),
                   QStringLiteral("status = 'failed' AND error LIKE '%on purpose%'")),
             1);
    QCOMPARE(count(QStringLiteral("inbound_journal"), QStringLiteral("status = 'processed'")), 5);
}

void tst_HttpReceiver::drainAnswersInFlightThenRefuses()
{
    start();
    // Requests sent just before the drain are answered; afterwards nobody listens.
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < 8; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(socket->waitForConnected(5000));
        socket->write(
            request("POST", "/v1/api/leads",
                    bytes(Test::seedCampaignForm(QStringLiteral("drain%1@company.com").arg(i)))));
        QVERIFY(socket->waitForBytesWritten(5000));
        sockets.push_back(std::move(socket));
    }
    QTRY_COMPARE_WITH_TIMEOUT(m_receiver->metrics().requests(QStringLiteral("campaign_form"), 201)
                                  + m_receiver->inFlight(),
                              8, 5000);
    QVERIFY(m_receiver->drain(10'000));
    int answered = 0;
    for (auto &socket : sockets) {
        QByteArray data;
        Reply reply;
        while (!parseReply(data, &reply) && socket->waitForReadyRead(2000))
            data += socket->readAll();
        data += socket->readAll();
        if (parseReply(data, &reply) && reply.status == 201)
            ++answered;
    }
    QCOMPARE(answered, 8);
    QCOMPARE(count(QStringLiteral("leads")), 8);
    QTcpSocket late;
    late.connectToHost(QHostAddress::LocalHost, m_port);
    QVERIFY(!late.waitForConnected(1000));
}

QTEST_GUILESS_MAIN(tst_HttpReceiver)
#include "tst_httpreceiver.moc"
