#include "leadrescorer.h"

#include "leadrescorerpage.h"
#include "leadrescorerreadahead.h"

#include "clock.h"
#include "leadscorewriter.h"
#include "ruleinputsfill.h"
#include "ruleinputstable.h"
#include "scopedpragma.h"
#include "scorebreakdowns.h"
#include "scorerollupdeltas.h"
#include "scorerowcursor.h"
#include "scoretable.h"
#include "sqlitestatement.h"
#include "tableprefetcher.h"

#include <QElapsedTimer>
#include <QPromise>

#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <time.h>

namespace LeadDesk::Core {

namespace {

// Rows handed to a scoring thread at a time: small enough that scoring keeps pace with reading.
constexpr int kChunkRows = 1024;

// The texts a page keeps per lead before the rules' own columns: the stored score's texts (from
// lead_scores), then the lead's id and where it sits in the analytics rollups
// (ScoreRollupDeltas::LeadKey), read from leads in this order.
enum Text {
    OldGrade,
    OldQualification,
    LeadId,
    Channel,
    Assignee,
    CampaignId,
    SourceKey,
    UtmContent,
    kFixedTexts
};
// The select's integer columns before its texts: rowid, created_at.
constexpr int kFirstText = 2;
// The select's texts: from LeadId on.
constexpr int kLeadTexts = kFixedTexts - LeadId;

} // namespace

LeadRescorer::LeadRescorer(QString businessId, std::shared_ptr<const ScoringRules> rules,
                           Options options)
    : m_businessId(std::move(businessId))
    , m_businessIdUtf8(m_businessId.toUtf8())
    , m_rules(std::move(rules))
    , m_options(options)
    , m_lastRowId(options.afterRowId)
{
    m_selectSql = selectSql(false);
}

QByteArray LeadRescorer::selectSql(bool fromInputs) const
{
    // What the rules read, what tells whether the stored score changed, and the lead's place in
    // the rollups (the rescore writes their differences itself).
    // The stored scores are not joined: ScoreRowCursor walks lead_scores beside this select.
    // The texts come as stored: a NULL reads as '', and the source key falls back to the channel
    // in the reading loop (each SQL function was an instruction more per row).
    QByteArray sql = "SELECT leads.rowid, leads.created_at, leads.id, leads.channel, "
                     "leads.assigned_to, leads.campaign_id, leads.source_label, leads.utm_content";
    if (m_rules->hasDecay())
        sql += ", max(leads.created_at, coalesce(leads.last_inbound_at, 0), "
               "coalesce(leads.last_outbound_at, 0))";
    for (const QByteArray &column : m_rules->storedColumns())
        sql += ", " + column;
    // The copy has the leads' column names and their rowids, so the expressions read it as they
    // read the leads. NOT INDEXED: walk the leads in rowid order. Left to itself the planner
    // picks an index on business_id and sorts every remaining lead for each page.
    sql += fromInputs ? " FROM lead_rule_inputs AS leads " : " FROM leads NOT INDEXED ";
    sql += "WHERE leads.rowid > ?1 AND leads.business_id = ?2 AND leads.deleted = 0 ";
    // Chatbot leads keep their score: the chatbot's behaviour model made it, and the lead model
    // would overwrite it with one about fields a chat rarely fills.
    if (m_options.skipChatbot)
        sql += "AND leads.channel <> 'chatbot' ";
    sql += "ORDER BY leads.rowid LIMIT ?3";
    return sql;
}

Result<void> LeadRescorer::count(Database &db)
{
    // An estimate from rowids, exact for a store of one business without deleted leads. A COUNT
    // walks a whole index (seconds on a cold million-lead store); the progress bar needs less.
    auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
    SqliteStatement last(handle, "SELECT max(rowid) FROM leads");
    if (auto row = last.step(); !row || !*row)
        return std::unexpected(sqliteError(handle, QStringLiteral("counting leads")));
    m_progress.total = std::max<qint64>(0, last.columnInt(0) - m_options.afterRowId);
    m_counted = true;
    return {};
}

namespace {

void scoreChunk(const ScoringRules &rules, ScoringRules::Scratch &scratch,
                LeadRescorer::Options options, bool decay, int columns,
                const ScoreRollupDeltas &emptyDeltas, const ScoreBreakdowns::Texts &breakdowns,
                std::vector<std::string_view> &views, auto &chunk)
{
    chunk.deltas = emptyDeltas.emptyLike();
    const std::size_t rows = chunk.rowIds.size();
    const std::size_t stride = std::size_t(kFixedTexts + columns);
    chunk.changed.assign(rows, 0);
    chunk.scores.resize(rows);
    chunk.grades.resize(rows);
    chunk.qualifications.resize(rows);
    chunk.breakdowns.resize(rows);
    const auto view = [&chunk](const auto &span) {
        return std::string_view(chunk.text.data() + span.offset, span.size);
    };
    const auto utf8 = [](const QByteArray *text) {
        return std::string_view(text->constData(), std::size_t(text->size()));
    };
    StoredScore score;
    for (std::size_t r = 0; r < rows; ++r) {
        const auto *spans = chunk.spans.data() + r * stride;
        for (int c = 0; c < columns; ++c)
            views[std::size_t(c)] = view(spans[kFixedTexts + c]);
        const ScoreTime time
            = decay ? ScoreTime{options.nowMs, chunk.lastActivity[r]} : ScoreTime{};
        rules.scoreStored(views, time, scratch, score);
        // A lead without a score row gets one even when the defaults are its score: the list's
        // score sort reads lead_scores.
        // An id the page's copy of the dictionary lacks (added since) counts as a change.
        const auto oldBreakdown = breakdowns.find(chunk.oldBreakdownIds[r]);
        const bool changed = !chunk.scored[r] || score.score != chunk.oldScores[r]
                             || view(spans[OldGrade]) != utf8(score.grade)
                             || view(spans[OldQualification]) != utf8(score.qualification)
                             || oldBreakdown == breakdowns.end()
                             || oldBreakdown->second != score.breakdown;
        chunk.changed[r] = changed;
        if (!changed)
            continue;
        chunk.scores[r] = score.score;
        chunk.grades[r] = score.grade;
        chunk.qualifications[r] = score.qualification;
        chunk.breakdowns[r]
            = {quint32(chunk.breakdownText.size()), quint32(score.breakdown.size())};
        chunk.breakdownText += score.breakdown;

        ScoreRollupDeltas::LeadKey key;
        key.createdAtMs = chunk.createdAt[r];
        key.channel = view(spans[Channel]);
        key.assignee = view(spans[Assignee]);
        key.hasCampaign = chunk.hasCampaign[r];
        key.campaignId = view(spans[CampaignId]);
        key.sourceKey = view(spans[SourceKey]);
        key.utmContent = view(spans[UtmContent]);
        chunk.deltas.add(key,
                         {chunk.oldScores[r], view(spans[OldGrade]), view(spans[OldQualification])},
                         {score.score, utf8(score.grade), utf8(score.qualification)});
    }
}

// Takes published chunks and scores them until the page has been read and every chunk taken.
template<typename Page>
void scoreWhileReading(Page &page, const ScoringRules &rules, LeadRescorer::Options options,
                       bool decay)
{
    const auto scratch = rules.newScratch();
    std::vector<std::string_view> views(std::size_t(page.columns));
    for (;;) {
        typename Page::Chunk *chunk = nullptr;
        {
            // The chunk list grows while this runs: take the chunk's address under the lock.
            std::unique_lock lock(page.mutex);
            page.wake.wait(lock,
                           [&page] { return page.claimed < page.published || page.readDone; });
            if (page.claimed == page.published)
                return; // read to the end and nothing left
            chunk = page.chunks[page.claimed++].get();
        }
        scoreChunk(rules, *scratch, options, decay, page.columns, page.emptyDeltas, page.breakdowns,
                   views, *chunk);
    }
}

} // namespace

Result<void> LeadRescorer::readAndScore(sqlite3 *handle, qint64 afterRowId, Page &page) const
{
    SqliteStatement select(handle, m_selectSql.constData());
    if (!select.isValid())
        return std::unexpected(sqliteError(handle, QStringLiteral("reading leads")));
    // Stepped and read through the C API: a million rows, twenty columns each.
    sqlite3_stmt *stmt = select.handle();
    sqlite3_bind_int64(stmt, 1, afterRowId);
    sqlite3_bind_text(stmt, 2, m_businessIdUtf8.constData(), int(m_businessIdUtf8.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int(stmt, 3, m_options.pageSize);
    // In the page's snapshot, before any thread scores.
    if (auto ok = page.emptyDeltas.load(handle, m_businessIdUtf8); !ok)
        return ok;
    auto breakdowns = ScoreBreakdowns::all(handle);
    if (!breakdowns)
        return std::unexpected(breakdowns.error());
    page.breakdowns = std::move(*breakdowns);

    const bool decay = m_rules->hasDecay();
    page.columns = int(m_rules->storedColumns().size());
    const int decayColumn = kFirstText + kLeadTexts;
    const int firstColumn = decayColumn + (decay ? 1 : 0);
    const std::size_t stride = std::size_t(kFixedTexts + page.columns);

    // Scoring threads start on the first chunk while the rest is still being read.
    const int workers = m_options.workers >= 0
                            ? m_options.workers
                            : std::max(1, int(std::thread::hardware_concurrency())) - 1;
    std::vector<std::thread> threads;
    for (int i = 0; i < workers; ++i) {
        threads.emplace_back(
            [&page, this, decay] { scoreWhileReading(page, *m_rules, m_options, decay); });
    }
    const auto publish = [&page](std::unique_ptr<Page::Chunk> chunk) {
        {
            std::lock_guard lock(page.mutex);
            page.chunks.push_back(std::move(chunk));
            ++page.published;
        }
        page.wake.notify_all();
    };
    const auto finishReading = [&page, &threads, this, decay] {
        {
            std::lock_guard lock(page.mutex);
            page.readDone = true;
        }
        page.wake.notify_all();
        scoreWhileReading(page, *m_rules, m_options, decay); // help with what is left
        for (std::thread &thread : threads)
            thread.join();
    };

    ScoreRowCursor scores(handle);
    std::optional<Error> scoreError;
    auto chunk = std::make_unique<Page::Chunk>();
    const auto appendText = [&chunk](std::string_view text) {
        chunk->spans.push_back({quint32(chunk->text.size()), quint32(text.size())});
        chunk->text.append(text);
    };
    static constexpr std::string_view kDefaultGrade = "D", kDefaultQualification = "unqualified";
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const std::string_view leadId = select.columnView(kFirstText);
        auto stored = scores.find(leadId);
        if (!stored) {
            scoreError = stored.error();
            break;
        }
        const ScoreRowCursor::Row *row = *stored;
        chunk->rowIds.push_back(sqlite3_column_int64(stmt, 0));
        chunk->createdAt.push_back(sqlite3_column_int64(stmt, 1));
        chunk->hasCampaign.push_back(
            char(sqlite3_column_type(stmt, kFirstText + CampaignId - LeadId) != SQLITE_NULL));
        chunk->scored.push_back(char(row != nullptr));
        chunk->oldScores.push_back(row ? row->score : 0);
        chunk->oldBreakdownIds.push_back(row ? row->breakdownId : ScoreBreakdowns::kEmptyId);
        if (decay)
            chunk->lastActivity.push_back(sqlite3_column_int64(stmt, decayColumn));
        appendText(row ? row->grade : kDefaultGrade);
        appendText(row ? row->qualification : kDefaultQualification);
        appendText(leadId);
        const std::string_view channel = select.columnView(kFirstText + Channel - LeadId);
        appendText(channel);
        appendText(select.columnView(kFirstText + Assignee - LeadId));
        appendText(select.columnView(kFirstText + CampaignId - LeadId));
        const std::string_view sourceLabel = select.columnView(kFirstText + SourceKey - LeadId);
        appendText(sourceLabel.empty() ? channel : sourceLabel); // the rollups' source key
        appendText(select.columnView(kFirstText + UtmContent - LeadId));
        for (int c = 0; c < page.columns; ++c)
            appendText(select.columnView(firstColumn + c));
        ++page.rows;
        if (chunk->rowIds.size() == std::size_t(kChunkRows)) {
            // The next chunk holds about as much text as this one did.
            const std::size_t textSize = chunk->text.size();
            publish(std::move(chunk));
            chunk = std::make_unique<Page::Chunk>();
            chunk->spans.reserve(kChunkRows * stride);
            chunk->text.reserve(textSize + textSize / 8);
        }
    }
    if (!chunk->rowIds.empty())
        publish(std::move(chunk));
    finishReading();
    if (scoreError)
        return std::unexpected(
            Error{QStringLiteral("reading score rows: %1").arg(scoreError->message), {}});
    if (rc != SQLITE_DONE)
        return std::unexpected(sqliteError(handle, QStringLiteral("reading leads")));
    return {};
}

LeadRescorer::~LeadRescorer() = default;

namespace {

qint64 threadCpuMs()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000;
}

} // namespace

Result<void> LeadRescorer::write(Database &db, const Page &page)
{
    auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
    std::vector<LeadScoreWriter::Row> rows;
    for (const auto &chunk : page.chunks) {
        const std::size_t stride = std::size_t(kFixedTexts + page.columns);
        for (std::size_t r = 0; r < chunk->rowIds.size(); ++r) {
            if (!chunk->changed[r])
                continue;
            const Page::Span &id = chunk->spans[r * stride + LeadId];
            const Page::Span &breakdown = chunk->breakdowns[r];
            const QByteArray &grade = *chunk->grades[r];
            const QByteArray &qualification = *chunk->qualifications[r];
            rows.push_back({
                .leadId = {chunk->text.data() + id.offset, id.size},
                .score = chunk->scores[r],
                .grade = {grade.constData(), std::size_t(grade.size())},
                .qualification = {qualification.constData(), std::size_t(qualification.size())},
                .breakdown = {chunk->breakdownText.data() + breakdown.offset, breakdown.size},
                .createdAtMs = chunk->createdAt[r],
                .exists = bool(chunk->scored[r]),
            });
        }
    }
    if (rows.empty())
        return {};
    // Debian's SQLite zeroes every freed page and cell (secure_delete): the score rows hold
    // nothing that outlives them. FAST zeroes what is written anyway.
    const ScopedPragma secureDelete(handle, "secure_delete", "FAST");
    if (m_dropSortIndex && !m_sortIndexDropped && !m_sortIndexDroppedInPage) {
        if (auto ok = dropSortIndex(handle); !ok)
            return ok;
        m_sortIndexDroppedInPage = true;
    }
    if (!m_scoreWriter) {
        m_scoreWriter = std::make_unique<LeadScoreWriter>(
            m_businessIdUtf8,
            LeadScoreWriter::Stamping{m_options.stamp == Stamp::AsChange, m_options.nowMs});
    }
    // The score triggers are off while the rows go in; the rollups' differences, summed by the
    // scoring threads, are written once for the page.
    const auto written = m_scoreWriter->write(handle, rows);
    if (!written)
        return std::unexpected(written.error());
    m_progress.rowsInKeyRange += written->rowsInKeyRange;
    ScoreRollupDeltas deltas = page.emptyDeltas.emptyLike();
    for (const auto &chunk : page.chunks)
        deltas.merge(chunk->deltas);
    if (auto ok = deltas.apply(handle); !ok)
        return ok;
    m_progress.changed += qint64(rows.size());
    return {};
}

Result<void> LeadRescorer::tune(Database &db)
{
    // The score index goes with the first page that changes a score (write()).
    m_dropSortIndex = m_options.rebuildSortIndexFrom > 0 && m_options.afterRowId == 0
                      && m_progress.total >= m_options.rebuildSortIndexFrom;
    if (m_options.cacheMiB <= 0)
        return {};
    auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
    m_savedCacheSize = ScopedPragma::value(handle, "PRAGMA cache_size");
    m_savedAutocheckpoint = int(ScopedPragma::value(handle, "PRAGMA wal_autocheckpoint"));
    const int cacheMiB = m_dropSortIndex ? m_options.walkingCacheMiB : m_options.cacheMiB;
    const QByteArray cache = "PRAGMA cache_size = -" + QByteArray::number(qint64(cacheMiB) * 1024);
    if (sqlite3_exec(handle, cache.constData(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail(QStringLiteral("setting the page cache: %1")
                        .arg(QString::fromUtf8(sqlite3_errmsg(handle))));
    sqlite3_wal_autocheckpoint(handle, 0);
    m_tuned = true;
    return {};
}

Result<void> LeadRescorer::dropSortIndex(sqlite3 *db)
{
    // Debian's SQLite zeroes every freed page (secure_delete): 76 MiB more of WAL for the index
    // of a million leads, which holds nothing that outlives it.
    const ScopedPragma secureDelete(db, "secure_delete", "FAST");
    // In the page's transaction: gone only if the page commits.
    if (sqlite3_exec(db, "DROP INDEX IF EXISTS idx_lead_scores_sort", nullptr, nullptr, nullptr)
        != SQLITE_OK)
        return fail(QStringLiteral("dropping the score index: %1")
                        .arg(QString::fromUtf8(sqlite3_errmsg(db))));
    return {};
}

Result<bool> LeadRescorer::dropSortIndexAhead(sqlite3 *db)
{
    // Freeing the index reads every page of it, which overlaps the first page's read this way.
    // Under a savepoint, so that settleDropAhead() can undo it.
    if (!m_dropSortIndex || m_sortIndexDropped)
        return false;
    if (sqlite3_exec(db, "SAVEPOINT drop_ahead", nullptr, nullptr, nullptr) != SQLITE_OK)
        return std::unexpected(sqliteError(db, QStringLiteral("savepoint")));
    if (auto ok = dropSortIndex(db); !ok)
        return std::unexpected(ok.error());
    return true;
}

Result<void> LeadRescorer::settleDropAhead(sqlite3 *db, const Page &page)
{
    // A page that changes nothing puts the index back: a rescore that changes nothing keeps it.
    const bool changes = std::ranges::any_of(page.chunks, [](const auto &chunk) {
        return std::ranges::find(chunk->changed, 1) != chunk->changed.end();
    });
    if (!changes
        && sqlite3_exec(db, "ROLLBACK TO drop_ahead", nullptr, nullptr, nullptr) != SQLITE_OK)
        return std::unexpected(sqliteError(db, QStringLiteral("savepoint")));
    if (sqlite3_exec(db, "RELEASE drop_ahead", nullptr, nullptr, nullptr) != SQLITE_OK)
        return std::unexpected(sqliteError(db, QStringLiteral("savepoint")));
    m_sortIndexDroppedInPage = changes;
    return {};
}

Result<void> LeadRescorer::buildSortIndex(sqlite3 *db)
{
    // SQLite's sorter sorts in memory pieces of the page cache's size, on helper threads when
    // there are several; pieces of a few MiB build a million entries in half the time one large
    // piece takes, and in a third on two cores (bench_rescore).
    const ScopedPragma smallCache(db, "cache_size", "-4096");
    const ScopedPragma sortThreads(
        db, "threads", QByteArray::number(std::max(1, int(std::thread::hardware_concurrency()))));
    const int rc = sqlite3_exec(db, ScoreTable::kSortIndexSql, nullptr, nullptr, nullptr);
    const QString error = rc == SQLITE_OK ? QString() : QString::fromUtf8(sqlite3_errmsg(db));
    if (rc != SQLITE_OK)
        return fail(error);
    return {};
}

void LeadRescorer::endPages(sqlite3 *db)
{
    m_prefetch.reset();
    m_readAhead.reset();
    m_readAheadAfter = -1;
    if (m_sortIndexDropped) {
        // Failing here leaves the list's score sort slower, not wrong; the next open of the store
        // tries again.
        m_sortIndexDropped = false;
        QElapsedTimer timer;
        timer.start();
        if (auto ok = buildSortIndex(db); !ok)
            qCWarning(lcStore) << "building the score index again:" << ok.error().toString();
        m_progress.indexMs = timer.elapsed();
    }
}

void LeadRescorer::restore(Database &db)
{
    auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
    endPages(handle);
    if (!m_tuned)
        return;
    m_tuned = false;
    const QByteArray cache = "PRAGMA cache_size = " + QByteArray::number(m_savedCacheSize);
    (void)sqlite3_exec(handle, cache.constData(), nullptr, nullptr, nullptr);
    sqlite3_wal_autocheckpoint(handle, m_savedAutocheckpoint);
}

void LeadRescorer::stop(Database &db)
{
    m_finished = true;
    restore(db);
}

Result<void> LeadRescorer::checkpoint(const QString &storePath)
{
    sqlite3 *db = nullptr;
    const QByteArray path = storePath.toUtf8();
    int rc = sqlite3_open_v2(path.constData(), &db, SQLITE_OPEN_READWRITE, nullptr);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 5000);
        // Through the pragma, which reads the schema first: a connection that has read nothing
        // has not opened the WAL yet, and sqlite3_wal_checkpoint_v2() would do nothing.
        rc = sqlite3_exec(db, "PRAGMA wal_checkpoint(PASSIVE)", nullptr, nullptr, nullptr);
    }
    const QString error = rc == SQLITE_OK ? QString() : QString::fromUtf8(sqlite3_errmsg(db));
    sqlite3_close(db);
    if (rc != SQLITE_OK)
        return fail(QStringLiteral("checkpointing %1: %2").arg(storePath, error));
    return {};
}

bool LeadRescorer::storeIsFile(Database &db) const
{
    const QString path = db.path();
    return !path.isEmpty() && !path.startsWith(u':');
}

Result<void> LeadRescorer::chooseSource(sqlite3 *db)
{
    if (!m_options.ruleInputs)
        return {};
    const auto needed = RuleInputsTable::Layout::forRules(*m_rules);
    auto current = RuleInputsTable::current(db);
    if (!current)
        return std::unexpected(current.error());
    if (*current && (*current)->covers(needed)) {
        m_progress.fromInputs = true;
        m_selectSql = selectSql(true);
        return {};
    }
    // Only a rescore that reads every lead anyway fills a copy, after its pages (which read the
    // rows, as fast as before), so that the scores are in first; the leads of one import are
    // read from their rows.
    if (m_options.afterRowId == 0)
        m_fill = std::make_unique<RuleInputsFill>(needed);
    return {};
}

void LeadRescorer::startReading(Database &db)
{
    m_reading = true;
    if (!m_options.readAhead || !storeIsFile(db))
        return;
    auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
    m_readAhead = std::make_unique<ReadAhead>(*this, db.path().toUtf8());
    if (m_options.afterRowId != 0)
        return;
    // The leads (or their copy) and their score rows are read from the first to the last: on a
    // store the OS does not hold in its cache, asking for all their pages at once is several
    // times faster than SQLite's reads one after the other (bench_rescore, cold: 25.5 s
    // without, 10.9 s).
    // What every page needs whole is asked for first, before the disk's queue fills with the
    // tables (a page read behind it waits tens of milliseconds): the rollups, which each page's
    // sums update all over (3 s cold otherwise), and the score index when it is dropped, which
    // the first page frees and freeing reads (4 s cold).
    const char *leads = m_progress.fromInputs ? RuleInputsTable::kTable : "leads";
    m_prefetch
        = m_dropSortIndex
              ? TablePrefetcher::forTrees(
                  handle, {leads, "lead_scores"},
                  {"analytics_leads_daily", "analytics_campaign_daily", "idx_lead_scores_sort"})
              : TablePrefetcher::forTrees(handle, {leads, "lead_scores"},
                                          {"analytics_leads_daily", "analytics_campaign_daily"});
}

Result<bool> LeadRescorer::rescorePage(Database &db)
{
    if (m_finished)
        return false;
    auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
    if (!handle)
        return fail(QStringLiteral("the store has no SQLite handle"));
    const qint64 cpuStart = threadCpuMs();
    if (!m_counted) {
        if (auto ok = count(db); !ok)
            return std::unexpected(ok.error());
        if (auto ok = tune(db); !ok)
            return std::unexpected(ok.error());
        if (auto ok = chooseSource(handle); !ok)
            return std::unexpected(ok.error());
    }
    // On any way out of this page that ends the rescore, the connection gets its settings back.
    struct Restore
    {
        LeadRescorer &rescorer;
        Database &db;
        bool ended = true;
        ~Restore()
        {
            if (ended)
                rescorer.restore(db);
        }
    } restoreOnExit{*this, db};

    if (m_pagesDone) {
        // The copy of what the rules read, in slices after the pages (chooseSource()).
        if (auto ok = m_fill->nextSlice(db, m_options.readAhead && storeIsFile(db)); !ok)
            return std::unexpected(ok.error());
        m_progress.inputsCopied = m_fill->copied();
        m_progress.inputsTotal = m_fill->total();
        m_progress.inputsMs = m_fill->elapsedMs();
        m_progress.cpuMs += threadCpuMs() - cpuStart;
        m_finished = m_fill->isDone();
        restoreOnExit.ended = m_finished;
        return !m_finished;
    }
    if (!m_reading)
        startReading(db);

    Transaction transaction(db);
    if (!transaction.isOpen())
        return std::unexpected(transaction.error());
    QElapsedTimer timer;
    timer.start();
    // The page read ahead is good only if nothing but this rescore has committed since the last
    // page began (this connection's change count and the store's data version say so), because
    // it was read then. Otherwise it is read again, now, inside this transaction.
    const qint64 version = ScopedPragma::value(handle, "PRAGMA data_version");
    const qint64 changes = sqlite3_total_changes64(handle);
    bool untouched = version == m_versionAtStart && changes == m_changesAfterCommit;
    m_versionAtStart = version;
    m_sortIndexDroppedInPage = false;
    // A page nobody read ahead (the first) is read by the read-ahead all the same, while this
    // thread drops the score index. This transaction holds the store's write lock, so the
    // read-ahead's snapshot is this transaction's.
    bool droppedAhead = false;
    if (m_readAhead && m_readAheadAfter != m_lastRowId) {
        m_readAhead->request(m_lastRowId);
        m_readAheadAfter = m_lastRowId;
        untouched = true;
        auto dropped = dropSortIndexAhead(handle);
        if (!dropped)
            return std::unexpected(dropped.error());
        droppedAhead = *dropped;
    }
    std::unique_ptr<Page> page;
    if (m_readAhead && m_readAheadAfter == m_lastRowId) {
        page = m_readAhead->take(m_lastRowId);
        if (!untouched)
            page.reset();
        else if (page)
            ++m_progress.pagesReadAhead;
    }
    if (!page) {
        page = std::make_unique<Page>();
        if (auto ok = readAndScore(handle, m_lastRowId, *page); !ok)
            return std::unexpected(ok.error());
    }
    if (droppedAhead) {
        if (auto ok = settleDropAhead(handle, *page); !ok)
            return std::unexpected(ok.error());
    }
    m_progress.readMs += timer.restart();
    const bool last = page->rows < m_options.pageSize;
    const qint64 pageEnd = page->chunks.empty() ? m_lastRowId : page->chunks.back()->rowIds.back();
    if (m_readAhead && !last) {
        m_readAhead->request(pageEnd);
        m_readAheadAfter = pageEnd;
    }

    const qint64 changedBefore = m_progress.changed;
    if (auto ok = write(db, *page); !ok) {
        m_progress.changed = changedBefore;
        return std::unexpected(ok.error());
    }
    m_progress.writeMs += timer.restart();
    if (auto ok = transaction.commit(); !ok) {
        m_progress.changed = changedBefore;
        return std::unexpected(ok.error());
    }
    m_progress.commitMs += timer.elapsed();
    m_sortIndexDropped = m_sortIndexDropped || m_sortIndexDroppedInPage;
    m_changesAfterCommit = sqlite3_total_changes64(handle);
    m_lastRowId = pageEnd;
    m_progress.done += page->rows;
    m_pagesDone = last;
    m_finished = last && !m_fill;
    m_progress.total = m_pagesDone ? m_progress.done : std::max(m_progress.total, m_progress.done);
    m_progress.cpuMs += threadCpuMs() - cpuStart;
    // The score index is built before any fill; the connection's settings, which spare the fill
    // the WAL's checkpoints too, go back at the end.
    if (m_pagesDone && !m_finished)
        endPages(handle);
    restoreOnExit.ended = m_finished;
    return !m_finished;
}

namespace {

// What the last progress report said. A last page that found nothing new is not news; a slice
// of the rule inputs' copy is.
struct ReportedProgress
{
    qint64 done = 0;
    qint64 copied = 0;

    bool isNews(const LeadRescorer::Progress &now)
    {
        const bool news = now.done != done || now.inputsCopied != copied;
        done = now.done;
        copied = now.inputsCopied;
        return news;
    }
};

} // namespace

Result<LeadRescorer::Progress>
LeadRescorer::rescoreAll(Database &db, const QString &businessId,
                         std::shared_ptr<const ScoringRules> rules, Options options,
                         const std::function<void(const Progress &)> &progress)
{
    LeadRescorer rescorer(businessId, std::move(rules), options);
    ReportedProgress reported;
    for (;;) {
        auto more = rescorer.rescorePage(db);
        if (!more)
            return std::unexpected(more.error());
        if (reported.isNews(rescorer.progress()) && progress)
            progress(rescorer.progress());
        if (!*more)
            return rescorer.progress();
    }
}

Result<qint64> LeadRescorer::rescoreAll(Database &db, const QString &businessId,
                                        const ScoringRules &rules,
                                        const std::function<void(qint64, qint64)> &progress,
                                        Stamp stamp)
{
    Options options;
    options.nowMs = Clock::system().nowMs();
    options.stamp = stamp;
    auto done = rescoreAll(db, businessId, std::make_shared<const ScoringRules>(rules), options,
                           [&progress](const Progress &p) {
                               if (progress)
                                   progress(p.done, p.total);
                           });
    if (!done)
        return std::unexpected(done.error());
    return done->done;
}

namespace {

// The pages of one rescore on the writer: each page's job queues the next, so jobs that arrived
// meanwhile run first. The queued job keeps the chain alive; the last one lets it go.
struct WriterChain : std::enable_shared_from_this<WriterChain>
{
    WriterChain(StoreWriter &w, std::shared_ptr<LeadRescorer> r,
                std::function<bool(const LeadRescorer::Progress &)> p)
        : writer(w)
        , rescorer(std::move(r))
        , onPage(std::move(p))
    {}

    void queuePage()
    {
        (void)writer.submitStandalone(
            [self = shared_from_this()](Database &db) { return self->runPage(db); });
    }

    Result<void> runPage(Database &db)
    {
        auto more = rescorer->rescorePage(db);
        if (!more) {
            finish(std::unexpected(more.error()));
            return std::unexpected(more.error());
        }
        const bool moved = reported.isNews(rescorer->progress());
        const bool carryOn = !onPage || !moved || onPage(rescorer->progress());
        if (*more && carryOn) {
            queuePage();
        } else {
            rescorer->stop(db);
            finish(rescorer->progress());
        }
        return {};
    }

    void finish(Result<LeadRescorer::Progress> outcome)
    {
        promise.addResult(std::move(outcome));
        promise.finish();
    }

    StoreWriter &writer;
    std::shared_ptr<LeadRescorer> rescorer;
    std::function<bool(const LeadRescorer::Progress &)> onPage;
    QPromise<Result<LeadRescorer::Progress>> promise;
    ReportedProgress reported;
};

} // namespace

QFuture<Result<LeadRescorer::Progress>>
LeadRescorer::runOnWriter(StoreWriter &writer, std::shared_ptr<LeadRescorer> rescorer,
                          std::function<bool(const Progress &)> onPage)
{
    auto chain = std::make_shared<WriterChain>(writer, std::move(rescorer), std::move(onPage));
    QFuture<Result<Progress>> future = chain->promise.future();
    chain->promise.start();
    chain->queuePage();
    return future;
}

} // namespace LeadDesk::Core
