#pragma once

#include "result.h"
#include "sqlitestatement.h"

#include <QtGlobal>

#include <string>
#include <string_view>

struct sqlite3;

namespace LeadDesk::Core {

// Finds the score rows of leads read one after another in rowid order, by walking lead_scores
// in key order beside them instead of searching it for each lead. Lead ids are UUIDv7, so leads
// are stored in the order of their ids and the next lead's score row is nearly always the next
// row or one of the next few: a step along the leaf instead of a descent from the root, which
// was a quarter of a rescore's reading (bench_rescore). A lead whose id is behind the one before
// it (made by a desktop whose clock was behind) is looked up on its own and leaves the walk
// where it was; one far ahead moves the walk there with a single search. Either way each lead
// costs at most the one search a join would have made.
class ScoreRowCursor final
{
public:
    // A lead's score row, valid until the next find().
    struct Row
    {
        int score = 0;
        std::string_view grade;
        std::string_view qualification;
        qint64 breakdownId = 0;
    };

    // How the rows were found, for the tests and the benchmark.
    struct Counts
    {
        qint64 steps = 0;   // rows stepped over along the walk
        qint64 seeks = 0;   // walks begun again with a search
        qint64 lookups = 0; // leads behind the walk, searched on their own
    };

    explicit ScoreRowCursor(sqlite3 *db);
    Q_DISABLE_COPY_MOVE(ScoreRowCursor)

    // The score row of the lead `leadId`, or null when it has none.
    [[nodiscard]] Result<const Row *> find(std::string_view leadId);

    [[nodiscard]] Counts counts() const { return m_counts; }

private:
    Result<void> seek(std::string_view leadId);
    Result<void> step();
    Result<void> advance(); // the walk's next row, whatever moved it
    Result<const Row *> lookUp(std::string_view leadId);
    void readRow(const SqliteStatement &statement, int firstColumn);

    SqliteStatement m_walk;
    SqliteStatement m_lookup;
    std::string m_seekKey;      // bound to the walk while it runs
    std::string m_lookupKey;    // bound to the lookup until the next one
    std::string_view m_current; // the walk's row's lead id; empty past the end
    bool m_started = false;
    bool m_atEnd = false;
    std::string m_previous; // the last lead asked for
    std::string m_floor;    // the walk holds no row from here to m_current but its own
    Row m_row;
    Counts m_counts;
};

} // namespace LeadDesk::Core
