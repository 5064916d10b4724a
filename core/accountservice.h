#pragma once

#include "clock.h"
#include "database.h"
#include "result.h"
#include "user.h"

#include <QList>
#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcAccounts)

namespace LeadDesk::Core {

// Local accounts of a business: creation under the password policy, Argon2id hashes
// (libsodium), sign-in with lock-out after five failures for fifteen minutes. Works on the
// connection it is given; callers keep it off the GUI thread (hashing takes ~0.1 s on purpose).
class AccountService final
{
public:
    static constexpr int kMaxFailedAttempts = 5;
    static constexpr qint64 kLockoutMs = 15 * 60 * 1000;

    enum class SignInError { None, UnknownUserOrPassword, Locked };

    struct SignInResult
    {
        SignInError error = SignInError::None;
        User user;                // valid when error == None
        qint64 lockedUntilMs = 0; // valid when error == Locked
        QString message;          // human text for the dialog / CLI
    };

    explicit AccountService(Database &db, const Clock &clock = Clock::system());

    // 3 to 64 ASCII letters, digits, '.', '_', '-' or '@' (what createUser accepts).
    static Result<void> checkUsername(const QString &username);

    Result<User> createUser(const QString &businessId, const QString &username,
                            const QString &displayName, const QString &password, Role role,
                            const QString &email = {});
    SignInResult signIn(const QString &businessId, const QString &username,
                        const QString &password);
    Result<void> changePassword(const QString &businessId, const QString &username,
                                const QString &newPassword);
    Result<QList<User>> users(const QString &businessId);
    Result<bool> hasOwner(const QString &businessId);

private:
    Database &m_db;
    const Clock &m_clock;
};

} // namespace LeadDesk::Core
