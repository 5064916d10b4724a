#include "scorerowcursor.h"

namespace LeadDesk::Core {

namespace {

// Rows the walk steps over before it searches instead: score rows of leads the reader skips
// (chatbot leads, deleted ones, another business's) lie between the ones it asks for.
constexpr int kMaxSteps = 32;

} // namespace

ScoreRowCursor::ScoreRowCursor(sqlite3 *db)
    : m_walk(db, "SELECT lead_id, lead_score, lead_grade, qualification_status, breakdown_id "
                 "FROM lead_scores WHERE lead_id >= ?1 ORDER BY lead_id")
    , m_lookup(db, "SELECT lead_score, lead_grade, qualification_status, breakdown_id "
                   "FROM lead_scores WHERE lead_id = ?1")
{}

Result<const ScoreRowCursor::Row *> ScoreRowCursor::find(std::string_view leadId)
{
    const bool behind = m_started && leadId < m_previous;
    m_previous.assign(leadId);
    if (behind)
        return lookUp(leadId);
    if (!m_started || leadId < m_floor) {
        if (auto ok = seek(leadId); !ok)
            return std::unexpected(ok.error());
    } else {
        int steps = 0;
        while (!m_atEnd && m_current < leadId) {
            auto ok = ++steps > kMaxSteps ? seek(leadId) : step();
            if (!ok)
                return std::unexpected(ok.error());
        }
    }
    m_floor.assign(leadId);
    if (m_atEnd || m_current != leadId)
        return nullptr;
    readRow(m_walk, 1);
    return &m_row;
}

Result<void> ScoreRowCursor::seek(std::string_view leadId)
{
    ++m_counts.seeks;
    m_walk.reset();
    m_seekKey.assign(leadId);
    m_walk.bindStatic(1, m_seekKey);
    m_started = true;
    return advance();
}

Result<void> ScoreRowCursor::step()
{
    ++m_counts.steps;
    return advance();
}

Result<void> ScoreRowCursor::advance()
{
    auto row = m_walk.step();
    if (!row)
        return std::unexpected(row.error());
    m_atEnd = !*row;
    m_current = m_atEnd ? std::string_view() : m_walk.columnView(0);
    return {};
}

Result<const ScoreRowCursor::Row *> ScoreRowCursor::lookUp(std::string_view leadId)
{
    ++m_counts.lookups;
    // The last lookup's row was read through: its statement is free again.
    m_lookup.reset();
    m_lookupKey.assign(leadId);
    m_lookup.bindStatic(1, m_lookupKey);
    auto row = m_lookup.step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row)
        return nullptr;
    readRow(m_lookup, 0);
    return &m_row;
}

void ScoreRowCursor::readRow(const SqliteStatement &statement, int firstColumn)
{
    m_row.score = int(statement.columnInt(firstColumn));
    m_row.grade = statement.columnView(firstColumn + 1);
    m_row.qualification = statement.columnView(firstColumn + 2);
    m_row.breakdownId = statement.columnInt(firstColumn + 3);
}

} // namespace LeadDesk::Core
