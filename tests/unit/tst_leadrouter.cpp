#include "businessrepository.h"
#include "clock.h"
#include "ids.h"
#include "leadingestor.h"
#include "leadrouter.h"
#include "settingsrepository.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace LeadDesk;

namespace {

constexpr qint64 kNow = 1'760'000'000'000;

// What a test lead looks like; every field optional.
struct LeadSpec
{
    QString campaignId; // campaigns.id
    QString serviceInterest;
    QString grade = QStringLiteral("C");
    int score = 45;
    QString state;
    QString channel = QStringLiteral("webform");
    QString sourceLabel;
    QString status = QStringLiteral("new");
    QString assignedTo;
};

// Rows written straight into the store: the router reads the store, not the ingestor's records,
// and thousands of leads need to be cheap to make.
class Fixture
{
public:
    explicit Fixture(Core::Database &db, QString businessId)
        : m_db(db)
        , m_businessId(std::move(businessId))
    {
        m_contactId = Core::Ids::uuidV7(kNow);
        QSqlQuery q(m_db.connection());
        q.prepare(QStringLiteral("INSERT INTO contacts (id, business_id, created_at, updated_at) "
                                 "VALUES (?, ?, ?, ?)"));
        q.addBindValue(m_contactId);
        q.addBindValue(m_businessId);
        q.addBindValue(kNow);
        q.addBindValue(kNow);
        if (!q.exec())
            qFatal("contact insert failed");
    }

    QString user(const QString &name, const QString &role = QStringLiteral("rep"),
                 bool away = false, const QString &email = {})
    {
        const QString id = Core::Ids::uuidV7(kNow);
        QSqlQuery q(m_db.connection());
        q.prepare(QStringLiteral(
            "INSERT INTO users (id, business_id, username, display_name, email, role, "
            "password_hash, away, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'x', ?, ?, "
            "?)"));
        q.addBindValue(id);
        q.addBindValue(m_businessId);
        q.addBindValue(name);
        q.addBindValue(QString(name.left(1).toUpper() + name.mid(1)));
        q.addBindValue(email.isEmpty() ? QVariant() : QVariant(email));
        q.addBindValue(role);
        q.addBindValue(away ? 1 : 0);
        q.addBindValue(kNow);
        q.addBindValue(kNow);
        if (!q.exec())
            qFatal("user insert failed");
        return id;
    }

    QString campaign(const QString &externalId, const QString &name, bool autoAssign = true,
                     const QString &assignedTo = {})
    {
        const QString id = Core::Ids::uuidV7(kNow);
        QSqlQuery q(m_db.connection());
        q.prepare(QStringLiteral(
            "INSERT INTO campaigns (id, business_id, external_id, name, auto_assign, assigned_to, "
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"));
        q.addBindValue(id);
        q.addBindValue(m_businessId);
        q.addBindValue(externalId);
        q.addBindValue(name);
        q.addBindValue(autoAssign ? 1 : 0);
        q.addBindValue(assignedTo.isEmpty() ? QVariant() : QVariant(assignedTo));
        q.addBindValue(kNow);
        q.addBindValue(kNow);
        if (!q.exec())
            qFatal("campaign insert failed");
        return id;
    }

    QString lead(const LeadSpec &spec = {})
    {
        const QString id = Core::Ids::uuidV7(kNow);
        QSqlQuery &score = m_db.prepared(
            QStringLiteral("INSERT INTO lead_scores (lead_id, tenant, lead_grade, lead_score) "
                           "VALUES (?, (SELECT tenant FROM tenants WHERE business_id = ?), ?, ?)"));
        score.addBindValue(id);
        score.addBindValue(m_businessId);
        score.addBindValue(spec.grade);
        score.addBindValue(spec.score);
        if (!m_db.exec(score))
            qFatal("score insert failed");
        QSqlQuery &q = m_db.prepared(QStringLiteral(
            "INSERT INTO leads (id, business_id, contact_id, channel, source_label, campaign_id, "
            "service_interest, state, status, assigned_to, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        const auto nullable = [](const QString &s) {
            return s.isEmpty() ? QVariant() : QVariant(s);
        };
        q.addBindValue(id);
        q.addBindValue(m_businessId);
        q.addBindValue(m_contactId);
        q.addBindValue(spec.channel);
        q.addBindValue(nullable(spec.sourceLabel));
        q.addBindValue(nullable(spec.campaignId));
        q.addBindValue(nullable(spec.serviceInterest));
        q.addBindValue(nullable(spec.state));
        q.addBindValue(spec.status);
        q.addBindValue(nullable(spec.assignedTo));
        q.addBindValue(kNow);
        q.addBindValue(kNow);
        if (!m_db.exec(q))
            qFatal("lead insert failed");
        return id;
    }

    void rules(const QByteArray &json)
    {
        if (!Core::SettingsRepository(m_db).setValue(
                m_businessId, QString::fromLatin1(Core::SettingsRepository::kRoutingRules), json,
                kNow))
            qFatal("cannot store rules");
    }

    QString scalar(const QString &sql, const QVariantList &params = {})
    {
        QString value = QStringLiteral("<none>");
        if (!m_db.forEachRow(sql, params,
                             [&value](const QSqlQuery &row) { value = row.value(0).toString(); }))
            return QStringLiteral("<error>");
        return value;
    }

    QString assigneeOf(const QString &leadId)
    {
        return scalar(QStringLiteral("SELECT COALESCE(assigned_to, '') FROM leads WHERE id = ?"),
                      {leadId});
    }

    // The newest activity of a type on a lead: (description, metadata).
    std::pair<QString, QJsonObject> activity(const QString &leadId, const QString &type)
    {
        std::pair<QString, QJsonObject> found;
        if (!m_db.forEachRow(
                QStringLiteral("SELECT description, metadata FROM activities WHERE "
                               "lead_id = ? AND activity_type = ? ORDER BY rowid DESC "
                               "LIMIT 1"),
                {leadId, type}, [&found](const QSqlQuery &row) {
                    found.first = row.value(0).toString();
                    found.second
                        = QJsonDocument::fromJson(row.value(1).toString().toUtf8()).object();
                }))
            qFatal("activity query failed");
        return found;
    }

    [[nodiscard]] const QString &contactId() const { return m_contactId; }

private:
    Core::Database &m_db;
    QString m_businessId;
    QString m_contactId;
};

QStringList skippedUsers(const QJsonObject &metadata)
{
    QStringList users;
    for (const QJsonValue &skip : metadata.value(u"skipped").toArray())
        users.append(skip.toObject().value(u"user").toString() + u':'
                     + skip.toObject().value(u"why").toString());
    return users;
}

qint64 utcMs(int year, int month, int day, int hour, int minute = 0)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute), QTimeZone::utc())
        .toMSecsSinceEpoch();
}

} // namespace

class tst_LeadRouter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundRobinIsFairOverThreeThousandLeads();
    void teamRoundRobinIsFairAndStaysInTheTeam();
    void rulesAreEvaluatedInOrder();
    void eachConditionKindRoutes_data();
    void eachConditionKindRoutes();
    void awayRepsAreSkipped();
    void repsOutsideTheirHoursAreSkipped();
    void capacityLimitsOpenLeads();
    void campaignWithoutAutoAssignStaysUnassigned();
    void campaignAssigneeComesFirst();
    void unavailableTargetFallsBackOrStays();
    void nobodyAvailableLeavesTheLeadUnassigned();
    void withoutAccountsLeadsStayUnassignedQuietly();
    void rolesLimitTheEveryonePool();
    void cursorSurvivesReopeningTheStore();
    void assignmentActivityExplainsTheDecision();
    void assignedLeadsAreLeftAlone();
    void invalidStoredRulesDoNotLoseTheLead();
    void reassignsAfterFirstResponseBreach();
    void reassignmentHonoursTheSwitchAndTheLeadsState();
    void ingestorStageRoutesNewLeads();
    void assignmentInsideACallersTransactionRollsBackWithIt();
};

void tst_LeadRouter::roundRobinIsFairOverThreeThousandLeads()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QStringList ids{f.user(QStringLiteral("alice")), f.user(QStringLiteral("bob")),
                          f.user(QStringLiteral("carol"), QStringLiteral("owner"))};
    Core::LeadRouter router;
    QHash<QString, int> counts;
    QString previous;
    {
        Core::Transaction transaction(store.db());
        for (int i = 0; i < 3000; ++i) {
            const QString lead = f.lead();
            auto outcome = router.assign(store.db(), store.businessId(), lead, kNow + i);
            LD_VERIFY_OK(outcome);
            QVERIFY(outcome->assigned);
            QCOMPARE(outcome->reason, QStringLiteral("round_robin"));
            QVERIFY(outcome->userId != previous); // strict rotation
            previous = outcome->userId;
            ++counts[outcome->userId];
            // After every full turn, every rep has the same number.
            if ((i + 1) % 3 == 0) {
                for (const QString &id : ids)
                    QCOMPARE(counts.value(id), (i + 1) / 3);
            }
        }
        LD_VERIFY_OK(transaction.commit());
    }
    for (const QString &id : ids)
        QCOMPARE(counts.value(id), 1000);
    QCOMPARE(
        Test::countRows(store.db(), QStringLiteral("leads"), QStringLiteral("assigned_to IS NULL")),
        0);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("activities"),
                             QStringLiteral("activity_type = 'assigned'")),
             3000);
}

void tst_LeadRouter::teamRoundRobinIsFairAndStaysInTheTeam()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"));
    const QString bob = f.user(QStringLiteral("bob"));
    const QString carol = f.user(QStringLiteral("carol"));
    const QString dave = f.user(QStringLiteral("dave"));
    f.rules(R"({"rules": [{"id": "plumbing", "when": {"service_interest": {"contains": "plumb"}},
                           "team": ["carol", "alice", "bob"]}],
                "fallback": ["dave"]})");
    Core::LeadRouter router;
    QHash<QString, int> counts;
    Core::Transaction transaction(store.db());
    for (int i = 0; i < 3000; ++i) {
        LeadSpec spec;
        spec.serviceInterest = i % 4 == 3 ? QStringLiteral("Roofing") : QStringLiteral("Plumbing");
        auto outcome = router.assign(store.db(), store.businessId(), f.lead(spec), kNow);
        LD_VERIFY_OK(outcome);
        ++counts[outcome->userId];
    }
    LD_VERIFY_OK(transaction.commit());
    // 2,250 plumbing leads over three reps, 750 roofing leads to the fallback.
    const int most = std::max({counts[alice], counts[bob], counts[carol]});
    const int least = std::min({counts[alice], counts[bob], counts[carol]});
    QVERIFY2(most - least <= 1, qPrintable(QStringLiteral("%1..%2").arg(least).arg(most)));
    QCOMPARE(counts[alice] + counts[bob] + counts[carol], 2250);
    QCOMPARE(counts[dave], 750);
}

void tst_LeadRouter::rulesAreEvaluatedInOrder()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"));
    const QString bob = f.user(QStringLiteral("bob"));
    const QString carol = f.user(QStringLiteral("carol"));
    // An A-grade lead from California matches both rules; the first one listed wins.
    f.rules(R"({"rules": [
        {"id": "hot", "when": {"grade": ["A"]}, "user": "bob"},
        {"id": "west", "when": {"state": ["CA"]}, "user": "carol"},
        {"id": "rest", "user": "alice"}]})");
    Core::LeadRouter router;
    LeadSpec spec;
    spec.grade = QStringLiteral("A");
    spec.state = QStringLiteral("CA");
    auto hot = router.assign(store.db(), store.businessId(), f.lead(spec), kNow);
    LD_VERIFY_OK(hot);
    QCOMPARE(hot->userId, bob);
    QCOMPARE(hot->ruleId, QStringLiteral("hot"));
    QCOMPARE(hot->reason, QStringLiteral("routing_rule"));
    spec.grade = QStringLiteral("B");
    auto west = router.assign(store.db(), store.businessId(), f.lead(spec), kNow);
    LD_VERIFY_OK(west);
    QCOMPARE(west->userId, carol);
    QCOMPARE(west->ruleId, QStringLiteral("west"));
    spec.state = QStringLiteral("TX");
    auto rest = router.assign(store.db(), store.businessId(), f.lead(spec), kNow);
    LD_VERIFY_OK(rest);
    QCOMPARE(rest->userId, alice);
    QCOMPARE(rest->ruleId, QStringLiteral("rest"));
}

void tst_LeadRouter::eachConditionKindRoutes_data()
{
    QTest::addColumn<QByteArray>("when");
    QTest::addColumn<bool>("matches");
    QTest::addColumn<QString>("campaign"); // external id of the lead's campaign, "" for none
    QTest::addColumn<QString>("service");
    QTest::addColumn<QString>("grade");
    QTest::addColumn<int>("score");
    QTest::addColumn<QString>("state");
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QString>("source");
    const QString nc = QStringLiteral("nextcloud-installation-2025");
    const QString svc = QStringLiteral("Nextcloud Installation");
    const QString web = QStringLiteral("webform");
    const QString page = QStringLiteral("landing-page");
    const auto A = QStringLiteral("A");
    const auto CA = QStringLiteral("CA");
    QTest::newRow("campaign id") << QByteArray(R"({"campaign": "nextcloud-installation-2025"})")
                                 << true << nc << svc << A << 85 << CA << web << page;
    QTest::newRow("campaign name") << QByteArray(R"({"campaign": "Nextcloud Q4"})") << true << nc
                                   << svc << A << 85 << CA << web << page;
    QTest::newRow("campaign none") << QByteArray(R"({"campaign": "Nextcloud Q4"})") << false
                                   << QString() << svc << A << 85 << CA << web << page;
    QTest::newRow("service contains")
        << QByteArray(R"({"service_interest": {"contains": "INSTALL"}})") << true << nc << svc << A
        << 85 << CA << web << page;
    QTest::newRow("service equals")
        << QByteArray(R"({"service_interest": {"equals": "nextcloud"}})") << false << nc << svc << A
        << 85 << CA << web << page;
    QTest::newRow("grade") << QByteArray(R"({"grade": ["A", "B"]})") << true << nc << svc
                           << QStringLiteral("B") << 65 << CA << web << page;
    QTest::newRow("grade out") << QByteArray(R"({"grade": ["A"]})") << false << nc << svc
                               << QStringLiteral("C") << 45 << CA << web << page;
    QTest::newRow("score in") << QByteArray(R"({"score": {"min": 60, "max": 79}})") << true << nc
                              << svc << A << 79 << CA << web << page;
    QTest::newRow("score out") << QByteArray(R"({"score": {"min": 60, "max": 79}})") << false << nc
                               << svc << A << 80 << CA << web << page;
    QTest::newRow("state") << QByteArray(R"({"state": ["ca", "OR"]})") << true << nc << svc << A
                           << 85 << CA << web << page;
    QTest::newRow("state out") << QByteArray(R"({"state": ["OR"]})") << false << nc << svc << A
                               << 85 << CA << web << page;
    QTest::newRow("source channel")
        << QByteArray(R"({"source": ["thumbtack"]})") << true << nc << svc << A << 85 << CA
        << QStringLiteral("thumbtack") << QString();
    QTest::newRow("source label") << QByteArray(R"({"source": ["landing-page"]})") << true << nc
                                  << svc << A << 85 << CA << web << page;
    QTest::newRow("source out") << QByteArray(R"({"source": ["modal"]})") << false << nc << svc << A
                                << 85 << CA << web << page;
}

void tst_LeadRouter::eachConditionKindRoutes()
{
    QFETCH(QByteArray, when);
    QFETCH(bool, matches);
    QFETCH(QString, campaign);
    QFETCH(QString, service);
    QFETCH(QString, grade);
    QFETCH(int, score);
    QFETCH(QString, state);
    QFETCH(QString, channel);
    QFETCH(QString, source);
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"));
    const QString bob = f.user(QStringLiteral("bob"));
    f.rules(R"({"rules": [{"id": "r", "user": "alice", "when": )" + when
            + R"(}], "fallback": ["bob"]})");
    LeadSpec spec;
    if (!campaign.isEmpty())
        spec.campaignId = f.campaign(campaign, QStringLiteral("Nextcloud Q4"));
    spec.serviceInterest = service;
    spec.grade = grade;
    spec.score = score;
    spec.state = state;
    spec.channel = channel;
    spec.sourceLabel = source;
    Core::LeadRouter router;
    auto outcome = router.assign(store.db(), store.businessId(), f.lead(spec), kNow);
    LD_VERIFY_OK(outcome);
    QCOMPARE(outcome->userId, matches ? alice : bob);
    QCOMPARE(outcome->reason,
             matches ? QStringLiteral("routing_rule") : QStringLiteral("round_robin"));
}

void tst_LeadRouter::awayRepsAreSkipped()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"), QStringLiteral("rep"), true);
    const QString bob = f.user(QStringLiteral("bob"));
    const QString carol = f.user(QStringLiteral("carol"));
    Core::LeadRouter router;
    QHash<QString, int> counts;
    for (int i = 0; i < 10; ++i) {
        const QString lead = f.lead();
        auto outcome = router.assign(store.db(), store.businessId(), lead, kNow);
        LD_VERIFY_OK(outcome);
        ++counts[outcome->userId];
        if (i == 0) {
            // The first turn was alice's: she is passed over, and the activity says so.
            QCOMPARE(outcome->userId, bob);
            const auto [description, metadata] = f.activity(lead, QStringLiteral("assigned"));
            QCOMPARE(skippedUsers(metadata), QStringList{QStringLiteral("alice:away")});
            QVERIFY2(description.contains(QStringLiteral("skipped alice (away)")),
                     qPrintable(description));
        }
    }
    QCOMPARE(counts.value(alice), 0);
    QCOMPARE(counts.value(bob), 5);
    QCOMPARE(counts.value(carol), 5);
}

void tst_LeadRouter::repsOutsideTheirHoursAreSkipped()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    QSqlQuery zone(store.db().connection());
    QVERIFY(zone.exec(QStringLiteral("UPDATE businesses SET time_zone = 'America/New_York'")));
    const QString alice = f.user(QStringLiteral("alice"));
    const QString bob = f.user(QStringLiteral("bob"));
    // Alice works days, Bob evenings, both in New York time.
    f.rules(R"({"reps": {
        "alice": {"hours": {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]]}},
        "bob":   {"hours": {"mon": [["17:00", "23:00"]], "tue": [["17:00", "23:00"]]}}}})");
    Core::ManualClock clock(utcMs(2025, 10, 6, 14)); // Monday 10:00 in New York (EDT)
    Core::LeadRouter router;
    for (int i = 0; i < 3; ++i) {
        auto outcome = router.assign(store.db(), store.businessId(), f.lead(), clock.nowMs());
        LD_VERIFY_OK(outcome);
        QCOMPARE(outcome->userId, alice);
    }
    clock.advanceMs(8 * 3'600'000); // 18:00 in New York
    auto late = router.assign(store.db(), store.businessId(), f.lead(), clock.nowMs());
    LD_VERIFY_OK(late);
    QCOMPARE(late->userId, bob);
    // Alice's turn comes next, but she has gone home.
    const QString evening = f.lead();
    auto later = router.assign(store.db(), store.businessId(), evening, clock.nowMs());
    LD_VERIFY_OK(later);
    QCOMPARE(later->userId, bob);
    QCOMPARE(skippedUsers(f.activity(evening, QStringLiteral("assigned")).second),
             QStringList{QStringLiteral("alice:outside working hours")});
    clock.advanceMs(6 * 3'600'000); // Tuesday 00:00: nobody works
    const QString night = f.lead();
    auto nobody = router.assign(store.db(), store.businessId(), night, clock.nowMs());
    LD_VERIFY_OK(nobody);
    QVERIFY(!nobody->assigned);
    QCOMPARE(nobody->reason, QStringLiteral("nobody_available"));
    QCOMPARE(f.assigneeOf(night), QString());
    QCOMPARE(skippedUsers(f.activity(night, QStringLiteral("not_assigned")).second),
             (QStringList{QStringLiteral("alice:outside working hours"),
                          QStringLiteral("bob:outside working hours")}));
}

void tst_LeadRouter::capacityLimitsOpenLeads()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"));
    const QString bob = f.user(QStringLiteral("bob"));
    f.rules(R"({"rep_defaults": {"capacity": 3}, "reps": {"bob": {"capacity": null}}})");
    // Alice already holds two open leads and a closed one (closed leads do not count).
    LeadSpec held;
    held.assignedTo = alice;
    f.lead(held);
    const QString second = f.lead(held);
    held.status = QStringLiteral("closed_won");
    f.lead(held);

    Core::LeadRouter router;
    QHash<QString, int> counts;
    for (int i = 0; i < 6; ++i) {
        auto outcome = router.assign(store.db(), store.businessId(), f.lead(), kNow);
        LD_VERIFY_OK(outcome);
        ++counts[outcome->userId];
    }
    // One more reaches her limit of three; bob, unlimited, takes the rest.
    QCOMPARE(counts.value(alice), 1);
    QCOMPARE(counts.value(bob), 5);
    const QString full = f.lead();
    auto skipped = router.assign(store.db(), store.businessId(), full, kNow);
    LD_VERIFY_OK(skipped);
    QCOMPARE(skipped->userId, bob);
    QVERIFY(skippedUsers(f.activity(full, QStringLiteral("assigned")).second)
                .contains(QStringLiteral("alice:at capacity, 3 open leads")));

    // Closing one of her leads frees a place.
    QSqlQuery close(store.db().connection());
    QVERIFY(close.exec(
        QStringLiteral("UPDATE leads SET status = 'closed_lost' WHERE id = '%1'").arg(second)));
    auto freed = router.assign(store.db(), store.businessId(), f.lead(), kNow);
    LD_VERIFY_OK(freed);
    QCOMPARE(freed->userId, alice);
}

void tst_LeadRouter::campaignWithoutAutoAssignStaysUnassigned()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    f.user(QStringLiteral("alice"));
    LeadSpec spec;
    spec.campaignId
        = f.campaign(QStringLiteral("partner-referrals"), QStringLiteral("Partner referrals"),
                     false, QStringLiteral("alice"));
    const QString lead = f.lead(spec);
    Core::LeadRouter router;
    auto outcome = router.assign(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(outcome);
    QVERIFY(!outcome->assigned);
    QCOMPARE(outcome->reason, QStringLiteral("campaign_manual"));
    QCOMPARE(f.assigneeOf(lead), QString());
    const auto [description, metadata] = f.activity(lead, QStringLiteral("not_assigned"));
    QVERIFY2(description.contains(QStringLiteral("Partner referrals")), qPrintable(description));
    QCOMPARE(metadata.value(u"reason").toString(), QStringLiteral("campaign_manual"));
}

void tst_LeadRouter::campaignAssigneeComesFirst()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"));
    const QString bob = f.user(QStringLiteral("bob"), QStringLiteral("rep"), false,
                               QStringLiteral("sales@nexlink.website"));
    f.rules(R"({"rules": [{"id": "all", "user": "alice"}]})");
    Core::LeadRouter router;

    // By user name, by e-mail (seed 004's example) and by id: all beat the matching rule.
    for (const QString &reference :
         {QStringLiteral("BOB"), QStringLiteral("sales@nexlink.website"), bob}) {
        LeadSpec spec;
        spec.campaignId = f.campaign(QStringLiteral("c-") + reference, QStringLiteral("Campaign"),
                                     true, reference);
        const QString lead = f.lead(spec);
        auto outcome = router.assign(store.db(), store.businessId(), lead, kNow);
        LD_VERIFY_OK(outcome);
        QCOMPARE(outcome->userId, bob);
        QCOMPARE(outcome->reason, QStringLiteral("campaign_rule"));
        QCOMPARE(f.activity(lead, QStringLiteral("assigned")).second.value(u"reason").toString(),
                 QStringLiteral("campaign_rule"));
    }

    // When the campaign's rep is away, the rules decide, and the activity says why.
    QSqlQuery away(store.db().connection());
    QVERIFY(away.exec(QStringLiteral("UPDATE users SET away = 1 WHERE username = 'bob'")));
    LeadSpec spec;
    spec.campaignId
        = f.campaign(QStringLiteral("bobs"), QStringLiteral("Bob's"), true, QStringLiteral("bob"));
    const QString lead = f.lead(spec);
    auto outcome = router.assign(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(outcome);
    QCOMPARE(outcome->userId, alice);
    QCOMPARE(outcome->ruleId, QStringLiteral("all"));
    QCOMPARE(skippedUsers(f.activity(lead, QStringLiteral("assigned")).second),
             QStringList{QStringLiteral("bob:away")});

    // A campaign naming nobody we know: noted, then the rules.
    spec.campaignId = f.campaign(QStringLiteral("ghost"), QStringLiteral("Ghost"), true,
                                 QStringLiteral("ghost@example.com"));
    const QString ghost = f.lead(spec);
    auto routed = router.assign(store.db(), store.businessId(), ghost, kNow);
    LD_VERIFY_OK(routed);
    QCOMPARE(routed->userId, alice);
    QVERIFY(skippedUsers(f.activity(ghost, QStringLiteral("assigned")).second)
                .value(0)
                .startsWith(QStringLiteral("ghost@example.com:campaign's rep is not a user")));
}

void tst_LeadRouter::unavailableTargetFallsBackOrStays()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    f.user(QStringLiteral("alice"), QStringLiteral("rep"), true);
    const QString bob = f.user(QStringLiteral("bob"));
    f.rules(R"({"rules": [
        {"id": "vip", "when": {"grade": ["A"]}, "user": "alice", "if_unavailable": "unassigned"},
        {"id": "warm", "when": {"grade": ["B"]}, "user": "alice"}]})");
    Core::LeadRouter router;
    LeadSpec spec;
    spec.grade = QStringLiteral("B");
    auto warm = router.assign(store.db(), store.businessId(), f.lead(spec), kNow);
    LD_VERIFY_OK(warm);
    QCOMPARE(warm->userId, bob); // fell back to everyone
    QCOMPARE(warm->ruleId, QStringLiteral("warm"));
    QCOMPARE(warm->reason, QStringLiteral("round_robin"));

    spec.grade = QStringLiteral("A");
    const QString vip = f.lead(spec);
    auto waiting = router.assign(store.db(), store.businessId(), vip, kNow);
    LD_VERIFY_OK(waiting);
    QVERIFY(!waiting->assigned);
    QCOMPARE(f.assigneeOf(vip), QString());
    const auto [description, metadata] = f.activity(vip, QStringLiteral("not_assigned"));
    QCOMPARE(metadata.value(u"rule").toString(), QStringLiteral("vip"));
    QVERIFY2(description.contains(QStringLiteral("alice (away)")), qPrintable(description));
}

void tst_LeadRouter::nobodyAvailableLeavesTheLeadUnassigned()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    f.user(QStringLiteral("alice"), QStringLiteral("rep"), true);
    f.user(QStringLiteral("bob"), QStringLiteral("admin"), true);
    Core::LeadRouter router;
    const QString lead = f.lead();
    auto outcome = router.assign(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(outcome);
    QVERIFY(!outcome->assigned);
    QCOMPARE(outcome->reason, QStringLiteral("nobody_available"));
    QCOMPARE(outcome->skipped.size(), 2);
    const auto [description, metadata] = f.activity(lead, QStringLiteral("not_assigned"));
    QCOMPARE(description, outcome->activity);
    QVERIFY2(description.startsWith(QStringLiteral("Not assigned: nobody available")),
             qPrintable(description));
    QVERIFY(description.contains(QStringLiteral("alice (away), bob (away)")));
    QCOMPARE(metadata.value(u"reason").toString(), QStringLiteral("nobody_available"));

    // A fallback of "none" with no matching rule is a choice, not a shortage.
    f.rules(R"({"rules": [{"id": "only-a", "when": {"grade": ["A"]}, "user": "alice"}],
                "fallback": "none"})");
    const QString other = f.lead();
    auto none = router.assign(store.db(), store.businessId(), other, kNow);
    LD_VERIFY_OK(none);
    QCOMPARE(none->reason, QStringLiteral("no_target"));
    QVERIFY(f.activity(other, QStringLiteral("not_assigned"))
                .first.contains(QStringLiteral("no routing rule matched")));
}

void tst_LeadRouter::withoutAccountsLeadsStayUnassignedQuietly()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    Core::LeadRouter router;
    const QString lead = f.lead();
    auto outcome = router.assign(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(outcome);
    QVERIFY(!outcome->assigned);
    QCOMPARE(outcome->reason, QStringLiteral("no_users"));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("activities")), 0);

    // Once the business has an account, leads are routed (and explained) again.
    f.user(QStringLiteral("alice"));
    auto routed = router.assign(store.db(), store.businessId(), f.lead(), kNow);
    LD_VERIFY_OK(routed);
    QVERIFY(routed->assigned);
}

void tst_LeadRouter::rolesLimitTheEveryonePool()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    f.user(QStringLiteral("olivia"), QStringLiteral("owner"));
    const QString rep = f.user(QStringLiteral("randy"));
    f.rules(R"({"roles": ["rep"]})");
    Core::LeadRouter router;
    for (int i = 0; i < 4; ++i) {
        auto outcome = router.assign(store.db(), store.businessId(), f.lead(), kNow);
        LD_VERIFY_OK(outcome);
        QCOMPARE(outcome->userId, rep);
    }
}

void tst_LeadRouter::cursorSurvivesReopeningTheStore()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("leaddesk.sqlite"));
    QString businessId;
    QStringList leads;
    QStringList order;
    {
        auto db = Core::Database::open(path);
        LD_VERIFY_OK(db);
        auto business = Core::BusinessRepository(**db).ensurePrimary(QStringLiteral("Reopen"));
        LD_VERIFY_OK(business);
        businessId = business->id;
        Fixture f(**db, businessId);
        f.user(QStringLiteral("alice"));
        f.user(QStringLiteral("bob"));
        f.user(QStringLiteral("carol"));
        for (int i = 0; i < 5; ++i)
            leads.append(f.lead());
        Core::LeadRouter router;
        for (int i = 0; i < 2; ++i) {
            auto outcome = router.assign(**db, businessId, leads.at(i), kNow);
            LD_VERIFY_OK(outcome);
            order.append(outcome->userName);
        }
    }
    QCOMPARE(order, (QStringList{QStringLiteral("alice"), QStringLiteral("bob")}));
    {
        // A new process: new connection, new router. The rotation continues with carol.
        auto db = Core::Database::open(path);
        LD_VERIFY_OK(db);
        Core::LeadRouter router;
        for (int i = 2; i < 5; ++i) {
            auto outcome = router.assign(**db, businessId, leads.at(i), kNow);
            LD_VERIFY_OK(outcome);
            order.append(outcome->userName);
        }
    }
    QCOMPARE(order,
             (QStringList{QStringLiteral("alice"), QStringLiteral("bob"), QStringLiteral("carol"),
                          QStringLiteral("alice"), QStringLiteral("bob")}));
}

void tst_LeadRouter::assignmentActivityExplainsTheDecision()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"), QStringLiteral("rep"), true);
    const QString bob = f.user(QStringLiteral("bob"));
    f.rules(R"({"rules": [{"id": "nextcloud", "when": {"campaign": "nextcloud-installation-2025"},
                           "team": ["alice", "bob"]}]})");
    LeadSpec spec;
    spec.campaignId = f.campaign(QStringLiteral("nextcloud-installation-2025"),
                                 QStringLiteral("Nextcloud Installation"));
    const QString lead = f.lead(spec);
    Core::LeadRouter router;
    auto outcome = router.assign(store.db(), store.businessId(), lead, kNow + 5);
    LD_VERIFY_OK(outcome);
    QCOMPARE(outcome->userId, bob);

    QCOMPARE(f.assigneeOf(lead), bob);
    QCOMPARE(f.scalar(QStringLiteral("SELECT updated_at FROM leads WHERE id = ?"), {lead}),
             QString::number(kNow + 5));
    QVERIFY(f.scalar(QStringLiteral("SELECT hlc FROM leads WHERE id = ?"), {lead}).toLongLong()
            > 0);
    const auto [description, metadata] = f.activity(lead, QStringLiteral("assigned"));
    QCOMPARE(description, QStringLiteral("Assigned to Bob (bob): rule \"nextcloud\" (team alice, "
                                         "bob); skipped alice (away)"));
    QCOMPARE(metadata.value(u"reason").toString(), QStringLiteral("routing_rule"));
    QCOMPARE(metadata.value(u"rule").toString(), QStringLiteral("nextcloud"));
    QCOMPARE(metadata.value(u"pool").toString(), QStringLiteral("team alice, bob"));
    QCOMPARE(metadata.value(u"to").toString(), QStringLiteral("bob"));
    QCOMPARE(metadata.value(u"to_user_id").toString(), bob);
    QCOMPARE(metadata.value(u"campaign").toString(), QStringLiteral("nextcloud-installation-2025"));
    QCOMPARE(skippedUsers(metadata), QStringList{QStringLiteral("alice:away")});
    QCOMPARE(
        f.scalar(QStringLiteral("SELECT contact_id FROM activities WHERE lead_id = ?"), {lead}),
        f.contactId());
}

void tst_LeadRouter::assignedLeadsAreLeftAlone()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"));
    const QString bob = f.user(QStringLiteral("bob"));
    LeadSpec spec;
    spec.assignedTo = bob;
    const QString lead = f.lead(spec);
    Core::LeadRouter router;
    auto outcome = router.assign(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(outcome);
    QVERIFY(!outcome->assigned);
    QCOMPARE(outcome->reason, QStringLiteral("already_assigned"));
    QCOMPARE(f.assigneeOf(lead), bob);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("activities")), 0);
    QVERIFY(!router.assign(store.db(), store.businessId(), QStringLiteral("no-such-lead"), kNow));
}

void tst_LeadRouter::invalidStoredRulesDoNotLoseTheLead()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    f.user(QStringLiteral("alice"));
    f.rules(R"({"rules": [{"id": "broken", "team": []}]})");
    const QString lead = f.lead();
    Core::LeadRouter router;
    auto outcome = router.assign(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(outcome);
    QVERIFY(!outcome->assigned);
    QCOMPARE(outcome->reason, QStringLiteral("invalid_rules"));
    QVERIFY2(f.activity(lead, QStringLiteral("not_assigned"))
                 .first.contains(QStringLiteral("rules[0].team")),
             qPrintable(outcome->activity));

    // Fixed rules are picked up at once (the cache follows the stored text).
    f.rules(R"({"rules": []})");
    auto fixed = router.assign(store.db(), store.businessId(), f.lead(), kNow);
    LD_VERIFY_OK(fixed);
    QVERIFY(fixed->assigned);
}

void tst_LeadRouter::reassignsAfterFirstResponseBreach()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"));
    const QString bob = f.user(QStringLiteral("bob"));
    const QString carol = f.user(QStringLiteral("carol"), QStringLiteral("rep"), true);
    f.rules(R"({"reassign_on_breach": true})");
    Core::LeadRouter router;
    const QString lead = f.lead();
    auto first = router.assign(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(first);
    QCOMPARE(first->userId, alice);

    auto moved = router.reassignAfterBreach(store.db(), store.businessId(), lead, kNow + 3'600'000);
    LD_VERIFY_OK(moved);
    QVERIFY(moved->assigned);
    QCOMPARE(moved->userId, bob);
    QCOMPARE(moved->previousUserId, alice);
    QCOMPARE(moved->reason, QStringLiteral("sla_breach"));
    QCOMPARE(f.assigneeOf(lead), bob);
    const auto [description, metadata] = f.activity(lead, QStringLiteral("assigned"));
    QVERIFY2(description.startsWith(
                 QStringLiteral("Reassigned from Alice (alice) to Bob (bob): first-response SLA "
                                "breached")),
             qPrintable(description));
    QCOMPARE(metadata.value(u"reason").toString(), QStringLiteral("sla_breach"));
    QCOMPARE(metadata.value(u"from").toString(), QStringLiteral("alice"));

    // Next breach: alice is the only other one available (carol is away); then alone, nobody.
    auto back = router.reassignAfterBreach(store.db(), store.businessId(), lead, kNow + 7'200'000);
    LD_VERIFY_OK(back);
    QCOMPARE(back->userId, alice);
    QSqlQuery away(store.db().connection());
    QVERIFY(away.exec(QStringLiteral("UPDATE users SET away = 1 WHERE username = 'bob'")));
    auto stuck = router.reassignAfterBreach(store.db(), store.businessId(), lead, kNow + 9'000'000);
    LD_VERIFY_OK(stuck);
    QVERIFY(!stuck->assigned);
    QCOMPARE(f.assigneeOf(lead), alice); // keeps its assignee
    const auto [why, meta] = f.activity(lead, QStringLiteral("not_reassigned"));
    QVERIFY2(why.startsWith(QStringLiteral("First-response SLA breached, but no other rep is "
                                           "available")),
             qPrintable(why));
    QCOMPARE(skippedUsers(meta),
             (QStringList{QStringLiteral("bob:away"), QStringLiteral("carol:away"),
                          QStringLiteral("alice:current assignee")}));
    Q_UNUSED(carol);
}

void tst_LeadRouter::reassignmentHonoursTheSwitchAndTheLeadsState()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"));
    f.user(QStringLiteral("bob"));
    LeadSpec spec;
    spec.assignedTo = alice;
    const QString lead = f.lead(spec);
    Core::LeadRouter router;

    // Off by default.
    auto off = router.reassignAfterBreach(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(off);
    QVERIFY(!off->assigned);
    QCOMPARE(off->reason, QStringLiteral("reassign_off"));
    QCOMPARE(f.assigneeOf(lead), alice);

    f.rules(R"({"reassign_on_breach": true})");
    QSqlQuery update(store.db().connection());
    QVERIFY(update.exec(
        QStringLiteral("UPDATE leads SET first_response_at = 1 WHERE id = '%1'").arg(lead)));
    auto answered = router.reassignAfterBreach(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(answered);
    QCOMPARE(answered->reason, QStringLiteral("responded"));
    QVERIFY(update.exec(
        QStringLiteral("UPDATE leads SET first_response_at = NULL, status = 'closed_lost' "
                       "WHERE id = '%1'")
            .arg(lead)));
    auto closed = router.reassignAfterBreach(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(closed);
    QCOMPARE(closed->reason, QStringLiteral("closed"));
    QCOMPARE(f.assigneeOf(lead), alice);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("activities")), 0);
}

void tst_LeadRouter::ingestorStageRoutesNewLeads()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    const QString alice = f.user(QStringLiteral("alice"));
    const QString bob = f.user(QStringLiteral("bob"));
    f.rules(R"({"rules": [{"id": "nextcloud", "when": {"campaign": "nextcloud-installation-2025",
                           "service_interest": {"contains": "nextcloud"}}, "user": "bob"}]})");
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    ingestor.addAfterStore(Core::LeadRouter::afterStoreStage());

    Core::LeadRecord record;
    record.channel = QStringLiteral("webform");
    record.firstName = QStringLiteral("John");
    record.lastName = QStringLiteral("Doe");
    record.email = QStringLiteral("john.doe@company.com");
    record.campaignRef = QStringLiteral("nextcloud-installation-2025");
    record.serviceInterest = QStringLiteral("Nextcloud Installation");
    record.createdAtMs = clock.nowMs();
    auto stored = ingestor.store(store.businessId(), record);
    LD_VERIFY_OK(stored);
    QCOMPARE(f.assigneeOf(stored->leadId), bob);
    QCOMPARE(
        f.activity(stored->leadId, QStringLiteral("assigned")).second.value(u"rule").toString(),
        QStringLiteral("nextcloud"));

    // The same form again within 24 hours is a duplicate: not routed a second time.
    auto duplicate = ingestor.store(store.businessId(), record);
    LD_VERIFY_OK(duplicate);
    QCOMPARE(duplicate->outcome, Core::LeadIngestor::Outcome::Duplicate);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("activities"),
                             QStringLiteral("activity_type = 'assigned'")),
             1);

    // A lead that arrives with its assignee keeps it.
    Core::LeadRecord mine = record;
    mine.email = QStringLiteral("jane@company.com");
    mine.campaignRef.clear();
    mine.assignedTo = alice;
    auto kept = ingestor.store(store.businessId(), mine);
    LD_VERIFY_OK(kept);
    QCOMPARE(f.assigneeOf(kept->leadId), alice);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("activities"),
                             QStringLiteral("activity_type = 'assigned'")),
             1);
}

void tst_LeadRouter::assignmentInsideACallersTransactionRollsBackWithIt()
{
    Test::TempStore store;
    Fixture f(store.db(), store.businessId());
    f.user(QStringLiteral("alice"));
    f.user(QStringLiteral("bob"));
    const QString lead = f.lead();
    Core::LeadRouter router;
    {
        Core::Transaction transaction(store.db());
        auto outcome = router.assign(store.db(), store.businessId(), lead, kNow);
        LD_VERIFY_OK(outcome);
        QVERIFY(outcome->assigned);
        // Not committed: the assignment, its activity and the cursor all roll back.
    }
    QCOMPARE(f.assigneeOf(lead), QString());
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("activities")), 0);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("routing_cursors")), 0);
    auto again = router.assign(store.db(), store.businessId(), lead, kNow);
    LD_VERIFY_OK(again);
    QCOMPARE(again->userName, QStringLiteral("alice"));
}

QTEST_GUILESS_MAIN(tst_LeadRouter)
#include "tst_leadrouter.moc"
