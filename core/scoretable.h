#pragma once

#include "result.h"

#include <QString>

namespace LeadDesk::Core {

class Database;

// The shape of the score table, lead_scores, across schema versions, and the migrations' way of
// changing it: SQLite changes a table's columns by copying it into a new table (in key order, so
// the pages are full) and putting the copy in the old one's place.
class ScoreTable final
{
public:
    // The schema version whose migration names a score row's business by its number in
    // `tenants` instead of its id (0011_score_tenants).
    static constexpr int kTenantsVersion = 11;

    // The list's score sort: the business's number, the score, and the lead id breaking ties. A
    // bulk rescore drops it and builds it again when it ends; Database::open does if a crash came
    // in between.
    static constexpr auto kSortIndexSql
        = "CREATE INDEX IF NOT EXISTS idx_lead_scores_sort ON lead_scores "
          "(tenant, lead_score, lead_id)";
    // The same for a store at `schemaVersion` (7 and later; before 11 it names the business id).
    static const char *sortIndexSql(int schemaVersion);

    // A migration's second half, inside its transaction: puts `filledTable`, the score rows
    // copied into the shape of `schemaVersion`, in lead_scores' place, with the old table's
    // triggers (word for word), the score index of that version and the scored_leads view
    // (which the migration dropped).
    static Result<void> replace(Database &db, const QString &filledTable, int schemaVersion);
};

} // namespace LeadDesk::Core
