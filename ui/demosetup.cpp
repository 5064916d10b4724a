#include "demosetup.h"

#include "demodatagenerator.h"
#include "engine.h"
#include "formatting.h"

#include <QEventLoop>
#include <QFutureWatcher>
#include <QMetaObject>
#include <QProgressDialog>

namespace LeadDesk::Ui {

DemoSetup::DemoSetup(Sync::Engine &engine, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
{}

DemoSetup::~DemoSetup() = default;

Core::Result<void> DemoSetup::run(QWidget *dialogParent, qint64 leads)
{
    // A busy indicator until the generator reports its first progress.
    QProgressDialog dialog(tr("Generating demo data…"), QString(), 0, 0, dialogParent);
    dialog.setWindowTitle(tr("LeadDesk Demo"));
    dialog.setWindowModality(Qt::ApplicationModal);
    dialog.setMinimumDuration(0);
    dialog.setAutoClose(false);
    dialog.setAutoReset(false);
    dialog.setMinimumWidth(360);
    dialog.setValue(0);
    connect(this, &DemoSetup::progressChanged, &dialog, [&dialog](qint64 done, qint64 total) {
        dialog.setMaximum(static_cast<int>(total));
        dialog.setValue(static_cast<int>(done));
        dialog.setLabelText(tr("Generating demo data: %1 of %2 leads…")
                                .arg(Formatting::count(done), Formatting::count(total)));
    });

    Core::DemoDataGenerator::Options options;
    options.leads = leads;
    options.seed = kSeed;
    const QString businessId = m_engine.business().id;
    // run() does not return before the job has finished, so `this` outlives every progress call;
    // calls still queued when it is destroyed are dropped with it.
    auto progress = [this](qint64 done, qint64 total) {
        QMetaObject::invokeMethod(
            this,
            [this, done, total] {
                m_done = done;
                Q_EMIT progressChanged(done, total);
            },
            Qt::QueuedConnection);
    };

    // The generator commits in batches of its own, so it runs on the writer thread outside the
    // writer's group transaction.
    QFuture<Core::Result<void>> future
        = m_engine.writer().submitStandalone([options, businessId, progress](Core::Database &db) {
              return Core::DemoDataGenerator(db, options).generate(businessId, progress);
          });
    QFutureWatcher<Core::Result<void>> watcher;
    QEventLoop loop;
    connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(future);
    if (!future.isFinished())
        loop.exec();
    Core::Result<void> outcome = future.result();
    if (outcome) {
        m_done = leads;
        m_engine.notifyLeadsChanged();
    }
    return outcome;
}

} // namespace LeadDesk::Ui
