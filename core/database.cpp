#include "database.h"

#include "constantinchecks.h"
#include "deferredrollups.h"
#include "scorebreakdowns.h"
#include "scoretable.h"
#include "sqlitestatement.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QSqlDriver>
#include <QSqlError>
#include <QThread>
#include <QVariant>

#include <atomic>
#include <mutex>

#include <sqlite3.h>

Q_LOGGING_CATEGORY(lcStore, "leaddesk.store")

namespace LeadDesk::Core {

namespace {

std::atomic<int> s_connectionCounter{0};

// The shipped migrations, ":/migrations/NNNN_name.sql", in version order. A build holds every
// version from 1 up, so the newest version is the number of files.
const QStringList &migrationFiles()
{
    static const QStringList files = [] {
        QStringList names = QDir(QStringLiteral(":/migrations"))
                                .entryList({QStringLiteral("*.sql")}, QDir::Files, QDir::Name);
        for (QString &name : names)
            name.prepend(QStringLiteral(":/migrations/"));
        return names;
    }();
    return files;
}

// The schema version whose migration rewrites constant IN-list CHECKs (0008_receiver_checks).
constexpr int kConstantInChecksVersion = 8;

QString describe(const QSqlError &error)
{
    return error.databaseText().isEmpty() ? error.text() : error.databaseText();
}

} // namespace

int Database::latestSchemaVersion()
{
    return static_cast<int>(migrationFiles().size());
}

Database::Database(QString name, QString path)
    : m_name(std::move(name))
    , m_path(std::move(path))
{}

Database::~Database()
{
    m_statements.clear();
    m_prepared.clear();
    {
        QSqlDatabase db = QSqlDatabase::database(m_name, false);
        if (db.isOpen())
            db.close();
    }
    QSqlDatabase::removeDatabase(m_name);
}

Result<std::unique_ptr<Database>> Database::open(const QString &path, Mode mode, int targetVersion)
{
    // SQLite keeps memory statistics by default, taking one process-wide mutex on every
    // allocation: the writer, the readers and a rescore's read-ahead queue on it. Only possible
    // before SQLite initialises, which the first open below does.
    static std::once_flag configured;
    std::call_once(configured, [] { (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
    const QString name = QStringLiteral("leaddesk-%1").arg(s_connectionCounter.fetch_add(1));
    std::unique_ptr<Database> self(new Database(name, path));
    QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
    db.setDatabaseName(path);
    if (mode == Mode::ReadOnly)
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY"));
    if (!db.open())
        return fail(
            QStringLiteral("cannot open the store at %1: %2").arg(path, describe(db.lastError())));
    if (auto configured = self->configure(mode); !configured)
        return std::unexpected(configured.error());
    if (mode == Mode::ReadWrite) {
        if (auto migrated
            = self->migrate(targetVersion < 0 ? latestSchemaVersion() : targetVersion);
            !migrated)
            return std::unexpected(migrated.error());
        // A bulk rescore drops the list's score index for its length; after a crash in
        // between, it is built here.
        if (const int version = self->schemaVersion(); version >= 7) {
            if (auto ok = self->execDirect(QString::fromLatin1(ScoreTable::sortIndexSql(version)));
                !ok)
                return std::unexpected(ok.error());
        }
        // Leads a transaction listed for its commit to count, committed without that count (by
        // a COMMIT issued around Database): counted now.
        if (self->schemaVersion() >= DeferredRollups::kSchemaVersion) {
            auto listed = DeferredRollups::hasDeferred(*self);
            if (!listed)
                return std::unexpected(listed.error());
            if (*listed) {
                Transaction transaction(*self);
                self->markRollupsDeferred();
                if (auto ok = transaction.isOpen()
                                  ? transaction.commit()
                                  : Result<void>(std::unexpected(transaction.error()));
                    !ok)
                    return std::unexpected(ok.error());
                qCWarning(lcStore) << "counted leads left out of the analytics rollups in" << path;
            }
        }
    } else if (self->schemaVersion() > latestSchemaVersion()) {
        return fail(QStringLiteral("the store at %1 has schema version %2, newer than this "
                                   "LeadDesk understands (%3)")
                        .arg(path)
                        .arg(self->schemaVersion())
                        .arg(latestSchemaVersion()));
    }
    return self;
}

Result<void> Database::configure(Mode mode)
{
    // WAL lets readers run beside the single writer; NORMAL sync is durable across a process
    // crash, and callers that acknowledge to a remote party (the webhook journal) ask for FULL.
    // temp_store stays at its default (file): with it in memory, the statement journals that
    // triggers on `leads` open inside a large savepoint made each insert slower as the job grew.
    QStringList pragmas
        = {QStringLiteral("PRAGMA foreign_keys = ON"), QStringLiteral("PRAGMA busy_timeout = 5000"),
           QStringLiteral("PRAGMA cache_size = -65536")};
    if (mode == Mode::ReadWrite) {
        pragmas.prepend(QStringLiteral("PRAGMA journal_mode = WAL"));
        pragmas << QStringLiteral("PRAGMA synchronous = NORMAL");
    }
    for (const QString &pragma : pragmas) {
        if (auto ok = execDirect(pragma); !ok)
            return ok;
    }
    qCDebug(lcStore) << "opened" << m_path << (mode == Mode::ReadOnly ? "read-only" : "read-write")
                     << "schema" << schemaVersion();
    return {};
}

int Database::schemaVersion() const
{
    QSqlQuery query(connection());
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next())
        return -1;
    return query.value(0).toInt();
}

Result<void> Database::migrate(int targetVersion)
{
    const int current = schemaVersion();
    if (current > latestSchemaVersion()) {
        return fail(
            QStringLiteral("the store at %1 has schema version %2, newer than this LeadDesk "
                           "understands (%3); refusing to open it")
                .arg(m_path)
                .arg(current)
                .arg(latestSchemaVersion()));
    }
    for (int version = current + 1; version <= targetVersion; ++version) {
        QFile file(migrationFiles().value(version - 1));
        if (!file.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("migration %1 is missing from this build").arg(version));
        const QString script = QString::fromUtf8(file.readAll());

        Transaction transaction(*this);
        if (!transaction.isOpen())
            return std::unexpected(transaction.error());
        for (const QString &statement : script.split(QStringLiteral("\n--;\n"))) {
            if (statement.trimmed().isEmpty())
                continue;
            if (auto ok = execDirect(statement); !ok)
                return fail(
                    QStringLiteral("migration %1 failed: %2").arg(version).arg(ok.error().message));
        }
        // Version 8 also rewrites the CHECKs of the earlier versions (see its script).
        if (version == kConstantInChecksVersion) {
            if (auto rewritten = ConstantInChecks::rewriteSchema(*this); !rewritten)
                return fail(QStringLiteral("migration %1 failed: %2")
                                .arg(version)
                                .arg(rewritten.error().message));
        }
        // Version 9 also has every rollup trigger skip the leads a transaction defers.
        if (version == DeferredRollups::kSchemaVersion) {
            if (auto installed = DeferredRollups::installInTriggers(*this); !installed)
                return fail(QStringLiteral("migration %1 failed: %2")
                                .arg(version)
                                .arg(installed.error().message));
        }
        // Versions 10 and 11 also put the score table they filled in the old one's place.
        if (version == ScoreBreakdowns::kSchemaVersion || version == ScoreTable::kTenantsVersion) {
            if (auto replaced = ScoreTable::replace(
                    *this, QStringLiteral("lead_scores_v%1").arg(version), version);
                !replaced)
                return fail(QStringLiteral("migration %1 failed: %2")
                                .arg(version)
                                .arg(replaced.error().message));
        }
        if (auto ok = execDirect(QStringLiteral("PRAGMA user_version = %1").arg(version)); !ok)
            return ok;
        if (auto ok = transaction.commit(); !ok)
            return ok;
        qCInfo(lcStore) << "migrated" << m_path << "to schema version" << version;
    }
    return {};
}

QSqlQuery &Database::prepared(const QString &sql)
{
    auto it = m_prepared.find(sql);
    if (it == m_prepared.end()) {
        QSqlQuery query(connection());
        if (!query.prepare(sql))
            qCCritical(lcStore) << "cannot prepare" << sql << describe(query.lastError());
        it = m_prepared.insert(sql, std::move(query));
    } else {
        it->finish();
    }
    return *it;
}

SqliteStatement &Database::statement(const char *sql)
{
    auto &slot = m_statements[sql];
    if (!slot)
        slot = std::make_unique<SqliteStatement>(static_cast<sqlite3 *>(sqliteHandle()), sql);
    else
        slot->reset();
    return *slot;
}

Result<void> Database::exec(QSqlQuery &query)
{
    if (query.exec())
        return {};
    const QString why = describe(query.lastError());
    qCWarning(lcStore) << "statement failed:" << why << "in"
                       << query.lastQuery().simplified().left(200);
    return fail(why);
}

Result<void> Database::forEachRow(const QString &sql, const QVariantList &params,
                                  const std::function<void(const QSqlQuery &)> &onRow)
{
    QSqlQuery &query = prepared(sql);
    for (const QVariant &param : params)
        query.addBindValue(param);
    if (auto ok = exec(query); !ok)
        return ok;
    while (query.next())
        onRow(query);
    query.finish();
    return {};
}

Result<void> Database::execDirect(const QString &sql)
{
    QSqlQuery query(connection());
    if (query.exec(sql))
        return {};
    return fail(
        QStringLiteral("%1 (in: %2)").arg(describe(query.lastError()), sql.simplified().left(120)));
}

Result<void> Database::begin()
{
    auto ok = execDirect(QStringLiteral("BEGIN IMMEDIATE"));
    // A BEGIN refused inside an open transaction leaves that transaction's state alone.
    if (ok) {
        m_inTransaction = true;
        m_rollupsDeferred = false;
    }
    return ok;
}

Result<void> Database::commit()
{
    if (m_rollupsDeferred) {
        // The caller rolls back when this fails, as for a failed COMMIT.
        if (auto counted = DeferredRollups::flush(*this); !counted)
            return fail(QStringLiteral("counting the new leads into the analytics rollups: %1")
                            .arg(counted.error().message));
        m_rollupsDeferred = false;
    }
    auto ok = execDirect(QStringLiteral("COMMIT"));
    if (ok)
        m_inTransaction = false;
    return ok;
}

void Database::rollback()
{
    m_inTransaction = false;
    m_rollupsDeferred = false;
    if (auto ok = execDirect(QStringLiteral("ROLLBACK")); !ok)
        qCWarning(lcStore) << "rollback failed:" << ok.error().message;
}

void *Database::sqliteHandle() const
{
    const QVariant handle = connection().driver()->handle();
    if (qstrcmp(handle.typeName(), "sqlite3*") != 0)
        return nullptr;
    return *static_cast<sqlite3 *const *>(handle.data());
}

Transaction::Transaction(Database &db)
    : m_db(db)
{
    if (auto ok = m_db.begin(); ok)
        m_open = true;
    else
        m_error = ok.error();
}

Transaction::~Transaction()
{
    if (m_open)
        m_db.rollback();
}

Result<void> Transaction::commit()
{
    if (!m_open)
        return std::unexpected(m_error);
    m_open = false;
    auto ok = m_db.commit();
    if (!ok)
        m_db.rollback();
    return ok;
}

} // namespace LeadDesk::Core
