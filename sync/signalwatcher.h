#pragma once

#include <QObject>

class QSocketNotifier;

namespace LeadDesk::Sync {

// Turns SIGTERM and SIGINT into a Qt signal on the thread that created the watcher (the self-pipe
// trick: the handler only writes one byte to a pipe; a QSocketNotifier reads it in the event
// loop). One instance per process; the previous handlers come back when it is destroyed.
class SignalWatcher final : public QObject
{
    Q_OBJECT
public:
    explicit SignalWatcher(QObject *parent = nullptr);
    ~SignalWatcher() override;
    Q_DISABLE_COPY_MOVE(SignalWatcher)

    [[nodiscard]] bool isValid() const { return m_notifier != nullptr; }

Q_SIGNALS:
    // The signal number (SIGTERM, SIGINT); emitted once per signal received.
    void terminationRequested(int signalNumber);

private:
    void readPipe();

    QSocketNotifier *m_notifier = nullptr;
};

} // namespace LeadDesk::Sync
