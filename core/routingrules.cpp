#include "routingrules.h"

#include "jsonpath.h"

#include "accountservice.h"
#include "settingsrepository.h"
#include "user.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>

namespace LeadDesk::Core {

using namespace JsonPath;

struct RoutingRules::Data
{
    bool enabled = true;
    bool reassignOnBreach = false;
    QSet<QString> roles{QStringLiteral("owner"), QStringLiteral("admin"), QStringLiteral("rep")};
    QList<RoutingRule> rules;
    RoutingTarget fallback;
    RepSettings defaults;
    QHash<QString, RepSettings> reps; // lower-case user name
};

namespace {

QString folded(const QString &text)
{
    return text.trimmed().toLower();
}

bool containsAny(const QString &text, const QStringList &needles)
{
    return std::any_of(needles.begin(), needles.end(),
                       [&text](const QString &needle) { return text.contains(needle); });
}

// --- parsing -------------------------------------------------------------------------------

Result<bool> boolean(const QJsonValue &value, const QString &path)
{
    if (!value.isBool())
        return fail(QStringLiteral("must be true or false"), path);
    return value.toBool();
}

// A string or a non-empty array of strings, each non-blank; folded to lower case.
Result<QStringList> stringList(const QJsonValue &value, const QString &path)
{
    QStringList strings;
    if (value.isString()) {
        if (value.toString().trimmed().isEmpty())
            return fail(QStringLiteral("must be a non-empty string"), path);
        strings.append(folded(value.toString()));
        return strings;
    }
    const QJsonArray array = value.toArray();
    if (!value.isArray() || array.isEmpty())
        return fail(QStringLiteral("must be a string or a non-empty array of strings"), path);
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isString() || array.at(i).toString().trimmed().isEmpty())
            return fail(QStringLiteral("must be a non-empty string"), at(path, i));
        strings.append(folded(array.at(i).toString()));
    }
    return strings;
}

Result<QString> userName(const QJsonValue &value, const QString &path)
{
    if (!value.isString())
        return fail(QStringLiteral("must be a user name"), path);
    const QString name = value.toString().trimmed();
    if (auto ok = AccountService::checkUsername(name); !ok)
        return fail(QStringLiteral("user name ") + ok.error().message, path);
    return name;
}

Result<QStringList> userNames(const QJsonValue &value, const QString &path)
{
    const QJsonArray array = value.toArray();
    if (!value.isArray() || array.isEmpty())
        return fail(QStringLiteral("must be a non-empty array of user names"), path);
    QStringList names;
    QSet<QString> seen;
    for (qsizetype i = 0; i < array.size(); ++i) {
        auto name = userName(array.at(i), at(path, i));
        if (!name)
            return std::unexpected(name.error());
        if (!seen.contains(name->toLower())) {
            seen.insert(name->toLower());
            names.append(*name);
        }
    }
    return names;
}

Result<RoutingConditions> parseConditions(const QJsonValue &value, const QString &path)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    const QJsonObject object = value.toObject();
    if (auto keys = onlyKeys(object, path,
                             {"campaign", "service_interest", "grade", "score", "state", "source"});
        !keys)
        return std::unexpected(keys.error());

    RoutingConditions when;
    const auto asSet = [](const QStringList &list) {
        return QSet<QString>(list.begin(), list.end());
    };
    if (object.contains(u"campaign")) {
        auto list = stringList(object.value(u"campaign"), at(path, QStringLiteral("campaign")));
        if (!list)
            return std::unexpected(list.error());
        when.campaigns = asSet(*list);
    }
    if (object.contains(u"service_interest")) {
        const QString servicePath = at(path, QStringLiteral("service_interest"));
        const QJsonValue service = object.value(u"service_interest");
        if (!service.isObject())
            return fail(QStringLiteral("must be {\"contains\": ...} or {\"equals\": ...}"),
                        servicePath);
        const QJsonObject match = service.toObject();
        if (auto keys = onlyKeys(match, servicePath, {"contains", "equals"}); !keys)
            return std::unexpected(keys.error());
        if (match.contains(u"contains") == match.contains(u"equals"))
            return fail(QStringLiteral("needs exactly one of \"contains\" and \"equals\""),
                        servicePath);
        const bool contains = match.contains(u"contains");
        const QString key = contains ? QStringLiteral("contains") : QStringLiteral("equals");
        auto list = stringList(match.value(key), at(servicePath, key));
        if (!list)
            return std::unexpected(list.error());
        if (contains)
            when.serviceContains = *list;
        else
            when.serviceEquals = asSet(*list);
    }
    if (object.contains(u"grade")) {
        auto list = stringList(object.value(u"grade"), at(path, QStringLiteral("grade")));
        if (!list)
            return std::unexpected(list.error());
        when.grades = asSet(*list);
    }
    if (object.contains(u"score")) {
        const QString scorePath = at(path, QStringLiteral("score"));
        const QJsonObject range = object.value(u"score").toObject();
        if (!object.value(u"score").isObject() || range.isEmpty())
            return fail(QStringLiteral("must be {\"min\": n, \"max\": n} (either may be left out)"),
                        scorePath);
        if (auto keys = onlyKeys(range, scorePath, {"min", "max"}); !keys)
            return std::unexpected(keys.error());
        for (const char *bound : {"min", "max"}) {
            const QString key = QLatin1String(bound);
            if (!range.contains(key))
                continue;
            auto number = wholeNumber(range.value(key), at(scorePath, key), 0, 100);
            if (!number)
                return std::unexpected(number.error());
            (key == u"min" ? when.scoreMin : when.scoreMax) = *number;
        }
        if (when.scoreMin && when.scoreMax && *when.scoreMin > *when.scoreMax)
            return fail(QStringLiteral("must not be above max"),
                        at(scorePath, QStringLiteral("min")));
    }
    if (object.contains(u"state")) {
        auto list = stringList(object.value(u"state"), at(path, QStringLiteral("state")));
        if (!list)
            return std::unexpected(list.error());
        when.states = asSet(*list);
    }
    if (object.contains(u"source")) {
        auto list = stringList(object.value(u"source"), at(path, QStringLiteral("source")));
        if (!list)
            return std::unexpected(list.error());
        when.sources = asSet(*list);
    }
    return when;
}

Result<RoutingTarget> parseTeam(const QJsonValue &value, const QString &path, bool allowNone)
{
    RoutingTarget target;
    if (value.isString()) {
        const QString word = value.toString();
        if (word == u"everyone") {
            target.kind = RoutingTarget::Kind::Everyone;
            return target;
        }
        if (allowNone && word == u"none") {
            target.kind = RoutingTarget::Kind::Nobody;
            return target;
        }
    } else if (value.isArray()) {
        auto names = userNames(value, path);
        if (!names)
            return std::unexpected(names.error());
        target.kind = RoutingTarget::Kind::Team;
        target.users = *names;
        return target;
    }
    return fail(allowNone
                    ? QStringLiteral("must be \"everyone\", \"none\" or an array of user names")
                    : QStringLiteral("must be \"everyone\" or an array of user names"),
                path);
}

Result<RoutingRule> parseRule(const QJsonValue &value, const QString &path)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    const QJsonObject object = value.toObject();
    if (auto keys = onlyKeys(object, path, {"id", "when", "user", "team", "if_unavailable"}); !keys)
        return std::unexpected(keys.error());
    RoutingRule rule;
    const QJsonValue id = object.value(u"id");
    if (!id.isString() || id.toString().trimmed().isEmpty())
        return fail(QStringLiteral("must be a non-empty string"), at(path, QStringLiteral("id")));
    rule.id = id.toString().trimmed();
    if (object.contains(u"when")) {
        auto when = parseConditions(object.value(u"when"), at(path, QStringLiteral("when")));
        if (!when)
            return std::unexpected(when.error());
        rule.when = *when;
    }
    if (object.contains(u"user") == object.contains(u"team"))
        return fail(QStringLiteral("needs exactly one of \"user\" and \"team\""), path);
    if (object.contains(u"user")) {
        auto name = userName(object.value(u"user"), at(path, QStringLiteral("user")));
        if (!name)
            return std::unexpected(name.error());
        rule.target.kind = RoutingTarget::Kind::User;
        rule.target.users = {*name};
    } else {
        auto team = parseTeam(object.value(u"team"), at(path, QStringLiteral("team")), false);
        if (!team)
            return std::unexpected(team.error());
        rule.target = *team;
    }
    if (object.contains(u"if_unavailable")) {
        const QString choice = object.value(u"if_unavailable").toString();
        if (choice != u"fallback" && choice != u"unassigned")
            return fail(QStringLiteral("must be \"fallback\" or \"unassigned\""),
                        at(path, QStringLiteral("if_unavailable")));
        rule.fallbackWhenUnavailable = choice == u"fallback";
    }
    return rule;
}

Result<RepSettings> parseRep(const QJsonValue &value, const QString &path,
                             const RepSettings &inherited)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    const QJsonObject object = value.toObject();
    if (auto keys = onlyKeys(object, path, {"capacity", "hours"}); !keys)
        return std::unexpected(keys.error());
    RepSettings rep = inherited;
    if (object.contains(u"capacity")) {
        // null lifts a default limit for this rep.
        if (object.value(u"capacity").isNull()) {
            rep.capacity.reset();
        } else {
            auto capacity = wholeNumber(object.value(u"capacity"),
                                        at(path, QStringLiteral("capacity")), 0, 1'000'000);
            if (!capacity)
                return std::unexpected(capacity.error());
            rep.capacity = *capacity;
        }
    }
    if (object.contains(u"hours")) {
        if (object.value(u"hours").isNull()) {
            rep.hours.reset();
        } else {
            auto hours
                = WeeklyHours::parse(object.value(u"hours"), at(path, QStringLiteral("hours")));
            if (!hours)
                return std::unexpected(hours.error());
            rep.hours = *hours;
        }
    }
    return rep;
}

} // namespace

// --- RoutingConditions / RoutingTarget -----------------------------------------------------

bool RoutingConditions::matches(const RoutingFacts &lead) const
{
    if (!campaigns.isEmpty() && !campaigns.contains(folded(lead.campaignExternalId))
        && !campaigns.contains(folded(lead.campaignName)))
        return false;
    if (!serviceContains.isEmpty() || !serviceEquals.isEmpty()) {
        const QString service = folded(lead.serviceInterest);
        if (service.isEmpty())
            return false;
        if (!serviceEquals.isEmpty() && !serviceEquals.contains(service))
            return false;
        if (!serviceContains.isEmpty() && !containsAny(service, serviceContains))
            return false;
    }
    if (!grades.isEmpty() && !grades.contains(folded(lead.grade)))
        return false;
    if ((scoreMin && lead.score < *scoreMin) || (scoreMax && lead.score > *scoreMax))
        return false;
    if (!states.isEmpty() && !states.contains(folded(lead.state)))
        return false;
    if (!sources.isEmpty() && !sources.contains(folded(lead.channel))
        && !sources.contains(folded(lead.sourceLabel)))
        return false;
    return true;
}

QString RoutingTarget::poolKey() const
{
    switch (kind) {
    case Kind::User:
    case Kind::Team:
        return QStringLiteral("team:") + users.join(u',').toLower();
    case Kind::Everyone:
        return QStringLiteral("everyone");
    case Kind::Nobody:
        break;
    }
    return QStringLiteral("nobody");
}

QString RoutingTarget::describe() const
{
    switch (kind) {
    case Kind::User:
        return users.value(0);
    case Kind::Team:
        return QStringLiteral("team ") + users.join(QStringLiteral(", "));
    case Kind::Everyone:
        return QStringLiteral("everyone");
    case Kind::Nobody:
        break;
    }
    return QStringLiteral("nobody");
}

// --- RoutingRules ----------------------------------------------------------------------------

RoutingRules::RoutingRules()
    : m_data(std::make_shared<const Data>())
{}

RoutingRules::RoutingRules(std::shared_ptr<const Data> data)
    : m_data(std::move(data))
{}

Result<RoutingRules> RoutingRules::parse(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not valid JSON at offset %1: %2")
                        .arg(error.offset)
                        .arg(error.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("must be a JSON object"));
    const QJsonObject root = document.object();
    if (auto keys = onlyKeys(root, {},
                             {"version", "enabled", "roles", "reassign_on_breach", "rules",
                              "fallback", "rep_defaults", "reps"});
        !keys)
        return std::unexpected(keys.error());

    auto data = std::make_shared<Data>();
    if (root.contains(u"version")) {
        auto version = wholeNumber(root.value(u"version"), QStringLiteral("version"), 1, 1);
        if (!version)
            return std::unexpected(version.error());
    }
    if (root.contains(u"enabled")) {
        auto enabled = boolean(root.value(u"enabled"), QStringLiteral("enabled"));
        if (!enabled)
            return std::unexpected(enabled.error());
        data->enabled = *enabled;
    }
    if (root.contains(u"reassign_on_breach")) {
        auto reassign
            = boolean(root.value(u"reassign_on_breach"), QStringLiteral("reassign_on_breach"));
        if (!reassign)
            return std::unexpected(reassign.error());
        data->reassignOnBreach = *reassign;
    }
    if (root.contains(u"roles")) {
        auto roles = stringList(root.value(u"roles"), QStringLiteral("roles"));
        if (!roles)
            return std::unexpected(roles.error());
        data->roles.clear();
        for (qsizetype i = 0; i < roles->size(); ++i) {
            Role role{};
            if (!parseRole(roles->at(i), &role))
                return fail(QStringLiteral("must be owner, admin or rep"),
                            root.value(u"roles").isArray() ? at(QStringLiteral("roles"), i)
                                                           : QStringLiteral("roles"));
            data->roles.insert(roleName(role));
        }
    }
    if (root.contains(u"rules")) {
        const QJsonArray rules = root.value(u"rules").toArray();
        if (!root.value(u"rules").isArray())
            return fail(QStringLiteral("must be an array"), QStringLiteral("rules"));
        QSet<QString> ids;
        for (qsizetype i = 0; i < rules.size(); ++i) {
            const QString rulePath = at(QStringLiteral("rules"), i);
            auto rule = parseRule(rules.at(i), rulePath);
            if (!rule)
                return std::unexpected(rule.error());
            if (ids.contains(rule->id))
                return fail(QStringLiteral("another rule has the id \"%1\"").arg(rule->id),
                            at(rulePath, QStringLiteral("id")));
            ids.insert(rule->id);
            data->rules.append(std::move(*rule));
        }
    }
    if (root.contains(u"fallback")) {
        auto fallback = parseTeam(root.value(u"fallback"), QStringLiteral("fallback"), true);
        if (!fallback)
            return std::unexpected(fallback.error());
        data->fallback = *fallback;
    }
    if (root.contains(u"rep_defaults")) {
        auto defaults = parseRep(root.value(u"rep_defaults"), QStringLiteral("rep_defaults"), {});
        if (!defaults)
            return std::unexpected(defaults.error());
        data->defaults = *defaults;
    }
    if (root.contains(u"reps")) {
        if (!root.value(u"reps").isObject())
            return fail(QStringLiteral("must be an object keyed by user name"),
                        QStringLiteral("reps"));
        const QJsonObject reps = root.value(u"reps").toObject();
        for (auto it = reps.constBegin(); it != reps.constEnd(); ++it) {
            const QString repPath = at(QStringLiteral("reps"), it.key());
            if (auto name = userName(it.key(), repPath); !name)
                return std::unexpected(name.error());
            const QString key = it.key().trimmed().toLower();
            if (data->reps.contains(key))
                return fail(QStringLiteral("the same user is listed twice"), repPath);
            // Unset values inherit rep_defaults.
            auto rep = parseRep(it.value(), repPath, data->defaults);
            if (!rep)
                return std::unexpected(rep.error());
            data->reps.insert(key, *rep);
        }
    }
    return RoutingRules(std::move(data));
}

Result<RoutingRules> RoutingRules::loadDefault()
{
    QFile file(QString::fromLatin1(defaultResource));
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1").arg(QLatin1String(defaultResource)));
    auto rules = parse(file.readAll());
    if (!rules)
        return fail(
            QStringLiteral("%1: %2").arg(QLatin1String(defaultResource), rules.error().toString()));
    return rules;
}

Result<RoutingRules> RoutingRules::forBusiness(Database &db, const QString &businessId)
{
    auto stored = SettingsRepository(db).value(
        businessId, QString::fromLatin1(SettingsRepository::kRoutingRules));
    if (!stored)
        return std::unexpected(stored.error());
    if (!*stored)
        return loadDefault();
    auto rules = parse(**stored);
    if (!rules)
        return fail(QStringLiteral("stored routing rules: ") + rules.error().toString());
    return rules;
}

bool RoutingRules::enabled() const
{
    return m_data->enabled;
}

bool RoutingRules::reassignOnBreach() const
{
    return m_data->reassignOnBreach;
}

const QSet<QString> &RoutingRules::eligibleRoles() const
{
    return m_data->roles;
}

const QList<RoutingRule> &RoutingRules::rules() const
{
    return m_data->rules;
}

const RoutingTarget &RoutingRules::fallback() const
{
    return m_data->fallback;
}

RepSettings RoutingRules::repSettings(const QString &userName) const
{
    return m_data->reps.value(userName.trimmed().toLower(), m_data->defaults);
}

const RoutingRule *RoutingRules::firstMatch(const RoutingFacts &lead) const
{
    for (const RoutingRule &rule : m_data->rules) {
        if (rule.when.matches(lead))
            return &rule;
    }
    return nullptr;
}

QStringList RoutingRules::referencedUsers() const
{
    QSet<QString> names;
    for (const RoutingRule &rule : m_data->rules) {
        for (const QString &user : rule.target.users)
            names.insert(user.toLower());
    }
    for (const QString &user : m_data->fallback.users)
        names.insert(user.toLower());
    for (auto it = m_data->reps.constBegin(); it != m_data->reps.constEnd(); ++it)
        names.insert(it.key());
    QStringList sorted(names.begin(), names.end());
    sorted.sort();
    return sorted;
}

} // namespace LeadDesk::Core
