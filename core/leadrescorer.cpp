#include "leadrescorer.h"

#include "ids.h"
#include "sqlitestatement.h"

#include <QDateTime>
#include <QJsonDocument>

namespace LeadDesk::Core {

Result<qint64> LeadRescorer::rescoreAll(Database &db, const QString &businessId,
                                        const ScoringRules &rules,
                                        const std::function<void(qint64, qint64)> &progress,
                                        Stamp stamp)
{
    qint64 total = 0;
    {
        SqliteStatement &count
            = db.statement("SELECT COUNT(*) FROM leads WHERE business_id = ?1 AND deleted = 0");
        count.bind(1, businessId);
        auto row = count.step();
        if (!row)
            return std::unexpected(row.error());
        total = *row ? count.columnInt(0) : 0;
        count.reset();
    }

    qint64 done = 0;
    qint64 lastRowId = 0;
    for (;;) {
        Transaction transaction(db);
        if (!transaction.isOpen())
            return std::unexpected(transaction.error());
        // Only the columns a rule can read.
        SqliteStatement &page = db.statement(
            "SELECT rowid, email, phone, company, first_name, last_name, state, channel, "
            "campaign_id, campaign_name, source_label, medium, utm_source, utm_medium, "
            "utm_campaign, utm_term, utm_content, service_interest, urgency, message, "
            "budget_range, timeline, referrer_url, landing_page_url, details "
            "FROM leads WHERE business_id = ?1 AND deleted = 0 AND rowid > ?2 "
            "ORDER BY rowid LIMIT ?3");
        page.bind(1, businessId);
        page.bind(2, lastRowId);
        page.bind(3, qint64(kPageSize));
        struct Scored
        {
            qint64 rowId;
            ScoreResult result;
        };
        std::vector<Scored> scored;
        scored.reserve(kPageSize);
        for (;;) {
            auto row = page.step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            LeadRecord lead;
            int c = 1;
            for (QString *field :
                 {&lead.email,           &lead.phone,       &lead.company,       &lead.firstName,
                  &lead.lastName,        &lead.state,       &lead.channel,       &lead.campaignId,
                  &lead.campaignName,    &lead.sourceLabel, &lead.medium,        &lead.utmSource,
                  &lead.utmMedium,       &lead.utmCampaign, &lead.utmTerm,       &lead.utmContent,
                  &lead.serviceInterest, &lead.urgency,     &lead.message,       &lead.budgetRange,
                  &lead.timeline,        &lead.referrerUrl, &lead.landingPageUrl})
                *field = page.columnText(c++);
            const QString details = page.columnText(c);
            if (details.size() > 2) // "{}" has nothing a rule could read
                lead.details = QJsonDocument::fromJson(details.toUtf8()).object();
            lastRowId = page.columnInt(0);
            scored.push_back({lastRowId, rules.score(lead)});
        }
        page.reset();
        if (scored.empty())
            break;

        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        SqliteStatement &update
            = stamp == Stamp::AsChange
                  ? db.statement("UPDATE leads SET lead_score = ?1, lead_grade = ?2, "
                                 "qualification_status = ?3, score_breakdown = ?4, "
                                 "updated_at = ?5, hlc = ?6 WHERE rowid = ?7")
                  : db.statement(
                      "UPDATE leads SET lead_score = ?1, lead_grade = ?2, "
                      "qualification_status = ?3, score_breakdown = ?4 WHERE rowid = ?7");
        for (const Scored &s : scored) {
            update.bind(1, qint64(s.result.score));
            update.bind(2, s.result.grade);
            update.bind(3, s.result.qualification);
            update.bind(4, QJsonDocument(s.result.breakdown).toJson(QJsonDocument::Compact));
            if (stamp == Stamp::AsChange) {
                update.bind(5, now);
                update.bind(6, Ids::nextHlc(now));
            }
            update.bind(7, s.rowId);
            if (auto ok = update.execute(); !ok)
                return std::unexpected(ok.error());
        }
        if (auto ok = transaction.commit(); !ok)
            return std::unexpected(ok.error());
        done += qint64(scored.size());
        if (progress)
            progress(done, total);
    }
    return done;
}

} // namespace LeadDesk::Core
