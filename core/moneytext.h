#pragma once

#include <QString>
#include <QStringView>
#include <QtGlobal>

#include <expected>

namespace LeadDesk::Core {

// Money as people write it, to integer cents (Normalizer::moneyCents): "$250,000.00", "250k",
// "1.5M", "€1.200,50", "1 200,50", "(5.00)". Forms that cannot be read safely are refused with
// the reason, such as "1.234" (sub-cent, or thousands in Europe).
class MoneyText final
{
public:
    using Cents = std::expected<qint64, QString>;
    // The largest amount accepted: below 2^53, so doubles downstream stay exact.
    static constexpr qint64 kMaxCents = 9'000'000'000'000'000;

    [[nodiscard]] static Cents toCents(QStringView raw);
};

} // namespace LeadDesk::Core
