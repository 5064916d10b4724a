#pragma once

#include "inboundevent.h"
#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace LeadDesk::Sync {

// Thumbtack deliveries to canonical events. Pure: no store, no network, any thread.
//
// - v4 webhooks (`POST /webhooks/thumbtack`): `{event: {eventType, ...}, data: {...}}`.
//   NegotiationCreatedV4 becomes Kind::Lead (external id and thread: the negotiation id; the
//   customer, category, request title and description, location, lead price, estimate, Q&A,
//   proposed times, attachments and travel preferences go to the lead and its details JSON).
//   MessageCreatedV4 becomes Kind::Message threaded by the negotiation id (InboundRecorder's
//   kLeadRefKey), from "Business" marked outbound. Other event types (ReviewCreatedV4...) parse
//   to no event, with a reason. The envelope is known only from integrators' captures, so a body
//   without it (the docs' flat `data`) is read as the data, its type inferred.
// - Seed 000's legacy partner endpoints: `POST /v1/lead` (the pre-v4 lead JSON: leadID,
//   createTimestamp, price, request{...}) and `POST /v1/message` (shape undocumented: leadID,
//   messageID, text / message, customer or customerID, from, a timestamp; read leniently).
// - The customer comes as {firstName, lastName} or {displayName} / {name}; both are read.
//   Without a customer id the person is keyed by the lead ("negotiation:<id>"), so a lead and
//   its messages still meet on one contact.
// Required: the negotiation / lead id, and for messages the message id. A missing or mistyped
// required field fails the delivery with its JSON path.
class ThumbtackAdapter final
{
public:
    static constexpr auto kChannel = "thumbtack";

    struct Parsed
    {
        QList<Core::InboundEvent> events;
        QString ignoredReason; // no events: why (an event type we do not handle)
    };

    static Core::Result<Parsed> parseV4(const QJsonObject &root);
    static Core::Result<Parsed> parseLegacyLead(const QJsonObject &root);
    static Core::Result<Parsed> parseLegacyMessage(const QJsonObject &root);
    // The same from raw bytes (malformed JSON, invalid UTF-8 or a non-object top level fail).
    static Core::Result<Parsed> parseV4(const QByteArray &body);
    static Core::Result<Parsed> parseLegacyLead(const QByteArray &body);
    static Core::Result<Parsed> parseLegacyMessage(const QByteArray &body);

    // The key that makes a redelivery idempotent: "lead:<negotiation id>" or "message:<id>".
    [[nodiscard]] static QString dedupeKey(const Core::InboundEvent &event);

    // HTTP Basic as Thumbtack sends it for a webhook registered with `auth`: true only when the
    // header carries exactly this user name and password, compared in constant time. Empty
    // configured credentials never match.
    [[nodiscard]] static bool checkBasicAuth(QByteArrayView authorizationHeader,
                                             const QString &username, const QString &password);
};

} // namespace LeadDesk::Sync
