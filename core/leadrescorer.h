#pragma once

#include "database.h"
#include "databasethread.h"
#include "result.h"
#include "scoringrules.h"

#include <QFuture>

#include <functional>
#include <memory>

struct sqlite3;

namespace LeadDesk::Core {

class RuleInputsFill;
class TablePrefetcher;

class LeadScoreWriter;

// Recomputes the score, grade, qualification and breakdown of every lead of a business under a
// rule document, in pages by rowid, each page one transaction that writes back only the leads
// whose stored score changed: a lead edited between pages is rescored with its committed values,
// and an edit is never overwritten with a score of older values.
//
// A page reads only the columns the rules need (through the raw SQLite statement API) and scores
// its rows on every core while it is still being read; the rules are immutable and shared. The
// next page is read on a second connection while this one is written, and used only if nothing
// else committed in between (else it is read again inside the writing transaction). Runs where
// it may open its own transactions: runOnWriter() (the app), or rescoreAll() (the command line,
// tests). Scores live in the narrow lead_scores table. A page's new scores go in with the
// connection's triggers off, walking the table in key order where the leads come in it
// (LeadScoreWriter); the scoring threads sum the analytics rollups' differences and the page
// writes them once (ScoreRollupDeltas): see bench_rescore.
class LeadRescorer final
{
public:
    static constexpr int kPageSize = 20000;

    // AsChange: a rescore is an edit: each score row written is stamped with scored_at and a
    // clock stamp, so it syncs. AsCreated: the scores are part of how the rows were made (a
    // generated data set, an import scored under the business's rules); a new score row takes
    // its lead's creation time, an existing one keeps its stamps.
    enum class Stamp { AsChange, AsCreated };

    struct Options
    {
        qint64 nowMs = 0; // the time of scoring: decay's "now" and the AsChange stamp
        Stamp stamp = Stamp::AsChange;
        int pageSize = kPageSize;
        qint64 afterRowId = 0; // only leads stored after this row (the leads of one import)
        int workers = -1;      // scoring threads besides the caller's; -1: one per other core
        // For the length of the rescore the connection's page cache grows to this (the score
        // index, 76 MiB for a million leads, stays in memory while its entries move) and
        // SQLite's automatic WAL checkpoints wait: each would copy the pages just written and
        // sync them to disk, page after page. Both are restored at the end; checkpoint() the
        // store afterwards, ideally off the writer thread. 0: leave the connection as it is.
        int cacheMiB = 512;
        // The cache instead when the rescore drops the score index (rebuildSortIndexFrom): the
        // score rows are then walked once, in key order, and a page's rows are all it needs at a
        // time. Every page of cache filled is memory the OS hands over on first use; a cache
        // of 512 MiB filled with 50,000 pages, half a second of the first rescore on the
        // development machine (bench_rescore --walking-cache-mib).
        int walkingCacheMiB = 32;
        // Read and score the next page on a connection of its own (on another thread) while this
        // one is written. The page is used only when nothing else wrote to the store since it
        // was read; else it is read again. Needs a store file (not an in-memory database).
        bool readAhead = true;
        // Leave chatbot leads alone: the chatbot's behaviour model scored them, and the lead
        // model would overwrite that. Off only where nothing scored them yet (generated data).
        bool skipChatbot = true;
        // A whole-store rescore of at least this many leads drops the list's score index for
        // its length and builds it again at the end: moving a million entries one by one costs
        // about twice what building it does (see bench_rescore). Meanwhile the score sort of the
        // list scans instead. 0: never.
        qint64 rebuildSortIndexFrom = 100'000;
        // Read the narrow copy of what the rules read (RuleInputsTable) instead of the leads
        // rows; a whole-store rescore whose rules read something the copy lacks reads the rows
        // and fills a new copy after its pages, for the next one. Off: read the leads rows (the
        // benchmark's baseline).
        bool ruleInputs = true;
    };

    struct Progress
    {
        qint64 done = 0;    // leads scored
        qint64 total = 0;   // leads to score: estimated from rowids at the start, exact at the end
        qint64 changed = 0; // leads whose stored score changed
        // Where the time went (ms, summed over pages): reading and scoring, writing, committing.
        qint64 readMs = 0;
        qint64 writeMs = 0;
        qint64 commitMs = 0;
        qint64 cpuMs = 0;       // CPU time of the thread that ran the pages (the writer)
        int pagesReadAhead = 0; // pages read on the second connection and used
        qint64 indexMs = 0;     // building the score index again at the end (rebuildSortIndexFrom)
        qint64 rowsInKeyRange = 0; // score rows written by a walk of their key range
        qint64 inputsMs = 0;       // filling the rule inputs' copy after the pages (ruleInputs)
        qint64 inputsCopied = 0;   // leads copied into it
        qint64 inputsTotal = 0;    // leads to copy (by rowid), while it is filled
        bool fromInputs = false;   // the pages read the copy, not the leads rows
    };

    LeadRescorer(QString businessId, std::shared_ptr<const ScoringRules> rules, Options options);
    ~LeadRescorer();
    Q_DISABLE_COPY_MOVE(LeadRescorer)

    // Rescores the next page in its own transaction; false once every lead has been seen.
    Result<bool> rescorePage(Database &db);
    // Ends the rescore before its last page (restores the connection's settings).
    void stop(Database &db);
    [[nodiscard]] const Progress &progress() const { return m_progress; }

    // A passive WAL checkpoint through a connection of its own, for any thread: copies what the
    // rescore wrote into the store while the writer carries on.
    static Result<void> checkpoint(const QString &storePath);

    // Every page in a row; `progress` is called after each.
    static Result<Progress> rescoreAll(Database &db, const QString &businessId,
                                       std::shared_ptr<const ScoringRules> rules, Options options,
                                       const std::function<void(const Progress &)> &progress = {});
    // The same with the system clock's now. Returns the number of leads rescored.
    static Result<qint64> rescoreAll(Database &db, const QString &businessId,
                                     const ScoringRules &rules,
                                     const std::function<void(qint64, qint64)> &progress = {},
                                     Stamp stamp = Stamp::AsChange);

    // Runs the rescore on the store's writer, one standalone job per page, each queued behind
    // whatever was queued meanwhile, so edits and new leads interleave between pages. `onPage`
    // runs on the writer thread after each page has committed; returning false stops the
    // rescore there (the pages done stay done). The future finishes with the final progress.
    static QFuture<Result<Progress>> runOnWriter(StoreWriter &writer,
                                                 std::shared_ptr<LeadRescorer> rescorer,
                                                 std::function<bool(const Progress &)> onPage = {});

private:
    struct Page;
    class ReadAhead;
    QByteArray selectSql(bool fromInputs) const;
    Result<void> count(Database &db);
    Result<void> tune(Database &db);
    // Reads the rule inputs' copy when it holds what the rules read; else, for a whole-store
    // rescore, plans to fill one after the pages.
    Result<void> chooseSource(sqlite3 *db);
    // The read-ahead connection and the prefetch of the tables the pages read.
    void startReading(Database &db);
    [[nodiscard]] bool storeIsFile(Database &db) const;
    // The read-ahead and prefetch let go, and the score index built again if it was dropped.
    void endPages(sqlite3 *db);
    void restore(Database &db);
    static Result<void> dropSortIndex(sqlite3 *db);
    // The first page's drop of the score index, made while the page is read: whether it was
    // made (a bulk rescore whose index is still there), then kept or undone once the page shows
    // whether it changes anything.
    Result<bool> dropSortIndexAhead(sqlite3 *db);
    Result<void> settleDropAhead(sqlite3 *db, const Page &page);
    static Result<void> buildSortIndex(sqlite3 *db);
    // The page of leads after `afterRowId`, read through `handle` and scored. Touches no state
    // that changes, so the read-ahead thread runs it too.
    Result<void> readAndScore(sqlite3 *handle, qint64 afterRowId, Page &page) const;
    Result<void> write(Database &db, const Page &page);

    QString m_businessId;
    QByteArray m_businessIdUtf8;
    std::shared_ptr<const ScoringRules> m_rules;
    Options m_options;
    QByteArray m_selectSql;
    qint64 m_lastRowId = 0;
    bool m_counted = false;
    bool m_reading = false; // startReading() ran
    // The rule inputs' copy, filled after the pages when the rules read something it lacks.
    std::unique_ptr<RuleInputsFill> m_fill;
    bool m_pagesDone = false; // every lead scored; a fill of the rule inputs' copy may follow
    bool m_finished = false;
    bool m_tuned = false;
    bool m_dropSortIndex = false;          // a bulk rescore (Options::rebuildSortIndexFrom)
    bool m_sortIndexDroppedInPage = false; // by the page being written, not committed yet
    bool m_sortIndexDropped = false;       // committed: restore() builds it again
    qint64 m_savedCacheSize = 0;
    int m_savedAutocheckpoint = 0;
    std::unique_ptr<ReadAhead> m_readAhead;
    std::unique_ptr<TablePrefetcher>
        m_prefetch; // a whole-store rescore's tables, into the OS cache
    std::unique_ptr<LeadScoreWriter> m_scoreWriter; // made by the first page that writes
    qint64 m_readAheadAfter = -1; // the rowid the page asked of m_readAhead starts after
    // What says whether the store changed between pages other than by this rescore: the writer
    // connection's change count after its last commit, and the store's data version (which
    // moves when another connection commits) at the start of the last page.
    qint64 m_changesAfterCommit = -1;
    qint64 m_versionAtStart = -1;
    Progress m_progress;
};

} // namespace LeadDesk::Core
