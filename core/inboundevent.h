#pragma once

#include "leadrecord.h"

#include <QJsonObject>
#include <QString>

namespace LeadDesk::Core {

// What any channel adapter turns a webhook delivery (or a poll result) into: one canonical
// event, whatever the wire format was. A delivery may carry several (a WhatsApp batch holds
// messages and statuses for many people). Core applies events to the store; adapters only parse.
struct InboundEvent
{
    enum class Kind {
        Lead,           // a new enquiry: `lead` holds its fields (Lead Ads, Thumbtack negotiation)
        Message,        // a message from the person: `body`, `media`, threaded by `threadId`
        DeliveryStatus, // the fate of one of our outbound messages: `status` for `externalId`
        OptOut,         // STOP and its synonyms (SMS): the contact asked for no more messages
        OptIn,          // START / UNSTOP
        Help,           // HELP / INFO
    };

    Kind kind = Kind::Message;
    QString channel;    // whatsapp, messenger, leadads, thumbtack, sms
    QString externalId; // the provider's id of this message / lead / status subject; the dedupe key
    QString threadId;   // the provider's conversation key (wa_id, PSID, negotiation id, phone)
    QString senderId;   // the person's id on the channel (wa_id, PSID, customer id, E.164 phone)
    QString senderName; // profile or display name, as sent
    QString recipientId; // our side: phone_number_id, page id, business phone
    qint64 occurredAtMs = 0;

    RawLead lead;      // Kind::Lead: the enquiry; other kinds: contact hints (name, phone, e-mail)
    QString body;      // Kind::Message: text, caption, button title or postback title
    QJsonObject media; // Kind::Message: {type, id, mime_type, sha256, filename, url...}
    QJsonObject extra; // anything else worth keeping verbatim (interactive ids, postback payload)

    QString status;    // Kind::DeliveryStatus: sent, delivered, read, failed (our vocabulary)
    QString errorCode; // Kind::DeliveryStatus: provider error code and title, when failed
    QString errorText;
};

} // namespace LeadDesk::Core
