// Rescore benchmark (issue 4, part 2: 1,000,000 leads in under 5 s). On a private copy of the
// 1,000,000-lead / 5,000,000-message demo store, rescores every lead the way the app does it
// (LeadRescorer::runOnWriter on a StoreWriter, pages interleaving with other writes):
//   weight    the shipped rules with one weight changed (a phone is worth 6, not 5): 84% of leads
//             change and are written back, stamped as edits;
//   same      the same rules again: every lead is read and scored, none written;
//   default   back to the shipped rules: most leads change again.
// Prints a Markdown table; "checkpoint after" is the WAL copy the app then runs off the writer.
// Usage: bench_rescore [--store DIR] [--source DIR] [--workers N] [--page N] [--fresh]
//                      [--runs weight,same,default] [--no-settle] [--no-read-ahead]
//                      [--walking-cache-mib N] [--no-rule-inputs]
// A run reads the narrow copy of what the rules read (RuleInputsTable) once there is one; a run
// whose rules read something it lacks reads the lead rows and fills a new copy after its pages
// ("copy filled", part of "time").
#include "businessrepository.h"
#include "database.h"
#include "databasethread.h"
#include "leadrescorer.h"
#include "scoringrules.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QProcess>

#include <cstdio>
#include <sys/resource.h>

using namespace LeadDesk;

namespace {

const QString kSource = QStringLiteral("/work/benchstore/demo-1m");
const QString kStore = QStringLiteral("/work/benchstore/scoring/demo-1m");

[[noreturn]] void die(const QString &message)
{
    std::fprintf(stderr, "bench_rescore: %s\n", qPrintable(message));
    std::exit(1);
}

// Never the shared store itself: opening a store migrates it.
void prepareStore(const QString &source, const QString &store, bool fresh)
{
    if (QFile::exists(store + QStringLiteral("/leaddesk.sqlite")) && !fresh)
        return;
    if (!QFile::exists(source + QStringLiteral(".READY")))
        die(QStringLiteral("%1 is not ready yet (no %1.READY)").arg(source));
    QDir(store).removeRecursively();
    QDir().mkpath(QFileInfo(store).path());
    std::fprintf(stderr, "copying %s to %s...\n", qPrintable(source), qPrintable(store));
    if (QProcess::execute(QStringLiteral("cp"), {QStringLiteral("-r"), source, store}) != 0)
        die(QStringLiteral("cannot copy the store"));
}

std::shared_ptr<const Core::ScoringRules> rulesOf(const QByteArray &document)
{
    auto rules = Core::ScoringRules::parse(document);
    if (!rules)
        die(rules.error().toString());
    return std::make_shared<const Core::ScoringRules>(*rules);
}

// The document with the phone_provided rule's points set to `points`.
QByteArray withPhoneWorth(const QByteArray &document, int points)
{
    QJsonObject root = QJsonDocument::fromJson(document).object();
    QJsonObject lead = root.value(u"lead").toObject();
    QJsonArray groups = lead.value(u"groups").toArray();
    bool found = false;
    for (qsizetype g = 0; g < groups.size(); ++g) {
        QJsonObject group = groups.at(g).toObject();
        QJsonArray rules = group.value(u"rules").toArray();
        for (qsizetype r = 0; r < rules.size(); ++r) {
            QJsonObject rule = rules.at(r).toObject();
            if (rule.value(u"id") != QJsonValue(QStringLiteral("phone_provided")))
                continue;
            rule[QStringLiteral("points")] = points;
            rules[r] = rule;
            found = true;
        }
        group[QStringLiteral("rules")] = rules;
        groups[g] = group;
    }
    if (!found)
        die(QStringLiteral("the default rules have no phone_provided rule"));
    lead[QStringLiteral("groups")] = groups;
    root[QStringLiteral("lead")] = lead;
    return QJsonDocument(root).toJson();
}

struct Run
{
    QString name;
    Core::LeadRescorer::Progress progress;
    qint64 ms = 0;
    qint64 cpuMs = 0; // user + system time of the whole process
    qint64 checkpointMs = 0;
    qint64 walMiB = 0; // the write-ahead log when the last page committed
    int pages = 0;
};

qint64 cpuMs()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const auto ms = [](const timeval &t) {
        return qint64(t.tv_sec) * 1000 + t.tv_usec / 1000;
    };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

Run rescore(Core::StoreWriter &writer, const QString &path, const QString &businessId,
            const QString &name, std::shared_ptr<const Core::ScoringRules> rules,
            Core::LeadRescorer::Options options)
{
    Run run;
    run.name = name;
    // Wall time from the request to the last page's commit, as the app's status bar sees it.
    QElapsedTimer timer;
    timer.start();
    const qint64 cpuBefore = cpuMs();
    auto rescorer = std::make_shared<Core::LeadRescorer>(businessId, std::move(rules), options);
    auto future = Core::LeadRescorer::runOnWriter(writer, rescorer,
                                                  [&run](const Core::LeadRescorer::Progress &) {
                                                      ++run.pages;
                                                      return true;
                                                  });
    future.waitForFinished();
    run.ms = timer.elapsed();
    run.cpuMs = cpuMs() - cpuBefore;
    auto outcome = future.result();
    if (!outcome)
        die(outcome.error().message);
    run.progress = *outcome;
    run.walMiB = QFileInfo(path + QStringLiteral("-wal")).size() / (1024 * 1024);
    // What the app then does off the writer thread: copy the new pages into the store.
    timer.restart();
    if (auto ok = Core::LeadRescorer::checkpoint(path); !ok)
        die(ok.error().message);
    run.checkpointMs = timer.elapsed();
    return run;
}

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("source"), QStringLiteral("The demo store to copy."),
                      QStringLiteral("dir"), kSource});
    parser.addOption({QStringLiteral("store"), QStringLiteral("The private copy to rescore."),
                      QStringLiteral("dir"), kStore});
    parser.addOption(
        {QStringLiteral("workers"),
         QStringLiteral("Scoring threads besides the writer (-1: one per other core)."),
         QStringLiteral("n"), QStringLiteral("-1")});
    parser.addOption({QStringLiteral("page"), QStringLiteral("Leads per page (transaction)."),
                      QStringLiteral("n"), QString::number(Core::LeadRescorer::kPageSize)});
    parser.addOption({QStringLiteral("walking-cache-mib"),
                      QStringLiteral("The writer's page cache while it walks the score rows "
                                     "(MiB)."),
                      QStringLiteral("n"),
                      QString::number(Core::LeadRescorer::Options{}.walkingCacheMiB)});
    parser.addOption({QStringLiteral("fresh"), QStringLiteral("Copy the store again first.")});
    parser.addOption({QStringLiteral("runs"),
                      QStringLiteral("Which runs, in order (weight, same, default)."),
                      QStringLiteral("list"), QStringLiteral("weight,same,default")});
    parser.addOption({QStringLiteral("no-read-ahead"),
                      QStringLiteral("Read every page on the writer's connection.")});
    parser.addOption({QStringLiteral("no-rule-inputs"),
                      QStringLiteral("Read the leads rows, not the copy of what the rules read.")});
    parser.addOption({QStringLiteral("no-settle"),
                      QStringLiteral("Do not rescore under the shipped rules first.")});
    parser.process(app);

    const QString store = parser.value(QStringLiteral("store"));
    prepareStore(parser.value(QStringLiteral("source")), store,
                 parser.isSet(QStringLiteral("fresh")));
    const QString path = store + QStringLiteral("/leaddesk.sqlite");

    QString businessId;
    {
        auto db = Core::Database::open(path);
        if (!db)
            die(db.error().message);
        auto business = Core::BusinessRepository(**db).ensurePrimary();
        if (!business)
            die(business.error().message);
        businessId = business->id;
    }
    auto writer = Core::StoreWriter::start(path); // the app's writer, default options
    if (!writer)
        die(writer.error().message);

    auto defaults = Core::ScoringRules::loadDefault();
    if (!defaults)
        die(defaults.error().message);
    const QByteArray changed = withPhoneWorth(defaults->document(), 6);

    Core::LeadRescorer::Options options;
    options.workers = parser.value(QStringLiteral("workers")).toInt();
    options.pageSize = parser.value(QStringLiteral("page")).toInt();
    options.readAhead = !parser.isSet(QStringLiteral("no-read-ahead"));
    options.walkingCacheMiB = parser.value(QStringLiteral("walking-cache-mib")).toInt();
    options.ruleInputs = !parser.isSet(QStringLiteral("no-rule-inputs"));

    // Start from the shipped rules' scores, whatever an earlier run left.
    options.nowMs = QDateTime::currentMSecsSinceEpoch();
    if (!parser.isSet(QStringLiteral("no-settle"))) {
        std::fprintf(stderr, "settling the store on the shipped rules...\n");
        // Whatever rules an earlier run left, on a store this machine's OS may have dropped from
        // its cache (it gives back page cache unused for about half a minute): after a pause,
        // the cold case's figure.
        const Run settle = rescore(**writer, path, businessId, QStringLiteral("settle"),
                                   rulesOf(defaults->document()), options);
        std::fprintf(stderr,
                     "settle: %lld ms, %lld leads changed, CPU %lld ms; the copy of what the "
                     "rules read filled after the pages: %lld leads in %lld ms\n",
                     (long long)settle.ms, (long long)settle.progress.changed,
                     (long long)settle.cpuMs, (long long)settle.progress.inputsCopied,
                     (long long)settle.progress.inputsMs);
    }

    QFile loadavg(QStringLiteral("/proc/loadavg"));
    const QString loadAverage = loadavg.open(QIODevice::ReadOnly)
                                    ? QString::fromLatin1(loadavg.readAll()).section(u' ', 0, 2)
                                    : QStringLiteral("unknown");
    QList<Run> runs;
    const QHash<QString, std::pair<QString, QByteArray>> known = {
        {QStringLiteral("weight"), {QStringLiteral("weight (phone 5 -> 6)"), changed}},
        {QStringLiteral("same"), {QStringLiteral("same rules again"), changed}},
        {QStringLiteral("default"), {QStringLiteral("back to the default"), defaults->document()}},
    };
    for (const QString &key : parser.value(QStringLiteral("runs")).split(u',')) {
        if (!known.contains(key))
            die(QStringLiteral("unknown run %1").arg(key));
        const auto &[name, document] = known.value(key);
        options.nowMs = QDateTime::currentMSecsSinceEpoch();
        runs << rescore(**writer, path, businessId, name, rulesOf(document), options);
        std::fprintf(stderr, "%s: %lld ms\n", qPrintable(name), (long long)runs.last().ms);
    }

    const QLocale c = QLocale::c();
    std::printf(
        "| rescore | reads | leads | changed | of them by key range | pages | copy filled | time "
        "| read + score | write | commit "
        "| score index built | CPU: writer | CPU: all | leads/s | WAL | checkpoint after |\n");
    std::printf(
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (const Run &run : std::as_const(runs)) {
        const auto seconds = [](qint64 ms) -> QString {
            return QString::number(ms / 1000.0, 'f', 2) + u" s";
        };
        std::printf(
            "| %s | %s | %s | %s | %s | %d (%d ahead) | %s | %s | %s | %s | %s | %s | %s | %s | %s "
            "| %lld MiB | %s |\n",
            qPrintable(run.name), run.progress.fromInputs ? "copy" : "rows",
            qPrintable(c.toString(run.progress.done)), qPrintable(c.toString(run.progress.changed)),
            qPrintable(c.toString(run.progress.rowsInKeyRange)), run.pages,
            run.progress.pagesReadAhead,
            run.progress.inputsCopied == 0
                ? "—"
                : qPrintable(seconds(run.progress.inputsMs) + u" ("
                             + c.toString(run.progress.inputsCopied) + u" leads)"),
            qPrintable(seconds(run.ms)), qPrintable(seconds(run.progress.readMs)),
            qPrintable(seconds(run.progress.writeMs)), qPrintable(seconds(run.progress.commitMs)),
            qPrintable(seconds(run.progress.indexMs)), qPrintable(seconds(run.progress.cpuMs)),
            qPrintable(seconds(run.cpuMs)),
            qPrintable(c.toString(
                qint64(run.progress.done * 1000.0 / double(std::max<qint64>(1, run.ms))))),
            (long long)run.walMiB, qPrintable(seconds(run.checkpointMs)));
    }
    std::printf("\nload average before the runs: %s\n", qPrintable(loadAverage));
    std::printf("\nworkers %d (-1: one per other core) besides the reading thread, page %d "
                "leads, read-ahead %s, rule inputs' copy %s, writer's cache %d MiB, %d cores\n",
                options.workers, options.pageSize, options.readAhead ? "on" : "off",
                options.ruleInputs ? "on" : "off", options.walkingCacheMiB,
                QThread::idealThreadCount());
    return 0;
}
