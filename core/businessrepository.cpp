#include "businessrepository.h"

#include "ids.h"

#include <QSqlQuery>
#include <QVariant>

namespace LeadDesk::Core {

namespace {
const QString kSelect = QStringLiteral(
    "SELECT id, name, time_zone, default_region FROM businesses WHERE deleted = 0 ");

Business fromRow(const QSqlQuery &query)
{
    return {query.value(0).toString(), query.value(1).toString(), query.value(2).toString(),
            query.value(3).toString()};
}
} // namespace

BusinessRepository::BusinessRepository(Database &db, const Clock &clock)
    : m_db(db)
    , m_clock(clock)
{}

Result<Business> BusinessRepository::create(const QString &name, const QString &timeZone,
                                            const QString &defaultRegion)
{
    if (name.trimmed().isEmpty())
        return fail(QStringLiteral("a business needs a name"), QStringLiteral("name"));
    const qint64 now = m_clock.nowMs();
    Business business{Ids::uuidV7(now), name.trimmed(), timeZone, defaultRegion};
    QSqlQuery &insert = m_db.prepared(QStringLiteral(
        "INSERT INTO businesses (id, name, time_zone, default_region, created_at, updated_at, hlc) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)"));
    insert.addBindValue(business.id);
    insert.addBindValue(business.name);
    insert.addBindValue(business.timeZone);
    insert.addBindValue(business.defaultRegion);
    insert.addBindValue(now);
    insert.addBindValue(now);
    insert.addBindValue(Ids::nextHlc(now));
    if (auto ok = m_db.exec(insert); !ok)
        return std::unexpected(ok.error());
    return business;
}

Result<Business> BusinessRepository::primary()
{
    QSqlQuery &query = m_db.prepared(kSelect + QStringLiteral("ORDER BY created_at, id LIMIT 1"));
    if (auto ok = m_db.exec(query); !ok)
        return std::unexpected(ok.error());
    if (!query.next())
        return fail(QStringLiteral("the store has no business yet"));
    Business business = fromRow(query);
    query.finish();
    return business;
}

Result<Business> BusinessRepository::ensurePrimary(const QString &name)
{
    if (auto existing = primary(); existing)
        return existing;
    return create(name);
}

Result<Business> BusinessRepository::byId(const QString &id)
{
    QSqlQuery &query = m_db.prepared(kSelect + QStringLiteral("AND id = ?"));
    query.addBindValue(id);
    if (auto ok = m_db.exec(query); !ok)
        return std::unexpected(ok.error());
    if (!query.next())
        return fail(QStringLiteral("no business with id %1").arg(id));
    Business business = fromRow(query);
    query.finish();
    return business;
}

} // namespace LeadDesk::Core
