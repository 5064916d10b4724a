#pragma once

// Private to the receiver: the Qt HttpServer subclass that runs on the receiver's thread. Only
// sync/*.cpp include this (Qt HttpServer is a private dependency of leaddesk_sync).

#include "httpreceiver.h"
#include "ratelimiter.h"

#include <QAbstractHttpServer>
#include <QElapsedTimer>
#include <QHash>
#include <QPointer>

#include <atomic>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

class QTcpSocket;

namespace LeadDesk::Sync {

class ConnectionGuard;

// What the receiver, its server thread and the store threads' callbacks share. Callbacks reach
// the server only through post(), which does nothing once the server is gone.
struct HttpReceiverShared
{
    ReceiverMetrics metrics;
    std::atomic<int> inFlight = 0;
    std::shared_ptr<JournalProcessor> processor;

    // Runs `work` on the server's thread, unless the server has been destroyed.
    void post(std::function<void(HttpReceiverServer &)> work);
    void attach(HttpReceiverServer *server);
    void detach();

private:
    std::mutex m_mutex;
    HttpReceiverServer *m_server = nullptr;
};

class HttpReceiverServer final : public QAbstractHttpServer
{
    Q_OBJECT
public:
    HttpReceiverServer(Core::StoreWriter &writer, Core::StoreReader &reader,
                       Core::Business business, std::shared_ptr<const InboundRouteTable> routes,
                       HttpReceiver::Options options, const Core::Clock &clock,
                       std::shared_ptr<HttpReceiverShared> shared);
    ~HttpReceiverServer() override;
    Q_DISABLE_COPY_MOVE(HttpReceiverServer)

    Core::Result<quint16> listenOn(const QHostAddress &address, quint16 port);
    // Stops accepting; idle connections close now, busy ones after their answer.
    void beginDrain();
    // Closes every connection (the end of a drain).
    void closeAll();

    // ConnectionGuard's view.
    [[nodiscard]] const HttpReceiver::Options &options() const { return m_options; }
    [[nodiscard]] bool isDraining() const { return m_draining; }
    void connectionOpened(QTcpSocket *socket, ConnectionGuard *guard);
    // A request refused before Qt HttpServer parsed it (head or body too large).
    void countEarlyRejection(int status, const QString &reason);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    struct Pending;     // one request on its way to an answer
    struct JournalItem; // a journalled request handed to the writer
    // Requests waiting for the next writer job; the job takes them all when it starts.
    struct JournalMailbox
    {
        std::mutex mutex;
        std::vector<std::shared_ptr<JournalItem>> items;
        bool jobQueued = false; // a job is submitted and has not started yet
    };

    InboundRequest viewOf(const QHttpServerRequest &request) const;
    void dispatch(std::shared_ptr<Pending> pending);
    void dispatchRead(std::shared_ptr<Pending> pending);
    void dispatchJournalled(std::shared_ptr<Pending> pending);
    void submitJournalJob();
    struct JournalBatch
    {
        std::vector<std::shared_ptr<JournalItem>> items;
        bool jobFailed = false; // the fast (savepoint-free) run needs an isolated re-run
    };
    // One writer job for a batch: taken from `mailbox` when the job starts (null: `batch` is
    // already filled). Runs without per-request savepoints first; if a request needs a
    // rollback, the job fails and the batch runs again with each request isolated.
    static void submitJournalBatch(Core::StoreWriter &writer,
                                   std::shared_ptr<HttpReceiverShared> shared,
                                   std::shared_ptr<JournalMailbox> mailbox,
                                   std::shared_ptr<JournalBatch> batch, bool isolated);
    void finishJournalled(JournalItem &item, const Core::Result<void> &committed);
    void answerHealth(std::shared_ptr<Pending> pending);
    void answerMetrics(std::shared_ptr<Pending> pending);
    void answerPreflight(std::shared_ptr<Pending> pending);
    // Sends the answer (if the connection is still there), logs and counts it.
    void finish(const std::shared_ptr<Pending> &pending, InboundResponse response,
                const QString &journalStatus = {});
    void reject(const std::shared_ptr<Pending> &pending, InboundResponse response,
                const QString &reason);
    [[nodiscard]] QByteArray allowedOrigin(const InboundRequest &request) const;

    Core::StoreWriter &m_writer;
    Core::StoreReader &m_reader;
    Core::Business m_business;
    std::shared_ptr<const InboundRouteTable> m_routes;
    HttpReceiver::Options m_options;
    const Core::Clock &m_clock;
    std::shared_ptr<HttpReceiverShared> m_shared;
    RateLimiter m_perPeer;
    RateLimiter m_perCampaign;
    [[nodiscard]] ConnectionGuard *guardOf(QTcpSocket *socket) const;
    // Journalled requests received and not yet taken by a writer job.
    [[nodiscard]] qint64 waitingForWriter() const;

    std::shared_ptr<JournalMailbox> m_mailbox;
    QHash<QTcpSocket *, ConnectionGuard *> m_connections; // the guard is the socket's child
    quint64 m_nextRequest = 0;
    bool m_draining = false;
};

} // namespace LeadDesk::Sync
