#include "secretstore.h"

#include "sourcerepository.h"

#include <qt6keychain/keychain.h>

#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <sys/stat.h>

namespace LeadDesk::Sync {

namespace {

using Core::fail;

const QString kService = QStringLiteral("LeadDesk");

Core::Result<QJsonObject> readSecretsFile(const QString &path)
{
    if (!QFileInfo::exists(path))
        return QJsonObject{};
    if (auto mode = SecretStore::checkFileMode(path); !mode)
        return std::unexpected(mode.error());
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read secrets file %1: %2").arg(path, file.errorString()),
                    QStringLiteral("secrets-file"));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(file.readAll(), &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return fail(QStringLiteral("secrets file %1 is not a JSON object").arg(path),
                    QStringLiteral("secrets-file"));
    return doc.object();
}

Core::Result<void> writeSecretsFile(const QString &path, const QJsonObject &secrets)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QSaveFile file(path);
    // Restrict before any byte is written (QSaveFile writes a temporary file, renamed on commit).
    if (!file.open(QIODevice::WriteOnly)
        || !file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner))
        return fail(
            QStringLiteral("cannot write secrets file %1: %2").arg(path, file.errorString()),
            QStringLiteral("secrets-file"));
    file.write(QJsonDocument(secrets).toJson(QJsonDocument::Indented));
    if (!file.commit())
        return fail(
            QStringLiteral("cannot write secrets file %1: %2").arg(path, file.errorString()),
            QStringLiteral("secrets-file"));
    return {};
}

// Runs a keychain job to its end on a local event loop (jobs are asynchronous).
void runJob(QKeychain::Job &job)
{
    QEventLoop loop;
    QObject::connect(&job, &QKeychain::Job::finished, &loop, &QEventLoop::quit);
    job.start();
    loop.exec();
}

} // namespace

using Core::fail;

SecretStore::SecretStore(Backend backend, QString pathOrBusiness)
    : m_backend(backend)
{
    if (backend == Backend::File)
        m_path = std::move(pathOrBusiness);
    else if (backend == Backend::Keychain)
        m_business = std::move(pathOrBusiness);
}

SecretStore SecretStore::environment()
{
    return SecretStore(Backend::Environment, {});
}

SecretStore SecretStore::file(const QString &path)
{
    return SecretStore(Backend::File, path);
}

SecretStore SecretStore::keychain(const QString &businessId)
{
    return SecretStore(Backend::Keychain, businessId);
}

QString SecretStore::environmentName(const QString &kind, const QString &name, const QString &field)
{
    QString text = QStringLiteral("LEADDESK_SECRET_") + kind + QLatin1Char('_') + name
                   + QLatin1Char('_') + field;
    text = text.toUpper();
    for (QChar &c : text)
        if (!(c.isDigit() || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))))
            c = QLatin1Char('_');
    return text;
}

QString SecretStore::fileKey(const QString &kind, const QString &name, const QString &field)
{
    return kind + QLatin1Char('/') + name + QLatin1Char('/') + field;
}

Core::Result<void> SecretStore::checkFileMode(const QString &path)
{
    struct stat info
    {
    };
    if (::stat(QFile::encodeName(path).constData(), &info) != 0)
        return fail(QStringLiteral("cannot stat secrets file %1").arg(path),
                    QStringLiteral("secrets-file"));
    const unsigned mode = info.st_mode & 07777;
    if ((mode & 077) != 0)
        return fail(QStringLiteral("secrets file %1 has mode %2; it must be 0600 or stricter "
                                   "(chmod 600 %1)")
                        .arg(path)
                        .arg(QStringLiteral("%1").arg(mode, 4, 8, QLatin1Char('0'))),
                    QStringLiteral("secrets-file"));
    return {};
}

Core::Result<QString> SecretStore::value(const QString &kind, const QString &name,
                                         const QString &field) const
{
    const QString envName = environmentName(kind, name, field);
    if (m_backend != Backend::Keychain) {
        const QByteArray env = qgetenv(envName.toLatin1().constData());
        if (!env.isEmpty())
            return QString::fromUtf8(env);
    }
    if (m_backend == Backend::File) {
        auto secrets = readSecretsFile(m_path);
        if (!secrets)
            return std::unexpected(secrets.error());
        const auto it = secrets->constFind(fileKey(kind, name, field));
        if (it != secrets->constEnd() && it->isString())
            return it->toString();
        return fail(QStringLiteral("no secret '%1' for %2 source '%3' (set %4 or add \"%5\" to %6)")
                        .arg(field, kind, name, envName, fileKey(kind, name, field), m_path),
                    field);
    }
    if (m_backend == Backend::Keychain) {
        QKeychain::ReadPasswordJob job(kService);
        job.setAutoDelete(false);
        job.setKey(m_business + QLatin1Char('/') + fileKey(kind, name, field));
        runJob(job);
        if (job.error() == QKeychain::NoError)
            return job.textData();
        return fail(QStringLiteral("no secret '%1' for %2 source '%3' in the keychain: %4")
                        .arg(field, kind, name, job.errorString()),
                    field);
    }
    return fail(QStringLiteral("no secret '%1' for %2 source '%3' (set %4)")
                    .arg(field, kind, name, envName),
                field);
}

bool SecretStore::contains(const QString &kind, const QString &name, const QString &field) const
{
    return value(kind, name, field).has_value();
}

Core::Result<void> SecretStore::setValue(const QString &kind, const QString &name,
                                         const QString &field, const QString &value)
{
    switch (m_backend) {
    case Backend::Environment:
        return fail(QStringLiteral("the environment cannot store secrets; set %1")
                        .arg(environmentName(kind, name, field)),
                    field);
    case Backend::File: {
        auto secrets = readSecretsFile(m_path);
        if (!secrets)
            return std::unexpected(secrets.error());
        secrets->insert(fileKey(kind, name, field), value);
        return writeSecretsFile(m_path, *secrets);
    }
    case Backend::Keychain: {
        QKeychain::WritePasswordJob job(kService);
        job.setAutoDelete(false);
        job.setKey(m_business + QLatin1Char('/') + fileKey(kind, name, field));
        job.setTextData(value);
        runJob(job);
        if (job.error() != QKeychain::NoError)
            return fail(QStringLiteral("cannot store secret '%1' in the keychain: %2")
                            .arg(field, job.errorString()),
                        field);
        return {};
    }
    }
    return {};
}

Core::Result<void> SecretStore::removeAll(const QString &kind, const QString &name,
                                          const QStringList &fields)
{
    switch (m_backend) {
    case Backend::Environment:
        return {};
    case Backend::File: {
        if (!QFileInfo::exists(m_path))
            return {};
        auto secrets = readSecretsFile(m_path);
        if (!secrets)
            return std::unexpected(secrets.error());
        const QString prefix = kind + QLatin1Char('/') + name + QLatin1Char('/');
        bool changed = false;
        for (const QString &key : secrets->keys())
            if (key.startsWith(prefix)) {
                secrets->remove(key);
                changed = true;
            }
        return changed ? writeSecretsFile(m_path, *secrets) : Core::Result<void>{};
    }
    case Backend::Keychain:
        for (const QString &field : fields) {
            QKeychain::DeletePasswordJob job(kService);
            job.setAutoDelete(false);
            job.setKey(m_business + QLatin1Char('/') + fileKey(kind, name, field));
            runJob(job);
            if (job.error() != QKeychain::NoError && job.error() != QKeychain::EntryNotFound)
                return fail(QStringLiteral("cannot remove secret '%1' from the keychain: %2")
                                .arg(field, job.errorString()),
                            field);
        }
        return {};
    }
    return {};
}

QString SecretStore::routeSecret(const QString &dottedName,
                                 const QList<Core::Source> &sources) const
{
    const qsizetype dot = dottedName.indexOf(QLatin1Char('.'));
    if (dot <= 0)
        return {};
    const QString area = dottedName.left(dot);
    const QString field = dottedName.mid(dot + 1);
    QStringList kinds;
    if (area == QLatin1String("meta"))
        kinds
            = {QStringLiteral("whatsapp"), QStringLiteral("messenger"), QStringLiteral("leadads")};
    else if (area == QLatin1String("twilio"))
        kinds = {QStringLiteral("sms")};
    else
        kinds = {area};
    for (const Core::Source &source : sources) {
        if (!kinds.contains(source.kind) || !source.enabled)
            continue;
        if (auto found = value(source.kind, source.name, field); found && !found->isEmpty())
            return *found;
    }
    return {};
}

} // namespace LeadDesk::Sync
