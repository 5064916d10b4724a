#include "deferredrollups.h"

#include "analyticsrollup.h"
#include "database.h"
#include "rollupsums.h"
#include "sqlitestatement.h"

#include <QRegularExpression>

#include <sqlite3.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace LeadDesk::Core {

namespace {

QString listedCheck(QStringView leadExpression)
{
    return QStringLiteral("NOT EXISTS (SELECT 1 FROM analytics_deferred WHERE lead_id = %1)")
        .arg(leadExpression);
}

} // namespace

QString DeferredRollups::deferringTriggerSql(const QString &triggerSql, QStringView leadExpression)
{
    // The header ends where the body begins; a WHEN in it is the trigger's condition (the header
    // holds no CASE). The old condition is kept whole in parentheses: it may be a chain of ORs.
    static const QRegularExpression body(QStringLiteral("\\bBEGIN\\b"),
                                         QRegularExpression::CaseInsensitiveOption);
    static const QRegularExpression when(QStringLiteral("\\bWHEN\\b"),
                                         QRegularExpression::CaseInsensitiveOption);
    const QRegularExpressionMatch begin = body.match(triggerSql);
    if (!begin.hasMatch())
        return {};
    QString header = triggerSql.left(begin.capturedStart());
    const QString rest = triggerSql.mid(begin.capturedStart());
    while (header.endsWith(QLatin1Char('\n')) || header.endsWith(QLatin1Char(' ')))
        header.chop(1);
    const QRegularExpressionMatch condition = when.match(header);
    if (!condition.hasMatch())
        return header + QStringLiteral("\nWHEN ") + listedCheck(leadExpression) + QLatin1Char('\n')
               + rest;
    return header.left(condition.capturedEnd()) + QStringLiteral(" (")
           + header.mid(condition.capturedEnd()).trimmed() + QStringLiteral(")\n AND ")
           + listedCheck(leadExpression) + QLatin1Char('\n') + rest;
}

Result<int> DeferredRollups::installInTriggers(Database &db)
{
    struct Trigger
    {
        QString name, table, sql;
    };
    std::vector<Trigger> triggers;
    auto read = db.forEachRow(
        QStringLiteral("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' "
                       "AND name LIKE 'analytics\\_%' ESCAPE '\\' "
                       "AND tbl_name IN ('leads', 'lead_scores') ORDER BY name"),
        {}, [&triggers](const QSqlQuery &row) {
            triggers.push_back(
                {row.value(0).toString(), row.value(1).toString(), row.value(2).toString()});
        });
    if (!read)
        return std::unexpected(read.error());
    static const QRegularExpression deleting(QStringLiteral("\\bDELETE\\s+ON\\b"),
                                             QRegularExpression::CaseInsensitiveOption);
    for (const Trigger &trigger : triggers) {
        const QString header = trigger.sql.left(trigger.sql.indexOf(QStringLiteral("BEGIN")));
        const QString row
            = deleting.match(header).hasMatch() ? QStringLiteral("OLD") : QStringLiteral("NEW");
        const QString column = trigger.table == QLatin1String("leads") ? QStringLiteral("id")
                                                                       : QStringLiteral("lead_id");
        const QString sql = deferringTriggerSql(trigger.sql, QString(row + u'.' + column));
        if (sql.isEmpty())
            return fail(QStringLiteral("trigger %1 has no body to find").arg(trigger.name));
        if (auto ok = db.execDirect(QStringLiteral("DROP TRIGGER %1").arg(trigger.name)); !ok)
            return std::unexpected(ok.error());
        if (auto ok = db.execDirect(sql); !ok)
            return std::unexpected(ok.error());
    }
    return int(triggers.size());
}

Result<bool> DeferredRollups::defer(Database &db, const QString &leadId)
{
    if (!db.inTransaction())
        return false;
    SqliteStatement &list
        = db.statement("INSERT OR IGNORE INTO analytics_deferred (lead_id) VALUES (?1)");
    list.bind(1, leadId);
    if (auto ok = list.execute(); !ok)
        return std::unexpected(ok.error());
    db.markRollupsDeferred();
    return true;
}

Result<bool> DeferredRollups::hasDeferred(Database &db)
{
    SqliteStatement &any = db.statement("SELECT 1 FROM analytics_deferred LIMIT 1");
    auto row = any.step();
    any.reset();
    if (!row)
        return std::unexpected(row.error());
    return *row;
}

Result<qint64> DeferredRollups::flush(Database &db)
{
    // The listed leads as they are now; a lead deleted since it was listed counts nowhere.
    // CROSS JOIN keeps the short list outside: the planner, knowing nothing of the list's size,
    // would otherwise walk every lead of the store in business order.
    SqliteStatement &leads = db.statement(
        (std::string("SELECT l.business_id, ") + RollupSums::kLeadColumns
         + " FROM analytics_deferred AS d CROSS JOIN scored_leads AS l ON l.id = d.lead_id "
           "WHERE l.deleted = 0")
            .c_str());
    // Per business: its sums and the zone offsets its triggers would have looked up (none yet:
    // offset 0, as the triggers' COALESCE has it).
    struct Business
    {
        RollupSums sums;
        std::vector<std::pair<qint64, qint64>> offsets;
    };
    std::map<QString, Business> businesses;
    qint64 count = 0;
    for (;;) {
        auto row = leads.step();
        if (!row) {
            leads.reset();
            return std::unexpected(row.error());
        }
        if (!*row)
            break;
        ++count;
        auto [entry, added] = businesses.try_emplace(leads.columnText(0));
        Business &business = entry->second;
        if (added) {
            auto offsets = AnalyticsRollup::storedZoneOffsets(
                static_cast<sqlite3 *>(db.sqliteHandle()), entry->first.toUtf8());
            if (!offsets) {
                leads.reset();
                return std::unexpected(offsets.error());
            }
            business.offsets = std::move(*offsets);
        }
        const qint64 day = AnalyticsRollup::localDay(leads.columnInt(1), business.offsets);
        business.sums.addLead(leads.handle(), 1, day);
    }
    leads.reset();
    for (const auto &[id, business] : businesses) {
        if (auto ok = business.sums.write(db, id, RollupSums::Write::Add); !ok)
            return std::unexpected(ok.error());
    }
    if (auto ok = db.statement("DELETE FROM analytics_deferred").execute(); !ok)
        return std::unexpected(ok.error());
    return count;
}

} // namespace LeadDesk::Core
