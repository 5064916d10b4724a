#include "metasignature.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>

namespace LeadDesk::Sync {

namespace {

constexpr QByteArrayView kPrefix = "sha256=";
constexpr qsizetype kDigestBytes = 32;
// Meta's challenge is "an int"; anything longer or stranger than a plain token is not echoed back.
constexpr qsizetype kMaxChallenge = 128;

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

bool isTokenChar(QChar c)
{
    return (c >= QLatin1Char('0') && c <= QLatin1Char('9'))
           || (c >= QLatin1Char('a') && c <= QLatin1Char('z'))
           || (c >= QLatin1Char('A') && c <= QLatin1Char('Z')) || c == QLatin1Char('-')
           || c == QLatin1Char('_') || c == QLatin1Char('.');
}

} // namespace

QByteArray MetaSignature::sign(QByteArrayView appSecret, QByteArrayView body)
{
    return kPrefix.toByteArray()
           + QMessageAuthenticationCode::hash(body.toByteArray(), appSecret.toByteArray(),
                                              QCryptographicHash::Sha256)
                 .toHex();
}

Core::Result<void> MetaSignature::verify(QByteArrayView appSecret, QByteArrayView body,
                                         QByteArrayView headerValue)
{
    if (appSecret.isEmpty())
        return Core::fail(QStringLiteral("no app secret is configured"));
    const QByteArrayView header = headerValue.trimmed();
    if (header.isEmpty())
        return Core::fail(QStringLiteral("the X-Hub-Signature-256 header is missing"));
    if (header.size() != kPrefix.size() + 2 * kDigestBytes
        || header.first(kPrefix.size()).compare(kPrefix, Qt::CaseInsensitive) != 0)
        return Core::fail(QStringLiteral("the X-Hub-Signature-256 header is not sha256=<64 hex>"));

    // Decoded by hand: QByteArray::fromHex skips bad characters instead of refusing them.
    QByteArray claimed(kDigestBytes, Qt::Uninitialized);
    const QByteArrayView hex = header.sliced(kPrefix.size());
    for (qsizetype i = 0; i < kDigestBytes; ++i) {
        const int high = hexValue(hex[2 * i]);
        const int low = hexValue(hex[2 * i + 1]);
        if (high < 0 || low < 0)
            return Core::fail(
                QStringLiteral("the X-Hub-Signature-256 header is not sha256=<64 hex>"));
        claimed[i] = char((high << 4) | low);
    }
    const QByteArray expected = QMessageAuthenticationCode::hash(
        body.toByteArray(), appSecret.toByteArray(), QCryptographicHash::Sha256);
    if (!constantTimeEquals(expected, claimed))
        return Core::fail(QStringLiteral("the X-Hub-Signature-256 signature does not match"));
    return {};
}

bool MetaSignature::constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false;
    // volatile keeps the compiler from turning the loop into an early-exit memcmp.
    volatile unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff = diff | static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

MetaSignature::HandshakeReply MetaSignature::handshake(const QUrlQuery &query,
                                                       const QString &verifyToken)
{
    const QString mode = query.queryItemValue(QStringLiteral("hub.mode"), QUrl::FullyDecoded);
    const QString token
        = query.queryItemValue(QStringLiteral("hub.verify_token"), QUrl::FullyDecoded);
    const QString challenge
        = query.queryItemValue(QStringLiteral("hub.challenge"), QUrl::FullyDecoded);
    if (mode != QLatin1String("subscribe") || verifyToken.isEmpty()
        || !constantTimeEquals(token.toUtf8(), verifyToken.toUtf8()))
        return {403, QByteArrayLiteral("Forbidden")};
    if (challenge.isEmpty() || challenge.size() > kMaxChallenge
        || !std::all_of(challenge.begin(), challenge.end(), isTokenChar))
        return {400, QByteArrayLiteral("Bad Request")};
    return {200, challenge.toUtf8()};
}

} // namespace LeadDesk::Sync
