#pragma once

#include "leadrecord.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>

#include <optional>
#include <string>
#include <vector>

// The parsed form of a scoring document: built by ScoringRulesParser, evaluated by ScoringRules.
// Internal to core.
namespace LeadDesk::Core::Scoring {

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

// Everything a document defines, ready to evaluate.
struct Document
{
    std::optional<Model> lead;
    std::optional<Model> behaviour;
    std::optional<Decay> decay;
    // The columns the rescorer reads from a stored lead, in the order the inputs name them.
    QList<QByteArray> storedColumns;
    // The leads columns behind them (contact_id for the parts of an address) and the detail keys
    // they read, each once: what RuleInputsTable keeps a narrow copy of.
    QStringList storedFields;
    QStringList detailKeys;
};

// How rule values and lead values are compared: trimmed, lower-case.
inline QString normalised(const QString &text)
{
    return text.trimmed().toLower();
}

// A rule or group id as words, for a label the document did not give ("business_email" ->
// "Business email").
inline QString readable(const QString &id)
{
    QString text = id;
    text.replace(u'_', u' ').replace(u'-', u' ');
    if (!text.isEmpty())
        text[0] = text.at(0).toUpper();
    return text;
}

} // namespace LeadDesk::Core::Scoring
