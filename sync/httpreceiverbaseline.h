#pragma once

#include "result.h"

#include <QHostAddress>

class QThread;
class QObject;
class QHttpServer;

namespace LeadDesk::Sync {

// A bare Qt HttpServer that answers every POST /v1/api/leads (and GET /) with 200 "ok" and does
// nothing else, on its own thread like the receiver: the yardstick bench_receiver measures the
// receiver against in the same run.
class HttpReceiverBaseline final
{
public:
    HttpReceiverBaseline();
    ~HttpReceiverBaseline();
    Q_DISABLE_COPY_MOVE(HttpReceiverBaseline)

    Core::Result<quint16> start(const QHostAddress &address, quint16 port = 0);
    void stop();

private:
    QThread *m_thread = nullptr;
    QObject *m_anchor = nullptr;
    QHttpServer *m_server = nullptr;
};

} // namespace LeadDesk::Sync
