#pragma once

#include "clock.h"
#include "database.h"
#include "result.h"

namespace LeadDesk::Core {

struct Business
{
    QString id;
    QString name;
    QString timeZone = QStringLiteral("UTC");
    QString defaultRegion = QStringLiteral("US");
};

// The businesses (tenants) of a store. A single-business install works on the oldest one.
class BusinessRepository final
{
public:
    explicit BusinessRepository(Database &db, const Clock &clock = Clock::system());

    Result<Business> create(const QString &name, const QString &timeZone = QStringLiteral("UTC"),
                            const QString &defaultRegion = QStringLiteral("US"));
    // The oldest business, or an error when the store has none.
    Result<Business> primary();
    // The oldest business, created with `name` when the store has none.
    Result<Business> ensurePrimary(const QString &name = QStringLiteral("My Business"));
    Result<Business> byId(const QString &id);

private:
    Database &m_db;
    const Clock &m_clock;
};

} // namespace LeadDesk::Core
