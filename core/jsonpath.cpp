#include "jsonpath.h"

#include <algorithm>
#include <cmath>

namespace LeadDesk::Core::JsonPath {

QString at(const QString &path, const QString &key)
{
    return path.isEmpty() ? key : path + u'.' + key;
}

QString at(const QString &path, qsizetype index)
{
    return path + u'[' + QString::number(index) + u']';
}

Result<void> onlyKeys(const QJsonObject &object, const QString &path,
                      std::initializer_list<const char *> allowed)
{
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString key = it.key();
        const bool known = std::any_of(allowed.begin(), allowed.end(), [&key](const char *name) {
            return key == QLatin1String(name);
        });
        if (!known)
            return fail(QStringLiteral("unknown key"), at(path, key));
    }
    return {};
}

Result<int> wholeNumber(const QJsonValue &value, const QString &path, int min, int max)
{
    if (!value.isDouble())
        return fail(QStringLiteral("must be a number"), path);
    const double d = value.toDouble();
    if (d != std::floor(d))
        return fail(QStringLiteral("must be a whole number"), path);
    if (d < min || d > max)
        return fail(QStringLiteral("must be between %1 and %2").arg(min).arg(max), path);
    return int(d);
}

} // namespace LeadDesk::Core::JsonPath
