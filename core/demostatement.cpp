#include "demostatement.h"

#include "scopedpragma.h"

#include <sqlite3.h>

#include <algorithm>
#include <string>

namespace LeadDesk::Core::Demo {

Result<void> Statement::prepare(sqlite3 *db, const std::string &sql)
{
    m_stmt = std::make_unique<SqliteStatement>(db, sql.c_str());
    if (!m_stmt->isValid()) {
        return fail(QStringLiteral("demo data: cannot prepare a statement: %1")
                        .arg(QString::fromUtf8(sqlite3_errmsg(db))));
    }
    return {};
}

Result<void> Statement::run()
{
    m_next = 1;
    const Result<bool> stepped = m_stmt->step();
    m_stmt->reset();
    if (!stepped)
        return fail(QStringLiteral("demo data: %1").arg(stepped.error().message));
    return {};
}

std::string Statement::firstText()
{
    m_next = 1;
    std::string value;
    if (const Result<bool> row = m_stmt->step(); row && *row)
        value = m_stmt->columnText(0).toStdString();
    m_stmt->reset();
    return value;
}

Result<void> execSql(sqlite3 *db, const char *sql)
{
    char *message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK)
        return {};
    const QString why = QString::fromUtf8(message ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    return fail(QStringLiteral("demo data: %1").arg(why));
}

BulkLoadSettings::BulkLoadSettings(sqlite3 *db, qint64 leads)
    : m_db(db)
    , m_foreignKeys(ScopedPragma::value(db, "PRAGMA foreign_keys"))
    , m_cacheSize(ScopedPragma::value(db, "PRAGMA cache_size"))
    , m_autoCheckpoint(ScopedPragma::value(db, "PRAGMA wal_autocheckpoint"))
{
    (void)execSql(m_db, "PRAGMA foreign_keys = OFF");
    if (leads > 50'000) {
        // About 1 KiB of cache per lead covers the randomly growing indexes; at most 1 GiB.
        const qint64 cacheKiB = std::min<qint64>(leads, 1 << 20);
        const std::string pragmas = "PRAGMA cache_size = -" + std::to_string(cacheKiB)
                                    + "; PRAGMA wal_autocheckpoint = 25000";
        (void)execSql(m_db, pragmas.c_str());
    }
}

BulkLoadSettings::~BulkLoadSettings()
{
    const std::string restore
        = "PRAGMA foreign_keys = " + std::to_string(m_foreignKeys)
          + "; PRAGMA cache_size = " + std::to_string(m_cacheSize)
          + "; PRAGMA wal_autocheckpoint = " + std::to_string(m_autoCheckpoint);
    (void)execSql(m_db, restore.c_str());
}

} // namespace LeadDesk::Core::Demo
