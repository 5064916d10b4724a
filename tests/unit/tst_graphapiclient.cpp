#include "fakegraphapi.h"
#include "graphapiclient.h"
#include "leadadsadapter.h"
#include "testsupport.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QTest>

#include <optional>

using namespace LeadDesk;
using Sync::GraphApiClient;
using Sync::GraphError;
using Sync::GraphResult;
using Test::FakeGraphApi;

namespace {

GraphApiClient::Config configFor(const FakeGraphApi &fake)
{
    GraphApiClient::Config config;
    config.baseUrl = fake.baseUrl();
    config.accessToken = fake.accessToken;
    config.timeoutMs = 5000;
    return config;
}

// Runs one call and waits for its callback.
template<typename Call>
GraphResult await(Call call)
{
    std::optional<GraphResult> result;
    QObject context;
    call(&context, [&result](GraphResult r) { result = std::move(r); });
    if (!QTest::qWaitFor([&result] { return result.has_value(); }, 10'000))
        return std::unexpected(GraphError{
            GraphError::Kind::Network, 0, 0, {}, QStringLiteral("test: no callback"), {}, 0});
    return *result;
}

GraphResult fetchLead(GraphApiClient &client, const QString &id)
{
    return await([&](QObject *ctx, GraphApiClient::Callback done) {
        client.fetchLead(id, ctx, std::move(done));
    });
}

} // namespace

class tst_GraphApiClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fetchLeadUsesGraphProtocol();
    void fetchLeadMapsThroughAdapter();
    void baseUrlWithPathAndOtherVersion();
    void appSecretProof();
    void formLeadsQuery();
    void formLeadsPaging();
    void withoutAdsPermissionTheLeadFieldsStillCome();
    void invalidTokenIsAnAuthError();
    void unknownLeadIsNotFound();
    void rateLimits_data();
    void rateLimits();
    void rateLimitOverHttp();
    void serverErrorsAreTransient();
    void nonJsonAnswers();
    void timeout();
    void connectionRefusedDoesNotLeakToken();
    void idsThatWouldChangeThePath_data();
    void idsThatWouldChangeThePath();
    void deadContextGetsNoCallback();
    void errorStringsAreClear();
};

void tst_GraphApiClient::fetchLeadUsesGraphProtocol()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    fake.addLeadObject(
        QStringLiteral("901234567890123"),
        QJsonDocument::fromJson(Test::readFixture("leadads_lead_get_response.json")).object());
    GraphApiClient client(configFor(fake));
    auto result = fetchLead(client, QStringLiteral("444555666777888"));
    if (!result)
        QFAIL(qPrintable(result.error().toString()));
    QCOMPARE(result->value("id").toString(), QStringLiteral("444555666777888"));
    QCOMPARE(result->value("field_data").toArray().size(), 5);

    QCOMPARE(fake.requests.size(), 1);
    const FakeGraphApi::Request &r = fake.requests.first();
    QCOMPARE(r.method, QByteArray("GET"));
    QCOMPARE(r.path, QStringLiteral("/v25.0/444555666777888"));
    QCOMPARE(r.param("access_token"), QStringLiteral("test-page-token"));
    QCOMPARE(r.param("fields"), QString::fromLatin1(Sync::LeadAdsAdapter::kGraphFields));
    QVERIFY(!r.query.hasQueryItem("appsecret_proof"));
    QCOMPARE(r.headers.value("accept"), QByteArray("application/json"));
}

void tst_GraphApiClient::fetchLeadMapsThroughAdapter()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    fake.addLead(QStringLiteral("901"), QStringLiteral("555"), 1739321020,
                 QStringLiteral("Ana Lima"));
    GraphApiClient client(configFor(fake));
    auto result = fetchLead(client, QStringLiteral("555"));
    QVERIFY(result);
    auto event = Sync::LeadAdsAdapter::leadFromGraph(*result);
    LD_VERIFY_OK(event);
    QCOMPARE(event->lead.fullName, QStringLiteral("Ana Lima"));
    QCOMPARE(event->occurredAtMs, 1739321020000LL);
    QCOMPARE(event->lead.campaignId, QStringLiteral("238470000000003"));
}

void tst_GraphApiClient::baseUrlWithPathAndOtherVersion()
{
    FakeGraphApi fake;
    fake.version = QStringLiteral("v19.0");
    fake.pathPrefix = QStringLiteral("/graph");
    QVERIFY(fake.listen());
    fake.addLead(QStringLiteral("9"), QStringLiteral("777"), 1739300000);
    auto config = configFor(fake);
    config.version = QStringLiteral("v19.0");
    config.leadFields = QStringLiteral("id,field_data");
    config.baseUrl.setPath(QStringLiteral("/graph/"));
    GraphApiClient client(config);
    auto result = fetchLead(client, QStringLiteral("777"));
    QVERIFY(result);
    QCOMPARE(fake.requests.first().path, QStringLiteral("/graph/v19.0/777"));
    QCOMPARE(fake.requests.first().param("fields"), QStringLiteral("id,field_data"));
    // Only the fields asked for come back.
    QCOMPARE(result->keys(), (QStringList{"field_data", "id"}));
}

void tst_GraphApiClient::appSecretProof()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    auto config = configFor(fake);
    config.appSecret = QStringLiteral("test_app_secret");
    GraphApiClient client(config);
    (void)fetchLead(client, QStringLiteral("1"));
    const QByteArray expected
        = QMessageAuthenticationCode::hash("test-page-token", "test_app_secret",
                                           QCryptographicHash::Sha256)
              .toHex();
    QCOMPARE(fake.requests.first().param("appsecret_proof"), QString::fromLatin1(expected));
}

void tst_GraphApiClient::formLeadsQuery()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    fake.addLead(QStringLiteral("901234567890123"), QStringLiteral("11"), 1739300000);
    GraphApiClient client(configFor(fake));
    GraphApiClient::LeadsQuery query;
    query.formId = QStringLiteral("901234567890123");
    query.sinceSecs = 1739000000;
    query.limit = 50;
    query.after = QStringLiteral("QVFIUmJ4YWZ0ZXJjdXJzb3I=");
    auto result = await([&](QObject *ctx, GraphApiClient::Callback done) {
        client.fetchFormLeads(query, ctx, std::move(done));
    });
    QVERIFY(!result); // that cursor is not one of the fake's
    QCOMPARE(result.error().code, 100);
    const FakeGraphApi::Request &r = fake.requests.first();
    QCOMPARE(r.path, QStringLiteral("/v25.0/901234567890123/leads"));
    QCOMPARE(r.param("access_token"), QStringLiteral("test-page-token"));
    QCOMPARE(r.param("since"), QStringLiteral("1739000000"));
    QCOMPARE(r.param("limit"), QStringLiteral("50"));
    QCOMPARE(r.param("after"), QStringLiteral("QVFIUmJ4YWZ0ZXJjdXJzb3I="));
    QCOMPARE(r.param("fields"), QString::fromLatin1(Sync::LeadAdsAdapter::kGraphFields));
    const QJsonArray filtering = QJsonDocument::fromJson(r.param("filtering").toUtf8()).array();
    QCOMPARE(filtering.size(), 1);
    QCOMPARE(filtering.first().toObject(), (QJsonObject{{"field", "time_created"},
                                                        {"operator", "GREATER_THAN_OR_EQUAL"},
                                                        {"value", 1739000000}}));
}

void tst_GraphApiClient::formLeadsPaging()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    for (int i = 0; i < 5; ++i)
        fake.addLead(QStringLiteral("9"), QString::number(100 + i), 1739300000 + i);
    GraphApiClient client(configFor(fake));
    QStringList seen;
    QString after;
    for (int page = 0; page < 10; ++page) {
        GraphApiClient::LeadsQuery query;
        query.formId = QStringLiteral("9");
        query.limit = 2;
        query.after = after;
        auto result = await([&](QObject *ctx, GraphApiClient::Callback done) {
            client.fetchFormLeads(query, ctx, std::move(done));
        });
        QVERIFY(result);
        auto parsed = Sync::LeadAdsAdapter::parseLeadsPage(*result);
        LD_VERIFY_OK(parsed);
        for (const QJsonObject &lead : std::as_const(parsed->leads))
            seen << lead.value("id").toString();
        if (!parsed->hasNext)
            break;
        after = parsed->after;
    }
    QCOMPARE(seen, (QStringList{"104", "103", "102", "101", "100"}));
    QCOMPARE(fake.requests.size(), 3);
    QVERIFY(!fake.requests.first().query.hasQueryItem("since")); // no lower bound asked
}

void tst_GraphApiClient::withoutAdsPermissionTheLeadFieldsStillCome()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    fake.addLead(QStringLiteral("9"), QStringLiteral("42"), 1739300000, QStringLiteral("Ana"));
    // A token without ads_management may not read campaign fields.
    fake.interceptor = [](const FakeGraphApi::Request &r) -> std::optional<FakeGraphApi::Reply> {
        if (!r.param("fields").contains(QStringLiteral("campaign_id")))
            return std::nullopt;
        return FakeGraphApi::error(400, 200,
                                   QStringLiteral("(#200) Requires ads_management "
                                                  "permission to manage the object"));
    };
    GraphApiClient client(configFor(fake));
    auto result = fetchLead(client, QStringLiteral("42"));
    QVERIFY(result);
    QCOMPARE(fake.requests.size(), 2);
    QCOMPARE(fake.requests.at(1).param("fields"),
             QString::fromLatin1(GraphApiClient::kBasicLeadFields));
    QCOMPARE(result->value("field_data").toArray().size(), 2);
    QVERIFY(!result->contains("campaign_id"));
    // Later calls ask for what is allowed straight away.
    GraphApiClient::LeadsQuery query;
    query.formId = QStringLiteral("9");
    auto page = await([&](QObject *ctx, GraphApiClient::Callback done) {
        client.fetchFormLeads(query, ctx, std::move(done));
    });
    QVERIFY(page);
    QCOMPARE(fake.requests.size(), 3);
    QCOMPARE(fake.requests.at(2).param("fields"),
             QString::fromLatin1(GraphApiClient::kBasicLeadFields));
}

void tst_GraphApiClient::invalidTokenIsAnAuthError()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    fake.script << FakeGraphApi::Reply{
        400, Test::readFixture("messenger_error_invalid_token.json"), {}, false};
    GraphApiClient client(configFor(fake));
    auto result = fetchLead(client, QStringLiteral("1"));
    QVERIFY(!result);
    const GraphError &e = result.error();
    QCOMPARE(e.kind, GraphError::Kind::Auth);
    QCOMPARE(e.httpStatus, 400);
    QCOMPARE(e.code, 190);
    QCOMPARE(e.subcode, 1234567);
    QCOMPARE(e.type, QStringLiteral("OAuthException"));
    QCOMPARE(e.message, QStringLiteral("Invalid OAuth access token."));
    QCOMPARE(e.fbtraceId, QStringLiteral("BLBz/WZt8dN"));
    QVERIFY(!e.isTransient());

    // The fake's own check of the token.
    auto config = configFor(fake);
    config.accessToken = QStringLiteral("stale-token");
    GraphApiClient stale(config);
    auto rejected = fetchLead(stale, QStringLiteral("1"));
    QVERIFY(!rejected);
    QCOMPARE(rejected.error().kind, GraphError::Kind::Auth);
    QVERIFY(!rejected.error().toString().contains(QStringLiteral("stale-token")));
}

void tst_GraphApiClient::unknownLeadIsNotFound()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    GraphApiClient client(configFor(fake));
    auto result = fetchLead(client, QStringLiteral("123"));
    QVERIFY(!result);
    QCOMPARE(result.error().kind, GraphError::Kind::NotFound);
    QCOMPARE(result.error().code, 100);
    QCOMPARE(result.error().subcode, 33);
    QCOMPARE(result.error().type, QStringLiteral("GraphMethodException"));
}

void tst_GraphApiClient::rateLimits_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("retryAfter");
    QTest::addColumn<QByteArray>("usage");
    QTest::addColumn<int>("expectedSecs");
    const auto graph = [](int code) {
        return FakeGraphApi::rateLimited(code).body;
    };
    QTest::newRow("code 4") << 400 << graph(4) << QByteArray() << QByteArray() << 60;
    QTest::newRow("code 17") << 400 << graph(17) << QByteArray() << QByteArray() << 60;
    QTest::newRow("code 32") << 400 << graph(32) << QByteArray() << QByteArray() << 60;
    QTest::newRow("code 613") << 400 << graph(613) << QByteArray() << QByteArray() << 60;
    QTest::newRow("code 80004") << 400 << graph(80004) << QByteArray() << QByteArray() << 60;
    QTest::newRow("whatsapp 130429")
        << 400 << Test::readFixture("whatsapp_error_rate_limit_130429.json") << QByteArray()
        << QByteArray() << 60;
    QTest::newRow("whatsapp 131056 as 429")
        << 429 << Test::readFixture("whatsapp_error_pair_rate_limit_131056.json") << QByteArray()
        << QByteArray() << 60;
    QTest::newRow("429 no body") << 429 << QByteArray() << QByteArray() << QByteArray() << 60;
    QTest::newRow("Retry-After") << 429 << graph(4) << QByteArray("120") << QByteArray() << 120;
    QTest::newRow("business use case usage")
        << 400 << graph(80000) << QByteArray()
        << QByteArray(R"({"1234":[{"type":"ads_management","call_count":100,"total_cputime":25,)"
                      R"("total_time":25,"estimated_time_to_regain_access":5}]})")
        << 300;
}

void tst_GraphApiClient::rateLimits()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, retryAfter);
    QFETCH(QByteArray, usage);
    QFETCH(int, expectedSecs);
    auto result = GraphApiClient::interpret(status, body, retryAfter, usage);
    QVERIFY(!result);
    QCOMPARE(result.error().kind, GraphError::Kind::RateLimited);
    QCOMPARE(result.error().retryAfterSecs, expectedSecs);
    QVERIFY(result.error().isTransient());
    QVERIFY(
        result.error().toString().contains(QStringLiteral("retry after %1 s").arg(expectedSecs)));
}

void tst_GraphApiClient::rateLimitOverHttp()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    FakeGraphApi::Reply limited = FakeGraphApi::rateLimited(4);
    limited.headers << std::pair{QByteArray("Retry-After"), QByteArray("90")};
    fake.script << limited;
    GraphApiClient client(configFor(fake));
    auto result = fetchLead(client, QStringLiteral("1"));
    QVERIFY(!result);
    QCOMPARE(result.error().kind, GraphError::Kind::RateLimited);
    QCOMPARE(result.error().code, 4);
    QCOMPARE(result.error().retryAfterSecs, 90);
    QCOMPARE(result.error().message, QStringLiteral("(#4) Application request limit reached"));
}

void tst_GraphApiClient::serverErrorsAreTransient()
{
    auto html = GraphApiClient::interpret(502, "<html><body>Bad gateway</body></html>", {}, {});
    QVERIFY(!html);
    QCOMPARE(html.error().kind, GraphError::Kind::Server);
    QVERIFY(html.error().isTransient());
    auto unknown = GraphApiClient::interpret(
        500, FakeGraphApi::error(500, 2, QStringLiteral("Service temporarily unavailable")).body,
        {}, {});
    QCOMPARE(unknown.error().kind, GraphError::Kind::Server);
    auto flagged = GraphApiClient::interpret(
        400, FakeGraphApi::error(400, 1200, QStringLiteral("Temporary"), {}, 0, true).body, {}, {});
    QCOMPARE(flagged.error().kind, GraphError::Kind::Server);
    auto permission = GraphApiClient::interpret(
        400, FakeGraphApi::error(400, 200, QStringLiteral("(#200) Requires leads_retrieval")).body,
        {}, {});
    QCOMPARE(permission.error().kind, GraphError::Kind::Permission);
    QVERIFY(!permission.error().isTransient());
    auto invalid = GraphApiClient::interpret(
        400,
        FakeGraphApi::error(400, 100, QStringLiteral("(#100) Tried accessing nonexisting field"))
            .body,
        {}, {});
    QCOMPARE(invalid.error().kind, GraphError::Kind::BadRequest);
}

void tst_GraphApiClient::nonJsonAnswers()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    fake.script << FakeGraphApi::Reply{200, "<html>captive portal</html>", {}, false}
                << FakeGraphApi::Reply{200, "{\"id\":\"1\",\"field_da", {}, false}
                << FakeGraphApi::Reply{200, "[1,2]", {}, false};
    GraphApiClient client(configFor(fake));
    for (int i = 0; i < 3; ++i) {
        auto result = fetchLead(client, QStringLiteral("1"));
        QVERIFY(!result);
        QCOMPARE(result.error().kind, GraphError::Kind::BadResponse);
        QCOMPARE(result.error().httpStatus, 200);
    }
}

void tst_GraphApiClient::timeout()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    fake.script << FakeGraphApi::Reply{200, {}, {}, true};
    auto config = configFor(fake);
    config.timeoutMs = 300;
    GraphApiClient client(config);
    QElapsedTimer timer;
    timer.start();
    auto result = fetchLead(client, QStringLiteral("1"));
    QVERIFY(!result);
    QCOMPARE(result.error().kind, GraphError::Kind::Timeout);
    QVERIFY(result.error().isTransient());
    QVERIFY(timer.elapsed() >= 250);
    QVERIFY(timer.elapsed() < 5000);
}

void tst_GraphApiClient::connectionRefusedDoesNotLeakToken()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    auto config = configFor(fake);
    fake.close(); // nothing listens on that port any more
    GraphApiClient client(config);
    auto result = fetchLead(client, QStringLiteral("1"));
    QVERIFY(!result);
    QCOMPARE(result.error().kind, GraphError::Kind::Network);
    QVERIFY(result.error().isTransient());
    QVERIFY(!result.error().toString().contains(QStringLiteral("test-page-token")));
}

void tst_GraphApiClient::idsThatWouldChangeThePath_data()
{
    QTest::addColumn<QString>("id");
    QTest::newRow("empty") << "";
    QTest::newRow("dot dot") << "../me";
    QTest::newRow("query") << "1?access_token=x";
    QTest::newRow("fragment") << "1#x";
    QTest::newRow("slash") << "1/leads";
    QTest::newRow("letters") << "me";
    QTest::newRow("encoded") << "1%2F2";
    QTest::newRow("space") << "1 2";
}

void tst_GraphApiClient::idsThatWouldChangeThePath()
{
    QFETCH(QString, id);
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    GraphApiClient client(configFor(fake));
    auto result = fetchLead(client, id);
    QVERIFY(!result);
    QCOMPARE(result.error().kind, GraphError::Kind::BadRequest);
    GraphApiClient::LeadsQuery query;
    query.formId = id;
    auto leads = await([&](QObject *ctx, GraphApiClient::Callback done) {
        client.fetchFormLeads(query, ctx, std::move(done));
    });
    QVERIFY(!leads);
    QCOMPARE(leads.error().kind, GraphError::Kind::BadRequest);
    QVERIFY(fake.requests.isEmpty());
}

void tst_GraphApiClient::deadContextGetsNoCallback()
{
    FakeGraphApi fake;
    QVERIFY(fake.listen());
    fake.addLead(QStringLiteral("9"), QStringLiteral("1"), 1739300000);
    GraphApiClient client(configFor(fake));
    bool called = false;
    auto *context = new QObject;
    client.fetchLead(QStringLiteral("1"), context, [&called](GraphResult) { called = true; });
    delete context;
    QVERIFY(QTest::qWaitFor([&fake] { return fake.requests.size() == 1; }, 5000));
    QTest::qWait(100);
    QVERIFY(!called);
}

void tst_GraphApiClient::errorStringsAreClear()
{
    auto result = GraphApiClient::interpret(
        400, Test::readFixture("messenger_error_outside_window.json"), {}, {});
    QVERIFY(!result);
    const QString text = result.error().toString();
    QCOMPARE(text, QStringLiteral("Graph API: permission missing (HTTP 400, code 10, subcode "
                                  "2018278): (#10) This message is sent outside of allowed "
                                  "window. [fbtrace_id AqWeRtYuIoPaSdFgHjKl]"));
}

QTEST_GUILESS_MAIN(tst_GraphApiClient)
#include "tst_graphapiclient.moc"
