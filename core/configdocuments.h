#pragma once

#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <functional>

namespace LeadDesk::Core {

// The per-business configuration documents an admin can change (scoring rules, SLA policies,
// business hours, routing rules, A/B tests): where each one's default ships and how a new
// version is checked before it is stored. One list, so the CLI and the settings dialogs agree.
class ConfigDocuments final
{
public:
    struct Document
    {
        QString key;             // SettingsRepository key
        QString description;     // for listings
        QString defaultResource; // ":/config/..."
        // Parses the document the way its consumer will; the time zone is the business's.
        std::function<Result<void>(const QByteArray &json, const QString &businessTimeZone)>
            validate;
    };

    [[nodiscard]] static const QList<Document> &all();
    [[nodiscard]] static const Document *find(const QString &key);
    // The shipped default's bytes.
    [[nodiscard]] static Result<QByteArray> defaultBytes(const Document &document);
};

} // namespace LeadDesk::Core
