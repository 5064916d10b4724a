#include "scorerowcursor.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QTest>

#include <sqlite3.h>

#include <optional>
#include <random>
#include <string>
#include <vector>

using namespace LeadDesk;
using Core::ScoreRowCursor;

namespace {

// Lead ids that sort as their numbers do.
std::string idOf(int n)
{
    return QStringLiteral("lead-%1").arg(n, 5, 10, QLatin1Char('0')).toStdString();
}

// A score row for every number in `numbers`: score n % 101, grade by parity, breakdown n.
void addScoreRows(Test::TempStore &store, const std::vector<int> &numbers)
{
    QVERIFY(store.db().begin());
    QSqlQuery insert(store.db().connection());
    QVERIFY(insert.prepare(QStringLiteral(
        "INSERT INTO lead_scores (lead_id, tenant, lead_score, lead_grade, "
        "qualification_status, breakdown_id) "
        "VALUES (?, (SELECT tenant FROM tenants WHERE business_id = ?), ?, ?, ?, ?)")));
    for (int n : numbers) {
        insert.addBindValue(QString::fromStdString(idOf(n)));
        insert.addBindValue(store.businessId());
        insert.addBindValue(n % 101);
        insert.addBindValue(n % 2 ? QStringLiteral("A") : QStringLiteral("C"));
        insert.addBindValue(n % 3 ? QStringLiteral("sales_qualified")
                                  : QStringLiteral("unqualified"));
        insert.addBindValue(n);
        QVERIFY(insert.exec());
    }
    QVERIFY(store.db().commit());
}

sqlite3 *handleOf(Test::TempStore &store)
{
    return static_cast<sqlite3 *>(store.db().sqliteHandle());
}

struct Expected
{
    int score = 0;
    std::string grade;
    std::string qualification;
    qint64 breakdownId = 0;
};

// What a plain lookup of the lead's score row finds.
std::optional<Expected> lookedUp(Test::TempStore &store, const std::string &leadId)
{
    QSqlQuery q(store.db().connection());
    q.prepare(QStringLiteral("SELECT lead_score, lead_grade, qualification_status, breakdown_id "
                             "FROM lead_scores WHERE lead_id = ?"));
    q.addBindValue(QString::fromStdString(leadId));
    if (!q.exec() || !q.next())
        return std::nullopt;
    return Expected{q.value(0).toInt(), q.value(1).toString().toStdString(),
                    q.value(2).toString().toStdString(), q.value(3).toLongLong()};
}

// Asks the cursor for every lead of `order` and checks each answer against a plain lookup.
ScoreRowCursor::Counts findAll(Test::TempStore &store, const std::vector<int> &order)
{
    ScoreRowCursor cursor(handleOf(store));
    for (int n : order) {
        const std::string id = idOf(n);
        auto found = cursor.find(id);
        if (!found) {
            QTest::qFail(qPrintable(found.error().message), __FILE__, __LINE__);
            return {};
        }
        const std::optional<Expected> expected = lookedUp(store, id);
        const QByteArray where = QByteArray("lead ") + id.c_str();
        if (!QTest::qCompare(*found != nullptr, expected.has_value(), "found", "expected", __FILE__,
                             __LINE__)) {
            qWarning() << where;
            return {};
        }
        if (!expected)
            continue;
        const ScoreRowCursor::Row &row = **found;
        if (row.score != expected->score || row.grade != expected->grade
            || row.qualification != expected->qualification
            || row.breakdownId != expected->breakdownId) {
            QTest::qFail(QByteArray(where + " read the wrong row").constData(), __FILE__, __LINE__);
            return {};
        }
    }
    return cursor.counts();
}

std::vector<int> range(int from, int to, int step = 1)
{
    std::vector<int> numbers;
    for (int n = from; n < to; n += step)
        numbers.push_back(n);
    return numbers;
}

} // namespace

class tst_ScoreRowCursor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void leadsInKeyOrderAreFoundByStepping();
    void rowsNobodyAsksForAreSteppedOver();
    void aLeadWithoutARowIsNotFound();
    void aLeadBehindIsLookedUpAndTheWalkGoesOn();
    void aLeadFarAheadMovesTheWalkOnce();
    void anyOrderFindsWhatALookupFinds();
    void anEmptyTableHasNoRows();
};

void tst_ScoreRowCursor::leadsInKeyOrderAreFoundByStepping()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    addScoreRows(store, range(0, 500));
    const ScoreRowCursor::Counts counts = findAll(store, range(0, 500));
    QCOMPARE(counts.seeks, 1);   // the first lead
    QCOMPARE(counts.lookups, 0); // nothing behind
    QCOMPARE(counts.steps, 499); // one row a lead after the first
}

void tst_ScoreRowCursor::rowsNobodyAsksForAreSteppedOver()
{
    // Score rows of leads the reader skips (chatbot, deleted, another business) lie between.
    Test::TempStore store;
    QVERIFY(store.isValid());
    addScoreRows(store, range(0, 1000));
    const ScoreRowCursor::Counts every3rd = findAll(store, range(0, 1000, 3));
    QCOMPARE(every3rd.seeks, 1);
    QCOMPARE(every3rd.steps, 999);
    // A gap longer than the walk steps over is crossed with a search.
    const ScoreRowCursor::Counts sparse = findAll(store, {0, 1, 2, 500, 501, 502});
    QCOMPARE(sparse.seeks, 2);
    QCOMPARE(sparse.lookups, 0);
}

void tst_ScoreRowCursor::aLeadWithoutARowIsNotFound()
{
    // A lead not yet scored: before the first row, between two rows, past the last.
    Test::TempStore store;
    QVERIFY(store.isValid());
    addScoreRows(store, range(10, 100, 2));
    const ScoreRowCursor::Counts counts = findAll(store, range(0, 120));
    QCOMPARE(counts.lookups, 0);
    QCOMPARE(counts.seeks, 1);
}

void tst_ScoreRowCursor::aLeadBehindIsLookedUpAndTheWalkGoesOn()
{
    // A lead made on a desktop whose clock was behind: its id sorts before the ones read
    // before it, and the walk does not go back for it.
    Test::TempStore store;
    QVERIFY(store.isValid());
    addScoreRows(store, range(0, 200));
    const ScoreRowCursor::Counts counts = findAll(store, {100, 101, 102, 5, 103, 104, 6, 7, 105});
    QCOMPARE(counts.lookups, 2); // 5 and 6; 7 is after 6, so the walk went back for it
    QCOMPARE(counts.seeks, 3);   // 100, 7, then 105 is ahead of where 7 left the walk
    // 7 -> 105 crosses 98 rows: more than the walk steps over, so that was a search too.
}

void tst_ScoreRowCursor::aLeadFarAheadMovesTheWalkOnce()
{
    // One lead from a desktop whose clock was ahead, then the page goes on in order.
    Test::TempStore store;
    QVERIFY(store.isValid());
    addScoreRows(store, range(0, 2000));
    std::vector<int> order = range(0, 100);
    order.push_back(1900);
    for (int n : range(100, 200))
        order.push_back(n);
    const ScoreRowCursor::Counts counts = findAll(store, order);
    QCOMPARE(counts.lookups, 1); // 100, behind 1900
    QCOMPARE(counts.seeks, 3);   // 0, 1900, then 101 back on the walk
    QVERIFY(counts.steps < 250);
}

void tst_ScoreRowCursor::anyOrderFindsWhatALookupFinds()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    addScoreRows(store, range(0, 3000, 2));
    std::vector<int> order = range(0, 3100);
    std::mt19937 random(20261122);
    // Mostly in order, with runs moved about, as pages of a store written by several desktops.
    for (int swap = 0; swap < 200; ++swap) {
        const std::size_t a = random() % order.size();
        const std::size_t b = random() % order.size();
        std::swap(order[a], order[b]);
    }
    const ScoreRowCursor::Counts counts = findAll(store, order);
    QVERIFY(counts.lookups > 0);
    // Every lead costs at most the one search a join makes.
    QVERIFY(counts.seeks + counts.lookups <= qint64(order.size()));
    std::shuffle(order.begin(), order.end(), random);
    (void)findAll(store, order);
}

void tst_ScoreRowCursor::anEmptyTableHasNoRows()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    const ScoreRowCursor::Counts counts = findAll(store, {3, 1, 2});
    QCOMPARE(counts.steps, 0);
}

QTEST_GUILESS_MAIN(tst_ScoreRowCursor)
#include "tst_scorerowcursor.moc"
