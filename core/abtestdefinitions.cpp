#include "abtestdefinitions.h"

#include "jsonpath.h"

#include "settingsrepository.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace LeadDesk::Core {

using namespace JsonPath;

namespace {

constexpr int kMaxVariants = 20;
constexpr int kMaxWeight = 1'000'000; // with kMaxVariants, the total stays below 2^32

Result<double> alphaValue(const QJsonValue &value, const QString &path)
{
    if (!value.isDouble() || !(value.toDouble() > 0.0) || value.toDouble() > 0.5)
        return fail(QStringLiteral("must be a number above 0 and at most 0.5"), path);
    return value.toDouble();
}

Result<QString> name(const QJsonValue &value, const QString &path)
{
    const QString text = value.toString().trimmed();
    if (!value.isString() || text.isEmpty())
        return fail(QStringLiteral("must be a non-empty string"), path);
    if (text.size() > 100)
        return fail(QStringLiteral("must be at most 100 characters"), path);
    return text;
}

struct Defaults
{
    double alpha = 0.05;
    int minSamples = 100;
};

Result<AbTestDefinition> parseTest(const QJsonValue &value, const QString &path,
                                   const Defaults &defaults)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    const QJsonObject object = value.toObject();
    if (auto keys
        = onlyKeys(object, path, {"name", "variants", "control", "goals", "alpha", "min_samples"});
        !keys)
        return std::unexpected(keys.error());
    AbTestDefinition test;
    test.alpha = defaults.alpha;
    test.minSamples = defaults.minSamples;
    auto testName = name(object.value(u"name"), at(path, QStringLiteral("name")));
    if (!testName)
        return std::unexpected(testName.error());
    test.name = *testName;

    const QString variantsPath = at(path, QStringLiteral("variants"));
    const QJsonArray variants = object.value(u"variants").toArray();
    if (!object.value(u"variants").isArray() || variants.size() < 2)
        return fail(QStringLiteral("must be an array of at least two variants"), variantsPath);
    if (variants.size() > kMaxVariants)
        return fail(QStringLiteral("must have at most %1 variants").arg(kMaxVariants),
                    variantsPath);
    QSet<QString> names;
    qint64 total = 0;
    for (qsizetype i = 0; i < variants.size(); ++i) {
        const QString variantPath = at(variantsPath, i);
        if (!variants.at(i).isObject())
            return fail(QStringLiteral("must be an object"), variantPath);
        const QJsonObject object = variants.at(i).toObject();
        if (auto keys = onlyKeys(object, variantPath, {"name", "weight", "content"}); !keys)
            return std::unexpected(keys.error());
        AbVariantDefinition variant;
        auto variantName = name(object.value(u"name"), at(variantPath, QStringLiteral("name")));
        if (!variantName)
            return std::unexpected(variantName.error());
        if (names.contains(*variantName))
            return fail(QStringLiteral("another variant has this name"),
                        at(variantPath, QStringLiteral("name")));
        names.insert(*variantName);
        variant.name = *variantName;
        if (object.contains(u"weight")) {
            auto weight = wholeNumber(object.value(u"weight"),
                                      at(variantPath, QStringLiteral("weight")), 0, kMaxWeight);
            if (!weight)
                return std::unexpected(weight.error());
            variant.weight = *weight;
        }
        total += variant.weight;
        variant.content = object.value(u"content");
        test.variants.append(variant);
    }
    if (total == 0)
        return fail(QStringLiteral("at least one variant needs a weight above 0"), variantsPath);

    test.control = test.variants.first().name;
    if (object.contains(u"control")) {
        auto control = name(object.value(u"control"), at(path, QStringLiteral("control")));
        if (!control)
            return std::unexpected(control.error());
        if (!names.contains(*control))
            return fail(QStringLiteral("must name one of the variants"),
                        at(path, QStringLiteral("control")));
        test.control = *control;
    }
    if (object.contains(u"goals")) {
        const QString goalsPath = at(path, QStringLiteral("goals"));
        const QJsonArray goals = object.value(u"goals").toArray();
        if (!object.value(u"goals").isArray())
            return fail(QStringLiteral("must be an array of goal names"), goalsPath);
        for (qsizetype i = 0; i < goals.size(); ++i) {
            auto goal = name(goals.at(i), at(goalsPath, i));
            if (!goal)
                return std::unexpected(goal.error());
            if (test.goals.contains(*goal))
                return fail(QStringLiteral("is listed twice"), at(goalsPath, i));
            test.goals.append(*goal);
        }
    }
    if (object.contains(u"alpha")) {
        auto alpha = alphaValue(object.value(u"alpha"), at(path, QStringLiteral("alpha")));
        if (!alpha)
            return std::unexpected(alpha.error());
        test.alpha = *alpha;
    }
    if (object.contains(u"min_samples")) {
        auto samples = wholeNumber(object.value(u"min_samples"),
                                   at(path, QStringLiteral("min_samples")), 1, 1'000'000'000);
        if (!samples)
            return std::unexpected(samples.error());
        test.minSamples = *samples;
    }
    return test;
}

} // namespace

const AbVariantDefinition &AbTestDefinition::variantFor(const QString &subjectId) const
{
    QList<int> weights;
    weights.reserve(variants.size());
    for (const AbVariantDefinition &variant : variants)
        weights.append(variant.weight);
    return variants.at(
        AbTestDefinitions::bucket(AbTestDefinitions::subjectHash(name, subjectId), weights));
}

const AbVariantDefinition *AbTestDefinition::variant(const QString &variantName) const
{
    for (const AbVariantDefinition &candidate : variants) {
        if (candidate.name == variantName)
            return &candidate;
    }
    return nullptr;
}

bool AbTestDefinition::acceptsGoal(const QString &goal) const
{
    return !goal.trimmed().isEmpty() && (goals.isEmpty() || goals.contains(goal));
}

Result<AbTestDefinitions> AbTestDefinitions::parse(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not valid JSON at offset %1: %2")
                        .arg(error.offset)
                        .arg(error.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("must be a JSON object"));
    const QJsonObject root = document.object();
    if (auto keys = onlyKeys(root, {}, {"version", "alpha", "min_samples", "tests"}); !keys)
        return std::unexpected(keys.error());
    if (root.contains(u"version")) {
        if (auto version = wholeNumber(root.value(u"version"), QStringLiteral("version"), 1, 1);
            !version)
            return std::unexpected(version.error());
    }
    Defaults defaults;
    if (root.contains(u"alpha")) {
        auto alpha = alphaValue(root.value(u"alpha"), QStringLiteral("alpha"));
        if (!alpha)
            return std::unexpected(alpha.error());
        defaults.alpha = *alpha;
    }
    if (root.contains(u"min_samples")) {
        auto samples = wholeNumber(root.value(u"min_samples"), QStringLiteral("min_samples"), 1,
                                   1'000'000'000);
        if (!samples)
            return std::unexpected(samples.error());
        defaults.minSamples = *samples;
    }
    AbTestDefinitions definitions;
    if (root.contains(u"tests")) {
        if (!root.value(u"tests").isArray())
            return fail(QStringLiteral("must be an array"), QStringLiteral("tests"));
        const QJsonArray tests = root.value(u"tests").toArray();
        for (qsizetype i = 0; i < tests.size(); ++i) {
            const QString testPath = at(QStringLiteral("tests"), i);
            auto test = parseTest(tests.at(i), testPath, defaults);
            if (!test)
                return std::unexpected(test.error());
            if (definitions.test(test->name))
                return fail(QStringLiteral("another test has this name"),
                            at(testPath, QStringLiteral("name")));
            definitions.m_tests.append(std::move(*test));
        }
    }
    return definitions;
}

Result<AbTestDefinitions> AbTestDefinitions::forBusiness(Database &db, const QString &businessId)
{
    auto stored = SettingsRepository(db).value(businessId,
                                               QString::fromLatin1(SettingsRepository::kAbTests));
    if (!stored)
        return std::unexpected(stored.error());
    if (!*stored)
        return AbTestDefinitions();
    auto definitions = parse(**stored);
    if (!definitions)
        return fail(QStringLiteral("stored A/B tests: ") + definitions.error().toString());
    return definitions;
}

const AbTestDefinition *AbTestDefinitions::test(const QString &testName) const
{
    for (const AbTestDefinition &test : m_tests) {
        if (test.name == testName)
            return &test;
    }
    return nullptr;
}

quint64 AbTestDefinitions::subjectHash(const QString &test, const QString &subjectId)
{
    QCryptographicHash sha(QCryptographicHash::Sha256);
    sha.addData(test.toUtf8());
    sha.addData(QByteArrayView("\n", 1));
    sha.addData(subjectId.toUtf8());
    const QByteArray digest = sha.result();
    quint64 value = 0;
    for (int i = 0; i < 8; ++i)
        value = (value << 8) | quint8(digest.at(i));
    return value;
}

qsizetype AbTestDefinitions::bucket(quint64 hash, const QList<int> &weights)
{
    quint64 total = 0;
    for (int weight : weights)
        total += quint64(std::max(weight, 0));
    if (total == 0 || weights.isEmpty())
        return 0;
    // floor(hash * total / 2^64) in 64-bit halves: exact, and total < 2^32 keeps it in range.
    const quint64 high = hash >> 32;
    const quint64 low = hash & 0xffff'ffffULL;
    const quint64 point = (high * total + ((low * total) >> 32)) >> 32;
    quint64 cumulative = 0;
    for (qsizetype i = 0; i < weights.size(); ++i) {
        cumulative += quint64(std::max(weights.at(i), 0));
        if (point < cumulative)
            return i;
    }
    return weights.size() - 1;
}

} // namespace LeadDesk::Core
