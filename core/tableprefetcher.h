#pragma once

#include "result.h"

#include <QByteArray>

#include <atomic>
#include <initializer_list>
#include <memory>
#include <thread>
#include <vector>

struct sqlite3;

namespace LeadDesk::Core {

// Asks the OS to bring whole tables into its page cache ahead of a scan that is about to read
// them. SQLite reads one page at a time and waits for each; on a store the cache does not hold,
// whose leaf pages lie scattered over the file, that is one disk round trip per page: the lead
// table of the 1,000,000-lead demo store is 275,000 pages in 273,000 separate places, 25 s to
// scan cold. Its leaf pages are found from the b-tree's interior pages, read straight from the
// file (SQLite's documented file format), and asked for all at once with posix_fadvise(), which
// the kernel serves many at a time: 4 s for the same pages. Only a hint: SQLite still reads every
// page itself, from the WAL where it has a newer copy, so nothing here can change a result.
class TablePrefetcher final
{
public:
    // The leaf pages, in key order, of the b-tree whose root is `rootPage` in the SQLite file
    // open as `fd`; a table's or an index's (WITHOUT ROWID tables are index b-trees).
    static Result<std::vector<quint32>> leafPages(int fd, quint32 rootPage);

    // Starts asking, on a thread of its own, for the leaf pages of the b-trees rooted at
    // `wholeFirst`, all of them at once, then for those of the b-trees rooted at `inStep`, side
    // by side in step (a scan that joins them reads them at the same pace). A tree that is
    // wanted whole at the start (an index dropped before the scan: SQLite reads every page it
    // frees) goes first. The destructor stops it.
    TablePrefetcher(QByteArray path, std::vector<quint32> inStep,
                    std::vector<quint32> wholeFirst = {});
    // The same for the tables and indexes named, in the file behind the connection `db`; null
    // for a store without a file (in memory) or none of the names found.
    static std::unique_ptr<TablePrefetcher>
    forTrees(sqlite3 *db, std::initializer_list<const char *> inStep,
             std::initializer_list<const char *> wholeFirst = {});
    ~TablePrefetcher();
    Q_DISABLE_COPY_MOVE(TablePrefetcher)

    // Pages seen to so far: asked for, or found in the OS cache already.
    [[nodiscard]] qint64 pagesRequested() const { return m_requested.load(); }
    // Of those, the ones found in the OS cache (not asked for again).
    [[nodiscard]] qint64 pagesAlreadyCached() const { return m_alreadyCached.load(); }
    // Whether it has seen to every page (or given up).
    [[nodiscard]] bool isDone() const { return m_done.load(); }

private:
    void run();

    QByteArray m_path;
    std::vector<quint32> m_inStep;
    std::vector<quint32> m_wholeFirst;
    std::atomic<bool> m_stopping{false};
    std::atomic<qint64> m_requested{0};
    std::atomic<qint64> m_alreadyCached{0};
    std::atomic<bool> m_done{false};
    std::thread m_thread;
};

} // namespace LeadDesk::Core
