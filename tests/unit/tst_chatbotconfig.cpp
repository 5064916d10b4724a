#include "abtestdefinitions.h"
#include "chatbotconfig.h"
#include "scoringrules.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace LeadDesk;

// The shipped chatbot workflow (seed 002's workflow_config.py as data) and the parser's
// refusals, each naming the JSON path of the problem.
class tst_ChatbotConfig : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultLoadsAndMatchesTheScoringModel();
    void defaultHasTheSeedQuestions();
    void defaultHasTheSeedMenus();
    void greetingResponses();
    void abDefaultIsAValidTestDocument();
    void rejectsWithPath_data();
    void rejectsWithPath();
    void eventUnknownToTheScoringModelIsRejected();
    void questionsAreSortedByOrderIndex();

private:
    static QJsonObject defaultDocument()
    {
        QFile file(QString::fromLatin1(Core::ChatbotConfig::defaultResource));
        if (!file.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(file.readAll()).object();
    }
    static QByteArray bytes(const QJsonObject &object)
    {
        return QJsonDocument(object).toJson(QJsonDocument::Compact);
    }
};

void tst_ChatbotConfig::defaultLoadsAndMatchesTheScoringModel()
{
    auto config = Core::ChatbotConfig::loadDefault();
    LD_VERIFY_OK(config);
    auto rules = Core::ScoringRules::loadDefault();
    LD_VERIFY_OK(rules);
    LD_VERIFY_OK(config->checkAgainst(*rules));
    QCOMPARE(config->welcomeMessage(),
             QStringLiteral("Welcome to Leads Management API (FastAPI version)"));
    // Server-awarded bonuses are not client-postable (reference §7.2); the harmless once-only
    // ones stay postable for the seed's clients.
    const QStringList actions = config->clientActions();
    QCOMPARE(actions.size(), 11);
    QCOMPARE(actions.first(), QStringLiteral("session_opened"));
    QVERIFY(actions.contains(QStringLiteral("cta_clicked")));
    QVERIFY(actions.contains(QStringLiteral("clicked_demo")));
    for (const char *serverOnly : {"answered_question", "answered_all_questions", "quick_reply",
                                   "detailed_answer", "shared_contact"})
        QVERIFY2(!actions.contains(QLatin1String(serverOnly)), serverOnly);
    QCOMPARE(config->serverEvents().answeredQuestion, QStringLiteral("answered_question"));
    QCOMPARE(config->detailedMinChars(), 11); // "> 10 characters"
    QCOMPARE(config->quickReplySeconds(), 20);
    QCOMPARE(config->exportAssignedTo(), QStringLiteral("CTL-Team"));
}

void tst_ChatbotConfig::defaultHasTheSeedQuestions()
{
    auto config = Core::ChatbotConfig::loadDefault();
    LD_VERIFY_OK(config);
    const QJsonArray questions = config->questionsJson();
    QCOMPARE(questions.size(), 7);
    const QJsonObject q1 = questions.at(0).toObject();
    QCOMPARE(q1.value(u"id").toInt(), 1);
    QCOMPARE(q1.value(u"step").toString(), QStringLiteral("greeting"));
    QCOMPARE(q1.value(u"question_text").toString(),
             QStringLiteral("Hi! Welcome to YouShop/YouResto \u2014 your smart business partner. "
                            "Let's help you get started \U0001F680\n\nCan I ask a few quick "
                            "questions to customize your solution?"));
    QCOMPARE(q1.value(u"options").toArray(),
             (QJsonArray{QStringLiteral("Yes, go ahead"), QStringLiteral("What is this about?"),
                         QStringLiteral("No thanks")}));
    QCOMPARE(q1.keys(),
             (QStringList{QStringLiteral("base_score"), QStringLiteral("id"),
                          QStringLiteral("options"), QStringLiteral("order_index"),
                          QStringLiteral("question_text"), QStringLiteral("question_type"),
                          QStringLiteral("required"), QStringLiteral("step")}));
    const QJsonObject q3 = questions.at(2).toObject();
    QCOMPARE(q3.value(u"question_type").toString(), QStringLiteral("text"));
    QVERIFY(q3.value(u"options").isNull());
    QCOMPARE(questions.at(3).toObject().value(u"options").toArray().at(1).toString(),
             QStringLiteral("2\u20135"));
    QCOMPARE(questions.at(4).toObject().value(u"options").toArray().at(1).toString(),
             QStringLiteral("\u20b950K \u2013 \u20b92L"));
    QCOMPARE(questions.at(1).toObject().value(u"options").toArray().at(1).toString(),
             QStringLiteral("Restaurant / Caf\u00e9"));
    const QJsonObject q6 = questions.at(5).toObject();
    QCOMPARE(q6.value(u"question_type").toString(), QStringLiteral("multiple_choice"));
    QCOMPARE(q6.value(u"options").toArray().size(), 7);
    const QJsonObject q7 = questions.at(6).toObject();
    QCOMPARE(q7.value(u"question_type").toString(), QStringLiteral("contact_form"));
    QCOMPARE(q7.value(u"required").toBool(), false);
    QCOMPARE(q7.value(u"base_score").toInt(), 10);
    QCOMPARE(config->question(7)->type, Core::ChatbotQuestion::Type::ContactForm);
    QVERIFY(!config->question(8));
}

void tst_ChatbotConfig::defaultHasTheSeedMenus()
{
    auto config = Core::ChatbotConfig::loadDefault();
    LD_VERIFY_OK(config);
    const QJsonArray products = config->productMenu();
    QCOMPARE(products.size(), 9);
    QCOMPARE(
        products.at(0).toObject(),
        (QJsonObject{
            {QStringLiteral("id"), QStringLiteral("billing")},
            {QStringLiteral("title"), QStringLiteral("\U0001F4CA Billing & Invoicing")},
            {QStringLiteral("description"), QStringLiteral("GST-compliant billing and invoicing")},
            {QStringLiteral("score"), 5}}));
    QCOMPARE(products.at(7).toObject().value(u"id").toString(), QStringLiteral("demo"));
    QCOMPARE(products.at(7).toObject().value(u"score").toInt(), 15);
    QCOMPARE(products.at(8).toObject().value(u"title").toString(),
             QStringLiteral("\u2753 Other Questions"));
    const QJsonArray ctas = config->ctaOptions();
    QCOMPARE(ctas.size(), 5);
    QStringList ids;
    for (const QJsonValue &cta : ctas)
        ids.push_back(cta.toObject().value(u"id").toString());
    QCOMPARE(ids, (QStringList{QStringLiteral("talk_to_sales"), QStringLiteral("request_callback"),
                               QStringLiteral("start_trial"), QStringLiteral("restart_bot"),
                               QStringLiteral("human_help")}));
    QCOMPARE(ctas.at(1).toObject().value(u"description").toString(),
             QStringLiteral("We'll call you back"));
    QCOMPARE(ctas.at(3).toObject().value(u"score").toInt(), 0);
}

void tst_ChatbotConfig::greetingResponses()
{
    auto config = Core::ChatbotConfig::loadDefault();
    LD_VERIFY_OK(config);
    QCOMPARE(config->greetingQuestionId(), 1);
    QCOMPARE(config->greetingNextQuestionId(), 2);
    const Core::ChatbotGreeting about = config->greetingFor(QStringLiteral("What is this about?"));
    QCOMPARE(about.type, QStringLiteral("info_response"));
    QCOMPARE(about.title, QStringLiteral("About YouShop/YouResto"));
    QVERIFY(about.content.startsWith(QStringLiteral("YouShop/YouResto is your all-in-one")));
    QVERIFY(about.content.contains(QStringLiteral("\n\n\U0001F680 **What we offer:**\n\u2022 "
                                                  "Digital billing & invoicing (GST compliant)")));
    QVERIFY(!about.endsSession);
    const Core::ChatbotGreeting thanks = config->greetingFor(QStringLiteral("No thanks"));
    QCOMPARE(thanks.type, QStringLiteral("thank_you_response"));
    QCOMPARE(thanks.title, QStringLiteral("Thank You!"));
    QVERIFY(thanks.content.contains(QStringLiteral("'WELCOME20'")));
    QVERIFY(thanks.endsSession);
    QCOMPARE(config->greetingFor(QStringLiteral("Yes, go ahead")).type,
             QStringLiteral("continue_flow"));
    QCOMPARE(config->greetingFor(QStringLiteral("anything")).type, QStringLiteral("continue_flow"));
    QVERIFY(!config->greetingFor(QStringLiteral("anything")).endsSession);
}

void tst_ChatbotConfig::abDefaultIsAValidTestDocument()
{
    auto config = Core::ChatbotConfig::loadDefault();
    LD_VERIFY_OK(config);
    QCOMPARE(config->abTestName(), QStringLiteral("greeting_message"));
    auto tests = Core::AbTestDefinitions::parse(config->abDefaultDocument());
    LD_VERIFY_OK(tests);
    const Core::AbTestDefinition *test = tests->test(QStringLiteral("greeting_message"));
    QVERIFY(test);
    QCOMPARE(test->variants.size(), 3);
    QCOMPARE(test->control, QStringLiteral("A"));
    QCOMPARE(test->variants.at(2).content.toObject().value(u"style").toString(),
             QStringLiteral("efficient"));
}

void tst_ChatbotConfig::rejectsWithPath_data()
{
    QTest::addColumn<QString>("pointer"); // where to change the default document
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<QString>("field");

    QTest::newRow("unknown root key") << "surprise" << QJsonValue(1) << "surprise";
    QTest::newRow("version") << "version" << QJsonValue(2) << "version";
    QTest::newRow("welcome empty")
        << "welcome_message" << QJsonValue(QString()) << "welcome_message";
    QTest::newRow("action twice") << "client_actions"
                                  << QJsonValue(
                                         QJsonArray{QStringLiteral("a"), QStringLiteral("a")})
                                  << "client_actions[1]";
    QTest::newRow("answers key") << "answers/quick_reply_seconds" << QJsonValue(-1)
                                 << "answers.quick_reply_seconds";
    QTest::newRow("question type")
        << "questions/1/question_type" << QJsonValue(QStringLiteral("slider"))
        << "questions[1].question_type";
    QTest::newRow("question id twice") << "questions/1/id" << QJsonValue(1) << "questions[1].id";
    QTest::newRow("choice without options")
        << "questions/0/options" << QJsonValue(QJsonValue::Null) << "questions[0].options";
    QTest::newRow("option not a string")
        << "questions/3/options" << QJsonValue(QJsonArray{QStringLiteral("x"), 3})
        << "questions[3].options[1]";
    QTest::newRow("required not bool")
        << "questions/6/required" << QJsonValue(QStringLiteral("no")) << "questions[6].required";
    QTest::newRow("greeting question")
        << "greeting_responses/question_id" << QJsonValue(99) << "greeting_responses.question_id";
    QTest::newRow("greeting answer not an option")
        << "greeting_responses/responses/0/answer" << QJsonValue(QStringLiteral("Maybe"))
        << "greeting_responses.responses[0].answer";
    QTest::newRow("menu id twice")
        << "product_menu/1/id" << QJsonValue(QStringLiteral("billing")) << "product_menu[1].id";
    QTest::newRow("cta score") << "cta_options/0/score" << QJsonValue(QStringLiteral("15"))
                               << "cta_options[0].score";
    QTest::newRow("ab definition name")
        << "ab_test/default_definition/name" << QJsonValue(QStringLiteral("other"))
        << "ab_test.default_definition.name";
    QTest::newRow("ab definition invalid")
        << "ab_test/default_definition/variants" << QJsonValue(QJsonArray{})
        << "ab_test.default_definition";
}

void tst_ChatbotConfig::rejectsWithPath()
{
    QFETCH(QString, pointer);
    QFETCH(QJsonValue, value);
    QFETCH(QString, field);
    // Sets document[pointer] = value, pointer segments separated by '/'.
    std::function<QJsonValue(QJsonValue, QStringList)> set
        = [&](QJsonValue node, QStringList path) -> QJsonValue {
        if (path.isEmpty())
            return value;
        const QString head = path.takeFirst();
        if (node.isArray()) {
            QJsonArray array = node.toArray();
            const int index = head.toInt();
            array[index] = set(array.at(index), path);
            return array;
        }
        QJsonObject object = node.toObject();
        object[head] = set(object.value(head), path);
        return object;
    };
    const QJsonObject document = set(defaultDocument(), pointer.split(QLatin1Char('/'))).toObject();
    auto config = Core::ChatbotConfig::parse(bytes(document));
    QVERIFY(!config);
    QCOMPARE(config.error().field, field);
}

void tst_ChatbotConfig::eventUnknownToTheScoringModelIsRejected()
{
    QJsonObject document = defaultDocument();
    QJsonArray actions = document.value(u"client_actions").toArray();
    actions.push_back(QStringLiteral("ab_test_conversion"));
    document.insert(QStringLiteral("client_actions"), actions);
    auto config = Core::ChatbotConfig::parse(bytes(document));
    LD_VERIFY_OK(config);
    auto rules = Core::ScoringRules::loadDefault();
    LD_VERIFY_OK(rules);
    auto checked = config->checkAgainst(*rules);
    QVERIFY(!checked);
    QCOMPARE(checked.error().field, QStringLiteral("client_actions[11]"));

    QJsonObject events = defaultDocument().value(u"server_events").toObject();
    events.insert(QStringLiteral("quick_reply"), QStringLiteral("fast"));
    document = defaultDocument();
    document.insert(QStringLiteral("server_events"), events);
    config = Core::ChatbotConfig::parse(bytes(document));
    LD_VERIFY_OK(config);
    checked = config->checkAgainst(*rules);
    QVERIFY(!checked);
    QCOMPARE(checked.error().field, QStringLiteral("server_events.quick_reply"));

    // Rules without a behaviour model cannot score a chatbot at all.
    auto leadOnly = Core::ScoringRules::parse(R"({"version": 1, "lead": {"grades": [{"label": "D",
        "min": 0}], "qualification": [{"label": "unqualified", "min": 0}], "groups": [{"id": "g",
        "max": 10, "rules": [{"id": "phone", "points": 5, "when": {"field": "phone",
        "op": "not_empty"}}]}]}})");
    LD_VERIFY_OK(leadOnly);
    QVERIFY(!leadOnly->hasBehaviourModel());
    QVERIFY(!Core::ChatbotConfig::loadDefault()->checkAgainst(*leadOnly));
}

void tst_ChatbotConfig::questionsAreSortedByOrderIndex()
{
    QJsonObject document = defaultDocument();
    QJsonArray questions = document.value(u"questions").toArray();
    QJsonObject first = questions.at(0).toObject();
    first.insert(QStringLiteral("order_index"), 100);
    questions[0] = first;
    document.insert(QStringLiteral("questions"), questions);
    auto config = Core::ChatbotConfig::parse(bytes(document));
    LD_VERIFY_OK(config);
    QCOMPARE(config->questions().first().id, 2);
    QCOMPARE(config->questions().last().id, 1);
    QCOMPARE(config->questionIds(), (QList<int>{2, 3, 4, 5, 6, 7, 1}));
}

QTEST_GUILESS_MAIN(tst_ChatbotConfig)
#include "tst_chatbotconfig.moc"
