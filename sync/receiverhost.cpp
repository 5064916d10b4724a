#include "receiverhost.h"

#include "folderwatcher.h"
#include "graphapiclient.h"
#include "inboundrecorder.h"
#include "ingestionstages.h"
#include "leadadsfetcher.h"
#include "leadadspoller.h"
#include "leadingestor.h"
#include "normalizer.h"
#include "receiverroutes.h"
#include "scoringrules.h"
#include "slamonitor.h"

#include <QDir>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <mutex>

Q_LOGGING_CATEGORY(lcReceiverHost, "leaddesk.receiver")

namespace LeadDesk::Sync {

// The Messenger route calls the leadgen handler on the writer thread, possibly while the host is
// being torn down: it reaches the fetcher through this, which stop() empties first.
struct LeadgenRelay
{
    std::mutex mutex;
    LeadAdsFetcher *fetcher = nullptr;

    void enqueue(const QList<LeadAdsAdapter::LeadgenRef> &refs)
    {
        std::lock_guard lock(mutex);
        if (fetcher)
            fetcher->enqueue(refs); // thread-safe, queued: never blocks the writer
        else
            qCWarning(lcReceiverHost) << "leadgen references arrived while Lead Ads is stopped;"
                                      << refs.size() << "left for the poller";
    }
};

namespace {

// Where fetched and polled Lead Ads leads go: InboundRecorder on the writer, scored with the
// business's rules, routed and SLA-timed (Core::addStandardStages), as the journal applies
// webhook events.
LeadAdsFetcher::Sink leadSink(Core::StoreWriter &writer, const Core::Business &business)
{
    return [&writer, business](QList<Core::InboundEvent> leads) {
        return writer.submit([leads, business](Core::Database &db) -> Core::Result<void> {
            Core::LeadIngestor ingestor(db);
            if (auto rules = Core::ScoringRules::forBusiness(db, business.id))
                ingestor.setScoring(std::make_shared<const Core::ScoringRules>(std::move(*rules)));
            Core::addStandardStages(ingestor);
            const Core::Normalizer normalizer(business.defaultRegion);
            Core::InboundRecorder recorder(db, ingestor, normalizer);
            auto applied = recorder.apply(business.id, leads);
            if (!applied)
                return std::unexpected(applied.error());
            return {};
        });
    };
}

// The forms a `leadads` source polls: setting "form_ids" (comma or space separated, or a JSON
// array) or "form_id".
QStringList formIdsOf(const Core::Source &source)
{
    QStringList ids;
    const QJsonValue value = source.settings.value(QStringLiteral("form_ids"));
    if (value.isArray()) {
        for (const QJsonValue item : value.toArray())
            ids << item.toString().trimmed();
    } else {
        ids = value.toString().split(QRegularExpression(QStringLiteral("[,\\s]+")),
                                     Qt::SkipEmptyParts);
    }
    ids << source.settings.value(QStringLiteral("form_id")).toString().trimmed();
    ids.removeAll(QString());
    ids.removeDuplicates();
    return ids;
}

} // namespace

ReceiverHost::ReceiverHost(Core::StoreWriter &writer, Core::StoreReader &reader,
                           Core::Business business, QString dataDir, SecretLookup secret,
                           Options options, QObject *parent)
    : QObject(parent)
    , m_writer(writer)
    , m_reader(reader)
    , m_business(std::move(business))
    , m_dataDir(std::move(dataDir))
    , m_secret(std::move(secret))
    , m_options(std::move(options))
    , m_relay(std::make_shared<LeadgenRelay>())
{}

ReceiverHost::~ReceiverHost()
{
    stop();
}

Core::Result<quint16> ReceiverHost::start()
{
    if (m_receiver)
        return Core::fail(QStringLiteral("the receiver is already running"));
    m_drained = false;
    const QString businessId = m_business.id;
    auto listed = m_reader
                      .submitValue<QList<Core::Source>>([businessId](Core::Database &db) {
                          return Core::SourceRepository(db).list(businessId);
                      })
                      .result();
    if (!listed)
        return std::unexpected(listed.error());
    QList<Core::Source> sources;
    for (const Core::Source &source : std::as_const(*listed))
        if (source.enabled)
            sources << source;

    startLeadAds(sources); // before the routes: the Messenger route hands leadgens to it

    auto routes = std::make_shared<InboundRouteTable>();
    RouteEnvironment environment{m_business, m_dataDir, m_options.http.publicBaseUrl, m_secret};
    if (m_fetcher) {
        std::shared_ptr<LeadgenRelay> relay = m_relay;
        environment.leadgenHandler = [relay](const QList<LeadAdsAdapter::LeadgenRef> &refs,
                                             WriteContext &) -> Core::Result<void> {
            relay->enqueue(refs);
            return {};
        };
    }
    if (auto ok = registerDefaultRoutes(*routes, environment); !ok) {
        stop();
        return std::unexpected(ok.error());
    }
    m_receiver
        = std::make_unique<HttpReceiver>(m_writer, m_reader, m_business, routes, m_options.http);
    auto port = m_receiver->start();
    if (!port) {
        m_receiver.reset(); // never listened: nothing to drain
        stop();
        return std::unexpected(port.error());
    }
    m_port = *port;

    if (m_options.watchFolders)
        startFolders(sources);
    if (m_poller)
        m_poller->start();
    if (m_options.checkSla) {
        m_sla = std::make_unique<SlaMonitor>(m_writer, m_business.id);
        m_sla->start(60'000);
    }
    return m_port;
}

void ReceiverHost::startLeadAds(const QList<Core::Source> &sources)
{
    QString token = m_secret ? m_secret(QStringLiteral("meta.page_access_token")) : QString();
    if (token.isEmpty() && m_secret)
        token = m_secret(
            QStringLiteral("meta.access_token")); // `source add leadads --secret access_token`
    if (token.isEmpty()) {
        qCInfo(lcReceiverHost) << "Lead Ads: no meta.page_access_token; leadgen webhooks are kept "
                                  "in the journal for replay and no form is polled";
        return;
    }
    GraphApiClient::Config config;
    if (!m_options.graphBaseUrl.isEmpty())
        config.baseUrl = QUrl(m_options.graphBaseUrl);
    config.accessToken = token;
    config.appSecret = m_secret(QStringLiteral("meta.app_secret")); // adds appsecret_proof
    m_graph = std::make_unique<GraphApiClient>(config);
    const LeadAdsFetcher::Sink sink = leadSink(m_writer, m_business);
    m_fetcher = std::make_unique<LeadAdsFetcher>(*m_graph, sink, LeadAdsFetcher::Options{});
    connect(m_fetcher.get(), &LeadAdsFetcher::leadFailed, this,
            [](const QString &id, const QString &error, bool willRetry) {
                qCWarning(lcReceiverHost).noquote()
                    << QStringLiteral("Lead Ads: lead %1 not fetched: %2%3")
                           .arg(id, error, willRetry ? QStringLiteral(" (will retry)") : QString());
            });
    {
        std::lock_guard lock(m_relay->mutex);
        m_relay->fetcher = m_fetcher.get();
    }

    QStringList forms;
    for (const Core::Source &source : sources)
        if (source.kind == QLatin1String("leadads"))
            forms << formIdsOf(source);
    forms.removeDuplicates();
    if (!m_options.pollLeadAds || forms.isEmpty())
        return;
    LeadAdsPoller::Options pollOptions;
    pollOptions.formIds = forms;
    m_poller
        = std::make_unique<LeadAdsPoller>(*m_graph, m_writer, m_business.id, sink, pollOptions);
    connect(m_poller.get(), &LeadAdsPoller::formFailed, this,
            [](const QString &form, const QString &error, qint64) {
                qCWarning(lcReceiverHost).noquote()
                    << QStringLiteral("Lead Ads: polling form %1 failed: %2").arg(form, error);
            });
    connect(
        m_poller.get(), &LeadAdsPoller::formPolled, this,
        [](const QString &form, int newLeads, int, qint64) {
            if (newLeads > 0)
                qCInfo(lcReceiverHost).noquote()
                    << QStringLiteral("Lead Ads: form %1: %2 new leads").arg(form).arg(newLeads);
        });
    qCInfo(lcReceiverHost).noquote()
        << QStringLiteral("Lead Ads: polling forms %1").arg(forms.join(QStringLiteral(", ")));
}

void ReceiverHost::startFolders(const QList<Core::Source> &sources)
{
    m_folderLines.clear();
    for (const Core::Source &source : sources) {
        if (source.kind != QLatin1String("csv"))
            continue;
        auto options = FolderWatcher::optionsFor(source, m_business.defaultRegion);
        if (!options) {
            qCWarning(lcReceiverHost).noquote() << options.error().toString();
            continue;
        }
        // "~/..." is the user's home, as people write it in settings; other relative paths
        // are taken from the data folder.
        if (options->folder == QLatin1String("~")
            || options->folder.startsWith(QLatin1String("~/")))
            options->folder = QDir::home().filePath(options->folder.mid(2));
        else if (QDir::isRelativePath(options->folder))
            options->folder = QDir(m_dataDir).absoluteFilePath(options->folder);
        auto watcher = std::make_unique<FolderWatcher>(m_writer, *options);
        connect(
            watcher.get(), &FolderWatcher::fileProcessed, this,
            [this](const FolderWatcher::Outcome &outcome) {
                const auto &s = outcome.summary;
                const QString message
                    = outcome.succeeded
                          ? QStringLiteral("%1 read, %2 imported, %3 merged, %4 duplicates")
                                .arg(s.read)
                                .arg(s.imported)
                                .arg(s.merged)
                                .arg(s.duplicates)
                          : (outcome.error.isEmpty() ? QStringLiteral("%1 of %2 records failed")
                                                           .arg(s.failed)
                                                           .arg(s.read)
                                                     : outcome.error);
                if (outcome.succeeded)
                    qCInfo(lcReceiverHost).noquote()
                        << QStringLiteral("imported %1: %2").arg(outcome.fileName, message);
                else
                    qCWarning(lcReceiverHost).noquote()
                        << QStringLiteral("import of %1 failed: %2").arg(outcome.fileName, message);
                Q_EMIT folderImportFinished(outcome.fileName, outcome.succeeded, message);
            });
        if (auto started = watcher->start(); !started) {
            qCWarning(lcReceiverHost).noquote()
                << QStringLiteral("csv source '%1': %2")
                       .arg(source.name, started.error().toString());
            continue;
        }
        m_folderLines
            << QStringLiteral("CSV drop folder (%1): %2").arg(source.name, options->folder);
        m_watchers.push_back(std::move(watcher));
    }
}

bool ReceiverHost::drain(int timeoutMs)
{
    // Nothing new from the folders or Graph while the requests in flight finish.
    for (auto &watcher : m_watchers)
        watcher->stop();
    if (m_poller)
        m_poller->stop();
    if (m_sla)
        m_sla->stop();
    bool finished = true;
    if (m_receiver && !m_drained)
        finished = m_receiver->drain(timeoutMs);
    m_drained = true;
    return finished;
}

void ReceiverHost::stop()
{
    if (m_receiver && !m_drained)
        drain(2000);
    m_receiver.reset(); // no route calls the relay after this
    {
        std::lock_guard lock(m_relay->mutex);
        m_relay->fetcher = nullptr;
    }
    m_sla.reset();
    m_watchers.clear(); // an import under way finishes first
    m_poller.reset();
    m_fetcher.reset();
    m_graph.reset();
    m_folderLines.clear();
    m_port = 0;
    m_drained = false;
}

bool ReceiverHost::isRunning() const
{
    return m_receiver && m_receiver->isRunning() && !m_drained;
}

QStringList ReceiverHost::webhookUrls() const
{
    if (!m_receiver)
        return {};
    QString base = m_options.http.publicBaseUrl;
    if (base.isEmpty()) {
        QHostAddress address = m_options.http.address;
        if (address == QHostAddress::AnyIPv4 || address == QHostAddress::Any)
            address = QHostAddress::LocalHost;
        const QString host = address.protocol() == QAbstractSocket::IPv6Protocol
                                 ? QLatin1Char('[') + address.toString() + QLatin1Char(']')
                                 : address.toString();
        base = QStringLiteral("http://%1:%2").arg(host).arg(m_port);
    }
    QStringList lines{
        QStringLiteral("Campaign forms: ") + base + QStringLiteral("/v1/api/leads"),
        QStringLiteral("Chatbot API: ") + base + QStringLiteral("/api/"),
        QStringLiteral("WhatsApp (callback URL): ") + base + QStringLiteral("/webhooks/whatsapp"),
        QStringLiteral("Messenger / Lead Ads (Page webhook): ") + base
            + QStringLiteral("/webhooks/messenger"),
        QStringLiteral("Thumbtack (v4 webhook): ") + base + QStringLiteral("/webhooks/thumbtack"),
        QStringLiteral("Thumbtack (legacy lead): ") + base + QStringLiteral("/v1/lead"),
        QStringLiteral("Thumbtack (legacy message): ") + base + QStringLiteral("/v1/message"),
        QStringLiteral("Twilio (SMS webhook): ") + base + QStringLiteral("/webhooks/twilio/sms"),
        QStringLiteral("Twilio (status callback): ") + base
            + QStringLiteral("/webhooks/twilio/status")};
    return lines + m_folderLines;
}

} // namespace LeadDesk::Sync
