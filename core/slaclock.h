#pragma once

#include "database.h"
#include "leadingestor.h"
#include "leadrecord.h"
#include "result.h"
#include "slaconfig.h"

#include <QHash>
#include <QJsonObject>
#include <QString>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>

namespace LeadDesk::Core {

// Which response a clock waits for.
enum class SlaKind { First, Next };

// One lead's SLA columns (migration 0003): its current or last clock.
struct SlaColumns
{
    std::optional<qint64> startedAt;
    std::optional<qint64> atRiskAt;
    std::optional<qint64> dueAt;
    std::optional<qint64> stoppedAt;
    std::optional<qint64> breachedAt;
    std::optional<qint64> firstResponseDueAt;
    friend bool operator==(const SlaColumns &, const SlaColumns &) = default;
};

// A missed target, recorded once as an `sla_breached` activity.
struct SlaBreach
{
    QString leadId;
    QString contactId;
    QString name;
    QString channel;
    QString grade;
    QString assignedTo; // users.id, empty when unassigned
    SlaKind kind = SlaKind::First;
    QString policyId;
    qint64 targetMs = 0;
    qint64 startedAt = 0;
    qint64 dueAt = 0;
    qint64 detectedAt = 0;
    qint64 elapsedBusinessMs = 0; // at detection
    bool lateResponse = false;    // found when the answer came, not by a check

    [[nodiscard]] QJsonObject toJson() const;
};

// The SLA clock of every lead: started when a lead arrives (LeadIngestor stage), stopped by the
// business's answer, restarted by the lead's next message while the business had answered. Each
// transition computes the due and at-risk times once, in the business's calendar, and stores them
// in the lead's row; reading the state is then comparisons with "now" (SlaTracker).
//
// The live calls run inside the caller's transaction (the writer thread's), like the ingestor's
// stages. The business's policy and hours are read from its settings; parsed documents are cached
// by their text, so a saved change applies to the next lead (recomputeAll() moves existing ones).
class SlaClock final
{
public:
    // How recomputeAll() treats a running clock whose new due time has already passed.
    enum class Overdue {
        MarkSilently, // record it as breached without an event: old news (backfill, policy change)
        LeaveForCheck // leave it for the next SlaTracker::check() to report
    };

    struct RecomputeStats
    {
        qint64 leads = 0;
        qint64 running = 0;        // clocks running afterwards
        qint64 overdue = 0;        // of those, past due
        qint64 markedBreached = 0; // newly marked breached without an event (MarkSilently)
    };

    // What recomputeAll() and recomputeLead() read about a lead.
    struct LeadFacts
    {
        QString channel;
        QString grade;
        QString status;
        QString waitingOn;
        qint64 createdAt = 0;
        std::optional<qint64> firstResponseAt;
        std::optional<qint64> lastInboundAt;
        std::optional<qint64> lastOutboundAt;
        // The lead's first message after the business's last answer (backfill of a running
        // next-response clock); the last inbound time stands in when unknown.
        std::optional<qint64> firstUnansweredAt;
        SlaColumns current;
    };

    SlaClock() = default;
    Q_DISABLE_COPY_MOVE(SlaClock)

    // The SLA step of the ingestion pipeline, for LeadIngestor::addAfterStore (after routing).
    static LeadIngestor::AfterStore afterStoreStage(std::shared_ptr<SlaClock> clock
                                                    = std::make_shared<SlaClock>());

    // The same clock as startForNewLead(), set on the record before its insert (cheaper: the
    // row is written once). For LeadIngestor::addBeforeStore.
    static LeadIngestor::BeforeStore beforeStoreStage(std::shared_ptr<SlaClock> clock
                                                      = std::make_shared<SlaClock>());
    Result<void> fillForNewLead(Database &db, LeadRecord &lead, qint64 nowMs);

    // A new lead: its first-response clock starts when it arrived (its created_at when that is
    // within the last hour, else now: an imported old lead is news to the business now). Closed
    // leads get a first-response due time but no running clock.
    Result<void> startForNewLead(Database &db, const LeadRecord &lead, qint64 nowMs);
    // A message from the lead at `atMs`: last_inbound_at, waiting_on = 'business' (unless the
    // business has written since), and a next-response clock when none runs.
    Result<void> recordInbound(Database &db, const QString &leadId, qint64 atMs, qint64 nowMs);
    // An answer from the business at `atMs`: first_response_at (once), last_outbound_at,
    // waiting_on = 'lead' (unless the lead has written since), and the running clock stops. An
    // answer after the due time records the breach (once) if no check has.
    Result<void> recordResponse(Database &db, const QString &leadId, qint64 atMs, qint64 nowMs);
    // The lead was closed (won or lost) at `atMs`: the running clock stops as if answered.
    Result<void> stop(Database &db, const QString &leadId, qint64 atMs);

    // The business's configuration (cached by document text).
    Result<std::shared_ptr<const SlaConfig>> configFor(Database &db, const QString &businessId);

    // Recomputes every live lead's SLA columns of a business from its row (backfill of stores
    // made before the SLA columns, and after a policy or hours change), in pages by rowid, each
    // page one transaction. Running next-response clocks of leads without one start at their
    // first unanswered message. Runs where it may open its own transactions.
    static Result<RecomputeStats>
    recomputeAll(Database &db, const QString &businessId, const SlaConfig &config, qint64 nowMs,
                 Overdue overdue = Overdue::MarkSilently,
                 const std::function<void(qint64, qint64)> &progress = {});
    // Whether the business has live leads whose SLA columns were never computed (a store made
    // before them, or leads written by a bulk path such as the demo generator): then run
    // recomputeAll(). Cheap: a range of idx_leads_sla_state.
    static Result<bool> needsBackfill(Database &db, const QString &businessId);
    // The same for one lead (e.g. after sync applied another device's changes to it).
    Result<void> recomputeLead(Database &db, const QString &leadId, qint64 nowMs,
                               Overdue overdue = Overdue::LeaveForCheck);

    // The columns a lead should have: pure, the rules in one place.
    [[nodiscard]] static SlaColumns derive(const LeadFacts &lead, const SlaConfig &config,
                                           qint64 nowMs, Overdue overdue);

    // Writes the `sla_breached` activity of a breach (the caller marks the lead).
    static Result<void> recordBreachActivity(Database &db, const QString &businessId,
                                             const SlaConfig &config, const SlaBreach &breach,
                                             qint64 nowMs);

    static constexpr qint64 kRecentArrivalMs = 60 * 60 * 1000;
    static constexpr int kPageSize = 5000;

private:
    Result<SlaColumns> columnsForNewLead(Database &db, const LeadRecord &lead, qint64 nowMs);
    struct Cached
    {
        QByteArray key; // the documents' text and time zone it was parsed from
        std::shared_ptr<const SlaConfig> config;
    };
    std::mutex m_mutex;
    QHash<QString, Cached> m_configs;
};

[[nodiscard]] QString slaKindName(SlaKind kind);
[[nodiscard]] bool isClosedStatus(const QString &status);

} // namespace LeadDesk::Core
