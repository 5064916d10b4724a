#pragma once

#include "clock.h"
#include "databasethread.h"
#include "result.h"
#include "slasweep.h"

#include <QFuture>
#include <QJsonObject>
#include <QObject>
#include <QString>

class QTimer;

namespace LeadDesk::Sync {

// Runs the SLA watch of one business on the store's writer (DESIGN §9): once at start the
// backfill of SLA columns old leads never had and the analytics rollup check, then a sweep
// (Core::SlaSweep: breaches once each, escalation, reassignment) every interval. Every piece is a
// standalone writer job, so the caller's thread never waits. breachesRecorded() is emitted on the
// monitor's thread when a sweep recorded breaches or an escalation.
class SlaMonitor final : public QObject
{
    Q_OBJECT
public:
    SlaMonitor(Core::StoreWriter &writer, QString businessId,
               const Core::Clock &clock = Core::Clock::system(), QObject *parent = nullptr);
    ~SlaMonitor() override;
    Q_DISABLE_COPY_MOVE(SlaMonitor)

    // Queues the start-up job and starts the timer; a second call only changes the interval.
    void start(int intervalMs = 60000);
    void stop();
    [[nodiscard]] bool isRunning() const;

    // Queues one sweep now (regardless of start()). The future finishes once it has run; the
    // signal, if any, follows on this object's thread.
    QFuture<Core::Result<Core::SlaSweep::Outcome>> sweepNow();

Q_SIGNALS:
    // SlaSweep::Outcome::toJson(): "breaches", "escalation", "reassigned".
    void breachesRecorded(const QJsonObject &checkResultJson);

private:
    void onTimer();

    Core::StoreWriter &m_writer;
    const QString m_businessId;
    const Core::Clock &m_clock;
    QTimer *m_timer = nullptr;
    bool m_startupQueued = false;
    int m_sweepsInFlight = 0;
};

} // namespace LeadDesk::Sync
