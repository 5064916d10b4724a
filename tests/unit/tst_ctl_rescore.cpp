#include "testsupport.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

// Runs the real leaddeskctl binary, as a user would.
class tst_CtlRescore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void rescoresEveryLead();
    void customRulesApply();
    void invalidRulesFileExitsOne();
    void usageErrorsExitTwo();

private:
    using Run = LeadDesk::Test::CtlRun;
    Run ctl(const QStringList &args) { return LeadDesk::Test::runCtl(m_dir.path(), args); }
    QString write(const QString &name, const QByteArray &content)
    {
        QFile file(m_dir.filePath(name));
        if (file.open(QIODevice::WriteOnly))
            file.write(content);
        return file.fileName();
    }
    QTemporaryDir m_dir;
};

void tst_CtlRescore::initTestCase()
{
    QCOMPARE(
        ctl({QStringLiteral("demo"), QStringLiteral("--leads"), QStringLiteral("40")}).exitCode, 0);
}

void tst_CtlRescore::rescoresEveryLead()
{
    const Run run = ctl({QStringLiteral("rescore")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith(QStringLiteral("rescored 40 leads")), qPrintable(run.out));
}

void tst_CtlRescore::customRulesApply()
{
    const QString rules = write(QStringLiteral("rules.json"), R"({"version":1,"lead":{
        "grades":[{"label":"A","min":80},{"label":"B","min":60},{"label":"C","min":40},{"label":"D","min":0}],
        "qualification":[{"label":"sales_qualified","min":60},{"label":"marketing_qualified","min":30},{"label":"unqualified","min":0}],
        "groups":[{"id":"all","max":100,"rules":[{"id":"everyone","points":90,"when":{"field":"channel","op":"not_empty"}}]}]}})");
    const Run run = ctl({QStringLiteral("rescore"), QStringLiteral("--rules"), rules});
    QCOMPARE(run.exitCode, 0);
    const Run exported
        = ctl({QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("json")});
    QCOMPARE(exported.exitCode, 0);
    QCOMPARE(exported.out.count(QStringLiteral("\"lead_score\":90,\"lead_grade\":\"A\"")), 40);
}

void tst_CtlRescore::invalidRulesFileExitsOne()
{
    const QString rules
        = write(QStringLiteral("bad.json"),
                R"({"version":1,"lead":{"groups":[{"id":"x","max":"lots","rules":[]}]}})");
    const Run run = ctl({QStringLiteral("rescore"), QStringLiteral("--rules"), rules});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.startsWith(QStringLiteral("leaddeskctl: invalid scoring rules: ")),
             qPrintable(run.err));
    QCOMPARE(run.err.count(QLatin1Char('\n')), 1);
    const Run missing = ctl({QStringLiteral("rescore"), QStringLiteral("--rules"),
                             m_dir.filePath(QStringLiteral("none.json"))});
    QCOMPARE(missing.exitCode, 1);
}

void tst_CtlRescore::usageErrorsExitTwo()
{
    QCOMPARE(ctl({QStringLiteral("rescore"), QStringLiteral("extra")}).exitCode, 2);
    QCOMPARE(ctl({QStringLiteral("rescore"), QStringLiteral("--bogus")}).exitCode, 2);
}

QTEST_GUILESS_MAIN(tst_CtlRescore)
#include "tst_ctl_rescore.moc"
