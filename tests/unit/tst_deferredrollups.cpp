// DeferredRollups: leads inserted inside the writer's transaction are counted into the analytics
// rollups once, at commit, from their final state. Whatever happens to them in between (routed,
// edited, deleted, rolled back to a savepoint, rebuilt over), the rollups must equal a rebuild.
#include "analyticsrollup.h"
#include "clock.h"
#include "database.h"
#include "deferredrollups.h"
#include "leadingestor.h"
#include "savepoint.h"
#include "scoringrules.h"
#include "testsupport.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;
using Core::DeferredRollups;
using Test::exec;

namespace {

// Varied leads around the 2024 spring change in New York, so local and UTC days differ.
class LeadMaker
{
public:
    explicit LeadMaker(quint32 seed)
        : m_rng(seed)
    {}

    Core::LeadRecord next()
    {
        static const QStringList channels = {"webform", "sms", "whatsapp"};
        static const QStringList campaigns = {"", "spring-sale", "roofing"};
        static const QStringList contents = {"", "ad-a", "ad-b"};
        static const qint64 base
            = QDateTime(QDate(2024, 3, 9), QTime(0, 0), QTimeZone::utc()).toMSecsSinceEpoch();
        Core::LeadRecord r;
        const int i = m_count++;
        r.channel = channels.at(m_rng.bounded(int(channels.size())));
        r.firstName = QStringLiteral("Lead");
        r.lastName = QString::number(i);
        r.email = QStringLiteral("lead%1@example.com").arg(i);
        if (m_rng.bounded(2))
            r.phone = QStringLiteral("+1512555%1").arg(1000 + i, 4, 10, QLatin1Char('0'));
        r.campaignRef = campaigns.at(m_rng.bounded(int(campaigns.size())));
        r.utmContent = contents.at(m_rng.bounded(int(contents.size())));
        if (m_rng.bounded(3) == 0)
            r.sourceLabel = QStringLiteral("landing-page");
        r.serviceInterest = m_rng.bounded(2) ? QStringLiteral("roof repair") : QString();
        r.createdAtMs = base + qint64(m_rng.bounded(3 * 24 * 60)) * 60'000;
        return r;
    }

private:
    QRandomGenerator m_rng;
    int m_count = 0;
};

} // namespace

class tst_DeferredRollups : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void triggerConditionIsKeptWhole();
    void triggerWithoutConditionGetsOne();
    void statementWithoutBodyIsRefused();
    void everyRollupTriggerSkipsListedLeads();
    void commitCountsLeadsAsTheyEndUp();
    void leadsOutsideATransactionAreCountedAtOnce();
    void rollbackForgetsTheList();
    void refusedInnerBeginKeepsTheList();
    void savepointRollbackDropsItsLead();
    void rebuildInTheSameTransactionCountsOnce();
    void listLeftByAForeignCommitIsCountedAtOpen();

private:
    struct Setup
    {
        Test::TempStore store;
        Core::ManualClock clock;
        Core::LeadIngestor ingestor{store.db(), clock};
        Setup()
        {
            QVERIFY(exec(store.db(),
                         QStringLiteral("UPDATE businesses SET time_zone = 'America/New_York'")));
            LD_VERIFY_OK(Core::AnalyticsRollup::rebuild(store.db(), store.businessId()));
            auto rules = Core::ScoringRules::loadDefault();
            QVERIFY(rules);
            ingestor.setScoring(std::make_shared<const Core::ScoringRules>(*rules));
            QVERIFY(exec(store.db(),
                         QStringLiteral("INSERT INTO users (id, business_id, username, role, "
                                        "password_hash, created_at, updated_at) VALUES "
                                        "('u1', ?, 'a', 'rep', 'x', 0, 0)"),
                         {store.businessId()}));
        }
        QString add(const Core::LeadRecord &record)
        {
            auto stored = ingestor.store(store.businessId(), record);
            if (!stored) {
                qWarning("%s", qPrintable(stored.error().toString()));
                return {};
            }
            return stored->leadId;
        }
        // The rollups as kept, then as a rebuild has them (the rebuild is rolled back).
        std::pair<QStringList, QStringList> keptAndRebuilt()
        {
            const QStringList kept = Test::rollupSnapshot(store.db());
            Core::Transaction transaction(store.db());
            if (!Core::AnalyticsRollup::rebuild(store.db(), store.businessId()))
                return {kept, {}};
            return {kept, Test::rollupSnapshot(store.db())};
        }
        int listed() { return Test::countRows(store.db(), QStringLiteral("analytics_deferred")); }
    };
};

void tst_DeferredRollups::triggerConditionIsKeptWhole()
{
    const QString sql = QStringLiteral("CREATE TRIGGER t AFTER UPDATE OF a, b ON leads\n"
                                       "WHEN OLD.a IS NOT NEW.a\n     OR OLD.b IS NOT NEW.b\n"
                                       "BEGIN\n    SELECT 1;\nEND");
    QCOMPARE(DeferredRollups::deferringTriggerSql(sql, u"NEW.id"),
             QStringLiteral("CREATE TRIGGER t AFTER UPDATE OF a, b ON leads\n"
                            "WHEN (OLD.a IS NOT NEW.a\n     OR OLD.b IS NOT NEW.b)\n"
                            " AND NOT EXISTS (SELECT 1 FROM analytics_deferred WHERE lead_id = "
                            "NEW.id)\nBEGIN\n    SELECT 1;\nEND"));
}

void tst_DeferredRollups::triggerWithoutConditionGetsOne()
{
    const QString sql = QStringLiteral("CREATE TRIGGER t AFTER DELETE ON lead_scores\nBEGIN\n"
                                       "    SELECT CASE WHEN 1 THEN 2 END;\nEND");
    QCOMPARE(DeferredRollups::deferringTriggerSql(sql, u"OLD.lead_id"),
             QStringLiteral("CREATE TRIGGER t AFTER DELETE ON lead_scores\n"
                            "WHEN NOT EXISTS (SELECT 1 FROM analytics_deferred WHERE lead_id = "
                            "OLD.lead_id)\nBEGIN\n    SELECT CASE WHEN 1 THEN 2 END;\nEND"));
}

void tst_DeferredRollups::statementWithoutBodyIsRefused()
{
    QVERIFY(DeferredRollups::deferringTriggerSql(QStringLiteral("CREATE TABLE t (a)"), u"NEW.id")
                .isEmpty());
}

void tst_DeferredRollups::everyRollupTriggerSkipsListedLeads()
{
    Test::TempStore store;
    QSqlQuery query(store.db().connection());
    QVERIFY(query.exec(QStringLiteral(
        "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
        "AND tbl_name IN ('leads', 'lead_scores') AND name LIKE 'analytics%' ORDER BY name")));
    QStringList names;
    while (query.next()) {
        const QString name = query.value(0).toString();
        const QString table = query.value(1).toString();
        const QString sql = query.value(2).toString();
        names << name;
        const QString lead = (sql.contains(QStringLiteral("DELETE ON")) ? QStringLiteral("OLD.")
                                                                        : QStringLiteral("NEW."))
                             + (table == QLatin1String("leads") ? QStringLiteral("id")
                                                                : QStringLiteral("lead_id"));
        QVERIFY2(
            sql.contains(
                QStringLiteral("NOT EXISTS (SELECT 1 FROM analytics_deferred WHERE lead_id = %1)")
                    .arg(lead)),
            qPrintable(name));
    }
    QCOMPARE(names, QStringList({"analytics_campaign_delete", "analytics_campaign_insert",
                                 "analytics_campaign_update", "analytics_leads_delete",
                                 "analytics_leads_insert", "analytics_leads_update",
                                 "analytics_scores_delete", "analytics_scores_insert",
                                 "analytics_scores_update"}));
}

void tst_DeferredRollups::commitCountsLeadsAsTheyEndUp()
{
    Setup s;
    Core::Database &db = s.store.db();
    LeadMaker maker(77);
    // Leads from before, counted by the triggers; the transaction below edits some of them.
    QStringList older;
    for (int i = 0; i < 30; ++i)
        older << s.add(maker.next());
    QCOMPARE(s.listed(), 0);

    Core::Transaction transaction(db);
    QVERIFY(transaction.isOpen());
    QStringList fresh;
    for (int i = 0; i < 120; ++i)
        fresh << s.add(maker.next());
    QVERIFY(!fresh.contains(QString()));
    QCOMPARE(s.listed(), 120);
    // What the router, the inbox and a rep do to leads in the same transaction.
    QVERIFY(exec(db, QStringLiteral("UPDATE leads SET assigned_to = 'u1' WHERE id = ? OR id = ?"),
                 {fresh.at(0), older.at(0)}));
    QVERIFY(exec(db,
                 QStringLiteral("UPDATE leads SET status = 'closed_won', value_cents = 125000 "
                                "WHERE id = ? OR id = ?"),
                 {fresh.at(1), older.at(1)}));
    QVERIFY(exec(db,
                 QStringLiteral("UPDATE leads SET waiting_on = 'business', first_response_at = "
                                "created_at + 600000 WHERE id = ? OR id = ?"),
                 {fresh.at(2), older.at(2)}));
    QVERIFY(exec(db,
                 QStringLiteral("UPDATE lead_scores SET lead_score = 91, lead_grade = 'A', "
                                "qualification_status = 'sales_qualified' "
                                "WHERE lead_id = ? OR lead_id = ?"),
                 {fresh.at(3), older.at(3)}));
    QVERIFY(exec(db, QStringLiteral("UPDATE leads SET deleted = 1 WHERE id = ? OR id = ?"),
                 {fresh.at(4), older.at(4)}));
    QVERIFY(exec(db, QStringLiteral("DELETE FROM leads WHERE id = ? OR id = ?"),
                 {fresh.at(5), older.at(5)}));
    LD_VERIFY_OK(transaction.commit());

    QCOMPARE(s.listed(), 0);
    const auto [kept, rebuilt] = s.keptAndRebuilt();
    QVERIFY(!rebuilt.isEmpty());
    QCOMPARE(kept, rebuilt);
}

void tst_DeferredRollups::leadsOutsideATransactionAreCountedAtOnce()
{
    Setup s;
    const QStringList before = Test::rollupSnapshot(s.store.db());
    LeadMaker maker(5);
    LD_VERIFY_OK(DeferredRollups::defer(s.store.db(), QStringLiteral("nobody")));
    QCOMPARE(*DeferredRollups::defer(s.store.db(), QStringLiteral("nobody")), false);
    QVERIFY(!s.add(maker.next()).isEmpty());
    QCOMPARE(s.listed(), 0);
    const auto [kept, rebuilt] = s.keptAndRebuilt();
    QVERIFY(kept != before);
    QCOMPARE(kept, rebuilt);
}

void tst_DeferredRollups::rollbackForgetsTheList()
{
    Setup s;
    LeadMaker maker(9);
    QVERIFY(!s.add(maker.next()).isEmpty());
    const QStringList before = Test::rollupSnapshot(s.store.db());
    {
        Core::Transaction transaction(s.store.db());
        QVERIFY(!s.add(maker.next()).isEmpty());
        QCOMPARE(s.listed(), 1);
    } // rolled back
    QCOMPARE(s.listed(), 0);
    QCOMPARE(Test::rollupSnapshot(s.store.db()), before);
    // The next transaction starts with nothing deferred, and commits cleanly.
    Core::Transaction next(s.store.db());
    QVERIFY(exec(s.store.db(), QStringLiteral("UPDATE businesses SET name = name")));
    LD_VERIFY_OK(next.commit());
    QCOMPARE(Test::rollupSnapshot(s.store.db()), before);
}

void tst_DeferredRollups::refusedInnerBeginKeepsTheList()
{
    Setup s;
    LeadMaker maker(10);
    Core::Transaction transaction(s.store.db());
    QVERIFY(!s.add(maker.next()).isEmpty());
    {
        Core::Transaction inner(s.store.db()); // SQLite refuses a BEGIN inside a transaction
        QVERIFY(!inner.isOpen());
    }
    QVERIFY(s.store.db().inTransaction());
    LD_VERIFY_OK(transaction.commit());
    QCOMPARE(s.listed(), 0);
    const auto [kept, rebuilt] = s.keptAndRebuilt();
    QCOMPARE(kept, rebuilt);
}

void tst_DeferredRollups::savepointRollbackDropsItsLead()
{
    Setup s;
    LeadMaker maker(11);
    Core::Transaction transaction(s.store.db());
    QVERIFY(!s.add(maker.next()).isEmpty());
    {
        Core::Savepoint job(s.store.db(), "job");
        LD_VERIFY_OK(job.status());
        QVERIFY(!s.add(maker.next()).isEmpty());
        QCOMPARE(s.listed(), 2);
    } // the second lead is rolled back with its listing
    QCOMPARE(s.listed(), 1);
    LD_VERIFY_OK(transaction.commit());
    QCOMPARE(Test::countRows(s.store.db(), QStringLiteral("leads")), 1);
    const auto [kept, rebuilt] = s.keptAndRebuilt();
    QCOMPARE(kept, rebuilt);
}

void tst_DeferredRollups::rebuildInTheSameTransactionCountsOnce()
{
    Setup s;
    LeadMaker maker(13);
    Core::Transaction transaction(s.store.db());
    for (int i = 0; i < 10; ++i)
        QVERIFY(!s.add(maker.next()).isEmpty());
    LD_VERIFY_OK(Core::AnalyticsRollup::rebuild(s.store.db(), s.store.businessId()));
    QCOMPARE(s.listed(), 0);
    QVERIFY(!s.add(maker.next()).isEmpty()); // listed again after the rebuild
    LD_VERIFY_OK(transaction.commit());
    const auto [kept, rebuilt] = s.keptAndRebuilt();
    QCOMPARE(kept, rebuilt);
}

void tst_DeferredRollups::listLeftByAForeignCommitIsCountedAtOpen()
{
    Test::TempStore store;
    const QString path = store.db().path();
    QVERIFY(exec(store.db(), QStringLiteral("UPDATE businesses SET time_zone = 'Europe/Paris'")));
    LD_VERIFY_OK(Core::AnalyticsRollup::rebuild(store.db(), store.businessId()));
    {
        // A transaction begun by SQL of its own, around Database: nothing counts the list.
        auto other = Core::Database::open(path);
        LD_VERIFY_OK(other);
        Core::Database &db = **other;
        LD_VERIFY_OK(db.execDirect(QStringLiteral("BEGIN")));
        QVERIFY(exec(db,
                     QStringLiteral("INSERT INTO contacts (id, business_id, created_at, "
                                    "updated_at) VALUES ('c1', ?, 0, 0)"),
                     {store.businessId()}));
        QVERIFY(exec(db, QStringLiteral("INSERT INTO analytics_deferred VALUES ('l1')")));
        QVERIFY(exec(db,
                     QStringLiteral("INSERT INTO leads (id, business_id, contact_id, channel, "
                                    "status, created_at, updated_at) VALUES "
                                    "('l1', ?, 'c1', 'sms', 'contacted', 1700000000000, 0)"),
                     {store.businessId()}));
        LD_VERIFY_OK(db.execDirect(QStringLiteral("COMMIT")));
        QCOMPARE(Test::countRows(db, QStringLiteral("analytics_deferred")), 1);
    }
    auto reopened = Core::Database::open(path);
    LD_VERIFY_OK(reopened);
    QCOMPARE(Test::countRows(**reopened, QStringLiteral("analytics_deferred")), 0);
    const QStringList kept = Test::rollupSnapshot(**reopened);
    QVERIFY(!kept.isEmpty());
    Core::Transaction transaction(**reopened);
    LD_VERIFY_OK(Core::AnalyticsRollup::rebuild(**reopened, store.businessId()));
    QCOMPARE(kept, Test::rollupSnapshot(**reopened));
}

QTEST_GUILESS_MAIN(tst_DeferredRollups)
#include "tst_deferredrollups.moc"
