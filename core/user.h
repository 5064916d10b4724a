#pragma once

#include <QString>

namespace LeadDesk::Core {

enum class Role { Owner, Admin, Rep };

[[nodiscard]] QString roleName(Role role); // "owner", "admin", "rep"
[[nodiscard]] bool parseRole(const QString &name, Role *role);

struct User
{
    QString id;
    QString businessId;
    QString username;
    QString displayName;
    QString email;
    Role role = Role::Rep;
    int failedAttempts = 0;
    qint64 lockedUntilMs = 0; // 0 when not locked
    qint64 lastLoginMs = 0;
    qint64 createdAtMs = 0;
};

} // namespace LeadDesk::Core
