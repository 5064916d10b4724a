#include "leadadspoller.h"

#include "databasethread.h"
#include "leadadsadapter.h"
#include "metajson.h"
#include "settingsrepository.h"

#include <QFutureWatcher>
#include <QJsonDocument>
#include <QLoggingCategory>

#include <algorithm>

namespace LeadDesk::Sync {

namespace {

Q_LOGGING_CATEGORY(lcLeadAdsPoller, "leaddesk.meta.leadads")

// Ids remembered to skip repeats within a session; the store's external-id dedupe is the real
// guarantee, this only spares it the work.
constexpr qsizetype kMaxSeen = 100'000;

// Runs `fn(future)` on `context`'s thread once `future` finishes.
template<typename T, typename F>
void whenFinished(QFuture<T> future, QObject *context, F fn)
{
    auto *watcher = new QFutureWatcher<T>(context);
    QObject::connect(watcher, &QFutureWatcherBase::finished, context,
                     [watcher, fn = std::move(fn)]() mutable {
                         watcher->deleteLater();
                         fn(watcher->future());
                     });
    watcher->setFuture(std::move(future));
}

template<typename T>
Core::Result<T> resultOf(const QFuture<Core::Result<T>> &future)
{
    if (!future.isValid() || future.isCanceled() || future.resultCount() < 1)
        return Core::fail(QStringLiteral("the store job did not finish"));
    return future.result();
}

} // namespace

QString LeadAdsPoller::cursorKey(const QString &formId)
{
    return QStringLiteral("leadads.cursor.") + formId;
}

LeadAdsPoller::LeadAdsPoller(GraphApiClient &client, Core::StoreWriter &writer, QString businessId,
                             Sink sink, Options options, const Core::Clock &clock, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_writer(writer)
    , m_businessId(std::move(businessId))
    , m_sink(std::move(sink))
    , m_options(std::move(options))
    , m_clock(clock)
    , m_timer(this) // a child, so moveToThread() takes it along
{
    m_options.pageSize = std::clamp(m_options.pageSize, 1, 500);
    for (const QString &formId : std::as_const(m_options.formIds))
        m_forms.insert(formId, FormState{});
    m_timer.setInterval(m_options.tickMs);
    connect(&m_timer, &QTimer::timeout, this, &LeadAdsPoller::tick);
}

LeadAdsPoller::~LeadAdsPoller() = default;

void LeadAdsPoller::start()
{
    m_timer.start();
    tick();
}

void LeadAdsPoller::stop()
{
    m_timer.stop();
}

void LeadAdsPoller::tick()
{
    const qint64 now = m_clock.nowMs();
    for (const QString &formId : std::as_const(m_options.formIds)) {
        const FormState &state = m_forms[formId];
        if (!state.busy && now >= state.nextDueMs)
            begin(formId);
    }
}

bool LeadAdsPoller::pollNow(const QString &formId)
{
    const auto it = m_forms.constFind(formId);
    if (it == m_forms.cend() || it->busy)
        return false;
    begin(formId);
    return true;
}

bool LeadAdsPoller::isBusy(const QString &formId) const
{
    return m_forms.value(formId).busy;
}

qint64 LeadAdsPoller::nextDueMs(const QString &formId) const
{
    return m_forms.value(formId).nextDueMs;
}

int LeadAdsPoller::consecutiveFailures(const QString &formId) const
{
    return m_forms.value(formId).failures;
}

void LeadAdsPoller::begin(const QString &formId)
{
    FormState &state = m_forms[formId];
    const int failures = state.failures;
    state = FormState{};
    state.failures = failures;
    state.busy = true;

    const QString businessId = m_businessId;
    const QString key = cursorKey(formId);
    auto load
        = m_writer.submitValue<std::optional<QByteArray>>([businessId, key](Core::Database &db) {
              return Core::SettingsRepository(db).value(businessId, key);
          });
    whenFinished(
        std::move(load), this,
        [this, formId](const QFuture<Core::Result<std::optional<QByteArray>>> &future) {
            auto stored = resultOf(future);
            if (!stored) {
                fail(formId, QStringLiteral("cannot read the cursor: ") + stored.error().message);
                return;
            }
            FormState &state = m_forms[formId];
            if (*stored)
                state.cursorSecs = QJsonDocument::fromJson(**stored)
                                       .object()
                                       .value(QStringLiteral("time_created"))
                                       .toInteger();
            const qint64 nowSecs = m_clock.nowMs() / 1000;
            state.sinceSecs = state.cursorSecs > 0 ? state.cursorSecs - m_options.overlapSecs
                                                   : nowSecs - m_options.firstPollLookbackSecs;
            state.sinceSecs = std::max<qint64>(state.sinceSecs, 1);
            fetchPage(formId, {});
        });
}

void LeadAdsPoller::fetchPage(const QString &formId, const QString &after)
{
    GraphApiClient::LeadsQuery query;
    query.formId = formId;
    query.sinceSecs = m_forms[formId].sinceSecs;
    query.limit = m_options.pageSize;
    query.after = after;
    m_client.fetchFormLeads(
        query, this, [this, formId](GraphResult result) { onPage(formId, std::move(result)); });
}

void LeadAdsPoller::onPage(const QString &formId, GraphResult result)
{
    if (!result) {
        fail(formId, result.error().toString(), result.error().retryAfterSecs);
        return;
    }
    auto page = LeadAdsAdapter::parseLeadsPage(*result);
    if (!page) {
        fail(formId, QStringLiteral("unreadable page of leads: ") + page.error().toString());
        return;
    }

    FormState &state = m_forms[formId];
    ++state.pages;
    bool reachedOlder = false; // newest first: a lead before `since` means the rest are older
    QList<Core::InboundEvent> leads;
    QStringList ids;
    for (const QJsonObject &lead : std::as_const(page->leads)) {
        const QString id = MetaJson::idText(lead.value(QStringLiteral("id")));
        if (auto created = LeadAdsAdapter::parseGraphTime(
                MetaJson::text(lead, QStringLiteral("created_time")))) {
            const qint64 secs = *created / 1000;
            state.newestSecs = std::max(state.newestSecs, secs);
            reachedOlder = reachedOlder || secs < state.sinceSecs;
        }
        if (!id.isEmpty() && (m_seen.contains(id) || ids.contains(id)))
            continue;
        auto event = LeadAdsAdapter::leadFromGraph(lead);
        if (!event) {
            // One broken lead must not stall the form forever; it is logged with its id.
            ++state.skipped;
            qCWarning(lcLeadAdsPoller).noquote()
                << "form" << formId << "lead" << id << "skipped:" << event.error().toString();
            continue;
        }
        ids << id;
        leads.push_back(std::move(*event));
    }

    const bool more = !reachedOlder && !page->after.isEmpty()
                      && (page->hasNext || page->leads.size() >= m_options.pageSize)
                      && state.pages < m_options.maxPagesPerPoll;
    const QString after = page->after;
    auto next = [this, formId, more, after] {
        if (more)
            fetchPage(formId, after);
        else
            saveCursor(formId);
    };
    if (leads.isEmpty()) {
        next();
        return;
    }
    whenFinished(m_sink(std::move(leads)), this,
                 [this, formId, ids, next](const QFuture<Core::Result<void>> &future) {
                     auto stored = resultOf(future);
                     if (!stored) {
                         fail(formId, QStringLiteral("the leads were not stored: ")
                                          + stored.error().message);
                         return;
                     }
                     for (const QString &id : ids)
                         rememberSeen(id);
                     m_forms[formId].handed += int(ids.size());
                     next();
                 });
}

void LeadAdsPoller::saveCursor(const QString &formId)
{
    const FormState &state = m_forms[formId];
    if (state.newestSecs <= state.cursorSecs) {
        succeed(formId);
        return;
    }
    const QString businessId = m_businessId;
    const QString key = cursorKey(formId);
    const QByteArray value
        = QJsonDocument(QJsonObject{{QStringLiteral("time_created"), state.newestSecs}})
              .toJson(QJsonDocument::Compact);
    const qint64 nowMs = m_clock.nowMs();
    auto save = m_writer.submit([businessId, key, value, nowMs](Core::Database &db) {
        return Core::SettingsRepository(db).setValue(businessId, key, value, nowMs);
    });
    whenFinished(std::move(save), this,
                 [this, formId, newest = state.newestSecs](const QFuture<Core::Result<void>> &f) {
                     auto saved = resultOf(f);
                     if (!saved) {
                         fail(formId,
                              QStringLiteral("cannot save the cursor: ") + saved.error().message);
                         return;
                     }
                     m_forms[formId].cursorSecs = newest;
                     succeed(formId);
                 });
}

void LeadAdsPoller::fail(const QString &formId, const QString &error, int retryAfterSecs)
{
    FormState &state = m_forms[formId];
    state.busy = false;
    ++state.failures;
    const int doublings = std::min(state.failures - 1, 20);
    const qint64 backoff = std::min(m_options.maxBackoffMs, m_options.firstBackoffMs << doublings);
    const qint64 delay = std::max(backoff, qint64(retryAfterSecs) * 1000);
    state.nextDueMs = m_clock.nowMs() + delay;
    qCWarning(lcLeadAdsPoller).noquote()
        << "form" << formId << "poll failed:" << error << "- next try in" << delay / 1000 << "s";
    Q_EMIT formFailed(formId, error, state.nextDueMs);
}

void LeadAdsPoller::succeed(const QString &formId)
{
    FormState &state = m_forms[formId];
    state.busy = false;
    state.failures = 0;
    state.nextDueMs = m_clock.nowMs() + m_options.intervalMs;
    qCInfo(lcLeadAdsPoller).noquote()
        << "form" << formId << ":" << state.handed << "new leads," << state.pages << "pages";
    Q_EMIT formPolled(formId, state.handed, state.skipped, state.cursorSecs);
}

void LeadAdsPoller::rememberSeen(const QString &leadId)
{
    if (m_seen.size() >= kMaxSeen)
        m_seen.clear();
    m_seen.insert(leadId);
}

} // namespace LeadDesk::Sync
