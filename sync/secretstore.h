#pragma once

#include "result.h"

#include <QList>
#include <QString>

namespace LeadDesk::Core {
struct Source;
}

namespace LeadDesk::Sync {

// Where a source's secrets (API tokens, app secrets, passwords) live: never in SQLite, config
// or logs. Headless: the environment, then a JSON secrets file that only its owner can read.
// Desktop: QtKeychain. Secrets are addressed by (kind, name, field), e.g. ("sms", "main",
// "auth_token").
class SecretStore final
{
public:
    enum class Backend { Environment, File, Keychain };

    // Environment only.
    static SecretStore environment();
    // The environment first, then `path` (a JSON object {"<kind>/<name>/<field>": "value"}).
    static SecretStore file(const QString &path);
    // The desktop keychain (service "LeadDesk", key "<business>/<kind>/<name>/<field>"). Its
    // calls block on a local event loop: call them off the GUI thread.
    static SecretStore keychain(const QString &businessId);

    // LEADDESK_SECRET_<KIND>_<NAME>_<FIELD>, upper-cased, every non-alphanumeric as '_'.
    [[nodiscard]] static QString environmentName(const QString &kind, const QString &name,
                                                 const QString &field);
    // "<kind>/<name>/<field>", the key inside a secrets file.
    [[nodiscard]] static QString fileKey(const QString &kind, const QString &name,
                                         const QString &field);

    // The secret, or an error naming where it was looked for (never the value).
    [[nodiscard]] Core::Result<QString> value(const QString &kind, const QString &name,
                                              const QString &field) const;
    [[nodiscard]] bool contains(const QString &kind, const QString &name,
                                const QString &field) const;
    // Stores a secret (file: rewritten 0600, created if missing; keychain). The environment
    // backend cannot store.
    Core::Result<void> setValue(const QString &kind, const QString &name, const QString &field,
                                const QString &value);
    // Removes every secret of one source (file and keychain backends; `fields` for the keychain,
    // which cannot list).
    Core::Result<void> removeAll(const QString &kind, const QString &name,
                                 const QStringList &fields);

    // A secrets file's mode must be 0600 or stricter; the error says which mode it has.
    [[nodiscard]] static Core::Result<void> checkFileMode(const QString &path);

    // A receiver route's secret by its RouteEnvironment name ("meta.app_secret",
    // "twilio.auth_token", "thumbtack.password"): the field after the dot, from the first of
    // `sources` of a matching kind (meta: whatsapp, messenger, leadads; twilio: sms; thumbtack)
    // that has it; empty when none does.
    [[nodiscard]] QString routeSecret(const QString &dottedName,
                                      const QList<Core::Source> &sources) const;

    [[nodiscard]] Backend backend() const { return m_backend; }
    [[nodiscard]] const QString &filePath() const { return m_path; }

private:
    SecretStore(Backend backend, QString pathOrBusiness);

    Backend m_backend;
    QString m_path;     // File
    QString m_business; // Keychain
};

} // namespace LeadDesk::Sync
