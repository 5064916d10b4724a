#include "businessrepository.h"
#include "chatbotbody.h"
#include "chatbotroutes.h"
#include "databasethread.h"
#include "httpreceiver.h"
#include "inboundroutetable.h"
#include "testsupport.h"

#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

using namespace LeadDesk;

namespace {

struct Reply : Test::HttpReply
{
    // Any JSON value, scalars and null included.
    [[nodiscard]] QJsonValue json() const
    {
        return Core::ChatbotBody::parse(body).value_or(QJsonValue(QJsonValue::Undefined));
    }
};

Reply send(quint16 port, const QByteArray &method, const QByteArray &target,
           const QByteArray &body = {}, const QList<QByteArray> &extraHeaders = {})
{
    return {Test::sendHttp(port, method, target, body, extraHeaders)};
}

QByteArray json(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace

// The chatbot API over real HTTP on loopback: the receiver, its journal, and the chatbot routes.
class tst_ChatbotRoutes : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void everyPathIsServed();
    void configurationEndpoints();
    void journeyOverHttp();
    void unhappyPaths();
    void journalKeepsEveryPost();
    void corsForTheWidget();

private:
    QString post(const char *path, const QJsonObject &body, Reply *reply = nullptr);

    std::unique_ptr<Test::TempStore> m_store;
    std::unique_ptr<Core::StoreWriter> m_writer;
    std::unique_ptr<Core::StoreReader> m_reader;
    std::unique_ptr<Sync::HttpReceiver> m_receiver;
    quint16 m_port = 0;
};

void tst_ChatbotRoutes::init()
{
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    auto business = Core::BusinessRepository(m_store->db()).primary();
    LD_VERIFY_OK(business);
    auto setup = Sync::ChatbotRoute::defaultSetup(*business);
    LD_VERIFY_OK(setup);
    auto table = std::make_shared<Sync::InboundRouteTable>();
    for (auto &route : Sync::ChatbotRoute::all(*business, *setup))
        LD_VERIFY_OK(table->add(route));
    auto writer = Core::StoreWriter::start(m_store->path());
    LD_VERIFY_OK(writer);
    m_writer = std::move(*writer);
    auto reader = Core::StoreReader::start(m_store->path());
    LD_VERIFY_OK(reader);
    m_reader = std::move(*reader);
    Sync::HttpReceiver::Options options;
    options.perPeerPerMinute = 0;
    options.allowedOrigins = {QStringLiteral("*")}; // the seed's CORS: any origin
    options.logRequests = false;
    m_receiver
        = std::make_unique<Sync::HttpReceiver>(*m_writer, *m_reader, *business, table, options);
    auto port = m_receiver->start();
    LD_VERIFY_OK(port);
    m_port = *port;
}

void tst_ChatbotRoutes::cleanup()
{
    if (m_receiver)
        m_receiver->drain(5000);
    m_receiver.reset();
    m_reader.reset();
    m_writer.reset();
    m_store.reset();
}

QString tst_ChatbotRoutes::post(const char *path, const QJsonObject &body, Reply *out)
{
    const Reply reply = send(m_port, "POST", path, json(body));
    if (out)
        *out = reply;
    return reply.object().value(u"session_id").toString();
}

void tst_ChatbotRoutes::everyPathIsServed()
{
    auto business = Core::BusinessRepository(m_store->db()).primary();
    LD_VERIFY_OK(business);
    auto setup = Sync::ChatbotRoute::defaultSetup(*business);
    LD_VERIFY_OK(setup);
    QStringList paths;
    for (const auto &route : Sync::ChatbotRoute::all(*business, *setup)) {
        const auto spec = route->spec();
        paths.push_back(QString::fromLatin1(spec.method) + u' ' + spec.pattern);
    }
    QCOMPARE(paths.size(), 19);
    for (const char *expected :
         {"GET /", "POST /api/session/start", "GET /api/questions", "POST /api/next-question",
          "POST /api/answer", "POST /api/answer-with-conditional", "POST /api/skip-question",
          "POST /api/behavior", "GET /api/behavior/actions", "POST /api/lead/profile",
          "GET /api/lead/summary/{session_id}", "GET /api/score/{session_id}",
          "GET /api/lead/export/{session_id}", "GET /api/product-menu", "GET /api/cta-options",
          "GET /api/analytics/leads", "POST /api/ab-test/variant", "POST /api/ab-test/conversion",
          "POST /api/lead/notify"})
        QVERIFY2(paths.contains(QLatin1String(expected)), expected);
}

void tst_ChatbotRoutes::configurationEndpoints()
{
    Reply r = send(m_port, "GET", "/");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object(),
             (QJsonObject{{QStringLiteral("message"),
                           QStringLiteral("Welcome to Leads Management API (FastAPI version)")}}));
    QCOMPARE(r.header("content-type"), QByteArray("application/json"));
    r = send(m_port, "GET", "/api/questions");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.json().toArray().size(), 7);
    // UTF-8 on the wire, exactly the seed's characters.
    QVERIFY(r.body.contains("get started \xF0\x9F\x9A\x80\\n\\nCan I ask"));
    QVERIFY(r.body.contains("\xE2\x82\xB9"
                            "50K \xE2\x80\x93 \xE2\x82\xB9"
                            "2L"));
    r = send(m_port, "GET", "/api/behavior/actions");
    QCOMPARE(r.object().value(u"actions").toArray().size(), 11);
    QCOMPARE(send(m_port, "GET", "/api/product-menu").json().toArray().size(), 9);
    QCOMPARE(send(m_port, "GET", "/api/cta-options").json().toArray().size(), 5);
    QCOMPARE(Test::countRows(m_store->db(), QStringLiteral("inbound_journal")), 0);
}

void tst_ChatbotRoutes::journeyOverHttp()
{
    Reply r;
    const QString s
        = post("/api/session/start",
               QJsonObject{{QStringLiteral("utm_source"), QStringLiteral("google_ads")}}, &r);
    QCOMPARE(r.status, 200);
    QCOMPARE(s.size(), 36);
    QCOMPARE(r.object().value(u"message").toString(),
             QStringLiteral("Session started successfully"));

    post("/api/next-question",
         QJsonObject{{QStringLiteral("session_id"), s}, {QStringLiteral("last_question_id"), 0}},
         &r);
    QCOMPARE(r.object().value(u"id").toInt(), 1);

    post("/api/answer-with-conditional",
         QJsonObject{{QStringLiteral("session_id"), s},
                     {QStringLiteral("question_id"), 1},
                     {QStringLiteral("answer_text"), QStringLiteral("What is this about?")},
                     {QStringLiteral("time_taken"), 4}},
         &r);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"score_earned").toInt(), 15);
    QCOMPARE(r.object().value(u"conditional_response").toObject().value(u"type").toString(),
             QStringLiteral("info_response"));

    const QStringList answers{QStringLiteral("Restaurant / Caf\u00e9"), QStringLiteral("Pune"),
                              QStringLiteral("More than 15"), QStringLiteral("\u20b95L+"),
                              QStringLiteral("Billing / Invoicing, Loans")};
    for (int q = 2; q <= 6; ++q) {
        post("/api/answer",
             QJsonObject{{QStringLiteral("session_id"), s},
                         {QStringLiteral("question_id"), q},
                         {QStringLiteral("answer_text"), answers.at(q - 2)}},
             &r);
        QCOMPARE(r.status, 200);
    }
    post("/api/next-question",
         QJsonObject{{QStringLiteral("session_id"), s}, {QStringLiteral("last_question_id"), 6}},
         &r);
    QCOMPARE(r.object().value(u"id").toInt(), 7);
    post("/api/skip-question", QJsonObject{{QStringLiteral("session_id"), s}}, &r);
    QCOMPARE(r.object().value(u"message").toString(),
             QStringLiteral("Question skipped successfully"));
    post("/api/next-question",
         QJsonObject{{QStringLiteral("session_id"), s}, {QStringLiteral("last_question_id"), 6}},
         &r);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.body, QByteArray("null"));

    for (int i = 0; i < 2; ++i) {
        post("/api/behavior",
             QJsonObject{{QStringLiteral("session_id"), s},
                         {QStringLiteral("action"), QStringLiteral("clicked_demo")},
                         {QStringLiteral("metadata"),
                          QJsonObject{{QStringLiteral("product"), QStringLiteral("demo")}}}},
             &r);
        QCOMPARE(r.object().value(u"score_change").toInt(), i == 0 ? 15 : 0);
    }
    post("/api/lead/profile",
         QJsonObject{{QStringLiteral("session_id"), s},
                     {QStringLiteral("profile_data"),
                      QJsonObject{{QStringLiteral("name"), QStringLiteral("John Merchant")},
                                  {QStringLiteral("phone"), QStringLiteral("+16145550177")},
                                  {QStringLiteral("features_interested"),
                                   QJsonArray{QStringLiteral("Billing")}}}}},
         &r);
    QCOMPARE(r.status, 200);

    const QByteArray id = s.toUtf8();
    r = send(m_port, "GET", "/api/score/" + id);
    QCOMPARE(r.status, 200);
    const int score = r.object().value(u"lead_score").toInt();
    QVERIFY(score >= 60);
    QCOMPARE(r.object().value(u"lead_type").toString(), QStringLiteral("SQL"));
    r = send(m_port, "GET", "/api/lead/summary/" + id);
    QCOMPARE(r.object().value(u"contact_info").toString(), QStringLiteral("+16145550177"));
    QCOMPARE(r.object().value(u"lead_score").toInt(), score);
    r = send(m_port, "GET", "/api/lead/export/" + id);
    QCOMPARE(r.object().value(u"assigned_to").toString(), QStringLiteral("CTL-Team"));
    QCOMPARE(r.object().value(u"name").toString(), QStringLiteral("John Merchant"));
    r = send(m_port, "GET", "/api/analytics/leads?days=7");
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object().value(u"total_leads").toInt(), 1);
    QCOMPARE(r.object().value(u"completion_rate").toDouble(), 100.0);
    QCOMPARE(send(m_port, "GET", "/api/analytics/leads?days=x").status, 422);

    post("/api/ab-test/variant", QJsonObject{{QStringLiteral("session_id"), s}}, &r);
    QCOMPARE(r.status, 200);
    const QString variant = r.object().value(u"variant").toString();
    post("/api/ab-test/conversion",
         QJsonObject{{QStringLiteral("session_id"), s},
                     {QStringLiteral("test_name"), QStringLiteral("greeting_message")},
                     {QStringLiteral("variant"), variant},
                     {QStringLiteral("conversion_type"), QStringLiteral("demo_request")}},
         &r);
    QCOMPARE(r.status, 200);
    post("/api/lead/notify", QJsonObject{{QStringLiteral("session_id"), s}}, &r);
    QCOMPARE(r.status, 200);
    QCOMPARE(r.object(),
             (QJsonObject{{QStringLiteral("message"), QStringLiteral("Notification sent")}}));

    // The lead is in the store with the session's score, made through the receiver's ingestor.
    m_writer->flush();
    QCOMPARE(Test::countRows(m_store->db(), QStringLiteral("scored_leads"),
                             QStringLiteral("channel = 'chatbot' AND lead_score = %1").arg(score)),
             1);
}

void tst_ChatbotRoutes::unhappyPaths()
{
    const QString s = post("/api/session/start", QJsonObject{});
    Reply r;
    post("/api/answer",
         QJsonObject{{QStringLiteral("session_id"), QStringLiteral("nope")},
                     {QStringLiteral("question_id"), 2},
                     {QStringLiteral("answer_text"), QStringLiteral("Other")}},
         &r);
    QCOMPARE(r.status, 404);
    QCOMPARE(r.object(),
             (QJsonObject{{QStringLiteral("detail"), QStringLiteral("Session not found")}}));
    QCOMPARE(send(m_port, "GET", "/api/lead/summary/nope").status, 404);
    QCOMPARE(send(m_port, "GET", "/api/lead/summary/nope").object().value(u"detail").toString(),
             QStringLiteral("Lead not found"));

    post("/api/behavior",
         QJsonObject{{QStringLiteral("session_id"), s},
                     {QStringLiteral("action"), QStringLiteral("hacked")}},
         &r);
    QCOMPARE(r.status, 422);
    QCOMPARE(r.object().value(u"valid_actions").toArray().size(), 11);
    QCOMPARE(r.object().value(u"detail").toArray().at(0).toObject().value(u"type").toString(),
             QStringLiteral("literal_error"));

    r = send(m_port, "POST", "/api/answer", "{\"session_id\": ");
    QCOMPARE(r.status, 422);
    QCOMPARE(r.object().value(u"detail").toArray().at(0).toObject().value(u"type").toString(),
             QStringLiteral("json_invalid"));
    r = send(m_port, "POST", "/api/answer", "{\"session_id\": \"\xFF\xFE\"}");
    QCOMPARE(r.status, 400);
    QCOMPARE(r.object().value(u"detail").toString(),
             QStringLiteral("There was an error parsing the body"));
    r = send(m_port, "POST", "/api/session/start");
    QCOMPARE(r.status, 422);
    QCOMPARE(r.object().value(u"detail").toArray().at(0).toObject().value(u"loc").toArray(),
             QJsonArray{QStringLiteral("body")});
    r = send(m_port, "POST", "/api/answer", R"({"session_id": 5, "question_id": "x"})");
    QCOMPARE(r.status, 422);
    QCOMPARE(r.object().value(u"detail").toArray().size(), 3);

    // Repeated answers never add up.
    for (int i = 0; i < 3; ++i) {
        post("/api/answer",
             QJsonObject{{QStringLiteral("session_id"), s},
                         {QStringLiteral("question_id"), 2},
                         {QStringLiteral("answer_text"), QStringLiteral("Other")}},
             &r);
        QCOMPARE(r.object().value(u"score_earned").toInt(), i == 0 ? 5 : 0);
    }
    // The receiver's own answers for paths and methods it does not have.
    QCOMPARE(send(m_port, "GET", "/api/answer").status, 405);
    QCOMPARE(send(m_port, "GET", "/api/nothing-here").status, 404);
    QCOMPARE(send(m_port, "GET", "/api/score/").status, 404);
}

void tst_ChatbotRoutes::journalKeepsEveryPost()
{
    const QString s = post("/api/session/start", QJsonObject{});
    post("/api/behavior", QJsonObject{{QStringLiteral("session_id"), s},
                                      {QStringLiteral("action"), QStringLiteral("cta_clicked")}});
    post("/api/behavior", QJsonObject{{QStringLiteral("session_id"), QStringLiteral("ghost")},
                                      {QStringLiteral("action"), QStringLiteral("cta_clicked")}});
    send(m_port, "POST", "/api/answer", "not json");
    send(m_port, "GET", "/api/score/" + s.toUtf8());
    m_writer->flush();
    Core::Database &db = m_store->db();
    QCOMPARE(Test::countRows(db, QStringLiteral("inbound_journal")), 4); // POSTs only
    QCOMPARE(Test::countRows(db, QStringLiteral("inbound_journal"),
                             QStringLiteral("status = 'processed'")),
             2);
    QCOMPARE(Test::countRows(db, QStringLiteral("inbound_journal"),
                             QStringLiteral("status = 'rejected' AND route = 'chatbot_behavior'")),
             1);
    QCOMPARE(Test::countRows(db, QStringLiteral("inbound_journal"),
                             QStringLiteral("status = 'rejected' AND route = 'chatbot_answer'")),
             1);
    // The unknown session's behaviour was rolled back with its rejection.
    QCOMPARE(Test::countRows(db, QStringLiteral("behaviors")), 2);
}

void tst_ChatbotRoutes::corsForTheWidget()
{
    Reply r = send(m_port, "GET", "/api/questions", {}, {"Origin: https://shop.example"});
    QCOMPARE(r.status, 200);
    QCOMPARE(r.header("access-control-allow-origin"), QByteArray("*"));
    r = send(m_port, "OPTIONS", "/api/answer", {},
             {"Origin: https://shop.example", "Access-Control-Request-Method: POST",
              "Access-Control-Request-Headers: content-type"});
    QCOMPARE(r.status, 204);
    QVERIFY(r.header("access-control-allow-methods").contains("POST"));
    QVERIFY(r.header("access-control-allow-headers").toLower().contains("content-type"));
}

QTEST_GUILESS_MAIN(tst_ChatbotRoutes)
#include "tst_chatbotroutes.moc"
