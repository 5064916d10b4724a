#include "accountservice.h"
#include "businessrepository.h"
#include "database.h"
#include "engine.h"

#include "testsupport.h"
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>

#include <QTest>

#include <memory>

using namespace LeadDesk;

namespace {
const QString kPassword = QStringLiteral("river-otter-lantern-9");
const QString kNewPassword = QStringLiteral("granite-puffin-31");

// A command line without quoting: arguments separated by single spaces.
QStringList words(const QString &line)
{
    return line.split(u' ');
}

using Run = LeadDesk::Test::CtlRun;
} // namespace

class TestCtlUser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void addWithPipedPassword();
    void duplicateAddFails();
    void weakPasswordFails_data();
    void weakPasswordFails();
    void emptyInputFails();
    void listShowsUsers();
    void passwdChangesPassword();
    void passwdUnknownUserFails();
    void usageErrors_data();
    void usageErrors();

private:
    Run ctl(const QStringList &arguments, const QByteArray &input = {});
    [[nodiscard]] QString storePath() const { return Sync::Engine::storePath(m_dir->path()); }
    Core::AccountService::SignInResult signIn(const QString &username, const QString &password);

    std::unique_ptr<QTemporaryDir> m_dir;
};

void TestCtlUser::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestCtlUser::cleanup()
{
    m_dir.reset();
}

Run TestCtlUser::ctl(const QStringList &arguments, const QByteArray &input)
{
    return LeadDesk::Test::runCtl(m_dir->path(), arguments, input);
}

Core::AccountService::SignInResult TestCtlUser::signIn(const QString &username,
                                                       const QString &password)
{
    auto db = Core::Database::open(storePath());
    if (!db)
        return {};
    const auto business = Core::BusinessRepository(**db).primary();
    if (!business)
        return {};
    return Core::AccountService(**db).signIn(business->id, username, password);
}

void TestCtlUser::addWithPipedPassword()
{
    const Run run = ctl(words("user add alice --role owner --email alice@example.com")
                            + QStringList{"--name", "Alice Smith"},
                        kPassword.toUtf8() + '\n');
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QLatin1String("added owner 'alice'")), qPrintable(run.out));
    QVERIFY(!run.out.contains(kPassword));
    QVERIFY(!run.err.contains(kPassword));

    const auto result = signIn(QStringLiteral("alice"), kPassword);
    QCOMPARE(result.error, Core::AccountService::SignInError::None);
    QCOMPARE(result.user.displayName, QStringLiteral("Alice Smith"));
    QCOMPARE(result.user.email, QStringLiteral("alice@example.com"));
    QCOMPARE(result.user.role, Core::Role::Owner);
}

void TestCtlUser::duplicateAddFails()
{
    QCOMPARE(ctl(words("user add alice --role rep"), kPassword.toUtf8() + '\n').exitCode, 0);

    const Run run = ctl(words("user add ALICE --role admin"), kNewPassword.toUtf8() + '\n');
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("the user name 'ALICE' is taken")),
             qPrintable(run.err));
    // The first alice keeps her role and password.
    const auto result = signIn(QStringLiteral("alice"), kPassword);
    QCOMPARE(result.error, Core::AccountService::SignInError::None);
    QCOMPARE(result.user.role, Core::Role::Rep);
}

void TestCtlUser::weakPasswordFails_data()
{
    QTest::addColumn<QByteArray>("password");
    QTest::addColumn<QString>("message");
    const auto row = [](const char *name, const QByteArray &password, const QString &message) {
        QTest::newRow(name) << password << message;
    };
    row("short", "short1!", "password: must be at least 10 characters");
    row("common", "1234567890", "password: is one of the most common passwords");
    row("user name", "carol-rocks-77", "password: must not contain the user name");
    row("too long", QByteArray(200, 'x') + 'y', "password: must be at most 128 characters");
}

void TestCtlUser::weakPasswordFails()
{
    QFETCH(QByteArray, password);
    QFETCH(QString, message);
    const Run run = ctl(words("user add carol --role rep"), password + '\n');
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QStringLiteral("leaddeskctl: ") + message), qPrintable(run.err));
    QVERIFY(!run.err.contains(QString::fromUtf8(password)));
    QCOMPARE(signIn(QStringLiteral("carol"), QString::fromUtf8(password)).error,
             Core::AccountService::SignInError::UnknownUserOrPassword);
}

void TestCtlUser::emptyInputFails()
{
    const Run run = ctl(words("user add dave --role rep"));
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("no password on standard input")), qPrintable(run.err));
}

void TestCtlUser::listShowsUsers()
{
    const Run empty = ctl(words("user list"));
    QCOMPARE(empty.exitCode, 0);
    QVERIFY2(empty.out.contains(QLatin1String("no users yet")), qPrintable(empty.out));

    const QByteArray passwordLine = kPassword.toUtf8() + '\n';
    const QStringList addAlice
        = words("user add alice --role owner") + QStringList{"--name", "Alice Smith"};
    QCOMPARE(ctl(words("user add zed --role rep"), passwordLine).exitCode, 0);
    QCOMPARE(ctl(addAlice, passwordLine).exitCode, 0);
    QCOMPARE(signIn(QStringLiteral("alice"), kPassword).error,
             Core::AccountService::SignInError::None);
    for (int i = 0; i < Core::AccountService::kMaxFailedAttempts; ++i)
        (void)signIn(QStringLiteral("zed"), kNewPassword);

    const Run run = ctl(words("user list"));
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = run.out.split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    const QString &header = lines.at(0);
    const QString &alice = lines.at(1); // the owner first
    const QString &zed = lines.at(2);
    QVERIFY2(header.startsWith(QLatin1String("USERNAME")), qPrintable(header));
    QVERIFY(alice.startsWith(QLatin1String("alice ")));
    QVERIFY(zed.startsWith(QLatin1String("zed ")));
    QVERIFY(alice.contains(QLatin1String("Alice Smith")));
    QVERIFY(zed.endsWith(QLatin1String("never")));
    QVERIFY(!alice.endsWith(QLatin1String("never"))); // she has signed in
    // Aligned: each value starts where its heading does (" NAME", not the end of USERNAME).
    const auto column = [&](const char *heading) {
        return header.indexOf(u' ' + QString::fromLatin1(heading)) + 1;
    };
    QCOMPARE(alice.indexOf(QLatin1String("owner")), column("ROLE"));
    QCOMPARE(zed.indexOf(QLatin1String("rep")), column("ROLE"));
    QCOMPARE(alice.indexOf(QLatin1String("Alice Smith")), column("NAME"));
    QCOMPARE(alice.indexOf(QLatin1String("active")), column("STATUS"));
    QCOMPARE(zed.indexOf(QLatin1String("locked")), column("STATUS"));
    QCOMPARE(zed.indexOf(QLatin1String("never")), column("LAST LOGIN"));
    QVERIFY(alice.at(column("LAST LOGIN")).isDigit());
}

void TestCtlUser::passwdChangesPassword()
{
    QCOMPARE(ctl(words("user add alice --role admin"), kPassword.toUtf8() + '\n').exitCode, 0);

    const Run weak = ctl(words("user passwd alice"), "password2024\n");
    QCOMPARE(weak.exitCode, 1);
    QVERIFY2(weak.err.contains(QLatin1String("common password")), qPrintable(weak.err));
    QCOMPARE(signIn(QStringLiteral("alice"), kPassword).error,
             Core::AccountService::SignInError::None);

    const Run run = ctl(words("user passwd Alice"), kNewPassword.toUtf8() + "\r\n");
    QCOMPARE(run.exitCode, 0);
    QVERIFY2(run.out.contains(QLatin1String("changed the password of 'alice'")),
             qPrintable(run.out));
    QVERIFY(!run.err.contains(kNewPassword));
    QCOMPARE(signIn(QStringLiteral("alice"), kPassword).error,
             Core::AccountService::SignInError::UnknownUserOrPassword);
    QCOMPARE(signIn(QStringLiteral("alice"), kNewPassword).error,
             Core::AccountService::SignInError::None);
}

void TestCtlUser::passwdUnknownUserFails()
{
    const Run run = ctl(words("user passwd nobody"), kNewPassword.toUtf8() + '\n');
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(QLatin1String("there is no user named 'nobody'")),
             qPrintable(run.err));
}

void TestCtlUser::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("message");
    const auto row = [](const char *name, const QString &arguments, const QString &message) {
        QTest::newRow(name) << words(arguments) << message;
    };
    row("no subcommand", "user", "user needs a subcommand");
    row("unknown subcommand", "user remove alice", "unknown user subcommand 'remove'");
    row("bad role", "user add alice --role boss", "unknown role 'boss'");
    row("no role", "user add alice", "user add needs --role");
    row("add without username", "user add --role rep", "user add needs a USERNAME");
    row("add with two usernames", "user add alice bob --role rep",
        "user add takes one USERNAME, not 2");
    row("passwd without username", "user passwd", "user passwd needs a USERNAME");
    row("password on the command line", "user add alice --role rep --password " + kPassword,
        "Unknown option 'password'");
    row("list with arguments", "user list all", "user list takes no arguments");
}

void TestCtlUser::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, message);
    const Run run = ctl(arguments, kPassword.toUtf8() + '\n');
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(message), qPrintable(run.err));
    // Refused before the store is even opened.
    QVERIFY(!QFile::exists(storePath()));
}

QTEST_GUILESS_MAIN(TestCtlUser)
#include "tst_ctl_user.moc"
