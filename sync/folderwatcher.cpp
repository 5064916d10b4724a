#include "folderwatcher.h"

#include "sourcerepository.h"
#include "vendorprofile.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QtConcurrent/QtConcurrentRun>

Q_LOGGING_CATEGORY(lcFolder, "leaddesk.folder")

namespace LeadDesk::Sync {

namespace {

const QString kProcessed = QStringLiteral("processed");
const QString kFailed = QStringLiteral("failed");

// `dir/name`, or `dir/<base>-<UTC timestamp>[-n].<ext>` when that name is taken.
QString freeName(const QDir &dir, const QString &name, qint64 nowMs)
{
    if (!QFileInfo::exists(dir.filePath(name)))
        return dir.filePath(name);
    const QFileInfo info(name);
    const QString stamp = QDateTime::fromMSecsSinceEpoch(nowMs, Qt::UTC)
                              .toString(QStringLiteral("yyyyMMdd'T'HHmmsszzz'Z'"));
    const QString suffix = info.suffix().isEmpty() ? QString() : QLatin1Char('.') + info.suffix();
    for (int n = 0;; ++n) {
        const QString candidate = info.completeBaseName() + QLatin1Char('-') + stamp
                                  + (n == 0 ? QString() : QLatin1Char('-') + QString::number(n))
                                  + suffix;
        if (!QFileInfo::exists(dir.filePath(candidate)))
            return dir.filePath(candidate);
    }
}

} // namespace

Core::Result<FolderWatcher::Options> FolderWatcher::optionsFor(const Core::Source &source,
                                                               const QString &defaultRegion)
{
    Options options;
    options.businessId = source.businessId;
    options.folder = source.settings.value(QStringLiteral("folder")).toString();
    if (options.folder.isEmpty())
        return Core::fail(
            QStringLiteral("csv source '%1' has no \"folder\" setting").arg(source.name),
            QStringLiteral("folder"));
    const QString vendor = source.settings.value(QStringLiteral("vendor")).toString().toLower();
    if (!vendor.isEmpty())
        options.vendor = vendor;
    options.defaultRegion = defaultRegion;
    return options;
}

FolderWatcher::FolderWatcher(Core::StoreWriter &writer, Options options, Core::Clock &clock,
                             QObject *parent)
    : QObject(parent)
    , m_writer(writer)
    , m_options(std::move(options))
    , m_clock(clock)
{
    m_rescan.setInterval(m_options.rescanIntervalMs);
    connect(&m_rescan, &QTimer::timeout, this, &FolderWatcher::scanNow);
    connect(&m_watcher, &QFileSystemWatcher::directoryChanged, this, &FolderWatcher::scanNow);
    connect(&m_import, &QFutureWatcher<Outcome>::finished, this, &FolderWatcher::onImportFinished);
}

FolderWatcher::~FolderWatcher()
{
    stop();
    m_import.waitForFinished();
}

Core::Result<void> FolderWatcher::start()
{
    if (!Core::VendorProfile::sourceNames().contains(m_options.vendor))
        return Core::fail(QStringLiteral("unknown vendor '%1' (use %2)")
                              .arg(m_options.vendor,
                                   Core::VendorProfile::sourceNames().join(QStringLiteral(", "))),
                          QStringLiteral("vendor"));
    QDir dir(m_options.folder);
    if (!dir.mkpath(kProcessed) || !dir.mkpath(kFailed))
        return Core::fail(
            QStringLiteral("cannot create %1 with processed/ and failed/").arg(m_options.folder),
            QStringLiteral("folder"));
    if (!m_watcher.directories().contains(dir.absolutePath()))
        m_watcher.addPath(dir.absolutePath());
    m_running = true;
    m_rescan.start();
    scanNow();
    return {};
}

void FolderWatcher::stop()
{
    m_running = false;
    m_rescan.stop();
    if (!m_watcher.directories().isEmpty())
        m_watcher.removePaths(m_watcher.directories());
}

void FolderWatcher::scanNow()
{
    const QDir dir(m_options.folder);
    const qint64 now = m_clock.nowMs();
    const QFileInfoList files
        = dir.entryInfoList({QStringLiteral("*.csv"), QStringLiteral("*.CSV")},
                            QDir::Files | QDir::NoDotAndDotDot, QDir::Time | QDir::Reversed);
    QHash<QString, Seen> seen;
    QString ready;
    for (const QFileInfo &info : files) {
        const QString name = info.fileName();
        const qint64 modified = info.lastModified().toMSecsSinceEpoch();
        Seen entry = m_seen.value(name);
        if (m_stuck.contains(name))
            continue;
        if (entry.size != info.size() || entry.modifiedMs != modified)
            entry = Seen{info.size(), modified, now};
        seen.insert(name, entry);
        // The oldest settled file first.
        if (ready.isEmpty() && now - entry.sinceMs >= m_options.settleMs)
            ready = name;
    }
    m_seen = std::move(seen);
    if (m_busy || ready.isEmpty())
        return;
    m_busy = true;
    m_seen.remove(ready);
    qCInfo(lcFolder) << "importing" << ready << "from" << m_options.folder;
    m_import.setFuture(QtConcurrent::run([writer = &m_writer, options = m_options, ready, now] {
        return processFile(*writer, options, ready, now);
    }));
}

void FolderWatcher::onImportFinished()
{
    m_busy = false;
    const Outcome outcome = m_import.result();
    if (outcome.movedTo.isEmpty())
        m_stuck.insert(outcome.fileName); // never import it again in this run
    if (outcome.succeeded)
        qCInfo(lcFolder) << "imported" << outcome.fileName << "records" << outcome.summary.read;
    else if (!outcome.error.isEmpty())
        qCWarning(lcFolder) << "import of" << outcome.fileName << "failed:" << outcome.error;
    else
        qCWarning(lcFolder) << "import of" << outcome.fileName << "had" << outcome.summary.failed
                            << "failed records; moved to" << outcome.movedTo;
    Q_EMIT fileProcessed(outcome);
    // The next file may already have settled.
    if (m_running)
        scanNow();
}

FolderWatcher::Outcome FolderWatcher::processFile(Core::StoreWriter &writer, const Options &options,
                                                  const QString &fileName, qint64 nowMs)
{
    Outcome outcome;
    outcome.fileName = fileName;
    const QDir dir(options.folder);
    QDir processed(dir.filePath(kProcessed));
    QDir failed(dir.filePath(kFailed));
    dir.mkpath(kProcessed);
    dir.mkpath(kFailed);
    const QString source = dir.filePath(fileName);
    // Written beside the final place, renamed once the file's own name there is known.
    const QString failedPart
        = failed.filePath(QStringLiteral(".") + fileName + QStringLiteral(".failed.csv.part"));

    Core::VendorImporter::Options importOptions;
    importOptions.source = options.vendor;
    importOptions.filePath = source;
    importOptions.failedOutPath = failedPart;
    importOptions.defaultRegion = options.defaultRegion;
    auto summary = Core::VendorImporter::run(writer, options.businessId, importOptions);
    if (summary)
        outcome.summary = *summary;
    else
        outcome.error = summary.error().toString();
    outcome.succeeded = summary && summary->failed == 0;

    const QString destination = freeName(outcome.succeeded ? processed : failed, fileName, nowMs);
    if (!QFile::rename(source, destination)) {
        // Keep it out of the next scan's way anyway: without a move it would loop forever.
        outcome.error
            = QStringLiteral("imported but could not move %1 to %2").arg(fileName, destination);
        outcome.succeeded = false;
        QFile::remove(failedPart);
        return outcome;
    }
    outcome.movedTo = destination;
    // failed/leads.csv goes with failed/leads.failed.csv or failed/leads.error.txt.
    const QFileInfo moved(destination);
    const QString companion = moved.dir().filePath(moved.completeBaseName());
    if (summary && summary->failed > 0)
        QFile::rename(failedPart, companion + QStringLiteral(".failed.csv"));
    else
        QFile::remove(failedPart);
    if (!summary) {
        QFile errorFile(companion + QStringLiteral(".error.txt"));
        if (errorFile.open(QIODevice::WriteOnly | QIODevice::Truncate))
            errorFile.write(outcome.error.toUtf8() + '\n');
    }
    return outcome;
}

} // namespace LeadDesk::Sync
