#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace LeadDesk;

// Runs the real leaddeskctl binary, as a user would.
class tst_CtlSource : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addListRemove();
    void duplicateAddIsAnError();
    void usageErrorsExitTwo_data();
    void usageErrorsExitTwo();
    void secretsAreNeverPrintedNorStored();
    void secretsFileWithLooseModeIsRefused();

private:
    using Run = Test::CtlRun;
};

void tst_CtlSource::addListRemove()
{
    QTemporaryDir dir;
    Run run = Test::runCtl(dir.path(),
                           {QStringLiteral("source"), QStringLiteral("add"), QStringLiteral("sms"),
                            QStringLiteral("main"), QStringLiteral("--setting"),
                            QStringLiteral("number=+15550100")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = Test::runCtl(dir.path(), {QStringLiteral("source"), QStringLiteral("add"),
                                    QStringLiteral("whatsapp"), QStringLiteral("shop")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = Test::runCtl(dir.path(), {QStringLiteral("source"), QStringLiteral("list"),
                                    QStringLiteral("--public-url"),
                                    QStringLiteral("https://leads.example.com/")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY2(run.out.contains(QStringLiteral("https://leads.example.com/webhooks/twilio/sms")),
             qPrintable(run.out));
    QVERIFY(run.out.contains(QStringLiteral("https://leads.example.com/webhooks/twilio/status")));
    QVERIFY(run.out.contains(QStringLiteral("https://leads.example.com/webhooks/whatsapp")));
    QVERIFY(run.out.contains(QStringLiteral("+15550100")));

    run = Test::runCtl(dir.path(),
                       {QStringLiteral("source"), QStringLiteral("list"), QStringLiteral("--json"),
                        QStringLiteral("--public-url"), QStringLiteral("https://h")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    const QJsonArray listed = QJsonDocument::fromJson(run.out.toUtf8()).array();
    QCOMPARE(listed.size(), 2);
    const QJsonObject sms = listed.at(0).toObject();
    QCOMPARE(sms.value(QStringLiteral("kind")).toString(), QStringLiteral("sms"));
    QCOMPARE(sms.value(QStringLiteral("enabled")).toBool(), true);
    QCOMPARE(sms.value(QStringLiteral("urls")).toObject().value(QStringLiteral("sms")).toString(),
             QStringLiteral("https://h/webhooks/twilio/sms"));
    QVERIFY(sms.value(QStringLiteral("secrets_missing"))
                .toArray()
                .contains(QStringLiteral("auth_token")));

    run = Test::runCtl(dir.path(), {QStringLiteral("source"), QStringLiteral("remove"),
                                    QStringLiteral("sms"), QStringLiteral("main")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    run = Test::runCtl(
        dir.path(), {QStringLiteral("source"), QStringLiteral("list"), QStringLiteral("--json")});
    QCOMPARE(QJsonDocument::fromJson(run.out.toUtf8()).array().size(), 1);
    // The removal is a tombstone, kept for sync.
    auto db = Core::Database::open(QDir(dir.path()).filePath(QStringLiteral("leaddesk.sqlite")));
    LD_VERIFY_OK(db);
    QCOMPARE(Test::countRows(**db, QStringLiteral("sources"),
                             QStringLiteral("kind = 'sms' AND deleted = 1")),
             1);
    run = Test::runCtl(dir.path(), {QStringLiteral("source"), QStringLiteral("remove"),
                                    QStringLiteral("sms"), QStringLiteral("main")});
    QCOMPARE(run.exitCode, 1);
}

void tst_CtlSource::duplicateAddIsAnError()
{
    QTemporaryDir dir;
    const QStringList add{QStringLiteral("source"), QStringLiteral("add"),
                          QStringLiteral("thumbtack"), QStringLiteral("pro")};
    QCOMPARE(Test::runCtl(dir.path(), add).exitCode, 0);
    const Run again = Test::runCtl(dir.path(), add);
    QCOMPARE(again.exitCode, 1);
    QVERIFY2(again.err.contains(QStringLiteral("already exists")), qPrintable(again.err));
}

void tst_CtlSource::usageErrorsExitTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("unknown kind") << QStringList{QStringLiteral("add"), QStringLiteral("fax"),
                                                 QStringLiteral("x")};
    QTest::newRow("no action") << QStringList{};
    QTest::newRow("unknown action") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("add without name") << QStringList{QStringLiteral("add"), QStringLiteral("sms")};
    QTest::newRow("bad setting") << QStringList{QStringLiteral("add"), QStringLiteral("sms"),
                                                QStringLiteral("a"), QStringLiteral("--setting"),
                                                QStringLiteral("novalue")};
    QTest::newRow("secret without stdin")
        << QStringList{QStringLiteral("add"), QStringLiteral("sms"), QStringLiteral("a"),
                       QStringLiteral("--secret"), QStringLiteral("auth_token")};
    QTest::newRow("remove unknown kind")
        << QStringList{QStringLiteral("remove"), QStringLiteral("fax"), QStringLiteral("x")};
}

void tst_CtlSource::usageErrorsExitTwo()
{
    QFETCH(QStringList, args);
    QTemporaryDir dir;
    const Run run = Test::runCtl(dir.path(), QStringList{QStringLiteral("source")} + args);
    QCOMPARE(run.exitCode, 2);
    QVERIFY(!run.err.trimmed().isEmpty());
}

void tst_CtlSource::secretsAreNeverPrintedNorStored()
{
    QTemporaryDir dir;
    const QByteArray sid = "ACsid-5f1c9e0d4b7a";
    const QByteArray token = "tok-9d8e7f6a5b4c3d2e";
    Run run = Test::runCtl(dir.path(),
                           {QStringLiteral("source"), QStringLiteral("add"), QStringLiteral("sms"),
                            QStringLiteral("main"), QStringLiteral("--secret"),
                            QStringLiteral("account_sid"), QStringLiteral("--secret"),
                            QStringLiteral("auth_token")},
                           sid + "\n" + token + "\n");
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(!run.out.contains(QString::fromLatin1(token)));

    const QString secretsPath = QDir(dir.path()).filePath(QStringLiteral("secrets.json"));
    struct stat info
    {
    };
    QCOMPARE(::stat(QFile::encodeName(secretsPath).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));
    QFile secrets(secretsPath);
    QVERIFY(secrets.open(QIODevice::ReadOnly));
    const QJsonObject stored = QJsonDocument::fromJson(secrets.readAll()).object();
    QCOMPARE(stored.value(QStringLiteral("sms/main/auth_token")).toString(),
             QString::fromLatin1(token));
    QCOMPARE(stored.value(QStringLiteral("sms/main/account_sid")).toString(),
             QString::fromLatin1(sid));

    for (const QStringList &extra : {QStringList{}, QStringList{QStringLiteral("--json")}}) {
        run = Test::runCtl(dir.path(),
                           QStringList{QStringLiteral("source"), QStringLiteral("list")} + extra);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(run.out.contains(QStringLiteral("auth_token")));
        QVERIFY(!run.out.contains(QString::fromLatin1(token)));
        QVERIFY(!run.out.contains(QString::fromLatin1(sid)));
        QVERIFY(!run.err.contains(QString::fromLatin1(token)));
    }
    run = Test::runCtl(
        dir.path(), {QStringLiteral("source"), QStringLiteral("list"), QStringLiteral("--json")});
    const QJsonObject sms = QJsonDocument::fromJson(run.out.toUtf8()).array().at(0).toObject();
    QVERIFY(sms.value(QStringLiteral("secrets_present"))
                .toArray()
                .contains(QStringLiteral("auth_token")));
    QVERIFY(sms.value(QStringLiteral("secrets_missing")).toArray().isEmpty());

    // Not in any byte of the store (main file and WAL).
    QDir data(dir.path());
    int checked = 0;
    for (const QString &name : data.entryList({QStringLiteral("leaddesk.sqlite*")}, QDir::Files)) {
        QFile file(data.filePath(name));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray bytes = file.readAll();
        QVERIFY2(!bytes.contains(token) && !bytes.contains(sid), qPrintable(name));
        ++checked;
    }
    QVERIFY(checked >= 1);

    run = Test::runCtl(dir.path(), {QStringLiteral("source"), QStringLiteral("remove"),
                                    QStringLiteral("sms"), QStringLiteral("main")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QFile after(secretsPath);
    QVERIFY(after.open(QIODevice::ReadOnly));
    QVERIFY(!after.readAll().contains(token));
}

void tst_CtlSource::secretsFileWithLooseModeIsRefused()
{
    QTemporaryDir dir;
    const QString path = QDir(dir.path()).filePath(QStringLiteral("loose.json"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("{}");
    file.close();
    ::chmod(QFile::encodeName(path).constData(), 0644);
    const Run run
        = Test::runCtl(dir.path(),
                       {QStringLiteral("source"), QStringLiteral("add"), QStringLiteral("sms"),
                        QStringLiteral("main"), QStringLiteral("--secrets-file"), path,
                        QStringLiteral("--secret"), QStringLiteral("auth_token")},
                       "value\n");
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("0644")), qPrintable(run.err));
}

QTEST_GUILESS_MAIN(tst_CtlSource)
#include "tst_ctl_source.moc"
