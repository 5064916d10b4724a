#pragma once

#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

// Small readers shared by the Meta adapters (WhatsApp, Messenger, Lead Ads). Meta's payloads are
// loose about types (ids as numbers or strings, WhatsApp times as strings of seconds, Messenger
// times as integers of milliseconds), so every read accepts both spellings and reports the JSON
// path of whatever it cannot use.
namespace LeadDesk::Sync::MetaJson {

// The body as a JSON object: malformed or truncated JSON, invalid UTF-8, nesting deeper than Qt's
// parser allows, or a top level that is not an object all fail with a clear message.
Core::Result<QJsonObject> parseObject(const QByteArray &body);

// An id sent as a string or as an integral number ("1234" and 1234 read the same); empty when
// the value is absent, null, or neither.
[[nodiscard]] QString idText(const QJsonValue &value);

// A required id at `path`: fails when it is missing or empty.
Core::Result<QString> requiredId(const QJsonObject &object, const QString &key,
                                 const QString &path);

// Unix seconds sent as "1739321024" or 1739321024, as epoch ms.
Core::Result<qint64> secondsAsMs(const QJsonValue &value, const QString &path);
// Epoch milliseconds sent as a number (Messenger) or a string of digits.
Core::Result<qint64> millisAsMs(const QJsonValue &value, const QString &path);

// A string member, or empty when absent or not a string (numbers are not turned into text).
[[nodiscard]] QString text(const QJsonObject &object, const QString &key);

} // namespace LeadDesk::Sync::MetaJson
