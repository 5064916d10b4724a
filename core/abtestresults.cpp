#include "abtestresults.h"

#include <QJsonArray>

#include <cmath>

namespace LeadDesk::Core {

TwoProportionTest TwoProportionTest::compute(qint64 conversionsA, qint64 subjectsA,
                                             qint64 conversionsB, qint64 subjectsB)
{
    TwoProportionTest result;
    if (subjectsA <= 0 || subjectsB <= 0)
        return result;
    const double pA = double(conversionsA) / double(subjectsA);
    const double pB = double(conversionsB) / double(subjectsB);
    const double pooled = double(conversionsA + conversionsB) / double(subjectsA + subjectsB);
    const double variance
        = pooled * (1.0 - pooled) * (1.0 / double(subjectsA) + 1.0 / double(subjectsB));
    if (!(variance > 0.0))
        return result;
    result.z = (pB - pA) / std::sqrt(variance);
    // Two-sided: P(|Z| >= |z|) = erfc(|z| / sqrt 2).
    result.pValue = std::erfc(std::fabs(result.z) / std::sqrt(2.0));
    return result;
}

QJsonObject AbTestResults::toJson() const
{
    QJsonArray goalArray;
    for (const AbGoalResult &goal : goals) {
        QJsonArray variantArray;
        for (const AbVariantResult &variant : goal.variants) {
            QJsonObject object{{QStringLiteral("variant"), variant.variant},
                               {QStringLiteral("control"), variant.control},
                               {QStringLiteral("subjects"), variant.subjects},
                               {QStringLiteral("conversions"), variant.conversions},
                               {QStringLiteral("rate"), variant.rate},
                               {QStringLiteral("value_cents"), variant.valueCents}};
            if (variant.test) {
                object.insert(QStringLiteral("z"), variant.test->z);
                object.insert(QStringLiteral("p_value"), variant.test->pValue);
                object.insert(QStringLiteral("significant"), variant.significant);
            }
            if (variant.lift)
                object.insert(QStringLiteral("lift"), *variant.lift);
            variantArray.append(object);
        }
        goalArray.append(QJsonObject{{QStringLiteral("goal"), goal.goal},
                                     {QStringLiteral("winner"), goal.winner.isEmpty()
                                                                    ? QJsonValue(QJsonValue::Null)
                                                                    : QJsonValue(goal.winner)},
                                     {QStringLiteral("verdict"), goal.verdict},
                                     {QStringLiteral("variants"), variantArray}});
    }
    return QJsonObject{
        {QStringLiteral("test"), test},         {QStringLiteral("control"), control},
        {QStringLiteral("alpha"), alpha},       {QStringLiteral("min_samples"), minSamples},
        {QStringLiteral("subjects"), subjects}, {QStringLiteral("goals"), goalArray}};
}

} // namespace LeadDesk::Core
