#pragma once

#include "clock.h"
#include "graphapiclient.h"
#include "inboundevent.h"
#include "result.h"

#include <QFuture>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QTimer>

#include <functional>

namespace LeadDesk::Core {
class StoreWriter;
}

namespace LeadDesk::Sync {

// Catches up Lead Ads leads the webhook did not bring (the app was offline, a ping was lost):
// for each configured form it reads `GET /{form_id}/leads` since the form's cursor, follows the
// paging to the end, hands the leads to the sink, and only then moves the cursor to the newest
// lead's time. The cursor is kept per form in the business settings under
// `leadads.cursor.<form_id>` ({"time_created": <unix s>}), so a restart resumes where it was.
//
// Graph lists leads newest first, so the cursor moves only after the whole chain of pages was
// accepted; a failure anywhere leaves it in place and the form is retried with exponential
// backoff (at least the retry-after a rate limit asked for). Reads start `overlapSecs` before the
// cursor, so a lead created late in the last second is not missed; leads already handed over in
// this session are skipped by id, and the store dedupes on the lead's external id as well.
//
// Lives on the network thread with its GraphApiClient; time comes from a Clock so schedules and
// backoff are tested without waiting.
class LeadAdsPoller final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        QStringList formIds;
        qint64 intervalMs = 5 * 60 * 1000;         // between successful polls of a form
        qint64 overlapSecs = 10 * 60;              // re-read this much before the cursor
        qint64 firstPollLookbackSecs = 30 * 86400; // a form polled for the first time
        int pageSize = 100;
        qint64 firstBackoffMs = 60 * 1000;
        qint64 maxBackoffMs = 60 * 60 * 1000;
        int tickMs = 15 * 1000;       // how often start()'s timer looks for due forms
        int maxPagesPerPoll = 10'000; // a safety valve against a cursor that never ends
    };

    // Receives the new leads of one page (Kind::Lead events); the future succeeds once they are
    // stored. The lead engineer wires it to the store writer.
    using Sink = std::function<QFuture<Core::Result<void>>(QList<Core::InboundEvent> leads)>;

    static QString cursorKey(const QString &formId);

    LeadAdsPoller(GraphApiClient &client, Core::StoreWriter &writer, QString businessId, Sink sink,
                  Options options, const Core::Clock &clock = Core::Clock::system(),
                  QObject *parent = nullptr);
    ~LeadAdsPoller() override;
    Q_DISABLE_COPY_MOVE(LeadAdsPoller)

    void start(); // polls due forms now and every tickMs
    void stop();

    // Polls every form whose time has come (not busy, not backing off).
    void tick();
    // Polls one form now, whatever its schedule; false when it is busy or not configured.
    bool pollNow(const QString &formId);

    [[nodiscard]] bool isBusy(const QString &formId) const;
    [[nodiscard]] qint64 nextDueMs(const QString &formId) const;
    [[nodiscard]] int consecutiveFailures(const QString &formId) const;

Q_SIGNALS:
    // A poll went through every page: `newLeads` were handed over (`skipped` could not be read),
    // the cursor is now `cursorSecs`.
    void formPolled(const QString &formId, int newLeads, int skipped, qint64 cursorSecs);
    // A poll failed; nothing after the last stored page is lost, the next try is at `retryAtMs`.
    void formFailed(const QString &formId, const QString &error, qint64 retryAtMs);

private:
    struct FormState
    {
        bool busy = false;
        qint64 nextDueMs = 0;
        int failures = 0;
        // The poll in progress.
        qint64 cursorSecs = 0; // as stored when the poll began (0: none)
        qint64 sinceSecs = 0;
        qint64 newestSecs = 0; // newest created_time seen in this poll
        int pages = 0;
        int handed = 0;
        int skipped = 0;
    };

    void begin(const QString &formId);
    void fetchPage(const QString &formId, const QString &after);
    void onPage(const QString &formId, GraphResult result);
    void saveCursor(const QString &formId);
    void fail(const QString &formId, const QString &error, int retryAfterSecs = 0);
    void succeed(const QString &formId);
    void rememberSeen(const QString &leadId);

    GraphApiClient &m_client;
    Core::StoreWriter &m_writer;
    QString m_businessId;
    Sink m_sink;
    Options m_options;
    const Core::Clock &m_clock;
    QHash<QString, FormState> m_forms;
    QSet<QString> m_seen; // lead ids handed to the sink this session
    QTimer m_timer;
};

} // namespace LeadDesk::Sync
