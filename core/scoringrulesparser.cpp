#include "scoringrulesparser.h"

#include "jsonpath.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <algorithm>
#include <cmath>

namespace LeadDesk::Core {

using namespace JsonPath;

using namespace Scoring;

namespace {

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

// Where a stored lead keeps a field: its own column, or (the parts of an address the leads table
// folds into address_line) its contact's, as LeadRepository::detail() reads them.
QByteArray storedExpression(const QString &field)
{
    if (field == QLatin1String("street") || field == QLatin1String("city")
        || field == QLatin1String("postal_code") || field == QLatin1String("country"))
        return "(SELECT " + field.toUtf8() + " FROM contacts WHERE contacts.id = leads.contact_id)";
    return field.toUtf8();
}

Result<QString> nonEmptyString(const QJsonValue &value, const QString &path)
{
    if (!value.isString() || value.toString().trimmed().isEmpty())
        return fail(QStringLiteral("must be a non-empty string"), path);
    return value.toString();
}

// Rule and group ids become breakdown keys (and JSON keys in the store): plain names only, so
// they never need escaping and never collide with "<group>:cap" or "decay".
Result<QString> identifier(const QJsonValue &value, const QString &path)
{
    auto id = nonEmptyString(value, path);
    if (!id)
        return id;
    const bool plain = std::all_of(id->cbegin(), id->cend(), [](QChar c) {
        return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || (c >= u'0' && c <= u'9')
               || c == u'_' || c == u'-' || c == u'.';
    });
    if (!plain)
        return fail(QStringLiteral("may hold only letters, digits, '_', '-' and '.'"), path);
    return id;
}

Result<QString> optionalLabel(const QJsonObject &object, const QString &path, const QString &id)
{
    if (!object.contains(u"label"))
        return readable(id);
    return nonEmptyString(object.value(u"label"), at(path, QStringLiteral("label")));
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
    Result<int> parseField(const QJsonValue &value, const QString &path);

    QHash<QString, QSet<QString>> m_lists;
    // The model being parsed: its inputs, by field name.
    QList<Input> m_inputs;
    QHash<QString, int> m_inputIndex;
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
        bands.append({*label, label->toUtf8(), *min});
    }
    if (bands.last().min != 0)
        return fail(QStringLiteral("the last band must start at 0"),
                    at(at(path, array.size() - 1), QStringLiteral("min")));
    return bands;
}

// The lead model's labels are stored in columns that accept only these.
Result<void> checkLabels(const QList<Band> &bands, const QString &path, const QStringList &allowed)
{
    for (qsizetype i = 0; i < bands.size(); ++i) {
        if (!allowed.contains(bands.at(i).label))
            return fail(QStringLiteral("must be one of %1").arg(allowed.join(QStringLiteral(", "))),
                        at(at(path, i), QStringLiteral("label")));
    }
    return {};
}

Result<int> Parser::parseField(const QJsonValue &value, const QString &path)
{
    auto name = nonEmptyString(value, path);
    if (!name)
        return std::unexpected(name.error());
    if (const auto known = m_inputIndex.constFind(*name); known != m_inputIndex.constEnd())
        return *known;
    static const QString detailsPrefix = QStringLiteral("details.");
    Input input;
    if (name->startsWith(detailsPrefix) && name->size() > detailsPrefix.size()) {
        input.detailKey = name->mid(detailsPrefix.size());
        input.detailKeyUtf8 = input.detailKey.toStdString();
    } else {
        input.member = leadFields().value(*name);
        if (!input.member)
            return fail(QStringLiteral("unknown field \"%1\"").arg(*name), path);
    }
    m_inputs.append(input);
    m_inputIndex.insert(*name, int(m_inputs.size() - 1));
    return int(m_inputs.size() - 1);
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
        condition.inputs.append(*field);
    } else {
        const QString fieldsPath = at(path, QStringLiteral("fields"));
        const QJsonArray fields = object.value(u"fields").toArray();
        if (!object.value(u"fields").isArray() || fields.isEmpty())
            return fail(QStringLiteral("must be a non-empty array"), fieldsPath);
        for (qsizetype i = 0; i < fields.size(); ++i) {
            auto field = parseField(fields.at(i), at(fieldsPath, i));
            if (!field)
                return std::unexpected(field.error());
            condition.inputs.append(*field);
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
        for (const int input : std::as_const(condition.inputs))
            m_inputs[input].numeric = true;
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
    auto keys = behaviour
                    ? onlyKeys(object, path, {"id", "label", "event", "points", "once", "cap"})
                    : onlyKeys(object, path, {"id", "label", "when", "points", "once", "cap"});
    if (!keys)
        return std::unexpected(keys.error());

    Rule rule;
    const QString idPath = at(path, QStringLiteral("id"));
    auto id = identifier(object.value(u"id"), idPath);
    if (!id)
        return std::unexpected(id.error());
    if (*id == QLatin1String("decay"))
        return fail(QStringLiteral("\"decay\" is kept for the decay entry"), idPath);
    rule.id = *id;
    auto label = optionalLabel(object, path, rule.id);
    if (!label)
        return std::unexpected(label.error());
    rule.label = *label;

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
    m_inputs.clear();
    m_inputIndex.clear();

    Model model;
    const QString gradesPath = at(path, QStringLiteral("grades"));
    auto grades = parseBands(object.value(u"grades"), gradesPath);
    if (!grades)
        return std::unexpected(grades.error());
    model.grades = *grades;
    const QString qualificationPath = at(path, QStringLiteral("qualification"));
    auto qualification = parseBands(object.value(u"qualification"), qualificationPath);
    if (!qualification)
        return std::unexpected(qualification.error());
    model.qualification = *qualification;
    if (!behaviour) {
        if (auto ok = checkLabels(model.grades, gradesPath, {"A", "B", "C", "D"}); !ok)
            return std::unexpected(ok.error());
        if (auto ok = checkLabels(model.qualification, qualificationPath,
                                  {"sales_qualified", "marketing_qualified", "unqualified"});
            !ok)
            return std::unexpected(ok.error());
    }

    const QString groupsPath = at(path, QStringLiteral("groups"));
    const QJsonArray groups = object.value(u"groups").toArray();
    if (!object.value(u"groups").isArray() || groups.isEmpty())
        return fail(QStringLiteral("must be a non-empty array"), groupsPath);
    QSet<QString> ids;
    QSet<QString> groupIds;
    for (qsizetype g = 0; g < groups.size(); ++g) {
        const QString groupPath = at(groupsPath, g);
        if (!groups.at(g).isObject())
            return fail(QStringLiteral("must be an object"), groupPath);
        const QJsonObject groupObject = groups.at(g).toObject();
        if (auto keys = onlyKeys(groupObject, groupPath, {"id", "label", "max", "rules"}); !keys)
            return std::unexpected(keys.error());
        Group group;
        const QString idPath = at(groupPath, QStringLiteral("id"));
        auto id = identifier(groupObject.value(u"id"), idPath);
        if (!id)
            return std::unexpected(id.error());
        if (groupIds.contains(*id))
            return fail(QStringLiteral("duplicate group id \"%1\"").arg(*id), idPath);
        groupIds.insert(*id);
        group.id = *id;
        auto label = optionalLabel(groupObject, groupPath, group.id);
        if (!label)
            return std::unexpected(label.error());
        group.label = *label;
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
    model.inputs = m_inputs;
    return model;
}

// Gives every breakdown key of the model its slot, in QJsonObject's key order.
void assignSlots(Model &model, bool withDecay)
{
    QStringList keys;
    for (const Group &group : std::as_const(model.groups)) {
        for (const Rule &rule : group.rules)
            keys << rule.id;
        keys << group.id + QStringLiteral(":cap");
    }
    if (withDecay)
        keys << QStringLiteral("decay");
    QStringList sorted = keys;
    std::sort(sorted.begin(), sorted.end());
    for (const QString &key : std::as_const(sorted))
        model.slots.push_back({key, '"' + key.toStdString() + "\":"});
    const auto slotOf = [&sorted](const QString &key) {
        return int(sorted.indexOf(key));
    };
    for (Group &group : model.groups) {
        for (Rule &rule : group.rules)
            rule.slot = slotOf(rule.id);
        group.capSlot = slotOf(group.id + QStringLiteral(":cap"));
    }
    model.decaySlot = withDecay ? slotOf(QStringLiteral("decay")) : -1;
}

// Reads the optional "decay" block and marks the groups it applies to.
Result<std::optional<Decay>> parseDecay(const QJsonObject &root, Document &data)
{
    if (!root.contains(u"decay"))
        return std::nullopt;
    const QString path = QStringLiteral("decay");
    const QJsonValue value = root.value(u"decay");
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    const QJsonObject object = value.toObject();
    if (auto keys = onlyKeys(object, path, {"half_life_days", "applies_to", "floor"}); !keys)
        return std::unexpected(keys.error());
    Decay decay;
    const QString halfLifePath = at(path, QStringLiteral("half_life_days"));
    if (!object.contains(u"half_life_days"))
        return fail(QStringLiteral("is required"), halfLifePath);
    auto halfLife = wholeNumber(object.value(u"half_life_days"), halfLifePath, 1, 3650);
    if (!halfLife)
        return std::unexpected(halfLife.error());
    decay.halfLifeDays = *halfLife;
    if (object.contains(u"floor")) {
        auto floor = wholeNumber(object.value(u"floor"), at(path, QStringLiteral("floor")), 0, 100);
        if (!floor)
            return std::unexpected(floor.error());
        decay.floor = *floor;
    }

    std::optional<QStringList> appliesTo; // every group when absent
    if (object.contains(u"applies_to")) {
        const QString appliesPath = at(path, QStringLiteral("applies_to"));
        const QJsonArray array = object.value(u"applies_to").toArray();
        if (!object.value(u"applies_to").isArray() || array.isEmpty())
            return fail(QStringLiteral("must be a non-empty array of group ids"), appliesPath);
        appliesTo = QStringList();
        for (qsizetype i = 0; i < array.size(); ++i) {
            auto id = nonEmptyString(array.at(i), at(appliesPath, i));
            if (!id)
                return std::unexpected(id.error());
            bool known = false;
            for (std::optional<Model> *model : {&data.lead, &data.behaviour}) {
                if (!*model)
                    continue;
                for (const Group &group : std::as_const((*model)->groups))
                    known = known || group.id == *id;
            }
            if (!known)
                return fail(QStringLiteral("no group \"%1\" in the document").arg(*id),
                            at(appliesPath, i));
            appliesTo->append(*id);
        }
    }
    for (std::optional<Model> *model : {&data.lead, &data.behaviour}) {
        if (!*model)
            continue;
        for (Group &group : (*model)->groups)
            group.decays = !appliesTo || appliesTo->contains(group.id);
    }
    return decay;
}

bool anyDecays(const std::optional<Model> &model)
{
    return model
           && std::any_of(model->groups.cbegin(), model->groups.cend(),
                          [](const Group &group) { return group.decays; });
}

} // namespace

Result<Scoring::Document> ScoringRulesParser::parse(const QByteArray &json)
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
    if (auto keys = onlyKeys(root, {}, {"version", "lists", "lead", "behaviour", "decay"}); !keys)
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
    auto data = std::make_shared<Document>();
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
    auto decay = parseDecay(root, *data);
    if (!decay)
        return std::unexpected(decay.error());
    data->decay = *decay;
    for (std::optional<Model> *model : {&data->lead, &data->behaviour}) {
        if (*model)
            assignSlots(**model, data->decay && anyDecays(*model));
    }

    if (data->lead) {
        // The columns the rescorer reads: stored fields in the order rules first name them, then
        // the details text once for every detail.
        int detailsColumn = -1;
        for (Input &input : data->lead->inputs) {
            if (!input.member)
                continue;
            input.column = int(data->storedColumns.size());
            const QString field = leadFields().key(input.member);
            const QByteArray expression = storedExpression(field);
            data->storedColumns << expression;
            // An address part is its contact's: the lead holds only the contact's id.
            const QString column
                = expression == field.toUtf8() ? field : QStringLiteral("contact_id");
            if (!data->storedFields.contains(column))
                data->storedFields << column;
        }
        for (Input &input : data->lead->inputs) {
            if (input.member)
                continue;
            if (detailsColumn < 0) {
                detailsColumn = int(data->storedColumns.size());
                data->storedColumns << QByteArrayLiteral("details");
            }
            input.column = detailsColumn;
            if (!data->detailKeys.contains(input.detailKey))
                data->detailKeys << input.detailKey;
        }
    }
    return std::move(*data);
}

} // namespace LeadDesk::Core
