#include "abtests.h"

#include "ids.h"
#include "sqlitestatement.h"

#include <QHash>
#include <QSet>

#include <algorithm>

namespace LeadDesk::Core {

namespace {

Result<const AbTestDefinition *> definitionOf(const AbTestDefinitions &definitions,
                                              const QString &test)
{
    const AbTestDefinition *definition = definitions.test(test);
    if (!definition)
        return fail(QStringLiteral("no A/B test named \"%1\"").arg(test), QStringLiteral("test"));
    return definition;
}

// The subject's stored variant, or an empty string.
Result<QString> storedVariant(Database &db, const QString &businessId, const QString &test,
                              const QString &subjectId)
{
    SqliteStatement &select = db.statement(
        "SELECT variant FROM ab_assignments WHERE business_id = ?1 AND test_name = ?2 AND "
        "subject_id = ?3 AND deleted = 0");
    select.bind(1, businessId);
    select.bind(2, test);
    select.bind(3, subjectId);
    auto row = select.step();
    if (!row)
        return std::unexpected(row.error());
    QString variant = *row ? select.columnText(0) : QString();
    select.reset();
    return variant;
}

QString percent(double rate)
{
    return QString::number(rate * 100.0, 'f', 1) + u'%';
}

// Decides the goal's winner and says why, from filled-in subjects and conversions.
void judge(AbGoalResult &goal, const AbTestDefinition &test)
{
    const auto control = std::find_if(goal.variants.begin(), goal.variants.end(),
                                      [](const AbVariantResult &v) { return v.control; });
    if (control == goal.variants.end())
        return;
    const qsizetype comparisons = test.variants.size() - 1;
    const double threshold = test.alpha / double(std::max<qsizetype>(comparisons, 1));

    bool enough = control->subjects >= test.minSamples;
    bool allWorse = true;
    const AbVariantResult *best = nullptr;
    double bestP = 1.0;
    for (AbVariantResult &variant : goal.variants) {
        if (variant.control || !test.variant(variant.variant))
            continue;
        variant.test = TwoProportionTest::compute(control->conversions, control->subjects,
                                                  variant.conversions, variant.subjects);
        if (control->rate > 0.0)
            variant.lift = (variant.rate - control->rate) / control->rate;
        const bool sampled
            = control->subjects >= test.minSamples && variant.subjects >= test.minSamples;
        enough = enough && sampled;
        variant.significant = sampled && variant.test->pValue < threshold;
        bestP = std::min(bestP, variant.test->pValue);
        if (!(variant.significant && variant.rate < control->rate))
            allWorse = false;
        if (variant.significant && variant.rate > control->rate
            && (!best || variant.rate > best->rate))
            best = &variant;
    }

    const QString alphaText = comparisons > 1 ? QStringLiteral("%1 (alpha %2 / %3 comparisons)")
                                                    .arg(threshold, 0, 'g', 3)
                                                    .arg(test.alpha)
                                                    .arg(comparisons)
                                              : QString::number(test.alpha);
    if (best) {
        goal.winner = best->variant;
        goal.verdict
            = QStringLiteral("%1 wins: %2 against %3 for %4 (p = %5 < %6)")
                  .arg(best->variant, percent(best->rate), percent(control->rate), control->variant)
                  .arg(best->test->pValue, 0, 'g', 3)
                  .arg(alphaText);
    } else if (allWorse && comparisons > 0) {
        goal.winner = control->variant;
        goal.verdict = QStringLiteral("%1 (the control) wins: every other variant converts "
                                      "significantly worse")
                           .arg(control->variant);
    } else if (!enough) {
        goal.verdict = QStringLiteral("No winner yet: every variant needs at least %1 subjects")
                           .arg(test.minSamples);
    } else {
        goal.verdict = QStringLiteral("No winner: no significant difference (lowest p = %1, "
                                      "needs < %2)")
                           .arg(bestP, 0, 'g', 3)
                           .arg(alphaText);
    }
}

} // namespace

Result<AbAssignment> AbTests::variantFor(Database &db, const QString &businessId,
                                         const QString &test, const QString &subjectId,
                                         qint64 nowMs)
{
    if (subjectId.trimmed().isEmpty())
        return fail(QStringLiteral("must not be empty"), QStringLiteral("subject"));
    auto definitions = AbTestDefinitions::forBusiness(db, businessId);
    if (!definitions)
        return std::unexpected(definitions.error());
    auto definition = definitionOf(*definitions, test);
    if (!definition)
        return std::unexpected(definition.error());

    AbAssignment assignment;
    assignment.test = test;
    auto stored = storedVariant(db, businessId, test, subjectId);
    if (!stored)
        return std::unexpected(stored.error());
    if (stored->isEmpty()) {
        // A tombstoned row (deleted elsewhere) is revived with a fresh assignment; a live one is
        // never replaced: the first assignment wins.
        const AbVariantDefinition &variant = (*definition)->variantFor(subjectId);
        SqliteStatement &insert = db.statement(
            "INSERT INTO ab_assignments (id, business_id, test_name, subject_id, variant, "
            "created_at, updated_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7) "
            "ON CONFLICT (business_id, test_name, subject_id) DO UPDATE SET "
            "variant = excluded.variant, deleted = 0, updated_at = excluded.updated_at, "
            "hlc = excluded.hlc WHERE deleted = 1");
        insert.bind(1, Ids::uuidV7(nowMs));
        insert.bind(2, businessId);
        insert.bind(3, test);
        insert.bind(4, subjectId);
        insert.bind(5, variant.name);
        insert.bind(6, nowMs);
        insert.bind(7, Ids::nextHlc(nowMs));
        if (auto ok = insert.execute(); !ok)
            return std::unexpected(ok.error());
        stored = storedVariant(db, businessId, test, subjectId);
        if (!stored)
            return std::unexpected(stored.error());
        assignment.isNew = true;
    }
    assignment.variant = *stored;
    if (const AbVariantDefinition *variant = (*definition)->variant(*stored))
        assignment.content = variant->content;
    return assignment;
}

Result<bool> AbTests::recordConversion(Database &db, const QString &businessId, const QString &test,
                                       const QString &subjectId, const QString &goal,
                                       std::optional<qint64> valueCents, qint64 nowMs)
{
    auto definitions = AbTestDefinitions::forBusiness(db, businessId);
    if (!definitions)
        return std::unexpected(definitions.error());
    auto definition = definitionOf(*definitions, test);
    if (!definition)
        return std::unexpected(definition.error());
    if (!(*definition)->acceptsGoal(goal))
        return fail(goal.trimmed().isEmpty()
                        ? QStringLiteral("must not be empty")
                        : QStringLiteral("\"%1\" is not a goal of test \"%2\" (goals: %3)")
                              .arg(goal, test, (*definition)->goals.join(QStringLiteral(", "))),
                    QStringLiteral("goal"));
    auto variant = storedVariant(db, businessId, test, subjectId);
    if (!variant)
        return std::unexpected(variant.error());
    if (variant->isEmpty())
        return fail(QStringLiteral("\"%1\" has no variant in test \"%2\"").arg(subjectId, test),
                    QStringLiteral("subject"));

    SqliteStatement &seen = db.statement(
        "SELECT 1 FROM ab_events WHERE business_id = ?1 AND test_name = ?2 AND subject_id = ?3 "
        "AND goal = ?4 AND deleted = 0 LIMIT 1");
    seen.bind(1, businessId);
    seen.bind(2, test);
    seen.bind(3, subjectId);
    seen.bind(4, goal);
    auto row = seen.step();
    if (!row)
        return std::unexpected(row.error());
    const bool already = *row;
    seen.reset();
    if (already)
        return false;

    SqliteStatement &insert = db.statement(
        "INSERT INTO ab_events (id, business_id, test_name, subject_id, variant, goal, "
        "value_cents, created_at, updated_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, "
        "?9)");
    insert.bind(1, Ids::uuidV7(nowMs));
    insert.bind(2, businessId);
    insert.bind(3, test);
    insert.bind(4, subjectId);
    insert.bind(5, *variant);
    insert.bind(6, goal);
    if (valueCents)
        insert.bind(7, *valueCents);
    else
        insert.bindNull(7);
    insert.bind(8, nowMs);
    insert.bind(9, Ids::nextHlc(nowMs));
    if (auto ok = insert.execute(); !ok)
        return std::unexpected(ok.error());
    return true;
}

Result<AbTestResults> AbTests::results(Database &db, const QString &businessId, const QString &test)
{
    auto definitions = AbTestDefinitions::forBusiness(db, businessId);
    if (!definitions)
        return std::unexpected(definitions.error());
    auto definition = definitionOf(*definitions, test);
    if (!definition)
        return std::unexpected(definition.error());
    return results(db, businessId, **definition);
}

Result<AbTestResults> AbTests::results(Database &db, const QString &businessId,
                                       const AbTestDefinition &test)
{
    AbTestResults results;
    results.test = test.name;
    results.control = test.control;
    results.alpha = test.alpha;
    results.minSamples = test.minSamples;

    // The variants in definition order, then any stored ones no longer defined.
    QStringList variants;
    for (const AbVariantDefinition &variant : test.variants)
        variants.append(variant.name);
    QHash<QString, qint64> subjects;
    {
        SqliteStatement &count = db.statement(
            "SELECT variant, COUNT(*) FROM ab_assignments WHERE business_id = ?1 AND "
            "test_name = ?2 AND deleted = 0 GROUP BY variant ORDER BY variant");
        count.bind(1, businessId);
        count.bind(2, test.name);
        for (;;) {
            auto row = count.step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            const QString variant = count.columnText(0);
            subjects.insert(variant, count.columnInt(1));
            results.subjects += count.columnInt(1);
            if (!variants.contains(variant))
                variants.append(variant);
        }
        count.reset();
    }

    struct Converted
    {
        qint64 subjects = 0;
        qint64 valueCents = 0;
    };
    QHash<QString, QHash<QString, Converted>> conversions; // goal -> variant ->
    QStringList recordedGoals;
    {
        // DISTINCT: two devices may each have recorded the same conversion before syncing.
        SqliteStatement &count = db.statement(
            "SELECT goal, variant, COUNT(DISTINCT subject_id), COALESCE(SUM(value_cents), 0) "
            "FROM ab_events WHERE business_id = ?1 AND test_name = ?2 AND deleted = 0 "
            "GROUP BY goal, variant ORDER BY goal");
        count.bind(1, businessId);
        count.bind(2, test.name);
        for (;;) {
            auto row = count.step();
            if (!row)
                return std::unexpected(row.error());
            if (!*row)
                break;
            const QString goal = count.columnText(0);
            if (!recordedGoals.contains(goal))
                recordedGoals.append(goal);
            conversions[goal][count.columnText(1)] = {count.columnInt(2), count.columnInt(3)};
        }
        count.reset();
    }

    const QStringList goals = test.goals.isEmpty() ? recordedGoals : test.goals;
    for (const QString &goalName : goals) {
        AbGoalResult goal;
        goal.goal = goalName;
        const QHash<QString, Converted> byVariant = conversions.value(goalName);
        for (const QString &variantName : std::as_const(variants)) {
            AbVariantResult variant;
            variant.variant = variantName;
            variant.control = variantName == test.control;
            variant.subjects = subjects.value(variantName);
            const Converted converted = byVariant.value(variantName);
            variant.conversions = converted.subjects;
            variant.valueCents = converted.valueCents;
            variant.rate = variant.subjects > 0
                               ? double(variant.conversions) / double(variant.subjects)
                               : 0.0;
            goal.variants.append(variant);
        }
        judge(goal, test);
        results.goals.append(goal);
    }
    return results;
}

} // namespace LeadDesk::Core
