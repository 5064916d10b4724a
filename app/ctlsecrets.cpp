#include "ctlsecrets.h"

#include "receiverroutes.h"
#include "secretstore.h"

#include <QDir>
#include <QFileInfo>

namespace LeadDesk::App {

namespace {

// The secrets file: --secrets, else LEADDESK_SECRETS_FILE, else <data>/secrets.json when it
// exists (the file `source add --secret` writes). Empty: the environment only.
QString secretsPath(const QCommandLineParser &parser, const CtlContext &context, bool *explicitly)
{
    *explicitly = true;
    if (parser.isSet(QStringLiteral("secrets")))
        return parser.value(QStringLiteral("secrets"));
    const QString fromEnv = qEnvironmentVariable("LEADDESK_SECRETS_FILE");
    if (!fromEnv.isEmpty())
        return fromEnv;
    *explicitly = false;
    const QString fallback = QDir(context.dataDir).filePath(QStringLiteral("secrets.json"));
    return QFileInfo::exists(fallback) ? fallback : QString();
}

} // namespace

void addSecretsOption(QCommandLineParser &parser)
{
    parser.addOption({{QStringLiteral("secrets"), QStringLiteral("secrets-file")},
                      QStringLiteral("The JSON secrets file (mode 0600; default "
                                     "$LEADDESK_SECRETS_FILE, else <data-dir>/secrets.json when "
                                     "it exists). The environment is read after it."),
                      QStringLiteral("file")});
}

std::optional<Secrets> secretLookup(const QCommandLineParser &parser, const CtlContext &context,
                                    const QList<Core::Source> &sources)
{
    bool explicitly = false;
    const QString file = secretsPath(parser, context, &explicitly);
    if (!file.isEmpty()) {
        if (explicitly && !QFileInfo::exists(file)) {
            printError(QStringLiteral("secrets file %1 does not exist").arg(file));
            return std::nullopt;
        }
        if (auto mode = Sync::SecretStore::checkFileMode(file); !mode) {
            printError(mode.error().message);
            return std::nullopt;
        }
    }
    const Sync::SecretStore secrets
        = file.isEmpty() ? Sync::SecretStore::environment() : Sync::SecretStore::file(file);
    return Secrets{[secrets, sources](const QString &name) {
                       const QString value = secrets.routeSecret(name, sources);
                       return value.isEmpty() ? Sync::secretFromEnvironment(name) : value;
                   },
                   file.isEmpty() ? QStringLiteral("environment only") : file};
}

} // namespace LeadDesk::App
