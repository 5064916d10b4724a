#include "routingrules.h"
#include "settingsrepository.h"
#include "testsupport.h"

#include <QTest>

using namespace LeadDesk;

class tst_RoutingRules : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultDocumentRoutesToEveryone();
    void fullDocumentParses();
    void conditionsMatch_data();
    void conditionsMatch();
    void firstMatchingRuleWins();
    void repSettingsInheritDefaults();
    void errorsNameTheJsonPath_data();
    void errorsNameTheJsonPath();
    void storedDocumentOverridesTheDefault();
};

namespace {

const QByteArray kFull = R"({
    "version": 1,
    "enabled": true,
    "roles": ["rep", "admin"],
    "reassign_on_breach": true,
    "rules": [
        { "id": "hot-nextcloud",
          "when": { "campaign": ["nextcloud-installation-2025"],
                    "service_interest": { "contains": ["nextcloud", "backup"] },
                    "grade": ["A", "b"], "score": { "min": 60, "max": 100 },
                    "state": ["CA", "nv"], "source": ["webform", "landing-page"] },
          "team": ["alice", "Bob", "alice"], "if_unavailable": "unassigned" },
        { "id": "vip", "when": { "service_interest": { "equals": "Managed IT" } }, "user": "carol" },
        { "id": "catch-all", "team": "everyone" }
    ],
    "fallback": ["dave", "erin"],
    "rep_defaults": { "capacity": 50, "hours": { "mon": [["09:00", "17:00"]] } },
    "reps": { "Alice": { "capacity": 20 }, "bob": { "capacity": null, "hours": null } }
})";

Core::RoutingFacts hotLead()
{
    Core::RoutingFacts lead;
    lead.campaignExternalId = QStringLiteral("nextcloud-installation-2025");
    lead.campaignName = QStringLiteral("Nextcloud Installation");
    lead.serviceInterest = QStringLiteral("Nextcloud Installation");
    lead.grade = QStringLiteral("A");
    lead.score = 85;
    lead.state = QStringLiteral("CA");
    lead.channel = QStringLiteral("webform");
    lead.sourceLabel = QStringLiteral("landing-page");
    return lead;
}

} // namespace

void tst_RoutingRules::defaultDocumentRoutesToEveryone()
{
    auto rules = Core::RoutingRules::loadDefault();
    LD_VERIFY_OK(rules);
    QVERIFY(rules->enabled());
    QVERIFY(!rules->reassignOnBreach());
    QVERIFY(rules->rules().isEmpty());
    QCOMPARE(rules->fallback().kind, Core::RoutingTarget::Kind::Everyone);
    QCOMPARE(
        rules->eligibleRoles(),
        (QSet<QString>{QStringLiteral("owner"), QStringLiteral("admin"), QStringLiteral("rep")}));
    const Core::RepSettings rep = rules->repSettings(QStringLiteral("anyone"));
    QVERIFY(!rep.capacity);
    QVERIFY(!rep.hours);
    QCOMPARE(rules->firstMatch(hotLead()), nullptr);
}

void tst_RoutingRules::fullDocumentParses()
{
    auto rules = Core::RoutingRules::parse(kFull);
    LD_VERIFY_OK(rules);
    QVERIFY(rules->reassignOnBreach());
    QCOMPARE(rules->eligibleRoles(),
             (QSet<QString>{QStringLiteral("rep"), QStringLiteral("admin")}));
    QCOMPARE(rules->rules().size(), 3);
    const Core::RoutingRule &hot = rules->rules().at(0);
    QCOMPARE(hot.id, QStringLiteral("hot-nextcloud"));
    QCOMPARE(hot.target.kind, Core::RoutingTarget::Kind::Team);
    QCOMPARE(hot.target.users, (QStringList{QStringLiteral("alice"), QStringLiteral("Bob")}));
    QCOMPARE(hot.target.poolKey(), QStringLiteral("team:alice,bob"));
    QVERIFY(!hot.fallbackWhenUnavailable);
    QCOMPARE(rules->rules().at(1).target.kind, Core::RoutingTarget::Kind::User);
    QCOMPARE(rules->rules().at(1).target.describe(), QStringLiteral("carol"));
    QCOMPARE(rules->rules().at(2).target.kind, Core::RoutingTarget::Kind::Everyone);
    QVERIFY(rules->rules().at(2).fallbackWhenUnavailable);
    QCOMPARE(rules->fallback().kind, Core::RoutingTarget::Kind::Team);
    QCOMPARE(rules->fallback().describe(), QStringLiteral("team dave, erin"));
    QCOMPARE(rules->referencedUsers(),
             (QStringList{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol"),
                          QStringLiteral("dave"), QStringLiteral("erin")}));
}

void tst_RoutingRules::conditionsMatch_data()
{
    QTest::addColumn<QByteArray>("when");
    QTest::addColumn<QString>("field");
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("matches");
    // Each row changes one fact of hotLead() and says whether the condition still holds.
    const auto row = [](const char *name, const char *when, const char *field, const char *value,
                        bool matches) {
        QTest::newRow(name) << QByteArray(when) << QString::fromLatin1(field)
                            << QString::fromUtf8(value) << matches;
    };
    row("campaign by external id", R"({"campaign": "NEXTCLOUD-installation-2025"})", "", "", true);
    row("campaign by name", R"({"campaign": ["nextcloud installation"]})", "campaignExternalId",
        "x", true);
    row("other campaign", R"({"campaign": ["spring-sale"]})", "", "", false);
    row("no campaign", R"({"campaign": ["nextcloud-installation-2025"]})", "campaignExternalId", "",
        false);
    row("service contains", R"({"service_interest": {"contains": "cloud"}})", "", "", true);
    row("service contains none", R"({"service_interest": {"contains": ["voip", "cabling"]}})", "",
        "", false);
    row("service equals", R"({"service_interest": {"equals": "nextcloud installation"}})", "", "",
        true);
    row("service equals is whole", R"({"service_interest": {"equals": "nextcloud"}})", "", "",
        false);
    row("service missing", R"({"service_interest": {"contains": "cloud"}})", "serviceInterest", " ",
        false);
    row("grade in set", R"({"grade": ["a", "B"]})", "", "", true);
    row("grade not in set", R"({"grade": ["B"]})", "", "", false);
    row("score at min", R"({"score": {"min": 85}})", "", "", true);
    row("score below min", R"({"score": {"min": 86}})", "", "", false);
    row("score at max", R"({"score": {"max": 85}})", "", "", true);
    row("score above max", R"({"score": {"min": 0, "max": 84}})", "", "", false);
    row("state", R"({"state": ["ca", "NV"]})", "", "", true);
    row("other state", R"({"state": ["NY"]})", "", "", false);
    row("state missing", R"({"state": ["CA"]})", "state", "", false);
    row("source by channel", R"({"source": ["WEBFORM"]})", "sourceLabel", "", true);
    row("source by label", R"({"source": "landing-page"})", "channel", "thumbtack", true);
    row("other source", R"({"source": ["thumbtack"]})", "", "", false);
    row("all together", R"({"campaign": "nextcloud-installation-2025", "grade": ["A"],
                           "score": {"min": 80}, "state": ["CA"], "source": ["webform"],
                           "service_interest": {"contains": "nextcloud"}})",
        "", "", true);
    row("all but one", R"({"campaign": "nextcloud-installation-2025", "grade": ["A"],
                          "score": {"min": 80}, "state": ["TX"], "source": ["webform"]})",
        "", "", false);
    row("no conditions", R"({})", "", "", true);
}

void tst_RoutingRules::conditionsMatch()
{
    QFETCH(QByteArray, when);
    QFETCH(QString, field);
    QFETCH(QString, value);
    QFETCH(bool, matches);
    auto rules = Core::RoutingRules::parse(R"({"rules": [{"id": "r", "user": "alice", "when": )"
                                           + when + "}]}");
    LD_VERIFY_OK(rules);
    Core::RoutingFacts lead = hotLead();
    if (field == u"campaignExternalId")
        lead.campaignExternalId = value;
    else if (field == u"serviceInterest")
        lead.serviceInterest = value;
    else if (field == u"state")
        lead.state = value;
    else if (field == u"sourceLabel")
        lead.sourceLabel = value;
    else if (field == u"channel")
        lead.channel = value;
    QCOMPARE(rules->rules().at(0).when.matches(lead), matches);
    QCOMPARE(rules->firstMatch(lead) != nullptr, matches);
}

void tst_RoutingRules::firstMatchingRuleWins()
{
    auto rules = Core::RoutingRules::parse(kFull);
    LD_VERIFY_OK(rules);
    QCOMPARE(rules->firstMatch(hotLead())->id, QStringLiteral("hot-nextcloud"));
    Core::RoutingFacts lead = hotLead();
    lead.serviceInterest = QStringLiteral("Managed IT");
    QCOMPARE(rules->firstMatch(lead)->id, QStringLiteral("vip"));
    lead.serviceInterest = QStringLiteral("Printers");
    QCOMPARE(rules->firstMatch(lead)->id, QStringLiteral("catch-all"));
}

void tst_RoutingRules::repSettingsInheritDefaults()
{
    auto rules = Core::RoutingRules::parse(kFull);
    LD_VERIFY_OK(rules);
    const Core::RepSettings alice = rules->repSettings(QStringLiteral("ALICE"));
    QCOMPARE(alice.capacity, 20);
    QVERIFY(alice.hours);                                            // inherited
    QVERIFY(alice.hours->isOpen(QDate(2025, 10, 6), QTime(10, 0)));  // a Monday
    QVERIFY(!alice.hours->isOpen(QDate(2025, 10, 7), QTime(10, 0))); // a Tuesday
    const Core::RepSettings bob = rules->repSettings(QStringLiteral("bob"));
    QVERIFY(!bob.capacity); // null lifts the default
    QVERIFY(!bob.hours);
    QCOMPARE(rules->repSettings(QStringLiteral("zed")).capacity, 50);
}

void tst_RoutingRules::errorsNameTheJsonPath_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("field");
    QTest::newRow("not json") << QByteArray("{\"rules\": [") << QString();
    QTest::newRow("not an object") << QByteArray("[]") << QString();
    QTest::newRow("unknown top key") << QByteArray(R"({"rulez": []})") << QStringLiteral("rulez");
    QTest::newRow("version") << QByteArray(R"({"version": 2})") << QStringLiteral("version");
    QTest::newRow("enabled") << QByteArray(R"({"enabled": "yes"})") << QStringLiteral("enabled");
    QTest::newRow("role") << QByteArray(R"({"roles": ["rep", "boss"]})")
                          << QStringLiteral("roles[1]");
    QTest::newRow("rules not array") << QByteArray(R"({"rules": {}})") << QStringLiteral("rules");
    QTest::newRow("rule id") << QByteArray(R"({"rules": [{"user": "alice"}]})")
                             << QStringLiteral("rules[0].id");
    QTest::newRow("duplicate id") << QByteArray(
        R"({"rules": [{"id": "a", "user": "alice"}, {"id": "a", "user": "bob"}]})")
                                  << QStringLiteral("rules[1].id");
    QTest::newRow("no target") << QByteArray(R"({"rules": [{"id": "a"}]})")
                               << QStringLiteral("rules[0]");
    QTest::newRow("user and team")
        << QByteArray(R"({"rules": [{"id": "a", "user": "alice", "team": ["bob"]}]})")
        << QStringLiteral("rules[0]");
    QTest::newRow("bad user name")
        << QByteArray(R"({"rules": [{"id": "a", "user": "Alice Smith"}]})")
        << QStringLiteral("rules[0].user");
    QTest::newRow("empty team") << QByteArray(R"({"rules": [{"id": "a", "team": []}]})")
                                << QStringLiteral("rules[0].team");
    QTest::newRow("team member") << QByteArray(R"({"rules": [{"id": "a", "team": ["alice", 7]}]})")
                                 << QStringLiteral("rules[0].team[1]");
    QTest::newRow("team word") << QByteArray(R"({"rules": [{"id": "a", "team": "none"}]})")
                               << QStringLiteral("rules[0].team");
    QTest::newRow("unknown condition")
        << QByteArray(R"({"rules": [{"id": "a", "user": "alice", "when": {"zip": ["9"]}}]})")
        << QStringLiteral("rules[0].when.zip");
    QTest::newRow("empty campaign list")
        << QByteArray(R"({"rules": [{"id": "a", "user": "alice", "when": {"campaign": []}}]})")
        << QStringLiteral("rules[0].when.campaign");
    QTest::newRow("service both") << QByteArray(
        R"({"rules": [{"id": "a", "user": "alice", "when": {"service_interest": {"contains": "a", "equals": "b"}}}]})")
                                  << QStringLiteral("rules[0].when.service_interest");
    QTest::newRow("service item") << QByteArray(
        R"({"rules": [{"id": "a", "user": "alice", "when": {"service_interest": {"contains": ["a", ""]}}}]})")
                                  << QStringLiteral("rules[0].when.service_interest.contains[1]");
    QTest::newRow("score range") << QByteArray(
        R"({"rules": [{"id": "a", "user": "alice", "when": {"score": {"min": 101}}}]})")
                                 << QStringLiteral("rules[0].when.score.min");
    QTest::newRow("score inverted") << QByteArray(
        R"({"rules": [{"id": "a", "user": "alice", "when": {"score": {"min": 80, "max": 20}}}]})")
                                    << QStringLiteral("rules[0].when.score.min");
    QTest::newRow("grade item") << QByteArray(
        R"({"rules": [{"id": "a", "user": "alice", "when": {"grade": ["A", 1]}}]})")
                                << QStringLiteral("rules[0].when.grade[1]");
    QTest::newRow("if_unavailable")
        << QByteArray(R"({"rules": [{"id": "a", "user": "alice", "if_unavailable": "wait"}]})")
        << QStringLiteral("rules[0].if_unavailable");
    QTest::newRow("fallback") << QByteArray(R"({"fallback": "somebody"})")
                              << QStringLiteral("fallback");
    QTest::newRow("capacity") << QByteArray(R"({"reps": {"alice": {"capacity": -1}}})")
                              << QStringLiteral("reps.alice.capacity");
    QTest::newRow("hours") << QByteArray(
        R"({"reps": {"alice": {"hours": {"mon": [["09:00", "25:00"]]}}}})")
                           << QStringLiteral("reps.alice.hours.mon[0][1]");
    QTest::newRow("rep name") << QByteArray(R"({"reps": {"a b": {}}})")
                              << QStringLiteral("reps.a b");
    QTest::newRow("rep twice") << QByteArray(R"({"reps": {"alice": {}, "ALICE": {}}})")
                               << QStringLiteral("reps.alice");
    QTest::newRow("rep key") << QByteArray(R"({"rep_defaults": {"cap": 3}})")
                             << QStringLiteral("rep_defaults.cap");
}

void tst_RoutingRules::errorsNameTheJsonPath()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, field);
    auto rules = Core::RoutingRules::parse(json);
    QVERIFY(!rules);
    if (!field.isEmpty() && rules.error().field != field)
        QFAIL(
            qPrintable(QStringLiteral("expected %1, got %2").arg(field, rules.error().toString())));
    QVERIFY(!rules.error().message.isEmpty());
}

void tst_RoutingRules::storedDocumentOverridesTheDefault()
{
    Test::TempStore store;
    auto initial = Core::RoutingRules::forBusiness(store.db(), store.businessId());
    LD_VERIFY_OK(initial);
    QVERIFY(initial->rules().isEmpty());

    Core::SettingsRepository settings(store.db());
    const QString key = QString::fromLatin1(Core::SettingsRepository::kRoutingRules);
    LD_VERIFY_OK(settings.setValue(store.businessId(), key, kFull, 1));
    auto stored = Core::RoutingRules::forBusiness(store.db(), store.businessId());
    LD_VERIFY_OK(stored);
    QCOMPARE(stored->rules().size(), 3);

    // A broken stored document is an error, never a half-read one.
    LD_VERIFY_OK(settings.setValue(store.businessId(), key, R"({"rules": [{"id": "x"}]})", 2));
    auto broken = Core::RoutingRules::forBusiness(store.db(), store.businessId());
    QVERIFY(!broken);
    QVERIFY(broken.error().message.contains(QStringLiteral("rules[0]")));
}

QTEST_GUILESS_MAIN(tst_RoutingRules)
#include "tst_routingrules.moc"
