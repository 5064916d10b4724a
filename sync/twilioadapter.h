#pragma once

#include "inboundevent.h"
#include "result.h"
#include "twiliosignature.h"

#include <QByteArray>
#include <QString>
#include <QStringView>

namespace LeadDesk::Sync {

// Twilio Programmable Messaging webhooks to canonical events. Pure: no store, no network, any
// thread. Parameters are read by name and unknown ones ignored (Twilio adds parameters at will).
//
// - Inbound SMS/MMS (`POST /webhooks/twilio/sms`): MessageSid (SmsMessageSid / SmsSid as
//   fallbacks), From, To, Body, NumMedia with MediaUrlN / MediaContentTypeN. A body that is one
//   of Twilio's default keywords becomes OptOut (STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT),
//   OptIn (START, YES, UNSTOP) or Help (HELP, INFO); anything else is a Message. Twilio has
//   already acted on the keyword when we see it; we record it on the contact.
// - Status callbacks (`POST /webhooks/twilio/status`): MessageSid + MessageStatus (SmsStatus as
//   fallback) and ErrorCode become Kind::DeliveryStatus in our vocabulary (statusOf()).
// Required: the message sid and From (inbound) or the status (callbacks).
class TwilioAdapter final
{
public:
    static constexpr auto kChannel = "sms";

    enum class Keyword { None, OptOut, OptIn, Help };

    // The keyword a whole message body is: trimmed, any case, surrounding punctuation ignored
    // ("Stop." counts: an opt-out is honoured rather than argued with).
    [[nodiscard]] static Keyword keyword(QStringView body);

    static Core::Result<Core::InboundEvent> parseInbound(const TwilioSignature::FormParams &params);
    static Core::Result<Core::InboundEvent> parseStatus(const TwilioSignature::FormParams &params);

    // Twilio's MessageStatus in our vocabulary: accepted / scheduled / queued / sending ->
    // queued, sent, delivered, read, undelivered / failed / canceled -> failed. Anything else is
    // returned lower-cased (InboundRecorder ignores statuses it does not rank).
    [[nodiscard]] static QString statusOf(QStringView twilioStatus);

    // The key that makes a redelivery idempotent: the MessageSid for an inbound message, the
    // sid plus the status for a callback (one message has several).
    [[nodiscard]] static QString dedupeKey(const Core::InboundEvent &event);

    // The TwiML answer that sends no auto-reply (text/xml).
    [[nodiscard]] static QByteArray emptyTwiml();
};

} // namespace LeadDesk::Sync
