#pragma once

#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QUrlQuery>

namespace LeadDesk::Sync {

// The two checks every Meta webhook (WhatsApp, Messenger, Lead Ads) goes through: the GET
// subscription handshake (`hub.mode` / `hub.verify_token` / `hub.challenge`) and the
// `X-Hub-Signature-256: sha256=<hex>` header on every POST, an HMAC-SHA256 of the exact raw body
// bytes keyed with the app secret. Nothing here re-serialises JSON: the bytes on the wire are what
// Meta signed.
class MetaSignature final
{
public:
    static constexpr auto kHeader = "X-Hub-Signature-256";

    // "sha256=" followed by the lower-case hex HMAC, as Meta sends it.
    [[nodiscard]] static QByteArray sign(QByteArrayView appSecret, QByteArrayView body);

    // Succeeds only for a well-formed header whose HMAC matches, compared in constant time. An
    // empty secret never verifies: an unconfigured app must not accept unsigned deliveries.
    [[nodiscard]] static Core::Result<void> verify(QByteArrayView appSecret, QByteArrayView body,
                                                   QByteArrayView headerValue);

    // Equality whose running time depends only on the lengths, never on where the bytes differ.
    [[nodiscard]] static bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

    // What to answer a GET subscription request: 200 with the challenge as a text/plain body, 403
    // when the mode or the verify token is wrong (Meta leaves that status open; 403 is the usual
    // choice), 400 when the challenge is missing or not a plain token.
    struct HandshakeReply
    {
        int status = 403;
        QByteArray body;
    };
    [[nodiscard]] static HandshakeReply handshake(const QUrlQuery &query,
                                                  const QString &verifyToken);
};

} // namespace LeadDesk::Sync
