#pragma once

#include "result.h"

#include <QtGlobal>

#include <string>

namespace LeadDesk::Core {

class Database;

// A unit of writes that is rolled back unless released: atomic on its own or inside a caller's
// open transaction, since SQLite nests savepoints where BEGIN cannot. The three statements are
// cached on the connection, so a savepoint per lead costs no parsing.
class Savepoint final
{
public:
    // `name`: an SQL identifier naming what the unit is (it shows in SQLite's errors).
    Savepoint(Database &db, const char *name);
    ~Savepoint();
    Q_DISABLE_COPY_MOVE(Savepoint)

    // Whether the savepoint opened; its error when not.
    [[nodiscard]] Result<void> status() const;
    [[nodiscard]] bool isOpen() const { return m_open; }
    // Keeps the writes (they commit with the enclosing transaction, if any).
    Result<void> release();

private:
    Database &m_db;
    std::string m_release;
    std::string m_rollback;
    bool m_open = false;
    Error m_error;
};

} // namespace LeadDesk::Core
