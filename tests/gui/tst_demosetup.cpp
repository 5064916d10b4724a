#include "demodatagenerator.h"
#include "demosetup.h"
#include "engine.h"
#include "leadrepository.h"
#include "testsupport.h"

#include <QSignalSpy>
#include <QTest>

using namespace LeadDesk;

class TestDemoSetup : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void generatesIntoAnEmptyStore();
};

void TestDemoSetup::generatesIntoAnEmptyStore()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    Sync::Engine engine;
    QVERIFY(engine.open(store.dir()));

    Ui::DemoSetup setup(engine);
    QSignalSpy progress(&setup, &Ui::DemoSetup::progressChanged);
    QSignalSpy leadsChanged(&engine, &Sync::Engine::leadsChanged);
    auto made = setup.run(nullptr, 120);
    QVERIFY2(made, qPrintable(made ? QString() : made.error().toString()));
    QCOMPARE(setup.lastProgress(), 120);
    // Progress was reported on this thread, and ended at the total.
    QVERIFY(progress.count() >= 1);
    QCOMPARE(progress.constLast().at(1).toLongLong(), 120);
    QTRY_COMPARE(leadsChanged.count(), 1);

    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads")), 120);
    QVERIFY(Core::DemoDataGenerator::isDemoStore(store.db(), store.businessId()));
    // The demo brings its own owner, so first start skips the owner setup.
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("users"), QStringLiteral("role = 'owner'")),
             1);

    // The reader sees the committed data at once.
    const QString businessId = store.businessId();
    auto counts = engine.reader()
                      .submitValue<Core::LeadCounts>([businessId](Core::Database &db) {
                          return Core::LeadRepository(db).counts(businessId);
                      })
                      .result();
    QVERIFY(counts);
    QCOMPARE(counts->total, 120);

    // A store that holds leads is not filled again.
    Ui::DemoSetup again(engine);
    QVERIFY(!again.run(nullptr, 10));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads")), 120);
}

QTEST_MAIN(TestDemoSetup)
#include "tst_demosetup.moc"
