// leaddeskctl rescore [--rules FILE | --reset]: recompute every lead's score, grade and
// qualification under the business's scoring rules.
#include "ctlcommon.h"

#include "chatbotservice.h"
#include "leadrescorer.h"
#include "scoringrules.h"
#include "settingsrepository.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QLocale>

#include <cstdio>
#include <unistd.h>

namespace LeadDesk::App {

int runRescore(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Recompute every lead's score, grade and qualification under the "
                       "business's scoring rules (the shipped rules until it has its own)."));
    parser.addOption({QStringLiteral("rules"),
                      QStringLiteral("Check this scoring rule document (JSON), make it the "
                                     "business's rules, then rescore."),
                      QStringLiteral("file")});
    parser.addOption(
        {QStringLiteral("reset"), QStringLiteral("Go back to the shipped rules, then rescore.")});
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("rescore takes no arguments"));
        return ExitUsage;
    }
    if (parser.isSet(QStringLiteral("rules")) && parser.isSet(QStringLiteral("reset"))) {
        printError(QStringLiteral("use --rules or --reset, not both"));
        return ExitUsage;
    }
    // A rule file is checked before the store is touched.
    QByteArray document;
    if (parser.isSet(QStringLiteral("rules"))) {
        QFile file(parser.value(QStringLiteral("rules")));
        if (!file.open(QIODevice::ReadOnly)) {
            printError(
                QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
            return ExitFailure;
        }
        document = file.readAll();
        if (auto valid = Core::ScoringRules::parse(document); !valid) {
            printError(QStringLiteral("invalid scoring rules: %1").arg(valid.error().toString()));
            return ExitFailure;
        }
    }

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    Core::Result<Core::ScoringRules> rules = Core::fail(QStringLiteral("no rules"));
    if (!document.isEmpty()) {
        rules = Core::ScoringRules::saveForBusiness(*db, business.id, document, now);
    } else if (parser.isSet(QStringLiteral("reset"))) {
        if (auto removed = Core::SettingsRepository(*db).remove(
                business.id, QString::fromLatin1(Core::SettingsRepository::kScoringRules));
            !removed) {
            printError(removed.error().message);
            return ExitFailure;
        }
        rules = Core::ScoringRules::loadDefault();
    } else {
        rules = Core::ScoringRules::forBusiness(*db, business.id);
    }
    if (!rules) {
        printError(rules.error().toString());
        return ExitFailure;
    }

    const bool tty = isatty(STDERR_FILENO);
    QElapsedTimer timer;
    timer.start();
    Core::LeadRescorer::Options options;
    options.nowMs = now;
    const auto shared = std::make_shared<const Core::ScoringRules>(std::move(*rules));
    auto rescored = Core::LeadRescorer::rescoreAll(
        *db, business.id, shared, options, [tty](const Core::LeadRescorer::Progress &progress) {
            if (!tty)
                return;
            // After the pages, a rescore whose rules read something new copies it for the next.
            if (progress.inputsCopied > 0)
                std::fprintf(stderr, "\rcopying what the rules read: %lld of %lld leads  ",
                             (long long)progress.inputsCopied, (long long)progress.inputsTotal);
            else
                std::fprintf(stderr, "\rrescoring: %lld of %lld leads                    ",
                             (long long)progress.done, (long long)progress.total);
        });
    if (tty)
        std::fputs("\n", stderr);
    if (!rescored) {
        printError(rescored.error().message);
        return ExitFailure;
    }
    // Chatbot leads follow the behaviour model of the same rules.
    auto chatbot = Core::ChatbotService::rescoreLeads(*db, business.id, shared);
    if (!chatbot) {
        printError(chatbot.error().message);
        return ExitFailure;
    }
    out() << "rescored " << rescored->done << " leads, " << rescored->changed << " changed ("
          << QString::number(timer.elapsed() / 1000.0, 'f', 1) << " s); " << *chatbot
          << " chatbot leads changed under the behaviour model\n";
    out().flush();
    return ExitOk;
}

} // namespace LeadDesk::App
