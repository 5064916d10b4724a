// TablePrefetcher: the leaf pages it finds by reading a b-tree straight from the file are exactly
// the ones SQLite's own dbstat table lists, in key order, for a rowid table and for a WITHOUT
// ROWID one; damaged input is refused, not followed; the prefetch thread sees to every page, of
// the trees read in step and of those wanted whole first, asks only for those the OS does not
// hold, and stops when told.
#include "database.h"
#include "tableprefetcher.h"
#include "testsupport.h"

#include <QElapsedTimer>
#include <QFile>
#include <QTest>

#include <sqlite3.h>

#include <fcntl.h>
#include <unistd.h>

using namespace LeadDesk;
using Core::TablePrefetcher;

namespace {

sqlite3 *handleOf(Core::Database &db)
{
    return static_cast<sqlite3 *>(db.sqliteHandle());
}

bool exec(sqlite3 *db, const QByteArray &sql)
{
    char *error = nullptr;
    if (sqlite3_exec(db, sql.constData(), nullptr, nullptr, &error) == SQLITE_OK)
        return true;
    qWarning("%s: %s", sql.constData(), error);
    sqlite3_free(error);
    return false;
}

std::vector<quint32> column(sqlite3 *db, const QByteArray &sql)
{
    std::vector<quint32> values;
    sqlite3_stmt *statement = nullptr;
    if (sqlite3_prepare_v2(db, sql.constData(), -1, &statement, nullptr) != SQLITE_OK) {
        qWarning("%s: %s", sql.constData(), sqlite3_errmsg(db));
        return values;
    }
    while (sqlite3_step(statement) == SQLITE_ROW)
        values.push_back(quint32(sqlite3_column_int64(statement, 0)));
    sqlite3_finalize(statement);
    return values;
}

// A store whose leads and score rows span three b-tree levels, all in the main file.
void fill(Core::Database &db, const QString &businessId)
{
    sqlite3 *handle = handleOf(db);
    const QByteArray business = businessId.toUtf8();
    QVERIFY(exec(handle, "BEGIN"));
    QVERIFY(exec(handle, QByteArray("INSERT INTO contacts (id, business_id, created_at, "
                                    "updated_at) VALUES ('c', '")
                             + business + "', 0, 0)"));
    QVERIFY(
        exec(handle, QByteArray("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                                "WHERE i < 30000) INSERT INTO leads (id, business_id, contact_id, "
                                "channel, message, created_at, updated_at) "
                                "SELECT printf('lead-%08d', i), '")
                         + business + "', 'c', 'sms', hex(randomblob(300)), i, i FROM n"));
    // Wide rows (a padded lead id, in the leads' order) make a WITHOUT ROWID tree of three levels.
    QVERIFY(exec(handle, "INSERT INTO lead_scores (lead_id, tenant) "
                         "SELECT id || hex(randomblob(40)), 1 FROM leads"));
    QVERIFY(exec(handle, "COMMIT"));
    QVERIFY(exec(handle, "PRAGMA wal_checkpoint(TRUNCATE)"));
}

} // namespace

class tst_TablePrefetcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void leafPagesAreDbstatsInKeyOrder_data();
    void leafPagesAreDbstatsInKeyOrder();
    void aSingleLeafRootIsItsOwnLeaf();
    void damagedInputIsRefused();
    void prefetchAsksForEveryLeafAndStops();
    void treesWantedWholeAreAskedForToo();
    void pagesTheOsHoldsAreNotAskedForAgain();
};

void tst_TablePrefetcher::leafPagesAreDbstatsInKeyOrder_data()
{
    QTest::addColumn<QByteArray>("table");
    QTest::newRow("rowid table") << QByteArray("leads");
    QTest::newRow("WITHOUT ROWID table") << QByteArray("lead_scores");
}

void tst_TablePrefetcher::leafPagesAreDbstatsInKeyOrder()
{
    QFETCH(QByteArray, table);
    Test::TempStore store;
    fill(store.db(), store.businessId());
    sqlite3 *handle = handleOf(store.db());
    const std::vector<quint32> root = column(
        handle, QByteArray("SELECT rootpage FROM sqlite_master WHERE name = '") + table + "'");
    QCOMPARE(root.size(), std::size_t(1));
    const std::vector<quint32> expected
        = column(handle, QByteArray("SELECT pageno FROM dbstat WHERE name = '") + table
                             + "' AND pagetype = 'leaf' ORDER BY path");
    QVERIFY2(expected.size() > 400, "the tree should have three levels"); // ~10 per leaf

    const int fd = ::open(QFile::encodeName(store.path()).constData(), O_RDONLY);
    QVERIFY(fd >= 0);
    auto leaves = TablePrefetcher::leafPages(fd, root.front());
    ::close(fd);
    LD_VERIFY_OK(leaves);
    QCOMPARE(*leaves, expected);
}

void tst_TablePrefetcher::aSingleLeafRootIsItsOwnLeaf()
{
    Test::TempStore store;
    sqlite3 *handle = handleOf(store.db());
    QVERIFY(exec(handle, "PRAGMA wal_checkpoint(TRUNCATE)"));
    const std::vector<quint32> root
        = column(handle, "SELECT rootpage FROM sqlite_master WHERE name = 'businesses'");
    QCOMPARE(root.size(), std::size_t(1));
    const int fd = ::open(QFile::encodeName(store.path()).constData(), O_RDONLY);
    auto leaves = TablePrefetcher::leafPages(fd, root.front());
    ::close(fd);
    LD_VERIFY_OK(leaves);
    QCOMPARE(*leaves, root);
}

void tst_TablePrefetcher::damagedInputIsRefused()
{
    Test::TempStore store;
    fill(store.db(), store.businessId());
    const QByteArray path = QFile::encodeName(store.path());
    const int fd = ::open(path.constData(), O_RDONLY);
    QVERIFY(fd >= 0);
    // Page 0 does not exist, nor does a page past the end of the file.
    QVERIFY(!TablePrefetcher::leafPages(fd, 0));
    QVERIFY(!TablePrefetcher::leafPages(fd, 1u << 30));
    ::close(fd);

    // A file that is not a database.
    const QString other = store.dir() + QStringLiteral("/not-a-store");
    QFile text(other);
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write(QByteArray(8192, 'x'));
    text.close();
    const int textFd = ::open(QFile::encodeName(other).constData(), O_RDONLY);
    QVERIFY(!TablePrefetcher::leafPages(textFd, 1));
    ::close(textFd);

    // An interior page whose child pointer is damaged to point back at the root: refused, not
    // walked for ever.
    const std::vector<quint32> root
        = column(handleOf(store.db()), "SELECT rootpage FROM sqlite_master WHERE name = 'leads'");
    const QString copy = store.dir() + QStringLiteral("/damaged.sqlite");
    QVERIFY(QFile::copy(store.path(), copy));
    QFile damaged(copy);
    QVERIFY(damaged.open(QIODevice::ReadWrite));
    const qint64 rootAt = qint64(root.front() - 1) * 4096;
    QVERIFY(damaged.seek(rootAt + 8)); // the right-most pointer
    const quint32 self = root.front();
    const char pointer[4] = {char(self >> 24), char(self >> 16), char(self >> 8), char(self)};
    QCOMPARE(damaged.write(pointer, 4), qint64(4));
    damaged.close();
    const int damagedFd = ::open(QFile::encodeName(copy).constData(), O_RDONLY);
    auto leaves = TablePrefetcher::leafPages(damagedFd, root.front());
    ::close(damagedFd);
    QVERIFY(!leaves);
    QVERIFY2(leaves.error().message.contains(QStringLiteral("twice")),
             qPrintable(leaves.error().message));
}

void tst_TablePrefetcher::prefetchAsksForEveryLeafAndStops()
{
    Test::TempStore store;
    fill(store.db(), store.businessId());
    sqlite3 *handle = handleOf(store.db());
    const std::vector<quint32> roots = column(
        handle, "SELECT rootpage FROM sqlite_master WHERE name IN ('leads', 'lead_scores')");
    QCOMPARE(roots.size(), std::size_t(2));
    const std::size_t leaves
        = column(handle, "SELECT pageno FROM dbstat WHERE name IN ('leads', 'lead_scores') "
                         "AND pagetype = 'leaf'")
              .size();
    const QByteArray path = QFile::encodeName(store.path());
    {
        TablePrefetcher prefetcher(path, roots);
        QTRY_COMPARE_WITH_TIMEOUT(prefetcher.pagesRequested(), qint64(leaves), 10'000);
    }
    // Stopped at once, before or during its walk; and a root it cannot walk is skipped.
    QElapsedTimer timer;
    timer.start();
    {
        TablePrefetcher stopped(path, {roots.front(), 0, roots.back()});
    }
    QVERIFY(timer.elapsed() < 5'000);
    {
        TablePrefetcher partly(path, {0, roots.back()});
        QTRY_VERIFY_WITH_TIMEOUT(partly.pagesRequested() > 0, 10'000);
    }
}

void tst_TablePrefetcher::treesWantedWholeAreAskedForToo()
{
    Test::TempStore store;
    fill(store.db(), store.businessId());
    sqlite3 *handle = handleOf(store.db());
    const auto leavesOf = [handle](const char *name) {
        return column(handle, QByteArray("SELECT pageno FROM dbstat WHERE name = '") + name
                                  + "' AND pagetype = 'leaf'")
            .size();
    };
    const std::size_t leads = leavesOf("leads");
    const std::size_t scores = leavesOf("lead_scores");
    QVERIFY(leads > 0 && scores > 0);
    {
        // Names not in the store are left out.
        const auto prefetcher
            = TablePrefetcher::forTrees(handle, {"leads", "no_such_table"}, {"lead_scores"});
        QVERIFY(prefetcher);
        QTRY_COMPARE_WITH_TIMEOUT(prefetcher->pagesRequested(), qint64(leads + scores), 10'000);
    }
    {
        const auto onlyFirst = TablePrefetcher::forTrees(handle, {}, {"lead_scores"});
        QVERIFY(onlyFirst);
        QTRY_COMPARE_WITH_TIMEOUT(onlyFirst->pagesRequested(), qint64(scores), 10'000);
    }
    QVERIFY(!TablePrefetcher::forTrees(handle, {"no_such_table"}, {"nor_this_one"}));
}

void tst_TablePrefetcher::pagesTheOsHoldsAreNotAskedForAgain()
{
    Test::TempStore store;
    fill(store.db(), store.businessId());
    sqlite3 *handle = handleOf(store.db());
    const std::size_t leaves
        = column(handle, "SELECT pageno FROM dbstat WHERE name IN ('leads', 'lead_scores') "
                         "AND pagetype = 'leaf'")
              .size();
    const auto prefetchedCached = [handle, leaves] {
        const auto prefetcher = TablePrefetcher::forTrees(handle, {"leads", "lead_scores"});
        if (!prefetcher)
            return qint64(-1);
        QElapsedTimer timer;
        timer.start();
        while (!prefetcher->isDone() && timer.elapsed() < 10'000)
            QTest::qWait(10);
        return prefetcher->pagesRequested() == qint64(leaves) ? prefetcher->pagesAlreadyCached()
                                                              : qint64(-2);
    };
    // Read whole just before: the OS holds every page.
    QFile whole(store.path());
    QVERIFY(whole.open(QIODevice::ReadOnly));
    QVERIFY(!whole.readAll().isEmpty());
    whole.close();
    QCOMPARE(prefetchedCached(), qint64(leaves));

    // The file's pages given back (clean after the checkpoint's sync): every page is asked for,
    // and touched, so that the OS holds them all again afterwards.
    const int fd = ::open(QFile::encodeName(store.path()).constData(), O_RDONLY);
    QVERIFY(fd >= 0);
    QCOMPARE(::fdatasync(fd), 0);
    QCOMPARE(::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED), 0);
    ::close(fd);
    const qint64 cachedWhenCold = prefetchedCached();
    QVERIFY2(cachedWhenCold >= 0 && cachedWhenCold < qint64(leaves) / 2,
             qPrintable(QString::number(cachedWhenCold)));
    QCOMPARE(prefetchedCached(), qint64(leaves));
}

QTEST_GUILESS_MAIN(tst_TablePrefetcher)
#include "tst_tableprefetcher.moc"
