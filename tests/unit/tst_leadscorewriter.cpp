#include "leadscorewriter.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QTest>

#include <sqlite3.h>

#include <string>
#include <vector>

using namespace LeadDesk;
using Core::LeadScoreWriter;

namespace {

constexpr qint64 kNow = 1'760'000'000'000;
constexpr qint64 kOldStamp = 1'700'000'000'000;

// Lead ids that sort as their numbers do.
std::string idOf(int n)
{
    return QStringLiteral("lead-%1").arg(n, 4, 10, QLatin1Char('0')).toStdString();
}

// Score rows 0..n-1 (no leads: the writer touches lead_scores alone), all scored 10, grade D.
void addScoreRows(Test::TempStore &store, int n, const QString &businessId)
{
    QVERIFY(store.db().begin());
    QSqlQuery insert(store.db().connection());
    QVERIFY(insert.exec(QStringLiteral("INSERT OR IGNORE INTO score_breakdowns (breakdown) "
                                       "VALUES ('{\"phone\":10}')")));
    QVERIFY(insert.prepare(QStringLiteral(
        "INSERT INTO lead_scores (lead_id, tenant, lead_score, lead_grade, "
        "qualification_status, breakdown_id, scored_at, hlc) "
        "VALUES (?, (SELECT tenant FROM tenants WHERE business_id = ?), 10, 'D', 'unqualified', "
        "(SELECT id FROM score_breakdowns WHERE breakdown = '{\"phone\":10}'), ?, 7)")));
    for (int i = 0; i < n; ++i) {
        insert.addBindValue(QString::fromStdString(idOf(i)));
        insert.addBindValue(businessId);
        insert.addBindValue(kOldStamp);
        QVERIFY(insert.exec());
    }
    QVERIFY(store.db().commit());
}

// The breakdown text a score row names.
QString breakdownOf(Test::TempStore &store, const std::string &leadId)
{
    QSqlQuery q(store.db().connection());
    q.prepare(QStringLiteral("SELECT b.breakdown FROM lead_scores AS s "
                             "JOIN score_breakdowns AS b ON b.id = s.breakdown_id "
                             "WHERE s.lead_id = ?"));
    q.addBindValue(QString::fromStdString(leadId));
    return q.exec() && q.next() ? q.value(0).toString() : QStringLiteral("(no row)");
}

// Rows for `ids`, each scored 50, grade C, marketing qualified.
struct Rows
{
    std::vector<std::string> ids;
    std::vector<LeadScoreWriter::Row> rows;

    Rows(std::vector<int> numbers, bool exist = true, std::string_view breakdown = "{\"c\":50}")
    {
        for (int n : numbers)
            ids.push_back(idOf(n));
        for (const std::string &id : ids)
            rows.push_back({id, 50, "C", "marketing_qualified", breakdown, 1234, exist});
    }
};

sqlite3 *handleOf(Test::TempStore &store)
{
    return static_cast<sqlite3 *>(store.db().sqliteHandle());
}

int rescoredRows(Test::TempStore &store)
{
    return Test::countRows(store.db(), QStringLiteral("lead_scores"),
                           QStringLiteral("lead_score = 50 AND lead_grade = 'C' AND "
                                          "qualification_status = 'marketing_qualified'"));
}

} // namespace

class tst_LeadScoreWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rowsInKeyOrderAreWrittenByOneWalk();
    void rowsOutOfOrderAreSortedFirst();
    void rowsBeforeAnEarlierWalkGoOneByOne();
    void newRowsAreInsertedWithTheirStamps();
    void createdStampKeepsExistingStamps();
    void textIsStoredVerbatim();
    void eachBreakdownIsStoredOnce();
    void aMissingRowFailsTheWalk();
    void triggersAreOffOnlyWhileWriting();
};

void tst_LeadScoreWriter::rowsInKeyOrderAreWrittenByOneWalk()
{
    Test::TempStore store;
    addScoreRows(store, 40, store.businessId());
    LeadScoreWriter writer(store.businessId().toUtf8(), {true, kNow});
    // Every other row of 10..30: the walk passes the rows between and leaves them alone.
    const Rows page({10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30});
    QVERIFY(store.db().begin());
    const auto outcome = writer.write(handleOf(store), page.rows);
    LD_VERIFY_OK(outcome);
    QVERIFY(store.db().commit());
    QCOMPARE(outcome->rowsInKeyRange, 11);
    QCOMPARE(outcome->rowsOneByOne, 0);
    QCOMPARE(rescoredRows(store), 11);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("scored_at = %1 AND breakdown_id = (SELECT id FROM "
                                            "score_breakdowns WHERE breakdown = '{\"c\":50}')")
                                 .arg(kNow)),
             11);
    // Each row written has a clock stamp of its own, after the old one.
    QCOMPARE(
        Test::countRows(store.db(),
                        QStringLiteral("(SELECT DISTINCT hlc FROM lead_scores WHERE hlc > 7)")),
        11);
    QCOMPARE(Test::countRows(
                 store.db(), QStringLiteral("lead_scores"),
                 QStringLiteral("scored_at = %1 AND hlc = 7 AND lead_score = 10").arg(kOldStamp)),
             29);
}

void tst_LeadScoreWriter::rowsOutOfOrderAreSortedFirst()
{
    Test::TempStore store;
    addScoreRows(store, 20, store.businessId());
    LeadScoreWriter writer(store.businessId().toUtf8(), {true, kNow});
    const Rows page({7, 3, 19, 0, 11});
    QVERIFY(store.db().begin());
    const auto outcome = writer.write(handleOf(store), page.rows);
    LD_VERIFY_OK(outcome);
    QVERIFY(store.db().commit());
    QCOMPARE(outcome->rowsInKeyRange, 5);
    QCOMPARE(rescoredRows(store), 5);
}

void tst_LeadScoreWriter::rowsBeforeAnEarlierWalkGoOneByOne()
{
    // A lead stored after others but with an older id (a clock that went back): the next page
    // holds an id the last walk already passed. The walks never cover a row twice.
    Test::TempStore store;
    addScoreRows(store, 30, store.businessId());
    LeadScoreWriter writer(store.businessId().toUtf8(), {true, kNow});
    QVERIFY(store.db().begin());
    const Rows first({5, 6, 7, 15});
    const auto walked = writer.write(handleOf(store), first.rows);
    LD_VERIFY_OK(walked);
    QCOMPARE(walked->rowsInKeyRange, 4);
    const Rows second({9, 16, 17, 2});
    const auto mixed = writer.write(handleOf(store), second.rows);
    LD_VERIFY_OK(mixed);
    QVERIFY(store.db().commit());
    QCOMPARE(mixed->rowsInKeyRange, 2); // 16 and 17
    QCOMPARE(mixed->rowsOneByOne, 2);   // 2 and 9
    QCOMPARE(rescoredRows(store), 8);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("lead_score = 50 AND lead_id IN ('lead-0002', "
                                            "'lead-0009', 'lead-0016', 'lead-0017')")),
             4);
}

void tst_LeadScoreWriter::newRowsAreInsertedWithTheirStamps()
{
    Test::TempStore store;
    addScoreRows(store, 5, store.businessId());
    LeadScoreWriter writer(store.businessId().toUtf8(), {true, kNow});
    Rows page({1, 2});
    const Rows fresh({100, 101}, false);
    page.rows.insert(page.rows.end(), fresh.rows.begin(), fresh.rows.end());
    QVERIFY(store.db().begin());
    const auto outcome = writer.write(handleOf(store), page.rows);
    LD_VERIFY_OK(outcome);
    QVERIFY(store.db().commit());
    QCOMPARE(outcome->rowsInKeyRange, 2);
    QCOMPARE(outcome->rowsOneByOne, 2);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores")), 7);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("lead_id IN ('lead-0100', 'lead-0101') AND "
                                            "lead_score = 50 AND tenant = (SELECT tenant FROM "
                                            "tenants WHERE business_id = '%1') AND "
                                            "scored_at = %2 AND hlc > 0")
                                 .arg(store.businessId())
                                 .arg(kNow)),
             2);
}

void tst_LeadScoreWriter::createdStampKeepsExistingStamps()
{
    Test::TempStore store;
    addScoreRows(store, 5, store.businessId());
    LeadScoreWriter writer(store.businessId().toUtf8(), {false, kNow});
    Rows page({1, 3});
    const Rows fresh({200}, false);
    page.rows.push_back(fresh.rows.front());
    QVERIFY(store.db().begin());
    LD_VERIFY_OK(writer.write(handleOf(store), page.rows));
    QVERIFY(store.db().commit());
    QCOMPARE(Test::countRows(
                 store.db(), QStringLiteral("lead_scores"),
                 QStringLiteral("lead_score = 50 AND scored_at = %1 AND hlc = 7").arg(kOldStamp)),
             2);
    // A new row takes its lead's creation.
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("lead_id = 'lead-0200' AND scored_at = 1234 AND "
                                            "hlc = 0")),
             1);
}

void tst_LeadScoreWriter::textIsStoredVerbatim()
{
    Test::TempStore store;
    addScoreRows(store, 3, store.businessId());
    LeadScoreWriter writer(store.businessId().toUtf8(), {true, kNow});
    const std::string hostile = "{\"x\":\"'); DROP TABLE lead_scores; --\\u0000é\"}";
    const Rows page({0, 2}, true, hostile);
    QVERIFY(store.db().begin());
    LD_VERIFY_OK(writer.write(handleOf(store), page.rows));
    QVERIFY(store.db().commit());
    QCOMPARE(breakdownOf(store, idOf(2)).toStdString(), hostile);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores")), 3);
}

void tst_LeadScoreWriter::eachBreakdownIsStoredOnce()
{
    Test::TempStore store;
    addScoreRows(store, 10, store.businessId());
    LeadScoreWriter writer(store.businessId().toUtf8(), {true, kNow});
    const Rows walked({0, 1, 2, 3, 4});
    const Rows emptied({5, 6}, true, "{}");
    const Rows fresh({100, 101}, false);
    std::vector<LeadScoreWriter::Row> rows = walked.rows;
    rows.insert(rows.end(), emptied.rows.begin(), emptied.rows.end());
    rows.insert(rows.end(), fresh.rows.begin(), fresh.rows.end());
    QVERIFY(store.db().begin());
    LD_VERIFY_OK(writer.write(handleOf(store), rows));
    QVERIFY(store.db().commit());
    // "{}" is entry 0 from the start; {"phone":10} came with the old rows; {"c":50} once for 7.
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("score_breakdowns")), 3);
    for (int n : {0, 4, 100, 101})
        QCOMPARE(breakdownOf(store, idOf(n)), QStringLiteral("{\"c\":50}"));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("breakdown_id = 0")),
             2);
    QCOMPARE(breakdownOf(store, idOf(9)), QStringLiteral("{\"phone\":10}"));

    // A breakdown first met in a transaction that rolls back goes with it, and comes back with
    // the next page that meets it.
    const Rows rolledBack({7}, true, "{\"z\":1}");
    QVERIFY(store.db().begin());
    LD_VERIFY_OK(writer.write(handleOf(store), rolledBack.rows));
    store.db().rollback();
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("score_breakdowns")), 3);
    const Rows again({8}, true, "{\"z\":1}");
    QVERIFY(store.db().begin());
    LD_VERIFY_OK(writer.write(handleOf(store), again.rows));
    QVERIFY(store.db().commit());
    QCOMPARE(breakdownOf(store, idOf(8)), QStringLiteral("{\"z\":1}"));
    QCOMPARE(breakdownOf(store, idOf(7)), QStringLiteral("{\"phone\":10}"));
}

void tst_LeadScoreWriter::aMissingRowFailsTheWalk()
{
    // A row said to exist that the table does not hold: the walk reports it, and the caller's
    // transaction (here rolled back) keeps the store as it was.
    Test::TempStore store;
    addScoreRows(store, 5, store.businessId());
    LeadScoreWriter writer(store.businessId().toUtf8(), {true, kNow});
    const Rows page({1, 2, 77});
    QVERIFY(store.db().begin());
    const auto outcome = writer.write(handleOf(store), page.rows);
    QVERIFY(!outcome);
    QVERIFY2(outcome.error().toString().contains(u"2 of 3 score rows found"),
             qPrintable(outcome.error().toString()));
    store.db().rollback();
    QCOMPARE(rescoredRows(store), 0);
    // The function behind the walk is gone again.
    QSqlQuery q(store.db().connection());
    QVERIFY(!q.exec(QStringLiteral("SELECT leaddesk_rescored('lead-0001', 0)")));
}

void tst_LeadScoreWriter::triggersAreOffOnlyWhileWriting()
{
    Test::TempStore store;
    addScoreRows(store, 6, store.businessId());
    QSqlQuery q(store.db().connection());
    QVERIFY(q.exec(QStringLiteral("CREATE TABLE score_log (lead_id TEXT)")));
    QVERIFY(q.exec(QStringLiteral("CREATE TRIGGER score_logged AFTER UPDATE ON lead_scores "
                                  "BEGIN INSERT INTO score_log VALUES (NEW.lead_id); END")));
    LeadScoreWriter writer(store.businessId().toUtf8(), {true, kNow});
    const Rows walked({1, 2, 3});
    QVERIFY(store.db().begin());
    LD_VERIFY_OK(writer.write(handleOf(store), walked.rows));
    const Rows oneByOne({0});
    LD_VERIFY_OK(writer.write(handleOf(store), oneByOne.rows));
    QVERIFY(store.db().commit());
    QCOMPARE(rescoredRows(store), 4);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("score_log")), 0);

    // Afterwards the connection's triggers run again.
    QVERIFY(q.exec(QStringLiteral("UPDATE lead_scores SET lead_score = 99 WHERE lead_id = "
                                  "'lead-0005'")));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("score_log")), 1);
}

QTEST_GUILESS_MAIN(tst_LeadScoreWriter)
#include "tst_leadscorewriter.moc"
