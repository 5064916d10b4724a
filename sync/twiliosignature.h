#pragma once

#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QList>
#include <QString>

#include <utility>

namespace LeadDesk::Sync {

// Twilio's `X-Twilio-Signature` (twilio.com/docs/usage/security): base64(HMAC-SHA1(auth token,
// full URL + every POST parameter's name and value, sorted, no separators)). The URL is the one
// Twilio called, so behind a reverse proxy it is the configured public URL, not the Host header
// (InboundRequest::publicUrl()).
//
// Twilio's own SDKs disagree at the edges, so verify() accepts what any of them would: the
// parameters sorted by name (twilio-python, -node; docs) or as sorted "namevalue" strings
// (twilio-go), and the URL as given, without its port, or with the scheme's default port
// (twilio-go; proxies add or drop ":443").
class TwilioSignature final
{
public:
    static constexpr auto kHeader = "X-Twilio-Signature";

    // Decoded application/x-www-form-urlencoded pairs, as bytes, in body order.
    using FormParams = QList<std::pair<QByteArray, QByteArray>>;

    // Splits a form body on '&' and '=' and decodes '+' and %XX. Fails on a malformed escape
    // ("%G1", a trailing "%4") or an empty name; an empty body is no parameters.
    static Core::Result<FormParams> parseForm(QByteArrayView body);

    // The signature Twilio sends for this URL and these parameters (the official algorithm:
    // sorted by name, then by value for repeated names).
    [[nodiscard]] static QByteArray sign(QByteArrayView authToken, const QString &url,
                                         const FormParams &params);

    // Succeeds when the header matches one of the accepted forms above, each compared in
    // constant time. An empty token never verifies.
    [[nodiscard]] static Core::Result<void> verify(QByteArrayView authToken, const QString &url,
                                                   const FormParams &params,
                                                   QByteArrayView headerValue);

    // Equality whose running time depends only on the lengths.
    [[nodiscard]] static bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

    // The URL variants verify() tries: as given, then without / with the default port.
    [[nodiscard]] static QList<QString> urlVariants(const QString &url);
};

} // namespace LeadDesk::Sync
