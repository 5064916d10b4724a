#pragma once

#include "result.h"

#include <QString>

#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace LeadDesk::Core {

// "what: SQLite's message for what failed on `db` last", for the callers of the raw C API.
Error sqliteError(sqlite3 *db, const QString &what);

// A prepared statement on the raw sqlite3 handle, for the few write paths where Qt Sql's
// per-value QVariant overhead is the bottleneck (bulk import, demo data). Reset after each step.
class SqliteStatement final
{
public:
    SqliteStatement(sqlite3 *db, const char *sql);
    ~SqliteStatement();
    Q_DISABLE_COPY_MOVE(SqliteStatement)

    [[nodiscard]] bool isValid() const { return m_stmt != nullptr; }

    // Binding is 1-based, as in SQLite. Empty strings bind as NULL with bindNullable().
    void bind(int index, const QString &value);
    void bind(int index, const QByteArray &utf8);
    // Without a copy: `utf8` must stay unchanged until the statement is reset.
    void bindStatic(int index, std::string_view utf8);
    void bind(int index, qint64 value);
    void bindNull(int index);
    void bindNullable(int index, const QString &value);

    // Steps once. Returns true when a row is available (SELECT), false when done; errors carry
    // SQLite's message.
    Result<bool> step();
    // Runs a statement that returns no rows (INSERT, UPDATE) and resets it.
    Result<void> execute();
    void reset(); // also clears bindings

    [[nodiscard]] QString columnText(int column) const;
    // The column's UTF-8 text without a copy, valid until the next step or reset ('' for NULL):
    // for readers of many rows.
    [[nodiscard]] std::string_view columnView(int column) const;
    [[nodiscard]] qint64 columnInt(int column) const;
    [[nodiscard]] bool columnIsNull(int column) const;
    // The row under the cursor, for readers that take raw rows (RollupSums).
    [[nodiscard]] sqlite3_stmt *handle() const { return m_stmt; }

private:
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt = nullptr;
};

} // namespace LeadDesk::Core
