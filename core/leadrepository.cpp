#include "leadrepository.h"

#include "ids.h"
#include "scorebreakdowns.h"
#include "sqlitestatement.h"

#include <QJsonDocument>
#include <QSqlQuery>

namespace LeadDesk::Core {

namespace {

// Sort key columns per LeadSort; rowid breaks ties, so every key tuple is unique. The score
// sort reads lead_scores' own index, where the lead id breaks ties instead.
struct SortSpec
{
    const char *key1;
    const char *key2; // nullptr when the sort has one key
    bool byScore = false;
};

SortSpec sortSpec(LeadSort sort)
{
    switch (sort) {
    case LeadSort::Created:
        return {"created_at", nullptr};
    case LeadSort::Name:
        return {"last_name", "first_name"};
    case LeadSort::Source:
        return {"channel", "created_at"};
    case LeadSort::Campaign:
        return {"campaign_name", nullptr};
    case LeadSort::Score:
    case LeadSort::Grade:
        return {"lead_score", nullptr, true};
    case LeadSort::Status:
        return {"status", "created_at"};
    }
    return {"created_at", nullptr};
}

const QString kSummaryColumns = QStringLiteral(
    "l.rowid, l.id, l.first_name, l.last_name, l.email, l.phone, l.channel, l.campaign_name, "
    "COALESCE(s.lead_score, 0), COALESCE(s.lead_grade, 'D'), "
    "COALESCE(s.qualification_status, 'unqualified'), l.status, l.assigned_to, "
    "COALESCE(u.display_name, u.username, ''), l.waiting_on, l.created_at");

QJsonObject parseObject(const QString &json)
{
    return QJsonDocument::fromJson(json.toUtf8()).object();
}

} // namespace

QString LeadSummary::displayName() const
{
    const QString name = QString(firstName + QLatin1Char(' ') + lastName).trimmed();
    if (!name.isEmpty())
        return name;
    return !email.isEmpty() ? email : phone;
}

LeadRepository::LeadRepository(Database &db)
    : m_db(db)
{}

Result<LeadPage> LeadRepository::fetchPage(const LeadPageRequest &request)
{
    const SortSpec spec = sortSpec(request.sort);
    const bool descending = request.order == Qt::DescendingOrder;
    const QString dir = descending ? QStringLiteral(" DESC") : QStringLiteral(" ASC");
    const QString table = spec.byScore ? QStringLiteral("s.") : QStringLiteral("l.");
    const QString key1 = table + QLatin1String(spec.key1);
    const QString key2 = spec.key2 ? table + QLatin1String(spec.key2) : QString();
    const QString tie = spec.byScore ? QStringLiteral("s.lead_id") : QStringLiteral("l.rowid");

    // Keyset: (keys..., tie) strictly after the cursor, in the sort's direction. SQLite turns the
    // row-value comparison into an index range, so a deep page costs what the first one does.
    QString sql = QStringLiteral("SELECT ") + kSummaryColumns;
    sql += spec.byScore ? QStringLiteral(" FROM lead_scores s JOIN leads l ON l.id = s.lead_id"
                                         " LEFT JOIN users u ON u.id = l.assigned_to"
                                         " WHERE s.tenant = (SELECT tenant FROM tenants"
                                         " WHERE business_id = ?) AND l.deleted = 0")
                        : QStringLiteral(" FROM leads l LEFT JOIN lead_scores s ON s.lead_id = l.id"
                                         " LEFT JOIN users u ON u.id = l.assigned_to"
                                         " WHERE l.business_id = ? AND l.deleted = 0");
    if (request.after) {
        const QString cmp = descending ? QStringLiteral(" < ") : QStringLiteral(" > ");
        sql += key2.isEmpty()
                   ? QStringLiteral(" AND (%1, %2)%3(?, ?)").arg(key1, tie, cmp)
                   : QStringLiteral(" AND (%1, %2, %3)%4(?, ?, ?)").arg(key1, key2, tie, cmp);
    }
    sql += QStringLiteral(" ORDER BY ") + key1 + dir;
    if (!key2.isEmpty())
        sql += QStringLiteral(", ") + key2 + dir;
    sql += QStringLiteral(", ") + tie + dir + QStringLiteral(" LIMIT ?");

    QSqlQuery &query = m_db.prepared(sql);
    query.addBindValue(request.businessId);
    if (request.after) {
        query.addBindValue(request.after->key);
        if (!key2.isEmpty())
            query.addBindValue(request.after->key2);
        if (spec.byScore)
            query.addBindValue(request.after->leadId);
        else
            query.addBindValue(request.after->rowId);
    }
    const int limit = qBound(1, request.limit, 10000);
    query.addBindValue(limit);
    query.setForwardOnly(true);
    if (auto ok = m_db.exec(query); !ok)
        return std::unexpected(ok.error());

    LeadPage page;
    page.rows.reserve(limit);
    QVariant lastKey1, lastKey2;
    while (query.next()) {
        LeadSummary row;
        row.rowId = query.value(0).toLongLong();
        row.id = query.value(1).toString();
        row.firstName = query.value(2).toString();
        row.lastName = query.value(3).toString();
        row.email = query.value(4).toString();
        row.phone = query.value(5).toString();
        row.channel = query.value(6).toString();
        row.campaignName = query.value(7).toString();
        row.score = query.value(8).toInt();
        row.grade = query.value(9).toString();
        row.qualification = query.value(10).toString();
        row.status = query.value(11).toString();
        row.assignedTo = query.value(12).toString();
        row.assigneeName = query.value(13).toString();
        row.waitingOn = query.value(14).toString();
        row.createdAtMs = query.value(15).toLongLong();
        page.rows.push_back(std::move(row));
    }
    query.finish();
    if (page.rows.size() == limit) {
        const LeadSummary &last = page.rows.constLast();
        auto keyOf = [&last](const char *column) -> QVariant {
            const QLatin1String name(column);
            if (name == QLatin1String("created_at"))
                return last.createdAtMs;
            if (name == QLatin1String("last_name"))
                return last.lastName;
            if (name == QLatin1String("first_name"))
                return last.firstName;
            if (name == QLatin1String("channel"))
                return last.channel;
            if (name == QLatin1String("campaign_name"))
                return last.campaignName;
            if (name == QLatin1String("lead_score"))
                return last.score;
            return last.status;
        };
        page.next = LeadCursor{keyOf(spec.key1), spec.key2 ? keyOf(spec.key2) : QVariant(),
                               last.rowId, last.id};
    }
    return page;
}

Result<LeadDetail> LeadRepository::detail(const QString &leadId)
{
    QSqlQuery &query = m_db.prepared(QStringLiteral(
        "SELECT l.id, l.business_id, l.contact_id, l.source_id, l.channel, l.external_id, "
        "l.first_name, l.last_name, l.email, l.phone, l.company, l.address_line, l.state, "
        "l.campaign_id, l.campaign_name, l.source_label, l.medium, l.utm_source, l.utm_medium, "
        "l.utm_campaign, l.utm_term, l.utm_content, l.service_interest, l.urgency, l.message, "
        "l.budget_range, l.timeline, l.visitor_id, l.session_id, l.ip_address, l.user_agent, "
        "l.referrer_url, l.landing_page_url, l.consent_given, COALESCE(s.lead_score, 0), "
        "COALESCE(s.lead_grade, 'D'), COALESCE(s.qualification_status, 'unqualified'), "
        "COALESCE(b.breakdown, '{}'), l.status, l.assigned_to, l.details, "
        "l.created_at, COALESCE(u.display_name, u.username, ''), l.waiting_on, "
        "l.first_response_at, l.last_inbound_at, c.street, c.city, c.postal_code, c.country, "
        "COALESCE(cp.external_id, '') "
        "FROM leads l JOIN contacts c ON c.id = l.contact_id "
        "LEFT JOIN lead_scores s ON s.lead_id = l.id "
        "LEFT JOIN score_breakdowns b ON b.id = s.breakdown_id "
        "LEFT JOIN users u ON u.id = l.assigned_to "
        "LEFT JOIN campaigns cp ON cp.id = l.campaign_id "
        "WHERE l.id = ? AND l.deleted = 0"));
    query.addBindValue(leadId);
    if (auto ok = m_db.exec(query); !ok)
        return std::unexpected(ok.error());
    if (!query.next())
        return fail(QStringLiteral("no lead with id %1").arg(leadId));

    LeadDetail detail;
    LeadRecord &lead = detail.lead;
    int i = 0;
    auto text = [&query, &i] {
        return query.value(i++).toString();
    };
    lead.id = text();
    lead.businessId = text();
    lead.contactId = text();
    lead.sourceId = text();
    lead.channel = text();
    lead.externalId = text();
    lead.firstName = text();
    lead.lastName = text();
    lead.email = text();
    lead.phone = text();
    lead.company = text();
    lead.addressLine = text();
    lead.state = text();
    lead.campaignId = text();
    lead.campaignName = text();
    lead.sourceLabel = text();
    lead.medium = text();
    lead.utmSource = text();
    lead.utmMedium = text();
    lead.utmCampaign = text();
    lead.utmTerm = text();
    lead.utmContent = text();
    lead.serviceInterest = text();
    lead.urgency = text();
    lead.message = text();
    lead.budgetRange = text();
    lead.timeline = text();
    lead.visitorId = text();
    lead.sessionId = text();
    lead.ipAddress = text();
    lead.userAgent = text();
    lead.referrerUrl = text();
    lead.landingPageUrl = text();
    lead.consentGiven = query.value(i++).toBool();
    lead.score = query.value(i++).toInt();
    lead.grade = text();
    lead.qualification = text();
    lead.scoreBreakdown = parseObject(text());
    lead.status = text();
    lead.assignedTo = text();
    lead.details = parseObject(text());
    lead.createdAtMs = query.value(i++).toLongLong();
    detail.assigneeName = text();
    detail.waitingOn = text();
    detail.firstResponseAtMs = query.value(i++).toLongLong();
    detail.lastInboundAtMs = query.value(i++).toLongLong();
    lead.street = text();
    lead.city = text();
    lead.postalCode = text();
    lead.country = text();
    lead.campaignRef = text();
    query.finish();

    auto identities = m_db.forEachRow(
        QStringLiteral("SELECT channel, external_id FROM contact_identities WHERE contact_id = ? "
                       "AND deleted = 0 ORDER BY created_at, channel"),
        {lead.contactId}, [&detail](const QSqlQuery &row) {
            detail.identities.push_back({row.value(0).toString(), row.value(1).toString()});
        });
    if (!identities)
        return std::unexpected(identities.error());

    auto activities = m_db.forEachRow(
        QStringLiteral(
            "SELECT a.activity_type, a.description, COALESCE(u.display_name, a.performed_by, ''), "
            "a.metadata, a.created_at FROM activities a LEFT JOIN users u ON u.id = a.performed_by "
            "WHERE a.lead_id = ? AND a.deleted = 0 ORDER BY a.created_at DESC LIMIT 50"),
        {lead.id}, [&detail](const QSqlQuery &row) {
            detail.activities.push_back({row.value(0).toString(), row.value(1).toString(),
                                         row.value(2).toString(), row.value(3).toString(),
                                         row.value(4).toLongLong()});
        });
    if (!activities)
        return std::unexpected(activities.error());

    // The newest 200 messages, shown oldest first.
    auto messages = m_db.forEachRow(
        QStringLiteral(
            "SELECT direction, body, channel, delivery_status, sent_at FROM ("
            " SELECT m.direction, m.body, cv.channel, m.delivery_status, m.sent_at, m.rowid AS r"
            " FROM messages m JOIN conversations cv ON cv.id = m.conversation_id"
            " WHERE m.lead_id = ? AND m.deleted = 0 ORDER BY m.sent_at DESC, m.rowid DESC LIMIT "
            "200)"
            " ORDER BY sent_at, r"),
        {lead.id}, [&detail](const QSqlQuery &row) {
            detail.messages.push_back({row.value(0).toString(), row.value(1).toString(),
                                       row.value(2).toString(), row.value(3).toString(),
                                       row.value(4).toLongLong()});
        });
    if (!messages)
        return std::unexpected(messages.error());
    return detail;
}

Result<LeadCounts> LeadRepository::counts(const QString &businessId)
{
    LeadCounts counts;
    // Both group-bys are covered by partial indexes: no table rows are read.
    auto byStatus = m_db.forEachRow(
        QStringLiteral("SELECT status, COUNT(*) FROM leads WHERE business_id = ? AND deleted = 0 "
                       "GROUP BY status"),
        {businessId}, [&counts](const QSqlQuery &row) {
            const qint64 n = row.value(1).toLongLong();
            counts.total += n;
            if (row.value(0).toString() == QLatin1String("new"))
                counts.newLeads = n;
        });
    if (!byStatus)
        return std::unexpected(byStatus.error());

    auto byChannel = m_db.forEachRow(
        QStringLiteral("SELECT channel, COUNT(*) FROM leads WHERE business_id = ? AND deleted = 0 "
                       "GROUP BY channel ORDER BY COUNT(*) DESC"),
        {businessId}, [&counts](const QSqlQuery &row) {
            counts.byChannel.push_back({row.value(0).toString(), row.value(1).toLongLong()});
        });
    if (!byChannel)
        return std::unexpected(byChannel.error());

    auto waiting
        = m_db.forEachRow(QStringLiteral("SELECT COUNT(*) FROM conversations WHERE business_id = ? "
                                         "AND waiting_on = 'business' AND deleted = 0"),
                          {businessId}, [&counts](const QSqlQuery &row) {
                              counts.waitingOnBusiness = row.value(0).toLongLong();
                          });
    if (!waiting)
        return std::unexpected(waiting.error());
    return counts;
}

Result<void> LeadRepository::insert(const LeadRecord &r, qint64 nowMs)
{
    const qint64 hlc = Ids::nextHlc(nowMs);
    // The score first: the lead's rollup triggers read it.
    auto breakdownId = ScoreBreakdowns::idOf(m_db, r.scoreBreakdown);
    if (!breakdownId)
        return std::unexpected(breakdownId.error());
    SqliteStatement &score
        = m_db.statement("INSERT INTO lead_scores (lead_id, tenant, lead_score, lead_grade, "
                         "qualification_status, breakdown_id, scored_at, hlc) "
                         "VALUES (?1, (SELECT tenant FROM tenants WHERE business_id = ?2), ?3, "
                         "?4, ?5, ?6, ?7, ?8)");
    score.bind(1, r.id);
    score.bind(2, r.businessId);
    score.bind(3, qint64(r.score));
    score.bind(4, r.grade);
    score.bind(5, r.qualification);
    score.bind(6, *breakdownId);
    score.bind(7, nowMs);
    score.bind(8, hlc);
    if (auto ok = score.execute(); !ok)
        return ok;

    SqliteStatement &insert = m_db.statement(
        "INSERT INTO leads (id, business_id, contact_id, source_id, channel, external_id, "
        "first_name, last_name, email, phone, company, address_line, state, campaign_id, "
        "campaign_name, source_label, medium, utm_source, utm_medium, utm_campaign, utm_term, "
        "utm_content, service_interest, urgency, message, budget_range, timeline, visitor_id, "
        "session_id, ip_address, user_agent, referrer_url, landing_page_url, consent_given, "
        "status, assigned_to, details, created_at, updated_at, hlc, sla_started_at, "
        "sla_at_risk_at, response_due_at, first_response_due_at) VALUES (?1, ?2, ?3, ?4, ?5, "
        "?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, "
        "?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, "
        "?41, ?42, ?43, ?44)");
    int i = 1;
    insert.bind(i++, r.id);
    insert.bind(i++, r.businessId);
    insert.bind(i++, r.contactId);
    insert.bindNullable(i++, r.sourceId);
    insert.bind(i++, r.channel);
    insert.bindNullable(i++, r.externalId);
    insert.bind(i++, r.firstName);
    insert.bind(i++, r.lastName);
    for (const QString *text :
         {&r.email, &r.phone, &r.company, &r.addressLine, &r.state, &r.campaignId})
        insert.bindNullable(i++, *text);
    insert.bind(i++, r.campaignName);
    for (const QString *text :
         {&r.sourceLabel, &r.medium, &r.utmSource, &r.utmMedium, &r.utmCampaign, &r.utmTerm,
          &r.utmContent, &r.serviceInterest, &r.urgency, &r.message, &r.budgetRange, &r.timeline,
          &r.visitorId, &r.sessionId, &r.ipAddress, &r.userAgent, &r.referrerUrl,
          &r.landingPageUrl})
        insert.bindNullable(i++, *text);
    insert.bind(i++, qint64(r.consentGiven));
    insert.bind(i++, r.status);
    insert.bindNullable(i++, r.assignedTo);
    insert.bind(i++, r.details.isEmpty() ? QByteArray("{}")
                                         : QJsonDocument(r.details).toJson(QJsonDocument::Compact));
    insert.bind(i++, r.createdAtMs);
    insert.bind(i++, nowMs);
    insert.bind(i++, hlc);
    for (const std::optional<qint64> *time :
         {&r.slaStartedAt, &r.slaAtRiskAt, &r.responseDueAt, &r.firstResponseDueAt}) {
        if (*time)
            insert.bind(i++, **time);
        else
            insert.bindNull(i++);
    }
    return insert.execute();
}

Result<std::optional<QString>> LeadRepository::findByExternalId(const QString &businessId,
                                                                const QString &channel,
                                                                const QString &externalId)
{
    SqliteStatement &query = m_db.statement(
        "SELECT id FROM leads WHERE business_id = ?1 AND channel = ?2 AND external_id = ?3");
    query.bind(1, businessId);
    query.bind(2, channel);
    query.bind(3, externalId);
    auto row = query.step();
    if (!row)
        return std::unexpected(row.error());
    std::optional<QString> id;
    if (*row)
        id = query.columnText(0);
    query.reset();
    return id;
}

Result<std::optional<QString>>
LeadRepository::findRecentByEmailAndCampaign(const QString &businessId, const QString &email,
                                             const QString &campaignId, qint64 sinceMs)
{
    SqliteStatement &query = m_db.statement(
        "SELECT id FROM leads WHERE business_id = ?1 AND email = ?2 AND campaign_id = ?3 "
        "AND created_at >= ?4 AND deleted = 0 ORDER BY created_at DESC LIMIT 1");
    query.bind(1, businessId);
    query.bind(2, email);
    query.bind(3, campaignId);
    query.bind(4, sinceMs);
    auto row = query.step();
    if (!row)
        return std::unexpected(row.error());
    std::optional<QString> id;
    if (*row)
        id = query.columnText(0);
    query.reset();
    return id;
}

Result<void> LeadRepository::addActivity(const QString &businessId, const QString &leadId,
                                         const QString &contactId, const QString &type,
                                         const QString &description, const QString &metadataJson,
                                         qint64 nowMs, const QString &performedBy)
{
    SqliteStatement &insert = m_db.statement(
        "INSERT INTO activities (id, business_id, lead_id, contact_id, activity_type, description, "
        "performed_by, metadata, created_at, updated_at, hlc) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)");
    insert.bind(1, Ids::uuidV7(nowMs));
    insert.bind(2, businessId);
    insert.bindNullable(3, leadId);
    insert.bindNullable(4, contactId);
    insert.bind(5, type);
    insert.bind(6, description);
    insert.bindNullable(7, performedBy);
    insert.bind(8, metadataJson.isEmpty() ? QStringLiteral("{}") : metadataJson);
    insert.bind(9, nowMs);
    insert.bind(10, Ids::nextHlc(nowMs));
    return insert.execute();
}

} // namespace LeadDesk::Core
