#pragma once

#include <QChar>
#include <QString>
#include <QStringView>

#include <expected>

// Small text helpers shared by the normalisers (Normalizer, MoneyText, DateTimeText).
namespace LeadDesk::Core::NormalizerText {

inline std::unexpected<QString> reject(QString why)
{
    return std::unexpected(std::move(why));
}

inline std::unexpected<QString> rejectEmpty()
{
    return reject(QStringLiteral("is empty"));
}

// Zero-width space and BOM count as blank: spreadsheets leave them at the edges of cells.
inline bool isBlank(QChar c)
{
    return c.isSpace() || c.unicode() == 0x200B || c.unicode() == 0xFEFF;
}

inline bool isAsciiDigit(QChar c)
{
    return c.unicode() >= u'0' && c.unicode() <= u'9';
}

inline bool isAsciiLetter(QChar c)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'A' && u <= u'Z');
}

inline QStringView trim(QStringView s)
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
inline bool hasLoneSurrogate(QStringView s)
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
inline QString collapseSpaces(QStringView s)
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

// The straight and the typographic apostrophe (O'Neil, O’Neil, 1'234.50).
inline bool isApostrophe(QChar c)
{
    return c.unicode() == u'\'' || c.unicode() == 0x2019;
}

} // namespace LeadDesk::Core::NormalizerText
