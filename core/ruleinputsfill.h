#pragma once

#include "result.h"
#include "ruleinputstable.h"

#include <QtGlobal>

#include <memory>

namespace LeadDesk::Core {

class Database;
class TablePrefetcher;

// One fill of the rule inputs' copy (RuleInputsTable) from the leads, in slices of 50,000 leads,
// each in a transaction of its own, so that a writer running it lets other jobs in between. The
// first slice makes the empty copy and its triggers, which copy every lead stored or changed from
// then on; the slices copy the leads that were there.
class RuleInputsFill final
{
public:
    static constexpr qint64 kSliceRows = 50'000;

    explicit RuleInputsFill(RuleInputsTable::Layout layout, qint64 sliceRows = kSliceRows);
    ~RuleInputsFill();
    Q_DISABLE_COPY_MOVE(RuleInputsFill)

    // Copies the next slice. `prefetch`: ask the OS for the lead table's pages ahead (a store
    // file, not an in-memory one).
    Result<void> nextSlice(Database &db, bool prefetch);
    [[nodiscard]] bool isDone() const { return m_done; }
    [[nodiscard]] qint64 copied() const { return m_copied; }
    [[nodiscard]] qint64 total() const { return m_end; } // by rowid, once the first slice ran
    [[nodiscard]] qint64 elapsedMs() const { return m_ms; }

private:
    RuleInputsTable::Layout m_layout;
    qint64 m_sliceRows;
    bool m_begun = false;
    bool m_done = false;
    qint64 m_fillId = 0;
    qint64 m_after = 0;
    qint64 m_end = 0;
    qint64 m_copied = 0;
    qint64 m_ms = 0;
    std::unique_ptr<TablePrefetcher> m_prefetch;
};

} // namespace LeadDesk::Core
