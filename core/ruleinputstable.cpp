#include "ruleinputstable.h"

#include "scopedpragma.h"
#include "scoringrules.h"
#include "sqlitestatement.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <sqlite3.h>

#include <algorithm>
#include <functional>

namespace LeadDesk::Core {

namespace {

// Every page of a rescore reads these, whatever the rules: the lead, where it belongs, and the
// analytics rollups' keys (ScoreRollupDeltas).
const QStringList &fixedColumns()
{
    static const QStringList columns
        = {QStringLiteral("id"),          QStringLiteral("business_id"),
           QStringLiteral("deleted"),     QStringLiteral("created_at"),
           QStringLiteral("channel"),     QStringLiteral("assigned_to"),
           QStringLiteral("campaign_id"), QStringLiteral("source_label"),
           QStringLiteral("utm_content")};
    return columns;
}

bool isInteger(const QString &column)
{
    return column == QLatin1String("deleted") || column == QLatin1String("created_at")
           || column == QLatin1String("last_inbound_at")
           || column == QLatin1String("last_outbound_at");
}

Result<void> exec(sqlite3 *db, const QByteArray &sql, const QString &what)
{
    if (sqlite3_exec(db, sql.constData(), nullptr, nullptr, nullptr) != SQLITE_OK)
        return std::unexpected(sqliteError(db, what));
    return {};
}

QStringList sortedUnique(QStringList list)
{
    list.sort();
    list.removeDuplicates();
    return list;
}

QByteArray joined(const QStringList &columns, const QByteArray &separator,
                  const std::function<QByteArray(const QByteArray &)> &each)
{
    QByteArray out;
    for (const QString &column : columns) {
        if (!out.isEmpty())
            out += separator;
        out += each(column.toUtf8());
    }
    return out;
}

} // namespace

RuleInputsTable::Layout RuleInputsTable::Layout::forRules(const ScoringRules &rules)
{
    Layout layout;
    for (const QString &field : rules.storedFields()) {
        if (!fixedColumns().contains(field))
            layout.fields << field;
    }
    layout.fields = sortedUnique(layout.fields);
    layout.detailKeys = sortedUnique(rules.detailKeys());
    layout.activity = rules.hasDecay();
    return layout;
}

bool RuleInputsTable::Layout::covers(const Layout &needed) const
{
    const auto holds = [](const QStringList &have, const QStringList &want) {
        return std::ranges::all_of(want, [&have](const QString &w) { return have.contains(w); });
    };
    return holds(fields, needed.fields) && holds(detailKeys, needed.detailKeys)
           && (activity || !needed.activity);
}

QByteArray RuleInputsTable::Layout::toJson() const
{
    return QJsonDocument(
               QJsonObject{{QStringLiteral("fields"), QJsonArray::fromStringList(fields)},
                           {QStringLiteral("detail_keys"), QJsonArray::fromStringList(detailKeys)},
                           {QStringLiteral("activity"), activity}})
        .toJson(QJsonDocument::Compact);
}

std::optional<RuleInputsTable::Layout> RuleInputsTable::Layout::fromJson(const QByteArray &json)
{
    const QJsonObject object = QJsonDocument::fromJson(json).object();
    if (!object.value(u"fields").isArray() || !object.value(u"detail_keys").isArray()
        || !object.value(u"activity").isBool())
        return std::nullopt;
    Layout layout;
    for (const QJsonValue &field : object.value(u"fields").toArray())
        layout.fields << field.toString();
    for (const QJsonValue &key : object.value(u"detail_keys").toArray())
        layout.detailKeys << key.toString();
    layout.activity = object.value(u"activity").toBool();
    return layout;
}

QStringList RuleInputsTable::columns(const Layout &layout)
{
    QStringList columns = {QStringLiteral("lead_rowid")};
    columns += fixedColumns();
    if (layout.activity)
        columns << QStringLiteral("last_inbound_at") << QStringLiteral("last_outbound_at");
    columns += layout.fields;
    if (!layout.detailKeys.isEmpty())
        columns << QStringLiteral("details");
    return columns;
}

QByteArray RuleInputsTable::sourceExpression(const QString &column, const QByteArray &row)
{
    if (column == QLatin1String("lead_rowid"))
        return row + ".rowid";
    if (column != QLatin1String("details"))
        return row + '.' + column.toUtf8();
    // The details object cut to the keys the rules read, which ScoringDetailScanner reads as it
    // reads the whole: true and false stay themselves, arrays and objects (which read as
    // blank) become null, a number keeps every digit a double has, and text that is not a JSON
    // object reads as the empty object.
    const QByteArray details = row + ".details";
    return "CASE WHEN json_valid(" + details + ") AND json_type(" + details
           + ") = 'object' THEN (SELECT json_group_object(key, CASE WHEN type IN ('true', "
             "'false') THEN json(type) WHEN type IN ('array', 'object') THEN NULL "
             "WHEN typeof(value) = 'real' THEN json(printf('%!.17g', value)) ELSE value END) "
             "FROM json_each("
           + details + ") WHERE key IN (SELECT key FROM lead_rule_inputs_keys)) ELSE '{}' END";
}

Result<std::optional<RuleInputsTable::Layout>> RuleInputsTable::current(sqlite3 *db)
{
    SqliteStatement parts(db, "SELECT (SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                              "name = 'lead_rule_inputs_layout'), (SELECT count(*) FROM "
                              "sqlite_master WHERE type = 'trigger' AND tbl_name = 'leads' AND "
                              "name LIKE 'lead\\_rule\\_inputs\\_%' ESCAPE '\\')");
    auto row = parts.step();
    if (!row)
        return std::unexpected(row.error());
    if (parts.columnInt(0) != 1)
        return std::optional<Layout>();
    const qint64 triggers = parts.columnInt(1);
    SqliteStatement recorded(db, "SELECT layout FROM lead_rule_inputs_layout WHERE complete = 1");
    row = recorded.step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row)
        return std::optional<Layout>();
    const std::string_view json = recorded.columnView(0);
    auto layout = Layout::fromJson(QByteArray(json.data(), qsizetype(json.size())));
    if (!layout || triggers != qsizetype(triggersFor(*layout).size()))
        return std::optional<Layout>();
    return layout;
}

Result<void> RuleInputsTable::drop(sqlite3 *db)
{
    // Debian's SQLite zeroes every page it frees: a quarter of a gigabyte of WAL for a copy of
    // what the leads table holds anyway.
    const ScopedPragma secureDelete(db, "secure_delete", "FAST");
    return exec(db,
                "DROP TRIGGER IF EXISTS lead_rule_inputs_insert; "
                "DROP TRIGGER IF EXISTS lead_rule_inputs_update; "
                "DROP TRIGGER IF EXISTS lead_rule_inputs_details; "
                "DROP TRIGGER IF EXISTS lead_rule_inputs_delete; "
                "DROP TABLE IF EXISTS lead_rule_inputs; "
                "DROP TABLE IF EXISTS lead_rule_inputs_keys; "
                "DROP TABLE IF EXISTS lead_rule_inputs_layout;",
                QStringLiteral("dropping the rule inputs"));
}

QList<QByteArray> RuleInputsTable::triggersFor(const Layout &layout)
{
    const QStringList all = columns(layout);
    QStringList plain = all.mid(1);
    plain.removeAll(QStringLiteral("details"));
    const auto fromNew = [](const QString &c) -> QByteArray {
        return sourceExpression(c, "NEW");
    };
    const auto set = [&fromNew](const QByteArray &c) -> QByteArray {
        return c + " = " + fromNew(QString::fromUtf8(c));
    };
    QList<QByteArray> triggers;
    QByteArray values;
    for (const QString &column : all)
        values += (values.isEmpty() ? "" : ", ") + fromNew(column);
    triggers << "CREATE TRIGGER lead_rule_inputs_insert AFTER INSERT ON leads BEGIN "
                "INSERT OR REPLACE INTO lead_rule_inputs ("
                    + all.join(u", ").toUtf8() + ") VALUES (" + values + "); END";
    // The details apart: cutting them is most of a trigger's work, and most updates of a lead
    // (its assignee, its SLA times) leave them alone.
    triggers << "CREATE TRIGGER lead_rule_inputs_update AFTER UPDATE OF "
                    + plain.join(u", ").toUtf8()
                    + " ON leads BEGIN UPDATE lead_rule_inputs SET lead_rowid = NEW.rowid, "
                    + joined(plain, ", ", set) + " WHERE lead_rowid = OLD.rowid; END";
    if (!layout.detailKeys.isEmpty()) {
        triggers << "CREATE TRIGGER lead_rule_inputs_details AFTER UPDATE OF details ON leads "
                    "BEGIN UPDATE lead_rule_inputs SET "
                        + set("details") + " WHERE lead_rowid = NEW.rowid; END";
    }
    triggers << "CREATE TRIGGER lead_rule_inputs_delete AFTER DELETE ON leads BEGIN "
                "DELETE FROM lead_rule_inputs WHERE lead_rowid = OLD.rowid; END";
    return triggers;
}

Result<qint64> RuleInputsTable::begin(sqlite3 *db, const Layout &layout)
{
    if (auto ok = drop(db); !ok)
        return std::unexpected(ok.error());
    const QStringList copied = columns(layout).mid(1);
    QByteArray sql
        = "CREATE TABLE lead_rule_inputs_layout (id INTEGER PRIMARY KEY CHECK (id = 1), "
          "layout TEXT NOT NULL, fill INTEGER NOT NULL, complete INTEGER NOT NULL); "
          "CREATE TABLE lead_rule_inputs_keys (key TEXT PRIMARY KEY) WITHOUT ROWID; "
          "CREATE TABLE lead_rule_inputs (lead_rowid INTEGER PRIMARY KEY, "
          + joined(copied, ", ",
                   [](const QByteArray &c) -> QByteArray {
                       return c + (isInteger(QString::fromUtf8(c)) ? " INTEGER" : " TEXT");
                   })
          + "); ";
    for (const QByteArray &trigger : triggersFor(layout))
        sql += trigger + "; ";
    if (auto ok = exec(db, sql, QStringLiteral("making the rule inputs")); !ok)
        return std::unexpected(ok.error());
    SqliteStatement key(db, "INSERT INTO lead_rule_inputs_keys (key) VALUES (?1)");
    for (const QString &detailKey : layout.detailKeys) {
        key.bind(1, detailKey);
        if (auto ok = key.execute(); !ok)
            return std::unexpected(ok.error());
    }
    const qint64 fillId = qint64(QRandomGenerator::system()->generate64() >> 1);
    SqliteStatement record(db, "INSERT INTO lead_rule_inputs_layout (id, layout, fill, complete) "
                               "VALUES (1, ?1, ?2, 0)");
    record.bind(1, layout.toJson());
    record.bind(2, fillId);
    if (auto ok = record.execute(); !ok)
        return std::unexpected(ok.error());
    return fillId;
}

namespace {

// Whether the copy being filled is still the one `fillId` began.
Result<void> stillFilling(sqlite3 *db, qint64 fillId)
{
    SqliteStatement mine(db, "SELECT 1 FROM lead_rule_inputs_layout WHERE fill = ?1 AND "
                             "complete = 0");
    if (!mine.isValid())
        return std::unexpected(sqliteError(db, QStringLiteral("reading the rule inputs")));
    mine.bind(1, fillId);
    auto row = mine.step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row)
        return fail(QStringLiteral("the copy of what the rules read was replaced by another "
                                   "rescore meanwhile"));
    return {};
}

} // namespace

Result<qint64> RuleInputsTable::fill(sqlite3 *db, const Layout &layout, qint64 fillId,
                                     qint64 afterRowId, qint64 upToRowId)
{
    if (auto ok = stillFilling(db, fillId); !ok)
        return std::unexpected(ok.error());
    const QStringList all = columns(layout);
    // OR REPLACE: a lead stored since begin() is there already, put there by the trigger.
    const QByteArray sql = "INSERT OR REPLACE INTO lead_rule_inputs (" + all.join(u", ").toUtf8()
                           + ") SELECT "
                           + joined(all, ", ",
                                    [](const QByteArray &c) -> QByteArray {
                                        return sourceExpression(QString::fromUtf8(c), "leads");
                                    })
                           + " FROM leads WHERE leads.rowid > ?1 AND leads.rowid <= ?2";
    SqliteStatement copy(db, sql.constData());
    if (!copy.isValid())
        return std::unexpected(sqliteError(db, QStringLiteral("copying the rule inputs")));
    copy.bind(1, afterRowId);
    copy.bind(2, upToRowId);
    if (auto ok = copy.execute(); !ok)
        return std::unexpected(ok.error());
    return sqlite3_changes64(db);
}

Result<void> RuleInputsTable::finish(sqlite3 *db, qint64 fillId)
{
    if (auto ok = stillFilling(db, fillId); !ok)
        return ok;
    return exec(db, "UPDATE lead_rule_inputs_layout SET complete = 1",
                QStringLiteral("finishing the rule inputs"));
}

} // namespace LeadDesk::Core
