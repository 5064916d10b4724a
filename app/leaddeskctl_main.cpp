// leaddeskctl: the command-line face of LeadDesk. Parses the global options and dispatches to
// one subcommand; each subcommand parses its own options (ctl_<name>.cpp).
#include "ctlcommon.h"
#include "logsink.h"

#include "allocatortuning.h"
#include "engine.h"

#include <QCoreApplication>

#include <map>

using namespace LeadDesk;

namespace {

const char *const kUsage
    = "usage: leaddeskctl [--data-dir DIR] [--verbose] COMMAND [ARGS]\n"
      "\n"
      "commands:\n"
      "  import --source experian|transunion|leadsource|generic FILE [--failed-out FILE]\n"
      "  export --format json|csv [--out FILE]\n"
      "  demo --leads N [--seed S]\n"
      "  user add|passwd|list\n"
      "  rescore [--rules FILE]\n"
      "  config list | get KEY | set KEY FILE | reset KEY\n"
      "  report [--json] [--from DATE --to DATE] [--source S]\n"
      "  sla [--json] [--check] [--recompute] [--limit N] [--at TIME]\n"
      "  serve [--listen HOST:PORT] [--public-url URL]\n"
      "  journal list [--failed] | replay ID|--failed\n"
      "  source add KIND NAME [--setting K=V]... | list | remove KIND NAME\n"
      "\n"
      "Run 'leaddeskctl COMMAND --help' for a command's options.\n";

} // namespace

int main(int argc, char *argv[])
{
    // Every command is a batch or a server that runs flat out: keep freed memory for reuse.
    Core::tuneAllocatorForThroughput();
    QCoreApplication app(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("LeadDesk"));
    QCoreApplication::setApplicationName(QStringLiteral("LeadDesk"));
    QCoreApplication::setApplicationVersion(QStringLiteral(PROJECT_VERSION_STRING));

    // Global options come before the command; everything after it belongs to the command.
    App::CtlContext context;
    context.dataDir = Sync::Engine::defaultDataDir();
    QStringList args = app.arguments();
    int i = 1;
    for (; i < args.size(); ++i) {
        const QString &arg = args.at(i);
        if (arg == QLatin1String("--data-dir") && i + 1 < args.size()) {
            context.dataDir = args.at(++i);
        } else if (arg.startsWith(QLatin1String("--data-dir="))) {
            context.dataDir = arg.mid(11);
        } else if (arg == QLatin1String("--verbose") || arg == QLatin1String("-v")) {
            context.verbose = true;
        } else if (arg == QLatin1String("--help") || arg == QLatin1String("-h")) {
            App::out() << kUsage;
            return App::ExitOk;
        } else if (arg == QLatin1String("--version")) {
            App::out() << "leaddeskctl " << QCoreApplication::applicationVersion() << "\n";
            return App::ExitOk;
        } else {
            break;
        }
    }
    if (i >= args.size()) {
        App::printError(QStringLiteral("no command given"));
        fputs(kUsage, stderr);
        return App::ExitUsage;
    }
    const QString command = args.at(i);
    // Per-command options such as --data-dir may also follow the command.
    context.arguments = QStringList{QStringLiteral("leaddeskctl ") + command} + args.mid(i + 1);
    for (int j = 1; j < context.arguments.size(); ++j) {
        if (context.arguments.at(j) == QLatin1String("--verbose")) {
            context.verbose = true;
            context.arguments.removeAt(j--);
        } else if (context.arguments.at(j) == QLatin1String("--data-dir")
                   && j + 1 < context.arguments.size()) {
            context.dataDir = context.arguments.at(j + 1);
            context.arguments.remove(j, 2);
            --j;
        }
    }
    App::installLogSink(App::LogFormat::Human,
                        context.verbose ? App::LogLevel::Verbose : App::LogLevel::Quiet);

    const std::map<QString, int (*)(const App::CtlContext &)> commands = {
        {QStringLiteral("import"), &App::runImport},
        {QStringLiteral("export"), &App::runExport},
        {QStringLiteral("demo"), &App::runDemo},
        {QStringLiteral("user"), &App::runUser},
        {QStringLiteral("rescore"), &App::runRescore},
        {QStringLiteral("config"), &App::runConfig},
        {QStringLiteral("report"), &App::runReport},
        {QStringLiteral("sla"), &App::runSla},
        {QStringLiteral("serve"), &App::runServe},
        {QStringLiteral("journal"), &App::runJournal},
        {QStringLiteral("source"), &App::runSource},
    };
    const auto it = commands.find(command);
    if (it == commands.end()) {
        App::printError(QStringLiteral("unknown command '%1'").arg(command));
        fputs(kUsage, stderr);
        return App::ExitUsage;
    }
    return it->second(context);
}
