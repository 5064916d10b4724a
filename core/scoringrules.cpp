#include "scoringrules.h"

#include "scoringdetailscanner.h"
#include "settingsrepository.h"

#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <optional>
#include <vector>

namespace LeadDesk::Core {

namespace {

enum class Op { Equals, In, NotIn, NotEmpty, Empty, DomainIn, DomainNotIn, Map, Range };

// One value rules read: a LeadRecord member (a leads column) or a key of LeadRecord::details.
// Each distinct field is read and normalised once per lead, however many rules test it.
struct Input
{
    QString LeadRecord::*member = nullptr;
    QString detailKey;
    std::string detailKeyUtf8;
    bool numeric = false; // a range condition reads it as a number
    int column = -1;      // index in storedColumns()
};

struct Condition
{
    Op op = Op::NotEmpty;
    QList<int> inputs;    // the first one holding a non-blank value is used
    QString value;        // Equals, normalised
    QSet<QString> values; // In, NotIn, DomainIn, DomainNotIn, normalised
    bool prefix = false;  // Map: keys match the start of the value instead of all of it
    QHash<QString, int> exactMap;
    QList<std::pair<QString, int>> prefixMap; // longest key first, so "high" wins over "h"
    std::optional<double> gt, gte, lt, lte;
};

struct Rule
{
    QString id;
    QString label;
    int points = 0;
    bool once = true;
    std::optional<int> cap;
    Condition when; // lead model
    QString event;  // behaviour model
    int slot = 0;   // breakdown slot
};

struct Group
{
    QString id;
    QString label;
    int max = 0;
    QList<Rule> rules;
    int capSlot = 0;
    bool decays = false;
};

struct Band
{
    QString label;
    QByteArray utf8;
    int min = 0;
};

// A breakdown key. Slots are kept in the order QJsonObject sorts its keys, so the compact JSON
// text can be written straight from the slot values.
struct Slot
{
    QString key;
    std::string prefix; // "key":
};

struct Model
{
    QList<Group> groups;
    QList<Band> grades;
    QList<Band> qualification;
    QHash<QString, QList<std::pair<qsizetype, qsizetype>>> rulesByEvent; // event -> (group, rule)
    QList<Input> inputs;
    std::vector<Slot> slots;
    int decaySlot = -1;
};

struct Decay
{
    int halfLifeDays = 0;
    int floor = 0;
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

// Where a stored lead keeps a field: its own column, or (the parts of an address the leads table
// folds into address_line) its contact's, as LeadRepository::detail() reads them.
QByteArray storedExpression(const QString &field)
{
    if (field == QLatin1String("street") || field == QLatin1String("city")
        || field == QLatin1String("postal_code") || field == QLatin1String("country"))
        return "(SELECT " + field.toUtf8()
               + " FROM contacts WHERE contacts.id = leads.contact_id)";
    return field.toUtf8();
}

QString normalised(const QString &text)
{
    return text.trimmed().toLower();
}

bool isAsciiSpace(char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

// normalised() of UTF-8 text, into `out` (reusing its buffer): ASCII, nearly every value, is
// trimmed and lower-cased in one pass without a temporary.
void normaliseUtf8(std::string_view text, QString &out)
{
    const bool ascii = std::all_of(text.begin(), text.end(),
                                   [](char c) { return static_cast<unsigned char>(c) < 0x80; });
    if (!ascii) {
        out = normalised(QString::fromUtf8(text.data(), qsizetype(text.size())));
        return;
    }
    while (!text.empty() && isAsciiSpace(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && isAsciiSpace(text.back()))
        text.remove_suffix(1);
    out.resize(qsizetype(text.size()));
    QChar *data = out.data();
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        data[i] = QLatin1Char(c >= 'A' && c <= 'Z' ? char(c + ('a' - 'A')) : c);
    }
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

QString readable(const QString &id)
{
    QString text = id;
    text.replace(u'_', u' ').replace(u'-', u' ');
    if (!text.isEmpty())
        text[0] = text.at(0).toUpper();
    return text;
}

} // namespace

// --- per-thread working memory ------------------------------------------------------------

class ScoringRules::Scratch
{
public:
    enum class NumberState { Blank, Invalid, Number };
    struct Value
    {
        QString text; // normalised
        NumberState numberState = NumberState::Blank;
        double number = 0;
    };

    std::vector<Value> values; // one per input
    std::vector<int> points;   // one per breakdown slot
    std::vector<char> present;
    std::vector<ScoringDetailScanner::Scalar> details; // one per input (only detail inputs used)
};

namespace {

using Scratch = ScoringRules::Scratch;
using NumberState = Scratch::NumberState;

void setNumberFromText(Scratch::Value &value, const QString &raw)
{
    const QString trimmed = raw.trimmed();
    if (trimmed.isEmpty()) {
        value.numberState = NumberState::Blank;
        return;
    }
    bool ok = false;
    const double number = trimmed.toDouble(&ok);
    value.numberState = ok && std::isfinite(number) ? NumberState::Number : NumberState::Invalid;
    value.number = number;
}

void prepare(const Model &model, Scratch &scratch)
{
    scratch.values.resize(model.inputs.size());
    scratch.points.assign(model.slots.size(), 0);
    scratch.present.assign(model.slots.size(), 0);
}

void readLead(const Model &model, const LeadRecord &lead, Scratch &scratch)
{
    for (qsizetype i = 0; i < model.inputs.size(); ++i) {
        const Input &input = model.inputs.at(i);
        Scratch::Value &value = scratch.values[std::size_t(i)];
        if (input.member) {
            value.text = normalised(lead.*input.member);
            if (input.numeric)
                setNumberFromText(value, lead.*input.member);
            continue;
        }
        const QJsonValue detail = lead.details.value(input.detailKey);
        value.text = normalised(detailText(detail));
        if (!input.numeric)
            continue;
        if (detail.isDouble()) {
            value.numberState = NumberState::Number;
            value.number = detail.toDouble();
        } else {
            setNumberFromText(value, detail.toString());
        }
    }
}

void readStored(const Model &model, std::span<const std::string_view> columns, Scratch &scratch)
{
    bool detailsScanned = false;
    for (qsizetype i = 0; i < model.inputs.size(); ++i) {
        const Input &input = model.inputs.at(i);
        Scratch::Value &value = scratch.values[std::size_t(i)];
        if (input.member) {
            const std::string_view text = columns[std::size_t(input.column)];
            normaliseUtf8(text, value.text);
            if (input.numeric)
                setNumberFromText(value, QString::fromUtf8(text.data(), qsizetype(text.size())));
            continue;
        }
        if (!detailsScanned) {
            // One pass over the details text for every detail the rules read.
            detailsScanned = true;
            scratch.details.assign(model.inputs.size(), ScoringDetailScanner::Scalar());
            const std::string_view json = columns[std::size_t(input.column)];
            if (json.size() > 2) { // "{}" has nothing a rule could read
                const bool ok
                    = ScoringDetailScanner(json).scan([&](const ScoringDetailScanner::Scalar &key, const ScoringDetailScanner::Scalar &v) {
                          const std::string decoded = key.escaped ? ScoringDetailScanner::unescape(key.raw) : std::string();
                          const std::string_view name = key.escaped ? decoded : key.raw;
                          for (qsizetype k = 0; k < model.inputs.size(); ++k) {
                              if (!model.inputs.at(k).member
                                  && model.inputs.at(k).detailKeyUtf8 == name)
                                  scratch.details[std::size_t(k)] = v;
                          }
                      });
                if (!ok)
                    scratch.details.assign(model.inputs.size(), ScoringDetailScanner::Scalar());
            }
        }
        const ScoringDetailScanner::Scalar &scalar = scratch.details[std::size_t(i)];
        value.numberState = NumberState::Blank;
        switch (scalar.type) {
        case ScoringDetailScanner::Scalar::String: {
            const QString text = ScoringDetailScanner::text(scalar);
            value.text = normalised(text);
            if (input.numeric)
                setNumberFromText(value, text);
            break;
        }
        case ScoringDetailScanner::Scalar::Number: {
            const std::optional<double> number = ScoringDetailScanner::number(scalar.raw);
            value.text = number ? QString::number(*number) : QString();
            if (number) {
                value.numberState = NumberState::Number;
                value.number = *number;
            }
            break;
        }
        case ScoringDetailScanner::Scalar::True:
            value.text = QStringLiteral("true");
            break;
        case ScoringDetailScanner::Scalar::False:
            value.text = QStringLiteral("false");
            break;
        case ScoringDetailScanner::Scalar::Absent:
        case ScoringDetailScanner::Scalar::Other:
            value.text.resize(0);
            break;
        }
    }
}

// The condition's value as the rule sees it: trimmed and lower-cased, empty when every field is.
const QString &conditionText(const Condition &condition, const Scratch &scratch)
{
    static const QString empty;
    for (const int input : condition.inputs) {
        const QString &text = scratch.values[std::size_t(input)].text;
        if (!text.isEmpty())
            return text;
    }
    return empty;
}

std::optional<double> conditionNumber(const Condition &condition, const Scratch &scratch)
{
    for (const int input : condition.inputs) {
        const Scratch::Value &value = scratch.values[std::size_t(input)];
        switch (value.numberState) {
        case NumberState::Blank:
            continue;
        case NumberState::Invalid:
            return std::nullopt;
        case NumberState::Number:
            return value.number;
        }
    }
    return std::nullopt;
}

QString domainOf(const QString &email)
{
    const qsizetype at = email.lastIndexOf(u'@');
    return at < 0 ? QString() : email.mid(at + 1);
}

// The points a rule earns for a lead, or nothing when its condition does not hold.
std::optional<int> evaluate(const Rule &rule, const Scratch &scratch)
{
    const Condition &c = rule.when;
    if (c.op == Op::Range) {
        const std::optional<double> n = conditionNumber(c, scratch);
        if (!n || (c.gt && !(*n > *c.gt)) || (c.gte && !(*n >= *c.gte)) || (c.lt && !(*n < *c.lt))
            || (c.lte && !(*n <= *c.lte)))
            return std::nullopt;
        return rule.points;
    }
    const QString &text = conditionText(c, scratch);
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

const Band *bandFor(const QList<Band> &bands, int score)
{
    for (const Band &band : bands) {
        if (score >= band.min)
            return &band;
    }
    return bands.isEmpty() ? nullptr : &bands.last();
}

void put(Scratch &scratch, int slot, qint64 points)
{
    scratch.present[std::size_t(slot)] = 1;
    scratch.points[std::size_t(slot)] = int(std::clamp<qint64>(points, INT_MIN, INT_MAX));
}

// Cuts a group's sum to its maximum and records the cut, so the breakdown still adds up.
qint64 capGroup(const Group &group, qint64 sum, Scratch &scratch)
{
    if (sum <= group.max)
        return sum;
    put(scratch, group.capSlot, group.max - sum);
    return group.max;
}

// Fades the decaying groups' points with inactivity: their sum is multiplied by
// 0.5^(days / half-life) and rounded, but not below the floor (nor raised to it). Penalties (a
// negative sum) do not fade: inactivity never raises a score.
qint64 applyDecay(const Model &model, const std::optional<Decay> &decay, qint64 decaying,
                  ScoreTime time, Scratch &scratch)
{
    if (!decay || model.decaySlot < 0 || time.nowMs <= 0 || decaying <= 0)
        return 0;
    const double days = double(std::max<qint64>(0, time.nowMs - time.lastActivityMs)) / 86'400'000.0;
    const double factor = std::pow(0.5, days / decay->halfLifeDays);
    qint64 kept = std::llround(double(decaying) * factor);
    kept = std::max(kept, std::min<qint64>(decaying, decay->floor));
    const qint64 removed = kept - decaying;
    if (removed != 0)
        put(scratch, model.decaySlot, removed);
    return removed;
}

qint64 scoreLeadModel(const Model &model, const std::optional<Decay> &decay, ScoreTime time,
                      Scratch &scratch)
{
    qint64 total = 0;
    qint64 decaying = 0;
    for (const Group &group : model.groups) {
        qint64 sum = 0;
        for (const Rule &rule : group.rules) {
            if (const std::optional<int> points = evaluate(rule, scratch)) {
                const int earned = rule.cap ? std::min(*points, *rule.cap) : *points;
                put(scratch, rule.slot, earned);
                sum += earned;
            }
        }
        sum = capGroup(group, sum, scratch);
        total += sum;
        if (group.decays)
            decaying += sum;
    }
    return total + applyDecay(model, decay, decaying, time, scratch);
}

ScoreResult toResult(const Model &model, qint64 total, const Scratch &scratch)
{
    ScoreResult result;
    result.score = int(std::clamp<qint64>(total, 0, 100));
    if (const Band *grade = bandFor(model.grades, result.score))
        result.grade = grade->label;
    if (const Band *qualification = bandFor(model.qualification, result.score))
        result.qualification = qualification->label;
    for (std::size_t s = 0; s < model.slots.size(); ++s) {
        if (scratch.present[s])
            result.breakdown.insert(model.slots[s].key, scratch.points[s]);
    }
    return result;
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
Result<void> checkLabels(const QList<Band> &bands, const QString &path,
                         const QStringList &allowed)
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
    const auto slotOf = [&sorted](const QString &key) { return int(sorted.indexOf(key)); };
    for (Group &group : model.groups) {
        for (Rule &rule : group.rules)
            rule.slot = slotOf(rule.id);
        group.capSlot = slotOf(group.id + QStringLiteral(":cap"));
    }
    model.decaySlot = withDecay ? slotOf(QStringLiteral("decay")) : -1;
}

} // namespace

struct ScoringRules::Data
{
    QByteArray document;
    std::optional<Model> lead;
    std::optional<Model> behaviour;
    std::optional<Decay> decay;
    QList<QByteArray> storedColumns;
};

namespace {

// Reads the optional "decay" block and marks the groups it applies to.
Result<std::optional<Decay>> parseDecay(const QJsonObject &root, ScoringRules::Data &data)
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
    return model && std::any_of(model->groups.cbegin(), model->groups.cend(),
                                [](const Group &group) { return group.decays; });
}

} // namespace

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
    auto data = std::make_shared<Data>();
    data->document = json;
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
            data->storedColumns << storedExpression(leadFields().key(input.member));
        }
        for (Input &input : data->lead->inputs) {
            if (input.member)
                continue;
            if (detailsColumn < 0) {
                detailsColumn = int(data->storedColumns.size());
                data->storedColumns << QByteArrayLiteral("details");
            }
            input.column = detailsColumn;
        }
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

Result<ScoringRules> ScoringRules::forBusiness(Database &db, const QString &businessId)
{
    auto stored = SettingsRepository(db).value(businessId,
                                               QString::fromLatin1(SettingsRepository::kScoringRules));
    if (!stored)
        return std::unexpected(stored.error());
    if (!*stored)
        return loadDefault();
    auto rules = parse(**stored);
    if (!rules) {
        return fail(QStringLiteral("the business's scoring rules are invalid: %1")
                        .arg(rules.error().toString()));
    }
    return rules;
}

Result<ScoringRules> ScoringRules::saveForBusiness(Database &db, const QString &businessId,
                                                   const QByteArray &json, qint64 nowMs)
{
    auto rules = parse(json);
    if (!rules)
        return rules;
    if (auto ok = SettingsRepository(db).setValue(
            businessId, QString::fromLatin1(SettingsRepository::kScoringRules), json, nowMs);
        !ok)
        return std::unexpected(ok.error());
    return rules;
}

QByteArray ScoringRules::document() const
{
    return m_data->document;
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

bool ScoringRules::hasDecay() const
{
    return m_data->decay.has_value();
}

int ScoringRules::decayHalfLifeDays() const
{
    return m_data->decay ? m_data->decay->halfLifeDays : 0;
}

ScoreResult ScoringRules::score(const LeadRecord &lead, ScoreTime time) const
{
    if (!m_data->lead)
        return {};
    const Model &model = *m_data->lead;
    Scratch scratch;
    prepare(model, scratch);
    readLead(model, lead, scratch);
    const qint64 total = scoreLeadModel(model, m_data->decay, time, scratch);
    return toResult(model, total, scratch);
}

ScoreResult ScoringRules::scoreEvents(const QStringList &events, ScoreTime time) const
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
    Scratch scratch;
    prepare(model, scratch);
    qint64 total = 0;
    qint64 decaying = 0;
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
            put(scratch, rule.slot, earned);
            sum += earned;
        }
        sum = capGroup(group, sum, scratch);
        total += sum;
        if (group.decays)
            decaying += sum;
    }
    total += applyDecay(model, m_data->decay, decaying, time, scratch);
    return toResult(model, total, scratch);
}

QString ScoringRules::gradeFor(int score) const
{
    const Band *band = m_data->lead ? bandFor(m_data->lead->grades, score) : nullptr;
    return band ? band->label : QString();
}

QString ScoringRules::qualificationFor(int score) const
{
    const Band *band = m_data->lead ? bandFor(m_data->lead->qualification, score) : nullptr;
    return band ? band->label : QString();
}

QList<BreakdownLine> ScoringRules::explain(const QJsonObject &breakdown) const
{
    const auto knows = [&breakdown](const std::optional<Model> &model) {
        if (!model)
            return false;
        return std::any_of(model->slots.cbegin(), model->slots.cend(),
                           [&breakdown](const Slot &slot) { return breakdown.contains(slot.key); });
    };
    const std::optional<Model> &model
        = knows(m_data->lead) || !knows(m_data->behaviour) ? m_data->lead : m_data->behaviour;
    QList<BreakdownLine> lines;
    QSet<QString> explained;
    const auto add = [&](BreakdownLine::Kind kind, const QString &key, const QString &label,
                         const QString &groupLabel) {
        const auto it = breakdown.constFind(key);
        if (it == breakdown.constEnd())
            return;
        lines.append({kind, key, label, groupLabel, it->toInt()});
        explained.insert(key);
    };
    if (model) {
        for (const Group &group : model->groups) {
            for (const Rule &rule : group.rules)
                add(BreakdownLine::Kind::Rule, rule.id, rule.label, group.label);
            add(BreakdownLine::Kind::Cap, group.id + QStringLiteral(":cap"),
                QObject::tr("%1 maximum (%2)").arg(group.label).arg(group.max), group.label);
        }
    }
    add(BreakdownLine::Kind::Decay, QStringLiteral("decay"),
        m_data->decay ? (m_data->decay->halfLifeDays == 1
                             ? QObject::tr("Inactivity (half-life 1 day)")
                             : QObject::tr("Inactivity (half-life %1 days)")
                                   .arg(m_data->decay->halfLifeDays))
                      : QObject::tr("Inactivity"),
        {});
    for (auto it = breakdown.constBegin(); it != breakdown.constEnd(); ++it) {
        if (!explained.contains(it.key()))
            lines.append({BreakdownLine::Kind::Unknown, it.key(), readable(it.key()), {},
                          it.value().toInt()});
    }
    return lines;
}

std::shared_ptr<ScoringRules::Scratch> ScoringRules::newScratch() const
{
    return std::make_shared<Scratch>();
}

QList<QByteArray> ScoringRules::storedColumns() const
{
    return m_data->storedColumns;
}

void ScoringRules::scoreStored(std::span<const std::string_view> columns, ScoreTime time,
                               Scratch &scratch, StoredScore &out) const
{
    out.breakdown.clear();
    if (!m_data->lead) {
        static const QByteArray d("D"), unqualified("unqualified");
        out.score = 0;
        out.grade = &d;
        out.qualification = &unqualified;
        out.breakdown = "{}";
        return;
    }
    const Model &model = *m_data->lead;
    prepare(model, scratch);
    readStored(model, columns, scratch);
    const qint64 total = scoreLeadModel(model, m_data->decay, time, scratch);
    out.score = int(std::clamp<qint64>(total, 0, 100));
    out.grade = &bandFor(model.grades, out.score)->utf8;
    out.qualification = &bandFor(model.qualification, out.score)->utf8;
    // The compact JSON text QJsonDocument would write for the breakdown object.
    out.breakdown += '{';
    bool first = true;
    char number[16];
    for (std::size_t s = 0; s < model.slots.size(); ++s) {
        if (!scratch.present[s])
            continue;
        if (!first)
            out.breakdown += ',';
        first = false;
        out.breakdown += model.slots[s].prefix;
        const auto [end, error] = std::to_chars(number, number + sizeof number, scratch.points[s]);
        out.breakdown.append(number, end);
    }
    out.breakdown += '}';
}

} // namespace LeadDesk::Core
