#include "clock.h"
#include "leadingestor.h"
#include "leadrepository.h"
#include "testsupport.h"

#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;

Q_DECLARE_METATYPE(Core::LeadSort)

class tst_LeadRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void pagingVisitsEveryRowInOrder_data();
    void pagingVisitsEveryRowInOrder();
    void emptyStoreHasNoPage();
    void detailHasIdentitiesActivitiesAndMessages();
    void countsByStatusAndChannel();
    void unknownLeadIsAnError();

private:
    std::unique_ptr<Test::TempStore> m_store;
};

void tst_LeadRepository::initTestCase()
{
    m_store = std::make_unique<Test::TempStore>();
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(m_store->db(), clock);
    QRandomGenerator rng(7);
    const QStringList last
        = {QStringLiteral("Castillo"),     QStringLiteral("Pike"),   QStringLiteral("O'Neil"),
           QStringLiteral("van der Berg"), QStringLiteral("Nguyen"), QString()};
    const QStringList channels
        = {QStringLiteral("webform"), QStringLiteral("sms"), QStringLiteral("thumbtack")};
    const QStringList statuses
        = {QStringLiteral("new"), QStringLiteral("contacted"), QStringLiteral("closed_won")};
    QVERIFY(m_store->db().begin());
    for (int i = 0; i < 1234; ++i) {
        Core::LeadRecord r;
        r.channel = channels.at(i % channels.size());
        r.firstName = QStringLiteral("P%1").arg(rng.bounded(40));
        r.lastName = last.at(rng.bounded(last.size()));
        r.email = QStringLiteral("p%1@example.com").arg(i);
        r.score = int(rng.bounded(101));
        r.status = statuses.at(rng.bounded(statuses.size()));
        r.campaignRef = i % 4 == 0 ? QString() : QStringLiteral("camp-%1").arg(i % 3);
        r.createdAtMs = 1'760'000'000'000 + rng.bounded(1000) * 60'000; // many equal keys
        QVERIFY(ingestor.store(m_store->businessId(), r));
    }
    QVERIFY(m_store->db().commit());
}

void tst_LeadRepository::pagingVisitsEveryRowInOrder_data()
{
    QTest::addColumn<Core::LeadSort>("sort");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<QString>("orderBy");
    const std::pair<const char *, std::pair<Core::LeadSort, const char *>> sorts[] = {
        {"created", {Core::LeadSort::Created, "created_at %1, rowid %1"}},
        {"name", {Core::LeadSort::Name, "last_name %1, first_name %1, rowid %1"}},
        {"source", {Core::LeadSort::Source, "channel %1, created_at %1, rowid %1"}},
        {"campaign", {Core::LeadSort::Campaign, "campaign_name %1, rowid %1"}},
        // The score sort reads lead_scores' index: the lead id breaks ties there.
        {"score", {Core::LeadSort::Score, "lead_score %1, id %1"}},
        {"grade", {Core::LeadSort::Grade, "lead_score %1, id %1"}},
        {"status", {Core::LeadSort::Status, "status %1, created_at %1, rowid %1"}},
    };
    for (const auto &[name, spec] : sorts) {
        QTest::addRow("%s asc", name)
            << spec.first << Qt::AscendingOrder
            << QString::fromLatin1(spec.second).arg(QStringLiteral("ASC"));
        QTest::addRow("%s desc", name)
            << spec.first << Qt::DescendingOrder
            << QString::fromLatin1(spec.second).arg(QStringLiteral("DESC"));
    }
}

void tst_LeadRepository::pagingVisitsEveryRowInOrder()
{
    QFETCH(Core::LeadSort, sort);
    QFETCH(Qt::SortOrder, order);
    QFETCH(QString, orderBy);
    QStringList expected;
    QSqlQuery q(m_store->db().connection());
    QVERIFY(q.exec(QStringLiteral("SELECT id FROM leads LEFT JOIN lead_scores ON lead_id = id "
                                  "WHERE deleted = 0 ORDER BY ")
                   + orderBy));
    while (q.next())
        expected << q.value(0).toString();

    Core::LeadRepository repo(m_store->db());
    Core::LeadPageRequest request{m_store->businessId(), sort, order, std::nullopt, 100};
    QStringList seen;
    int pages = 0;
    for (;;) {
        auto page = repo.fetchPage(request);
        LD_VERIFY_OK(page);
        for (const auto &row : std::as_const(page->rows))
            seen << row.id;
        ++pages;
        if (!page->next)
            break;
        request.after = page->next;
        QVERIFY(pages < 100);
    }
    QCOMPARE(seen.size(), 1234);
    QCOMPARE(seen, expected);
}

void tst_LeadRepository::emptyStoreHasNoPage()
{
    Test::TempStore empty;
    Core::LeadRepository repo(empty.db());
    Core::LeadPageRequest request;
    request.businessId = empty.businessId();
    auto page = repo.fetchPage(request);
    QVERIFY(page);
    QVERIFY(page->rows.isEmpty());
    QVERIFY(!page->next);
    auto counts = repo.counts(empty.businessId());
    QVERIFY(counts);
    QCOMPARE(counts->total, 0);
}

void tst_LeadRepository::detailHasIdentitiesActivitiesAndMessages()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    Core::LeadRecord r;
    r.channel = QStringLiteral("thumbtack");
    r.firstName = QStringLiteral("Jordan");
    r.lastName = QStringLiteral("Pike");
    r.email = QStringLiteral("jordan.pike@example.com");
    r.phone = QStringLiteral("+16145550133");
    r.details.insert(QStringLiteral("category"), QStringLiteral("House Cleaning"));
    r.createdAtMs = 1000;
    auto first = ingestor.store(store.businessId(), r);
    r.channel = QStringLiteral("webform");
    auto second = ingestor.store(store.businessId(), r);
    QVERIFY(first && second);
    QVERIFY(store.db().execDirect(
        QStringLiteral("INSERT INTO conversations (id, business_id, contact_id, lead_id, channel, "
                       "created_at, updated_at) "
                       "VALUES ('cv1', '%1', '%2', '%3', 'webform', 1, 1)")
            .arg(store.businessId(), second->contactId, second->leadId)));
    for (int i = 0; i < 3; ++i) {
        QVERIFY(store.db().execDirect(
            QStringLiteral("INSERT INTO messages (id, business_id, conversation_id, lead_id, "
                           "direction, body, sent_at, created_at, updated_at) "
                           "VALUES ('m%1', '%2', 'cv1', '%3', '%4', 'hello %1', %5, 1, 1)")
                .arg(i)
                .arg(store.businessId(), second->leadId,
                     i % 2 ? QStringLiteral("out") : QStringLiteral("in"))
                .arg(100 - i)));
    }
    Core::LeadRepository repo(store.db());
    auto detail = repo.detail(second->leadId);
    LD_VERIFY_OK(detail);
    QCOMPARE(detail->lead.firstName, QStringLiteral("Jordan"));
    QCOMPARE(detail->identities.size(), 2);
    QCOMPARE(detail->identities.at(0).channel, QStringLiteral("email"));
    QCOMPARE(detail->activities.size(), 1);
    QCOMPARE(detail->activities.at(0).type, QStringLiteral("identity_merged"));
    QCOMPARE(detail->messages.size(), 3);
    QCOMPARE(detail->messages.at(0).body, QStringLiteral("hello 2")); // oldest first
    auto thumbtack = repo.detail(first->leadId);
    QCOMPARE(thumbtack->lead.details.value(QStringLiteral("category")).toString(),
             QStringLiteral("House Cleaning"));
}

void tst_LeadRepository::countsByStatusAndChannel()
{
    Core::LeadRepository repo(m_store->db());
    auto counts = repo.counts(m_store->businessId());
    QVERIFY(counts);
    QCOMPARE(counts->total, 1234);
    QCOMPARE(counts->newLeads, Test::countRows(m_store->db(), QStringLiteral("leads"),
                                               QStringLiteral("status = 'new'")));
    qint64 sum = 0;
    for (const auto &[channel, n] : counts->byChannel)
        sum += n;
    QCOMPARE(sum, 1234);
    QCOMPARE(counts->byChannel.size(), 3);
}

void tst_LeadRepository::unknownLeadIsAnError()
{
    Core::LeadRepository repo(m_store->db());
    QVERIFY(!repo.detail(QStringLiteral("no-such-lead")));
}

QTEST_GUILESS_MAIN(tst_LeadRepository)
#include "tst_leadrepository.moc"
