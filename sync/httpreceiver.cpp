#include "httpreceiver.h"

#include "httpreceiverserver.h"

#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QThread>

#include <thread>

Q_DECLARE_LOGGING_CATEGORY(lcHttp)

namespace LeadDesk::Sync {

HttpReceiver::HttpReceiver(Core::StoreWriter &writer, Core::StoreReader &reader,
                           Core::Business business, std::shared_ptr<const InboundRouteTable> routes,
                           Options options, const Core::Clock &clock, QObject *parent)
    : QObject(parent)
    , m_writer(writer)
    , m_reader(reader)
    , m_business(std::move(business))
    , m_routes(std::move(routes))
    , m_options(std::move(options))
    , m_clock(clock)
    , m_shared(std::make_shared<HttpReceiverShared>())
{
    m_shared->processor
        = std::make_shared<JournalProcessor>(m_routes, m_business, m_options.processing, m_clock);
}

HttpReceiver::~HttpReceiver()
{
    drain(2000);
}

const ReceiverMetrics &HttpReceiver::metrics() const
{
    return m_shared->metrics;
}

int HttpReceiver::inFlight() const
{
    return m_shared->inFlight.load();
}

Core::Result<quint16> HttpReceiver::start()
{
    if (m_server)
        return Core::fail(QStringLiteral("the receiver is already running"));
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("leaddesk-http"));
    m_anchor = new QObject;
    m_anchor->moveToThread(m_thread);
    m_thread->start();
    // The server is made on its own thread, so everything it creates lives there.
    Core::Result<quint16> port = Core::fail(QStringLiteral("the server thread did not start"));
    QMetaObject::invokeMethod(
        m_anchor,
        [this, &port] {
            m_server = new HttpReceiverServer(m_writer, m_reader, m_business, m_routes, m_options,
                                              m_clock, m_shared);
            port = m_server->listenOn(m_options.address, m_options.port);
            if (!port) {
                delete m_server;
                m_server = nullptr;
            }
        },
        Qt::BlockingQueuedConnection);
    if (!port) {
        m_thread->quit();
        m_thread->wait();
        delete m_anchor;
        delete m_thread;
        m_anchor = nullptr;
        m_thread = nullptr;
        return port;
    }
    m_port = *port;
    qCInfo(lcHttp).noquote()
        << QStringLiteral("listening on %1:%2").arg(m_options.address.toString()).arg(m_port);
    return port;
}

bool HttpReceiver::drain(int timeoutMs)
{
    if (!m_server)
        return true;
    QMetaObject::invokeMethod(
        m_anchor, [this] { m_server->beginDrain(); }, Qt::BlockingQueuedConnection);
    // Requests in flight finish on the server and store threads; this thread only waits.
    QElapsedTimer waited;
    waited.start();
    while (m_shared->inFlight.load() > 0 && !waited.hasExpired(timeoutMs))
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    const bool complete = m_shared->inFlight.load() == 0;
    if (!complete)
        qCWarning(lcHttp) << m_shared->inFlight.load() << "requests still in flight after"
                          << timeoutMs << "ms; closing anyway";
    QMetaObject::invokeMethod(
        m_anchor, [this] { m_server->closeAll(); }, Qt::BlockingQueuedConnection);
    // Let the closing connections flush their last answers before the thread goes.
    QMetaObject::invokeMethod(
        m_anchor,
        [this] {
            delete m_server;
            m_server = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_writer.flush();
    m_thread->quit();
    m_thread->wait();
    delete m_anchor;
    delete m_thread;
    m_anchor = nullptr;
    m_thread = nullptr;
    qCInfo(lcHttp) << "receiver stopped";
    return complete;
}

} // namespace LeadDesk::Sync
