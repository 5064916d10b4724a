#include "accountservice.h"
#include "businessrepository.h"
#include "passwordhasher.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QSqlQuery>
#include <QTest>

#include <sodium.h>

#include <algorithm>
#include <limits>
#include <memory>

using namespace LeadDesk::Core;
using LeadDesk::Test::countRows;
using LeadDesk::Test::TempStore;

namespace {
const QString kPassword = QStringLiteral("river-otter-lantern-9");
const QString kWrongPassword = QStringLiteral("river-otter-lantern-8");
const QString kGeneric = QStringLiteral("unknown user name or wrong password");
constexpr qint64 kMinute = 60'000;
} // namespace

class TestAccountService : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void checkUsername_data();
    void checkUsername();
    void createUser_data();
    void createUser();
    void duplicateUsername_data();
    void duplicateUsername();
    void sameUsernameInAnotherBusiness();
    void hashIsArgon2id();
    void injectionUsernames_data();
    void injectionUsernames();
    void hugePasswordIsRefusedBeforeHashing();

    void signInSucceeds();
    void wrongPasswordAndUnknownUserLookAlike();
    void lockOutAfterFiveFailures();
    void lockedAccountRefusesRightPassword();
    void lockExpiresAfterFifteenMinutes();
    void counterRestartsAfterLockExpires();
    void successResetsCounter();
    void weakHashIsUpgradedOnSignIn();

    void changePassword();
    void changePasswordLiftsLock();
    void usersOrderedByRoleThenName();
    void hasOwner();

private:
    [[nodiscard]] QString storedHash(const QString &username);
    [[nodiscard]] User userNamed(const QString &username);
    void failSignIns(int count);

    std::unique_ptr<TempStore> m_store;
    std::unique_ptr<ManualClock> m_clock;
    std::unique_ptr<AccountService> m_accounts;
};

void TestAccountService::init()
{
    m_store = std::make_unique<TempStore>();
    QVERIFY(m_store->isValid());
    m_clock = std::make_unique<ManualClock>();
    m_accounts = std::make_unique<AccountService>(m_store->db(), *m_clock);
}

void TestAccountService::cleanup()
{
    m_accounts.reset();
    m_clock.reset();
    m_store.reset();
}

QString TestAccountService::storedHash(const QString &username)
{
    QSqlQuery query(m_store->db().connection());
    query.prepare(QStringLiteral("SELECT password_hash FROM users WHERE username = ?"));
    query.addBindValue(username);
    if (!query.exec() || !query.next())
        return {};
    return query.value(0).toString();
}

User TestAccountService::userNamed(const QString &username)
{
    const auto users = m_accounts->users(m_store->businessId());
    if (users) {
        for (const User &user : *users) {
            if (user.username == username)
                return user;
        }
    }
    return {};
}

void TestAccountService::failSignIns(int count)
{
    for (int i = 0; i < count; ++i)
        (void)m_accounts->signIn(m_store->businessId(), QStringLiteral("alice"), kWrongPassword);
}

void TestAccountService::checkUsername_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<bool>("valid");
    QTest::newRow("plain") << QStringLiteral("alice") << true;
    QTest::newRow("email-like") << QStringLiteral("alice.smith@example.com") << true;
    QTest::newRow("trailing newline") << QStringLiteral("alice\n") << false;
    QTest::newRow("newline inside") << QStringLiteral("ali\nce") << false;
    QTest::newRow("leading space") << QStringLiteral(" alice") << false;
    QTest::newRow("tab") << QStringLiteral("ali\tce") << false;
    QTest::newRow("percent") << QStringLiteral("ali%ce") << false;
    QTest::newRow("fullwidth letters") << QStringLiteral("ａｌｉｃｅ") << false;
}

void TestAccountService::checkUsername()
{
    QFETCH(QString, username);
    QFETCH(bool, valid);
    QCOMPARE(AccountService::checkUsername(username).has_value(), valid);
}

void TestAccountService::createUser_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("displayName");
    QTest::addColumn<QString>("email");
    QTest::addColumn<int>("role");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("expectedUsername"); // as stored; empty when creation must fail
    QTest::addColumn<QString>("errorField");
    QTest::addColumn<QString>("errorMessage");

    struct Input
    {
        QString username = {}; // initialisers keep -Wmissing-field-initializers quiet
        QString displayName = {};
        QString email = {};
        Role role = Role::Rep;
        QString password = kPassword;
    };
    const auto accepted = [](const char *name, const Input &in, const QString &stored) {
        QTest::newRow(name) << in.username << in.displayName << in.email << int(in.role)
                            << in.password << stored << QString() << QString();
    };
    const auto refused
        = [](const char *name, const Input &in, const QString &field, const QString &message) {
              QTest::newRow(name) << in.username << in.displayName << in.email << int(in.role)
                                  << in.password << QString() << field << message;
          };
    const QString usernameRule
        = QStringLiteral("must be 3 to 64 letters, digits, '.', '_', '-' or '@'");

    accepted("owner",
             {.username = "alice",
              .displayName = "Alice Smith",
              .email = "alice@example.com",
              .role = Role::Owner},
             "alice");
    accepted("admin", {.username = "mia", .role = Role::Admin}, "mia");
    accepted("all allowed characters", {.username = "a.b_c-d@shop"}, "a.b_c-d@shop");
    accepted("spaces around are trimmed", {.username = "  bob  ", .displayName = "  Bob  "}, "bob");
    accepted("3 characters", {.username = "amy"}, "amy");
    accepted("64 characters", {.username = QString(64, u'k')}, QString(64, u'k'));
    accepted("display name of 100", {.username = "dan", .displayName = QString(100, u'D')}, "dan");

    refused("2 characters", {.username = "al"}, "username", usernameRule);
    refused("65 characters", {.username = QString(65, u'k')}, "username", usernameRule);
    refused("empty", {.username = ""}, "username", usernameRule);
    refused("space inside", {.username = "ali ce"}, "username", usernameRule);
    refused("not ascii", {.username = "zoë"}, "username", usernameRule);
    refused("slash", {.username = "sales/bob"}, "username", usernameRule);
    refused("display name of 101", {.username = "dan", .displayName = QString(101, u'D')},
            "displayName", "must be at most 100 characters");
    refused("bad email", {.username = "eve", .email = "eve.example.com"}, "email",
            "'eve.example.com' is not an email address");
    refused("unknown role", {.username = "fay", .role = static_cast<Role>(42)}, "role",
            "must be owner, admin or rep");
    refused("short password", {.username = "gus", .password = "short"}, "password",
            "must be at least 10 characters");
    refused("password is the user name", {.username = "harriet.jones", .password = "Harriet.Jones"},
            "password", "must not contain the user name");
    refused("common password", {.username = "ivy", .password = "1234567890"}, "password",
            "is one of the most common passwords");
}

void TestAccountService::createUser()
{
    QFETCH(QString, username);
    QFETCH(QString, displayName);
    QFETCH(QString, email);
    QFETCH(int, role);
    QFETCH(QString, password);
    QFETCH(QString, expectedUsername);
    QFETCH(QString, errorField);
    QFETCH(QString, errorMessage);

    const auto created = m_accounts->createUser(m_store->businessId(), username, displayName,
                                                password, static_cast<Role>(role), email);
    if (expectedUsername.isEmpty()) {
        QVERIFY(!created.has_value());
        QCOMPARE(created.error().field, errorField);
        QCOMPARE(created.error().message, errorMessage);
        QCOMPARE(countRows(m_store->db(), QStringLiteral("users")), 0);
        return;
    }
    QVERIFY2(created.has_value(), qPrintable(created ? QString() : created.error().toString()));
    QCOMPARE(created->username, expectedUsername);
    QCOMPARE(created->displayName, displayName.trimmed());
    QCOMPARE(created->role, static_cast<Role>(role));
    QCOMPARE(created->businessId, m_store->businessId());
    QCOMPARE(created->createdAtMs, m_clock->nowMs());

    const User stored = userNamed(expectedUsername);
    QCOMPARE(stored.id, created->id);
    QCOMPARE(stored.displayName, displayName.trimmed());
    QCOMPARE(stored.email, email);
    QCOMPARE(stored.role, static_cast<Role>(role));
    QCOMPARE(stored.failedAttempts, 0);
    QCOMPARE(stored.lockedUntilMs, 0);
    QCOMPARE(stored.lastLoginMs, 0);
}

void TestAccountService::duplicateUsername_data()
{
    QTest::addColumn<QString>("second");
    QTest::newRow("same") << "alice";
    QTest::newRow("upper case") << "ALICE";
    QTest::newRow("mixed case with spaces") << " Alice ";
}

void TestAccountService::duplicateUsername()
{
    QFETCH(QString, second);
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));

    const auto duplicate = m_accounts->createUser(businessId, second, {},
                                                  QStringLiteral("another-fine-secret"), Role::Rep);
    QVERIFY(!duplicate.has_value());
    QCOMPARE(duplicate.error().message,
             QStringLiteral("the user name '%1' is taken").arg(second.trimmed()));
    QCOMPARE(duplicate.error().field, QStringLiteral("username"));
    QCOMPARE(countRows(m_store->db(), QStringLiteral("users")), 1);
    QCOMPARE(userNamed(QStringLiteral("alice")).role, Role::Owner);
}

void TestAccountService::sameUsernameInAnotherBusiness()
{
    const auto other = BusinessRepository(m_store->db(), *m_clock).create(QStringLiteral("Other"));
    QVERIFY(other);
    QVERIFY(m_accounts->createUser(m_store->businessId(), QStringLiteral("alice"), {}, kPassword,
                                   Role::Owner));
    QVERIFY(m_accounts->createUser(other->id, QStringLiteral("alice"), {},
                                   QStringLiteral("a-different-secret"), Role::Rep));
    QCOMPARE(countRows(m_store->db(), QStringLiteral("users")), 2);

    // Each business's alice signs in with her own password only.
    QCOMPARE(m_accounts->signIn(other->id, QStringLiteral("alice"), kPassword).error,
             AccountService::SignInError::UnknownUserOrPassword);
    QCOMPARE(m_accounts->signIn(m_store->businessId(), QStringLiteral("alice"), kPassword).error,
             AccountService::SignInError::None);
}

void TestAccountService::hashIsArgon2id()
{
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));
    QVERIFY(m_accounts->createUser(businessId, QStringLiteral("bob"), {}, kPassword, Role::Rep));

    const QString alice = storedHash(QStringLiteral("alice"));
    const QString bob = storedHash(QStringLiteral("bob"));
    QVERIFY2(alice.startsWith(QLatin1String("$argon2id$")), qPrintable(alice));
    QVERIFY(alice != kPassword);
    QVERIFY(!alice.contains(kPassword));
    QVERIFY(alice != bob); // a fresh salt for every hash
    QVERIFY(PasswordHasher::verify(alice, kPassword));
    QVERIFY(PasswordHasher::verify(bob, kPassword));
    QVERIFY(!PasswordHasher::verify(alice, kWrongPassword));
    QVERIFY(!PasswordHasher::verify(QString(), kPassword));
    QVERIFY(!PasswordHasher::verify(QStringLiteral("not a hash"), kPassword));
    QVERIFY(!PasswordHasher::needsRehash(alice));
}

void TestAccountService::injectionUsernames_data()
{
    QTest::addColumn<QString>("username");
    QTest::newRow("drop table") << "x'; DROP TABLE users; --";
    QTest::newRow("tautology") << "' OR '1'='1";
    QTest::newRow("comment") << "alice'--";
    QTest::newRow("double quote") << "alice\" OR \"\"=\"";
    QTest::newRow("delete") << "robert'); DELETE FROM users WHERE ('1'='1";
    QTest::newRow("union") << "a UNION SELECT password_hash FROM users";
    QTest::newRow("nul byte") << QStringLiteral("alice") + QChar(u'\0') + QStringLiteral("x");
}

void TestAccountService::injectionUsernames()
{
    QFETCH(QString, username);
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));
    const QString hashBefore = storedHash(QStringLiteral("alice"));

    const auto created = m_accounts->createUser(businessId, username, {},
                                                QStringLiteral("sturdy-walnut-table"), Role::Rep);
    QVERIFY(!created.has_value());
    QCOMPARE(created.error().field, QStringLiteral("username"));

    const auto signIn = m_accounts->signIn(businessId, username, kPassword);
    QCOMPARE(signIn.error, AccountService::SignInError::UnknownUserOrPassword);
    QCOMPARE(signIn.message, kGeneric);
    QVERIFY(!m_accounts->changePassword(businessId, username, QStringLiteral("sturdy-walnut-42")));

    QCOMPARE(countRows(m_store->db(), QStringLiteral("users")), 1);
    QCOMPARE(storedHash(QStringLiteral("alice")), hashBefore);
    QCOMPARE(userNamed(QStringLiteral("alice")).failedAttempts, 0);
}

void TestAccountService::hugePasswordIsRefusedBeforeHashing()
{
    // What one hash costs here, as the yardstick (the fastest of two, to ride out a busy machine).
    qint64 hashNs = std::numeric_limits<qint64>::max();
    for (int i = 0; i < 2; ++i) {
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!PasswordHasher::hash(kPassword).isEmpty());
        hashNs = std::min(hashNs, timer.nsecsElapsed());
    }

    const QString huge = QStringLiteral("Zq7!").repeated(25'600); // 100 KB of characters
    QElapsedTimer timer;
    timer.start();
    const auto created = m_accounts->createUser(m_store->businessId(), QStringLiteral("alice"), {},
                                                huge, Role::Owner);
    const qint64 refuseNs = timer.nsecsElapsed();
    QVERIFY(!created.has_value());
    QCOMPARE(created.error().message, QStringLiteral("must be at most 128 characters"));
    QCOMPARE(countRows(m_store->db(), QStringLiteral("users")), 0);
    QVERIFY2(refuseNs * 5 < hashNs, qPrintable(QStringLiteral("refusing took %1 µs, one hash %2 µs")
                                                   .arg(refuseNs / 1000)
                                                   .arg(hashNs / 1000)));
}

void TestAccountService::signInSucceeds()
{
    const QString businessId = m_store->businessId();
    const auto created = m_accounts->createUser(businessId, QStringLiteral("alice"),
                                                QStringLiteral("Alice"), kPassword, Role::Owner);
    QVERIFY(created);
    m_clock->advanceMs(kMinute);

    const auto result = m_accounts->signIn(businessId, QStringLiteral("ALICE"), kPassword);
    QCOMPARE(result.error, AccountService::SignInError::None);
    QVERIFY(result.message.isEmpty());
    QCOMPARE(result.user.id, created->id);
    QCOMPARE(result.user.username, QStringLiteral("alice"));
    QCOMPARE(result.user.displayName, QStringLiteral("Alice"));
    QCOMPARE(result.user.role, Role::Owner);
    QCOMPARE(result.user.lastLoginMs, m_clock->nowMs());
    QCOMPARE(userNamed(QStringLiteral("alice")).lastLoginMs, m_clock->nowMs());
}

void TestAccountService::wrongPasswordAndUnknownUserLookAlike()
{
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));

    const auto wrong = m_accounts->signIn(businessId, QStringLiteral("alice"), kWrongPassword);
    const auto unknown = m_accounts->signIn(businessId, QStringLiteral("nobody"), kPassword);
    QCOMPARE(wrong.error, AccountService::SignInError::UnknownUserOrPassword);
    QCOMPARE(unknown.error, AccountService::SignInError::UnknownUserOrPassword);
    QCOMPARE(wrong.message, kGeneric);
    QCOMPARE(unknown.message, wrong.message);
    QVERIFY(wrong.user.id.isEmpty());
    QCOMPARE(userNamed(QStringLiteral("alice")).failedAttempts, 1);
    QCOMPARE(userNamed(QStringLiteral("alice")).lastLoginMs, 0);

    // An unknown name still pays for one hash verification. Fastest of three each, so a busy
    // machine slows both sides rather than failing the comparison.
    qint64 wrongNs = std::numeric_limits<qint64>::max();
    qint64 unknownNs = std::numeric_limits<qint64>::max();
    for (int i = 0; i < 3; ++i) {
        QElapsedTimer timer;
        timer.start();
        (void)m_accounts->signIn(businessId, QStringLiteral("nobody"), kWrongPassword);
        unknownNs = std::min(unknownNs, timer.nsecsElapsed());
        m_clock->advanceMs(kMinute);
        timer.restart();
        (void)m_accounts->signIn(businessId, QStringLiteral("alice"), kWrongPassword);
        wrongNs = std::min(wrongNs, timer.nsecsElapsed());
    }
    QVERIFY2(unknownNs * 2 > wrongNs,
             qPrintable(QStringLiteral("unknown user %1 µs, wrong password %2 µs")
                            .arg(unknownNs / 1000)
                            .arg(wrongNs / 1000)));
}

void TestAccountService::lockOutAfterFiveFailures()
{
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));

    for (int attempt = 1; attempt < AccountService::kMaxFailedAttempts; ++attempt) {
        const auto result = m_accounts->signIn(businessId, QStringLiteral("alice"), kWrongPassword);
        QCOMPARE(result.error, AccountService::SignInError::UnknownUserOrPassword);
        QCOMPARE(userNamed(QStringLiteral("alice")).failedAttempts, attempt);
        QCOMPARE(userNamed(QStringLiteral("alice")).lockedUntilMs, 0);
        m_clock->advanceMs(1000);
    }
    const qint64 fifthAt = m_clock->nowMs();
    const auto fifth = m_accounts->signIn(businessId, QStringLiteral("alice"), kWrongPassword);
    QCOMPARE(fifth.error, AccountService::SignInError::Locked);
    QCOMPARE(fifth.lockedUntilMs, fifthAt + AccountService::kLockoutMs);
    QCOMPARE(fifth.message, QStringLiteral("the account is locked after 5 failed sign-ins; try "
                                           "again in 15 minutes"));
    QCOMPARE(userNamed(QStringLiteral("alice")).lockedUntilMs,
             fifthAt + AccountService::kLockoutMs);

    // Further guesses are refused without being counted or tested.
    const auto sixth = m_accounts->signIn(businessId, QStringLiteral("alice"), kWrongPassword);
    QCOMPARE(sixth.error, AccountService::SignInError::Locked);
    QCOMPARE(userNamed(QStringLiteral("alice")).failedAttempts, 5);
}

void TestAccountService::lockedAccountRefusesRightPassword()
{
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));
    failSignIns(AccountService::kMaxFailedAttempts);

    const auto locked = m_accounts->signIn(businessId, QStringLiteral("alice"), kPassword);
    QCOMPARE(locked.error, AccountService::SignInError::Locked);
    QVERIFY(locked.user.id.isEmpty());
    QVERIFY2(locked.message.contains(QLatin1String("15 minutes")), qPrintable(locked.message));
    QCOMPARE(userNamed(QStringLiteral("alice")).lastLoginMs, 0);

    m_clock->advanceMs(5 * kMinute + 1);
    const auto later = m_accounts->signIn(businessId, QStringLiteral("alice"), kPassword);
    QCOMPARE(later.error, AccountService::SignInError::Locked);
    QVERIFY2(later.message.endsWith(QLatin1String("try again in 10 minutes")),
             qPrintable(later.message));

    m_clock->advanceMs(9 * kMinute + 30'000);
    const auto lastMinute = m_accounts->signIn(businessId, QStringLiteral("alice"), kPassword);
    QCOMPARE(lastMinute.error, AccountService::SignInError::Locked);
    QVERIFY2(lastMinute.message.endsWith(QLatin1String("try again in 1 minute")),
             qPrintable(lastMinute.message));
}

void TestAccountService::lockExpiresAfterFifteenMinutes()
{
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));
    failSignIns(AccountService::kMaxFailedAttempts);
    const qint64 lockedUntil = userNamed(QStringLiteral("alice")).lockedUntilMs;
    QCOMPARE(lockedUntil, m_clock->nowMs() + AccountService::kLockoutMs);

    m_clock->setMs(lockedUntil - 1);
    QCOMPARE(m_accounts->signIn(businessId, QStringLiteral("alice"), kPassword).error,
             AccountService::SignInError::Locked);

    m_clock->setMs(lockedUntil);
    const auto result = m_accounts->signIn(businessId, QStringLiteral("alice"), kPassword);
    QCOMPARE(result.error, AccountService::SignInError::None);
    QCOMPARE(result.user.username, QStringLiteral("alice"));
    const User alice = userNamed(QStringLiteral("alice"));
    QCOMPARE(alice.failedAttempts, 0);
    QCOMPARE(alice.lockedUntilMs, 0);
    QCOMPARE(alice.lastLoginMs, lockedUntil);
}

void TestAccountService::counterRestartsAfterLockExpires()
{
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));
    failSignIns(AccountService::kMaxFailedAttempts);
    m_clock->advanceMs(AccountService::kLockoutMs);

    // The first failure after the lock counts as the first of a new series, not the sixth.
    const auto first = m_accounts->signIn(businessId, QStringLiteral("alice"), kWrongPassword);
    QCOMPARE(first.error, AccountService::SignInError::UnknownUserOrPassword);
    QCOMPARE(first.message, kGeneric);
    QCOMPARE(userNamed(QStringLiteral("alice")).failedAttempts, 1);
    QCOMPARE(userNamed(QStringLiteral("alice")).lockedUntilMs, 0);

    failSignIns(AccountService::kMaxFailedAttempts - 2);
    QCOMPARE(userNamed(QStringLiteral("alice")).lockedUntilMs, 0);
    const auto fifth = m_accounts->signIn(businessId, QStringLiteral("alice"), kWrongPassword);
    QCOMPARE(fifth.error, AccountService::SignInError::Locked);
}

void TestAccountService::successResetsCounter()
{
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));
    failSignIns(AccountService::kMaxFailedAttempts - 1);
    QCOMPARE(userNamed(QStringLiteral("alice")).failedAttempts, 4);

    QCOMPARE(m_accounts->signIn(businessId, QStringLiteral("alice"), kPassword).error,
             AccountService::SignInError::None);
    QCOMPARE(userNamed(QStringLiteral("alice")).failedAttempts, 0);

    failSignIns(AccountService::kMaxFailedAttempts - 1);
    QCOMPARE(userNamed(QStringLiteral("alice")).failedAttempts, 4);
    QCOMPARE(userNamed(QStringLiteral("alice")).lockedUntilMs, 0);
    QCOMPARE(m_accounts->signIn(businessId, QStringLiteral("alice"), kPassword).error,
             AccountService::SignInError::None);
}

void TestAccountService::weakHashIsUpgradedOnSignIn()
{
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));

    // Stand in for a hash from an older LeadDesk that used cheaper parameters.
    QVERIFY(sodium_init() >= 0);
    const QByteArray utf8 = kPassword.toUtf8();
    char weak[crypto_pwhash_STRBYTES] = {};
    QCOMPARE(crypto_pwhash_str_alg(weak, utf8.constData(), quint64(utf8.size()),
                                   crypto_pwhash_OPSLIMIT_MIN, 8192, crypto_pwhash_ALG_ARGON2ID13),
             0);
    QSqlQuery update(m_store->db().connection());
    update.prepare(QStringLiteral("UPDATE users SET password_hash = ? WHERE username = 'alice'"));
    update.addBindValue(QString::fromLatin1(weak));
    QVERIFY(update.exec());
    QVERIFY(PasswordHasher::needsRehash(QString::fromLatin1(weak)));

    QCOMPARE(m_accounts->signIn(businessId, QStringLiteral("alice"), kPassword).error,
             AccountService::SignInError::None);
    const QString upgraded = storedHash(QStringLiteral("alice"));
    QVERIFY(upgraded != QString::fromLatin1(weak));
    QVERIFY(!PasswordHasher::needsRehash(upgraded));
    QVERIFY(PasswordHasher::verify(upgraded, kPassword));
}

void TestAccountService::changePassword()
{
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));
    const QString oldHash = storedHash(QStringLiteral("alice"));

    const auto weak = m_accounts->changePassword(businessId, QStringLiteral("alice"),
                                                 QStringLiteral("password1!"));
    QVERIFY(!weak.has_value());
    QCOMPARE(weak.error().field, QStringLiteral("password"));
    const auto withName = m_accounts->changePassword(businessId, QStringLiteral("alice"),
                                                     QStringLiteral("alice-is-great"));
    QVERIFY(!withName.has_value());
    QCOMPARE(withName.error().message, QStringLiteral("must not contain the user name"));
    QCOMPARE(storedHash(QStringLiteral("alice")), oldHash);

    const auto unknown = m_accounts->changePassword(businessId, QStringLiteral("nobody"),
                                                    QStringLiteral("granite-puffin-31"));
    QVERIFY(!unknown.has_value());
    QCOMPARE(unknown.error().message, QStringLiteral("there is no user named 'nobody'"));

    const QString newPassword = QStringLiteral("granite-puffin-31");
    const auto changed
        = m_accounts->changePassword(businessId, QStringLiteral("Alice"), newPassword);
    QVERIFY2(changed.has_value(), qPrintable(changed ? QString() : changed.error().toString()));
    QCOMPARE(m_accounts->signIn(businessId, QStringLiteral("alice"), kPassword).error,
             AccountService::SignInError::UnknownUserOrPassword);
    QCOMPARE(m_accounts->signIn(businessId, QStringLiteral("alice"), newPassword).error,
             AccountService::SignInError::None);
}

void TestAccountService::changePasswordLiftsLock()
{
    const QString businessId = m_store->businessId();
    QVERIFY(
        m_accounts->createUser(businessId, QStringLiteral("alice"), {}, kPassword, Role::Owner));
    failSignIns(AccountService::kMaxFailedAttempts);
    QVERIFY(userNamed(QStringLiteral("alice")).lockedUntilMs > m_clock->nowMs());

    const QString newPassword = QStringLiteral("granite-puffin-31");
    QVERIFY(m_accounts->changePassword(businessId, QStringLiteral("alice"), newPassword));
    QCOMPARE(userNamed(QStringLiteral("alice")).lockedUntilMs, 0);
    QCOMPARE(userNamed(QStringLiteral("alice")).failedAttempts, 0);
    QCOMPARE(m_accounts->signIn(businessId, QStringLiteral("alice"), newPassword).error,
             AccountService::SignInError::None);
}

void TestAccountService::usersOrderedByRoleThenName()
{
    const QString businessId = m_store->businessId();
    const QList<std::pair<QString, Role>> people = {
        {QStringLiteral("zed"), Role::Rep},   {QStringLiteral("mia"), Role::Admin},
        {QStringLiteral("Bob"), Role::Owner}, {QStringLiteral("amy"), Role::Rep},
        {QStringLiteral("Ann"), Role::Admin},
    };
    for (const auto &[name, role] : people)
        QVERIFY(m_accounts->createUser(businessId, name, {}, kPassword, role));

    const auto users = m_accounts->users(businessId);
    QVERIFY(users);
    QStringList names;
    for (const User &user : *users)
        names << user.username;
    QCOMPARE(names,
             QStringList({QStringLiteral("Bob"), QStringLiteral("Ann"), QStringLiteral("mia"),
                          QStringLiteral("amy"), QStringLiteral("zed")}));
    QCOMPARE(users->at(0).role, Role::Owner);
    QCOMPARE(users->at(1).role, Role::Admin);
    QCOMPARE(users->at(4).role, Role::Rep);
}

void TestAccountService::hasOwner()
{
    const QString businessId = m_store->businessId();
    QCOMPARE(m_accounts->hasOwner(businessId).value_or(true), false);
    QVERIFY(m_accounts->createUser(businessId, QStringLiteral("rex"), {}, kPassword, Role::Rep));
    QVERIFY(m_accounts->createUser(businessId, QStringLiteral("ada"), {}, kPassword, Role::Admin));
    QCOMPARE(m_accounts->hasOwner(businessId).value_or(true), false);
    QVERIFY(m_accounts->createUser(businessId, QStringLiteral("olga"), {}, kPassword, Role::Owner));
    QCOMPARE(m_accounts->hasOwner(businessId).value_or(false), true);
}

QTEST_GUILESS_MAIN(TestAccountService)
#include "tst_accountservice.moc"
