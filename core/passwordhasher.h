#pragma once

#include <QString>

namespace LeadDesk::Core {

// Argon2id via libsodium's crypto_pwhash_str (salt and parameters inside the encoded hash).
namespace PasswordHasher {
[[nodiscard]] QString hash(const QString &password); // empty on failure (out of memory)
[[nodiscard]] bool verify(const QString &encodedHash, const QString &password);
// True when the hash was made with weaker parameters than today's and should be replaced.
[[nodiscard]] bool needsRehash(const QString &encodedHash);
} // namespace PasswordHasher

} // namespace LeadDesk::Core
