#include "leadscorewriter.h"

#include "ids.h"

#include <QString>

#include <sqlite3.h>

#include <algorithm>
#include <vector>

namespace LeadDesk::Core {

namespace {

// The function the key-range UPDATE reads its values from; registered for one statement.
constexpr auto kFunction = "leaddesk_rescored";

Error sqliteError(sqlite3 *db, const QString &what)
{
    return {QStringLiteral("%1: %2").arg(what, QString::fromUtf8(sqlite3_errmsg(db))), {}};
}

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

class Statement final
{
public:
    Statement(sqlite3 *db, const char *sql) { sqlite3_prepare_v2(db, sql, -1, &m_stmt, nullptr); }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Q_DISABLE_COPY_MOVE(Statement)
    [[nodiscard]] sqlite3_stmt *get() const { return m_stmt; }

    void bindText(int index, std::string_view value) const
    {
        sqlite3_bind_text(m_stmt, index, value.data(), int(value.size()), SQLITE_STATIC);
    }

private:
    sqlite3_stmt *m_stmt = nullptr;
};

// What the range UPDATE's function sees: the rows by ascending id and where the walk is.
struct Walk
{
    std::span<const LeadScoreWriter::Row> rows;
    LeadScoreWriter::Stamping stamping;
    std::size_t cursor = 0;

    // The row of `id`, or null when the walk passes a row of the table that is not one of ours.
    const LeadScoreWriter::Row *find(std::string_view id)
    {
        if (cursor < rows.size() && rows[cursor].leadId == id)
            return &rows[cursor];
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
        resultText(row->breakdown);
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
    std::vector<Row> existing;
    std::vector<Row> fresh;
    for (const Row &row : rows)
        (row.exists ? existing : fresh).push_back(row);

    // In key order: the rows after the last walk are walked, the few that come before it (a
    // lead stored out of its id's order) are written one by one.
    std::sort(existing.begin(), existing.end(),
              [](const Row &a, const Row &b) { return a.leadId < b.leadId; });
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
        Statement update(db,
                         m_stamping.asChange
                             ? "UPDATE lead_scores SET lead_score = leaddesk_rescored(lead_id, 0), "
                               "lead_grade = leaddesk_rescored(lead_id, 1), "
                               "qualification_status = leaddesk_rescored(lead_id, 2), "
                               "score_breakdown = leaddesk_rescored(lead_id, 3), scored_at = ?3, "
                               "hlc = leaddesk_rescored(lead_id, 4) "
                               "WHERE lead_id >= ?1 AND lead_id <= ?2 "
                               "AND leaddesk_rescored(lead_id, -1)"
                             : "UPDATE lead_scores SET lead_score = leaddesk_rescored(lead_id, 0), "
                               "lead_grade = leaddesk_rescored(lead_id, 1), "
                               "qualification_status = leaddesk_rescored(lead_id, 2), "
                               "score_breakdown = leaddesk_rescored(lead_id, 3) "
                               "WHERE lead_id >= ?1 AND lead_id <= ?2 "
                               "AND leaddesk_rescored(lead_id, -1)");
        if (!update.get())
            return std::unexpected(sqliteError(db, QStringLiteral("preparing the score walk")));
        update.bindText(1, rows.front().leadId);
        update.bindText(2, rows.back().leadId);
        if (m_stamping.asChange)
            sqlite3_bind_int64(update.get(), 3, m_stamping.nowMs);
        if (sqlite3_step(update.get()) != SQLITE_DONE)
            return std::unexpected(sqliteError(db, QStringLiteral("writing scores")));
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
    Statement statement(db, !existing
                                ? "INSERT INTO lead_scores (lead_score, lead_grade, "
                                  "qualification_status, score_breakdown, scored_at, hlc, "
                                  "lead_id, business_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
                            : stamped ? "UPDATE lead_scores SET lead_score = ?1, lead_grade = ?2, "
                                        "qualification_status = ?3, score_breakdown = ?4, "
                                        "scored_at = ?5, hlc = ?6 WHERE lead_id = ?7"
                                      : "UPDATE lead_scores SET lead_score = ?1, lead_grade = ?2, "
                                        "qualification_status = ?3, score_breakdown = ?4 "
                                        "WHERE lead_id = ?7");
    sqlite3_stmt *stmt = statement.get();
    if (!stmt)
        return std::unexpected(sqliteError(db, QStringLiteral("preparing the score writes")));
    for (const Row &row : rows) {
        sqlite3_bind_int(stmt, 1, row.score);
        statement.bindText(2, row.grade);
        statement.bindText(3, row.qualification);
        statement.bindText(4, row.breakdown);
        if (stamped) {
            sqlite3_bind_int64(stmt, 5, m_stamping.nowMs);
            sqlite3_bind_int64(stmt, 6, Ids::nextHlc(m_stamping.nowMs));
        } else if (!existing) {
            // A new row under AsCreated is stamped with its lead's creation.
            sqlite3_bind_int64(stmt, 5, row.createdAtMs);
            sqlite3_bind_int64(stmt, 6, 0);
        }
        statement.bindText(7, row.leadId);
        if (!existing)
            sqlite3_bind_text(stmt, 8, m_businessId.constData(), int(m_businessId.size()),
                              SQLITE_STATIC);
        const int rc = sqlite3_step(stmt);
        sqlite3_reset(stmt);
        if (rc != SQLITE_DONE)
            return std::unexpected(sqliteError(db, QStringLiteral("writing scores")));
    }
    return {};
}

} // namespace LeadDesk::Core
