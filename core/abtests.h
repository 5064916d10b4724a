#pragma once

#include "abtestdefinitions.h"
#include "abtestresults.h"
#include "database.h"
#include "result.h"

#include <QJsonValue>
#include <QString>

#include <optional>

namespace LeadDesk::Core {

struct AbAssignment
{
    QString test;
    QString variant;
    QJsonValue content; // the variant's content; undefined when the variant is no longer defined
    bool isNew = false; // assigned by this call
};

// A/B tests in the store (seed 001's ABTestingService): a subject (a chatbot session, a lead...)
// gets its variant once, in ab_assignments, and keeps it even if the weights change later;
// conversions go to ab_events, at most one per subject and goal; results compare every variant
// with the control. Definitions come from the business's `ab.tests` document. Works on the
// connection it is given, inside the caller's transaction if there is one.
class AbTests final
{
public:
    // The subject's variant, assigning it on first sight (SHA-256 of test and subject onto the
    // weights; see AbTestDefinitions).
    static Result<AbAssignment> variantFor(Database &db, const QString &businessId,
                                           const QString &test, const QString &subjectId,
                                           qint64 nowMs);
    // True when recorded, false when the subject had already converted on this goal. A subject
    // without a variant cannot convert (it never saw the test): an error.
    static Result<bool> recordConversion(Database &db, const QString &businessId,
                                         const QString &test, const QString &subjectId,
                                         const QString &goal, std::optional<qint64> valueCents,
                                         qint64 nowMs);
    // Per goal (the defined ones, else those recorded) and variant: subjects, conversions, rate,
    // the z-test against the control, and the winner when there is a significant one.
    static Result<AbTestResults> results(Database &db, const QString &businessId,
                                         const QString &test);
    // The same for a definition at hand (no settings look-up).
    static Result<AbTestResults> results(Database &db, const QString &businessId,
                                         const AbTestDefinition &test);
};

} // namespace LeadDesk::Core
