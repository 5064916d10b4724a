#include "receivermetrics.h"

namespace LeadDesk::Sync {

namespace {

// Label values are our own route names and reasons, but escape anyway: the format breaks on a
// stray quote or backslash.
QByteArray label(const QString &value)
{
    QByteArray out = value.toUtf8();
    out.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n");
    return out;
}

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 12);
}

} // namespace

void ReceiverMetrics::countRequest(const QString &route, int status)
{
    std::lock_guard lock(m_mutex);
    ++m_requests[{route, status}];
}

void ReceiverMetrics::observeIngestLatency(const QString &route, double seconds)
{
    std::lock_guard lock(m_mutex);
    Histogram &h = m_latency[route];
    ++h.count;
    h.sum += seconds;
    for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
        if (seconds <= kLatencyBuckets[i])
            ++h.buckets[i];
    }
}

void ReceiverMetrics::countRejected(const QString &reason)
{
    std::lock_guard lock(m_mutex);
    ++m_rejected[reason];
}

qint64 ReceiverMetrics::requests(const QString &route, int status) const
{
    std::lock_guard lock(m_mutex);
    return m_requests.value({route, status});
}

qint64 ReceiverMetrics::rejected(const QString &reason) const
{
    std::lock_guard lock(m_mutex);
    return m_rejected.value(reason);
}

qint64 ReceiverMetrics::ingestCount() const
{
    std::lock_guard lock(m_mutex);
    qint64 count = 0;
    for (const Histogram &h : m_latency)
        count += h.count;
    return count;
}

QByteArray ReceiverMetrics::prometheusText(const Gauges &gauges) const
{
    QByteArray out;
    out.reserve(4096);
    std::lock_guard lock(m_mutex);
    out += "# HELP leaddesk_http_requests_total HTTP requests answered, by route and status.\n"
           "# TYPE leaddesk_http_requests_total counter\n";
    for (auto it = m_requests.cbegin(); it != m_requests.cend(); ++it) {
        out += "leaddesk_http_requests_total{route=\"" + label(it.key().first) + "\",status=\""
               + QByteArray::number(it.key().second) + "\"} " + QByteArray::number(it.value())
               + '\n';
    }
    out += "# HELP leaddesk_ingest_latency_seconds Time from a journalled request's arrival to "
           "its answer (after the commit).\n"
           "# TYPE leaddesk_ingest_latency_seconds histogram\n";
    for (auto it = m_latency.cbegin(); it != m_latency.cend(); ++it) {
        const QByteArray route = "route=\"" + label(it.key()) + "\"";
        for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i) {
            out += "leaddesk_ingest_latency_seconds_bucket{" + route + ",le=\""
                   + number(kLatencyBuckets[i]) + "\"} " + QByteArray::number(it->buckets[i])
                   + '\n';
        }
        out += "leaddesk_ingest_latency_seconds_bucket{" + route + ",le=\"+Inf\"} "
               + QByteArray::number(it->count) + '\n';
        out += "leaddesk_ingest_latency_seconds_sum{" + route + "} " + number(it->sum) + '\n';
        out += "leaddesk_ingest_latency_seconds_count{" + route + "} "
               + QByteArray::number(it->count) + '\n';
    }
    out += "# HELP leaddesk_requests_rejected_total Requests refused before processing, by "
           "reason.\n"
           "# TYPE leaddesk_requests_rejected_total counter\n";
    for (auto it = m_rejected.cbegin(); it != m_rejected.cend(); ++it) {
        out += "leaddesk_requests_rejected_total{reason=\"" + label(it.key()) + "\"} "
               + QByteArray::number(it.value()) + '\n';
    }
    auto gauge = [&out](const char *name, const char *help, qint64 value) {
        out += QByteArray("# HELP ") + name + ' ' + help + "\n# TYPE " + name + " gauge\n" + name
               + ' ' + QByteArray::number(value) + '\n';
    };
    gauge("leaddesk_journal_backlog",
          "Requests received and not journalled yet (queued for the "
          "store's writer) plus journal rows not processed yet.",
          gauges.journalPending + gauges.writerQueue);
    gauge("leaddesk_journal_failed", "Journal rows whose processing failed, waiting for a replay.",
          gauges.journalFailed);
    gauge("leaddesk_http_in_flight", "Requests received and not answered yet.", gauges.inFlight);
    gauge("leaddesk_http_connections", "Open client connections.", gauges.connections);
    gauge("leaddesk_draining", "1 while the server drains before exiting.", gauges.draining);
    return out;
}

} // namespace LeadDesk::Sync
