#include "normalizer.h"

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

#include <QtNumeric>

#include <algorithm>
#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace LeadDesk::Core {

namespace {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

constexpr qint64 kMsPerDay = 86'400'000;
constexpr qint64 kUnixEpochJulianDay = 2'440'588;   // QDate(1970, 1, 1).toJulianDay()
constexpr qint64 kMaxCents = 9'000'000'000'000'000; // below 2^53, so doubles downstream stay exact

std::unexpected<QString> reject(QString why)
{
    return std::unexpected(std::move(why));
}

std::unexpected<QString> rejectEmpty()
{
    return reject(QStringLiteral("is empty"));
}

// Zero-width space and BOM count as blank: spreadsheets leave them at the edges of cells.
bool isBlank(QChar c)
{
    return c.isSpace() || c.unicode() == 0x200B || c.unicode() == 0xFEFF;
}

bool isAsciiDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

bool isAsciiLetter(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z');
}

QStringView trim(QStringView s)
{
    qsizetype begin = 0;
    qsizetype end = s.size();
    while (begin < end && isBlank(s[begin]))
        ++begin;
    while (end > begin && isBlank(s[end - 1]))
        --end;
    return s.sliced(begin, end - begin);
}

// True when `s` holds half of a surrogate pair without the other half: broken UTF-16.
bool hasLoneSurrogate(QStringView s)
{
    for (qsizetype i = 0; i < s.size(); ++i) {
        if (s[i].isHighSurrogate() && i + 1 < s.size() && s[i + 1].isLowSurrogate())
            ++i;
        else if (s[i].isSurrogate())
            return true;
    }
    return false;
}

// White space and control characters become single spaces; the ends are trimmed.
QString collapseSpaces(QStringView s)
{
    QString out;
    out.reserve(s.size());
    bool pendingSpace = false;
    for (const QChar c : s) {
        if (isBlank(c) || c.category() == QChar::Other_Control) {
            pendingSpace = !out.isEmpty();
            continue;
        }
        if (pendingSpace) {
            out += u' ';
            pendingSpace = false;
        }
        out += c;
    }
    return out;
}

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

bool isApostrophe(QChar c)
{
    return c.unicode() == u'\'' || c.unicode() == 0x2019;
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

constexpr auto kCurrencyCodes
    = std::to_array<QStringView>({u"USD", u"EUR", u"GBP", u"CAD", u"AUD", u"NZD", u"CHF", u"JPY",
                                  u"MXN", u"INR", u"CNY", u"SEK"});

// "50¢" is not fifty dollars, so the cent sign is no currency symbol here.
bool isCurrencySymbol(QChar c)
{
    return c.category() == QChar::Symbol_Currency && c.unicode() != 0x00A2;
}

bool isCurrencyCode(QStringView s)
{
    for (const QStringView code : kCurrencyCodes) {
        if (s.compare(code, Qt::CaseInsensitive) == 0)
            return true;
    }
    return false;
}

bool isGroupMark(QChar c)
{
    const char16_t u = c.unicode();
    return u == u' ' || u == 0x00A0 || u == 0x202F || u == 0x2009 || isApostrophe(c);
}

// Space-like marks are one kind, so "1 200" with a no-break space matches "1 200" with a space.
char16_t groupKind(QChar c)
{
    return isApostrophe(c) ? u'\'' : (isGroupMark(c) ? u' ' : c.unicode());
}

// Checks the digit groups of an integer part: "1,234,567" (threes), "12,34,567" (Indian lakh
// grouping, commas only) or plain digits.
bool validGrouping(QStringView integer)
{
    char16_t mark = 0;
    qsizetype groups = 0;
    qsizetype groupStart = 0;
    std::array<qsizetype, 2> firstAndLast{0, 0};
    bool allMiddleTwo = true;
    bool allMiddleThree = true;
    for (qsizetype i = 0; i <= integer.size(); ++i) {
        if (i < integer.size() && isAsciiDigit(integer[i]))
            continue;
        const qsizetype length = i - groupStart;
        if (length == 0)
            return false;
        if (i < integer.size()) {
            const char16_t kind = groupKind(integer[i]);
            if (mark != 0 && kind != mark)
                return false;
            mark = kind;
        }
        if (groups == 0) {
            firstAndLast[0] = length;
            // "0,123" is no thousands grouping: more likely a decimal typed the European way.
            if (mark != 0 && integer[groupStart] == u'0')
                return false;
        } else if (i < integer.size()) {
            allMiddleTwo = allMiddleTwo && length == 2;
            allMiddleThree = allMiddleThree && length == 3;
        }
        firstAndLast[1] = length;
        ++groups;
        groupStart = i + 1;
    }
    if (groups == 1)
        return true;
    if (firstAndLast[1] != 3)
        return false;
    if (allMiddleThree && firstAndLast[0] <= 3)
        return true;
    return mark == u',' && allMiddleTwo && firstAndLast[0] <= 2;
}

// ---- dates ----------------------------------------------------------------------------------

// A forward-only reader over ASCII date text.
class Cursor
{
public:
    explicit Cursor(QStringView text)
        : m_text(text)
    {}

    [[nodiscard]] bool atEnd() const { return m_pos >= m_text.size(); }
    [[nodiscard]] QChar peek(qsizetype ahead = 0) const
    {
        return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : QChar();
    }
    bool eat(char16_t c)
    {
        if (peek().unicode() != c || atEnd())
            return false;
        ++m_pos;
        return true;
    }
    bool skipSpaces()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && isBlank(m_text[m_pos]))
            ++m_pos;
        return m_pos > start;
    }
    // minDigits..maxDigits ASCII digits as a number, or -1 (and nothing consumed).
    int number(int minDigits, int maxDigits)
    {
        int value = 0;
        int digits = 0;
        while (digits < maxDigits && isAsciiDigit(peek(digits))) {
            value = value * 10 + (peek(digits).unicode() - u'0');
            ++digits;
        }
        if (digits < minDigits || isAsciiDigit(peek(digits)))
            return -1;
        m_pos += digits;
        return value;
    }
    // Exactly `count` ASCII digits, whatever follows them ("0500" is hours then minutes), or -1.
    int digits(int count)
    {
        int value = 0;
        for (int i = 0; i < count; ++i) {
            if (!isAsciiDigit(peek(i)))
                return -1;
            value = value * 10 + (peek(i).unicode() - u'0');
        }
        m_pos += count;
        return value;
    }
    // A run of ASCII letters (possibly empty).
    QStringView word()
    {
        const qsizetype start = m_pos;
        while (!atEnd() && isAsciiLetter(m_text[m_pos]))
            ++m_pos;
        return m_text.sliced(start, m_pos - start);
    }
    [[nodiscard]] qsizetype position() const { return m_pos; }
    void rewind(qsizetype position) { m_pos = position; }

private:
    QStringView m_text;
    qsizetype m_pos = 0;
};

int monthFromName(QStringView name)
{
    static constexpr std::array<QStringView, 12> full{
        u"january", u"february", u"march",     u"april",   u"may",      u"june",
        u"july",    u"august",   u"september", u"october", u"november", u"december"};
    if (name.size() < 3)
        return 0;
    for (int i = 0; i < 12; ++i) {
        if (name.compare(full[i], Qt::CaseInsensitive) == 0
            || (name.size() == 3 && full[i].startsWith(name, Qt::CaseInsensitive))) {
            return i + 1;
        }
    }
    return name.compare(u"sept", Qt::CaseInsensitive) == 0 ? 9 : 0;
}

bool isWeekdayName(QStringView name)
{
    static constexpr std::array<QStringView, 7> full{
        u"monday", u"tuesday", u"wednesday", u"thursday", u"friday", u"saturday", u"sunday"};
    if (name.size() < 3)
        return false;
    for (const QStringView day : full) {
        if (day.startsWith(name, Qt::CaseInsensitive))
            return true;
    }
    return false;
}

void skipOrdinalSuffix(Cursor &cursor)
{
    const qsizetype start = cursor.position();
    const QStringView suffix = cursor.word();
    if (suffix.isEmpty())
        return;
    for (const QStringView ordinal : {u"st", u"nd", u"rd", u"th"}) {
        if (suffix.compare(ordinal, Qt::CaseInsensitive) == 0)
            return;
    }
    cursor.rewind(start);
}

enum class DateRead { Ok, Unrecognised, Invalid };

struct DateParts
{
    int year = 0;
    int month = 0;
    int day = 0;
};

DateRead readDate(Cursor &cursor, DateParts &date)
{
    if (isAsciiDigit(cursor.peek()) && isAsciiDigit(cursor.peek(3)) && cursor.peek(4) == u'-') {
        date.year = cursor.number(4, 4);
        if (date.year < 0 || !cursor.eat(u'-') || (date.month = cursor.number(1, 2)) < 0
            || !cursor.eat(u'-') || (date.day = cursor.number(1, 2)) < 0) {
            return DateRead::Unrecognised;
        }
        return DateRead::Ok;
    }
    const qsizetype start = cursor.position();
    const int first = cursor.number(1, 2);
    if (first >= 0 && cursor.eat(u'/')) { // US order, month first
        date.month = first;
        if ((date.day = cursor.number(1, 2)) < 0 || !cursor.eat(u'/')
            || (date.year = cursor.number(4, 4)) < 0) {
            return DateRead::Unrecognised;
        }
        return DateRead::Ok;
    }
    cursor.rewind(start);
    if (isWeekdayName(cursor.word())) {
        cursor.eat(u'.');
        cursor.eat(u',');
        cursor.skipSpaces();
    } else {
        cursor.rewind(start);
    }
    if (isAsciiDigit(cursor.peek())) { // "3 Oct 2025", "03-Oct-2025"
        date.day = cursor.number(1, 2);
        skipOrdinalSuffix(cursor);
        if (!cursor.eat(u'-') && !cursor.skipSpaces())
            return DateRead::Unrecognised;
        date.month = monthFromName(cursor.word());
        cursor.eat(u'.');
        const bool dash = cursor.eat(u'-');
        cursor.eat(u',');
        if (!cursor.skipSpaces() && !dash)
            return DateRead::Unrecognised;
    } else { // "Oct 3, 2025", "October 3rd 2025"
        date.month = monthFromName(cursor.word());
        cursor.eat(u'.');
        if (!cursor.skipSpaces())
            return DateRead::Unrecognised;
        date.day = cursor.number(1, 2);
        skipOrdinalSuffix(cursor);
        cursor.eat(u',');
        if (!cursor.skipSpaces())
            return DateRead::Unrecognised;
    }
    date.year = cursor.number(4, 4);
    if (date.month == 0 || date.day < 0 || date.year < 0)
        return DateRead::Unrecognised;
    return DateRead::Ok;
}

struct TimeParts
{
    qint64 msOfDay = 0;
    std::optional<int> offsetSeconds;
};

// Reads an offset after "Z", "UTC", "GMT" or a sign: "+02:00", "-0500", "+05".
DateRead readOffset(Cursor &cursor, TimeParts &time)
{
    const qsizetype start = cursor.position();
    const QStringView name = cursor.word();
    if (name == u"Z" || name == u"z" || name == u"UTC" || name == u"GMT") {
        time.offsetSeconds = 0;
        if (name.size() == 1 || cursor.atEnd())
            return DateRead::Ok;
    } else if (!name.isEmpty()) {
        cursor.rewind(start);
        return DateRead::Unrecognised;
    }
    const QChar sign = cursor.peek();
    if (sign != u'+' && sign != u'-' && sign.unicode() != 0x2212)
        return DateRead::Unrecognised;
    cursor.eat(sign.unicode());
    const int hours = cursor.digits(2);
    int minutes = 0;
    if (hours < 0)
        return DateRead::Unrecognised;
    if (!cursor.atEnd()) {
        cursor.eat(u':');
        if ((minutes = cursor.number(2, 2)) < 0)
            return DateRead::Unrecognised;
    }
    if (hours > 14 || minutes > 59)
        return DateRead::Invalid;
    const int seconds = (hours * 60 + minutes) * 60;
    time.offsetSeconds = sign == u'+' ? seconds : -seconds;
    return DateRead::Ok;
}

DateRead readTime(Cursor &cursor, TimeParts &time)
{
    if (cursor.atEnd())
        return DateRead::Ok;
    const bool separated = cursor.eat(u'T') || cursor.eat(u't') || cursor.eat(u',');
    if (!cursor.skipSpaces() && !separated)
        return DateRead::Unrecognised;
    const int hour = cursor.number(1, 2);
    int minute = -1;
    int second = 0;
    int millisecond = 0;
    if (hour < 0 || !cursor.eat(u':') || (minute = cursor.number(2, 2)) < 0)
        return DateRead::Unrecognised;
    if (cursor.eat(u':')) {
        if ((second = cursor.number(2, 2)) < 0)
            return DateRead::Unrecognised;
        if (cursor.eat(u'.') || cursor.eat(u',')) { // fraction: milliseconds kept, the rest cut
            int digits = 0;
            for (; isAsciiDigit(cursor.peek()); ++digits) {
                if (digits < 3)
                    millisecond = millisecond * 10 + (cursor.peek().unicode() - u'0');
                cursor.eat(cursor.peek().unicode());
            }
            if (digits == 0)
                return DateRead::Unrecognised;
            for (; digits < 3; ++digits)
                millisecond *= 10;
        }
    }
    cursor.skipSpaces();
    int hour24 = hour;
    const qsizetype beforeWord = cursor.position();
    const QStringView meridiem = cursor.word();
    const bool am = meridiem.compare(u"am", Qt::CaseInsensitive) == 0;
    const bool pm = meridiem.compare(u"pm", Qt::CaseInsensitive) == 0;
    if (am || pm) {
        if (hour > 12)
            return DateRead::Invalid;
        hour24 = hour % 12 + (pm ? 12 : 0);
        cursor.skipSpaces();
    } else {
        cursor.rewind(beforeWord);
    }
    if (hour24 > 23 || minute > 59 || second > 59)
        return DateRead::Invalid;
    time.msOfDay = ((hour24 * 60 + minute) * 60 + second) * 1000LL + millisecond;
    if (cursor.atEnd())
        return DateRead::Ok;
    const DateRead offset = readOffset(cursor, time);
    if (offset != DateRead::Ok)
        return offset;
    return cursor.atEnd() ? DateRead::Ok : DateRead::Unrecognised;
}

qint64 offsetMsAt(const QTimeZone &zone, qint64 utcMs)
{
    return zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(utcMs, Qt::UTC)) * 1000LL;
}

// The UTC instant of a wall-clock time in `zone`. A time repeated when clocks fall back takes its
// first occurrence (as java.time and Python do); one skipped when they spring forward is read with
// the offset in force before the change, so 02:30 in the gap lands where 03:30 after it does.
// Done by hand because Qt 6.4 makes gap times invalid and picks the later of repeated times.
qint64 wallTimeToUtc(qint64 wallMs, const QTimeZone &zone)
{
    const qint64 before = offsetMsAt(zone, wallMs - kMsPerDay);
    const qint64 after = offsetMsAt(zone, wallMs + kMsPerDay);
    const qint64 withBefore = wallMs - before;
    if (before == after || offsetMsAt(zone, withBefore) == before)
        return withBefore;
    const qint64 withAfter = wallMs - after;
    return offsetMsAt(zone, withAfter) == after ? withAfter : withBefore;
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

// How separators are read, US first:
// - with both "." and ",", the one written last is the decimal mark and must appear once;
// - a lone "." is always a decimal point, so "1.234" (sub-cent, or 1234 in Europe) is refused;
// - a lone "," is a thousands mark before exactly three digits ("1,234" = 1234.00) and a
//   decimal comma before one or two ("1,5" = 1.50); before other counts it is refused;
// - a mark written twice or more is grouping; groups are threes ("1.234.567") or the Indian lakh
//   pattern with commas ("12,34,567"); "12,34,56" fits neither and is refused;
// - spaces, no-break spaces and apostrophes group too ("1 200,50", "1'234.50");
// - k, M and B multiply, after which decimals may run deeper as long as whole cents remain.
Normalizer::Normalized<qint64> Normalizer::moneyCents(QStringView raw)
{
    QStringView text = trim(raw);
    if (text.isEmpty())
        return rejectEmpty();
    const QString notMoney = QStringLiteral("is not an amount of money");
    if (text.size() > 64)
        return reject(notMoney);

    bool negative = false;
    if (text.size() >= 2 && text.front() == u'(' && text.back() == u')') {
        negative = true;
        text = text.sliced(1, text.size() - 2);
    }
    bool sawSign = negative;
    bool sawSymbol = false;
    bool sawCode = false;
    for (;;) {
        text = trim(text);
        if (text.isEmpty())
            break;
        const QChar c = text.front();
        if (!sawSign && (c == u'-' || c == u'+' || c.unicode() == 0x2212)) {
            negative = c != u'+';
            sawSign = true;
            text = text.sliced(1);
        } else if (!sawSymbol && isCurrencySymbol(c)) {
            sawSymbol = true;
            text = text.sliced(1);
        } else if (!sawCode && text.size() >= 3 && isCurrencyCode(text.first(3))
                   && (text.size() == 3 || !text[3].isLetter())) {
            sawCode = true;
            text = text.sliced(3);
        } else {
            break;
        }
    }
    int exponent = 2; // the decimal exponent from units to cents, raised by k, M and B
    bool sawSuffixSymbol = false;
    bool sawSuffixCode = false;
    bool sawMultiplier = false;
    for (;;) {
        text = trim(text);
        if (text.size() < 2)
            break;
        const QChar c = text.back();
        const QChar before = text[text.size() - 2];
        const char16_t lower = c.toLower().unicode();
        if (!sawSuffixSymbol && isCurrencySymbol(c)) {
            sawSuffixSymbol = true;
            text.chop(1);
        } else if (!sawSuffixCode && text.size() >= 4 && isCurrencyCode(text.last(3))
                   && !text[text.size() - 4].isLetter()) {
            sawSuffixCode = true;
            text.chop(3);
        } else if (!sawMultiplier && (lower == u'k' || lower == u'm' || lower == u'b')
                   && (isAsciiDigit(before) || isBlank(before))) {
            sawMultiplier = true;
            exponent += lower == u'k' ? 3 : (lower == u'm' ? 6 : 9);
            text.chop(1);
        } else {
            break;
        }
    }
    if (text.isEmpty())
        return reject(notMoney);

    qsizetype dots = 0;
    qsizetype commas = 0;
    for (const QChar c : text) {
        if (c == u'.')
            ++dots;
        else if (c == u',')
            ++commas;
        else if (!isAsciiDigit(c) && !isGroupMark(c))
            return reject(notMoney);
    }
    const qsizetype lastDot = text.lastIndexOf(u'.');
    const qsizetype lastComma = text.lastIndexOf(u',');
    qsizetype decimal = -1;
    if (dots > 0 && commas > 0) {
        decimal = std::max(lastDot, lastComma);
        if ((decimal == lastDot ? dots : commas) != 1)
            return reject(notMoney);
    } else if (dots == 1) {
        decimal = lastDot;
    } else if (commas == 1 && text.size() - lastComma - 1 != 3) {
        decimal = lastComma;
    }
    const QStringView integer = decimal < 0 ? text : text.first(decimal);
    const QStringView fraction = decimal < 0 ? QStringView() : text.sliced(decimal + 1);
    if (decimal >= 0 && fraction.isEmpty())
        return reject(notMoney);
    for (const QChar c : fraction) {
        if (!isAsciiDigit(c))
            return reject(notMoney);
    }
    // Without a multiplier, "1.500" would silently be $1.50 to us and 1500 to a European.
    if (!sawMultiplier && fraction.size() > 2)
        return reject(QStringLiteral("has more than two decimal places"));
    if (!integer.isEmpty() && !validGrouping(integer))
        return reject(notMoney);
    if (integer.isEmpty() && fraction.isEmpty())
        return reject(notMoney);

    const QString tooLarge = QStringLiteral("is too large");
    quint64 mantissa = 0;
    const auto addDigits = [&mantissa](QStringView digits) {
        for (const QChar c : digits) {
            if (!isAsciiDigit(c))
                continue;
            if (qMulOverflow(mantissa, quint64(10), &mantissa)
                || qAddOverflow(mantissa, quint64(c.unicode() - u'0'), &mantissa)) {
                return false;
            }
        }
        return true;
    };
    if (!addDigits(integer) || !addDigits(fraction))
        return reject(tooLarge);
    qsizetype scale = exponent - fraction.size();
    for (; scale > 0; --scale) {
        if (qMulOverflow(mantissa, quint64(10), &mantissa))
            return reject(tooLarge);
    }
    for (; scale < 0; ++scale) {
        if (mantissa % 10 != 0)
            return reject(QStringLiteral("has more than two decimal places"));
        mantissa /= 10;
    }
    if (mantissa > quint64(kMaxCents))
        return reject(tooLarge);
    return negative ? -qint64(mantissa) : qint64(mantissa);
}

Normalizer::Normalized<QDateTime> Normalizer::dateTimeUtc(QStringView raw, const QTimeZone &zone)
{
    const QStringView text = trim(raw);
    if (text.isEmpty())
        return rejectEmpty();
    const QString notDate = QStringLiteral("is not a recognised date");
    if (text.size() > 64)
        return reject(notDate);

    bool allDigits = true;
    for (const QChar c : text)
        allDigits = allDigits && isAsciiDigit(c);
    if (allDigits) { // Unix time: 10 digits are seconds, 13 milliseconds (both span 2001..2286)
        if (text.size() != 10 && text.size() != 13)
            return reject(notDate);
        const qint64 value = text.toLongLong();
        return QDateTime::fromMSecsSinceEpoch(text.size() == 10 ? value * 1000 : value, Qt::UTC);
    }

    Cursor cursor(text);
    DateParts parts;
    if (readDate(cursor, parts) != DateRead::Ok)
        return reject(notDate);
    const QDate date(parts.year, parts.month, parts.day);
    if (!date.isValid())
        return reject(QStringLiteral("is not a valid date"));
    TimeParts time;
    const DateRead timeRead = readTime(cursor, time);
    if (timeRead == DateRead::Invalid)
        return reject(QStringLiteral("is not a valid time"));
    if (timeRead != DateRead::Ok)
        return reject(notDate);

    const qint64 wallMs = (date.toJulianDay() - kUnixEpochJulianDay) * kMsPerDay + time.msOfDay;
    if (time.offsetSeconds)
        return QDateTime::fromMSecsSinceEpoch(wallMs - *time.offsetSeconds * 1000LL, Qt::UTC);
    if (!zone.isValid())
        return reject(QStringLiteral("has no offset and no valid time zone to read it in"));
    return QDateTime::fromMSecsSinceEpoch(wallTimeToUtc(wallMs, zone), Qt::UTC);
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
