#pragma once

#include "database.h"
#include "result.h"

#include <QByteArray>
#include <QJsonValue>
#include <QList>
#include <QString>
#include <QStringList>

namespace LeadDesk::Core {

struct AbVariantDefinition
{
    QString name;
    int weight = 1;
    QJsonValue content; // whatever the variant shows (seed 001: {"text": "Hi! Welcome..."})
};

struct AbTestDefinition
{
    QString name;
    QList<AbVariantDefinition> variants;
    QString control;   // the variant the others are compared with; the first one unless named
    QStringList goals; // the conversions counted; empty: any goal
    double alpha = 0.05;
    int minSamples = 100; // subjects each compared variant needs before a winner is declared

    // The variant a subject falls into: deterministic, the same on every machine and run.
    [[nodiscard]] const AbVariantDefinition &variantFor(const QString &subjectId) const;
    [[nodiscard]] const AbVariantDefinition *variant(const QString &name) const;
    [[nodiscard]] bool acceptsGoal(const QString &goal) const;
};

// The A/B tests of a business (SettingsRepository::kAbTests), e.g.
//   { "version": 1, "alpha": 0.05, "min_samples": 100,
//     "tests": [ { "name": "greeting_message", "control": "A",
//                  "variants": [ { "name": "A", "weight": 50, "content": { "text": "Hi!" } },
//                                { "name": "B", "weight": 50, "content": { "text": "Hello!" } } ],
//                  "goals": [ "demo_request" ] } ] }
// "alpha" and "min_samples" may also be set per test. Parsed whole or not at all.
//
// Assignment hashes SHA-256(test name + "\n" + subject id) and maps its first 64 bits onto the
// cumulative integer weights with exact integer arithmetic, so it never depends on a per-process
// seed (qHash), the platform or floating point.
class AbTestDefinitions
{
public:
    AbTestDefinitions() = default;

    // Rejects the whole document at the first problem, naming its JSON path.
    [[nodiscard]] static Result<AbTestDefinitions> parse(const QByteArray &json);
    // The business's stored document; no document means no tests.
    [[nodiscard]] static Result<AbTestDefinitions> forBusiness(Database &db,
                                                               const QString &businessId);

    [[nodiscard]] const QList<AbTestDefinition> &tests() const { return m_tests; }
    [[nodiscard]] const AbTestDefinition *test(const QString &name) const;

    // The first 64 bits of SHA-256(test + "\n" + subject), big-endian.
    [[nodiscard]] static quint64 subjectHash(const QString &test, const QString &subjectId);
    // Which of the weights a hash falls into (weights sum to more than 0 and less than 2^32).
    [[nodiscard]] static qsizetype bucket(quint64 hash, const QList<int> &weights);

private:
    QList<AbTestDefinition> m_tests;
};

} // namespace LeadDesk::Core
