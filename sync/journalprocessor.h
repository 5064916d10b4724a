#pragma once

#include "businessrepository.h"
#include "clock.h"
#include "database.h"
#include "inboundjournal.h"
#include "inboundroutetable.h"
#include "result.h"

#include <QString>

#include <atomic>
#include <functional>
#include <memory>

namespace LeadDesk::Core {
class ScoringRules;
}

namespace LeadDesk::Sync {

class RequestSavepoint;

// The writer-thread half of the receiver (DESIGN §6, "journal first"): for one request it runs
// the route's authorize(), the request-level dedupe, the route's process() inside a savepoint,
// and writes the journal row with the outcome - all inside the writer's transaction, so the
// row, the leads it made and the answer's promise commit together. `journal replay` re-runs
// rows through the same code. Lives on one connection (the writer's): not thread-safe, except
// forgetCaches().
class JournalProcessor final
{
public:
    struct Options
    {
        // Rules new leads are scored with; null: the business's own (ScoringRules::forBusiness).
        std::shared_ptr<const Core::ScoringRules> scoring;
        // Routing and the SLA clock for new leads (Core::addStandardStages), before
        // configureIngestor's own stages.
        bool standardStages = true;
        // Called once with the writer's ingestor, for stages beyond the standard ones.
        std::function<void(Core::LeadIngestor &, Core::Database &)> configureIngestor;
    };

    struct Answer
    {
        InboundResponse response;
        QString journalId;     // empty when nothing was journalled (authorize() refused)
        QString journalStatus; // processed, duplicate, rejected, failed; empty: not journalled
        QString error;         // the journal's error text, for the log
    };

    struct Replayed
    {
        QString id;
        QString route;
        QString status;
        QString error;
        QString leadId;
    };

    JournalProcessor(std::shared_ptr<const InboundRouteTable> routes, Core::Business business,
                     Options options, const Core::Clock &clock = Core::Clock::system());
    ~JournalProcessor();
    Q_DISABLE_COPY_MOVE(JournalProcessor)

    // Writer thread, inside the writer's transaction. `isolated`: the request's work runs in
    // its own savepoint; an error means the store failed and nothing of this request is kept
    // (the others in the same transaction are not affected). Not isolated (cheaper, for
    // batches): an error - needsIsolation() when process() wanted a rollback - means the
    // caller must roll back its whole job and re-run it isolated.
    // `headersJson`: journalHeaders(request) when the caller made it already (off the writer).
    Core::Result<Answer> receive(Core::Database &db, const InboundRoute &route,
                                 const QString &routeName, const InboundRequest &request,
                                 const PreparedRequest &prepared, const QString &headersJson = {},
                                 bool isolated = true);
    [[nodiscard]] static Core::Error isolationNeeded();
    [[nodiscard]] static bool needsIsolation(const Core::Error &error);

    // Re-runs one failed (or rejected) row after a fix, inside the caller's transaction:
    // prepare() and process() again, without screen() / authorize() (the row's existence proves
    // the request passed them). Processed and duplicate rows are refused.
    Core::Result<Replayed> replay(Core::Database &db, const QString &journalId);

    // Call from any thread after a transaction holding this processor's work rolled back: the
    // ingestor's look-up caches may name rows that no longer exist.
    void forgetCaches() { m_forgetCaches = true; }
    // Call from any thread after the business's scoring rules changed: the next request reads
    // them again (unless Options::scoring fixed the rules).
    void reloadScoring() { m_reloadScoring = true; }

    // The headers a journal row keeps: a JSON object of lower-cased names; credentials
    // (Authorization, Cookie, X-Campaign-Token...) redacted, since secrets never reach the store.
    [[nodiscard]] static QString journalHeaders(const InboundRequest &request);
    // The request a journal row holds, as replay() hands it to its route.
    [[nodiscard]] static InboundRequest requestOf(const Core::JournalEntry &entry);

private:
    struct State;
    State &stateFor(Core::Database &db);
    // process(): its work kept on success, rolled back to the request's savepoint on
    // rejection or failure.
    Core::Result<ProcessOutcome> runProcess(State &state, const InboundRoute &route,
                                            const InboundRequest &request,
                                            const PreparedRequest &prepared, WriteContext &context,
                                            RequestSavepoint &savepoint);

    std::shared_ptr<const InboundRouteTable> m_routes;
    Core::Business m_business;
    Options m_options;
    const Core::Clock &m_clock;
    std::unique_ptr<State> m_state;
    std::atomic<bool> m_forgetCaches = false;
    std::atomic<bool> m_reloadScoring = false;
};

} // namespace LeadDesk::Sync
