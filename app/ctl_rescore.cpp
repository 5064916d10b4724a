// leaddeskctl rescore: recompute every lead's score, grade and qualification.
#include "ctlcommon.h"

#include "leadrescorer.h"
#include "scoringrules.h"

#include <QElapsedTimer>
#include <QFile>

#include <cstdio>
#include <unistd.h>

namespace LeadDesk::App {

int runRescore(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Recompute every lead's score, grade and qualification."));
    parser.addOption({QStringLiteral("rules"),
                      QStringLiteral("A scoring rule document (JSON); default: the shipped rules."),
                      QStringLiteral("file")});
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("rescore takes no arguments"));
        return ExitUsage;
    }
    Core::Result<Core::ScoringRules> rules = Core::ScoringRules::loadDefault();
    if (parser.isSet(QStringLiteral("rules"))) {
        QFile file(parser.value(QStringLiteral("rules")));
        if (!file.open(QIODevice::ReadOnly)) {
            printError(
                QStringLiteral("cannot read %1: %2").arg(file.fileName(), file.errorString()));
            return ExitFailure;
        }
        rules = Core::ScoringRules::parse(file.readAll());
    }
    if (!rules) {
        printError(QStringLiteral("invalid scoring rules: %1").arg(rules.error().toString()));
        return ExitFailure;
    }
    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    const bool tty = isatty(STDERR_FILENO);
    QElapsedTimer timer;
    timer.start();
    auto rescored = Core::LeadRescorer::rescoreAll(
        *db, business.id, *rules, [tty](qint64 done, qint64 total) {
            if (tty)
                std::fprintf(stderr, "\rrescoring: %lld of %lld leads", (long long)done,
                             (long long)total);
        });
    if (tty)
        std::fputs("\n", stderr);
    if (!rescored) {
        printError(rescored.error().message);
        return ExitFailure;
    }
    out() << "rescored " << *rescored << " leads ("
          << QString::number(timer.elapsed() / 1000.0, 'f', 1) << " s)\n";
    out().flush();
    return ExitOk;
}

} // namespace LeadDesk::App
