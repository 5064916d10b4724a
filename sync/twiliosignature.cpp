#include "twiliosignature.h"

#include <QMessageAuthenticationCode>
#include <QUrl>

#include <algorithm>

namespace LeadDesk::Sync {

using Core::fail;
using Core::Result;

namespace {

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

Result<QByteArray> formDecode(QByteArrayView part)
{
    QByteArray out;
    out.reserve(part.size());
    for (qsizetype i = 0; i < part.size(); ++i) {
        const char c = part[i];
        if (c == '+') {
            out.append(' ');
        } else if (c == '%') {
            const bool complete = i + 2 < part.size();
            const int high = complete ? hexValue(part[i + 1]) : -1;
            const int low = complete ? hexValue(part[i + 2]) : -1;
            if (high < 0 || low < 0)
                return fail(QStringLiteral("malformed percent escape at byte %1").arg(i));
            out.append(char(high * 16 + low));
            i += 2;
        } else {
            out.append(c);
        }
    }
    return out;
}

QByteArray hmac(QByteArrayView key, const QByteArray &data)
{
    QMessageAuthenticationCode mac(QCryptographicHash::Sha1, key.toByteArray());
    mac.addData(data);
    return mac.result().toBase64();
}

} // namespace

Result<TwilioSignature::FormParams> TwilioSignature::parseForm(QByteArrayView body)
{
    FormParams params;
    qsizetype start = 0;
    while (start <= body.size()) {
        qsizetype end = body.indexOf('&', start);
        if (end < 0)
            end = body.size();
        const QByteArrayView pair = body.sliced(start, end - start);
        start = end + 1;
        if (pair.isEmpty())
            continue; // "a=1&&b=2", a trailing '&'
        const qsizetype equals = pair.indexOf('=');
        auto name = formDecode(equals < 0 ? pair : pair.first(equals));
        if (!name)
            return std::unexpected(name.error());
        if (name->isEmpty())
            return fail(QStringLiteral("a form parameter has no name"));
        auto value = formDecode(equals < 0 ? QByteArrayView() : pair.sliced(equals + 1));
        if (!value)
            return std::unexpected(value.error());
        params.push_back({*name, *value});
    }
    return params;
}

QByteArray TwilioSignature::sign(QByteArrayView authToken, const QString &url,
                                 const FormParams &params)
{
    FormParams sorted = params;
    std::sort(sorted.begin(), sorted.end()); // by name, then value (pair order)
    QByteArray data = url.toUtf8();
    for (const auto &[name, value] : std::as_const(sorted))
        data += name + value;
    return hmac(authToken, data);
}

bool TwilioSignature::constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

QList<QString> TwilioSignature::urlVariants(const QString &url)
{
    QList<QString> variants{url};
    const QUrl parsed(url, QUrl::StrictMode);
    if (!parsed.isValid() || parsed.host().isEmpty())
        return variants;
    const int defaultPort = parsed.scheme() == QLatin1String("https") ? 443 : 80;
    // Rewrite only the authority, so the path and query keep their exact encoding.
    const QString authority = parsed.authority(QUrl::FullyEncoded);
    const qsizetype at = url.indexOf(authority);
    if (at < 0)
        return variants;
    QUrl other = parsed;
    other.setPort(parsed.port() == -1 ? defaultPort : -1);
    const QString replaced
        = url.left(at) + other.authority(QUrl::FullyEncoded) + url.mid(at + authority.size());
    if (replaced != url)
        variants.push_back(replaced);
    return variants;
}

Result<void> TwilioSignature::verify(QByteArrayView authToken, const QString &url,
                                     const FormParams &params, QByteArrayView headerValue)
{
    if (authToken.isEmpty())
        return fail(QStringLiteral("no Twilio auth token is configured"));
    const QByteArray given = headerValue.toByteArray().trimmed();
    if (given.isEmpty())
        return fail(QStringLiteral("the X-Twilio-Signature header is missing"));

    QList<QByteArray> concatenated;
    concatenated.reserve(params.size());
    for (const auto &[name, value] : params)
        concatenated.push_back(name + value);
    std::sort(concatenated.begin(), concatenated.end());
    const QByteArray goOrder = concatenated.join();

    bool matched = false;
    for (const QString &candidate : urlVariants(url)) {
        // Both orders are computed and compared every time: the work does not depend on which
        // one (if any) the sender used.
        const bool byName = constantTimeEquals(sign(authToken, candidate, params), given);
        const bool byPair
            = constantTimeEquals(hmac(authToken, candidate.toUtf8() + goOrder), given);
        matched = matched || byName || byPair;
    }
    if (!matched)
        return fail(QStringLiteral("the X-Twilio-Signature does not match"));
    return {};
}

} // namespace LeadDesk::Sync
