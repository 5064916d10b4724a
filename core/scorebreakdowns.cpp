#include "scorebreakdowns.h"

#include "database.h"
#include "sqlitestatement.h"

#include <QJsonDocument>
#include <QString>

#include <optional>

namespace LeadDesk::Core {

namespace {

constexpr auto kSelectSql = "SELECT id FROM score_breakdowns WHERE breakdown = ?1";
constexpr auto kInsertSql = "INSERT INTO score_breakdowns (breakdown) VALUES (?1) RETURNING id";

bool isEmpty(std::string_view text)
{
    return text.empty() || text == "{}";
}

// Looks `text` up, then adds it: nearly every call finds it, so the insert is rarely prepared.
template<typename StatementOf>
Result<qint64> lookUpOrAdd(std::string_view text, StatementOf &&statementOf)
{
    if (isEmpty(text))
        return ScoreBreakdowns::kEmptyId;
    for (const char *sql : {kSelectSql, kInsertSql}) {
        SqliteStatement &statement = statementOf(sql);
        if (!statement.isValid())
            return fail(QStringLiteral("the score breakdowns cannot be read"));
        statement.bindStatic(1, text);
        auto row = statement.step();
        if (!row)
            return fail(
                QStringLiteral("looking up a score breakdown: %1").arg(row.error().message));
        if (*row) {
            const qint64 id = statement.columnInt(0);
            statement.reset();
            return id;
        }
        statement.reset();
    }
    return fail(QStringLiteral("a score breakdown was neither found nor added"));
}

// Calls `onEntry(id, text)` for every entry of the dictionary.
template<typename OnEntry>
Result<void> forEachEntry(sqlite3 *db, OnEntry &&onEntry)
{
    SqliteStatement statement(db, "SELECT id, breakdown FROM score_breakdowns");
    if (!statement.isValid())
        return fail(QStringLiteral("the score breakdowns cannot be read"));
    while (true) {
        auto row = statement.step();
        if (!row)
            return fail(
                QStringLiteral("reading the score breakdowns: %1").arg(row.error().message));
        if (!*row)
            return {};
        onEntry(statement.columnInt(0), std::string(statement.columnView(1)));
    }
}

} // namespace

Result<qint64> ScoreBreakdowns::idOf(Database &db, std::string_view text)
{
    return lookUpOrAdd(text,
                       [&db](const char *sql) -> SqliteStatement & { return db.statement(sql); });
}

Result<qint64> ScoreBreakdowns::idOf(Database &db, const QJsonObject &breakdown)
{
    const QByteArray text = QJsonDocument(breakdown).toJson(QJsonDocument::Compact);
    return idOf(db, std::string_view(text.constData(), std::size_t(text.size())));
}

Result<qint64> ScoreBreakdowns::idOf(sqlite3 *db, std::string_view text)
{
    std::optional<SqliteStatement> statement;
    return lookUpOrAdd(text, [db, &statement](const char *sql) -> SqliteStatement & {
        statement.emplace(db, sql);
        return *statement;
    });
}

Result<ScoreBreakdowns::Texts> ScoreBreakdowns::all(sqlite3 *db)
{
    Texts texts;
    auto read = forEachEntry(
        db, [&texts](qint64 id, std::string text) { texts.emplace(id, std::move(text)); });
    if (!read)
        return std::unexpected(read.error());
    return texts;
}

Result<ScoreBreakdowns::Ids> ScoreBreakdowns::allByText(sqlite3 *db)
{
    Ids ids;
    auto read = forEachEntry(
        db, [&ids](qint64 id, std::string text) { ids.emplace(std::move(text), id); });
    if (!read)
        return std::unexpected(read.error());
    return ids;
}

} // namespace LeadDesk::Core
