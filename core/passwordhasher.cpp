#include "passwordhasher.h"

#include <QByteArray>

#include <sodium.h>

namespace LeadDesk::Core::PasswordHasher {

namespace {

// Argon2id's "interactive" cost (2 passes over 64 MiB): signing in must stay well under a second
// on a 2-core laptop, and the hash sits in a local store an attacker would first have to steal.
constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
constexpr int kAlgorithm = crypto_pwhash_ALG_ARGON2ID13;

bool sodiumReady()
{
    // A function-local static runs sodium_init() exactly once, whichever thread gets here first.
    static const bool ready = sodium_init() >= 0;
    return ready;
}

// The UTF-8 bytes of a password, zeroed when they go out of scope.
class SecretBytes final
{
public:
    explicit SecretBytes(const QString &text)
        : m_bytes(text.toUtf8())
    {}
    ~SecretBytes() { sodium_memzero(m_bytes.data(), size_t(m_bytes.size())); }
    Q_DISABLE_COPY_MOVE(SecretBytes)

    [[nodiscard]] const char *data() const { return m_bytes.constData(); }
    [[nodiscard]] unsigned long long size() const { return quint64(m_bytes.size()); }

private:
    QByteArray m_bytes;
};

} // namespace

QString hash(const QString &password)
{
    if (!sodiumReady())
        return {};
    const SecretBytes secret(password);
    char encoded[crypto_pwhash_STRBYTES] = {};
    if (crypto_pwhash_str_alg(encoded, secret.data(), secret.size(), kOpsLimit, kMemLimit,
                              kAlgorithm)
        != 0) {
        return {};
    }
    return QString::fromLatin1(encoded);
}

bool verify(const QString &encodedHash, const QString &password)
{
    if (!sodiumReady() || encodedHash.isEmpty() || encodedHash.size() >= crypto_pwhash_STRBYTES)
        return false;
    const QByteArray encoded = encodedHash.toLatin1();
    const SecretBytes secret(password);
    return crypto_pwhash_str_verify(encoded.constData(), secret.data(), secret.size()) == 0;
}

bool needsRehash(const QString &encodedHash)
{
    if (!sodiumReady())
        return false;
    // libsodium compares only the parameters, so an Argon2i hash with today's costs would pass.
    if (!encodedHash.startsWith(QLatin1String(crypto_pwhash_argon2id_STRPREFIX)))
        return true;
    const QByteArray encoded = encodedHash.toLatin1();
    return crypto_pwhash_str_needs_rehash(encoded.constData(), kOpsLimit, kMemLimit) != 0;
}

} // namespace LeadDesk::Core::PasswordHasher
