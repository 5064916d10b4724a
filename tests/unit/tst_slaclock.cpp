#include "clock.h"
#include "leadingestor.h"
#include "settingsrepository.h"
#include "slaclock.h"
#include "slatracker.h"
#include "testsupport.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;
using namespace LeadDesk::Core;

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;

// June 2025 in UTC, the test business's zone: the 9th is a Monday. Default hours Mon-Fri 9-17.
qint64 june(int day, int hour, int minute = 0)
{
    return QDateTime(QDate(2025, 6, day), QTime(hour, minute), Qt::UTC).toMSecsSinceEpoch();
}

QString text(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

// A store, a ManualClock, and an ingestor with the SLA stage.
struct Fixture
{
    Test::TempStore store;
    ManualClock clock{june(9, 10)};
    std::shared_ptr<SlaClock> sla = std::make_shared<SlaClock>();
    LeadIngestor ingestor{store.db(), clock};
    int serial = 0;

    Fixture() { ingestor.addAfterStore(SlaClock::afterStoreStage(sla)); }

    QString add(const QString &channel = QStringLiteral("webform"),
                const QString &grade = QStringLiteral("D"), qint64 createdAt = 0,
                const QString &status = QStringLiteral("new"))
    {
        LeadRecord record;
        record.channel = channel;
        record.firstName = QStringLiteral("Lead");
        record.lastName = QString::number(++serial);
        record.email = QStringLiteral("lead%1@example.com").arg(serial);
        record.grade = grade;
        record.status = status;
        record.createdAtMs = createdAt ? createdAt : clock.nowMs();
        auto stored = ingestor.store(store.businessId(), record);
        if (!stored)
            qWarning("store failed: %s", qPrintable(stored.error().message));
        return stored ? stored->leadId : QString();
    }

    SlaColumns columns(const QString &leadId)
    {
        QSqlQuery q(store.db().connection());
        q.prepare(QStringLiteral("SELECT sla_started_at, sla_at_risk_at, response_due_at, "
                                 "sla_stopped_at, sla_breached_at, first_response_due_at "
                                 "FROM leads WHERE id = ?"));
        q.addBindValue(leadId);
        SlaColumns c;
        if (!q.exec() || !q.next())
            return c;
        const auto value = [&q](int i) -> std::optional<qint64> {
            if (q.value(i).isNull())
                return std::nullopt;
            return q.value(i).toLongLong();
        };
        c.startedAt = value(0);
        c.atRiskAt = value(1);
        c.dueAt = value(2);
        c.stoppedAt = value(3);
        c.breachedAt = value(4);
        c.firstResponseDueAt = value(5);
        return c;
    }

    QVariant field(const QString &leadId, const QString &column)
    {
        QSqlQuery q(store.db().connection());
        q.prepare(QStringLiteral("SELECT %1 FROM leads WHERE id = ?").arg(column));
        q.addBindValue(leadId);
        if (!q.exec() || !q.next())
            return {};
        return q.value(0);
    }

    int activities(const QString &type, const QString &leadId = {})
    {
        return Test::countRows(
            store.db(), QStringLiteral("activities"),
            QStringLiteral("activity_type = '%1'%2")
                .arg(type, leadId.isEmpty() ? QString()
                                            : QStringLiteral(" AND lead_id = '%1'").arg(leadId)));
    }

    SlaState state(const QString &leadId, qint64 at) { return slaStateOf(columns(leadId), at); }

    Result<void> setPolicy(const QByteArray &json)
    {
        return SettingsRepository(store.db())
            .setValue(store.businessId(), QString::fromLatin1(SettingsRepository::kSlaPolicy), json,
                      0);
    }

    void exec(const QString &sql)
    {
        QSqlQuery q(store.db().connection());
        if (!q.exec(sql))
            qWarning("%s: %s", qPrintable(sql), qPrintable(q.lastError().text()));
    }
};

} // namespace

class tst_SlaClock : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newLeadStartsTheFirstResponseClock();
    void stateMovesWithTheClock();
    void policyIsChosenBySourceAndGrade();
    void leadArrivingOnFridayIsDueOnMonday();
    void oldImportStartsTheClockNow();
    void closedLeadGetsNoRunningClock();
    void answerInTimeIsMet();
    void lateAnswerRecordsTheBreachOnce();
    void nextResponseClockStartsOnTheLeadsNextMessage();
    void inboundWhileWaitingKeepsTheClock();
    void lateDeliveredMessagesChangeNoClock();
    void answerRecordedAfterTheLeadWroteAgain();
    void closingStopsTheClock();
    void settingsChangeAppliesToTheNextLead();
    void recomputeBackfillsAStoreWithoutClocks();
    void recomputeAfterAPolicyChange();
    void recomputeCanLeaveOverdueLeadsForTheCheck();
    void recomputeLeadAfterSync();
    void neverOpenCalendarHasNoDueTime();
    void unknownLeadIsAnError();
};

void tst_SlaClock::newLeadStartsTheFirstResponseClock()
{
    Fixture f;
    const QString id = f.add(); // webform D: the default policy, 4 business hours
    const SlaColumns c = f.columns(id);
    QCOMPARE(c.startedAt, june(9, 10));
    QCOMPARE(c.dueAt, june(9, 14));
    QCOMPARE(c.atRiskAt, june(9, 13)); // 75 %
    QCOMPARE(c.firstResponseDueAt, june(9, 14));
    QVERIFY(!c.stoppedAt);
    QVERIFY(!c.breachedAt);
}

void tst_SlaClock::stateMovesWithTheClock()
{
    Fixture f;
    const QString id = f.add();
    QCOMPARE(f.state(id, june(9, 10, 30)), SlaState::OnTrack);
    QCOMPARE(f.state(id, june(9, 12, 59)), SlaState::OnTrack);
    QCOMPARE(f.state(id, june(9, 13)), SlaState::AtRisk);
    QCOMPARE(f.state(id, june(9, 13, 59)), SlaState::AtRisk);
    QCOMPARE(f.state(id, june(9, 14)), SlaState::Breached);
    QCOMPARE(f.state(id, june(12, 14)), SlaState::Breached);
}

void tst_SlaClock::policyIsChosenBySourceAndGrade()
{
    Fixture f;
    const QString hot = f.add(QStringLiteral("webform"), QStringLiteral("A"));
    const QString chat = f.add(QStringLiteral("whatsapp"), QStringLiteral("C"));
    const QString form = f.add(QStringLiteral("leadads"), QStringLiteral("B"));
    QCOMPARE(f.columns(hot).dueAt, june(9, 10, 15));
    QCOMPARE(f.columns(chat).dueAt, june(9, 10, 30));
    QCOMPARE(f.columns(form).dueAt, june(9, 11));
}

void tst_SlaClock::leadArrivingOnFridayIsDueOnMonday()
{
    Fixture f;
    f.clock.setMs(june(13, 16)); // Friday 16:00
    const QString id = f.add();
    QCOMPARE(text(*f.columns(id).dueAt), text(june(16, 12)));
    QCOMPARE(text(*f.columns(id).atRiskAt), text(june(16, 11)));
    // Saturday the clock does not move: still on track.
    QCOMPARE(f.state(id, june(14, 23)), SlaState::OnTrack);
}

void tst_SlaClock::oldImportStartsTheClockNow()
{
    Fixture f;
    // A vendor file's lead from last month is news now; one from ten minutes ago keeps its time.
    const QString old
        = f.add(QStringLiteral("csv"), QStringLiteral("D"), june(2, 10) - 30 * 24 * kHour);
    const QString recent = f.add(QStringLiteral("csv"), QStringLiteral("D"), june(9, 9, 50));
    QCOMPARE(f.columns(old).startedAt, june(9, 10));
    QCOMPARE(f.columns(old).dueAt, june(9, 14));
    QCOMPARE(f.columns(recent).startedAt, june(9, 9, 50));
    QCOMPARE(f.columns(recent).dueAt, june(9, 13, 50));
}

void tst_SlaClock::closedLeadGetsNoRunningClock()
{
    Fixture f;
    const QString id
        = f.add(QStringLiteral("csv"), QStringLiteral("D"), 0, QStringLiteral("closed_won"));
    const SlaColumns c = f.columns(id);
    QVERIFY(!c.dueAt);
    QVERIFY(!c.startedAt);
    QCOMPARE(c.firstResponseDueAt, june(9, 14));
    QCOMPARE(f.state(id, june(20, 10)), SlaState::None);
}

void tst_SlaClock::answerInTimeIsMet()
{
    Fixture f;
    const QString id = f.add();
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(9, 11), june(9, 11)));
    SlaColumns c = f.columns(id);
    QCOMPARE(c.stoppedAt, june(9, 11));
    QVERIFY(!c.breachedAt);
    QCOMPARE(f.field(id, QStringLiteral("first_response_at")).toLongLong(), june(9, 11));
    QCOMPARE(f.field(id, QStringLiteral("last_outbound_at")).toLongLong(), june(9, 11));
    QCOMPARE(f.field(id, QStringLiteral("waiting_on")).toString(), QStringLiteral("lead"));
    QCOMPARE(f.state(id, june(20, 10)), SlaState::Met);
    // A second answer changes neither the first response nor the stopped clock.
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(9, 15), june(9, 15)));
    QCOMPARE(f.field(id, QStringLiteral("first_response_at")).toLongLong(), june(9, 11));
    QCOMPARE(f.field(id, QStringLiteral("last_outbound_at")).toLongLong(), june(9, 15));
    QCOMPARE(f.columns(id), c);
    QCOMPARE(f.activities(QStringLiteral("sla_breached")), 0);
}

void tst_SlaClock::lateAnswerRecordsTheBreachOnce()
{
    Fixture f;
    const QString id = f.add();
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(9, 15), june(9, 15)));
    const SlaColumns c = f.columns(id);
    QCOMPARE(c.stoppedAt, june(9, 15));
    QCOMPARE(c.breachedAt, june(9, 14));
    QCOMPARE(f.state(id, june(9, 16)), SlaState::Breached);
    QCOMPARE(f.activities(QStringLiteral("sla_breached"), id), 1);
    // A check afterwards has nothing new to say about it.
    auto config = f.sla->configFor(f.store.db(), f.store.businessId());
    LD_VERIFY_OK(config);
    SlaTracker tracker(f.store.db(), f.store.businessId(), **config);
    auto check = tracker.check(june(9, 16));
    LD_VERIFY_OK(check);
    QVERIFY(check->breaches.isEmpty());
    QCOMPARE(f.activities(QStringLiteral("sla_breached"), id), 1);
}

void tst_SlaClock::nextResponseClockStartsOnTheLeadsNextMessage()
{
    Fixture f;
    const QString id = f.add();
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(9, 11), june(9, 11)));
    // The lead writes back Tuesday 10:00: eight business hours for the next answer.
    LD_VERIFY_OK(f.sla->recordInbound(f.store.db(), id, june(10, 10), june(10, 10)));
    SlaColumns c = f.columns(id);
    QCOMPARE(c.startedAt, june(10, 10));
    QCOMPARE(text(*c.dueAt), text(june(11, 10)));
    QCOMPARE(text(*c.atRiskAt), text(june(10, 16)));
    QVERIFY(!c.stoppedAt);
    QCOMPARE(c.firstResponseDueAt, june(9, 14)); // kept for the first-response report
    QCOMPARE(f.field(id, QStringLiteral("waiting_on")).toString(), QStringLiteral("business"));
    QCOMPARE(f.field(id, QStringLiteral("last_inbound_at")).toLongLong(), june(10, 10));
    QCOMPARE(f.state(id, june(10, 12)), SlaState::OnTrack);
    QCOMPARE(f.state(id, june(10, 16, 30)), SlaState::AtRisk);
    QCOMPARE(f.state(id, june(11, 10)), SlaState::Breached);
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(11, 9, 30), june(11, 9, 30)));
    QCOMPARE(f.state(id, june(11, 12)), SlaState::Met);
    QCOMPARE(f.field(id, QStringLiteral("first_response_at")).toLongLong(), june(9, 11));

    // The next-response target comes from the policy for the lead's source and grade.
    const QString chat = f.add(QStringLiteral("sms"), QStringLiteral("C"));
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), chat, june(9, 10, 5), june(9, 10, 5)));
    LD_VERIFY_OK(f.sla->recordInbound(f.store.db(), chat, june(9, 16), june(9, 16)));
    QCOMPARE(text(*f.columns(chat).dueAt), text(june(10, 10))); // 2 h: one today, one tomorrow
}

void tst_SlaClock::inboundWhileWaitingKeepsTheClock()
{
    Fixture f;
    const QString id = f.add();
    const SlaColumns before = f.columns(id);
    // The lead nudges before anyone answered: the first-response clock keeps running.
    LD_VERIFY_OK(f.sla->recordInbound(f.store.db(), id, june(9, 11), june(9, 11)));
    QCOMPARE(f.columns(id), before);
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(9, 12), june(9, 12)));
    LD_VERIFY_OK(f.sla->recordInbound(f.store.db(), id, june(9, 13), june(9, 13)));
    const SlaColumns next = f.columns(id);
    LD_VERIFY_OK(f.sla->recordInbound(f.store.db(), id, june(9, 15), june(9, 15)));
    QCOMPARE(f.columns(id), next); // counted from the first unanswered message
    QCOMPARE(f.field(id, QStringLiteral("last_inbound_at")).toLongLong(), june(9, 15));
}

void tst_SlaClock::lateDeliveredMessagesChangeNoClock()
{
    Fixture f;
    const QString id = f.add();
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(9, 12), june(9, 12)));
    const SlaColumns answered = f.columns(id);
    // A message written before the answer, delivered after it: the business is not waited on.
    LD_VERIFY_OK(f.sla->recordInbound(f.store.db(), id, june(9, 11), june(9, 12, 5)));
    QCOMPARE(f.columns(id), answered);
    QCOMPARE(f.field(id, QStringLiteral("waiting_on")).toString(), QStringLiteral("lead"));
    // An answer older than the running clock's start does not stop it.
    LD_VERIFY_OK(f.sla->recordInbound(f.store.db(), id, june(9, 13), june(9, 13)));
    const SlaColumns running = f.columns(id);
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(9, 12, 30), june(9, 13, 1)));
    QCOMPARE(f.columns(id), running);
    QCOMPARE(f.field(id, QStringLiteral("waiting_on")).toString(), QStringLiteral("business"));
}

void tst_SlaClock::answerRecordedAfterTheLeadWroteAgain()
{
    Fixture f;
    const QString id = f.add();
    // The lead's second message (11:30) is recorded before the business's 11:00 answer arrives.
    LD_VERIFY_OK(f.sla->recordInbound(f.store.db(), id, june(9, 11, 30), june(9, 11, 30)));
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(9, 11), june(9, 11, 31)));
    const SlaColumns c = f.columns(id);
    // The 11:00 answer met the first target; the 11:30 message waits on a next-response clock.
    QCOMPARE(c.startedAt, june(9, 11, 30));
    QCOMPARE(text(*c.dueAt), text(june(10, 11, 30)));
    QVERIFY(!c.stoppedAt);
    QCOMPARE(f.field(id, QStringLiteral("waiting_on")).toString(), QStringLiteral("business"));
}

void tst_SlaClock::closingStopsTheClock()
{
    Fixture f;
    const QString early = f.add();
    const QString late = f.add();
    LD_VERIFY_OK(f.sla->stop(f.store.db(), early, june(9, 12)));
    QCOMPARE(f.columns(early).stoppedAt, june(9, 12));
    QCOMPARE(f.state(early, june(9, 15)), SlaState::Met);
    LD_VERIFY_OK(f.sla->stop(f.store.db(), late, june(10, 9)));
    QCOMPARE(f.state(late, june(10, 10)), SlaState::Breached);
    QCOMPARE(f.activities(QStringLiteral("sla_breached"), late), 1);
    LD_VERIFY_OK(f.sla->stop(f.store.db(), late, june(10, 11))); // already stopped: nothing
    QCOMPARE(f.columns(late).stoppedAt, june(10, 9));
}

void tst_SlaClock::settingsChangeAppliesToTheNextLead()
{
    Fixture f;
    const QString before = f.add();
    LD_VERIFY_OK(f.setPolicy(
        R"({"version":1,"default":{"first_response_minutes":30,"next_response_minutes":60}})"));
    const QString after = f.add();
    QCOMPARE(f.columns(before).dueAt, june(9, 14)); // existing leads move only by recompute
    QCOMPARE(f.columns(after).dueAt, june(9, 10, 30));
    LD_VERIFY_OK(
        SettingsRepository(f.store.db())
            .setValue(f.store.businessId(), QString::fromLatin1(SettingsRepository::kBusinessHours),
                      R"({"weekly":{"mon":[["09:00","10:15"]],"tue":[["09:00","17:00"]]}})", 0));
    const QString shortDay = f.add();
    QCOMPARE(f.columns(shortDay).dueAt, june(10, 9, 15));
}

void tst_SlaClock::recomputeBackfillsAStoreWithoutClocks()
{
    Fixture f;
    // Leads as a store made before the SLA columns holds them: no clock columns at all.
    const QString open = f.add();
    const QString onTime = f.add();
    const QString late = f.add();
    const QString waitingNext = f.add();
    const QString closedUnanswered = f.add();
    f.exec(QStringLiteral("UPDATE leads SET sla_started_at = NULL, sla_at_risk_at = NULL, "
                          "response_due_at = NULL, sla_stopped_at = NULL, sla_breached_at = NULL, "
                          "first_response_due_at = NULL"));
    f.exec(QStringLiteral("UPDATE leads SET first_response_at = %1, last_outbound_at = %1, "
                          "waiting_on = 'lead' WHERE id = '%2'")
               .arg(june(9, 11))
               .arg(onTime));
    f.exec(QStringLiteral("UPDATE leads SET first_response_at = %1, last_outbound_at = %1, "
                          "waiting_on = 'lead' WHERE id = '%2'")
               .arg(june(10, 9))
               .arg(late));
    // Answered, then the lead wrote twice: the clock starts at the first unanswered message.
    f.exec(QStringLiteral("UPDATE leads SET first_response_at = %1, last_outbound_at = %1, "
                          "last_inbound_at = %2, waiting_on = 'business' WHERE id = '%3'")
               .arg(june(9, 10, 30))
               .arg(june(10, 15))
               .arg(waitingNext));
    f.exec(
        QStringLiteral("INSERT INTO conversations (id, business_id, contact_id, lead_id, channel, "
                       "created_at, updated_at) SELECT 'conv', business_id, contact_id, id, "
                       "channel, 0, 0 FROM leads WHERE id = '%1'")
            .arg(waitingNext));
    int message = 0;
    for (const auto &[at, direction] :
         {std::pair(june(9, 10, 10), "in"), std::pair(june(9, 10, 30), "out"),
          std::pair(june(10, 9, 30), "in"), std::pair(june(10, 15), "in")})
        f.exec(
            QStringLiteral("INSERT INTO messages (id, business_id, conversation_id, lead_id, "
                           "direction, sent_at, created_at, updated_at) SELECT 'm%1', business_id, "
                           "'conv', id, '%2', %3, 0, 0 FROM leads WHERE id = '%4'")
                .arg(++message)
                .arg(QLatin1String(direction))
                .arg(at)
                .arg(waitingNext));
    f.exec(QStringLiteral("UPDATE leads SET status = 'closed_lost' WHERE id = '%1'")
               .arg(closedUnanswered));

    auto config = f.sla->configFor(f.store.db(), f.store.businessId());
    LD_VERIFY_OK(config);
    const qint64 now = june(11, 12);
    auto stats = SlaClock::recomputeAll(f.store.db(), f.store.businessId(), **config, now);
    LD_VERIFY_OK(stats);
    QCOMPARE(stats->leads, 5);
    QCOMPARE(stats->running, 2);
    QCOMPARE(stats->overdue, 2);
    QCOMPARE(stats->markedBreached, 2);

    SlaColumns c = f.columns(open);
    QCOMPARE(c.startedAt, june(9, 10));
    QCOMPARE(c.dueAt, june(9, 14));
    QCOMPARE(c.breachedAt, june(9, 14)); // old news: marked without an event
    QCOMPARE(f.state(onTime, now), SlaState::Met);
    QCOMPARE(f.columns(onTime).stoppedAt, june(9, 11));
    QCOMPARE(f.state(late, now), SlaState::Breached);
    QCOMPARE(f.columns(late).breachedAt, june(9, 14));
    c = f.columns(waitingNext);
    QCOMPARE(c.startedAt, june(10, 9, 30));
    QCOMPARE(text(*c.dueAt), text(june(11, 9, 30)));
    QCOMPARE(c.firstResponseDueAt, june(9, 14));
    QCOMPARE(f.state(closedUnanswered, now), SlaState::None);
    QCOMPARE(f.columns(closedUnanswered).firstResponseDueAt, june(9, 14));
    QCOMPARE(f.activities(QStringLiteral("sla_breached")), 0);

    // Recomputing again changes nothing, and a check finds nothing new.
    QList<SlaColumns> before;
    for (const QString &id : {open, onTime, late, waitingNext, closedUnanswered})
        before.append(f.columns(id));
    auto again = SlaClock::recomputeAll(f.store.db(), f.store.businessId(), **config, now);
    LD_VERIFY_OK(again);
    QCOMPARE(again->markedBreached, 0);
    int i = 0;
    for (const QString &id : {open, onTime, late, waitingNext, closedUnanswered})
        QCOMPARE(f.columns(id), before.at(i++));
    SlaTracker tracker(f.store.db(), f.store.businessId(), **config);
    auto check = tracker.check(now);
    LD_VERIFY_OK(check);
    QVERIFY(check->breaches.isEmpty());
}

void tst_SlaClock::recomputeAfterAPolicyChange()
{
    Fixture f;
    const QString open = f.add();
    const QString answered = f.add();
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), answered, june(9, 11), june(9, 11)));
    LD_VERIFY_OK(f.setPolicy(R"({"version":1,"at_risk_percent":50,
        "default":{"first_response_minutes":30,"next_response_minutes":60}})"));
    auto config = f.sla->configFor(f.store.db(), f.store.businessId());
    LD_VERIFY_OK(config);
    auto stats = SlaClock::recomputeAll(f.store.db(), f.store.businessId(), **config,
                                        june(9, 10, 20), SlaClock::Overdue::MarkSilently);
    LD_VERIFY_OK(stats);
    QCOMPARE(stats->running, 1);
    QCOMPARE(stats->overdue, 0);
    QCOMPARE(f.columns(open).dueAt, june(9, 10, 30));
    QCOMPARE(f.columns(open).atRiskAt, june(9, 10, 15));
    QCOMPARE(f.columns(open).startedAt, june(9, 10)); // the clock's start stands
    // The answered lead kept its clock, now measured against 30 minutes: late.
    QCOMPARE(f.columns(answered).stoppedAt, june(9, 11));
    QCOMPARE(f.state(answered, june(9, 12)), SlaState::Breached);
    QCOMPARE(f.columns(answered).firstResponseDueAt, june(9, 10, 30));
}

void tst_SlaClock::recomputeCanLeaveOverdueLeadsForTheCheck()
{
    Fixture f;
    const QString id = f.add();
    f.exec(QStringLiteral("UPDATE leads SET response_due_at = NULL, sla_started_at = NULL"));
    auto config = f.sla->configFor(f.store.db(), f.store.businessId());
    LD_VERIFY_OK(config);
    auto stats = SlaClock::recomputeAll(f.store.db(), f.store.businessId(), **config, june(9, 15),
                                        SlaClock::Overdue::LeaveForCheck);
    LD_VERIFY_OK(stats);
    QCOMPARE(stats->overdue, 1);
    QCOMPARE(stats->markedBreached, 0);
    QVERIFY(!f.columns(id).breachedAt);
    SlaTracker tracker(f.store.db(), f.store.businessId(), **config);
    auto check = tracker.check(june(9, 15));
    LD_VERIFY_OK(check);
    QCOMPARE(check->breachedLeadIds(), QStringList{id});
    // A later recompute keeps the recorded breach of the same clock.
    auto again = SlaClock::recomputeAll(f.store.db(), f.store.businessId(), **config, june(9, 16),
                                        SlaClock::Overdue::LeaveForCheck);
    LD_VERIFY_OK(again);
    QCOMPARE(f.columns(id).breachedAt, june(9, 14));
}

void tst_SlaClock::recomputeLeadAfterSync()
{
    Fixture f;
    const QString id = f.add();
    // Another device answered; sync wrote the lead's fields but not our derived columns.
    f.exec(QStringLiteral("UPDATE leads SET first_response_at = %1, last_outbound_at = %1, "
                          "waiting_on = 'lead' WHERE id = '%2'")
               .arg(june(9, 11))
               .arg(id));
    QCOMPARE(f.state(id, june(9, 15)), SlaState::Breached);
    LD_VERIFY_OK(f.sla->recomputeLead(f.store.db(), id, june(9, 15)));
    QCOMPARE(f.state(id, june(9, 15)), SlaState::Met);
    QCOMPARE(f.columns(id).stoppedAt, june(9, 11));
}

void tst_SlaClock::neverOpenCalendarHasNoDueTime()
{
    Fixture f;
    LD_VERIFY_OK(SettingsRepository(f.store.db())
                     .setValue(f.store.businessId(),
                               QString::fromLatin1(SettingsRepository::kBusinessHours),
                               R"({"weekly":{}})", 0));
    const QString id = f.add();
    QVERIFY(!f.columns(id).dueAt);
    QCOMPARE(f.state(id, june(30, 12)), SlaState::None);
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(9, 11), june(9, 11)));
    QCOMPARE(f.state(id, june(30, 12)), SlaState::None);
}

void tst_SlaClock::unknownLeadIsAnError()
{
    Fixture f;
    QVERIFY(!f.sla->recordInbound(f.store.db(), QStringLiteral("nope"), june(9, 10), june(9, 10)));
    QVERIFY(!f.sla->recordResponse(f.store.db(), QStringLiteral("nope"), june(9, 10), june(9, 10)));
    QVERIFY(!f.sla->stop(f.store.db(), QStringLiteral("nope"), june(9, 10)));
    QVERIFY(!f.sla->recomputeLead(f.store.db(), QStringLiteral("nope"), june(9, 10)));
    QVERIFY(!f.sla->configFor(f.store.db(), QStringLiteral("no-such-business")));
}

QTEST_GUILESS_MAIN(tst_SlaClock)
#include "tst_slaclock.moc"
