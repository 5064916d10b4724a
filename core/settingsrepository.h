#pragma once

#include "database.h"
#include "result.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace LeadDesk::Core {

// Per-business configuration documents (scoring rules, SLA policies, business hours, routing
// rules, A/B tests), each a JSON document under a well-known key in the `settings` table. The
// repository stores bytes; each document's owner parses and validates it before it is saved.
class SettingsRepository final
{
public:
    static constexpr auto kScoringRules = "scoring.rules";
    static constexpr auto kSlaPolicy = "sla.policy";
    static constexpr auto kBusinessHours = "business.hours";
    static constexpr auto kRoutingRules = "routing.rules";
    static constexpr auto kAbTests = "ab.tests";

    explicit SettingsRepository(Database &db);

    // The stored document, or nothing when the business has not set one (callers fall back to
    // the default shipped in resources/).
    Result<std::optional<QByteArray>> value(const QString &businessId, const QString &key);
    Result<void> setValue(const QString &businessId, const QString &key, const QByteArray &value,
                          qint64 nowMs);
    Result<void> remove(const QString &businessId, const QString &key);

private:
    Database &m_db;
};

} // namespace LeadDesk::Core
