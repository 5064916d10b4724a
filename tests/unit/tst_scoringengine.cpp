#include "scoringrules.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace LeadDesk::Core;

namespace {

// Sets LeadRecord fields by their rule-document names; "details.x" goes into details.
LeadRecord leadWith(const QJsonObject &fields)
{
    LeadRecord lead;
    // Every source rule stays silent unless a row sets a source: a referrer without UTM tags is
    // neither a known medium nor direct traffic.
    lead.referrerUrl = QStringLiteral("https://example.org/");
    const QHash<QString, QString LeadRecord::*> members = {
        {QStringLiteral("email"), &LeadRecord::email},
        {QStringLiteral("phone"), &LeadRecord::phone},
        {QStringLiteral("company"), &LeadRecord::company},
        {QStringLiteral("service_interest"), &LeadRecord::serviceInterest},
        {QStringLiteral("urgency"), &LeadRecord::urgency},
        {QStringLiteral("budget_range"), &LeadRecord::budgetRange},
        {QStringLiteral("utm_source"), &LeadRecord::utmSource},
        {QStringLiteral("utm_medium"), &LeadRecord::utmMedium},
        {QStringLiteral("medium"), &LeadRecord::medium},
        {QStringLiteral("referrer_url"), &LeadRecord::referrerUrl},
    };
    for (auto it = fields.constBegin(); it != fields.constEnd(); ++it) {
        if (it.key().startsWith(QLatin1String("details.")))
            lead.details.insert(it.key().mid(8), it.value());
        else
            lead.*members.value(it.key()) = it.value().toString();
    }
    return lead;
}

QJsonObject obj(std::initializer_list<std::pair<const char *, QJsonValue>> pairs)
{
    QJsonObject o;
    for (const auto &[key, value] : pairs)
        o.insert(QLatin1String(key), value);
    return o;
}

QByteArray leadDocument(const QByteArray &groups)
{
    return R"({"version": 1, "lead": {
        "grades": [{"label": "A", "min": 50}, {"label": "D", "min": 0}],
        "qualification": [{"label": "sales_qualified", "min": 10},
                          {"label": "unqualified", "min": 0}],
        "groups": )"
           + groups + "}}";
}

const QByteArray notEmptyPhone = R"("when": {"field": "phone", "op": "not_empty"})";

} // namespace

class TestScoringEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void defaultDocumentListsEveryRule();
    void leadRule_data();
    void leadRule();
    void behaviourRule_data();
    void behaviourRule();
    void thresholds_data();
    void thresholds();
    void workedExampleFromSeed004();
    void chatbotExampleFromSeed001();
    void repeatedEventsCountOnce_data();
    void repeatedEventsCountOnce();
    void groupMaximumCutsTheSum();
    void totalIsClampedTo100();
    void invalidDocument_data();
    void invalidDocument();
    void invalidJsonIsRejected();
    void inlineListsAndPrefixMaps();
    void decay_data();
    void decay();
    void decayOfBehaviourEvents();
    void explainNamesEveryEntry();
    void storedLeadsScoreAsRecords_data();
    void storedLeadsScoreAsRecords();
    void storedColumnsAreWhatRulesRead();
    void businessRulesLiveInTheStore();

private:
    ScoringRules m_rules;
};

void TestScoringEngine::initTestCase()
{
    auto rules = ScoringRules::loadDefault();
    QVERIFY2(rules, qPrintable(rules ? QString() : rules.error().toString()));
    m_rules = *rules;
}

void TestScoringEngine::defaultDocumentListsEveryRule()
{
    // The rows below cover exactly these rules; a rule added to the document needs a row too.
    const QStringList lead
        = {"business_email",      "phone_provided",  "company_provided", "specific_service",
           "general_inquiry",     "urgency",         "budget_indicated", "time_on_page_long",
           "time_on_page_medium", "form_completion", "return_visitor",   "source_quality",
           "direct_traffic"};
    const QStringList behaviour
        = {"session_opened",   "replied_to_greeting", "answered_question", "answered_all_questions",
           "shared_contact",   "clicked_product",     "clicked_pricing",   "clicked_demo",
           "meaningful_reply", "quick_reply",         "detailed_answer",   "cta_clicked",
           "early_dropout",    "ignored_cta",         "completed_journey", "question_skipped"};
    QCOMPARE(m_rules.leadRuleIds(), lead);
    QCOMPARE(m_rules.behaviourRuleIds(), behaviour);
}

void TestScoringEngine::leadRule_data()
{
    QTest::addColumn<QJsonObject>("fields");
    QTest::addColumn<QString>("rule"); // empty when no rule may fire
    QTest::addColumn<int>("points");

    const auto row = [](const char *name, const QJsonObject &fields, const char *rule, int points) {
        QTest::newRow(name) << fields << QString::fromLatin1(rule) << points;
    };
    row("nothing", {}, "", 0);
    row("business email", obj({{"email", "john.doe@company.com"}}), "business_email", 15);
    row("business email, upper case", obj({{"email", "John@Company.COM"}}), "business_email", 15);
    row("free email", obj({{"email", "john@gmail.com"}}), "", 0);
    row("free email, upper case", obj({{"email", "john@GMAIL.com"}}), "", 0);
    row("email without domain", obj({{"email", "john"}}), "", 0);
    row("phone", obj({{"phone", "+15551234567"}}), "phone_provided", 5);
    row("blank phone", obj({{"phone", "   "}}), "", 0);
    row("company", obj({{"company", "Acme Corp"}}), "company_provided", 5);
    row("specific service", obj({{"service_interest", "Nextcloud Installation"}}),
        "specific_service", 15);
    row("general inquiry", obj({{"service_interest", "General Inquiry"}}), "general_inquiry", 5);
    row("other is general", obj({{"service_interest", " other "}}), "general_inquiry", 5);
    row("urgency high", obj({{"urgency", "High (Same day)"}}), "urgency", 15);
    row("urgency emergency", obj({{"urgency", "Emergency"}}), "urgency", 15);
    row("urgency medium", obj({{"urgency", "Medium (this week)"}}), "urgency", 10);
    row("urgency low", obj({{"urgency", "low"}}), "urgency", 5);
    row("urgency unknown", obj({{"urgency", "whenever"}}), "", 0);
    row("budget", obj({{"budget_range", "$5000-$10000"}}), "budget_indicated", 5);
    row("budget not sure", obj({{"budget_range", "Not sure"}}), "", 0);
    row("time on page 181 s", obj({{"details.time_on_page_seconds", 181}}), "time_on_page_long",
        10);
    row("time on page 180.5 s", obj({{"details.time_on_page_seconds", 180.5}}), "time_on_page_long",
        10);
    row("time on page 180 s", obj({{"details.time_on_page_seconds", 180}}), "time_on_page_medium",
        5);
    row("time on page 60 s", obj({{"details.time_on_page_seconds", 60}}), "time_on_page_medium", 5);
    row("time on page 59 s", obj({{"details.time_on_page_seconds", 59}}), "", 0);
    row("time on page as text", obj({{"details.time_on_page_seconds", "240"}}), "time_on_page_long",
        10);
    row("time on page not a number", obj({{"details.time_on_page_seconds", "long"}}), "", 0);
    row("form all fields", obj({{"details.form_completion", "all"}}), "form_completion", 10);
    row("form required only", obj({{"details.form_completion", "required_only"}}),
        "form_completion", 5);
    row("return visitor", obj({{"details.return_visitor", true}}), "return_visitor", 5);
    row("return visitor yes", obj({{"details.return_visitor", "Yes"}}), "return_visitor", 5);
    row("not a return visitor", obj({{"details.return_visitor", false}}), "", 0);
    row("paid search", obj({{"utm_medium", "cpc"}}), "source_quality", 15);
    row("organic search", obj({{"utm_medium", "organic"}}), "source_quality", 10);
    row("direct by tag", obj({{"utm_medium", "(none)"}}), "source_quality", 8);
    row("social", obj({{"utm_medium", "social"}}), "source_quality", 5);
    row("email campaign", obj({{"utm_medium", "Email"}}), "source_quality", 3);
    row("medium before source", obj({{"utm_medium", "email"}, {"utm_source", "google"}}),
        "source_quality", 3);
    row("source when no medium", obj({{"utm_source", "facebook"}}), "source_quality", 5);
    row("lead medium field", obj({{"medium", "organic"}}), "source_quality", 10);
    row("unknown medium", obj({{"utm_medium", "billboard"}}), "", 0);
    row("direct traffic", obj({{"referrer_url", ""}}), "direct_traffic", 8);
}

void TestScoringEngine::leadRule()
{
    QFETCH(QJsonObject, fields);
    QFETCH(QString, rule);
    QFETCH(int, points);

    const ScoreResult result = m_rules.score(leadWith(fields));
    const QJsonObject expected = rule.isEmpty() ? QJsonObject() : QJsonObject{{rule, points}};
    QCOMPARE(result.breakdown, expected);
    QCOMPARE(result.score, points);
}

void TestScoringEngine::behaviourRule_data()
{
    QTest::addColumn<QString>("event");
    QTest::addColumn<int>("points");
    QTest::addColumn<int>("score"); // the total is never below 0

    const auto row = [](const char *event, int points) {
        QTest::newRow(event) << QString::fromLatin1(event) << points << std::max(points, 0);
    };
    // Seed 001's table, with the names and points of workflow_config.py (chatbot-api.md §2.1).
    row("session_opened", 5);
    row("replied_to_greeting", 5);
    row("answered_question", 5);
    row("answered_all_questions", 10);
    row("shared_contact", 10);
    row("clicked_product", 5);
    row("clicked_pricing", 10);
    row("clicked_demo", 15);
    row("meaningful_reply", 10);
    row("quick_reply", 5);
    row("detailed_answer", 5);
    row("cta_clicked", 15);
    row("early_dropout", -10);
    row("ignored_cta", 0);
    row("completed_journey", 10);
    row("question_skipped", 0);
}

void TestScoringEngine::behaviourRule()
{
    QFETCH(QString, event);
    QFETCH(int, points);
    QFETCH(int, score);

    const ScoreResult result = m_rules.scoreEvents({event});
    QCOMPARE(result.breakdown, (QJsonObject{{event, points}}));
    QCOMPARE(result.score, score);
}

void TestScoringEngine::thresholds_data()
{
    QTest::addColumn<int>("score");
    QTest::addColumn<QString>("grade");
    QTest::addColumn<QString>("qualification");

    const QString sql = QStringLiteral("sales_qualified");
    const QString mql = QStringLiteral("marketing_qualified");
    const QString none = QStringLiteral("unqualified");
    QTest::newRow("0") << 0 << "D" << none;
    QTest::newRow("29") << 29 << "D" << none;
    QTest::newRow("30") << 30 << "D" << mql;
    QTest::newRow("39") << 39 << "D" << mql;
    QTest::newRow("40") << 40 << "C" << mql;
    QTest::newRow("59") << 59 << "C" << mql;
    QTest::newRow("60") << 60 << "B" << sql;
    QTest::newRow("79") << 79 << "B" << sql;
    QTest::newRow("80") << 80 << "A" << sql;
    QTest::newRow("100") << 100 << "A" << sql;
}

void TestScoringEngine::thresholds()
{
    QFETCH(int, score);
    QFETCH(QString, grade);
    QFETCH(QString, qualification);

    QCOMPARE(m_rules.gradeFor(score), grade);
    QCOMPARE(m_rules.qualificationFor(score), qualification);

    // The same bands through score(): one rule worth exactly `score` points.
    const QByteArray document = R"({"version": 1, "lead": {
        "grades": [{"label": "A", "min": 80}, {"label": "B", "min": 60},
                   {"label": "C", "min": 40}, {"label": "D", "min": 0}],
        "qualification": [{"label": "sales_qualified", "min": 60},
                          {"label": "marketing_qualified", "min": 30},
                          {"label": "unqualified", "min": 0}],
        "groups": [{"id": "g", "max": 100, "rules": [{"id": "r", "points": )"
                                + QByteArray::number(score) + ", " + notEmptyPhone + "}]}]}}";
    auto rules = ScoringRules::parse(document);
    QVERIFY2(rules, qPrintable(rules ? QString() : rules.error().toString()));
    const ScoreResult result = rules->score(leadWith(obj({{"phone", "+15551234567"}})));
    QCOMPARE(result.score, score);
    QCOMPARE(result.grade, grade);
    QCOMPARE(result.qualification, qualification);
}

void TestScoringEngine::workedExampleFromSeed004()
{
    // The sample request of seed 004's POST /api/leads, field by field:
    //   contact quality: business e-mail 15 + phone 5 + company 5         = 25 (max 25)
    //   intent:          specific service 15 + High urgency 15 + budget 5 = 35 (max 35)
    //   behaviour:       the request carries no behavioural signals        =  0
    //   source quality:  utm_medium "cpc" is paid search                   = 15
    //   total 25 + 35 + 0 + 15 = 75 -> grade B (60..79), SQL (>= 60)
    LeadRecord lead;
    lead.firstName = QStringLiteral("John");
    lead.lastName = QStringLiteral("Doe");
    lead.email = QStringLiteral("john.doe@company.com");
    lead.phone = QStringLiteral("+15551234567");
    lead.company = QStringLiteral("Acme Corp");
    lead.serviceInterest = QStringLiteral("Nextcloud Installation");
    lead.urgency = QStringLiteral("High (Same day)");
    lead.message = QStringLiteral("Need Nextcloud setup for 50 users ASAP");
    lead.budgetRange = QStringLiteral("$5000-$10000");
    lead.timeline = QStringLiteral("Within 2 weeks");
    lead.utmSource = QStringLiteral("google");
    lead.utmMedium = QStringLiteral("cpc");
    lead.utmCampaign = QStringLiteral("nextcloud-q4-2025");
    lead.referrerUrl = QStringLiteral("https://google.com/search?q=nextcloud+installation");

    const ScoreResult result = m_rules.score(lead);
    QCOMPARE(result.score, 75);
    QCOMPARE(result.grade, QStringLiteral("B"));
    QCOMPARE(result.qualification, QStringLiteral("sales_qualified"));
    const QJsonObject breakdown{{"business_email", 15},  {"phone_provided", 5},
                                {"company_provided", 5}, {"specific_service", 15},
                                {"urgency", 15},         {"budget_indicated", 5},
                                {"source_quality", 15}};
    QCOMPARE(result.breakdown, breakdown);

    // With every behavioural signal too the groups are full: 25 + 35 + 25 + 15 = 100.
    lead.details = QJsonObject{
        {"time_on_page_seconds", 200}, {"form_completion", "all"}, {"return_visitor", true}};
    const ScoreResult full = m_rules.score(lead);
    QCOMPARE(full.score, 100);
    QCOMPARE(full.grade, QStringLiteral("A"));
}

void TestScoringEngine::chatbotExampleFromSeed001()
{
    // Seed 001's example journey: session 5 + five answers 25 + all answered 10 + contact 10
    // + demo 15 + three quick replies 15 = 80 -> SQL.
    QStringList events = {"session_opened"};
    for (int i = 0; i < 5; ++i)
        events << QStringLiteral("answered_question");
    events << "answered_all_questions"
           << "shared_contact"
           << "clicked_demo";
    for (int i = 0; i < 3; ++i)
        events << QStringLiteral("quick_reply");

    const ScoreResult result = m_rules.scoreEvents(events);
    QCOMPARE(result.score, 80);
    QCOMPARE(result.qualification, QStringLiteral("sales_qualified"));
    QCOMPARE(result.breakdown.value(u"answered_question").toInt(), 25);
    QCOMPARE(result.breakdown.value(u"quick_reply").toInt(), 15);
}

void TestScoringEngine::repeatedEventsCountOnce_data()
{
    QTest::addColumn<QStringList>("events");
    QTest::addColumn<int>("score");

    QTest::newRow("session opened three times")
        << QStringList{"session_opened", "session_opened", "session_opened"} << 5;
    QTest::newRow("demo clicked twice, contact shared twice")
        << QStringList{"clicked_demo", "shared_contact", "clicked_demo", "shared_contact"} << 25;
    QTest::newRow("cta clicked ten times") << QStringList(10, QStringLiteral("cta_clicked")) << 15;
    // Answers count each time, but only up to the seven questions of the questionnaire.
    QTest::newRow("answers up to their cap")
        << QStringList(7, QStringLiteral("answered_question")) << 35;
    QTest::newRow("answers beyond their cap")
        << QStringList(50, QStringLiteral("answered_question")) << 35;
    QTest::newRow("unknown events score nothing")
        << QStringList{"contact_shared", "pricing_viewed", ""} << 0;
    QTest::newRow("dropout twice")
        << QStringList{"session_opened", "replied_to_greeting", "clicked_pricing", "early_dropout",
                       "early_dropout"}
        << 10;
}

void TestScoringEngine::repeatedEventsCountOnce()
{
    QFETCH(QStringList, events);
    QFETCH(int, score);
    QCOMPARE(m_rules.scoreEvents(events).score, score);
}

void TestScoringEngine::groupMaximumCutsTheSum()
{
    const QByteArray document = leadDocument(
        R"([{"id": "contact", "max": 10, "rules": [
               {"id": "phone", "points": 8, "when": {"field": "phone", "op": "not_empty"}},
               {"id": "company", "points": 5, "when": {"field": "company", "op": "not_empty"}}]},
            {"id": "intent", "max": 20, "rules": [
               {"id": "urgency", "when": {"field": "urgency", "op": "map",
                                          "map": {"high": 30}}, "cap": 12}]}])");
    auto rules = ScoringRules::parse(document);
    QVERIFY2(rules, qPrintable(rules ? QString() : rules.error().toString()));

    // 8 + 5 = 13 cut to the group's 10; the map's 30 cut to the rule's cap of 12.
    const ScoreResult result = rules->score(
        leadWith(obj({{"phone", "+15551234567"}, {"company", "Acme"}, {"urgency", "High"}})));
    QCOMPARE(result.score, 22);
    const QJsonObject breakdown{{"phone", 8}, {"company", 5}, {"contact:cap", -3}, {"urgency", 12}};
    QCOMPARE(result.breakdown, breakdown);
    QCOMPARE(result.grade, QStringLiteral("D"));
    QCOMPARE(result.qualification, QStringLiteral("sales_qualified"));
}

void TestScoringEngine::totalIsClampedTo100()
{
    const QByteArray document = leadDocument(
        "[{\"id\": \"a\", \"max\": 100, \"rules\": [{\"id\": \"r1\", \"points\": 70, "
        + notEmptyPhone + "}]}, {\"id\": \"b\", \"max\": 100, \"rules\": [{\"id\": \"r2\", "
        + "\"points\": 70, " + notEmptyPhone + "}]}]");
    auto rules = ScoringRules::parse(document);
    QVERIFY2(rules, qPrintable(rules ? QString() : rules.error().toString()));
    QCOMPARE(rules->score(leadWith(obj({{"phone", "+1555"}}))).score, 100);
}

void TestScoringEngine::invalidDocument_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("error");

    const auto rule = [](const QByteArray &body) {
        return leadDocument(R"([{"id": "g", "max": 10, "rules": [)" + body + "]}]");
    };
    const QByteArray good = R"({"id": "ok", "points": 1, )" + notEmptyPhone + "}";

    QTest::newRow("points as text")
        << leadDocument(R"([{"id": "a", "max": 10, "rules": [)" + good
                        + R"(]}, {"id": "b", "max": 10, "rules": [{"id": "r", "points": "5", )"
                        + notEmptyPhone + "}]}]")
        << "lead.groups[1].rules[0].points: must be a number";
    QTest::newRow("fractional points")
        << rule(R"({"id": "r", "points": 2.5, )" + notEmptyPhone + "}")
        << "lead.groups[0].rules[0].points: must be a whole number";
    QTest::newRow("misspelt key") << rule(R"({"id": "r", "pionts": 5, )" + notEmptyPhone + "}")
                                  << "lead.groups[0].rules[0].pionts: unknown key";
    QTest::newRow("rule without id") << rule(R"({"points": 5, )" + notEmptyPhone + "}")
                                     << "lead.groups[0].rules[0].id: must be a non-empty string";
    QTest::newRow("duplicate id") << rule(good + ", " + good)
                                  << "lead.groups[0].rules[1].id: duplicate rule id \"ok\"";
    QTest::newRow("no condition") << rule(R"({"id": "r", "points": 5})")
                                  << "lead.groups[0].rules[0].when: is required";
    QTest::newRow("unknown field")
        << rule(R"({"id": "r", "points": 5, "when": {"field": "fax", "op": "not_empty"}})")
        << "lead.groups[0].rules[0].when.field: unknown field \"fax\"";
    QTest::newRow("field and fields")
        << rule(R"({"id": "r", "points": 5, "when": {"field": "phone", "fields": ["phone"],
                    "op": "not_empty"}})")
        << "lead.groups[0].rules[0].when: needs exactly one of \"field\" and \"fields\"";
    QTest::newRow("bad field in list")
        << rule(R"({"id": "r", "points": 5, "when": {"fields": ["phone", 3], "op": "empty"}})")
        << "lead.groups[0].rules[0].when.fields[1]: must be a non-empty string";
    QTest::newRow("unknown op")
        << rule(R"({"id": "r", "points": 5, "when": {"field": "phone", "op": "like"}})")
        << "lead.groups[0].rules[0].when.op: must be one of equals, in, not_in, not_empty, "
           "empty, domain_in, domain_not_in, map, range";
    QTest::newRow("missing list")
        << rule(R"({"id": "r", "points": 5, "when": {"field": "email", "op": "domain_in",
                    "list": "nope"}})")
        << "lead.groups[0].rules[0].when.list: no list named \"nope\" in \"lists\"";
    QTest::newRow("values not strings")
        << rule(R"({"id": "r", "points": 5, "when": {"field": "urgency", "op": "in",
                    "values": ["high", 1]}})")
        << "lead.groups[0].rules[0].when.values[1]: must be a string";
    QTest::newRow("map with points")
        << rule(R"({"id": "r", "points": 5, "when": {"field": "urgency", "op": "map",
                    "map": {"high": 15}}})")
        << "lead.groups[0].rules[0].when.op: op \"map\" gives the points; remove the rule's "
           "points";
    QTest::newRow("no points and no map")
        << rule(R"({"id": "r", )" + notEmptyPhone + "}")
        << "lead.groups[0].rules[0].when.op: a rule without points needs op \"map\"";
    QTest::newRow("map value as text")
        << rule(R"({"id": "r", "when": {"field": "urgency", "op": "map", "map": {"high": "15"}}})")
        << "lead.groups[0].rules[0].when.map.high: must be a number";
    QTest::newRow("bad match")
        << rule(R"({"id": "r", "when": {"field": "urgency", "op": "map", "map": {"high": 15},
                    "match": "regex"}})")
        << "lead.groups[0].rules[0].when.match: must be \"exact\" or \"prefix\"";
    QTest::newRow("range without bounds")
        << rule(R"({"id": "r", "points": 5, "when": {"field": "details.t", "op": "range"}})")
        << "lead.groups[0].rules[0].when: needs at least one of gt, gte, lt, lte";
    QTest::newRow("range bound as text")
        << rule(R"({"id": "r", "points": 5, "when": {"field": "details.t", "op": "range",
                    "gt": "180"}})")
        << "lead.groups[0].rules[0].when.gt: must be a number";
    QTest::newRow("negative cap") << rule(R"({"id": "r", "points": 5, "cap": -1, )" + notEmptyPhone
                                          + "}")
                                  << "lead.groups[0].rules[0].cap: must be between 0 and 1000";
    QTest::newRow("once not a bool")
        << rule(R"({"id": "r", "points": 5, "once": "yes", )" + notEmptyPhone + "}")
        << "lead.groups[0].rules[0].once: must be true or false";
    QTest::newRow("group max above 100")
        << leadDocument(R"([{"id": "g", "max": 150, "rules": [)" + good + "]}]")
        << "lead.groups[0].max: must be between 0 and 100";
    QTest::newRow("group without rules") << leadDocument(R"([{"id": "g", "max": 10, "rules": []}])")
                                         << "lead.groups[0].rules: must be a non-empty array";
    QTest::newRow("no groups") << leadDocument("[]") << "lead.groups: must be a non-empty array";
    QTest::newRow("grades not descending")
        << QByteArray(R"({"version": 1, "lead": {"grades": [{"label": "A", "min": 40},
               {"label": "B", "min": 60}, {"label": "D", "min": 0}],
               "qualification": [{"label": "u", "min": 0}], "groups": [{"id": "g", "max": 1,
               "rules": [{"id": "r", "points": 1, "when": {"field": "phone",
               "op": "not_empty"}}]}]}})")
        << "lead.grades[1].min: must be lower than the band before";
    QTest::newRow("qualification not reaching 0")
        << QByteArray(R"({"version": 1, "lead": {"grades": [{"label": "D", "min": 0}],
               "qualification": [{"label": "SQL", "min": 60}], "groups": []}})")
        << "lead.qualification[0].min: the last band must start at 0";
    QTest::newRow("behaviour rule without event")
        << QByteArray(R"({"version": 1, "behaviour": {"grades": [{"label": "D", "min": 0}],
               "qualification": [{"label": "u", "min": 0}], "groups": [{"id": "g", "max": 100,
               "rules": [{"id": "r", "points": 5}]}]}})")
        << "behaviour.groups[0].rules[0].event: must be a non-empty string";
    QTest::newRow("behaviour rule with a condition")
        << QByteArray(R"({"version": 1, "behaviour": {"grades": [{"label": "D", "min": 0}],
               "qualification": [{"label": "u", "min": 0}], "groups": [{"id": "g", "max": 100,
               "rules": [{"id": "r", "event": "x", "points": 5, "when": {}}]}]}})")
        << "behaviour.groups[0].rules[0].when: unknown key";
    QTest::newRow("id with a colon")
        << rule(R"({"id": "a:cap", "points": 1, )" + notEmptyPhone + "}")
        << "lead.groups[0].rules[0].id: may hold only letters, digits, '_', '-' and '.'";
    QTest::newRow("rule named decay")
        << rule(R"({"id": "decay", "points": 1, )" + notEmptyPhone + "}")
        << "lead.groups[0].rules[0].id: \"decay\" is kept for the decay entry";
    QTest::newRow("empty label") << rule(R"({"id": "r", "label": " ", "points": 1, )"
                                         + notEmptyPhone + "}")
                                 << "lead.groups[0].rules[0].label: must be a non-empty string";
    QTest::newRow("duplicate group id")
        << leadDocument(R"([{"id": "g", "max": 10, "rules": [)" + good
                        + R"(]}, {"id": "g", "max": 10, "rules": [{"id": "r2", "points": 1, )"
                        + notEmptyPhone + "}]}]")
        << "lead.groups[1].id: duplicate group id \"g\"";
    QTest::newRow("grade the store cannot keep")
        << QByteArray(R"({"version": 1, "lead": {"grades": [{"label": "A+", "min": 90},
               {"label": "D", "min": 0}], "qualification": [{"label": "unqualified", "min": 0}],
               "groups": []}})")
        << "lead.grades[0].label: must be one of A, B, C, D";
    QTest::newRow("qualification the store cannot keep")
        << QByteArray(R"({"version": 1, "lead": {"grades": [{"label": "D", "min": 0}],
               "qualification": [{"label": "hot", "min": 50}, {"label": "unqualified", "min": 0}],
               "groups": []}})")
        << "lead.qualification[0].label: must be one of sales_qualified, marketing_qualified, "
           "unqualified";
    const auto withDecay = [&good](const QByteArray &decay) -> QByteArray {
        QByteArray document = leadDocument(R"([{"id": "g", "max": 10, "rules": [)" + good + "]}]");
        document.chop(1); // the closing brace of the document
        return document + R"(, "decay": )" + decay + "}";
    };
    QTest::newRow("decay not an object") << withDecay("30") << "decay: must be an object";
    QTest::newRow("decay without half-life")
        << withDecay(R"({"floor": 0})") << "decay.half_life_days: is required";
    QTest::newRow("decay half-life zero") << withDecay(R"({"half_life_days": 0})")
                                          << "decay.half_life_days: must be between 1 and 3650";
    QTest::newRow("decay half-life fractional") << withDecay(R"({"half_life_days": 7.5})")
                                                << "decay.half_life_days: must be a whole number";
    QTest::newRow("decay misspelt key")
        << withDecay(R"({"half_life_days": 30, "applies": ["g"]})") << "decay.applies: unknown key";
    QTest::newRow("decay of an unknown group")
        << withDecay(R"({"half_life_days": 30, "applies_to": ["g", "intent"]})")
        << "decay.applies_to[1]: no group \"intent\" in the document";
    QTest::newRow("decay of no group")
        << withDecay(R"({"half_life_days": 30, "applies_to": []})")
        << "decay.applies_to: must be a non-empty array of group ids";
    QTest::newRow("decay group not a string")
        << withDecay(R"({"half_life_days": 30, "applies_to": [7]})")
        << "decay.applies_to[0]: must be a non-empty string";
    QTest::newRow("decay floor above 100") << withDecay(R"({"half_life_days": 30, "floor": 101})")
                                           << "decay.floor: must be between 0 and 100";
    QTest::newRow("unreadable list file")
        << QByteArray(R"({"version": 1, "lists": {"free": {"file": ":/no/such/file.txt"}},
               "lead": {}})")
        << "lists.free.file: cannot read: No such file or directory";
    QTest::newRow("list of numbers")
        << QByteArray(R"({"version": 1, "lists": {"free": [1]}, "lead": {}})")
        << "lists.free[0]: must be a string";
    QTest::newRow("wrong version")
        << QByteArray(R"({"version": 2, "lead": {}})") << "version: must be 1";
    QTest::newRow("no model") << QByteArray(R"({"version": 1})")
                              << "the document needs a \"lead\" or a \"behaviour\" model";
    QTest::newRow("unknown top-level key")
        << QByteArray(R"({"version": 1, "leads": {}})") << "leads: unknown key";
    QTest::newRow("array document") << QByteArray("[]") << "the document must be a JSON object";
}

void TestScoringEngine::invalidDocument()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, error);

    const auto rules = ScoringRules::parse(document);
    QVERIFY(!rules);
    QCOMPARE(rules.error().toString(), error);
}

void TestScoringEngine::invalidJsonIsRejected()
{
    const auto rules = ScoringRules::parse(R"({"version": 1, "lead": )");
    QVERIFY(!rules);
    QVERIFY2(rules.error().message.startsWith(QLatin1String("not valid JSON: ")),
             qPrintable(rules.error().message));
}

void TestScoringEngine::inlineListsAndPrefixMaps()
{
    // The longest matching prefix wins whatever the key order in the document.
    const QByteArray document = R"({"version": 1,
        "lists": {"vip": ["Acme.example"]},
        "lead": {"grades": [{"label": "D", "min": 0}],
                 "qualification": [{"label": "unqualified", "min": 0}],
                 "groups": [{"id": "g", "max": 100, "rules": [
                     {"id": "vip", "points": 20,
                      "when": {"field": "email", "op": "domain_in", "list": "vip"}},
                     {"id": "country", "points": 3,
                      "when": {"field": "urgency", "op": "equals", "value": "Soon"}},
                     {"id": "timing", "when": {"field": "service_interest", "op": "map",
                                               "match": "prefix", "map": {"a": 1, "ab": 2}}}
                 ]}]}})";
    auto rules = ScoringRules::parse(document);
    QVERIFY2(rules, qPrintable(rules ? QString() : rules.error().toString()));
    const ScoreResult result = rules->score(leadWith(
        obj({{"email", "ceo@acme.example"}, {"urgency", " soon "}, {"service_interest", "ABC"}})));
    QCOMPARE(result.breakdown, (QJsonObject{{"vip", 20}, {"country", 3}, {"timing", 2}}));
    QCOMPARE(result.score, 25);
}

namespace {

constexpr qint64 kDay = 86'400'000;
constexpr qint64 kNow = 1'760'000'000'000;

// 40 profile points that never fade, 50 engagement points that do (unless the row says all).
QByteArray decayDocument(const QByteArray &decay)
{
    return R"({"version": 1, "lead": {
        "grades": [{"label": "A", "min": 80}, {"label": "B", "min": 60},
                   {"label": "C", "min": 40}, {"label": "D", "min": 0}],
        "qualification": [{"label": "sales_qualified", "min": 60},
                          {"label": "marketing_qualified", "min": 30},
                          {"label": "unqualified", "min": 0}],
        "groups": [
            {"id": "profile", "max": 100, "rules": [
                {"id": "phone", "points": 40, "when": {"field": "phone", "op": "not_empty"}}]},
            {"id": "engagement", "max": 100, "rules": [
                {"id": "company", "points": 50, "when": {"field": "company", "op": "not_empty"}},
                {"id": "spam", "points": -60, "when": {"field": "urgency", "op": "equals",
                                                        "value": "spam"}}]}]},
        "decay": )"
           + decay + "}";
}

} // namespace

void TestScoringEngine::decay_data()
{
    QTest::addColumn<QByteArray>("decay");
    QTest::addColumn<QJsonObject>("fields");
    QTest::addColumn<qint64>("nowMs");
    QTest::addColumn<qint64>("inactiveMs");
    QTest::addColumn<int>("removed"); // the breakdown's "decay" entry; 0: none
    QTest::addColumn<int>("score");
    QTest::addColumn<QString>("grade");
    QTest::addColumn<QString>("qualification");

    const QByteArray engagement = R"({"half_life_days": 30, "applies_to": ["engagement"]})";
    const QJsonObject both = obj({{"phone", "+15551234567"}, {"company", "Acme"}});
    const QString sql = QStringLiteral("sales_qualified");
    const QString mql = QStringLiteral("marketing_qualified");
    // 50 engagement points: 50 x 0.5^(days / 30), rounded half away from zero.
    QTest::newRow("active today") << engagement << both << kNow << qint64(0) << 0 << 90 << "A"
                                  << sql;
    QTest::newRow("15 days: 35.36 -> 35")
        << engagement << both << kNow << 15 * kDay << -15 << 75 << "B" << sql;
    QTest::newRow("one half-life: 25")
        << engagement << both << kNow << 30 * kDay << -25 << 65 << "B" << sql;
    QTest::newRow("45 days: 17.68 -> 18")
        << engagement << both << kNow << 45 * kDay << -32 << 58 << "C" << mql;
    QTest::newRow("two half-lives: 12.5 -> 13")
        << engagement << both << kNow << 60 * kDay << -37 << 53 << "C" << mql;
    QTest::newRow("a year: 0.01 -> 0")
        << engagement << both << kNow << 365 * kDay << -50 << 40 << "C" << mql;
    QTest::newRow("a year, floor 10")
        << QByteArray(R"({"half_life_days": 30, "applies_to": ["engagement"], "floor": 10})")
        << both << kNow << 365 * kDay << -40 << 50 << "C" << mql;
    QTest::newRow("floor above the points keeps them")
        << QByteArray(R"({"half_life_days": 30, "applies_to": ["engagement"], "floor": 80})")
        << both << kNow << 365 * kDay << 0 << 90 << "A" << sql;
    QTest::newRow("every group when applies_to is absent: 90 -> 45")
        << QByteArray(R"({"half_life_days": 30})") << both << kNow << 30 * kDay << -45 << 45 << "C"
        << mql;
    QTest::newRow("7-day half-life, 10 days: 18.57 -> 19")
        << QByteArray(R"({"half_life_days": 7, "applies_to": ["engagement"]})") << both << kNow
        << 10 * kDay << -31 << 59 << "C" << mql;
    QTest::newRow("no time given: no decay")
        << engagement << both << qint64(0) << 365 * kDay << 0 << 90 << "A" << sql;
    QTest::newRow("activity after now: no decay")
        << engagement << both << kNow << -5 * kDay << 0 << 90 << "A" << sql;
    QTest::newRow("penalties do not fade")
        << engagement << obj({{"phone", "+15551234567"}, {"urgency", "spam"}}) << kNow << 365 * kDay
        << 0 << 0 << "D"
        << "unqualified";
    QTest::newRow("groups not named keep their points")
        << engagement << obj({{"phone", "+15551234567"}}) << kNow << 365 * kDay << 0 << 40 << "C"
        << mql;
}

void TestScoringEngine::decay()
{
    QFETCH(QByteArray, decay);
    QFETCH(QJsonObject, fields);
    QFETCH(qint64, nowMs);
    QFETCH(qint64, inactiveMs);
    QFETCH(int, removed);
    QFETCH(int, score);
    QFETCH(QString, grade);
    QFETCH(QString, qualification);

    auto rules = ScoringRules::parse(decayDocument(decay));
    QVERIFY2(rules, qPrintable(rules ? QString() : rules.error().toString()));
    QVERIFY(rules->hasDecay());
    const ScoreResult result = rules->score(leadWith(fields), ScoreTime{nowMs, kNow - inactiveMs});
    QCOMPARE(result.breakdown.value(u"decay").toInt(), removed);
    QCOMPARE(result.breakdown.contains(u"decay"), removed != 0);
    QCOMPARE(result.score, score);
    QCOMPARE(result.grade, grade);
    QCOMPARE(result.qualification, qualification);
    // The breakdown still adds up to the score (before the clamp to 0..100).
    int sum = 0;
    for (const QJsonValue &points : result.breakdown)
        sum += points.toInt();
    QCOMPARE(std::clamp(sum, 0, 100), score);
}

void TestScoringEngine::decayOfBehaviourEvents()
{
    const QByteArray document = R"({"version": 1,
        "behaviour": {"grades": [{"label": "A", "min": 80}, {"label": "D", "min": 0}],
                      "qualification": [{"label": "sales_qualified", "min": 20},
                                        {"label": "unqualified", "min": 0}],
                      "groups": [{"id": "chatbot", "max": 100, "rules": [
                          {"id": "clicked_demo", "event": "clicked_demo", "points": 15},
                          {"id": "shared_contact", "event": "shared_contact", "points": 10}]}]},
        "decay": {"half_life_days": 7, "applies_to": ["chatbot"]}})";
    auto rules = ScoringRules::parse(document);
    QVERIFY2(rules, qPrintable(rules ? QString() : rules.error().toString()));
    QCOMPARE(rules->decayHalfLifeDays(), 7);
    const QStringList events{"clicked_demo", "shared_contact"};
    QCOMPARE(rules->scoreEvents(events).score, 25);
    // A week without activity halves 25 to 12.5, rounded to 13.
    const ScoreResult week = rules->scoreEvents(events, ScoreTime{kNow, kNow - 7 * kDay});
    QCOMPARE(week.score, 13);
    QCOMPARE(week.breakdown.value(u"decay").toInt(), -12);
    QCOMPARE(week.qualification, QStringLiteral("unqualified"));
}

void TestScoringEngine::explainNamesEveryEntry()
{
    QByteArray document = leadDocument(
        R"([{"id": "contact", "label": "Contact details", "max": 10, "rules": [
               {"id": "phone", "label": "Gave a phone number", "points": 8,
                "when": {"field": "phone", "op": "not_empty"}},
               {"id": "company_given", "points": 5, "when": {"field": "company", "op": "not_empty"}}]},
            {"id": "intent", "max": 50, "rules": [
               {"id": "urgent", "points": 40, "when": {"field": "urgency", "op": "equals",
                                                       "value": "now"}}]}])");
    document.chop(1);
    document += R"(, "decay": {"half_life_days": 10, "applies_to": ["intent"]}})";
    auto rules = ScoringRules::parse(document);
    QVERIFY2(rules, qPrintable(rules ? QString() : rules.error().toString()));
    const ScoreResult result = rules->score(
        leadWith(obj({{"phone", "+15551234567"}, {"company", "Acme"}, {"urgency", "now"}})),
        ScoreTime{kNow, kNow - 10 * kDay});
    // 8 + 5 cut to 10; 40 halved to 20.
    QCOMPARE(result.score, 30);
    QJsonObject breakdown = result.breakdown;
    breakdown.insert(QStringLiteral("legacy_rule"), 3); // a key today's rules do not have
    const QList<BreakdownLine> lines = rules->explain(breakdown);
    QStringList text;
    for (const BreakdownLine &line : lines)
        text << QStringLiteral("%1|%2|%3|%4")
                    .arg(int(line.kind))
                    .arg(line.label, line.groupLabel)
                    .arg(line.points);
    const QStringList expected = {
        "0|Gave a phone number|Contact details|8",
        "0|Company given|Contact details|5",
        "1|Contact details maximum (10)|Contact details|-3",
        "0|Urgent|Intent|40",
        "2|Inactivity (half-life 10 days)||-20",
        "3|Legacy rule||3",
    };
    QCOMPARE(text, expected);
}

namespace {

// The text a leads row holds for a stored column of the default rules.
QString columnText(const LeadRecord &lead, const QByteArray &column)
{
    static const QHash<QByteArray, QString LeadRecord::*> members = {
        {"email", &LeadRecord::email},          {"phone", &LeadRecord::phone},
        {"company", &LeadRecord::company},      {"service_interest", &LeadRecord::serviceInterest},
        {"urgency", &LeadRecord::urgency},      {"budget_range", &LeadRecord::budgetRange},
        {"utm_source", &LeadRecord::utmSource}, {"utm_medium", &LeadRecord::utmMedium},
        {"medium", &LeadRecord::medium},        {"referrer_url", &LeadRecord::referrerUrl},
    };
    if (column == "details")
        return QString::fromUtf8(QJsonDocument(lead.details).toJson(QJsonDocument::Compact));
    return lead.*members.value(column);
}

} // namespace

void TestScoringEngine::storedLeadsScoreAsRecords_data()
{
    QTest::addColumn<QJsonObject>("fields");
    QTest::addColumn<QByteArray>("details"); // raw details text; empty: written from `fields`

    const auto row = [](const char *name, const QJsonObject &fields, const QByteArray &details) {
        QTest::newRow(name) << fields << details;
    };
    row("seed 004 example",
        obj({{"email", "john.doe@company.com"},
             {"phone", "+15551234567"},
             {"company", "Acme Corp"},
             {"service_interest", "Nextcloud Installation"},
             {"urgency", "High (Same day)"},
             {"budget_range", "$5000-$10000"},
             {"utm_medium", "cpc"}}),
        {});
    row("everything",
        obj({{"email", " CEO@Acme.example "},
             {"phone", "+15551234567"},
             {"company", "Acme"},
             {"service_interest", "General Inquiry"},
             {"urgency", "emergency"},
             {"budget_range", "Not sure"},
             {"details.time_on_page_seconds", 200},
             {"details.form_completion", "all"},
             {"details.return_visitor", true},
             {"utm_source", "facebook"}}),
        {});
    row("nothing", {}, {});
    row("direct", obj({{"referrer_url", ""}}), {});
    row("non-ASCII text",
        obj({{"company", "  Ñandú Ltd "},
             {"service_interest", "ÉTUDE"},
             {"urgency", "HIGH – today"},
             {"utm_medium", "ORGANIC"}}),
        {});
    row("time on page as text", obj({{"details.time_on_page_seconds", " 120 "}}), {});
    row("time on page not a number", obj({{"details.time_on_page_seconds", "long"}}), {});
    row("details with spaces, nesting and escapes", {},
        R"( { "qa" : [ {"q": "a \"quoted\" }"}, [1, 2] ], "location": {"time_on_page_seconds": 999},
              "form_completion" : "requir\u0065d_only", "time_on_page_seconds" : 1.2e2,
              "return_visitor": "Yes", "note": null } )");
    row("key with an escape", {}, R"({"return\u005fvisitor": "1", "time_on_page_seconds": -5})");
    row("boolean where a number is read", {}, R"({"time_on_page_seconds": true})");
    row("a later duplicate key wins", {},
        R"({"form_completion": "all", "form_completion": "required"})");
    row("details not an object", {}, R"([{"return_visitor": true}])");
    row("broken details", {}, R"({"return_visitor": "yes", "time_on_page_seconds": )");
    row("garbage after the object", {}, R"({"return_visitor": "yes"} x)");
}

void TestScoringEngine::storedLeadsScoreAsRecords()
{
    QFETCH(QJsonObject, fields);
    QFETCH(QByteArray, details);

    LeadRecord lead = leadWith(fields);
    if (!details.isEmpty())
        lead.details = QJsonDocument::fromJson(details).object(); // empty when not an object
    const QList<QByteArray> columns = m_rules.storedColumns();
    std::vector<QByteArray> texts;
    for (const QByteArray &column : columns) {
        texts.push_back(column == "details" && !details.isEmpty()
                            ? details
                            : columnText(lead, column).toUtf8());
    }
    std::vector<std::string_view> views;
    for (const QByteArray &text : texts)
        views.emplace_back(text.constData(), std::size_t(text.size()));

    const auto scratch = m_rules.newScratch();
    for (const ScoreTime time : {ScoreTime{}, ScoreTime{kNow, kNow - 40 * kDay}}) {
        const ScoreResult expected = m_rules.score(lead, time);
        StoredScore stored;
        m_rules.scoreStored(views, time, *scratch, stored);
        QCOMPARE(stored.score, expected.score);
        QCOMPARE(QString::fromUtf8(*stored.grade), expected.grade);
        QCOMPARE(QString::fromUtf8(*stored.qualification), expected.qualification);
        QCOMPARE(QByteArray::fromStdString(stored.breakdown),
                 QJsonDocument(expected.breakdown).toJson(QJsonDocument::Compact));
    }
}

void TestScoringEngine::storedColumnsAreWhatRulesRead()
{
    // Each column once, in the order the rules first read them, details last.
    const QList<QByteArray> expected
        = {"email",      "phone",  "company",    "service_interest", "urgency", "budget_range",
           "utm_medium", "medium", "utm_source", "referrer_url",     "details"};
    QCOMPARE(m_rules.storedColumns(), expected);
    // The parts of an address the leads table folds into address_line come from the contact.
    auto rules = ScoringRules::parse(leadDocument(
        R"([{"id": "g", "max": 10, "rules": [{"id": "r", "points": 5,
             "when": {"fields": ["city", "state"], "op": "not_empty"}}]}])"));
    QVERIFY2(rules, qPrintable(rules ? QString() : rules.error().toString()));
    const QList<QByteArray> address
        = {"(SELECT city FROM contacts WHERE contacts.id = leads.contact_id)", "state"};
    QCOMPARE(rules->storedColumns(), address);
}

void TestScoringEngine::businessRulesLiveInTheStore()
{
    LeadDesk::Test::TempStore store;
    QVERIFY(store.isValid());
    // No rules of its own: the shipped default.
    auto rules = ScoringRules::forBusiness(store.db(), store.businessId());
    LD_VERIFY_OK(rules);
    QCOMPARE(rules->leadRuleIds(), m_rules.leadRuleIds());
    QCOMPARE(rules->document(), m_rules.document());

    // An invalid document is refused and nothing is stored.
    const QByteArray bad = leadDocument(R"([{"id": "g", "max": 500, "rules": []}])");
    auto refused = ScoringRules::saveForBusiness(store.db(), store.businessId(), bad, kNow);
    QVERIFY(!refused);
    QCOMPARE(refused.error().toString(),
             QStringLiteral("lead.groups[0].max: must be between 0 and 100"));
    QCOMPARE(LeadDesk::Test::countRows(store.db(), QStringLiteral("settings"),
                                       QStringLiteral("key = 'scoring.rules'")),
             0);

    const QByteArray own = leadDocument(R"([{"id": "g", "max": 10, "rules": [{"id": "own",
        "points": 7, "when": {"field": "phone", "op": "not_empty"}}]}])");
    auto saved = ScoringRules::saveForBusiness(store.db(), store.businessId(), own, kNow);
    LD_VERIFY_OK(saved);
    auto loaded = ScoringRules::forBusiness(store.db(), store.businessId());
    LD_VERIFY_OK(loaded);
    QCOMPARE(loaded->leadRuleIds(), QStringList{"own"});
    QCOMPARE(loaded->document(), own);
}

QTEST_GUILESS_MAIN(TestScoringEngine)
#include "tst_scoringengine.moc"
