#include "secretstore.h"
#include "sourcerepository.h"
#include "testsupport.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using LeadDesk::Sync::SecretStore;

class tst_SecretStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void environmentNameIsUpperCasedAndSanitised();
    void environmentValue();
    void fileWith0600IsRead();
    void fileWith0644IsRefusedNamingItsMode();
    void missingKeyIsAClearError();
    void setValueCreatesA0600File();
    void removeAllDropsOneSourcesSecrets();
    void routeSecretMapsReceiverNames();
    void keychainRoundTrip();

private:
    QString writeFile(const QJsonObject &object, mode_t mode)
    {
        const QString path = m_dir.filePath(QStringLiteral("secrets-%1.json").arg(++m_count));
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly))
            return {};
        file.write(QJsonDocument(object).toJson());
        file.close();
        ::chmod(QFile::encodeName(path).constData(), mode);
        return path;
    }
    QTemporaryDir m_dir;
    int m_count = 0;
};

void tst_SecretStore::environmentNameIsUpperCasedAndSanitised()
{
    QCOMPARE(SecretStore::environmentName(QStringLiteral("sms"), QStringLiteral("main-line"),
                                          QStringLiteral("auth_token")),
             QStringLiteral("LEADDESK_SECRET_SMS_MAIN_LINE_AUTH_TOKEN"));
    QCOMPARE(SecretStore::environmentName(QStringLiteral("whatsapp"), QStringLiteral("shop 2.0"),
                                          QStringLiteral("appSecret")),
             QStringLiteral("LEADDESK_SECRET_WHATSAPP_SHOP_2_0_APPSECRET"));
}

void tst_SecretStore::environmentValue()
{
    qputenv("LEADDESK_SECRET_THUMBTACK_PRO_PASSWORD", "s3cret");
    const auto store = SecretStore::environment();
    const auto value = store.value(QStringLiteral("thumbtack"), QStringLiteral("pro"),
                                   QStringLiteral("password"));
    LD_VERIFY_OK(value);
    QCOMPARE(*value, QStringLiteral("s3cret"));
    // The environment wins over the file, too.
    const QString path
        = writeFile({{QStringLiteral("thumbtack/pro/password"), QStringLiteral("f")}}, 0600);
    const auto fromFile = SecretStore::file(path).value(
        QStringLiteral("thumbtack"), QStringLiteral("pro"), QStringLiteral("password"));
    LD_VERIFY_OK(fromFile);
    QCOMPARE(*fromFile, QStringLiteral("s3cret"));
    qunsetenv("LEADDESK_SECRET_THUMBTACK_PRO_PASSWORD");
    QVERIFY(!store.contains(QStringLiteral("thumbtack"), QStringLiteral("pro"),
                            QStringLiteral("password")));
}

void tst_SecretStore::fileWith0600IsRead()
{
    const QString path
        = writeFile({{QStringLiteral("sms/main/auth_token"), QStringLiteral("tok-1")}}, 0600);
    const auto value = SecretStore::file(path).value(QStringLiteral("sms"), QStringLiteral("main"),
                                                     QStringLiteral("auth_token"));
    LD_VERIFY_OK(value);
    QCOMPARE(*value, QStringLiteral("tok-1"));
    const QString strict
        = writeFile({{QStringLiteral("sms/main/auth_token"), QStringLiteral("tok-2")}}, 0400);
    const auto strictValue = SecretStore::file(strict).value(
        QStringLiteral("sms"), QStringLiteral("main"), QStringLiteral("auth_token"));
    LD_VERIFY_OK(strictValue);
    QCOMPARE(*strictValue, QStringLiteral("tok-2"));
}

void tst_SecretStore::fileWith0644IsRefusedNamingItsMode()
{
    const QString path
        = writeFile({{QStringLiteral("sms/main/auth_token"), QStringLiteral("tok-1")}}, 0644);
    const auto value = SecretStore::file(path).value(QStringLiteral("sms"), QStringLiteral("main"),
                                                     QStringLiteral("auth_token"));
    QVERIFY(!value);
    QVERIFY2(value.error().message.contains(QStringLiteral("0644")),
             qPrintable(value.error().message));
    QVERIFY(value.error().message.contains(QStringLiteral("0600")));
    QVERIFY(!value.error().message.contains(QStringLiteral("tok-1")));
}

void tst_SecretStore::missingKeyIsAClearError()
{
    const QString path
        = writeFile({{QStringLiteral("sms/main/auth_token"), QStringLiteral("tok-1")}}, 0600);
    const auto value = SecretStore::file(path).value(QStringLiteral("sms"), QStringLiteral("main"),
                                                     QStringLiteral("account_sid"));
    QVERIFY(!value);
    const QString message = value.error().message;
    QVERIFY2(message.contains(QStringLiteral("account_sid"))
                 && message.contains(QStringLiteral("LEADDESK_SECRET_SMS_MAIN_ACCOUNT_SID"))
                 && message.contains(QStringLiteral("sms/main/account_sid")),
             qPrintable(message));
    QVERIFY(!message.contains(QStringLiteral("tok-1")));
}

void tst_SecretStore::setValueCreatesA0600File()
{
    const QString path = m_dir.filePath(QStringLiteral("sub/new-secrets.json"));
    auto store = SecretStore::file(path);
    LD_VERIFY_OK(store.setValue(QStringLiteral("whatsapp"), QStringLiteral("shop"),
                                QStringLiteral("app_secret"), QStringLiteral("abc")));
    LD_VERIFY_OK(store.setValue(QStringLiteral("whatsapp"), QStringLiteral("shop"),
                                QStringLiteral("access_token"), QStringLiteral("def")));
    struct stat info
    {
    };
    QCOMPARE(::stat(QFile::encodeName(path).constData(), &info), 0);
    QCOMPARE(info.st_mode & 0777, mode_t(0600));
    const auto value = store.value(QStringLiteral("whatsapp"), QStringLiteral("shop"),
                                   QStringLiteral("app_secret"));
    LD_VERIFY_OK(value);
    QCOMPARE(*value, QStringLiteral("abc"));
    QVERIFY(store.contains(QStringLiteral("whatsapp"), QStringLiteral("shop"),
                           QStringLiteral("access_token")));
    QVERIFY(!SecretStore::environment().setValue(QStringLiteral("a"), QStringLiteral("b"),
                                                 QStringLiteral("c"), QStringLiteral("d")));
}

void tst_SecretStore::removeAllDropsOneSourcesSecrets()
{
    const QString path = writeFile({{QStringLiteral("sms/main/auth_token"), QStringLiteral("1")},
                                    {QStringLiteral("sms/other/auth_token"), QStringLiteral("2")}},
                                   0600);
    auto store = SecretStore::file(path);
    LD_VERIFY_OK(store.removeAll(QStringLiteral("sms"), QStringLiteral("main"), {}));
    QVERIFY(!store.contains(QStringLiteral("sms"), QStringLiteral("main"),
                            QStringLiteral("auth_token")));
    QVERIFY(store.contains(QStringLiteral("sms"), QStringLiteral("other"),
                           QStringLiteral("auth_token")));
}

void tst_SecretStore::routeSecretMapsReceiverNames()
{
    const QString path
        = writeFile({{QStringLiteral("messenger/page/app_secret"), QStringLiteral("meta-1")},
                     {QStringLiteral("sms/line/auth_token"), QStringLiteral("tw-1")},
                     {QStringLiteral("thumbtack/pro/password"), QStringLiteral("tt-1")}},
                    0600);
    const auto store = SecretStore::file(path);
    auto source = [](const char *kind, const char *name) {
        LeadDesk::Core::Source s;
        s.kind = QString::fromLatin1(kind);
        s.name = QString::fromLatin1(name);
        return s;
    };
    const QList<LeadDesk::Core::Source> sources{source("whatsapp", "shop"),
                                                source("messenger", "page"), source("sms", "line"),
                                                source("thumbtack", "pro")};
    QCOMPARE(store.routeSecret(QStringLiteral("meta.app_secret"), sources),
             QStringLiteral("meta-1"));
    QCOMPARE(store.routeSecret(QStringLiteral("twilio.auth_token"), sources),
             QStringLiteral("tw-1"));
    QCOMPARE(store.routeSecret(QStringLiteral("thumbtack.password"), sources),
             QStringLiteral("tt-1"));
    QCOMPARE(store.routeSecret(QStringLiteral("meta.verify_token"), sources), QString());
    QCOMPARE(store.routeSecret(QStringLiteral("nodot"), sources), QString());
}

void tst_SecretStore::keychainRoundTrip()
{
    // installer/test.sh runs the suite inside a throwaway keyring session and sets
    // LEADDESK_REQUIRE_KEYRING, so there a missing keyring fails instead of skipping.
    const bool required = !qEnvironmentVariableIsEmpty("LEADDESK_REQUIRE_KEYRING");
    if (qEnvironmentVariableIsEmpty("DBUS_SESSION_BUS_ADDRESS")) {
        if (required)
            QFAIL("LEADDESK_REQUIRE_KEYRING is set but there is no D-Bus session bus");
        QSKIP("no D-Bus session bus, so no keyring to test the keychain backend against");
    }
    auto store = SecretStore::keychain(QStringLiteral("test-business"));
    auto written = store.setValue(QStringLiteral("sms"), QStringLiteral("kc"),
                                  QStringLiteral("auth_token"), QStringLiteral("kc-secret"));
    if (!written) {
        const QString why = QStringLiteral("keyring not reachable: ") + written.error().message;
        if (required)
            QFAIL(qPrintable(why));
        QSKIP(qPrintable(why));
    }
    const auto value
        = store.value(QStringLiteral("sms"), QStringLiteral("kc"), QStringLiteral("auth_token"));
    LD_VERIFY_OK(value);
    QCOMPARE(*value, QStringLiteral("kc-secret"));
    LD_VERIFY_OK(store.removeAll(QStringLiteral("sms"), QStringLiteral("kc"),
                                 {QStringLiteral("auth_token")}));
    QVERIFY(
        !store.contains(QStringLiteral("sms"), QStringLiteral("kc"), QStringLiteral("auth_token")));
}

QTEST_GUILESS_MAIN(tst_SecretStore)
#include "tst_secretstore.moc"
