#include "scoretable.h"

#include "database.h"

#include <QSqlQuery>
#include <QStringList>

namespace LeadDesk::Core {

namespace {

// The readers' view of a lead with its score (version 7's, with the breakdown's text looked up
// since version 10).
constexpr auto kScoredLeadsViewSql
    = "CREATE VIEW scored_leads AS\n"
      "SELECT l.*, COALESCE(s.lead_score, 0) AS lead_score, COALESCE(s.lead_grade, 'D') AS "
      "lead_grade,\n"
      "       COALESCE(s.qualification_status, 'unqualified') AS qualification_status,\n"
      "       COALESCE(b.breakdown, '{}') AS score_breakdown\n"
      "FROM leads AS l LEFT JOIN lead_scores AS s ON s.lead_id = l.id\n"
      "     LEFT JOIN score_breakdowns AS b ON b.id = s.breakdown_id";

// Versions 7 to 10.
constexpr auto kSortIndexByBusinessIdSql
    = "CREATE INDEX IF NOT EXISTS idx_lead_scores_sort ON lead_scores "
      "(business_id, lead_score, lead_id)";

} // namespace

const char *ScoreTable::sortIndexSql(int schemaVersion)
{
    return schemaVersion >= kTenantsVersion ? kSortIndexSql : kSortIndexByBusinessIdSql;
}

Result<void> ScoreTable::replace(Database &db, const QString &filledTable, int schemaVersion)
{
    QStringList triggers;
    auto read = db.forEachRow(
        QStringLiteral("SELECT sql FROM sqlite_schema WHERE type = "
                       "'trigger' AND tbl_name = 'lead_scores' ORDER BY name"),
        {}, [&triggers](const QSqlQuery &row) { triggers << row.value(0).toString(); });
    if (!read)
        return read;
    if (auto dropped = db.execDirect(QStringLiteral("DROP TABLE lead_scores")); !dropped)
        return dropped;
    // The rename alone, as SQLite's procedure for changing a table has it: the modern rename
    // would first check every trigger and view that names lead_scores, which does not exist
    // between the drop and the rename.
    if (auto legacy = db.execDirect(QStringLiteral("PRAGMA legacy_alter_table = ON")); !legacy)
        return legacy;
    auto renamed
        = db.execDirect(QStringLiteral("ALTER TABLE %1 RENAME TO lead_scores").arg(filledTable));
    (void)db.execDirect(QStringLiteral("PRAGMA legacy_alter_table = OFF"));
    if (!renamed)
        return renamed;
    QStringList statements{QString::fromLatin1(sortIndexSql(schemaVersion)),
                           QString::fromLatin1(kScoredLeadsViewSql)};
    statements << triggers;
    for (const QString &statement : std::as_const(statements)) {
        if (auto ok = db.execDirect(statement); !ok)
            return ok;
    }
    return {};
}

} // namespace LeadDesk::Core
