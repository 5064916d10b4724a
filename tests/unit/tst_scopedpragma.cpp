// ScopedPragma: a pragma set for a scope reads back inside it and has its old value after, and
// value() answers 0 for a statement that answers nothing.
#include "database.h"
#include "scopedpragma.h"
#include "testsupport.h"

#include <QTest>

#include <sqlite3.h>

using namespace LeadDesk;
using Core::ScopedPragma;

class tst_ScopedPragma : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void setForTheScopeAndPutBack();
    void valueOfNothingIsZero();
};

void tst_ScopedPragma::setForTheScopeAndPutBack()
{
    Test::TempStore store;
    auto *db = static_cast<sqlite3 *>(store.db().sqliteHandle());
    const qint64 before = ScopedPragma::value(db, "PRAGMA cache_size");
    QVERIFY(before != -1234);
    {
        const ScopedPragma cache(db, "cache_size", "-1234");
        QCOMPARE(ScopedPragma::value(db, "PRAGMA cache_size"), qint64(-1234));
        {
            const ScopedPragma inner(db, "cache_size", "-99");
            QCOMPARE(ScopedPragma::value(db, "PRAGMA cache_size"), qint64(-99));
        }
        QCOMPARE(ScopedPragma::value(db, "PRAGMA cache_size"), qint64(-1234));
    }
    QCOMPARE(ScopedPragma::value(db, "PRAGMA cache_size"), before);
}

void tst_ScopedPragma::valueOfNothingIsZero()
{
    Test::TempStore store;
    auto *db = static_cast<sqlite3 *>(store.db().sqliteHandle());
    QCOMPARE(ScopedPragma::value(db, "PRAGMA no_such_pragma"), qint64(0));
    QCOMPARE(ScopedPragma::value(db, "not sql at all"), qint64(0));
}

QTEST_GUILESS_MAIN(tst_ScopedPragma)
#include "tst_scopedpragma.moc"
