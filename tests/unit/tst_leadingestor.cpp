#include "clock.h"
#include "leadingestor.h"
#include "leadrepository.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;
using Outcome = Core::LeadIngestor::Outcome;

class tst_LeadIngestor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newPersonIsImportedWithIdentities();
    void sameEmailOnAnotherChannelIsMerged();
    void samePhoneMergesAndAddsTheNewEmail();
    void conflictingKeysAreReportedNotMoved();
    void sameExternalIdIsADuplicate();
    void sameEmailAndCampaignWithin24HoursIsAnActivity();
    void campaignIsCreatedOnFirstSight();
    void knownContactFieldsAreKeptMissingOnesFilled();
    void injectionStringsAreStoredVerbatim();
    void afterStoreStagesRunForNewLeadsOnly();
    void failingAfterStoreStageFailsTheStore();

private:
    static Core::LeadRecord lead(const QString &email, const QString &phone,
                                 const QString &channel = QStringLiteral("webform"))
    {
        Core::LeadRecord r;
        r.channel = channel;
        r.firstName = QStringLiteral("Renee");
        r.lastName = QStringLiteral("Castillo");
        r.email = email;
        r.phone = phone;
        r.createdAtMs = 1'760'000'000'000;
        return r;
    }
    static QString scalar(Core::Database &db, const QString &sql)
    {
        QSqlQuery q(db.connection());
        if (!q.exec(sql) || !q.next())
            return QStringLiteral("<none>");
        return q.value(0).toString();
    }
};

void tst_LeadIngestor::newPersonIsImportedWithIdentities()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    auto stored = ingestor.store(store.businessId(), lead(QStringLiteral("renee@example.com"),
                                                          QStringLiteral("+16145550177")));
    LD_VERIFY_OK(stored);
    QCOMPARE(stored->outcome, Outcome::Imported);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("contacts")), 1);
    QCOMPARE(
        Test::countRows(store.db(), QStringLiteral("contact_identities"),
                        QStringLiteral("channel = 'email' AND external_id = 'renee@example.com'")),
        1);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("contact_identities"),
                             QStringLiteral("channel = 'phone' AND external_id = '+16145550177'")),
             1);
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT contact_id FROM leads")), stored->contactId);
}

void tst_LeadIngestor::sameEmailOnAnotherChannelIsMerged()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    auto first = ingestor.store(store.businessId(), lead(QStringLiteral("renee@example.com"), {}));
    auto second = ingestor.store(store.businessId(), lead(QStringLiteral("renee@example.com"), {},
                                                          QStringLiteral("thumbtack")));
    QVERIFY(first && second);
    QCOMPARE(second->outcome, Outcome::Merged);
    QCOMPARE(second->matchedOn, QStringLiteral("email"));
    QCOMPARE(second->contactId, first->contactId);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads")), 2);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("contacts")), 1);
    // The merge explains itself.
    const QString metadata = scalar(
        store.db(),
        QStringLiteral("SELECT metadata FROM activities WHERE activity_type = 'identity_merged'"));
    QCOMPARE(QJsonDocument::fromJson(metadata.toUtf8())
                 .object()
                 .value(QStringLiteral("matched_on"))
                 .toString(),
             QStringLiteral("email"));
}

void tst_LeadIngestor::samePhoneMergesAndAddsTheNewEmail()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    auto first = ingestor.store(store.businessId(),
                                lead({}, QStringLiteral("+16145550177"), QStringLiteral("sms")));
    auto second = ingestor.store(store.businessId(), lead(QStringLiteral("renee@work.example"),
                                                          QStringLiteral("+16145550177")));
    QVERIFY(first && second);
    QCOMPARE(second->outcome, Outcome::Merged);
    QCOMPARE(second->matchedOn, QStringLiteral("phone"));
    QCOMPARE(second->contactId, first->contactId);
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT contact_id FROM contact_identities WHERE "
                                               "external_id = 'renee@work.example'")),
             first->contactId);
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT email FROM contacts")),
             QStringLiteral("renee@work.example"));
}

void tst_LeadIngestor::conflictingKeysAreReportedNotMoved()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    auto a = ingestor.store(store.businessId(), lead(QStringLiteral("a@example.com"), {}));
    auto b = ingestor.store(store.businessId(),
                            lead({}, QStringLiteral("+16145550100"), QStringLiteral("sms")));
    auto both = ingestor.store(
        store.businessId(), lead(QStringLiteral("a@example.com"), QStringLiteral("+16145550100")));
    QVERIFY(a && b && both);
    QCOMPARE(both->contactId, a->contactId); // e-mail is the stronger key
    QCOMPARE(
        scalar(store.db(),
               QStringLiteral(
                   "SELECT contact_id FROM contact_identities WHERE external_id = '+16145550100'")),
        b->contactId);
    const QString metadata = scalar(
        store.db(),
        QStringLiteral("SELECT metadata FROM activities WHERE lead_id = '%1'").arg(both->leadId));
    QVERIFY2(metadata.contains(QStringLiteral("phone:+16145550100")), qPrintable(metadata));
}

void tst_LeadIngestor::sameExternalIdIsADuplicate()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    Core::LeadRecord r = lead(QStringLiteral("x@example.com"), {}, QStringLiteral("thumbtack"));
    r.externalId = QStringLiteral("444");
    QCOMPARE(ingestor.store(store.businessId(), r)->outcome, Outcome::Imported);
    auto again = ingestor.store(store.businessId(), r);
    QCOMPARE(again->outcome, Outcome::Duplicate);
    QCOMPARE(again->matchedOn, QStringLiteral("external_id"));
    // The same id on another channel is another lead.
    r.channel = QStringLiteral("leadads");
    QCOMPARE(ingestor.store(store.businessId(), r)->outcome, Outcome::Merged);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads")), 2);
}

void tst_LeadIngestor::sameEmailAndCampaignWithin24HoursIsAnActivity()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    Core::LeadRecord r = lead(QStringLiteral("john.doe@company.com"), {});
    r.campaignRef = QStringLiteral("nextcloud-installation-2025");
    auto first = ingestor.store(store.businessId(), r);
    QVERIFY(first);
    r.createdAtMs += 23 * 3600 * 1000;
    r.message = QStringLiteral("Following up on my request");
    auto repeat = ingestor.store(store.businessId(), r);
    QCOMPARE(repeat->outcome, Outcome::Duplicate);
    QCOMPARE(repeat->leadId, first->leadId);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads")), 1);
    QCOMPARE(
        Test::countRows(store.db(), QStringLiteral("activities"),
                        QStringLiteral("activity_type = 'duplicate_submission' AND lead_id = '%1'")
                            .arg(first->leadId)),
        1);
    // After 24 hours it is a new enquiry from the same person.
    r.createdAtMs += 2 * 3600 * 1000;
    auto later = ingestor.store(store.businessId(), r);
    QCOMPARE(later->outcome, Outcome::Merged);
    // Another campaign the same hour is also a new lead.
    r.campaignRef = QStringLiteral("spring-promo");
    QCOMPARE(ingestor.store(store.businessId(), r)->outcome, Outcome::Merged);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads")), 3);
}

void tst_LeadIngestor::campaignIsCreatedOnFirstSight()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    Core::LeadRecord r = lead(QStringLiteral("a@example.com"), {});
    r.campaignRef = QStringLiteral("spring-ac-2026");
    r.campaignName = QStringLiteral("Spring A/C tune-up");
    QVERIFY(ingestor.store(store.businessId(), r));
    Core::LeadRecord other = lead(QStringLiteral("b@example.com"), {});
    other.campaignRef = QStringLiteral("spring-ac-2026");
    QVERIFY(ingestor.store(store.businessId(), other));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("campaigns")), 1);
    QCOMPARE(
        Test::countRows(
            store.db(), QStringLiteral("leads"),
            QStringLiteral("campaign_name = 'Spring A/C tune-up' AND campaign_id IS NOT NULL")),
        2);
}

void tst_LeadIngestor::knownContactFieldsAreKeptMissingOnesFilled()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    Core::LeadRecord r = lead(QStringLiteral("a@example.com"), {});
    r.company = QStringLiteral("Acme Corp");
    QVERIFY(ingestor.store(store.businessId(), r));
    Core::LeadRecord later = lead(QStringLiteral("a@example.com"), QStringLiteral("+16145550133"));
    later.firstName = QStringLiteral("Someone");
    later.company = QStringLiteral("Other Inc");
    QVERIFY(ingestor.store(store.businessId(), later));
    QCOMPARE(
        scalar(store.db(),
               QStringLiteral("SELECT first_name || '|' || company || '|' || phone FROM contacts")),
        QStringLiteral("Renee|Acme Corp|+16145550133"));
}

void tst_LeadIngestor::injectionStringsAreStoredVerbatim()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    Core::LeadRecord r = lead(QStringLiteral("a@example.com"), {});
    const QString hostile
        = QStringLiteral("Robert'); DROP TABLE leads;-- <script>alert(1)</script> \u202e");
    r.message = hostile;
    r.lastName = hostile;
    r.campaignRef = QStringLiteral("x' OR '1'='1");
    QVERIFY(ingestor.store(store.businessId(), r));
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT message FROM leads")), hostile);
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT last_name FROM contacts")), hostile);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("campaigns")), 1);
}

void tst_LeadIngestor::afterStoreStagesRunForNewLeadsOnly()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    QStringList seen;
    ingestor.addAfterStore([&](Core::Database &db, const Core::LeadRecord &record,
                               const Core::LeadIngestor::Stored &stored,
                               qint64 nowMs) -> Core::Result<void> {
        // The lead is already in the store when the stage runs.
        QSqlQuery q(db.connection());
        q.prepare(QStringLiteral("SELECT COUNT(*) FROM leads WHERE id = ?"));
        q.addBindValue(stored.leadId);
        if (!q.exec() || !q.next() || q.value(0).toInt() != 1)
            return Core::fail(QStringLiteral("lead not visible to the stage"));
        seen << QStringLiteral("first:") + record.email + QLatin1Char('@') + QString::number(nowMs);
        return {};
    });
    ingestor.addAfterStore([&](Core::Database &, const Core::LeadRecord &,
                               const Core::LeadIngestor::Stored &, qint64) -> Core::Result<void> {
        seen << QStringLiteral("second");
        return {};
    });

    Core::LeadRecord first = lead(QStringLiteral("renee@example.com"), {});
    first.externalId = QStringLiteral("form-1");
    LD_VERIFY_OK(ingestor.store(store.businessId(), first));
    QCOMPARE(seen, (QStringList{QStringLiteral("first:renee@example.com@")
                                    + QString::number(clock.nowMs()),
                                QStringLiteral("second")}));

    // A redelivery is a duplicate: no stage runs again.
    auto again = ingestor.store(store.businessId(), first);
    LD_VERIFY_OK(again);
    QCOMPARE(again->outcome, Outcome::Duplicate);
    QCOMPARE(seen.size(), 2);
}

void tst_LeadIngestor::failingAfterStoreStageFailsTheStore()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    ingestor.addAfterStore([](Core::Database &, const Core::LeadRecord &,
                              const Core::LeadIngestor::Stored &, qint64) -> Core::Result<void> {
        return Core::fail(QStringLiteral("routing table unreadable"));
    });
    auto stored = ingestor.store(store.businessId(), lead(QStringLiteral("renee@example.com"), {}));
    QVERIFY(!stored);
    QCOMPARE(stored.error().message, QStringLiteral("routing table unreadable"));
}

QTEST_GUILESS_MAIN(tst_LeadIngestor)
#include "tst_leadingestor.moc"
