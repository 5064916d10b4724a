#pragma once

#include "result.h"

#include <QHash>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QVariantList>

#include <functional>
#include <map>
#include <memory>
#include <string>

Q_DECLARE_LOGGING_CATEGORY(lcStore)

namespace LeadDesk::Core {

class SqliteStatement;

// One SQLite connection, owned by the thread that opened it: PRAGMAs, schema migrations and a
// cache of prepared statements. Never share one across threads; open one per thread instead.
class Database final
{
public:
    enum class Mode { ReadWrite, ReadOnly };

    // The schema version this build creates and migrates to.
    static int latestSchemaVersion();

    // Opens (creating if needed) the store at `path` and brings its schema up to date. A store
    // written by a newer LeadDesk is refused rather than touched. `targetVersion` is for tests of
    // the upgrade path only.
    static Result<std::unique_ptr<Database>> open(const QString &path, Mode mode = Mode::ReadWrite,
                                                  int targetVersion = -1);
    ~Database();
    Q_DISABLE_COPY_MOVE(Database)

    [[nodiscard]] QSqlDatabase connection() const { return QSqlDatabase::database(m_name, false); }
    [[nodiscard]] const QString &path() const { return m_path; }
    [[nodiscard]] int schemaVersion() const;

    // A statement prepared once per connection, keyed by its text (SQL lives beside the class
    // that uses it). Bound values from the previous use are cleared.
    QSqlQuery &prepared(const QString &sql);

    // The same on the raw sqlite3 handle, for hot write paths (see SqliteStatement).
    SqliteStatement &statement(const char *sql);

    // Runs a prepared statement; on failure, says which and why.
    Result<void> exec(QSqlQuery &query);
    // Runs a prepared query with `params` and calls `onRow` for each row it returns.
    Result<void> forEachRow(const QString &sql, const QVariantList &params,
                            const std::function<void(const QSqlQuery &)> &onRow);
    // A one-off statement without parameters (DDL, PRAGMA).
    Result<void> execDirect(const QString &sql);

    // BEGIN IMMEDIATE; COMMIT, which first counts the leads whose analytics rollups were
    // deferred to it (DeferredRollups); ROLLBACK.
    Result<void> begin();
    Result<void> commit();
    void rollback();
    // Whether a transaction opened by begin() is open (not one begun by SQL of its own).
    [[nodiscard]] bool inTransaction() const { return m_inTransaction; }
    // The open transaction has leads listed in analytics_deferred for commit() to count.
    void markRollupsDeferred() { m_rollupsDeferred = true; }

    // The raw sqlite3 handle for the few hot paths that need it (bulk import).
    [[nodiscard]] void *sqliteHandle() const;

private:
    Database(QString name, QString path);
    Result<void> configure(Mode mode);
    Result<void> migrate(int targetVersion);

    QString m_name;
    QString m_path;
    bool m_inTransaction = false;
    bool m_rollupsDeferred = false;
    QHash<QString, QSqlQuery> m_prepared;
    std::map<std::string, std::unique_ptr<SqliteStatement>> m_statements;
};

// Rolls back on scope exit unless committed (after Trojitá's SqlTransactionAutoAborter).
class Transaction final
{
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Q_DISABLE_COPY_MOVE(Transaction)

    [[nodiscard]] bool isOpen() const { return m_open; }
    [[nodiscard]] const Error &error() const { return m_error; }
    Result<void> commit();

private:
    Database &m_db;
    bool m_open = false;
    Error m_error;
};

} // namespace LeadDesk::Core
