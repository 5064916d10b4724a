// Runs the real `leaddeskctl report` on a small store built here, as a user would.
#include "abtests.h"
#include "businessrepository.h"
#include "database.h"
#include "engine.h"
#include "settingsrepository.h"
#include "slaclock.h"
#include "slaconfig.h"
#include "testsupport.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QTimeZone>

using namespace LeadDesk;
using Test::exec;

namespace {

constexpr qint64 kMinute = 60'000;

qint64 newYork(int y, int m, int d, int h, int min = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min), QTimeZone("America/New_York"))
        .toMSecsSinceEpoch();
}

// The lines of stderr that are not log output.
QStringList errorLines(const QString &err)
{
    QStringList lines;
    for (const QString &line : err.split(u'\n')) {
        if (line.startsWith(QLatin1String("leaddeskctl:")))
            lines << line;
    }
    return lines;
}

} // namespace

class tst_CtlReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void jsonForAPeriod();
    void textForAPeriod();
    void sourceOption();
    void defaultPeriodIsTheLast30Days();
    void emptyStore();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();

private:
    Test::CtlRun ctl(const QStringList &args) { return Test::runCtl(m_dir.path(), args); }
    QJsonObject json(const QStringList &args);
    QTemporaryDir m_dir;
};

void tst_CtlReport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    auto opened = Core::Database::open(Sync::Engine::storePath(m_dir.path()));
    LD_VERIFY_OK(opened);
    Core::Database &db = **opened;
    auto business = Core::BusinessRepository(db).ensurePrimary();
    LD_VERIFY_OK(business);
    const QString b = business->id;
    QVERIFY(exec(db, QStringLiteral("UPDATE businesses SET time_zone = 'America/New_York'")));
    QVERIFY(exec(db,
                 QStringLiteral("INSERT INTO campaigns (id, business_id, external_id, name, "
                                "budget_cents, created_at, updated_at) VALUES "
                                "('cmp', ?, 'spring-promo', 'Spring promo', 10000, 0, 0)"),
                 {b}));
    struct Row
    {
        const char *id, *channel;
        qint64 created;
        const char *status, *grade, *qualification;
        int score;
        qint64 responseMinutes;
        qint64 valueCents;
        const char *campaign;
    };
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const Row rows[] = {
        {"r1", "webform", newYork(2025, 10, 2, 10), "contacted", "B", "sales_qualified", 70, 15, -1,
         "cmp"},
        {"r2", "sms", newYork(2025, 10, 3, 12), "new", "D", "unqualified", 20, -1, -1, nullptr},
        {"r3", "sms", newYork(2025, 10, 10, 9), "closed_won", "A", "sales_qualified", 85, 45, 50000,
         nullptr},
        // 23:30 on Oct 14 in New York: Oct 15 in UTC, still inside --to 2025-10-14.
        {"r4", "whatsapp", newYork(2025, 10, 14, 23, 30), "qualified", "C", "marketing_qualified",
         50, 5, -1, nullptr},
        {"r5", "webform", now - 60 * kMinute, "new", "D", "unqualified", 10, -1, -1, nullptr},
        {"r6", "csv", now - 60LL * 24 * 60 * kMinute, "new", "D", "unqualified", 10, -1, -1,
         nullptr},
    };
    for (const Row &r : rows) {
        const QString contact = QStringLiteral("c-") + QLatin1String(r.id);
        QVERIFY(
            exec(db,
                 QStringLiteral("INSERT INTO contacts (id, business_id, created_at, updated_at) "
                                "VALUES (?, ?, 0, 0)"),
                 {contact, b}));
        QVERIFY(exec(db,
                     QStringLiteral("INSERT INTO lead_scores (lead_id, tenant, lead_grade, "
                                    "qualification_status, lead_score) VALUES (?, "
                                    "(SELECT tenant FROM tenants WHERE business_id = ?), ?, ?, ?)"),
                     {QLatin1String(r.id), b, QLatin1String(r.grade),
                      QLatin1String(r.qualification), r.score}));
        QVERIFY(exec(
            db,
            QStringLiteral("INSERT INTO leads (id, business_id, contact_id, channel, "
                           "created_at, updated_at, status, first_response_at, "
                           "value_cents, campaign_id, source_label, utm_content, "
                           "waiting_on) VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, "
                           "'business')"),
            {QLatin1String(r.id), b, contact, QLatin1String(r.channel), r.created,
             QLatin1String(r.status),
             r.responseMinutes < 0 ? QVariant() : QVariant(r.created + r.responseMinutes * kMinute),
             r.valueCents < 0 ? QVariant() : QVariant(r.valueCents),
             r.campaign ? QVariant(QLatin1String(r.campaign)) : QVariant(),
             r.campaign ? QVariant(QStringLiteral("landing-page")) : QVariant(),
             r.campaign ? QVariant(QStringLiteral("ad-a")) : QVariant()}));
    }
    // The SLA columns, as the engine's start-up backfill computes them: r2 (never answered) and
    // r6 breached their first-response target.
    auto config = Core::SlaConfig::load(db, b);
    LD_VERIFY_OK(config);
    LD_VERIFY_OK(Core::SlaClock::recomputeAll(db, b, *config, now));

    // An A/B test with 10 subjects per variant; A converts 2, B 6.
    LD_VERIFY_OK(Core::SettingsRepository(db).setValue(
        b, QString::fromLatin1(Core::SettingsRepository::kAbTests),
        R"({"version": 1, "min_samples": 5, "tests": [{"name": "greeting_message",
            "control": "A", "variants": [{"name": "A", "weight": 50}, {"name": "B", "weight": 50}],
            "goals": ["demo_request"]}]})",
        0));
    int perVariant[2] = {0, 0};
    int converted[2] = {0, 0};
    for (int i = 0; perVariant[0] < 10 || perVariant[1] < 10; ++i) {
        const QString subject = QStringLiteral("session-%1").arg(i);
        auto definitions = Core::AbTestDefinitions::forBusiness(db, b);
        LD_VERIFY_OK(definitions);
        const int arm
            = definitions->test(QStringLiteral("greeting_message"))->variantFor(subject).name
                      == QLatin1String("A")
                  ? 0
                  : 1;
        if (perVariant[arm] >= 10)
            continue;
        ++perVariant[arm];
        LD_VERIFY_OK(
            Core::AbTests::variantFor(db, b, QStringLiteral("greeting_message"), subject, now));
        if (converted[arm] < (arm == 0 ? 2 : 6)) {
            ++converted[arm];
            LD_VERIFY_OK(Core::AbTests::recordConversion(db, b, QStringLiteral("greeting_message"),
                                                         subject, QStringLiteral("demo_request"),
                                                         std::nullopt, now));
        }
    }
}

QJsonObject tst_CtlReport::json(const QStringList &args)
{
    const Test::CtlRun run
        = ctl(QStringList{QStringLiteral("report"), QStringLiteral("--json")} + args);
    if (run.exitCode != 0) {
        qWarning("report failed (%d): %s", run.exitCode, qPrintable(run.err));
        return {};
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(run.out.toUtf8(), &error);
    if (error.error != QJsonParseError::NoError)
        qWarning("not JSON: %s", qPrintable(error.errorString()));
    return document.object();
}

void tst_CtlReport::jsonForAPeriod()
{
    const QJsonObject r = json({QStringLiteral("--from"), QStringLiteral("2025-10-01"),
                                QStringLiteral("--to"), QStringLiteral("2025-10-14")});
    QVERIFY(!r.isEmpty());
    QCOMPARE(r[u"business"][u"time_zone"].toString(), QStringLiteral("America/New_York"));
    QCOMPARE(r[u"period"][u"start"].toString(), QStringLiteral("2025-10-01"));
    QCOMPARE(r[u"period"][u"end"].toString(), QStringLiteral("2025-10-14"));
    QCOMPARE(r[u"period"][u"days"].toInt(), 14);
    QVERIFY(r[u"source"].isNull());
    // r1..r4; r4 is 23:30 local on the last day.
    QCOMPARE(r[u"leads"][u"total"].toInt(), 4);
    QCOMPARE(r[u"leads"][u"by_source"][u"sms"].toInt(), 2);
    QCOMPARE(r[u"leads"][u"by_day"].toArray().size(), 14);
    QCOMPARE(r[u"leads"][u"by_day"][13][u"leads"].toInt(), 1);
    // new 1, contacted 1, qualified 1, won 1: reached 4, 3, 2, 1, 1.
    const QJsonArray stages = r[u"funnel"][u"stages"].toArray();
    QCOMPARE(stages.size(), 5);
    QCOMPARE(stages[1][u"reached"].toInt(), 3);
    QCOMPARE(stages[1][u"conversion"].toDouble(), 0.75);
    QCOMPARE(stages[2][u"reached"].toInt(), 2);
    QCOMPARE(r[u"funnel"][u"revenue_won"].toDouble(), 500.0);
    QCOMPARE(r[u"scores"][u"average"].toDouble(), 56.3); // (70 + 20 + 85 + 50) / 4 = 56.25
    // Answered after 5, 15 and 45 minutes: median 15, p90 15 + 0.8 * 30 = 39.
    QCOMPARE(r[u"first_response"][u"overall"][u"median_ms"].toInteger(), 15 * kMinute);
    QCOMPARE(r[u"first_response"][u"overall"][u"p90_ms"].toInteger(), 39 * kMinute);
    QCOMPARE(r[u"conversations"][u"waiting_on_business"].toInt(), 3); // r3 is closed
    const QJsonObject campaign = r[u"campaigns"][0][u"analytics"].toObject();
    QCOMPARE(campaign[u"campaign_id"].toString(), QStringLiteral("spring-promo"));
    QCOMPARE(campaign[u"metrics"][u"total_leads"].toInt(), 1);
    QCOMPARE(campaign[u"metrics"][u"conversion_rate"].toDouble(), 1.0);
    QCOMPARE(campaign[u"metrics"][u"cost_per_lead"].toDouble(), 100.0);
    QCOMPARE(campaign[u"lead_sources"][u"landing-page"].toInt(), 1);
    // Business-hours SLA of r1..r4: r1 (webform) answered in 15 min and r4 (whatsapp) in time;
    // r3 (sms, grade A) took 45 min, past its target, and r2 (sms) never answered: breached.
    const QJsonObject sla = r[u"sla"].toObject();
    QVERIFY2(!sla.isEmpty(), qPrintable(QJsonDocument(r).toJson()));
    QCOMPARE(sla[u"overall"][u"leads"].toInt(), 4);
    QCOMPARE(sla[u"overall"][u"responded"].toInt(), 3);
    QCOMPARE(sla[u"overall"][u"breached"].toInt(), 2);
    QCOMPARE(sla[u"overall"][u"met"].toInt(), 2);
    QCOMPARE(sla[u"overall"][u"breached_rate"].toDouble(), 0.5);
    QCOMPARE(sla[u"overall"][u"first_response_median_business_ms"].toInteger(), 15 * kMinute);
    const QJsonArray bySource = sla[u"by_source"].toArray();
    bool smsSeen = false;
    for (const QJsonValue &row : bySource) {
        if (row[u"key"].toString() == QLatin1String("sms")) {
            smsSeen = true;
            QCOMPARE(row[u"breached"].toInt(), 2);
        }
    }
    QVERIFY(smsSeen);
    // The A/B test: 10 subjects each, 2 and 6 conversions.
    const QJsonArray tests = r[u"ab_tests"].toArray();
    QCOMPARE(tests.size(), 1);
    QCOMPARE(tests[0][u"test"].toString(), QStringLiteral("greeting_message"));
    QCOMPARE(tests[0][u"subjects"].toInt(), 20);
    const QJsonArray variants = tests[0][u"goals"][0][u"variants"].toArray();
    QCOMPARE(variants.size(), 2);
    QCOMPARE(variants[0][u"variant"].toString(), QStringLiteral("A"));
    QCOMPARE(variants[0][u"conversions"].toInt(), 2);
    QCOMPARE(variants[0][u"rate"].toDouble(), 0.2);
    QCOMPARE(variants[1][u"conversions"].toInt(), 6);
    QCOMPARE(variants[1][u"rate"].toDouble(), 0.6);
    QVERIFY(variants[1].toObject().contains(QStringLiteral("p_value")));
    QCOMPARE(r[u"all_time"][u"leads"].toInt(), 6);
}

void tst_CtlReport::textForAPeriod()
{
    const Test::CtlRun run
        = ctl({QStringLiteral("report"), QStringLiteral("--from"), QStringLiteral("2025-10-01"),
               QStringLiteral("--to"), QStringLiteral("2025-10-14")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(errorLines(run.err).isEmpty());
    const QString &out = run.out;
    QVERIFY2(out.contains(QStringLiteral("Period 2025-10-01 .. 2025-10-14 (14 days), all sources")),
             qPrintable(out));
    for (const char *section : {"\nLEADS\n", "\nCONVERSATIONS (open leads)\n", "\nFUNNEL\n",
                                "\nSCORES\n", "\nFIRST RESPONSE (wall-clock)\n", "\nCHATBOT\n",
                                "\nCAMPAIGNS\n", "\nOUTBOUND DELIVERY\n", "\nALL TIME\n"})
        QVERIFY2(out.contains(QLatin1String(section)), section);
    QVERIFY(out.contains(QStringLiteral("  total 4, 0.29 per day, 2.00 per week\n")));
    QVERIFY2(out.contains(QStringLiteral("\nSLA (first response in business hours)\n")),
             qPrintable(out));
    QVERIFY2(out.contains(QRegularExpression(
                 QStringLiteral("\n  All leads +4 +3 .* 2 +2 +0 +50\\.0% +50\\.0%\n"))),
             qPrintable(out.mid(out.indexOf(QStringLiteral("SLA (first")), 1200)));
    QVERIFY(
        out.contains(QStringLiteral("\nA/B TESTS\n  greeting_message (20 subjects, control A)")));
    QVERIFY2(
        out.contains(QRegularExpression(QStringLiteral("\n      B +10 +6 +60\\.0% +0\\.\\d{4}\n"))),
        qPrintable(out));
    QVERIFY(out.contains(QStringLiteral("spring-promo")));
    // The first-response table: all leads, then each source.
    QVERIFY2(out.contains(QRegularExpression(QStringLiteral("\n  all +4 +3 +15m 00s +39m 00s "))),
             qPrintable(out));
    QVERIFY(out.contains(QRegularExpression(QStringLiteral("\n  contacted +1 +3 +75\\.0%\n"))));
}

void tst_CtlReport::sourceOption()
{
    const QJsonObject r
        = json({QStringLiteral("--from"), QStringLiteral("2025-10-01"), QStringLiteral("--to"),
                QStringLiteral("2025-10-14"), QStringLiteral("--source"), QStringLiteral("SMS")});
    QCOMPARE(r[u"source"].toString(), QStringLiteral("sms"));
    QCOMPARE(r[u"leads"][u"total"].toInt(), 2);
    QCOMPARE(r[u"first_response"][u"overall"][u"median_ms"].toInteger(), 45 * kMinute);
    QVERIFY(r[u"campaigns"].toArray().isEmpty());
    QCOMPARE(r[u"all_time"][u"leads"].toInt(), 2);
}

void tst_CtlReport::defaultPeriodIsTheLast30Days()
{
    const QJsonObject r = json({});
    QCOMPARE(r[u"period"][u"days"].toInt(), 30);
    QCOMPARE(r[u"period"][u"all_time"].toBool(), false);
    const QDate today
        = QDateTime::currentDateTimeUtc().toTimeZone(QTimeZone("America/New_York")).date();
    QCOMPARE(r[u"period"][u"end"].toString(), today.toString(Qt::ISODate));
    QCOMPARE(r[u"leads"][u"total"].toInt(), 1); // r5, an hour old
    QCOMPARE(r[u"all_time"][u"leads"].toInt(), 6);

    // --from alone runs to today; --to alone from the first lead.
    const QJsonObject since = json({QStringLiteral("--from"), QStringLiteral("2025-10-10")});
    QCOMPARE(since[u"period"][u"end"].toString(), today.toString(Qt::ISODate));
    QCOMPARE(since[u"leads"][u"total"].toInt(), 4); // r3, r4, r5, r6
    const QJsonObject until = json({QStringLiteral("--to"), QStringLiteral("2025-10-09")});
    QCOMPARE(until[u"period"][u"start"].toString(), QStringLiteral("2025-10-02"));
    QCOMPARE(until[u"leads"][u"total"].toInt(), 2);
}

void tst_CtlReport::emptyStore()
{
    QTemporaryDir empty;
    const Test::CtlRun text = Test::runCtl(empty.path(), {QStringLiteral("report")});
    QCOMPARE(text.exitCode, 0);
    QVERIFY(text.out.contains(QStringLiteral("  total 0, 0.00 per day")));
    QVERIFY(text.out.contains(QStringLiteral("no campaign leads in this period")));
    const Test::CtlRun run
        = Test::runCtl(empty.path(), {QStringLiteral("report"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject r = QJsonDocument::fromJson(run.out.toUtf8()).object();
    QCOMPARE(r[u"leads"][u"total"].toInt(), 0);
    QVERIFY(r[u"first_response"][u"overall"][u"median_ms"].isNull());
    QCOMPARE(r[u"leads"][u"by_day"].toArray().size(), 30);
}

void tst_CtlReport::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    QTest::newRow("bad month") << QStringList{"--from", "2025-13-01"}
                               << "leaddeskctl: --from: invalid date '2025-13-01': expected "
                                  "YYYY-MM-DD, e.g. 2025-10-01";
    QTest::newRow("not a date") << QStringList{"--to", "yesterday"}
                                << "leaddeskctl: --to: invalid date 'yesterday'";
    QTest::newRow("with a time") << QStringList{"--from", "2025-10-01T10:00"}
                                 << "leaddeskctl: --from: invalid date";
    QTest::newRow("reversed") << QStringList{"--from", "2025-10-05", "--to", "2025-10-01"}
                              << "leaddeskctl: --from: the period starts (2025-10-05) after it "
                                 "ends (2025-10-01)";
    QTest::newRow("unknown source")
        << QStringList{"--source", "pigeon"} << "leaddeskctl: --source: unknown source 'pigeon'";
    QTest::newRow("argument") << QStringList{"everything"}
                              << "leaddeskctl: report takes no arguments (got 'everything')";
    QTest::newRow("unknown option") << QStringList{"--bogus"} << "leaddeskctl: Unknown option";
    QTest::newRow("missing value") << QStringList{"--from"} << "leaddeskctl: Missing value";
}

void tst_CtlReport::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    const Test::CtlRun run = ctl(QStringList{QStringLiteral("report")} + args);
    QCOMPARE(run.exitCode, 2);
    const QStringList lines = errorLines(run.err);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.first().startsWith(message), qPrintable(lines.first()));
    QVERIFY(run.out.isEmpty());
}

QTEST_GUILESS_MAIN(tst_CtlReport)
#include "tst_ctl_report.moc"
