#include "scoringrules.h"

#include "scoringdetailscanner.h"
#include "scoringmodel.h"
#include "scoringrulesparser.h"
#include "settingsrepository.h"

#include <QFile>
#include <QHash>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <charconv>
#include <climits>
#include <cmath>
#include <optional>
#include <vector>

namespace LeadDesk::Core {

using namespace Scoring;

namespace {

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
                    = ScoringDetailScanner(json).scan([&](const ScoringDetailScanner::Scalar &key,
                                                          const ScoringDetailScanner::Scalar &v) {
                          const std::string decoded = key.escaped
                                                          ? ScoringDetailScanner::unescape(key.raw)
                                                          : std::string();
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
    const double days
        = double(std::max<qint64>(0, time.nowMs - time.lastActivityMs)) / 86'400'000.0;
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

} // namespace

struct ScoringRules::Data : Scoring::Document
{
    QByteArray document;
};

ScoringRules::ScoringRules()
    : m_data(std::make_shared<const Data>())
{}

ScoringRules::ScoringRules(std::shared_ptr<const Data> data)
    : m_data(std::move(data))
{}

Result<ScoringRules> ScoringRules::parse(const QByteArray &json)
{
    auto parsed = ScoringRulesParser::parse(json);
    if (!parsed)
        return std::unexpected(parsed.error());
    auto data = std::make_shared<Data>();
    static_cast<Scoring::Document &>(*data) = std::move(*parsed);
    data->document = json;
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
    auto stored = SettingsRepository(db).value(
        businessId, QString::fromLatin1(SettingsRepository::kScoringRules));
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
        m_data->decay
            ? (m_data->decay->halfLifeDays == 1
                   ? QObject::tr("Inactivity (half-life 1 day)")
                   : QObject::tr("Inactivity (half-life %1 days)").arg(m_data->decay->halfLifeDays))
            : QObject::tr("Inactivity"),
        {});
    for (auto it = breakdown.constBegin(); it != breakdown.constEnd(); ++it) {
        if (!explained.contains(it.key()))
            lines.append({BreakdownLine::Kind::Unknown,
                          it.key(),
                          readable(it.key()),
                          {},
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

QStringList ScoringRules::storedFields() const
{
    return m_data->storedFields;
}

QStringList ScoringRules::detailKeys() const
{
    return m_data->detailKeys;
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
