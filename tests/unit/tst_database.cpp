#include "database.h"
#include "sqlitestatement.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sqlite3.h>

using namespace LeadDesk;

class tst_Database : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void createsLatestSchema();
    void pragmasAreSet();
    void upgradesFromFirstVersionKeepingData();
    void refusesNewerSchema();
    void readOnlyOpenRefusesWrites();
    void transactionRollsBackUnlessCommitted();
    void preparedStatementsAreReused();
    void failedStatementReportsReason();
    void textBindsAsUtf8_data();
    void textBindsAsUtf8();
    void everyTableOfTheDesignExists_data();
    void everyTableOfTheDesignExists();
    void listQueriesUseIndexes_data();
    void listQueriesUseIndexes();
};

void tst_Database::createsLatestSchema()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    QCOMPARE(store.db().schemaVersion(), Core::Database::latestSchemaVersion());
}

void tst_Database::pragmasAreSet()
{
    Test::TempStore store;
    QSqlQuery q(store.db().connection());
    QVERIFY(q.exec(QStringLiteral("PRAGMA journal_mode")) && q.next());
    QCOMPARE(q.value(0).toString(), QStringLiteral("wal"));
    QVERIFY(q.exec(QStringLiteral("PRAGMA foreign_keys")) && q.next());
    QCOMPARE(q.value(0).toInt(), 1);
    QVERIFY(q.exec(QStringLiteral("PRAGMA busy_timeout")) && q.next());
    QCOMPARE(q.value(0).toInt(), 5000);
}

void tst_Database::upgradesFromFirstVersionKeepingData()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("old.sqlite"));
    {
        auto v1 = Core::Database::open(path, Core::Database::Mode::ReadWrite, 1);
        LD_VERIFY_OK(v1);
        QCOMPARE((*v1)->schemaVersion(), 1);
        QVERIFY((*v1)->execDirect(QStringLiteral("INSERT INTO businesses (id, name, created_at, "
                                                 "updated_at) VALUES ('b1', 'Old Co', 1, 1)")));
        QVERIFY((*v1)->execDirect(QStringLiteral(
            "INSERT INTO contacts (id, business_id, first_name, created_at, updated_at) "
            "VALUES ('c1', 'b1', 'Ana', 1, 1)")));
        QSqlQuery q((*v1)->connection());
        QVERIFY(q.exec(
            QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = 'idx_contacts_name'")));
        QVERIFY(q.next());
        QCOMPARE(q.value(0).toInt(), 0);
    }
    auto latest = Core::Database::open(path);
    LD_VERIFY_OK(latest);
    QCOMPARE((*latest)->schemaVersion(), Core::Database::latestSchemaVersion());
    QCOMPARE(
        Test::countRows(**latest, QStringLiteral("contacts"), QStringLiteral("first_name = 'Ana'")),
        1);
    QSqlQuery q((*latest)->connection());
    QVERIFY(q.exec(
        QStringLiteral("SELECT COUNT(*) FROM sqlite_master WHERE name = 'idx_contacts_name'")));
    QVERIFY(q.next());
    QCOMPARE(q.value(0).toInt(), 1);
}

void tst_Database::refusesNewerSchema()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("future.sqlite"));
    {
        auto db = Core::Database::open(path);
        QVERIFY(db);
        QVERIFY((*db)->execDirect(QStringLiteral("PRAGMA user_version = 99")));
    }
    auto again = Core::Database::open(path);
    QVERIFY(!again);
    QVERIFY2(again.error().message.contains(QStringLiteral("newer")),
             qPrintable(again.error().message));
    auto readOnly = Core::Database::open(path, Core::Database::Mode::ReadOnly);
    QVERIFY(!readOnly);
}

void tst_Database::readOnlyOpenRefusesWrites()
{
    Test::TempStore store;
    auto reader = Core::Database::open(store.path(), Core::Database::Mode::ReadOnly);
    QVERIFY(reader);
    QVERIFY(!(*reader)->execDirect(QStringLiteral(
        "INSERT INTO businesses (id, name, created_at, updated_at) VALUES ('x', 'x', 1, 1)")));
    QCOMPARE(Test::countRows(**reader, QStringLiteral("businesses")), 1);
}

void tst_Database::transactionRollsBackUnlessCommitted()
{
    Test::TempStore store;
    {
        Core::Transaction transaction(store.db());
        QVERIFY(transaction.isOpen());
        QVERIFY(store.db().execDirect(QStringLiteral(
            "INSERT INTO businesses (id, name, created_at, updated_at) VALUES ('t1', 'x', 1, 1)")));
    }
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("businesses")), 1);
    {
        Core::Transaction transaction(store.db());
        QVERIFY(store.db().execDirect(QStringLiteral(
            "INSERT INTO businesses (id, name, created_at, updated_at) VALUES ('t2', 'x', 1, 1)")));
        QVERIFY(transaction.commit());
    }
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("businesses")), 2);
}

void tst_Database::preparedStatementsAreReused()
{
    Test::TempStore store;
    const QString sql = QStringLiteral("SELECT name FROM businesses WHERE id = ?");
    QSqlQuery &first = store.db().prepared(sql);
    first.addBindValue(store.businessId());
    QVERIFY(store.db().exec(first));
    QVERIFY(first.next());
    QCOMPARE(first.value(0).toString(), QStringLiteral("Test Plumbing"));
    QSqlQuery &second = store.db().prepared(sql);
    QCOMPARE(&first, &second);
    // A hostile value is only ever a value.
    second.addBindValue(QStringLiteral("x' OR '1'='1"));
    QVERIFY(store.db().exec(second));
    QVERIFY(!second.next());
}

void tst_Database::textBindsAsUtf8_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<QByteArray>("stored"); // the bytes SQLite holds
    QTest::newRow("empty is text, not NULL") << QString(u""_qs) << QByteArray("");
    QTest::newRow("ascii") << QStringLiteral("Renee") << QByteArray("Renee");
    QTest::newRow("accents and CJK") << QStringLiteral("Ren\u00e9e \u6771\u4eac")
                                     << QByteArray("Ren\xc3\xa9"
                                                   "e \xe6\x9d\xb1\xe4\xba\xac");
    QTest::newRow("surrogate pair")
        << QString::fromUtf8("\xf0\x9f\x8f\xa0 roof") << QByteArray("\xf0\x9f\x8f\xa0 roof");
    // A lone half of a pair is no character: it becomes U+FFFD, and the next value is not
    // affected by it (the conversion keeps no state between values).
    QTest::newRow("lone surrogate") << QString(QChar(0xd83c)) << QByteArray("\xef\xbf\xbd");
    QTest::newRow("long") << QString(100'000, QChar(0x00e9))
                          << QByteArray(100'000 * 2, 'x').replace("xx", "\xc3\xa9");
}

void tst_Database::textBindsAsUtf8()
{
    QFETCH(QString, value);
    QFETCH(QByteArray, stored);
    Test::TempStore store;
    Core::SqliteStatement &echo = store.db().statement("SELECT CAST(?1 AS BLOB), typeof(?1), ?2");
    echo.bind(1, value);
    echo.bind(2, QStringLiteral("after"));
    auto row = echo.step();
    LD_VERIFY_OK(row);
    QVERIFY(*row);
    const auto *bytes = static_cast<const char *>(sqlite3_column_blob(echo.handle(), 0));
    QCOMPARE(QByteArray(bytes, sqlite3_column_bytes(echo.handle(), 0)), stored);
    QCOMPARE(echo.columnText(1), QStringLiteral("text"));
    QCOMPARE(echo.columnText(2), QStringLiteral("after"));
    echo.reset();
}

void tst_Database::failedStatementReportsReason()
{
    Test::TempStore store;
    auto result = store.db().execDirect(QStringLiteral("INSERT INTO no_such_table VALUES (1)"));
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QStringLiteral("no_such_table")),
             qPrintable(result.error().message));
    // Constraint: a lead's status must be one of the seed's values.
    auto bad = store.db().execDirect(
        QStringLiteral("INSERT INTO users (id, business_id, username, role, password_hash, "
                       "created_at, updated_at) "
                       "VALUES ('u', 'nope', 'x', 'superuser', 'h', 1, 1)"));
    QVERIFY(!bad);
}

void tst_Database::everyTableOfTheDesignExists_data()
{
    QTest::addColumn<QString>("table");
    for (const char *table : {"businesses",
                              "users",
                              "sources",
                              "contacts",
                              "contact_identities",
                              "leads",
                              "conversations",
                              "messages",
                              "campaigns",
                              "activities",
                              "chatbot_sessions",
                              "answers",
                              "behaviors",
                              "ab_assignments",
                              "ab_events",
                              "broadcasts",
                              "broadcast_recipients",
                              "outbox",
                              "inbound_journal",
                              "delivery_log",
                              "settings",
                              "audit_log",
                              "change_log",
                              "sync_state"})
        QTest::newRow(table) << QString::fromLatin1(table);
}

void tst_Database::everyTableOfTheDesignExists()
{
    QFETCH(QString, table);
    Test::TempStore store;
    QCOMPARE(Test::countRows(store.db(), table), 0 + (table == QLatin1String("businesses")));
}

void tst_Database::listQueriesUseIndexes_data()
{
    QTest::addColumn<QString>("sql");
    QTest::addColumn<QString>("index");
    QTest::newRow("created page") << QStringLiteral(
        "SELECT id FROM leads WHERE business_id = 'b' AND deleted = 0 AND (created_at, rowid) < "
        "(5, 5) "
        "ORDER BY created_at DESC, rowid DESC LIMIT 200")
                                  << QStringLiteral("idx_leads_created");
    QTest::newRow("name page") << QStringLiteral(
        "SELECT id FROM leads WHERE business_id = 'b' AND deleted = 0 AND (last_name, first_name, "
        "rowid) > ('a', 'b', 5) "
        "ORDER BY last_name, first_name, rowid LIMIT 200")
                               << QStringLiteral("idx_leads_name");
    QTest::newRow("score page") << QStringLiteral(
        "SELECT l.id FROM lead_scores s JOIN leads l ON l.id = s.lead_id WHERE s.tenant = "
        "(SELECT tenant FROM tenants WHERE business_id = 'b') "
        "AND l.deleted = 0 AND (s.lead_score, s.lead_id) < (50, 'x') "
        "ORDER BY s.lead_score DESC, s.lead_id DESC LIMIT 200")
                                << QStringLiteral("idx_lead_scores_sort");
    QTest::newRow("identity probe")
        << QStringLiteral("SELECT contact_id FROM contact_identities WHERE business_id = 'b' AND "
                          "channel = 'email' AND external_id = 'x'")
        << QStringLiteral("sqlite_autoindex_contact_identities");
}

void tst_Database::listQueriesUseIndexes()
{
    QFETCH(QString, sql);
    QFETCH(QString, index);
    Test::TempStore store;
    QSqlQuery q(store.db().connection());
    QVERIFY(q.exec(QStringLiteral("EXPLAIN QUERY PLAN ") + sql));
    QString plan;
    while (q.next())
        plan += q.value(3).toString() + QLatin1Char('\n');
    QVERIFY2(plan.contains(index), qPrintable(plan));
    QVERIFY2(!plan.contains(QStringLiteral("TEMP B-TREE")), qPrintable(plan));
}

QTEST_GUILESS_MAIN(tst_Database)
#include "tst_database.moc"
