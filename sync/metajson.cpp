#include "metajson.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace LeadDesk::Sync::MetaJson {

namespace {

// Seconds beyond this (year 2286) or below zero are not a plausible Meta timestamp.
constexpr qint64 kMaxSeconds = 9'999'999'999;

Core::Result<qint64> integerValue(const QJsonValue &value, const QString &path)
{
    if (value.isString()) {
        const QString s = value.toString().trimmed();
        bool ok = false;
        const qint64 n = s.toLongLong(&ok);
        if (!ok || n < 0)
            return Core::fail(QStringLiteral("is not a whole number"), path);
        return n;
    }
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (!std::isfinite(d) || d < 0 || std::floor(d) != d || d > 9.0e15)
            return Core::fail(QStringLiteral("is not a whole number"), path);
        return value.toInteger(qint64(d));
    }
    if (value.isUndefined() || value.isNull())
        return Core::fail(QStringLiteral("is missing"), path);
    return Core::fail(QStringLiteral("is neither a number nor a string"), path);
}

} // namespace

Core::Result<QJsonObject> parseObject(const QByteArray &body)
{
    if (body.trimmed().isEmpty())
        return Core::fail(QStringLiteral("the body is empty"));
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return Core::fail(QStringLiteral("the body is not valid JSON (%1 at byte %2)")
                              .arg(error.errorString())
                              .arg(error.offset));
    if (!doc.isObject())
        return Core::fail(QStringLiteral("the body is not a JSON object"));
    return doc.object();
}

QString idText(const QJsonValue &value)
{
    if (value.isString())
        return value.toString().trimmed();
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (std::isfinite(d) && std::floor(d) == d && d >= 0 && d <= 9.0e15)
            return QString::number(value.toInteger(qint64(d)));
    }
    return {};
}

Core::Result<QString> requiredId(const QJsonObject &object, const QString &key, const QString &path)
{
    const QString id = idText(object.value(key));
    if (id.isEmpty())
        return Core::fail(QStringLiteral("is missing"), path + QLatin1Char('.') + key);
    return id;
}

Core::Result<qint64> secondsAsMs(const QJsonValue &value, const QString &path)
{
    auto seconds = integerValue(value, path);
    if (!seconds)
        return std::unexpected(seconds.error());
    if (*seconds > kMaxSeconds)
        return Core::fail(QStringLiteral("is not a time in seconds"), path);
    return *seconds * 1000;
}

Core::Result<qint64> millisAsMs(const QJsonValue &value, const QString &path)
{
    auto ms = integerValue(value, path);
    if (!ms)
        return std::unexpected(ms.error());
    if (*ms > kMaxSeconds * 1000)
        return Core::fail(QStringLiteral("is not a time in milliseconds"), path);
    return *ms;
}

QString text(const QJsonObject &object, const QString &key)
{
    const QJsonValue v = object.value(key);
    return v.isString() ? v.toString() : QString();
}

} // namespace LeadDesk::Sync::MetaJson
