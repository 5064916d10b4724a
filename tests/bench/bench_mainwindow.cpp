// Main-window benchmark (issue: foundation): opening LeadDesk's window on a store of N leads
// (default 1,000,000 demo leads). Budgets: first rows shown in under 1 s, peak memory under
// 300 MB. The store is generated once, in a child process, so this process's peak memory is the
// window's alone. Also times a re-sort by name and scrolling 50 pages deep.
//
//   bench_mainwindow [--leads N] [--data-dir DIR]
#include "databasethread.h"
#include "demodatagenerator.h"
#include "engine.h"
#include "leadrepository.h"
#include "leadtablemodel.h"
#include "mainwindow.h"
#include "user.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QProcess>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

#include <cstdio>

using namespace LeadDesk;

namespace {

double peakRssMb()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0;
}

int generate(const QString &dir, qint64 leads)
{
    Sync::Engine engine;
    if (auto ok = engine.open(dir); !ok) {
        std::fprintf(stderr, "%s\n", qPrintable(ok.error().message));
        return 1;
    }
    const QString business = engine.business().id;
    auto done = engine.writer().submitStandalone([&](Core::Database &db) {
        Core::DemoDataGenerator::Options options;
        options.leads = leads;
        options.seed = 1;
        return Core::DemoDataGenerator(db, options).generate(business, [](qint64 n, qint64 total) {
            std::fprintf(stderr, "\rgenerating demo store: %lld / %lld", (long long)n,
                         (long long)total);
        });
    });
    auto result = done.result();
    std::fprintf(stderr, "\n");
    if (!result) {
        std::fprintf(stderr, "%s\n", qPrintable(result.error().message));
        return 1;
    }
    return 0;
}

qint64 leadCount(const QString &dir)
{
    Sync::Engine engine;
    if (!engine.open(dir))
        return -1;
    const QString business = engine.business().id;
    auto counts = engine.reader()
                      .submitValue<Core::LeadCounts>([business](Core::Database &db) {
                          return Core::LeadRepository(db).counts(business);
                      })
                      .result();
    return counts ? counts->total : -1;
}

} // namespace

int main(int argc, char *argv[])
{
    if (argc == 4 && qstrcmp(argv[1], "--generate") == 0) {
        QCoreApplication app(argc, argv);
        return generate(QString::fromLocal8Bit(argv[2]), QByteArray(argv[3]).toLongLong());
    }
    qputenv("QT_QPA_PLATFORM",
            qgetenv("QT_QPA_PLATFORM").isEmpty() ? "offscreen" : qgetenv("QT_QPA_PLATFORM"));
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("leads"), QStringLiteral("Leads in the store."),
                      QStringLiteral("n"), QStringLiteral("1000000")});
    parser.addOption({QStringLiteral("data-dir"),
                      QStringLiteral("Store folder (kept between runs)."), QStringLiteral("dir")});
    parser.process(app);
    const qint64 leads = parser.value(QStringLiteral("leads")).toLongLong();
    QTemporaryDir temp;
    const QString dir = parser.isSet(QStringLiteral("data-dir"))
                            ? parser.value(QStringLiteral("data-dir"))
                            : temp.path();

    if (leadCount(dir) != leads) {
        if (leadCount(dir) > 0) {
            std::fprintf(stderr, "%s holds another data set; use an empty --data-dir\n",
                         qPrintable(dir));
            return 2;
        }
        QElapsedTimer generation;
        generation.start();
        if (QProcess::execute(QCoreApplication::applicationFilePath(),
                              {QStringLiteral("--generate"), dir, QString::number(leads)})
            != 0)
            return 1;
        std::fprintf(stderr, "generated %lld leads in %.1f s\n", (long long)leads,
                     generation.elapsed() / 1000.0);
    }
    const double rssBefore = peakRssMb();

    QElapsedTimer timer;
    timer.start();
    Sync::Engine engine;
    if (auto ok = engine.open(dir); !ok)
        qFatal("%s", qPrintable(ok.error().message));
    Core::User user;
    user.username = QStringLiteral("bench");
    user.displayName = QStringLiteral("Benchmark");
    user.role = Core::Role::Owner;
    user.businessId = engine.business().id;
    Ui::MainWindow window(engine, user);
    QSignalSpy firstPage(window.leadModel(), &Ui::LeadTableModel::firstPageLoaded);
    window.show();
    if (!firstPage.wait(10000))
        qFatal("the first page never arrived");
    const double firstRowsMs = timer.nsecsElapsed() / 1e6;
    const int rows = window.leadModel()->rowCount();

    // Counts in the status bar (aggregate over the whole store, on the reader thread).
    QSignalSpy counts(&window, &Ui::MainWindow::countsUpdated);
    if (counts.isEmpty())
        counts.wait(10000);
    const double countsMs = timer.nsecsElapsed() / 1e6;

    timer.restart();
    QSignalSpy resorted(window.leadModel(), &Ui::LeadTableModel::firstPageLoaded);
    window.leadModel()->sort(Ui::LeadTableModel::Name, Qt::AscendingOrder);
    resorted.wait(10000);
    const double sortMs = timer.nsecsElapsed() / 1e6;

    timer.restart();
    for (int page = 0; page < 50; ++page) {
        const int before = window.leadModel()->rowCount();
        window.leadModel()->fetchMore({});
        if (!QTest::qWaitFor([&] { return window.leadModel()->rowCount() > before; }, 10000))
            qFatal("page %d never arrived", page);
    }
    const double scrollMs = timer.nsecsElapsed() / 1e6;
    const double peak = peakRssMb();

    std::printf("| leads | first rows shown (budget < 1000 ms) | status-bar counts | re-sort by "
                "name | 50 more pages | peak memory (budget < 300 MB) |\n");
    std::printf("|---:|---:|---:|---:|---:|---:|\n");
    std::printf("| %lld | %.0f ms (%d rows) | %.0f ms | %.0f ms | %.0f ms | %.0f MB (%.0f MB "
                "before the window) |\n",
                (long long)leads, firstRowsMs, rows, countsMs, sortMs, scrollMs, peak, rssBefore);
    return firstRowsMs < 1000 && peak < 300 ? 0 : 1;
}
