// Dashboard benchmark (issue 4, part 5): the whole dashboard query set on the 1,000,000-lead /
// 5,000,000-message demo store, budget < 300 ms.
//
// The dashboard query set is what the default dashboard shows, every figure of the analytics
// report for two periods in the business's time zone:
//   A. the last 30 days (AnalyticsReportBuilder::build with the all-time totals beside it):
//      leads by day/week/month and source, frequency, conversations waiting on the business / on
//      the lead, funnel and stage conversion, score / grade / qualification distribution,
//      first-response median and p90 per source and per rep, chatbot completion and pacing,
//      campaign analytics (seed 004) for every campaign, outbound delivery health;
//   B. all time: the same figures over the whole store.
// It waits for /work/benchstore/demo-1m.READY, copies the store to /work/benchstore/analytics/
// (never touching the original), opens it (which applies migration 0004), times the one-off rollup
// rebuild, then runs A + B once cold and --runs more times warm, printing per-step times.
//
// Times are wall clock; the CPU time of the process is printed beside them, since the machine the
// benchmark shares may be busy.
//
//   bench_dashboard [--source DIR] [--work DIR] [--runs N] [--reuse] [--rebuild]
#include "analyticsreport.h"
#include "analyticsrollup.h"
#include "businessrepository.h"
#include "campaignanalytics.h"
#include "database.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QSqlQuery>
#include <QThread>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <vector>

using namespace LeadDesk;

namespace {

double ms(qint64 ns)
{
    return double(ns) / 1e6;
}

double cpuMs()
{
    return double(std::clock()) * 1000.0 / CLOCKS_PER_SEC;
}

bool copyStore(const QString &from, const QString &to)
{
    QDir(to).removeRecursively();
    if (!QDir().mkpath(to))
        return false;
    const QStringList files = QDir(from).entryList(QDir::Files);
    for (const QString &name : files) {
        std::fprintf(stderr, "bench_dashboard: copying %s (%.1f GB)...\n", qPrintable(name),
                     double(QFileInfo(QDir(from).filePath(name)).size()) / 1e9);
        if (!QFile::copy(QDir(from).filePath(name), QDir(to).filePath(name)))
            return false;
    }
    return true;
}

struct Run
{
    std::map<QString, qint64> stepsA; // step -> ns
    std::map<QString, qint64> stepsB;
    qint64 totalA = 0;
    qint64 totalB = 0;
    qint64 leadsA = 0;
    qint64 leadsB = 0;
    bool exactA = false;
    bool exactB = false;
};

Run dashboard(Core::Database &db, const QString &businessId, QDate today)
{
    Run run;
    // One read transaction per dashboard refresh, as the report does.
    if (!db.execDirect(QStringLiteral("BEGIN DEFERRED")))
        qFatal("cannot begin");
    Core::AnalyticsFilter last30;
    last30.businessId = businessId;
    last30.period = Core::AnalyticsPeriod::lastDays(30, today);
    QElapsedTimer timer;
    timer.start();
    auto a = Core::AnalyticsReportBuilder::build(db, last30);
    run.totalA = timer.nsecsElapsed();
    if (!a)
        qFatal("report A failed: %s", qPrintable(a.error().message));
    Core::AnalyticsFilter all;
    all.businessId = businessId;
    timer.restart();
    auto b = Core::AnalyticsReportBuilder::build(db, all);
    run.totalB = timer.nsecsElapsed();
    if (!b)
        qFatal("report B failed: %s", qPrintable(b.error().message));
    db.rollback();
    for (const auto &[step, ns] : a->timingsNs)
        run.stepsA[step] += ns;
    for (const auto &[step, ns] : b->timingsNs)
        run.stepsB[step] += ns;
    run.leadsA = a->totals.leads;
    run.leadsB = b->totals.leads;
    run.exactA = a->responseExact;
    run.exactB = b->responseExact;
    return run;
}

qint64 median(std::vector<qint64> values)
{
    if (values.empty())
        return 0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QString source = QStringLiteral("/work/benchstore/demo-1m");
    QString work = QStringLiteral("/work/benchstore/analytics");
    int runs = 5;
    bool reuse = false;
    bool forceRebuild = false;
    const QStringList args = app.arguments();
    for (int i = 1; i < args.size(); ++i) {
        if (args[i] == QLatin1String("--source") && i + 1 < args.size())
            source = args[++i];
        else if (args[i] == QLatin1String("--work") && i + 1 < args.size())
            work = args[++i];
        else if (args[i] == QLatin1String("--runs") && i + 1 < args.size())
            runs = std::max(1, args[++i].toInt());
        else if (args[i] == QLatin1String("--reuse"))
            reuse = true; // keep an earlier copy (already migrated and rolled up)
        else if (args[i] == QLatin1String("--rebuild"))
            forceRebuild = true; // time a rebuild even when the rollup is current
        else
            qFatal("usage: bench_dashboard [--source DIR] [--work DIR] [--runs N] [--reuse] "
                   "[--rebuild]");
    }

    const QString ready = source + QStringLiteral(".READY");
    while (!QFileInfo::exists(ready)) {
        std::fprintf(stderr, "bench_dashboard: waiting for %s...\n", qPrintable(ready));
        QThread::sleep(30);
    }
    if (!reuse || QDir(work).isEmpty()) {
        if (!copyStore(source, work))
            qFatal("cannot copy %s to %s", qPrintable(source), qPrintable(work));
    }
    // The store file (leaddesk.sqlite, or .sqlite3), not its -wal / -shm companions.
    const QStringList stores = QDir(work).entryList(
        {QStringLiteral("*.sqlite"), QStringLiteral("*.sqlite3")}, QDir::Files);
    if (stores.isEmpty())
        qFatal("no store file in %s", qPrintable(work));
    const QString storePath = QDir(work).filePath(stores.first());

    QElapsedTimer timer;
    timer.start();
    auto opened = Core::Database::open(storePath);
    if (!opened)
        qFatal("cannot open: %s", qPrintable(opened.error().message));
    Core::Database &db = **opened;
    const qint64 openNs = timer.nsecsElapsed();
    auto business = Core::BusinessRepository(db).primary();
    if (!business)
        qFatal("no business: %s", qPrintable(business.error().message));

    timer.restart();
    auto current = Core::AnalyticsRollup::isCurrent(db, business->id);
    if (!current)
        qFatal("%s", qPrintable(current.error().message));
    qint64 rebuildNs = -1;
    double rebuildCpu = 0;
    Core::AnalyticsRollup::RebuildStats stats;
    if (!*current || forceRebuild) {
        timer.restart();
        const double cpu = cpuMs();
        auto rebuilt = Core::AnalyticsRollup::rebuild(db, business->id);
        if (!rebuilt)
            qFatal("rebuild failed: %s", qPrintable(rebuilt.error().message));
        rebuildNs = timer.nsecsElapsed();
        rebuildCpu = cpuMs() - cpu;
        stats = *rebuilt;
    }

    const QDate today = QDateTime::currentDateTimeUtc()
                            .toTimeZone(Core::AnalyticsRollup::zone(business->timeZone))
                            .date();
    double cpu = cpuMs();
    const Run cold = dashboard(db, business->id, today);
    const double coldCpu = cpuMs() - cpu;
    std::vector<Run> warm;
    cpu = cpuMs();
    for (int i = 0; i < runs; ++i)
        warm.push_back(dashboard(db, business->id, today));
    const double warmCpu = (cpuMs() - cpu) / runs;

    // The campaign endpoint alone (GET /v1/api/campaigns/{id}/analytics), all time, busiest one.
    QString busiest;
    {
        auto a
            = Core::AnalyticsReportBuilder::build(db, Core::AnalyticsFilter{business->id, {}, {}});
        if (a && !a->campaigns.isEmpty())
            busiest = a->campaigns.first().response.value(QStringLiteral("campaign_id")).toString();
    }
    std::vector<qint64> endpoint;
    for (int i = 0; i < runs && !busiest.isEmpty(); ++i) {
        timer.restart();
        auto response = Core::CampaignAnalytics::analyticsResponse(
            db, business->id, busiest, Core::AnalyticsPeriod::allTime());
        endpoint.push_back(timer.nsecsElapsed());
        if (!response || !*response)
            qFatal("campaign analytics failed");
    }

    // Sanity: the rollup holds every live lead.
    qint64 live = 0;
    (void)db.forEachRow(
        QStringLiteral("SELECT COUNT(*) FROM leads WHERE business_id = ? AND deleted = 0"),
        {business->id}, [&live](const QSqlQuery &row) { live = row.value(0).toLongLong(); });

    std::printf("## bench_dashboard: %s\n\n", qPrintable(storePath));
    std::printf("store: %lld live leads; open + migrate %.0f ms\n", (long long)live, ms(openNs));
    if (rebuildNs >= 0)
        std::printf("rollup rebuild (one-off, first report after migration 0004): %.0f ms, CPU "
                    "%.0f ms (%lld leads read, %lld day rows, %lld campaign rows)\n\n",
                    ms(rebuildNs), rebuildCpu, (long long)stats.leads, (long long)stats.leadRows,
                    (long long)stats.campaignRows);
    else
        std::printf("rollup already current (--reuse)\n\n");

    std::printf("| query | A: last 30 days, cold | A: warm (median of %d) | B: all time, cold | "
                "B: warm (median of %d) |\n|---|---:|---:|---:|---:|\n",
                runs, runs);
    std::vector<QString> steps;
    for (const auto &[step, ns] : cold.stepsA)
        steps.push_back(step);
    for (const auto &[step, ns] : cold.stepsB) {
        if (std::find(steps.begin(), steps.end(), step) == steps.end())
            steps.push_back(step);
    }
    for (const QString &step : steps) {
        std::vector<qint64> a, b;
        for (const Run &r : warm) {
            a.push_back(r.stepsA.count(step) ? r.stepsA.at(step) : 0);
            b.push_back(r.stepsB.count(step) ? r.stepsB.at(step) : 0);
        }
        const auto cell = [](const std::map<QString, qint64> &m, const QString &key) {
            return m.count(key) ? QString::number(ms(m.at(key)), 'f', 2) : QStringLiteral("-");
        };
        std::printf("| %s | %s | %.2f | %s | %.2f |\n", qPrintable(step),
                    qPrintable(cell(cold.stepsA, step)), ms(median(a)),
                    qPrintable(cell(cold.stepsB, step)), ms(median(b)));
    }
    std::vector<qint64> totalA, totalB, totals;
    for (const Run &r : warm) {
        totalA.push_back(r.totalA);
        totalB.push_back(r.totalB);
        totals.push_back(r.totalA + r.totalB);
    }
    std::printf("| **report total** | %.2f | %.2f | %.2f | %.2f |\n", ms(cold.totalA),
                ms(median(totalA)), ms(cold.totalB), ms(median(totalB)));
    const double coldTotal = ms(cold.totalA + cold.totalB);
    const double warmTotal = ms(median(totals));
    std::printf("\nleads counted: A %lld (first response %s), B %lld (first response %s)\n",
                (long long)cold.leadsA, cold.exactA ? "exact" : "histogram", (long long)cold.leadsB,
                cold.exactB ? "exact" : "histogram");
    std::printf("**dashboard query set (A + B): cold %.1f ms, warm median %.1f ms, worst warm "
                "%.1f ms (budget 300 ms)**; CPU: cold %.1f ms, warm mean %.1f ms\n",
                coldTotal, warmTotal, ms(*std::max_element(totals.begin(), totals.end())), coldCpu,
                warmCpu);
    if (!endpoint.empty())
        std::printf("campaign endpoint alone ('%s', all time): median %.2f ms\n",
                    qPrintable(busiest), ms(median(endpoint)));
    if (live != cold.leadsB)
        std::printf("MISMATCH: rollup counts %lld leads, the table %lld\n", (long long)cold.leadsB,
                    (long long)live);
    return coldTotal < 300.0 && warmTotal < 300.0 && live == cold.leadsB ? 0 : 1;
}
