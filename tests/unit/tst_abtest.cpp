#include "abtestdefinitions.h"
#include "abtests.h"
#include "ids.h"
#include "settingsrepository.h"
#include "sqlitestatement.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace LeadDesk;

namespace {

constexpr qint64 kNow = 1'760'000'000'000;

const QByteArray kTwoVariants = R"({
    "tests": [ { "name": "greeting_message",
                 "variants": [ { "name": "A", "weight": 50, "content": { "text": "Hi! Welcome to YouShop!" } },
                               { "name": "B", "weight": 50, "content": { "text": "Transform your business!" } } ],
                 "goals": [ "demo_request", "shared_contact" ] } ] })";

Core::AbTestDefinition definition(const QByteArray &json, const QString &name)
{
    auto parsed = Core::AbTestDefinitions::parse(json);
    if (!parsed || !parsed->test(name))
        qFatal("bad test document");
    return *parsed->test(name);
}

// Subjects and variants written straight into the store, for result tests at scale.
void seed(Core::Database &db, const QString &businessId, const QString &test,
          const QString &variant, int subjects, int conversions, const QString &goal)
{
    Core::Transaction transaction(db);
    Core::SqliteStatement &assign = db.statement(
        "INSERT INTO ab_assignments (id, business_id, test_name, subject_id, variant, created_at, "
        "updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
    Core::SqliteStatement &convert = db.statement(
        "INSERT INTO ab_events (id, business_id, test_name, subject_id, variant, goal, "
        "value_cents, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1000, ?7, ?7)");
    for (int i = 0; i < subjects; ++i) {
        const QString subject = variant + QStringLiteral("-subject-") + QString::number(i);
        assign.bind(1, Core::Ids::uuidV7(kNow));
        assign.bind(2, businessId);
        assign.bind(3, test);
        assign.bind(4, subject);
        assign.bind(5, variant);
        assign.bind(6, kNow);
        if (!assign.execute())
            qFatal("seed: assignment failed");
        if (i < conversions) {
            convert.bind(1, Core::Ids::uuidV7(kNow));
            convert.bind(2, businessId);
            convert.bind(3, test);
            convert.bind(4, subject);
            convert.bind(5, variant);
            convert.bind(6, goal);
            convert.bind(7, kNow);
            if (!convert.execute())
                qFatal("seed: event failed");
        }
    }
    if (!transaction.commit())
        qFatal("seed: commit failed");
}

} // namespace

class tst_AbTest : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void subjectHashIsTheSha256Prefix_data();
    void subjectHashIsTheSha256Prefix();
    void assignmentIsStableAcrossProcesses_data();
    void assignmentIsStableAcrossProcesses();
    void weightsShareOutOneHundredThousandSubjects();
    void zeroWeightGetsNobody();
    void firstAssignmentWinsAndIsReturnedAgain();
    void conversionsCountOncePerGoal();
    void conversionNeedsAKnownTestGoalAndSubject();
    void zTestMatchesHandComputedValues_data();
    void zTestMatchesHandComputedValues();
    void significantDifferenceHasAWinner();
    void noWinnerWithoutSignificance();
    void noWinnerWithTooFewSubjects();
    void moreVariantsNeedStrongerEvidence();
    void controlWinsWhenEveryOtherVariantIsWorse();
    void resultsAsJson();
    void parseErrorsNameThePath_data();
    void parseErrorsNameThePath();
};

void tst_AbTest::subjectHashIsTheSha256Prefix_data()
{
    QTest::addColumn<QString>("subject");
    QTest::addColumn<quint64>("hash");
    // First 8 bytes of SHA-256("greeting_message\n" + subject), computed with Python's hashlib.
    QTest::newRow("sess_1") << QStringLiteral("sess_1") << quint64(0x829c238bdcccca44ULL);
    QTest::newRow("sess_4") << QStringLiteral("sess_4") << quint64(0x5a9d6db5ca225fdeULL);
    QTest::newRow("sess_7") << QStringLiteral("sess_7") << quint64(0x32c3d34e238027d5ULL);
    QTest::newRow("utf-8") << QStringLiteral("Zo\u00eb") << quint64(0xec2e2dd2bedea4acULL);
}

void tst_AbTest::subjectHashIsTheSha256Prefix()
{
    QFETCH(QString, subject);
    QFETCH(quint64, hash);
    QCOMPARE(Core::AbTestDefinitions::subjectHash(QStringLiteral("greeting_message"), subject),
             hash);
}

void tst_AbTest::assignmentIsStableAcrossProcesses_data()
{
    QTest::addColumn<QString>("subject");
    QTest::addColumn<QString>("halves");   // A 50, B 50
    QTest::addColumn<QString>("quarters"); // A 1, B 1, C 2
    // Computed outside this program (Python: hashlib + the same integer mapping), so a change to
    // the hash, its input or the mapping fails here rather than silently reshuffling live tests.
    const char *const rows[][3]
        = {{"sess_1", "B", "C"}, {"sess_2", "B", "C"}, {"sess_3", "B", "C"}, {"sess_4", "A", "B"},
           {"sess_5", "A", "B"}, {"sess_6", "A", "B"}, {"sess_7", "A", "A"}, {"sess_8", "A", "B"}};
    for (const auto &row : rows)
        QTest::newRow(row[0]) << QString::fromLatin1(row[0]) << QString::fromLatin1(row[1])
                              << QString::fromLatin1(row[2]);
}

void tst_AbTest::assignmentIsStableAcrossProcesses()
{
    QFETCH(QString, subject);
    QFETCH(QString, halves);
    QFETCH(QString, quarters);
    QCOMPARE(definition(kTwoVariants, QStringLiteral("greeting_message")).variantFor(subject).name,
             halves);
    const QByteArray three = R"({"tests": [{"name": "greeting_message", "variants": [
        {"name": "A", "weight": 1}, {"name": "B", "weight": 1}, {"name": "C", "weight": 2}]}]})";
    QCOMPARE(definition(three, QStringLiteral("greeting_message")).variantFor(subject).name,
             quarters);

    // And the store hands out the same.
    Test::TempStore store;
    LD_VERIFY_OK(Core::SettingsRepository(store.db())
                     .setValue(store.businessId(),
                               QString::fromLatin1(Core::SettingsRepository::kAbTests),
                               kTwoVariants, kNow));
    auto assigned = Core::AbTests::variantFor(store.db(), store.businessId(),
                                              QStringLiteral("greeting_message"), subject, kNow);
    LD_VERIFY_OK(assigned);
    QCOMPARE(assigned->variant, halves);
    QVERIFY(assigned->isNew);
}

void tst_AbTest::weightsShareOutOneHundredThousandSubjects()
{
    const auto test = definition(R"({"tests": [{"name": "question_flow", "variants": [
        {"name": "A", "weight": 70}, {"name": "B", "weight": 20}, {"name": "C", "weight": 10}]}]})",
                                 QStringLiteral("question_flow"));
    constexpr int kSubjects = 100'000;
    QHash<QString, int> counts;
    for (int i = 0; i < kSubjects; ++i)
        ++counts[test.variantFor(QStringLiteral("visitor-%1").arg(i)).name];
    // One standard deviation is at most 0.16 % here; 1 % is a wide margin.
    for (const auto &[variant, share] :
         {std::pair{QStringLiteral("A"), 0.70}, std::pair{QStringLiteral("B"), 0.20},
          std::pair{QStringLiteral("C"), 0.10}}) {
        const double observed = double(counts.value(variant)) / kSubjects;
        QVERIFY2(std::abs(observed - share) < 0.01,
                 qPrintable(QStringLiteral("%1: %2").arg(variant).arg(observed)));
    }
}

void tst_AbTest::zeroWeightGetsNobody()
{
    const auto test = definition(R"({"tests": [{"name": "t", "variants": [
        {"name": "off", "weight": 0}, {"name": "on", "weight": 3}]}]})",
                                 QStringLiteral("t"));
    for (int i = 0; i < 2000; ++i)
        QCOMPARE(test.variantFor(QString::number(i)).name, QStringLiteral("on"));
    QCOMPARE(Core::AbTestDefinitions::bucket(0, {1, 1}), 0);
    QCOMPARE(Core::AbTestDefinitions::bucket(~quint64(0), {1, 1}), 1);
    QCOMPARE(Core::AbTestDefinitions::bucket(quint64(1) << 63, {1, 1}), 1);
    QCOMPARE(Core::AbTestDefinitions::bucket((quint64(1) << 63) - 1, {1, 1}), 0);
}

void tst_AbTest::firstAssignmentWinsAndIsReturnedAgain()
{
    Test::TempStore store;
    Core::SettingsRepository settings(store.db());
    const QString key = QString::fromLatin1(Core::SettingsRepository::kAbTests);
    const QString test = QStringLiteral("greeting_message");
    LD_VERIFY_OK(settings.setValue(store.businessId(), key, kTwoVariants, kNow));

    auto first = Core::AbTests::variantFor(store.db(), store.businessId(), test,
                                           QStringLiteral("sess_4"), kNow);
    LD_VERIFY_OK(first);
    QCOMPARE(first->variant, QStringLiteral("A"));
    QCOMPARE(first->content.toObject().value(u"text").toString(),
             QStringLiteral("Hi! Welcome to YouShop!"));
    QVERIFY(first->isNew);

    // Everyone new goes to B now, but sess_4 keeps what it saw.
    LD_VERIFY_OK(settings.setValue(store.businessId(), key,
                                   R"({"tests": [{"name": "greeting_message",
        "variants": [{"name": "A", "weight": 0}, {"name": "B", "weight": 1}]}]})",
                                   kNow + 1));
    auto again = Core::AbTests::variantFor(store.db(), store.businessId(), test,
                                           QStringLiteral("sess_4"), kNow + 2);
    LD_VERIFY_OK(again);
    QCOMPARE(again->variant, QStringLiteral("A"));
    QVERIFY(!again->isNew);
    auto newcomer = Core::AbTests::variantFor(store.db(), store.businessId(), test,
                                              QStringLiteral("sess_5"), kNow + 3);
    LD_VERIFY_OK(newcomer);
    QCOMPARE(newcomer->variant, QStringLiteral("B"));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("ab_assignments")), 2);

    auto unknown = Core::AbTests::variantFor(store.db(), store.businessId(), QStringLiteral("nope"),
                                             QStringLiteral("x"), kNow);
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().field, QStringLiteral("test"));
    QVERIFY(!Core::AbTests::variantFor(store.db(), store.businessId(), test, QStringLiteral(" "),
                                       kNow));
}

void tst_AbTest::conversionsCountOncePerGoal()
{
    Test::TempStore store;
    LD_VERIFY_OK(Core::SettingsRepository(store.db())
                     .setValue(store.businessId(),
                               QString::fromLatin1(Core::SettingsRepository::kAbTests),
                               kTwoVariants, kNow));
    const QString test = QStringLiteral("greeting_message");
    const QString subject = QStringLiteral("sess_4");
    LD_VERIFY_OK(Core::AbTests::variantFor(store.db(), store.businessId(), test, subject, kNow));

    auto first = Core::AbTests::recordConversion(store.db(), store.businessId(), test, subject,
                                                 QStringLiteral("demo_request"), 4500, kNow + 10);
    LD_VERIFY_OK(first);
    QVERIFY(*first);
    auto repeat = Core::AbTests::recordConversion(store.db(), store.businessId(), test, subject,
                                                  QStringLiteral("demo_request"), 4500, kNow + 20);
    LD_VERIFY_OK(repeat);
    QVERIFY(!*repeat);
    auto otherGoal = Core::AbTests::recordConversion(store.db(), store.businessId(), test, subject,
                                                     QStringLiteral("shared_contact"), std::nullopt,
                                                     kNow + 30);
    LD_VERIFY_OK(otherGoal);
    QVERIFY(*otherGoal);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("ab_events")), 2);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("ab_events"),
                             QStringLiteral("variant = 'A' AND goal = 'demo_request' AND "
                                            "value_cents = 4500")),
             1);

    auto results = Core::AbTests::results(store.db(), store.businessId(), test);
    LD_VERIFY_OK(results);
    QCOMPARE(results->subjects, 1);
    QCOMPARE(results->goals.size(), 2);
    QCOMPARE(results->goals.at(0).goal, QStringLiteral("demo_request"));
    const Core::AbVariantResult &a = results->goals.at(0).variants.at(0);
    QCOMPARE(a.variant, QStringLiteral("A"));
    QVERIFY(a.control);
    QCOMPARE(a.subjects, 1);
    QCOMPARE(a.conversions, 1);
    QCOMPARE(a.rate, 1.0);
    QCOMPARE(a.valueCents, 4500);
}

void tst_AbTest::conversionNeedsAKnownTestGoalAndSubject()
{
    Test::TempStore store;
    LD_VERIFY_OK(Core::SettingsRepository(store.db())
                     .setValue(store.businessId(),
                               QString::fromLatin1(Core::SettingsRepository::kAbTests),
                               kTwoVariants, kNow));
    const QString test = QStringLiteral("greeting_message");
    LD_VERIFY_OK(Core::AbTests::variantFor(store.db(), store.businessId(), test,
                                           QStringLiteral("seen"), kNow));
    auto unknownGoal = Core::AbTests::recordConversion(store.db(), store.businessId(), test,
                                                       QStringLiteral("seen"),
                                                       QStringLiteral("bought_a_boat"), {}, kNow);
    QVERIFY(!unknownGoal);
    QCOMPARE(unknownGoal.error().field, QStringLiteral("goal"));
    auto neverShown = Core::AbTests::recordConversion(store.db(), store.businessId(), test,
                                                      QStringLiteral("never-shown"),
                                                      QStringLiteral("demo_request"), {}, kNow);
    QVERIFY(!neverShown);
    QCOMPARE(neverShown.error().field, QStringLiteral("subject"));
    auto unknownTest = Core::AbTests::recordConversion(
        store.db(), store.businessId(), QStringLiteral("nope"), QStringLiteral("seen"),
        QStringLiteral("demo_request"), {}, kNow);
    QVERIFY(!unknownTest);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("ab_events")), 0);
}

void tst_AbTest::zTestMatchesHandComputedValues_data()
{
    QTest::addColumn<int>("ca");
    QTest::addColumn<int>("na");
    QTest::addColumn<int>("cb");
    QTest::addColumn<int>("nb");
    QTest::addColumn<double>("z");
    QTest::addColumn<double>("p");
    // pooled p = (ca + cb) / (na + nb); z = (pb - pa) / sqrt(p (1 - p) (1/na + 1/nb));
    // two-sided p-value = erfc(|z| / sqrt 2).
    QTest::newRow("20% vs 25%") << 200 << 1000 << 250 << 1000 << 2.6773978 << 0.0074196;
    QTest::newRow("10% vs 14%") << 50 << 500 << 70 << 500 << 1.9462474 << 0.0516250;
    QTest::newRow("12% vs 10%") << 120 << 1000 << 100 << 1000 << -1.4293008 << 0.1529178;
    QTest::newRow("identical") << 30 << 300 << 30 << 300 << 0.0 << 1.0;
    QTest::newRow("nothing converts") << 0 << 300 << 0 << 300 << 0.0 << 1.0;
    QTest::newRow("no subjects") << 0 << 0 << 5 << 10 << 0.0 << 1.0;
}

void tst_AbTest::zTestMatchesHandComputedValues()
{
    QFETCH(int, ca);
    QFETCH(int, na);
    QFETCH(int, cb);
    QFETCH(int, nb);
    QFETCH(double, z);
    QFETCH(double, p);
    const auto test = Core::TwoProportionTest::compute(ca, na, cb, nb);
    QVERIFY2(std::abs(test.z - z) < 1e-6, qPrintable(QString::number(test.z, 'g', 10)));
    QVERIFY2(std::abs(test.pValue - p) < 1e-6, qPrintable(QString::number(test.pValue, 'g', 10)));
}

void tst_AbTest::significantDifferenceHasAWinner()
{
    Test::TempStore store;
    const auto test = definition(kTwoVariants, QStringLiteral("greeting_message"));
    seed(store.db(), store.businessId(), test.name, QStringLiteral("A"), 1000, 200,
         QStringLiteral("demo_request"));
    seed(store.db(), store.businessId(), test.name, QStringLiteral("B"), 1000, 250,
         QStringLiteral("demo_request"));
    auto results = Core::AbTests::results(store.db(), store.businessId(), test);
    LD_VERIFY_OK(results);
    QCOMPARE(results->subjects, 2000);
    const Core::AbGoalResult &goal = results->goals.at(0);
    QCOMPARE(goal.goal, QStringLiteral("demo_request"));
    QCOMPARE(goal.variants.at(0).rate, 0.2);
    QCOMPARE(goal.variants.at(1).rate, 0.25);
    QVERIFY(!goal.variants.at(0).test); // the control is not compared with itself
    QVERIFY(goal.variants.at(1).test);
    QVERIFY(std::abs(goal.variants.at(1).test->z - 2.6774) < 1e-3);
    QVERIFY(std::abs(goal.variants.at(1).test->pValue - 0.0074) < 1e-4);
    QVERIFY(std::abs(*goal.variants.at(1).lift - 0.25) < 1e-9);
    QVERIFY(goal.variants.at(1).significant);
    QCOMPARE(goal.winner, QStringLiteral("B"));
    QVERIFY2(goal.verdict.startsWith(QStringLiteral("B wins")), qPrintable(goal.verdict));
    QCOMPARE(goal.variants.at(1).valueCents, 250 * 1000);
    // The other goal has no conversions at all: no winner.
    QCOMPARE(results->goals.at(1).goal, QStringLiteral("shared_contact"));
    QVERIFY(results->goals.at(1).winner.isEmpty());
}

void tst_AbTest::noWinnerWithoutSignificance()
{
    Test::TempStore store;
    const auto test = definition(kTwoVariants, QStringLiteral("greeting_message"));
    seed(store.db(), store.businessId(), test.name, QStringLiteral("A"), 1000, 200,
         QStringLiteral("demo_request"));
    seed(store.db(), store.businessId(), test.name, QStringLiteral("B"), 1000, 210,
         QStringLiteral("demo_request"));
    auto results = Core::AbTests::results(store.db(), store.businessId(), test);
    LD_VERIFY_OK(results);
    const Core::AbGoalResult &goal = results->goals.at(0);
    QVERIFY(std::abs(goal.variants.at(1).test->pValue - 0.5797) < 1e-4);
    QVERIFY(!goal.variants.at(1).significant);
    QVERIFY(goal.winner.isEmpty());
    QVERIFY2(goal.verdict.contains(QStringLiteral("no significant difference")),
             qPrintable(goal.verdict));
}

void tst_AbTest::noWinnerWithTooFewSubjects()
{
    Test::TempStore store;
    const auto test = definition(kTwoVariants, QStringLiteral("greeting_message"));
    // 5 % against 75 %: a huge difference, but 20 subjects each is below min_samples (100).
    seed(store.db(), store.businessId(), test.name, QStringLiteral("A"), 20, 1,
         QStringLiteral("demo_request"));
    seed(store.db(), store.businessId(), test.name, QStringLiteral("B"), 20, 15,
         QStringLiteral("demo_request"));
    auto results = Core::AbTests::results(store.db(), store.businessId(), test);
    LD_VERIFY_OK(results);
    const Core::AbGoalResult &goal = results->goals.at(0);
    QVERIFY(goal.variants.at(1).test->pValue < 0.001);
    QVERIFY(!goal.variants.at(1).significant);
    QVERIFY(goal.winner.isEmpty());
    QVERIFY2(goal.verdict.contains(QStringLiteral("at least 100 subjects")),
             qPrintable(goal.verdict));
}

void tst_AbTest::moreVariantsNeedStrongerEvidence()
{
    // 10 % against 12.8 %: p = 0.0488. Enough with one comparison, not with two (0.05 / 2).
    for (const bool third : {false, true}) {
        Test::TempStore store;
        const QByteArray json = third ? R"({"tests": [{"name": "t", "goals": ["g"], "variants": [
                        {"name": "A"}, {"name": "B"}, {"name": "C"}]}]})"
                                      : R"({"tests": [{"name": "t", "goals": ["g"], "variants": [
                        {"name": "A"}, {"name": "B"}]}]})";
        const auto test = definition(json, QStringLiteral("t"));
        seed(store.db(), store.businessId(), test.name, QStringLiteral("A"), 1000, 100,
             QStringLiteral("g"));
        seed(store.db(), store.businessId(), test.name, QStringLiteral("B"), 1000, 128,
             QStringLiteral("g"));
        if (third)
            seed(store.db(), store.businessId(), test.name, QStringLiteral("C"), 1000, 101,
                 QStringLiteral("g"));
        auto results = Core::AbTests::results(store.db(), store.businessId(), test);
        LD_VERIFY_OK(results);
        const Core::AbGoalResult &goal = results->goals.at(0);
        QVERIFY(std::abs(goal.variants.at(1).test->pValue - 0.0488) < 1e-4);
        QCOMPARE(goal.winner, third ? QString() : QStringLiteral("B"));
    }
}

void tst_AbTest::controlWinsWhenEveryOtherVariantIsWorse()
{
    Test::TempStore store;
    const auto test = definition(kTwoVariants, QStringLiteral("greeting_message"));
    seed(store.db(), store.businessId(), test.name, QStringLiteral("A"), 1000, 250,
         QStringLiteral("demo_request"));
    seed(store.db(), store.businessId(), test.name, QStringLiteral("B"), 1000, 200,
         QStringLiteral("demo_request"));
    auto results = Core::AbTests::results(store.db(), store.businessId(), test);
    LD_VERIFY_OK(results);
    QCOMPARE(results->goals.at(0).winner, QStringLiteral("A"));
    QVERIFY(results->goals.at(0).variants.at(1).test->z < 0);
}

void tst_AbTest::resultsAsJson()
{
    Test::TempStore store;
    const auto test = definition(kTwoVariants, QStringLiteral("greeting_message"));
    seed(store.db(), store.businessId(), test.name, QStringLiteral("A"), 1000, 200,
         QStringLiteral("demo_request"));
    seed(store.db(), store.businessId(), test.name, QStringLiteral("B"), 1000, 250,
         QStringLiteral("demo_request"));
    auto results = Core::AbTests::results(store.db(), store.businessId(), test);
    LD_VERIFY_OK(results);
    const QJsonObject json = results->toJson();
    QCOMPARE(json.value(u"test").toString(), QStringLiteral("greeting_message"));
    QCOMPARE(json.value(u"control").toString(), QStringLiteral("A"));
    QCOMPARE(json.value(u"alpha").toDouble(), 0.05);
    QCOMPARE(json.value(u"subjects").toInteger(), 2000);
    const QJsonObject goal = json.value(u"goals").toArray().at(0).toObject();
    QCOMPARE(goal.value(u"winner").toString(), QStringLiteral("B"));
    const QJsonArray variants = goal.value(u"variants").toArray();
    QCOMPARE(variants.at(0).toObject().value(u"rate").toDouble(), 0.2);
    QVERIFY(!variants.at(0).toObject().contains(u"p_value"));
    QVERIFY(std::abs(variants.at(1).toObject().value(u"p_value").toDouble() - 0.0074) < 1e-4);
    QCOMPARE(variants.at(1).toObject().value(u"significant").toBool(), true);
    // No winner is null, not an empty string.
    QVERIFY(json.value(u"goals").toArray().at(1).toObject().value(u"winner").isNull());
}

void tst_AbTest::parseErrorsNameThePath_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::newRow("not json") << QByteArray("{") << QString();
    QTest::newRow("unknown key") << QByteArray(R"({"test": []})") << QStringLiteral("test");
    QTest::newRow("alpha") << QByteArray(R"({"alpha": 0})") << QStringLiteral("alpha");
    QTest::newRow("one variant") << QByteArray(
        R"({"tests": [{"name": "t", "variants": [{"name": "A"}]}]})")
                                 << QStringLiteral("tests[0].variants");
    QTest::newRow("weight") << QByteArray(
        R"({"tests": [{"name": "t", "variants": [{"name": "A"}, {"name": "B", "weight": 1.5}]}]})")
                            << QStringLiteral("tests[0].variants[1].weight");
    QTest::newRow("all zero") << QByteArray(
        R"({"tests": [{"name": "t", "variants": [{"name": "A", "weight": 0}, {"name": "B", "weight": 0}]}]})")
                              << QStringLiteral("tests[0].variants");
    QTest::newRow("same variant") << QByteArray(
        R"({"tests": [{"name": "t", "variants": [{"name": "A"}, {"name": "A"}]}]})")
                                  << QStringLiteral("tests[0].variants[1].name");
    QTest::newRow("control") << QByteArray(
        R"({"tests": [{"name": "t", "control": "Z", "variants": [{"name": "A"}, {"name": "B"}]}]})")
                             << QStringLiteral("tests[0].control");
    QTest::newRow("goal") << QByteArray(
        R"({"tests": [{"name": "t", "goals": ["ok", ""], "variants": [{"name": "A"}, {"name": "B"}]}]})")
                          << QStringLiteral("tests[0].goals[1]");
    QTest::newRow("same test") << QByteArray(
        R"({"tests": [{"name": "t", "variants": [{"name": "A"}, {"name": "B"}]},
                                   {"name": "t", "variants": [{"name": "A"}, {"name": "B"}]}]})")
                               << QStringLiteral("tests[1].name");
}

void tst_AbTest::parseErrorsNameThePath()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    auto parsed = Core::AbTestDefinitions::parse(json);
    QVERIFY(!parsed);
    QCOMPARE(parsed.error().field, field);
}

QTEST_GUILESS_MAIN(tst_AbTest)
#include "tst_abtest.moc"
