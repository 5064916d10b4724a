#pragma once

#include "clock.h"

#include <QHash>
#include <QString>

#include <mutex>

namespace LeadDesk::Sync {

// Token buckets keyed by a string (a peer address, "campaign:<id>"): `limit` requests per
// `windowMs`, refilled continuously, so a client that used its whole minute gets one request back
// every windowMs / limit rather than a burst at the top of the minute (seed 004: 100 a minute
// per IP, 1000 an hour per campaign). Thread-safe; idle buckets are forgotten so the table stays
// small whatever the number of peers.
class RateLimiter final
{
public:
    struct Decision
    {
        bool allowed = true;
        qint64 retryAfterMs = 0; // when refused: until one request is allowed again
    };

    // limit 0 disables the limiter (every request allowed).
    RateLimiter(int limit, qint64 windowMs, const Core::Clock &clock = Core::Clock::system());

    // Takes one request from the key's bucket.
    Decision take(const QString &key);
    [[nodiscard]] int limit() const { return m_limit; }
    [[nodiscard]] qsizetype trackedKeys() const;

    // Seconds for a Retry-After header: whole seconds, at least 1.
    [[nodiscard]] static qint64 retryAfterSeconds(qint64 retryAfterMs);

private:
    struct Bucket
    {
        double tokens = 0;
        qint64 updatedMs = 0;
    };
    void forgetFullBuckets(qint64 nowMs);

    const int m_limit;
    const qint64 m_windowMs;
    const Core::Clock &m_clock;
    mutable std::mutex m_mutex;
    QHash<QString, Bucket> m_buckets;
    qint64 m_lastSweepMs = 0;
};

} // namespace LeadDesk::Sync
