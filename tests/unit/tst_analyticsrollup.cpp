// The analytics rollups: the triggers of 0004_analytics.sql and AnalyticsRollup::rebuild must
// agree on every counter after any mix of inserts, edits and deletions, in the business's zone.
#include "analyticscounters.h"
#include "analyticsperiod.h"
#include "analyticsrollup.h"
#include "businessrepository.h"
#include "testsupport.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

using namespace LeadDesk;
using Core::AnalyticsRollup;
using Core::LeadCounters;
using Test::exec;

namespace {

// Every non-empty rollup row of both tables, as text, in key order.
} // namespace

class tst_AnalyticsRollup : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void columnsMatchMigration();
    void bucketEdges();
    void zoneOffsets();
    void rebuildMarksCurrent();
    void triggersMatchRebuild();
    void businessesStaySeparate();
    void rebuildInsideTransaction();
};

void tst_AnalyticsRollup::columnsMatchMigration()
{
    Test::TempStore store;
    QSqlQuery query(store.db().connection());
    QVERIFY(query.exec(QStringLiteral("PRAGMA table_info(analytics_leads_daily)")));
    QStringList columns;
    while (query.next())
        columns << query.value(1).toString();
    QCOMPARE(columns.mid(0, 4),
             (QStringList{QStringLiteral("business_id"), QStringLiteral("day"),
                          QStringLiteral("channel"), QStringLiteral("assignee")}));
    QCOMPARE(columns.mid(4), LeadCounters::columnNames());
    QCOMPARE(LeadCounters::columnNames().size(), int(LeadCounters::kSlots));

    QVERIFY(query.exec(QStringLiteral(
        "SELECT lower_ms, bucket FROM analytics_response_buckets ORDER BY lower_ms")));
    QVERIFY(query.next());
    QCOMPARE(query.value(0).toLongLong(), -1); // the "not answered" row
    QCOMPARE(query.value(1).toInt(), -1);
    for (int i = 0; i < LeadCounters::kBuckets; ++i) {
        QVERIFY(query.next());
        QCOMPARE(query.value(0).toLongLong(), LeadCounters::kBucketLowerMs[size_t(i)]);
        QCOMPARE(query.value(1).toInt(), i);
    }
    QVERIFY(!query.next());
}

void tst_AnalyticsRollup::bucketEdges()
{
    QCOMPARE(LeadCounters::bucketOf(0), 0);
    QCOMPARE(LeadCounters::bucketOf(29'999), 0);
    QCOMPARE(LeadCounters::bucketOf(30'000), 1);
    QCOMPARE(LeadCounters::bucketOf(3'600'000), 18);
    QCOMPARE(LeadCounters::bucketOf(2'592'000'000), 44);
    QCOMPARE(LeadCounters::bucketOf(999'999'999'999), 44);
    QVERIFY(
        std::is_sorted(LeadCounters::kBucketLowerMs.begin(), LeadCounters::kBucketLowerMs.end()));
}

void tst_AnalyticsRollup::zoneOffsets()
{
    const auto ny = AnalyticsRollup::zoneOffsets(QTimeZone("America/New_York"));
    QVERIFY(ny.size() > 200); // two changes a year since 1970
    const auto dayOf = [&ny](const QDateTime &at) {
        return Core::AnalyticsRange::dateOfDay(
            AnalyticsRollup::localDay(at.toMSecsSinceEpoch(), ny));
    };
    const auto utcAt = [](int y, int m, int d, int h, int min) {
        return QDateTime(QDate(y, m, d), QTime(h, min), QTimeZone::utc());
    };
    QCOMPARE(dayOf(utcAt(2024, 3, 10, 4, 30)), QDate(2024, 3, 9));  // EST
    QCOMPARE(dayOf(utcAt(2024, 3, 11, 3, 30)), QDate(2024, 3, 10)); // EDT
    QCOMPARE(dayOf(utcAt(2024, 3, 11, 4, 30)), QDate(2024, 3, 11));
    QCOMPARE(dayOf(utcAt(2090, 7, 1, 3, 30)), QDate(2090, 6, 30)); // rules beyond the table
    QCOMPARE(dayOf(utcAt(2090, 12, 1, 4, 30)), QDate(2090, 11, 30));

    const auto utc = AnalyticsRollup::zoneOffsets(QTimeZone::utc());
    QCOMPARE(utc.size(), size_t(1));
    QCOMPARE(utc.front().second, 0);
    QVERIFY(AnalyticsRollup::zone(QStringLiteral("Not/AZone")).isValid());
    QCOMPARE(AnalyticsRollup::zone(QStringLiteral("Not/AZone"))
                 .offsetFromUtc(QDateTime::currentDateTimeUtc()),
             0);
    const auto kolkata = AnalyticsRollup::zoneOffsets(QTimeZone("Asia/Kolkata"));
    QCOMPARE(kolkata.back().second, 19'800'000); // +5:30: half-hour zones work too
}

void tst_AnalyticsRollup::rebuildMarksCurrent()
{
    Test::TempStore store;
    auto current = AnalyticsRollup::isCurrent(store.db(), store.businessId());
    LD_VERIFY_OK(current);
    QVERIFY(!*current); // a new business has never been built
    auto rebuilt = AnalyticsRollup::ensureCurrent(store.db(), store.businessId());
    LD_VERIFY_OK(rebuilt);
    QVERIFY(*rebuilt);
    rebuilt = AnalyticsRollup::ensureCurrent(store.db(), store.businessId());
    LD_VERIFY_OK(rebuilt);
    QVERIFY(!*rebuilt);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("analytics_zone_offsets")), 1);
    QVERIFY(!AnalyticsRollup::isCurrent(store.db(), QStringLiteral("no-such-business")));
}

void tst_AnalyticsRollup::triggersMatchRebuild()
{
    Test::TempStore store;
    Core::Database &db = store.db();
    const QString b = store.businessId();
    QVERIFY(exec(db, QStringLiteral("UPDATE businesses SET time_zone = 'America/New_York'")));
    LD_VERIFY_OK(AnalyticsRollup::rebuild(db, b));
    QVERIFY(
        exec(db,
             QStringLiteral("INSERT INTO users (id, business_id, username, role, "
                            "password_hash, created_at, updated_at) VALUES "
                            "('u1', ?, 'a', 'rep', 'x', 0, 0), ('u2', ?, 'b', 'rep', 'x', 0, 0)"),
             {b, b}));
    QVERIFY(exec(db,
                 QStringLiteral("INSERT INTO campaigns (id, business_id, external_id, name, "
                                "created_at, updated_at) VALUES ('k1', ?, 'one', 'One', 0, 0), "
                                "('k2', ?, 'two', 'Two', 0, 0)"),
                 {b, b}));

    QRandomGenerator rng(4242);
    const QStringList channels = {"sms", "webform", "whatsapp"};
    const QStringList statuses
        = {"new", "contacted", "qualified", "proposal", "closed_won", "closed_lost"};
    const QStringList grades = {"A", "B", "C", "D"};
    const QStringList qualifications
        = {"unqualified", "marketing_qualified", "sales_qualified", "customer", "lost"};
    const QVariantList assignees = {QVariant(), QStringLiteral("u1"), QStringLiteral("u2")};
    const QVariantList waiting = {QVariant(), QStringLiteral("business"), QStringLiteral("lead")};
    const QVariantList campaigns = {QVariant(), QStringLiteral("k1"), QStringLiteral("k2")};
    const QVariantList labels = {QVariant(), QStringLiteral("landing-page"), QStringLiteral("")};
    const QVariantList contents = {QVariant(), QStringLiteral("ad-a"), QStringLiteral("ad-b")};
    // Around the 2024 spring change, so local days and UTC days differ.
    const qint64 base
        = QDateTime(QDate(2024, 3, 8), QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
    const auto pick = [&rng](const auto &list) {
        return list.at(rng.bounded(int(list.size())));
    };
    const auto responseAt = [&rng](qint64 created) -> QVariant {
        switch (rng.bounded(4)) {
        case 0:
            return QVariant();
        case 1:
            return created - 5'000; // clock skew: counts as 0
        default:
            return created + qint64(rng.bounded(5'000'000)) * 1000;
        }
    };

    Core::Transaction transaction(db); // one commit for the lot: the triggers run all the same
    QVERIFY(transaction.isOpen());
    const int n = 400;
    for (int i = 0; i < n; ++i) {
        const qint64 created = base + qint64(rng.bounded(6 * 24 * 60)) * 60'000;
        QVERIFY(
            exec(db,
                 QStringLiteral("INSERT INTO contacts (id, business_id, created_at, updated_at) "
                                "VALUES (?, ?, 0, 0)"),
                 {QStringLiteral("c%1").arg(i), b}));
        // The score row goes in before its lead (as the store writes it), after it, or never
        // (the lead counts as 0, D, unqualified): the rollups must agree with a rebuild each way.
        const QString lead = QStringLiteral("l%1").arg(i);
        const int scoreOrder = rng.bounded(3);
        const auto insertScore = [&] {
            return exec(db,
                        QStringLiteral("INSERT INTO lead_scores (lead_id, tenant, lead_grade, "
                                       "qualification_status, lead_score) VALUES (?, "
                                       "(SELECT tenant FROM tenants WHERE business_id = ?), ?, "
                                       "?, ?)"),
                        {lead, b, pick(grades), pick(qualifications), rng.bounded(100)});
        };
        if (scoreOrder == 0)
            QVERIFY(insertScore());
        QVERIFY(exec(db,
                     QStringLiteral("INSERT INTO leads (id, business_id, contact_id, channel, "
                                    "created_at, updated_at, status, assigned_to, waiting_on, "
                                    "first_response_at, value_cents, campaign_id, source_label, "
                                    "utm_content, deleted) "
                                    "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                     {lead, b, QStringLiteral("c%1").arg(i), pick(channels), created,
                      pick(statuses), pick(assignees), pick(waiting), responseAt(created),
                      rng.bounded(3) ? QVariant() : QVariant(rng.bounded(100'000)), pick(campaigns),
                      pick(labels), pick(contents), rng.bounded(10) == 0 ? 1 : 0}));
        if (scoreOrder == 1)
            QVERIFY(insertScore());
    }
    // Edits of every column the rollups read, one or several at a time, and deletions.
    for (int i = 0; i < 1200; ++i) {
        const QString id = QStringLiteral("l%1").arg(rng.bounded(n));
        QString set;
        QString table = QStringLiteral("leads");
        QVariant value;
        switch (rng.bounded(14)) {
        case 0:
            set = "status = ?";
            value = pick(statuses);
            break;
        case 1:
            set = "lead_grade = ?";
            table = QStringLiteral("lead_scores");
            value = pick(grades);
            break;
        case 2:
            set = "qualification_status = ?";
            table = QStringLiteral("lead_scores");
            value = pick(qualifications);
            break;
        case 3:
            set = "lead_score = ?";
            table = QStringLiteral("lead_scores");
            value = rng.bounded(100);
            break;
        case 4:
            set = "assigned_to = ?";
            value = pick(assignees);
            break;
        case 5:
            set = "waiting_on = ?";
            value = pick(waiting);
            break;
        case 6:
            set = "first_response_at = created_at + ?";
            value = rng.bounded(100'000'000);
            break;
        case 7:
            set = "value_cents = ?";
            value = rng.bounded(50'000);
            break;
        case 8:
            set = "campaign_id = ?";
            value = pick(campaigns);
            break;
        case 9:
            set = "deleted = ?";
            value = rng.bounded(2);
            break;
        case 10:
            set = "created_at = created_at + ?";
            value = qint64(rng.bounded(48)) * 3'600'000;
            break;
        case 11:
            set = "channel = ?, utm_content = ?, source_label = 'modal'";
            value = pick(channels);
            break;
        case 12:
            // A score row appears, or goes (a lead without one scores the defaults).
            exec(db, QStringLiteral("DELETE FROM lead_scores WHERE lead_id = ?"), {id});
            set = "lead_grade = ?";
            table = QStringLiteral("lead_scores");
            value = pick(grades);
            if (rng.bounded(2) == 0) {
                QVERIFY(exec(db,
                             QStringLiteral("INSERT INTO lead_scores (lead_id, tenant, lead_score) "
                                            "VALUES (?, (SELECT tenant FROM tenants "
                                            "WHERE business_id = ?), ?)"),
                             {id, b, rng.bounded(100)}));
            }
            break;
        default:
            set = "updated_at = ?";
            value = i;
            break; // not watched: no trigger work
        }
        QVariantList values{value};
        if (set.contains(QLatin1String("utm_content")))
            values << pick(contents);
        values << id;
        const QString key
            = table == QLatin1String("leads") ? QStringLiteral("id") : QStringLiteral("lead_id");
        QVERIFY(
            exec(db, QStringLiteral("UPDATE %1 SET %2 WHERE %3 = ?").arg(table, set, key), values));
    }
    for (int i = 0; i < 40; ++i)
        QVERIFY(exec(db, QStringLiteral("DELETE FROM leads WHERE id = ?"),
                     {QStringLiteral("l%1").arg(rng.bounded(n))}));

    LD_VERIFY_OK(transaction.commit());
    // A lead that goes takes its score row with it.
    QCOMPARE(Test::countRows(db, QStringLiteral("lead_scores"),
                             QStringLiteral("lead_id NOT IN (SELECT id FROM leads)")),
             0);

    const QStringList kept = Test::rollupSnapshot(db);
    QVERIFY(kept.size() > 50);
    auto stats = AnalyticsRollup::rebuild(db, b);
    LD_VERIFY_OK(stats);
    const QStringList rebuilt = Test::rollupSnapshot(db);
    QCOMPARE(kept.size(), rebuilt.size());
    for (int i = 0; i < kept.size(); ++i)
        QCOMPARE(kept.at(i), rebuilt.at(i));
    QCOMPARE(stats->leads,
             Test::countRows(db, QStringLiteral("leads"), QStringLiteral("deleted = 0")));
}

void tst_AnalyticsRollup::businessesStaySeparate()
{
    Test::TempStore store;
    Core::Database &db = store.db();
    auto other = Core::BusinessRepository(db).create(QStringLiteral("Other"),
                                                     QStringLiteral("Europe/Berlin"));
    LD_VERIFY_OK(other);
    for (const QString &business : {store.businessId(), other->id}) {
        const QString contact = business + u"-c";
        const QString lead = business + u"-l";
        QVERIFY(
            exec(db,
                 QStringLiteral("INSERT INTO contacts (id, business_id, created_at, updated_at) "
                                "VALUES (?, ?, 0, 0)"),
                 {contact, business}));
        QVERIFY(exec(db,
                     QStringLiteral("INSERT INTO leads (id, business_id, contact_id, channel, "
                                    "created_at, updated_at) VALUES (?, ?, ?, 'sms', ?, 0)"),
                     {lead, business, contact, 1'700'000'000'000LL}));
    }
    LD_VERIFY_OK(AnalyticsRollup::rebuild(db, store.businessId()));
    LD_VERIFY_OK(AnalyticsRollup::rebuild(db, other->id));
    LD_VERIFY_OK(AnalyticsRollup::rebuild(db, store.businessId()));
    QCOMPARE(Test::countRows(db, QStringLiteral("analytics_leads_daily")), 2);
    QVERIFY(Test::countRows(db, QStringLiteral("analytics_zone_offsets"),
                            QStringLiteral("business_id = '%1'").arg(other->id))
            > 100);
    QCOMPARE(Test::countRows(db, QStringLiteral("analytics_state")), 2);
}

void tst_AnalyticsRollup::rebuildInsideTransaction()
{
    Test::TempStore store;
    Core::Transaction transaction(store.db());
    QVERIFY(transaction.isOpen());
    LD_VERIFY_OK(AnalyticsRollup::rebuild(store.db(), store.businessId()));
    LD_VERIFY_OK(transaction.commit());
    auto current = AnalyticsRollup::isCurrent(store.db(), store.businessId());
    LD_VERIFY_OK(current);
    QVERIFY(*current);
}

QTEST_GUILESS_MAIN(tst_AnalyticsRollup)
#include "tst_analyticsrollup.moc"
