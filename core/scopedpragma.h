#pragma once

#include <QByteArray>
#include <QtGlobal>

struct sqlite3;

namespace LeadDesk::Core {

// Sets a pragma of a connection for its lifetime and puts the value it had back.
class ScopedPragma final
{
public:
    ScopedPragma(sqlite3 *db, const QByteArray &name, const QByteArray &value);
    ~ScopedPragma();
    Q_DISABLE_COPY_MOVE(ScopedPragma)

    // The integer a pragma statement (`sql`, "PRAGMA name") answers; 0 when it answers nothing.
    static qint64 value(sqlite3 *db, const char *sql);

private:
    void set(const QByteArray &value) const;

    sqlite3 *m_db;
    QByteArray m_name;
    qint64 m_saved;
};

} // namespace LeadDesk::Core
