#include "httpreceiverserver.h"

#include "inboundjournal.h"
#include "sqlitestatement.h"

#include <QHttpServerRequest>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMap>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>

#include <QFuture>

Q_LOGGING_CATEGORY(lcHttp, "leaddesk.http")

namespace LeadDesk::Sync {

namespace {

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Entity";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return status < 400 ? "OK" : "Error";
    }
}

// The whole answer as one buffer, so it leaves in one write.
QByteArray formatHttpResponse(const InboundResponse &response, bool close, const QByteArray &origin)
{
    QByteArray out;
    out.reserve(256 + response.body.size());
    out += "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status)
           + "\r\n";
    if (!response.body.isEmpty() || response.status != 204)
        out += "Content-Type: " + response.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    out += "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n";
    for (const auto &[name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    if (!origin.isEmpty())
        out += "Access-Control-Allow-Origin: " + origin + "\r\nVary: Origin\r\n";
    if (close)
        out += "Connection: close\r\n";
    out += "\r\n";
    out += response.body;
    return out;
}

// Where the blank line ending a request head is (the index after it), or -1.
qsizetype headEnd(const QByteArray &head)
{
    const qsizetype crlf = head.indexOf("\r\n\r\n");
    const qsizetype lf = head.indexOf("\n\n");
    if (crlf >= 0 && (lf < 0 || crlf < lf))
        return crlf + 4;
    return lf >= 0 ? lf + 2 : -1;
}

// The metrics' name for a route's refusal.
QString rejectionReason(int status)
{
    if (status == 401 || status == 403)
        return QStringLiteral("unauthorized");
    if (status == 400 || status == 422)
        return QStringLiteral("invalid_body");
    return QStringLiteral("refused_%1").arg(status);
}

QByteArray methodName(QHttpServerRequest::Method method)
{
    switch (method) {
    case QHttpServerRequest::Method::Get:
        return "GET";
    case QHttpServerRequest::Method::Put:
        return "PUT";
    case QHttpServerRequest::Method::Delete:
        return "DELETE";
    case QHttpServerRequest::Method::Post:
        return "POST";
    case QHttpServerRequest::Method::Head:
        return "HEAD";
    case QHttpServerRequest::Method::Options:
        return "OPTIONS";
    case QHttpServerRequest::Method::Patch:
        return "PATCH";
    case QHttpServerRequest::Method::Connect:
        return "CONNECT";
    case QHttpServerRequest::Method::Trace:
        return "TRACE";
    default:
        return "UNKNOWN";
    }
}

} // namespace

// Watches one connection ahead of Qt HttpServer, which buffers whatever a client sends: a head
// over the cap or a Content-Length over the body cap is refused before the body is read, and a
// connection with nothing in flight is closed when idle. It sees each readyRead first (it is
// connected before Qt HttpServer is), peeks without consuming, and only consumes what it refuses.
class ConnectionGuard final : public QObject
{
public:
    ConnectionGuard(QTcpSocket *socket, HttpReceiverServer *server)
        : QObject(socket)
        , m_socket(socket)
        , m_server(server)
    {
        connect(socket, &QTcpSocket::readyRead, this, [this] { onReadyRead(); });
        m_idle.setSingleShot(true);
        m_idle.setInterval(server->options().idleTimeoutMs);
        connect(&m_idle, &QTimer::timeout, this, [this] {
            if (pending == 0)
                m_socket->disconnectFromHost();
            else
                m_idle.start();
        });
        m_idle.start();
        m_linger.setSingleShot(true);
        connect(&m_linger, &QTimer::timeout, this, [this] { m_socket->abort(); });
    }

    int pending = 0; // requests of this connection in flight

    // A request of this connection arrived: its place in the answer order.
    quint64 admit()
    {
        ++pending;
        return m_nextSequence++;
    }

    // HTTP/1.1 answers leave in request order even when a later request (a pipelined GET) is
    // answered before an earlier one (a POST waiting for its commit).
    void deliver(quint64 sequence, QByteArray answer, bool close)
    {
        m_ready.insert(sequence, {std::move(answer), close});
        while (!m_ready.isEmpty() && m_ready.firstKey() == m_nextToWrite) {
            const auto [bytes, closeAfter] = m_ready.take(m_nextToWrite);
            ++m_nextToWrite;
            --pending;
            if (m_socket->state() == QAbstractSocket::ConnectedState)
                m_socket->write(bytes);
            if (closeAfter) {
                m_socket->flush();
                m_socket->disconnectFromHost();
                m_ready.clear();
                break;
            }
        }
        m_idle.start();
    }

private:
    void onReadyRead()
    {
        if (m_refused) {
            // Read and drop what the client still sends, so it reads our answer instead of a
            // reset; close once the announced body has arrived.
            const qint64 available = m_socket->bytesAvailable();
            m_socket->skip(available);
            m_discardLeft -= available;
            if (m_discardLeft <= 0)
                m_socket->disconnectFromHost();
            return;
        }
        m_idle.start();
        const HttpReceiver::Options &options = m_server->options();
        if (!m_socket->isTransactionStarted()) {
            // Qt HttpServer is between requests: what is buffered starts a new head.
            m_head.clear();
            m_inHead = true;
        }
        if (!m_inHead)
            return; // body bytes of a request whose head passed
        m_head += m_socket->peek(
            qMin<qint64>(m_socket->bytesAvailable(), options.maxHeadBytes + 8 - m_head.size()));
        while (m_head.startsWith("\r\n") || m_head.startsWith('\n'))
            m_head.remove(0, m_head.startsWith('\n') ? 1 : 2);
        const qsizetype end = headEnd(m_head);
        if (end < 0 || end > options.maxHeadBytes) {
            if (m_head.size() > options.maxHeadBytes)
                refuse(431, QStringLiteral("HEADERS_TOO_LARGE"),
                       QStringLiteral("The request head is larger than %1 bytes")
                           .arg(options.maxHeadBytes),
                       QStringLiteral("head_too_large"), 64 * 1024);
            return;
        }
        m_inHead = false;
        qint64 contentLength = 0;
        bool chunked = false;
        for (const QByteArray &line : m_head.left(end).split('\n')) {
            const qsizetype colon = line.indexOf(':');
            if (colon <= 0)
                continue;
            const QByteArray name = line.left(colon).trimmed().toLower();
            const QByteArray value = line.mid(colon + 1).trimmed();
            if (name == "content-length")
                contentLength = value.toLongLong();
            else if (name == "transfer-encoding" && !value.toLower().startsWith("identity"))
                chunked = true;
        }
        if (chunked) {
            refuse(411, QStringLiteral("LENGTH_REQUIRED"),
                   QStringLiteral("Send the body with a Content-Length, not chunked"),
                   QStringLiteral("chunked_body"), options.maxBodyBytes);
        } else if (contentLength > options.maxBodyBytes) {
            refuse(413, QStringLiteral("PAYLOAD_TOO_LARGE"),
                   QStringLiteral("The body is larger than %1 bytes").arg(options.maxBodyBytes),
                   QStringLiteral("body_too_large"), contentLength - (m_head.size() - end));
        }
    }

    void refuse(int status, const QString &code, const QString &message, const QString &reason,
                qint64 discard)
    {
        m_refused = true;
        m_discardLeft = qMin<qint64>(discard, 64LL * 1024 * 1024);
        const qint64 available = m_socket->bytesAvailable();
        m_socket->skip(available); // Qt HttpServer must not parse what we refused
        m_discardLeft -= m_head.size() > available ? 0 : available - m_head.size();
        m_server->countEarlyRejection(status, reason);
        // "Connection: close" in the answer; the socket itself closes once the rest is drained.
        deliver(admit(),
                formatHttpResponse(InboundResponse::error(status, code, message), true, {}), false);
        m_socket->flush();
        if (m_discardLeft <= 0)
            m_socket->disconnectFromHost();
        else
            m_linger.start(2000);
    }

    QTcpSocket *m_socket;
    HttpReceiverServer *m_server;
    quint64 m_nextSequence = 0;
    quint64 m_nextToWrite = 0;
    QMap<quint64, std::pair<QByteArray, bool>> m_ready; // answers waiting for an earlier one
    QByteArray m_head;
    bool m_inHead = false;
    bool m_refused = false;
    qint64 m_discardLeft = 0;
    QTimer m_idle;
    QTimer m_linger;
};

namespace {

// Hands every accepted socket to a ConnectionGuard before Qt HttpServer sees it.
class GuardedTcpServer final : public QTcpServer
{
public:
    GuardedTcpServer(HttpReceiverServer *server)
        : m_server(server)
    {}

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *socket = new QTcpSocket(this);
        if (!socket->setSocketDescriptor(descriptor)) {
            delete socket;
            return;
        }
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
        if (m_server->isDraining()) {
            socket->abort();
            socket->deleteLater();
            return;
        }
        m_server->connectionOpened(socket, new ConnectionGuard(socket, m_server));
        addPendingConnection(socket);
    }

private:
    HttpReceiverServer *m_server;
};

} // namespace

void HttpReceiverShared::post(std::function<void(HttpReceiverServer &)> work)
{
    std::lock_guard lock(m_mutex);
    if (!m_server)
        return;
    HttpReceiverServer *server = m_server;
    QMetaObject::invokeMethod(
        server, [server, work = std::move(work)] { work(*server); }, Qt::QueuedConnection);
}

void HttpReceiverShared::attach(HttpReceiverServer *server)
{
    std::lock_guard lock(m_mutex);
    m_server = server;
}

void HttpReceiverShared::detach()
{
    std::lock_guard lock(m_mutex);
    m_server = nullptr;
}

struct HttpReceiverServer::JournalItem
{
    std::shared_ptr<Pending> pending; // read-only on the writer; answered on the server thread
    std::shared_ptr<const PreparedRequest> prepared;
    QString headersJson;
    // Written by the writer, read by the server thread after the post.
    JournalProcessor::Answer answer;
    std::optional<Core::Error> error;
};

struct HttpReceiverServer::Pending
{
    QPointer<QTcpSocket> socket;
    InboundRequest request;
    const InboundRoute *route = nullptr;
    const InboundRoute::Spec *spec = nullptr;
    QString routeName = QStringLiteral("none");
    QElapsedTimer timer;
    quint64 sequence = 0; // its place among the connection's answers
    bool journalled = false;
    bool answered = false;
};

HttpReceiverServer::HttpReceiverServer(Core::StoreWriter &writer, Core::StoreReader &reader,
                                       Core::Business business,
                                       std::shared_ptr<const InboundRouteTable> routes,
                                       HttpReceiver::Options options, const Core::Clock &clock,
                                       std::shared_ptr<HttpReceiverShared> shared)
    : m_writer(writer)
    , m_reader(reader)
    , m_business(std::move(business))
    , m_routes(std::move(routes))
    , m_options(std::move(options))
    , m_clock(clock)
    , m_shared(std::move(shared))
    , m_perPeer(m_options.perPeerPerMinute, 60'000, clock)
    , m_perCampaign(m_options.perCampaignPerHour, 3'600'000, clock)
    , m_mailbox(std::make_shared<JournalMailbox>())
{
    m_shared->attach(this);
}

HttpReceiverServer::~HttpReceiverServer()
{
    m_shared->detach();
}

Core::Result<quint16> HttpReceiverServer::listenOn(const QHostAddress &address, quint16 port)
{
    auto *tcp = new GuardedTcpServer(this);
    if (!tcp->listen(address, port)) {
        const QString error = tcp->errorString();
        delete tcp;
        return Core::fail(QStringLiteral("cannot listen on %1:%2: %3")
                              .arg(address.toString())
                              .arg(port)
                              .arg(error));
    }
    bind(tcp);
    return tcp->serverPort();
}

void HttpReceiverServer::beginDrain()
{
    m_draining = true;
    for (QTcpServer *server : servers())
        server->close();
    for (auto it = m_connections.cbegin(); it != m_connections.cend(); ++it) {
        if (it.value()->pending == 0)
            it.key()->disconnectFromHost();
    }
}

void HttpReceiverServer::closeAll()
{
    const QList<QTcpSocket *> sockets = m_connections.keys();
    for (QTcpSocket *socket : sockets) {
        socket->flush(); // the last answers leave before the sockets go
        socket->disconnectFromHost();
    }
}

ConnectionGuard *HttpReceiverServer::guardOf(QTcpSocket *socket) const
{
    return socket ? m_connections.value(socket) : nullptr;
}

qint64 HttpReceiverServer::waitingForWriter() const
{
    std::lock_guard lock(m_mailbox->mutex);
    return qint64(m_mailbox->items.size());
}

void HttpReceiverServer::connectionOpened(QTcpSocket *socket, ConnectionGuard *guard)
{
    m_connections.insert(socket, guard);
    connect(socket, &QObject::destroyed, this, [this, socket] { m_connections.remove(socket); });
}

void HttpReceiverServer::countEarlyRejection(int status, const QString &reason)
{
    m_shared->metrics.countRequest(QStringLiteral("none"), status);
    m_shared->metrics.countRejected(reason);
    qCInfo(lcHttp).noquote()
        << QStringLiteral("refused before reading: %1 (%2)").arg(status).arg(reason);
}

InboundRequest HttpReceiverServer::viewOf(const QHttpServerRequest &request) const
{
    InboundRequest view;
    view.method = methodName(request.method());
    view.url = request.url();
    view.path = view.url.path(QUrl::FullyDecoded);
    view.query = request.query();
    const auto headers = request.headers();
    view.headers.reserve(headers.size());
    for (const auto &[name, value] : headers)
        view.headers.push_back({name.toLower(), value});
    view.body = request.body();
    QHostAddress peer = request.remoteAddress();
    bool mapped = false;
    const quint32 v4 = peer.toIPv4Address(&mapped);
    if (mapped)
        peer = QHostAddress(v4);
    view.remoteAddress = peer.toString();
    if (m_options.trustForwardedFor) {
        const QByteArray forwarded = view.header("x-forwarded-for");
        // The last hop is the one our own proxy appended; the ones before it are the client's word.
        const QByteArray last = forwarded.mid(forwarded.lastIndexOf(',') + 1).trimmed();
        QHostAddress client;
        if (!last.isEmpty() && client.setAddress(QString::fromLatin1(last)))
            view.remoteAddress = client.toString();
    }
    view.publicBaseUrl = m_options.publicBaseUrl;
    view.receivedAtMs = m_clock.nowMs();
    return view;
}

bool HttpReceiverServer::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    auto pending = std::make_shared<Pending>();
    pending->timer.start();
    pending->socket = socket;
    pending->request = viewOf(request);
    pending->request.requestId = QString::number(++m_nextRequest);
    ++m_shared->inFlight;
    if (ConnectionGuard *guard = guardOf(socket))
        pending->sequence = guard->admit();
    if (socket->bytesAvailable() > 0) {
        // A pipelined request already buffered: Qt HttpServer 6.4 reads one request per
        // readyRead, so give it another once this one is on its way.
        QTimer::singleShot(0, socket, [socket] {
            if (socket->bytesAvailable() > 0)
                Q_EMIT socket->readyRead();
        });
    }
    dispatch(std::move(pending));
    return true;
}

void HttpReceiverServer::missingHandler(const QHttpServerRequest &, QTcpSocket *)
{
    // handleRequest() answers everything.
}

void HttpReceiverServer::dispatch(std::shared_ptr<Pending> pending)
{
    InboundRequest &request = pending->request;
    if (m_draining) {
        reject(pending,
               InboundResponse::error(503, QStringLiteral("SERVICE_UNAVAILABLE"),
                                      QStringLiteral("The server is shutting down; retry")),
               QStringLiteral("draining"));
        return;
    }
    if (request.method == "OPTIONS") {
        answerPreflight(pending);
        return;
    }
    if (request.method == "GET" && request.path == QLatin1String("/health")) {
        pending->routeName = QStringLiteral("health");
        answerHealth(pending);
        return;
    }
    if (request.method == "GET" && request.path == QLatin1String("/metrics")) {
        pending->routeName = QStringLiteral("metrics");
        answerMetrics(pending);
        return;
    }
    InboundRouteTable::Match match = m_routes->match(request.method, request.path);
    if (!match.route) {
        if (match.allowed.isEmpty()) {
            reject(pending,
                   InboundResponse::error(404, QStringLiteral("NOT_FOUND"),
                                          QStringLiteral("No such path: %1").arg(request.path)),
                   QStringLiteral("not_found"));
        } else {
            InboundResponse response = InboundResponse::error(
                405, QStringLiteral("METHOD_NOT_ALLOWED"),
                QStringLiteral("%1 is not allowed here").arg(QString::fromLatin1(request.method)));
            response.headers.push_back({"Allow", match.allowed.join(", ")});
            reject(pending, std::move(response), QStringLiteral("method_not_allowed"));
        }
        return;
    }
    pending->route = match.route;
    pending->spec = match.spec;
    pending->routeName = match.spec->name;
    request.pathParams = std::move(match.params);
    const InboundRoute::Spec &spec = *match.spec;

    if (spec.rateLimited) {
        const RateLimiter::Decision decision = m_perPeer.take(request.remoteAddress);
        if (!decision.allowed) {
            InboundResponse response = InboundResponse::error(
                429, QStringLiteral("RATE_LIMITED"),
                QStringLiteral("More than %1 requests a minute from this address")
                    .arg(m_perPeer.limit()));
            response.headers.push_back(
                {"Retry-After",
                 QByteArray::number(RateLimiter::retryAfterSeconds(decision.retryAfterMs))});
            reject(pending, std::move(response), QStringLiteral("rate_limit_ip"));
            return;
        }
    }
    const bool hasBody = !request.body.isEmpty() || request.method == "POST"
                         || request.method == "PUT" || request.method == "PATCH";
    if (hasBody && request.body.size() > spec.maxBodyBytes) {
        reject(pending,
               InboundResponse::error(
                   413, QStringLiteral("PAYLOAD_TOO_LARGE"),
                   QStringLiteral("The body is larger than %1 bytes").arg(spec.maxBodyBytes)),
               QStringLiteral("body_too_large"));
        return;
    }
    if (hasBody && !spec.contentTypes.isEmpty()
        && !spec.contentTypes.contains(request.mediaType())) {
        reject(pending,
               InboundResponse::error(415, QStringLiteral("UNSUPPORTED_MEDIA_TYPE"),
                                      QStringLiteral("The body must be %1")
                                          .arg(QString::fromLatin1(spec.contentTypes.join(" or "))),
                                      QStringLiteral("Content-Type")),
               QStringLiteral("unsupported_media_type"));
        return;
    }
    if (std::optional<InboundResponse> screened = pending->route->screen(request)) {
        if (screened->isSuccess())
            finish(pending, std::move(*screened));
        else
            reject(pending, std::move(*screened), rejectionReason(screened->status));
        return;
    }
    switch (spec.kind) {
    case InboundRoute::Kind::Direct:
        finish(pending, InboundResponse::error(500, QStringLiteral("INTERNAL_ERROR"),
                                               QStringLiteral("The route gave no answer")));
        return;
    case InboundRoute::Kind::Read:
        dispatchRead(std::move(pending));
        return;
    case InboundRoute::Kind::Journalled:
        dispatchJournalled(std::move(pending));
        return;
    }
}

void HttpReceiverServer::dispatchRead(std::shared_ptr<Pending> pending)
{
    auto request = std::make_shared<const InboundRequest>(pending->request);
    const InboundRoute *route = pending->route;
    auto business = std::make_shared<const Core::Business>(m_business);
    const Core::Clock *clock = &m_clock;
    auto shared = m_shared;
    m_reader
        .submitValue<InboundResponse>(
            [request, route, business, clock](Core::Database &db) -> Core::Result<InboundResponse> {
                ReadContext context{db, *business, *clock};
                return route->read(*request, context);
            })
        .then(QtFuture::Launch::Sync,
              [shared, pending](const Core::Result<InboundResponse> &answer) {
                  // On the reader's thread: hand the answer to the server's.
                  shared->post([pending, answer](HttpReceiverServer &server) {
                      if (answer) {
                          server.finish(pending, *answer);
                          return;
                      }
                      qCWarning(lcHttp).noquote()
                          << QStringLiteral("%1 failed: %2")
                                 .arg(pending->routeName, answer.error().toString());
                      server.finish(
                          pending, InboundResponse::error(500, QStringLiteral("INTERNAL_ERROR"),
                                                          QStringLiteral("The request could not be "
                                                                         "answered")));
                  });
              });
}

void HttpReceiverServer::dispatchJournalled(std::shared_ptr<Pending> pending)
{
    auto prepared
        = std::make_shared<const PreparedRequest>(pending->route->prepare(pending->request));
    if (!prepared->rateKey.isEmpty()) {
        const RateLimiter::Decision decision = m_perCampaign.take(prepared->rateKey);
        if (!decision.allowed) {
            InboundResponse response = InboundResponse::error(
                429, QStringLiteral("RATE_LIMITED"),
                QStringLiteral("More than %1 requests an hour for this campaign")
                    .arg(m_perCampaign.limit()));
            response.headers.push_back(
                {"Retry-After",
                 QByteArray::number(RateLimiter::retryAfterSeconds(decision.retryAfterMs))});
            reject(pending, std::move(response), QStringLiteral("rate_limit_campaign"));
            return;
        }
    }
    pending->journalled = true;
    auto item = std::make_shared<JournalItem>();
    item->pending = std::move(pending);
    item->prepared = std::move(prepared);
    // Built here rather than on the writer, whose time is what bounds the request rate.
    item->headersJson = JournalProcessor::journalHeaders(item->pending->request);

    // Group commit: every request that arrives while the writer is busy goes into the next
    // writer job, which takes all of them when it starts (one transaction, one fsync).
    bool needJob = false;
    {
        std::lock_guard lock(m_mailbox->mutex);
        m_mailbox->items.push_back(std::move(item));
        needJob = !m_mailbox->jobQueued;
        m_mailbox->jobQueued = true;
    }
    if (needJob)
        submitJournalJob();
}

void HttpReceiverServer::submitJournalJob()
{
    submitJournalBatch(m_writer, m_shared, m_mailbox, std::make_shared<JournalBatch>(), false);
}

void HttpReceiverServer::submitJournalBatch(Core::StoreWriter &writer,
                                            std::shared_ptr<HttpReceiverShared> shared,
                                            std::shared_ptr<JournalMailbox> mailbox,
                                            std::shared_ptr<JournalBatch> batch, bool isolated)
{
    // A standalone job with its own transaction: the writer's ordinary jobs each run inside a
    // savepoint, and a savepoint makes SQLite copy every page the batch touches into its
    // sub-journal - a third of a lead's cost. Rollback is handled here instead (see below).
    writer
        .submitStandalone([shared, mailbox, batch,
                           isolated](Core::Database &db) -> Core::Result<void> {
            if (mailbox) {
                std::lock_guard lock(mailbox->mutex);
                batch->items.swap(mailbox->items);
                mailbox->jobQueued = false;
            }
            Core::Transaction transaction(db);
            if (!transaction.isOpen())
                return std::unexpected(transaction.error());
            for (const std::shared_ptr<JournalItem> &item : batch->items) {
                const Pending &pending = *item->pending;
                auto received = shared->processor->receive(db, *pending.route, pending.routeName,
                                                           pending.request, *item->prepared,
                                                           item->headersJson, isolated);
                if (received) {
                    item->answer = std::move(*received);
                    item->error.reset();
                } else if (!isolated) {
                    // Rolled back (the transaction guard); the batch runs again, each request
                    // in its own savepoint.
                    batch->jobFailed = true;
                    return std::unexpected(received.error());
                } else {
                    item->error = received.error();
                    shared->processor->forgetCaches();
                }
            }
            return transaction.commit();
        })
        .then(QtFuture::Launch::Sync,
              [&writer, shared, batch, isolated](const Core::Result<void> &committed) {
                  // On the writer's thread, after the commit (or its failure).
                  if (!committed)
                      shared->processor->forgetCaches();
                  if (!isolated && batch->jobFailed) {
                      batch->jobFailed = false;
                      submitJournalBatch(writer, shared, nullptr, batch, true);
                      return;
                  }
                  shared->post([batch, committed](HttpReceiverServer &server) {
                      for (const std::shared_ptr<JournalItem> &item : batch->items)
                          server.finishJournalled(*item, committed);
                  });
              });
}

void HttpReceiverServer::finishJournalled(JournalItem &item, const Core::Result<void> &committed)
{
    const std::shared_ptr<Pending> &pending = item.pending;
    if (committed && !item.error) {
        const InboundResponse &response = item.answer.response;
        if (item.answer.journalStatus == QLatin1String("rejected")
            || (item.answer.journalId.isEmpty() && !response.isSuccess()))
            m_shared->metrics.countRejected(rejectionReason(response.status));
        finish(pending, std::move(item.answer.response), item.answer.journalStatus);
        return;
    }
    // Nothing of this request was kept: the sender must retry.
    const Core::Error error = committed ? *item.error : committed.error();
    qCWarning(lcHttp).noquote() << QStringLiteral("%1: the store refused request %2: %3")
                                       .arg(pending->routeName, pending->request.requestId,
                                            error.toString());
    finish(pending, InboundResponse::error(503, QStringLiteral("SERVICE_UNAVAILABLE"),
                                           QStringLiteral("The request could not be stored; "
                                                          "retry later")));
}

void HttpReceiverServer::answerHealth(std::shared_ptr<Pending> pending)
{
    auto shared = m_shared;
    const qint64 writerQueue = qint64(m_writer.backlog()) + waitingForWriter();
    // A write on the writer proves the store takes writes and the writer is not stuck.
    m_writer
        .submitValue<Core::JournalCounts>(
            [](Core::Database &db) -> Core::Result<Core::JournalCounts> {
                if (auto ok
                    = db.statement("UPDATE inbound_journal SET attempts = attempts WHERE id = ''")
                          .execute();
                    !ok)
                    return std::unexpected(ok.error());
                return Core::InboundJournal(db).counts();
            })
        .then(QtFuture::Launch::Sync,
              [shared, pending, writerQueue](const Core::Result<Core::JournalCounts> &counts) {
                  shared->post([pending, counts, writerQueue](HttpReceiverServer &server) {
                      // Received but not journalled yet (queued for the writer), and journal rows
                      // not processed yet (none, unless another process left some).
                      QJsonObject journal{{QStringLiteral("writer_queue"), writerQueue}};
                      if (counts) {
                          journal.insert(QStringLiteral("pending"), counts->pending);
                          journal.insert(QStringLiteral("failed"), counts->failed);
                          journal.insert(QStringLiteral("backlog"), counts->pending + writerQueue);
                      }
                      QJsonObject database{{QStringLiteral("writable"), bool(counts)}};
                      if (!counts)
                          database.insert(QStringLiteral("error"), counts.error().toString());
                      const bool ok = counts && !server.m_draining;
                      server.finish(pending,
                                    InboundResponse::json(
                                        ok ? 200 : 503,
                                        QJsonObject{{QStringLiteral("status"),
                                                     server.m_draining ? QStringLiteral("draining")
                                                     : ok              ? QStringLiteral("ok")
                                                          : QStringLiteral("unavailable")},
                                                    {QStringLiteral("database"), database},
                                                    {QStringLiteral("journal"), journal},
                                                    {QStringLiteral("in_flight"),
                                                     server.m_shared->inFlight.load()}}));
                  });
              });
    QTimer::singleShot(2000, this, [this, pending] {
        if (!pending->answered)
            finish(pending,
                   InboundResponse::json(
                       503, QJsonObject{{QStringLiteral("status"), QStringLiteral("unavailable")},
                                        {QStringLiteral("database"),
                                         QJsonObject{{QStringLiteral("writable"), false},
                                                     {QStringLiteral("error"),
                                                      QStringLiteral("the store's writer "
                                                                     "did not answer "
                                                                     "within 2 s")}}}}));
    });
}

void HttpReceiverServer::answerMetrics(std::shared_ptr<Pending> pending)
{
    auto shared = m_shared;
    const qint64 writerQueue = qint64(m_writer.backlog()) + waitingForWriter();
    m_reader
        .submitValue<Core::JournalCounts>(
            [](Core::Database &db) -> Core::Result<Core::JournalCounts> {
                return Core::InboundJournal(db).counts();
            })
        .then(QtFuture::Launch::Sync, [shared, pending, writerQueue](
                                          const Core::Result<Core::JournalCounts> &counts) {
            shared->post([pending, counts, writerQueue](HttpReceiverServer &server) {
                ReceiverMetrics::Gauges gauges;
                if (counts) {
                    gauges.journalPending = counts->pending;
                    gauges.journalFailed = counts->failed;
                }
                gauges.writerQueue = writerQueue;
                gauges.inFlight = server.m_shared->inFlight.load() - 1; // not this request
                gauges.connections = server.m_connections.size();
                gauges.draining = server.m_draining;
                server.finish(pending, InboundResponse::text(
                                           200, server.m_shared->metrics.prometheusText(gauges),
                                           "text/plain; version=0.0.4; charset=utf-8"));
            });
        });
}

void HttpReceiverServer::answerPreflight(std::shared_ptr<Pending> pending)
{
    // CORS preflight for browser forms posting JSON from the campaign's landing page.
    const InboundRouteTable::Match match = m_routes->match("OPTIONS", pending->request.path);
    if (match.allowed.isEmpty()) {
        reject(
            pending,
            InboundResponse::error(404, QStringLiteral("NOT_FOUND"),
                                   QStringLiteral("No such path: %1").arg(pending->request.path)),
            QStringLiteral("not_found"));
        return;
    }
    InboundResponse response;
    response.status = 204;
    const QByteArray methods = match.allowed.join(", ") + ", OPTIONS";
    response.headers.push_back({"Allow", methods});
    if (!allowedOrigin(pending->request).isEmpty()) {
        response.headers.push_back({"Access-Control-Allow-Methods", methods});
        response.headers.push_back(
            {"Access-Control-Allow-Headers", "Content-Type, X-Campaign-Token, Idempotency-Key"});
        response.headers.push_back({"Access-Control-Max-Age", "600"});
    }
    finish(pending, std::move(response));
}

void HttpReceiverServer::finish(const std::shared_ptr<Pending> &pending, InboundResponse response,
                                const QString &journalStatus)
{
    if (pending->answered)
        return;
    pending->answered = true;
    const InboundRequest &request = pending->request;
    QTcpSocket *socket = pending->socket.data();
    ConnectionGuard *guard = guardOf(socket);
    const bool close = m_draining || request.header("connection").toLower() == "close";
    if (guard)
        guard->deliver(pending->sequence,
                       formatHttpResponse(response, close, allowedOrigin(request)), close);
    const double seconds = double(pending->timer.nsecsElapsed()) / 1e9;
    m_shared->metrics.countRequest(pending->routeName, response.status);
    if (pending->journalled)
        m_shared->metrics.observeIngestLatency(pending->routeName, seconds);
    --m_shared->inFlight;
    if (m_options.logRequests) {
        qCInfo(lcHttp).noquote() << QStringLiteral("%1 %2 -> %3 route=%4 peer=%5 ms=%6%7")
                                        .arg(QString::fromLatin1(request.method), request.path)
                                        .arg(response.status)
                                        .arg(pending->routeName, request.remoteAddress)
                                        .arg(seconds * 1000.0, 0, 'f', 1)
                                        .arg(journalStatus.isEmpty()
                                                 ? QString()
                                                 : QStringLiteral(" journal=") + journalStatus);
    }
}

void HttpReceiverServer::reject(const std::shared_ptr<Pending> &pending, InboundResponse response,
                                const QString &reason)
{
    m_shared->metrics.countRejected(reason);
    finish(pending, std::move(response));
}

QByteArray HttpReceiverServer::allowedOrigin(const InboundRequest &request) const
{
    const QByteArray origin = request.header("origin");
    if (origin.isEmpty() || m_options.allowedOrigins.isEmpty())
        return {};
    if (m_options.allowedOrigins.contains(QStringLiteral("*")))
        return "*";
    return m_options.allowedOrigins.contains(QString::fromUtf8(origin)) ? origin : QByteArray();
}

} // namespace LeadDesk::Sync
