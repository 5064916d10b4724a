#include "testsupport.h"

#include "businessrepository.h"

#include <QFile>
#include <QSqlQuery>
#include <QTest>

namespace LeadDesk::Test {

TempStore::TempStore()
{
    auto db = Core::Database::open(path());
    if (!db) {
        qWarning("TempStore: %s", qPrintable(db.error().message));
        return;
    }
    m_db = std::move(*db);
    auto business = Core::BusinessRepository(*m_db).ensurePrimary(QStringLiteral("Test Plumbing"));
    if (business)
        m_businessId = business->id;
}

QString fixturePath(const QString &name)
{
    return QStringLiteral(LEADDESK_FIXTURES_DIR "/") + name;
}

QByteArray readFixture(const QString &name)
{
    QFile file(fixturePath(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

int countRows(Core::Database &db, const QString &table, const QString &where)
{
    QSqlQuery query(db.connection());
    const QString sql = QStringLiteral("SELECT COUNT(*) FROM ") + table
                        + (where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where);
    if (!query.exec(sql) || !query.next())
        return -1;
    return query.value(0).toInt();
}

} // namespace LeadDesk::Test
