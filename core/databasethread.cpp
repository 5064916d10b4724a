#include "databasethread.h"

namespace LeadDesk::Core {

DatabaseThread::~DatabaseThread()
{
    // Subclasses stop the thread in their own destructor, while runBatch() is still theirs.
    Q_ASSERT(!m_thread.joinable());
}

Result<void> DatabaseThread::startThread(const QString &path, Database::Mode mode,
                                         QStringList extraPragmas, int maxBatch)
{
    std::promise<Result<void>> opened;
    auto openedFuture = opened.get_future();
    m_thread = std::thread([this, path, mode, extraPragmas, maxBatch, &opened] {
        auto db = Database::open(path, mode);
        for (const QString &pragma : extraPragmas) {
            if (!db)
                break;
            if (auto ok = (*db)->execDirect(pragma); !ok)
                db = std::unexpected(ok.error());
        }
        if (!db) {
            opened.set_value(std::unexpected(db.error()));
            return;
        }
        opened.set_value({});
        loop(**db, maxBatch);
    });
    auto result = openedFuture.get();
    if (!result)
        m_thread.join();
    return result;
}

void DatabaseThread::stopThread()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

QFuture<Result<void>> DatabaseThread::submit(Job job)
{
    auto promise = std::make_shared<QPromise<Result<void>>>();
    QFuture<Result<void>> future = promise->future();
    promise->start();
    enqueue({std::move(job), [promise](const Result<void> &outcome) {
                 promise->addResult(outcome);
                 promise->finish();
             }});
    return future;
}

QFuture<Result<void>> DatabaseThread::submitStandalone(Job job)
{
    auto promise = std::make_shared<QPromise<Result<void>>>();
    QFuture<Result<void>> future = promise->future();
    promise->start();
    enqueue({std::move(job),
             [promise](const Result<void> &outcome) {
                 promise->addResult(outcome);
                 promise->finish();
             },
             true});
    return future;
}

void DatabaseThread::enqueue(Entry entry)
{
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_back(std::move(entry));
    }
    m_wake.notify_one();
}

void DatabaseThread::flush()
{
    std::unique_lock lock(m_mutex);
    m_idle.wait(lock, [this] { return m_queue.empty() && !m_busy; });
}

std::size_t DatabaseThread::backlog() const
{
    std::lock_guard lock(m_mutex);
    return m_queue.size();
}

qint64 DatabaseThread::batches() const
{
    std::lock_guard lock(m_mutex);
    return m_batches;
}

void DatabaseThread::loop(Database &db, int maxBatch)
{
    for (;;) {
        std::deque<Entry> batch;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || !m_queue.empty(); });
            if (m_queue.empty())
                break; // stopping, and nothing left to run
            const auto take = std::min<std::size_t>(m_queue.size(), std::size_t(maxBatch));
            for (std::size_t i = 0; i < take; ++i) {
                batch.push_back(std::move(m_queue.front()));
                m_queue.pop_front();
            }
            m_busy = true;
        }
        runBatch(db, batch);
        {
            std::lock_guard lock(m_mutex);
            m_busy = false;
            ++m_batches;
        }
        m_idle.notify_all();
    }
}

Result<std::unique_ptr<StoreWriter>> StoreWriter::start(const QString &path, Options options)
{
    std::unique_ptr<StoreWriter> writer(new StoreWriter);
    QStringList pragmas{
        QStringLiteral("PRAGMA cache_size = -%1").arg(qint64(options.cacheMiB) * 1024)};
    if (options.fullSync)
        pragmas << QStringLiteral("PRAGMA synchronous = FULL");
    if (options.smallJobs)
        pragmas << QStringLiteral("PRAGMA temp_store = MEMORY");
    if (auto ok
        = writer->startThread(path, Database::Mode::ReadWrite, pragmas, options.maxJobsPerCommit);
        !ok)
        return std::unexpected(ok.error());
    return writer;
}

StoreWriter::~StoreWriter()
{
    stopThread();
}

void StoreWriter::runBatch(Database &db, std::deque<Entry> &batch)
{
    // Consecutive ordinary jobs share one transaction; a standalone job runs between them.
    std::deque<Entry> grouped;
    for (auto &entry : batch) {
        if (!entry.standalone) {
            grouped.push_back(std::move(entry));
            continue;
        }
        if (!grouped.empty()) {
            runInOneTransaction(db, grouped);
            grouped.clear();
        }
        entry.done(entry.job(db));
    }
    if (!grouped.empty())
        runInOneTransaction(db, grouped);
}

void StoreWriter::runInOneTransaction(Database &db, std::deque<Entry> &batch)
{
    if (batch.size() == 1) {
        // Alone in its transaction, a job needs no savepoint: a failure rolls the transaction
        // back. A savepoint copies every page the job changes into the sub-journal first, which
        // for a bulk job is hundreds of MiB written to a temporary file.
        Result<void> outcome;
        {
            Transaction transaction(db);
            outcome = transaction.isOpen() ? batch.front().job(db)
                                           : Result<void>(std::unexpected(transaction.error()));
            if (outcome)
                outcome = transaction.commit();
        } // a failed job is rolled back here
        batch.front().done(outcome);
        return;
    }
    Transaction transaction(db);
    if (!transaction.isOpen()) {
        for (auto &entry : batch)
            entry.done(std::unexpected(transaction.error()));
        return;
    }
    std::vector<Result<void>> outcomes;
    outcomes.reserve(batch.size());
    for (auto &entry : batch) {
        if (auto ok = db.execDirect(QStringLiteral("SAVEPOINT job")); !ok) {
            outcomes.push_back(ok);
            continue;
        }
        Result<void> outcome = entry.job(db);
        if (outcome) {
            outcome = db.execDirect(QStringLiteral("RELEASE job"));
        } else {
            (void)db.execDirect(QStringLiteral("ROLLBACK TO job"));
            (void)db.execDirect(QStringLiteral("RELEASE job"));
        }
        outcomes.push_back(std::move(outcome));
    }
    const auto committed = transaction.commit();
    for (std::size_t i = 0; i < batch.size(); ++i)
        batch[i].done(committed ? outcomes[i] : Result<void>(std::unexpected(committed.error())));
}

Result<std::unique_ptr<StoreReader>> StoreReader::start(const QString &path)
{
    std::unique_ptr<StoreReader> reader(new StoreReader);
    if (auto ok = reader->startThread(path, Database::Mode::ReadOnly, {}, 64); !ok)
        return std::unexpected(ok.error());
    return reader;
}

StoreReader::~StoreReader()
{
    stopThread();
}

void StoreReader::runBatch(Database &db, std::deque<Entry> &batch)
{
    for (auto &entry : batch)
        entry.done(entry.job(db));
}

} // namespace LeadDesk::Core
