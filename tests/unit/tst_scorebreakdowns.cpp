#include "database.h"
#include "scorebreakdowns.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

#include <string>

using namespace LeadDesk;
using Core::ScoreBreakdowns;

namespace {

sqlite3 *handleOf(Core::Database &db)
{
    return static_cast<sqlite3 *>(db.sqliteHandle());
}

} // namespace

class tst_ScoreBreakdowns : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void theEmptyBreakdownIsIdZero();
    void eachTextGetsOneId();
    void textIsStoredVerbatim();
    void allReadsEveryEntryBothWays();
    void aVersion9StoreKeepsEveryLeadsBreakdown();
};

void tst_ScoreBreakdowns::theEmptyBreakdownIsIdZero()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    for (std::string_view empty : {std::string_view("{}"), std::string_view()}) {
        auto id = ScoreBreakdowns::idOf(store.db(), empty);
        LD_VERIFY_OK(id);
        QCOMPARE(*id, ScoreBreakdowns::kEmptyId);
    }
    QCOMPARE(Test::column(store.db(), QStringLiteral("SELECT breakdown FROM score_breakdowns "
                                                     "WHERE id = 0")),
             QStringList{QStringLiteral("{}")});
    // A score row written without a breakdown names the empty one.
    QVERIFY(store.db().execDirect(QStringLiteral("INSERT INTO lead_scores (lead_id, tenant) "
                                                 "VALUES ('l1', 1)")));
    QCOMPARE(Test::column(store.db(), QStringLiteral("SELECT breakdown_id FROM lead_scores")),
             QStringList{QStringLiteral("0")});
}

void tst_ScoreBreakdowns::eachTextGetsOneId()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    auto first = ScoreBreakdowns::idOf(store.db(), R"({"phone_provided":5})");
    auto second = ScoreBreakdowns::idOf(store.db(), R"({"business_email":15})");
    auto again = ScoreBreakdowns::idOf(handleOf(store.db()), R"({"phone_provided":5})");
    LD_VERIFY_OK(first);
    LD_VERIFY_OK(second);
    LD_VERIFY_OK(again);
    QVERIFY(*first != *second);
    QVERIFY(*first != ScoreBreakdowns::kEmptyId);
    QCOMPARE(*again, *first);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("score_breakdowns")), 3);

    // An id added inside a transaction that rolls back goes with it.
    QVERIFY(store.db().begin());
    auto rolledBack = ScoreBreakdowns::idOf(store.db(), R"({"urgency_high":15})");
    LD_VERIFY_OK(rolledBack);
    store.db().rollback();
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("score_breakdowns")), 3);
    auto later = ScoreBreakdowns::idOf(store.db(), R"({"urgency_high":15})");
    LD_VERIFY_OK(later);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("score_breakdowns")), 4);
}

void tst_ScoreBreakdowns::textIsStoredVerbatim()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    const std::string hostile("{\"x\":\"'); DROP TABLE score_breakdowns; --\\u0000\xc3\xa9\"}");
    auto id = ScoreBreakdowns::idOf(store.db(), hostile);
    LD_VERIFY_OK(id);
    auto texts = ScoreBreakdowns::all(handleOf(store.db()));
    LD_VERIFY_OK(texts);
    QCOMPARE(texts->at(*id), hostile);
}

void tst_ScoreBreakdowns::allReadsEveryEntryBothWays()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    const std::vector<std::string> texts = {R"({"a":1})", R"({"b":2})", R"({"a":1,"b":2})"};
    std::vector<qint64> ids;
    for (const std::string &text : texts) {
        auto id = ScoreBreakdowns::idOf(store.db(), text);
        LD_VERIFY_OK(id);
        ids.push_back(*id);
    }
    auto byId = ScoreBreakdowns::all(handleOf(store.db()));
    auto byText = ScoreBreakdowns::allByText(handleOf(store.db()));
    LD_VERIFY_OK(byId);
    LD_VERIFY_OK(byText);
    QCOMPARE(byId->size(), texts.size() + 1);
    QCOMPARE(byText->size(), texts.size() + 1);
    QCOMPARE(byId->at(ScoreBreakdowns::kEmptyId), std::string("{}"));
    for (std::size_t i = 0; i < texts.size(); ++i) {
        QCOMPARE(byId->at(ids[i]), texts[i]);
        // Found by a view of the text, without a copy.
        QCOMPARE(byText->find(std::string_view(texts[i]))->second, ids[i]);
    }
}

void tst_ScoreBreakdowns::aVersion9StoreKeepsEveryLeadsBreakdown()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("v9.sqlite"));
    const QStringList breakdowns = {QStringLiteral(R"({"phone_provided":5,"direct_traffic":8})"),
                                    QStringLiteral("{}"), QStringLiteral(R"({"intent:cap":-3})"),
                                    QStringLiteral(R"({"phone_provided":5,"direct_traffic":8})"),
                                    QStringLiteral("{\"x\":\"it's\"}")};
    {
        auto v9 = Core::Database::open(path, Core::Database::Mode::ReadWrite,
                                       ScoreBreakdowns::kSchemaVersion - 1);
        LD_VERIFY_OK(v9);
        Core::Database &db = **v9;
        QVERIFY(db.execDirect(QStringLiteral("INSERT INTO businesses (id, name, created_at, "
                                             "updated_at) VALUES ('b1', 'Old Co', 1, 1)")));
        QVERIFY(db.execDirect(QStringLiteral("INSERT INTO contacts (id, business_id, created_at, "
                                             "updated_at) VALUES ('c1', 'b1', 1, 1)")));
        for (int i = 0; i < breakdowns.size(); ++i) {
            QSqlQuery insert(db.connection());
            QVERIFY(insert.prepare(QStringLiteral(
                "INSERT INTO lead_scores (lead_id, business_id, lead_score, lead_grade, "
                "score_breakdown) VALUES (?, 'b1', ?, 'C', ?)")));
            insert.addBindValue(QStringLiteral("l%1").arg(i));
            insert.addBindValue(40 + i);
            insert.addBindValue(breakdowns[i]);
            QVERIFY(insert.exec());
            QVERIFY(db.execDirect(QStringLiteral("INSERT INTO leads (id, business_id, contact_id, "
                                                 "channel, created_at, updated_at) "
                                                 "VALUES ('l%1', 'b1', 'c1', 'web', %1, %1)")
                                      .arg(i)));
        }
    }
    const QString triggersSql = QStringLiteral("SELECT name || ': ' || sql FROM sqlite_schema "
                                               "WHERE type = 'trigger' AND tbl_name = "
                                               "'lead_scores' ORDER BY name");
    QStringList rollupsBefore;
    QStringList triggersBefore;
    {
        auto v9 = Core::Database::open(path, Core::Database::Mode::ReadWrite,
                                       ScoreBreakdowns::kSchemaVersion - 1);
        LD_VERIFY_OK(v9);
        rollupsBefore = Test::rollupSnapshot(**v9);
        triggersBefore = Test::column(**v9, triggersSql);
    }
    QVERIFY(!rollupsBefore.isEmpty());
    QVERIFY(!triggersBefore.isEmpty());

    auto latest = Core::Database::open(path);
    LD_VERIFY_OK(latest);
    Core::Database &db = **latest;
    QVERIFY(db.schemaVersion() >= ScoreBreakdowns::kSchemaVersion);
    QCOMPARE(
        Test::column(db, QStringLiteral("SELECT score_breakdown FROM scored_leads ORDER BY id")),
        breakdowns);
    QCOMPARE(Test::column(db, QStringLiteral("SELECT lead_score FROM scored_leads ORDER BY id")),
             (QStringList{QStringLiteral("40"), QStringLiteral("41"), QStringLiteral("42"),
                          QStringLiteral("43"), QStringLiteral("44")}));
    // Four distinct texts, the empty one id 0.
    QCOMPARE(Test::countRows(db, QStringLiteral("score_breakdowns")), 4);
    QCOMPARE(Test::column(db, QStringLiteral("SELECT breakdown_id FROM lead_scores WHERE lead_id = "
                                             "'l1'")),
             QStringList{QStringLiteral("0")});
    QCOMPARE(
        Test::column(db, QStringLiteral("SELECT COUNT(*) FROM pragma_table_info('lead_scores') "
                                        "WHERE name = 'score_breakdown'")),
        QStringList{QStringLiteral("0")});
    // The score index and the rollup triggers on lead_scores are still there, and still count.
    QCOMPARE(Test::column(db, QStringLiteral("SELECT COUNT(*) FROM sqlite_schema WHERE name = "
                                             "'idx_lead_scores_sort'")),
             QStringList{QStringLiteral("1")});
    QCOMPARE(Test::column(db, triggersSql), triggersBefore);
    QCOMPARE(Test::column(db, QStringLiteral("SELECT COUNT(*) FROM sqlite_schema WHERE name = "
                                             "'lead_scores_v10'")),
             QStringList{QStringLiteral("0")});
    QCOMPARE(Test::rollupSnapshot(db), rollupsBefore);
    QVERIFY(db.execDirect(QStringLiteral("UPDATE lead_scores SET lead_grade = 'A' WHERE lead_id = "
                                         "'l0'")));
    QVERIFY(Test::rollupSnapshot(db) != rollupsBefore);
    QCOMPARE(Test::column(db, QStringLiteral("PRAGMA integrity_check")),
             QStringList{QStringLiteral("ok")});
}

QTEST_GUILESS_MAIN(tst_ScoreBreakdowns)
#include "tst_scorebreakdowns.moc"
