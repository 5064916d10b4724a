// leaddeskctl import --source KIND FILE [--failed-out FILE]
#include "ctlcommon.h"

#include "engine.h"
#include "vendorimporter.h"
#include "vendorprofile.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QLocale>

#include <cstdio>
#include <unistd.h>

namespace LeadDesk::App {

int runImport(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Import a lead vendor's CSV file."));
    parser.addOption({QStringLiteral("source"),
                      QStringLiteral("Vendor layout: %1.")
                          .arg(Core::VendorProfile::sourceNames().join(QStringLiteral(", "))),
                      QStringLiteral("kind")});
    parser.addOption(
        {QStringLiteral("failed-out"),
         QStringLiteral(
             "Write records that failed, with error_field and error_message, to this CSV."),
         QStringLiteral("file")});
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("The CSV file to import."));
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    if (!parser.isSet(QStringLiteral("source"))) {
        printError(QStringLiteral("import needs --source (%1)")
                       .arg(Core::VendorProfile::sourceNames().join(QLatin1Char('|'))));
        return ExitUsage;
    }
    const QString source = parser.value(QStringLiteral("source")).toLower();
    if (!Core::VendorProfile::sourceNames().contains(source)) {
        printError(QStringLiteral("unknown source '%1' (use %2)")
                       .arg(source, Core::VendorProfile::sourceNames().join(QStringLiteral(", "))));
        return ExitUsage;
    }
    if (parser.positionalArguments().size() != 1) {
        printError(QStringLiteral("import takes exactly one FILE"));
        return ExitUsage;
    }
    const QString file = parser.positionalArguments().constFirst();
    const QFileInfo info(file);
    if (!info.exists() || !info.isFile() || !info.isReadable()) {
        printError(QStringLiteral("cannot read %1: %2")
                       .arg(file, info.exists() ? QStringLiteral("not a readable file")
                                                : QStringLiteral("no such file")));
        return ExitFailure;
    }

    // Creates and migrates the store before the writer opens it.
    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    db.reset();
    // A large page cache keeps the lead indexes in memory for the length of a big import.
    Core::StoreWriter::Options largeCache;
    largeCache.cacheMiB = 512;
    // A batch of 20,000 records is a transaction of its own, without a savepoint around it.
    largeCache.maxJobsPerCommit = 1;
    auto writer = Core::StoreWriter::start(Sync::Engine::storePath(context.dataDir), largeCache);
    if (!writer) {
        printError(writer.error().message);
        return ExitFailure;
    }

    Core::VendorImporter::Options options;
    options.source = source;
    options.filePath = file;
    options.failedOutPath = parser.value(QStringLiteral("failed-out"));
    options.defaultRegion = business.defaultRegion;
    const bool tty = isatty(STDERR_FILENO);
    QElapsedTimer sinceLastLine;
    sinceLastLine.start();
    bool printedProgress = false;
    options.progress = [&](qint64 done, qint64 total, qint64 records) {
        // A line a second once an import takes that long; on a terminal, one line rewritten in
        // place. Small files finish without any.
        if (sinceLastLine.elapsed() < 1000 && (done < total || !printedProgress))
            return;
        sinceLastLine.restart();
        printedProgress = true;
        const int percent = total > 0 ? int(done * 100 / total) : 100;
        std::fprintf(
            stderr,
            tty ? "\rimporting %s: %3d%% (%s records)" : "importing %s: %d%% (%s records)\n",
            qPrintable(info.fileName()), percent, qPrintable(QLocale::system().toString(records)));
        std::fflush(stderr);
    };
    QElapsedTimer timer;
    timer.start();
    auto summary = Core::VendorImporter::run(**writer, business.id, options);
    if (tty && printedProgress)
        std::fputs("\n", stderr);
    if (!summary) {
        printError(summary.error().field == QLatin1String("file")
                       ? QStringLiteral("%1: %2").arg(file, summary.error().message)
                       : summary.error().message);
        return ExitFailure;
    }
    const double seconds = timer.elapsed() / 1000.0;
    out() << "read " << summary->read << ", imported " << summary->imported << ", merged "
          << summary->merged << ", duplicate " << summary->duplicates << ", failed "
          << summary->failed << " (" << QString::number(seconds, 'f', 1) << " s)\n";
    for (const auto &failure : std::as_const(summary->firstFailures))
        out() << "  record " << failure.recordNumber << ": " << failure.field << " "
              << failure.message << "\n";
    if (summary->failed > summary->firstFailures.size())
        out() << "  ... and " << (summary->failed - summary->firstFailures.size()) << " more\n";
    if (summary->failed > 0 && options.failedOutPath.isEmpty())
        out() << "use --failed-out FILE to save the failed records with their errors\n";
    out().flush();
    return ExitOk;
}

} // namespace LeadDesk::App
