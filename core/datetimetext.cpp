#include "datetimetext.h"

#include "normalizertext.h"

#include <array>
#include <optional>

namespace LeadDesk::Core {

using namespace NormalizerText;

namespace {

constexpr qint64 kMsPerDay = 86'400'000;
constexpr qint64 kUnixEpochJulianDay = 2'440'588; // QDate(1970, 1, 1).toJulianDay()

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

} // namespace

DateTimeText::Instant DateTimeText::toUtc(QStringView raw, const QTimeZone &zone)
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

} // namespace LeadDesk::Core
