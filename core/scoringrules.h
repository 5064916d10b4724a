#pragma once

#include "leadrecord.h"
#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <memory>

namespace LeadDesk::Core {

struct ScoreResult
{
    int score = 0; // 0..100
    QString grade;
    QString qualification;
    // Rule id -> points earned. When a group maximum cut its rules' sum, "<group id>:cap" holds
    // the (negative) correction, so the values always add up to the score before clamping.
    QJsonObject breakdown;
};

// Lead scoring as data: a JSON rule document (see resources/config/scoring-default.json) is
// parsed and compiled once; scoring then only compares strings and numbers, so one instance can
// rescore millions of leads and be shared by any number of threads (every method is const and
// the compiled rules are immutable).
//
// The document has a "lead" model, whose rules test LeadRecord fields and details, and a
// "behaviour" model, whose rules count chatbot events (seed 001). Either may be absent. A rule
// fires at most once unless it says "once": false; then each occurrence adds its points up to
// the rule's "cap". Each group's sum is cut to its "max", and the total to 0..100.
class ScoringRules
{
public:
    static constexpr auto defaultResource = ":/config/scoring-default.json";

    ScoringRules();

    // Rejects the whole document at the first problem, naming its JSON path.
    [[nodiscard]] static Result<ScoringRules> parse(const QByteArray &json);
    [[nodiscard]] static Result<ScoringRules> loadDefault();

    [[nodiscard]] bool hasLeadModel() const;
    [[nodiscard]] bool hasBehaviourModel() const;
    [[nodiscard]] QStringList leadRuleIds() const;
    [[nodiscard]] QStringList behaviourRuleIds() const;

    [[nodiscard]] ScoreResult score(const LeadRecord &lead) const;
    // Events the model does not know score nothing.
    [[nodiscard]] ScoreResult scoreEvents(const QStringList &events) const;

    // The grade and qualification a total gets under the lead model.
    [[nodiscard]] QString gradeFor(int score) const;
    [[nodiscard]] QString qualificationFor(int score) const;

    struct Data;

private:
    explicit ScoringRules(std::shared_ptr<const Data> data);

    std::shared_ptr<const Data> m_data;
};

} // namespace LeadDesk::Core
