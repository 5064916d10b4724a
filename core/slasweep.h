#pragma once

#include "database.h"
#include "leadrouter.h"
#include "result.h"
#include "slatracker.h"

#include <QJsonObject>
#include <QList>
#include <QString>

namespace LeadDesk::Core {

// One pass of the SLA watch (DESIGN §9): record the breaches since the last pass (once each),
// escalate when the breach rate says so, and hand each newly breached lead to another rep when
// the routing rules say reassign_on_breach. Pure core: whoever owns a timer calls run() (the
// engine's SlaMonitor, `leaddeskctl sla --check`). Opens its own transactions, so it runs where
// no transaction is open (a writer's standalone job, a CLI connection).
class SlaSweep final
{
public:
    struct Reassignment
    {
        QString leadId;
        LeadRouter::Outcome outcome;
    };

    struct Outcome
    {
        SlaCheckResult check;
        QList<Reassignment> reassignments; // one per breached lead, in the check's order
        // Whether this pass recorded anything worth telling someone about.
        [[nodiscard]] bool hasNews() const
        {
            return !check.breaches.isEmpty() || check.escalation.has_value();
        }
        [[nodiscard]] QJsonObject toJson() const;
    };

    static Result<Outcome> run(Database &db, const QString &businessId, qint64 nowMs);

    // Computes the SLA columns of leads that never had them (a store made before them, demo
    // data); true when it did. Nothing to do for a business that is never open.
    static Result<bool> backfillIfNeeded(Database &db, const QString &businessId, qint64 nowMs);
};

} // namespace LeadDesk::Core
