#pragma once

#include "clock.h"
#include "databasethread.h"
#include "result.h"
#include "vendorimporter.h"

#include <QFileSystemWatcher>
#include <QFutureWatcher>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace LeadDesk::Core {
struct Source;
}

namespace LeadDesk::Sync {

// A business's drop folder: every *.csv placed there is imported with the vendor importer once
// it has stopped growing, then moved to processed/ (imported cleanly) or failed/ (the import
// failed, or some records did; leads.csv goes with leads.failed.csv holding the failed records, or
// leads.error.txt when the file could not be read at all). Re-importing a moved file is
// harmless: the importer's record ids make it idempotent.
//
// Lives on a thread with an event loop; imports run one at a time on the global thread pool
// (VendorImporter blocks while the store writer commits), so the owner's thread stays free.
class FolderWatcher final : public QObject
{
    Q_OBJECT

public:
    struct Options
    {
        QString folder;
        QString businessId;
        QString vendor = QStringLiteral("generic"); // experian | transunion | leadsource | generic
        QString defaultRegion = QStringLiteral("US");
        // Watchers miss events (network shares, renames), so the folder is also rescanned.
        int rescanIntervalMs = 2000;
        // A file is taken once its size and modification time have not changed for this long.
        qint64 settleMs = 2000;
    };

    // What happened to one dropped file.
    struct Outcome
    {
        QString fileName; // as dropped
        QString movedTo;  // full path under processed/ or failed/ (empty if it could not move)
        bool succeeded = false;
        QString error; // the reason it failed as a whole (also in <base>.error.txt)
        Core::VendorImporter::Summary summary;
    };

    // Options for a `csv` source: settings "folder" (required) and "vendor" (default generic).
    [[nodiscard]] static Core::Result<Options> optionsFor(const Core::Source &source,
                                                          const QString &defaultRegion);

    FolderWatcher(Core::StoreWriter &writer, Options options,
                  Core::Clock &clock = Core::Clock::system(), QObject *parent = nullptr);
    ~FolderWatcher() override;

    // Creates the folder, processed/ and failed/, checks the vendor, starts watching and scans
    // once.
    Core::Result<void> start();
    // Stops watching; an import under way finishes first.
    void stop();

    // Looks at the folder now: notes new or growing files and starts importing the next settled
    // one (tests call it with a ManualClock; the timer and the watcher call it otherwise).
    void scanNow();
    [[nodiscard]] bool isBusy() const { return m_busy; }

    // Imports one file and moves it, synchronously (what the pool thread runs).
    [[nodiscard]] static Outcome processFile(Core::StoreWriter &writer, const Options &options,
                                             const QString &fileName, qint64 nowMs);

Q_SIGNALS:
    void fileProcessed(const LeadDesk::Sync::FolderWatcher::Outcome &outcome);

private:
    struct Seen
    {
        qint64 size = -1;
        qint64 modifiedMs = -1;
        qint64 sinceMs = 0; // when it was first seen at this size and time
    };

    void onImportFinished();

    Core::StoreWriter &m_writer;
    Options m_options;
    Core::Clock &m_clock;
    QFileSystemWatcher m_watcher;
    QTimer m_rescan;
    QFutureWatcher<Outcome> m_import;
    QHash<QString, Seen> m_seen;
    QSet<QString> m_stuck; // imported but could not be moved
    bool m_busy = false;
    bool m_running = false;
};

} // namespace LeadDesk::Sync
