// leaddeskctl serve: the headless receiver (DESIGN §2): every channel's webhooks, campaign forms
// and the chatbot API over HTTP, the csv sources' drop folders, Lead Ads polling and the SLA
// watch (Sync::ReceiverHost); JSON-lines logs on stderr, /health and /metrics, graceful drain on
// SIGTERM / SIGINT. Secrets: the secrets file, then the environment (LEADDESK_META_APP_SECRET...).
#include "ctlcommon.h"
#include "ctlsecrets.h"
#include "logsink.h"

#include "analyticsrollup.h"
#include "businessrepository.h"
#include "databasethread.h"
#include "engine.h"
#include "receiverhost.h"
#include "receiverroutes.h"
#include "signalwatcher.h"
#include "sourcerepository.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcServe, "leaddesk.serve")

namespace LeadDesk::App {

namespace {

void installJsonLogs(bool verbose)
{
    installLogSink(LogFormat::JsonLines, verbose ? LogLevel::Verbose : LogLevel::Normal);
}

bool parseListen(const QString &text, QHostAddress *address, quint16 *port)
{
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint number = text.mid(colon + 1).toUInt(&ok);
    if (!ok || number > 65535)
        return false;
    if (host == QLatin1String("localhost"))
        *address = QHostAddress::LocalHost;
    else if (host == QLatin1String("*") || host == QLatin1String("0.0.0.0"))
        *address = QHostAddress::AnyIPv4;
    else if (!address->setAddress(host))
        return false;
    *port = quint16(number);
    return true;
}

bool parseCount(QCommandLineParser &parser, const QString &name, int *value)
{
    if (!parser.isSet(name))
        return true;
    bool ok = false;
    const int n = parser.value(name).toInt(&ok);
    if (!ok || n < 0) {
        printError(QStringLiteral("--%1 needs a whole number, 0 or more").arg(name));
        return false;
    }
    *value = n;
    return true;
}

} // namespace

int runServe(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Receive webhooks and campaign forms over HTTP until SIGTERM / SIGINT."));
    parser.addOption({QStringLiteral("listen"),
                      QStringLiteral("Address and port to listen on (default 127.0.0.1:8080; "
                                     "port 0 picks a free one)."),
                      QStringLiteral("host:port"), QStringLiteral("127.0.0.1:8080")});
    parser.addOption({QStringLiteral("public-url"),
                      QStringLiteral("The URL senders reach this server on, behind a reverse "
                                     "proxy (Twilio signs it)."),
                      QStringLiteral("url")});
    parser.addOption({QStringLiteral("max-body"),
                      QStringLiteral("Largest request body accepted, in bytes (default 1048576)."),
                      QStringLiteral("bytes")});
    parser.addOption({QStringLiteral("rate-limit-ip"),
                      QStringLiteral("Requests a minute per peer address (default 100; 0: off)."),
                      QStringLiteral("n")});
    parser.addOption({QStringLiteral("rate-limit-campaign"),
                      QStringLiteral("Form posts an hour per campaign (default 1000; 0: off)."),
                      QStringLiteral("n")});
    parser.addOption({QStringLiteral("trust-forwarded-for"),
                      QStringLiteral("Behind a reverse proxy: take the peer address from "
                                     "X-Forwarded-For.")});
    parser.addOption({QStringLiteral("allow-origin"),
                      QStringLiteral("An origin whose pages may post forms from a browser "
                                     "(CORS); repeatable; * for any."),
                      QStringLiteral("origin")});
    addSecretsOption(parser);
    parser.addOption({QStringLiteral("graph-url"),
                      QStringLiteral("The Graph API's base URL, for Lead Ads (default "
                                     "https://graph.facebook.com)."),
                      QStringLiteral("url")});
    parser.addOption({QStringLiteral("drain-timeout"),
                      QStringLiteral("Seconds to let requests in flight finish on SIGTERM "
                                     "(default 10)."),
                      QStringLiteral("seconds")});
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("serve takes no arguments"));
        return ExitUsage;
    }
    Sync::HttpReceiver::Options options;
    if (!parseListen(parser.value(QStringLiteral("listen")), &options.address, &options.port)) {
        printError(QStringLiteral("--listen needs HOST:PORT, e.g. 127.0.0.1:8080"));
        return ExitUsage;
    }
    options.publicBaseUrl = parser.value(QStringLiteral("public-url"));
    while (options.publicBaseUrl.endsWith(QLatin1Char('/')))
        options.publicBaseUrl.chop(1);
    if (!options.publicBaseUrl.isEmpty() && !QUrl(options.publicBaseUrl).isValid()) {
        printError(QStringLiteral("--public-url is not a URL"));
        return ExitUsage;
    }
    int maxBody = int(options.maxBodyBytes);
    int drainSeconds = 10;
    if (!parseCount(parser, QStringLiteral("max-body"), &maxBody)
        || !parseCount(parser, QStringLiteral("rate-limit-ip"), &options.perPeerPerMinute)
        || !parseCount(parser, QStringLiteral("rate-limit-campaign"), &options.perCampaignPerHour)
        || !parseCount(parser, QStringLiteral("drain-timeout"), &drainSeconds))
        return ExitUsage;
    options.maxBodyBytes = maxBody;
    options.trustForwardedFor = parser.isSet(QStringLiteral("trust-forwarded-for"));
    options.allowedOrigins = parser.values(QStringLiteral("allow-origin"));

    installJsonLogs(context.verbose);

    if (!QDir().mkpath(context.dataDir)) {
        printError(QStringLiteral("cannot create the data folder %1").arg(context.dataDir));
        return ExitFailure;
    }
    const QString path = Sync::Engine::storePath(context.dataDir);
    // synchronous=FULL: a request is answered only once its journal row is on disk.
    Core::StoreWriter::Options writerOptions;
    writerOptions.fullSync = true;
    writerOptions.smallJobs = true; // one request each: sub-journals in memory
    auto writer = Core::StoreWriter::start(path, writerOptions);
    if (!writer) {
        printError(writer.error().message);
        return ExitFailure;
    }
    auto business = (*writer)
                        ->submitValue<Core::Business>([](Core::Database &db) {
                            return Core::BusinessRepository(db).ensurePrimary();
                        })
                        .result();
    if (!business) {
        printError(business.error().message);
        return ExitFailure;
    }
    // The analytics endpoint answers from the rollup on the read-only connection: build it now
    // if this store never had one (triggers keep it current afterwards).
    const QString businessId = business->id;
    (*writer)
        ->submitStandalone([businessId](Core::Database &db) -> Core::Result<void> {
            Core::Transaction transaction(db);
            auto rebuilt = Core::AnalyticsRollup::ensureCurrent(db, businessId);
            if (!rebuilt) {
                qCWarning(lcServe).noquote() << rebuilt.error().toString();
                return {};
            }
            if (*rebuilt)
                qCInfo(lcServe) << "built the analytics rollup";
            return transaction.commit();
        })
        .waitForFinished();
    auto reader = Core::StoreReader::start(path);
    if (!reader) {
        printError(reader.error().message);
        return ExitFailure;
    }

    auto sources = (*reader)
                       ->submitValue<QList<Core::Source>>([businessId](Core::Database &db) {
                           return Core::SourceRepository(db).list(businessId);
                       })
                       .result();
    if (!sources) {
        printError(sources.error().message);
        return ExitFailure;
    }
    // Secrets: the file (refused unless only its owner can read it), then the environment.
    const auto secrets = secretLookup(parser, context, *sources);
    if (!secrets)
        return ExitFailure;

    Sync::ReceiverHost::Options hostOptions;
    hostOptions.http = options;
    hostOptions.checkSla = true;
    hostOptions.graphBaseUrl = parser.value(QStringLiteral("graph-url"));
    int exitCode = ExitOk;
    {
        Sync::SignalWatcher watcher;
        Sync::ReceiverHost host(**writer, **reader, *business, context.dataDir, secrets->lookup,
                                hostOptions);
        auto port = host.start();
        if (!port) {
            printError(port.error().message);
            return ExitFailure;
        }
        qCInfo(lcServe).noquote() << QStringLiteral("serving %1 on %2:%3 (data %4, secrets %5)")
                                         .arg(business->name, options.address.toString())
                                         .arg(*port)
                                         .arg(QDir(context.dataDir).absolutePath(),
                                              secrets->origin);
        for (const QString &url : host.webhookUrls())
            qCInfo(lcServe).noquote() << url;
        if (options.allowedOrigins.isEmpty())
            qCInfo(lcServe) << "no --allow-origin: browsers on other sites cannot call the "
                               "chatbot API or post forms";
        QObject::connect(&watcher, &Sync::SignalWatcher::terminationRequested, &host,
                         [&](int number) {
                             qCInfo(lcServe) << "signal" << number << "received: draining (up to"
                                             << drainSeconds << "s)";
                             if (!host.drain(drainSeconds * 1000))
                                 exitCode = ExitFailure;
                             (*writer)->flush();
                             qCInfo(lcServe) << "drained; exiting";
                             QCoreApplication::exit(exitCode);
                         });
        QCoreApplication::exec();
        host.stop();
    }
    reader->reset();
    writer->reset();
    return exitCode;
}

} // namespace LeadDesk::App
