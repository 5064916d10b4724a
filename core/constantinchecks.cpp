#include "constantinchecks.h"

#include "database.h"

#include <QRegularExpression>
#include <QSqlQuery>
#include <QStringList>

namespace LeadDesk::Core {

namespace {

// CHECK ( column IN ( constants ) ): the constants are single-quoted strings without quotes,
// commas or parentheses of their own, which is all the schema uses.
const QRegularExpression &checkPattern()
{
    static const QRegularExpression pattern(QStringLiteral(
        R"(CHECK\s*\(\s*(\w+)\s+IN\s*\(((?:\s*'[^',()]*'\s*,)+\s*'[^',()]*'\s*)\)\s*\))"));
    return pattern;
}

} // namespace

QString ConstantInChecks::rewritten(const QString &sql)
{
    QString result;
    qsizetype copiedUpTo = 0;
    QRegularExpressionMatchIterator matches = checkPattern().globalMatch(sql);
    while (matches.hasNext()) {
        const QRegularExpressionMatch match = matches.next();
        const QString column = match.captured(1);
        const QStringList constants = match.captured(2).split(QLatin1Char(','));
        if (constants.size() <= 2)
            continue; // SQLite compares two constants in place already
        QStringList terms;
        for (const QString &constant : constants)
            terms << column + QStringLiteral(" = ") + constant.trimmed();
        result += QStringView(sql).mid(copiedUpTo, match.capturedStart() - copiedUpTo);
        result += QStringLiteral("CHECK (") + terms.join(QStringLiteral(" OR ")) + QLatin1Char(')');
        copiedUpTo = match.capturedEnd();
    }
    if (copiedUpTo == 0)
        return sql;
    result += QStringView(sql).mid(copiedUpTo);
    return result;
}

Result<int> ConstantInChecks::rewriteSchema(Database &db)
{
    struct Table
    {
        QString name;
        QString sql;
    };
    std::vector<Table> changed;
    auto listed = db.forEachRow(
        QStringLiteral("SELECT name, sql FROM sqlite_schema WHERE type = 'table' AND sql IS NOT "
                       "NULL ORDER BY name"),
        {}, [&](const QSqlQuery &row) {
            const QString sql = row.value(1).toString();
            const QString now = rewritten(sql);
            if (now != sql)
                changed.push_back({row.value(0).toString(), now});
        });
    if (!listed)
        return std::unexpected(listed.error());
    if (changed.empty())
        return 0;

    int schemaVersion = -1;
    if (auto read
        = db.forEachRow(QStringLiteral("PRAGMA schema_version"), {},
                        [&](const QSqlQuery &row) { schemaVersion = row.value(0).toInt(); });
        !read)
        return std::unexpected(read.error());
    if (auto on = db.execDirect(QStringLiteral("PRAGMA writable_schema = ON")); !on)
        return std::unexpected(on.error());
    Result<void> written;
    for (const Table &table : changed) {
        QSqlQuery update(db.connection());
        update.prepare(
            QStringLiteral("UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = ?2"));
        update.addBindValue(table.sql);
        update.addBindValue(table.name);
        if (written = db.exec(update); !written)
            break;
    }
    if (written) {
        written
            = db.execDirect(QStringLiteral("PRAGMA schema_version = %1").arg(schemaVersion + 1));
    }
    const auto off = db.execDirect(QStringLiteral("PRAGMA writable_schema = OFF"));
    if (!written)
        return std::unexpected(written.error());
    if (!off)
        return std::unexpected(off.error());
    return int(changed.size());
}

} // namespace LeadDesk::Core
