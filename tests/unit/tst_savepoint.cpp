// Savepoint: a unit of writes kept only when released, on its own or inside a transaction.
#include "database.h"
#include "savepoint.h"
#include "sqlitestatement.h"
#include "testsupport.h"

#include <QTest>

using namespace LeadDesk;
using Core::Savepoint;

class tst_Savepoint : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void releasedWritesAreKept();
    void unreleasedWritesAreRolledBack();
    void nestsInsideATransaction();
    void innerRollbackLeavesTheOuterUnit();
    void releaseTwiceIsAnError();

private:
    void note(const char *text);
    int notes();

    std::unique_ptr<Test::TempStore> m_store;
};

void tst_Savepoint::init()
{
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    LD_VERIFY_OK(m_store->db().execDirect(QStringLiteral("CREATE TABLE notes (text TEXT)")));
}

void tst_Savepoint::note(const char *text)
{
    auto &insert = m_store->db().statement("INSERT INTO notes (text) VALUES (?1)");
    insert.bind(1, QString::fromLatin1(text));
    QVERIFY(insert.execute().has_value());
}

int tst_Savepoint::notes()
{
    return Test::countRows(m_store->db(), QStringLiteral("notes"));
}

void tst_Savepoint::releasedWritesAreKept()
{
    {
        Savepoint unit(m_store->db(), "test_unit");
        LD_VERIFY_OK(unit.status());
        QVERIFY(unit.isOpen());
        note("kept");
        LD_VERIFY_OK(unit.release());
        QVERIFY(!unit.isOpen());
    }
    QCOMPARE(notes(), 1);
}

void tst_Savepoint::unreleasedWritesAreRolledBack()
{
    {
        Savepoint unit(m_store->db(), "test_unit");
        LD_VERIFY_OK(unit.status());
        note("dropped");
        QCOMPARE(notes(), 1);
    }
    QCOMPARE(notes(), 0);
    // The connection is usable afterwards: no savepoint or transaction is left open.
    LD_VERIFY_OK(m_store->db().execDirect(QStringLiteral("BEGIN")));
    LD_VERIFY_OK(m_store->db().execDirect(QStringLiteral("ROLLBACK")));
}

void tst_Savepoint::nestsInsideATransaction()
{
    Core::Transaction transaction(m_store->db());
    {
        Savepoint unit(m_store->db(), "test_unit");
        LD_VERIFY_OK(unit.status());
        note("inner");
        LD_VERIFY_OK(unit.release());
    }
    LD_VERIFY_OK(transaction.commit());
    QCOMPARE(notes(), 1);
}

void tst_Savepoint::innerRollbackLeavesTheOuterUnit()
{
    {
        Savepoint outer(m_store->db(), "test_outer");
        note("outer");
        {
            Savepoint inner(m_store->db(), "test_inner");
            note("inner");
        } // rolled back alone
        QCOMPARE(notes(), 1);
        LD_VERIFY_OK(outer.release());
    }
    QCOMPARE(notes(), 1);
}

void tst_Savepoint::releaseTwiceIsAnError()
{
    Savepoint unit(m_store->db(), "test_unit");
    LD_VERIFY_OK(unit.release());
    // The unit is closed: a second release is refused rather than releasing someone else's.
    QVERIFY(!unit.release().has_value());
}

QTEST_GUILESS_MAIN(tst_Savepoint)
#include "tst_savepoint.moc"
