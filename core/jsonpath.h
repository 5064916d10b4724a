#pragma once

#include "result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <initializer_list>

// Reading a configuration document (scoring rules, SLA policy, business hours, routing, A/B
// tests, the chatbot) with errors that name where they are: "lead.groups[1].rules[0].points:
// must be a number". Shared by every document parser in core.
namespace LeadDesk::Core::JsonPath {

// "lead" + "groups" -> "lead.groups"; an empty path gives the key alone.
[[nodiscard]] QString at(const QString &path, const QString &key);
// "lead.groups" + 1 -> "lead.groups[1]".
[[nodiscard]] QString at(const QString &path, qsizetype index);

// Fails on the first key of `object` that is not in `allowed` ("unknown key"), so a typo in a
// document is refused instead of silently ignored.
Result<void> onlyKeys(const QJsonObject &object, const QString &path,
                      std::initializer_list<const char *> allowed);

// A JSON number that is whole and within [min, max].
Result<int> wholeNumber(const QJsonValue &value, const QString &path, int min, int max);

} // namespace LeadDesk::Core::JsonPath
