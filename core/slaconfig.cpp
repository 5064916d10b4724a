#include "slaconfig.h"

namespace LeadDesk::Core {

Result<SlaConfig> SlaConfig::load(Database &db, const QString &businessId)
{
    auto policy = SlaPolicy::load(db, businessId);
    if (!policy)
        return std::unexpected(policy.error());
    auto calendar = BusinessCalendar::load(db, businessId);
    if (!calendar)
        return std::unexpected(calendar.error());
    return SlaConfig{std::move(*policy), std::move(*calendar)};
}

SlaConfig::ClockTimes SlaConfig::clockTimes(qint64 startMs, qint64 targetMs) const
{
    const auto at = [this, startMs](qint64 durationMs) -> std::optional<qint64> {
        const qint64 t = calendar.addBusinessTime(startMs, durationMs);
        if (t == BusinessCalendar::kNever)
            return std::nullopt;
        return t;
    };
    ClockTimes times;
    times.dueAt = at(targetMs);
    if (times.dueAt)
        times.atRiskAt = at(policy.atRiskMs(targetMs));
    return times;
}

} // namespace LeadDesk::Core
