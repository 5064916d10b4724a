#include "scopedpragma.h"

#include "sqlitestatement.h"

#include <sqlite3.h>

namespace LeadDesk::Core {

ScopedPragma::ScopedPragma(sqlite3 *db, const QByteArray &name, const QByteArray &value)
    : m_db(db)
    , m_name(name)
    , m_saved(ScopedPragma::value(db, QByteArray("PRAGMA " + name).constData()))
{
    set(value);
}

ScopedPragma::~ScopedPragma()
{
    set(QByteArray::number(m_saved));
}

qint64 ScopedPragma::value(sqlite3 *db, const char *sql)
{
    SqliteStatement pragma(db, sql);
    auto row = pragma.step();
    return row && *row ? pragma.columnInt(0) : 0;
}

void ScopedPragma::set(const QByteArray &value) const
{
    const QByteArray sql = "PRAGMA " + m_name + " = " + value;
    (void)sqlite3_exec(m_db, sql.constData(), nullptr, nullptr, nullptr);
}

} // namespace LeadDesk::Core
