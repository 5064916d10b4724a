#include "analyticsqueries.h"

#include "sqlitestatement.h"

namespace LeadDesk::Core {

namespace {

const std::string &leadRowsSql(bool bySource)
{
    static const auto build = [](bool withSource) {
        QString sql = QStringLiteral("SELECT day, channel, assignee, ")
                      + LeadCounters::columnNames().join(QStringLiteral(", "))
                      + QStringLiteral(" FROM analytics_leads_daily WHERE business_id = ?1 "
                                       "AND day >= ?2 AND day <= ?3");
        if (withSource)
            sql += QStringLiteral(" AND channel = ?4");
        return sql.toStdString();
    };
    static const std::string all = build(false);
    static const std::string oneSource = build(true);
    return bySource ? oneSource : all;
}

constexpr int kTotalSlots = LeadCounters::WonValueCents + 1;

const std::string &leadTotalsSql(bool bySource)
{
    static const auto build = [](bool withSource) {
        QString sql = QStringLiteral("SELECT channel, ")
                      + LeadCounters::columnNames().mid(0, kTotalSlots).join(QStringLiteral(", "))
                      + QStringLiteral(" FROM analytics_leads_daily WHERE business_id = ?1 "
                                       "AND day >= ?2 AND day <= ?3");
        if (withSource)
            sql += QStringLiteral(" AND channel = ?4");
        return sql.toStdString();
    };
    static const std::string all = build(false);
    static const std::string oneSource = build(true);
    return bySource ? oneSource : all;
}

// `+first_response_at` keeps SQLite off idx_leads_first_response, which would read every answered
// lead of the business instead of the created_at range.
constexpr const char *kResponses
    = "SELECT channel, COALESCE(assigned_to, ''), MAX(0, first_response_at - created_at) "
      "FROM leads WHERE business_id = ?1 AND deleted = 0 AND created_at >= ?2 AND created_at < ?3 "
      "AND +first_response_at IS NOT NULL";
constexpr const char *kResponsesBySource
    = "SELECT channel, COALESCE(assigned_to, ''), MAX(0, first_response_at - created_at) "
      "FROM leads WHERE business_id = ?1 AND deleted = 0 AND channel = ?4 AND created_at >= ?2 "
      "AND created_at < ?3 AND +first_response_at IS NOT NULL";
constexpr const char *kChatbotSessions
    = "SELECT COUNT(*), COALESCE(SUM(completed), 0) FROM chatbot_sessions "
      "WHERE business_id = ?1 AND deleted = 0 AND started_at >= ?2 AND started_at < ?3";
// The time a visitor took on each question: what the chatbot measured (time_taken_ms), else the
// time since the previous answer of the session, or since the session started for the first.
constexpr const char *kChatbotGaps
    = "SELECT COUNT(gap), COALESCE(SUM(gap), 0) FROM (SELECT COALESCE(a.time_taken_ms, "
      "MAX(0, a.created_at - COALESCE(LAG(a.created_at) OVER (PARTITION BY a.session_id "
      "ORDER BY a.created_at, a.question_id), s.started_at))) AS gap "
      "FROM chatbot_sessions AS s JOIN answers AS a ON a.session_id = s.id "
      "WHERE s.business_id = ?1 AND s.deleted = 0 AND s.started_at >= ?2 AND s.started_at < ?3 "
      "AND a.deleted = 0)";
constexpr const char *kDeliveries
    = "SELECT target, ok, latency_ms FROM delivery_log "
      "WHERE business_id = ?1 AND attempted_at >= ?2 AND attempted_at < ?3";
constexpr const char *kDeliveriesByTarget
    = "SELECT target, ok, latency_ms FROM delivery_log "
      "WHERE business_id = ?1 AND attempted_at >= ?2 AND attempted_at < ?3 AND target = ?4";
// GROUP BY in primary-key order (day is the key's last column): the sums stream without a sort.
constexpr const char *kCampaignRows
    = "SELECT campaign_id, channel, source_key, utm_content, MIN(CASE WHEN leads > 0 THEN day "
      "END), "
      "SUM(leads), SUM(qualified), SUM(score_sum), SUM(won), SUM(won_value_cents) "
      "FROM analytics_campaign_daily WHERE business_id = ?1 AND day >= ?2 AND day <= ?3 "
      "GROUP BY campaign_id, channel, source_key, utm_content";
constexpr const char *kOneCampaignRows
    = "SELECT campaign_id, channel, source_key, utm_content, MIN(CASE WHEN leads > 0 THEN day "
      "END), "
      "SUM(leads), SUM(qualified), SUM(score_sum), SUM(won), SUM(won_value_cents) "
      "FROM analytics_campaign_daily WHERE business_id = ?1 AND campaign_id = ?4 "
      "AND day >= ?2 AND day <= ?3 GROUP BY campaign_id, channel, source_key, utm_content";
constexpr const char *kCampaigns
    = "SELECT id, external_id, name, budget_cents, start_date FROM campaigns "
      "WHERE business_id = ?1 AND deleted = 0";
constexpr const char *kCampaignByExternalId
    = "SELECT id, external_id, name, budget_cents, start_date FROM campaigns "
      "WHERE business_id = ?1 AND external_id = ?2 AND deleted = 0";
constexpr const char *kUsers
    = "SELECT id, COALESCE(NULLIF(display_name, ''), username) FROM users WHERE business_id = ?1";
constexpr const char *kBusiness = "SELECT name, time_zone FROM businesses WHERE id = ?1";

// Steps through every row, handing each to `onRow`; resets the statement either way.
template<typename OnRow>
Result<void> eachRow(SqliteStatement &statement, OnRow onRow)
{
    for (;;) {
        auto row = statement.step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        onRow(statement);
    }
    statement.reset();
    return {};
}

void bindRange(SqliteStatement &statement, const QString &businessId, qint64 from, qint64 to)
{
    statement.bind(1, businessId);
    statement.bind(2, from);
    statement.bind(3, to);
}

AnalyticsQueries::Campaign readCampaign(const SqliteStatement &row)
{
    AnalyticsQueries::Campaign campaign;
    campaign.id = row.columnText(0);
    campaign.externalId = row.columnText(1);
    campaign.name = row.columnText(2);
    campaign.budgetCents = row.columnIsNull(3) ? -1 : row.columnInt(3);
    campaign.startDate = QDate::fromString(row.columnText(4).left(10), Qt::ISODate);
    return campaign;
}

} // namespace

AnalyticsQueries::AnalyticsQueries(Database &db)
    : m_db(db)
{}

Result<AnalyticsQueries::Business> AnalyticsQueries::business(const QString &businessId)
{
    SqliteStatement &query = m_db.statement(kBusiness);
    query.bind(1, businessId);
    std::optional<Business> business;
    auto ok = eachRow(query, [&business](const SqliteStatement &row) {
        business = Business{row.columnText(0), row.columnText(1)};
    });
    if (!ok)
        return std::unexpected(ok.error());
    if (!business)
        return fail(QStringLiteral("no business with id %1").arg(businessId));
    return *business;
}

Result<std::vector<AnalyticsQueries::LeadRow>>
AnalyticsQueries::leadRows(const QString &businessId, const AnalyticsRange &range,
                           const QString &source)
{
    SqliteStatement &query = m_db.statement(leadRowsSql(!source.isEmpty()).c_str());
    bindRange(query, businessId, range.fromDay, range.toDay);
    if (!source.isEmpty())
        query.bind(4, source);
    std::vector<LeadRow> rows;
    auto ok = eachRow(query, [&rows](const SqliteStatement &row) {
        LeadRow &r = rows.emplace_back();
        r.day = row.columnInt(0);
        r.channel = row.columnText(1);
        r.assignee = row.columnText(2);
        r.counters.read(row, 3);
    });
    if (!ok)
        return std::unexpected(ok.error());
    return rows;
}

Result<QHash<QString, LeadCounters>>
AnalyticsQueries::leadTotalsByChannel(const QString &businessId, const AnalyticsRange &range,
                                      const QString &source)
{
    SqliteStatement &query = m_db.statement(leadTotalsSql(!source.isEmpty()).c_str());
    bindRange(query, businessId, range.fromDay, range.toDay);
    if (!source.isEmpty())
        query.bind(4, source);
    QHash<QString, LeadCounters> totals;
    LeadCounters row;
    auto ok = eachRow(query, [&totals, &row](const SqliteStatement &r) {
        row.read(r, 1, kTotalSlots);
        totals[r.columnText(0)].add(row);
    });
    if (!ok)
        return std::unexpected(ok.error());
    return totals;
}

Result<std::vector<AnalyticsQueries::ResponseSample>>
AnalyticsQueries::responseTimes(const QString &businessId, const AnalyticsRange &range,
                                const QString &source)
{
    SqliteStatement &query = m_db.statement(source.isEmpty() ? kResponses : kResponsesBySource);
    bindRange(query, businessId, range.fromMs, range.toMs);
    if (!source.isEmpty())
        query.bind(4, source);
    std::vector<ResponseSample> samples;
    auto ok = eachRow(query, [&samples](const SqliteStatement &row) {
        samples.push_back({row.columnText(0), row.columnText(1), row.columnInt(2)});
    });
    if (!ok)
        return std::unexpected(ok.error());
    return samples;
}

Result<AnalyticsQueries::ChatbotTotals> AnalyticsQueries::chatbot(const QString &businessId,
                                                                  const AnalyticsRange &range)
{
    ChatbotTotals totals;
    SqliteStatement &sessions = m_db.statement(kChatbotSessions);
    bindRange(sessions, businessId, range.fromMs, range.toMs);
    auto ok = eachRow(sessions, [&totals](const SqliteStatement &row) {
        totals.sessions = row.columnInt(0);
        totals.completed = row.columnInt(1);
    });
    if (!ok)
        return std::unexpected(ok.error());
    if (totals.sessions == 0)
        return totals;
    SqliteStatement &gaps = m_db.statement(kChatbotGaps);
    bindRange(gaps, businessId, range.fromMs, range.toMs);
    ok = eachRow(gaps, [&totals](const SqliteStatement &row) {
        totals.answers = row.columnInt(0);
        if (totals.answers > 0)
            totals.averageGapMs = double(row.columnInt(1)) / double(totals.answers);
    });
    if (!ok)
        return std::unexpected(ok.error());
    return totals;
}

Result<std::vector<AnalyticsQueries::DeliverySample>>
AnalyticsQueries::deliveries(const QString &businessId, const AnalyticsRange &range,
                             const QString &target)
{
    SqliteStatement &query = m_db.statement(target.isEmpty() ? kDeliveries : kDeliveriesByTarget);
    bindRange(query, businessId, range.fromMs, range.toMs);
    if (!target.isEmpty())
        query.bind(4, target);
    std::vector<DeliverySample> samples;
    auto ok = eachRow(query, [&samples](const SqliteStatement &row) {
        samples.push_back({row.columnText(0), row.columnInt(1) != 0, row.columnInt(2)});
    });
    if (!ok)
        return std::unexpected(ok.error());
    return samples;
}

Result<std::vector<AnalyticsQueries::CampaignRow>>
AnalyticsQueries::campaignRows(const QString &businessId, const AnalyticsRange &range,
                               const QString &campaignId)
{
    SqliteStatement &query
        = m_db.statement(campaignId.isEmpty() ? kCampaignRows : kOneCampaignRows);
    bindRange(query, businessId, range.fromDay, range.toDay);
    if (!campaignId.isEmpty())
        query.bind(4, campaignId);
    std::vector<CampaignRow> rows;
    auto ok = eachRow(query, [&rows](const SqliteStatement &row) {
        if (row.columnIsNull(4)) // only rows emptied by deletions
            return;
        CampaignRow &r = rows.emplace_back();
        r.campaignId = row.columnText(0);
        r.channel = row.columnText(1);
        r.sourceKey = row.columnText(2);
        r.utmContent = row.columnText(3);
        r.firstDay = row.columnInt(4);
        r.counters.leads = row.columnInt(5);
        r.counters.qualified = row.columnInt(6);
        r.counters.scoreSum = row.columnInt(7);
        r.counters.won = row.columnInt(8);
        r.counters.wonValueCents = row.columnInt(9);
    });
    if (!ok)
        return std::unexpected(ok.error());
    return rows;
}

Result<std::vector<AnalyticsQueries::Campaign>>
AnalyticsQueries::campaigns(const QString &businessId)
{
    SqliteStatement &query = m_db.statement(kCampaigns);
    query.bind(1, businessId);
    std::vector<Campaign> campaigns;
    auto ok = eachRow(query, [&campaigns](const SqliteStatement &row) {
        campaigns.push_back(readCampaign(row));
    });
    if (!ok)
        return std::unexpected(ok.error());
    return campaigns;
}

Result<std::optional<AnalyticsQueries::Campaign>>
AnalyticsQueries::campaignByExternalId(const QString &businessId, const QString &externalId)
{
    SqliteStatement &query = m_db.statement(kCampaignByExternalId);
    query.bind(1, businessId);
    query.bind(2, externalId);
    std::optional<Campaign> campaign;
    auto ok
        = eachRow(query, [&campaign](const SqliteStatement &row) { campaign = readCampaign(row); });
    if (!ok)
        return std::unexpected(ok.error());
    return campaign;
}

Result<QHash<QString, QString>> AnalyticsQueries::userNames(const QString &businessId)
{
    SqliteStatement &query = m_db.statement(kUsers);
    query.bind(1, businessId);
    QHash<QString, QString> names;
    auto ok = eachRow(query, [&names](const SqliteStatement &row) {
        names.insert(row.columnText(0), row.columnText(1));
    });
    if (!ok)
        return std::unexpected(ok.error());
    return names;
}

QList<std::pair<QString, QString>> AnalyticsQueries::statements()
{
    const auto text = [](const char *sql) {
        return QString::fromUtf8(sql);
    };
    return {
        {QStringLiteral("business"), text(kBusiness)},
        {QStringLiteral("leadRows"), QString::fromStdString(leadRowsSql(false))},
        {QStringLiteral("leadRowsBySource"), QString::fromStdString(leadRowsSql(true))},
        {QStringLiteral("leadTotals"), QString::fromStdString(leadTotalsSql(false))},
        {QStringLiteral("leadTotalsBySource"), QString::fromStdString(leadTotalsSql(true))},
        {QStringLiteral("responseTimes"), text(kResponses)},
        {QStringLiteral("responseTimesBySource"), text(kResponsesBySource)},
        {QStringLiteral("chatbotSessions"), text(kChatbotSessions)},
        {QStringLiteral("chatbotGaps"), text(kChatbotGaps)},
        {QStringLiteral("deliveries"), text(kDeliveries)},
        {QStringLiteral("deliveriesByTarget"), text(kDeliveriesByTarget)},
        {QStringLiteral("campaignRows"), text(kCampaignRows)},
        {QStringLiteral("oneCampaignRows"), text(kOneCampaignRows)},
        {QStringLiteral("campaigns"), text(kCampaigns)},
        {QStringLiteral("campaignByExternalId"), text(kCampaignByExternalId)},
        {QStringLiteral("userNames"), text(kUsers)},
    };
}

} // namespace LeadDesk::Core
