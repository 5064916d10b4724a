#pragma once

#include "database.h"

#include <QFuture>
#include <QPromise>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <thread>

namespace LeadDesk::Core {

// A thread that owns one connection and runs queued jobs against it, in order. Subclasses
// decide how a batch of queued jobs runs (StoreWriter: one transaction; StoreReader: one by one).
// Futures finish on this thread; connect to them with a context object (QFuture::then(ctx, ...))
// to get the result on the GUI thread.
class DatabaseThread
{
public:
    using Job = std::function<Result<void>(Database &)>;

    virtual ~DatabaseThread();
    Q_DISABLE_COPY_MOVE(DatabaseThread)

    // Queues a job; the future finishes once it has run (for the writer: committed).
    QFuture<Result<void>> submit(Job job);
    // Queues a job that manages its own transactions (bulk generators that commit in batches):
    // it runs on this thread, in queue order, outside any transaction the thread would open.
    QFuture<Result<void>> submitStandalone(Job job);

    // A job that computes a value.
    template<typename T>
    QFuture<Result<T>> submitValue(std::function<Result<T>(Database &)> job)
    {
        auto promise = std::make_shared<QPromise<Result<T>>>();
        auto value = std::make_shared<Result<T>>(fail(QStringLiteral("the job did not run")));
        QFuture<Result<T>> future = promise->future();
        promise->start();
        enqueue({[job = std::move(job), value](Database &db) -> Result<void> {
                     *value = job(db);
                     if (!*value)
                         return std::unexpected(value->error());
                     return {};
                 },
                 [promise, value](const Result<void> &outcome) {
                     promise->addResult(outcome ? std::move(*value)
                                                : Result<T>(std::unexpected(outcome.error())));
                     promise->finish();
                 }});
        return future;
    }

    // Blocks until every job queued so far has run.
    void flush();
    [[nodiscard]] std::size_t backlog() const;
    [[nodiscard]] qint64 batches() const;

protected:
    struct Entry
    {
        Job job;
        std::function<void(const Result<void> &)> done;
        bool standalone = false;
    };

    DatabaseThread() = default;
    // Opens the connection on the new thread; returns once it is open (or failed to open).
    Result<void> startThread(const QString &path, Database::Mode mode, QStringList extraPragmas,
                             int maxBatch);
    void stopThread(); // drains the queue; subclasses call it from their destructor
    virtual void runBatch(Database &db, std::deque<Entry> &batch) = 0;

private:
    void enqueue(Entry entry);
    void loop(Database &db, int maxBatch);

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_idle;
    std::deque<Entry> m_queue;
    bool m_stopping = false;
    bool m_busy = false;
    qint64 m_batches = 0;
    std::thread m_thread;
};

// The store's single writer. Jobs queued while a transaction is open are committed together
// (group commit), each inside its own savepoint, so a failing job rolls back alone and the others
// still commit; a job alone in its transaction needs none. A job's future finishes only after
// its transaction has committed.
class StoreWriter final : public DatabaseThread
{
public:
    struct Options
    {
        int maxJobsPerCommit = 512;
        bool fullSync = false; // synchronous=FULL: for acknowledgements to remote parties
        int cacheMiB = 64;     // page cache; bulk imports want the lead indexes to fit
        // Savepoints and statements that fire triggers copy each page they change into a
        // sub-journal, which SQLite writes to a temporary file once it passes 64 KiB. A
        // campaign form's lead changes some thirty pages, so with a file every request wrote
        // them all to disk again (two thirds of the receiver's write calls; bench_receiver).
        // In memory (temp_store = MEMORY) the sub-journal never spills: for writers whose jobs
        // are small, not for bulk jobs, whose sub-journals would hold hundreds of MiB.
        bool smallJobs = false;
    };
    static Result<std::unique_ptr<StoreWriter>> start(const QString &path, Options options);
    static Result<std::unique_ptr<StoreWriter>> start(const QString &path)
    {
        return start(path, Options{});
    }
    ~StoreWriter() override;
    Q_DISABLE_COPY_MOVE(StoreWriter)

private:
    StoreWriter() = default;
    void runBatch(Database &db, std::deque<Entry> &batch) override;
    static void runInOneTransaction(Database &db, std::deque<Entry> &jobs);
};

// A read-only connection on its own thread, so the GUI never waits on SQLite.
class StoreReader final : public DatabaseThread
{
public:
    static Result<std::unique_ptr<StoreReader>> start(const QString &path);
    ~StoreReader() override;
    Q_DISABLE_COPY_MOVE(StoreReader)

private:
    StoreReader() = default;
    void runBatch(Database &db, std::deque<Entry> &batch) override;
};

} // namespace LeadDesk::Core
