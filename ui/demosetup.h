#pragma once

#include "result.h"

#include <QObject>

class QWidget;

namespace LeadDesk::Sync {
class Engine;
}

namespace LeadDesk::Ui {

// `leaddesk --demo` on an empty store: generates a reproducible demo business on the store's
// writer thread while a progress dialog shows how far it got.
class DemoSetup final : public QObject
{
    Q_OBJECT
public:
    static constexpr qint64 kDefaultLeads = 5000;
    static constexpr quint64 kSeed = 20251003;

    explicit DemoSetup(Sync::Engine &engine, QObject *parent = nullptr);
    ~DemoSetup() override;
    Q_DISABLE_COPY_MOVE(DemoSetup)

    // Generates `leads` demo leads and returns when they are committed. The event loop runs
    // meanwhile, so windows repaint; the progress dialog is modal over `dialogParent`.
    Core::Result<void> run(QWidget *dialogParent = nullptr, qint64 leads = kDefaultLeads);

    [[nodiscard]] qint64 lastProgress() const { return m_done; }

Q_SIGNALS:
    void progressChanged(qint64 done, qint64 total);

private:
    Sync::Engine &m_engine;
    qint64 m_done = 0;
};

} // namespace LeadDesk::Ui
