// SlaSweep: one pass of the SLA watch (breaches once, escalation, reassignment) and the backfill
// of leads without SLA columns.
#include "clock.h"
#include "ids.h"
#include "ingestionstages.h"
#include "leadingestor.h"
#include "settingsrepository.h"
#include "slasweep.h"
#include "testsupport.h"

#include <QJsonArray>
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
    Core::LeadIngestor ingestor{store.db(), clock};
    QString alice;
    QString bob;
    int serial = 0;

    Fixture()
    {
        Core::addStandardStages(ingestor);
        alice = rep(QStringLiteral("alice"));
        bob = rep(QStringLiteral("bob"));
    }

    QString rep(const QString &name)
    {
        const QString id = Core::Ids::uuidV7(june(1, 0));
        QSqlQuery q(store.db().connection());
        q.prepare(QStringLiteral(
            "INSERT INTO users (id, business_id, username, display_name, role, password_hash, "
            "away, created_at, updated_at) VALUES (?, ?, ?, ?, 'rep', 'x', 0, 0, 0)"));
        q.addBindValue(id);
        q.addBindValue(store.businessId());
        q.addBindValue(name);
        q.addBindValue(name);
        if (!q.exec())
            qFatal("user insert failed");
        return id;
    }

    void routing(const QByteArray &json)
    {
        if (!Core::SettingsRepository(store.db())
                 .setValue(store.businessId(),
                           QString::fromLatin1(Core::SettingsRepository::kRoutingRules), json, 0))
            qFatal("cannot store routing rules");
    }

    // A webform lead arriving now (grade D: due four business hours later).
    QString lead()
    {
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

    QVariant value(const QString &sql, const QString &leadId)
    {
        QSqlQuery q(store.db().connection());
        q.prepare(sql);
        q.addBindValue(leadId);
        if (!q.exec() || !q.next())
            return {};
        return q.value(0);
    }
};

} // namespace

class tst_SlaSweep : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void recordsEachBreachOnce();
    void reassignsWhenTheRulesSaySo();
    void backfillsLeadsWithoutClocks();
};

void tst_SlaSweep::recordsEachBreachOnce()
{
    Fixture f;
    const QString late = f.lead();
    f.clock.setMs(june(9, 12));
    const QString onTime = f.lead(); // due 16:00
    QCOMPARE(f.value(QStringLiteral("SELECT response_due_at FROM leads WHERE id = ?"), late)
                 .toLongLong(),
             june(9, 14));

    auto first = Core::SlaSweep::run(f.store.db(), f.store.businessId(), june(9, 15));
    LD_VERIFY_OK(first);
    QCOMPARE(first->check.breaches.size(), 1);
    QCOMPARE(first->check.breachedLeadIds(), QStringList{late});
    QVERIFY(first->hasNews());
    // No reassign_on_breach in the (default) rules: the lead stays where it is.
    QCOMPARE(first->reassignments.size(), 1);
    QVERIFY(!first->reassignments.first().outcome.assigned);
    QCOMPARE(first->reassignments.first().outcome.reason, QStringLiteral("reassign_off"));
    QCOMPARE(first->toJson().value(u"breaches").toArray().size(), 1);
    QCOMPARE(first->toJson().value(u"reassigned").toArray().size(), 0);
    QVERIFY(
        !f.value(QStringLiteral("SELECT sla_breached_at FROM leads WHERE id = ?"), late).isNull());
    QVERIFY(
        f.value(QStringLiteral("SELECT sla_breached_at FROM leads WHERE id = ?"), onTime).isNull());

    auto second = Core::SlaSweep::run(f.store.db(), f.store.businessId(), june(9, 15, 30));
    LD_VERIFY_OK(second);
    QVERIFY(second->check.breaches.isEmpty());
    QVERIFY(second->reassignments.isEmpty());
    QVERIFY(!second->hasNews());
    QCOMPARE(Test::countRows(f.store.db(), QStringLiteral("activities"),
                             QStringLiteral("activity_type = 'sla_breached'")),
             1);
}

void tst_SlaSweep::reassignsWhenTheRulesSaySo()
{
    Fixture f;
    f.routing(R"({"reassign_on_breach": true})");
    const QString lead = f.lead();
    const QString first
        = f.value(QStringLiteral("SELECT assigned_to FROM leads WHERE id = ?"), lead).toString();
    QVERIFY(first == f.alice || first == f.bob);
    const QString other = first == f.alice ? f.bob : f.alice;

    auto sweep = Core::SlaSweep::run(f.store.db(), f.store.businessId(), june(9, 15));
    LD_VERIFY_OK(sweep);
    QCOMPARE(sweep->check.breaches.size(), 1);
    QCOMPARE(sweep->reassignments.size(), 1);
    const Core::LeadRouter::Outcome &moved = sweep->reassignments.first().outcome;
    QVERIFY(moved.assigned);
    QCOMPARE(moved.reason, QStringLiteral("sla_breach"));
    QCOMPARE(moved.previousUserId, first);
    QCOMPARE(moved.userId, other);
    QCOMPARE(f.value(QStringLiteral("SELECT assigned_to FROM leads WHERE id = ?"), lead).toString(),
             other);
    QCOMPARE(f.value(QStringLiteral("SELECT count(*) FROM activities WHERE lead_id = ? AND "
                                    "activity_type = 'assigned' AND "
                                    "json_extract(metadata, '$.reason') = 'sla_breach'"),
                     lead)
                 .toInt(),
             1);
    const QJsonArray reassigned = sweep->toJson().value(u"reassigned").toArray();
    QCOMPARE(reassigned.size(), 1);
    QCOMPARE(reassigned.first().toObject().value(u"lead_id").toString(), lead);

    // Recorded once: the next pass neither breaches nor moves it again.
    auto again = Core::SlaSweep::run(f.store.db(), f.store.businessId(), june(9, 16));
    LD_VERIFY_OK(again);
    QVERIFY(again->reassignments.isEmpty());
    QCOMPARE(f.value(QStringLiteral("SELECT assigned_to FROM leads WHERE id = ?"), lead).toString(),
             other);
}

void tst_SlaSweep::backfillsLeadsWithoutClocks()
{
    Fixture f;
    const QString lead = f.lead();
    // A lead from before the SLA columns: nothing computed.
    QSqlQuery q(f.store.db().connection());
    QVERIFY(q.exec(QStringLiteral(
        "UPDATE leads SET sla_started_at = NULL, sla_at_risk_at = NULL, response_due_at = NULL, "
        "first_response_due_at = NULL")));
    auto backfilled
        = Core::SlaSweep::backfillIfNeeded(f.store.db(), f.store.businessId(), june(9, 11));
    LD_VERIFY_OK(backfilled);
    QVERIFY(*backfilled);
    QCOMPARE(f.value(QStringLiteral("SELECT response_due_at FROM leads WHERE id = ?"), lead)
                 .toLongLong(),
             june(9, 14));
    auto again = Core::SlaSweep::backfillIfNeeded(f.store.db(), f.store.businessId(), june(9, 11));
    LD_VERIFY_OK(again);
    QVERIFY(!*again);
}

QTEST_GUILESS_MAIN(tst_SlaSweep)
#include "tst_slasweep.moc"
