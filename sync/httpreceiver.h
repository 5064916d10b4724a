#pragma once

#include "businessrepository.h"
#include "clock.h"
#include "databasethread.h"
#include "inboundroutetable.h"
#include "journalprocessor.h"
#include "receivermetrics.h"
#include "result.h"

#include <QHostAddress>
#include <QObject>
#include <QStringList>

#include <memory>

class QThread;

namespace LeadDesk::Sync {

class HttpReceiverServer;
struct HttpReceiverShared;

// The HTTP receiver (DESIGN §2, §6, §7): Qt HttpServer on its own thread, serving the routes of
// an InboundRouteTable plus GET /health and GET /metrics. Journalled requests are committed to
// inbound_journal by the store's writer in batches - every request that arrives while the writer
// is busy joins the next batch, one transaction and one fsync for all of them - and each is
// answered only after its batch has committed. Give it a writer started with
// StoreWriter::Options::fullSync so an answered request survives a power cut.
//
// Limits, all answered with seed 004's JSON error shape: a body over the cap (413, refused from
// its Content-Length before it is read; chunked bodies get 411), a head over 16 KiB (431), a
// content type the route does not take (415), an unknown path (404) or method (405), more than
// the per-peer / per-campaign rate (429 with Retry-After), a server draining (503).
class HttpReceiver final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QHostAddress address = QHostAddress::LocalHost;
        quint16 port = 0;      // 0: any free port (see port())
        QString publicBaseUrl; // how senders reach us (behind a proxy); no trailing slash
        qint64 maxBodyBytes = 1024 * 1024;
        qint64 maxHeadBytes = 16 * 1024;
        int perPeerPerMinute = 100;     // seed 004; 0: no limit
        int perCampaignPerHour = 1000;  // seed 004; 0: no limit
        bool trustForwardedFor = false; // behind a reverse proxy: the peer is X-Forwarded-For's
                                        // last hop
        QStringList allowedOrigins;     // CORS for browser forms; "*" allows any origin
        int idleTimeoutMs = 60'000;     // a connection with nothing in flight is closed after
        bool logRequests = true;        // one info line per request (leaddesk.http)
        JournalProcessor::Options processing;
    };

    // The writer and reader must outlive the receiver.
    HttpReceiver(Core::StoreWriter &writer, Core::StoreReader &reader, Core::Business business,
                 std::shared_ptr<const InboundRouteTable> routes, Options options,
                 const Core::Clock &clock = Core::Clock::system(), QObject *parent = nullptr);
    ~HttpReceiver() override;
    Q_DISABLE_COPY_MOVE(HttpReceiver)

    // Starts the server thread and listens; returns the port.
    Core::Result<quint16> start();
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] bool isRunning() const { return m_server != nullptr; }
    [[nodiscard]] const ReceiverMetrics &metrics() const;

    // Graceful stop: stops accepting connections, answers new requests on open connections with
    // 503, lets every request in flight finish (its commit and its answer) for up to
    // `timeoutMs`, closes the connections, waits for the writer and stops the thread. Blocks.
    // Returns false when requests were still in flight at the deadline (their journal rows,
    // if committed, stay; their senders get no answer and will retry).
    bool drain(int timeoutMs = 10'000);

    // Requests received and not yet answered.
    [[nodiscard]] int inFlight() const;

private:
    Core::StoreWriter &m_writer;
    Core::StoreReader &m_reader;
    Core::Business m_business;
    std::shared_ptr<const InboundRouteTable> m_routes;
    Options m_options;
    const Core::Clock &m_clock;
    std::shared_ptr<HttpReceiverShared> m_shared;
    QThread *m_thread = nullptr;
    QObject *m_anchor = nullptr; // lives on m_thread; runs code there
    HttpReceiverServer *m_server = nullptr;
    quint16 m_port = 0;
};

} // namespace LeadDesk::Sync
