#include "user.h"

namespace LeadDesk::Core {

QString roleName(Role role)
{
    switch (role) {
    case Role::Owner:
        return QStringLiteral("owner");
    case Role::Admin:
        return QStringLiteral("admin");
    case Role::Rep:
        return QStringLiteral("rep");
    }
    return {};
}

bool parseRole(const QString &name, Role *role)
{
    for (Role candidate : {Role::Owner, Role::Admin, Role::Rep}) {
        if (name.trimmed().compare(roleName(candidate), Qt::CaseInsensitive) == 0) {
            if (role)
                *role = candidate;
            return true;
        }
    }
    return false;
}

} // namespace LeadDesk::Core
