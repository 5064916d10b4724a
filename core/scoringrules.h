#pragma once

#include "leadrecord.h"
#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace LeadDesk::Core {

class Database;

struct ScoreResult
{
    int score = 0; // 0..100
    QString grade;
    QString qualification;
    // Rule id -> points earned. When a group maximum cut its rules' sum, "<group id>:cap" holds
    // the (negative) correction; when points faded with inactivity, "decay" holds the (negative)
    // points removed. The values always add up to the score before clamping.
    QJsonObject breakdown;
};

// What decay needs to know: the time of scoring and the lead's last activity (the latest of its
// creation, its last inbound and its last outbound message). nowMs 0 means "no decay" (a lead
// scored as it arrives has been inactive for no time at all).
struct ScoreTime
{
    qint64 nowMs = 0;
    qint64 lastActivityMs = 0;
};

// A score in the form the leads table stores it, for the rescorer's fast path.
struct StoredScore
{
    int score = 0;
    const QByteArray *grade = nullptr; // UTF-8, owned by the rules
    const QByteArray *qualification = nullptr;
    std::string breakdown; // compact JSON, keys sorted: byte for byte what QJsonDocument writes
};

// One line of a score's explanation, in document order (group by group, rules in their order,
// then the group's cap), decay last.
struct BreakdownLine
{
    enum class Kind { Rule, Cap, Decay, Unknown };
    Kind kind = Kind::Unknown;
    QString key;        // the breakdown key
    QString label;      // readable: the rule's or group's "label", else its id made readable
    QString groupLabel; // the group a rule or cap belongs to (empty for decay and unknown keys)
    int points = 0;
};

// Lead scoring as data: a JSON rule document (see resources/config/scoring-default.json) is
// parsed and compiled once; scoring then only compares strings and numbers, so one instance can
// rescore millions of leads and be shared by any number of threads (every method is const and
// the compiled rules are immutable).
//
// The document has a "lead" model, whose rules test LeadRecord fields and details, and a
// "behaviour" model, whose rules count chatbot events (seed 001). Either may be absent. A rule
// fires at most once unless it says "once": false; then each occurrence adds its points up to
// the rule's "cap". Each group's sum is cut to its "max". An optional "decay" block fades the
// points of chosen groups with inactivity at a half-life; the total is then cut to 0..100.
class ScoringRules
{
public:
    static constexpr auto defaultResource = ":/config/scoring-default.json";

    ScoringRules();

    // Rejects the whole document at the first problem, naming its JSON path.
    [[nodiscard]] static Result<ScoringRules> parse(const QByteArray &json);
    [[nodiscard]] static Result<ScoringRules> loadDefault();
    // The business's own rules (SettingsRepository key scoring.rules), else the shipped default.
    [[nodiscard]] static Result<ScoringRules> forBusiness(Database &db, const QString &businessId);
    // Validates `json` and stores it as the business's rules; returns the parsed rules.
    [[nodiscard]] static Result<ScoringRules>
    saveForBusiness(Database &db, const QString &businessId, const QByteArray &json, qint64 nowMs);

    // The document the rules were parsed from.
    [[nodiscard]] QByteArray document() const;

    [[nodiscard]] bool hasLeadModel() const;
    [[nodiscard]] bool hasBehaviourModel() const;
    [[nodiscard]] QStringList leadRuleIds() const;
    [[nodiscard]] QStringList behaviourRuleIds() const;
    [[nodiscard]] bool hasDecay() const;
    [[nodiscard]] int decayHalfLifeDays() const; // 0 without decay

    [[nodiscard]] ScoreResult score(const LeadRecord &lead, ScoreTime time = {}) const;
    // Events the model does not know score nothing.
    [[nodiscard]] ScoreResult scoreEvents(const QStringList &events, ScoreTime time = {}) const;

    // The grade and qualification a total gets under the lead model.
    [[nodiscard]] QString gradeFor(int score) const;
    [[nodiscard]] QString qualificationFor(int score) const;

    // A breakdown (of the lead model, or of the behaviour model when its keys are the behaviour
    // model's) in words; keys the rules do not know are kept, as Kind::Unknown, at the end.
    [[nodiscard]] QList<BreakdownLine> explain(const QJsonObject &breakdown) const;

    // --- the rescorer's fast path -------------------------------------------------------------
    // Per-thread working memory for scoreStored().
    class Scratch;
    [[nodiscard]] std::shared_ptr<Scratch> newScratch() const;
    // What the lead model reads of a stored lead, as SQL expressions over the leads table (a
    // column name, or the contact's column for the parts of an address), in the order
    // scoreStored() takes their text; "details" once when a rule reads any detail.
    [[nodiscard]] QList<QByteArray> storedColumns() const;
    // The leads columns those expressions read (contact_id for an address part) and the detail
    // keys, each once.
    [[nodiscard]] QStringList storedFields() const;
    [[nodiscard]] QStringList detailKeys() const;
    // Scores a stored lead from the UTF-8 text of its storedColumns(): the same result as
    // score() on the lead read into a LeadRecord, without building it.
    void scoreStored(std::span<const std::string_view> columns, ScoreTime time, Scratch &scratch,
                     StoredScore &out) const;

    struct Data;

private:
    explicit ScoringRules(std::shared_ptr<const Data> data);

    std::shared_ptr<const Data> m_data;
};

} // namespace LeadDesk::Core
