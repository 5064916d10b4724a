// The journal-first pipeline without HTTP: JournalProcessor and InboundJournal on a real store,
// with a test route whose processing can be broken and fixed.
#include "testsupport.h"

#include "businessrepository.h"
#include "inboundjournal.h"
#include "journalprocessor.h"
#include "leadingestor.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>

#include <atomic>

using namespace LeadDesk;

namespace {

// POST /test/events: {"id": "...", "email": "...", "reject": bool}. Stores a lead per event;
// while `broken`, fails after storing it (so the rollback shows).
class TestRoute final : public Sync::InboundRoute
{
public:
    static inline std::atomic<bool> broken = false;

    Spec spec() const override
    {
        Spec spec;
        spec.name = QStringLiteral("test_events");
        spec.method = "POST";
        spec.pattern = QStringLiteral("/test/events");
        return spec;
    }
    Sync::PreparedRequest prepare(const Sync::InboundRequest &request) const override
    {
        Sync::PreparedRequest prepared;
        auto document = parseJsonBody(request.body);
        if (!document) {
            prepared.rejection = Sync::InboundResponse::error(400, QStringLiteral("INVALID_JSON"),
                                                              document.error().message);
            return prepared;
        }
        prepared.dedupeKey = document->object().value(QLatin1String("id")).toString();
        prepared.data = document->object();
        return prepared;
    }
    std::optional<Sync::InboundResponse> authorize(const Sync::InboundRequest &request,
                                                   const Sync::PreparedRequest &,
                                                   Sync::WriteContext &) const override
    {
        if (request.header("x-test-key") == "wrong")
            return Sync::InboundResponse::error(403, QStringLiteral("FORBIDDEN"),
                                                QStringLiteral("no"));
        return std::nullopt;
    }
    Core::Result<Sync::ProcessOutcome> process(const Sync::InboundRequest &,
                                               const Sync::PreparedRequest &prepared,
                                               Sync::WriteContext &context) const override
    {
        const QJsonObject event = std::any_cast<QJsonObject>(prepared.data);
        Core::LeadRecord lead;
        lead.channel = QStringLiteral("webform");
        lead.email = event.value(QLatin1String("email")).toString();
        lead.createdAtMs = context.clock.nowMs();
        auto stored = context.ingestor.store(context.business.id, lead);
        if (!stored)
            return std::unexpected(stored.error());
        if (broken)
            return Core::fail(QStringLiteral("adapter bug: cannot read this event"));
        Sync::ProcessOutcome outcome;
        if (event.value(QLatin1String("reject")).toBool()) {
            outcome.status = Sync::ProcessOutcome::Status::Rejected;
            outcome.error = QStringLiteral("the event names no lead");
            outcome.response
                = Sync::InboundResponse::error(422, QStringLiteral("REJECTED"), outcome.error);
            return outcome;
        }
        outcome.leadId = stored->leadId;
        outcome.response = Sync::InboundResponse::json(
            200, QJsonObject{{QStringLiteral("lead"), stored->leadId}});
        return outcome;
    }
};

Sync::InboundRequest requestWith(const QByteArray &body, const QByteArray &key = {})
{
    Sync::InboundRequest request;
    request.method = "POST";
    request.url = QUrl(QStringLiteral("http://127.0.0.1:8080/test/events?x=1"));
    request.path = QStringLiteral("/test/events");
    request.headers = {{"content-type", "application/json"},
                       {"authorization", "Bearer secret-value"},
                       {"x-test-key", key.isEmpty() ? QByteArray("ok") : key}};
    request.body = body;
    request.remoteAddress = QStringLiteral("192.0.2.7");
    request.receivedAtMs = 1'760'000'000'000;
    return request;
}

} // namespace

class tst_InboundJournal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void processedRequestIsJournalledWithItsAnswer();
    void failedProcessingIsKeptAndRolledBack();
    void replayAfterAFixProcessesTheRow();
    void replayRefusesProcessedAndUnknownRows();
    void redeliveryAnswersAsBeforeAndChangesNothing();
    void replayOfARedeliveryBecomesADuplicate();
    void rejectionsAreJournalled();
    void processRejectionRollsBackItsWork();
    void authorizeRefusalStoresNothing();
    void fastPathAsksForIsolation();
    void bodyBytesAreKeptExactly();
    void listCountsAndReplayOrder();

private:
    Core::Result<Sync::JournalProcessor::Answer> receive(const Sync::InboundRequest &request,
                                                         bool isolated = true)
    {
        const Sync::InboundRoute &route = *m_routes->byName(QStringLiteral("test_events"));
        const Sync::PreparedRequest prepared = route.prepare(request);
        Core::Transaction transaction(m_store->db());
        auto answer = m_processor->receive(m_store->db(), route, QStringLiteral("test_events"),
                                           request, prepared, {}, isolated);
        if (answer)
            (void)transaction.commit();
        return answer;
    }
    Core::Result<Sync::JournalProcessor::Replayed> replay(const QString &id)
    {
        Core::Transaction transaction(m_store->db());
        auto replayed = m_processor->replay(m_store->db(), id);
        if (replayed)
            (void)transaction.commit();
        return replayed;
    }
    int count(const QString &table, const QString &where = {})
    {
        return Test::countRows(m_store->db(), table, where);
    }

    std::unique_ptr<Test::TempStore> m_store;
    std::shared_ptr<Sync::InboundRouteTable> m_routes;
    std::unique_ptr<Sync::JournalProcessor> m_processor;
};

void tst_InboundJournal::init()
{
    TestRoute::broken = false;
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    auto business = Core::BusinessRepository(m_store->db()).primary();
    LD_VERIFY_OK(business);
    m_routes = std::make_shared<Sync::InboundRouteTable>();
    LD_VERIFY_OK(m_routes->add(std::make_shared<const TestRoute>()));
    m_processor = std::make_unique<Sync::JournalProcessor>(m_routes, *business,
                                                           Sync::JournalProcessor::Options{});
}

void tst_InboundJournal::cleanup()
{
    m_processor.reset();
    m_store.reset();
}

void tst_InboundJournal::processedRequestIsJournalledWithItsAnswer()
{
    auto answer = receive(requestWith(R"({"id":"evt-1","email":"a@example.com"})"));
    LD_VERIFY_OK(answer);
    QCOMPARE(answer->journalStatus, QStringLiteral("processed"));
    QCOMPARE(answer->response.status, 200);
    auto entry = Core::InboundJournal(m_store->db()).byId(answer->journalId);
    LD_VERIFY_OK(entry);
    QVERIFY(entry->has_value());
    const Core::JournalEntry &e = **entry;
    QCOMPARE(e.route, QStringLiteral("test_events"));
    QCOMPARE(e.method, QStringLiteral("POST"));
    QCOMPARE(e.url, QStringLiteral("http://127.0.0.1:8080/test/events?x=1"));
    QCOMPARE(e.remoteAddr, QStringLiteral("192.0.2.7"));
    QCOMPARE(e.dedupeKey, QStringLiteral("evt-1"));
    QCOMPARE(e.status, QStringLiteral("processed"));
    QCOMPARE(e.attempts, 1);
    QCOMPARE(e.receivedAtMs, 1'760'000'000'000);
    QCOMPARE(e.responseStatus, 200);
    QCOMPARE(e.responseBody, answer->response.body);
    QVERIFY(!e.leadId.isEmpty());
    const QJsonObject headers = QJsonDocument::fromJson(e.headers.toUtf8()).object();
    QCOMPARE(headers.value(QStringLiteral("authorization")).toString(),
             QStringLiteral("[redacted]"));
    QCOMPARE(headers.value(QStringLiteral("content-type")).toString(),
             QStringLiteral("application/json"));
    QCOMPARE(count(QStringLiteral("leads")), 1);
}

void tst_InboundJournal::failedProcessingIsKeptAndRolledBack()
{
    TestRoute::broken = true;
    auto answer = receive(requestWith(R"({"id":"evt-2","email":"b@example.com"})"));
    LD_VERIFY_OK(answer);
    QCOMPARE(answer->journalStatus, QStringLiteral("failed"));
    QCOMPARE(answer->response.status, 500);      // the default failure answer
    QCOMPARE(count(QStringLiteral("leads")), 0); // the lead it stored was rolled back
    QCOMPARE(count(QStringLiteral("inbound_journal"),
                   QStringLiteral("status = 'failed' AND error LIKE '%adapter bug%'")),
             1);
}

void tst_InboundJournal::replayAfterAFixProcessesTheRow()
{
    TestRoute::broken = true;
    auto answer = receive(requestWith(R"({"id":"evt-3","email":"c@example.com"})"));
    LD_VERIFY_OK(answer);
    auto again = replay(answer->journalId); // still broken
    LD_VERIFY_OK(again);
    QCOMPARE(again->status, QStringLiteral("failed"));
    TestRoute::broken = false; // the fix
    auto fixed = replay(answer->journalId);
    LD_VERIFY_OK(fixed);
    QCOMPARE(fixed->status, QStringLiteral("processed"));
    QVERIFY(!fixed->leadId.isEmpty());
    QCOMPARE(count(QStringLiteral("leads"), QStringLiteral("email = 'c@example.com'")), 1);
    auto entry = Core::InboundJournal(m_store->db()).byId(answer->journalId);
    LD_VERIFY_OK(entry);
    QCOMPARE((*entry)->attempts, 3);
    QCOMPARE((*entry)->error, QString());
    QCOMPARE((*entry)->responseStatus, 200);
}

void tst_InboundJournal::replayRefusesProcessedAndUnknownRows()
{
    auto answer = receive(requestWith(R"({"id":"evt-4","email":"d@example.com"})"));
    LD_VERIFY_OK(answer);
    QVERIFY(!replay(answer->journalId).has_value());
    QVERIFY(!replay(QStringLiteral("no-such-id")).has_value());
    QCOMPARE(count(QStringLiteral("leads")), 1);
}

void tst_InboundJournal::redeliveryAnswersAsBeforeAndChangesNothing()
{
    auto first = receive(requestWith(R"({"id":"evt-5","email":"e@example.com"})"));
    LD_VERIFY_OK(first);
    // The provider retries with a slightly different body (a new delivery timestamp).
    auto second = receive(requestWith(R"({"id":"evt-5","email":"e@example.com","try":2})"));
    LD_VERIFY_OK(second);
    QCOMPARE(second->journalStatus, QStringLiteral("duplicate"));
    QCOMPARE(second->response.status, first->response.status);
    QCOMPARE(second->response.body, first->response.body);
    QCOMPARE(count(QStringLiteral("leads")), 1);
    QCOMPARE(count(QStringLiteral("inbound_journal")), 2);
}

void tst_InboundJournal::replayOfARedeliveryBecomesADuplicate()
{
    TestRoute::broken = true;
    auto first = receive(requestWith(R"({"id":"evt-6","email":"f@example.com"})"));
    auto second = receive(requestWith(R"({"id":"evt-6","email":"f@example.com"})"));
    LD_VERIFY_OK(first);
    LD_VERIFY_OK(second);
    QCOMPARE(second->journalStatus, QStringLiteral("failed")); // nothing processed to repeat yet
    TestRoute::broken = false;
    auto ids = Core::InboundJournal(m_store->db()).idsWithStatus(QStringLiteral("failed"));
    LD_VERIFY_OK(ids);
    QCOMPARE(ids->size(), 2);
    QStringList statuses;
    for (const QString &id : *ids) {
        auto replayed = replay(id);
        LD_VERIFY_OK(replayed);
        statuses << replayed->status;
    }
    QCOMPARE(statuses, (QStringList{QStringLiteral("processed"), QStringLiteral("duplicate")}));
    QCOMPARE(count(QStringLiteral("leads")), 1);
}

void tst_InboundJournal::rejectionsAreJournalled()
{
    auto answer = receive(requestWith("{not json"));
    LD_VERIFY_OK(answer);
    QCOMPARE(answer->journalStatus, QStringLiteral("rejected"));
    QCOMPARE(answer->response.status, 400);
    QVERIFY(answer->error.contains(QStringLiteral("Malformed JSON")));
    QCOMPARE(count(QStringLiteral("leads")), 0);
    // A rejected row can be replayed by id (say, after a parser fix); it stays rejected here.
    auto replayed = replay(answer->journalId);
    LD_VERIFY_OK(replayed);
    QCOMPARE(replayed->status, QStringLiteral("rejected"));
}

void tst_InboundJournal::processRejectionRollsBackItsWork()
{
    auto answer = receive(requestWith(R"({"id":"evt-7","email":"g@example.com","reject":true})"));
    LD_VERIFY_OK(answer);
    QCOMPARE(answer->journalStatus, QStringLiteral("rejected"));
    QCOMPARE(answer->response.status, 422);
    QCOMPARE(answer->error, QStringLiteral("the event names no lead"));
    QCOMPARE(count(QStringLiteral("leads")), 0);
    QCOMPARE(count(QStringLiteral("contacts")), 0);
}

void tst_InboundJournal::authorizeRefusalStoresNothing()
{
    auto answer = receive(requestWith(R"({"id":"evt-8","email":"h@example.com"})", "wrong"));
    LD_VERIFY_OK(answer);
    QCOMPARE(answer->response.status, 403);
    QVERIFY(answer->journalId.isEmpty());
    QCOMPARE(count(QStringLiteral("inbound_journal")), 0);
}

void tst_InboundJournal::fastPathAsksForIsolation()
{
    // Without a savepoint a failing request cannot be undone alone: the caller is told to roll
    // back its job and run it isolated.
    TestRoute::broken = true;
    auto fast = receive(requestWith(R"({"id":"evt-9","email":"i@example.com"})"), false);
    QVERIFY(!fast);
    QVERIFY(Sync::JournalProcessor::needsIsolation(fast.error()));
    QCOMPARE(count(QStringLiteral("inbound_journal")), 0);
    QCOMPARE(count(QStringLiteral("leads")), 0);
    TestRoute::broken = false;
    auto ok = receive(requestWith(R"({"id":"evt-9","email":"i@example.com"})"), false);
    LD_VERIFY_OK(ok);
    QCOMPARE(ok->journalStatus, QStringLiteral("processed"));
}

void tst_InboundJournal::bodyBytesAreKeptExactly()
{
    const QByteArray body("{\"id\":\"x\",\"email\":\"\xC3\x28\xFF\"}\0tail", 31);
    auto answer = receive(requestWith(body));
    LD_VERIFY_OK(answer);
    auto entry = Core::InboundJournal(m_store->db()).byId(answer->journalId);
    LD_VERIFY_OK(entry);
    QCOMPARE((*entry)->body, body);
    QCOMPARE((*entry)->status, QStringLiteral("rejected"));
}

void tst_InboundJournal::listCountsAndReplayOrder()
{
    Sync::InboundRequest request = requestWith(R"({"id":"l1","email":"l1@example.com"})");
    LD_VERIFY_OK(receive(request));
    TestRoute::broken = true;
    request = requestWith(R"({"id":"l2","email":"l2@example.com"})");
    request.receivedAtMs += 10;
    LD_VERIFY_OK(receive(request));
    request = requestWith(R"({"id":"l3","email":"l3@example.com"})");
    request.receivedAtMs += 20;
    LD_VERIFY_OK(receive(request));
    LD_VERIFY_OK(receive(requestWith("[")));
    Core::InboundJournal journal(m_store->db());
    auto counts = journal.counts();
    LD_VERIFY_OK(counts);
    QCOMPARE(counts->processed, 1);
    QCOMPARE(counts->failed, 2);
    QCOMPARE(counts->rejected, 1);
    QCOMPARE(counts->pending, 0);
    Core::InboundJournal::ListFilter filter;
    filter.status = QStringLiteral("failed");
    auto failed = journal.list(filter);
    LD_VERIFY_OK(failed);
    QCOMPARE(failed->size(), 2);
    QCOMPARE(failed->at(0).dedupeKey, QStringLiteral("l3")); // newest first
    QVERIFY(failed->at(0).body.isEmpty());                   // lists carry no bodies
    auto order = journal.idsWithStatus(QStringLiteral("failed"));
    LD_VERIFY_OK(order);
    QCOMPARE(order->first(), failed->at(1).id); // replay: oldest first
    filter.status.clear();
    filter.limit = 2;
    auto page = journal.list(filter);
    LD_VERIFY_OK(page);
    QCOMPARE(page->size(), 2);
}

QTEST_GUILESS_MAIN(tst_InboundJournal)
#include "tst_inboundjournal.moc"
