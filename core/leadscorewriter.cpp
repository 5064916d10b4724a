#include "leadscorewriter.h"

#include "ids.h"
#include "scorebreakdowns.h"
#include "sqlitestatement.h"

#include <QString>

#include <sqlite3.h>

#include <algorithm>
#include <vector>

namespace LeadDesk::Core {

namespace {

// The function the key-range UPDATE reads its values from; registered for one statement.
constexpr auto kFunction = "leaddesk_rescored";

// Turns the connection's triggers off for its lifetime. Changing the setting expires the
// connection's prepared statements, which SQLite prepares again on their next use.
class TriggersOff final
{
public:
    explicit TriggersOff(sqlite3 *db)
        : m_db(db)
    {
        sqlite3_db_config(m_db, SQLITE_DBCONFIG_ENABLE_TRIGGER, -1, &m_wasOn); // -1: only ask
        if (m_wasOn)
            sqlite3_db_config(m_db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 0, nullptr);
    }
    ~TriggersOff()
    {
        if (m_wasOn)
            sqlite3_db_config(m_db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, nullptr);
    }
    Q_DISABLE_COPY_MOVE(TriggersOff)

private:
    sqlite3 *m_db;
    int m_wasOn = 1;
};

// What the range UPDATE's function sees: the rows by ascending id and where the walk is.
struct Walk
{
    std::span<const LeadScoreWriter::Row> rows;
    LeadScoreWriter::Stamping stamping;
    std::size_t cursor = 0;

    // The row of `id`, or null when the walk passes a row of the table that is not one of ours.
    // Leaves `cursor` at the first row whose id is not below `id`.
    const LeadScoreWriter::Row *find(std::string_view id)
    {
        // The table's next row is nearly always ours at the cursor or just after it, or one of
        // the table's rows between two of ours (a lead whose score did not change): answered
        // by comparing with the neighbours, without a search.
        if (cursor < rows.size()) {
            const std::string_view here = rows[cursor].leadId;
            if (here == id)
                return &rows[cursor];
            // The next of ours: the first call for each row we write.
            if (cursor + 1 < rows.size() && rows[cursor + 1].leadId == id)
                return &rows[++cursor];
            if (id < here) {
                if (cursor == 0 || rows[cursor - 1].leadId < id)
                    return nullptr;
            } else if (cursor + 1 == rows.size() || id < rows[cursor + 1].leadId) {
                ++cursor;
                return nullptr;
            }
        }
        // The table's cursor moves forward, so the search does; a step back (SQLite is free to
        // evaluate the WHERE clause for every row before the SET expressions) searches all.
        const auto from = cursor < rows.size() && id < rows[cursor].leadId
                              ? rows.begin()
                              : rows.begin() + qsizetype(cursor);
        const auto it = std::lower_bound(
            from, rows.end(), id,
            [](const LeadScoreWriter::Row &row, std::string_view key) { return row.leadId < key; });
        cursor = std::size_t(it - rows.begin());
        return it != rows.end() && it->leadId == id ? &*it : nullptr;
    }
};

enum Field { Matches = -1, Score, Grade, Qualification, Breakdown, Hlc };

void rescored(sqlite3_context *context, int, sqlite3_value **arguments)
{
    auto *walk = static_cast<Walk *>(sqlite3_user_data(context));
    const auto *text = reinterpret_cast<const char *>(sqlite3_value_text(arguments[0]));
    const std::string_view id(text ? text : "", std::size_t(sqlite3_value_bytes(arguments[0])));
    const int field = sqlite3_value_int(arguments[1]);
    const LeadScoreWriter::Row *row = walk->find(id);
    if (field == Matches) {
        sqlite3_result_int(context, row != nullptr);
        return;
    }
    if (!row) {
        sqlite3_result_error(context, "a score row that is not being rescored", -1);
        return;
    }
    const auto resultText = [context](std::string_view value) {
        // The rows outlive the statement.
        sqlite3_result_text(context, value.data(), int(value.size()), SQLITE_STATIC);
    };
    switch (field) {
    case Score:
        sqlite3_result_int(context, row->score);
        return;
    case Grade:
        resultText(row->grade);
        return;
    case Qualification:
        resultText(row->qualification);
        return;
    case Breakdown:
        sqlite3_result_int64(context, row->breakdownId);
        return;
    case Hlc:
        sqlite3_result_int64(context, Ids::nextHlc(walk->stamping.nowMs));
        return;
    default:
        sqlite3_result_error(context, "unknown field", -1);
    }
}

} // namespace

LeadScoreWriter::LeadScoreWriter(QByteArray businessId, Stamping stamping)
    : m_businessId(std::move(businessId))
    , m_stamping(stamping)
{}

Result<LeadScoreWriter::Outcome> LeadScoreWriter::write(sqlite3 *db, std::span<const Row> rows)
{
    const TriggersOff triggersOff(db);
    // The breakdowns' ids, in this transaction: the dictionary read once, new texts added.
    auto ids = ScoreBreakdowns::allByText(db);
    if (!ids)
        return std::unexpected(ids.error());
    std::vector<Row> existing;
    std::vector<Row> fresh;
    for (const Row &row : rows) {
        Row &copy = (row.exists ? existing : fresh).emplace_back(row);
        auto known = ids->find(row.breakdown);
        if (known == ids->end()) {
            auto added = ScoreBreakdowns::idOf(db, row.breakdown);
            if (!added)
                return std::unexpected(added.error());
            known = ids->emplace(std::string(row.breakdown), *added).first;
        }
        copy.breakdownId = known->second;
    }

    // In key order: the rows after the last walk are walked, the few that come before it (a
    // lead stored out of its id's order) are written one by one. A page read in rowid order is
    // nearly always in key order already (UUIDv7 ids): checking that is one comparison a row,
    // sorting anyway was fifteen (a tenth of the writer's instructions, callgrind).
    const auto byId = [](const Row &a, const Row &b) {
        return a.leadId < b.leadId;
    };
    if (!std::is_sorted(existing.begin(), existing.end(), byId))
        std::sort(existing.begin(), existing.end(), byId);
    const std::string_view walkedTo(m_walkedTo.constData(), std::size_t(m_walkedTo.size()));
    const auto firstToWalk
        = std::upper_bound(existing.begin(), existing.end(), walkedTo,
                           [](std::string_view key, const Row &row) { return key < row.leadId; });
    const std::span<const Row> stragglers(existing.begin(), firstToWalk);
    const std::span<const Row> walked(firstToWalk, existing.end());

    Outcome outcome;
    if (!walked.empty()) {
        if (auto ok = updateInKeyRange(db, walked); !ok)
            return std::unexpected(ok.error());
        const std::string_view last = walked.back().leadId;
        m_walkedTo = QByteArray(last.data(), qsizetype(last.size()));
        outcome.rowsInKeyRange = qint64(walked.size());
    }
    if (auto ok = writeOneByOne(db, stragglers, true); !ok)
        return std::unexpected(ok.error());
    outcome.rowsOneByOne = qint64(stragglers.size());
    if (auto ok = writeOneByOne(db, fresh, false); !ok)
        return std::unexpected(ok.error());
    outcome.rowsOneByOne += qint64(fresh.size());
    return outcome;
}

Result<void> LeadScoreWriter::updateInKeyRange(sqlite3 *db, std::span<const Row> rows) const
{
    Walk walk{rows, m_stamping};
    if (sqlite3_create_function_v2(db, kFunction, 2, SQLITE_UTF8, &walk, rescored, nullptr, nullptr,
                                   nullptr)
        != SQLITE_OK)
        return std::unexpected(sqliteError(db, QStringLiteral("registering %1").arg(kFunction)));
    const auto updated = [this, db, rows]() -> Result<void> {
        SqliteStatement update(
            db, m_stamping.asChange
                    ? "UPDATE lead_scores SET lead_score = leaddesk_rescored(lead_id, 0), "
                      "lead_grade = leaddesk_rescored(lead_id, 1), "
                      "qualification_status = leaddesk_rescored(lead_id, 2), "
                      "breakdown_id = leaddesk_rescored(lead_id, 3), scored_at = ?3, "
                      "hlc = leaddesk_rescored(lead_id, 4) "
                      "WHERE lead_id >= ?1 AND lead_id <= ?2 AND leaddesk_rescored(lead_id, -1)"
                    : "UPDATE lead_scores SET lead_score = leaddesk_rescored(lead_id, 0), "
                      "lead_grade = leaddesk_rescored(lead_id, 1), "
                      "qualification_status = leaddesk_rescored(lead_id, 2), "
                      "breakdown_id = leaddesk_rescored(lead_id, 3) "
                      "WHERE lead_id >= ?1 AND lead_id <= ?2 AND leaddesk_rescored(lead_id, -1)");
        update.bindStatic(1, rows.front().leadId);
        update.bindStatic(2, rows.back().leadId);
        if (m_stamping.asChange)
            update.bind(3, m_stamping.nowMs);
        if (auto ok = update.execute(); !ok)
            return fail(QStringLiteral("writing scores: %1").arg(ok.error().message));
        // The rows were read in this transaction's snapshot: every one is there.
        if (const qint64 changed = sqlite3_changes64(db); changed != qint64(rows.size()))
            return fail(QStringLiteral("writing scores: %1 of %2 score rows found")
                            .arg(changed)
                            .arg(rows.size()));
        return {};
    }();
    // Unregistered before `walk` goes: nothing may call it afterwards.
    sqlite3_create_function_v2(db, kFunction, 2, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr,
                               nullptr);
    return updated;
}

Result<void> LeadScoreWriter::writeOneByOne(sqlite3 *db, std::span<const Row> rows,
                                            bool existing) const
{
    if (rows.empty())
        return {};
    const bool stamped = m_stamping.asChange;
    SqliteStatement statement(
        db, !existing ? "INSERT INTO lead_scores (lead_score, lead_grade, qualification_status, "
                        "breakdown_id, scored_at, hlc, lead_id, tenant) "
                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                        "(SELECT tenant FROM tenants WHERE business_id = ?8))"
            : stamped ? "UPDATE lead_scores SET lead_score = ?1, lead_grade = ?2, "
                        "qualification_status = ?3, breakdown_id = ?4, scored_at = ?5, "
                        "hlc = ?6 WHERE lead_id = ?7"
                      : "UPDATE lead_scores SET lead_score = ?1, lead_grade = ?2, "
                        "qualification_status = ?3, breakdown_id = ?4 WHERE lead_id = ?7");
    const std::string_view businessId(m_businessId.constData(), std::size_t(m_businessId.size()));
    for (const Row &row : rows) {
        statement.bind(1, qint64(row.score));
        statement.bindStatic(2, row.grade);
        statement.bindStatic(3, row.qualification);
        statement.bind(4, row.breakdownId);
        if (stamped) {
            statement.bind(5, m_stamping.nowMs);
            statement.bind(6, Ids::nextHlc(m_stamping.nowMs));
        } else if (!existing) {
            // A new row under AsCreated is stamped with its lead's creation.
            statement.bind(5, row.createdAtMs);
            statement.bind(6, qint64(0));
        }
        statement.bindStatic(7, row.leadId);
        if (!existing)
            statement.bindStatic(8, businessId);
        if (auto ok = statement.execute(); !ok)
            return fail(QStringLiteral("writing scores: %1").arg(ok.error().message));
    }
    return {};
}

} // namespace LeadDesk::Core
