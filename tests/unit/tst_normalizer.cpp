#include "normalizer.h"

#include <QTest>

#include <atomic>
#include <thread>
#include <vector>

using LeadDesk::Core::Normalizer;

namespace {

const QString kEmpty = QStringLiteral("is empty");
const QString kNotPhone = QStringLiteral("is not a valid phone number");
const QString kNotState = QStringLiteral("is not a US state or territory");
const QString kNotScore = QStringLiteral("is not a credit score");
const QString kScoreRange = QStringLiteral("is outside the range 300 to 850");
const QString kNotBool = QStringLiteral("is not yes or no");
const QString kNotMoney = QStringLiteral("is not an amount of money");
const QString kSubCent = QStringLiteral("has more than two decimal places");
const QString kTooLarge = QStringLiteral("is too large");
const QString kNotDate = QStringLiteral("is not a recognised date");
const QString kBadDate = QStringLiteral("is not a valid date");
const QString kBadTime = QStringLiteral("is not a valid time");
const QString kNotEmail = QStringLiteral("is not a valid email address");

const QString kInjection = QStringLiteral("Robert'); DROP TABLE leads;--");
const QChar kNul(u'\0');
const QChar kLoneHigh(char16_t(0xD800));
const QChar kLoneLow(char16_t(0xDC00));

QString repeated(qsizetype count, QChar c)
{
    return QString(count, c);
}

// Compares a result with a row's expectation: the value when `error` is empty, else that error.
template<typename T>
void checkResult(const Normalizer::Normalized<T> &actual, const T &expected, const QString &error)
{
    if (error.isEmpty()) {
        const QString why = actual ? QString() : QStringLiteral("failed: ") + actual.error();
        QVERIFY2(actual.has_value(), qPrintable(why));
        QCOMPARE(*actual, expected);
    } else {
        QVERIFY2(!actual.has_value(), "succeeded where an error was expected");
        QCOMPARE(actual.error(), error);
    }
}

template<typename T>
QString errorOf(const Normalizer::Normalized<T> &result)
{
    return result ? QStringLiteral("(no error)") : result.error();
}

QDateTime utc(int year, int month, int day, int hour = 0, int minute = 0, int second = 0,
              int ms = 0)
{
    return QDateTime(QDate(year, month, day), QTime(hour, minute, second, ms), Qt::UTC);
}

} // namespace

class TstNormalizer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyInputIsAnErrorEverywhere_data();
    void emptyInputIsAnErrorEverywhere();
    void phoneE164_data();
    void phoneE164();
    void phoneE164ReadsNationalNumbersInItsRegion_data();
    void phoneE164ReadsNationalNumbersInItsRegion();
    void phoneNationalTenDigits_data();
    void phoneNationalTenDigits();
    void personName_data();
    void personName();
    void personNameChangesNothingButCase_data();
    void personNameChangesNothingButCase();
    void stateCode_data();
    void stateCode();
    void stateCodeKnowsEveryStateAndTerritory();
    void addressLine_data();
    void addressLine();
    void creditScore_data();
    void creditScore();
    void boolean_data();
    void boolean();
    void moneyCents_data();
    void moneyCents();
    void dateTimeUtc_data();
    void dateTimeUtc();
    void dateTimeUtcInNewYorkAcrossDst_data();
    void dateTimeUtcInNewYorkAcrossDst();
    void email_data();
    void email();
    void concurrentCallsAgreeWithSequentialOnes();
};

void TstNormalizer::emptyInputIsAnErrorEverywhere_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("nothing") << QString();
    QTest::newRow("empty string") << QStringLiteral("");
    QTest::newRow("spaces") << QStringLiteral("   ");
    QTest::newRow("tabs and newlines") << QStringLiteral("\t\r\n");
    QTest::newRow("no-break spaces") << QStringLiteral("\u00A0\u202F");
    QTest::newRow("ideographic space") << QStringLiteral("\u3000");
    QTest::newRow("zero-width space and BOM") << QStringLiteral("\u200B\uFEFF ");
}

void TstNormalizer::emptyInputIsAnErrorEverywhere()
{
    QFETCH(QString, input);
    const Normalizer normalizer;
    QCOMPARE(errorOf(normalizer.phoneE164(input)), kEmpty);
    QCOMPARE(errorOf(Normalizer::personName(input)), kEmpty);
    QCOMPARE(errorOf(Normalizer::stateCode(input)), kEmpty);
    QCOMPARE(errorOf(Normalizer::creditScore(input)), kEmpty);
    QCOMPARE(errorOf(Normalizer::boolean(input)), kEmpty);
    QCOMPARE(errorOf(Normalizer::moneyCents(input)), kEmpty);
    QCOMPARE(errorOf(Normalizer::dateTimeUtc(input)), kEmpty);
    QCOMPARE(errorOf(Normalizer::email(input)), kEmpty);
    QCOMPARE(Normalizer::addressLine(input, input, input, input), QString());
}

void TstNormalizer::phoneE164_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("error");

    const QString ohio = QStringLiteral("+16145550177");
    QTest::newRow("parentheses") << QStringLiteral("(614) 555-0177") << ohio << QString();
    QTest::newRow("dots") << QStringLiteral("614.555.0177") << ohio << QString();
    QTest::newRow("dashes") << QStringLiteral("614-555-0177") << ohio << QString();
    QTest::newRow("digits only") << QStringLiteral("6145550177") << ohio << QString();
    QTest::newRow("plus one") << QStringLiteral("+1 614 555 0177") << ohio << QString();
    QTest::newRow("trunk one") << QStringLiteral("1-614-555-0177") << ohio << QString();
    QTest::newRow("extension dropped") << QStringLiteral("6145550177 ext. 12") << ohio << QString();
    QTest::newRow("x extension") << QStringLiteral("614-555-0177x12") << ohio << QString();
    QTest::newRow("tel URI") << QStringLiteral("tel:+1-614-555-0177") << ohio << QString();
    QTest::newRow("fictional 555-0100 in Manhattan")
        << QStringLiteral("(212) 555-0100") << QStringLiteral("+12125550100") << QString();
    QTest::newRow("London") << QStringLiteral("+44 20 7946 0958") << QStringLiteral("+442079460958")
                            << QString();
    QTest::newRow("London dialled from the US")
        << QStringLiteral("011 44 20 7946 0958") << QStringLiteral("+442079460958") << QString();
    QTest::newRow("vanity") << QStringLiteral("1-800-FLOWERS") << QStringLiteral("+18003569377")
                            << QString();
    QTest::newRow("surrounding white space")
        << QStringLiteral("  614-555-0177\t\n") << ohio << QString();
    QTest::newRow("no-break spaces")
        << QStringLiteral("\u00A0614\u00A0555\u00A00177\u00A0") << ohio << QString();
    QTest::newRow("full-width digits")
        << QStringLiteral("６１４５５５０１７７") << ohio << QString();
    // libphonenumber skips leading text up to the first digit or plus sign.
    QTest::newRow("emoji before the number")
        << QStringLiteral("📞 614-555-0177") << ohio << QString();
    QTest::newRow("RTL mark before the number")
        << QStringLiteral("\u200F614-555-0177") << ohio << QString();

    QTest::newRow("letters only") << QStringLiteral("FLOWERS") << QString() << kNotPhone;
    QTest::newRow("word") << QStringLiteral("abcdef") << QString() << kNotPhone;
    QTest::newRow("no area code") << QStringLiteral("555-0177") << QString()
                                  << QStringLiteral("is missing its area code");
    QTest::newRow("too short") << QStringLiteral("614-555-01") << QString()
                               << QStringLiteral("is too short to be a phone number");
    QTest::newRow("two digits") << QStringLiteral("12") << QString()
                                << QStringLiteral("is too short to be a phone number");
    QTest::newRow("too long") << QStringLiteral("+1 614 555 01778") << QString()
                              << QStringLiteral("is too long to be a phone number");
    QTest::newRow("area code 123 does not exist")
        << QStringLiteral("123-456-7890") << QString() << kNotPhone;
    QTest::newRow("area code 555 does not exist")
        << QStringLiteral("555-555-0177") << QString() << kNotPhone;
    QTest::newRow("unknown country code")
        << QStringLiteral("+999 123 456") << QString() << kNotPhone;
    QTest::newRow("zero") << QStringLiteral("0") << QString() << kNotPhone;
    QTest::newRow("SQL injection") << kInjection << QString() << kNotPhone;
    QTest::newRow("SQL injection after a number")
        << QStringLiteral("614-555-0177'); DROP TABLE leads;--") << QString() << kNotPhone;
    QTest::newRow("emoji only") << QStringLiteral("📞📞📞") << QString() << kNotPhone;
    QTest::newRow("RTL override reverses the digits")
        << QStringLiteral("\u202E7710-555-416") << QString() << kNotPhone;
    QTest::newRow("Arabic text") << QStringLiteral("رقم الهاتف") << QString() << kNotPhone;
    QTest::newRow("NUL inside") << QString(QStringLiteral("614") + kNul + QStringLiteral("5550177"))
                                << QString() << kNotPhone;
    QTest::newRow("escape sequence")
        << QStringLiteral("614\x1b[2J5550177") << QString() << kNotPhone;
    QTest::newRow("lone high surrogate")
        << QString(QStringLiteral("614-555-0177") + kLoneHigh) << QString() << kNotPhone;
    QTest::newRow("lone low surrogate")
        << QString(kLoneLow + QStringLiteral("614-555-0177")) << QString() << kNotPhone;
    QTest::newRow("10,000 digits") << repeated(10'000, u'9') << QString() << kNotPhone;
}

void TstNormalizer::phoneE164()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(QString, error);
    const Normalizer normalizer;
    QCOMPARE(normalizer.defaultRegion(), QStringLiteral("US"));
    checkResult(normalizer.phoneE164(input), expected, error);
}

void TstNormalizer::phoneE164ReadsNationalNumbersInItsRegion_data()
{
    QTest::addColumn<QString>("region");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("error");

    QTest::newRow("GB national") << QStringLiteral("GB") << QStringLiteral("020 7946 0958")
                                 << QStringLiteral("+442079460958") << QString();
    QTest::newRow("GB mobile") << QStringLiteral("GB") << QStringLiteral("07911 123456")
                               << QStringLiteral("+447911123456") << QString();
    QTest::newRow("GB reads a US number with its country code")
        << QStringLiteral("GB") << QStringLiteral("+1 614 555 0177")
        << QStringLiteral("+16145550177") << QString();
    QTest::newRow("GB does not read a US national number")
        << QStringLiteral("GB") << QStringLiteral("614-555-0177") << QString() << kNotPhone;
    QTest::newRow("region in lower case with spaces")
        << QStringLiteral(" de ") << QStringLiteral("030 1234567") << QStringLiteral("+49301234567")
        << QString();
    QTest::newRow("unknown region still reads international numbers")
        << QStringLiteral("ZZ") << QStringLiteral("+44 20 7946 0958")
        << QStringLiteral("+442079460958") << QString();
    QTest::newRow("unknown region cannot read national numbers")
        << QStringLiteral("ZZ") << QStringLiteral("614-555-0177") << QString() << kNotPhone;
}

void TstNormalizer::phoneE164ReadsNationalNumbersInItsRegion()
{
    QFETCH(QString, region);
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(QString, error);
    const Normalizer normalizer(region);
    QCOMPARE(normalizer.defaultRegion(), region.trimmed().toUpper());
    checkResult(normalizer.phoneE164(input), expected, error);
}

void TstNormalizer::phoneNationalTenDigits_data()
{
    QTest::addColumn<QString>("e164");
    QTest::addColumn<QString>("expected");

    QTest::newRow("Ohio") << QStringLiteral("+16145550177") << QStringLiteral("6145550177");
    QTest::newRow("toll free") << QStringLiteral("+18003569377") << QStringLiteral("8003569377");
    QTest::newRow("Toronto") << QStringLiteral("+14165550199") << QStringLiteral("4165550199");
    QTest::newRow("Dominican Republic is NANP too")
        << QStringLiteral("+18095550100") << QStringLiteral("8095550100");
    QTest::newRow("Puerto Rico") << QStringLiteral("+17875550100") << QStringLiteral("7875550100");
    QTest::newRow("London") << QStringLiteral("+442079460958") << QStringLiteral("+442079460958");
    QTest::newRow("Paris") << QStringLiteral("+33142685300") << QStringLiteral("+33142685300");
    QTest::newRow("Mexico City") << QStringLiteral("+525512345678")
                                 << QStringLiteral("+525512345678");
    QTest::newRow("Sydney") << QStringLiteral("+61291234567") << QStringLiteral("+61291234567");
    QTest::newRow("Moscow starts with 7, not 1")
        << QStringLiteral("+74951234567") << QStringLiteral("+74951234567");
    QTest::newRow("Berlin") << QStringLiteral("+49301234567") << QStringLiteral("+49301234567");
    QTest::newRow("Hong Kong") << QStringLiteral("+85221234567") << QStringLiteral("+85221234567");
    QTest::newRow("+1 with nine digits is not NANP")
        << QStringLiteral("+1614555017") << QStringLiteral("+1614555017");
    QTest::newRow("+1 with eleven digits is not NANP")
        << QStringLiteral("+161455501777") << QStringLiteral("+161455501777");
    QTest::newRow("empty stays empty") << QString() << QString();
}

void TstNormalizer::phoneNationalTenDigits()
{
    QFETCH(QString, e164);
    QFETCH(QString, expected);
    QCOMPARE(Normalizer::phoneNationalTenDigits(e164), expected);
}

void TstNormalizer::personName_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("error");

    const auto row = [](const char *name, const QString &input, const QString &expected) {
        QTest::newRow(name) << input << expected << QString();
    };
    row("shouted", QStringLiteral("JOHN SMITH"), QStringLiteral("John Smith"));
    row("all lower", QStringLiteral("john smith"), QStringLiteral("John Smith"));
    row("one lower word in a mixed name", QStringLiteral("Mary smith"),
        QStringLiteral("Mary Smith"));
    row("Mc upper", QStringLiteral("MCDONALD"), QStringLiteral("McDonald"));
    row("Mc lower", QStringLiteral("mcdonald"), QStringLiteral("McDonald"));
    row("Mac lower", QStringLiteral("macarthur"), QStringLiteral("MacArthur"));
    row("Mac upper", QStringLiteral("DOUGLAS MACARTHUR"), QStringLiteral("Douglas MacArthur"));
    row("Mack is no Mac-name", QStringLiteral("mack"), QStringLiteral("Mack"));
    row("Macy is no Mac-name", QStringLiteral("macy"), QStringLiteral("Macy"));
    row("Machado is no Mac-name", QStringLiteral("machado"), QStringLiteral("Machado"));
    row("Macias is on the exception list", QStringLiteral("MACIAS"), QStringLiteral("Macias"));
    row("Mackey is on the exception list", QStringLiteral("mackey"), QStringLiteral("Mackey"));
    row("O'Neil", QStringLiteral("o'neil"), QStringLiteral("O'Neil"));
    row("O'NEIL", QStringLiteral("O'NEIL"), QStringLiteral("O'Neil"));
    row("curly apostrophe", QStringLiteral("o’brien"), QStringLiteral("O’Brien"));
    row("D'Angelo from capitals", QStringLiteral("D'ANGELO"), QStringLiteral("D'Angelo"));
    row("d'Angelo as typed", QStringLiteral("d'Angelo"), QStringLiteral("d'Angelo"));
    row("apostrophe after a longer prefix", QStringLiteral("ma'ayan cohen"),
        QStringLiteral("Ma'ayan Cohen"));
    row("particles as typed", QStringLiteral("van der Berg"), QStringLiteral("van der Berg"));
    row("particles shouted", QStringLiteral("VAN DER BERG"), QStringLiteral("Van der Berg"));
    row("particles inside", QStringLiteral("ludwig van beethoven"),
        QStringLiteral("Ludwig van Beethoven"));
    row("shouted particle in a mixed name", QStringLiteral("Ludwig VAN Beethoven"),
        QStringLiteral("Ludwig van Beethoven"));
    row("de la", QStringLiteral("MARIA DE LA CRUZ"), QStringLiteral("Maria de la Cruz"));
    row("bin", QStringLiteral("mohammed bin salman"), QStringLiteral("Mohammed bin Salman"));
    row("al", QStringLiteral("hassan al sabah"), QStringLiteral("Hassan al Sabah"));
    row("a particle as the last word is a surname", QStringLiteral("LEE VAN"),
        QStringLiteral("Lee Van"));
    row("accents", QStringLiteral("josé garcía"), QStringLiteral("José García"));
    row("accented capital", QStringLiteral("ÉMILE ZOLA"), QStringLiteral("Émile Zola"));
    row("hyphen", QStringLiteral("smith-jones"), QStringLiteral("Smith-Jones"));
    row("hyphenated first name", QStringLiteral("MARY-KATE OLSEN"),
        QStringLiteral("Mary-Kate Olsen"));
    row("Mc after a hyphen", QStringLiteral("smith-mcdonald"), QStringLiteral("Smith-McDonald"));
    row("III", QStringLiteral("john smith iii"), QStringLiteral("John Smith III"));
    row("IV", QStringLiteral("JOHN SMITH IV"), QStringLiteral("John Smith IV"));
    row("II kept", QStringLiteral("John Smith II"), QStringLiteral("John Smith II"));
    row("Jr.", QStringLiteral("john smith jr."), QStringLiteral("John Smith Jr."));
    row("Sr", QStringLiteral("JOHN SMITH SR"), QStringLiteral("John Smith Sr"));
    row("Jr. kept", QStringLiteral("Martin Luther King Jr."),
        QStringLiteral("Martin Luther King Jr."));
    row("initials", QStringLiteral("j.r.r. tolkien"), QStringLiteral("J.R.R. Tolkien"));
    row("DeShawn kept", QStringLiteral("DeShawn"), QStringLiteral("DeShawn"));
    row("McKenzie kept", QStringLiteral("McKenzie"), QStringLiteral("McKenzie"));
    row("LaToya kept", QStringLiteral("LaToya Jackson"), QStringLiteral("LaToya Jackson"));
    row("title-case digraph", QStringLiteral("ǆemal"), QStringLiteral("ǅemal"));
    row("inner white space collapsed", QStringLiteral("  john \t\n  smith  "),
        QStringLiteral("John Smith"));
    row("no-break spaces", QStringLiteral("\u00A0mary\u00A0\u00A0smith\u00A0"),
        QStringLiteral("Mary Smith"));
    row("SQL injection", kInjection, QStringLiteral("Robert'); Drop Table Leads;--"));
    row("SQL injection in lower case", kInjection.toLower(),
        QStringLiteral("Robert'); Drop Table Leads;--"));
    row("emoji", QStringLiteral("😀 zoë smith 🎉"), QStringLiteral("😀 Zoë Smith 🎉"));
    row("Arabic has no case", QStringLiteral("محمد علي"), QStringLiteral("محمد علي"));
    row("Hebrew has no case", QStringLiteral("דוד כהן"), QStringLiteral("דוד כהן"));
    row("Chinese has no case", QStringLiteral("王小明"), QStringLiteral("王小明"));
    row("RTL override kept", QStringLiteral("\u202Ejohn"), QStringLiteral("\u202EJohn"));
    row("NUL becomes a space", QString(QStringLiteral("ann") + kNul + QStringLiteral("lee")),
        QStringLiteral("Ann Lee"));
    row("escape becomes a space", QStringLiteral("ann\x1b\x7flee"), QStringLiteral("Ann Lee"));
    row("lone surrogate kept", QString(QStringLiteral("ann") + kLoneHigh),
        QString(QStringLiteral("Ann") + kLoneHigh));
    row("10,000 letters", repeated(10'000, u'a'),
        QString(QStringLiteral("A") + repeated(9'999, u'a')));
    row("digits only", QStringLiteral("12345"), QStringLiteral("12345"));
    QTest::newRow("control characters only")
        << QString(QStringLiteral("\x01\x02") + kNul) << QString() << kEmpty;
}

void TstNormalizer::personName()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(QString, error);
    checkResult(Normalizer::personName(input), expected, error);
}

void TstNormalizer::personNameChangesNothingButCase_data()
{
    QTest::addColumn<QString>("input");
    QTest::newRow("SQL injection") << kInjection;
    QTest::newRow("SQL injection, shouted") << kInjection.toUpper();
    QTest::newRow("quotes and comments") << QStringLiteral("x' OR '1'='1' /* --");
    QTest::newRow("script tag") << QStringLiteral("<script>alert('mcdonald')</script>");
    QTest::newRow("format string") << QStringLiteral("%s%s%n %1 {0}");
    QTest::newRow("emoji family") << QStringLiteral("👨‍👩‍👧 o'neil");
    QTest::newRow("RTL mix") << QStringLiteral("abc \u202Bمحمد\u202C def");
    QTest::newRow("combining accents") << QStringLiteral("JOSE\u0301 GARCI\u0301A");
    QTest::newRow("long shouted name") << repeated(10'000, u'Z');
    QTest::newRow("punctuation only") << QStringLiteral("'-.'");
}

void TstNormalizer::personNameChangesNothingButCase()
{
    QFETCH(QString, input);
    const auto name = Normalizer::personName(input);
    QVERIFY(name.has_value());
    QCOMPARE(name->size(), input.simplified().size());
    QCOMPARE(name->toLower(), input.simplified().toLower());
}

void TstNormalizer::stateCode_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("error");

    const auto row = [](const char *name, const QString &input, const char *code) {
        QTest::newRow(name) << input << QString::fromLatin1(code) << QString();
    };
    row("code", QStringLiteral("OH"), "OH");
    row("code in lower case", QStringLiteral("oh"), "OH");
    row("code with spaces", QStringLiteral(" oH "), "OH");
    row("name", QStringLiteral("Ohio"), "OH");
    row("name in lower case", QStringLiteral("new york"), "NY");
    row("name with double space", QStringLiteral("New  York"), "NY");
    row("name shouted", QStringLiteral("NEW YORK"), "NY");
    row("name with underscore", QStringLiteral("new_york"), "NY");
    row("abbreviation with dots", QStringLiteral("N.Y."), "NY");
    row("Washington is the state", QStringLiteral("washington"), "WA");
    row("West Virginia", QStringLiteral("West Virginia"), "WV");
    row("Hawaiian spelling", QStringLiteral("Hawai'i"), "HI");
    row("District of Columbia", QStringLiteral("district of columbia"), "DC");
    row("Washington, D.C.", QStringLiteral("Washington, D.C."), "DC");
    row("D.C.", QStringLiteral("D.C."), "DC");
    row("Puerto Rico", QStringLiteral("Puerto Rico"), "PR");
    row("Guam", QStringLiteral("GUAM"), "GU");
    row("U.S. Virgin Islands", QStringLiteral("U.S. Virgin Islands"), "VI");
    row("American Samoa", QStringLiteral("american samoa"), "AS");
    row("Northern Mariana Islands", QStringLiteral("Northern Mariana Islands"), "MP");
    row("no-break spaces", QStringLiteral("\u00A0tx\u00A0"), "TX");

    QTest::newRow("unknown code") << QStringLiteral("XX") << QString() << kNotState;
    QTest::newRow("Canadian province") << QStringLiteral("Ontario") << QString() << kNotState;
    QTest::newRow("misspelt") << QStringLiteral("Ohioo") << QString() << kNotState;
    QTest::newRow("one letter") << QStringLiteral("O") << QString() << kNotState;
    QTest::newRow("digits") << QStringLiteral("43214") << QString() << kNotState;
    QTest::newRow("full-width letters") << QStringLiteral("ＯＨ") << QString() << kNotState;
    QTest::newRow("SQL injection") << kInjection << QString() << kNotState;
    QTest::newRow("quote injection") << QStringLiteral("OH' OR '1'='1") << QString() << kNotState;
    QTest::newRow("emoji") << QStringLiteral("🗽") << QString() << kNotState;
    QTest::newRow("Arabic") << QStringLiteral("نيويورك") << QString() << kNotState;
    QTest::newRow("NUL inside") << QString(QStringLiteral("O") + kNul + QStringLiteral("H"))
                                << QString() << kNotState;
    QTest::newRow("lone surrogate")
        << QString(QStringLiteral("OH") + kLoneHigh) << QString() << kNotState;
    QTest::newRow("10,000 letters") << repeated(10'000, u'A') << QString() << kNotState;
}

void TstNormalizer::stateCode()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(QString, error);
    checkResult(Normalizer::stateCode(input), expected, error);
}

void TstNormalizer::stateCodeKnowsEveryStateAndTerritory()
{
    const QStringList codes
        = QStringLiteral("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA "
                         "MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN "
                         "TX UT VT VA WA WV WI WY DC PR GU VI AS MP")
              .split(u' ');
    QCOMPARE(codes.size(), 56);
    for (const QString &code : codes) {
        const auto upper = Normalizer::stateCode(code);
        QVERIFY2(upper.has_value(), qPrintable(code));
        QCOMPARE(*upper, code);
        const auto lower = Normalizer::stateCode(code.toLower());
        QVERIFY2(lower.has_value(), qPrintable(code));
        QCOMPARE(*lower, code);
    }
}

void TstNormalizer::addressLine_data()
{
    QTest::addColumn<QString>("street");
    QTest::addColumn<QString>("city");
    QTest::addColumn<QString>("state");
    QTest::addColumn<QString>("postal");
    QTest::addColumn<QString>("expected");

    QTest::newRow("all parts") << QStringLiteral("88 Birchwood Ln") << QStringLiteral("Columbus")
                               << QStringLiteral("OH") << QStringLiteral("43214")
                               << QStringLiteral("88 Birchwood Ln, Columbus, OH 43214");
    QTest::newRow("untidy parts") << QStringLiteral("  88   Birchwood Ln ")
                                  << QStringLiteral(" Columbus, ") << QStringLiteral("ohio")
                                  << QStringLiteral(" 43214 ")
                                  << QStringLiteral("88 Birchwood Ln, Columbus, OH 43214");
    QTest::newRow("ZIP+4") << QStringLiteral("1 Main St") << QStringLiteral("Dayton")
                           << QStringLiteral("oh") << QStringLiteral("45402-1234")
                           << QStringLiteral("1 Main St, Dayton, OH 45402-1234");
    QTest::newRow("nothing") << QString() << QString() << QString() << QString() << QString();
    QTest::newRow("street only") << QStringLiteral("88 Birchwood Ln") << QString() << QString()
                                 << QString() << QStringLiteral("88 Birchwood Ln");
    QTest::newRow("city and state")
        << QString() << QStringLiteral("Columbus") << QStringLiteral("Ohio") << QString()
        << QStringLiteral("Columbus, OH");
    QTest::newRow("state and ZIP") << QString() << QString() << QStringLiteral("OH")
                                   << QStringLiteral("43214") << QStringLiteral("OH 43214");
    QTest::newRow("ZIP only") << QString() << QString() << QString() << QStringLiteral("43214")
                              << QStringLiteral("43214");
    QTest::newRow("street and ZIP")
        << QStringLiteral("88 Birchwood Ln") << QString() << QString() << QStringLiteral("43214")
        << QStringLiteral("88 Birchwood Ln, 43214");
    QTest::newRow("foreign region kept as written")
        << QStringLiteral("12 King St W") << QStringLiteral("Toronto") << QStringLiteral("Ontario")
        << QStringLiteral("M5V 2T6") << QStringLiteral("12 King St W, Toronto, Ontario M5V 2T6");
    QTest::newRow("white-space-only parts skipped")
        << QStringLiteral(" \t ") << QStringLiteral("Columbus") << QStringLiteral("\u00A0")
        << QStringLiteral(" ") << QStringLiteral("Columbus");
    QTest::newRow("two-line street joined")
        << QStringLiteral("Apt 4\n88 Birchwood Ln") << QStringLiteral("Columbus")
        << QStringLiteral("OH") << QStringLiteral("43214")
        << QStringLiteral("Apt 4 88 Birchwood Ln, Columbus, "
                          "OH 43214");
    QTest::newRow("control characters")
        << QString(QStringLiteral("88") + kNul + QStringLiteral("Birchwood Ln"))
        << QStringLiteral("Columbus\x1b") << QStringLiteral("OH") << QStringLiteral("43214")
        << QStringLiteral("88 Birchwood Ln, Columbus, OH 43214");
    QTest::newRow("SQL injection kept as text")
        << kInjection << QStringLiteral("Columbus") << QStringLiteral("OH")
        << QStringLiteral("43214") << QString(kInjection + QStringLiteral(", Columbus, OH 43214"));
    QTest::newRow("emoji and RTL")
        << QStringLiteral("🏠 1 شارع") << QStringLiteral("Dearborn") << QStringLiteral("Michigan")
        << QStringLiteral("48126") << QStringLiteral("🏠 1 شارع, Dearborn, MI 48126");
    QTest::newRow("commas only") << QStringLiteral(",") << QStringLiteral(" , ")
                                 << QStringLiteral(",,") << QString() << QString();
}

void TstNormalizer::addressLine()
{
    QFETCH(QString, street);
    QFETCH(QString, city);
    QFETCH(QString, state);
    QFETCH(QString, postal);
    QFETCH(QString, expected);
    QCOMPARE(Normalizer::addressLine(street, city, state, postal), expected);
}

void TstNormalizer::creditScore_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<int>("expected");
    QTest::addColumn<QString>("error");

    QTest::newRow("integer") << QStringLiteral("720") << 720 << QString();
    QTest::newRow("decimal zero") << QStringLiteral("720.0") << 720 << QString();
    QTest::newRow("two decimal zeros") << QStringLiteral("720.00") << 720 << QString();
    QTest::newRow("padded") << QStringLiteral(" 705 ") << 705 << QString();
    QTest::newRow("no-break spaces") << QStringLiteral("\u00A0705\u00A0") << 705 << QString();
    QTest::newRow("leading zero") << QStringLiteral("0720") << 720 << QString();
    QTest::newRow("band") << QStringLiteral("700-749") << 700 << QString();
    QTest::newRow("band with spaces") << QStringLiteral("700 - 749") << 700 << QString();
    QTest::newRow("band with en dash") << QStringLiteral("700–749") << 700 << QString();
    QTest::newRow("lowest") << QStringLiteral("300") << 300 << QString();
    QTest::newRow("highest") << QStringLiteral("850") << 850 << QString();

    QTest::newRow("word") << QStringLiteral("abc") << 0 << kNotScore;
    QTest::newRow("rating") << QStringLiteral("Excellent") << 0 << kNotScore;
    QTest::newRow("too high") << QStringLiteral("1200") << 0 << kScoreRange;
    QTest::newRow("just below") << QStringLiteral("299") << 0 << kScoreRange;
    QTest::newRow("just above") << QStringLiteral("851") << 0 << kScoreRange;
    QTest::newRow("negative") << QStringLiteral("-5") << 0 << kNotScore;
    QTest::newRow("fraction") << QStringLiteral("720.5") << 0 << kNotScore;
    QTest::newRow("trailing point") << QStringLiteral("720.") << 0 << kNotScore;
    QTest::newRow("split digits") << QStringLiteral("7 20") << 0 << kNotScore;
    QTest::newRow("band backwards")
        << QStringLiteral("749-700") << 0 << QStringLiteral("is a score range that runs backwards");
    QTest::newRow("open band") << QStringLiteral("700-") << 0 << kNotScore;
    QTest::newRow("band beyond the scale") << QStringLiteral("700-900") << 0 << kScoreRange;
    QTest::newRow("huge") << QStringLiteral("99999999999999999999") << 0 << kScoreRange;
    QTest::newRow("Arabic-Indic digits") << QStringLiteral("٧٢٠") << 0 << kNotScore;
    QTest::newRow("SQL injection") << QStringLiteral("720; DROP TABLE leads;--") << 0 << kNotScore;
    QTest::newRow("emoji") << QStringLiteral("720 👍") << 0 << kNotScore;
    QTest::newRow("NUL inside") << QString(QStringLiteral("720") + kNul) << 0 << kNotScore;
    QTest::newRow("lone surrogate") << QString(kLoneHigh + QStringLiteral("720")) << 0 << kNotScore;
    QTest::newRow("10,000 digits") << repeated(10'000, u'7') << 0 << kScoreRange;
}

void TstNormalizer::creditScore()
{
    QFETCH(QString, input);
    QFETCH(int, expected);
    QFETCH(QString, error);
    checkResult(Normalizer::creditScore(input), expected, error);
}

void TstNormalizer::boolean_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<bool>("expected");
    QTest::addColumn<QString>("error");

    for (const char *yes : {"yes", "YES", "Yes", "y", "Y", "1", "true", "TRUE", "t", "on", "ON"})
        QTest::addRow("%s", yes) << QString::fromLatin1(yes) << true << QString();
    for (const char *no : {"no", "No", "n", "N", "0", "false", "False", "f", "F", "off", "OFF"})
        QTest::addRow("%s", no) << QString::fromLatin1(no) << false << QString();
    QTest::newRow("padded") << QStringLiteral("  yes\t") << true << QString();
    QTest::newRow("no-break spaces") << QStringLiteral("\u00A0off\u00A0") << false << QString();

    QTest::newRow("maybe") << QStringLiteral("maybe") << false << kNotBool;
    QTest::newRow("two") << QStringLiteral("2") << false << kNotBool;
    QTest::newRow("minus one") << QStringLiteral("-1") << false << kNotBool;
    QTest::newRow("typo") << QStringLiteral("yess") << false << kNotBool;
    QTest::newRow("German") << QStringLiteral("ja") << false << kNotBool;
    QTest::newRow("spaced out") << QStringLiteral("y e s") << false << kNotBool;
    QTest::newRow("long s folds to s") << QStringLiteral("yeſ") << false << kNotBool;
    QTest::newRow("SQL injection") << QStringLiteral("1; DROP TABLE leads;--") << false << kNotBool;
    QTest::newRow("emoji") << QStringLiteral("👍") << false << kNotBool;
    QTest::newRow("Arabic yes") << QStringLiteral("نعم") << false << kNotBool;
    QTest::newRow("NUL") << QString(kNul) << false << kNotBool;
    QTest::newRow("NUL after yes") << QString(QStringLiteral("yes") + kNul) << false << kNotBool;
    QTest::newRow("lone surrogate") << QString(kLoneLow) << false << kNotBool;
    QTest::newRow("10,000 characters") << repeated(10'000, u'y') << false << kNotBool;
}

void TstNormalizer::boolean()
{
    QFETCH(QString, input);
    QFETCH(bool, expected);
    QFETCH(QString, error);
    checkResult(Normalizer::boolean(input), expected, error);
}

void TstNormalizer::moneyCents_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<qint64>("expected");
    QTest::addColumn<QString>("error");

    const auto row = [](const char *name, const QString &input, qint64 cents) {
        QTest::newRow(name) << input << cents << QString();
    };
    row("dollars with grouping and cents", QStringLiteral("$250,000.00"), 25'000'000);
    row("plain integer", QStringLiteral("250000"), 25'000'000);
    row("thousands suffix", QStringLiteral("250k"), 25'000'000);
    row("millions suffix", QStringLiteral("1.5M"), 150'000'000);
    row("billions suffix", QStringLiteral("2.5b"), 250'000'000'000);
    row("suffix with deeper decimals", QStringLiteral("1.23456k"), 123'456);
    row("euro with European marks", QStringLiteral("€1.200,50"), 120'050);
    row("space grouping, decimal comma", QStringLiteral("1 200,50"), 120'050);
    row("no-break space grouping, trailing euro", QStringLiteral("1\u00A0200,50 €"), 120'050);
    row("accounting negative", QStringLiteral("(5.00)"), -500);
    row("minus before symbol", QStringLiteral("-$5"), -500);
    row("minus after symbol", QStringLiteral("$-5"), -500);
    row("minus sign character", QStringLiteral("\u22125"), -500);
    row("plus", QStringLiteral("+5"), 500);
    row("ISO code before", QStringLiteral("USD 1,234.56"), 123'456);
    row("ISO code after", QStringLiteral("1000 usd"), 100'000);
    row("pound", QStringLiteral("£99"), 9'900);
    row("comma before three digits groups", QStringLiteral("1,234"), 123'400);
    row("comma before one digit is decimal", QStringLiteral("1,5"), 150);
    row("comma before two digits is decimal", QStringLiteral("1,50"), 150);
    row("several commas group", QStringLiteral("1,234,567"), 123'456'700);
    row("several dots group", QStringLiteral("1.234.567,89"), 123'456'789);
    row("Indian lakh grouping", QStringLiteral("1,00,000"), 10'000'000);
    row("Indian crore grouping", QStringLiteral("12,34,567"), 123'456'700);
    row("Swiss apostrophe", QStringLiteral("1'234.50"), 123'450);
    row("symbol then space", QStringLiteral("$ 1,000"), 100'000);
    row("cents only", QStringLiteral("0.99"), 99);
    row("leading point", QStringLiteral(".5"), 50);
    row("zero", QStringLiteral("0"), 0);
    row("largest accepted", QStringLiteral("90000000000000"), 9'000'000'000'000'000);
    row("padded", QStringLiteral("\t $5 \n"), 500);

    const auto bad = [](const char *name, const QString &input, const QString &error) {
        QTest::newRow(name) << input << qint64(0) << error;
    };
    bad("two points", QStringLiteral("1.2.3"), kNotMoney);
    bad("pairs of digits are no grouping", QStringLiteral("12,34,56"), kNotMoney);
    bad("word", QStringLiteral("abc"), kNotMoney);
    bad("symbol only", QStringLiteral("$"), kNotMoney);
    bad("code only", QStringLiteral("USD"), kNotMoney);
    bad("point before three digits is ambiguous", QStringLiteral("1.234"), kSubCent);
    bad("trailing zeros are no excuse", QStringLiteral("1.500"), kSubCent);
    bad("comma before four digits", QStringLiteral("1,2345"), kSubCent);
    bad("three decimals", QStringLiteral("1,234.567"), kSubCent);
    bad("suffix leaving a fraction of a cent", QStringLiteral("1.234567k"), kSubCent);
    bad("leading zero group", QStringLiteral("0,123"), kNotMoney);
    bad("decimal mark twice", QStringLiteral("1.234,567.89"), kNotMoney);
    bad("empty group", QStringLiteral("1,,000"), kNotMoney);
    bad("short space group", QStringLiteral("1 2"), kNotMoney);
    bad("mixed grouping marks", QStringLiteral("1 234,567"), kNotMoney);
    bad("trailing point", QStringLiteral("5."), kNotMoney);
    bad("double negative", QStringLiteral("(-5)"), kNotMoney);
    bad("cent sign", QStringLiteral("50¢"), kNotMoney);
    bad("units", QStringLiteral("5 apples"), kNotMoney);
    bad("just over the limit", QStringLiteral("90000000000000.01"), kTooLarge);
    bad("overflows 64 bits", QStringLiteral("99999999999999999999"), kTooLarge);
    bad("suffix overflow", QStringLiteral("99999999999b"), kTooLarge);
    bad("SQL injection", QStringLiteral("5; DROP TABLE leads;--"), kNotMoney);
    bad("emoji", QStringLiteral("💰5"), kNotMoney);
    bad("Arabic-Indic digits", QStringLiteral("٥٠٠"), kNotMoney);
    bad("NUL inside", QString(QStringLiteral("5") + kNul + QStringLiteral("00")), kNotMoney);
    bad("lone surrogate", QString(QStringLiteral("$5") + kLoneHigh), kNotMoney);
    bad("10,000 digits", repeated(10'000, u'9'), kNotMoney);
}

void TstNormalizer::moneyCents()
{
    QFETCH(QString, input);
    QFETCH(qint64, expected);
    QFETCH(QString, error);
    checkResult(Normalizer::moneyCents(input), expected, error);
}

void TstNormalizer::dateTimeUtc_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QDateTime>("expected");
    QTest::addColumn<QString>("error");

    const QDateTime morning = utc(2025, 10, 3, 10, 30);
    const QDateTime midnight = utc(2025, 10, 3);
    const auto row = [](const char *name, const QString &input, const QDateTime &expected) {
        QTest::newRow(name) << input << expected << QString();
    };
    row("ISO with Z", QStringLiteral("2025-10-03T10:30:00Z"), morning);
    row("ISO with positive offset", QStringLiteral("2025-10-03T12:30:00+02:00"), morning);
    row("ISO with compact negative offset", QStringLiteral("2025-10-03T05:30:00-0500"), morning);
    row("ISO with hour offset", QStringLiteral("2025-10-03T15:30:00+05"), morning);
    row("ISO with microseconds", QStringLiteral("2025-10-03T10:30:00.123456Z"),
        utc(2025, 10, 3, 10, 30, 0, 123));
    row("ISO without offset", QStringLiteral("2025-10-03T10:30:00"), morning);
    row("ISO without seconds", QStringLiteral("2025-10-03T10:30"), morning);
    row("space instead of T", QStringLiteral("2025-10-03 10:30:00"), morning);
    row("UTC word", QStringLiteral("2025-10-03 10:30:00 UTC"), morning);
    row("date only", QStringLiteral("2025-10-03"), midnight);
    row("US date", QStringLiteral("10/03/2025"), midnight);
    row("US date without zeros", QStringLiteral("10/3/2025"), midnight);
    row("US date, morning", QStringLiteral("10/03/2025 10:30 AM"), morning);
    row("US date, evening", QStringLiteral("10/03/2025 10:30 PM"), utc(2025, 10, 3, 22, 30));
    row("US date, past midnight", QStringLiteral("10/03/2025 12:05 am"), utc(2025, 10, 3, 0, 5));
    row("US date, noon", QStringLiteral("10/03/2025 12:05PM"), utc(2025, 10, 3, 12, 5));
    row("short month name", QStringLiteral("Oct 3, 2025"), midnight);
    row("day first", QStringLiteral("3 Oct 2025"), midnight);
    row("long month name", QStringLiteral("October 3, 2025"), midnight);
    row("weekday and ordinal", QStringLiteral("Friday, October 3rd, 2025"), midnight);
    row("Sept", QStringLiteral("Sept 3, 2025"), utc(2025, 9, 3));
    row("dashed day-month-year", QStringLiteral("03-Oct-2025"), midnight);
    row("RFC 2822", QStringLiteral("Fri, 03 Oct 2025 10:30:00 +0000"), morning);
    row("month name with time", QStringLiteral("Oct 3, 2025 10:30 AM"), morning);
    row("Unix seconds", QStringLiteral("1759487400"), morning);
    row("Unix milliseconds", QStringLiteral("1759487400123"), utc(2025, 10, 3, 10, 30, 0, 123));
    row("leap day", QStringLiteral("2024-02-29"), utc(2024, 2, 29));
    row("padded", QStringLiteral("  2025-10-03\t"), midnight);
    row("no-break spaces", QStringLiteral("\u00A010/03/2025\u00A010:30\u00A0AM\u00A0"), morning);

    const auto bad = [](const char *name, const QString &input, const QString &error) {
        QTest::newRow(name) << input << QDateTime() << error;
    };
    bad("30 February", QStringLiteral("2025-02-30"), kBadDate);
    bad("29 February in a common year", QStringLiteral("2025-02-29"), kBadDate);
    bad("day-first US slashes", QStringLiteral("13/45/2025"), kBadDate);
    bad("month 13", QStringLiteral("2025-13-01"), kBadDate);
    bad("year zero", QStringLiteral("0000-01-01"), kBadDate);
    bad("hour 25", QStringLiteral("2025-10-03T25:00"), kBadTime);
    bad("13 PM", QStringLiteral("10/03/2025 13:30 PM"), kBadTime);
    bad("minute 60", QStringLiteral("2025-10-03 10:60"), kBadTime);
    bad("offset beyond 14 hours", QStringLiteral("2025-10-03T10:30:00+15:00"), kBadTime);
    bad("word", QStringLiteral("yesterday"), kNotDate);
    bad("two-digit year", QStringLiteral("10/03/25"), kNotDate);
    bad("European dots", QStringLiteral("03.10.2025"), kNotDate);
    bad("zone abbreviation", QStringLiteral("2025-10-03 10:30 EST"), kNotDate);
    bad("unknown month", QStringLiteral("Octember 3, 2025"), kNotDate);
    bad("five digits", QStringLiteral("12345"), kNotDate);
    bad("eleven digits", QStringLiteral("17594874001"), kNotDate);
    bad("SQL injection", QStringLiteral("2025-10-03'); DROP TABLE leads;--"), kNotDate);
    bad("emoji", QStringLiteral("📅 2025-10-03"), kNotDate);
    bad("Arabic-Indic digits", QStringLiteral("٢٠٢٥-١٠-٠٣"), kNotDate);
    bad("NUL inside", QString(QStringLiteral("2025-10-03") + kNul + QStringLiteral("10:30")),
        kNotDate);
    bad("lone surrogate", QString(QStringLiteral("2025-10-03") + kLoneLow), kNotDate);
    bad("10,000 digits", repeated(10'000, u'1'), kNotDate);
}

void TstNormalizer::dateTimeUtc()
{
    QFETCH(QString, input);
    QFETCH(QDateTime, expected);
    QFETCH(QString, error);
    const auto result = Normalizer::dateTimeUtc(input);
    checkResult(result, expected, error);
    if (result)
        QCOMPARE(result->timeSpec(), Qt::UTC);
}

void TstNormalizer::dateTimeUtcInNewYorkAcrossDst_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QDateTime>("expected");

    QTest::newRow("day before spring forward, EST")
        << QStringLiteral("2025-03-08 12:00") << utc(2025, 3, 8, 17);
    QTest::newRow("day after spring forward, EDT")
        << QStringLiteral("2025-03-10 12:00") << utc(2025, 3, 10, 16);
    QTest::newRow("just before the gap")
        << QStringLiteral("2025-03-09 01:30") << utc(2025, 3, 9, 6, 30);
    // 02:30 never happened that night: read with the EST offset, so it lands on 03:30 EDT.
    QTest::newRow("inside the gap") << QStringLiteral("2025-03-09 02:30") << utc(2025, 3, 9, 7, 30);
    QTest::newRow("just after the gap")
        << QStringLiteral("2025-03-09 03:30") << utc(2025, 3, 9, 7, 30);
    QTest::newRow("day before fall back, EDT")
        << QStringLiteral("2025-11-01 12:00") << utc(2025, 11, 1, 16);
    QTest::newRow("day after fall back, EST")
        << QStringLiteral("2025-11-03 12:00") << utc(2025, 11, 3, 17);
    QTest::newRow("before the repeated hour")
        << QStringLiteral("2025-11-02 00:30") << utc(2025, 11, 2, 4, 30);
    // 01:30 happened twice: the first time (EDT) is taken.
    QTest::newRow("repeated hour") << QStringLiteral("2025-11-02 01:30") << utc(2025, 11, 2, 5, 30);
    QTest::newRow("repeated hour, US form")
        << QStringLiteral("11/02/2025 1:30 AM") << utc(2025, 11, 2, 5, 30);
    QTest::newRow("after the repeated hour")
        << QStringLiteral("2025-11-02 02:30") << utc(2025, 11, 2, 7, 30);
    QTest::newRow("explicit offset wins over the zone")
        << QStringLiteral("2025-11-02T01:30:00-05:00") << utc(2025, 11, 2, 6, 30);
    QTest::newRow("Z wins over the zone")
        << QStringLiteral("2025-07-04T12:00:00Z") << utc(2025, 7, 4, 12);
    QTest::newRow("Unix time ignores the zone")
        << QStringLiteral("1762065000") << utc(2025, 11, 2, 6, 30);
    QTest::newRow("summer date at midnight")
        << QStringLiteral("July 4, 2025") << utc(2025, 7, 4, 4);
    QTest::newRow("winter date at midnight") << QStringLiteral("1/15/2025") << utc(2025, 1, 15, 5);
}

void TstNormalizer::dateTimeUtcInNewYorkAcrossDst()
{
    QFETCH(QString, input);
    QFETCH(QDateTime, expected);
    const QTimeZone newYork("America/New_York");
    if (!newYork.isValid())
        QSKIP("tzdata has no America/New_York");
    const auto result = Normalizer::dateTimeUtc(input, newYork);
    checkResult(result, expected, QString());
    if (result)
        QCOMPARE(result->timeSpec(), Qt::UTC);
}

void TstNormalizer::email_data()
{
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    QTest::addColumn<QString>("error");

    const QString local64 = repeated(64, u'a');
    const QString label63 = repeated(63, u'b');
    // 64 + 1 + 63 + 1 + 63 + 1 + 61 = 254 characters
    const QString longest = local64 + u'@' + label63 + u'.' + label63 + u'.' + repeated(57, u'c')
                            + QStringLiteral(".com");
    const auto row = [](const char *name, const QString &input, const QString &expected) {
        QTest::newRow(name) << input << expected << QString();
    };
    row("domain lower-cased, local part kept", QStringLiteral("John.Smith@Example.COM"),
        QStringLiteral("John.Smith@example.com"));
    row("padded", QStringLiteral("  a@b.co \t"), QStringLiteral("a@b.co"));
    row("no-break spaces", QStringLiteral("\u00A0a@b.co\u00A0"), QStringLiteral("a@b.co"));
    row("plus tag and subdomains", QStringLiteral("user+tag@mail.Example.co.uk"),
        QStringLiteral("user+tag@mail.example.co.uk"));
    row("apostrophe", QStringLiteral("o'neil@example.com"), QStringLiteral("o'neil@example.com"));
    row("hyphen and digits in the domain", QStringLiteral("x@my-shop2.example"),
        QStringLiteral("x@my-shop2.example"));
    row("IDN domain", QStringLiteral("josé@Bücher.DE"), QStringLiteral("josé@bücher.de"));
    row("Chinese address", QStringLiteral("用户@例子.广告"), QStringLiteral("用户@例子.广告"));
    row("punycode TLD", QStringLiteral("a@xn--e1afmkfd.xn--p1ai"),
        QStringLiteral("a@xn--e1afmkfd.xn--p1ai"));
    row("emoji local part", QStringLiteral("😀@example.com"), QStringLiteral("😀@example.com"));
    row("64-character local part", local64 + QStringLiteral("@example.com"),
        local64 + QStringLiteral("@example.com"));
    row("254 characters", longest, longest);

    const auto bad = [](const char *name, const QString &input, const QString &error) {
        QTest::newRow(name) << input << QString() << error;
    };
    bad("no dot in the domain", QStringLiteral("a@b"), kNotEmail);
    bad("two at signs", QStringLiteral("a@@b.com"), kNotEmail);
    bad("at sign in the domain", QStringLiteral("a@b@c.com"), kNotEmail);
    bad("space in the local part", QStringLiteral("a b@c.com"), kNotEmail);
    bad("no local part", QStringLiteral("@c.com"), kNotEmail);
    bad("no at sign", QStringLiteral("plainaddress"), kNotEmail);
    bad("empty label", QStringLiteral("a@c..com"), kNotEmail);
    bad("label starts with a hyphen", QStringLiteral("a@-c.com"), kNotEmail);
    bad("label ends with a hyphen", QStringLiteral("a@c-.com"), kNotEmail);
    bad("trailing dot", QStringLiteral("a@c.com."), kNotEmail);
    bad("one-letter TLD", QStringLiteral("a@c.c"), kNotEmail);
    bad("numeric TLD", QStringLiteral("a@1.2.3.4"), kNotEmail);
    bad("address literal", QStringLiteral("a@[1.2.3.4]"), kNotEmail);
    bad("leading dot", QStringLiteral(".a@c.com"), kNotEmail);
    bad("double dot", QStringLiteral("a..b@c.com"), kNotEmail);
    bad("underscore in the domain", QStringLiteral("a@my_shop.com"), kNotEmail);
    bad("65-character local part", repeated(65, u'a') + QStringLiteral("@example.com"), kNotEmail);
    bad("255 characters", QString(QStringLiteral("a") + longest),
        QStringLiteral("is too long for an email address"));
    bad("header injection", QStringLiteral("a@c.com\nBcc: x@y.com"), kNotEmail);
    bad("SQL injection", QStringLiteral("x';DROP TABLE leads;--@x.com"), kNotEmail);
    bad("SQL injection with spaces", kInjection + QStringLiteral("@x.com"), kNotEmail);
    bad("emoji domain", QStringLiteral("a@😀.com"), kNotEmail);
    bad("RTL override", QStringLiteral("\u202Emoc.elpmaxe@a"), kNotEmail);
    bad("NUL inside", QString(QStringLiteral("a") + kNul + QStringLiteral("b@c.com")), kNotEmail);
    bad("lone surrogate", QString(kLoneHigh + QStringLiteral("a@c.com")), kNotEmail);
    bad("10,000 characters", repeated(10'000, u'a') + QStringLiteral("@c.com"),
        QStringLiteral("is too long for an email address"));
}

void TstNormalizer::email()
{
    QFETCH(QString, input);
    QFETCH(QString, expected);
    QFETCH(QString, error);
    checkResult(Normalizer::email(input), expected, error);
}

// The header promises thread safety; an import runs these from several workers at once.
void TstNormalizer::concurrentCallsAgreeWithSequentialOnes()
{
    const QStringList inputs{QStringLiteral("(614) 555-0177"),
                             QStringLiteral("1-800-FLOWERS"),
                             QStringLiteral("JOHN MCDONALD III"),
                             QStringLiteral("new york"),
                             QStringLiteral("700-749"),
                             QStringLiteral("€1.200,50"),
                             QStringLiteral("10/03/2025 10:30 AM"),
                             QStringLiteral("A@B.com"),
                             QStringLiteral("yes"),
                             kInjection};
    const Normalizer normalizer;
    const auto describe = [&normalizer](const QString &input) {
        QString out;
        out += normalizer.phoneE164(input).value_or(QStringLiteral("-"));
        out += Normalizer::personName(input).value_or(QStringLiteral("-"));
        out += Normalizer::stateCode(input).value_or(QStringLiteral("-"));
        out += QString::number(Normalizer::creditScore(input).value_or(-1));
        out += QString::number(Normalizer::moneyCents(input).value_or(-1));
        out += Normalizer::dateTimeUtc(input).value_or(QDateTime()).toString(Qt::ISODateWithMs);
        out += Normalizer::email(input).value_or(QStringLiteral("-"));
        out += QString::number(int(Normalizer::boolean(input).value_or(false)));
        return out;
    };
    QStringList sequential;
    for (const QString &input : inputs)
        sequential.append(describe(input));

    std::atomic<int> mismatches = 0;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int round = 0; round < 200; ++round) {
                for (qsizetype i = 0; i < inputs.size(); ++i) {
                    if (describe(inputs[i]) != sequential[i])
                        ++mismatches;
                }
            }
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    QCOMPARE(mismatches.load(), 0);
    QCOMPARE(sequential[0].left(12), QStringLiteral("+16145550177"));
}

QTEST_GUILESS_MAIN(TstNormalizer)
#include "tst_normalizer.moc"
