#include "databasethread.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QTest>
#include <QThread>

using namespace LeadDesk;

class tst_DatabaseThread : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void jobsRunOnTheWriterThreadAndCommit();
    void concurrentJobsShareCommits();
    void failingJobRollsBackAlone_data();
    void failingJobRollsBackAlone();
    void aJobAloneRollsBackWithoutASavepoint();
    void valueJobsReturnTheirValue();
    void readerSeesCommittedWrites();
    void openFailureIsReported();
    void destructorDrainsTheQueue();
    void standaloneJobsManageTheirOwnTransactions();

private:
    static Core::Result<void> insertBusiness(Core::Database &db, const QString &id)
    {
        QSqlQuery &q = db.prepared(QStringLiteral(
            "INSERT INTO businesses (id, name, created_at, updated_at) VALUES (?, 'x', 1, 1)"));
        q.addBindValue(id);
        return db.exec(q);
    }
};

void tst_DatabaseThread::jobsRunOnTheWriterThreadAndCommit()
{
    Test::TempStore store;
    auto writer = Core::StoreWriter::start(store.path());
    QVERIFY(writer);
    QThread *jobThread = nullptr;
    auto done = (*writer)->submit([&jobThread](Core::Database &db) {
        jobThread = QThread::currentThread();
        return insertBusiness(db, QStringLiteral("w1"));
    });
    QVERIFY(done.result());
    QVERIFY(jobThread != QThread::currentThread());
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("businesses"), QStringLiteral("id = 'w1'")),
             1);
}

void tst_DatabaseThread::concurrentJobsShareCommits()
{
    Test::TempStore store;
    auto writer = Core::StoreWriter::start(store.path());
    QVERIFY(writer);
    // Hold the writer busy so the next jobs queue up and commit together.
    std::atomic<bool> release{false};
    auto blocker = (*writer)->submit([&release](Core::Database &) -> Core::Result<void> {
        while (!release)
            QThread::msleep(1);
        return {};
    });
    QList<QFuture<Core::Result<void>>> futures;
    for (int i = 0; i < 300; ++i)
        futures << (*writer)->submit(
            [i](Core::Database &db) { return insertBusiness(db, QStringLiteral("g%1").arg(i)); });
    const qint64 before = (*writer)->batches();
    release = true;
    for (auto &future : futures)
        QVERIFY(future.result());
    QVERIFY(blocker.result());
    QVERIFY2((*writer)->batches() - before <= 3, "300 queued jobs should need only a few commits");
    QCOMPARE(
        Test::countRows(store.db(), QStringLiteral("businesses"), QStringLiteral("id LIKE 'g%'")),
        300);
}

void tst_DatabaseThread::failingJobRollsBackAlone_data()
{
    QTest::addColumn<bool>("smallJobs");
    QTest::newRow("sub-journals in a file past 64 KiB") << false;
    QTest::newRow("sub-journals in memory (small jobs)") << true;
}

void tst_DatabaseThread::failingJobRollsBackAlone()
{
    QFETCH(bool, smallJobs);
    Test::TempStore store;
    Core::StoreWriter::Options options;
    options.smallJobs = smallJobs;
    auto writer = Core::StoreWriter::start(store.path(), options);
    QVERIFY(writer);
    // The setting is the writer's own: temp_store 2 is MEMORY, 0 the default (a file).
    auto tempStore = (*writer)
                         ->submitValue<qint64>([](Core::Database &db) -> Core::Result<qint64> {
                             QSqlQuery q(db.connection());
                             if (!q.exec(QStringLiteral("PRAGMA temp_store")) || !q.next())
                                 return Core::fail(QStringLiteral("no temp_store"));
                             return q.value(0).toLongLong();
                         })
                         .result();
    QVERIFY(tempStore);
    QCOMPARE(*tempStore, smallJobs ? 2 : 0);
    std::atomic<bool> release{false};
    auto blocker = (*writer)->submit([&release](Core::Database &) -> Core::Result<void> {
        while (!release)
            QThread::msleep(1);
        return {};
    });
    auto good1 = (*writer)->submit(
        [](Core::Database &db) { return insertBusiness(db, QStringLiteral("ok1")); });
    auto bad = (*writer)->submit([](Core::Database &db) -> Core::Result<void> {
        if (auto ok = insertBusiness(db, QStringLiteral("half")); !ok)
            return ok;
        return insertBusiness(db, QStringLiteral("ok1")); // duplicate key: the job fails
    });
    auto good2 = (*writer)->submit(
        [](Core::Database &db) { return insertBusiness(db, QStringLiteral("ok2")); });
    release = true;
    QVERIFY(blocker.result());
    QVERIFY(good1.result());
    QVERIFY(!bad.result());
    QVERIFY(good2.result());
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("businesses"),
                             QStringLiteral("id IN ('ok1', 'ok2')")),
             2);
    QCOMPARE(
        Test::countRows(store.db(), QStringLiteral("businesses"), QStringLiteral("id = 'half'")),
        0);
}

void tst_DatabaseThread::aJobAloneRollsBackWithoutASavepoint()
{
    // One job to a transaction (as an import runs): no savepoint is opened, and a failing job
    // still leaves nothing behind.
    Test::TempStore store;
    Core::StoreWriter::Options options;
    options.maxJobsPerCommit = 1;
    auto writer = Core::StoreWriter::start(store.path(), options);
    QVERIFY(writer);
    auto bad = (*writer)->submit([](Core::Database &db) -> Core::Result<void> {
        if (auto ok = insertBusiness(db, QStringLiteral("half")); !ok)
            return ok;
        // Inside a savepoint this would fail ("no such savepoint"): there is none.
        QSqlQuery q(db.connection());
        if (q.exec(QStringLiteral("RELEASE job")))
            return Core::fail(QStringLiteral("the job ran inside a savepoint"));
        return Core::fail(QStringLiteral("the job fails"));
    });
    const auto failed = bad.result();
    QVERIFY(!failed);
    QCOMPARE(failed.error().message, QStringLiteral("the job fails"));
    auto good = (*writer)->submit(
        [](Core::Database &db) { return insertBusiness(db, QStringLiteral("after")); });
    LD_VERIFY_OK(good.result());
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("businesses"),
                             QStringLiteral("id IN ('half', 'after')")),
             1);
    QCOMPARE(
        Test::countRows(store.db(), QStringLiteral("businesses"), QStringLiteral("id = 'after'")),
        1);
}

void tst_DatabaseThread::valueJobsReturnTheirValue()
{
    Test::TempStore store;
    auto writer = Core::StoreWriter::start(store.path());
    QVERIFY(writer);
    auto value = (*writer)->submitValue<int>([](Core::Database &db) -> Core::Result<int> {
        return Test::countRows(db, QStringLiteral("businesses"));
    });
    QCOMPARE(value.result().value(), 1);
    auto failing = (*writer)->submitValue<int>(
        [](Core::Database &) -> Core::Result<int> { return Core::fail(QStringLiteral("nope")); });
    QCOMPARE(failing.result().error().message, QStringLiteral("nope"));
}

void tst_DatabaseThread::readerSeesCommittedWrites()
{
    Test::TempStore store;
    auto writer = Core::StoreWriter::start(store.path());
    auto reader = Core::StoreReader::start(store.path());
    QVERIFY(writer && reader);
    QVERIFY(
        (*writer)
            ->submit([](Core::Database &db) { return insertBusiness(db, QStringLiteral("r1")); })
            .result());
    auto count = (*reader)->submitValue<int>([](Core::Database &db) -> Core::Result<int> {
        return Test::countRows(db, QStringLiteral("businesses"));
    });
    QCOMPARE(count.result().value(), 2);
}

void tst_DatabaseThread::openFailureIsReported()
{
    auto writer = Core::StoreWriter::start(QStringLiteral("/proc/no-such-dir/store.sqlite"));
    QVERIFY(!writer);
    QVERIFY(!writer.error().message.isEmpty());
}

void tst_DatabaseThread::destructorDrainsTheQueue()
{
    Test::TempStore store;
    {
        auto writer = Core::StoreWriter::start(store.path());
        QVERIFY(writer);
        for (int i = 0; i < 50; ++i)
            (void)(*writer)->submit([i](Core::Database &db) {
                return insertBusiness(db, QStringLiteral("d%1").arg(i));
            });
    }
    QCOMPARE(
        Test::countRows(store.db(), QStringLiteral("businesses"), QStringLiteral("id LIKE 'd%'")),
        50);
}

void tst_DatabaseThread::standaloneJobsManageTheirOwnTransactions()
{
    Test::TempStore store;
    auto writer = Core::StoreWriter::start(store.path());
    QVERIFY(writer);
    auto before = (*writer)->submit(
        [](Core::Database &db) { return insertBusiness(db, QStringLiteral("s1")); });
    auto standalone = (*writer)->submitStandalone([](Core::Database &db) -> Core::Result<void> {
        // Its own BEGIN/COMMIT pairs would fail inside the writer's transaction.
        for (int i = 0; i < 3; ++i) {
            Core::Transaction transaction(db);
            if (!transaction.isOpen())
                return std::unexpected(transaction.error());
            if (auto ok = insertBusiness(db, QStringLiteral("own%1").arg(i)); !ok)
                return ok;
            if (auto ok = transaction.commit(); !ok)
                return ok;
        }
        return {};
    });
    auto after = (*writer)->submit(
        [](Core::Database &db) { return insertBusiness(db, QStringLiteral("s2")); });
    QVERIFY(before.result());
    LD_VERIFY_OK(standalone.result());
    QVERIFY(after.result());
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("businesses"),
                             QStringLiteral("id LIKE 'own%' OR id LIKE 's%'")),
             5);
}

QTEST_GUILESS_MAIN(tst_DatabaseThread)
#include "tst_databasethread.moc"
