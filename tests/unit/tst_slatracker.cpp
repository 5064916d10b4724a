#include "clock.h"
#include "leadingestor.h"
#include "settingsrepository.h"
#include "slaclock.h"
#include "slatracker.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;
using namespace LeadDesk::Core;

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;

// June 2025, UTC; the 9th is a Monday. Default hours Mon-Fri 09:00-17:00.
qint64 june(int day, int hour, int minute = 0)
{
    return QDateTime(QDate(2025, 6, day), QTime(hour, minute), Qt::UTC).toMSecsSinceEpoch();
}

struct Fixture
{
    Test::TempStore store;
    ManualClock clock{june(9, 9)};
    std::shared_ptr<SlaClock> sla = std::make_shared<SlaClock>();
    LeadIngestor ingestor{store.db(), clock};
    int serial = 0;

    explicit Fixture(const QByteArray &policy = {})
    {
        ingestor.addAfterStore(SlaClock::afterStoreStage(sla));
        if (!policy.isEmpty())
            (void)SettingsRepository(store.db())
                .setValue(store.businessId(), QString::fromLatin1(SettingsRepository::kSlaPolicy),
                          policy, 0);
    }

    // A lead arriving at `at` (webform, grade D: four business hours unless the policy differs).
    QString add(qint64 at, const QString &channel = QStringLiteral("webform"))
    {
        clock.setMs(at);
        LeadRecord record;
        record.channel = channel;
        record.firstName = QStringLiteral("Lead");
        record.lastName = QString::number(++serial);
        record.email = QStringLiteral("lead%1@example.com").arg(serial);
        record.createdAtMs = at;
        auto stored = ingestor.store(store.businessId(), record);
        return stored ? stored->leadId : QString();
    }

    SlaTracker tracker()
    {
        auto config = sla->configFor(store.db(), store.businessId());
        if (!config)
            qFatal("config: %s", qPrintable(config.error().message));
        return SlaTracker(store.db(), store.businessId(), **config);
    }

    int activities(const QString &type)
    {
        return Test::countRows(store.db(), QStringLiteral("activities"),
                               QStringLiteral("activity_type = '%1'").arg(type));
    }
};

const QByteArray kEscalationPolicy = R"({"version":1,
    "default":{"first_response_minutes":60,"next_response_minutes":120},
    "escalation":{"window_hours":24,"breach_rate_threshold":0.5,"min_leads":4,
                  "manager":{"name":"Dana Whitfield","email":"dana@example.com"},
                  "booking_url":"https://book.example.com/pro-services"}})";

} // namespace

class tst_SlaTracker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void countsPerState();
    void wholeStorePassAgreesWithCounts();
    void breachedListPagesByKey();
    void atRiskList();
    void checkRecordsEachBreachOnce();
    void checkReportsNextResponseBreaches();
    void escalationNeedsMinLeadsAndRateAboveThreshold();
    void escalationOncePerWindow();
    void escalationFallsBackToTheOwner();
    void escalationCanBeDisabled();
    void jsonShapes();
};

void tst_SlaTracker::countsPerState()
{
    Fixture f;
    // Due 13:00, 15:00 (at risk from 14:00), 15:45 (at risk from 14:45); now 14:30.
    const QString breached = f.add(june(9, 9));
    const QString atRisk = f.add(june(9, 11));
    const QString onTrack = f.add(june(9, 11, 45));
    const QString met = f.add(june(9, 12));
    const QString late = f.add(june(9, 9));
    const QString closed = f.add(june(9, 9));
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), met, june(9, 12, 30), june(9, 12, 30)));
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), late, june(9, 14), june(9, 14)));
    QSqlQuery q(f.store.db().connection());
    QVERIFY(q.exec(QStringLiteral("UPDATE leads SET status = 'closed_lost', sla_started_at = NULL, "
                                  "response_due_at = NULL WHERE id = '%1'")
                       .arg(closed)));
    auto counts = f.tracker().counts(june(9, 14, 30));
    LD_VERIFY_OK(counts);
    QCOMPARE(counts->breachedWaiting, 1);
    QCOMPARE(counts->breached, 2);
    QCOMPARE(counts->atRisk, 1);
    QCOMPARE(counts->onTrack, 1);
    QCOMPARE(counts->met, 1);
    QCOMPARE(counts->none, 1);
    QCOMPARE(counts->total(), 6);
    Q_UNUSED(breached);
    Q_UNUSED(atRisk);
    Q_UNUSED(onTrack);
    // Later the same day everything waiting has run out.
    auto evening = f.tracker().counts(june(9, 16, 30));
    LD_VERIFY_OK(evening);
    QCOMPARE(evening->breachedWaiting, 3);
    QCOMPARE(evening->onTrack + evening->atRisk, 0);
}

void tst_SlaTracker::wholeStorePassAgreesWithCounts()
{
    Fixture f;
    for (int i = 0; i < 30; ++i)
        f.add(june(9, 9) + i * 20 * kMinute);
    for (int i = 0; i < 10; ++i) {
        QSqlQuery q(f.store.db().connection());
        QVERIFY(
            q.exec(QStringLiteral("SELECT id FROM leads WHERE last_name = '%1'").arg(i * 3 + 1)));
        QVERIFY(q.next());
        LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), q.value(0).toString(),
                                           june(9, 9) + i * 90 * kMinute, f.clock.nowMs()));
    }
    // The trigger-kept category counts follow tombstones, deletions and restores.
    QSqlQuery q(f.store.db().connection());
    QVERIFY(q.exec(QStringLiteral("UPDATE leads SET deleted = 1 WHERE last_name IN ('1', '2')")));
    QVERIFY(q.exec(QStringLiteral("DELETE FROM leads WHERE last_name IN ('4', '5')")));
    QVERIFY(q.exec(QStringLiteral("UPDATE leads SET deleted = 0 WHERE last_name = '2'")));
    const qint64 now = june(10, 11);
    auto counts = f.tracker().counts(now);
    LD_VERIFY_OK(counts);
    QCOMPARE(counts->total(), 27);
    SlaCounts tally;
    qint64 elapsedOfWaiting = 0;
    auto seen = f.tracker().forEachLead(now, [&](const SlaTracker::LeadState &lead) {
        switch (lead.state) {
        case SlaState::None:
            ++tally.none;
            break;
        case SlaState::OnTrack:
            ++tally.onTrack;
            break;
        case SlaState::AtRisk:
            ++tally.atRisk;
            break;
        case SlaState::Breached:
            ++tally.breached;
            break;
        case SlaState::Met:
            ++tally.met;
            break;
        }
        if (!lead.columns.stoppedAt)
            elapsedOfWaiting = std::max(elapsedOfWaiting, lead.elapsedBusinessMs);
    });
    LD_VERIFY_OK(seen);
    QCOMPARE(*seen, 27);
    QCOMPARE(tally.none, counts->none);
    QCOMPARE(tally.onTrack, counts->onTrack);
    QCOMPARE(tally.atRisk, counts->atRisk);
    QCOMPARE(tally.breached, counts->breached);
    QCOMPARE(tally.met, counts->met);
    // The oldest waiting lead (Monday 09:20, restored) has waited Monday's rest plus two hours
    // Tuesday.
    QCOMPARE(elapsedOfWaiting, 7 * kHour + 40 * kMinute + 2 * kHour);
}

void tst_SlaTracker::breachedListPagesByKey()
{
    Fixture f;
    QStringList ids;
    for (int i = 0; i < 7; ++i)
        ids << f.add(june(9, 9) + i * 10 * kMinute);
    ids << f.add(june(9, 9)); // same due time as the first: the id breaks the tie
    const qint64 now = june(10, 12);
    QStringList listed;
    std::optional<SlaCursor> cursor;
    int pages = 0;
    do {
        auto page = f.tracker().breached(now, 3, cursor);
        LD_VERIFY_OK(page);
        QVERIFY(page->leads.size() <= 3);
        for (const SlaLead &lead : page->leads) {
            QCOMPARE(lead.state, SlaState::Breached);
            QCOMPARE(lead.kind, SlaKind::First);
            listed << lead.leadId;
        }
        cursor = page->next;
        ++pages;
    } while (cursor);
    QCOMPARE(pages, 3);
    QCOMPARE(listed.size(), 8);
    QCOMPARE(QSet<QString>(listed.begin(), listed.end()).size(), 8);
    // Most overdue first.
    auto first = f.tracker().breached(now, 8);
    LD_VERIFY_OK(first);
    QVERIFY(!first->next);
    QCOMPARE(first->leads.at(2).leadId, ids.at(1));
    QCOMPARE(first->leads.last().leadId, ids.at(6));
    QCOMPARE(first->leads.first().dueAt, june(9, 13));
    QCOMPARE(first->leads.first().name.left(5), QStringLiteral("Lead "));
    QCOMPARE(first->leads.first().elapsedBusinessMs, 11 * kHour); // Monday 8 h, Tuesday 3 h
}

void tst_SlaTracker::atRiskList()
{
    Fixture f;
    const QString a = f.add(june(9, 10)); // at risk from 13:00, due 14:00
    const QString b = f.add(june(9, 10, 20));
    f.add(june(9, 12)); // at risk from 15:00
    auto page = f.tracker().atRisk(june(9, 13, 30), 10);
    LD_VERIFY_OK(page);
    QCOMPARE(page->leads.size(), 2);
    QCOMPARE(page->leads.at(0).leadId, a);
    QCOMPARE(page->leads.at(1).leadId, b);
    QCOMPARE(page->leads.at(0).state, SlaState::AtRisk);
    QCOMPARE(page->leads.at(0).elapsedBusinessMs, 3 * kHour + 30 * kMinute);
    QCOMPARE(page->leads.at(0).targetMs, 4 * kHour);
    auto second = f.tracker().atRisk(june(9, 13, 30), 1, SlaCursor{page->leads.at(0).dueAt, a});
    LD_VERIFY_OK(second);
    QCOMPARE(second->leads.size(), 1);
    QCOMPARE(second->leads.at(0).leadId, b);
    QVERIFY(!second->next);
}

void tst_SlaTracker::checkRecordsEachBreachOnce()
{
    Fixture f;
    const QString first = f.add(june(9, 9));
    const QString second = f.add(june(9, 10));
    f.add(june(9, 12));
    auto check = f.tracker().check(june(9, 14, 30));
    LD_VERIFY_OK(check);
    QCOMPARE(check->breachedLeadIds(), (QStringList{first, second}));
    const SlaBreach &breach = check->breaches.first();
    QCOMPARE(breach.dueAt, june(9, 13));
    QCOMPARE(breach.detectedAt, june(9, 14, 30));
    QCOMPARE(breach.elapsedBusinessMs, 5 * kHour + 30 * kMinute);
    QCOMPARE(breach.policyId, QStringLiteral("default"));
    QCOMPARE(breach.kind, SlaKind::First);
    QVERIFY(!breach.lateResponse);
    QCOMPARE(f.activities(QStringLiteral("sla_breached")), 2);
    QVERIFY(!check->escalation); // two leads are below min_leads

    auto again = f.tracker().check(june(9, 14, 45));
    LD_VERIFY_OK(again);
    QVERIFY(again->breaches.isEmpty());
    QCOMPARE(f.activities(QStringLiteral("sla_breached")), 2);
    // The third runs out later; an answer after that records nothing more for the first two.
    auto later = f.tracker().check(june(9, 16, 1));
    LD_VERIFY_OK(later);
    QCOMPARE(later->breaches.size(), 1);
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), first, june(9, 16, 30), june(9, 16, 30)));
    QCOMPARE(f.activities(QStringLiteral("sla_breached")), 3);

    QSqlQuery q(f.store.db().connection());
    QVERIFY(q.exec(QStringLiteral("SELECT description, metadata FROM activities "
                                  "WHERE activity_type = 'sla_breached' AND lead_id = '%1'")
                       .arg(first)));
    QVERIFY(q.next());
    QVERIFY2(q.value(0).toString().contains(QStringLiteral("no first response within 4 h")),
             qPrintable(q.value(0).toString()));
    const QJsonObject metadata = QJsonDocument::fromJson(q.value(1).toByteArray()).object();
    QCOMPARE(metadata.value(QStringLiteral("kind")).toString(), QStringLiteral("first_response"));
    QCOMPARE(metadata.value(QStringLiteral("due_at")).toString(),
             QStringLiteral("2025-06-09T13:00:00.000Z"));
}

void tst_SlaTracker::checkReportsNextResponseBreaches()
{
    Fixture f;
    const QString id = f.add(june(9, 9));
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(9, 9, 30), june(9, 9, 30)));
    LD_VERIFY_OK(f.sla->recordInbound(f.store.db(), id, june(9, 10), june(9, 10)));
    auto check = f.tracker().check(june(10, 11));
    LD_VERIFY_OK(check);
    QCOMPARE(check->breaches.size(), 1);
    QCOMPARE(check->breaches.first().kind, SlaKind::Next);
    QCOMPARE(check->breaches.first().dueAt, june(10, 10));
    QCOMPARE(check->breaches.first().targetMs, 8 * kHour);
    // The next message after an answer starts a clock that can breach again.
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), id, june(10, 11, 30), june(10, 11, 30)));
    LD_VERIFY_OK(f.sla->recordInbound(f.store.db(), id, june(10, 12), june(10, 12)));
    auto next = f.tracker().check(june(11, 13));
    LD_VERIFY_OK(next);
    QCOMPARE(next->breaches.size(), 1);
    QCOMPARE(f.activities(QStringLiteral("sla_breached")), 2);
}

void tst_SlaTracker::escalationNeedsMinLeadsAndRateAboveThreshold()
{
    Fixture f(kEscalationPolicy);
    // Four leads due at 10:00..10:45 (one hour each); two answered in time: 2 of 4 = 50 %, not
    // above the threshold.
    QStringList ids;
    for (int i = 0; i < 4; ++i)
        ids << f.add(june(9, 9) + i * 15 * kMinute);
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), ids[0], june(9, 9, 30), june(9, 9, 30)));
    LD_VERIFY_OK(f.sla->recordResponse(f.store.db(), ids[1], june(9, 9, 30), june(9, 9, 30)));
    auto check = f.tracker().check(june(9, 11));
    LD_VERIFY_OK(check);
    QCOMPARE(check->breaches.size(), 2);
    QVERIFY(!check->escalation);
    auto rate = f.tracker().breachRate(june(8, 11), june(9, 11));
    LD_VERIFY_OK(rate);
    QCOMPARE(*rate, std::make_pair(qint64(4), qint64(2)));

    // A fifth lead, due 11:30 and missed: 3 of 5 = 60 % > 50 %.
    f.add(june(9, 10, 30));
    auto escalated = f.tracker().check(june(9, 12));
    LD_VERIFY_OK(escalated);
    QVERIFY(escalated->escalation);
    const SlaEscalationEvent &event = *escalated->escalation;
    QCOMPARE(event.leadsDue, 5);
    QCOMPARE(event.leadsBreached, 3);
    QCOMPARE(event.breachRate, 0.6);
    QCOMPARE(event.threshold, 0.5);
    QCOMPARE(event.managerName, QStringLiteral("Dana Whitfield"));
    QCOMPARE(event.managerEmail, QStringLiteral("dana@example.com"));
    QCOMPARE(event.bookingUrl, QStringLiteral("https://book.example.com/pro-services"));
    QCOMPARE(event.windowStart, june(8, 12));
    QVERIFY2(event.message.contains(QStringLiteral("3 of 5 leads (60 %)")),
             qPrintable(event.message));
    QVERIFY(event.message.contains(QStringLiteral("Dana Whitfield <dana@example.com>")));
    QVERIFY(event.message.contains(QStringLiteral("https://book.example.com/pro-services")));
    QCOMPARE(f.activities(QStringLiteral("sla_escalation")), 1);
    QCOMPARE(Test::countRows(f.store.db(), QStringLiteral("activities"),
                             QStringLiteral("activity_type = 'sla_escalation' AND lead_id IS NULL "
                                            "AND metadata LIKE '%pro-services%'")),
             1);
}

void tst_SlaTracker::escalationOncePerWindow()
{
    Fixture f(kEscalationPolicy);
    for (int i = 0; i < 4; ++i)
        f.add(june(9, 9) + i * 10 * kMinute);
    auto first = f.tracker().check(june(9, 12));
    LD_VERIFY_OK(first);
    QVERIFY(first->escalation);
    // Still above the threshold an hour later, and with new breaches: no second escalation.
    for (int i = 0; i < 4; ++i)
        f.add(june(9, 12) + i * 10 * kMinute);
    auto second = f.tracker().check(june(9, 15));
    LD_VERIFY_OK(second);
    QCOMPARE(second->breaches.size(), 4);
    QVERIFY(!second->escalation);
    // A day later the window has moved on: the next bad day escalates again.
    for (int i = 0; i < 4; ++i)
        f.add(june(10, 12) + i * 10 * kMinute);
    auto third = f.tracker().check(june(10, 15));
    LD_VERIFY_OK(third);
    QVERIFY(third->escalation);
    QCOMPARE(f.activities(QStringLiteral("sla_escalation")), 2);
}

void tst_SlaTracker::escalationFallsBackToTheOwner()
{
    Fixture f(R"({"version":1,"default":{"first_response_minutes":60,"next_response_minutes":60},
                  "escalation":{"min_leads":1,"breach_rate_threshold":0}})");
    QSqlQuery q(f.store.db().connection());
    QVERIFY(q.exec(QStringLiteral("INSERT INTO users (id, business_id, username, display_name, "
                                  "email, role, password_hash, "
                                  "created_at, updated_at) VALUES ('u1', '%1', 'owner', 'Olga "
                                  "Owner', 'olga@example.com', "
                                  "'owner', 'x', 0, 0)")
                       .arg(f.store.businessId())));
    f.add(june(9, 9));
    auto check = f.tracker().check(june(9, 11));
    LD_VERIFY_OK(check);
    QVERIFY(check->escalation);
    QCOMPARE(check->escalation->managerName, QStringLiteral("Olga Owner"));
    QCOMPARE(check->escalation->managerEmail, QStringLiteral("olga@example.com"));
    QVERIFY(check->escalation->bookingUrl.isEmpty());
    QVERIFY(
        check->escalation->message.contains(QStringLiteral("No professional-services booking")));
}

void tst_SlaTracker::escalationCanBeDisabled()
{
    Fixture f(R"({"version":1,"default":{"first_response_minutes":60,"next_response_minutes":60},
                  "escalation":{"enabled":false,"min_leads":1,"breach_rate_threshold":0}})");
    f.add(june(9, 9));
    auto check = f.tracker().check(june(9, 11));
    LD_VERIFY_OK(check);
    QCOMPARE(check->breaches.size(), 1);
    QVERIFY(!check->escalation);
}

void tst_SlaTracker::jsonShapes()
{
    Fixture f(kEscalationPolicy);
    for (int i = 0; i < 4; ++i)
        f.add(june(9, 9) + i * 10 * kMinute);
    auto check = f.tracker().check(june(9, 12));
    LD_VERIFY_OK(check);
    const QJsonObject json = check->toJson();
    QCOMPARE(json.value(QStringLiteral("breaches")).toArray().size(), 4);
    const QJsonObject breach = json.value(QStringLiteral("breaches")).toArray().first().toObject();
    for (const char *key : {"lead_id", "name", "channel", "grade", "kind", "policy", "due_at",
                            "elapsed_business_ms", "late_response"})
        QVERIFY2(breach.contains(QLatin1String(key)), key);
    const QJsonObject escalation = json.value(QStringLiteral("escalation")).toObject();
    QCOMPARE(escalation.value(QStringLiteral("booking_url")).toString(),
             QStringLiteral("https://book.example.com/pro-services"));
    QCOMPARE(escalation.value(QStringLiteral("manager")).toObject().value(QStringLiteral("email")),
             QJsonValue(QStringLiteral("dana@example.com")));
    auto counts = f.tracker().counts(june(9, 12));
    LD_VERIFY_OK(counts);
    QCOMPARE(counts->toJson().value(QStringLiteral("breached")).toInt(), 4);
    QCOMPARE(counts->toJson().value(QStringLiteral("total")).toInt(), 4);
}

QTEST_GUILESS_MAIN(tst_SlaTracker)
#include "tst_slatracker.moc"
