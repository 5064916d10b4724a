#pragma once

#include "inboundevent.h"
#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace LeadDesk::Sync {

// Messenger Platform webhooks (`object: page`, `entry[].messaging[]`) to canonical events, keyed
// by the person's page-scoped id (PSID). Pure: no store, no network, any thread.
//
// - `message` becomes Kind::Message: text, quick-reply payload, the message it replies to, and
//   attachments (the first as `media`, all of them in `extra.attachments`). Echoes of our own
//   sends (`is_echo`) are skipped: the outbox already recorded them.
// - `postback` (a button, Get Started, a menu item) becomes Kind::Message whose body is the
//   button title and whose `extra.postback_payload` is our payload.
// - `delivery` with `mids` becomes Kind::DeliveryStatus "delivered" for each of our messages.
//   Read receipts carry only a watermark time, no message id, so they are not events.
// - Lead Ads `changes[]` on the same page object are LeadAdsAdapter's; they are ignored here.
//
// An event without a sender, a timestamp, or (for messages) a mid fails the whole delivery with
// its JSON path, so the journal keeps it for replay.
class MessengerAdapter final
{
public:
    static constexpr auto kChannel = "messenger";

    static Core::Result<QList<Core::InboundEvent>> parse(const QByteArray &body);

    // The key that makes a redelivery idempotent: the mid; for a delivery receipt the mid plus
    // "#delivered".
    [[nodiscard]] static QString dedupeKey(const Core::InboundEvent &event);
};

} // namespace LeadDesk::Sync
