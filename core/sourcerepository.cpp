#include "sourcerepository.h"

#include "ids.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QVariant>

namespace LeadDesk::Core {

namespace {

const QString kColumns
    = QStringLiteral("id, business_id, kind, name, settings, enabled, created_at, updated_at");

Source fromRow(const QSqlQuery &row)
{
    Source source;
    source.id = row.value(0).toString();
    source.businessId = row.value(1).toString();
    source.kind = row.value(2).toString();
    source.name = row.value(3).toString();
    source.settings = QJsonDocument::fromJson(row.value(4).toString().toUtf8()).object();
    source.enabled = row.value(5).toInt() != 0;
    source.createdAt = row.value(6).toLongLong();
    source.updatedAt = row.value(7).toLongLong();
    return source;
}

} // namespace

QStringList SourceRepository::kinds()
{
    // The CHECK constraint of sources.kind in 0001_initial.sql.
    return {QStringLiteral("whatsapp"),  QStringLiteral("messenger"), QStringLiteral("leadads"),
            QStringLiteral("thumbtack"), QStringLiteral("sms"),       QStringLiteral("webform"),
            QStringLiteral("chatbot"),   QStringLiteral("csv"),       QStringLiteral("manual")};
}

SourceRepository::SourceRepository(Database &db)
    : m_db(db)
{}

Result<std::optional<Source>> SourceRepository::find(const QString &businessId, const QString &kind,
                                                     const QString &name)
{
    std::optional<Source> found;
    auto ok = m_db.forEachRow(QStringLiteral("SELECT ") + kColumns
                                  + QStringLiteral(" FROM sources WHERE business_id = ? AND "
                                                   "kind = ? AND name = ? AND deleted = 0"),
                              {businessId, kind, name},
                              [&](const QSqlQuery &row) { found = fromRow(row); });
    if (!ok)
        return std::unexpected(ok.error());
    return found;
}

Result<Source> SourceRepository::add(const QString &businessId, const QString &kind,
                                     const QString &name, const QJsonObject &settings, qint64 nowMs)
{
    if (!kinds().contains(kind))
        return fail(QStringLiteral("unknown source kind '%1' (use %2)")
                        .arg(kind, kinds().join(QStringLiteral(", "))),
                    QStringLiteral("kind"));
    if (name.trimmed().isEmpty())
        return fail(QStringLiteral("a source needs a name"), QStringLiteral("name"));
    auto existing = find(businessId, kind, name);
    if (!existing)
        return std::unexpected(existing.error());
    if (*existing)
        return fail(QStringLiteral("a %1 source named '%2' already exists").arg(kind, name),
                    QStringLiteral("name"));

    Source source;
    source.id = Ids::uuidV7(nowMs);
    source.businessId = businessId;
    source.kind = kind;
    source.name = name;
    source.settings = settings;
    source.createdAt = nowMs;
    source.updatedAt = nowMs;
    // A tombstoned row holds the (business, kind, name) key: revive it with a fresh id so sync
    // sees a new source rather than an undeleted old one.
    QSqlQuery &upsert = m_db.prepared(QStringLiteral(
        "INSERT INTO sources (id, business_id, kind, name, settings, enabled, created_at, "
        "updated_at, hlc, deleted) VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, 0) "
        "ON CONFLICT (business_id, kind, name) DO UPDATE SET id = excluded.id, "
        "settings = excluded.settings, enabled = 1, created_at = excluded.created_at, "
        "updated_at = excluded.updated_at, hlc = excluded.hlc, deleted = 0 "
        "WHERE sources.deleted = 1"));
    upsert.addBindValue(source.id);
    upsert.addBindValue(businessId);
    upsert.addBindValue(kind);
    upsert.addBindValue(name);
    upsert.addBindValue(QString::fromUtf8(QJsonDocument(settings).toJson(QJsonDocument::Compact)));
    upsert.addBindValue(nowMs);
    upsert.addBindValue(nowMs);
    upsert.addBindValue(Ids::nextHlc(nowMs));
    if (auto ok = m_db.exec(upsert); !ok)
        return std::unexpected(ok.error());
    if (upsert.numRowsAffected() == 0)
        return fail(QStringLiteral("a %1 source named '%2' already exists").arg(kind, name),
                    QStringLiteral("name"));
    return source;
}

Result<QList<Source>> SourceRepository::list(const QString &businessId, const QString &kind)
{
    QList<Source> sources;
    QString sql = QStringLiteral("SELECT ") + kColumns
                  + QStringLiteral(" FROM sources WHERE business_id = ? AND deleted = 0");
    QVariantList params{businessId};
    if (!kind.isEmpty()) {
        sql += QStringLiteral(" AND kind = ?");
        params << kind;
    }
    sql += QStringLiteral(" ORDER BY kind, name");
    auto ok
        = m_db.forEachRow(sql, params, [&](const QSqlQuery &row) { sources.append(fromRow(row)); });
    if (!ok)
        return std::unexpected(ok.error());
    return sources;
}

Result<void> SourceRepository::remove(const QString &businessId, const QString &kind,
                                      const QString &name, qint64 nowMs)
{
    QSqlQuery &tombstone = m_db.prepared(
        QStringLiteral("UPDATE sources SET deleted = 1, enabled = 0, updated_at = ?, hlc = ? "
                       "WHERE business_id = ? AND kind = ? AND name = ? AND deleted = 0"));
    tombstone.addBindValue(nowMs);
    tombstone.addBindValue(Ids::nextHlc(nowMs));
    tombstone.addBindValue(businessId);
    tombstone.addBindValue(kind);
    tombstone.addBindValue(name);
    if (auto ok = m_db.exec(tombstone); !ok)
        return ok;
    if (tombstone.numRowsAffected() == 0)
        return fail(QStringLiteral("no %1 source named '%2'").arg(kind, name),
                    QStringLiteral("name"));
    return {};
}

} // namespace LeadDesk::Core
