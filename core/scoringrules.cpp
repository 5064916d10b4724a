#include "scoringrules.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <algorithm>
#include <climits>
#include <cmath>
#include <optional>

namespace LeadDesk::Core {

namespace {

enum class Op { Equals, In, NotIn, NotEmpty, Empty, DomainIn, DomainNotIn, Map, Range };

// One place a condition reads from: a LeadRecord member or a key of LeadRecord::details.
struct FieldRef
{
    QString LeadRecord::*member = nullptr;
    QString detailKey;
};

struct Condition
{
    Op op = Op::NotEmpty;
    QList<FieldRef> fields; // the first one holding a non-blank value is used
    QString value;          // Equals, normalised
    QSet<QString> values;   // In, NotIn, DomainIn, DomainNotIn, normalised
    bool prefix = false;    // Map: keys match the start of the value instead of all of it
    QHash<QString, int> exactMap;
    QList<std::pair<QString, int>> prefixMap; // longest key first, so "high" wins over "h"
    std::optional<double> gt, gte, lt, lte;
};

struct Rule
{
    QString id;
    int points = 0;
    bool once = true;
    std::optional<int> cap;
    Condition when; // lead model
    QString event;  // behaviour model
};

struct Group
{
    QString id;
    int max = 0;
    QList<Rule> rules;
};

struct Band
{
    QString label;
    int min = 0;
};

struct Model
{
    QList<Group> groups;
    QList<Band> grades;
    QList<Band> qualification;
    QHash<QString, QList<std::pair<qsizetype, qsizetype>>> rulesByEvent; // event -> (group, rule)
};

const QHash<QString, QString LeadRecord::*> &leadFields()
{
    static const QHash<QString, QString LeadRecord::*> fields = {
        {QStringLiteral("email"), &LeadRecord::email},
        {QStringLiteral("phone"), &LeadRecord::phone},
        {QStringLiteral("company"), &LeadRecord::company},
        {QStringLiteral("first_name"), &LeadRecord::firstName},
        {QStringLiteral("last_name"), &LeadRecord::lastName},
        {QStringLiteral("street"), &LeadRecord::street},
        {QStringLiteral("city"), &LeadRecord::city},
        {QStringLiteral("state"), &LeadRecord::state},
        {QStringLiteral("postal_code"), &LeadRecord::postalCode},
        {QStringLiteral("country"), &LeadRecord::country},
        {QStringLiteral("channel"), &LeadRecord::channel},
        {QStringLiteral("campaign_id"), &LeadRecord::campaignId},
        {QStringLiteral("campaign_name"), &LeadRecord::campaignName},
        {QStringLiteral("source_label"), &LeadRecord::sourceLabel},
        {QStringLiteral("medium"), &LeadRecord::medium},
        {QStringLiteral("utm_source"), &LeadRecord::utmSource},
        {QStringLiteral("utm_medium"), &LeadRecord::utmMedium},
        {QStringLiteral("utm_campaign"), &LeadRecord::utmCampaign},
        {QStringLiteral("utm_term"), &LeadRecord::utmTerm},
        {QStringLiteral("utm_content"), &LeadRecord::utmContent},
        {QStringLiteral("service_interest"), &LeadRecord::serviceInterest},
        {QStringLiteral("urgency"), &LeadRecord::urgency},
        {QStringLiteral("message"), &LeadRecord::message},
        {QStringLiteral("budget_range"), &LeadRecord::budgetRange},
        {QStringLiteral("timeline"), &LeadRecord::timeline},
        {QStringLiteral("referrer_url"), &LeadRecord::referrerUrl},
        {QStringLiteral("landing_page_url"), &LeadRecord::landingPageUrl},
    };
    return fields;
}

QString normalised(const QString &text)
{
    return text.trimmed().toLower();
}

QString detailText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double:
        return QString::number(value.toDouble());
    default:
        return {};
    }
}

// The condition's value as the rule sees it: trimmed and lower-cased, empty when every field is.
QString fieldText(const Condition &condition, const LeadRecord &lead)
{
    for (const FieldRef &field : condition.fields) {
        QString text
            = field.member ? lead.*field.member : detailText(lead.details.value(field.detailKey));
        text = normalised(text);
        if (!text.isEmpty())
            return text;
    }
    return {};
}

std::optional<double> fieldNumber(const Condition &condition, const LeadRecord &lead)
{
    for (const FieldRef &field : condition.fields) {
        if (!field.member) {
            const QJsonValue value = lead.details.value(field.detailKey);
            if (value.isDouble())
                return value.toDouble();
        }
        const QString text
            = field.member ? lead.*field.member : lead.details.value(field.detailKey).toString();
        if (text.trimmed().isEmpty())
            continue;
        bool ok = false;
        const double number = text.trimmed().toDouble(&ok);
        if (ok && std::isfinite(number))
            return number;
        return std::nullopt;
    }
    return std::nullopt;
}

QString domainOf(const QString &email)
{
    const qsizetype at = email.lastIndexOf(u'@');
    return at < 0 ? QString() : email.mid(at + 1);
}

// The points a rule earns for a lead, or nothing when its condition does not hold.
std::optional<int> evaluate(const Rule &rule, const LeadRecord &lead)
{
    const Condition &c = rule.when;
    if (c.op == Op::Range) {
        const std::optional<double> n = fieldNumber(c, lead);
        if (!n || (c.gt && !(*n > *c.gt)) || (c.gte && !(*n >= *c.gte)) || (c.lt && !(*n < *c.lt))
            || (c.lte && !(*n <= *c.lte)))
            return std::nullopt;
        return rule.points;
    }
    const QString text = fieldText(c, lead);
    bool matched = false;
    switch (c.op) {
    case Op::Equals:
        matched = text == c.value;
        break;
    case Op::In:
        matched = !text.isEmpty() && c.values.contains(text);
        break;
    case Op::NotIn:
        matched = !text.isEmpty() && !c.values.contains(text);
        break;
    case Op::NotEmpty:
        matched = !text.isEmpty();
        break;
    case Op::Empty:
        matched = text.isEmpty();
        break;
    case Op::DomainIn:
    case Op::DomainNotIn: {
        const QString domain = domainOf(text);
        matched = !domain.isEmpty() && (c.values.contains(domain) == (c.op == Op::DomainIn));
        break;
    }
    case Op::Map: {
        if (text.isEmpty())
            return std::nullopt;
        if (!c.prefix) {
            const auto it = c.exactMap.constFind(text);
            return it == c.exactMap.constEnd() ? std::nullopt : std::optional<int>(*it);
        }
        for (const auto &[key, points] : c.prefixMap) {
            if (text.startsWith(key))
                return points;
        }
        return std::nullopt;
    }
    case Op::Range:
        break;
    }
    return matched ? std::optional<int>(rule.points) : std::nullopt;
}

QString bandFor(const QList<Band> &bands, int score)
{
    for (const Band &band : bands) {
        if (score >= band.min)
            return band.label;
    }
    return bands.isEmpty() ? QString() : bands.last().label;
}

ScoreResult finish(const Model &model, qint64 total, QJsonObject breakdown)
{
    ScoreResult result;
    result.score = int(std::clamp<qint64>(total, 0, 100));
    result.grade = bandFor(model.grades, result.score);
    result.qualification = bandFor(model.qualification, result.score);
    result.breakdown = std::move(breakdown);
    return result;
}

// Cuts a group's sum to its maximum and records the cut, so the breakdown still adds up.
qint64 capGroup(const Group &group, qint64 sum, QJsonObject &breakdown)
{
    if (sum <= group.max)
        return sum;
    breakdown.insert(group.id + QStringLiteral(":cap"),
                     int(std::max<qint64>(group.max - sum, INT_MIN)));
    return group.max;
}

// --- parsing -------------------------------------------------------------------------------

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
    if (d < min || d > max) {
        return fail(QStringLiteral("must be between %1 and %2").arg(min).arg(max), path);
    }
    return int(d);
}

Result<QString> nonEmptyString(const QJsonValue &value, const QString &path)
{
    if (!value.isString() || value.toString().trimmed().isEmpty())
        return fail(QStringLiteral("must be a non-empty string"), path);
    return value.toString();
}

constexpr int pointsLimit = 1000;

class Parser
{
public:
    Result<void> parseLists(const QJsonValue &value, const QString &path);
    Result<Model> parseModel(const QJsonValue &value, const QString &path, bool behaviour);

private:
    Result<QSet<QString>> parseStrings(const QJsonValue &value, const QString &path);
    Result<QList<Band>> parseBands(const QJsonValue &value, const QString &path);
    Result<Rule> parseRule(const QJsonValue &value, const QString &path, bool behaviour);
    Result<Condition> parseCondition(const QJsonValue &value, const QString &path, bool isMap);
    Result<FieldRef> parseField(const QJsonValue &value, const QString &path);

    QHash<QString, QSet<QString>> m_lists;
};

Result<QSet<QString>> Parser::parseStrings(const QJsonValue &value, const QString &path)
{
    if (!value.isArray())
        return fail(QStringLiteral("must be an array of strings"), path);
    QSet<QString> strings;
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        if (!array.at(i).isString())
            return fail(QStringLiteral("must be a string"), at(path, i));
        strings.insert(normalised(array.at(i).toString()));
    }
    return strings;
}

Result<void> Parser::parseLists(const QJsonValue &value, const QString &path)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    const QJsonObject lists = value.toObject();
    for (auto it = lists.constBegin(); it != lists.constEnd(); ++it) {
        const QString listPath = at(path, it.key());
        if (it.value().isArray()) {
            auto strings = parseStrings(it.value(), listPath);
            if (!strings)
                return std::unexpected(strings.error());
            m_lists.insert(it.key(), *strings);
            continue;
        }
        const QJsonObject source = it.value().toObject();
        if (!it.value().isObject() || !source.value(u"file").isString())
            return fail(QStringLiteral("must be an array of strings or {\"file\": path}"),
                        listPath);
        if (auto keys = onlyKeys(source, listPath, {"file"}); !keys)
            return keys;
        QFile file(source.value(u"file").toString());
        if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
            return fail(QStringLiteral("cannot read: ") + file.errorString(),
                        at(listPath, QStringLiteral("file")));
        QSet<QString> strings;
        const QList<QByteArray> lines = file.readAll().split('\n');
        for (const QByteArray &line : lines) {
            const QString entry = normalised(QString::fromUtf8(line));
            if (!entry.isEmpty() && !entry.startsWith(u'#'))
                strings.insert(entry);
        }
        m_lists.insert(it.key(), strings);
    }
    return {};
}

Result<QList<Band>> Parser::parseBands(const QJsonValue &value, const QString &path)
{
    const QJsonArray array = value.toArray();
    if (!value.isArray() || array.isEmpty())
        return fail(QStringLiteral("must be a non-empty array"), path);
    QList<Band> bands;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString bandPath = at(path, i);
        if (!array.at(i).isObject())
            return fail(QStringLiteral("must be an object"), bandPath);
        const QJsonObject object = array.at(i).toObject();
        if (auto keys = onlyKeys(object, bandPath, {"label", "min"}); !keys)
            return std::unexpected(keys.error());
        auto label = nonEmptyString(object.value(u"label"), at(bandPath, QStringLiteral("label")));
        if (!label)
            return std::unexpected(label.error());
        auto min = wholeNumber(object.value(u"min"), at(bandPath, QStringLiteral("min")), 0, 100);
        if (!min)
            return std::unexpected(min.error());
        if (!bands.isEmpty() && *min >= bands.last().min)
            return fail(QStringLiteral("must be lower than the band before"),
                        at(bandPath, QStringLiteral("min")));
        bands.append({*label, *min});
    }
    if (bands.last().min != 0)
        return fail(QStringLiteral("the last band must start at 0"),
                    at(at(path, array.size() - 1), QStringLiteral("min")));
    return bands;
}

Result<FieldRef> Parser::parseField(const QJsonValue &value, const QString &path)
{
    auto name = nonEmptyString(value, path);
    if (!name)
        return std::unexpected(name.error());
    static const QString detailsPrefix = QStringLiteral("details.");
    if (name->startsWith(detailsPrefix) && name->size() > detailsPrefix.size())
        return FieldRef{nullptr, name->mid(detailsPrefix.size())};
    const auto member = leadFields().value(*name);
    if (!member)
        return fail(QStringLiteral("unknown field \"%1\"").arg(*name), path);
    return FieldRef{member, {}};
}

Result<Condition> Parser::parseCondition(const QJsonValue &value, const QString &path, bool isMap)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    const QJsonObject object = value.toObject();
    if (auto keys = onlyKeys(object, path,
                             {"field", "fields", "op", "value", "values", "list", "map", "match",
                              "gt", "gte", "lt", "lte"});
        !keys)
        return std::unexpected(keys.error());

    static const QHash<QString, Op> ops = {
        {QStringLiteral("equals"), Op::Equals},
        {QStringLiteral("in"), Op::In},
        {QStringLiteral("not_in"), Op::NotIn},
        {QStringLiteral("not_empty"), Op::NotEmpty},
        {QStringLiteral("empty"), Op::Empty},
        {QStringLiteral("domain_in"), Op::DomainIn},
        {QStringLiteral("domain_not_in"), Op::DomainNotIn},
        {QStringLiteral("map"), Op::Map},
        {QStringLiteral("range"), Op::Range},
    };
    Condition condition;
    const QString opPath = at(path, QStringLiteral("op"));
    const auto op = ops.constFind(object.value(u"op").toString());
    if (op == ops.constEnd())
        return fail(QStringLiteral("must be one of equals, in, not_in, not_empty, empty, "
                                   "domain_in, domain_not_in, map, range"),
                    opPath);
    condition.op = *op;
    // A map gives its own points, so a rule's "points" and "map" come and go together.
    if (isMap != (condition.op == Op::Map)) {
        return fail(isMap ? QStringLiteral("a rule without points needs op \"map\"")
                          : QStringLiteral("op \"map\" gives the points; remove the rule's points"),
                    opPath);
    }

    if (object.contains(u"field") == object.contains(u"fields"))
        return fail(QStringLiteral("needs exactly one of \"field\" and \"fields\""), path);
    if (object.contains(u"field")) {
        auto field = parseField(object.value(u"field"), at(path, QStringLiteral("field")));
        if (!field)
            return std::unexpected(field.error());
        condition.fields.append(*field);
    } else {
        const QString fieldsPath = at(path, QStringLiteral("fields"));
        const QJsonArray fields = object.value(u"fields").toArray();
        if (!object.value(u"fields").isArray() || fields.isEmpty())
            return fail(QStringLiteral("must be a non-empty array"), fieldsPath);
        for (qsizetype i = 0; i < fields.size(); ++i) {
            auto field = parseField(fields.at(i), at(fieldsPath, i));
            if (!field)
                return std::unexpected(field.error());
            condition.fields.append(*field);
        }
    }

    switch (condition.op) {
    case Op::Equals:
        if (!object.value(u"value").isString())
            return fail(QStringLiteral("must be a string"), at(path, QStringLiteral("value")));
        condition.value = normalised(object.value(u"value").toString());
        break;
    case Op::In:
    case Op::NotIn:
    case Op::DomainIn:
    case Op::DomainNotIn:
        if (object.contains(u"values") == object.contains(u"list"))
            return fail(QStringLiteral("needs exactly one of \"values\" and \"list\""), path);
        if (object.contains(u"list")) {
            const QString name = object.value(u"list").toString();
            if (!m_lists.contains(name))
                return fail(QStringLiteral("no list named \"%1\" in \"lists\"").arg(name),
                            at(path, QStringLiteral("list")));
            condition.values = m_lists.value(name);
        } else {
            auto values = parseStrings(object.value(u"values"), at(path, QStringLiteral("values")));
            if (!values)
                return std::unexpected(values.error());
            condition.values = *values;
        }
        break;
    case Op::Map: {
        const QString mapPath = at(path, QStringLiteral("map"));
        const QJsonObject map = object.value(u"map").toObject();
        if (!object.value(u"map").isObject() || map.isEmpty())
            return fail(QStringLiteral("must be a non-empty object"), mapPath);
        const QJsonValue match = object.value(u"match");
        if (!match.isUndefined() && match != QJsonValue(QStringLiteral("exact"))
            && match != QJsonValue(QStringLiteral("prefix")))
            return fail(QStringLiteral("must be \"exact\" or \"prefix\""),
                        at(path, QStringLiteral("match")));
        condition.prefix = match == QJsonValue(QStringLiteral("prefix"));
        for (auto it = map.constBegin(); it != map.constEnd(); ++it) {
            auto points = wholeNumber(it.value(), at(mapPath, it.key()), -pointsLimit, pointsLimit);
            if (!points)
                return std::unexpected(points.error());
            condition.exactMap.insert(normalised(it.key()), *points);
            condition.prefixMap.append({normalised(it.key()), *points});
        }
        std::stable_sort(
            condition.prefixMap.begin(), condition.prefixMap.end(),
            [](const auto &a, const auto &b) { return a.first.size() > b.first.size(); });
        break;
    }
    case Op::Range: {
        bool any = false;
        for (auto [key, bound] :
             {std::pair{"gt", &condition.gt}, std::pair{"gte", &condition.gte},
              std::pair{"lt", &condition.lt}, std::pair{"lte", &condition.lte}}) {
            const QJsonValue v = object.value(QLatin1String(key));
            if (v.isUndefined())
                continue;
            if (!v.isDouble())
                return fail(QStringLiteral("must be a number"), at(path, QLatin1String(key)));
            *bound = v.toDouble();
            any = true;
        }
        if (!any)
            return fail(QStringLiteral("needs at least one of gt, gte, lt, lte"), path);
        break;
    }
    case Op::NotEmpty:
    case Op::Empty:
        break;
    }
    return condition;
}

Result<Rule> Parser::parseRule(const QJsonValue &value, const QString &path, bool behaviour)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    const QJsonObject object = value.toObject();
    auto keys = behaviour ? onlyKeys(object, path, {"id", "event", "points", "once", "cap"})
                          : onlyKeys(object, path, {"id", "when", "points", "once", "cap"});
    if (!keys)
        return std::unexpected(keys.error());

    Rule rule;
    auto id = nonEmptyString(object.value(u"id"), at(path, QStringLiteral("id")));
    if (!id)
        return std::unexpected(id.error());
    rule.id = *id;

    const bool hasPoints = object.contains(u"points");
    if (hasPoints || behaviour) {
        auto points = wholeNumber(object.value(u"points"), at(path, QStringLiteral("points")),
                                  -pointsLimit, pointsLimit);
        if (!points)
            return std::unexpected(points.error());
        rule.points = *points;
    }
    if (object.contains(u"once")) {
        if (!object.value(u"once").isBool())
            return fail(QStringLiteral("must be true or false"), at(path, QStringLiteral("once")));
        rule.once = object.value(u"once").toBool();
    }
    if (object.contains(u"cap")) {
        auto cap
            = wholeNumber(object.value(u"cap"), at(path, QStringLiteral("cap")), 0, pointsLimit);
        if (!cap)
            return std::unexpected(cap.error());
        rule.cap = *cap;
    }

    if (behaviour) {
        auto event = nonEmptyString(object.value(u"event"), at(path, QStringLiteral("event")));
        if (!event)
            return std::unexpected(event.error());
        rule.event = *event;
    } else {
        const QString whenPath = at(path, QStringLiteral("when"));
        if (!object.contains(u"when"))
            return fail(QStringLiteral("is required"), whenPath);
        auto when = parseCondition(object.value(u"when"), whenPath, !hasPoints);
        if (!when)
            return std::unexpected(when.error());
        rule.when = std::move(*when);
    }
    return rule;
}

Result<Model> Parser::parseModel(const QJsonValue &value, const QString &path, bool behaviour)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    const QJsonObject object = value.toObject();
    if (auto keys = onlyKeys(object, path, {"groups", "grades", "qualification"}); !keys)
        return std::unexpected(keys.error());

    Model model;
    auto grades = parseBands(object.value(u"grades"), at(path, QStringLiteral("grades")));
    if (!grades)
        return std::unexpected(grades.error());
    model.grades = *grades;
    auto qualification
        = parseBands(object.value(u"qualification"), at(path, QStringLiteral("qualification")));
    if (!qualification)
        return std::unexpected(qualification.error());
    model.qualification = *qualification;

    const QString groupsPath = at(path, QStringLiteral("groups"));
    const QJsonArray groups = object.value(u"groups").toArray();
    if (!object.value(u"groups").isArray() || groups.isEmpty())
        return fail(QStringLiteral("must be a non-empty array"), groupsPath);
    QSet<QString> ids;
    for (qsizetype g = 0; g < groups.size(); ++g) {
        const QString groupPath = at(groupsPath, g);
        if (!groups.at(g).isObject())
            return fail(QStringLiteral("must be an object"), groupPath);
        const QJsonObject groupObject = groups.at(g).toObject();
        if (auto keys = onlyKeys(groupObject, groupPath, {"id", "max", "rules"}); !keys)
            return std::unexpected(keys.error());
        Group group;
        auto id = nonEmptyString(groupObject.value(u"id"), at(groupPath, QStringLiteral("id")));
        if (!id)
            return std::unexpected(id.error());
        group.id = *id;
        auto max
            = wholeNumber(groupObject.value(u"max"), at(groupPath, QStringLiteral("max")), 0, 100);
        if (!max)
            return std::unexpected(max.error());
        group.max = *max;

        const QString rulesPath = at(groupPath, QStringLiteral("rules"));
        const QJsonArray rules = groupObject.value(u"rules").toArray();
        if (!groupObject.value(u"rules").isArray() || rules.isEmpty())
            return fail(QStringLiteral("must be a non-empty array"), rulesPath);
        for (qsizetype r = 0; r < rules.size(); ++r) {
            auto rule = parseRule(rules.at(r), at(rulesPath, r), behaviour);
            if (!rule)
                return std::unexpected(rule.error());
            if (ids.contains(rule->id))
                return fail(QStringLiteral("duplicate rule id \"%1\"").arg(rule->id),
                            at(at(rulesPath, r), QStringLiteral("id")));
            ids.insert(rule->id);
            if (behaviour)
                model.rulesByEvent[rule->event].append({g, r});
            group.rules.append(std::move(*rule));
        }
        model.groups.append(std::move(group));
    }
    return model;
}

} // namespace

struct ScoringRules::Data
{
    std::optional<Model> lead;
    std::optional<Model> behaviour;
};

ScoringRules::ScoringRules()
    : m_data(std::make_shared<const Data>())
{}

ScoringRules::ScoringRules(std::shared_ptr<const Data> data)
    : m_data(std::move(data))
{}

Result<ScoringRules> ScoringRules::parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError) {
        return fail(QStringLiteral("not valid JSON: %1 at offset %2")
                        .arg(error.errorString())
                        .arg(error.offset));
    }
    if (!document.isObject())
        return fail(QStringLiteral("the document must be a JSON object"));
    const QJsonObject root = document.object();
    if (auto keys = onlyKeys(root, {}, {"version", "lists", "lead", "behaviour"}); !keys)
        return std::unexpected(keys.error());
    if (root.value(u"version") != QJsonValue(1))
        return fail(QStringLiteral("must be 1"), QStringLiteral("version"));
    if (!root.contains(u"lead") && !root.contains(u"behaviour"))
        return fail(QStringLiteral("the document needs a \"lead\" or a \"behaviour\" model"));

    Parser parser;
    if (root.contains(u"lists")) {
        if (auto lists = parser.parseLists(root.value(u"lists"), QStringLiteral("lists")); !lists)
            return std::unexpected(lists.error());
    }
    auto data = std::make_shared<Data>();
    if (root.contains(u"lead")) {
        auto model = parser.parseModel(root.value(u"lead"), QStringLiteral("lead"), false);
        if (!model)
            return std::unexpected(model.error());
        data->lead = std::move(*model);
    }
    if (root.contains(u"behaviour")) {
        auto model = parser.parseModel(root.value(u"behaviour"), QStringLiteral("behaviour"), true);
        if (!model)
            return std::unexpected(model.error());
        data->behaviour = std::move(*model);
    }
    return ScoringRules(std::move(data));
}

Result<ScoringRules> ScoringRules::loadDefault()
{
    QFile file(QString::fromLatin1(defaultResource));
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read: ") + file.errorString(), file.fileName());
    return parse(file.readAll());
}

bool ScoringRules::hasLeadModel() const
{
    return m_data->lead.has_value();
}

bool ScoringRules::hasBehaviourModel() const
{
    return m_data->behaviour.has_value();
}

static QStringList ruleIds(const std::optional<Model> &model)
{
    QStringList ids;
    if (model) {
        for (const Group &group : model->groups) {
            for (const Rule &rule : group.rules)
                ids.append(rule.id);
        }
    }
    return ids;
}

QStringList ScoringRules::leadRuleIds() const
{
    return ruleIds(m_data->lead);
}

QStringList ScoringRules::behaviourRuleIds() const
{
    return ruleIds(m_data->behaviour);
}

ScoreResult ScoringRules::score(const LeadRecord &lead) const
{
    if (!m_data->lead)
        return {};
    const Model &model = *m_data->lead;
    QJsonObject breakdown;
    qint64 total = 0;
    for (const Group &group : model.groups) {
        qint64 sum = 0;
        for (const Rule &rule : group.rules) {
            if (const std::optional<int> points = evaluate(rule, lead)) {
                const int earned = rule.cap ? std::min(*points, *rule.cap) : *points;
                breakdown.insert(rule.id, earned);
                sum += earned;
            }
        }
        total += capGroup(group, sum, breakdown);
    }
    return finish(model, total, std::move(breakdown));
}

ScoreResult ScoringRules::scoreEvents(const QStringList &events) const
{
    if (!m_data->behaviour)
        return {};
    const Model &model = *m_data->behaviour;
    QHash<std::pair<qsizetype, qsizetype>, qint64> counts;
    for (const QString &event : events) {
        const auto it = model.rulesByEvent.constFind(event);
        if (it == model.rulesByEvent.constEnd())
            continue;
        for (const auto &index : *it)
            ++counts[index];
    }
    QJsonObject breakdown;
    qint64 total = 0;
    for (qsizetype g = 0; g < model.groups.size(); ++g) {
        const Group &group = model.groups.at(g);
        qint64 sum = 0;
        for (qsizetype r = 0; r < group.rules.size(); ++r) {
            const qint64 count = counts.value({g, r});
            if (count == 0)
                continue;
            const Rule &rule = group.rules.at(r);
            qint64 earned = rule.points * (rule.once ? 1 : count);
            if (rule.cap)
                earned = std::min<qint64>(earned, *rule.cap);
            breakdown.insert(rule.id, int(std::clamp<qint64>(earned, INT_MIN, INT_MAX)));
            sum += earned;
        }
        total += capGroup(group, sum, breakdown);
    }
    return finish(model, total, std::move(breakdown));
}

QString ScoringRules::gradeFor(int score) const
{
    return m_data->lead ? bandFor(m_data->lead->grades, score) : QString();
}

QString ScoringRules::qualificationFor(int score) const
{
    return m_data->lead ? bandFor(m_data->lead->qualification, score) : QString();
}

} // namespace LeadDesk::Core
