#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

// The desktop app's command line, run as a user would (offscreen; nothing here opens a window).
class tst_AppOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void helpAndVersionExitZero_data();
    void helpAndVersionExitZero();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();

private:
    struct Run
    {
        int exitCode = -1;
        QString out;
        QString err;
    };
    static Run app(const QStringList &arguments)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        // A private runtime folder, as a desktop session has (else Qt warns on stderr).
        const QTemporaryDir runtime;
        env.insert(QStringLiteral("XDG_RUNTIME_DIR"), runtime.path());
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(LEADDESK_APP_PATH), arguments);
        if (!process.waitForFinished(30000)) {
            process.kill();
            return {};
        }
        return {process.exitCode(), QString::fromUtf8(process.readAllStandardOutput()),
                QString::fromUtf8(process.readAllStandardError())};
    }
};

void tst_AppOptions::helpAndVersionExitZero_data()
{
    QTest::addColumn<QString>("option");
    QTest::addColumn<QString>("mentions");
    QTest::newRow("help") << QStringLiteral("--help") << QStringLiteral("--data-dir");
    QTest::newRow("version") << QStringLiteral("--version") << QStringLiteral("LeadDesk");
}

void tst_AppOptions::helpAndVersionExitZero()
{
    QFETCH(QString, option);
    QFETCH(QString, mentions);
    const Run run = app({option});
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(mentions), qPrintable(run.out));
}

void tst_AppOptions::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("unknown option") << QStringList{QStringLiteral("--frobnicate")};
    QTest::newRow("stray argument") << QStringList{QStringLiteral("leads.csv")};
    QTest::newRow("data dir without a value") << QStringList{QStringLiteral("--data-dir")};
}

void tst_AppOptions::usageErrorsExitTwo()
{
    QFETCH(QStringList, arguments);
    const Run run = app(arguments);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.startsWith(QStringLiteral("leaddesk: ")), qPrintable(run.err));
    QCOMPARE(run.err.count(QLatin1Char('\n')), 1);
}

QTEST_GUILESS_MAIN(tst_AppOptions)
#include "tst_app_options.moc"
