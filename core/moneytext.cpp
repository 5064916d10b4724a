#include "moneytext.h"

#include "normalizertext.h"

#include <QtNumeric>

#include <algorithm>
#include <array>

namespace LeadDesk::Core {

using namespace NormalizerText;

namespace {

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

} // namespace

// How separators are read, US first:
// - with both "." and ",", the one written last is the decimal mark and must appear once;
// - a lone "." is always a decimal point, so "1.234" (sub-cent, or 1234 in Europe) is refused;
// - a lone "," is a thousands mark before exactly three digits ("1,234" = 1234.00) and a
//   decimal comma before one or two ("1,5" = 1.50); before other counts it is refused;
// - a mark written twice or more is grouping; groups are threes ("1.234.567") or the Indian lakh
//   pattern with commas ("12,34,567"); "12,34,56" fits neither and is refused;
// - spaces, no-break spaces and apostrophes group too ("1 200,50", "1'234.50");
// - k, M and B multiply, after which decimals may run deeper as long as whole cents remain.
MoneyText::Cents MoneyText::toCents(QStringView raw)
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

} // namespace LeadDesk::Core
