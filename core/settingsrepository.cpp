#include "settingsrepository.h"

#include "ids.h"

#include <QSqlQuery>
#include <QVariant>

namespace LeadDesk::Core {

SettingsRepository::SettingsRepository(Database &db)
    : m_db(db)
{}

Result<std::optional<QByteArray>> SettingsRepository::value(const QString &businessId,
                                                            const QString &key)
{
    std::optional<QByteArray> found;
    auto ok = m_db.forEachRow(
        QStringLiteral("SELECT value FROM settings WHERE business_id = ? AND key = ?"),
        {businessId, key}, [&](const QSqlQuery &row) { found = row.value(0).toString().toUtf8(); });
    if (!ok)
        return std::unexpected(ok.error());
    return found;
}

Result<void> SettingsRepository::setValue(const QString &businessId, const QString &key,
                                          const QByteArray &value, qint64 nowMs)
{
    QSqlQuery &upsert = m_db.prepared(QStringLiteral(
        "INSERT INTO settings (business_id, key, value, updated_at, hlc) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT (business_id, key) DO UPDATE SET value = excluded.value, "
        "updated_at = excluded.updated_at, hlc = excluded.hlc"));
    upsert.addBindValue(businessId);
    upsert.addBindValue(key);
    upsert.addBindValue(QString::fromUtf8(value));
    upsert.addBindValue(nowMs);
    upsert.addBindValue(Ids::nextHlc(nowMs));
    return m_db.exec(upsert);
}

Result<void> SettingsRepository::remove(const QString &businessId, const QString &key)
{
    QSqlQuery &erase
        = m_db.prepared(QStringLiteral("DELETE FROM settings WHERE business_id = ? AND key = ?"));
    erase.addBindValue(businessId);
    erase.addBindValue(key);
    return m_db.exec(erase);
}

} // namespace LeadDesk::Core
