#include "passwordpolicy.h"

#include <QElapsedTimer>
#include <QTest>

using namespace LeadDesk::Core;

class TestPasswordPolicy : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void check_data();
    void check();
    void hugePasswordIsRefusedCheaply();
};

void TestPasswordPolicy::check_data()
{
    QTest::addColumn<QString>("username");
    QTest::addColumn<QString>("password");
    QTest::addColumn<QString>("error"); // empty when the password is acceptable

    const auto row = [](const char *name, const QString &username, const QString &password,
                        const QString &error) {
        QTest::newRow(name) << username << password << error;
    };
    const QString ok;
    const QString tooShort = QStringLiteral("must be at least 10 characters");
    const QString tooLong = QStringLiteral("must be at most 128 characters");
    const QString repeated = QStringLiteral("must not be one character repeated");
    const QString hasName = QStringLiteral("must not contain the user name");
    const QString common = QStringLiteral("is one of the most common passwords");
    const QString commonPlus = QStringLiteral("is a common password with digits or symbols added");

    row("passphrase", "alice", "correct horse battery staple", ok);
    row("exactly 10", "alice", "kettle-h4r", ok);
    row("9 characters", "alice", "kettle-h4", tooShort);
    row("empty", "alice", "", tooShort);
    row("exactly 128", "alice", QString(64, u'x') + QString(64, u'y'), ok);
    row("129 characters", "alice", QString(65, u'x') + QString(64, u'y'), tooLong);
    // Lengths count code points: each emoji is two UTF-16 units but one character.
    row("10 emoji", "alice", QStringLiteral("🐢🦊🐙🦉🐝🦀🐬🦜🐌🦎"), ok);
    row("9 emoji", "alice", QStringLiteral("🐢🦊🐙🦉🐝🦀🐬🦜🐌"), tooShort);
    row("128 emoji", "alice", QStringLiteral("🐢🦊").repeated(64), ok);
    row("129 emoji", "alice", QStringLiteral("🐢🦊").repeated(64) + QStringLiteral("🐙"),
        tooLong);
    row("accented", "alice", QStringLiteral("çàèéüöñøåß"), ok);

    row("one letter repeated", "alice", "aaaaaaaaaaaa", repeated);
    row("one digit repeated", "alice", "1111111111", repeated);
    row("spaces only", "alice", "          ", repeated);
    row("one emoji repeated", "alice", QStringLiteral("🐢").repeated(12), repeated);
    row("two letters alternating", "alice", "abababababab", ok);

    row("equals user name", "alice.smith", "alice.smith", hasName);
    row("user name other case", "alice.smith", "ALICE.Smith", hasName);
    row("contains user name", "bob", "my-bob-river-77", hasName);
    row("user name with spaces around", " carol ", "carolsgarden!!", hasName);
    row("two-letter name is not checked", "jo", "jolly-kettle-7", ok);
    row("no user name", "", "quiet-lantern-42", ok);

    row("common", "alice", "qwertyuiop", common);
    row("common digits", "alice", "1234567890", common);
    row("common other case", "alice", "QwertyUIOP", common);
    row("common with digits", "alice", "password123", common);
    row("long keyboard walk", "alice", "1qaz2wsx3edc", common);
    // Guessing tools append digits, years and symbols to every listed word.
    row("common word with digits and symbol", "alice", "Password123!", commonPlus);
    row("common word with a year", "alice", "PASSWORD2024", commonPlus);
    row("common word with symbols", "alice", "iloveyou!!!!", commonPlus);
    row("common word with a space", "alice", "sunshine 2023", commonPlus);
    row("keyboard walk with a year", "alice", "qwertyuiop2024", commonPlus);
    row("team with digit and symbol", "alice", "Liverpool1!", commonPlus);
    row("listed password with symbols", "alice", "trustno1!!!", commonPlus);
    row("listed digits with a symbol", "alice", "123456789!", commonPlus);
    row("digits with no listed start", "alice", "8302917465", ok);
    row("common word then letters", "alice", "dragonfly-meadow", ok);
    row("common word in front", "alice", "2024!monkey", ok);
}

void TestPasswordPolicy::check()
{
    QFETCH(QString, username);
    QFETCH(QString, password);
    QFETCH(QString, error);

    const Result<void> result = PasswordPolicy::check(username, password);
    if (error.isEmpty()) {
        QVERIFY2(result.has_value(), qPrintable(result ? QString() : result.error().toString()));
    } else {
        QVERIFY(!result.has_value());
        QCOMPARE(result.error().message, error);
        QCOMPARE(result.error().field, QStringLiteral("password"));
    }
}

void TestPasswordPolicy::hugePasswordIsRefusedCheaply()
{
    const QString huge = QStringLiteral("Zq7!").repeated(25'600); // 100 KB of characters
    QElapsedTimer timer;
    timer.start();
    const Result<void> result = PasswordPolicy::check(QStringLiteral("alice"), huge);
    const qint64 elapsedMs = timer.elapsed();
    QVERIFY(!result.has_value());
    QCOMPARE(result.error().message, QStringLiteral("must be at most 128 characters"));
    QVERIFY2(elapsedMs < 50, qPrintable(QStringLiteral("took %1 ms").arg(elapsedMs)));
}

QTEST_GUILESS_MAIN(TestPasswordPolicy)
#include "tst_passwordpolicy.moc"
