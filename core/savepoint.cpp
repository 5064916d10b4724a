#include "savepoint.h"

#include "database.h"
#include "sqlitestatement.h"

namespace LeadDesk::Core {

Savepoint::Savepoint(Database &db, const char *name)
    : m_db(db)
    , m_release(std::string("RELEASE ") + name)
    , m_rollback(std::string("ROLLBACK TO ") + name)
{
    auto opened = m_db.statement((std::string("SAVEPOINT ") + name).c_str()).execute();
    m_open = opened.has_value();
    if (!opened)
        m_error = opened.error();
}

Savepoint::~Savepoint()
{
    if (!m_open)
        return;
    // Best effort: a failure here leaves the enclosing transaction to roll everything back.
    (void)m_db.statement(m_rollback.c_str()).execute();
    (void)m_db.statement(m_release.c_str()).execute();
}

Result<void> Savepoint::status() const
{
    if (!m_open)
        return std::unexpected(m_error);
    return {};
}

Result<void> Savepoint::release()
{
    if (!m_open)
        return std::unexpected(m_error);
    auto released = m_db.statement(m_release.c_str()).execute();
    m_open = !released; // still open: the destructor rolls it back
    if (!released)
        m_error = released.error();
    return released;
}

} // namespace LeadDesk::Core
