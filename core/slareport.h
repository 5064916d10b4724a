#pragma once

#include "database.h"
#include "result.h"
#include "slaconfig.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace LeadDesk::Core {

// How fast one group of leads (a source, a rep, or all) got a first answer, in business hours,
// and how often the first-response target was met.
struct SlaResponseStats
{
    QString key;   // the channel, or users.id ("" = unassigned); "all" for the overall row
    QString label; // what to show: the channel, the rep's name
    qint64 leads = 0;
    qint64 responded = 0;
    std::optional<qint64> medianMs; // business time from arrival to first answer (nearest rank)
    std::optional<qint64> p90Ms;
    qint64 met = 0;      // answered by the due time
    qint64 breached = 0; // answered late, or unanswered past due
    qint64 pending = 0;  // unanswered, not yet due (or no due time: never open)
    // Shares of the decided leads (met + breached); nothing when none is decided.
    [[nodiscard]] std::optional<double> metRate() const;
    [[nodiscard]] std::optional<double> breachedRate() const;
    [[nodiscard]] QJsonObject toJson() const;
};

// The owner's SLA report for leads that arrived in [fromMs, toMs), optionally of one source
// (channel): overall, per source and per rep (the lead's current assignee), busiest first.
struct SlaReport
{
    qint64 fromMs = 0;
    qint64 toMs = 0;
    QString source; // empty: every source
    qint64 generatedAt = 0;
    SlaResponseStats overall;
    QList<SlaResponseStats> bySource;
    QList<SlaResponseStats> byRep;

    [[nodiscard]] QJsonObject toJson() const;

    [[nodiscard]] static Result<SlaReport> build(Database &db, const QString &businessId,
                                                 const SlaConfig &config, qint64 fromMs,
                                                 qint64 toMs, const QString &source, qint64 nowMs);
};

} // namespace LeadDesk::Core
