#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace LeadDesk::Core {

// A pooled two-proportion z-test: is B's conversion rate different from A's? Two-sided.
struct TwoProportionTest
{
    double z = 0.0; // positive when B converts better
    double pValue = 1.0;

    // No subjects in either arm, or both at 0 % or 100 %: z 0, p 1.
    [[nodiscard]] static TwoProportionTest compute(qint64 conversionsA, qint64 subjectsA,
                                                   qint64 conversionsB, qint64 subjectsB);
};

struct AbVariantResult
{
    QString variant;
    bool control = false;
    qint64 subjects = 0;    // assigned
    qint64 conversions = 0; // subjects who reached the goal (each counts once)
    double rate = 0.0;      // conversions / subjects, 0 without subjects
    qint64 valueCents = 0;  // sum of the conversions' values
    // Against the control; unset for the control and for variants no longer defined.
    std::optional<TwoProportionTest> test;
    std::optional<double> lift; // (rate - control rate) / control rate; unset when control is 0
    bool significant = false;   // p below the (corrected) alpha with enough subjects on both sides
};

struct AbGoalResult
{
    QString goal;
    QList<AbVariantResult> variants; // the defined ones in order, then any no longer defined
    QString winner;                  // empty unless significant
    QString verdict;                 // one sentence: the winner, or why there is none
};

// Where an A/B test stands. With more than two variants each comparison with the control uses
// alpha / (variants - 1) (Bonferroni), so adding variants does not make false winners likelier.
struct AbTestResults
{
    QString test;
    QString control;
    double alpha = 0.05;
    int minSamples = 100;
    qint64 subjects = 0;
    QList<AbGoalResult> goals;

    [[nodiscard]] QJsonObject toJson() const;
};

} // namespace LeadDesk::Core
