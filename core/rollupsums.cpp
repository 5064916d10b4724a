#include "rollupsums.h"

#include "database.h"
#include "sqlitestatement.h"

#include <sqlite3.h>

#include <algorithm>
#include <string_view>

namespace LeadDesk::Core {

namespace {

// The lead rollup's insert; with `add`, a conflicting row gets the sums added to it, as the
// triggers' upserts do.
const std::string &leadRowSql(bool add)
{
    static const auto build = [](bool adding) {
        const QStringList &columns = LeadCounters::columnNames();
        QString text
            = QStringLiteral("INSERT INTO analytics_leads_daily (business_id, day, channel, "
                             "assignee, ")
              + columns.join(QStringLiteral(", ")) + QStringLiteral(") VALUES (?1, ?2, ?3, ?4");
        for (int i = 0; i < columns.size(); ++i)
            text += QStringLiteral(", ?%1").arg(i + 5);
        text += QLatin1Char(')');
        if (adding) {
            text += QStringLiteral(
                " ON CONFLICT (business_id, day, channel, assignee) DO UPDATE SET ");
            for (int i = 0; i < columns.size(); ++i)
                text += (i ? QStringLiteral(", ") : QString()) + columns.at(i)
                        + QStringLiteral(" = ") + columns.at(i) + QStringLiteral(" + excluded.")
                        + columns.at(i);
        }
        return text.toStdString();
    };
    static const std::string insert = build(false);
    static const std::string upsert = build(true);
    return add ? upsert : insert;
}

constexpr const char *kCampaignInsertSql
    = "INSERT INTO analytics_campaign_daily (business_id, campaign_id, day, channel, source_key, "
      "utm_content, leads, qualified, score_sum, won, won_value_cents) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
constexpr const char *kCampaignUpsertSql
    = "INSERT INTO analytics_campaign_daily (business_id, campaign_id, day, channel, source_key, "
      "utm_content, leads, qualified, score_sum, won, won_value_cents) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) "
      "ON CONFLICT (business_id, campaign_id, channel, source_key, utm_content, day) DO UPDATE SET "
      "leads = leads + excluded.leads, qualified = qualified + excluded.qualified, "
      "score_sum = score_sum + excluded.score_sum, won = won + excluded.won, "
      "won_value_cents = won_value_cents + excluded.won_value_cents";

} // namespace

void RollupSums::addLead(sqlite3_stmt *row, int firstColumn, qint64 day)
{
    const auto text = [row, firstColumn](int column) {
        const int index = firstColumn + column;
        const auto *bytes = reinterpret_cast<const char *>(sqlite3_column_text(row, index));
        return std::string_view(bytes ? bytes : "", std::size_t(sqlite3_column_bytes(row, index)));
    };
    const auto view = [](std::string_view text) {
        return QByteArrayView(text.data(), qsizetype(text.size()));
    };
    const auto qtext = [](std::string_view view) {
        return QString::fromUtf8(view.data(), qsizetype(view.size()));
    };
    const qint64 createdAt = sqlite3_column_int64(row, firstColumn);
    const std::string_view channel = text(1);
    const std::string_view assignee = text(2);
    const std::string_view status = text(3);
    const std::string_view qualification = text(5);
    const qint64 score = sqlite3_column_int64(row, firstColumn + 7);
    const qint64 value = sqlite3_column_int64(row, firstColumn + 8);
    const qint64 response
        = sqlite3_column_type(row, firstColumn + 9) == SQLITE_NULL
              ? -1
              : std::max<qint64>(0, sqlite3_column_int64(row, firstColumn + 9) - createdAt);

    m_key.assign(reinterpret_cast<const char *>(&day), sizeof day);
    m_key.append(channel).append(1, '\x1f').append(assignee);
    auto [slot, added] = m_leadIndex.try_emplace(m_key, m_leadRows.size());
    if (added)
        m_leadRows.push_back({LeadKey{day, qtext(channel), qtext(assignee)}, LeadCounters{}});
    m_leadRows[slot->second].second.addLead(view(status), view(text(4)), view(qualification),
                                            view(text(6)), score, value, response);

    if (sqlite3_column_type(row, firstColumn + 10) == SQLITE_NULL)
        return;
    const std::string_view campaign = text(10);
    const std::string_view sourceKey = text(11);
    const std::string_view content = text(12);
    m_key.assign(reinterpret_cast<const char *>(&day), sizeof day);
    m_key.append(channel).append(1, '\x1f').append(campaign).append(1, '\x1f');
    m_key.append(sourceKey).append(1, '\x1f').append(content);
    auto [found, isNew] = m_campaignIndex.try_emplace(m_key, m_campaignRows.size());
    if (isNew)
        m_campaignRows.push_back(
            {CampaignKey{qtext(campaign), day, qtext(channel), qtext(sourceKey), qtext(content)},
             CampaignCounters{}});
    CampaignCounters &counters = m_campaignRows[found->second].second;
    counters.leads += 1;
    counters.qualified
        += qualification == "sales_qualified" || qualification == "marketing_qualified";
    counters.scoreSum += score;
    if (status == "closed_won") {
        counters.won += 1;
        counters.wonValueCents += value;
    }
}

Result<void> RollupSums::write(Database &db, const QString &businessId, Write mode) const
{
    const bool add = mode == Write::Add;
    SqliteStatement &insertLead = db.statement(leadRowSql(add).c_str());
    for (const auto &[key, counters] : m_leadRows) {
        insertLead.bind(1, businessId);
        insertLead.bind(2, key.day);
        insertLead.bind(3, key.channel);
        insertLead.bind(4, key.assignee);
        for (int i = 0; i < LeadCounters::kSlots; ++i)
            insertLead.bind(5 + i, counters.slots[size_t(i)]);
        if (auto ok = insertLead.execute(); !ok)
            return std::unexpected(ok.error());
    }
    SqliteStatement &insertCampaign = db.statement(add ? kCampaignUpsertSql : kCampaignInsertSql);
    for (const auto &[key, counters] : m_campaignRows) {
        insertCampaign.bind(1, businessId);
        insertCampaign.bind(2, key.campaignId);
        insertCampaign.bind(3, key.day);
        insertCampaign.bind(4, key.channel);
        insertCampaign.bind(5, key.sourceKey);
        insertCampaign.bind(6, key.utmContent);
        insertCampaign.bind(7, counters.leads);
        insertCampaign.bind(8, counters.qualified);
        insertCampaign.bind(9, counters.scoreSum);
        insertCampaign.bind(10, counters.won);
        insertCampaign.bind(11, counters.wonValueCents);
        if (auto ok = insertCampaign.execute(); !ok)
            return std::unexpected(ok.error());
    }
    return {};
}

} // namespace LeadDesk::Core
