#include "leadingestor.h"

#include "deferredrollups.h"
#include "ids.h"
#include "sqlitestatement.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace LeadDesk::Core {

LeadIngestor::LeadIngestor(Database &db, const Clock &clock)
    : m_db(db)
    , m_clock(clock)
    , m_leads(db)
    , m_identities(db)
{}

Result<LeadIngestor::Stored> LeadIngestor::store(const QString &businessId, LeadRecord record)
{
    const qint64 now = m_clock.nowMs();
    record.businessId = businessId;
    Stored stored;

    // A redelivery of the same lead (a webhook retry, a re-imported file) changes nothing.
    if (!record.externalId.isEmpty()) {
        auto existing = m_leads.findByExternalId(businessId, record.channel, record.externalId);
        if (!existing)
            return std::unexpected(existing.error());
        if (*existing) {
            stored.outcome = Outcome::Duplicate;
            stored.leadId = **existing;
            stored.matchedOn = QStringLiteral("external_id");
            return stored;
        }
    }

    if (!record.campaignRef.isEmpty()) {
        auto campaign = campaignFor(businessId, record, now);
        if (!campaign)
            return std::unexpected(campaign.error());
        record.campaignId = campaign->first;
        if (record.campaignName.isEmpty())
            record.campaignName = campaign->second;
    }

    // Seed 004: the same e-mail on the same campaign within 24 hours is the same enquiry.
    if (!record.email.isEmpty() && !record.campaignId.isEmpty()) {
        auto recent = m_leads.findRecentByEmailAndCampaign(
            businessId, record.email, record.campaignId, record.createdAtMs - kDuplicateWindowMs);
        if (!recent)
            return std::unexpected(recent.error());
        if (*recent) {
            stored.outcome = Outcome::Duplicate;
            stored.leadId = **recent;
            stored.matchedOn = QStringLiteral("email+campaign");
            const QJsonObject metadata{
                {QStringLiteral("channel"), record.channel},
                {QStringLiteral("external_id"), record.externalId},
                {QStringLiteral("message"), record.message},
                {QStringLiteral("rule"), QStringLiteral("same e-mail and campaign within 24 h")}};
            if (auto ok = m_leads.addActivity(
                    businessId, stored.leadId, {}, QStringLiteral("duplicate_submission"),
                    QStringLiteral("The same person submitted this campaign's form again"),
                    QString::fromUtf8(QJsonDocument(metadata).toJson(QJsonDocument::Compact)), now);
                !ok)
                return std::unexpected(ok.error());
            return stored;
        }
    }

    auto resolution
        = m_identities.resolve(businessId, IdentityResolver::keysOf(record), record, now);
    if (!resolution)
        return std::unexpected(resolution.error());
    record.contactId = resolution->contactId;
    record.id = Ids::uuidV7(now);
    if (m_scoring) {
        const ScoreResult scored = m_scoring->score(record);
        record.score = scored.score;
        record.grade = scored.grade;
        record.qualification = scored.qualification;
        record.scoreBreakdown = scored.breakdown;
    }
    for (const BeforeStore &stage : m_beforeStore) {
        if (auto ok = stage(m_db, record, now); !ok)
            return std::unexpected(ok.error());
    }
    // Inside the writer's transaction the rollups count the lead once, at commit.
    if (auto deferred = DeferredRollups::defer(m_db, record.id); !deferred)
        return std::unexpected(deferred.error());
    if (auto ok = m_leads.insert(record, now); !ok)
        return std::unexpected(ok.error());

    stored.leadId = record.id;
    stored.contactId = record.contactId;
    stored.grade = record.grade;
    stored.outcome = resolution->created ? Outcome::Imported : Outcome::Merged;
    stored.matchedOn = resolution->matchedOn;
    if (!resolution->created || !resolution->conflicts.isEmpty()) {
        // Merges are explainable: the activity says which key joined this lead to the person.
        QJsonObject metadata{{QStringLiteral("matched_on"), resolution->matchedOn}};
        if (!resolution->conflicts.isEmpty())
            metadata.insert(QStringLiteral("conflicting_keys"),
                            QJsonArray::fromStringList(resolution->conflicts));
        const QString description
            = resolution->created
                  ? QStringLiteral("New contact; some keys belong to another contact")
                  : QStringLiteral("Joined to an existing contact by %1")
                        .arg(resolution->matchedOn);
        if (auto ok = m_leads.addActivity(
                businessId, record.id, record.contactId, QStringLiteral("identity_merged"),
                description,
                QString::fromUtf8(QJsonDocument(metadata).toJson(QJsonDocument::Compact)), now);
            !ok)
            return std::unexpected(ok.error());
    }
    for (const AfterStore &stage : m_afterStore) {
        if (auto ok = stage(m_db, record, stored, now); !ok)
            return std::unexpected(ok.error());
    }
    return stored;
}

Result<std::pair<QString, QString>>
LeadIngestor::campaignFor(const QString &businessId, const LeadRecord &record, qint64 nowMs)
{
    const QString cacheKey = businessId + QLatin1Char('/') + record.campaignRef;
    if (auto it = m_campaigns.constFind(cacheKey); it != m_campaigns.constEnd())
        return *it;
    SqliteStatement &find = m_db.statement(
        "SELECT id, name FROM campaigns WHERE business_id = ?1 AND external_id = ?2");
    find.bind(1, businessId);
    find.bind(2, record.campaignRef);
    auto row = find.step();
    if (!row)
        return std::unexpected(row.error());
    QString id = *row ? find.columnText(0) : QString();
    QString name = *row ? find.columnText(1) : QString();
    find.reset();
    if (id.isEmpty()) {
        // A form or file naming a campaign we have not seen yet: create it so attribution works;
        // the owner fills in budget and dates later.
        id = Ids::uuidV7(nowMs);
        name = record.campaignName.isEmpty() ? record.campaignRef : record.campaignName;
        SqliteStatement &insert = m_db.statement("INSERT INTO campaigns (id, business_id, "
                                                 "external_id, name, created_at, updated_at, hlc) "
                                                 "VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6)");
        insert.bind(1, id);
        insert.bind(2, businessId);
        insert.bind(3, record.campaignRef);
        insert.bind(4, name);
        insert.bind(5, nowMs);
        insert.bind(6, Ids::nextHlc(nowMs));
        if (auto done = insert.execute(); !done)
            return std::unexpected(done.error());
    }
    const std::pair<QString, QString> campaign{id, name};
    m_campaigns.insert(cacheKey, campaign);
    return campaign;
}

} // namespace LeadDesk::Core
