#include "businessrepository.h"
#include "settingsrepository.h"
#include "testsupport.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace LeadDesk;

// Runs the real leaddeskctl binary, as a user would.
class tst_CtlSla : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void firstRunBackfillsAndPrintsTheState();
    void jsonCountsAddUp();
    void checkRecordsBreachesOnce();
    void escalationNamesTheManagerAndBookingLink();
    void brokenPolicyExitsOne();
    void usageErrorsExitTwo();
    void checkReassignsWhenTheRoutingRulesSaySo();

private:
    using Run = Test::CtlRun;
    Run ctl(const QStringList &args, const QString &dir = {})
    {
        return Test::runCtl(dir.isEmpty() ? m_dir.path() : dir, args);
    }
    // Stores an SLA policy document for the store's primary business.
    bool setPolicy(const QString &dir, const QByteArray &json)
    {
        auto db = Core::Database::open(QDir(dir).filePath(QStringLiteral("leaddesk.sqlite")));
        if (!db)
            return false;
        auto business = Core::BusinessRepository(**db).ensurePrimary();
        if (!business)
            return false;
        return bool(Core::SettingsRepository(**db).setValue(
            business->id, QString::fromLatin1(Core::SettingsRepository::kSlaPolicy), json, 0));
    }
    static QJsonObject parse(const Run &run)
    {
        return QJsonDocument::fromJson(run.out.toUtf8()).object();
    }

    QTemporaryDir m_dir;
};

void tst_CtlSla::initTestCase()
{
    QCOMPARE(
        ctl({QStringLiteral("demo"), QStringLiteral("--leads"), QStringLiteral("60")}).exitCode, 0);
}

void tst_CtlSla::firstRunBackfillsAndPrintsTheState()
{
    // Demo leads are written in bulk, without due times: the first run computes them.
    const Run first = ctl({QStringLiteral("sla"), QStringLiteral("--limit"), QStringLiteral("3")});
    QCOMPARE(first.exitCode, 0);
    QVERIFY2(first.err.contains(QStringLiteral("computing SLA due times")), qPrintable(first.err));
    QVERIFY2(first.out.startsWith(QStringLiteral("recomputed 60 leads")), qPrintable(first.out));
    for (const char *text : {"SLA of ", "on track", "at risk", "breached", "met", "At risk (",
                             "Breached, still waiting ("})
        QVERIFY2(first.out.contains(QLatin1String(text)), text);
    const Run second = ctl({QStringLiteral("sla")});
    QCOMPARE(second.exitCode, 0);
    QVERIFY(second.err.isEmpty());
    QVERIFY(!second.out.contains(QStringLiteral("recomputed")));
}

void tst_CtlSla::jsonCountsAddUp()
{
    const Run run = ctl({QStringLiteral("sla"), QStringLiteral("--json")});
    QCOMPARE(run.exitCode, 0);
    const QJsonObject json = parse(run);
    const QJsonObject counts = json.value(QStringLiteral("counts")).toObject();
    qint64 sum = 0;
    for (const char *state : {"on_track", "at_risk", "breached", "met", "none"})
        sum += counts.value(QLatin1String(state)).toInteger();
    QCOMPARE(sum, 60);
    QCOMPARE(counts.value(QStringLiteral("total")).toInteger(), 60);
    const QJsonArray breached = json.value(QStringLiteral("breached")).toArray();
    QCOMPARE(breached.size(),
             std::min<qsizetype>(20, counts.value(QStringLiteral("breached_waiting")).toInteger()));
    for (const QJsonValue &lead : breached) {
        const QJsonObject object = lead.toObject();
        QCOMPARE(object.value(QStringLiteral("state")).toString(), QStringLiteral("breached"));
        QVERIFY(object.value(QStringLiteral("elapsed_business_ms")).toDouble() > 0);
        QVERIFY(
            QDateTime::fromString(object.value(QStringLiteral("due_at")).toString(), Qt::ISODate)
                .isValid());
    }
    QVERIFY(json.contains(QStringLiteral("time_zone")));
}

void tst_CtlSla::checkRecordsBreachesOnce()
{
    // Targets of 90 days of business time: after recompute every waiting lead is on track...
    const QByteArray policy = R"({"version":1,
        "default":{"first_response_minutes":129600,"next_response_minutes":129600},
        "escalation":{"enabled":false}})";
    QVERIFY(setPolicy(m_dir.path(), policy));
    const Run recompute
        = ctl({QStringLiteral("sla"), QStringLiteral("--recompute"), QStringLiteral("--json")});
    QCOMPARE(recompute.exitCode, 0);
    const QJsonObject stats = parse(recompute).value(QStringLiteral("recompute")).toObject();
    QCOMPARE(stats.value(QStringLiteral("leads")).toInteger(), 60);
    const qint64 running = stats.value(QStringLiteral("running")).toInteger();
    QVERIFY(running > 0);
    QCOMPARE(stats.value(QStringLiteral("overdue")).toInteger(), 0);

    // ... and three years later every one of them has breached, reported once.
    const QString later = QDateTime::currentDateTimeUtc().addYears(3).toString(Qt::ISODate);
    const Run check
        = ctl({QStringLiteral("sla"), QStringLiteral("--check"), QStringLiteral("--at"), later});
    QCOMPARE(check.exitCode, 0);
    QVERIFY2(check.out.startsWith(QStringLiteral("Recorded %1 new SLA breach").arg(running)),
             qPrintable(check.out.left(200)));
    QCOMPARE(check.out.count(QStringLiteral(" of business time (policy default)")), running);
    const Run again = ctl({QStringLiteral("sla"), QStringLiteral("--check"), QStringLiteral("--at"),
                           later, QStringLiteral("--json")});
    QCOMPARE(again.exitCode, 0);
    const QJsonObject json = parse(again);
    QVERIFY(json.value(QStringLiteral("check"))
                .toObject()
                .value(QStringLiteral("breaches"))
                .toArray()
                .isEmpty());
    QCOMPARE(json.value(QStringLiteral("counts"))
                 .toObject()
                 .value(QStringLiteral("breached_waiting"))
                 .toInteger(),
             running);
}

void tst_CtlSla::escalationNamesTheManagerAndBookingLink()
{
    QTemporaryDir dir;
    QCOMPARE(
        ctl({QStringLiteral("demo"), QStringLiteral("--leads"), QStringLiteral("80")}, dir.path())
            .exitCode,
        0);
    // One-minute targets: the recent leads' first responses mostly missed; any rate escalates.
    const QByteArray policy = R"({"version":1,
        "default":{"first_response_minutes":1,"next_response_minutes":1},
        "escalation":{"window_hours":2160,"breach_rate_threshold":0,"min_leads":1,
                      "manager":{"name":"Dana Whitfield","email":"dana@example.com"},
                      "booking_url":"https://book.example.com/pro-services"}})";
    QVERIFY(setPolicy(dir.path(), policy));
    const Run check = ctl({QStringLiteral("sla"), QStringLiteral("--check")}, dir.path());
    QCOMPARE(check.exitCode, 0);
    QVERIFY2(check.out.contains(QStringLiteral("ESCALATION: First-response SLA missed for ")),
             qPrintable(check.out.left(600)));
    QVERIFY(check.out.contains(QStringLiteral("Alerting Dana Whitfield <dana@example.com>")));
    QVERIFY(check.out.contains(
        QStringLiteral("Professional services: https://book.example.com/pro-services")));
    // Once per window.
    const Run again = ctl(
        {QStringLiteral("sla"), QStringLiteral("--check"), QStringLiteral("--json")}, dir.path());
    QCOMPARE(again.exitCode, 0);
    QVERIFY(parse(again)
                .value(QStringLiteral("check"))
                .toObject()
                .value(QStringLiteral("escalation"))
                .isNull());
}

void tst_CtlSla::brokenPolicyExitsOne()
{
    QTemporaryDir dir;
    const QByteArray policy = R"({"version":1,"default":{"first_response_minutes":-5}})";
    QVERIFY(setPolicy(dir.path(), policy));
    const Run run = ctl({QStringLiteral("sla")}, dir.path());
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.startsWith(QStringLiteral("leaddeskctl: SLA policy: "
                                               "default.first_response_minutes: must be")),
             qPrintable(run.err));
    QCOMPARE(run.err.count(QLatin1Char('\n')), 1);
}

void tst_CtlSla::usageErrorsExitTwo()
{
    QCOMPARE(ctl({QStringLiteral("sla"), QStringLiteral("extra")}).exitCode, 2);
    QCOMPARE(ctl({QStringLiteral("sla"), QStringLiteral("--bogus")}).exitCode, 2);
    QCOMPARE(
        ctl({QStringLiteral("sla"), QStringLiteral("--limit"), QStringLiteral("many")}).exitCode,
        2);
    const Run at = ctl({QStringLiteral("sla"), QStringLiteral("--at"), QStringLiteral("tomorrow")});
    QCOMPARE(at.exitCode, 2);
    QVERIFY(at.err.startsWith(QStringLiteral("leaddeskctl: --at")));
}

void tst_CtlSla::checkReassignsWhenTheRoutingRulesSaySo()
{
    // Two reps, reassign_on_breach; an imported lead is routed to one of them, and when its
    // first response breaches, `sla --check` (the SLA monitor's own pass) hands it to the other.
    QTemporaryDir dir;
    {
        auto db
            = Core::Database::open(QDir(dir.path()).filePath(QStringLiteral("leaddesk.sqlite")));
        LD_VERIFY_OK(db);
        auto business = Core::BusinessRepository(**db).ensurePrimary();
        LD_VERIFY_OK(business);
        for (const char *name : {"rita", "sam"}) {
            QSqlQuery q((*db)->connection());
            q.prepare(QStringLiteral(
                "INSERT INTO users (id, business_id, username, display_name, role, password_hash, "
                "away, created_at, updated_at) VALUES (?, ?, ?, ?, 'rep', 'x', 0, 0, 0)"));
            q.addBindValue(QString(QStringLiteral("id-") + QLatin1String(name)));
            q.addBindValue(business->id);
            q.addBindValue(QLatin1String(name));
            q.addBindValue(QLatin1String(name));
            QVERIFY(q.exec());
        }
        LD_VERIFY_OK(Core::SettingsRepository(**db).setValue(
            business->id, QString::fromLatin1(Core::SettingsRepository::kRoutingRules),
            R"({"reassign_on_breach": true})", 0));
    }
    QFile csv(QDir(dir.path()).filePath(QStringLiteral("one.csv")));
    QVERIFY(csv.open(QIODevice::WriteOnly));
    csv.write(
        "First Name,Last Name,Email,Phone,State\nAna,Lopez,ana@example.com,(614) 555-0101,OH\n");
    csv.close();
    QCOMPARE(ctl({QStringLiteral("import"), QStringLiteral("--source"), QStringLiteral("generic"),
                  csv.fileName()},
                 dir.path())
                 .exitCode,
             0);

    const QString later = QDateTime::currentDateTimeUtc().addYears(3).toString(Qt::ISODate);
    const Run check = ctl({QStringLiteral("sla"), QStringLiteral("--check"), QStringLiteral("--at"),
                           later, QStringLiteral("--json")},
                          dir.path());
    QCOMPARE(check.exitCode, 0);
    const QJsonObject result = parse(check).value(QStringLiteral("check")).toObject();
    QCOMPARE(result.value(QStringLiteral("breaches")).toArray().size(), 1);
    const QJsonArray reassigned = result.value(QStringLiteral("reassigned")).toArray();
    QCOMPARE(reassigned.size(), 1);
    const QJsonObject moved = reassigned.first().toObject();
    QStringList both{moved.value(QStringLiteral("user_id")).toString(),
                     moved.value(QStringLiteral("previous_user_id")).toString()};
    both.sort();
    QCOMPARE(both, (QStringList{QStringLiteral("id-rita"), QStringLiteral("id-sam")}));
}

QTEST_GUILESS_MAIN(tst_CtlSla)
#include "tst_ctl_sla.moc"
