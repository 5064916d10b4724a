#include "inboundrecorder.h"

#include "ids.h"
#include "slaclock.h"
#include "sqlitestatement.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace LeadDesk::Core {

namespace {

const QString kSms = QStringLiteral("sms");

QString compactJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

bool isBlank(const QString &value)
{
    return value.trimmed().isEmpty();
}

// The raw value of a field LeadNormalizer named in an error, removed from `raw` so the lead can
// be stored without it; nullopt when there is nothing to remove (the "e-mail or phone" rule).
std::optional<QString> takeField(RawLead &raw, const QString &field)
{
    QString *member = nullptr;
    if (field == QLatin1String("email"))
        member = &raw.email;
    else if (field == QLatin1String("phone"))
        member = &raw.phone;
    else if (field == QLatin1String("alt_phone"))
        member = &raw.altPhone;
    else if (field == QLatin1String("state"))
        member = &raw.state;
    else if (field == QLatin1String("consent_given"))
        member = &raw.consentGiven;
    else if (field == QLatin1String("created_at"))
        member = &raw.createdAt;
    if (member) {
        if (isBlank(*member))
            return std::nullopt;
        QString value = *member;
        member->clear();
        return value;
    }
    for (qsizetype i = 0; i < raw.details.size(); ++i) {
        if (raw.details.at(i).first == field) {
            QString value = raw.details.at(i).second;
            raw.details.removeAt(i);
            return value;
        }
    }
    return std::nullopt;
}

struct Lenient
{
    LeadRecord record;
    QList<FieldError> dropped;
};

// Channel leads are real enquiries (often paid for): an invalid value is set aside in
// details.rejected_fields instead of failing the lead, and a lead without e-mail or phone is
// kept, since the channel itself is how the person is reached.
Lenient normalizeLeniently(const LeadNormalizer &normalizer, RawLead raw, qint64 atMs)
{
    Lenient out;
    QJsonObject rejected;
    for (int pass = 0; pass < 3; ++pass) {
        LeadNormalizer::Outcome outcome = normalizer.normalize(raw, atMs);
        bool changed = false;
        for (const FieldError &error : std::as_const(outcome.errors)) {
            if (auto value = takeField(raw, error.field)) {
                out.dropped.push_back(error);
                rejected.insert(error.field, QJsonObject{{QStringLiteral("value"), *value},
                                                         {QStringLiteral("error"), error.message}});
                changed = true;
            }
        }
        out.record = std::move(outcome.record);
        if (!changed)
            break;
    }
    if (!rejected.isEmpty())
        out.record.details.insert(QStringLiteral("rejected_fields"), rejected);
    return out;
}

Result<std::optional<QString>> firstText(SqliteStatement &query)
{
    auto row = query.step();
    if (!row) {
        query.reset();
        return std::unexpected(row.error());
    }
    std::optional<QString> value;
    if (*row)
        value = query.columnText(0);
    query.reset();
    return value;
}

QString errorOf(const InboundEvent &event)
{
    const QString code = event.errorCode.trimmed();
    const QString text = event.errorText.trimmed();
    if (code.isEmpty())
        return text;
    return text.isEmpty() ? code : code + QStringLiteral(": ") + text;
}

// Recorders are made per request; the SLA clock's parsed-configuration cache outlives them.
std::shared_ptr<SlaClock> sharedSlaClock()
{
    static const std::shared_ptr<SlaClock> clock = std::make_shared<SlaClock>();
    return clock;
}

} // namespace

InboundRecorder::InboundRecorder(Database &db, LeadIngestor &ingestor, const Normalizer &normalizer,
                                 const Clock &clock)
    : m_db(db)
    , m_ingestor(ingestor)
    , m_normalizer(normalizer)
    , m_leadNormalizer(normalizer)
    , m_clock(clock)
    , m_leads(db)
    , m_identities(db)
    , m_sla(sharedSlaClock())
{}

QString InboundRecorder::outcomeName(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Stored:
        return QStringLiteral("stored");
    case Outcome::Duplicate:
        return QStringLiteral("duplicate");
    case Outcome::Ignored:
        return QStringLiteral("ignored");
    }
    return {};
}

int InboundRecorder::statusRank(const QString &status)
{
    static const QStringList order
        = {QStringLiteral("received"),  QStringLiteral("queued"), QStringLiteral("sent"),
           QStringLiteral("delivered"), QStringLiteral("read"),   QStringLiteral("failed")};
    return int(order.indexOf(status));
}

Result<QList<InboundRecorder::Applied>> InboundRecorder::apply(const QString &businessId,
                                                               const QList<InboundEvent> &events,
                                                               const QString &sourceId)
{
    QList<Applied> applied;
    applied.reserve(events.size());
    for (const InboundEvent &event : events) {
        auto one = apply(businessId, event, sourceId);
        if (!one)
            return std::unexpected(one.error());
        applied.push_back(std::move(*one));
    }
    return applied;
}

Result<InboundRecorder::Applied> InboundRecorder::apply(const QString &businessId,
                                                        const InboundEvent &event,
                                                        const QString &sourceId)
{
    const qint64 now = m_clock.nowMs();
    Result<Applied> applied;
    if (event.channel.trimmed().isEmpty()) {
        applied = Applied{};
        applied->outcome = Outcome::Ignored;
        applied->reason = QStringLiteral("the event names no channel");
    } else {
        switch (event.kind) {
        case InboundEvent::Kind::Lead:
            applied = applyLead(businessId, event, sourceId, now);
            break;
        case InboundEvent::Kind::Message:
            applied = applyMessage(businessId, event, sourceId, now);
            break;
        case InboundEvent::Kind::DeliveryStatus:
            applied = applyStatus(businessId, event, now);
            break;
        case InboundEvent::Kind::OptOut:
        case InboundEvent::Kind::OptIn:
        case InboundEvent::Kind::Help:
            applied = applyConsent(businessId, event, sourceId, now);
            break;
        }
    }
    if (applied)
        applied->kind = event.kind;
    return applied;
}

// --- leads -------------------------------------------------------------------------------------

Result<InboundRecorder::Applied> InboundRecorder::applyLead(const QString &businessId,
                                                            const InboundEvent &event,
                                                            const QString &sourceId, qint64 nowMs)
{
    RawLead raw = event.lead;
    if (raw.channel.isEmpty())
        raw.channel = event.channel;
    if (raw.externalId.isEmpty())
        raw.externalId = event.externalId;
    if (raw.sourceId.isEmpty())
        raw.sourceId = sourceId;
    if (isBlank(raw.firstName) && isBlank(raw.lastName) && isBlank(raw.fullName))
        raw.fullName = event.senderName;
    const qint64 at = event.occurredAtMs > 0 ? event.occurredAtMs : nowMs;
    Lenient lenient = normalizeLeniently(m_leadNormalizer, std::move(raw), at);
    LeadRecord &record = lenient.record;
    for (auto it = event.extra.constBegin(); it != event.extra.constEnd(); ++it)
        record.details.insert(it.key(), it.value());

    Applied applied;
    applied.droppedFields = lenient.dropped;
    const std::optional<IdentityKey> key = senderKey(event);
    auto stored = storeLead(businessId, record, key, nowMs);
    if (!stored)
        return std::unexpected(stored.error());
    applied.leadId = stored->leadId;
    if (stored->outcome == LeadIngestor::Outcome::Duplicate) {
        auto filled = fillPlaceholder(businessId, stored->leadId, record, key, nowMs);
        if (!filled)
            return std::unexpected(filled.error());
        if (!*filled) {
            applied.outcome = Outcome::Duplicate;
            applied.reason = stored->matchedOn == QLatin1String("external_id")
                                 ? QStringLiteral("lead already stored")
                                 : QStringLiteral("same lead within the duplicate window (%1)")
                                       .arg(stored->matchedOn);
            return applied;
        }
    } else {
        applied.leadCreated = true;
    }

    SqliteStatement &contactOfLead = m_db.statement("SELECT contact_id FROM leads WHERE id = ?1");
    contactOfLead.bind(1, applied.leadId);
    auto contact = firstText(contactOfLead);
    if (!contact)
        return std::unexpected(contact.error());
    applied.contactId = contact->value_or(stored->contactId);

    // A lead that arrives as a thread (a Thumbtack negotiation) opens its conversation: the
    // request is the person's first word, so the business is waited on from now.
    if (!event.threadId.isEmpty()) {
        Thread thread;
        thread.contactId = applied.contactId;
        thread.leadId = applied.leadId;
        auto conversation = conversationFor(businessId, thread.contactId, thread.leadId,
                                            event.channel, event.threadId, sourceId, nowMs);
        if (!conversation)
            return std::unexpected(conversation.error());
        thread.conversationId = *conversation;
        applied.conversationId = *conversation;
        if (auto ok = noteInbound(thread, record.createdAtMs, InboundEvent::Kind::Lead, nowMs); !ok)
            return std::unexpected(ok.error());
    }
    return applied;
}

Result<LeadIngestor::Stored> InboundRecorder::storeLead(const QString &businessId,
                                                        LeadRecord record,
                                                        const std::optional<IdentityKey> &key,
                                                        qint64 nowMs)
{
    auto stored = m_ingestor.store(businessId, record);
    if (!stored || stored->outcome == LeadIngestor::Outcome::Duplicate || !key)
        return stored;
    auto owner = contactOf(businessId, *key);
    if (!owner)
        return std::unexpected(owner.error());
    if (!*owner) {
        if (auto ok = attachIdentity(businessId, stored->contactId, *key, nowMs); !ok)
            return std::unexpected(ok.error());
        return stored;
    }
    const QString known = **owner;
    if (known == stored->contactId)
        return stored;
    if (stored->outcome == LeadIngestor::Outcome::Imported) {
        // The ingestor resolves by e-mail and phone only, so it made a new contact for a person
        // we know by their channel id: move the lead (and what the ingestor hung on the new
        // contact) to the known one and drop the empty duplicate.
        const QString fresh = stored->contactId;
        for (const char *sql :
             {"UPDATE leads SET contact_id = ?2 WHERE contact_id = ?1",
              "UPDATE activities SET contact_id = ?2 WHERE contact_id = ?1",
              "UPDATE contact_identities SET contact_id = ?2 WHERE contact_id = ?1"}) {
            SqliteStatement &move = m_db.statement(sql);
            move.bind(1, fresh);
            move.bind(2, known);
            if (auto ok = move.execute(); !ok)
                return std::unexpected(ok.error());
        }
        SqliteStatement &drop = m_db.statement("DELETE FROM contacts WHERE id = ?1");
        drop.bind(1, fresh);
        if (auto ok = drop.execute(); !ok)
            qCWarning(lcStore) << "kept an unused contact" << fresh << ok.error().message;
        if (auto ok = m_identities.resolve(businessId, {*key}, record, nowMs); !ok)
            return std::unexpected(ok.error()); // fills the known contact's missing fields
        stored->contactId = known;
        stored->outcome = LeadIngestor::Outcome::Merged;
        stored->matchedOn = key->channel;
        if (auto ok = m_leads.addActivity(
                businessId, stored->leadId, known, QStringLiteral("identity_merged"),
                QStringLiteral("Joined to an existing contact by %1").arg(key->channel),
                compactJson({{QStringLiteral("matched_on"), key->channel}}), nowMs);
            !ok)
            return std::unexpected(ok.error());
        return stored;
    }
    // Matched by e-mail or phone to one person while the channel id belongs to another: never
    // moved silently, only recorded.
    if (auto ok = m_leads.addActivity(
            businessId, stored->leadId, stored->contactId, QStringLiteral("identity_merged"),
            QStringLiteral("The %1 id belongs to another contact").arg(key->channel),
            compactJson({{QStringLiteral("matched_on"), stored->matchedOn},
                         {QStringLiteral("conflicting_keys"),
                          QJsonArray{QString(key->channel + QLatin1Char(':') + key->externalId)}}}),
            nowMs);
        !ok)
        return std::unexpected(ok.error());
    return stored;
}

Result<bool> InboundRecorder::fillPlaceholder(const QString &businessId, const QString &leadId,
                                              const LeadRecord &record,
                                              const std::optional<IdentityKey> &key, qint64 nowMs)
{
    SqliteStatement &read = m_db.statement(
        "SELECT details, contact_id, first_name, last_name FROM leads WHERE id = ?1");
    read.bind(1, leadId);
    auto row = read.step();
    if (!row) {
        read.reset();
        return std::unexpected(row.error());
    }
    QJsonObject details;
    QString contactId, placeholderFirst, placeholderLast;
    if (*row) {
        details = QJsonDocument::fromJson(read.columnText(0).toUtf8()).object();
        contactId = read.columnText(1);
        placeholderFirst = read.columnText(2);
        placeholderLast = read.columnText(3);
    }
    read.reset();
    if (!details.value(QStringLiteral("placeholder")).toBool())
        return false;

    details.remove(QStringLiteral("placeholder"));
    for (auto it = record.details.constBegin(); it != record.details.constEnd(); ++it)
        details.insert(it.key(), it.value());
    SqliteStatement &update = m_db.statement(
        "UPDATE leads SET first_name = CASE WHEN ?2 <> '' THEN ?2 ELSE first_name END, "
        "last_name = CASE WHEN ?3 <> '' THEN ?3 ELSE last_name END, "
        "email = COALESCE(email, ?4), phone = COALESCE(phone, ?5), company = COALESCE(company, "
        "?6), "
        "address_line = COALESCE(?7, address_line), state = COALESCE(?8, state), "
        "service_interest = COALESCE(?9, service_interest), message = COALESCE(?10, message), "
        "timeline = COALESCE(?11, timeline), budget_range = COALESCE(?12, budget_range), "
        "source_id = COALESCE(source_id, ?13), details = ?14, created_at = MIN(created_at, ?15), "
        "updated_at = ?16, hlc = ?17 WHERE id = ?1");
    update.bind(1, leadId);
    update.bind(2, record.firstName);
    update.bind(3, record.lastName);
    int i = 4;
    for (const QString *text : {&record.email, &record.phone, &record.company, &record.addressLine,
                                &record.state, &record.serviceInterest, &record.message,
                                &record.timeline, &record.budgetRange, &record.sourceId})
        update.bindNullable(i++, *text);
    update.bind(14, compactJson(details));
    update.bind(15, record.createdAtMs);
    update.bind(16, nowMs);
    update.bind(17, Ids::nextHlc(nowMs));
    if (auto ok = update.execute(); !ok)
        return std::unexpected(ok.error());

    // The person's details go to their contact too, when the channel id says it is them. Names
    // the contact only has from the placeholder (a display name such as "Renee C.") give way to
    // the lead's full ones; names the business entered stay.
    if (!record.firstName.isEmpty() || !record.lastName.isEmpty()) {
        SqliteStatement &names = m_db.statement(
            "UPDATE contacts SET first_name = CASE WHEN ?2 <> '' THEN ?2 ELSE first_name END, "
            "last_name = CASE WHEN ?3 <> '' THEN ?3 ELSE last_name END, updated_at = ?6, hlc = ?7 "
            "WHERE id = ?1 AND first_name = ?4 AND last_name = ?5");
        names.bind(1, contactId);
        names.bind(2, record.firstName);
        names.bind(3, record.lastName);
        names.bind(4, placeholderFirst);
        names.bind(5, placeholderLast);
        names.bind(6, nowMs);
        names.bind(7, Ids::nextHlc(nowMs));
        if (auto ok = names.execute(); !ok)
            return std::unexpected(ok.error());
    }
    if (key) {
        auto owner = contactOf(businessId, *key);
        if (!owner)
            return std::unexpected(owner.error());
        if (owner->value_or(QString()) == contactId) {
            QList<IdentityKey> keys{*key};
            keys.append(IdentityResolver::keysOf(record));
            if (auto ok = m_identities.resolve(businessId, keys, record, nowMs); !ok)
                return std::unexpected(ok.error());
        }
    }
    if (auto ok = m_leads.addActivity(
            businessId, leadId, contactId, QStringLiteral("lead_details_received"),
            QStringLiteral("The lead's details arrived after its first message"),
            compactJson({{QStringLiteral("channel"), record.channel},
                         {QStringLiteral("external_id"), record.externalId}}),
            nowMs);
        !ok)
        return std::unexpected(ok.error());
    return true;
}

// --- messages ----------------------------------------------------------------------------------

std::optional<IdentityKey> InboundRecorder::senderKey(const InboundEvent &event) const
{
    const QString sender = event.senderId.trimmed();
    if (sender.isEmpty())
        return std::nullopt;
    if (event.channel == kSms) {
        // A phone number is the person's key across channels (forms, vendor files, SMS); short
        // codes and alphanumeric senders are not phone numbers and stay SMS-only ids.
        if (auto phone = m_normalizer.phoneE164(sender))
            return IdentityKey{QStringLiteral("phone"), *phone};
    }
    return IdentityKey{event.channel, sender};
}

Result<std::optional<QString>> InboundRecorder::contactOf(const QString &businessId,
                                                          const IdentityKey &key)
{
    SqliteStatement &find = m_db.statement(
        "SELECT contact_id FROM contact_identities "
        "WHERE business_id = ?1 AND channel = ?2 AND external_id = ?3 AND deleted = 0");
    find.bind(1, businessId);
    find.bind(2, key.channel);
    find.bind(3, key.externalId);
    return firstText(find);
}

Result<void> InboundRecorder::attachIdentity(const QString &businessId, const QString &contactId,
                                             const IdentityKey &key, qint64 nowMs)
{
    SqliteStatement &insert = m_db.statement(
        "INSERT INTO contact_identities (id, business_id, contact_id, channel, external_id, "
        "created_at, updated_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)");
    insert.bind(1, Ids::uuidV7(nowMs));
    insert.bind(2, businessId);
    insert.bind(3, contactId);
    insert.bind(4, key.channel);
    insert.bind(5, key.externalId);
    insert.bind(6, nowMs);
    insert.bind(7, Ids::nextHlc(nowMs));
    return insert.execute();
}

Result<std::optional<QString>> InboundRecorder::messageByExternalId(const QString &businessId,
                                                                    const QString &externalId)
{
    SqliteStatement &find
        = m_db.statement("SELECT id FROM messages WHERE business_id = ?1 AND external_id = ?2");
    find.bind(1, businessId);
    find.bind(2, externalId);
    return firstText(find);
}

Result<InboundRecorder::Applied> InboundRecorder::applyMessage(const QString &businessId,
                                                               const InboundEvent &event,
                                                               const QString &sourceId,
                                                               qint64 nowMs)
{
    Applied applied;
    if (!event.externalId.isEmpty()) {
        auto existing = messageByExternalId(businessId, event.externalId);
        if (!existing)
            return std::unexpected(existing.error());
        if (*existing) {
            applied.outcome = Outcome::Duplicate;
            applied.reason = QStringLiteral("message already stored");
            applied.messageId = **existing;
            return applied;
        }
    }
    if (!senderKey(event)) {
        applied.outcome = Outcome::Ignored;
        applied.reason = QStringLiteral("the message names no sender");
        return applied;
    }
    auto thread = threadFor(businessId, event, sourceId, true, nowMs);
    if (!thread)
        return std::unexpected(thread.error());
    const bool outbound = event.extra.value(kDirectionKey).toString() == QLatin1String("out");
    const qint64 sentAt = event.occurredAtMs > 0 ? event.occurredAtMs : nowMs;
    auto messageId = insertMessage(businessId, *thread, event, outbound, sentAt, nowMs);
    if (!messageId)
        return std::unexpected(messageId.error());
    auto noted = outbound ? noteOutbound(*thread, sentAt, nowMs)
                          : noteInbound(*thread, sentAt, InboundEvent::Kind::Message, nowMs);
    if (!noted)
        return std::unexpected(noted.error());
    applied.leadId = thread->leadId;
    applied.contactId = thread->contactId;
    applied.conversationId = thread->conversationId;
    applied.messageId = *messageId;
    applied.leadCreated = thread->leadCreated;
    return applied;
}

Result<InboundRecorder::Thread> InboundRecorder::threadFor(const QString &businessId,
                                                           const InboundEvent &event,
                                                           const QString &sourceId, bool needLead,
                                                           qint64 nowMs)
{
    Thread thread;
    const IdentityKey key = *senderKey(event);
    auto known = contactOf(businessId, key);
    if (!known)
        return std::unexpected(known.error());
    thread.contactId = known->value_or(QString());

    // 1. The thread names its lead (a Thumbtack negotiation): that lead's person is the sender.
    const QString leadRef = event.extra.value(kLeadRefKey).toString().trimmed();
    if (!leadRef.isEmpty()) {
        auto lead = m_leads.findByExternalId(businessId, event.channel, leadRef);
        if (!lead)
            return std::unexpected(lead.error());
        if (*lead) {
            thread.leadId = **lead;
            SqliteStatement &owner = m_db.statement("SELECT contact_id FROM leads WHERE id = ?1");
            owner.bind(1, thread.leadId);
            auto contact = firstText(owner);
            if (!contact)
                return std::unexpected(contact.error());
            if (thread.contactId.isEmpty() && *contact) {
                if (auto ok = attachIdentity(businessId, **contact, key, nowMs); !ok)
                    return std::unexpected(ok.error());
            }
            thread.contactId = contact->value_or(thread.contactId);
        }
    }
    // 2. The conversation's current lead, when still open (a reply to our text to a web lead),
    // 3. else the person's newest open lead on this channel.
    if (thread.leadId.isEmpty() && leadRef.isEmpty() && !thread.contactId.isEmpty()) {
        SqliteStatement &open = m_db.statement(
            "SELECT l.id FROM conversations c JOIN leads l ON l.id = c.lead_id "
            "WHERE c.business_id = ?1 AND c.contact_id = ?2 AND c.channel = ?3 AND l.deleted = 0 "
            "AND l.status NOT IN ('closed_won', 'closed_lost') "
            "UNION ALL SELECT * FROM (SELECT id FROM leads WHERE contact_id = ?2 AND channel = ?3 "
            "AND business_id = ?1 AND deleted = 0 AND status NOT IN ('closed_won', 'closed_lost') "
            "ORDER BY created_at DESC LIMIT 1) LIMIT 1");
        open.bind(1, businessId);
        open.bind(2, thread.contactId);
        open.bind(3, event.channel);
        auto lead = firstText(open);
        if (!lead)
            return std::unexpected(lead.error());
        thread.leadId = lead->value_or(QString());
    }
    // 4. A new enquiry: a lead for this channel (a placeholder when the thread's lead is due).
    RawLead raw = event.lead;
    raw.channel = event.channel;
    raw.sourceId = sourceId;
    if (isBlank(raw.firstName) && isBlank(raw.lastName) && isBlank(raw.fullName))
        raw.fullName = event.senderName;
    if (event.channel == kSms && isBlank(raw.phone))
        raw.phone = event.senderId;
    if (thread.leadId.isEmpty() && (needLead || !leadRef.isEmpty())) {
        raw.externalId = leadRef;
        raw.message = event.body;
        Lenient lenient = normalizeLeniently(m_leadNormalizer, raw,
                                             event.occurredAtMs > 0 ? event.occurredAtMs : nowMs);
        if (!leadRef.isEmpty())
            lenient.record.details.insert(QStringLiteral("placeholder"), true);
        auto stored = storeLead(businessId, std::move(lenient.record), key, nowMs);
        if (!stored)
            return std::unexpected(stored.error());
        thread.leadId = stored->leadId;
        thread.leadCreated = stored->outcome != LeadIngestor::Outcome::Duplicate;
        SqliteStatement &owner = m_db.statement("SELECT contact_id FROM leads WHERE id = ?1");
        owner.bind(1, thread.leadId);
        auto contact = firstText(owner);
        if (!contact)
            return std::unexpected(contact.error());
        thread.contactId = contact->value_or(stored->contactId);
    } else if (thread.contactId.isEmpty()) {
        // No lead wanted (an opt-out from an unknown number): the person still gets a contact,
        // so their choice is on record before anyone writes to them.
        const LeadRecord hints = normalizeLeniently(m_leadNormalizer, raw, nowMs).record;
        auto resolved = m_identities.resolve(businessId, {key}, hints, nowMs);
        if (!resolved)
            return std::unexpected(resolved.error());
        thread.contactId = resolved->contactId;
    }

    auto conversation = conversationFor(businessId, thread.contactId, thread.leadId, event.channel,
                                        event.threadId, sourceId, nowMs);
    if (!conversation)
        return std::unexpected(conversation.error());
    thread.conversationId = *conversation;
    return thread;
}

Result<QString> InboundRecorder::conversationFor(const QString &businessId,
                                                 const QString &contactId, const QString &leadId,
                                                 const QString &channel, const QString &threadId,
                                                 const QString &sourceId, qint64 nowMs)
{
    SqliteStatement &find = m_db.statement(
        "SELECT id, COALESCE(lead_id, ''), COALESCE(external_thread_id, ''), deleted "
        "FROM conversations WHERE business_id = ?1 AND contact_id = ?2 AND channel = ?3");
    find.bind(1, businessId);
    find.bind(2, contactId);
    find.bind(3, channel);
    auto row = find.step();
    if (!row) {
        find.reset();
        return std::unexpected(row.error());
    }
    if (!*row) {
        find.reset();
        const QString id = Ids::uuidV7(nowMs);
        SqliteStatement &insert = m_db.statement(
            "INSERT INTO conversations (id, business_id, contact_id, lead_id, source_id, channel, "
            "external_thread_id, created_at, updated_at, hlc) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)");
        insert.bind(1, id);
        insert.bind(2, businessId);
        insert.bind(3, contactId);
        insert.bindNullable(4, leadId);
        insert.bindNullable(5, sourceId);
        insert.bind(6, channel);
        insert.bindNullable(7, threadId);
        insert.bind(8, nowMs);
        insert.bind(9, Ids::nextHlc(nowMs));
        if (auto ok = insert.execute(); !ok)
            return std::unexpected(ok.error());
        return id;
    }
    const QString id = find.columnText(0);
    const bool sameLead = leadId.isEmpty() || find.columnText(1) == leadId;
    const bool sameThread = threadId.isEmpty() || find.columnText(2) == threadId;
    const bool live = find.columnInt(3) == 0;
    find.reset();
    if (sameLead && sameThread && live)
        return id;
    // The conversation follows the person's current lead and thread (replies go there); each
    // message keeps the lead it belonged to.
    SqliteStatement &update = m_db.statement(
        "UPDATE conversations SET lead_id = COALESCE(?2, lead_id), "
        "external_thread_id = COALESCE(?3, external_thread_id), deleted = 0, updated_at = ?4, "
        "hlc = ?5 WHERE id = ?1");
    update.bind(1, id);
    update.bindNullable(2, leadId);
    update.bindNullable(3, threadId);
    update.bind(4, nowMs);
    update.bind(5, Ids::nextHlc(nowMs));
    if (auto ok = update.execute(); !ok)
        return std::unexpected(ok.error());
    return id;
}

Result<QString> InboundRecorder::insertMessage(const QString &businessId, const Thread &thread,
                                               const InboundEvent &event, bool outbound,
                                               qint64 sentAtMs, qint64 nowMs)
{
    QJsonObject media = event.media;
    QJsonObject extra = event.extra;
    extra.remove(kLeadRefKey);
    extra.remove(kDirectionKey);
    if (!extra.isEmpty())
        media.insert(QStringLiteral("extra"), extra);

    const QString id = Ids::uuidV7(nowMs);
    SqliteStatement &insert = m_db.statement(
        "INSERT INTO messages (id, business_id, conversation_id, lead_id, direction, body, media, "
        "sent_at, external_id, delivery_status, created_at, updated_at, hlc) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12)");
    insert.bind(1, id);
    insert.bind(2, businessId);
    insert.bind(3, thread.conversationId);
    insert.bindNullable(4, thread.leadId);
    insert.bind(5, outbound ? QStringLiteral("out") : QStringLiteral("in"));
    insert.bind(6, event.body.isNull() ? QString(QLatin1String("")) : event.body);
    if (media.isEmpty())
        insert.bindNull(7);
    else
        insert.bind(7, compactJson(media));
    insert.bind(8, sentAtMs);
    insert.bindNullable(9, event.externalId);
    insert.bind(10, outbound ? QStringLiteral("sent") : QStringLiteral("received"));
    insert.bind(11, nowMs);
    insert.bind(12, Ids::nextHlc(nowMs));
    if (auto ok = insert.execute(); !ok)
        return std::unexpected(ok.error());
    return id;
}

Result<void> InboundRecorder::noteInbound(const Thread &thread, qint64 atMs,
                                          InboundEvent::Kind kind, qint64 nowMs)
{
    // Who is waited on follows the newest message only: a late delivery of an older inbound
    // message must not undo a reply the business already sent.
    const bool changesWaiting = kind != InboundEvent::Kind::OptIn;
    const QString waitingOn
        = kind == InboundEvent::Kind::OptOut ? QString() : QStringLiteral("business");
    const bool reopens = kind == InboundEvent::Kind::Message || kind == InboundEvent::Kind::Help
                         || kind == InboundEvent::Kind::Lead;
    if (!thread.conversationId.isEmpty()) {
        SqliteStatement &conversation = m_db.statement(
            "UPDATE conversations SET "
            "last_sender = CASE WHEN ?2 >= COALESCE(last_message_at, 0) THEN 'lead' "
            "ELSE last_sender END, "
            "waiting_on = CASE WHEN ?2 >= COALESCE(last_message_at, 0) AND ?3 THEN ?4 "
            "ELSE waiting_on END, "
            "last_message_at = MAX(COALESCE(last_message_at, 0), ?2), "
            "last_inbound_at = MAX(COALESCE(last_inbound_at, 0), ?2), "
            "unread_count = unread_count + ?5, "
            "status = CASE WHEN ?6 THEN 'open' ELSE status END, "
            "snoozed_until = CASE WHEN ?6 THEN NULL ELSE snoozed_until END, "
            "updated_at = ?7, hlc = ?8 WHERE id = ?1");
        conversation.bind(1, thread.conversationId);
        conversation.bind(2, atMs);
        conversation.bind(3, qint64(changesWaiting));
        conversation.bindNullable(4, waitingOn);
        conversation.bind(5, qint64(kind == InboundEvent::Kind::Lead ? 0 : 1));
        conversation.bind(6, qint64(reopens));
        conversation.bind(7, nowMs);
        conversation.bind(8, Ids::nextHlc(nowMs));
        if (auto ok = conversation.execute(); !ok)
            return ok;
    }
    if (thread.leadId.isEmpty())
        return {};
    if (kind == InboundEvent::Kind::OptOut || kind == InboundEvent::Kind::OptIn) {
        // A keyword asks nothing of the business: no reply is due, no clock starts.
        SqliteStatement &lead = m_db.statement(
            "UPDATE leads SET last_inbound_at = MAX(COALESCE(last_inbound_at, 0), ?2), "
            "updated_at = ?3, hlc = ?4 WHERE id = ?1");
        lead.bind(1, thread.leadId);
        lead.bind(2, atMs);
        lead.bind(3, nowMs);
        lead.bind(4, Ids::nextHlc(nowMs));
        return lead.execute();
    }
    // The SLA module owns the lead's side: last_inbound_at, waiting_on and the response clock
    // (the first inbound starts the first-response clock when no ingestor stage did).
    return m_sla->recordInbound(m_db, thread.leadId, atMs, nowMs);
}

Result<void> InboundRecorder::noteOutbound(const Thread &thread, qint64 atMs, qint64 nowMs)
{
    SqliteStatement &conversation = m_db.statement(
        "UPDATE conversations SET "
        "last_sender = CASE WHEN ?2 >= COALESCE(last_message_at, 0) THEN 'business' "
        "ELSE last_sender END, "
        "waiting_on = CASE WHEN ?2 >= COALESCE(last_message_at, 0) THEN 'lead' "
        "ELSE waiting_on END, "
        "unread_count = CASE WHEN ?2 >= COALESCE(last_message_at, 0) THEN 0 "
        "ELSE unread_count END, "
        "last_message_at = MAX(COALESCE(last_message_at, 0), ?2), "
        "last_outbound_at = MAX(COALESCE(last_outbound_at, 0), ?2), updated_at = ?3, hlc = ?4 "
        "WHERE id = ?1");
    conversation.bind(1, thread.conversationId);
    conversation.bind(2, atMs);
    conversation.bind(3, nowMs);
    conversation.bind(4, Ids::nextHlc(nowMs));
    if (auto ok = conversation.execute(); !ok)
        return ok;
    if (thread.leadId.isEmpty())
        return {};
    return m_sla->recordResponse(m_db, thread.leadId, atMs, nowMs);
}

// --- delivery status ---------------------------------------------------------------------------

Result<InboundRecorder::Applied>
InboundRecorder::applyStatus(const QString &businessId, const InboundEvent &event, qint64 nowMs)
{
    Applied applied;
    applied.outcome = Outcome::Ignored;
    const int rank = statusRank(event.status);
    if (event.externalId.isEmpty()) {
        applied.reason = QStringLiteral("the status names no message");
        return applied;
    }
    if (rank < 1) {
        applied.reason = QStringLiteral("unknown delivery status '%1'").arg(event.status);
        return applied;
    }
    SqliteStatement &find = m_db.statement(
        "SELECT id, direction, delivery_status, COALESCE(lead_id, ''), conversation_id "
        "FROM messages WHERE business_id = ?1 AND external_id = ?2");
    find.bind(1, businessId);
    find.bind(2, event.externalId);
    auto row = find.step();
    if (!row) {
        find.reset();
        return std::unexpected(row.error());
    }
    if (!*row) {
        find.reset();
        applied.reason = QStringLiteral("unknown message '%1'").arg(event.externalId);
        return applied;
    }
    applied.messageId = find.columnText(0);
    const bool outbound = find.columnText(1) == QLatin1String("out");
    const QString current = find.columnText(2);
    applied.leadId = find.columnText(3);
    applied.conversationId = find.columnText(4);
    find.reset();

    static constexpr int kFailed = 5, kRead = 4;
    const int currentRank = statusRank(current);
    if (!outbound) {
        applied.reason = QStringLiteral("message '%1' is not one of ours").arg(event.externalId);
        return applied;
    }
    if (rank == currentRank) {
        applied.outcome = Outcome::Duplicate;
        applied.reason = QStringLiteral("status already '%1'").arg(current);
        return applied;
    }
    // Callbacks arrive out of order: a status only moves forward; failed is final, and a
    // message already read cannot have failed.
    if (currentRank == kFailed || (rank == kFailed && currentRank == kRead)
        || (rank != kFailed && rank < currentRank)) {
        applied.reason
            = QStringLiteral("status '%1' does not follow '%2'").arg(event.status, current);
        return applied;
    }
    SqliteStatement &update = m_db.statement(
        "UPDATE messages SET delivery_status = ?2, error = CASE WHEN ?2 = 'failed' THEN ?3 "
        "ELSE error END, updated_at = ?4, hlc = ?5 WHERE id = ?1");
    update.bind(1, applied.messageId);
    update.bind(2, event.status);
    const QString error = errorOf(event);
    update.bind(3, error.isEmpty() ? QStringLiteral("unknown error") : error);
    update.bind(4, nowMs);
    update.bind(5, Ids::nextHlc(nowMs));
    if (auto ok = update.execute(); !ok)
        return std::unexpected(ok.error());
    applied.outcome = Outcome::Stored;
    return applied;
}

// --- opt-out, opt-in, help ---------------------------------------------------------------------

Result<InboundRecorder::Applied> InboundRecorder::applyConsent(const QString &businessId,
                                                               const InboundEvent &event,
                                                               const QString &sourceId,
                                                               qint64 nowMs)
{
    Applied applied;
    if (!event.externalId.isEmpty()) {
        auto existing = messageByExternalId(businessId, event.externalId);
        if (!existing)
            return std::unexpected(existing.error());
        if (*existing) {
            applied.outcome = Outcome::Duplicate;
            applied.reason = QStringLiteral("message already stored");
            applied.messageId = **existing;
            return applied;
        }
    }
    if (!senderKey(event)) {
        applied.outcome = Outcome::Ignored;
        applied.reason = QStringLiteral("the message names no sender");
        return applied;
    }
    // The keyword is still a message in the thread (Twilio passes it on after acting on it), but
    // it opens no lead of its own.
    auto thread = threadFor(businessId, event, sourceId, false, nowMs);
    if (!thread)
        return std::unexpected(thread.error());
    const qint64 sentAt = event.occurredAtMs > 0 ? event.occurredAtMs : nowMs;
    auto messageId = insertMessage(businessId, *thread, event, false, sentAt, nowMs);
    if (!messageId)
        return std::unexpected(messageId.error());
    if (auto ok = noteInbound(*thread, sentAt, event.kind, nowMs); !ok)
        return std::unexpected(ok.error());
    applied.leadId = thread->leadId;
    applied.contactId = thread->contactId;
    applied.conversationId = thread->conversationId;
    applied.messageId = *messageId;

    QString type, description;
    if (event.kind == InboundEvent::Kind::Help) {
        type = QStringLiteral("sms_help");
        description = QStringLiteral("Asked for help (%1)").arg(event.body.trimmed());
    } else {
        const bool optOut = event.kind == InboundEvent::Kind::OptOut;
        type = optOut ? QStringLiteral("sms_opt_out") : QStringLiteral("sms_opt_in");
        description = optOut ? QStringLiteral("Opted out of text messages (%1)")
                             : QStringLiteral("Opted back in to text messages (%1)");
        description = description.arg(event.body.trimmed());
        SqliteStatement &update
            = m_db.statement("UPDATE contacts SET sms_opted_out = ?2, updated_at = ?3, hlc = ?4 "
                             "WHERE id = ?1 AND sms_opted_out <> ?2");
        update.bind(1, thread->contactId);
        update.bind(2, qint64(optOut));
        update.bind(3, nowMs);
        update.bind(4, Ids::nextHlc(nowMs));
        if (auto ok = update.execute(); !ok)
            return std::unexpected(ok.error());
    }
    const QJsonObject metadata{{QStringLiteral("channel"), event.channel},
                               {QStringLiteral("keyword"), event.body.trimmed()},
                               {QStringLiteral("message_id"), event.externalId},
                               {QStringLiteral("from"), event.senderId}};
    if (auto ok = m_leads.addActivity(businessId, thread->leadId, thread->contactId, type,
                                      description, compactJson(metadata), nowMs);
        !ok)
        return std::unexpected(ok.error());
    return applied;
}

} // namespace LeadDesk::Core
