#include "sqlitestatement.h"

#include "database.h"

#include <QStringEncoder>

#include <sqlite3.h>

#include <string>

namespace LeadDesk::Core {

Error sqliteError(sqlite3 *db, const QString &what)
{
    return {QStringLiteral("%1: %2").arg(what, QString::fromUtf8(sqlite3_errmsg(db))), {}};
}

SqliteStatement::SqliteStatement(sqlite3 *db, const char *sql)
    : m_db(db)
{
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_stmt, nullptr) != SQLITE_OK) {
        qCCritical(lcStore) << "cannot prepare" << sql << sqlite3_errmsg(db);
        m_stmt = nullptr;
    }
}

SqliteStatement::~SqliteStatement()
{
    sqlite3_finalize(m_stmt);
}

void SqliteStatement::bind(int index, const QString &value)
{
    // To UTF-8 here, into a buffer each thread reuses: handed UTF-16, SQLite converts it to the
    // store's UTF-8 a character at a time, and that was a tenth of the receiver's writer thread.
    // TRANSIENT copies before returning, so the buffer is free again at once.
    thread_local std::string utf8;
    thread_local QStringEncoder encoder(QStringEncoder::Utf8, QStringConverter::Flag::Stateless);
    utf8.resize(std::size_t(encoder.requiredSpace(value.size())));
    char *end = encoder.appendToBuffer(utf8.data(), value);
    sqlite3_bind_text64(m_stmt, index, utf8.data(), sqlite3_uint64(end - utf8.data()),
                        SQLITE_TRANSIENT, SQLITE_UTF8);
}

void SqliteStatement::bind(int index, const QByteArray &utf8)
{
    sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT);
}

void SqliteStatement::bindStatic(int index, std::string_view utf8)
{
    sqlite3_bind_text(m_stmt, index, utf8.data(), int(utf8.size()), SQLITE_STATIC);
}

void SqliteStatement::bind(int index, qint64 value)
{
    sqlite3_bind_int64(m_stmt, index, value);
}

void SqliteStatement::bindNull(int index)
{
    sqlite3_bind_null(m_stmt, index);
}

void SqliteStatement::bindNullable(int index, const QString &value)
{
    if (value.isEmpty())
        bindNull(index);
    else
        bind(index, value);
}

Result<bool> SqliteStatement::step()
{
    if (!m_stmt)
        return fail(QStringLiteral("statement could not be prepared"));
    switch (sqlite3_step(m_stmt)) {
    case SQLITE_ROW:
        return true;
    case SQLITE_DONE:
        return false;
    default: {
        const QString why = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_reset(m_stmt);
        return fail(why);
    }
    }
}

Result<void> SqliteStatement::execute()
{
    auto done = step();
    reset();
    if (!done)
        return std::unexpected(done.error());
    return {};
}

void SqliteStatement::reset()
{
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

QString SqliteStatement::columnText(int column) const
{
    const auto *text = static_cast<const char16_t *>(sqlite3_column_text16(m_stmt, column));
    if (!text)
        return {};
    return QString::fromUtf16(text, sqlite3_column_bytes16(m_stmt, column) / 2);
}

std::string_view SqliteStatement::columnView(int column) const
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return {text ? text : "", std::size_t(sqlite3_column_bytes(m_stmt, column))};
}

qint64 SqliteStatement::columnInt(int column) const
{
    return sqlite3_column_int64(m_stmt, column);
}

bool SqliteStatement::columnIsNull(int column) const
{
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

} // namespace LeadDesk::Core
