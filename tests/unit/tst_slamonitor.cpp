// SlaMonitor: the SLA watch on a real writer thread - start-up backfill and rollup, sweeps on
// demand and on its timer, the signal only when a sweep recorded something.
#include "analyticsrollup.h"
#include "clock.h"
#include "databasethread.h"
#include "ids.h"
#include "ingestionstages.h"
#include "leadingestor.h"
#include "slamonitor.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;

namespace {

// June 2025, UTC; the 9th is a Monday (default hours Mon-Fri 09:00-17:00).
qint64 june(int day, int hour, int minute = 0)
{
    return QDateTime(QDate(2025, 6, day), QTime(hour, minute), Qt::UTC).toMSecsSinceEpoch();
}

struct Fixture
{
    Test::TempStore store;
    Core::ManualClock clock{june(9, 10)};
    std::unique_ptr<Core::StoreWriter> writer;
    int serial = 0;

    // Leads arrive through an ingestor on the test's connection; the writer opens afterwards.
    QString lead()
    {
        Core::LeadIngestor ingestor(store.db(), clock);
        Core::addStandardStages(ingestor);
        Core::LeadRecord record;
        record.channel = QStringLiteral("webform");
        record.firstName = QStringLiteral("Lead");
        record.lastName = QString::number(++serial);
        record.email = QStringLiteral("lead%1@example.com").arg(serial);
        record.createdAtMs = clock.nowMs();
        auto stored = ingestor.store(store.businessId(), record);
        if (!stored)
            qFatal("store: %s", qPrintable(stored.error().message));
        return stored->leadId;
    }

    void startWriter()
    {
        auto started = Core::StoreWriter::start(store.path());
        if (!started)
            qFatal("writer: %s", qPrintable(started.error().message));
        writer = std::move(*started);
    }
};

} // namespace

class tst_SlaMonitor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sweepNowSignalsOnlyNews();
    void startBackfillsBuildsRollupAndSweepsOnTimer();
    void stopStopsTheTimer();
};

void tst_SlaMonitor::sweepNowSignalsOnlyNews()
{
    Fixture f;
    const QString lead = f.lead(); // due 14:00
    f.startWriter();
    Sync::SlaMonitor monitor(*f.writer, f.store.businessId(), f.clock);
    QSignalSpy spy(&monitor, &Sync::SlaMonitor::breachesRecorded);

    // Before the due time: nothing recorded, no signal.
    f.clock.setMs(june(9, 13));
    auto early = monitor.sweepNow();
    early.waitForFinished();
    LD_VERIFY_OK(early.result());
    QVERIFY(early.result()->check.breaches.isEmpty());

    f.clock.setMs(june(9, 15));
    auto late = monitor.sweepNow();
    late.waitForFinished();
    LD_VERIFY_OK(late.result());
    QCOMPARE(late.result()->check.breachedLeadIds(), QStringList{lead});
    QTRY_COMPARE(spy.count(), 1);
    const QJsonObject json = spy.at(0).at(0).toJsonObject();
    QCOMPARE(json.value(u"breaches").toArray().size(), 1);
    QCOMPARE(json.value(u"breaches").toArray().first().toObject().value(u"lead_id").toString(),
             lead);

    // Recorded once: the next sweep has no news.
    f.clock.setMs(june(9, 16));
    auto again = monitor.sweepNow();
    again.waitForFinished();
    LD_VERIFY_OK(again.result());
    QVERIFY(again.result()->check.breaches.isEmpty());
    QTest::qWait(50); // any (wrong) queued signal would have arrived
    QCOMPARE(spy.count(), 1);
    QCOMPARE(Test::countRows(f.store.db(), QStringLiteral("activities"),
                             QStringLiteral("activity_type = 'sla_breached'")),
             1);
}

void tst_SlaMonitor::startBackfillsBuildsRollupAndSweepsOnTimer()
{
    Fixture f;
    const QString lead = f.lead();
    // A store from before the SLA columns and the rollup.
    QSqlQuery q(f.store.db().connection());
    QVERIFY(q.exec(QStringLiteral(
        "UPDATE leads SET sla_started_at = NULL, sla_at_risk_at = NULL, response_due_at = NULL, "
        "first_response_due_at = NULL")));
    f.startWriter();
    Sync::SlaMonitor monitor(*f.writer, f.store.businessId(), f.clock);
    QSignalSpy spy(&monitor, &Sync::SlaMonitor::breachesRecorded);
    f.clock.setMs(june(9, 11));
    monitor.start(20);
    QVERIFY(monitor.isRunning());
    // The backfill marks nothing breached at 11:00 (due 14:00), so the timer's sweeps find
    // nothing until the clock passes the due time.
    f.writer->flush();
    QSqlQuery due(f.store.db().connection());
    QVERIFY(due.exec(QStringLiteral("SELECT response_due_at FROM leads")) && due.next());
    QCOMPARE(due.value(0).toLongLong(), june(9, 14));
    auto current = Core::AnalyticsRollup::isCurrent(f.store.db(), f.store.businessId());
    LD_VERIFY_OK(current);
    QVERIFY(*current);
    QCOMPARE(spy.count(), 0);

    f.clock.setMs(june(9, 15));
    QVERIFY(spy.wait(5000));
    QCOMPARE(spy.count(), 1);
    QCOMPARE(spy.at(0).at(0).toJsonObject().value(u"breaches").toArray().size(), 1);
    monitor.stop();
    f.writer->flush();
}

void tst_SlaMonitor::stopStopsTheTimer()
{
    Fixture f;
    f.lead();
    f.startWriter();
    Sync::SlaMonitor monitor(*f.writer, f.store.businessId(), f.clock);
    QSignalSpy spy(&monitor, &Sync::SlaMonitor::breachesRecorded);
    monitor.start(20);
    monitor.stop();
    QVERIFY(!monitor.isRunning());
    f.clock.setMs(june(9, 15));
    QTest::qWait(150);
    QCOMPARE(spy.count(), 0);
    QCOMPARE(Test::countRows(f.store.db(), QStringLiteral("activities"),
                             QStringLiteral("activity_type = 'sla_breached'")),
             0);
}

QTEST_GUILESS_MAIN(tst_SlaMonitor)
#include "tst_slamonitor.moc"
