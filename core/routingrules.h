#pragma once

#include "database.h"
#include "result.h"
#include "weeklyhours.h"

#include <QByteArray>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace LeadDesk::Core {

// What a routing rule can test of a lead (seed 004: campaign, service type, score, location,
// source). Text is compared trimmed and case-insensitively.
struct RoutingFacts
{
    QString campaignExternalId; // campaigns.external_id, the id forms send
    QString campaignName;
    QString serviceInterest;
    QString grade;
    int score = 0;
    QString state;
    QString channel;     // source kind: webform, thumbtack, ...
    QString sourceLabel; // seed 004's source: landing-page, modal, ...
};

// Every condition present must hold; within one list any entry may match. No conditions at all
// matches every lead (a catch-all rule).
struct RoutingConditions
{
    QSet<QString> campaigns;     // external id or name, lower-case
    QStringList serviceContains; // lower-case; any substring
    QSet<QString> serviceEquals; // lower-case
    QSet<QString> grades;        // lower-case
    std::optional<int> scoreMin; // inclusive
    std::optional<int> scoreMax; // inclusive
    QSet<QString> states;        // lower-case
    QSet<QString> sources;       // lower-case, channel or source label

    [[nodiscard]] bool matches(const RoutingFacts &lead) const;
};

// Who a rule hands its leads to.
struct RoutingTarget
{
    enum class Kind {
        User,     // one rep, by user name
        Team,     // round-robin over the listed user names, in the listed order
        Everyone, // round-robin over the business's users whose role is eligible
        Nobody,   // leave unassigned (only as the fallback)
    };
    Kind kind = Kind::Everyone;
    QStringList users; // User and Team: as written, duplicates removed

    // Identifies the pool, so rules sharing a team share its round-robin cursor.
    [[nodiscard]] QString poolKey() const;
    // "alice", "team alice, bob", "everyone", "nobody".
    [[nodiscard]] QString describe() const;
};

struct RoutingRule
{
    QString id;
    RoutingConditions when;
    RoutingTarget target;
    // When nobody in the target is available: try the fallback pool (true) or leave the lead
    // unassigned (false).
    bool fallbackWhenUnavailable = true;
};

// A rep's limits. Unset values mean no limit: always working, any number of open leads.
struct RepSettings
{
    std::optional<int> capacity;      // maximum open leads (status not closed_won/closed_lost)
    std::optional<WeeklyHours> hours; // in the business's time zone
};

// The routing document of a business (SettingsRepository::kRoutingRules; default in
// resources/config/routing-default.json): ordered rules, a fallback pool, per-rep capacity and
// working hours, and whether a first-response SLA breach reassigns the lead. Parsed whole or
// not at all; an immutable value, cheap to copy.
//
//   { "version": 1, "enabled": true, "roles": ["owner", "admin", "rep"],
//     "reassign_on_breach": false,
//     "rules": [ { "id": "hot-nextcloud",
//                  "when": { "campaign": ["nextcloud-installation-2025"],
//                            "service_interest": { "contains": ["nextcloud"] },
//                            "grade": ["A", "B"], "score": { "min": 60, "max": 100 },
//                            "state": ["CA", "NV"], "source": ["webform", "landing-page"] },
//                  "team": ["alice", "bob"], "if_unavailable": "fallback" } ],
//     "fallback": "everyone",
//     "rep_defaults": { "capacity": 50 },
//     "reps": { "alice": { "capacity": 20, "hours": { "mon": [["09:00", "17:00"]] } } } }
class RoutingRules
{
public:
    static constexpr auto defaultResource = ":/config/routing-default.json";

    // Everyone eligible, no rules, no limits.
    RoutingRules();

    // Rejects the whole document at the first problem, naming its JSON path.
    [[nodiscard]] static Result<RoutingRules> parse(const QByteArray &json);
    [[nodiscard]] static Result<RoutingRules> loadDefault();
    // The business's stored document, or the default when it has none. A stored document that
    // no longer parses is an error (the caller decides what to do without rules).
    [[nodiscard]] static Result<RoutingRules> forBusiness(Database &db, const QString &businessId);

    [[nodiscard]] bool enabled() const;
    [[nodiscard]] bool reassignOnBreach() const;
    // Roles (owner, admin, rep) whose users make up the "everyone" pool.
    [[nodiscard]] const QSet<QString> &eligibleRoles() const;
    [[nodiscard]] const QList<RoutingRule> &rules() const;
    [[nodiscard]] const RoutingTarget &fallback() const;
    // The rep's own settings, else rep_defaults.
    [[nodiscard]] RepSettings repSettings(const QString &userName) const;

    // The first rule whose conditions hold, or null.
    [[nodiscard]] const RoutingRule *firstMatch(const RoutingFacts &lead) const;
    // Every user name the document mentions (targets and reps), lower-case, for a config check
    // against the business's users.
    [[nodiscard]] QStringList referencedUsers() const;

    struct Data;

private:
    explicit RoutingRules(std::shared_ptr<const Data> data);

    std::shared_ptr<const Data> m_data;
};

} // namespace LeadDesk::Core
