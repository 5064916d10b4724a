#include "constantinchecks.h"
#include "database.h"
#include "testsupport.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace LeadDesk;
using Core::ConstantInChecks;

namespace {

const QString kContact = QStringLiteral(
    "INSERT INTO contacts (id, business_id, created_at, updated_at) SELECT 'c1', id, 1, 1 FROM "
    "businesses");

} // namespace

class tst_ConstantInChecks : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rewritesListsOfMoreThanTwoConstants_data();
    void rewritesListsOfMoreThanTwoConstants();
    void noTableBuildsATemporaryTreeOnWrite();
    void checksStillRejectWhatTheyRejected_data();
    void checksStillRejectWhatTheyRejected();
    void aVersion7StoreKeepsItsRowsAndLosesTheTrees();
    void openAssigneeIndexStillHoldsOpenLeadsOnly();
};

void tst_ConstantInChecks::rewritesListsOfMoreThanTwoConstants_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("expected");
    QTest::newRow("three") << QStringLiteral("CREATE TABLE t (s TEXT CHECK (s IN ('a', 'b', 'c')))")
                           << QStringLiteral(
                                  "CREATE TABLE t (s TEXT CHECK (s = 'a' OR s = 'b' OR s = 'c'))");
    QTest::newRow("spread over lines")
        << QStringLiteral("CREATE TABLE t (\n  s TEXT NOT NULL\n    CHECK (s IN ('new', "
                          "'contacted',\n               'closed_won')),\n  n INTEGER)")
        << QStringLiteral("CREATE TABLE t (\n  s TEXT NOT NULL\n    CHECK (s = 'new' OR s = "
                          "'contacted' OR s = 'closed_won'),\n  n INTEGER)");
    QTest::newRow("two checks")
        << QStringLiteral("CREATE TABLE t (a CHECK (a IN ('x','y','z')), b CHECK(b IN ('1', '2', "
                          "'3', '4')))")
        << QStringLiteral("CREATE TABLE t (a CHECK (a = 'x' OR a = 'y' OR a = 'z'), b CHECK (b = "
                          "'1' OR b = '2' OR b = '3' OR b = '4'))");
    QTest::newRow("empty string constant")
        << QStringLiteral("CREATE TABLE t (a CHECK (a IN ('', 'p', 'q')))")
        << QStringLiteral("CREATE TABLE t (a CHECK (a = '' OR a = 'p' OR a = 'q'))");
    // Two constants: SQLite compares them in place already.
    QTest::newRow("two constants")
        << QStringLiteral("CREATE TABLE t (w TEXT CHECK (w IN ('business', 'lead')))")
        << QStringLiteral("CREATE TABLE t (w TEXT CHECK (w IN ('business', 'lead')))");
    // Not a list of constants, or not a CHECK: left alone.
    QTest::newRow("numbers") << QStringLiteral("CREATE TABLE t (n CHECK (n IN (1, 2, 3)))")
                             << QStringLiteral("CREATE TABLE t (n CHECK (n IN (1, 2, 3)))");
    QTest::newRow("subquery")
        << QStringLiteral("CREATE TABLE t (n CHECK (n IN (SELECT 'a' UNION SELECT 'b')))")
        << QStringLiteral("CREATE TABLE t (n CHECK (n IN (SELECT 'a' UNION SELECT 'b')))");
    QTest::newRow("expression around it")
        << QStringLiteral("CREATE TABLE t (n CHECK (n IS NULL OR n IN ('a', 'b', 'c')))")
        << QStringLiteral("CREATE TABLE t (n CHECK (n IS NULL OR n IN ('a', 'b', 'c')))");
    QTest::newRow("quote in a constant")
        << QStringLiteral("CREATE TABLE t (n CHECK (n IN ('it''s', 'b', 'c')))")
        << QStringLiteral("CREATE TABLE t (n CHECK (n IN ('it''s', 'b', 'c')))");
}

void tst_ConstantInChecks::rewritesListsOfMoreThanTwoConstants()
{
    QFETCH(QString, sql);
    QFETCH(QString, expected);
    QCOMPARE(ConstantInChecks::rewritten(sql), expected);
    // Rewriting twice changes nothing more.
    QCOMPARE(ConstantInChecks::rewritten(expected), expected);
}

// Every table of a new store: compiling an insert puts its CHECKs and the predicates of its
// partial indexes into the program; none of them may open a temporary B-tree.
void tst_ConstantInChecks::noTableBuildsATemporaryTreeOnWrite()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    QStringList tables;
    QSqlQuery list(store.db().connection());
    QVERIFY(list.exec(QStringLiteral(
        "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")));
    while (list.next())
        tables << list.value(0).toString();
    QVERIFY(tables.contains(QStringLiteral("leads")));
    QVERIFY(tables.contains(QStringLiteral("lead_scores")));
    for (const QString &table : tables) {
        QSqlQuery explain(store.db().connection());
        QVERIFY2(explain.exec(QStringLiteral("EXPLAIN INSERT INTO %1 DEFAULT VALUES").arg(table)),
                 qPrintable(explain.lastError().text()));
        int ephemeral = 0;
        while (explain.next())
            ephemeral += explain.value(1).toString() == QLatin1String("OpenEphemeral");
        QVERIFY2(ephemeral == 0, qPrintable(table));
    }
}

void tst_ConstantInChecks::checksStillRejectWhatTheyRejected_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<bool>("accepted");
    const QString lead = QStringLiteral(
        "INSERT INTO leads (id, business_id, contact_id, channel, status, created_at, updated_at) "
        "SELECT 'l-%1', id, 'c1', 'web', %2, 1, 1 FROM businesses");
    QTest::newRow("lead new") << lead.arg(1).arg(QStringLiteral("'new'")) << true;
    QTest::newRow("lead closed_lost") << lead.arg(2).arg(QStringLiteral("'closed_lost'")) << true;
    QTest::newRow("lead bogus") << lead.arg(3).arg(QStringLiteral("'bogus'")) << false;
    QTest::newRow("lead wrong case") << lead.arg(4).arg(QStringLiteral("'New'")) << false;
    const QString score = QStringLiteral("INSERT INTO lead_scores (lead_id, tenant, lead_grade, "
                                         "qualification_status) VALUES ('s-%1', 1, %2, %3)");
    QTest::newRow("grade A") << score.arg(1).arg(QStringLiteral("'A'"),
                                                 QStringLiteral("'sales_qualified'"))
                             << true;
    QTest::newRow("grade E") << score.arg(2).arg(QStringLiteral("'E'"),
                                                 QStringLiteral("'sales_qualified'"))
                             << false;
    QTest::newRow("qualification bogus")
        << score.arg(3).arg(QStringLiteral("'B'"), QStringLiteral("'hot'")) << false;
    QTest::newRow("journal status bogus") << QStringLiteral(
        "INSERT INTO inbound_journal (id, business_id, route, method, body, status, received_at) "
        "SELECT 'j', id, 'r', 'POST', x'7b7d', 'lost', 1 FROM businesses")
                                          << false;
    QTest::newRow("journal status failed") << QStringLiteral(
        "INSERT INTO inbound_journal (id, business_id, route, method, body, status, received_at) "
        "SELECT 'j', id, 'r', 'POST', x'7b7d', 'failed', 1 FROM businesses")
                                           << true;
}

void tst_ConstantInChecks::checksStillRejectWhatTheyRejected()
{
    QFETCH(QString, sql);
    QFETCH(bool, accepted);
    Test::TempStore store;
    QVERIFY(store.isValid());
    QVERIFY(store.db().execDirect(kContact));
    QSqlQuery insert(store.db().connection());
    const bool ok = insert.exec(sql);
    QVERIFY2(ok == accepted, qPrintable(insert.lastError().text()));
    if (!ok)
        QVERIFY2(insert.lastError().text().contains(QStringLiteral("CHECK constraint failed")),
                 qPrintable(insert.lastError().text()));
}

void tst_ConstantInChecks::aVersion7StoreKeepsItsRowsAndLosesTheTrees()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("v7.sqlite"));
    {
        auto v7 = Core::Database::open(path, Core::Database::Mode::ReadWrite, 7);
        LD_VERIFY_OK(v7);
        QVERIFY((*v7)->execDirect(QStringLiteral("INSERT INTO businesses (id, name, created_at, "
                                                 "updated_at) VALUES ('b1', 'Old Co', 1, 1)")));
        QVERIFY((*v7)->execDirect(kContact));
        QVERIFY((*v7)->execDirect(QStringLiteral(
            "INSERT INTO leads (id, business_id, contact_id, channel, status, created_at, "
            "updated_at) VALUES ('l1', 'b1', 'c1', 'web', 'proposal', 1, 1), "
            "('l2', 'b1', 'c1', 'web', 'closed_won', 2, 2)")));
        QSqlQuery sql((*v7)->connection());
        QVERIFY(sql.exec(QStringLiteral("SELECT sql FROM sqlite_schema WHERE name = 'leads'")));
        QVERIFY(sql.next());
        QVERIFY(sql.value(0).toString().contains(QStringLiteral("status IN ('new'")));
    }
    auto latest = Core::Database::open(path);
    LD_VERIFY_OK(latest);
    QCOMPARE((*latest)->schemaVersion(), Core::Database::latestSchemaVersion());
    QCOMPARE(Test::countRows(**latest, QStringLiteral("leads")), 2);
    QSqlQuery q((*latest)->connection());
    QVERIFY(q.exec(QStringLiteral("PRAGMA integrity_check")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("ok"));
    QVERIFY(q.exec(QStringLiteral("SELECT sql FROM sqlite_schema WHERE name = 'leads'")));
    QVERIFY(q.next());
    const QString leads = q.value(0).toString();
    QVERIFY2(leads.contains(QStringLiteral("CHECK (status = 'new' OR status = 'contacted'")),
             qPrintable(leads));
    QVERIFY(q.exec(QStringLiteral("SELECT COUNT(*) FROM sqlite_schema WHERE name = "
                                  "'idx_leads_email'")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 0);
    // The connection that migrated enforces the rewritten constraint at once.
    QVERIFY(!q.exec(QStringLiteral("UPDATE leads SET status = 'bogus' WHERE id = 'l1'")));
    QVERIFY(q.exec(QStringLiteral("UPDATE leads SET status = 'qualified' WHERE id = 'l1'")));
    // And so does another connection.
    auto other = Core::Database::open(path);
    LD_VERIFY_OK(other);
    QSqlQuery o((*other)->connection());
    QVERIFY(!o.exec(QStringLiteral("UPDATE leads SET status = 'bogus' WHERE id = 'l2'")));
    QVERIFY(o.exec(QStringLiteral("EXPLAIN INSERT INTO leads DEFAULT VALUES")));
    while (o.next())
        QVERIFY(o.value(1).toString() != QLatin1String("OpenEphemeral"));
}

void tst_ConstantInChecks::openAssigneeIndexStillHoldsOpenLeadsOnly()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    const QStringList statuses
        = {QStringLiteral("new"),      QStringLiteral("contacted"),  QStringLiteral("qualified"),
           QStringLiteral("proposal"), QStringLiteral("closed_won"), QStringLiteral("closed_lost")};
    QVERIFY(store.db().execDirect(QStringLiteral(
        "INSERT INTO users (id, business_id, username, display_name, role, password_hash, "
        "created_at, updated_at) SELECT 'u1', id, 'alice', 'Alice', 'rep', 'x', 1, 1 FROM "
        "businesses")));
    QVERIFY(store.db().execDirect(kContact));
    for (int i = 0; i < statuses.size(); ++i) {
        QVERIFY(store.db().execDirect(
            QStringLiteral("INSERT INTO leads (id, business_id, contact_id, channel, status, "
                           "assigned_to, deleted, created_at, updated_at) SELECT 'l%1', id, "
                           "'c1', 'web', '%2', 'u1', "
                           "%3, 1, 1 FROM businesses")
                .arg(i)
                .arg(statuses[i])
                .arg(i == 1 ? 1 : 0)));
    }
    QSqlQuery q(store.db().connection());
    QVERIFY(q.exec(QStringLiteral("SELECT group_concat(status, ',') FROM (SELECT status FROM "
                                  "leads INDEXED BY idx_leads_open_assignee WHERE business_id = "
                                  "'%1' AND assigned_to = 'u1' AND deleted = 0 AND status NOT IN "
                                  "('closed_won', 'closed_lost') ORDER BY status)")
                       .arg(store.businessId())));
    QVERIFY(q.next());
    // 'contacted' is deleted; the closed ones are not in the index.
    QCOMPARE(q.value(0).toString(), QStringLiteral("new,proposal,qualified"));
}

QTEST_GUILESS_MAIN(tst_ConstantInChecks)
#include "tst_constantinchecks.moc"
