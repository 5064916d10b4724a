// leaddeskctl source add|list|remove: the lead sources of the business and their webhook URLs.
#include "ctlcommon.h"

#include "secretstore.h"
#include "sourcerepository.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <iostream>
#include <string>

namespace LeadDesk::App {

namespace {

// The secret fields each kind's route reads (RouteEnvironment: "meta.app_secret",
// "twilio.auth_token", "thumbtack.username"...), checked by `list` besides any given with --secret.
QStringList knownSecretFields(const QString &kind)
{
    if (kind == QLatin1String("whatsapp") || kind == QLatin1String("messenger"))
        return {QStringLiteral("app_secret"), QStringLiteral("verify_token")};
    if (kind == QLatin1String("leadads"))
        return {QStringLiteral("app_secret"), QStringLiteral("verify_token"),
                QStringLiteral("access_token")};
    if (kind == QLatin1String("thumbtack"))
        return {QStringLiteral("username"), QStringLiteral("password")};
    if (kind == QLatin1String("sms"))
        return {QStringLiteral("auth_token")};
    return {};
}

// The URLs to paste into the provider's console, by label.
QList<std::pair<QString, QString>> webhookUrls(const Core::Source &source, const QString &base)
{
    const QString &kind = source.kind;
    if (kind == QLatin1String("whatsapp"))
        return {{QStringLiteral("webhook"), base + QStringLiteral("/webhooks/whatsapp")}};
    if (kind == QLatin1String("messenger") || kind == QLatin1String("leadads"))
        return {{QStringLiteral("webhook"), base + QStringLiteral("/webhooks/messenger")}};
    if (kind == QLatin1String("thumbtack"))
        return {{QStringLiteral("webhook (v4)"), base + QStringLiteral("/webhooks/thumbtack")},
                {QStringLiteral("legacy lead"), base + QStringLiteral("/v1/lead")},
                {QStringLiteral("legacy message"), base + QStringLiteral("/v1/message")}};
    if (kind == QLatin1String("sms"))
        return {
            {QStringLiteral("sms"), base + QStringLiteral("/webhooks/twilio/sms")},
            {QStringLiteral("status callback"), base + QStringLiteral("/webhooks/twilio/status")}};
    if (kind == QLatin1String("webform"))
        return {{QStringLiteral("form"), base + QStringLiteral("/v1/api/leads")}};
    if (kind == QLatin1String("chatbot"))
        return {{QStringLiteral("api"), base + QStringLiteral("/api/")}};
    if (kind == QLatin1String("csv")) {
        const QString folder = source.settings.value(QStringLiteral("folder")).toString();
        if (!folder.isEmpty())
            return {{QStringLiteral("drop folder"), folder}};
    }
    return {};
}

QString secretsPath(const QCommandLineParser &parser, const CtlContext &context)
{
    if (parser.isSet(QStringLiteral("secrets-file")))
        return parser.value(QStringLiteral("secrets-file"));
    const QString fromEnv = qEnvironmentVariable("LEADDESK_SECRETS_FILE");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QDir(context.dataDir).filePath(QStringLiteral("secrets.json"));
}

QStringList secretFieldsOf(const Core::Source &source)
{
    QStringList fields = knownSecretFields(source.kind);
    for (const auto value : source.settings.value(QStringLiteral("secret_fields")).toArray())
        if (!fields.contains(value.toString()))
            fields << value.toString();
    return fields;
}

bool validName(const QString &text)
{
    if (text.isEmpty())
        return false;
    for (const QChar c : text)
        if (!(c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-')
              || c == QLatin1Char('.')))
            return false;
    return true;
}

int add(const QCommandLineParser &parser, const CtlContext &context, const QStringList &args)
{
    if (args.size() != 3) {
        printError(QStringLiteral("usage: source add KIND NAME [--setting key=value]... "
                                  "[--secret FIELD]..."));
        return ExitUsage;
    }
    const QString kind = args.at(1).toLower();
    const QString name = args.at(2);
    if (!Core::SourceRepository::kinds().contains(kind)) {
        printError(QStringLiteral("unknown source kind '%1' (use %2)")
                       .arg(kind, Core::SourceRepository::kinds().join(QStringLiteral(", "))));
        return ExitUsage;
    }
    if (!validName(name)) {
        printError(
            QStringLiteral("source name '%1' must be letters, digits, '_', '-' or '.'").arg(name));
        return ExitUsage;
    }
    QJsonObject settings;
    for (const QString &setting : parser.values(QStringLiteral("setting"))) {
        const qsizetype eq = setting.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            printError(QStringLiteral("--setting needs key=value, got '%1'").arg(setting));
            return ExitUsage;
        }
        settings.insert(setting.left(eq), setting.mid(eq + 1));
    }
    const QStringList secretFields = parser.values(QStringLiteral("secret"));
    for (const QString &field : secretFields)
        if (!validName(field)) {
            printError(QStringLiteral("secret field '%1' must be letters, digits, '_', '-' or '.'")
                           .arg(field));
            return ExitUsage;
        }
    if (!secretFields.isEmpty())
        settings.insert(QStringLiteral("secret_fields"), QJsonArray::fromStringList(secretFields));

    // Secret values come from stdin, one line each, so they never appear in argv or history.
    QStringList secretValues;
    for (const QString &field : secretFields) {
        std::string line;
        if (!std::getline(std::cin, line) || line.empty()) {
            printError(QStringLiteral("no value on standard input for secret '%1' "
                                      "(one line per --secret)")
                           .arg(field));
            return ExitUsage;
        }
        if (line.back() == '\r')
            line.pop_back();
        secretValues << QString::fromStdString(line);
    }
    auto secrets = Sync::SecretStore::file(secretsPath(parser, context));
    if (!secretFields.isEmpty() && QFileInfo::exists(secrets.filePath()))
        if (auto mode = Sync::SecretStore::checkFileMode(secrets.filePath()); !mode) {
            printError(mode.error().message);
            return ExitFailure;
        }

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    Core::SourceRepository repo(*db);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto added = repo.add(business.id, kind, name, settings, now);
    if (!added) {
        printError(added.error().message);
        return ExitFailure;
    }
    for (qsizetype i = 0; i < secretFields.size(); ++i)
        if (auto stored = secrets.setValue(kind, name, secretFields.at(i), secretValues.at(i));
            !stored) {
            // Leave no half-configured source behind.
            (void)repo.remove(business.id, kind, name, now + 1);
            printError(stored.error().message);
            return ExitFailure;
        }
    out() << "added " << kind << " source '" << name << "'";
    if (!secretFields.isEmpty())
        out() << " (" << secretFields.size() << " secret(s) in " << secrets.filePath() << ")";
    out() << "\n";
    out().flush();
    return ExitOk;
}

int list(const QCommandLineParser &parser, const CtlContext &context, const QStringList &args)
{
    if (args.size() != 1) {
        printError(QStringLiteral("source list takes no arguments"));
        return ExitUsage;
    }
    QString base = parser.value(QStringLiteral("public-url"));
    if (base.isEmpty())
        base = qEnvironmentVariable("LEADDESK_PUBLIC_URL");
    if (base.isEmpty())
        base = QStringLiteral("https://YOUR-PUBLIC-HOST");
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    Core::SourceRepository repo(*db);
    const auto sources = repo.list(business.id);
    if (!sources) {
        printError(sources.error().message);
        return ExitFailure;
    }
    const auto secrets = Sync::SecretStore::file(secretsPath(parser, context));
    if (QFileInfo::exists(secrets.filePath()))
        if (auto mode = Sync::SecretStore::checkFileMode(secrets.filePath()); !mode)
            printError(QStringLiteral("warning: ") + mode.error().message
                       + QStringLiteral("; only the environment is checked"));

    const bool json = parser.isSet(QStringLiteral("json"));
    QJsonArray array;
    for (const Core::Source &source : *sources) {
        QStringList present, missing;
        for (const QString &field : secretFieldsOf(source))
            (secrets.contains(source.kind, source.name, field) ? present : missing) << field;
        const auto urls = webhookUrls(source, base);
        if (json) {
            QJsonObject urlObject;
            for (const auto &[label, url] : urls)
                urlObject.insert(label, url);
            array.append(QJsonObject{
                {QStringLiteral("kind"), source.kind},
                {QStringLiteral("name"), source.name},
                {QStringLiteral("enabled"), source.enabled},
                {QStringLiteral("settings"), source.settings},
                {QStringLiteral("secrets_present"), QJsonArray::fromStringList(present)},
                {QStringLiteral("secrets_missing"), QJsonArray::fromStringList(missing)},
                {QStringLiteral("urls"), urlObject}});
            continue;
        }
        out() << source.kind << " " << source.name
              << (source.enabled ? QStringLiteral(" (enabled)") : QStringLiteral(" (disabled)"))
              << "\n";
        out() << "  settings: "
              << QString::fromUtf8(QJsonDocument(source.settings).toJson(QJsonDocument::Compact))
              << "\n";
        if (!present.isEmpty() || !missing.isEmpty())
            out() << "  secrets: present [" << present.join(QStringLiteral(", ")) << "], missing ["
                  << missing.join(QStringLiteral(", ")) << "]\n";
        for (const auto &[label, url] : urls)
            out() << "  " << label << ": " << url << "\n";
    }
    if (json)
        out() << QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Indented));
    else if (sources->isEmpty())
        out() << "no sources (add one with: leaddeskctl source add KIND NAME)\n";
    out().flush();
    return ExitOk;
}

int remove(const QCommandLineParser &parser, const CtlContext &context, const QStringList &args)
{
    if (args.size() != 3) {
        printError(QStringLiteral("usage: source remove KIND NAME"));
        return ExitUsage;
    }
    const QString kind = args.at(1).toLower();
    const QString name = args.at(2);
    if (!Core::SourceRepository::kinds().contains(kind)) {
        printError(QStringLiteral("unknown source kind '%1' (use %2)")
                       .arg(kind, Core::SourceRepository::kinds().join(QStringLiteral(", "))));
        return ExitUsage;
    }
    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    Core::SourceRepository repo(*db);
    if (auto removed = repo.remove(business.id, kind, name, QDateTime::currentMSecsSinceEpoch());
        !removed) {
        printError(removed.error().message);
        return ExitFailure;
    }
    auto secrets = Sync::SecretStore::file(secretsPath(parser, context));
    if (auto dropped = secrets.removeAll(kind, name, {}); !dropped)
        printError(QStringLiteral("warning: source removed but its secrets stay: ")
                   + dropped.error().message);
    out() << "removed " << kind << " source '" << name << "'\n";
    out().flush();
    return ExitOk;
}

} // namespace

int runSource(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Manage lead sources: add KIND NAME, list, remove KIND NAME. Kinds: %1.")
            .arg(Core::SourceRepository::kinds().join(QStringLiteral(", "))));
    parser.addPositionalArgument(QStringLiteral("action"), QStringLiteral("add | list | remove"));
    parser.addOption({QStringLiteral("setting"),
                      QStringLiteral("A non-secret setting, stored with the source."),
                      QStringLiteral("key=value")});
    parser.addOption({QStringLiteral("secret"),
                      QStringLiteral("A secret field; its value is read from standard input, "
                                     "one line per --secret."),
                      QStringLiteral("field")});
    parser.addOption({QStringLiteral("secrets-file"),
                      QStringLiteral("The 0600 secrets file (default $LEADDESK_SECRETS_FILE or "
                                     "<data-dir>/secrets.json)."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("public-url"),
                      QStringLiteral("The address providers reach this server at (default "
                                     "$LEADDESK_PUBLIC_URL)."),
                      QStringLiteral("url")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("list as JSON.")});
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    const QStringList args = parser.positionalArguments();
    const QString action = args.value(0);
    if (action == QLatin1String("add"))
        return add(parser, context, args);
    if (action == QLatin1String("list"))
        return list(parser, context, args);
    if (action == QLatin1String("remove"))
        return remove(parser, context, args);
    printError(action.isEmpty() ? QStringLiteral("source needs an action: add, list or remove")
                                : QStringLiteral("unknown source action '%1' (use add, list or "
                                                 "remove)")
                                      .arg(action));
    return ExitUsage;
}

} // namespace LeadDesk::App
