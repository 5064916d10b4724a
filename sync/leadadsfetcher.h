#pragma once

#include "graphapiclient.h"
#include "inboundevent.h"
#include "leadadsadapter.h"
#include "result.h"

#include <QFuture>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

#include <functional>

namespace LeadDesk::Sync {

// Turns Lead Ads webhook references into leads: for each `leadgen` change it reads
// `GET /{leadgen_id}` from the Graph API, maps the answer with LeadAdsAdapter::leadFromGraph and
// hands the lead to the sink (the store). Transient failures (network, timeout, rate limit,
// Graph 5xx) are retried with exponential backoff, at least as long as a rate limit asked;
// permanent ones (token, permission, unknown lead) are reported and left to LeadAdsPoller, which
// reads the form's leads and catches whatever the webhook path missed.
//
// Lives on the network thread with its GraphApiClient. enqueue() may be called from any thread
// (the receiver's writer thread calls it from MessengerRoute::process()).
class LeadAdsFetcher final : public QObject
{
    Q_OBJECT
public:
    struct Options
    {
        int maxAttempts = 6;
        qint64 firstBackoffMs = 30 * 1000;
        qint64 maxBackoffMs = 30 * 60 * 1000;
    };
    // As LeadAdsPoller::Sink: the future succeeds once the leads are stored.
    using Sink = std::function<QFuture<Core::Result<void>>(QList<Core::InboundEvent> leads)>;

    LeadAdsFetcher(GraphApiClient &client, Sink sink, Options options, QObject *parent = nullptr);
    ~LeadAdsFetcher() override;
    Q_DISABLE_COPY_MOVE(LeadAdsFetcher)

    // Thread-safe. A reference already being fetched is not fetched twice.
    void enqueue(const QList<LeadAdsAdapter::LeadgenRef> &refs);

    // The leads of `refs`, fetched one after another on the calling thread, which runs an event
    // loop until each answer (the client's timeout bounds it): for `journal replay`, which stores
    // them before it calls a delivery done. The first failure ends it, naming the lead.
    static Core::Result<QList<Core::InboundEvent>>
    fetchNow(GraphApiClient &client, const QList<LeadAdsAdapter::LeadgenRef> &refs);

    [[nodiscard]] int pendingCount() const { return int(m_pending.size()); }

Q_SIGNALS:
    void leadStored(const QString &leadgenId);
    void leadFailed(const QString &leadgenId, const QString &error, bool willRetry);

private:
    struct Pending
    {
        LeadAdsAdapter::LeadgenRef ref;
        int attempts = 0;
    };

    void start(const QList<LeadAdsAdapter::LeadgenRef> &refs);
    void fetch(const QString &leadgenId);
    void onLead(const QString &leadgenId, GraphResult result);
    void retryOrGiveUp(const QString &leadgenId, const QString &error, bool transient,
                       int retryAfterSecs);

    GraphApiClient &m_client;
    Sink m_sink;
    Options m_options;
    QHash<QString, Pending> m_pending; // by leadgen id
};

} // namespace LeadDesk::Sync
