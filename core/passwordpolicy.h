#pragma once

#include "result.h"

#include <QString>

namespace LeadDesk::Core {

// What a password must be: at least 10 characters (at most 128), not the user name (nor
// containing it), and not on the shipped list of common passwords (resources/config).
namespace PasswordPolicy {
constexpr int kMinLength = 10;
constexpr int kMaxLength = 128;
Result<void> check(const QString &username, const QString &password);
} // namespace PasswordPolicy

} // namespace LeadDesk::Core
