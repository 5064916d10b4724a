#include "databasethread.h"
#include "fakegraphapi.h"
#include "graphapiclient.h"
#include "inboundrecorder.h"
#include "leadadspoller.h"
#include "leadingestor.h"
#include "normalizer.h"
#include "settingsrepository.h"
#include "testsupport.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <memory>

using namespace LeadDesk;
using Core::InboundEvent;
using Sync::GraphApiClient;
using Sync::LeadAdsPoller;
using Test::FakeGraphApi;

namespace {

const QString kForm = QStringLiteral("901234567890123");
constexpr qint64 kNowSecs = 1'740'000'000; // 2025-02-19T21:20:00Z
constexpr qint64 kDay = 86'400;

// A store, its writer, the fake Graph API and a poller over them, with a sink that stores the
// leads the way the engine does (InboundRecorder on the writer).
class Harness
{
public:
    Core::ManualClock clock{kNowSecs * 1000};
    Test::TempStore store;
    std::unique_ptr<Core::StoreWriter> writer;
    FakeGraphApi fake;
    std::unique_ptr<GraphApiClient> client;
    QList<InboundEvent> handed;
    bool sinkFails = false;

    Harness()
    {
        auto started = Core::StoreWriter::start(store.path());
        if (started)
            writer = std::move(*started);
        fake.listen();
        GraphApiClient::Config config;
        config.baseUrl = fake.baseUrl();
        config.accessToken = fake.accessToken;
        config.timeoutMs = 5000;
        client = std::make_unique<GraphApiClient>(config);
    }

    [[nodiscard]] bool isValid() const { return store.isValid() && writer; }

    LeadAdsPoller::Sink sink()
    {
        return [this](QList<InboundEvent> leads) -> QFuture<Core::Result<void>> {
            if (sinkFails)
                return QtFuture::makeReadyFuture(
                    Core::Result<void>(Core::fail(QStringLiteral("disk full"))));
            handed += leads;
            const QString businessId = store.businessId();
            return writer->submit(
                [leads, businessId, this](Core::Database &db) -> Core::Result<void> {
                    Core::LeadIngestor ingestor(db, clock);
                    const Core::Normalizer normalizer;
                    Core::InboundRecorder recorder(db, ingestor, normalizer, clock);
                    auto applied = recorder.apply(businessId, leads);
                    if (!applied)
                        return std::unexpected(applied.error());
                    return {};
                });
        };
    }

    std::unique_ptr<LeadAdsPoller> poller(LeadAdsPoller::Options options = {})
    {
        if (options.formIds.isEmpty())
            options.formIds = {kForm};
        options.pageSize = options.pageSize == 100 ? 2 : options.pageSize;
        return std::make_unique<LeadAdsPoller>(*client, *writer, store.businessId(), sink(),
                                               options, clock);
    }

    std::optional<qint64> storedCursor()
    {
        auto value = Core::SettingsRepository(store.db())
                         .value(store.businessId(), LeadAdsPoller::cursorKey(kForm));
        if (!value || !*value)
            return std::nullopt;
        return QJsonDocument::fromJson(**value).object().value("time_created").toInteger();
    }

    int storedLeads()
    {
        return Test::countRows(store.db(), QStringLiteral("leads"),
                               QStringLiteral("channel = 'leadads'"));
    }
};

// Runs one poll of kForm and waits for its outcome; true when it succeeded.
bool pollOnce(LeadAdsPoller &poller, QList<QVariant> *outcome = nullptr)
{
    QSignalSpy polled(&poller, &LeadAdsPoller::formPolled);
    QSignalSpy failed(&poller, &LeadAdsPoller::formFailed);
    if (!poller.pollNow(kForm))
        return false;
    if (!QTest::qWaitFor([&] { return !polled.isEmpty() || !failed.isEmpty(); }, 10'000))
        return false;
    if (outcome)
        *outcome = polled.isEmpty() ? failed.first() : polled.first();
    return !polled.isEmpty();
}

QStringList ids(const QList<InboundEvent> &events)
{
    QStringList out;
    for (const InboundEvent &e : events)
        out << e.externalId;
    return out;
}

} // namespace

class tst_LeadAdsPoller : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstPollReadsEveryPageAndSavesCursor();
    void nextPollStartsBeforeCursorAndSkipsSeenLeads();
    void restartResumesFromStoredCursor();
    void worksWithoutPagingNext();
    void stopsAtOlderLeadsWhenServerIgnoresSince();
    void rateLimitMidwayKeepsCursorAndBacksOff();
    void backoffDoublesAndIsCapped();
    void sinkFailureKeepsCursor();
    void brokenLeadIsSkippedNotFatal();
    void tickPollsOnlyDueForms();
    void unknownOrBusyForm();
    void runsOnANetworkThread();
};

void tst_LeadAdsPoller::firstPollReadsEveryPageAndSavesCursor()
{
    Harness h;
    QVERIFY(h.isValid());
    for (int i = 0; i < 5; ++i)
        h.fake.addLead(kForm, QString::number(1000 + i), kNowSecs - 3600 * (5 - i));
    h.fake.addLead(QStringLiteral("555"), QStringLiteral("2000"), kNowSecs - 60); // another form
    auto poller = h.poller();
    QList<QVariant> outcome;
    QVERIFY(pollOnce(*poller, &outcome));
    QCOMPARE(outcome.at(1).toInt(), 5); // new leads
    QCOMPARE(outcome.at(2).toInt(), 0); // skipped
    QCOMPARE(outcome.at(3).toLongLong(), kNowSecs - 3600);
    QCOMPARE(ids(h.handed), (QStringList{"1004", "1003", "1002", "1001", "1000"}));

    // Three pages of two, each asking after the previous page's cursor.
    QCOMPARE(h.fake.requests.size(), 3);
    const QStringList afters{QString(), QStringLiteral("aWR4OjI="), QStringLiteral("aWR4OjQ=")};
    for (qsizetype i = 0; i < h.fake.requests.size(); ++i) {
        const FakeGraphApi::Request &r = h.fake.requests.at(i);
        QCOMPARE(r.path, QStringLiteral("/v25.0/901234567890123/leads"));
        QCOMPARE(r.param("access_token"), QStringLiteral("test-page-token"));
        QCOMPARE(r.param("limit"), QStringLiteral("2"));
        QCOMPARE(r.param("since"), QString::number(kNowSecs - 30 * kDay));
        QVERIFY(r.param("filtering").contains(QString::number(kNowSecs - 30 * kDay)));
        QCOMPARE(r.param("after"), afters.at(i)); // the previous page's paging.cursors.after
    }

    QCOMPARE(h.storedCursor(), std::optional<qint64>(kNowSecs - 3600));
    QCOMPARE(h.storedLeads(), 5);
    QCOMPARE(poller->consecutiveFailures(kForm), 0);
    QCOMPARE(poller->nextDueMs(kForm), h.clock.nowMs() + LeadAdsPoller::Options{}.intervalMs);
    QVERIFY(!poller->isBusy(kForm));
}

void tst_LeadAdsPoller::nextPollStartsBeforeCursorAndSkipsSeenLeads()
{
    Harness h;
    QVERIFY(h.isValid());
    h.fake.addLead(kForm, QStringLiteral("1"), kNowSecs - 7200);
    h.fake.addLead(kForm, QStringLiteral("2"), kNowSecs - 100);
    auto poller = h.poller();
    QVERIFY(pollOnce(*poller));
    QCOMPARE(h.handed.size(), 2);

    h.clock.advanceMs(5 * 60 * 1000);
    h.fake.requests.clear();
    QList<QVariant> outcome;
    QVERIFY(pollOnce(*poller, &outcome));
    QCOMPARE(h.fake.requests.first().param("since"), QString::number(kNowSecs - 100 - 600));
    QCOMPARE(outcome.at(1).toInt(), 0); // lead 2 is re-read in the overlap, not handed again
    QCOMPARE(h.handed.size(), 2);

    h.fake.addLead(kForm, QStringLiteral("3"), kNowSecs + 200);
    QVERIFY(pollOnce(*poller, &outcome));
    QCOMPARE(outcome.at(1).toInt(), 1);
    QCOMPARE(h.handed.last().externalId, QStringLiteral("3"));
    QCOMPARE(h.storedCursor(), std::optional<qint64>(kNowSecs + 200));
    QCOMPARE(h.storedLeads(), 3);
}

void tst_LeadAdsPoller::restartResumesFromStoredCursor()
{
    Harness h;
    QVERIFY(h.isValid());
    h.fake.addLead(kForm, QStringLiteral("1"), kNowSecs - 5000);
    h.fake.addLead(kForm, QStringLiteral("2"), kNowSecs - 300);
    {
        auto first = h.poller();
        QVERIFY(pollOnce(*first));
    }
    // The app was offline for a day; two leads came meanwhile.
    h.clock.advanceMs(kDay * 1000);
    h.fake.addLead(kForm, QStringLiteral("3"), kNowSecs + 3600);
    h.fake.addLead(kForm, QStringLiteral("4"), kNowSecs + 7200);
    h.fake.requests.clear();
    h.handed.clear();
    auto second = h.poller();
    QVERIFY(pollOnce(*second));
    QCOMPARE(h.fake.requests.first().param("since"), QString::number(kNowSecs - 300 - 600));
    // Lead 2 sits in the overlap: handed again by this new session, deduped by the store.
    QCOMPARE(ids(h.handed), (QStringList{"4", "3", "2"}));
    QCOMPARE(h.storedLeads(), 4);
    QCOMPARE(h.storedCursor(), std::optional<qint64>(kNowSecs + 7200));
}

void tst_LeadAdsPoller::worksWithoutPagingNext()
{
    Harness h;
    QVERIFY(h.isValid());
    h.fake.includeNext = false; // as Meta's own sample shows it
    for (int i = 0; i < 4; ++i)
        h.fake.addLead(kForm, QString::number(10 + i), kNowSecs - 1000 + i);
    auto poller = h.poller();
    QVERIFY(pollOnce(*poller));
    QCOMPARE(h.handed.size(), 4);
    // Two full pages, then one that comes back empty.
    QCOMPARE(h.fake.requests.size(), 3);

    h.fake.addLead(kForm, QStringLiteral("14"), kNowSecs + 10);
    h.fake.requests.clear();
    QVERIFY(pollOnce(*poller));
    // since = newest - overlap: leads 10..14 match; two full pages and a short one end it.
    QCOMPARE(h.fake.requests.size(), 3);
    QCOMPARE(h.handed.size(), 5);
}

void tst_LeadAdsPoller::stopsAtOlderLeadsWhenServerIgnoresSince()
{
    Harness h;
    QVERIFY(h.isValid());
    LD_VERIFY_OK(Core::SettingsRepository(h.store.db())
                     .setValue(h.store.businessId(), LeadAdsPoller::cursorKey(kForm),
                               QJsonDocument(QJsonObject{{"time_created", kNowSecs - 3600}})
                                   .toJson(QJsonDocument::Compact),
                               1));
    h.fake.honourSince = false;
    for (int i = 0; i < 8; ++i) // eight old leads, far before the cursor
        h.fake.addLead(kForm, QString::number(100 + i), kNowSecs - 30 * kDay + i);
    for (int i = 0; i < 3; ++i)
        h.fake.addLead(kForm, QString::number(200 + i), kNowSecs - 60 + i);
    auto poller = h.poller();
    QVERIFY(pollOnce(*poller));
    // Page 1: 202, 201; page 2: 200 and the first old lead - older than `since`, so no page 3.
    QCOMPARE(h.fake.requests.size(), 2);
    QCOMPARE(ids(h.handed).mid(0, 3), (QStringList{"202", "201", "200"}));
    QCOMPARE(h.storedCursor(), std::optional<qint64>(kNowSecs - 58));
}

void tst_LeadAdsPoller::rateLimitMidwayKeepsCursorAndBacksOff()
{
    Harness h;
    QVERIFY(h.isValid());
    for (int i = 0; i < 5; ++i)
        h.fake.addLead(kForm, QString::number(1000 + i), kNowSecs - 3600 * (5 - i));
    bool limited = true;
    h.fake.interceptor
        = [&limited](const FakeGraphApi::Request &r) -> std::optional<FakeGraphApi::Reply> {
        if (!limited || r.param("after").isEmpty())
            return std::nullopt;
        FakeGraphApi::Reply reply = FakeGraphApi::rateLimited(4);
        reply.headers << std::pair{QByteArray("Retry-After"), QByteArray("120")};
        return reply;
    };
    auto poller = h.poller();
    QList<QVariant> outcome;
    QVERIFY(!pollOnce(*poller, &outcome));
    QVERIFY2(outcome.at(1).toString().contains(QStringLiteral("rate limited")),
             qPrintable(outcome.at(1).toString()));
    QCOMPARE(outcome.at(2).toLongLong(), h.clock.nowMs() + 120'000); // Retry-After beats 60 s
    QCOMPARE(poller->consecutiveFailures(kForm), 1);
    QCOMPARE(h.storedCursor(), std::nullopt); // newest first: older pages are still unread
    QCOMPARE(h.handed.size(), 2);             // page 1 is stored already
    QCOMPARE(h.fake.requests.size(), 2);

    // Not due yet: a tick does nothing.
    poller->tick();
    QTest::qWait(50);
    QCOMPARE(h.fake.requests.size(), 2);
    QVERIFY(!poller->isBusy(kForm));

    limited = false;
    h.clock.advanceMs(120'000);
    QSignalSpy polled(poller.get(), &LeadAdsPoller::formPolled);
    poller->tick();
    QVERIFY(polled.wait(10'000));
    QCOMPARE(polled.first().at(1).toInt(), 3); // the two of page 1 are not handed twice
    QCOMPARE(h.storedCursor(), std::optional<qint64>(kNowSecs - 3600));
    QCOMPARE(h.storedLeads(), 5);
    QCOMPARE(poller->consecutiveFailures(kForm), 0);
}

void tst_LeadAdsPoller::backoffDoublesAndIsCapped()
{
    Harness h;
    QVERIFY(h.isValid());
    h.fake.addLead(kForm, QStringLiteral("1"), kNowSecs - 10);
    h.fake.interceptor = [](const FakeGraphApi::Request &) -> std::optional<FakeGraphApi::Reply> {
        return FakeGraphApi::Reply{500, "<html>oops</html>", {}, false};
    };
    LeadAdsPoller::Options options;
    options.maxBackoffMs = 300'000;
    auto poller = h.poller(options);
    const QList<qint64> expected{60'000, 120'000, 240'000, 300'000, 300'000};
    for (const qint64 delay : expected) {
        QList<QVariant> outcome;
        QVERIFY(!pollOnce(*poller, &outcome));
        QVERIFY(outcome.at(1).toString().contains(QStringLiteral("Graph server error")));
        QCOMPARE(outcome.at(2).toLongLong() - h.clock.nowMs(), delay);
        h.clock.advanceMs(delay);
    }
    QCOMPARE(poller->consecutiveFailures(kForm), 5);
    QVERIFY(h.handed.isEmpty());
}

void tst_LeadAdsPoller::sinkFailureKeepsCursor()
{
    Harness h;
    QVERIFY(h.isValid());
    h.fake.addLead(kForm, QStringLiteral("1"), kNowSecs - 10);
    h.sinkFails = true;
    auto poller = h.poller();
    QList<QVariant> outcome;
    QVERIFY(!pollOnce(*poller, &outcome));
    QVERIFY(outcome.at(1).toString().contains(QStringLiteral("disk full")));
    QCOMPARE(h.storedCursor(), std::nullopt);

    h.sinkFails = false;
    QVERIFY(pollOnce(*poller, &outcome));
    QCOMPARE(outcome.at(1).toInt(), 1); // not marked seen by the failed attempt
    QCOMPARE(h.storedLeads(), 1);
}

void tst_LeadAdsPoller::brokenLeadIsSkippedNotFatal()
{
    Harness h;
    QVERIFY(h.isValid());
    h.fake.addLead(kForm, QStringLiteral("1"), kNowSecs - 20);
    h.fake.addLeadObject(kForm, QJsonObject{{"id", "2"},
                                            {"created_time", "2025-02-19T21:19:50+0000"},
                                            {"form_id", kForm}}); // no field_data
    h.fake.addLead(kForm, QStringLiteral("3"), kNowSecs - 5);
    auto poller = h.poller();
    QList<QVariant> outcome;
    QVERIFY(pollOnce(*poller, &outcome));
    QCOMPARE(outcome.at(1).toInt(), 2);
    QCOMPARE(outcome.at(2).toInt(), 1);
    QCOMPARE(ids(h.handed), (QStringList{"3", "1"}));
}

void tst_LeadAdsPoller::tickPollsOnlyDueForms()
{
    Harness h;
    QVERIFY(h.isValid());
    h.fake.addLead(kForm, QStringLiteral("1"), kNowSecs - 20);
    h.fake.addLead(QStringLiteral("777"), QStringLiteral("2"), kNowSecs - 20);
    LeadAdsPoller::Options options;
    options.formIds = {kForm, QStringLiteral("777")};
    auto poller = h.poller(options);
    QSignalSpy polled(poller.get(), &LeadAdsPoller::formPolled);
    poller->start(); // both are due at once
    QVERIFY(QTest::qWaitFor([&] { return polled.size() == 2; }, 10'000));
    poller->stop();
    QCOMPARE(h.fake.requests.size(), 2);

    h.clock.advanceMs(options.intervalMs - 1);
    poller->tick();
    QTest::qWait(50);
    QCOMPARE(h.fake.requests.size(), 2);
    h.clock.advanceMs(1);
    poller->tick();
    QVERIFY(QTest::qWaitFor([&] { return polled.size() == 4; }, 10'000));
    QCOMPARE(h.fake.requests.size(), 4);
}

void tst_LeadAdsPoller::unknownOrBusyForm()
{
    Harness h;
    QVERIFY(h.isValid());
    h.fake.addLead(kForm, QStringLiteral("1"), kNowSecs - 20);
    auto poller = h.poller();
    QVERIFY(!poller->pollNow(QStringLiteral("123")));
    QSignalSpy polled(poller.get(), &LeadAdsPoller::formPolled);
    QVERIFY(poller->pollNow(kForm));
    QVERIFY(poller->isBusy(kForm));
    QVERIFY(!poller->pollNow(kForm));
    QVERIFY(polled.wait(10'000));
    QCOMPARE(h.fake.requests.size(), 1);
}

void tst_LeadAdsPoller::runsOnANetworkThread()
{
    Harness h;
    QVERIFY(h.isValid());
    for (int i = 0; i < 3; ++i)
        h.fake.addLead(kForm, QString::number(i + 1), kNowSecs - 100 + i);
    QThread network;
    network.start();
    auto poller = h.poller();
    h.client->moveToThread(&network);
    poller->moveToThread(&network);
    QThread *ranOn = nullptr;
    int newLeads = -1;
    QObject receiver;
    connect(poller.get(), &LeadAdsPoller::formPolled, &receiver,
            [&](const QString &, int leads, int, qint64) { newLeads = leads; });
    LeadAdsPoller *raw = poller.get();
    QMetaObject::invokeMethod(
        raw,
        [raw, &ranOn] {
            ranOn = QThread::currentThread();
            raw->start();
        },
        Qt::QueuedConnection);
    // The fake Graph API answers from this thread while the poller works on the other.
    QVERIFY(QTest::qWaitFor([&] { return newLeads >= 0; }, 10'000));
    QCOMPARE(ranOn, &network);
    QCOMPARE(newLeads, 3);
    QCOMPARE(h.storedCursor(), std::optional<qint64>(kNowSecs - 98));
    // Tear down on the network thread, where the objects live.
    QMetaObject::invokeMethod(
        raw,
        [&] {
            poller.reset();
            h.client.reset();
        },
        Qt::BlockingQueuedConnection);
    network.quit();
    QVERIFY(network.wait(5000));
}

QTEST_GUILESS_MAIN(tst_LeadAdsPoller)
#include "tst_leadadspoller.moc"
