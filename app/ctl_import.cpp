// leaddeskctl import --source KIND FILE [--failed-out FILE]
#include "ctlcommon.h"

#include "engine.h"
#include "leadrescorer.h"
#include "scoringrules.h"
#include "settingsrepository.h"
#include "sqlitestatement.h"
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
    // The importer scores new leads under the shipped rules; a business with rules of its own
    // has the leads after this row rescored under them once the import is done.
    auto ownRules = Core::SettingsRepository(*db).value(
        business.id, QString::fromLatin1(Core::SettingsRepository::kScoringRules));
    if (!ownRules) {
        printError(ownRules.error().message);
        return ExitFailure;
    }
    std::shared_ptr<const Core::ScoringRules> businessRules;
    qint64 lastRowBefore = 0;
    if (*ownRules) {
        auto rules = Core::ScoringRules::forBusiness(*db, business.id);
        if (!rules) {
            printError(rules.error().message);
            return ExitFailure;
        }
        businessRules = std::make_shared<const Core::ScoringRules>(std::move(*rules));
        Core::SqliteStatement &last = db->statement("SELECT coalesce(max(rowid), 0) FROM leads");
        auto row = last.step();
        if (!row) {
            printError(row.error().message);
            return ExitFailure;
        }
        lastRowBefore = *row ? last.columnInt(0) : 0;
        last.reset();
    }
    db.reset();
    // A large page cache keeps the lead indexes in memory for the length of a big import.
    Core::StoreWriter::Options largeCache;
    largeCache.cacheMiB = 512;
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
    if (businessRules && summary->imported + summary->merged > 0) {
        // Part of how the new rows are made, so their stamps stay.
        Core::LeadRescorer::Options rescore;
        rescore.nowMs = QDateTime::currentMSecsSinceEpoch();
        rescore.stamp = Core::LeadRescorer::Stamp::AsCreated;
        rescore.afterRowId = lastRowBefore;
        auto rescorer
            = std::make_shared<Core::LeadRescorer>(business.id, businessRules, rescore);
        auto rescored = Core::LeadRescorer::runOnWriter(**writer, rescorer).result();
        if (!rescored) {
            printError(QStringLiteral("scoring the new leads: %1").arg(rescored.error().message));
            return ExitFailure;
        }
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
