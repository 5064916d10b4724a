#pragma once

#include "result.h"

#include <QDate>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QTime>

#include <array>

namespace LeadDesk::Core {

// Opening hours of one week in local wall-clock time, e.g. a business's hours or a rep's shift:
//   {"mon": [["09:00","12:00"], ["13:00","17:00"]], "tue": [["09:00","17:00"]], ...}
// A missing day (or an empty list) is closed. "24:00" may end an interval; an interval whose end
// is not after its start runs past midnight into the next day (["22:00","02:00"]). Overlapping
// intervals are merged. A value type, cheap to copy; knows nothing of time zones or holidays
// (see BusinessCalendar).
class WeeklyHours
{
public:
    // Minutes since local midnight, 0..1440, start < end.
    struct Interval
    {
        int startMinute = 0;
        int endMinute = 0;
        friend bool operator==(const Interval &, const Interval &) = default;
    };

    // Closed all week.
    WeeklyHours() = default;

    // Errors name the JSON path of the problem, below `path` (e.g. "weekly.mon[1][0]").
    [[nodiscard]] static Result<WeeklyHours> parse(const QJsonValue &value,
                                                   const QString &path = {});
    // The document parse() reads, with times written as "HH:MM".
    [[nodiscard]] QJsonObject toJson() const;

    [[nodiscard]] bool isOpen(QDate localDate, QTime localTime) const;
    // The local times the week is open on a date of this weekday (1 = Monday ... 7 = Sunday):
    // sorted, merged, including the part of the day before's overnight interval.
    [[nodiscard]] const QList<Interval> &intervals(int dayOfWeek) const;
    [[nodiscard]] const QList<Interval> &intervals(QDate localDate) const
    {
        return intervals(localDate.dayOfWeek());
    }
    // Open minutes in a whole week; 0 means never open.
    [[nodiscard]] int minutesPerWeek() const;
    [[nodiscard]] bool isAlwaysClosed() const { return minutesPerWeek() == 0; }

    friend bool operator==(const WeeklyHours &a, const WeeklyHours &b)
    {
        return a.m_spec == b.m_spec;
    }

private:
    // As written (per day, in order, overnight intervals kept whole), for toJson().
    std::array<QList<Interval>, 7> m_spec;
    // Per weekday, clipped to the day, merged and sorted: what the queries read.
    std::array<QList<Interval>, 7> m_days;
};

} // namespace LeadDesk::Core
