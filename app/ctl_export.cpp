// leaddeskctl export --format json|csv [--out FILE]
#include "ctlcommon.h"

#include "leadexporter.h"

#include <QFile>
#include <QLocale>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <unistd.h>

namespace LeadDesk::App {

int runExport(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Export every lead: JSON Lines (one object per lead, with its messages) or "
                       "CSV. Writes to standard output unless --out is given."));
    parser.addOption(
        {QStringLiteral("format"), QStringLiteral("json or csv."), QStringLiteral("format")});
    parser.addOption({QStringLiteral("out"),
                      QStringLiteral("Write to this file; it appears only once the export is "
                                     "complete."),
                      QStringLiteral("file")});
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("export takes no arguments besides --format and --out"));
        return ExitUsage;
    }
    if (!parser.isSet(QStringLiteral("format"))) {
        printError(QStringLiteral("export needs --format json|csv"));
        return ExitUsage;
    }
    const auto format = Core::LeadExporter::parseFormat(parser.value(QStringLiteral("format")));
    if (!format) {
        printError(QStringLiteral("unknown export format '%1' (use json or csv)")
                       .arg(parser.value(QStringLiteral("format"))));
        return ExitUsage;
    }
    const QString target = parser.value(QStringLiteral("out"));
    if (parser.isSet(QStringLiteral("out")) && target.isEmpty()) {
        printError(QStringLiteral("--out needs a file name"));
        return ExitUsage;
    }

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;

    const bool terminal = isatty(fileno(stderr)) != 0;
    bool progressShown = false;
    const auto progress = [&](qint64 done, qint64 total) {
        if (!terminal || target.isEmpty())
            return; // standard output is the data; stderr stays for errors
        std::fprintf(stderr, "\rexporting: %lld of %lld leads", static_cast<long long>(done),
                     static_cast<long long>(total));
        std::fflush(stderr);
        progressShown = true;
    };

    if (target.isEmpty()) {
        QFile output;
        if (!output.open(stdout, QIODevice::WriteOnly)) {
            printError(
                QStringLiteral("cannot write to standard output: %1").arg(output.errorString()));
            return ExitFailure;
        }
        const auto exported = Core::LeadExporter::exportLeads(*db, business.id, *format, output);
        if (!exported) {
            printError(exported.error().message);
            return ExitFailure;
        }
        if (!output.flush()) {
            printError(
                QStringLiteral("cannot write to standard output: %1").arg(output.errorString()));
            return ExitFailure;
        }
        return ExitOk;
    }

    // Written beside the target and renamed over it only when complete, so a failed export
    // never leaves a truncated file under the name the user asked for.
    const QString partial = target + QStringLiteral(".partial");
    QFile output(partial);
    if (!output.open(QIODevice::WriteOnly | QIODevice::Truncate)) {
        printError(QStringLiteral("cannot write %1: %2").arg(partial, output.errorString()));
        return ExitFailure;
    }
    const auto exported
        = Core::LeadExporter::exportLeads(*db, business.id, *format, output, progress);
    if (progressShown)
        std::fputs("\n", stderr);
    const bool flushed = exported && output.flush();
    const QString writeError = output.errorString();
    output.close();
    if (!exported || !flushed) {
        QFile::remove(partial);
        printError(exported ? QStringLiteral("cannot write %1: %2").arg(partial, writeError)
                            : exported.error().message);
        return ExitFailure;
    }
    if (std::rename(QFile::encodeName(partial).constData(), QFile::encodeName(target).constData())
        != 0) {
        const QString why = QString::fromLocal8Bit(std::strerror(errno));
        QFile::remove(partial);
        printError(QStringLiteral("cannot rename %1 to %2: %3").arg(partial, target, why));
        return ExitFailure;
    }
    const QLocale english(QLocale::English, QLocale::UnitedStates);
    out() << "exported " << english.toString(*exported) << " leads to " << target << "\n";
    out().flush();
    return ExitOk;
}

} // namespace LeadDesk::App
