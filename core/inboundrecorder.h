#pragma once

#include "clock.h"
#include "database.h"
#include "identityresolver.h"
#include "inboundevent.h"
#include "leadingestor.h"
#include "leadnormalizer.h"
#include "leadrepository.h"
#include "normalizer.h"
#include "result.h"

#include <QList>
#include <QString>

#include <memory>
#include <optional>

namespace LeadDesk::Core {

class SlaClock;

// The store side of every channel (DESIGN §6, after parse): applies canonical InboundEvents to
// the store inside the caller's transaction (the StoreWriter job that also marks the journal
// row). Leads go through the LeadIngestor (dedupe by external id, scoring, routing and SLA
// stages); messages are threaded into the person's conversation and lead; delivery statuses
// only move forward. Every event is idempotent: a redelivery changes nothing and says so.
//
// Kind::Lead: `extra` is merged into the lead's details JSON (structured values such as Q&A
// lists that RawLead's text details cannot hold). Kind::Message: everything in `extra` but the
// keys below is kept verbatim with the message, in messages.media under "extra". Conventions:
//   kLeadRefKey   - the thread is itself a lead (a Thumbtack negotiation): the message belongs to
//                   the lead with this external id on the channel; when that lead has not arrived
//                   yet a placeholder lead is made and filled in when it does.
//   kDirectionKey - "out": a message the business sent from the provider's own app (Thumbtack's
//                   MessageCreatedV4 from "Business"); stored as outbound, the lead is waited on.
//                   senderId still names the person (the customer), never the business.
// Not thread-safe: one recorder per writer connection.
class InboundRecorder final
{
public:
    static constexpr QLatin1StringView kLeadRefKey{"lead_external_id"};
    static constexpr QLatin1StringView kDirectionKey{"direction"};

    enum class Outcome {
        Stored,    // the event changed the store
        Duplicate, // already applied (same message / lead / status); nothing changed
        Ignored,   // nothing to do, `reason` says why (unknown message id, stale status, ...)
    };

    struct Applied
    {
        Outcome outcome = Outcome::Stored;
        InboundEvent::Kind kind = InboundEvent::Kind::Message;
        QString reason; // Duplicate / Ignored: why; Stored: empty
        QString leadId; // the lead the event concerns, when there is one
        QString contactId;
        QString conversationId;
        QString messageId;               // messages.id stored or updated
        bool leadCreated = false;        // a new lead (or placeholder lead) was inserted
        QList<FieldError> droppedFields; // Kind::Lead: invalid values kept aside in details
    };

    // `normalizer` carries the business's default phone region; it must outlive the recorder, as
    // must `ingestor` (the caller's, configured with its scoring / routing / SLA stages).
    InboundRecorder(Database &db, LeadIngestor &ingestor, const Normalizer &normalizer,
                    const Clock &clock = Clock::system());

    // Applies the events in order. An error means the store failed (the caller rolls back and
    // the journal row stays for replay); bad or unknown content is an Ignored outcome instead.
    Result<QList<Applied>> apply(const QString &businessId, const QList<InboundEvent> &events,
                                 const QString &sourceId = {});
    Result<Applied> apply(const QString &businessId, const InboundEvent &event,
                          const QString &sourceId = {});

    // The SLA clock that keeps the lead's waiting_on / last_inbound_at / response due times
    // (SlaClock::recordInbound / recordResponse). Default: one shared by every recorder.
    void setSlaClock(std::shared_ptr<SlaClock> clock)
    {
        if (clock)
            m_sla = std::move(clock);
    }

    // Short names for logs and the journal ("stored", "duplicate", "ignored").
    [[nodiscard]] static QString outcomeName(Outcome outcome);

    // Our delivery-status ranking: queued 1 < sent 2 < delivered 3 < read 4; failed 5 (terminal);
    // 0 for "received" (inbound) and -1 for anything else.
    [[nodiscard]] static int statusRank(const QString &status);

private:
    struct Thread
    {
        QString contactId;
        QString leadId;
        QString conversationId;
        bool leadCreated = false;
    };

    Result<Applied> applyLead(const QString &businessId, const InboundEvent &event,
                              const QString &sourceId, qint64 nowMs);
    Result<Applied> applyMessage(const QString &businessId, const InboundEvent &event,
                                 const QString &sourceId, qint64 nowMs);
    Result<Applied> applyStatus(const QString &businessId, const InboundEvent &event, qint64 nowMs);
    Result<Applied> applyConsent(const QString &businessId, const InboundEvent &event,
                                 const QString &sourceId, qint64 nowMs);

    // The person's channel identity: ("phone", E.164) for SMS, else (channel, sender id).
    [[nodiscard]] std::optional<IdentityKey> senderKey(const InboundEvent &event) const;
    Result<std::optional<QString>> contactOf(const QString &businessId, const IdentityKey &key);
    Result<void> attachIdentity(const QString &businessId, const QString &contactId,
                                const IdentityKey &key, qint64 nowMs);
    // Stores a lead through the ingestor, then ties the channel identity to its contact.
    Result<LeadIngestor::Stored> storeLead(const QString &businessId, LeadRecord record,
                                           const std::optional<IdentityKey> &key, qint64 nowMs);
    // Fills a placeholder lead (made for a message that came first) from the real lead.
    Result<bool> fillPlaceholder(const QString &businessId, const QString &leadId,
                                 const LeadRecord &record, const std::optional<IdentityKey> &key,
                                 qint64 nowMs);
    // Contact, lead and conversation a message belongs to, created as needed. `needLead` false:
    // no lead is made for a person who has none (an opt-out from an unknown number).
    Result<Thread> threadFor(const QString &businessId, const InboundEvent &event,
                             const QString &sourceId, bool needLead, qint64 nowMs);
    Result<QString> conversationFor(const QString &businessId, const QString &contactId,
                                    const QString &leadId, const QString &channel,
                                    const QString &threadId, const QString &sourceId, qint64 nowMs);
    Result<std::optional<QString>> messageByExternalId(const QString &businessId,
                                                       const QString &externalId);
    Result<QString> insertMessage(const QString &businessId, const Thread &thread,
                                  const InboundEvent &event, bool outbound, qint64 sentAtMs,
                                  qint64 nowMs);
    // Conversation and lead state after a message: who spoke last, who is waited on.
    Result<void> noteInbound(const Thread &thread, qint64 atMs, InboundEvent::Kind kind,
                             qint64 nowMs);
    Result<void> noteOutbound(const Thread &thread, qint64 atMs, qint64 nowMs);

    Database &m_db;
    LeadIngestor &m_ingestor;
    const Normalizer &m_normalizer;
    LeadNormalizer m_leadNormalizer;
    const Clock &m_clock;
    LeadRepository m_leads;
    IdentityResolver m_identities;
    std::shared_ptr<SlaClock> m_sla;
};

} // namespace LeadDesk::Core
