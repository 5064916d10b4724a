#include "database.h"
#include "leadrepository.h"
#include "scoretable.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace LeadDesk;
using Core::ScoreTable;

namespace {

// A business with `leads` leads, lead i scoring `firstScore + i`; ids "<prefix>-<i>".
bool addBusiness(Core::Database &db, const QString &business, const QString &prefix, int leads,
                 int firstScore, bool scoresByTenant)
{
    if (!Test::exec(db, QStringLiteral("INSERT INTO businesses (id, name, created_at, updated_at) "
                                       "VALUES ('%1', 'Co %1', 1, 1)")
                            .arg(business))
        || !Test::exec(db, QStringLiteral("INSERT INTO contacts (id, business_id, created_at, "
                                          "updated_at) VALUES ('c-%1', '%1', 1, 1)")
                               .arg(business)))
        return false;
    for (int i = 0; i < leads; ++i) {
        const QString id = QStringLiteral("%1-%2").arg(prefix).arg(i, 3, 10, QLatin1Char('0'));
        const QString owner = scoresByTenant ? QStringLiteral("(SELECT tenant FROM tenants WHERE "
                                                              "business_id = '%1')")
                                                   .arg(business)
                                             : QStringLiteral("'%1'").arg(business);
        const QString scoreSql
            = QStringLiteral("INSERT INTO lead_scores (lead_id, %1, lead_score, lead_grade, "
                             "qualification_status) VALUES ('%2', %3, %4, 'C', "
                             "'marketing_qualified')")
                  .arg(scoresByTenant ? QStringLiteral("tenant") : QStringLiteral("business_id"),
                       id, owner)
                  .arg(firstScore + i);
        if (!Test::exec(db, scoreSql)
            || !Test::exec(
                db, QStringLiteral("INSERT INTO leads (id, business_id, contact_id, channel, "
                                   "first_name, created_at, updated_at) "
                                   "VALUES ('%1', '%2', 'c-%2', 'web', '%1', %3, %3)")
                        .arg(id, business)
                        .arg(i + 1)))
            return false;
    }
    return true;
}

const QString kTriggersSql = QStringLiteral("SELECT name || ': ' || sql FROM sqlite_schema "
                                            "WHERE type = 'trigger' AND tbl_name = 'lead_scores' "
                                            "ORDER BY name");

} // namespace

class tst_ScoreTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aVersion10StoreKeepsEveryScoreUnderItsBusiness();
    void aNewBusinessIsNumberedBeforeItsFirstScore();
    void theScoreSortKeepsBusinessesApart();
};

void tst_ScoreTable::aVersion10StoreKeepsEveryScoreUnderItsBusiness()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("v10.sqlite"));
    QStringList rollupsBefore;
    QStringList triggersBefore;
    QStringList scoresBefore;
    const QString scoresSql
        = QStringLiteral("SELECT id || ' ' || business_id || ' ' || lead_score || ' ' || "
                         "lead_grade || ' ' || qualification_status FROM scored_leads ORDER BY id");
    {
        auto v10 = Core::Database::open(path, Core::Database::Mode::ReadWrite,
                                        ScoreTable::kTenantsVersion - 1);
        LD_VERIFY_OK(v10);
        Core::Database &db = **v10;
        QVERIFY(addBusiness(db, QStringLiteral("b-one"), QStringLiteral("one"), 3, 40, false));
        QVERIFY(addBusiness(db, QStringLiteral("b-two"), QStringLiteral("two"), 2, 70, false));
        // A score row names a business the store does not hold (score rows have no foreign
        // key): it keeps its business all the same.
        QVERIFY(Test::exec(db, QStringLiteral("INSERT INTO lead_scores (lead_id, business_id, "
                                              "lead_score) VALUES ('stray', 'b-gone', 5)")));
        rollupsBefore = Test::rollupSnapshot(db);
        triggersBefore = Test::column(db, kTriggersSql);
        scoresBefore = Test::column(db, scoresSql);
    }
    QVERIFY(!rollupsBefore.isEmpty());
    QVERIFY(!triggersBefore.isEmpty());
    QCOMPARE(scoresBefore.size(), 5);

    auto latest = Core::Database::open(path);
    LD_VERIFY_OK(latest);
    Core::Database &db = **latest;
    QVERIFY(db.schemaVersion() >= ScoreTable::kTenantsVersion);
    // Every business numbered once; the one without a businesses row too.
    QCOMPARE(
        Test::column(db, QStringLiteral("SELECT business_id FROM tenants ORDER BY business_id")),
        (QStringList{QStringLiteral("b-gone"), QStringLiteral("b-one"), QStringLiteral("b-two")}));
    QCOMPARE(Test::column(db, QStringLiteral("SELECT COUNT(DISTINCT tenant) FROM tenants")),
             QStringList{QStringLiteral("3")});
    // Each score row under its own business's number, its values kept.
    QCOMPARE(
        Test::column(db, QStringLiteral("SELECT COUNT(*) FROM lead_scores AS s JOIN tenants AS t "
                                        "ON t.tenant = s.tenant JOIN leads AS l ON l.id = "
                                        "s.lead_id WHERE l.business_id = t.business_id")),
        QStringList{QStringLiteral("5")});
    QCOMPARE(
        Test::column(db, QStringLiteral("SELECT t.business_id || ' ' || s.lead_score FROM "
                                        "lead_scores AS s JOIN tenants AS t ON t.tenant = s.tenant "
                                        "WHERE s.lead_id = 'stray'")),
        QStringList{QStringLiteral("b-gone 5")});
    QCOMPARE(Test::column(db, scoresSql), scoresBefore);
    QCOMPARE(Test::column(db, QStringLiteral("SELECT name FROM pragma_table_info('lead_scores') "
                                             "WHERE name IN ('business_id', 'tenant')")),
             QStringList{QStringLiteral("tenant")});
    // The triggers word for word, the index on the number, no copy left behind.
    QCOMPARE(Test::column(db, kTriggersSql), triggersBefore);
    QCOMPARE(Test::column(db, QStringLiteral("SELECT name FROM pragma_index_info("
                                             "'idx_lead_scores_sort')")),
             (QStringList{QStringLiteral("tenant"), QStringLiteral("lead_score"),
                          QStringLiteral("lead_id")}));
    QCOMPARE(Test::column(db, QStringLiteral("SELECT COUNT(*) FROM sqlite_schema WHERE name = "
                                             "'lead_scores_v11'")),
             QStringList{QStringLiteral("0")});
    // The rollups unchanged, and the triggers still count.
    QCOMPARE(Test::rollupSnapshot(db), rollupsBefore);
    QVERIFY(Test::exec(db, QStringLiteral("UPDATE lead_scores SET lead_grade = 'A' WHERE lead_id = "
                                          "'one-000'")));
    QVERIFY(Test::rollupSnapshot(db) != rollupsBefore);
    QCOMPARE(Test::column(db, QStringLiteral("PRAGMA integrity_check")),
             QStringList{QStringLiteral("ok")});
}

void tst_ScoreTable::aNewBusinessIsNumberedBeforeItsFirstScore()
{
    Test::TempStore store;
    Core::Database &db = store.db();
    // The store's own business has its number.
    QCOMPARE(
        Test::column(db, QStringLiteral("SELECT COUNT(*) FROM tenants WHERE business_id = '%1'")
                             .arg(store.businessId())),
        QStringList{QStringLiteral("1")});
    QVERIFY(addBusiness(db, QStringLiteral("b-new"), QStringLiteral("new"), 2, 10, true));
    QCOMPARE(
        Test::column(db, QStringLiteral("SELECT COUNT(*) FROM lead_scores AS s JOIN tenants AS t "
                                        "ON t.tenant = s.tenant WHERE t.business_id = 'b-new'")),
        QStringList{QStringLiteral("2")});
    // A score row whose business has no number is refused, not stored under no business.
    QVERIFY(!db.execDirect(QStringLiteral("INSERT INTO lead_scores (lead_id, tenant) VALUES "
                                          "('x', (SELECT tenant FROM tenants WHERE business_id "
                                          "= 'b-unknown'))")));
}

void tst_ScoreTable::theScoreSortKeepsBusinessesApart()
{
    Test::TempStore store;
    Core::Database &db = store.db();
    // Scores interleave: one's 40..64, two's 50..59.
    QVERIFY(addBusiness(db, QStringLiteral("b-one"), QStringLiteral("one"), 25, 40, true));
    QVERIFY(addBusiness(db, QStringLiteral("b-two"), QStringLiteral("two"), 10, 50, true));
    Core::LeadRepository repository(db);
    for (const auto &[business, prefix, count, top] :
         {std::tuple{QStringLiteral("b-one"), QStringLiteral("one-"), 25, 64},
          std::tuple{QStringLiteral("b-two"), QStringLiteral("two-"), 10, 59}}) {
        Core::LeadPageRequest request{business, Core::LeadSort::Score, Qt::DescendingOrder,
                                      std::nullopt, 4};
        QList<int> scores;
        while (true) {
            auto page = repository.fetchPage(request);
            LD_VERIFY_OK(page);
            for (const Core::LeadSummary &lead : page->rows) {
                QVERIFY2(lead.id.startsWith(prefix), qPrintable(lead.id));
                scores << lead.score;
            }
            if (!page->next)
                break;
            request.after = page->next;
        }
        QCOMPARE(scores.size(), count);
        for (int i = 0; i < count; ++i)
            QCOMPARE(scores[i], top - i);
    }
    // Read from the score index, the business's number first.
    QSqlQuery plan(db.connection());
    QVERIFY(plan.exec(QStringLiteral(
        "EXPLAIN QUERY PLAN SELECT s.lead_id FROM lead_scores s JOIN leads l ON l.id = s.lead_id "
        "WHERE s.tenant = (SELECT tenant FROM tenants WHERE business_id = 'b-two') AND "
        "l.deleted = 0 ORDER BY s.lead_score DESC, s.lead_id DESC LIMIT 4")));
    QString detail;
    while (plan.next())
        detail += plan.value(3).toString() + u'\n';
    QVERIFY2(detail.contains(QStringLiteral("idx_lead_scores_sort (tenant=?)")),
             qPrintable(detail));
    QVERIFY2(!detail.contains(QStringLiteral("TEMP B-TREE")), qPrintable(detail));
}

QTEST_GUILESS_MAIN(tst_ScoreTable)
#include "tst_scoretable.moc"
