#pragma once

#include "inboundevent.h"
#include "inboundroute.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

// What the Meta webhook routes (WhatsAppRoute, MessengerRoute) share: the signature screen, the
// request dedupe key, and applying parsed events to the store through Core::InboundRecorder.
namespace LeadDesk::Sync::MetaRouteSupport {

// Meta batches up to 1000 updates in one delivery.
constexpr qint64 kMaxBodyBytes = 4 * 1024 * 1024;

// 401 unless the body carries a valid X-Hub-Signature-256 for `appSecret`.
[[nodiscard]] std::optional<InboundResponse> screenSignature(const InboundRequest &request,
                                                             const QByteArray &appSecret);

// The JSON body, or the 400 rejection for a body that can never be read (malformed, truncated,
// invalid UTF-8, nested too deeply, not an object).
[[nodiscard]] std::optional<InboundResponse> rejectUnreadable(const QByteArray &body);

// One request-level key from the per-event keys: the same delivery (same events) always gives
// the same key; long lists are hashed. Empty for no events.
[[nodiscard]] QString dedupeKey(QStringList eventKeys);

// The answer Meta gets once the body is safe in the journal (anything but 200 makes Meta retry).
[[nodiscard]] InboundResponse received();

// Applies the events; the outcome is Duplicate when every event was already stored.
Core::Result<ProcessOutcome> applyEvents(const QList<Core::InboundEvent> &events,
                                         WriteContext &context);

// A delivery our adapter could not use although it is well-formed JSON: kept as 'failed' for
// `journal replay` after a fix, and answered 200 so Meta does not resend it for days.
[[nodiscard]] ProcessOutcome failedOutcome(const Core::Error &error);

} // namespace LeadDesk::Sync::MetaRouteSupport
