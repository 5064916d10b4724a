#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>

#include <array>
#include <mutex>

namespace LeadDesk::Sync {

// The receiver's counters for GET /metrics, in Prometheus' text format: requests by route and
// status, the ingest latency histogram (received → answered, which for journalled routes is
// after the commit), rejections by reason, and gauges the receiver samples when asked.
// Thread-safe.
class ReceiverMetrics final
{
public:
    struct Gauges
    {
        qint64 journalPending = 0; // rows not processed yet
        qint64 journalFailed = 0;  // rows waiting for a replay
        qint64 writerQueue = 0;    // requests and store jobs waiting for the writer
        qint64 inFlight = 0;       // requests received, not answered yet
        qint64 connections = 0;
        bool draining = false;
    };

    static constexpr std::array<double, 12> kLatencyBuckets
        = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0};

    void countRequest(const QString &route, int status);
    void observeIngestLatency(const QString &route, double seconds);
    // reason: rate_limit_ip, rate_limit_campaign, body_too_large, unsupported_media_type,
    // unauthorized, invalid_body, not_found, method_not_allowed, draining...
    void countRejected(const QString &reason);

    [[nodiscard]] QByteArray prometheusText(const Gauges &gauges) const;

    [[nodiscard]] qint64 requests(const QString &route, int status) const;
    [[nodiscard]] qint64 rejected(const QString &reason) const;
    [[nodiscard]] qint64 ingestCount() const;

private:
    struct Histogram
    {
        std::array<qint64, kLatencyBuckets.size()> buckets{};
        qint64 count = 0;
        double sum = 0;
    };

    mutable std::mutex m_mutex;
    QMap<std::pair<QString, int>, qint64> m_requests;
    QMap<QString, Histogram> m_latency; // by route
    QMap<QString, qint64> m_rejected;
};

} // namespace LeadDesk::Sync
