#include "clock.h"
#include "inboundrecorder.h"
#include "leadingestor.h"
#include "normalizer.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

using namespace LeadDesk;
using Core::InboundEvent;
using Outcome = Core::InboundRecorder::Outcome;
using Kind = InboundEvent::Kind;

namespace {

constexpr qint64 kT0 = 1'741'100'000'000; // 2025-03-04

// One store with the pipeline a route's WriteContext would hand over.
struct Fixture
{
    Test::TempStore store;
    Core::ManualClock clock{kT0 + 60'000};
    Core::Normalizer normalizer;
    Core::LeadIngestor ingestor{store.db(), clock};
    Core::InboundRecorder recorder{store.db(), ingestor, normalizer, clock};

    Core::Database &db() { return store.db(); }
    const QString &business() const { return store.businessId(); }
    Core::Result<Core::InboundRecorder::Applied> apply(const InboundEvent &event)
    {
        return recorder.apply(store.businessId(), event);
    }
    QString scalar(const QString &sql, const QVariantList &params = {})
    {
        QString value = QStringLiteral("<none>");
        auto ok = store.db().forEachRow(sql, params, [&value](const QSqlQuery &q) {
            value = q.value(0).isNull() ? QStringLiteral("<null>") : q.value(0).toString();
        });
        if (!ok)
            return QStringLiteral("<error: %1>").arg(ok.error().message);
        return value;
    }
    int count(const QString &table, const QString &where = {})
    {
        return Test::countRows(store.db(), table, where);
    }
    // Every column of a row as text, to prove a redelivery changed nothing.
    QString snapshot(const QString &table, const QString &id)
    {
        QString out;
        auto ok = store.db().forEachRow(QStringLiteral("SELECT * FROM %1 WHERE id = ?").arg(table),
                                        {id}, [&out](const QSqlQuery &q) {
                                            for (int i = 0; i < q.record().count(); ++i)
                                                out += q.value(i).toString() + QLatin1Char('|');
                                        });
        return ok ? out : QStringLiteral("<error>");
    }
};

InboundEvent sms(const QString &sid, const QString &body, qint64 at = kT0,
                 const QString &from = QStringLiteral("+16145550177"))
{
    InboundEvent e;
    e.kind = Kind::Message;
    e.channel = QStringLiteral("sms");
    e.externalId = sid;
    e.senderId = from;
    e.threadId = from;
    e.recipientId = QStringLiteral("+16145550100");
    e.body = body;
    e.occurredAtMs = at;
    return e;
}

InboundEvent negotiation(const QString &id, const QString &customerId, qint64 at = kT0)
{
    InboundEvent e;
    e.kind = Kind::Lead;
    e.channel = QStringLiteral("thumbtack");
    e.externalId = id;
    e.threadId = id;
    e.senderId = customerId;
    e.senderName = QStringLiteral("Renee Castillo");
    e.occurredAtMs = at;
    e.lead.firstName = QStringLiteral("renee");
    e.lead.lastName = QStringLiteral("castillo");
    e.lead.city = QStringLiteral("Columbus");
    e.lead.state = QStringLiteral("oh");
    e.lead.serviceInterest = QStringLiteral("Mortgage Brokers");
    e.lead.message = QStringLiteral("Looking to refinance");
    e.lead.createdAt = QStringLiteral("2025-03-04T15:02:24Z");
    e.extra.insert(
        QStringLiteral("qa"),
        QJsonArray{QJsonObject{{QStringLiteral("question"), QStringLiteral("Loan purpose")},
                               {QStringLiteral("answer"), QStringLiteral("Refinance")}}});
    return e;
}

InboundEvent thumbtackMessage(const QString &id, const QString &negotiationId,
                              const QString &customerId, qint64 at, const QString &body)
{
    InboundEvent e;
    e.kind = Kind::Message;
    e.channel = QStringLiteral("thumbtack");
    e.externalId = id;
    e.threadId = negotiationId;
    e.senderId = customerId;
    e.senderName = QStringLiteral("Renee C.");
    e.occurredAtMs = at;
    e.body = body;
    e.extra.insert(Core::InboundRecorder::kLeadRefKey, negotiationId);
    return e;
}

InboundEvent status(const QString &sid, const QString &value, const QString &errorCode = {})
{
    InboundEvent e;
    e.kind = Kind::DeliveryStatus;
    e.channel = QStringLiteral("sms");
    e.externalId = sid;
    e.status = value;
    e.errorCode = errorCode;
    if (!errorCode.isEmpty())
        e.errorText = QStringLiteral("Unreachable destination handset");
    return e;
}

} // namespace

class tst_InboundRecorder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstSmsMakesContactLeadAndConversation();
    void laterMessagesThreadIntoTheSameLead();
    void duplicateMessageChangesNothing();
    void smsFromAKnownPhoneJoinsThatContact();
    void replyToOurTextThreadsIntoTheConversationsLead();
    void lateOlderInboundDoesNotUndoTheBusinessReply();
    void closedLeadGetsANewLeadOnTheNextMessage();
    void thumbtackLeadOpensItsConversation();
    void thumbtackLeadThenMessage();
    void thumbtackMessageBeforeLeadMakesAPlaceholder();
    void duplicateLeadChangesNothing();
    void invalidFieldsAreSetAsideNotFatal();
    void knownChannelIdKeepsOneContactAcrossLeads();
    void businessMessageFromProviderAppIsOutbound();
    void slaClockFollowsTheConversation();
    void statusRanking_data();
    void statusRanking();
    void statusOfUnknownOrInboundMessageIsIgnored();
    void optOutAndBackIn();
    void optOutFromUnknownNumberMakesContactOnly();
    void helpIsAnActivity();
    void injectionStringsAreStoredVerbatim();
    void eventsWithoutSenderOrChannelAreIgnored();
    void extraIsKeptWithTheMessage();
    void batchReturnsOneOutcomePerEvent();
};

void tst_InboundRecorder::firstSmsMakesContactLeadAndConversation()
{
    Fixture f;
    auto applied = f.apply(sms(QStringLiteral("SM1"), QStringLiteral("Yes call me after 5")));
    LD_VERIFY_OK(applied);
    QCOMPARE(applied->outcome, Outcome::Stored);
    QCOMPARE(applied->kind, Kind::Message);
    QVERIFY(applied->leadCreated);
    QCOMPARE(f.count(QStringLiteral("contacts")), 1);
    QCOMPARE(f.count(QStringLiteral("contact_identities"),
                     QStringLiteral("channel = 'phone' AND external_id = '+16145550177'")),
             1);
    QCOMPARE(f.count(QStringLiteral("leads")), 1);
    QCOMPARE(f.scalar(QStringLiteral("SELECT channel || '|' || phone || '|' || message || '|' || "
                                     "waiting_on || '|' || last_inbound_at FROM leads")),
             QStringLiteral("sms|+16145550177|Yes call me after 5|business|%1").arg(kT0));
    QCOMPARE(f.scalar(QStringLiteral("SELECT lead_id || contact_id FROM conversations")),
             applied->leadId + applied->contactId);
    QCOMPARE(f.scalar(QStringLiteral(
                 "SELECT channel || '|' || external_thread_id || '|' || last_sender || '|' || "
                 "waiting_on || '|' || unread_count || '|' || last_inbound_at || '|' || "
                 "last_message_at FROM conversations")),
             QStringLiteral("sms|+16145550177|lead|business|1|%1|%1").arg(kT0));
    QCOMPARE(
        f.scalar(QStringLiteral("SELECT direction || '|' || body || '|' || sent_at || '|' || "
                                "external_id || '|' || delivery_status || '|' || lead_id "
                                "FROM messages")),
        QStringLiteral("in|Yes call me after 5|%1|SM1|received|%2").arg(kT0).arg(applied->leadId));
    QCOMPARE(applied->messageId, f.scalar(QStringLiteral("SELECT id FROM messages")));
}

void tst_InboundRecorder::laterMessagesThreadIntoTheSameLead()
{
    Fixture f;
    auto first = f.apply(sms(QStringLiteral("SM1"), QStringLiteral("Hi")));
    auto second = f.apply(sms(QStringLiteral("SM2"), QStringLiteral("Still there?"), kT0 + 5000));
    LD_VERIFY_OK(first);
    LD_VERIFY_OK(second);
    QVERIFY(!second->leadCreated);
    QCOMPARE(second->leadId, first->leadId);
    QCOMPARE(second->conversationId, first->conversationId);
    QCOMPARE(f.count(QStringLiteral("leads")), 1);
    QCOMPARE(f.count(QStringLiteral("messages"), QStringLiteral("lead_id IS NOT NULL")), 2);
    QCOMPARE(f.scalar(QStringLiteral("SELECT unread_count || '|' || last_inbound_at FROM "
                                     "conversations")),
             QStringLiteral("2|%1").arg(kT0 + 5000));
    QCOMPARE(f.scalar(QStringLiteral("SELECT last_inbound_at FROM leads")),
             QString::number(kT0 + 5000));
}

void tst_InboundRecorder::duplicateMessageChangesNothing()
{
    Fixture f;
    auto first = f.apply(sms(QStringLiteral("SM1"), QStringLiteral("Hi")));
    LD_VERIFY_OK(first);
    const QString conversation = f.snapshot(QStringLiteral("conversations"), first->conversationId);
    const QString lead = f.snapshot(QStringLiteral("leads"), first->leadId);
    f.clock.advanceMs(60'000);
    auto again = f.apply(sms(QStringLiteral("SM1"), QStringLiteral("Hi")));
    LD_VERIFY_OK(again);
    QCOMPARE(again->outcome, Outcome::Duplicate);
    QCOMPARE(again->messageId, first->messageId);
    QCOMPARE(f.count(QStringLiteral("messages")), 1);
    QCOMPARE(f.count(QStringLiteral("leads")), 1);
    QCOMPARE(f.count(QStringLiteral("contacts")), 1);
    QCOMPARE(f.snapshot(QStringLiteral("conversations"), first->conversationId), conversation);
    QCOMPARE(f.snapshot(QStringLiteral("leads"), first->leadId), lead);
}

void tst_InboundRecorder::smsFromAKnownPhoneJoinsThatContact()
{
    Fixture f;
    Core::LeadRecord web;
    web.channel = QStringLiteral("webform");
    web.firstName = QStringLiteral("Renee");
    web.email = QStringLiteral("renee@example.com");
    web.phone = QStringLiteral("+16145550177");
    web.createdAtMs = kT0 - 100'000;
    auto stored = f.ingestor.store(f.business(), web);
    LD_VERIFY_OK(stored);
    // Written the way people type it: the normaliser makes it the same E.164 key.
    auto applied = f.apply(
        sms(QStringLiteral("SM1"), QStringLiteral("Hello"), kT0, QStringLiteral("(614) 555-0177")));
    LD_VERIFY_OK(applied);
    QCOMPARE(applied->contactId, stored->contactId);
    QCOMPARE(f.count(QStringLiteral("contacts")), 1);
    // No SMS conversation or SMS lead existed: the text opens the person's SMS lead.
    QVERIFY(applied->leadCreated);
    QCOMPARE(f.count(QStringLiteral("leads"), QStringLiteral("channel = 'sms'")), 1);
    QCOMPARE(f.count(QStringLiteral("leads")), 2);
}

void tst_InboundRecorder::replyToOurTextThreadsIntoTheConversationsLead()
{
    Fixture f;
    Core::LeadRecord web;
    web.channel = QStringLiteral("webform");
    web.phone = QStringLiteral("+16145550177");
    web.createdAtMs = kT0 - 100'000;
    auto stored = f.ingestor.store(f.business(), web);
    LD_VERIFY_OK(stored);
    // The business texted the web lead (as the outbox does): an SMS conversation on that lead.
    QSqlQuery q(f.db().connection());
    q.prepare(QStringLiteral(
        "INSERT INTO conversations (id, business_id, contact_id, lead_id, channel, "
        "last_message_at, last_outbound_at, last_sender, waiting_on, created_at, updated_at) "
        "VALUES ('conv-1', ?, ?, ?, 'sms', ?, ?, 'business', 'lead', ?, ?)"));
    for (const QVariant &v : QVariantList{f.business(), stored->contactId, stored->leadId,
                                          kT0 - 50'000, kT0 - 50'000, kT0, kT0})
        q.addBindValue(v);
    QVERIFY(q.exec());
    auto applied = f.apply(sms(QStringLiteral("SM1"), QStringLiteral("Thanks, call me")));
    LD_VERIFY_OK(applied);
    QCOMPARE(applied->leadId, stored->leadId);
    QCOMPARE(applied->conversationId, QStringLiteral("conv-1"));
    QVERIFY(!applied->leadCreated);
    QCOMPARE(f.count(QStringLiteral("leads")), 1);
    QCOMPARE(f.scalar(QStringLiteral("SELECT last_sender || waiting_on FROM conversations")),
             QStringLiteral("leadbusiness"));
    QCOMPARE(f.scalar(QStringLiteral("SELECT waiting_on FROM leads")), QStringLiteral("business"));
}

void tst_InboundRecorder::lateOlderInboundDoesNotUndoTheBusinessReply()
{
    Fixture f;
    auto first = f.apply(sms(QStringLiteral("SM1"), QStringLiteral("Hi"), kT0));
    LD_VERIFY_OK(first);
    // The business answered at T0 + 10 s (from the provider's app, or the outbox).
    InboundEvent reply = sms(QStringLiteral("SMout"), QStringLiteral("Sure"), kT0 + 10'000);
    reply.extra.insert(Core::InboundRecorder::kDirectionKey, QStringLiteral("out"));
    LD_VERIFY_OK(f.apply(reply));
    QCOMPARE(f.scalar(QStringLiteral("SELECT last_sender || '|' || waiting_on || '|' || "
                                     "unread_count FROM conversations")),
             QStringLiteral("business|lead|0"));
    // A message the person sent at T0 + 5 s arrives late.
    auto late = f.apply(sms(QStringLiteral("SM2"), QStringLiteral("Also..."), kT0 + 5'000));
    LD_VERIFY_OK(late);
    QCOMPARE(late->outcome, Outcome::Stored);
    QCOMPARE(f.scalar(QStringLiteral(
                 "SELECT last_sender || '|' || waiting_on || '|' || unread_count || '|' || "
                 "last_inbound_at || '|' || last_message_at FROM conversations")),
             QStringLiteral("business|lead|1|%1|%2").arg(kT0 + 5'000).arg(kT0 + 10'000));
    QCOMPARE(f.scalar(QStringLiteral("SELECT waiting_on || '|' || last_inbound_at FROM leads")),
             QStringLiteral("lead|%1").arg(kT0 + 5'000));
    // A newer one flips it back.
    LD_VERIFY_OK(f.apply(sms(QStringLiteral("SM3"), QStringLiteral("?"), kT0 + 20'000)));
    QCOMPARE(f.scalar(QStringLiteral("SELECT last_sender || waiting_on FROM conversations")),
             QStringLiteral("leadbusiness"));
    QCOMPARE(f.scalar(QStringLiteral("SELECT waiting_on FROM leads")), QStringLiteral("business"));
}

void tst_InboundRecorder::closedLeadGetsANewLeadOnTheNextMessage()
{
    Fixture f;
    auto first = f.apply(sms(QStringLiteral("SM1"), QStringLiteral("Hi")));
    LD_VERIFY_OK(first);
    QSqlQuery q(f.db().connection());
    QVERIFY(q.exec(QStringLiteral("UPDATE leads SET status = 'closed_won'")));
    auto next = f.apply(
        sms(QStringLiteral("SM2"), QStringLiteral("Need another quote"), kT0 + 86'400'000));
    LD_VERIFY_OK(next);
    QVERIFY(next->leadCreated);
    QVERIFY(next->leadId != first->leadId);
    QCOMPARE(next->contactId, first->contactId);
    QCOMPARE(next->conversationId, first->conversationId); // one conversation per person × channel
    QCOMPARE(f.scalar(QStringLiteral("SELECT lead_id FROM conversations")), next->leadId);
    QCOMPARE(f.scalar(QStringLiteral("SELECT lead_id FROM messages WHERE external_id = 'SM1'")),
             first->leadId);
}

void tst_InboundRecorder::thumbtackLeadOpensItsConversation()
{
    Fixture f;
    auto applied = f.apply(negotiation(QStringLiteral("N1"), QStringLiteral("C1")));
    LD_VERIFY_OK(applied);
    QCOMPARE(applied->outcome, Outcome::Stored);
    QCOMPARE(applied->kind, Kind::Lead);
    QVERIFY(applied->leadCreated);
    QCOMPARE(
        f.scalar(QStringLiteral(
            "SELECT channel || '|' || external_id || '|' || first_name || '|' || last_name "
            "|| '|' || state || '|' || service_interest || '|' || message FROM leads")),
        QStringLiteral("thumbtack|N1|Renee|Castillo|OH|Mortgage Brokers|Looking to refinance"));
    const QJsonObject details
        = QJsonDocument::fromJson(f.scalar(QStringLiteral("SELECT details FROM leads")).toUtf8())
              .object();
    QCOMPARE(details.value(QStringLiteral("qa"))
                 .toArray()
                 .at(0)
                 .toObject()
                 .value(QStringLiteral("answer"))
                 .toString(),
             QStringLiteral("Refinance"));
    QCOMPARE(f.count(QStringLiteral("contact_identities"),
                     QStringLiteral("channel = 'thumbtack' AND external_id = 'C1'")),
             1);
    const qint64 created
        = QDateTime::fromString(QStringLiteral("2025-03-04T15:02:24Z"), Qt::ISODate)
              .toMSecsSinceEpoch();
    QCOMPARE(f.scalar(QStringLiteral(
                 "SELECT external_thread_id || '|' || last_sender || '|' || waiting_on || '|' || "
                 "unread_count || '|' || last_inbound_at || '|' || lead_id FROM conversations")),
             QStringLiteral("N1|lead|business|0|%1|%2").arg(created).arg(applied->leadId));
    QCOMPARE(f.scalar(QStringLiteral("SELECT waiting_on || '|' || last_inbound_at FROM leads")),
             QStringLiteral("business|%1").arg(created));
    QCOMPARE(f.count(QStringLiteral("messages")), 0);
}

void tst_InboundRecorder::thumbtackLeadThenMessage()
{
    Fixture f;
    auto lead = f.apply(negotiation(QStringLiteral("N1"), QStringLiteral("C1")));
    LD_VERIFY_OK(lead);
    auto message
        = f.apply(thumbtackMessage(QStringLiteral("M1"), QStringLiteral("N1"), QStringLiteral("C1"),
                                   kT0 + 600'000, QStringLiteral("Can you call me after 5pm?")));
    LD_VERIFY_OK(message);
    QCOMPARE(message->outcome, Outcome::Stored);
    QCOMPARE(message->leadId, lead->leadId);
    QCOMPARE(message->contactId, lead->contactId);
    QCOMPARE(message->conversationId, lead->conversationId);
    QVERIFY(!message->leadCreated);
    QCOMPARE(f.count(QStringLiteral("leads")), 1);
    QCOMPARE(f.scalar(QStringLiteral("SELECT unread_count FROM conversations")),
             QStringLiteral("1"));
    // The thread key is the negotiation: not kept as media.
    QCOMPARE(f.scalar(QStringLiteral("SELECT media FROM messages")), QStringLiteral("<null>"));
}

void tst_InboundRecorder::thumbtackMessageBeforeLeadMakesAPlaceholder()
{
    Fixture f;
    auto message
        = f.apply(thumbtackMessage(QStringLiteral("M1"), QStringLiteral("N1"), QStringLiteral("C1"),
                                   kT0 + 600'000, QStringLiteral("Hello?")));
    LD_VERIFY_OK(message);
    QVERIFY(message->leadCreated);
    QCOMPARE(f.scalar(QStringLiteral("SELECT external_id || '|' || first_name || '|' || "
                                     "json_extract(details, '$.placeholder') FROM leads")),
             QStringLiteral("N1|Renee|1"));

    auto lead = f.apply(negotiation(QStringLiteral("N1"), QStringLiteral("C1")));
    LD_VERIFY_OK(lead);
    QCOMPARE(lead->outcome, Outcome::Stored); // the placeholder got its details
    QVERIFY(!lead->leadCreated);
    QCOMPARE(lead->leadId, message->leadId);
    QCOMPARE(f.count(QStringLiteral("leads")), 1);
    QCOMPARE(f.count(QStringLiteral("contacts")), 1);
    QCOMPARE(f.scalar(QStringLiteral(
                 "SELECT last_name || '|' || state || '|' || service_interest || '|' || "
                 "COALESCE(json_extract(details, '$.placeholder'), 'none') || '|' || "
                 "json_extract(details, '$.qa[0].question') FROM leads")),
             QStringLiteral("Castillo|OH|Mortgage Brokers|none|Loan purpose"));
    QCOMPARE(f.scalar(QStringLiteral("SELECT last_name || '|' || city FROM contacts")),
             QStringLiteral("Castillo|Columbus"));
    QCOMPARE(f.count(QStringLiteral("activities"),
                     QStringLiteral("activity_type = 'lead_details_received'")),
             1);
    // The lead's request is older than the message: the conversation still waits on us from the
    // message, and the unread count is the message's.
    QCOMPARE(f.scalar(QStringLiteral("SELECT waiting_on || '|' || unread_count || '|' || "
                                     "last_inbound_at FROM conversations")),
             QStringLiteral("business|1|%1").arg(kT0 + 600'000));

    auto again = f.apply(negotiation(QStringLiteral("N1"), QStringLiteral("C1")));
    LD_VERIFY_OK(again);
    QCOMPARE(again->outcome, Outcome::Duplicate);
}

void tst_InboundRecorder::duplicateLeadChangesNothing()
{
    Fixture f;
    auto first = f.apply(negotiation(QStringLiteral("N1"), QStringLiteral("C1")));
    LD_VERIFY_OK(first);
    const QString lead = f.snapshot(QStringLiteral("leads"), first->leadId);
    const QString conversation = f.snapshot(QStringLiteral("conversations"), first->conversationId);
    f.clock.advanceMs(3'600'000);
    auto again = f.apply(negotiation(QStringLiteral("N1"), QStringLiteral("C1")));
    LD_VERIFY_OK(again);
    QCOMPARE(again->outcome, Outcome::Duplicate);
    QCOMPARE(again->leadId, first->leadId);
    QVERIFY(!again->reason.isEmpty());
    QCOMPARE(f.snapshot(QStringLiteral("leads"), first->leadId), lead);
    QCOMPARE(f.snapshot(QStringLiteral("conversations"), first->conversationId), conversation);
    QCOMPARE(f.count(QStringLiteral("contacts")), 1);
    QCOMPARE(f.count(QStringLiteral("activities")), 0);
}

void tst_InboundRecorder::invalidFieldsAreSetAsideNotFatal()
{
    Fixture f;
    InboundEvent e = negotiation(QStringLiteral("N1"), QStringLiteral("C1"));
    e.lead.phone = QStringLiteral("1234567890"); // Thumbtack's test webhook: not a real number
    e.lead.state = QStringLiteral("Atlantis");
    auto applied = f.apply(e);
    LD_VERIFY_OK(applied);
    QCOMPARE(applied->outcome, Outcome::Stored);
    QCOMPARE(applied->droppedFields.size(), 2);
    QCOMPARE(f.scalar(QStringLiteral("SELECT COALESCE(phone, 'none') || '|' || COALESCE(state, "
                                     "'none') FROM leads")),
             QStringLiteral("none|none"));
    QCOMPARE(f.scalar(QStringLiteral("SELECT json_extract(details, "
                                     "'$.rejected_fields.phone.value') FROM leads")),
             QStringLiteral("1234567890"));
    QCOMPARE(f.scalar(QStringLiteral("SELECT json_extract(details, "
                                     "'$.rejected_fields.state.value') FROM leads")),
             QStringLiteral("Atlantis"));
}

void tst_InboundRecorder::knownChannelIdKeepsOneContactAcrossLeads()
{
    Fixture f;
    auto first = f.apply(negotiation(QStringLiteral("N1"), QStringLiteral("C1")));
    auto second = f.apply(negotiation(QStringLiteral("N2"), QStringLiteral("C1"), kT0 + 1000));
    LD_VERIFY_OK(first);
    LD_VERIFY_OK(second);
    QCOMPARE(second->outcome, Outcome::Stored);
    QVERIFY(second->leadCreated);
    QCOMPARE(second->contactId, first->contactId);
    QCOMPARE(f.count(QStringLiteral("contacts")), 1);
    QCOMPARE(
        f.count(QStringLiteral("leads"), QStringLiteral("contact_id = '%1'").arg(first->contactId)),
        2);
    QCOMPARE(
        f.count(QStringLiteral("activities"), QStringLiteral("activity_type = 'identity_merged'")),
        1);
    // One conversation per person and channel, now on the newest negotiation.
    QCOMPARE(f.scalar(QStringLiteral("SELECT external_thread_id || '|' || lead_id FROM "
                                     "conversations")),
             QStringLiteral("N2|%1").arg(second->leadId));
}

void tst_InboundRecorder::businessMessageFromProviderAppIsOutbound()
{
    Fixture f;
    auto lead = f.apply(negotiation(QStringLiteral("N1"), QStringLiteral("C1")));
    LD_VERIFY_OK(lead);
    InboundEvent e
        = thumbtackMessage(QStringLiteral("M1"), QStringLiteral("N1"), QStringLiteral("C1"),
                           kT0 + 900'000, QStringLiteral("Happy to help - when works?"));
    e.extra.insert(Core::InboundRecorder::kDirectionKey, QStringLiteral("out"));
    auto applied = f.apply(e);
    LD_VERIFY_OK(applied);
    QCOMPARE(f.scalar(QStringLiteral("SELECT direction || '|' || delivery_status FROM messages")),
             QStringLiteral("out|sent"));
    QCOMPARE(f.scalar(QStringLiteral("SELECT last_sender || '|' || waiting_on || '|' || "
                                     "last_outbound_at FROM conversations")),
             QStringLiteral("business|lead|%1").arg(kT0 + 900'000));
    QCOMPARE(f.scalar(QStringLiteral("SELECT waiting_on || '|' || first_response_at || '|' || "
                                     "last_outbound_at FROM leads")),
             QStringLiteral("lead|%1|%1").arg(kT0 + 900'000));
}

void tst_InboundRecorder::slaClockFollowsTheConversation()
{
    Fixture f;
    // The first inbound of a lead starts its (first-response) clock...
    auto first = f.apply(sms(QStringLiteral("SM1"), QStringLiteral("Hi"), kT0));
    LD_VERIFY_OK(first);
    QCOMPARE(
        f.scalar(QStringLiteral("SELECT sla_started_at || '|' || (response_due_at > "
                                "sla_started_at) || '|' || COALESCE(sla_stopped_at, 'running') "
                                "FROM leads")),
        QStringLiteral("%1|1|running").arg(kT0));
    // ...a later message while it runs does not restart it...
    LD_VERIFY_OK(f.apply(sms(QStringLiteral("SM2"), QStringLiteral("?"), kT0 + 60'000)));
    QCOMPARE(f.scalar(QStringLiteral("SELECT sla_started_at FROM leads")), QString::number(kT0));
    // ...the business's answer (here from the provider's app) stops it...
    InboundEvent reply = sms(QStringLiteral("SMout"), QStringLiteral("Sure"), kT0 + 120'000);
    reply.extra.insert(Core::InboundRecorder::kDirectionKey, QStringLiteral("out"));
    LD_VERIFY_OK(f.apply(reply));
    QCOMPARE(f.scalar(QStringLiteral("SELECT sla_stopped_at || '|' || first_response_at || '|' || "
                                     "waiting_on FROM leads")),
             QStringLiteral("%1|%1|lead").arg(kT0 + 120'000));
    // ...a STOP asks nothing of the business: no new clock, still waiting on the lead...
    InboundEvent stop = sms(QStringLiteral("SM3"), QStringLiteral("STOP"), kT0 + 180'000);
    stop.kind = Kind::OptOut;
    LD_VERIFY_OK(f.apply(stop));
    QCOMPARE(f.scalar(QStringLiteral("SELECT sla_started_at || '|' || waiting_on || '|' || "
                                     "last_inbound_at FROM leads")),
             QStringLiteral("%1|lead|%2").arg(kT0).arg(kT0 + 180'000));
    // ...and their next real message starts the next-response clock.
    LD_VERIFY_OK(
        f.apply(sms(QStringLiteral("SM4"), QStringLiteral("One more thing"), kT0 + 240'000)));
    QCOMPARE(f.scalar(QStringLiteral("SELECT sla_started_at || '|' || COALESCE(sla_stopped_at, "
                                     "'running') || '|' || waiting_on FROM leads")),
             QStringLiteral("%1|running|business").arg(kT0 + 240'000));
}

void tst_InboundRecorder::statusRanking_data()
{
    QTest::addColumn<QStringList>("statuses"); // "failed:30003" carries an error code
    QTest::addColumn<QList<int>>("outcomes");
    QTest::addColumn<QString>("finalStatus");
    QTest::addColumn<QString>("finalError");
    const int S = int(Outcome::Stored), D = int(Outcome::Duplicate), I = int(Outcome::Ignored);
    QTest::newRow("in order") << QStringList{"sent", "delivered", "read"} << QList<int>{S, S, S}
                              << "read"
                              << "<null>";
    QTest::newRow("delivered after read")
        << QStringList{"read", "delivered"} << QList<int>{S, I} << "read"
        << "<null>";
    QTest::newRow("sent after delivered")
        << QStringList{"delivered", "sent"} << QList<int>{S, I} << "delivered"
        << "<null>";
    QTest::newRow("repeated") << QStringList{"delivered", "delivered"} << QList<int>{S, D}
                              << "delivered"
                              << "<null>";
    QTest::newRow("failed keeps its code")
        << QStringList{"sent", "failed:30003", "delivered", "read"} << QList<int>{S, S, I, I}
        << "failed"
        << "30003: Unreachable destination handset";
    QTest::newRow("failed twice keeps the first")
        << QStringList{"failed:30003", "failed:30005"} << QList<int>{S, D} << "failed"
        << "30003: Unreachable destination handset";
    QTest::newRow("failed after read")
        << QStringList{"read", "failed:30003"} << QList<int>{S, I} << "read"
        << "<null>";
    QTest::newRow("failed after delivered")
        << QStringList{"delivered", "failed:30008"} << QList<int>{S, S} << "failed"
        << "30008: Unreachable destination handset";
    QTest::newRow("unknown status") << QStringList{"bogus"} << QList<int>{I} << "queued"
                                    << "<null>";
}

void tst_InboundRecorder::statusRanking()
{
    QFETCH(QStringList, statuses);
    QFETCH(QList<int>, outcomes);
    QFETCH(QString, finalStatus);
    QFETCH(QString, finalError);
    Fixture f;
    auto first = f.apply(sms(QStringLiteral("SMin"), QStringLiteral("Hi")));
    LD_VERIFY_OK(first);
    QSqlQuery q(f.db().connection());
    q.prepare(QStringLiteral("INSERT INTO messages (id, business_id, conversation_id, lead_id, "
                             "direction, body, sent_at, external_id, delivery_status, created_at, "
                             "updated_at) VALUES ('m-out', ?, ?, ?, 'out', 'Sure', ?, 'SMout', "
                             "'queued', ?, ?)"));
    for (const QVariant &v : QVariantList{f.business(), first->conversationId, first->leadId,
                                          kT0 + 1, kT0 + 1, kT0 + 1})
        q.addBindValue(v);
    QVERIFY(q.exec());
    for (qsizetype i = 0; i < statuses.size(); ++i) {
        const QStringList parts = statuses.at(i).split(QLatin1Char(':'));
        auto applied = f.apply(status(QStringLiteral("SMout"), parts.at(0), parts.value(1)));
        LD_VERIFY_OK(applied);
        QCOMPARE(int(applied->outcome), outcomes.at(i));
        QCOMPARE(applied->messageId,
                 parts.at(0) == QLatin1String("bogus") ? QString() : QStringLiteral("m-out"));
    }
    QCOMPARE(f.scalar(QStringLiteral("SELECT delivery_status FROM messages WHERE id = 'm-out'")),
             finalStatus);
    QCOMPARE(f.scalar(QStringLiteral("SELECT error FROM messages WHERE id = 'm-out'")), finalError);
}

void tst_InboundRecorder::statusOfUnknownOrInboundMessageIsIgnored()
{
    Fixture f;
    auto unknown = f.apply(status(QStringLiteral("SMnope"), QStringLiteral("delivered")));
    LD_VERIFY_OK(unknown);
    QCOMPARE(unknown->outcome, Outcome::Ignored);
    QVERIFY(unknown->reason.contains(QLatin1String("unknown message")));
    LD_VERIFY_OK(f.apply(sms(QStringLiteral("SMin"), QStringLiteral("Hi"))));
    auto inbound = f.apply(status(QStringLiteral("SMin"), QStringLiteral("read")));
    LD_VERIFY_OK(inbound);
    QCOMPARE(inbound->outcome, Outcome::Ignored);
    QCOMPARE(f.scalar(QStringLiteral("SELECT delivery_status FROM messages")),
             QStringLiteral("received"));
    auto noId = f.apply(status(QString(), QStringLiteral("read")));
    LD_VERIFY_OK(noId);
    QCOMPARE(noId->outcome, Outcome::Ignored);
}

void tst_InboundRecorder::optOutAndBackIn()
{
    Fixture f;
    auto first = f.apply(sms(QStringLiteral("SM1"), QStringLiteral("Hi")));
    LD_VERIFY_OK(first);
    InboundEvent stop = sms(QStringLiteral("SM2"), QStringLiteral("STOP"), kT0 + 1000);
    stop.kind = Kind::OptOut;
    auto out = f.apply(stop);
    LD_VERIFY_OK(out);
    QCOMPARE(out->outcome, Outcome::Stored);
    QCOMPARE(out->kind, Kind::OptOut);
    QCOMPARE(out->contactId, first->contactId);
    QCOMPARE(f.scalar(QStringLiteral("SELECT sms_opted_out FROM contacts")), QStringLiteral("1"));
    QCOMPARE(
        f.count(
            QStringLiteral("activities"),
            QStringLiteral("activity_type = 'sms_opt_out' AND lead_id = '%1'").arg(first->leadId)),
        1);
    QCOMPARE(f.count(QStringLiteral("messages"), QStringLiteral("body = 'STOP'")), 1);
    // Nobody is waited on after a STOP: the business may not write back.
    QCOMPARE(f.scalar(QStringLiteral("SELECT COALESCE(waiting_on, 'none') FROM conversations")),
             QStringLiteral("none"));
    QCOMPARE(f.count(QStringLiteral("leads")), 1);

    const QString contact = f.snapshot(QStringLiteral("contacts"), first->contactId);
    auto again = f.apply(stop);
    LD_VERIFY_OK(again);
    QCOMPARE(again->outcome, Outcome::Duplicate);
    QCOMPARE(f.snapshot(QStringLiteral("contacts"), first->contactId), contact);
    QCOMPARE(f.count(QStringLiteral("activities"), QStringLiteral("activity_type = 'sms_opt_out'")),
             1);

    InboundEvent start = sms(QStringLiteral("SM3"), QStringLiteral("start"), kT0 + 2000);
    start.kind = Kind::OptIn;
    auto in = f.apply(start);
    LD_VERIFY_OK(in);
    QCOMPARE(in->outcome, Outcome::Stored);
    QCOMPARE(f.scalar(QStringLiteral("SELECT sms_opted_out FROM contacts")), QStringLiteral("0"));
    QCOMPARE(f.count(QStringLiteral("activities"), QStringLiteral("activity_type = 'sms_opt_in'")),
             1);
}

void tst_InboundRecorder::optOutFromUnknownNumberMakesContactOnly()
{
    Fixture f;
    InboundEvent stop = sms(QStringLiteral("SM1"), QStringLiteral("Stop"));
    stop.kind = Kind::OptOut;
    auto out = f.apply(stop);
    LD_VERIFY_OK(out);
    QCOMPARE(out->outcome, Outcome::Stored);
    QVERIFY(out->leadId.isEmpty());
    QCOMPARE(f.count(QStringLiteral("leads")), 0);
    QCOMPARE(f.scalar(QStringLiteral("SELECT phone || '|' || sms_opted_out FROM contacts")),
             QStringLiteral("+16145550177|1"));
    QCOMPARE(f.scalar(QStringLiteral("SELECT COALESCE(lead_id, 'none') FROM conversations")),
             QStringLiteral("none"));
    QCOMPARE(f.count(QStringLiteral("activities"),
                     QStringLiteral("activity_type = 'sms_opt_out' AND lead_id IS NULL")),
             1);
    // Their next ordinary message opens a lead on the same contact.
    auto later = f.apply(
        sms(QStringLiteral("SM2"), QStringLiteral("Actually, a quote please"), kT0 + 5000));
    LD_VERIFY_OK(later);
    QVERIFY(later->leadCreated);
    QCOMPARE(later->contactId, out->contactId);
    QCOMPARE(f.count(QStringLiteral("contacts")), 1);
}

void tst_InboundRecorder::helpIsAnActivity()
{
    Fixture f;
    LD_VERIFY_OK(f.apply(sms(QStringLiteral("SM1"), QStringLiteral("Hi"))));
    InboundEvent help = sms(QStringLiteral("SM2"), QStringLiteral("HELP"), kT0 + 1000);
    help.kind = Kind::Help;
    auto applied = f.apply(help);
    LD_VERIFY_OK(applied);
    QCOMPARE(applied->outcome, Outcome::Stored);
    QCOMPARE(f.count(QStringLiteral("activities"), QStringLiteral("activity_type = 'sms_help'")),
             1);
    QCOMPARE(f.scalar(QStringLiteral("SELECT sms_opted_out FROM contacts")), QStringLiteral("0"));
    QCOMPARE(f.scalar(QStringLiteral("SELECT waiting_on || unread_count FROM conversations")),
             QStringLiteral("business2"));
}

void tst_InboundRecorder::injectionStringsAreStoredVerbatim()
{
    Fixture f;
    const QString sql = QStringLiteral("Robert'); DROP TABLE leads;--");
    const QString html
        = QStringLiteral("<script>alert(1)</script> \" ' \\ %s %n {{7*7}} ${jndi:x}");
    InboundEvent e = thumbtackMessage(QStringLiteral("M1'--"), QStringLiteral("N1\"; DELETE"),
                                      QStringLiteral("C1' OR '1'='1"), kT0, sql + html);
    e.senderName = html;
    auto applied = f.apply(e);
    LD_VERIFY_OK(applied);
    QCOMPARE(f.scalar(QStringLiteral("SELECT body FROM messages")), sql + html);
    QCOMPARE(f.scalar(QStringLiteral("SELECT external_id FROM messages")), QStringLiteral("M1'--"));
    QCOMPARE(f.scalar(QStringLiteral("SELECT external_id FROM leads")),
             QStringLiteral("N1\"; DELETE"));
    QCOMPARE(f.count(QStringLiteral("contact_identities"),
                     QStringLiteral("external_id = 'C1'' OR ''1''=''1'")),
             1);
    QCOMPARE(f.count(QStringLiteral("leads")), 1);
    auto again = f.apply(e);
    LD_VERIFY_OK(again);
    QCOMPARE(again->outcome, Outcome::Duplicate);
}

void tst_InboundRecorder::eventsWithoutSenderOrChannelAreIgnored()
{
    Fixture f;
    InboundEvent noSender = sms(QStringLiteral("SM1"), QStringLiteral("Hi"), kT0, QString());
    auto a = f.apply(noSender);
    LD_VERIFY_OK(a);
    QCOMPARE(a->outcome, Outcome::Ignored);
    InboundEvent noChannel = sms(QStringLiteral("SM2"), QStringLiteral("Hi"));
    noChannel.channel.clear();
    auto b = f.apply(noChannel);
    LD_VERIFY_OK(b);
    QCOMPARE(b->outcome, Outcome::Ignored);
    QCOMPARE(f.count(QStringLiteral("messages")), 0);
    QCOMPARE(f.count(QStringLiteral("contacts")), 0);
}

void tst_InboundRecorder::extraIsKeptWithTheMessage()
{
    Fixture f;
    InboundEvent e = sms(QStringLiteral("SM1"), QStringLiteral("Photo"));
    e.media = QJsonObject{{QStringLiteral("type"), QStringLiteral("mms")}};
    e.extra.insert(QStringLiteral("button_payload"), QStringLiteral("BOOK_CALL"));
    LD_VERIFY_OK(f.apply(e));
    const QJsonObject media
        = QJsonDocument::fromJson(f.scalar(QStringLiteral("SELECT media FROM messages")).toUtf8())
              .object();
    QCOMPARE(media.value(QStringLiteral("type")).toString(), QStringLiteral("mms"));
    QCOMPARE(media.value(QStringLiteral("extra"))
                 .toObject()
                 .value(QStringLiteral("button_payload"))
                 .toString(),
             QStringLiteral("BOOK_CALL"));
}

void tst_InboundRecorder::batchReturnsOneOutcomePerEvent()
{
    Fixture f;
    auto applied = f.recorder.apply(
        f.business(), QList<InboundEvent>{sms(QStringLiteral("SM1"), QStringLiteral("a")),
                                          sms(QStringLiteral("SM1"), QStringLiteral("a")),
                                          status(QStringLiteral("SMx"), QStringLiteral("sent"))});
    LD_VERIFY_OK(applied);
    QCOMPARE(applied->size(), 3);
    QCOMPARE(applied->at(0).outcome, Outcome::Stored);
    QCOMPARE(applied->at(1).outcome, Outcome::Duplicate);
    QCOMPARE(applied->at(2).outcome, Outcome::Ignored);
    QCOMPARE(Core::InboundRecorder::outcomeName(applied->at(1).outcome),
             QStringLiteral("duplicate"));
}

QTEST_GUILESS_MAIN(tst_InboundRecorder)
#include "tst_inboundrecorder.moc"
