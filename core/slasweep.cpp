#include "slasweep.h"

#include "slaclock.h"
#include "slaconfig.h"

#include <QJsonArray>

namespace LeadDesk::Core {

QJsonObject SlaSweep::Outcome::toJson() const
{
    QJsonObject json = check.toJson();
    QJsonArray moved;
    for (const Reassignment &reassignment : reassignments) {
        if (!reassignment.outcome.assigned)
            continue;
        moved.append(
            QJsonObject{{QStringLiteral("lead_id"), reassignment.leadId},
                        {QStringLiteral("user_id"), reassignment.outcome.userId},
                        {QStringLiteral("user_name"), reassignment.outcome.userName},
                        {QStringLiteral("previous_user_id"), reassignment.outcome.previousUserId}});
    }
    json.insert(QStringLiteral("reassigned"), moved);
    return json;
}

Result<SlaSweep::Outcome> SlaSweep::run(Database &db, const QString &businessId, qint64 nowMs)
{
    auto config = SlaConfig::load(db, businessId);
    if (!config)
        return std::unexpected(config.error());
    SlaTracker tracker(db, businessId, std::move(*config));
    auto check = tracker.check(nowMs); // its own transaction: the breaches are recorded now
    if (!check)
        return std::unexpected(check.error());
    Outcome outcome;
    outcome.check = std::move(*check);
    LeadRouter router;
    // Each reassignment commits alone: one that fails leaves the breaches and the others.
    for (const QString &leadId : outcome.check.breachedLeadIds()) {
        Transaction transaction(db);
        if (!transaction.isOpen())
            return std::unexpected(transaction.error());
        auto moved = router.reassignAfterBreach(db, businessId, leadId, nowMs);
        if (!moved)
            return std::unexpected(moved.error());
        if (auto ok = transaction.commit(); !ok)
            return std::unexpected(ok.error());
        outcome.reassignments.push_back({leadId, std::move(*moved)});
    }
    return outcome;
}

Result<bool> SlaSweep::backfillIfNeeded(Database &db, const QString &businessId, qint64 nowMs)
{
    auto config = SlaConfig::load(db, businessId);
    if (!config)
        return std::unexpected(config.error());
    if (config->calendar.hours().isAlwaysClosed())
        return false;
    auto needed = SlaClock::needsBackfill(db, businessId);
    if (!needed)
        return std::unexpected(needed.error());
    if (!*needed)
        return false;
    auto stats
        = SlaClock::recomputeAll(db, businessId, *config, nowMs, SlaClock::Overdue::MarkSilently);
    if (!stats)
        return std::unexpected(stats.error());
    return true;
}

} // namespace LeadDesk::Core
