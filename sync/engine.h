#pragma once

#include "businessrepository.h"
#include "databasethread.h"
#include "leadrescorer.h"
#include "result.h"
#include "scoringrules.h"
#include "slamonitor.h"

#include <QFuture>
#include <QJsonObject>
#include <QObject>

class QTimer;

#include <atomic>
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

    // The business's scoring rules (its own, or the shipped default), as open() found them or
    // the last saveScoringRules() stored them.
    [[nodiscard]] std::shared_ptr<const Core::ScoringRules> scoringRules() const
    {
        return m_scoringRules;
    }
    // Checks `document` (a rule document, see ScoringRules) and stores it as the business's
    // rules on the writer thread; once stored, scoringRulesChanged() and a rescore of every lead
    // follow. The future finishes when the document is stored, or with the reason it was not
    // (the JSON path and what is wrong there).
    QFuture<Core::Result<void>> saveScoringRules(const QByteArray &document);
    // Rescores every lead under scoringRules() in the background, page by page on the writer
    // thread, so edits and new leads go on meanwhile. A rescore under way stops at its next page
    // and this one takes over.
    void rescore();
    [[nodiscard]] bool isRescoring() const { return m_rescoring; }

    // The SLA watch of the business, started by open() (null before).
    [[nodiscard]] SlaMonitor *slaMonitor() { return m_slaMonitor.get(); }

Q_SIGNALS:
    void leadsChanged();
    void scoringRulesChanged();
    void rescoreStarted();
    // (leads done, leads in all); the total is an estimate until the end.
    void rescoreProgress(qint64 done, qint64 total);
    // `error` is empty on success.
    void rescoreFinished(qint64 done, qint64 changed, const QString &error);
    // A sweep of the SLA monitor recorded breaches or an escalation (SlaMonitor's JSON).
    void slaBreachesRecorded(const QJsonObject &checkResultJson);

private:
    void loadScoringRules();
    // Decayed scores age: with decay in the rules, every lead is rescored a minute after the
    // store opens and then once a day.
    void scheduleDecayRescore(int firstInMs);

    QString m_dataDir;
    Core::Business m_business;
    std::unique_ptr<Core::StoreWriter> m_writer;
    std::unique_ptr<Core::StoreReader> m_reader;
    std::unique_ptr<SlaMonitor> m_slaMonitor; // before the writer it uses goes
    std::shared_ptr<const Core::ScoringRules> m_scoringRules;
    // Each rescore's number; a page of an older one finds it changed and stops.
    std::shared_ptr<std::atomic<quint64>> m_rescoreGeneration
        = std::make_shared<std::atomic<quint64>>(0);
    bool m_rescoring = false;
    QFuture<void> m_checkpoint;
    QTimer *m_decayTimer = nullptr;
};

} // namespace LeadDesk::Sync
