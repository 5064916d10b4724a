#include "businesscalendar.h"
#include "chatbotbody.h"
#include "chatbotconfig.h"
#include "chatbotrequests.h"
#include "chatbotservice.h"
#include "clock.h"
#include "normalizer.h"
#include "scoringrules.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;
using Core::ChatbotResponse;

namespace {

// One store, clock, configuration and service, and a dispatcher that does what the HTTP routes
// do: raw body -> ChatbotRequests -> ChatbotService.
struct Bot
{
    Test::TempStore store;
    Core::ManualClock clock{1'760'000'000'000};
    std::shared_ptr<const Core::ChatbotConfig> config;
    std::shared_ptr<const Core::ScoringRules> rules;
    Core::Normalizer normalizer{QStringLiteral("US")};
    std::unique_ptr<Core::ChatbotRequests> requests;
    std::unique_ptr<Core::ChatbotService> service;

    Bot()
    {
        auto c = Core::ChatbotConfig::loadDefault();
        auto r = Core::ScoringRules::loadDefault();
        if (!c || !r)
            qFatal("default configuration does not load");
        config = std::make_shared<const Core::ChatbotConfig>(*c);
        rules = std::make_shared<const Core::ScoringRules>(*r);
        requests = std::make_unique<Core::ChatbotRequests>(config, normalizer);
        service = std::make_unique<Core::ChatbotService>(store.db(), store.businessId(), config,
                                                         rules, clock);
    }

    // A session whose visitor gave a name and a phone: it has its lead.
    QString startWithContact()
    {
        const QString s = start();
        const int status
            = profile(s, QJsonObject{{QStringLiteral("name"), QStringLiteral("Asha Rao")},
                                     {QStringLiteral("phone"), QStringLiteral("+16145550177")}})
                  .httpStatus;
        if (status != 200)
            qFatal("profile update answered %d", status);
        return s;
    }

    static ChatbotResponse unwrap(const Core::Result<ChatbotResponse> &result)
    {
        if (!result)
            return ChatbotResponse{
                -1, QJsonObject{{QStringLiteral("store_error"), result.error().message}}};
        return *result;
    }

    template<typename Input, typename Op>
    ChatbotResponse run(const Core::ChatbotParsed<Input> &parsed, Op op)
    {
        if (!parsed)
            return parsed.error();
        return unwrap(op(*parsed));
    }

    ChatbotResponse post(const QString &path, const QByteArray &body)
    {
        using namespace Core;
        ChatbotService &s = *service;
        if (path == u"/api/session/start")
            return run(requests->startSession(body),
                       [&](const auto &i) { return s.startSession(i); });
        if (path == u"/api/next-question")
            return run(requests->nextQuestion(body),
                       [&](const auto &i) { return s.nextQuestion(i); });
        if (path == u"/api/answer")
            return run(requests->answer(body), [&](const auto &i) { return s.answer(i); });
        if (path == u"/api/answer-with-conditional")
            return run(requests->answer(body), [&](const auto &i) { return s.answer(i, true); });
        if (path == u"/api/skip-question")
            return run(requests->skipQuestion(body),
                       [&](const auto &i) { return s.skipQuestion(i); });
        if (path == u"/api/behavior")
            return run(requests->behavior(body), [&](const auto &i) { return s.behavior(i); });
        if (path == u"/api/lead/profile")
            return run(requests->profile(body), [&](const auto &i) { return s.updateProfile(i); });
        if (path == u"/api/ab-test/variant")
            return run(requests->abVariant(body), [&](const auto &i) { return s.abVariant(i); });
        if (path == u"/api/ab-test/conversion")
            return run(requests->abConversion(body),
                       [&](const auto &i) { return s.abConversion(i); });
        if (path == u"/api/lead/notify")
            return run(requests->notify(body), [&](const auto &i) { return s.notify(i); });
        qFatal("no such POST path");
    }
    ChatbotResponse post(const QString &path, const QJsonObject &body)
    {
        return post(path, QJsonDocument(body).toJson(QJsonDocument::Compact));
    }

    ChatbotResponse get(const QString &path)
    {
        for (const char *prefix : {"/api/lead/summary/", "/api/score/", "/api/lead/export/"}) {
            if (path.startsWith(QLatin1String(prefix))) {
                const QString id = path.mid(qsizetype(qstrlen(prefix)));
                if (prefix[5] == 's')
                    return unwrap(service->score(id));
                return unwrap(QByteArray(prefix).contains("summary") ? service->summary(id)
                                                                     : service->exportLead(id));
            }
        }
        if (path == u"/api/analytics/leads")
            return unwrap(service->analytics());
        qFatal("no such GET path");
    }

    QString start(const QString &utm = QStringLiteral("google_ads"))
    {
        const ChatbotResponse r = post(QStringLiteral("/api/session/start"),
                                       QJsonObject{{QStringLiteral("utm_source"), utm}});
        return r.body.toObject().value(u"session_id").toString();
    }
    ChatbotResponse answer(const QString &session, int question, const QString &text,
                           QJsonValue timeTaken = QJsonValue::Null)
    {
        return post(QStringLiteral("/api/answer"),
                    QJsonObject{{QStringLiteral("session_id"), session},
                                {QStringLiteral("question_id"), question},
                                {QStringLiteral("answer_text"), text},
                                {QStringLiteral("time_taken"), timeTaken}});
    }
    ChatbotResponse act(const QString &session, const QString &action)
    {
        return post(QStringLiteral("/api/behavior"),
                    QJsonObject{{QStringLiteral("session_id"), session},
                                {QStringLiteral("action"), action}});
    }
    ChatbotResponse profile(const QString &session, const QJsonObject &data)
    {
        return post(QStringLiteral("/api/lead/profile"),
                    QJsonObject{{QStringLiteral("session_id"), session},
                                {QStringLiteral("profile_data"), data}});
    }
    int score(const QString &session)
    {
        return get(QStringLiteral("/api/score/") + session)
            .body.toObject()
            .value(u"lead_score")
            .toInt(-1);
    }
    QString scalar(const QString &sql)
    {
        QSqlQuery q(store.db().connection());
        if (!q.exec(sql) || !q.next())
            return QStringLiteral("<none>");
        return q.value(0).toString();
    }
    int rows(const QString &table, const QString &where = {})
    {
        return Test::countRows(store.db(), table, where);
    }
};

QJsonObject firstError(const ChatbotResponse &r)
{
    return r.body.toObject().value(u"detail").toArray().at(0).toObject();
}

QJsonObject detail(const QString &message)
{
    return QJsonObject{{QStringLiteral("detail"), message}};
}

const QString kOk = QStringLiteral("Answer logged successfully");

} // namespace

class tst_ChatbotService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rootAndConfigurationEndpoints();
    void sessionStart();
    void sessionStartValidation();
    void nextQuestionFlow();
    void answerPointsFollowTheSeed();
    void quickReplyIsMeasuredByTheServerToo();
    void duplicateAnswerReplacesAndDoesNotInflate();
    void repeatedActionsDoNotInflate();
    void invalidActionIs422WithTheValidOnes();
    void unknownSessionIs404Everywhere();
    void answerValidation_data();
    void answerValidation();
    void choiceAnswersTakeTheOptionsSpelling();
    void injectionStringsAreStoredVerbatim();
    void invalidUtf8AndMalformedJson();
    void profileMakesALeadOnceItHasAContact();
    void profileValidation();
    void summaryAndExportShapes();
    void journeyToSqlAndNotify();
    void gradeChangeMovesTheSlaTarget();
    void newRulesRescoreChatbotLeads();
    void notifyBelowThreshold();
    void skipQuestion();
    void greetingConditionalAndEndedSession();
    void analytics();
    void abVariantAndConversion();
    void readsHaveNoSideEffects();
    void scoreStaysWithinBounds();
};

void tst_ChatbotService::rootAndConfigurationEndpoints()
{
    Bot bot;
    QCOMPARE(bot.service->root().body.toObject(),
             (QJsonObject{{QStringLiteral("message"),
                           QStringLiteral("Welcome to Leads Management API (FastAPI version)")}}));
    const ChatbotResponse questions = bot.service->questions();
    QCOMPARE(questions.httpStatus, 200);
    QCOMPARE(questions.body.toArray().size(), 7);
    QCOMPARE(questions.body.toArray().at(6).toObject().value(u"step").toString(),
             QStringLiteral("contact"));
    const QJsonArray actions
        = bot.service->behaviorActions().body.toObject().value(u"actions").toArray();
    QCOMPARE(actions, QJsonArray::fromStringList(bot.config->clientActions()));
    QCOMPARE(bot.service->productMenu().body.toArray().size(), 9);
    QCOMPARE(bot.service->ctaOptions().body.toArray().size(), 5);
}

void tst_ChatbotService::sessionStart()
{
    Bot bot;
    const ChatbotResponse r
        = bot.post(QStringLiteral("/api/session/start"),
                   QJsonObject{{QStringLiteral("utm_source"), QStringLiteral("google_ads")}});
    QCOMPARE(r.httpStatus, 200);
    const QJsonObject body = r.body.toObject();
    QCOMPARE(body.keys(), (QStringList{QStringLiteral("message"), QStringLiteral("session_id")}));
    QCOMPARE(body.value(u"message").toString(), QStringLiteral("Session started successfully"));
    const QString id = body.value(u"session_id").toString();
    QVERIFY(
        QRegularExpression(QStringLiteral("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}"
                                          "-[0-9a-f]{12}$"))
            .match(id)
            .hasMatch());
    QCOMPARE(
        bot.scalar(QStringLiteral("SELECT utm_source FROM chatbot_sessions WHERE session_key = '")
                   + id + u'\''),
        QStringLiteral("google_ads"));
    QCOMPARE(
        bot.scalar(QStringLiteral("SELECT behavior_type || ':' || score_impact FROM behaviors")),
        QStringLiteral("session_opened:5"));
    QCOMPARE(bot.get(QStringLiteral("/api/score/") + id).body.toObject(),
             (QJsonObject{{QStringLiteral("lead_score"), 5.0},
                          {QStringLiteral("lead_type"), QStringLiteral("Unqualified")},
                          {QStringLiteral("score_breakdown"),
                           QJsonObject{{QStringLiteral("session_opened"), 5}}}}));
    // No lead yet: an anonymous visitor is not a lead until it leaves a contact.
    QCOMPARE(bot.rows(QStringLiteral("leads")), 0);
    // Two sessions, two ids.
    QVERIFY(bot.start() != id);
}

void tst_ChatbotService::sessionStartValidation()
{
    Bot bot;
    const QString path = QStringLiteral("/api/session/start");
    ChatbotResponse r = bot.post(path, QJsonObject{});
    QCOMPARE(r.httpStatus, 200);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT utm_source FROM chatbot_sessions")),
             QStringLiteral("direct"));

    r = bot.post(path, QByteArray());
    QCOMPARE(r.httpStatus, 422);
    QCOMPARE(r.body.toObject(),
             (QJsonObject{{QStringLiteral("detail"),
                           QJsonArray{QJsonObject{
                               {QStringLiteral("type"), QStringLiteral("missing")},
                               {QStringLiteral("loc"), QJsonArray{QStringLiteral("body")}},
                               {QStringLiteral("msg"), QStringLiteral("Field required")},
                               {QStringLiteral("input"), QJsonValue::Null}}}}}));

    for (const QJsonValue &wrong :
         {QJsonValue(QJsonValue::Null), QJsonValue(5), QJsonValue(true)}) {
        r = bot.post(path, QJsonObject{{QStringLiteral("utm_source"), wrong}});
        QCOMPARE(r.httpStatus, 422);
        QCOMPARE(firstError(r).value(u"type").toString(), QStringLiteral("string_type"));
        QCOMPARE(firstError(r).value(u"loc").toArray(),
                 (QJsonArray{QStringLiteral("body"), QStringLiteral("utm_source")}));
        QCOMPARE(firstError(r).value(u"input"), wrong);
    }
    r = bot.post(path, QByteArray("[1, 2]"));
    QCOMPARE(r.httpStatus, 422);
    QCOMPARE(firstError(r).value(u"type").toString(), QStringLiteral("model_attributes_type"));
    QCOMPARE(bot.rows(QStringLiteral("chatbot_sessions")), 1);
}

void tst_ChatbotService::nextQuestionFlow()
{
    Bot bot;
    const QString s = bot.start();
    auto next = [&](qint64 last) {
        return bot.post(QStringLiteral("/api/next-question"),
                        QJsonObject{{QStringLiteral("session_id"), s},
                                    {QStringLiteral("last_question_id"), last}});
    };
    // The seed could not give the first question; an unknown last id starts from the top.
    QCOMPARE(next(0).body.toObject().value(u"id").toInt(), 1);
    QCOMPARE(next(1).body.toObject().value(u"id").toInt(), 2);
    QCOMPARE(next(1).body.toObject(), bot.config->question(2)->json);
    QCOMPARE(bot.answer(s, 2, QStringLiteral("Other")).httpStatus, 200);
    QCOMPARE(next(1).body.toObject().value(u"id").toInt(), 3);
    // Lax integers, as Pydantic: "1" and 1.0 are 1.
    const QByteArray lax
        = QByteArray(R"({"session_id": ")") + s.toUtf8() + R"(", "last_question_id": "1"})";
    QCOMPARE(
        bot.post(QStringLiteral("/api/next-question"), lax).body.toObject().value(u"id").toInt(),
        3);
    for (int q = 3; q <= 6; ++q)
        QCOMPARE(bot.answer(s, q, bot.config->question(q)->options.value(0, QStringLiteral("Pune")))
                     .httpStatus,
                 200);
    // The optional contact question is offered too (the seed never offered it).
    QCOMPARE(next(6).body.toObject().value(u"id").toInt(), 7);
    QCOMPARE(bot.answer(s, 7, QStringLiteral("Skip for now")).httpStatus, 200);
    const ChatbotResponse done = next(6);
    QCOMPARE(done.httpStatus, 200);
    QVERIFY(done.body.isNull());
    // Question 1 was never answered: from the top it is still there.
    QCOMPARE(next(0).body.toObject().value(u"id").toInt(), 1);

    const ChatbotResponse missing = bot.post(QStringLiteral("/api/next-question"),
                                             QJsonObject{{QStringLiteral("session_id"), s}});
    QCOMPARE(missing.httpStatus, 422);
    QCOMPARE(firstError(missing).value(u"loc").toArray(),
             (QJsonArray{QStringLiteral("body"), QStringLiteral("last_question_id")}));
    QCOMPARE(firstError(missing).value(u"input").toObject(),
             (QJsonObject{{QStringLiteral("session_id"), s}}));
}

void tst_ChatbotService::answerPointsFollowTheSeed()
{
    Bot bot;
    const QString s = bot.start();
    // 5 base + 5 detailed ("Yes, go ahead" has 13 code points, > 10).
    ChatbotResponse r = bot.answer(s, 1, QStringLiteral("Yes, go ahead"));
    QCOMPARE(r.httpStatus, 200);
    QCOMPARE(r.body.toObject(),
             (QJsonObject{{QStringLiteral("message"), kOk}, {QStringLiteral("score_earned"), 10}}));
    // 5 base + 5 quick (time_taken 5 s < 20 s); "Other" is short.
    QCOMPARE(
        bot.answer(s, 2, QStringLiteral("Other"), 5).body.toObject().value(u"score_earned").toInt(),
        10);
    // The boundary: "₹50K – ₹2L" is exactly 10 code points, not detailed.
    QCOMPARE(bot.answer(s, 5, QStringLiteral("\u20b950K \u2013 \u20b92L"))
                 .body.toObject()
                 .value(u"score_earned")
                 .toInt(),
             5);
    // Emoji count as one code point each: 11 code points, detailed.
    QCOMPARE(bot.answer(s, 3,
                        QStringLiteral(
                            "Pune \U0001F680\U0001F680\U0001F680\U0001F680\U0001F680\U0001F680"))
                 .body.toObject()
                 .value(u"score_earned")
                 .toInt(),
             10);
    // time_taken 0 is no claim (the seed: falsy, no bonus).
    QCOMPARE(bot.answer(s, 4, QStringLiteral("Just me"), 0)
                 .body.toObject()
                 .value(u"score_earned")
                 .toInt(),
             5);
    QCOMPARE(bot.score(s), 5 + 10 + 10 + 5 + 10 + 5);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT score_earned || '/' || time_taken_ms FROM answers "
                                       "WHERE question_id = 2")),
             QStringLiteral("10/5000"));
    // The sixth required answer completes the questionnaire: +10 answered_all_questions.
    r = bot.answer(s, 6, QStringLiteral("Loans"));
    QCOMPARE(r.body.toObject().value(u"score_earned").toInt(), 15);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT completed FROM chatbot_sessions")),
             QStringLiteral("1"));
    QCOMPARE(bot.get(QStringLiteral("/api/score/") + s)
                 .body.toObject()
                 .value(u"score_breakdown")
                 .toObject()
                 .value(u"answered_all_questions")
                 .toInt(),
             10);
}

void tst_ChatbotService::quickReplyIsMeasuredByTheServerToo()
{
    Bot bot;
    const QString s = bot.start();
    bot.clock.advanceMs(60'000);
    // The client claims 5 s; a minute passed since the session started: no quick bonus.
    ChatbotResponse r = bot.answer(s, 2, QStringLiteral("Other"), 5);
    QCOMPARE(r.body.toObject().value(u"score_earned").toInt(), 5);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT time_taken_ms FROM answers")),
             QStringLiteral("60000"));
    // Measured from the previous answer: 8 s later, with the claim, it is quick.
    bot.clock.advanceMs(8'000);
    r = bot.answer(s, 4, QStringLiteral("Just me"), QStringLiteral("7.5"));
    QCOMPARE(r.body.toObject().value(u"score_earned").toInt(), 10);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT time_taken_ms FROM answers WHERE question_id = 4")),
             QStringLiteral("8000"));
    // Negative or absurd claims are refused, not rewarded.
    r = bot.answer(s, 5, QStringLiteral("\u20b95L+"), -3);
    QCOMPARE(r.httpStatus, 422);
    QCOMPARE(firstError(r).value(u"type").toString(), QStringLiteral("greater_than_equal"));
    r = bot.answer(s, 5, QStringLiteral("\u20b95L+"), 1e9);
    QCOMPARE(r.httpStatus, 422);
    QCOMPARE(firstError(r).value(u"type").toString(), QStringLiteral("less_than_equal"));
}

void tst_ChatbotService::duplicateAnswerReplacesAndDoesNotInflate()
{
    Bot bot;
    const QString s = bot.start();
    QCOMPARE(bot.answer(s, 2, QStringLiteral("Kirana / Retail Shop"))
                 .body.toObject()
                 .value(u"score_earned")
                 .toInt(),
             10);
    const int scored = bot.score(s);
    for (int i = 0; i < 5; ++i) {
        const ChatbotResponse r = bot.answer(s, 2, QStringLiteral("Wholesale / FMCG"));
        QCOMPARE(r.httpStatus, 200);
        QCOMPARE(r.body.toObject().value(u"score_earned").toInt(), 0);
    }
    QCOMPARE(bot.score(s), scored);
    QCOMPARE(bot.rows(QStringLiteral("answers")), 1);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT answer_text FROM answers")),
             QStringLiteral("Wholesale / FMCG"));
    // A shorter re-answer loses the detailed bonus it no longer earns.
    QCOMPARE(
        bot.answer(s, 2, QStringLiteral("Other")).body.toObject().value(u"score_earned").toInt(),
        -5);
    QCOMPARE(bot.score(s), scored - 5);
}

void tst_ChatbotService::repeatedActionsDoNotInflate()
{
    Bot bot;
    const QString s = bot.start();
    QCOMPARE(
        bot.act(s, QStringLiteral("cta_clicked")).body.toObject(),
        (QJsonObject{{QStringLiteral("message"), QStringLiteral("Behavior logged successfully")},
                     {QStringLiteral("score_change"), 15}}));
    for (int i = 0; i < 3; ++i)
        QCOMPARE(bot.act(s, QStringLiteral("cta_clicked"))
                     .body.toObject()
                     .value(u"score_change")
                     .toInt(),
                 0);
    // The seed's worst case: eleven session_opened posts made any lead SQL.
    for (int i = 0; i < 11; ++i)
        QCOMPARE(bot.act(s, QStringLiteral("session_opened"))
                     .body.toObject()
                     .value(u"score_change")
                     .toInt(),
                 0);
    QCOMPARE(bot.score(s), 20);
    // Still recorded, every one of them.
    QCOMPARE(bot.rows(QStringLiteral("behaviors"), QStringLiteral("behavior_type = 'cta_clicked'")),
             4);
    QCOMPARE(
        bot.rows(QStringLiteral("behaviors"), QStringLiteral("behavior_type = 'session_opened'")),
        12);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT SUM(score_impact) FROM behaviors")),
             QStringLiteral("20"));
}

void tst_ChatbotService::invalidActionIs422WithTheValidOnes()
{
    Bot bot;
    const QString s = bot.start();
    for (const QString &action :
         {QStringLiteral("ab_test_conversion"), QStringLiteral("quick_reply"),
          QStringLiteral("contact_shared")}) {
        const ChatbotResponse r = bot.act(s, action);
        QCOMPARE(r.httpStatus, 422);
        const QJsonObject error = firstError(r);
        QCOMPARE(error.value(u"type").toString(), QStringLiteral("literal_error"));
        QCOMPARE(error.value(u"loc").toArray(),
                 (QJsonArray{QStringLiteral("body"), QStringLiteral("action")}));
        QCOMPARE(error.value(u"input").toString(), action);
        QVERIFY(error.value(u"msg").toString().startsWith(
            QStringLiteral("Input should be 'session_opened', 'replied_to_greeting'")));
        QVERIFY(error.value(u"msg").toString().endsWith(
            QStringLiteral("'completed_journey' or 'question_skipped'")));
        QCOMPARE(r.body.toObject().value(u"valid_actions").toArray(),
                 QJsonArray::fromStringList(bot.config->clientActions()));
    }
    // The service refuses it too when a caller skips ChatbotRequests.
    Core::ChatbotBehaviorInput forged;
    forged.sessionId = s;
    forged.action = QStringLiteral("answered_all_questions");
    QCOMPARE(Bot::unwrap(bot.service->behavior(forged)).httpStatus, 422);
    Core::ChatbotAnswerInput unknown;
    unknown.sessionId = s;
    unknown.questionId = 42;
    unknown.answerText = QStringLiteral("x");
    QCOMPARE(Bot::unwrap(bot.service->answer(unknown)).httpStatus, 422);
    QCOMPARE(bot.rows(QStringLiteral("behaviors")), 1); // session_opened only
    // Empty action: the seed's 400; absent: 422 missing.
    QCOMPARE(bot.act(s, QString()).body.toObject(),
             detail(QStringLiteral("Missing required fields")));
    const ChatbotResponse absent
        = bot.post(QStringLiteral("/api/behavior"), QJsonObject{{QStringLiteral("session_id"), s}});
    QCOMPARE(firstError(absent).value(u"type").toString(), QStringLiteral("missing"));
    const ChatbotResponse badMetadata
        = bot.post(QStringLiteral("/api/behavior"),
                   QJsonObject{{QStringLiteral("session_id"), s},
                               {QStringLiteral("action"), QStringLiteral("clicked_demo")},
                               {QStringLiteral("metadata"), QStringLiteral("text")}});
    QCOMPARE(firstError(badMetadata).value(u"type").toString(), QStringLiteral("dict_type"));
}

void tst_ChatbotService::unknownSessionIs404Everywhere()
{
    Bot bot;
    const QString ghost = QStringLiteral("00000000-0000-4000-8000-000000000000");
    const QJsonObject notFound = detail(QStringLiteral("Session not found"));
    QCOMPARE(bot.answer(ghost, 1, QStringLiteral("Yes, go ahead")).httpStatus, 404);
    QCOMPARE(bot.answer(ghost, 1, QStringLiteral("Yes, go ahead")).body.toObject(), notFound);
    QCOMPARE(bot.post(QStringLiteral("/api/answer-with-conditional"),
                      QJsonObject{{QStringLiteral("session_id"), ghost},
                                  {QStringLiteral("question_id"), 1},
                                  {QStringLiteral("answer_text"), QStringLiteral("No thanks")}})
                 .body.toObject(),
             notFound);
    QCOMPARE(bot.act(ghost, QStringLiteral("cta_clicked")).body.toObject(), notFound);
    QCOMPARE(bot.post(QStringLiteral("/api/skip-question"),
                      QJsonObject{{QStringLiteral("session_id"), ghost}})
                 .body.toObject(),
             notFound);
    QCOMPARE(bot.profile(ghost, QJsonObject{{QStringLiteral("name"), QStringLiteral("Asha")}})
                 .body.toObject(),
             notFound);
    QCOMPARE(bot.post(QStringLiteral("/api/next-question"),
                      QJsonObject{{QStringLiteral("session_id"), ghost},
                                  {QStringLiteral("last_question_id"), 1}})
                 .body.toObject(),
             notFound);
    QCOMPARE(bot.post(QStringLiteral("/api/ab-test/variant"),
                      QJsonObject{{QStringLiteral("session_id"), ghost}})
                 .body.toObject(),
             notFound);
    QCOMPARE(bot.post(QStringLiteral("/api/ab-test/conversion"),
                      QJsonObject{{QStringLiteral("session_id"), ghost},
                                  {QStringLiteral("test_name"), QStringLiteral("greeting_message")},
                                  {QStringLiteral("variant"), QStringLiteral("A")},
                                  {QStringLiteral("conversion_type"), QStringLiteral("signup")}})
                 .body.toObject(),
             notFound);
    const QJsonObject leadNotFound = detail(QStringLiteral("Lead not found"));
    for (const QString &prefix :
         {QStringLiteral("/api/lead/summary/"), QStringLiteral("/api/score/"),
          QStringLiteral("/api/lead/export/")}) {
        const ChatbotResponse r = bot.get(prefix + ghost);
        QCOMPARE(r.httpStatus, 404);
        QCOMPARE(r.body.toObject(), leadNotFound);
    }
    QCOMPARE(bot.post(QStringLiteral("/api/lead/notify"),
                      QJsonObject{{QStringLiteral("session_id"), ghost}})
                 .body.toObject(),
             leadNotFound);
    // Nothing was stored for the unknown session (the seed stored A/B rows and orphans).
    for (const char *table : {"chatbot_sessions", "answers", "behaviors", "ab_assignments",
                              "ab_events", "activities", "settings"})
        QCOMPARE(bot.rows(QLatin1String(table)), 0);
}

void tst_ChatbotService::answerValidation_data()
{
    QTest::addColumn<QByteArray>("body"); // "SID" is replaced by a live session id
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("type"); // the first error's type, or the 400 detail
    QTest::addColumn<QJsonArray>("loc");

    auto loc = [](const char *field) {
        return QJsonArray{QStringLiteral("body"), QString::fromLatin1(field)};
    };
    QTest::newRow("answer instead of answer_text")
        << QByteArray(R"({"session_id": "SID", "question_id": 1, "answer": "Sample answer"})")
        << 422 << "missing" << loc("answer_text");
    QTest::newRow("question_id text")
        << QByteArray(R"({"session_id": "SID", "question_id": "one", "answer_text": "Other"})")
        << 422 << "int_parsing" << loc("question_id");
    QTest::newRow("question_id fraction")
        << QByteArray(R"({"session_id": "SID", "question_id": 2.5, "answer_text": "Other"})") << 422
        << "int_from_float" << loc("question_id");
    QTest::newRow("question_id null")
        << QByteArray(R"({"session_id": "SID", "question_id": null, "answer_text": "Other"})")
        << 422 << "int_type" << loc("question_id");
    QTest::newRow("answer_text number")
        << QByteArray(R"({"session_id": "SID", "question_id": 2, "answer_text": 5})") << 422
        << "string_type" << loc("answer_text");
    QTest::newRow("session_id number")
        << QByteArray(R"({"session_id": 7, "question_id": 2, "answer_text": "Other"})") << 422
        << "string_type" << loc("session_id");
    QTest::newRow("time_taken text") << QByteArray(
        R"({"session_id": "SID", "question_id": 2, "answer_text": "Other", "time_taken": "fast"})")
                                     << 422 << "float_parsing" << loc("time_taken");
    QTest::newRow("time_taken list") << QByteArray(
        R"({"session_id": "SID", "question_id": 2, "answer_text": "Other", "time_taken": []})")
                                     << 422 << "float_type" << loc("time_taken");
    QTest::newRow("body is a list")
        << QByteArray(R"([{"session_id": "SID"}])") << 422 << "model_attributes_type"
        << QJsonArray{QStringLiteral("body")};
    QTest::newRow("body is a string") << QByteArray(R"("hello")") << 422 << "model_attributes_type"
                                      << QJsonArray{QStringLiteral("body")};
    QTest::newRow("no body") << QByteArray() << 422 << "missing"
                             << QJsonArray{QStringLiteral("body")};
    QTest::newRow("empty answer") << QByteArray(
        R"({"session_id": "SID", "question_id": 3, "answer_text": ""})")
                                  << 400 << "Missing required fields" << QJsonArray();
    QTest::newRow("question 0") << QByteArray(
        R"({"session_id": "SID", "question_id": 0, "answer_text": "Other"})")
                                << 400 << "Missing required fields" << QJsonArray();
    QTest::newRow("empty session")
        << QByteArray(R"({"session_id": "", "question_id": 2, "answer_text": "Other"})") << 400
        << "Missing required fields" << QJsonArray();
    QTest::newRow("unknown question")
        << QByteArray(R"({"session_id": "SID", "question_id": 999, "answer_text": "Other"})") << 422
        << "literal_error" << loc("question_id");
    QTest::newRow("option not offered")
        << QByteArray(R"({"session_id": "SID", "question_id": 2, "answer_text": "Bakery"})") << 422
        << "literal_error" << loc("answer_text");
    QTest::newRow("multi option not offered")
        << QByteArray(R"({"session_id": "SID", "question_id": 6, "answer_text": "Loans, Yachts"})")
        << 422 << "value_error" << loc("answer_text");
    QTest::newRow("too long") << QByteArray(
                                     R"({"session_id": "SID", "question_id": 3, "answer_text": ")")
                                     + QByteArray(10'001, 'x') + R"("})"
                              << 422 << "string_too_long" << loc("answer_text");
}

void tst_ChatbotService::answerValidation()
{
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, type);
    QFETCH(QJsonArray, loc);
    Bot bot;
    const QString s = bot.start();
    body.replace("SID", s.toUtf8());
    const ChatbotResponse r = bot.post(QStringLiteral("/api/answer"), body);
    QCOMPARE(r.httpStatus, status);
    if (status == 400) {
        QCOMPARE(r.body.toObject(), detail(type));
    } else {
        QCOMPARE(firstError(r).value(u"type").toString(), type);
        QCOMPARE(firstError(r).value(u"loc").toArray(), loc);
        QVERIFY(!firstError(r).value(u"msg").toString().isEmpty());
    }
    QCOMPARE(bot.rows(QStringLiteral("answers")), 0);
    if (type == u"literal_error" && loc.last().toString() == u"question_id") {
        QCOMPARE(firstError(r).value(u"msg").toString(),
                 QStringLiteral("Input should be 1, 2, 3, 4, 5, 6 or 7"));
        QCOMPARE(r.body.toObject().value(u"valid_question_ids").toArray(),
                 (QJsonArray{1, 2, 3, 4, 5, 6, 7}));
    }
    if (type == u"literal_error" && loc.last().toString() == u"answer_text") {
        QCOMPARE(r.body.toObject().value(u"valid_options").toArray().size(), 4);
        QCOMPARE(firstError(r).value(u"msg").toString(),
                 QStringLiteral("Input should be 'Kirana / Retail Shop', 'Restaurant / Caf\u00e9', "
                                "'Wholesale / FMCG' or 'Other'"));
    }
    if (type == u"missing" && loc.size() == 2)
        QCOMPARE(firstError(r).value(u"input").toObject().value(u"answer").toString(),
                 QStringLiteral("Sample answer"));
}

void tst_ChatbotService::choiceAnswersTakeTheOptionsSpelling()
{
    Bot bot;
    const QString s = bot.start();
    QCOMPARE(bot.answer(s, 1, QStringLiteral("  yes, GO ahead ")).httpStatus, 200);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT answer_text FROM answers WHERE question_id = 1")),
             QStringLiteral("Yes, go ahead"));
    // Several options: separated by commas, any order, stored in the question's order.
    QCOMPARE(bot.answer(s, 6, QStringLiteral("qr payments, Billing / Invoicing,")).httpStatus, 200);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT answer_text FROM answers WHERE question_id = 6")),
             QStringLiteral("Billing / Invoicing, QR Payments"));
    // Free text and the contact form keep every character.
    QCOMPARE(bot.answer(s, 3, QStringLiteral("  Pune, MH  ")).httpStatus, 200);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT answer_text FROM answers WHERE question_id = 3")),
             QStringLiteral("  Pune, MH  "));
}

void tst_ChatbotService::injectionStringsAreStoredVerbatim()
{
    Bot bot;
    const QString sqlInjection = QStringLiteral("Robert'); DROP TABLE leads;--");
    const QString script = QStringLiteral("<script>alert('x')</script> \"quoted\" \\ back\\slash");
    const QString s = bot.start(sqlInjection);
    QCOMPARE(bot.answer(s, 3, sqlInjection).httpStatus, 200);
    QCOMPARE(bot.answer(s, 7, script).httpStatus, 200);
    QCOMPARE(bot.profile(s, QJsonObject{{QStringLiteral("name"), script},
                                        {QStringLiteral("business_type"), sqlInjection},
                                        {QStringLiteral("features_interested"),
                                         QJsonArray{sqlInjection, script}}})
                 .httpStatus,
             200);
    QCOMPARE(bot.act(s, QStringLiteral("clicked_product")).httpStatus, 200);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT answer_text FROM answers WHERE question_id = 3")),
             sqlInjection);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT answer_text FROM answers WHERE question_id = 7")),
             script);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name = 'leads'")),
             QStringLiteral("1"));
    const QJsonObject summary = bot.get(QStringLiteral("/api/lead/summary/") + s).body.toObject();
    QCOMPARE(summary.value(u"name").toString(), script);
    QCOMPARE(summary.value(u"business_type").toString(), sqlInjection);
    QCOMPARE(summary.value(u"utm_source").toString(), sqlInjection);
    QCOMPARE(summary.value(u"features_interested").toArray(), (QJsonArray{sqlInjection, script}));
    // A session id that is itself an injection is just an unknown session.
    QCOMPARE(bot.get(QStringLiteral("/api/lead/summary/x' OR '1'='1")).httpStatus, 404);
}

void tst_ChatbotService::invalidUtf8AndMalformedJson()
{
    Bot bot;
    const QString s = bot.start();
    const QByteArray body = "{\"session_id\": \"" + s.toUtf8()
                            + "\", \"question_id\": 3, \"answer_text\": \"Pune \xC3\x28 \xFF\"}";
    ChatbotResponse r = bot.post(QStringLiteral("/api/answer"), body);
    QCOMPARE(r.httpStatus, 400);
    QCOMPARE(r.body.toObject(), detail(QStringLiteral("There was an error parsing the body")));
    // Overlong encodings and surrogates are not UTF-8 either.
    for (const QByteArray &bad : {QByteArray("{\"utm_source\": \"\xC0\xAF\"}"),
                                  QByteArray("{\"utm_source\": \"\xED\xA0\x80\"}")})
        QCOMPARE(bot.post(QStringLiteral("/api/session/start"), bad).httpStatus, 400);
    // Well-formed multi-byte text goes through untouched.
    r = bot.answer(s, 3, QStringLiteral("\u092a\u0941\u0923\u0947 \U0001F600"));
    QCOMPARE(r.httpStatus, 200);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT answer_text FROM answers")),
             QStringLiteral("\u092a\u0941\u0923\u0947 \U0001F600"));

    r = bot.post(QStringLiteral("/api/answer"), QByteArray(R"({"session_id": "x", )"));
    QCOMPARE(r.httpStatus, 422);
    const QJsonObject error = firstError(r);
    QCOMPARE(error.value(u"type").toString(), QStringLiteral("json_invalid"));
    QCOMPARE(error.value(u"msg").toString(), QStringLiteral("JSON decode error"));
    QCOMPARE(error.value(u"loc").toArray().at(0).toString(), QStringLiteral("body"));
    QVERIFY(error.value(u"loc").toArray().at(1).isDouble());
    QCOMPARE(error.value(u"input").toObject(), QJsonObject());
    QVERIFY(!error.value(u"ctx").toObject().value(u"error").toString().isEmpty());
    QCOMPARE(bot.post(QStringLiteral("/api/answer"), QByteArray("   ")).httpStatus, 422);
    QCOMPARE(bot.post(QStringLiteral("/api/answer"), QByteArray("{} {}")).httpStatus, 422);
    QCOMPARE(bot.post(QStringLiteral("/api/answer"), QByteArray("1, 2")).httpStatus, 422);
    // A byte-order mark is read past, as Python does.
    QCOMPARE(
        bot.post(QStringLiteral("/api/session/start"), QByteArray("\xEF\xBB\xBF{}")).httpStatus,
        200);
}

void tst_ChatbotService::profileMakesALeadOnceItHasAContact()
{
    Bot bot;
    const QString s = bot.start();
    QCOMPARE(
        bot.profile(s, QJsonObject{{QStringLiteral("name"), QStringLiteral("john merchant")},
                                   {QStringLiteral("location"), QStringLiteral("Mumbai")}})
            .body.toObject(),
        (QJsonObject{{QStringLiteral("message"), QStringLiteral("Profile updated successfully")}}));
    QCOMPARE(bot.rows(QStringLiteral("leads")), 0);
    QCOMPARE(bot.score(s), 5);

    QCOMPARE(
        bot.profile(s, QJsonObject{{QStringLiteral("email"), QStringLiteral("John@Example.COM")},
                                   {QStringLiteral("business_type"), QStringLiteral("Retail Shop")},
                                   {QStringLiteral("features_interested"),
                                    QJsonArray{QStringLiteral("Billing"),
                                               QStringLiteral("QR Payments")}}})
            .httpStatus,
        200);
    // shared_contact is earned here, once.
    QCOMPARE(bot.score(s), 15);
    QCOMPARE(bot.rows(QStringLiteral("leads")), 1);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT channel || '|' || external_id || '|' || session_id "
                                       "FROM leads")),
             QStringLiteral("chatbot|") + s + u'|' + s);
    QCOMPARE(
        bot.scalar(QStringLiteral("SELECT first_name || ' ' || last_name || '|' || email || '|' "
                                  "|| utm_source || '|' || lead_score FROM scored_leads")),
        QStringLiteral("John Merchant|John@example.com|google_ads|15"));
    const QString leadId = bot.scalar(QStringLiteral("SELECT id FROM leads"));
    QCOMPARE(bot.scalar(QStringLiteral("SELECT lead_id FROM chatbot_sessions")), leadId);
    const QJsonObject details
        = QJsonDocument::fromJson(bot.scalar(QStringLiteral("SELECT details FROM leads")).toUtf8())
              .object();
    QCOMPARE(details.value(u"business_type").toString(), QStringLiteral("Retail Shop"));
    QCOMPARE(details.value(u"location").toString(), QStringLiteral("Mumbai"));
    QCOMPARE(details.value(u"chatbot_session_id").toString(), s);
    QCOMPARE(details.value(u"features_interested").toArray().size(), 2);

    // A phone later: the same lead, updated, the phone joins the person; no second bonus.
    QCOMPARE(
        bot.profile(s, QJsonObject{{QStringLiteral("phone"), QStringLiteral("(614) 555-0177")}})
            .httpStatus,
        200);
    QCOMPARE(bot.score(s), 15);
    QCOMPARE(bot.rows(QStringLiteral("leads")), 1);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT phone FROM leads")), QStringLiteral("+16145550177"));
    QCOMPARE(bot.rows(QStringLiteral("contact_identities"),
                      QStringLiteral("channel = 'phone' AND external_id = '+16145550177'")),
             1);
    QCOMPARE(
        bot.rows(QStringLiteral("behaviors"), QStringLiteral("behavior_type = 'shared_contact'")),
        1);
    // The lead's score follows the session's.
    QCOMPARE(bot.act(s, QStringLiteral("clicked_demo")).httpStatus, 200);
    QCOMPARE(bot.scalar(QStringLiteral(
                 "SELECT lead_score || '|' || qualification_status FROM scored_leads")),
             QStringLiteral("30|marketing_qualified"));
    // The summary shows what the visitor typed; the lead holds the normalised values.
    const QJsonObject summary = bot.get(QStringLiteral("/api/lead/summary/") + s).body.toObject();
    QCOMPARE(summary.value(u"email").toString(), QStringLiteral("John@Example.COM"));
    QCOMPARE(summary.value(u"phone").toString(), QStringLiteral("(614) 555-0177"));
    QCOMPARE(summary.value(u"lead_id").toString(), leadId);
    QCOMPARE(summary.value(u"lead_type").toString(), QStringLiteral("MQL"));
}

void tst_ChatbotService::profileValidation()
{
    Bot bot;
    const QString s = bot.start();
    const QString path = QStringLiteral("/api/lead/profile");
    ChatbotResponse r = bot.post(path, QJsonObject{{QStringLiteral("session_id"), s}});
    QCOMPARE(r.httpStatus, 422);
    QCOMPARE(firstError(r).value(u"loc").toArray(),
             (QJsonArray{QStringLiteral("body"), QStringLiteral("profile_data")}));
    QCOMPARE(firstError(r).value(u"type").toString(), QStringLiteral("missing"));

    r = bot.post(path, QJsonObject{{QStringLiteral("session_id"), s},
                                   {QStringLiteral("profile_data"), QStringLiteral("x")}});
    QCOMPARE(firstError(r).value(u"type").toString(), QStringLiteral("dict_type"));

    r = bot.profile(s,
                    QJsonObject{{QStringLiteral("email"), QStringLiteral("not-an-email")},
                                {QStringLiteral("phone"), QStringLiteral("12")},
                                {QStringLiteral("features_interested"), QStringLiteral("Billing")},
                                {QStringLiteral("name"), 42}});
    QCOMPARE(r.httpStatus, 422);
    QStringList seen;
    for (const QJsonValue &e : r.body.toObject().value(u"detail").toArray()) {
        const QJsonObject error = e.toObject();
        QCOMPARE(error.value(u"loc").toArray().at(1).toString(), QStringLiteral("profile_data"));
        seen.push_back(error.value(u"loc").toArray().at(2).toString() + u':'
                       + error.value(u"type").toString());
    }
    seen.sort();
    QCOMPARE(seen, (QStringList{QStringLiteral("email:value_error"),
                                QStringLiteral("features_interested:list_type"),
                                QStringLiteral("name:string_type"),
                                QStringLiteral("phone:value_error")}));

    QCOMPARE(bot.post(path, QJsonObject{{QStringLiteral("session_id"), QString()},
                                        {QStringLiteral("profile_data"), QJsonObject()}})
                 .body.toObject(),
             detail(QStringLiteral("Missing session_id")));

    // No mass assignment: lead_score and friends are not profile fields.
    r = bot.profile(s, QJsonObject{{QStringLiteral("lead_score"), 99},
                                   {QStringLiteral("lead_type"), QStringLiteral("SQL")},
                                   {QStringLiteral("session_id"), QStringLiteral("other")},
                                   {QStringLiteral("name"), QStringLiteral("Asha")}});
    QCOMPARE(r.httpStatus, 200);
    QCOMPARE(bot.score(s), 5);
    const QJsonObject summary = bot.get(QStringLiteral("/api/lead/summary/") + s).body.toObject();
    QCOMPARE(summary.value(u"session_id").toString(), s);
    QCOMPARE(summary.value(u"lead_type").toString(), QStringLiteral("Unqualified"));
    // null and "" clear a field.
    QCOMPARE(bot.profile(s, QJsonObject{{QStringLiteral("name"), QJsonValue::Null}}).httpStatus,
             200);
    QVERIFY(
        bot.get(QStringLiteral("/api/lead/summary/") + s).body.toObject().value(u"name").isNull());
    QCOMPARE(bot.rows(QStringLiteral("leads")), 0);
}

void tst_ChatbotService::summaryAndExportShapes()
{
    Bot bot;
    const QString s = bot.start();
    QJsonObject summary = bot.get(QStringLiteral("/api/lead/summary/") + s).body.toObject();
    QCOMPARE(summary.keys(),
             (QStringList{QStringLiteral("business_type"), QStringLiteral("contact_info"),
                          QStringLiteral("created_at"), QStringLiteral("email"),
                          QStringLiteral("features_interested"), QStringLiteral("lead_id"),
                          QStringLiteral("lead_score"), QStringLiteral("lead_type"),
                          QStringLiteral("location"), QStringLiteral("monthly_sales"),
                          QStringLiteral("name"), QStringLiteral("phone"),
                          QStringLiteral("session_id"), QStringLiteral("staff_size"),
                          QStringLiteral("updated_at"), QStringLiteral("utm_source")}));
    QVERIFY(summary.value(u"name").isNull());
    QVERIFY(summary.value(u"contact_info").isNull());
    QCOMPARE(summary.value(u"features_interested").toArray(), QJsonArray());
    QCOMPARE(summary.value(u"lead_score").toDouble(), 5.0);
    QCOMPARE(summary.value(u"created_at").toString(), QStringLiteral("2025-10-09T08:53:20.000Z"));

    bot.clock.advanceMs(1500);
    QCOMPARE(
        bot.profile(s, QJsonObject{{QStringLiteral("name"), QStringLiteral("John Merchant")},
                                   {QStringLiteral("email"), QStringLiteral("john@example.com")},
                                   {QStringLiteral("phone"), QStringLiteral("+1 614 555 0177")},
                                   {QStringLiteral("staff_size"), QStringLiteral("2\u20135")},
                                   {QStringLiteral("monthly_sales"),
                                    QStringLiteral("\u20b950K\u2013\u20b92L")}})
            .httpStatus,
        200);
    summary = bot.get(QStringLiteral("/api/lead/summary/") + s).body.toObject();
    QCOMPARE(summary.value(u"contact_info").toString(), QStringLiteral("+1 614 555 0177"));
    QCOMPARE(summary.value(u"updated_at").toString(), QStringLiteral("2025-10-09T08:53:21.500Z"));

    const QJsonObject crm = bot.get(QStringLiteral("/api/lead/export/") + s).body.toObject();
    QCOMPARE(crm.keys(),
             (QStringList{QStringLiteral("assigned_to"), QStringLiteral("business_type"),
                          QStringLiteral("contact_info"), QStringLiteral("email"),
                          QStringLiteral("features_interested"), QStringLiteral("lead_score"),
                          QStringLiteral("lead_type"), QStringLiteral("location"),
                          QStringLiteral("monthly_sales"), QStringLiteral("name"),
                          QStringLiteral("phone"), QStringLiteral("session_start_time"),
                          QStringLiteral("staff_size"), QStringLiteral("utm_source")}));
    QCOMPARE(crm.value(u"assigned_to").toString(), QStringLiteral("CTL-Team"));
    QCOMPARE(crm.value(u"session_start_time").toString(),
             QStringLiteral("2025-10-09T08:53:20.000Z"));
    QCOMPARE(crm.value(u"lead_score").toDouble(), 15.0);
    QCOMPARE(crm.value(u"staff_size").toString(), QStringLiteral("2\u20135"));
    // Contact by e-mail only: contact_info falls back to it.
    const QString other = bot.start();
    QCOMPARE(bot.profile(other, QJsonObject{{QStringLiteral("email"), QStringLiteral("a@b.co")}})
                 .httpStatus,
             200);
    QCOMPARE(bot.get(QStringLiteral("/api/lead/export/") + other)
                 .body.toObject()
                 .value(u"contact_info")
                 .toString(),
             QStringLiteral("a@b.co"));
}

void tst_ChatbotService::journeyToSqlAndNotify()
{
    Bot bot;
    const QString s = bot.start(); // 5
    const QStringList answers{
        QStringLiteral("Yes, go ahead"),       QStringLiteral("Restaurant / Caf\u00e9"),
        QStringLiteral("Koregaon Park, Pune"), QStringLiteral("More than 15"),
        QStringLiteral("\u20b95L+"),           QStringLiteral("Billing / Invoicing")};
    int expected = 5;
    for (int q = 1; q <= 6; ++q) {
        bot.clock.advanceMs(4'000);
        const ChatbotResponse r = bot.answer(s, q, answers.at(q - 1), 3.5);
        QCOMPARE(r.httpStatus, 200);
        expected += r.body.toObject().value(u"score_earned").toInt();
    }
    QCOMPARE(bot.score(s), expected);
    QCOMPARE(expected, 5 + 6 * 5 + 6 * 5 + 5 * 5 + 10); // opened, base, quick, detailed, all
    QCOMPARE(
        bot.get(QStringLiteral("/api/score/") + s).body.toObject().value(u"lead_type").toString(),
        QStringLiteral("SQL"));
    QCOMPARE(bot.profile(s, QJsonObject{{QStringLiteral("name"), QStringLiteral("Asha Rao")},
                                        {QStringLiteral("phone"), QStringLiteral("+16145550177")}})
                 .httpStatus,
             200);
    QCOMPARE(bot.act(s, QStringLiteral("clicked_demo")).httpStatus, 200);
    QCOMPARE(bot.score(s), 100); // 125 before the cap
    QCOMPARE(bot.scalar(QStringLiteral("SELECT lead_score || lead_grade || qualification_status "
                                       "FROM scored_leads")),
             QStringLiteral("100Asales_qualified"));
    const QJsonObject sent{{QStringLiteral("message"), QStringLiteral("Notification sent")}};
    const QString path = QStringLiteral("/api/lead/notify");
    const QJsonObject body{{QStringLiteral("session_id"), s},
                           {QStringLiteral("name"), QStringLiteral("ignored")}};
    ChatbotResponse r = bot.post(path, body);
    QCOMPARE(r.httpStatus, 200);
    QCOMPARE(r.body.toObject(), sent);
    r = bot.post(path, body);
    QCOMPARE(r.body.toObject(), sent);
    // Recorded once, on the lead's timeline.
    QCOMPARE(bot.rows(QStringLiteral("activities"),
                      QStringLiteral("activity_type = 'notification_requested'")),
             1);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT lead_id = (SELECT id FROM leads) FROM activities "
                                       "WHERE activity_type = 'notification_requested'")),
             QStringLiteral("1"));
    QCOMPARE(bot.rows(QStringLiteral("behaviors"),
                      QStringLiteral("behavior_type = 'notification_sent'")),
             1);
}

void tst_ChatbotService::gradeChangeMovesTheSlaTarget()
{
    Bot bot;
    // A contact first: the lead is stored at once, a D lead on the chatbot's 30-minute target.
    const QString s = bot.startWithContact();
    auto calendar = Core::BusinessCalendar::load(bot.store.db(), bot.store.businessId());
    LD_VERIFY_OK(calendar);
    const qint64 started
        = bot.scalar(QStringLiteral("SELECT sla_started_at FROM leads")).toLongLong();
    QVERIFY(started > 0);
    const auto due = [&bot] {
        return bot.scalar(QStringLiteral("SELECT first_response_due_at FROM leads")).toLongLong();
    };
    QCOMPARE(bot.scalar(QStringLiteral("SELECT lead_grade FROM scored_leads")),
             QStringLiteral("D"));
    QCOMPARE(due(), calendar->addBusinessTime(started, 30 * 60'000));

    // The answers make it an A lead: the shipped policy's 15-minute "hot-leads" target applies.
    const QStringList answers{
        QStringLiteral("Yes, go ahead"),       QStringLiteral("Restaurant / Caf\u00e9"),
        QStringLiteral("Koregaon Park, Pune"), QStringLiteral("More than 15"),
        QStringLiteral("\u20b95L+"),           QStringLiteral("Billing / Invoicing")};
    for (int q = 1; q <= 6; ++q) {
        bot.clock.advanceMs(4'000);
        QCOMPARE(bot.answer(s, q, answers.at(q - 1), 3.5).httpStatus, 200);
    }
    QCOMPARE(bot.scalar(QStringLiteral("SELECT lead_grade FROM scored_leads")),
             QStringLiteral("A"));
    QCOMPARE(due(), calendar->addBusinessTime(started, 15 * 60'000));
}

void tst_ChatbotService::newRulesRescoreChatbotLeads()
{
    Bot bot;
    const QString s = bot.startWithContact();
    const int before = bot.score(s);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT lead_score FROM scored_leads")).toInt(), before);

    // The owner makes opening a chat worth 50 points instead of 5.
    QJsonObject document = QJsonDocument::fromJson(bot.rules->document()).object();
    QJsonObject behaviour = document.value(u"behaviour").toObject();
    QJsonArray groups = behaviour.value(u"groups").toArray();
    QJsonObject group = groups.at(0).toObject();
    QJsonArray rules = group.value(u"rules").toArray();
    for (qsizetype i = 0; i < rules.size(); ++i) {
        QJsonObject rule = rules.at(i).toObject();
        if (rule.value(u"id").toString() == QLatin1String("session_opened")) {
            QCOMPARE(rule.value(u"points").toInt(), 5);
            rule.insert(QStringLiteral("points"), 50);
            rules.replace(i, rule);
        }
    }
    group.insert(QStringLiteral("rules"), rules);
    groups.replace(0, group);
    behaviour.insert(QStringLiteral("groups"), groups);
    document.insert(QStringLiteral("behaviour"), behaviour);
    auto parsed = Core::ScoringRules::parse(QJsonDocument(document).toJson());
    LD_VERIFY_OK(parsed);
    const auto changed = std::make_shared<const Core::ScoringRules>(std::move(*parsed));

    auto rescored
        = Core::ChatbotService::rescoreLeads(bot.store.db(), bot.store.businessId(), changed);
    LD_VERIFY_OK(rescored);
    QCOMPARE(*rescored, 1);
    QCOMPARE(bot.scalar(QStringLiteral("SELECT lead_score FROM scored_leads")).toInt(),
             before + 45);
    QVERIFY(bot.scalar(QStringLiteral("SELECT score_breakdown FROM scored_leads"))
                .contains(QStringLiteral("\"session_opened\":50")));
    // Nothing left to change the second time.
    rescored = Core::ChatbotService::rescoreLeads(bot.store.db(), bot.store.businessId(), changed);
    LD_VERIFY_OK(rescored);
    QCOMPARE(*rescored, 0);
}

void tst_ChatbotService::notifyBelowThreshold()
{
    Bot bot;
    const QString s = bot.start();
    const ChatbotResponse r = bot.post(QStringLiteral("/api/lead/notify"),
                                       QJsonObject{{QStringLiteral("session_id"), s}});
    QCOMPARE(r.httpStatus, 400);
    QCOMPARE(
        r.body.toObject(),
        detail(QStringLiteral("Notification not sent. Lead score is 5.0. Must be >= 60 to send "
                              "notification.")));
    QCOMPARE(bot.rows(QStringLiteral("activities")), 0);
    QCOMPARE(bot.post(QStringLiteral("/api/lead/notify"), QJsonObject{}).httpStatus, 422);
}

void tst_ChatbotService::skipQuestion()
{
    Bot bot;
    const QString s = bot.start();
    const QString path = QStringLiteral("/api/skip-question");
    auto next = [&](int last) {
        return bot
            .post(QStringLiteral("/api/next-question"),
                  QJsonObject{{QStringLiteral("session_id"), s},
                              {QStringLiteral("last_question_id"), last}})
            .body.toObject()
            .value(u"id")
            .toInt();
    };
    QCOMPARE(bot.answer(s, 1, QStringLiteral("Yes, go ahead")).httpStatus, 200);
    QCOMPARE(next(1), 2); // delivered: question 2 is on screen
    ChatbotResponse r = bot.post(path, QJsonObject{{QStringLiteral("session_id"), s}});
    QCOMPARE(r.body.toObject(), (QJsonObject{{QStringLiteral("message"),
                                              QStringLiteral("Question skipped successfully")},
                                             {QStringLiteral("score_change"), 0}}));
    const QString skipped = QString::fromLatin1("{\"question_id\":2,\"reason\":\"user_skipped\"}");
    QCOMPARE(bot.scalar(QStringLiteral("SELECT metadata FROM behaviors WHERE behavior_type = "
                                       "'question_skipped'")),
             skipped);
    // Skipped questions are not offered again (the seed forgot skips).
    QCOMPARE(next(1), 3);
    QCOMPARE(next(0), 3);
    // An explicit question id and reason.
    r = bot.post(path, QJsonObject{{QStringLiteral("session_id"), s},
                                   {QStringLiteral("question_id"), 3},
                                   {QStringLiteral("skip_reason"), QStringLiteral("private")}});
    QCOMPARE(r.httpStatus, 200);
    QCOMPARE(next(0), 4);
    // Answering a skipped question later is fine; it counts.
    QCOMPARE(
        bot.answer(s, 2, QStringLiteral("Other")).body.toObject().value(u"score_earned").toInt(),
        5);
    QCOMPARE(bot.post(path, QJsonObject{{QStringLiteral("session_id"), s},
                                        {QStringLiteral("question_id"), 99}})
                 .httpStatus,
             422);
    QCOMPARE(bot.post(path, QJsonObject{{QStringLiteral("session_id"), QString()}}).body.toObject(),
             detail(QStringLiteral("Missing session_id")));
    QCOMPARE(bot.score(s), 5 + 10 + 5);
}

void tst_ChatbotService::greetingConditionalAndEndedSession()
{
    Bot bot;
    const QString path = QStringLiteral("/api/answer-with-conditional");
    auto greet = [&](const QString &session, const QString &text) {
        return bot.post(path, QJsonObject{{QStringLiteral("session_id"), session},
                                          {QStringLiteral("question_id"), 1},
                                          {QStringLiteral("answer_text"), text}});
    };
    const QString a = bot.start();
    ChatbotResponse r = greet(a, QStringLiteral("What is this about?"));
    QCOMPARE(r.httpStatus, 200);
    QJsonObject conditional = r.body.toObject().value(u"conditional_response").toObject();
    QCOMPARE(conditional.value(u"type").toString(), QStringLiteral("info_response"));
    QCOMPARE(conditional.value(u"title").toString(), QStringLiteral("About YouShop/YouResto"));
    QCOMPARE(conditional.value(u"next_question").toObject(), bot.config->question(2)->json);
    QCOMPARE(r.body.toObject().value(u"score_earned").toInt(), 10);
    QCOMPARE(r.body.toObject().value(u"message").toString(), kOk);

    const QString b = bot.start();
    conditional = greet(b, QStringLiteral("Yes, go ahead"))
                      .body.toObject()
                      .value(u"conditional_response")
                      .toObject();
    QCOMPARE(conditional.keys(),
             (QStringList{QStringLiteral("next_question"), QStringLiteral("type")}));
    QCOMPARE(conditional.value(u"type").toString(), QStringLiteral("continue_flow"));
    // Other questions: the plain answer.
    QCOMPARE(bot.post(path, QJsonObject{{QStringLiteral("session_id"), b},
                                        {QStringLiteral("question_id"), 2},
                                        {QStringLiteral("answer_text"), QStringLiteral("Other")}})
                 .body.toObject()
                 .keys(),
             (QStringList{QStringLiteral("message"), QStringLiteral("score_earned")}));

    const QString c = bot.start();
    conditional = greet(c, QStringLiteral("No thanks"))
                      .body.toObject()
                      .value(u"conditional_response")
                      .toObject();
    QCOMPARE(conditional.value(u"type").toString(), QStringLiteral("thank_you_response"));
    QCOMPARE(conditional.value(u"session_ended").toBool(), true);
    QVERIFY(!conditional.contains(u"next_question"));
    // The session really ended: no more answers or skips, no next question.
    QCOMPARE(bot.answer(c, 2, QStringLiteral("Other")).body.toObject(),
             detail(QStringLiteral("Session has ended")));
    QCOMPARE(bot.answer(c, 2, QStringLiteral("Other")).httpStatus, 409);
    QCOMPARE(bot.post(QStringLiteral("/api/skip-question"),
                      QJsonObject{{QStringLiteral("session_id"), c}})
                 .httpStatus,
             409);
    QVERIFY(bot.post(QStringLiteral("/api/next-question"),
                     QJsonObject{{QStringLiteral("session_id"), c},
                                 {QStringLiteral("last_question_id"), 1}})
                .body.isNull());
    QVERIFY(bot.scalar(QStringLiteral("SELECT ended_at FROM chatbot_sessions WHERE session_key = '")
                       + c + u'\'')
                .toLongLong()
            > 0);
    // Its summary still reads; a plain /api/answer never ends a session.
    QCOMPARE(bot.get(QStringLiteral("/api/lead/summary/") + c).httpStatus, 200);
    const QString d = bot.start();
    QCOMPARE(bot.answer(d, 1, QStringLiteral("No thanks")).httpStatus, 200);
    QCOMPARE(bot.answer(d, 2, QStringLiteral("Other")).httpStatus, 200);
}

void tst_ChatbotService::analytics()
{
    Bot bot;
    QCOMPARE(bot.get(QStringLiteral("/api/analytics/leads")).body.toObject(),
             (QJsonObject{{QStringLiteral("total_leads"), 0},
                          {QStringLiteral("sql_leads"), 0},
                          {QStringLiteral("mql_leads"), 0},
                          {QStringLiteral("unqualified_leads"), 0},
                          {QStringLiteral("conversion_rate"), 0},
                          {QStringLiteral("average_score"), 0},
                          {QStringLiteral("completion_rate"), 0},
                          {QStringLiteral("average_time_between_questions"), 0},
                          {QStringLiteral("by_utm_source"), QJsonObject()}}));

    // One complete SQL session from google with answers 10 s apart, one bare one from direct,
    // one MQL from google.
    const QString full = bot.start(QStringLiteral("google"));
    for (int q = 1; q <= 6; ++q) {
        bot.clock.advanceMs(10'000);
        QCOMPARE(bot.answer(full, q,
                            bot.config->question(q)->options.value(0, QStringLiteral("Pune")), 2)
                     .httpStatus,
                 200);
    }
    QCOMPARE(bot.act(full, QStringLiteral("cta_clicked")).httpStatus, 200);
    const int fullScore = bot.score(full);
    QVERIFY(fullScore >= 60);
    const QString bare = bot.start(QStringLiteral("direct"));
    const QString mql = bot.start(QStringLiteral("google"));
    QCOMPARE(bot.act(mql, QStringLiteral("clicked_demo")).httpStatus, 200);
    QCOMPARE(bot.act(mql, QStringLiteral("cta_clicked")).httpStatus, 200);
    QCOMPARE(bot.score(mql), 35);
    // The seed's forged conversions count nothing here.
    QCOMPARE(bot.act(bare, QStringLiteral("ab_test_conversion")).httpStatus, 422);

    const QJsonObject a = bot.get(QStringLiteral("/api/analytics/leads")).body.toObject();
    QCOMPARE(a.value(u"total_leads").toInt(), 3);
    QCOMPARE(a.value(u"sql_leads").toInt(), 1);
    QCOMPARE(a.value(u"mql_leads").toInt(), 1);
    QCOMPARE(a.value(u"unqualified_leads").toInt(), 1);
    QCOMPARE(a.value(u"conversion_rate").toDouble(), 33.33);
    QCOMPARE(a.value(u"completion_rate").toDouble(), 33.33);
    QCOMPARE(a.value(u"average_score").toDouble(),
             std::round((fullScore + 5 + 35) * 100.0 / 3) / 100);
    QCOMPARE(a.value(u"average_time_between_questions").toDouble(), 10.0);
    QCOMPARE(a.value(u"by_utm_source").toObject(),
             (QJsonObject{{QStringLiteral("google"),
                           QJsonObject{{QStringLiteral("total"), 2}, {QStringLiteral("sql"), 1}}},
                          {QStringLiteral("direct"), QJsonObject{{QStringLiteral("total"), 1},
                                                                 {QStringLiteral("sql"), 0}}}}));

    // Only the last N days.
    bot.clock.advanceMs(3LL * 86'400'000);
    const QString recent = bot.start(QStringLiteral("newsletter"));
    Q_UNUSED(recent);
    auto days = bot.requests->analytics(QUrlQuery(QStringLiteral("days=2")));
    QVERIFY(days);
    const QJsonObject lately = Bot::unwrap(bot.service->analytics(*days)).body.toObject();
    QCOMPARE(lately.value(u"total_leads").toInt(), 1);
    QCOMPARE(lately.value(u"unqualified_leads").toInt(), 1);
    auto badDays = bot.requests->analytics(QUrlQuery(QStringLiteral("days=soon")));
    QVERIFY(!badDays);
    QCOMPARE(badDays.error().httpStatus, 422);
    QCOMPARE(firstError(badDays.error()).value(u"loc").toArray(),
             (QJsonArray{QStringLiteral("query"), QStringLiteral("days")}));
    QVERIFY(!bot.requests->analytics(QUrlQuery(QStringLiteral("days=0"))));
}

void tst_ChatbotService::abVariantAndConversion()
{
    Bot bot;
    const QString s = bot.start();
    const QString variantPath = QStringLiteral("/api/ab-test/variant");
    ChatbotResponse r = bot.post(
        variantPath, QJsonObject{{QStringLiteral("session_id"), s},
                                 {QStringLiteral("variant"), QStringLiteral("ignored")}});
    QCOMPARE(r.httpStatus, 200);
    const QString variant = r.body.toObject().value(u"variant").toString();
    QVERIFY(QStringList({QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C")})
                .contains(variant));
    QCOMPARE(r.body.toObject().value(u"test_name").toString(), QStringLiteral("greeting_message"));
    QVERIFY(r.body.toObject().value(u"config").toObject().contains(u"text"));
    // The business had no A/B tests: it got the chatbot's default one.
    QCOMPARE(bot.rows(QStringLiteral("settings"), QStringLiteral("key = 'ab.tests'")), 1);
    // Sticky: the same variant, one assignment row.
    for (int i = 0; i < 3; ++i)
        QCOMPARE(bot.post(variantPath, QJsonObject{{QStringLiteral("session_id"), s}})
                     .body.toObject()
                     .value(u"variant")
                     .toString(),
                 variant);
    QCOMPARE(bot.rows(QStringLiteral("ab_assignments")), 1);

    const QString conversionPath = QStringLiteral("/api/ab-test/conversion");
    auto convert = [&](const QString &session, const QString &test, const QString &v) {
        return bot.post(conversionPath,
                        QJsonObject{{QStringLiteral("session_id"), session},
                                    {QStringLiteral("test_name"), test},
                                    {QStringLiteral("variant"), v},
                                    {QStringLiteral("conversion_type"), QStringLiteral("signup")},
                                    {QStringLiteral("conversion_value"), 1}});
    };
    const QString wrong = variant == u"A" ? QStringLiteral("B") : QStringLiteral("A");
    r = convert(s, QStringLiteral("greeting_message"), wrong);
    QCOMPARE(r.httpStatus, 409);
    QCOMPARE(bot.rows(QStringLiteral("ab_events")), 0);
    r = convert(s, QStringLiteral("greeting_message"), variant);
    QCOMPARE(r.httpStatus, 200);
    QCOMPARE(r.body.toObject(), (QJsonObject{{QStringLiteral("message"),
                                              QStringLiteral("Conversion logged successfully")}}));
    QCOMPARE(convert(s, QStringLiteral("greeting_message"), variant).httpStatus, 200);
    QCOMPARE(bot.rows(QStringLiteral("ab_events")), 1); // once per session and goal
    QCOMPARE(bot.scalar(QStringLiteral("SELECT value_cents FROM ab_events")),
             QStringLiteral("100"));
    QCOMPARE(convert(s, QStringLiteral("homepage_cta"), QStringLiteral("A")).httpStatus, 404);
    // A session that never saw the test cannot convert in it.
    const QString other = bot.start();
    QCOMPARE(convert(other, QStringLiteral("greeting_message"), QStringLiteral("A")).httpStatus,
             409);
    r = bot.post(conversionPath, QJsonObject{{QStringLiteral("session_id"), s},
                                             {QStringLiteral("variant"), QStringLiteral("A")},
                                             {QStringLiteral("converted"), true}});
    QCOMPARE(r.httpStatus, 422);
    QCOMPARE(r.body.toObject().value(u"detail").toArray().size(), 2); // test_name, conversion_type
}

void tst_ChatbotService::readsHaveNoSideEffects()
{
    Bot bot;
    const QString s = bot.start();
    QCOMPARE(
        bot.profile(s, QJsonObject{{QStringLiteral("email"), QStringLiteral("a@b.co")}}).httpStatus,
        200);
    auto snapshot = [&bot]() {
        return bot.scalar(QStringLiteral(
            "SELECT (SELECT group_concat(updated_at || hlc) FROM chatbot_sessions) || '|' || "
            "(SELECT group_concat(updated_at || hlc || lead_score) FROM scored_leads) || '|' || "
            "(SELECT count(*) FROM behaviors) || (SELECT count(*) FROM answers) || "
            "(SELECT count(*) FROM activities)"));
    };
    const QString before = snapshot();
    bot.clock.advanceMs(5'000);
    for (int i = 0; i < 3; ++i) {
        QCOMPARE(bot.get(QStringLiteral("/api/lead/summary/") + s).httpStatus, 200);
        QCOMPARE(bot.get(QStringLiteral("/api/score/") + s).httpStatus, 200);
        QCOMPARE(bot.get(QStringLiteral("/api/lead/export/") + s).httpStatus, 200);
        QCOMPARE(bot.get(QStringLiteral("/api/analytics/leads")).httpStatus, 200);
    }
    QCOMPARE(snapshot(), before);
}

void tst_ChatbotService::scoreStaysWithinBounds()
{
    Bot bot;
    const QString s = bot.start();
    // early_dropout is -10, but the score has a floor of 0.
    QCOMPARE(
        bot.act(s, QStringLiteral("early_dropout")).body.toObject().value(u"score_change").toInt(),
        -5);
    QCOMPARE(
        bot.act(s, QStringLiteral("early_dropout")).body.toObject().value(u"score_change").toInt(),
        0);
    QCOMPARE(bot.score(s), 0);
    QCOMPARE(bot.act(s, QStringLiteral("clicked_pricing"))
                 .body.toObject()
                 .value(u"score_change")
                 .toInt(),
             5); // 5 + 10 - 10
}

QTEST_GUILESS_MAIN(tst_ChatbotService)
#include "tst_chatbotservice.moc"
