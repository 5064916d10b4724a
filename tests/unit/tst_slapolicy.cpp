#include "settingsrepository.h"
#include "slaconfig.h"
#include "slapolicy.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk::Core;

namespace {
constexpr qint64 kMinute = 60 * 1000;
}

class tst_SlaPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultDocumentMatchesBySourceAndGrade_data();
    void defaultDocumentMatchesBySourceAndGrade();
    void nextResponseFallsBackToTheDefault();
    void escalationSettings();
    void roundTripsThroughJson();
    void errorsNameThePath_data();
    void errorsNameThePath();
    void loadsStoredOrDefault();
    void configClockTimes();
};

void tst_SlaPolicy::defaultDocumentMatchesBySourceAndGrade_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QString>("grade");
    QTest::addColumn<QString>("policy");
    QTest::addColumn<int>("firstMinutes");
    QTest::addColumn<int>("nextMinutes");
    // The first matching policy wins: an A-grade Thumbtack lead is a hot lead.
    QTest::newRow("A webform") << "webform"
                               << "A"
                               << "hot-leads" << 15 << 60;
    QTest::newRow("A thumbtack") << "thumbtack"
                                 << "A"
                                 << "hot-leads" << 15 << 60;
    QTest::newRow("C whatsapp") << "whatsapp"
                                << "C"
                                << "messaging" << 30 << 120;
    QTest::newRow("D sms") << "sms"
                           << "D"
                           << "messaging" << 30 << 120;
    QTest::newRow("C thumbtack") << "thumbtack"
                                 << "C"
                                 << "marketplace" << 60 << 240;
    QTest::newRow("B webform") << "webform"
                               << "B"
                               << "forms" << 60 << 240;
    QTest::newRow("C webform") << "webform"
                               << "C"
                               << "default" << 240 << 480;
    QTest::newRow("D csv") << "csv"
                           << "D"
                           << "default" << 240 << 480;
    QTest::newRow("unknown channel") << "fax"
                                     << "B"
                                     << "default" << 240 << 480;
}

void tst_SlaPolicy::defaultDocumentMatchesBySourceAndGrade()
{
    QFETCH(QString, channel);
    QFETCH(QString, grade);
    QFETCH(QString, policy);
    QFETCH(int, firstMinutes);
    QFETCH(int, nextMinutes);
    auto loaded = SlaPolicy::loadDefault();
    LD_VERIFY_OK(loaded);
    const SlaTarget &target = loaded->match(channel, grade);
    QCOMPARE(target.id, policy);
    QCOMPARE(target.firstResponseMs, firstMinutes * kMinute);
    QCOMPARE(target.nextResponseMs, nextMinutes * kMinute);
    QCOMPARE(loaded->atRiskPercent(), 75);
    QCOMPARE(loaded->atRiskMs(40 * kMinute), 30 * kMinute);
}

void tst_SlaPolicy::nextResponseFallsBackToTheDefault()
{
    auto policy = SlaPolicy::parse(R"({"version":1,
        "default":{"first_response_minutes":120,"next_response_minutes":300},
        "policies":[{"id":"vip","grades":["A"],"sources":["webform","chatbot"],"first_response_minutes":5}]})");
    LD_VERIFY_OK(policy);
    QCOMPARE(policy->match(QStringLiteral("chatbot"), QStringLiteral("A")).firstResponseMs,
             5 * kMinute);
    QCOMPARE(policy->match(QStringLiteral("chatbot"), QStringLiteral("A")).nextResponseMs,
             300 * kMinute);
    // Both lists must match.
    QCOMPARE(policy->match(QStringLiteral("sms"), QStringLiteral("A")).id,
             QStringLiteral("default"));
    QCOMPARE(policy->match(QStringLiteral("webform"), QStringLiteral("B")).id,
             QStringLiteral("default"));
    QCOMPARE(policy->fallback().firstResponseMs, 120 * kMinute);
    // Defaults for everything optional.
    QCOMPARE(policy->atRiskPercent(), 75);
    QVERIFY(policy->escalation().enabled);
    QCOMPARE(policy->escalation().windowHours, 24);
}

void tst_SlaPolicy::escalationSettings()
{
    auto policy = SlaPolicy::parse(R"({"version":1,"at_risk_percent":50,
        "default":{"first_response_minutes":60,"next_response_minutes":60},
        "escalation":{"enabled":true,"window_hours":8,"breach_rate_threshold":0.3,"min_leads":5,
                      "manager":{"name":"Dana Whitfield","email":"dana@example.com"},
                      "booking_url":"https://book.example.com/pro-services"}})");
    LD_VERIFY_OK(policy);
    const SlaEscalation &escalation = policy->escalation();
    QCOMPARE(escalation.windowHours, 8);
    QCOMPARE(escalation.breachRateThreshold, 0.3);
    QCOMPARE(escalation.minLeads, 5);
    QCOMPARE(escalation.managerName, QStringLiteral("Dana Whitfield"));
    QCOMPARE(escalation.managerEmail, QStringLiteral("dana@example.com"));
    QCOMPARE(escalation.bookingUrl, QStringLiteral("https://book.example.com/pro-services"));
    QCOMPARE(policy->atRiskMs(60 * kMinute), 30 * kMinute);
}

void tst_SlaPolicy::roundTripsThroughJson()
{
    auto policy = SlaPolicy::loadDefault();
    LD_VERIFY_OK(policy);
    auto again = SlaPolicy::fromJson(policy->toJson());
    LD_VERIFY_OK(again);
    QCOMPARE(again->toJson(), policy->toJson());
    QCOMPARE(again->rules().size(), 4);
    QCOMPARE(again->match(QStringLiteral("whatsapp"), QStringLiteral("C")).id,
             QStringLiteral("messaging"));
}

void tst_SlaPolicy::errorsNameThePath_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("field");
    const QByteArray base
        = R"("version":1,"default":{"first_response_minutes":60,"next_response_minutes":60})";
    QTest::newRow("unknown key") << ("{" + base + R"(,"targets":[]})") << "targets";
    QTest::newRow("no version") << QByteArray(
        R"({"default":{"first_response_minutes":1,"next_response_minutes":1}})")
                                << "version";
    QTest::newRow("no default") << QByteArray(R"({"version":1})") << "default";
    QTest::newRow("default first missing")
        << QByteArray(R"({"version":1,"default":{"next_response_minutes":60}})")
        << "default.first_response_minutes";
    QTest::newRow("default next missing")
        << QByteArray(R"({"version":1,"default":{"first_response_minutes":60}})")
        << "default.next_response_minutes";
    QTest::newRow("zero minutes") << ("{" + base
                                      + R"(,"policies":[{"id":"a","first_response_minutes":0}]})")
                                  << "policies[0].first_response_minutes";
    QTest::newRow("fractional minutes")
        << ("{" + base + R"(,"policies":[{"id":"a","first_response_minutes":2.5}]})")
        << "policies[0].first_response_minutes";
    QTest::newRow("bad source")
        << ("{" + base
            + R"(,"policies":[{"id":"a","first_response_minutes":5},{"id":"b","sources":["sms","fax"],"first_response_minutes":5}]})")
        << "policies[1].sources[1]";
    QTest::newRow("bad grade")
        << ("{" + base + R"(,"policies":[{"id":"a","grades":["E"],"first_response_minutes":5}]})")
        << "policies[0].grades[0]";
    QTest::newRow("empty grades")
        << ("{" + base + R"(,"policies":[{"id":"a","grades":[],"first_response_minutes":5}]})")
        << "policies[0].grades";
    QTest::newRow("duplicate id")
        << ("{" + base
            + R"(,"policies":[{"id":"a","first_response_minutes":5},{"id":"a","first_response_minutes":6}]})")
        << "policies[1].id";
    QTest::newRow("no id") << ("{" + base + R"(,"policies":[{"first_response_minutes":5}]})")
                           << "policies[0].id";
    QTest::newRow("policy unknown key")
        << ("{" + base + R"(,"policies":[{"id":"a","first_response_minutes":5,"channel":"sms"}]})")
        << "policies[0].channel";
    QTest::newRow("at risk 100") << ("{" + base + R"(,"at_risk_percent":100})")
                                 << "at_risk_percent";
    QTest::newRow("threshold") << ("{" + base + R"(,"escalation":{"breach_rate_threshold":1.5}})")
                               << "escalation.breach_rate_threshold";
    QTest::newRow("booking url") << ("{" + base + R"(,"escalation":{"booking_url":"ftp://files"}})")
                                 << "escalation.booking_url";
    QTest::newRow("manager email")
        << ("{" + base + R"(,"escalation":{"manager":{"name":"Dana","email":"dana"}}})")
        << "escalation.manager.email";
    QTest::newRow("window") << ("{" + base + R"(,"escalation":{"window_hours":0}})")
                            << "escalation.window_hours";
    QTest::newRow("min leads") << ("{" + base + R"(,"escalation":{"min_leads":"ten"}})")
                               << "escalation.min_leads";
    QTest::newRow("enabled") << ("{" + base + R"(,"escalation":{"enabled":"yes"}})")
                             << "escalation.enabled";
}

void tst_SlaPolicy::errorsNameThePath()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, field);
    const auto policy = SlaPolicy::parse(document);
    QVERIFY(!policy);
    QCOMPARE(policy.error().field, field);
    QVERIFY(!policy.error().message.isEmpty());
    QVERIFY(!SlaPolicy::parse("{\"version\":1,"));
    QVERIFY(!SlaPolicy::parse("[]"));
}

void tst_SlaPolicy::loadsStoredOrDefault()
{
    LeadDesk::Test::TempStore store;
    QVERIFY(store.isValid());
    auto fallback = SlaPolicy::load(store.db(), store.businessId());
    LD_VERIFY_OK(fallback);
    QCOMPARE(fallback->rules().size(), 4);
    SettingsRepository settings(store.db());
    const QString key = QString::fromLatin1(SettingsRepository::kSlaPolicy);
    LD_VERIFY_OK(settings.setValue(
        store.businessId(), key,
        R"({"version":1,"default":{"first_response_minutes":10,"next_response_minutes":20}})", 0));
    auto stored = SlaPolicy::load(store.db(), store.businessId());
    LD_VERIFY_OK(stored);
    QVERIFY(stored->rules().isEmpty());
    QCOMPARE(stored->fallback().firstResponseMs, 10 * kMinute);
    LD_VERIFY_OK(settings.setValue(store.businessId(), key, R"({"version":1})", 0));
    auto broken = SlaPolicy::load(store.db(), store.businessId());
    QVERIFY(!broken);
    QVERIFY(broken.error().message.startsWith(QStringLiteral("SLA policy: ")));
    QCOMPARE(broken.error().field, QStringLiteral("default"));
    auto config = SlaConfig::load(store.db(), store.businessId());
    QVERIFY(!config);
}

void tst_SlaPolicy::configClockTimes()
{
    LeadDesk::Test::TempStore store;
    QSqlQuery query(store.db().connection());
    QVERIFY(query.exec(QStringLiteral("UPDATE businesses SET time_zone = 'America/New_York'")));
    auto config = SlaConfig::load(store.db(), store.businessId());
    LD_VERIFY_OK(config);
    // Friday 2025-06-13 16:00 EDT, four business hours: due Monday 12:00, at risk (3 h) at 11:00.
    const qint64 friday = QDateTime(QDate(2025, 6, 13), QTime(16, 0),
                                    QTimeZone(QByteArrayLiteral("America/New_York")))
                              .toMSecsSinceEpoch();
    const auto times = config->clockTimes(friday, 240 * kMinute);
    QVERIFY(times.dueAt && times.atRiskAt);
    QCOMPARE(*times.dueAt, friday + (3 * 24 - 4) * 60 * kMinute);
    QCOMPARE(*times.atRiskAt, friday + (3 * 24 - 5) * 60 * kMinute);
    // Never open: no due time at all.
    LD_VERIFY_OK(SettingsRepository(store.db())
                     .setValue(store.businessId(),
                               QString::fromLatin1(SettingsRepository::kBusinessHours),
                               R"({"weekly":{}})", 0));
    auto closed = SlaConfig::load(store.db(), store.businessId());
    LD_VERIFY_OK(closed);
    const auto never = closed->clockTimes(friday, 240 * kMinute);
    QVERIFY(!never.dueAt);
    QVERIFY(!never.atRiskAt);
}

QTEST_GUILESS_MAIN(tst_SlaPolicy)
#include "tst_slapolicy.moc"
