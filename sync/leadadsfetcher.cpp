#include "leadadsfetcher.h"

#include <QEventLoop>
#include <QFutureWatcher>
#include <QLoggingCategory>
#include <QMetaObject>
#include <QTimer>

#include <algorithm>
#include <optional>

namespace LeadDesk::Sync {

namespace {

Q_LOGGING_CATEGORY(lcLeadAdsFetcher, "leaddesk.meta.leadads")

} // namespace

LeadAdsFetcher::LeadAdsFetcher(GraphApiClient &client, Sink sink, Options options, QObject *parent)
    : QObject(parent)
    , m_client(client)
    , m_sink(std::move(sink))
    , m_options(options)
{}

LeadAdsFetcher::~LeadAdsFetcher() = default;

void LeadAdsFetcher::enqueue(const QList<LeadAdsAdapter::LeadgenRef> &refs)
{
    if (refs.isEmpty())
        return;
    // Queued even on our own thread, so a caller inside a store transaction never waits on us.
    QMetaObject::invokeMethod(
        this, [this, refs] { start(refs); }, Qt::QueuedConnection);
}

void LeadAdsFetcher::start(const QList<LeadAdsAdapter::LeadgenRef> &refs)
{
    for (const LeadAdsAdapter::LeadgenRef &ref : refs) {
        if (ref.leadgenId.isEmpty() || m_pending.contains(ref.leadgenId))
            continue;
        m_pending.insert(ref.leadgenId, Pending{ref, 0});
        fetch(ref.leadgenId);
    }
}

Core::Result<QList<Core::InboundEvent>>
LeadAdsFetcher::fetchNow(GraphApiClient &client, const QList<LeadAdsAdapter::LeadgenRef> &refs)
{
    QList<Core::InboundEvent> leads;
    for (const LeadAdsAdapter::LeadgenRef &ref : refs) {
        QEventLoop loop;
        std::optional<GraphResult> answer;
        client.fetchLead(ref.leadgenId, &loop, [&answer, &loop](GraphResult result) {
            answer = std::move(result);
            loop.quit();
        });
        if (!answer)
            loop.exec();
        if (!*answer)
            return Core::fail(QStringLiteral("Lead Ads lead %1 not fetched: %2")
                                  .arg(ref.leadgenId, answer->error().toString()));
        auto event = LeadAdsAdapter::leadFromGraph(**answer, ref.pageId);
        if (!event)
            return Core::fail(QStringLiteral("Lead Ads lead %1 unreadable: %2")
                                  .arg(ref.leadgenId, event.error().toString()));
        leads << *event;
    }
    return leads;
}

void LeadAdsFetcher::fetch(const QString &leadgenId)
{
    auto it = m_pending.find(leadgenId);
    if (it == m_pending.end())
        return;
    ++it->attempts;
    m_client.fetchLead(leadgenId, this, [this, leadgenId](GraphResult result) {
        onLead(leadgenId, std::move(result));
    });
}

void LeadAdsFetcher::onLead(const QString &leadgenId, GraphResult result)
{
    const auto it = m_pending.constFind(leadgenId);
    if (it == m_pending.cend())
        return;
    if (!result) {
        retryOrGiveUp(leadgenId, result.error().toString(), result.error().isTransient(),
                      result.error().retryAfterSecs);
        return;
    }
    const LeadAdsAdapter::LeadgenRef ref = it->ref;
    auto event = LeadAdsAdapter::leadFromGraph(*result, ref.pageId);
    if (!event) {
        retryOrGiveUp(leadgenId, QStringLiteral("unreadable lead: ") + event.error().toString(),
                      false, 0);
        return;
    }
    // The webhook knows the form and ad even when the token may not read those fields.
    for (const auto &[key, value] : {std::pair{QStringLiteral("form_id"), ref.formId},
                                     std::pair{QStringLiteral("ad_id"), ref.adId}}) {
        if (!value.isEmpty() && !event->extra.contains(key)) {
            event->extra.insert(key, value);
            event->lead.details.push_back({key, value});
        }
    }
    if (event->occurredAtMs == 0)
        event->occurredAtMs = ref.createdTimeMs;

    auto stored = m_sink({std::move(*event)});
    auto *watcher = new QFutureWatcher<Core::Result<void>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, leadgenId] {
        watcher->deleteLater();
        const QFuture<Core::Result<void>> future = watcher->future();
        const bool finished = future.isValid() && !future.isCanceled() && future.resultCount() > 0;
        if (finished && future.result()) {
            m_pending.remove(leadgenId);
            Q_EMIT leadStored(leadgenId);
            return;
        }
        retryOrGiveUp(leadgenId,
                      finished ? QStringLiteral("the lead was not stored: ")
                                     + future.result().error().message
                               : QStringLiteral("the store job did not finish"),
                      true, 0);
    });
    watcher->setFuture(stored);
}

void LeadAdsFetcher::retryOrGiveUp(const QString &leadgenId, const QString &error, bool transient,
                                   int retryAfterSecs)
{
    const auto it = m_pending.constFind(leadgenId);
    if (it == m_pending.cend())
        return;
    const int attempts = it->attempts;
    if (!transient || attempts >= m_options.maxAttempts) {
        m_pending.remove(leadgenId);
        qCWarning(lcLeadAdsFetcher).noquote()
            << "lead" << leadgenId << "not fetched after" << attempts << "attempts:" << error;
        Q_EMIT leadFailed(leadgenId, error, false);
        return;
    }
    const qint64 backoff
        = std::min(m_options.maxBackoffMs, m_options.firstBackoffMs << std::min(attempts - 1, 20));
    const qint64 delay = std::max(backoff, qint64(retryAfterSecs) * 1000);
    qCInfo(lcLeadAdsFetcher).noquote()
        << "lead" << leadgenId << "fetch failed:" << error << "- retry in" << delay << "ms";
    Q_EMIT leadFailed(leadgenId, error, true);
    QTimer::singleShot(std::chrono::milliseconds(delay), this,
                       [this, leadgenId] { fetch(leadgenId); });
}

} // namespace LeadDesk::Sync
