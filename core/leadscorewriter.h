#pragma once

#include "result.h"

#include <QByteArray>

#include <span>
#include <string_view>

struct sqlite3;

namespace LeadDesk::Core {

// Writes a bulk rescore's new scores into lead_scores, inside the caller's transaction, with the
// connection's triggers off (the caller writes the rollups' differences itself: see
// ScoreRollupDeltas).
//
// Rows are written in the table's key order when they come in it (UUIDv7 lead ids follow the
// order leads were stored in, which is the order the rescore reads them): one UPDATE walks the
// key range of the rows and takes each new score from an SQL function over the rows in memory.
// SQLite moves its cursor along the leaves instead of searching the tree from the root for every
// row, several times faster (bench_rescore). Rows out of order, and rows of leads without a score
// row, are written one statement each.
class LeadScoreWriter final
{
public:
    struct Row
    {
        std::string_view leadId;
        int score = 0;
        std::string_view grade;
        std::string_view qualification;
        std::string_view breakdown;
        qint64 createdAtMs = 0; // the lead's creation: the stamp of a new row under AsCreated
        bool exists = false;    // the lead has a lead_scores row
        qint64 breakdownId = 0; // set by write(): the breakdown's id in score_breakdowns
    };

    struct Stamping
    {
        bool asChange = true; // each row written gets scored_at = nowMs and a new clock stamp
        qint64 nowMs = 0;
    };

    struct Outcome
    {
        qint64 rowsInKeyRange = 0; // updated by one walk of the key range
        qint64 rowsOneByOne = 0;   // updated or inserted by a statement each
    };

    LeadScoreWriter(QByteArray businessId, Stamping stamping);

    // Writes `rows` through `db`. The walk of a key range is taken only when the rows' ids ascend
    // and start after every id an earlier call of this writer walked, so no row of the table is
    // walked twice in one rescore.
    Result<Outcome> write(sqlite3 *db, std::span<const Row> rows);

private:
    Result<void> updateInKeyRange(sqlite3 *db, std::span<const Row> rows) const;
    Result<void> writeOneByOne(sqlite3 *db, std::span<const Row> rows, bool existing) const;

    QByteArray m_businessId;
    Stamping m_stamping;
    QByteArray m_walkedTo; // the last id a key-range walk covered
};

} // namespace LeadDesk::Core
