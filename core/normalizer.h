#pragma once

#include <QDateTime>
#include <QString>
#include <QStringView>
#include <QTimeZone>

#include <expected>
#include <memory>

namespace i18n::phonenumbers {
class PhoneNumberUtil;
}

namespace LeadDesk::Core {

// Seed 003's data rules, done properly. Every function takes one raw value and returns the
// normalised value or a short human reason ("is not a valid phone number"). Empty or
// whitespace-only input is an error ("is empty"): callers decide whether a field is optional.
// Thread-safe: no function mutates state.
class Normalizer final
{
public:
    template<typename T>
    using Normalized = std::expected<T, QString>;

    // `defaultRegion` is the ISO 3166 region numbers without a country code are read in.
    explicit Normalizer(QString defaultRegion = QStringLiteral("US"));

    [[nodiscard]] const QString &defaultRegion() const { return m_region; }

    // Any written form ("(614) 555-0177", "614.555.0177", "+44 20 7946 0958", "1-800-FLOWERS")
    // to E.164 ("+16145550177"), via libphonenumber. Impossible numbers are errors.
    [[nodiscard]] Normalized<QString> phoneE164(QStringView raw) const;
    // The 10-digit national form of a NANP number ("6145550177"), for US exports; other numbers
    // come back as E.164.
    [[nodiscard]] static QString phoneNationalTenDigits(const QString &e164);

    // Title case that keeps "McDonald", "MacArthur", "O'Neil", "van der Berg", "José",
    // "Smith-Jones", "III"; collapses inner white space. Never fails on non-empty input.
    [[nodiscard]] static Normalized<QString> personName(QStringView raw);

    // US state / territory code or full name ("oh", "Ohio", " OH ") to the upper-case USPS code.
    [[nodiscard]] static Normalized<QString> stateCode(QStringView raw);

    // One address line "88 Birchwood Ln, Columbus, OH 43214" from its parts; empty parts are
    // skipped, white space collapsed. Empty when every part is empty.
    [[nodiscard]] static QString addressLine(QStringView street, QStringView city,
                                             QStringView state, QStringView postalCode);

    // "720", "720.0", " 705 " to an integer in 300..850; a range "700-749" gives its lower bound.
    [[nodiscard]] static Normalized<int> creditScore(QStringView raw);

    // yes/no, y/n, 1/0, true/false, on/off (any case, trimmed).
    [[nodiscard]] static Normalized<bool> boolean(QStringView raw);

    // Money to integer cents: "$250,000.00", "250k", "1.5M", "€1.200,50", "1 200,50", "(5.00)".
    // Refuses forms it cannot read safely, such as "1.234" (sub-cent, or thousands in Europe).
    [[nodiscard]] static Normalized<qint64> moneyCents(QStringView raw);

    // ISO-8601 with or without offset, "2025-10-03 10:30:00", "10/03/2025", "10/03/2025 10:30 AM",
    // "Oct 3, 2025", "3 Oct 2025", Unix seconds or milliseconds: to a UTC QDateTime. Values
    // without an offset are read in `zone`.
    [[nodiscard]] static Normalized<QDateTime> dateTimeUtc(QStringView raw, const QTimeZone &zone
                                                                            = QTimeZone::utc());

    // Trimmed, syntax-checked (one @, a dotted domain, no spaces or control characters), domain
    // lower-cased; the local part keeps its case.
    [[nodiscard]] static Normalized<QString> email(QStringView raw);

private:
    QString m_region;
    const i18n::phonenumbers::PhoneNumberUtil *m_util;
};

} // namespace LeadDesk::Core
