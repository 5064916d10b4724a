#pragma once

#include <QDateTime>
#include <QString>
#include <QStringView>
#include <QTimeZone>

#include <expected>

namespace LeadDesk::Core {

// Dates and times as people and systems write them, to a UTC instant (Normalizer::dateTimeUtc):
// ISO-8601, US month-first, written months, Unix seconds or milliseconds. A time without an
// offset is read as wall-clock time in `zone`, DST-correct.
class DateTimeText final
{
public:
    using Instant = std::expected<QDateTime, QString>;

    [[nodiscard]] static Instant toUtc(QStringView raw, const QTimeZone &zone);
};

} // namespace LeadDesk::Core
