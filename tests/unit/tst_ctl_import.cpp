#include "businessrepository.h"
#include "database.h"
#include "engine.h"
#include "testsupport.h"

#include <QFile>
#include <QProcess>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace LeadDesk;

// Runs the real leaddeskctl binary, as a user would.
class tst_CtlImport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void importsAndSummarises();
    void reimportReportsDuplicates();
    void failedOutIsWritten();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void unreadableOrWrongFileExitsOne_data();
    void unreadableOrWrongFileExitsOne();
    void businessRulesScoreImportedLeads();
    void importedLeadsAreAssignedAndTimed();

private:
    using Run = LeadDesk::Test::CtlRun;
    Run ctl(const QStringList &args) { return LeadDesk::Test::runCtl(m_dir.path(), args); }
    QString write(const QString &name, const QByteArray &content)
    {
        QFile file(m_files.filePath(name));
        if (file.open(QIODevice::WriteOnly))
            file.write(content);
        return file.fileName();
    }
    QTemporaryDir m_dir;
    QTemporaryDir m_files;
};

void tst_CtlImport::importsAndSummarises()
{
    const Run run
        = ctl({QStringLiteral("import"), QStringLiteral("--source"), QStringLiteral("leadsource"),
               Test::fixturePath(QStringLiteral("mortgage_lead_import_sample.csv"))});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(
        run.out.contains(QStringLiteral("read 2, imported 2, merged 0, duplicate 0, failed 0")),
        qPrintable(run.out));
}

void tst_CtlImport::reimportReportsDuplicates()
{
    const Run run
        = ctl({QStringLiteral("import"), QStringLiteral("--source"), QStringLiteral("leadsource"),
               Test::fixturePath(QStringLiteral("mortgage_lead_import_sample.csv"))});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("imported 0, merged 0, duplicate 2")),
             qPrintable(run.out));
}

void tst_CtlImport::failedOutIsWritten()
{
    const QString file = write(QStringLiteral("bad.csv"),
                               "Email,FirstName\nnot-an-email,Ann\nok@example.com,Bo\n");
    const QString failed = m_files.filePath(QStringLiteral("failed.csv"));
    const Run run = ctl({QStringLiteral("import"), QStringLiteral("--source=generic"), file,
                         QStringLiteral("--failed-out"), failed});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("imported 1"))
                 && run.out.contains(QStringLiteral("failed 1")),
             qPrintable(run.out));
    QFile out(failed);
    QVERIFY(out.open(QIODevice::ReadOnly));
    const QByteArray content = out.readAll();
    QVERIFY2(content.startsWith("Email,FirstName,error_field,error_message\r\n"),
             content.constData());
    QVERIFY(content.contains("not-an-email,Ann,email,"));
}

void tst_CtlImport::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no source") << QStringList{QStringLiteral("import"), QStringLiteral("x.csv")};
    QTest::newRow("unknown source")
        << QStringList{QStringLiteral("import"), QStringLiteral("--source"),
                       QStringLiteral("equifax"), QStringLiteral("x.csv")};
    QTest::newRow("no file") << QStringList{QStringLiteral("import"), QStringLiteral("--source"),
                                            QStringLiteral("generic")};
    QTest::newRow("unknown option")
        << QStringList{QStringLiteral("import"), QStringLiteral("--frobnicate")};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("explode")};
}

void tst_CtlImport::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    const Run run = ctl(args);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.startsWith(QStringLiteral("leaddeskctl: ")), qPrintable(run.err));
}

void tst_CtlImport::unreadableOrWrongFileExitsOne_data()
{
    QTest::addColumn<QString>("file");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("missing") << m_files.filePath(QStringLiteral("missing.csv"))
                             << QStringLiteral("no such file");
    QTest::newRow("wrong file") << write(QStringLiteral("orders.csv"), "order_id,sku\n1,A\n")
                                << QStringLiteral("orders.csv");
    QTest::newRow("directory") << m_files.path() << QStringLiteral("cannot read");
}

void tst_CtlImport::unreadableOrWrongFileExitsOne()
{
    QFETCH(QString, file);
    QFETCH(QString, mentions);
    const Run run = ctl(
        {QStringLiteral("import"), QStringLiteral("--source"), QStringLiteral("generic"), file});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(run.err.count(QLatin1Char('\n')), 1); // one clear line
    QVERIFY2(run.err.contains(mentions), qPrintable(run.err));
}

void tst_CtlImport::businessRulesScoreImportedLeads()
{
    // A business with scoring rules of its own gets its imported leads scored under them.
    QTemporaryDir dir;
    const QString rules = write(QStringLiteral("rules.json"), R"({"version":1,"lead":{
        "grades":[{"label":"A","min":80},{"label":"D","min":0}],
        "qualification":[{"label":"sales_qualified","min":60},{"label":"unqualified","min":0}],
        "groups":[{"id":"all","max":100,"rules":[{"id":"everyone","points":90,"when":{"field":"channel","op":"not_empty"}}]}]}})");
    QCOMPARE(Test::runCtl(dir.path(), {QStringLiteral("rescore"), QStringLiteral("--rules"), rules})
                 .exitCode,
             0);
    const Run run = Test::runCtl(
        dir.path(),
        {QStringLiteral("import"), QStringLiteral("--source"), QStringLiteral("leadsource"),
         Test::fixturePath(QStringLiteral("mortgage_lead_import_sample.csv"))});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("imported 2")), qPrintable(run.out));
    const Run exported = Test::runCtl(
        dir.path(), {QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(exported.exitCode, 0);
    QCOMPARE(exported.out.count(QStringLiteral("\"lead_score\":90,\"lead_grade\":\"A\"")), 2);
}

void tst_CtlImport::importedLeadsAreAssignedAndTimed()
{
    // With a rep on the team, every imported lead is routed to them (an `assigned` activity with
    // its reason) and its first-response SLA clock starts.
    QTemporaryDir dir;
    {
        auto db = Core::Database::open(Sync::Engine::storePath(dir.path()));
        LD_VERIFY_OK(db);
        auto business = Core::BusinessRepository(**db).ensurePrimary();
        LD_VERIFY_OK(business);
        QSqlQuery q((*db)->connection());
        q.prepare(QStringLiteral(
            "INSERT INTO users (id, business_id, username, display_name, role, password_hash, "
            "away, created_at, updated_at) VALUES ('rep-1', ?, 'rita', 'Rita', 'rep', 'x', 0, 0, "
            "0)"));
        q.addBindValue(business->id);
        QVERIFY(q.exec());
    }
    const Run run = Test::runCtl(
        dir.path(),
        {QStringLiteral("import"), QStringLiteral("--source"), QStringLiteral("leadsource"),
         Test::fixturePath(QStringLiteral("mortgage_lead_import_sample.csv"))});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QStringLiteral("imported 2")), qPrintable(run.out));

    auto db = Core::Database::open(Sync::Engine::storePath(dir.path()));
    LD_VERIFY_OK(db);
    QCOMPARE(
        Test::countRows(**db, QStringLiteral("leads"), QStringLiteral("assigned_to = 'rep-1'")), 2);
    QCOMPARE(Test::countRows(**db, QStringLiteral("activities"),
                             QStringLiteral("activity_type = 'assigned' AND "
                                            "json_extract(metadata, '$.reason') IS NOT NULL")),
             2);
    QCOMPARE(Test::countRows(**db, QStringLiteral("leads"),
                             QStringLiteral("sla_started_at IS NOT NULL AND response_due_at > "
                                            "sla_started_at AND first_response_due_at IS NOT "
                                            "NULL")),
             2);
}

QTEST_GUILESS_MAIN(tst_CtlImport)
#include "tst_ctl_import.moc"
