#pragma once

#include "result.h"

#include <QByteArray>
#include <QStringList>

#include <optional>

struct sqlite3;

namespace LeadDesk::Core {

class ScoringRules;

// A narrow copy of what the scoring rules read of each lead, kept by triggers on `leads`, for the
// whole-store rescore. A lead row is about 1.2 KB (landing page, user agent, message, the whole
// details JSON); the shipped rules read a dozen short columns and three detail keys of it. On the
// million-lead demo store the copy is 248 MB against the lead table's 1.08 GB, and a rescore that
// finds the store cold reads a quarter of the pages.
//
// The copy, `lead_rule_inputs`, has the leads' own column names and the lead's rowid as its own,
// so the rescorer's select reads it in place of `leads` unchanged: the fixed columns every page
// needs (id, business, deleted, creation time, the rollup keys), the leads columns the rules
// name, and `details` cut to the keys the rules read. Its layout is recorded beside it; a
// whole-store rescore whose rules read something the copy lacks reads the lead rows and fills a
// new copy from them after its pages.
//
// It is derived data: current() vouches for it only when its fill finished and its triggers
// are in place, so a store whose leads table was rebuilt without them is filled again.
// A VACUUM may renumber leads' rowids (the app never runs one): drop() the copy after one.
class RuleInputsTable final
{
public:
    struct Layout
    {
        QStringList fields;     // leads columns besides the fixed ones, sorted
        QStringList detailKeys; // detail keys, sorted
        bool activity = false;  // last_inbound_at and last_outbound_at (score decay reads them)

        // What `rules`' lead model reads.
        static Layout forRules(const ScoringRules &rules);
        // Whether a copy of this layout holds everything `needed` reads.
        [[nodiscard]] bool covers(const Layout &needed) const;
        [[nodiscard]] QByteArray toJson() const;
        static std::optional<Layout> fromJson(const QByteArray &json);
        bool operator==(const Layout &) const = default;
    };

    static constexpr const char *kTable = "lead_rule_inputs";

    // The layout of the finished copy, if there is one the triggers keep current.
    static Result<std::optional<Layout>> current(sqlite3 *db);
    // Replaces any copy with an empty one of `layout` and its triggers, which copy every lead
    // stored or changed from now on; fill() copies the leads already there. In the caller's
    // transaction. Returns the fill's id, which fill() and finish() check: a fill another
    // rescore (another process) replaced meanwhile fails instead of finishing the other's copy.
    static Result<qint64> begin(sqlite3 *db, const Layout &layout);
    // Copies the leads whose rowid is in (afterRowId, upToRowId]; the number copied.
    static Result<qint64> fill(sqlite3 *db, const Layout &layout, qint64 fillId, qint64 afterRowId,
                               qint64 upToRowId);
    // Marks the copy complete: current() vouches for it from the commit on.
    static Result<void> finish(sqlite3 *db, qint64 fillId);
    // Removes the copy, its triggers and its layout.
    static Result<void> drop(sqlite3 *db);

    // The copy's columns for `layout`, in table order (the rowid, lead_rowid, first).
    static QStringList columns(const Layout &layout);
    // The SQL expression for `column` of the copy over the lead row `row` ("NEW", "leads").
    static QByteArray sourceExpression(const QString &column, const QByteArray &row);
    // The CREATE TRIGGER statements that keep a copy of `layout` current.
    static QList<QByteArray> triggersFor(const Layout &layout);
};

} // namespace LeadDesk::Core
