#include "slamonitor.h"

#include "analyticsrollup.h"

#include <QFutureWatcher>
#include <QLoggingCategory>
#include <QPromise>
#include <QTimer>

Q_LOGGING_CATEGORY(lcSla, "leaddesk.sla")

namespace LeadDesk::Sync {

SlaMonitor::SlaMonitor(Core::StoreWriter &writer, QString businessId, const Core::Clock &clock,
                       QObject *parent)
    : QObject(parent)
    , m_writer(writer)
    , m_businessId(std::move(businessId))
    , m_clock(clock)
    , m_timer(new QTimer(this))
{
    connect(m_timer, &QTimer::timeout, this, &SlaMonitor::onTimer);
}

SlaMonitor::~SlaMonitor() = default;

void SlaMonitor::start(int intervalMs)
{
    if (!m_startupQueued) {
        m_startupQueued = true;
        const QString businessId = m_businessId;
        const qint64 now = m_clock.nowMs();
        // Backfill first (it commits page by page on its own), then the rollup in one
        // transaction. Failures are logged: the sweeps still run.
        (void)m_writer.submitStandalone(
            [businessId, now](Core::Database &db) -> Core::Result<void> {
                auto backfilled = Core::SlaSweep::backfillIfNeeded(db, businessId, now);
                if (!backfilled)
                    qCWarning(lcSla).noquote()
                        << "SLA backfill failed:" << backfilled.error().toString();
                else if (*backfilled)
                    qCInfo(lcSla) << "computed SLA due times for existing leads";
                Core::Transaction transaction(db);
                if (!transaction.isOpen()) {
                    qCWarning(lcSla).noquote() << transaction.error().toString();
                    return std::unexpected(transaction.error());
                }
                auto rebuilt = Core::AnalyticsRollup::ensureCurrent(db, businessId);
                if (!rebuilt) {
                    qCWarning(lcSla).noquote() << "analytics rollup:" << rebuilt.error().toString();
                    return std::unexpected(rebuilt.error());
                }
                if (*rebuilt)
                    qCInfo(lcSla) << "built the analytics rollup";
                return transaction.commit();
            });
    }
    m_timer->start(std::max(intervalMs, 1));
}

void SlaMonitor::stop()
{
    m_timer->stop();
}

bool SlaMonitor::isRunning() const
{
    return m_timer->isActive();
}

void SlaMonitor::onTimer()
{
    // A slow sweep (a huge backlog after a long pause) is not stacked behind another.
    if (m_sweepsInFlight > 0)
        return;
    (void)sweepNow();
}

QFuture<Core::Result<Core::SlaSweep::Outcome>> SlaMonitor::sweepNow()
{
    using Outcome = Core::Result<Core::SlaSweep::Outcome>;
    auto promise = std::make_shared<QPromise<Outcome>>();
    QFuture<Outcome> future = promise->future();
    promise->start();
    const QString businessId = m_businessId;
    const qint64 now = m_clock.nowMs();
    // The promise finishes inside the job: a standalone job has committed when it returns.
    (void)m_writer.submitStandalone([promise, businessId, now](Core::Database &db) {
        Outcome outcome = Core::SlaSweep::run(db, businessId, now);
        const Core::Result<void> status
            = outcome ? Core::Result<void>() : Core::Result<void>(std::unexpected(outcome.error()));
        promise->addResult(std::move(outcome));
        promise->finish();
        return status;
    });

    ++m_sweepsInFlight;
    auto *watcher = new QFutureWatcher<Outcome>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher] {
        watcher->deleteLater();
        --m_sweepsInFlight;
        const QFuture<Outcome> done = watcher->future();
        if (done.resultCount() == 0)
            return;
        const Outcome outcome = done.result();
        if (!outcome) {
            qCWarning(lcSla).noquote() << "SLA sweep failed:" << outcome.error().toString();
            return;
        }
        for (const Core::SlaBreach &breach : outcome->check.breaches)
            qCInfo(lcSla).noquote()
                << "SLA breached:" << breach.name << breach.channel
                << (breach.kind == Core::SlaKind::First ? "first response" : "reply");
        for (const auto &moved : outcome->reassignments)
            if (moved.outcome.assigned)
                qCInfo(lcSla).noquote()
                    << "reassigned lead" << moved.leadId << "to" << moved.outcome.userName;
        if (outcome->check.escalation)
            qCInfo(lcSla).noquote() << "SLA escalation:" << outcome->check.escalation->message;
        if (outcome->hasNews())
            Q_EMIT breachesRecorded(outcome->toJson());
    });
    watcher->setFuture(future);
    return future;
}

} // namespace LeadDesk::Sync
