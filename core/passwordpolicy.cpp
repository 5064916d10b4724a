#include "passwordpolicy.h"

#include "accountservice.h"

#include <QFile>
#include <QSet>

#include <algorithm>

namespace LeadDesk::Core::PasswordPolicy {

namespace {

// Names shorter than this are too likely to occur by chance inside a good password ("al", "jo").
constexpr int kMinUsernameToCheck = 3;
// Below this, a word with digits added draws its strength from the digits, not the word.
constexpr int kMinCommonStem = 4;

const QSet<QString> &commonPasswords()
{
    static const QSet<QString> list = [] {
        QSet<QString> set;
        QFile file(QStringLiteral(":/config/common-passwords.txt"));
        if (!file.open(QIODevice::ReadOnly)) {
            qCCritical(lcAccounts) << "the list of common passwords is missing from this build";
            return set;
        }
        while (!file.atEnd()) {
            const QString entry = QString::fromUtf8(file.readLine()).trimmed();
            if (!entry.isEmpty())
                set.insert(entry.toCaseFolded());
        }
        return set;
    }();
    return list;
}

bool isDigitOrSymbol(QChar c)
{
    return c.isDigit() || c.isPunct() || c.isSymbol() || c.isSpace();
}

// Guessing tools try every listed password with digits, years and symbols tacked on, so
// "Password2024!" is no stronger than "password", nor "trustno1!!" than "trustno1": peel the
// tail of digits and symbols off one character at a time and look each shorter form up.
bool isCommonWithTail(const QString &folded)
{
    for (qsizetype end = folded.size() - 1; end >= kMinCommonStem; --end) {
        if (!isDigitOrSymbol(folded.at(end)))
            return false;
        if (commonPasswords().contains(folded.left(end)))
            return true;
    }
    return false;
}

bool isOneCharacterRepeated(const QList<uint> &codePoints)
{
    return std::all_of(codePoints.cbegin(), codePoints.cend(),
                       [&](uint c) { return c == codePoints.first(); });
}

} // namespace

Result<void> check(const QString &username, const QString &password)
{
    const QString field = QStringLiteral("password");
    // A code point takes one or two UTF-16 units: anything over twice the limit is too long
    // without looking further, so a huge paste costs nothing.
    if (password.size() > 2 * kMaxLength)
        return fail(QStringLiteral("must be at most %1 characters").arg(kMaxLength), field);
    const QList<uint> codePoints = password.toUcs4();
    if (codePoints.size() > kMaxLength)
        return fail(QStringLiteral("must be at most %1 characters").arg(kMaxLength), field);
    if (codePoints.size() < kMinLength)
        return fail(QStringLiteral("must be at least %1 characters").arg(kMinLength), field);
    if (isOneCharacterRepeated(codePoints))
        return fail(QStringLiteral("must not be one character repeated"), field);

    const QString name = username.trimmed();
    if (name.size() >= kMinUsernameToCheck && password.contains(name, Qt::CaseInsensitive))
        return fail(QStringLiteral("must not contain the user name"), field);

    const QString folded = password.toCaseFolded();
    if (commonPasswords().contains(folded))
        return fail(QStringLiteral("is one of the most common passwords"), field);
    if (isCommonWithTail(folded))
        return fail(QStringLiteral("is a common password with digits or symbols added"), field);
    return {};
}

} // namespace LeadDesk::Core::PasswordPolicy
