// leaddeskctl serve: the headless receiver (DESIGN §2): webhooks and campaign forms over HTTP,
// JSON-lines logs on stderr, /health and /metrics, graceful drain on SIGTERM / SIGINT.
#include "ctlcommon.h"
#include "logsink.h"

#include "analyticsrollup.h"
#include "businessrepository.h"
#include "databasethread.h"
#include "engine.h"
#include "httpreceiver.h"
#include "receiverroutes.h"
#include "signalwatcher.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTimeZone>

#include <cstdio>
#include <exception>

Q_LOGGING_CATEGORY(lcServe, "leaddesk.serve")

namespace LeadDesk::App {

namespace {

bool s_verbose = false;

// The same JSON lines as the spdlog sink, for when that sink cannot be re-installed in JSON form
// (it was already installed for human output by main()).
void jsonLineHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (type == QtDebugMsg && !s_verbose)
        return;
    static const char *const levels[] = {"debug", "warning", "critical", "critical", "info"};
    const QJsonObject line{
        {QStringLiteral("time"),
         QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyy-MM-ddTHH:mm:ss.zzzZ"))},
        {QStringLiteral("log"),
         QJsonObject{{QStringLiteral("level"),
                      QString::fromLatin1(type == QtWarningMsg ? "warning" : levels[type])},
                     {QStringLiteral("category"),
                      QString::fromUtf8(context.category ? context.category : "default")},
                     {QStringLiteral("msg"), message}}}};
    const QByteArray text = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(text.constData(), 1, std::size_t(text.size()), stderr);
    std::fflush(stderr);
}

void installJsonLogs(bool verbose)
{
    s_verbose = verbose;
    try {
        installLogSink(LogFormat::JsonLines, verbose ? LogLevel::Verbose : LogLevel::Normal);
        return;
    } catch (const std::exception &) {
        // The sink refuses a second installation; fall back to our own JSON lines.
    }
    QLoggingCategory::setFilterRules(verbose ? QStringLiteral("leaddesk.*.debug=true")
                                             : QStringLiteral("leaddesk.*.debug=false"));
    qInstallMessageHandler(jsonLineHandler);
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
    parser.setApplicationDescription(QStringLiteral(
        "Receive webhooks and campaign forms over HTTP until SIGTERM / SIGINT."));
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
        || !parseCount(parser, QStringLiteral("rate-limit-campaign"),
                       &options.perCampaignPerHour)
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

    auto routes = std::make_shared<Sync::InboundRouteTable>();
    Sync::RouteEnvironment environment{*business, context.dataDir, options.publicBaseUrl,
                                       &Sync::secretFromEnvironment};
    if (auto ok = Sync::registerDefaultRoutes(*routes, environment); !ok) {
        printError(ok.error().toString());
        return ExitFailure;
    }

    int exitCode = ExitOk;
    {
        Sync::SignalWatcher watcher;
        Sync::HttpReceiver receiver(**writer, **reader, *business, routes, options);
        auto port = receiver.start();
        if (!port) {
            printError(port.error().message);
            return ExitFailure;
        }
        qCInfo(lcServe).noquote() << QStringLiteral("serving %1 on %2:%3 (data %4)")
                                         .arg(business->name, options.address.toString())
                                         .arg(*port)
                                         .arg(QDir(context.dataDir).absolutePath());
        QObject::connect(&watcher, &Sync::SignalWatcher::terminationRequested, &receiver,
                         [&](int number) {
                             qCInfo(lcServe) << "signal" << number
                                             << "received: draining (up to" << drainSeconds
                                             << "s)";
                             if (!receiver.drain(drainSeconds * 1000))
                                 exitCode = ExitFailure;
                             (*writer)->flush();
                             qCInfo(lcServe) << "drained; exiting";
                             QCoreApplication::exit(exitCode);
                         });
        QCoreApplication::exec();
    }
    reader->reset();
    writer->reset();
    return exitCode;
}

} // namespace LeadDesk::App
