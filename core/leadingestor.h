#pragma once

#include "clock.h"
#include "database.h"
#include "identityresolver.h"
#include "leadnormalizer.h"
#include "leadrepository.h"
#include "result.h"
#include "scoringrules.h"

#include <QHash>

#include <functional>
#include <vector>

namespace LeadDesk::Core {

// The store half of the ingestion pipeline (DESIGN §6): a normalised lead is resolved to its
// contact, checked for duplicates, and persisted with its activities, inside the caller's
// transaction. Sources call normalize() first (pure, any thread), then store() on the writer.
class LeadIngestor final
{
public:
    enum class Outcome {
        Imported,  // a new lead for a new contact
        Merged,    // a new lead for a contact already known by e-mail or phone
        Duplicate, // already stored: same external id, or seed 004's same e-mail + campaign
                   // within 24 hours (recorded as an activity on the first lead)
    };

    struct Stored
    {
        Outcome outcome = Outcome::Imported;
        QString leadId;
        QString contactId;
        QString matchedOn; // the identity key that matched, for Merged and the 24-hour rule
        QString grade;     // a new lead's grade, as stored
    };

    static constexpr qint64 kDuplicateWindowMs = 24 * 60 * 60 * 1000;

    LeadIngestor(Database &db, const Clock &clock = Clock::system());

    // Scores every new lead under these rules before it is stored (no rules: leads keep the
    // score they came with).
    void setScoring(std::shared_ptr<const ScoringRules> rules) { m_scoring = std::move(rules); }

    Result<Stored> store(const QString &businessId, LeadRecord record);

    // Work on a new lead's record just before its insert, in the order added (the SLA clock it
    // starts). Not called for duplicates; a failing stage fails the store.
    using BeforeStore = std::function<Result<void>(Database &db, LeadRecord &lead, qint64 nowMs)>;
    void addBeforeStore(BeforeStore stage) { m_beforeStore.push_back(std::move(stage)); }

    // Work that follows a new lead's insert in the same transaction, in the order added: the
    // routing that assigns it, the SLA clock it starts. Not called for duplicates. A failing
    // stage fails the store, so the caller's transaction keeps the lead and its follow-ups
    // together.
    using AfterStore = std::function<Result<void>(Database &db, const LeadRecord &lead,
                                                  const Stored &stored, qint64 nowMs)>;
    void addAfterStore(AfterStore stage) { m_afterStore.push_back(std::move(stage)); }

    // Drops cached look-ups; call after rolling back work this ingestor did.
    void forgetCaches() { m_campaigns.clear(); }

private:
    // The campaign's (id, name) for a lead's campaign reference, created on first sight.
    Result<std::pair<QString, QString>> campaignFor(const QString &businessId,
                                                    const LeadRecord &record, qint64 nowMs);

    Database &m_db;
    const Clock &m_clock;
    LeadRepository m_leads;
    IdentityResolver m_identities;
    std::shared_ptr<const ScoringRules> m_scoring;
    std::vector<BeforeStore> m_beforeStore;
    std::vector<AfterStore> m_afterStore;
    QHash<QString, std::pair<QString, QString>> m_campaigns; // "business/external id" -> (id, name)
};

} // namespace LeadDesk::Core
