#pragma once

#include <QDateTime>

#include <atomic>

namespace LeadDesk::Core {

// Time through an injectable clock, so lock-outs, SLA and backoff are tested without sleeping.
class Clock
{
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual qint64 nowMs() const { return QDateTime::currentMSecsSinceEpoch(); }
    [[nodiscard]] QDateTime now() const { return QDateTime::fromMSecsSinceEpoch(nowMs(), Qt::UTC); }

    // The process-wide real clock.
    static Clock &system()
    {
        static Clock clock;
        return clock;
    }
};

class ManualClock final : public Clock
{
public:
    explicit ManualClock(qint64 startMs = 1'700'000'000'000)
        : m_ms(startMs)
    {}
    [[nodiscard]] qint64 nowMs() const override { return m_ms.load(); }
    void advanceMs(qint64 ms) { m_ms += ms; }
    void setMs(qint64 ms) { m_ms = ms; }

private:
    std::atomic<qint64> m_ms;
};

} // namespace LeadDesk::Core
