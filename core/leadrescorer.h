#pragma once

#include "database.h"
#include "result.h"
#include "scoringrules.h"

#include <functional>

namespace LeadDesk::Core {

// Recomputes every lead's score, grade, qualification and breakdown of a business under a rule
// document, in pages by rowid, each page one transaction: a lead edited meanwhile is rescored
// with its committed values. Runs where it may open its own transactions (the writer's
// submitStandalone, or the command line).
class LeadRescorer final
{
public:
    static constexpr int kPageSize = 5000;

    // AsChange: a rescore is an edit, stamped with a new updated_at and clock stamp so it syncs.
    // AsCreated: the scores are part of how the rows were made (a generated data set); the rows'
    // stamps stay as they are.
    enum class Stamp { AsChange, AsCreated };

    // `progress` gets (leads done, leads total). Returns the number of leads rescored.
    static Result<qint64> rescoreAll(Database &db, const QString &businessId,
                                     const ScoringRules &rules,
                                     const std::function<void(qint64, qint64)> &progress = {},
                                     Stamp stamp = Stamp::AsChange);
};

} // namespace LeadDesk::Core
