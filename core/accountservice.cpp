#include "accountservice.h"

#include "ids.h"
#include "passwordhasher.h"
#include "passwordpolicy.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QVariant>

#include <algorithm>
#include <optional>

Q_LOGGING_CATEGORY(lcAccounts, "leaddesk.accounts")

namespace LeadDesk::Core {

namespace {

constexpr int kMaxDisplayNameLength = 100;
constexpr int kMaxEmailLength = 254;

const QString kUserColumns = QStringLiteral(
    "SELECT id, business_id, username, display_name, email, role, failed_attempts, locked_until, "
    "last_login_at, created_at, password_hash FROM users ");

struct StoredUser
{
    User user;
    QString passwordHash;
};

StoredUser fromRow(const QSqlQuery &query)
{
    StoredUser stored;
    User &user = stored.user;
    user.id = query.value(0).toString();
    user.businessId = query.value(1).toString();
    user.username = query.value(2).toString();
    user.displayName = query.value(3).toString();
    user.email = query.value(4).toString();
    if (!parseRole(query.value(5).toString(), &user.role))
        user.role = Role::Rep; // the table's CHECK allows nothing else; least privilege if it did
    user.failedAttempts = query.value(6).toInt();
    user.lockedUntilMs = query.value(7).toLongLong();
    user.lastLoginMs = query.value(8).toLongLong();
    user.createdAtMs = query.value(9).toLongLong();
    stored.passwordHash = query.value(10).toString();
    return stored;
}

// Verified against when the user name is unknown, so that answer takes as long as a wrong
// password. Made from random bytes on first use: nothing can ever match it.
const QString &dummyHash()
{
    static const QString hash
        = PasswordHasher::hash(QString::number(QRandomGenerator::system()->generate64(), 36)
                               + QString::number(QRandomGenerator::system()->generate64(), 36));
    return hash;
}

QString lockedMessage(qint64 lockedUntilMs, qint64 nowMs)
{
    const qint64 minutes = std::max<qint64>(1, (lockedUntilMs - nowMs + 59'999) / 60'000);
    return QStringLiteral("the account is locked after %1 failed sign-ins; try again in %2 %3")
        .arg(AccountService::kMaxFailedAttempts)
        .arg(minutes)
        .arg(minutes == 1 ? QStringLiteral("minute") : QStringLiteral("minutes"));
}

qsizetype codePointCount(const QString &text)
{
    return text.toUcs4().size();
}

Result<void> checkEmail(const QString &email)
{
    if (email.isEmpty())
        return {};
    const qsizetype at = email.indexOf(u'@');
    if (email.size() > kMaxEmailLength || at <= 0 || at != email.lastIndexOf(u'@')
        || at == email.size() - 1
        || std::any_of(email.cbegin(), email.cend(), [](QChar c) { return c.isSpace(); })) {
        return fail(QStringLiteral("'%1' is not an email address").arg(email),
                    QStringLiteral("email"));
    }
    return {};
}

Result<std::optional<StoredUser>> findUser(Database &db, const QString &businessId,
                                           const QString &username)
{
    // The username column is COLLATE NOCASE, so "Alice" finds "alice".
    QSqlQuery &query = db.prepared(kUserColumns
                                   + QStringLiteral("WHERE business_id = ? AND username = ? "
                                                    "AND deleted = 0"));
    query.addBindValue(businessId);
    query.addBindValue(username);
    if (auto ok = db.exec(query); !ok)
        return std::unexpected(ok.error());
    std::optional<StoredUser> found;
    if (query.next())
        found = fromRow(query);
    query.finish();
    return found;
}

Result<bool> usernameTaken(Database &db, const QString &businessId, const QString &username)
{
    // Deleted rows still hold their name: the UNIQUE constraint does not look at `deleted`.
    QSqlQuery &query = db.prepared(QStringLiteral(
        "SELECT EXISTS (SELECT 1 FROM users WHERE business_id = ? AND username = ?)"));
    query.addBindValue(businessId);
    query.addBindValue(username);
    if (auto ok = db.exec(query); !ok)
        return std::unexpected(ok.error());
    const bool taken = query.next() && query.value(0).toBool();
    query.finish();
    return taken;
}

} // namespace

AccountService::AccountService(Database &db, const Clock &clock)
    : m_db(db)
    , m_clock(clock)
{}

Result<void> AccountService::checkUsername(const QString &username)
{
    // ASCII only: SQLite's NOCASE, which keeps names unique, folds nothing else.
    static const QRegularExpression pattern(
        QRegularExpression::anchoredPattern(QStringLiteral("[A-Za-z0-9._@-]{3,64}")));
    if (!pattern.match(username).hasMatch()) {
        return fail(QStringLiteral("must be 3 to 64 letters, digits, '.', '_', '-' or '@'"),
                    QStringLiteral("username"));
    }
    return {};
}

Result<User> AccountService::createUser(const QString &businessId, const QString &username,
                                        const QString &displayName, const QString &password,
                                        Role role, const QString &email)
{
    const QString name = username.trimmed();
    if (auto ok = checkUsername(name); !ok)
        return std::unexpected(ok.error());
    QString display = displayName.trimmed();
    if (display.isNull())
        display = QStringLiteral(""); // a null QString binds as NULL; the column wants ''
    if (codePointCount(display) > kMaxDisplayNameLength) {
        return fail(QStringLiteral("must be at most %1 characters").arg(kMaxDisplayNameLength),
                    QStringLiteral("displayName"));
    }
    const QString mail = email.trimmed();
    if (auto ok = checkEmail(mail); !ok)
        return std::unexpected(ok.error());
    if (role != Role::Owner && role != Role::Admin && role != Role::Rep)
        return fail(QStringLiteral("must be owner, admin or rep"), QStringLiteral("role"));
    // Before hashing: the policy also bounds the length, so a huge paste is refused cheaply.
    if (auto ok = PasswordPolicy::check(name, password); !ok)
        return std::unexpected(ok.error());

    const QString takenMessage = QStringLiteral("the user name '%1' is taken").arg(name);
    auto taken = usernameTaken(m_db, businessId, name);
    if (!taken)
        return std::unexpected(taken.error());
    if (*taken)
        return fail(takenMessage, QStringLiteral("username"));

    const QString hash = PasswordHasher::hash(password);
    if (hash.isEmpty())
        return fail(QStringLiteral("cannot hash the password (out of memory)"));

    const qint64 now = m_clock.nowMs();
    User user;
    user.id = Ids::uuidV7(now);
    user.businessId = businessId;
    user.username = name;
    user.displayName = display;
    user.email = mail;
    user.role = role;
    user.createdAtMs = now;
    QSqlQuery &insert = m_db.prepared(QStringLiteral(
        "INSERT INTO users (id, business_id, username, display_name, email, role, password_hash, "
        "created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(user.id);
    insert.addBindValue(businessId);
    insert.addBindValue(name);
    insert.addBindValue(display);
    insert.addBindValue(mail.isEmpty() ? QVariant() : QVariant(mail));
    insert.addBindValue(roleName(role));
    insert.addBindValue(hash);
    insert.addBindValue(now);
    insert.addBindValue(now);
    insert.addBindValue(Ids::nextHlc(now));
    if (auto ok = m_db.exec(insert); !ok) {
        // Another connection may have taken the name between the check and the insert.
        if (ok.error().message.contains(QLatin1String("UNIQUE")))
            return fail(takenMessage, QStringLiteral("username"));
        return std::unexpected(ok.error());
    }
    qCInfo(lcAccounts) << "created user" << name << "with role" << roleName(role);
    return user;
}

AccountService::SignInResult
AccountService::signIn(const QString &businessId, const QString &username, const QString &password)
{
    SignInResult result;
    const auto generic = [&result] {
        result.error = SignInError::UnknownUserOrPassword;
        result.message = QStringLiteral("unknown user name or wrong password");
        return result;
    };

    auto found = findUser(m_db, businessId, username.trimmed());
    if (!found) {
        generic();
        result.message = QStringLiteral("cannot sign in: %1").arg(found.error().message);
        return result;
    }
    if (!found->has_value()) {
        (void)PasswordHasher::verify(dummyHash(), password);
        // The typed name is not logged: people sometimes type their password into that field.
        qCInfo(lcAccounts) << "sign-in refused: unknown user name";
        return generic();
    }

    StoredUser &stored = **found;
    const qint64 now = m_clock.nowMs();
    if (stored.user.lockedUntilMs > now) {
        // No verification while locked: guesses must not be tested at all, not even slowly.
        qCInfo(lcAccounts) << "sign-in refused: account" << stored.user.username << "is locked";
        result.error = SignInError::Locked;
        result.lockedUntilMs = stored.user.lockedUntilMs;
        result.message = lockedMessage(stored.user.lockedUntilMs, now);
        return result;
    }

    if (!PasswordHasher::verify(stored.passwordHash, password)) {
        // One statement, so two failures racing on different connections both count. A lock that
        // has run out restarts the count at this failure.
        QSqlQuery &update = m_db.prepared(QStringLiteral(
            "UPDATE users SET "
            "failed_attempts = CASE WHEN locked_until <= ? THEN 1 ELSE failed_attempts + 1 END, "
            "locked_until = CASE WHEN locked_until <= ? THEN NULL "
            "WHEN failed_attempts + 1 >= ? THEN ? ELSE NULL END, "
            "updated_at = ?, hlc = ? WHERE id = ? RETURNING failed_attempts, locked_until"));
        update.addBindValue(now);
        update.addBindValue(now);
        update.addBindValue(kMaxFailedAttempts);
        update.addBindValue(now + kLockoutMs);
        update.addBindValue(now);
        update.addBindValue(Ids::nextHlc(now));
        update.addBindValue(stored.user.id);
        if (auto ok = m_db.exec(update); !ok)
            return generic();
        qint64 lockedUntil = 0;
        int failures = 0;
        if (update.next()) {
            failures = update.value(0).toInt();
            lockedUntil = update.value(1).toLongLong();
        }
        update.finish();
        qCInfo(lcAccounts) << "sign-in refused: wrong password for" << stored.user.username
                           << "failure" << failures << "of" << kMaxFailedAttempts;
        if (lockedUntil > now) {
            qCWarning(lcAccounts) << "account" << stored.user.username << "locked for"
                                  << kLockoutMs / 60'000 << "minutes";
            result.error = SignInError::Locked;
            result.lockedUntilMs = lockedUntil;
            result.message = lockedMessage(lockedUntil, now);
            return result;
        }
        return generic();
    }

    // A hash made with weaker parameters than today's is replaced while the password is at hand.
    QVariant newHash;
    if (PasswordHasher::needsRehash(stored.passwordHash)) {
        if (const QString rehashed = PasswordHasher::hash(password); !rehashed.isEmpty())
            newHash = rehashed;
    }
    QSqlQuery &update = m_db.prepared(QStringLiteral(
        "UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = ?, "
        "password_hash = COALESCE(?, password_hash), updated_at = ?, hlc = ? WHERE id = ?"));
    update.addBindValue(now);
    update.addBindValue(newHash);
    update.addBindValue(now);
    update.addBindValue(Ids::nextHlc(now));
    update.addBindValue(stored.user.id);
    if (auto ok = m_db.exec(update); !ok) {
        generic();
        result.message = QStringLiteral("cannot sign in: %1").arg(ok.error().message);
        return result;
    }
    if (newHash.isNull())
        qCInfo(lcAccounts) << "signed in" << stored.user.username;
    else
        qCInfo(lcAccounts) << "signed in" << stored.user.username
                           << "and upgraded the password hash";
    result.user = stored.user;
    result.user.failedAttempts = 0;
    result.user.lockedUntilMs = 0;
    result.user.lastLoginMs = now;
    return result;
}

Result<void> AccountService::changePassword(const QString &businessId, const QString &username,
                                            const QString &newPassword)
{
    auto found = findUser(m_db, businessId, username.trimmed());
    if (!found)
        return std::unexpected(found.error());
    if (!found->has_value()) {
        return fail(QStringLiteral("there is no user named '%1'").arg(username.trimmed()),
                    QStringLiteral("username"));
    }
    const User &user = (*found)->user;
    if (auto ok = PasswordPolicy::check(user.username, newPassword); !ok)
        return ok;
    const QString hash = PasswordHasher::hash(newPassword);
    if (hash.isEmpty())
        return fail(QStringLiteral("cannot hash the password (out of memory)"));

    // A new password set by an administrator also lifts a lock-out.
    const qint64 now = m_clock.nowMs();
    QSqlQuery &update = m_db.prepared(QStringLiteral(
        "UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL, "
        "updated_at = ?, hlc = ? WHERE id = ?"));
    update.addBindValue(hash);
    update.addBindValue(now);
    update.addBindValue(Ids::nextHlc(now));
    update.addBindValue(user.id);
    if (auto ok = m_db.exec(update); !ok)
        return ok;
    qCInfo(lcAccounts) << "changed the password of" << user.username;
    return {};
}

Result<QList<User>> AccountService::users(const QString &businessId)
{
    QSqlQuery &query = m_db.prepared(
        kUserColumns
        + QStringLiteral("WHERE business_id = ? AND deleted = 0 ORDER BY CASE role "
                         "WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 ELSE 2 END, username"));
    query.addBindValue(businessId);
    if (auto ok = m_db.exec(query); !ok)
        return std::unexpected(ok.error());
    QList<User> list;
    while (query.next())
        list.append(fromRow(query).user);
    query.finish();
    return list;
}

Result<bool> AccountService::hasOwner(const QString &businessId)
{
    QSqlQuery &query = m_db.prepared(QStringLiteral(
        "SELECT EXISTS (SELECT 1 FROM users WHERE business_id = ? AND role = 'owner' "
        "AND deleted = 0)"));
    query.addBindValue(businessId);
    if (auto ok = m_db.exec(query); !ok)
        return std::unexpected(ok.error());
    const bool exists = query.next() && query.value(0).toBool();
    query.finish();
    return exists;
}

} // namespace LeadDesk::Core
