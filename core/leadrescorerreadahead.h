#pragma once

#include "leadrescorer.h"

#include <QByteArray>

#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace LeadDesk::Core {

// A second, read-only connection on a thread of its own that reads and scores the page after
// the one being written. One page at a time: request() it, take() it.
class LeadRescorer::ReadAhead final
{
public:
    ReadAhead(const LeadRescorer &owner, QByteArray path);
    ~ReadAhead();
    Q_DISABLE_COPY_MOVE(ReadAhead)

    void request(qint64 afterRowId);
    // The page requested after `afterRowId` once it is read; null when it could not be.
    std::unique_ptr<Page> take(qint64 afterRowId);

private:
    void run();

    const LeadRescorer &m_owner;
    QByteArray m_path;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_reading = false;
    std::optional<qint64> m_request;
    qint64 m_readyAfter = -1;
    std::unique_ptr<Page> m_page;
    std::thread m_thread; // last: starts once the rest is ready
};

} // namespace LeadDesk::Core
