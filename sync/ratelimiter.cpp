#include "ratelimiter.h"

#include <cmath>

namespace LeadDesk::Sync {

RateLimiter::RateLimiter(int limit, qint64 windowMs, const Core::Clock &clock)
    : m_limit(qMax(0, limit))
    , m_windowMs(qMax<qint64>(1, windowMs))
    , m_clock(clock)
{}

RateLimiter::Decision RateLimiter::take(const QString &key)
{
    if (m_limit == 0)
        return {};
    const qint64 now = m_clock.nowMs();
    const double perMs = double(m_limit) / double(m_windowMs);
    std::lock_guard lock(m_mutex);
    if (now - m_lastSweepMs > m_windowMs && m_buckets.size() > 1024)
        forgetFullBuckets(now);
    auto it = m_buckets.find(key);
    if (it == m_buckets.end())
        it = m_buckets.insert(key, Bucket{double(m_limit), now});
    Bucket &bucket = *it;
    bucket.tokens = std::min(
        double(m_limit), bucket.tokens + double(qMax<qint64>(0, now - bucket.updatedMs)) * perMs);
    bucket.updatedMs = now;
    if (bucket.tokens >= 1.0) {
        bucket.tokens -= 1.0;
        return {};
    }
    // The epsilon keeps float noise from turning an exact 1 800 000 ms into 1 800 001.
    return {false,
            qint64(std::ceil((1.0 - bucket.tokens) * double(m_windowMs) / double(m_limit) - 1e-6))};
}

qsizetype RateLimiter::trackedKeys() const
{
    std::lock_guard lock(m_mutex);
    return m_buckets.size();
}

qint64 RateLimiter::retryAfterSeconds(qint64 retryAfterMs)
{
    return qMax<qint64>(1, (retryAfterMs + 999) / 1000);
}

void RateLimiter::forgetFullBuckets(qint64 nowMs)
{
    // A bucket that has refilled completely behaves exactly like a new one.
    m_lastSweepMs = nowMs;
    const double perMs = double(m_limit) / double(m_windowMs);
    for (auto it = m_buckets.begin(); it != m_buckets.end();) {
        if (it->tokens + double(nowMs - it->updatedMs) * perMs >= double(m_limit))
            it = m_buckets.erase(it);
        else
            ++it;
    }
}

} // namespace LeadDesk::Sync
