#include "scorerowcursor.h"

#include <sqlite3.h>

namespace LeadDesk::Core {

namespace {

// Rows the walk steps over before it searches instead: score rows of leads the reader skips
// (chatbot leads, deleted ones, another business's) lie between the ones it asks for.
constexpr int kMaxSteps = 32;

std::string_view textOf(sqlite3_stmt *statement, int column)
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(statement, column));
    return {text ? text : "", std::size_t(sqlite3_column_bytes(statement, column))};
}

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
    readRow(m_walk.handle(), 1);
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
    m_current = m_atEnd ? std::string_view() : textOf(m_walk.handle(), 0);
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
    readRow(m_lookup.handle(), 0);
    return &m_row;
}

void ScoreRowCursor::readRow(sqlite3_stmt *statement, int firstColumn)
{
    m_row.score = sqlite3_column_int(statement, firstColumn);
    m_row.grade = textOf(statement, firstColumn + 1);
    m_row.qualification = textOf(statement, firstColumn + 2);
    m_row.breakdownId = sqlite3_column_int64(statement, firstColumn + 3);
}

} // namespace LeadDesk::Core
