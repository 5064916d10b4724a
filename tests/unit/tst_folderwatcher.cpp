#include "folderwatcher.h"
#include "testsupport.h"

#include <QDir>
#include <QFile>
#include <QTest>

using namespace LeadDesk;
using Sync::FolderWatcher;

class tst_FolderWatcher : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void goodFileIsImportedAndProcessed();
    void badRowsGoToFailedWithTheirRecords();
    void halfWrittenFileWaitsUntilStable();
    void garbageGoesToFailedWithErrorText();
    void nameClashGetsATimestamp();
    void unknownVendorIsRefused();
};

namespace {

const QByteArray kGood = "FirstName,LastName,Email,CellPhone,PropertyState\r\n"
                         "Ana,Lopez,ana@example.com,6145550101,OH\r\n"
                         "Ben,Ode,ben@example.com,6145550102,TX\r\n";

const QByteArray kMixed = "FirstName,LastName,Email,CellPhone,PropertyState\r\n"
                          "Ana,Lopez,ana@example.com,6145550101,OH\r\n"
                          "Bad,Email,not-an-email,,OH\r\n";

struct Env
{
    Test::TempStore store;
    std::unique_ptr<Core::StoreWriter> writer;
    Core::ManualClock clock;
    QString folder;
    std::unique_ptr<FolderWatcher> watcher;
    QList<FolderWatcher::Outcome> outcomes;

    Env()
    {
        writer = std::move(*Core::StoreWriter::start(store.path()));
        folder = store.dir() + QStringLiteral("/drop");
        FolderWatcher::Options options;
        options.folder = folder;
        options.businessId = store.businessId();
        options.rescanIntervalMs = 3'600'000; // the test drives the scans
        options.settleMs = 1000;
        watcher = std::make_unique<FolderWatcher>(*writer, options, clock);
        QObject::connect(watcher.get(), &FolderWatcher::fileProcessed, watcher.get(),
                         [this](const FolderWatcher::Outcome &outcome) { outcomes << outcome; });
    }
    void write(const QString &name, const QByteArray &content, bool append = false)
    {
        QFile file(folder + QLatin1Char('/') + name);
        if (file.open(append ? QIODevice::Append : QIODevice::WriteOnly | QIODevice::Truncate))
            file.write(content);
    }
    // Sees the file, lets it settle, and waits for its import.
    bool settleAndImport()
    {
        const qsizetype before = outcomes.size();
        watcher->scanNow();
        clock.advanceMs(1500);
        watcher->scanNow();
        return QTest::qWaitFor([&] { return outcomes.size() > before; }, 20'000);
    }
    bool exists(const QString &relative) const
    {
        return QFile::exists(folder + QLatin1Char('/') + relative);
    }
};

} // namespace

void tst_FolderWatcher::goodFileIsImportedAndProcessed()
{
    Env env;
    LD_VERIFY_OK(env.watcher->start());
    QVERIFY(env.exists(QStringLiteral("processed")) && env.exists(QStringLiteral("failed")));
    env.write(QStringLiteral("leads.csv"), kGood);
    QVERIFY(env.settleAndImport());
    const FolderWatcher::Outcome &outcome = env.outcomes.constLast();
    QVERIFY2(outcome.succeeded, qPrintable(outcome.error));
    QCOMPARE(outcome.summary.imported, 2);
    QVERIFY(!env.exists(QStringLiteral("leads.csv")));
    QVERIFY(env.exists(QStringLiteral("processed/leads.csv")));
    QCOMPARE(outcome.movedTo, env.folder + QStringLiteral("/processed/leads.csv"));
    QVERIFY(QDir(env.folder + QStringLiteral("/failed"))
                .isEmpty(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot));
    QCOMPARE(Test::countRows(env.store.db(), QStringLiteral("leads")), 2);
}

void tst_FolderWatcher::badRowsGoToFailedWithTheirRecords()
{
    Env env;
    LD_VERIFY_OK(env.watcher->start());
    env.write(QStringLiteral("mixed.csv"), kMixed);
    QVERIFY(env.settleAndImport());
    const FolderWatcher::Outcome &outcome = env.outcomes.constLast();
    QVERIFY(!outcome.succeeded);
    QCOMPARE(outcome.summary.imported, 1);
    QCOMPARE(outcome.summary.failed, 1);
    QVERIFY(env.exists(QStringLiteral("failed/mixed.csv")));
    QVERIFY(!env.exists(QStringLiteral("processed/mixed.csv")));
    QFile failedRecords(env.folder + QStringLiteral("/failed/mixed.failed.csv"));
    QVERIFY(failedRecords.open(QIODevice::ReadOnly));
    const QByteArray records = failedRecords.readAll();
    QVERIFY2(records.contains("not-an-email") && records.contains("error_message"),
             records.constData());
    QVERIFY(!records.contains("ana@example.com"));
    // No leftover part file.
    QCOMPARE(QDir(env.folder + QStringLiteral("/failed"))
                 .entryList(QDir::Files | QDir::Hidden | QDir::NoDotAndDotDot)
                 .size(),
             2);
    QCOMPARE(Test::countRows(env.store.db(), QStringLiteral("leads")), 1);
}

void tst_FolderWatcher::halfWrittenFileWaitsUntilStable()
{
    Env env;
    LD_VERIFY_OK(env.watcher->start());
    const qsizetype half = kGood.indexOf("Ben");
    env.write(QStringLiteral("growing.csv"), kGood.left(half));
    env.watcher->scanNow(); // first seen
    env.clock.advanceMs(600);
    env.watcher->scanNow(); // unchanged, but not for long enough
    QVERIFY(!env.watcher->isBusy());
    env.write(QStringLiteral("growing.csv"), kGood.mid(half), true);
    env.clock.advanceMs(600); // 1.2 s since first seen, but it grew: the clock restarts
    env.watcher->scanNow();
    QVERIFY(!env.watcher->isBusy());
    QTest::qWait(50);
    QVERIFY(env.outcomes.isEmpty());
    QVERIFY(env.exists(QStringLiteral("growing.csv")));
    env.clock.advanceMs(1000);
    env.watcher->scanNow();
    QVERIFY(QTest::qWaitFor([&] { return !env.outcomes.isEmpty(); }, 20'000));
    QVERIFY2(env.outcomes.constFirst().succeeded, qPrintable(env.outcomes.constFirst().error));
    QCOMPARE(env.outcomes.constFirst().summary.imported, 2); // the whole file, not half
    QVERIFY(env.exists(QStringLiteral("processed/growing.csv")));
}

void tst_FolderWatcher::garbageGoesToFailedWithErrorText()
{
    Env env;
    LD_VERIFY_OK(env.watcher->start());
    env.write(QStringLiteral("photo.csv"), QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
    QVERIFY(env.settleAndImport());
    const FolderWatcher::Outcome &outcome = env.outcomes.constLast();
    QVERIFY(!outcome.succeeded);
    QVERIFY(!outcome.error.isEmpty());
    QVERIFY(env.exists(QStringLiteral("failed/photo.csv")));
    QFile errorText(env.folder + QStringLiteral("/failed/photo.error.txt"));
    QVERIFY(errorText.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(errorText.readAll()).trimmed(), outcome.error);
    QVERIFY(!env.exists(QStringLiteral("failed/photo.failed.csv")));
    QCOMPARE(Test::countRows(env.store.db(), QStringLiteral("leads")), 0);
}

void tst_FolderWatcher::nameClashGetsATimestamp()
{
    Env env;
    LD_VERIFY_OK(env.watcher->start());
    env.write(QStringLiteral("leads.csv"), kGood);
    QVERIFY(env.settleAndImport());
    env.write(QStringLiteral("leads.csv"), kGood);
    QVERIFY(env.settleAndImport());
    QVERIFY2(env.outcomes.constLast().succeeded, qPrintable(env.outcomes.constLast().error));
    QCOMPARE(env.outcomes.constLast().summary.duplicates, 2); // idempotent re-import
    const QStringList processed
        = QDir(env.folder + QStringLiteral("/processed")).entryList(QDir::Files);
    QCOMPARE(processed.size(), 2);
    QVERIFY(processed.contains(QStringLiteral("leads.csv")));
    QVERIFY(env.outcomes.constLast().movedTo.contains(QStringLiteral("/processed/leads-")));
    QCOMPARE(Test::countRows(env.store.db(), QStringLiteral("leads")), 2);
}

void tst_FolderWatcher::unknownVendorIsRefused()
{
    Test::TempStore store;
    auto writer = Core::StoreWriter::start(store.path());
    LD_VERIFY_OK(writer);
    FolderWatcher::Options options;
    options.folder = store.dir() + QStringLiteral("/drop");
    options.businessId = store.businessId();
    options.vendor = QStringLiteral("acme");
    FolderWatcher watcher(**writer, options);
    const auto started = watcher.start();
    QVERIFY(!started);
    QCOMPARE(started.error().field, QStringLiteral("vendor"));
}

QTEST_GUILESS_MAIN(tst_FolderWatcher)
#include "tst_folderwatcher.moc"
