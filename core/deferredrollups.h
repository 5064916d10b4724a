#pragma once

#include "result.h"

#include <QString>
#include <QStringView>

namespace LeadDesk::Core {

class Database;

// The analytics rollups, counted once per transaction for the leads it inserts instead of lead
// by lead. A trigger upsert of a 70-column rollup row per inserted lead (and two more when the
// router assigns it) was nearly half the cost of inserting a lead on the receiver's and the
// importer's write path. Leads inserted inside a transaction opened by Database::begin() are
// listed in analytics_deferred; every rollup trigger skips the leads listed there, and
// Database::commit() counts them from their final state, one upsert per rollup row, before the
// COMMIT. The list never outlives the transaction: a rollback takes it along, a commit empties it.
class DeferredRollups final
{
public:
    // The schema version whose migration adds analytics_deferred (0009_deferred_rollups).
    static constexpr int kSchemaVersion = 9;

    // `triggerSql` (a CREATE TRIGGER statement) with its WHEN clause extended so that it does
    // nothing for a lead listed in analytics_deferred; `leadExpression` names the trigger's lead
    // (NEW.id, OLD.lead_id, ...). Empty when the statement has no BEGIN to find.
    [[nodiscard]] static QString deferringTriggerSql(const QString &triggerSql,
                                                     QStringView leadExpression);
    // Recreates every rollup trigger (analytics_* on leads and lead_scores) in that form, inside
    // the caller's transaction. Returns how many it recreated.
    static Result<int> installInTriggers(Database &db);

    // Lists a lead about to be inserted. Only inside a transaction opened by Database::begin(),
    // whose commit counts it; elsewhere nothing is listed, the triggers count the lead, and the
    // answer is false.
    static Result<bool> defer(Database &db, const QString &leadId);
    // Adds every listed lead (as it now is: assigned, scored, maybe deleted) to the rollups and
    // empties the list. Returns how many leads it read.
    static Result<qint64> flush(Database &db);
    // Whether anything is listed; only a COMMIT issued around Database can leave rows behind,
    // which Database::open() then counts.
    static Result<bool> hasDeferred(Database &db);
};

} // namespace LeadDesk::Core
