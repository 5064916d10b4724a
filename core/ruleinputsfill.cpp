#include "ruleinputsfill.h"

#include "database.h"
#include "sqlitestatement.h"
#include "tableprefetcher.h"

#include <QElapsedTimer>

#include <sqlite3.h>

#include <algorithm>

namespace LeadDesk::Core {

RuleInputsFill::RuleInputsFill(RuleInputsTable::Layout layout, qint64 sliceRows)
    : m_layout(std::move(layout))
    , m_sliceRows(std::max<qint64>(1, sliceRows))
{}

RuleInputsFill::~RuleInputsFill() = default;

Result<void> RuleInputsFill::nextSlice(Database &db, bool prefetch)
{
    if (m_done)
        return {};
    auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
    QElapsedTimer timer;
    timer.start();
    Transaction transaction(db);
    if (!transaction.isOpen())
        return std::unexpected(transaction.error());
    qint64 fillId = m_fillId;
    qint64 end = m_end;
    if (!m_begun) {
        auto begun = RuleInputsTable::begin(handle, m_layout);
        if (!begun)
            return std::unexpected(begun.error());
        fillId = *begun;
        // Every lead there now; the triggers, made in this transaction, copy the later ones.
        SqliteStatement last(handle, "SELECT max(rowid) FROM leads");
        if (auto row = last.step(); !row)
            return std::unexpected(row.error());
        end = last.columnInt(0);
        // Read in rowid order from the first lead to the last: ask for the pages ahead.
        if (prefetch)
            m_prefetch = TablePrefetcher::forTrees(handle, {"leads"});
    }
    const qint64 upTo = std::min(end, m_after + m_sliceRows);
    auto copied = RuleInputsTable::fill(handle, m_layout, fillId, m_after, upTo);
    if (!copied)
        return std::unexpected(copied.error());
    const bool last = upTo >= end;
    if (last) {
        if (auto ok = RuleInputsTable::finish(handle, fillId); !ok)
            return ok;
    }
    if (auto ok = transaction.commit(); !ok)
        return ok;
    m_begun = true;
    m_fillId = fillId;
    m_end = end;
    m_after = upTo;
    m_copied += *copied;
    m_ms += timer.elapsed();
    m_done = last;
    if (last)
        m_prefetch.reset();
    return {};
}

} // namespace LeadDesk::Core
