#include "normalizer.h"

#include "datetimetext.h"
#include "moneytext.h"
#include "normalizertext.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <QtNumeric>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace LeadDesk::Core {

using namespace NormalizerText;

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

// ---- phones --------------------------------------------------------------------------------

// The everyday NANP forms ("(614) 555-0177", "+1 614.555.0177", "1-614-555-0177") as a number,
// built directly: Parse() costs more than half of a call and would build the same one. Anything
// else (letters, extensions, other countries, odd lengths) returns nullopt for Parse() to read.
std::optional<PhoneNumber> plainNanpNumber(QStringView text, bool regionIsNanp)
{
    std::array<int, 11> digits{};
    std::size_t count = 0;
    bool plus = false;
    for (const QChar c : text) {
        const char16_t u = c.unicode();
        if (isAsciiDigit(c)) {
            if (count == digits.size())
                return std::nullopt;
            digits[count++] = u - u'0';
        } else if (u == u'+' && count == 0 && !plus) {
            plus = true;
        } else if (u != u' ' && u != u'(' && u != u')' && u != u'-' && u != u'.') {
            return std::nullopt;
        }
    }
    std::size_t first = 0;
    if (count == 11 && digits[0] == 1 && (plus || regionIsNanp))
        first = 1;
    else if (count != 10 || plus || !regionIsNanp)
        return std::nullopt;
    if (digits[first] < 2) // area codes start at 2; leave the odd cases to Parse()
        return std::nullopt;
    google::protobuf::uint64 national = 0;
    for (std::size_t i = first; i < count; ++i)
        national = national * 10 + google::protobuf::uint64(digits[i]);
    PhoneNumber number;
    number.set_country_code(1);
    number.set_national_number(national);
    return number;
}

// ---- names ----------------------------------------------------------------------------------

constexpr auto kParticles
    = std::to_array<QStringView>({u"van", u"von", u"der", u"den", u"de", u"del", u"della", u"di",
                                  u"da", u"du", u"la", u"le", u"bin", u"al"});
constexpr auto kRomanNumerals = std::to_array<QStringView>({u"ii", u"iii", u"iv"});
// Surnames that start with "mac" but are not Mac + a name; the length and last-letter test in
// isMacName() already spares Mack, Macy, Machado, Macedo and the like.
constexpr auto kMacExceptions = std::to_array<QStringView>(
    {u"macaulay", u"macek",   u"machell",   u"machen",     u"machiel",  u"machin",   u"machon",
     u"macias",   u"maciel",  u"macken",    u"mackell",    u"mackey",   u"mackie",   u"mackin",
     u"mackle",   u"macklem", u"mackley",   u"macklin",    u"mackmin",  u"mackrell", u"maclin",
     u"macomber", u"macon",   u"macquarie", u"mackintosh", u"macintosh"});

template<std::size_t N>
constexpr bool contains(const std::array<QStringView, N> &list, QStringView word)
{
    for (const QStringView entry : list) {
        if (entry == word)
            return true;
    }
    return false;
}

bool isNamePart(QChar c)
{
    return c.isLetterOrNumber() || c.isMark();
}

// `segment` is lower-case. "macarthur" is Mac + Arthur; a short rest or one ending in a, c, i, o,
// z or j is usually a name of its own (the rule of Perl's Lingua::EN::NameCase).
bool isMacName(QStringView segment)
{
    if (segment.size() < 6 || !segment.startsWith(u"mac"))
        return false;
    if (QStringView(u"aciozj").contains(segment.back()))
        return false;
    return !contains(kMacExceptions, segment);
}

// Title-cases a lower-case word in place: each letter run starts upper-case, except after an
// apostrophe that follows more than one letter ("O'Neil" but "Ma'ayan"); Mc and Mac get a second
// capital.
void titleCaseWord(QString &word)
{
    const qsizetype n = word.size();
    qsizetype previousEnd = -1;
    qsizetype previousLength = 0;
    qsizetype i = 0;
    while (i < n) {
        if (!isNamePart(word[i])) {
            ++i;
            continue;
        }
        const qsizetype start = i;
        while (i < n && isNamePart(word[i]))
            ++i;
        const qsizetype length = i - start;
        bool capitalise = true;
        if (start > 0 && isApostrophe(word[start - 1]) && previousEnd == start - 1)
            capitalise = previousLength == 1;
        if (capitalise) {
            const QStringView segment = QStringView(word).sliced(start, length);
            qsizetype inner = -1;
            if (length > 2 && segment.startsWith(u"mc"))
                inner = 2;
            else if (isMacName(segment))
                inner = 3;
            word[start] = word[start].toTitleCase();
            if (inner > 0)
                word[start + inner] = word[start + inner].toTitleCase();
        }
        previousEnd = i;
        previousLength = length;
    }
}

enum class Casing { None, Lower, Upper, Mixed };

Casing casingOf(QStringView text)
{
    bool upper = false;
    bool lower = false;
    for (const QChar c : text) {
        if (c.isUpper() || c.isTitleCase())
            upper = true;
        else if (c.isLower())
            lower = true;
    }
    if (upper && lower)
        return Casing::Mixed;
    return upper ? Casing::Upper : (lower ? Casing::Lower : Casing::None);
}

void appendNameWord(QString &out, QStringView word, bool first, bool last, bool typedWithCare)
{
    const Casing casing = casingOf(word);
    // "DeShawn", "McKenzie", "LaToya": a mixed-case word was typed on purpose.
    if (casing == Casing::Mixed || casing == Casing::None) {
        out += word;
        return;
    }
    QString lower = word.toString().toLower();
    const bool particle = contains(kParticles, lower);
    if (particle && typedWithCare && casing == Casing::Lower) {
        out += lower;
        return;
    }
    if (particle && !first && !last) {
        out += lower;
        return;
    }
    if (!first && contains(kRomanNumerals, lower)) {
        out += lower.toUpper();
        return;
    }
    titleCaseWord(lower);
    out += lower;
}

// ---- states ---------------------------------------------------------------------------------

struct StateName
{
    const char16_t *code;
    std::string_view key; // upper-case letters only, as stateKey() builds them
};

constexpr auto kStateNames = std::to_array<StateName>({
    {u"AL", "ALABAMA"},
    {u"AK", "ALASKA"},
    {u"AZ", "ARIZONA"},
    {u"AR", "ARKANSAS"},
    {u"CA", "CALIFORNIA"},
    {u"CO", "COLORADO"},
    {u"CT", "CONNECTICUT"},
    {u"DE", "DELAWARE"},
    {u"FL", "FLORIDA"},
    {u"GA", "GEORGIA"},
    {u"HI", "HAWAII"},
    {u"ID", "IDAHO"},
    {u"IL", "ILLINOIS"},
    {u"IN", "INDIANA"},
    {u"IA", "IOWA"},
    {u"KS", "KANSAS"},
    {u"KY", "KENTUCKY"},
    {u"LA", "LOUISIANA"},
    {u"ME", "MAINE"},
    {u"MD", "MARYLAND"},
    {u"MA", "MASSACHUSETTS"},
    {u"MI", "MICHIGAN"},
    {u"MN", "MINNESOTA"},
    {u"MS", "MISSISSIPPI"},
    {u"MO", "MISSOURI"},
    {u"MT", "MONTANA"},
    {u"NE", "NEBRASKA"},
    {u"NV", "NEVADA"},
    {u"NH", "NEWHAMPSHIRE"},
    {u"NJ", "NEWJERSEY"},
    {u"NM", "NEWMEXICO"},
    {u"NY", "NEWYORK"},
    {u"NC", "NORTHCAROLINA"},
    {u"ND", "NORTHDAKOTA"},
    {u"OH", "OHIO"},
    {u"OK", "OKLAHOMA"},
    {u"OR", "OREGON"},
    {u"PA", "PENNSYLVANIA"},
    {u"RI", "RHODEISLAND"},
    {u"SC", "SOUTHCAROLINA"},
    {u"SD", "SOUTHDAKOTA"},
    {u"TN", "TENNESSEE"},
    {u"TX", "TEXAS"},
    {u"UT", "UTAH"},
    {u"VT", "VERMONT"},
    {u"VA", "VIRGINIA"},
    {u"WA", "WASHINGTON"},
    {u"WV", "WESTVIRGINIA"},
    {u"WI", "WISCONSIN"},
    {u"WY", "WYOMING"},
    {u"DC", "DISTRICTOFCOLUMBIA"},
    {u"DC", "WASHINGTONDC"},
    {u"PR", "PUERTORICO"},
    {u"GU", "GUAM"},
    {u"VI", "VIRGINISLANDS"},
    {u"VI", "USVIRGINISLANDS"},
    {u"VI", "UNITEDSTATESVIRGINISLANDS"},
    {u"AS", "AMERICANSAMOA"},
    {u"MP", "NORTHERNMARIANAISLANDS"},
    {u"MP", "NORTHERNMARIANAS"},
    {u"MP", "MARIANAISLANDS"},
});

// The name's letters upper-cased, dropping spaces and the punctuation of "N.Y.", "Hawai'i" and
// "new_york"; nullopt for anything else. Writes into `buffer`, so a lookup allocates nothing.
std::optional<std::string_view> stateKey(QStringView s, std::array<char, 32> &buffer)
{
    std::size_t length = 0;
    for (const QChar c : s) {
        const char16_t u = c.unicode();
        if (isBlank(c) || u == u'.' || u == u'-' || u == u'_' || u == u',' || isApostrophe(c)
            || u == 0x02BB) {
            continue;
        }
        if (!isAsciiLetter(c) || length == buffer.size())
            return std::nullopt;
        buffer[length++] = char(u >= u'a' ? u - (u'a' - u'A') : u);
    }
    return std::string_view(buffer.data(), length);
}

// ---- numbers --------------------------------------------------------------------------------

// A credit score written as digits with an optional ".0": the value (capped at 99999), or -1.
int parseScore(QStringView s)
{
    s = trim(s);
    qsizetype i = 0;
    int value = 0;
    while (i < s.size() && isAsciiDigit(s[i])) {
        value = std::min(value * 10 + (s[i].unicode() - u'0'), 99'999);
        ++i;
    }
    if (i == 0)
        return -1;
    if (i < s.size() && s[i] == u'.') {
        ++i;
        const qsizetype zeros = i;
        while (i < s.size() && s[i] == u'0')
            ++i;
        if (i == zeros)
            return -1;
    }
    return i == s.size() ? value : -1;
}

// ---- email ----------------------------------------------------------------------------------

bool validLocalPart(QStringView local)
{
    if (local.isEmpty() || local.size() > 64 || local.front() == u'.' || local.back() == u'.'
        || local.contains(u"..") || hasLoneSurrogate(local)) {
        return false;
    }
    for (const QChar c : local) {
        const QChar::Category category = c.category();
        if (c.isSpace() || category == QChar::Other_Control || category == QChar::Other_Format
            || QStringView(u"\"(),:;<>[\\]").contains(c)) {
            return false;
        }
    }
    return true;
}

bool validDomain(QStringView domain)
{
    if (domain.size() > 253)
        return false;
    qsizetype labels = 0;
    qsizetype start = 0;
    for (qsizetype i = 0; i <= domain.size(); ++i) {
        if (i < domain.size() && domain[i] != u'.') {
            const QChar c = domain[i];
            if (!c.isLetter() && !c.isDigit() && !c.isMark() && c != u'-')
                return false;
            continue;
        }
        const QStringView label = domain.sliced(start, i - start);
        if (label.isEmpty() || label.size() > 63 || label.front() == u'-' || label.back() == u'-')
            return false;
        ++labels;
        if (i == domain.size()) { // the top-level domain: two or more characters, not a number
            bool hasLetter = false;
            for (const QChar c : label)
                hasLetter = hasLetter || c.isLetter();
            if (labels < 2 || label.size() < 2 || !hasLetter)
                return false;
        }
        start = i + 1;
    }
    return true;
}

} // namespace

Normalizer::Normalizer(QString defaultRegion)
    : m_region(std::move(defaultRegion).trimmed().toUpper())
    , m_util(PhoneNumberUtil::GetInstance())
{}

Normalizer::Normalized<QString> Normalizer::phoneE164(QStringView raw) const
{
    const QStringView text = trim(raw);
    if (text.isEmpty())
        return rejectEmpty();
    const QString notPhone = QStringLiteral("is not a valid phone number");
    // Longer than any written number with an extension; spares libphonenumber a 10 kB string.
    if (text.size() > 64 || hasLoneSurrogate(text))
        return reject(notPhone);
    bool hasDigit = false;
    bool ascii = true;
    for (const QChar c : text) {
        if (c.category() == QChar::Other_Control)
            return reject(notPhone);
        hasDigit = hasDigit || c.isDigit();
        ascii = ascii && c.unicode() < 0x80;
    }
    if (!hasDigit) // libphonenumber reads "FLOWERS" as digits only after a real prefix
        return reject(notPhone);

    std::string region;
    for (const QChar c : m_region)
        region.push_back(char(c.unicode()));
    PhoneNumber number;
    if (std::optional<PhoneNumber> plain
        = plainNanpNumber(text, m_util->GetCountryCodeForRegion(region) == 1)) {
        number = std::move(*plain);
    } else {
        std::string utf8;
        if (ascii) {
            utf8.reserve(std::size_t(text.size()));
            for (const QChar c : text)
                utf8.push_back(char(c.unicode()));
        } else {
            utf8 = text.toUtf8().toStdString();
        }
        if (m_util->Parse(utf8, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR)
            return reject(notPhone);
    }
    // The library's metadata knows which area codes exist, and accepts the fictional 555-01xx
    // lines in them, so "614-555-0177" passes while "123-456-7890" does not.
    if (!m_util->IsValidNumber(number)) {
        switch (m_util->IsPossibleNumberWithReason(number)) {
        case PhoneNumberUtil::TOO_SHORT:
            return reject(QStringLiteral("is too short to be a phone number"));
        case PhoneNumberUtil::TOO_LONG:
            return reject(QStringLiteral("is too long to be a phone number"));
        case PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY:
            return reject(QStringLiteral("is missing its area code"));
        default:
            return reject(notPhone);
        }
    }
    std::string e164;
    m_util->Format(number, PhoneNumberUtil::E164, &e164);
    return QString::fromLatin1(e164.data(), qsizetype(e164.size()));
}

QString Normalizer::phoneNationalTenDigits(const QString &e164)
{
    if (e164.size() == 12 && e164.startsWith(u"+1"))
        return e164.sliced(2);
    return e164;
}

Normalizer::Normalized<QString> Normalizer::personName(QStringView raw)
{
    const QString text = collapseSpaces(raw);
    if (text.isEmpty())
        return rejectEmpty();
    // In a name typed with some care ("van der Berg"), a lower-case particle stays as typed
    // wherever it stands; in a shouted or all-lower name only between the first and last word.
    const bool typedWithCare = casingOf(text) == Casing::Mixed;
    QString out;
    out.reserve(text.size());
    qsizetype start = 0;
    while (start < text.size()) {
        qsizetype end = text.indexOf(u' ', start);
        if (end < 0)
            end = text.size();
        if (start > 0)
            out += u' ';
        appendNameWord(out, QStringView(text).sliced(start, end - start), start == 0,
                       end == text.size(), typedWithCare);
        start = end + 1;
    }
    return out;
}

Normalizer::Normalized<QString> Normalizer::stateCode(QStringView raw)
{
    const QStringView text = trim(raw);
    if (text.isEmpty())
        return rejectEmpty();
    std::array<char, 32> buffer{};
    const std::optional<std::string_view> key = stateKey(text, buffer);
    if (key && key->size() == 2) {
        for (const StateName &state : kStateNames) {
            if (state.code[0] == (*key)[0] && state.code[1] == (*key)[1])
                return QString::fromRawData(reinterpret_cast<const QChar *>(state.code), 2);
        }
    } else if (key) {
        for (const StateName &state : kStateNames) {
            if (state.key == *key)
                return QString::fromRawData(reinterpret_cast<const QChar *>(state.code), 2);
        }
    }
    return reject(QStringLiteral("is not a US state or territory"));
}

QString Normalizer::addressLine(QStringView street, QStringView city, QStringView state,
                                QStringView postalCode)
{
    // Each part loses stray commas at its ends, so "Columbus," does not give "Columbus,, OH".
    const auto tidy = [](QStringView part) {
        QString text = collapseSpaces(part);
        qsizetype begin = 0;
        qsizetype end = text.size();
        while (begin < end && (text[begin] == u',' || text[begin] == u' '))
            ++begin;
        while (end > begin && (text[end - 1] == u',' || text[end - 1] == u' '))
            --end;
        return begin == 0 && end == text.size() ? text : text.sliced(begin, end - begin);
    };
    QString region = tidy(state);
    if (const Normalized<QString> code = stateCode(region))
        region = *code;
    const QString postal = tidy(postalCode);
    if (!postal.isEmpty()) {
        if (!region.isEmpty())
            region += u' ';
        region += postal;
    }
    QString line;
    for (const QString &part : {tidy(street), tidy(city), region}) {
        if (part.isEmpty())
            continue;
        if (!line.isEmpty())
            line += QStringLiteral(", ");
        line += part;
    }
    return line;
}

Normalizer::Normalized<int> Normalizer::creditScore(QStringView raw)
{
    const QStringView text = trim(raw);
    if (text.isEmpty())
        return rejectEmpty();
    const QString notScore = QStringLiteral("is not a credit score");
    const auto inRange = [](int score) {
        return score >= 300 && score <= 850;
    };
    const QString outOfRange = QStringLiteral("is outside the range 300 to 850");
    qsizetype dash = -1;
    for (qsizetype i = 0; i < text.size() && dash < 0; ++i) {
        const char16_t u = text[i].unicode();
        if (u == u'-' || u == 0x2013 || u == 0x2014)
            dash = i;
    }
    // A vendor's band "700-749": its lower bound is the score the vendor vouches for.
    if (dash > 0) {
        const int low = parseScore(text.first(dash));
        const int high = parseScore(text.sliced(dash + 1));
        if (low < 0 || high < 0)
            return reject(notScore);
        if (!inRange(low) || !inRange(high))
            return reject(outOfRange);
        if (low > high)
            return reject(QStringLiteral("is a score range that runs backwards"));
        return low;
    }
    const int score = dash == 0 ? -1 : parseScore(text);
    if (score < 0)
        return reject(notScore);
    if (!inRange(score))
        return reject(outOfRange);
    return score;
}

Normalizer::Normalized<bool> Normalizer::boolean(QStringView raw)
{
    const QStringView text = trim(raw);
    if (text.isEmpty())
        return rejectEmpty();
    static constexpr std::array<QStringView, 6> truthy{u"yes", u"y", u"1", u"true", u"t", u"on"};
    static constexpr std::array<QStringView, 6> falsy{u"no", u"n", u"0", u"false", u"f", u"off"};
    // ASCII only: Unicode case folding would let "yeſ" (long s) pass for "yes".
    bool ascii = text.size() <= 5;
    for (qsizetype i = 0; ascii && i < text.size(); ++i)
        ascii = text[i].unicode() < 0x80;
    if (ascii) {
        for (const QStringView word : truthy) {
            if (text.compare(word, Qt::CaseInsensitive) == 0)
                return true;
        }
        for (const QStringView word : falsy) {
            if (text.compare(word, Qt::CaseInsensitive) == 0)
                return false;
        }
    }
    return reject(QStringLiteral("is not yes or no"));
}

Normalizer::Normalized<qint64> Normalizer::moneyCents(QStringView raw)
{
    return MoneyText::toCents(raw);
}

Normalizer::Normalized<QDateTime> Normalizer::dateTimeUtc(QStringView raw, const QTimeZone &zone)
{
    return DateTimeText::toUtc(raw, zone);
}

Normalizer::Normalized<QString> Normalizer::email(QStringView raw)
{
    const QStringView text = trim(raw);
    if (text.isEmpty())
        return rejectEmpty();
    if (text.size() > 254)
        return reject(QStringLiteral("is too long for an email address"));
    const qsizetype at = text.indexOf(u'@');
    if (at < 0 || text.indexOf(u'@', at + 1) >= 0 || !validLocalPart(text.first(at))
        || !validDomain(text.sliced(at + 1))) {
        return reject(QStringLiteral("is not a valid email address"));
    }
    const QString address = text.first(at + 1) % text.sliced(at + 1).toString().toLower();
    return address;
}

} // namespace LeadDesk::Core
