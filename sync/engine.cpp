#include "engine.h"

#include "chatbotservice.h"

#include "clock.h"

#include <QDir>
#include <QFutureWatcher>
#include <QMetaObject>
#include <QPromise>
#include <QStandardPaths>
#include <QTimer>
#include <QtConcurrent/QtConcurrentRun>

namespace LeadDesk::Sync {

namespace {
constexpr int kDayMs = 24 * 60 * 60 * 1000;
}

Engine::Engine(QObject *parent)
    : QObject(parent)
    , m_decayTimer(new QTimer(this))
{
    m_decayTimer->setSingleShot(true);
    connect(m_decayTimer, &QTimer::timeout, this, [this] {
        rescore();
        scheduleDecayRescore(kDayMs);
    });
}

Engine::~Engine()
{
    // A rescore stops at its next page rather than running to the end while the writer drains.
    ++*m_rescoreGeneration;
    m_slaMonitor.reset();
    // Readers first: the writer's final checkpoint should not wait on open read transactions.
    m_reader.reset();
    m_writer.reset();
    m_checkpoint.waitForFinished();
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
    loadScoringRules();
    m_slaMonitor = std::make_unique<SlaMonitor>(*m_writer, m_business.id);
    connect(m_slaMonitor.get(), &SlaMonitor::breachesRecorded, this, &Engine::slaBreachesRecorded);
    m_slaMonitor->start();
    return {};
}

void Engine::loadScoringRules()
{
    const QString businessId = m_business.id;
    auto rules = m_reader
                     ->submitValue<Core::ScoringRules>([businessId](Core::Database &db) {
                         return Core::ScoringRules::forBusiness(db, businessId);
                     })
                     .result();
    if (!rules) {
        // A stored document this build cannot read must not keep the app from starting.
        qCWarning(lcStore) << "using the shipped scoring rules:" << rules.error().toString();
        rules = Core::ScoringRules::loadDefault();
    }
    m_scoringRules = rules ? std::make_shared<const Core::ScoringRules>(std::move(*rules))
                           : std::make_shared<const Core::ScoringRules>();
    scheduleDecayRescore(60 * 1000);
}

void Engine::scheduleDecayRescore(int firstInMs)
{
    if (m_scoringRules->hasDecay())
        m_decayTimer->start(firstInMs);
    else
        m_decayTimer->stop();
}

void Engine::notifyLeadsChanged()
{
    // May be called from a store thread: always deliver on the engine's thread.
    QMetaObject::invokeMethod(this, &Engine::leadsChanged, Qt::QueuedConnection);
}

QFuture<Core::Result<void>> Engine::saveScoringRules(const QByteArray &document)
{
    // Checked here first, so a mistake is reported at once and never reaches the store.
    auto parsed = Core::ScoringRules::parse(document);
    if (!parsed) {
        QPromise<Core::Result<void>> refused;
        refused.start();
        refused.addResult(Core::Result<void>(std::unexpected(parsed.error())));
        refused.finish();
        return refused.future();
    }
    auto rules = std::make_shared<const Core::ScoringRules>(std::move(*parsed));
    const QString businessId = m_business.id;
    const QFuture<Core::Result<void>> stored
        = m_writer->submit([businessId, document](Core::Database &db) -> Core::Result<void> {
              auto saved = Core::ScoringRules::saveForBusiness(db, businessId, document,
                                                               Core::Clock::system().nowMs());
              if (!saved)
                  return std::unexpected(saved.error());
              return {};
          });
    auto *watcher = new QFutureWatcher<Core::Result<void>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, rules] {
        watcher->deleteLater();
        if (!watcher->future().result())
            return;
        m_scoringRules = rules;
        Q_EMIT scoringRulesChanged();
        rescore();
        // Chatbot leads follow the rules' behaviour model, between the rescore's pages.
        (void)m_writer->submit(
            [businessId = m_business.id, rules](Core::Database &db) -> Core::Result<void> {
                auto changed = Core::ChatbotService::rescoreLeads(db, businessId, rules);
                if (!changed)
                    return std::unexpected(changed.error());
                return {};
            });
        scheduleDecayRescore(kDayMs);
    });
    watcher->setFuture(stored);
    return stored;
}

void Engine::rescore()
{
    const quint64 generation = ++*m_rescoreGeneration;
    Core::LeadRescorer::Options options;
    options.nowMs = Core::Clock::system().nowMs();
    auto rescorer = std::make_shared<Core::LeadRescorer>(m_business.id, m_scoringRules, options);
    m_rescoring = true;
    Q_EMIT rescoreStarted();
    // Runs on the writer thread after each page: a newer rescore (or closing) stops this one.
    const auto current = m_rescoreGeneration;
    auto onPage = [this, current, generation](const Core::LeadRescorer::Progress &progress) {
        if (current->load() != generation)
            return false;
        QMetaObject::invokeMethod(
            this,
            [this, current, generation, done = progress.done, total = progress.total] {
                if (current->load() == generation)
                    Q_EMIT rescoreProgress(done, total);
            },
            Qt::QueuedConnection);
        return true;
    };
    auto *watcher = new QFutureWatcher<Core::Result<Core::LeadRescorer::Progress>>(this);
    connect(watcher, &QFutureWatcherBase::finished, this, [this, watcher, generation] {
        watcher->deleteLater();
        if (m_rescoreGeneration->load() != generation)
            return; // superseded: the newer rescore reports
        m_rescoring = false;
        const auto outcome = watcher->future().result();
        if (!outcome) {
            Q_EMIT rescoreFinished(0, 0, outcome.error().message);
            return;
        }
        // The pages written meanwhile wait in the write-ahead log: copy them into the store off
        // the writer thread, which goes on taking leads.
        if (outcome->changed > 0 && m_checkpoint.isFinished()) {
            m_checkpoint = QtConcurrent::run([path = storePath(m_dataDir)] {
                if (auto ok = Core::LeadRescorer::checkpoint(path); !ok)
                    qCWarning(lcStore) << ok.error().message;
            });
        }
        Q_EMIT rescoreFinished(outcome->done, outcome->changed, QString());
        notifyLeadsChanged();
    });
    watcher->setFuture(Core::LeadRescorer::runOnWriter(*m_writer, rescorer, onPage));
}

} // namespace LeadDesk::Sync
