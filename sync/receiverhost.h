#pragma once

#include "businessrepository.h"
#include "databasethread.h"
#include "httpreceiver.h"
#include "result.h"
#include "sourcerepository.h"

#include <QObject>
#include <QString>
#include <QStringList>

#include <functional>
#include <memory>
#include <vector>

namespace LeadDesk::Sync {

class FolderWatcher;
class GraphApiClient;
class LeadAdsFetcher;
class LeadAdsPoller;
class SlaMonitor;
struct LeadgenRelay;

// A receiver with everything around it (DESIGN §2, §7), for `leaddeskctl serve` and the desktop
// app: the HTTP receiver with every route (registerDefaultRoutes), a FolderWatcher per live `csv`
// source, Lead Ads (a LeadAdsFetcher for the Page webhook's leadgen references and a
// LeadAdsPoller for the forms listed in the `leadads` sources' "form_ids" setting) once a Page
// access token is configured, and optionally the SLA watch. Lives on a thread with an event loop
// (the GUI thread, or serve's main thread); the receiver runs on its own thread.
//
// Secrets come from `secret` by their RouteEnvironment names: meta.app_secret,
// meta.verify_token, meta.page_access_token (or meta.access_token), twilio.auth_token,
// thumbtack.username, thumbtack.password. The lookup is called from start() only.
//
// CORS is HttpReceiver::Options::allowedOrigins as given: it covers every path, so the host does
// not open it on its own; a chatbot widget on another site needs its origin there.
class ReceiverHost final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        HttpReceiver::Options http;
        bool watchFolders = true; // a FolderWatcher per live `csv` source (SourceRepository)
        bool pollLeadAds
            = true;            // GraphApiClient + LeadAdsPoller when meta.page_access_token is set
        bool checkSla = false; // an SlaMonitor every minute (serve: true; the desktop Engine
                               // runs its own)
        QString graphBaseUrl;  // empty: https://graph.facebook.com/<version> (tests point it
                               // at a fake; the version is appended)
    };
    using SecretLookup
        = std::function<QString(const QString &dottedName)>; // as RouteEnvironment::secret

    // The writer and reader must outlive the host.
    ReceiverHost(Core::StoreWriter &writer, Core::StoreReader &reader, Core::Business business,
                 QString dataDir, SecretLookup secret, Options options, QObject *parent = nullptr);
    ~ReceiverHost() override;
    Q_DISABLE_COPY_MOVE(ReceiverHost)

    // Registers the routes, starts HTTP, the folder watchers, Lead Ads and the SLA watch; returns
    // the bound port. A folder that cannot be watched is logged and skipped, not fatal.
    Core::Result<quint16> start();
    // Stops accepting (folders, polls too) and lets requests in flight finish; false on timeout.
    bool drain(int timeoutMs);
    // Stops and releases everything (drains briefly first if drain() was not called).
    void stop();
    [[nodiscard]] bool isRunning() const;
    // What to paste into each provider, "<provider>: <url>", from the public base URL or the
    // bound address; csv drop folders as "CSV drop folder (<name>): <path>". Empty until start().
    [[nodiscard]] QStringList webhookUrls() const;
    [[nodiscard]] quint16 port() const { return m_port; }

Q_SIGNALS:
    void folderImportFinished(const QString &file, bool ok, const QString &message);

private:
    void startFolders(const QList<Core::Source> &sources);
    void startLeadAds(const QList<Core::Source> &sources);

    Core::StoreWriter &m_writer;
    Core::StoreReader &m_reader;
    const Core::Business m_business;
    const QString m_dataDir;
    const SecretLookup m_secret;
    const Options m_options;

    std::shared_ptr<LeadgenRelay> m_relay; // what the Messenger route calls, cleared on stop
    std::unique_ptr<HttpReceiver> m_receiver;
    std::vector<std::unique_ptr<FolderWatcher>> m_watchers;
    std::unique_ptr<GraphApiClient> m_graph;
    std::unique_ptr<LeadAdsFetcher> m_fetcher;
    std::unique_ptr<LeadAdsPoller> m_poller;
    std::unique_ptr<SlaMonitor> m_sla;
    QStringList m_folderLines;
    quint16 m_port = 0;
    bool m_drained = false;
};

} // namespace LeadDesk::Sync
