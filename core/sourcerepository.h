#pragma once

#include "database.h"
#include "result.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace LeadDesk::Core {

// A lead source of one business (a WhatsApp number, a Twilio line, a Thumbtack account, a
// watched CSV folder, ...). Settings are non-secret JSON; secrets live in the SecretStore.
struct Source
{
    QString id;
    QString businessId;
    QString kind;
    QString name;
    QJsonObject settings;
    bool enabled = true;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
};

// The `sources` table: add, list, remove (a tombstone, so the removal syncs).
class SourceRepository final
{
public:
    // The kinds the schema accepts.
    [[nodiscard]] static QStringList kinds();

    explicit SourceRepository(Database &db);

    // Adds a source; a live source of the same kind and name is an error (field "name"). A
    // removed one of that name is brought back with the new settings.
    Result<Source> add(const QString &businessId, const QString &kind, const QString &name,
                       const QJsonObject &settings, qint64 nowMs);
    // Live (not removed) sources, by kind then name; `kind` empty for every kind.
    Result<QList<Source>> list(const QString &businessId, const QString &kind = {});
    Result<std::optional<Source>> find(const QString &businessId, const QString &kind,
                                       const QString &name);
    // Marks the source deleted; an unknown source is an error (field "name").
    Result<void> remove(const QString &businessId, const QString &kind, const QString &name,
                        qint64 nowMs);

private:
    Database &m_db;
};

} // namespace LeadDesk::Core
