#pragma once

#include "database.h"
#include "result.h"
#include "slaclock.h"
#include "slaconfig.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <optional>

namespace LeadDesk::Core {

enum class SlaState {
    None,     // no clock: closed before any answer, or the calendar is never open
    OnTrack,  // waiting, less than the at-risk share of the target used
    AtRisk,   // waiting, past the at-risk share
    Breached, // waiting past due, or the last clock was answered late
    Met,      // the last clock was answered in time
};
[[nodiscard]] QString slaStateName(SlaState state);

// The state of one clock at `nowMs`, from its columns.
[[nodiscard]] SlaState slaStateOf(const SlaColumns &columns, qint64 nowMs);

struct SlaCounts
{
    qint64 onTrack = 0;
    qint64 atRisk = 0;
    qint64 breached = 0;        // waiting past due, plus answered late
    qint64 breachedWaiting = 0; // of those, still waiting
    qint64 met = 0;
    qint64 none = 0;
    [[nodiscard]] qint64 total() const { return onTrack + atRisk + breached + met + none; }
    [[nodiscard]] QJsonObject toJson() const;
};

// A waiting lead in the at-risk or breached list.
struct SlaLead
{
    QString leadId;
    QString name;
    QString channel;
    QString grade;
    QString assignee; // display name, empty when unassigned
    SlaKind kind = SlaKind::First;
    SlaState state = SlaState::OnTrack;
    qint64 startedAt = 0;
    qint64 atRiskAt = 0;
    qint64 dueAt = 0;
    qint64 elapsedBusinessMs = 0; // from the clock's start to now
    qint64 targetMs = 0;
    [[nodiscard]] QJsonObject toJson() const;
};

// Keyset paging: the last row of a page; the next page starts after it.
struct SlaCursor
{
    qint64 dueAt = 0;
    QString leadId;
};

struct SlaPage
{
    QList<SlaLead> leads;
    std::optional<SlaCursor> next; // nothing: this was the last page
};

// One escalation (seed 003): too many first responses missed within the window.
struct SlaEscalationEvent
{
    qint64 windowStart = 0;
    qint64 windowEnd = 0;
    qint64 leadsDue = 0;
    qint64 leadsBreached = 0;
    double breachRate = 0;
    double threshold = 0;
    QString managerName;
    QString managerEmail;
    QString bookingUrl;
    QString message; // what the manager is told
    [[nodiscard]] QJsonObject toJson() const;
};

struct SlaCheckResult
{
    QList<SlaBreach> breaches; // newly recorded, most overdue first
    std::optional<SlaEscalationEvent> escalation;
    // The leads to hand to LeadRouter::reassignAfterBreach().
    [[nodiscard]] QStringList breachedLeadIds() const;
    [[nodiscard]] QJsonObject toJson() const;
};

// The SLA state of a business's leads at a moment, from the columns SlaClock maintains: counts per
// state, the at-risk and breached lists, every lead's state and elapsed business time, and the
// periodic check that records each breach once and escalates.
class SlaTracker final
{
public:
    SlaTracker(Database &db, QString businessId, SlaConfig config);

    [[nodiscard]] Result<SlaCounts> counts(qint64 nowMs);
    // Waiting leads past the at-risk share but not yet due, soonest due first.
    [[nodiscard]] Result<SlaPage> atRisk(qint64 nowMs, int limit,
                                         const std::optional<SlaCursor> &after = {});
    // Waiting leads past due, most overdue first.
    [[nodiscard]] Result<SlaPage> breached(qint64 nowMs, int limit,
                                           const std::optional<SlaCursor> &after = {});

    // Every live lead's clock, state and elapsed business time (to its stop, or to now) without
    // names: the whole-store pass. Returns the number of leads.
    struct LeadState
    {
        qint64 rowId = 0;
        SlaState state = SlaState::None;
        SlaColumns columns;
        qint64 elapsedBusinessMs = 0;
    };
    Result<qint64> forEachLead(qint64 nowMs, const std::function<void(const LeadState &)> &onLead);

    // Records every running clock that has run out since the last check (sla_breached_at and an
    // `sla_breached` activity each, so a second check finds nothing), then escalates when the
    // first-response breach rate over the policy's window exceeds its threshold (one
    // `sla_escalation` activity per window). Opens its own transaction.
    [[nodiscard]] Result<SlaCheckResult> check(qint64 nowMs);

    // The first-response breach rate over the window ending at `nowMs`: (due, breached).
    [[nodiscard]] Result<std::pair<qint64, qint64>> breachRate(qint64 windowStart, qint64 nowMs);

private:
    Result<SlaPage> page(qint64 nowMs, int limit, const std::optional<SlaCursor> &after,
                         bool breachedList);
    Result<std::optional<SlaEscalationEvent>> escalate(qint64 nowMs);

    Database &m_db;
    QString m_businessId;
    SlaConfig m_config;
};

} // namespace LeadDesk::Core
