#pragma once

#include "result.h"
#include "sqlitestatement.h"

#include <memory>
#include <string>
#include <string_view>

struct sqlite3;

namespace LeadDesk::Core::Demo {

// A prepared statement bound column by column in order, without copying: every value must stay
// unchanged until run(). Errors read "demo data: <SQLite's message>".
class Statement
{
public:
    Result<void> prepare(sqlite3 *db, const std::string &sql);
    Statement &text(std::string_view value)
    {
        m_stmt->bindStatic(m_next++, value);
        return *this;
    }
    Statement &textOrNull(std::string_view value) { return value.empty() ? null() : text(value); }
    Statement &integer(qint64 value)
    {
        m_stmt->bind(m_next++, value);
        return *this;
    }
    Statement &positiveOrNull(qint64 value) { return value > 0 ? integer(value) : null(); }
    Statement &null()
    {
        m_stmt->bindNull(m_next++);
        return *this;
    }
    Result<void> run();
    // For a query: the first row's first column as text, empty when there is no row.
    std::string firstText();

private:
    std::unique_ptr<SqliteStatement> m_stmt;
    int m_next = 1;
};

Result<void> execSql(sqlite3 *db, const char *sql);

// Bulk-load settings for the duration of the generation, restored afterwards. Foreign keys are
// right by construction (the tests run PRAGMA foreign_key_check); a larger page cache keeps the
// name, e-mail and identity indexes, which grow in random order, in memory; and checkpoints run
// every ~100 MB of WAL rather than every 4 MB, so a page rewritten by consecutive batches is
// copied into the database once.
class BulkLoadSettings
{
public:
    BulkLoadSettings(sqlite3 *db, qint64 leads);
    ~BulkLoadSettings();
    BulkLoadSettings(const BulkLoadSettings &) = delete;
    BulkLoadSettings &operator=(const BulkLoadSettings &) = delete;

private:
    sqlite3 *m_db;
    qint64 m_foreignKeys;
    qint64 m_cacheSize;
    qint64 m_autoCheckpoint;
};

} // namespace LeadDesk::Core::Demo
