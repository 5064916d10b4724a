// Receiver benchmark (issue 3). Drives two servers in the same run with wrk (Debian package
// `wrk`): 64 connections, 30 s each, POSTing seed 004 campaign forms of 1-2 KB, every body
// unique (new e-mail, phone, visitor):
//   bare      a Qt HttpServer that only answers 200 (HttpReceiverBaseline);
//   receiver  the real HttpReceiver: each request journalled, validated, normalised
//             (libphonenumber), scored and stored, and answered only after its transaction has
//             committed with synchronous=FULL (group commit across concurrent requests).
// Prints req/s, p50 and p99 of both, the ratio receiver / bare (budget: >= 0.25) and whether
// p99 < 25 ms; then checks every 2xx is one lead. Exit code 0 when both budgets hold.
//
//   bench_receiver [--seconds 30] [--connections 64] [--threads 1]
//                  [--mode both|bare|receiver|writer] [--writer-floor] [--keep DIR]
//                  [--wal-autocheckpoint PAGES] [--rule-inputs]
// --rule-inputs: the store as a whole-store rescore leaves it, with the narrow copy of what the
// shipped rules read (RuleInputsTable) that triggers extend with every lead stored.
// `writer` / --writer-floor: the store's share alone (journal + ingest, 64 to a commit, no HTTP);
// --wal-autocheckpoint: a what-if for the writer's checkpoint interval (SQLite's default 1000).
#include "allocatortuning.h"
#include "businessrepository.h"
#include "database.h"
#include "databasethread.h"
#include "httpreceiver.h"
#include "httpreceiverbaseline.h"
#include "journalprocessor.h"
#include "receiverroutes.h"
#include "ruleinputstable.h"
#include "scoringrules.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QLoggingCategory>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>

#include <cstdio>
#include <sqlite3.h>
#include <sys/resource.h>

using namespace LeadDesk;

namespace {

// wrk's Lua: a unique seed 004 body per request; the percentiles printed in one line at the end.
const char *const kScript = R"LUA(
local counter = 0
local threads = {}
local nextId = 0
local campaigns = { "nextcloud-installation-2025", "managed-backup-q4", "m365-migration",
                    "security-audit-2025", "voip-rollout" }
local urgencies = { "High (Same day)", "Medium (This week)", "Low (This month)" }

function setup(thread)
  thread:set("tid", nextId)
  nextId = nextId + 1
  table.insert(threads, thread)
end

function request()
  counter = counter + 1
  local n = counter
  local body = string.format([[{
  "campaign_id": "%s",
  "source": "landing-page",
  "contact": {
    "firstName": "Jordan",
    "lastName": "McDonald",
    "email": "bench.t%d.n%d@company%d.example.com",
    "phone": "+1 614 %03d %04d",
    "company": "Acme Corp %d"
  },
  "lead_details": {
    "service_interest": "Nextcloud Installation",
    "urgency": "%s",
    "message": "Need Nextcloud set up for %d users as soon as possible; we run a mixed Windows and Linux office and want single sign-on with our existing directory. Request number %d.",
    "budget_range": "$5000-$10000",
    "timeline": "Within 2 weeks"
  },
  "tracking": {
    "visitor_id": "vis_%d_%d",
    "session_id": "sess_%d_%d",
    "utm_source": "google",
    "utm_medium": "cpc",
    "utm_campaign": "nextcloud-q4-2025",
    "utm_term": "nextcloud installation",
    "utm_content": "ad-variant-%d",
    "referrer_url": "https://google.com/search?q=nextcloud+installation",
    "landing_page_url": "https://nexlink.website/campaigns/nextcloud-installation.html",
    "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/128.0 Safari/537.36",
    "ip_address": "192.168.%d.%d",
    "time_on_page_seconds": %d,
    "return_visitor": %s
  },
  "form_metadata": {
    "form_type": "campaign_landing",
    "form_version": "v2.1",
    "consent_given": true,
    "timestamp": "2025-10-03T10:30:00Z"
  }
}]], campaigns[(n % 5) + 1], tid, n, n % 97, 200 + (tid % 700), n % 10000, n % 500,
     urgencies[(n % 3) + 1], 10 + n % 90, n, tid, n, tid, n, n % 3, n % 250, n % 250,
     30 + n % 300, (n % 4 == 0) and "true" or "false")
  return wrk.format("POST", "/v1/api/leads", { ["Content-Type"] = "application/json" }, body)
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d duration_us=%d status_errors=%d connect_errors=%d read_errors=%d write_errors=%d timeouts=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration, summary.errors.status, summary.errors.connect,
    summary.errors.read, summary.errors.write, summary.errors.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
)LUA";

// CPU seconds this process (the servers, the store threads) has used so far: the per-request
// cost is the figure that does not depend on what else the machine is running.
double cpuSeconds()
{
    rusage usage = {};
    getrusage(RUSAGE_SELF, &usage);
    return double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec)
           + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Figures
{
    bool ok = false;
    double cpuUsPerRequest = 0;
    qint64 requests = 0;
    qint64 errors = 0;
    double seconds = 0;
    double p50Ms = 0;
    double p99Ms = 0;
    double maxMs = 0;
    [[nodiscard]] double rate() const { return seconds > 0 ? double(requests) / seconds : 0; }
};

Figures runWrk(const QString &wrk, const QString &script, quint16 port, int seconds,
               int connections, int threads)
{
    const double cpuBefore = cpuSeconds();
    QProcess process;
    process.setProcessChannelMode(QProcess::MergedChannels);
    process.start(wrk,
                  {QStringLiteral("-t%1").arg(threads), QStringLiteral("-c%1").arg(connections),
                   QStringLiteral("-d%1s").arg(seconds), QStringLiteral("--timeout"),
                   QStringLiteral("10s"), QStringLiteral("-s"), script,
                   QStringLiteral("http://127.0.0.1:%1/v1/api/leads").arg(port)});
    Figures figures;
    if (!process.waitForStarted() || !process.waitForFinished((seconds + 60) * 1000)) {
        std::fprintf(stderr, "wrk did not run: %s\n", qPrintable(process.errorString()));
        return figures;
    }
    const QString output = QString::fromUtf8(process.readAll());
    const QRegularExpressionMatch m
        = QRegularExpression(
              QStringLiteral(
                  R"(RESULT requests=(\d+) duration_us=(\d+) status_errors=(\d+) connect_errors=(\d+) )"
                  R"(read_errors=(\d+) write_errors=(\d+) timeouts=(\d+) p50_us=(\d+) p99_us=(\d+) max_us=(\d+))"))
              .match(output);
    if (!m.hasMatch()) {
        std::fprintf(stderr, "unexpected wrk output:\n%s\n", qPrintable(output));
        return figures;
    }
    figures.ok = true;
    figures.requests = m.captured(1).toLongLong();
    figures.seconds = m.captured(2).toDouble() / 1e6;
    for (int i = 3; i <= 7; ++i)
        figures.errors += m.captured(i).toLongLong();
    figures.p50Ms = m.captured(8).toDouble() / 1000.0;
    figures.p99Ms = m.captured(9).toDouble() / 1000.0;
    figures.maxMs = m.captured(10).toDouble() / 1000.0;
    if (figures.requests > 0)
        figures.cpuUsPerRequest = (cpuSeconds() - cpuBefore) * 1e6 / double(figures.requests);
    const QRegularExpressionMatch non2xx
        = QRegularExpression(QStringLiteral(R"(Non-2xx or 3xx responses: (\d+))")).match(output);
    if (non2xx.hasMatch())
        figures.errors += non2xx.captured(1).toLongLong();
    return figures;
}

void print(const char *name, const Figures &f)
{
    std::printf("%-9s %10.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms  server CPU %6.1f "
                "us/request  (%lld requests, %lld errors / non-2xx)\n",
                name, f.rate(), f.p50Ms, f.p99Ms, f.maxMs, f.cpuUsPerRequest, (long long)f.requests,
                (long long)f.errors);
    std::fflush(stdout);
}

QString option(const QStringList &args, const QString &name, const QString &fallback)
{
    const qsizetype i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.at(i + 1) : fallback;
}

// The copy of what the shipped rules read, made empty on a new store: triggers fill it.
void addRuleInputs(Core::StoreWriter &writer)
{
    auto made = writer
                    .submit([](Core::Database &db) -> Core::Result<void> {
                        auto rules = Core::ScoringRules::loadDefault();
                        if (!rules)
                            return std::unexpected(rules.error());
                        auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
                        const auto layout = Core::RuleInputsTable::Layout::forRules(*rules);
                        auto fillId = Core::RuleInputsTable::begin(handle, layout);
                        if (!fillId)
                            return std::unexpected(fillId.error());
                        return Core::RuleInputsTable::finish(handle, *fillId);
                    })
                    .result();
    if (!made)
        qFatal("%s", qPrintable(made.error().message));
}

} // namespace

int main(int argc, char *argv[])
{
    Core::tuneAllocatorForThroughput(); // as leaddeskctl does, for both sides of the comparison
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    const int seconds = option(args, QStringLiteral("--seconds"), QStringLiteral("30")).toInt();
    const int connections
        = option(args, QStringLiteral("--connections"), QStringLiteral("64")).toInt();
    const int threads = option(args, QStringLiteral("--threads"), QStringLiteral("1")).toInt();
    const QString mode = option(args, QStringLiteral("--mode"), QStringLiteral("both"));
    const QString keep = option(args, QStringLiteral("--keep"), QString());
    QLoggingCategory::setFilterRules(QStringLiteral("leaddesk.*.info=false\nqt.*=false"));

    const QString wrk = QStandardPaths::findExecutable(QStringLiteral("wrk"));
    if (wrk.isEmpty()) {
        std::fprintf(stderr, "bench_receiver needs wrk (apt-get install wrk)\n");
        return 2;
    }
    QTemporaryDir temp;
    const QString dir = keep.isEmpty() ? temp.path() : keep;
    QDir().mkpath(dir);
    const QString script = QDir(temp.path()).filePath(QStringLiteral("form.lua"));
    {
        QFile file(script);
        if (!file.open(QIODevice::WriteOnly) || file.write(kScript) < 0)
            qFatal("cannot write the wrk script");
    }
    std::printf("bench_receiver: %d connections, %d s per server, wrk threads %d, %d cores\n",
                connections, seconds, threads, QThread::idealThreadCount());

    Figures bare;
    if (mode == QLatin1String("both") || mode == QLatin1String("bare")) {
        Sync::HttpReceiverBaseline baseline;
        auto port = baseline.start(QHostAddress::LocalHost);
        if (!port)
            qFatal("%s", qPrintable(port.error().message));
        bare = runWrk(wrk, script, *port, seconds, connections, threads);
        print("bare", bare);
    }

    Figures receiver;
    qint64 leads = -1, processed = -1;
    if (mode == QLatin1String("both") || mode == QLatin1String("receiver")) {
        const QString path = QDir(dir).filePath(QStringLiteral("leaddesk.sqlite"));
        QFile::remove(path);
        Core::StoreWriter::Options writerOptions;
        writerOptions.fullSync = true;
        writerOptions.smallJobs = true;
        auto writer = Core::StoreWriter::start(path, writerOptions);
        if (!writer)
            qFatal("%s", qPrintable(writer.error().message));
        auto business = (*writer)
                            ->submitValue<Core::Business>([](Core::Database &db) {
                                return Core::BusinessRepository(db).ensurePrimary();
                            })
                            .result();
        auto reader = Core::StoreReader::start(path);
        if (!business || !reader)
            qFatal("cannot open the store");
        if (args.contains(QStringLiteral("--rule-inputs")))
            addRuleInputs(**writer);
        const QString checkpointPages = option(args, QStringLiteral("--wal-autocheckpoint"), {});
        if (!checkpointPages.isEmpty()) {
            // What-if for the store's configuration: fewer, larger WAL checkpoints.
            (*writer)
                ->submitStandalone([checkpointPages](Core::Database &db) {
                    return db.execDirect(QStringLiteral("PRAGMA wal_autocheckpoint = %1")
                                             .arg(checkpointPages.toInt()));
                })
                .waitForFinished();
        }
        auto routes = std::make_shared<Sync::InboundRouteTable>();
        if (!Sync::registerDefaultRoutes(*routes, {*business, dir, QString(), {}}))
            qFatal("cannot register the routes");
        Sync::HttpReceiver::Options options;
        options.perPeerPerMinute = 0; // one load generator on one address
        options.perCampaignPerHour = 0;
        options.logRequests = false;
        Sync::HttpReceiver server(**writer, **reader, *business, routes, options);
        auto port = server.start();
        if (!port)
            qFatal("%s", qPrintable(port.error().message));
        const qint64 batchesBefore = (*writer)->batches();
        receiver = runWrk(wrk, script, *port, seconds, connections, threads);
        server.drain(10'000);
        const qint64 batches = (*writer)->batches() - batchesBefore;
        print("receiver", receiver);
        (*writer)
            ->submit([&](Core::Database &db) -> Core::Result<void> {
                auto count = [&db](const QString &sql) {
                    qint64 n = -1;
                    (void)db.forEachRow(sql, {},
                                        [&n](const QSqlQuery &q) { n = q.value(0).toLongLong(); });
                    return n;
                };
                leads = count(QStringLiteral("SELECT COUNT(*) FROM leads"));
                processed = count(QStringLiteral(
                    "SELECT COUNT(*) FROM inbound_journal WHERE status = 'processed'"));
                return {};
            })
            .waitForFinished();
        std::printf("stored: %lld leads, %lld journal rows processed, %lld answered 2xx; %lld "
                    "commits (%.1f requests each)\n",
                    (long long)leads, (long long)processed,
                    (long long)(receiver.requests - receiver.errors), (long long)batches,
                    batches > 0 ? double(processed) / double(batches) : 0.0);
    }

    if (mode == QLatin1String("writer") || args.contains(QStringLiteral("--writer-floor"))) {
        // The writer's share alone: the same bodies, prepared off the writer, then journalled and
        // stored 64 to a transaction (synchronous=FULL), without HTTP.
        const QString path = QDir(dir).filePath(QStringLiteral("floor.sqlite"));
        QFile::remove(path);
        Core::StoreWriter::Options writerOptions;
        writerOptions.fullSync = true;
        writerOptions.smallJobs = true;
        auto writer = Core::StoreWriter::start(path, writerOptions);
        auto business = (*writer)
                            ->submitValue<Core::Business>([](Core::Database &db) {
                                return Core::BusinessRepository(db).ensurePrimary();
                            })
                            .result();
        if (args.contains(QStringLiteral("--rule-inputs")))
            addRuleInputs(**writer);
        auto routes = std::make_shared<Sync::InboundRouteTable>();
        (void)Sync::registerDefaultRoutes(*routes, {*business, dir, QString(), {}});
        const Sync::InboundRoute *route = routes->byName(QStringLiteral("campaign_form"));
        Sync::JournalProcessor processor(routes, *business, {});
        const int total = 6400;
        std::vector<Sync::InboundRequest> requests(total);
        std::vector<Sync::PreparedRequest> prepared(total);
        for (int i = 0; i < total; ++i) {
            Sync::InboundRequest &r = requests[std::size_t(i)];
            r.method = "POST";
            r.path = QStringLiteral("/v1/api/leads");
            r.headers = {{"content-type", "application/json"}};
            r.body
                = QStringLiteral(
                      R"({"campaign_id":"c%1","source":"landing-page","contact":{"firstName":"Jordan","lastName":"McDonald","email":"floor%2@company%3.example.com","phone":"+1 614 2%4 %5","company":"Acme"},"lead_details":{"service_interest":"Nextcloud Installation","urgency":"High","message":"Need Nextcloud set up for 50 users as soon as possible; we run a mixed Windows and Linux office.","budget_range":"$5000-$10000","timeline":"Within 2 weeks"},"tracking":{"visitor_id":"vis_%2","session_id":"sess_%2","utm_source":"google","utm_medium":"cpc","utm_campaign":"q4","utm_content":"ad-%6","referrer_url":"https://google.com/search?q=nextcloud","landing_page_url":"https://nexlink.website/campaigns/nextcloud.html","user_agent":"Mozilla/5.0","ip_address":"192.168.1.%6"},"form_metadata":{"form_type":"campaign_landing","form_version":"v2.1","consent_given":true,"timestamp":"2025-10-03T10:30:00Z"}})")
                      .arg(i % 5)
                      .arg(i)
                      .arg(i % 97)
                      .arg(i % 100, 2, 10, QLatin1Char('0'))
                      .arg(i % 10000, 4, 10, QLatin1Char('0'))
                      .arg(i % 200)
                      .toUtf8();
            r.remoteAddress = QStringLiteral("127.0.0.1");
            r.receivedAtMs = QDateTime::currentMSecsSinceEpoch();
            prepared[std::size_t(i)] = route->prepare(r);
        }
        const double cpuBefore = cpuSeconds();
        QElapsedTimer wall;
        wall.start();
        for (int first = 0; first < total; first += 64) {
            (*writer)
                ->submitStandalone([&, first](Core::Database &db) -> Core::Result<void> {
                    Core::Transaction transaction(db);
                    for (int i = first; i < qMin(total, first + 64); ++i) {
                        auto answer = processor.receive(db, *route, QStringLiteral("campaign_form"),
                                                        requests[std::size_t(i)],
                                                        prepared[std::size_t(i)], {}, false);
                        if (!answer)
                            return std::unexpected(answer.error());
                    }
                    return transaction.commit();
                })
                .waitForFinished();
        }
        std::printf("writer floor: %d leads in %.2f s wall, %.1f us CPU per lead (64 per "
                    "commit, synchronous=FULL)\n",
                    total, double(wall.elapsed()) / 1000.0,
                    (cpuSeconds() - cpuBefore) * 1e6 / total);
    }

    if (mode != QLatin1String("both"))
        return 0;
    const double ratio = bare.rate() > 0 ? receiver.rate() / bare.rate() : 0;
    const bool ratioOk = ratio >= 0.25;
    const bool latencyOk = receiver.p99Ms < 25.0;
    const bool consistent = receiver.ok && leads == processed && receiver.errors == 0;
    std::printf("ratio receiver / bare: %.3f (budget >= 0.25: %s); receiver p99 %.2f ms (budget "
                "< 25 ms: %s); every 2xx stored once: %s\n",
                ratio, ratioOk ? "ok" : "MISSED", receiver.p99Ms, latencyOk ? "ok" : "MISSED",
                consistent ? "yes" : "NO");
    return ratioOk && latencyOk && consistent ? 0 : 1;
}
