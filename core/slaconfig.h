#pragma once

#include "businesscalendar.h"
#include "database.h"
#include "result.h"
#include "slapolicy.h"

#include <QString>

#include <optional>

namespace LeadDesk::Core {

// Everything SLA arithmetic needs for one business: its policy and its business calendar.
struct SlaConfig
{
    SlaPolicy policy;
    BusinessCalendar calendar;

    // The business's stored documents (or the defaults), in its time zone.
    [[nodiscard]] static Result<SlaConfig> load(Database &db, const QString &businessId);

    struct ClockTimes
    {
        std::optional<qint64> atRiskAt; // nothing: never (the calendar is never open)
        std::optional<qint64> dueAt;
    };
    // When a clock for `targetMs` started at `startMs` turns at risk and runs out.
    [[nodiscard]] ClockTimes clockTimes(qint64 startMs, qint64 targetMs) const;
};

} // namespace LeadDesk::Core
