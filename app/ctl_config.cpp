// leaddeskctl config: show and change a business's configuration documents (scoring rules, SLA
// policies, business hours, routing rules, A/B tests). A new document is validated completely
// before it is stored, and what depends on it is recomputed at once.
#include "ctlcommon.h"

#include "chatbotservice.h"
#include "configdocuments.h"
#include "leadrescorer.h"
#include "scoringrules.h"
#include "settingsrepository.h"
#include "slaclock.h"
#include "slaconfig.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>

#include <cstdio>

namespace LeadDesk::App {

namespace {

const char *const kUsage = "usage: leaddeskctl config list | get KEY | set KEY FILE|- | reset KEY";

// Pretty-prints JSON documents; anything else is printed as stored.
QByteArray readable(const QByteArray &bytes)
{
    const QJsonDocument document = QJsonDocument::fromJson(bytes);
    return document.isNull() ? bytes : document.toJson(QJsonDocument::Indented);
}

QStringList knownKeys()
{
    QStringList keys;
    for (const Core::ConfigDocuments::Document &document : Core::ConfigDocuments::all())
        keys << document.key;
    return keys;
}

const Core::ConfigDocuments::Document *documentOrExplain(const QString &key)
{
    const auto *document = Core::ConfigDocuments::find(key);
    if (!document)
        printError(QStringLiteral("unknown configuration key '%1' (known: %2)")
                       .arg(key, knownKeys().join(QStringLiteral(", "))));
    return document;
}

// Brings what depends on a changed document up to date: every lead's score after new scoring
// rules, every running SLA clock after new policies or hours. Routing rules and A/B tests apply
// to the next lead and need nothing here.
bool applyConfigChange(Core::Database &db, const Core::Business &business, const QString &key)
{
    if (key == QLatin1String(Core::SettingsRepository::kScoringRules)) {
        auto rules = Core::ScoringRules::forBusiness(db, business.id);
        if (!rules) {
            printError(rules.error().message);
            return false;
        }
        auto rescored = Core::LeadRescorer::rescoreAll(db, business.id, *rules);
        if (!rescored) {
            printError(rescored.error().message);
            return false;
        }
        auto chatbot = Core::ChatbotService::rescoreLeads(
            db, business.id, std::make_shared<const Core::ScoringRules>(std::move(*rules)));
        if (!chatbot) {
            printError(chatbot.error().message);
            return false;
        }
        out() << "rescored " << *rescored << " leads and " << *chatbot
              << " chatbot leads (behaviour model)\n";
    } else if (key == QLatin1String(Core::SettingsRepository::kSlaPolicy)
               || key == QLatin1String(Core::SettingsRepository::kBusinessHours)) {
        auto config = Core::SlaConfig::load(db, business.id);
        if (!config) {
            printError(config.error().message);
            return false;
        }
        auto recomputed = Core::SlaClock::recomputeAll(db, business.id, *config,
                                                       QDateTime::currentMSecsSinceEpoch());
        if (!recomputed) {
            printError(recomputed.error().message);
            return false;
        }
        out() << "recomputed the SLA clocks of " << recomputed->leads << " leads\n";
    }
    out().flush();
    return true;
}

} // namespace

int runConfig(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Show or change the business's configuration documents.\n\n%1\n\nKeys: %2")
            .arg(QString::fromLatin1(kUsage), knownKeys().join(QStringLiteral(", "))));
    parser.addPositionalArgument(QStringLiteral("action"),
                                 QStringLiteral("list, get, set or reset"));
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    const QStringList args = parser.positionalArguments();
    const QString action = args.value(0);
    const qsizetype expected
        = action == QLatin1String("list")                                        ? 1
          : action == QLatin1String("set")                                       ? 3
          : (action == QLatin1String("get") || action == QLatin1String("reset")) ? 2
                                                                                 : -1;
    if (expected < 0 || args.size() != expected) {
        printError(args.isEmpty() ? QStringLiteral("config needs an action")
                   : expected < 0
                       ? QStringLiteral("unknown config action '%1'").arg(action)
                       : QStringLiteral("wrong number of arguments for 'config %1'").arg(action));
        std::fprintf(stderr, "%s\n", kUsage);
        return ExitUsage;
    }
    const Core::ConfigDocuments::Document *document = nullptr;
    if (action != QLatin1String("list")) {
        document = documentOrExplain(args.at(1));
        if (!document)
            return ExitUsage;
    }

    // The new document is read and checked before the store is touched.
    QByteArray incoming;
    if (action == QLatin1String("set")) {
        QFile file;
        const bool ok = args.at(2) == QLatin1String("-")
                            ? file.open(stdin, QIODevice::ReadOnly)
                            : (file.setFileName(args.at(2)), file.open(QIODevice::ReadOnly));
        if (!ok) {
            printError(QStringLiteral("cannot read %1: %2").arg(args.at(2), file.errorString()));
            return ExitFailure;
        }
        incoming = file.readAll();
    }

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    Core::SettingsRepository settings(*db);

    if (action == QLatin1String("list")) {
        for (const Core::ConfigDocuments::Document &each : Core::ConfigDocuments::all()) {
            auto stored = settings.value(business.id, each.key);
            if (!stored) {
                printError(stored.error().message);
                return ExitFailure;
            }
            out() << each.key.leftJustified(16) << (stored->has_value() ? "custom " : "default")
                  << "  " << each.description << "\n";
        }
        out().flush();
        return ExitOk;
    }
    if (action == QLatin1String("get")) {
        auto stored = settings.value(business.id, document->key);
        if (!stored) {
            printError(stored.error().message);
            return ExitFailure;
        }
        QByteArray bytes;
        if (stored->has_value()) {
            bytes = **stored;
        } else {
            auto shipped = Core::ConfigDocuments::defaultBytes(*document);
            if (!shipped) {
                printError(shipped.error().message);
                return ExitFailure;
            }
            bytes = *shipped;
        }
        out() << QString::fromUtf8(readable(bytes));
        out().flush();
        return ExitOk;
    }
    if (action == QLatin1String("reset")) {
        if (auto ok = settings.remove(business.id, document->key); !ok) {
            printError(ok.error().message);
            return ExitFailure;
        }
        out() << document->key << ": back to the shipped default\n";
        out().flush();
        return applyConfigChange(*db, business, document->key) ? ExitOk : ExitFailure;
    }

    if (auto valid = document->validate(incoming, business.timeZone); !valid) {
        printError(QStringLiteral("invalid %1: %2").arg(document->key, valid.error().toString()));
        return ExitFailure;
    }
    if (auto ok = settings.setValue(business.id, document->key, incoming,
                                    QDateTime::currentMSecsSinceEpoch());
        !ok) {
        printError(ok.error().message);
        return ExitFailure;
    }
    out() << document->key << ": saved\n";
    out().flush();
    return applyConfigChange(*db, business, document->key) ? ExitOk : ExitFailure;
}

} // namespace LeadDesk::App
