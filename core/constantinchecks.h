#pragma once

#include "result.h"

#include <QString>

namespace LeadDesk::Core {

class Database;

// SQLite evaluates `x IN ('a', 'b', 'c')` with more than two constants by building a temporary
// B-tree of the constants each time a statement runs: a pager allocated and zeroed, for every
// CHECK constraint of that shape on every row written. On the receiver's insert path that was
// six such trees per lead and a tenth of its CPU. An OR of equalities is evaluated in place and
// means the same, so the store's tables keep their CHECKs in that form.
class ConstantInChecks final
{
public:
    // `sql` with every `CHECK (column IN ('a', 'b', ...))` of more than two string constants
    // written as `CHECK (column = 'a' OR column = 'b' OR ...)`; anything else is left as it is.
    [[nodiscard]] static QString rewritten(const QString &sql);

    // Rewrites the CHECKs of every table in the store's schema, inside the caller's
    // transaction, by SQLite's documented procedure for changing a CHECK constraint in place
    // (writable_schema, then a new schema version so every connection reloads the schema).
    // The constraints mean the same before and after, so no row needs checking again.
    // Returns how many tables changed.
    static Result<int> rewriteSchema(Database &db);
};

} // namespace LeadDesk::Core
