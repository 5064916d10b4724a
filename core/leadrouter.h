#pragma once

#include "database.h"
#include "leadingestor.h"
#include "result.h"
#include "routingrules.h"

#include <QHash>
#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace LeadDesk::Core {

// Assigns leads to reps (DESIGN §9, seed 004 "Routing"): the campaign's own rep, else the first
// matching routing rule's target, else the fallback pool; within a pool, round-robin over the
// reps who are available (not away, inside their working hours in the business's time zone,
// below their capacity of open leads). The cursor of each pool is stored (routing_cursors), so
// the rotation continues after a restart. Every decision is an activity that says why: an
// "assigned" one on success, a "not_assigned" one when the lead stays unassigned (or
// "not_reassigned" when an SLA breach found nobody else).
//
// Works on the connection it is given, inside the caller's transaction if there is one (its
// writes are one savepoint). One router per thread: it caches parsed rules per business.
class LeadRouter final
{
public:
    static constexpr auto kAssignedActivity = "assigned";
    static constexpr auto kNotAssignedActivity = "not_assigned";
    static constexpr auto kNotReassignedActivity = "not_reassigned";

    // A rep the router looked at and passed over, and why ("away", "outside working hours"...).
    struct Skip
    {
        QString user; // user name
        QString why;
    };

    struct Outcome
    {
        bool assigned = false; // assigned_to was written
        QString userId;        // the new assignee
        QString userName;
        QString previousUserId; // reassignment: who had it before
        // campaign_rule, routing_rule, round_robin or sla_breach when assigned; otherwise
        // already_assigned, campaign_manual, routing_off, invalid_rules, no_target,
        // nobody_available, reassign_off, closed, responded.
        QString reason;
        QString ruleId; // the routing rule that matched, if any
        QString pool;   // RoutingTarget::describe() of the pool the assignee came from
        QList<Skip> skipped;
        QString activity; // the activity's description; empty when none was written
    };

    LeadRouter() = default;
    Q_DISABLE_COPY_MOVE(LeadRouter)

    // Routes an unassigned lead. A lead that already has an assignee is left alone.
    Result<Outcome> assign(Database &db, const QString &businessId, const QString &leadId,
                           qint64 nowMs);

    // Hands the lead to another available rep after its first-response SLA breached, when the
    // business's rules say reassign_on_breach. Leads that are closed, already answered or on a
    // campaign without automatic assignment are left as they are (no activity).
    Result<Outcome> reassignAfterBreach(Database &db, const QString &businessId,
                                        const QString &leadId, qint64 nowMs);

    // The routing step of the ingestion pipeline, for LeadIngestor::addAfterStore. Leads that
    // arrive with an assignee keep it.
    static LeadIngestor::AfterStore afterStoreStage(std::shared_ptr<LeadRouter> router
                                                    = std::make_shared<LeadRouter>());

private:
    enum class Mode { Assign, ReassignAfterBreach };
    Result<Outcome> route(Database &db, const QString &businessId, const QString &leadId,
                          qint64 nowMs, Mode mode);
    // The business's rules (stored or default), parsed once per stored text.
    Result<RoutingRules> rulesFor(Database &db, const QString &businessId);

    struct CachedRules
    {
        std::optional<QByteArray> text; // nothing: the default document
        Result<RoutingRules> rules;
    };
    QHash<QString, CachedRules> m_rules;
};

} // namespace LeadDesk::Core
