#include "httpreceiverbaseline.h"

#include <QHttpServer>
#include <QHttpServerResponse>
#include <QThread>

namespace LeadDesk::Sync {

HttpReceiverBaseline::HttpReceiverBaseline() = default;

HttpReceiverBaseline::~HttpReceiverBaseline()
{
    stop();
}

Core::Result<quint16> HttpReceiverBaseline::start(const QHostAddress &address, quint16 port)
{
    m_thread = new QThread;
    m_thread->setObjectName(QStringLiteral("baseline-http"));
    m_anchor = new QObject;
    m_anchor->moveToThread(m_thread);
    m_thread->start();
    quint16 bound = 0;
    QMetaObject::invokeMethod(
        m_anchor,
        [this, &bound, address, port] {
            m_server = new QHttpServer;
            m_server->route(QStringLiteral("/v1/api/leads"),
                            [](const QHttpServerRequest &) { return QHttpServerResponse("ok"); });
            m_server->route(QStringLiteral("/"),
                            [](const QHttpServerRequest &) { return QHttpServerResponse("ok"); });
            bound = m_server->listen(address, port);
        },
        Qt::BlockingQueuedConnection);
    if (bound == 0) {
        stop();
        return Core::fail(QStringLiteral("the baseline server cannot listen on %1:%2")
                              .arg(address.toString())
                              .arg(port));
    }
    return bound;
}

void HttpReceiverBaseline::stop()
{
    if (!m_thread)
        return;
    QMetaObject::invokeMethod(
        m_anchor,
        [this] {
            delete m_server;
            m_server = nullptr;
        },
        Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_anchor;
    delete m_thread;
    m_anchor = nullptr;
    m_thread = nullptr;
}

} // namespace LeadDesk::Sync
