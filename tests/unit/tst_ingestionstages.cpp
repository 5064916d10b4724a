// The standard after-store stages (routing, then the SLA clock) wired into every ingestor that
// stores real leads: a bare ingestor, the vendor importer (ctl import and the folder drop).
#include "clock.h"
#include "databasethread.h"
#include "ids.h"
#include "ingestionstages.h"
#include "leadingestor.h"
#include "scoringrules.h"
#include "settingsrepository.h"
#include "testsupport.h"
#include "vendorimporter.h"

#include <QFile>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;

namespace {

// June 2025, UTC; the 9th is a Monday (default hours Mon-Fri 09:00-17:00).
qint64 june(int day, int hour, int minute = 0)
{
    return QDateTime(QDate(2025, 6, day), QTime(hour, minute), Qt::UTC).toMSecsSinceEpoch();
}

QString addRep(Core::Database &db, const QString &businessId, const QString &name)
{
    const QString id = Core::Ids::uuidV7(june(1, 0));
    QSqlQuery q(db.connection());
    q.prepare(QStringLiteral(
        "INSERT INTO users (id, business_id, username, display_name, role, password_hash, away, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, 'rep', 'x', 0, 0, 0)"));
    q.addBindValue(id);
    q.addBindValue(businessId);
    q.addBindValue(name);
    q.addBindValue(name);
    if (!q.exec())
        qFatal("user insert failed");
    return id;
}

QVariant scalar(Core::Database &db, const QString &sql, const QVariantList &params = {})
{
    QSqlQuery q(db.connection());
    q.prepare(sql);
    for (const QVariant &param : params)
        q.addBindValue(param);
    if (!q.exec() || !q.next())
        return QStringLiteral("<none>");
    return q.value(0);
}

} // namespace

class tst_IngestionStages : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void newLeadIsRoutedThenTimed();
    void duplicateIsNeitherRoutedNorTimed();
    void importedLeadsAreRoutedAndTimed();
    void importScoresWithTheBusinessRules();
};

void tst_IngestionStages::newLeadIsRoutedThenTimed()
{
    Test::TempStore store;
    const QString alice = addRep(store.db(), store.businessId(), QStringLiteral("alice"));
    const QString bob = addRep(store.db(), store.businessId(), QStringLiteral("bob"));
    Core::ManualClock clock(june(9, 10));
    Core::LeadIngestor ingestor(store.db(), clock);
    Core::addStandardStages(ingestor);

    QStringList assignees;
    for (int i = 0; i < 2; ++i) {
        Core::LeadRecord record;
        record.channel = QStringLiteral("webform");
        record.firstName = QStringLiteral("Lead");
        record.lastName = QString::number(i);
        record.email = QStringLiteral("lead%1@example.com").arg(i);
        record.createdAtMs = clock.nowMs();
        auto stored = ingestor.store(store.businessId(), record);
        LD_VERIFY_OK(stored);
        assignees << scalar(store.db(),
                            QStringLiteral("SELECT assigned_to FROM leads WHERE id = ?"),
                            {stored->leadId})
                         .toString();
        QCOMPARE(scalar(store.db(),
                        QStringLiteral("SELECT count(*) FROM activities WHERE lead_id = ? AND "
                                       "activity_type = 'assigned'"),
                        {stored->leadId})
                     .toInt(),
                 1);
        // The clock started at arrival and runs out in business time (webform grade D: 4 h).
        QCOMPARE(scalar(store.db(), QStringLiteral("SELECT sla_started_at FROM leads WHERE id = ?"),
                        {stored->leadId})
                     .toLongLong(),
                 june(9, 10));
        QCOMPARE(scalar(store.db(),
                        QStringLiteral("SELECT response_due_at FROM leads WHERE id = ?"),
                        {stored->leadId})
                     .toLongLong(),
                 june(9, 14));
        QCOMPARE(scalar(store.db(),
                        QStringLiteral("SELECT first_response_due_at FROM leads WHERE id = ?"),
                        {stored->leadId})
                     .toLongLong(),
                 june(9, 14));
    }
    // Round-robin over both reps.
    assignees.sort();
    QStringList expected{alice, bob};
    expected.sort();
    QCOMPARE(assignees, expected);
}

void tst_IngestionStages::duplicateIsNeitherRoutedNorTimed()
{
    Test::TempStore store;
    addRep(store.db(), store.businessId(), QStringLiteral("alice"));
    Core::ManualClock clock(june(9, 10));
    Core::LeadIngestor ingestor(store.db(), clock);
    Core::addStandardStages(ingestor);
    Core::LeadRecord record;
    record.channel = QStringLiteral("thumbtack");
    record.externalId = QStringLiteral("tt-1");
    record.firstName = QStringLiteral("Ann");
    record.email = QStringLiteral("ann@example.com");
    record.createdAtMs = clock.nowMs();
    LD_VERIFY_OK(ingestor.store(store.businessId(), record));
    auto again = ingestor.store(store.businessId(), record);
    LD_VERIFY_OK(again);
    QCOMPARE(again->outcome, Core::LeadIngestor::Outcome::Duplicate);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("activities"),
                             QStringLiteral("activity_type = 'assigned'")),
             1);
}

void tst_IngestionStages::importedLeadsAreRoutedAndTimed()
{
    Test::TempStore store;
    const QString alice = addRep(store.db(), store.businessId(), QStringLiteral("alice"));
    // The importer runs on the writer's own connection.
    auto writer = Core::StoreWriter::start(store.path());
    LD_VERIFY_OK(writer);
    const QString file = store.dir() + QStringLiteral("/leads.csv");
    {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write("First Name,Last Name,Email,Phone,State\n"
                  "Ana,Lopez,ana@example.com,(614) 555-0101,OH\n"
                  "Ben,Stone,ben@example.com,(614) 555-0102,OH\n");
    }
    Core::VendorImporter::Options options;
    options.source = QStringLiteral("generic");
    options.filePath = file;
    auto summary = Core::VendorImporter::run(**writer, store.businessId(), options);
    LD_VERIFY_OK(summary);
    QCOMPARE(summary->imported, 2);
    writer->reset();

    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads"),
                             QStringLiteral("assigned_to = '%1'").arg(alice)),
             2);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("activities"),
                             QStringLiteral("activity_type = 'assigned'")),
             2);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads"),
                             QStringLiteral("sla_started_at IS NOT NULL AND response_due_at IS "
                                            "NOT NULL AND first_response_due_at IS NOT NULL")),
             2);
}

void tst_IngestionStages::importScoresWithTheBusinessRules()
{
    Test::TempStore store;
    // The business's own rules: a phone is worth 9 points instead of 5.
    QFile shipped(QStringLiteral(":/config/scoring-default.json"));
    QVERIFY(shipped.open(QIODevice::ReadOnly));
    QByteArray document = shipped.readAll();
    const QByteArray from
        = R"("id": "phone_provided", "label": "Phone number given", "points": 5,)";
    QVERIFY(document.contains(from));
    document.replace(from,
                     R"("id": "phone_provided", "label": "Phone number given", "points": 9,)");
    LD_VERIFY_OK(Core::ScoringRules::saveForBusiness(store.db(), store.businessId(), document, 0));

    auto writer = Core::StoreWriter::start(store.path());
    LD_VERIFY_OK(writer);
    const QString file = store.dir() + QStringLiteral("/leads.csv");
    {
        QFile out(file);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write("First Name,Last Name,Email,Phone,State\n"
                  "Ana,Lopez,ana@gmail.com,(614) 555-0101,OH\n");
    }
    Core::VendorImporter::Options options;
    options.source = QStringLiteral("generic");
    options.filePath = file;
    auto summary = Core::VendorImporter::run(**writer, store.businessId(), options);
    LD_VERIFY_OK(summary);
    QCOMPARE(summary->imported, 1);
    writer->reset();
    const QString breakdown
        = scalar(store.db(), QStringLiteral("SELECT score_breakdown FROM scored_leads")).toString();
    QVERIFY2(breakdown.contains(QStringLiteral("\"phone_provided\":9")), qPrintable(breakdown));
}

QTEST_GUILESS_MAIN(tst_IngestionStages)
#include "tst_ingestionstages.moc"
