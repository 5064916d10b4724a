#pragma once

#include "database.h"
#include "result.h"

#include <QTimeZone>

#include <utility>
#include <vector>

struct sqlite3;

namespace LeadDesk::Core {

// The analytics rollups of migration 0004 (analytics_leads_daily, analytics_campaign_daily):
// kept current lead by lead by triggers, rebuilt here from the leads table when they were never
// built for the business's current time zone (a new store or business, an upgraded store, a
// changed zone). Dashboards then read a few thousand rollup rows instead of a million leads.
// Everything runs inside a savepoint, so it works on its own or inside the writer's transaction.
class AnalyticsRollup final
{
public:
    struct RebuildStats
    {
        qint64 leads = 0;        // leads read
        qint64 leadRows = 0;     // analytics_leads_daily rows written
        qint64 campaignRows = 0; // analytics_campaign_daily rows written
        qint64 elapsedMs = 0;
    };

    // True when the rollups of `businessId` were built for the business's current time zone.
    static Result<bool> isCurrent(Database &db, const QString &businessId);
    // Rebuilds unless current (needs a writable connection then); true when it rebuilt.
    static Result<bool> ensureCurrent(Database &db, const QString &businessId);
    static Result<RebuildStats> rebuild(Database &db, const QString &businessId);

    // The business zone (an IANA id); UTC when the id is empty or unknown to this system.
    static QTimeZone zone(const QString &ianaId);
    // The zone's UTC offsets as the triggers look them up: (first UTC ms it applies, offset ms),
    // ascending, the first starting at the smallest qint64.
    static std::vector<std::pair<qint64, qint64>> zoneOffsets(const QTimeZone &zone);
    // The offsets the triggers look up for `businessId` (UTF-8), as analytics_zone_offsets holds
    // them; empty before the first rebuild, when the triggers use offset 0, as localDay() does.
    static Result<std::vector<std::pair<qint64, qint64>>>
    storedZoneOffsets(sqlite3 *db, const QByteArray &businessId);
    // The local day number (days since 1970-01-01 in the zone) of a UTC instant, exactly as the
    // triggers compute it.
    static qint64 localDay(qint64 utcMs, const std::vector<std::pair<qint64, qint64>> &offsets);
};

} // namespace LeadDesk::Core
