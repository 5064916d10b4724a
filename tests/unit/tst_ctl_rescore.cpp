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
    void rulesStayWithTheBusiness();
    void invalidRulesFileExitsOne();
    void resetGoesBackToTheShippedRules();
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
    int countNinetyA()
    {
        const Run exported
            = ctl({QStringLiteral("export"), QStringLiteral("--format"), QStringLiteral("json")});
        if (exported.exitCode != 0)
            return -1;
        return int(exported.out.count(QStringLiteral("\"lead_score\":90,\"lead_grade\":\"A\"")));
    }
    // "rescored N leads": every demo lead but the chatbot's, which the behaviour model scores.
    QString rescored(const QString &changed) const
    {
        return QStringLiteral("rescored %1 leads, %2 changed (").arg(m_leadModelLeads).arg(changed);
    }
    QTemporaryDir m_dir;
    int m_leadModelLeads = 0;
};

void tst_CtlRescore::initTestCase()
{
    QCOMPARE(
        ctl({QStringLiteral("demo"), QStringLiteral("--leads"), QStringLiteral("40")}).exitCode, 0);
    auto db = LeadDesk::Core::Database::open(m_dir.filePath(QStringLiteral("leaddesk.sqlite")));
    LD_VERIFY_OK(db);
    m_leadModelLeads = LeadDesk::Test::countRows(**db, QStringLiteral("leads"),
                                                 QStringLiteral("channel <> 'chatbot'"));
    QVERIFY(m_leadModelLeads > 30 && m_leadModelLeads <= 40);
}

void tst_CtlRescore::rescoresEveryLead()
{
    const Run run = ctl({QStringLiteral("rescore")});
    QCOMPARE(run.exitCode, 0);
    // The demo data was scored under the same shipped rules.
    QVERIFY2(run.out.startsWith(rescored(QStringLiteral("0"))), qPrintable(run.out));
}

void tst_CtlRescore::customRulesApply()
{
    const QString rules = write(QStringLiteral("rules.json"), R"({"version":1,"lead":{
        "grades":[{"label":"A","min":80},{"label":"B","min":60},{"label":"C","min":40},{"label":"D","min":0}],
        "qualification":[{"label":"sales_qualified","min":60},{"label":"marketing_qualified","min":30},{"label":"unqualified","min":0}],
        "groups":[{"id":"all","max":100,"rules":[{"id":"everyone","points":90,"when":{"field":"channel","op":"not_empty"}}]}]}})");
    const Run run = ctl({QStringLiteral("rescore"), QStringLiteral("--rules"), rules});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith(rescored(QString::number(m_leadModelLeads))), qPrintable(run.out));
    QCOMPARE(countNinetyA(), m_leadModelLeads);
}

void tst_CtlRescore::rulesStayWithTheBusiness()
{
    // --rules made them the business's rules: a plain rescore uses them and changes nothing.
    const Run run = ctl({QStringLiteral("rescore")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith(rescored(QStringLiteral("0"))), qPrintable(run.out));
    QCOMPARE(countNinetyA(), m_leadModelLeads);
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
    // The reason names the JSON path of the first problem.
    QCOMPARE(run.err, QStringLiteral("leaddeskctl: invalid scoring rules: lead.grades: must be a "
                                     "non-empty array\n"));
    const Run missing = ctl({QStringLiteral("rescore"), QStringLiteral("--rules"),
                             m_dir.filePath(QStringLiteral("none.json"))});
    QCOMPARE(missing.exitCode, 1);
    // Nothing was saved: the business keeps its rules.
    const Run again = ctl({QStringLiteral("rescore")});
    QVERIFY2(again.out.startsWith(rescored(QStringLiteral("0"))), qPrintable(again.out));
}

void tst_CtlRescore::resetGoesBackToTheShippedRules()
{
    const Run run = ctl({QStringLiteral("rescore"), QStringLiteral("--reset")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.startsWith(QStringLiteral("rescored %1 leads, ").arg(m_leadModelLeads)),
             qPrintable(run.out));
    QVERIFY(countNinetyA() < 40);
    // The demo's own scores, made under the shipped rules, are back.
    const Run again = ctl({QStringLiteral("rescore")});
    QVERIFY2(again.out.startsWith(rescored(QStringLiteral("0"))), qPrintable(again.out));
}

void tst_CtlRescore::usageErrorsExitTwo()
{
    QCOMPARE(ctl({QStringLiteral("rescore"), QStringLiteral("extra")}).exitCode, 2);
    QCOMPARE(ctl({QStringLiteral("rescore"), QStringLiteral("--bogus")}).exitCode, 2);
    QCOMPARE(ctl({QStringLiteral("rescore"), QStringLiteral("--reset"), QStringLiteral("--rules"),
                  m_dir.filePath(QStringLiteral("rules.json"))})
                 .exitCode,
             2);
}

QTEST_GUILESS_MAIN(tst_CtlRescore)
#include "tst_ctl_rescore.moc"
