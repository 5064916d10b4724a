// leaddeskctl journal: the inbound journal (DESIGN §6). `list` shows what arrived and what became
// of it; `replay` re-runs failed requests after a fix.
#include "ctlcommon.h"
#include "ctlsecrets.h"

#include "graphapiclient.h"
#include "inboundjournal.h"
#include "journalprocessor.h"
#include "leadadsfetcher.h"
#include "metaroutesupport.h"
#include "receiverroutes.h"
#include "sourcerepository.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTimeZone>
#include <QUrl>

#include <memory>

namespace LeadDesk::App {

namespace {

QString isoTime(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate) : QString();
}

int runList(const CtlContext &context, const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("List journalled requests, newest first."));
    parser.addOption({QStringLiteral("failed"), QStringLiteral("Only requests whose processing "
                                                               "failed (what replay re-runs).")});
    parser.addOption({QStringLiteral("status"),
                      QStringLiteral("Only this status: processed, duplicate, failed, rejected, "
                                     "pending."),
                      QStringLiteral("status")});
    parser.addOption({QStringLiteral("limit"),
                      QStringLiteral("At most this many rows (default 100)."), QStringLiteral("n"),
                      QStringLiteral("100")});
    parser.addOption({QStringLiteral("json"), QStringLiteral("One JSON object per line.")});
    CtlContext sub = context;
    sub.arguments = arguments;
    if (!parseOrExplain(parser, sub))
        return ExitUsage;
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("journal list takes no arguments"));
        return ExitUsage;
    }
    Core::InboundJournal::ListFilter filter;
    filter.status = parser.isSet(QStringLiteral("failed")) ? QStringLiteral("failed")
                                                           : parser.value(QStringLiteral("status"));
    static const QStringList statuses
        = {QStringLiteral("pending"), QStringLiteral("processed"), QStringLiteral("duplicate"),
           QStringLiteral("failed"), QStringLiteral("rejected")};
    if (!filter.status.isEmpty() && !statuses.contains(filter.status)) {
        printError(QStringLiteral("unknown status '%1'").arg(filter.status));
        return ExitUsage;
    }
    bool ok = false;
    filter.limit = parser.value(QStringLiteral("limit")).toInt(&ok);
    if (!ok || filter.limit <= 0) {
        printError(QStringLiteral("--limit needs a positive number"));
        return ExitUsage;
    }
    auto db = context.openStore();
    if (!db)
        return ExitFailure;
    Core::InboundJournal journal(*db);
    auto rows = journal.list(filter);
    if (!rows) {
        printError(rows.error().message);
        return ExitFailure;
    }
    const bool json = parser.isSet(QStringLiteral("json"));
    if (!json && rows->isEmpty())
        out() << "no journalled requests" << (filter.status.isEmpty() ? "" : " with status ")
              << filter.status << "\n";
    for (const Core::JournalEntry &e : std::as_const(*rows)) {
        if (json) {
            const QJsonObject line{
                {QStringLiteral("id"), e.id},
                {QStringLiteral("received_at"), isoTime(e.receivedAtMs)},
                {QStringLiteral("route"), e.route},
                {QStringLiteral("method"), e.method},
                {QStringLiteral("url"), e.url},
                {QStringLiteral("remote_addr"), e.remoteAddr},
                {QStringLiteral("status"), e.status},
                {QStringLiteral("attempts"), e.attempts},
                {QStringLiteral("response_status"), e.responseStatus},
                {QStringLiteral("error"), e.error.isEmpty() ? QJsonValue() : QJsonValue(e.error)},
                {QStringLiteral("lead_id"),
                 e.leadId.isEmpty() ? QJsonValue() : QJsonValue(e.leadId)},
                {QStringLiteral("processed_at"),
                 e.processedAtMs > 0 ? QJsonValue(isoTime(e.processedAtMs)) : QJsonValue()}};
            out() << QJsonDocument(line).toJson(QJsonDocument::Compact) << "\n";
        } else {
            out() << e.id << "  " << isoTime(e.receivedAtMs) << "  " << e.route << "  " << e.status
                  << "  " << e.responseStatus << "  attempts " << e.attempts;
            if (!e.error.isEmpty())
                out() << "  " << e.error;
            out() << "\n";
        }
    }
    out().flush();
    return ExitOk;
}

// The Graph client replay fetches Lead Ads leads with: the page token the receiver uses
// (meta.page_access_token, or a leadads source's access_token); none without one.
std::unique_ptr<Sync::GraphApiClient>
graphClient(const QCommandLineParser &parser, const std::function<QString(const QString &)> &secret)
{
    Sync::GraphApiClient::Config config;
    config.accessToken = secret(QStringLiteral("meta.page_access_token"));
    if (config.accessToken.isEmpty())
        config.accessToken = secret(QStringLiteral("meta.access_token"));
    if (config.accessToken.isEmpty())
        return nullptr;
    config.appSecret = secret(QStringLiteral("meta.app_secret"));
    if (parser.isSet(QStringLiteral("graph-url")))
        config.baseUrl = QUrl(parser.value(QStringLiteral("graph-url")));
    return std::make_unique<Sync::GraphApiClient>(config);
}

int runReplay(const CtlContext &context, const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Re-run journalled requests through their route: one by id (failed or rejected), or "
        "every failed one."));
    parser.addOption({QStringLiteral("failed"), QStringLiteral("Every failed request, oldest "
                                                               "first.")});
    parser.addPositionalArgument(QStringLiteral("id"), QStringLiteral("A journal entry id."));
    addSecretsOption(parser);
    parser.addOption({QStringLiteral("graph-url"),
                      QStringLiteral("The Graph API's base URL, for Lead Ads (default "
                                     "https://graph.facebook.com)."),
                      QStringLiteral("url")});
    CtlContext sub = context;
    sub.arguments = arguments;
    if (!parseOrExplain(parser, sub))
        return ExitUsage;
    const bool all = parser.isSet(QStringLiteral("failed"));
    const QStringList positional = parser.positionalArguments();
    if (all == (positional.size() == 1) || positional.size() > 1) {
        printError(QStringLiteral("journal replay needs one journal id or --failed"));
        return ExitUsage;
    }
    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;

    auto sources = Core::SourceRepository(*db).list(business.id);
    if (!sources) {
        printError(sources.error().message);
        return ExitFailure;
    }
    const auto secrets = secretLookup(parser, sub, *sources);
    if (!secrets)
        return ExitFailure;
    Sync::RouteEnvironment environment{business, context.dataDir, QString(), secrets->lookup};
    // Lead Ads deliveries: with a page token, the leads are fetched and stored now, inside the
    // row's transaction; a fetch that fails leaves the row failed, saying why.
    std::unique_ptr<Sync::GraphApiClient> graph = graphClient(parser, secrets->lookup);
    if (graph) {
        environment.leadgenHandler = [&graph](const QList<Sync::LeadAdsAdapter::LeadgenRef> &refs,
                                              Sync::WriteContext &write) -> Core::Result<void> {
            auto leads = Sync::LeadAdsFetcher::fetchNow(*graph, refs);
            if (!leads)
                return std::unexpected(leads.error());
            auto applied = Sync::MetaRouteSupport::applyEvents(*leads, write);
            if (!applied)
                return std::unexpected(applied.error());
            return {};
        };
    }
    auto routes = std::make_shared<Sync::InboundRouteTable>();
    if (auto ok = Sync::registerDefaultRoutes(*routes, environment); !ok) {
        printError(ok.error().toString());
        return ExitFailure;
    }
    Sync::JournalProcessor processor(routes, business, {});

    QStringList ids = positional;
    if (all) {
        auto failed = Core::InboundJournal(*db).idsWithStatus(QStringLiteral("failed"));
        if (!failed) {
            printError(failed.error().message);
            return ExitFailure;
        }
        ids = *failed;
        if (ids.isEmpty()) {
            out() << "no failed requests to replay\n";
            out().flush();
            return ExitOk;
        }
    }
    int stillFailing = 0;
    for (const QString &id : std::as_const(ids)) {
        // One transaction per row: a row that fails again does not hold back the others.
        Core::Transaction transaction(*db);
        if (!transaction.isOpen()) {
            printError(transaction.error().message);
            return ExitFailure;
        }
        auto replayed = processor.replay(*db, id);
        if (!replayed) {
            processor.forgetCaches();
            printError(replayed.error().toString());
            return ExitFailure;
        }
        if (auto ok = transaction.commit(); !ok) {
            printError(ok.error().message);
            return ExitFailure;
        }
        if (replayed->status == QLatin1String("failed"))
            ++stillFailing;
        out() << replayed->id << "  " << replayed->route << "  " << replayed->status;
        if (!replayed->leadId.isEmpty())
            out() << "  lead " << replayed->leadId;
        if (!replayed->error.isEmpty())
            out() << "  " << replayed->error;
        out() << "\n";
    }
    out() << "replayed " << ids.size() << (ids.size() == 1 ? " request" : " requests");
    if (stillFailing > 0)
        out() << ", " << stillFailing << " still failing";
    out() << "\n";
    out().flush();
    return stillFailing > 0 ? ExitFailure : ExitOk;
}

} // namespace

int runJournal(const CtlContext &context)
{
    const QStringList &args = context.arguments;
    if (args.size() < 2 || args.at(1) == QLatin1String("--help")
        || args.at(1) == QLatin1String("-h")) {
        const char *usage = "usage: leaddeskctl journal list [--failed|--status S] [--limit N] "
                            "[--json]\n"
                            "       leaddeskctl journal replay ID|--failed\n";
        if (args.size() < 2) {
            printError(QStringLiteral("journal needs a subcommand: list or replay"));
            std::fputs(usage, stderr);
            return ExitUsage;
        }
        out() << usage;
        out().flush();
        return ExitOk;
    }
    const QString sub = args.at(1);
    const QStringList rest = QStringList{args.at(0) + QLatin1Char(' ') + sub} + args.mid(2);
    if (sub == QLatin1String("list"))
        return runList(context, rest);
    if (sub == QLatin1String("replay"))
        return runReplay(context, rest);
    printError(QStringLiteral("unknown journal subcommand '%1' (list, replay)").arg(sub));
    return ExitUsage;
}

} // namespace LeadDesk::App
