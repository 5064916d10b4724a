#pragma once

#include "businessrepository.h"
#include "databasethread.h"
#include "result.h"

#include <QObject>

#include <memory>

namespace LeadDesk::Sync {

// The engine the desktop app and `leaddeskctl serve` run: the store's writer and reader threads
// over one data folder. The UI reaches the store only through this object's threads and signals.
class Engine final : public QObject
{
    Q_OBJECT
public:
    explicit Engine(QObject *parent = nullptr);
    ~Engine() override;
    Q_DISABLE_COPY_MOVE(Engine)

    // The platform's app-data folder (~/.local/share/LeadDesk/LeadDesk on Linux).
    [[nodiscard]] static QString defaultDataDir();
    [[nodiscard]] static QString storePath(const QString &dataDir);

    // Creates the folder if needed, opens (and migrates) the store, starts the threads and makes
    // sure the store has a business.
    Core::Result<void> open(const QString &dataDir);

    [[nodiscard]] const QString &dataDir() const { return m_dataDir; }
    [[nodiscard]] const Core::Business &business() const { return m_business; }
    [[nodiscard]] Core::StoreWriter &writer() { return *m_writer; }
    [[nodiscard]] Core::StoreReader &reader() { return *m_reader; }

    // Tells views the store's leads changed (after an import, demo generation, an edit).
    void notifyLeadsChanged();

Q_SIGNALS:
    void leadsChanged();

private:
    QString m_dataDir;
    Core::Business m_business;
    std::unique_ptr<Core::StoreWriter> m_writer;
    std::unique_ptr<Core::StoreReader> m_reader;
};

} // namespace LeadDesk::Sync
