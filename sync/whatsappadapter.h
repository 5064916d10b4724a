#pragma once

#include "inboundevent.h"
#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace LeadDesk::Sync {

// WhatsApp Cloud API webhooks (`object: whatsapp_business_account`, `changes[].field: messages`)
// to canonical events. Pure: no store, no network, any thread.
//
// - `value.messages[]` become Kind::Message: text, interactive button/list replies, template
//   quick-reply buttons, media (metadata and caption; the bytes are fetched later through the
//   media id), location, shared contacts, reactions. Unknown types are kept as messages whose
//   `extra.type` says what they were, so nothing the person sent is dropped.
// - `value.contacts[]` give the sender's profile name and wa_id.
// - `value.statuses[]` become Kind::DeliveryStatus for our outbound wamid. They arrive out of
//   order and more than once: statusAdvances() says which ones may change a message.
// - `value.errors[]` (system-level problems with no message attached) are logged, not events.
//
// A delivery with a message or status missing a required field (id, from, timestamp, type,
// status) fails as a whole with the JSON path of the problem: the journal keeps it for replay.
class WhatsAppAdapter final
{
public:
    static constexpr auto kChannel = "whatsapp";

    static Core::Result<QList<Core::InboundEvent>> parse(const QByteArray &body);

    // The key that makes a redelivery idempotent: the wamid for a message, the wamid plus the
    // status for a status callback (one message has several).
    [[nodiscard]] static QString dedupeKey(const Core::InboundEvent &event);

    // Whether a status callback may replace a message's current status. The store enforces
    // this (Core::InboundRecorder, whose ranking this uses): statuses only move forward through
    // queued < sent < delivered < read, failed is final, and a read message cannot fail. So a
    // late `delivered` never undoes `read`, and a late `sent` never undoes `failed`.
    [[nodiscard]] static bool statusAdvances(const QString &current, const QString &incoming);
};

} // namespace LeadDesk::Sync
