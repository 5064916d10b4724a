#include "engine.h"

#include <QDir>
#include <QMetaObject>
#include <QStandardPaths>

namespace LeadDesk::Sync {

Engine::Engine(QObject *parent)
    : QObject(parent)
{}

Engine::~Engine()
{
    // Readers first: the writer's final checkpoint should not wait on open read transactions.
    m_reader.reset();
    m_writer.reset();
}

QString Engine::defaultDataDir()
{
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString Engine::storePath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("leaddesk.sqlite"));
}

Core::Result<void> Engine::open(const QString &dataDir)
{
    if (!QDir().mkpath(dataDir))
        return Core::fail(QStringLiteral("cannot create the data folder %1").arg(dataDir));
    m_dataDir = dataDir;
    auto writer = Core::StoreWriter::start(storePath(dataDir));
    if (!writer)
        return std::unexpected(writer.error());
    m_writer = std::move(*writer);
    auto business = m_writer
                        ->submitValue<Core::Business>([](Core::Database &db) {
                            return Core::BusinessRepository(db).ensurePrimary();
                        })
                        .result();
    if (!business)
        return std::unexpected(business.error());
    m_business = *business;
    auto reader = Core::StoreReader::start(storePath(dataDir));
    if (!reader)
        return std::unexpected(reader.error());
    m_reader = std::move(*reader);
    return {};
}

void Engine::notifyLeadsChanged()
{
    // May be called from a store thread: always deliver on the engine's thread.
    QMetaObject::invokeMethod(this, &Engine::leadsChanged, Qt::QueuedConnection);
}

} // namespace LeadDesk::Sync
