#include "leadrescorerreadahead.h"

#include "leadrescorerpage.h"

#include <sqlite3.h>

namespace LeadDesk::Core {

LeadRescorer::ReadAhead::ReadAhead(const LeadRescorer &owner, QByteArray path)
    : m_owner(owner)
    , m_path(std::move(path))
    , m_thread([this] { run(); })
{}

LeadRescorer::ReadAhead::~ReadAhead()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

void LeadRescorer::ReadAhead::request(qint64 afterRowId)
{
    {
        std::lock_guard lock(m_mutex);
        m_request = afterRowId;
        m_page.reset();
        m_readyAfter = -1;
    }
    m_wake.notify_all();
}

std::unique_ptr<LeadRescorer::Page> LeadRescorer::ReadAhead::take(qint64 afterRowId)
{
    std::unique_lock lock(m_mutex);
    m_wake.wait(lock, [this, afterRowId] {
        return m_readyAfter == afterRowId || m_stopping
               || (!m_request && !m_reading && m_readyAfter != afterRowId);
    });
    if (m_readyAfter != afterRowId)
        return nullptr;
    m_readyAfter = -1;
    return std::move(m_page);
}

void LeadRescorer::ReadAhead::run()
{
    sqlite3 *db = nullptr;
    // Used by this thread alone: no mutex on every call.
    bool open = sqlite3_open_v2(m_path.constData(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
                                nullptr)
                == SQLITE_OK;
    if (open) {
        sqlite3_busy_timeout(db, 5000);
        // The leads are read once, in order: the trees' upper pages are what a cache keeps
        // worth having. Every page of cache filled is memory the OS hands over on its first
        // use, which a 64 MiB cache paid again with each rescore.
        open
            = sqlite3_exec(db, "PRAGMA cache_size = -8192", nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    for (;;) {
        qint64 after = 0;
        {
            std::unique_lock lock(m_mutex);
            m_wake.wait(lock, [this] { return m_stopping || m_request; });
            if (m_stopping)
                break;
            after = *m_request;
            m_request.reset();
            m_reading = true;
        }
        auto page = std::make_unique<Page>();
        // One read transaction for the page: one snapshot of the store.
        bool read = open && sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr) == SQLITE_OK;
        if (read) {
            read = m_owner.readAndScore(db, after, *page).has_value();
            (void)sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
        }
        {
            std::lock_guard lock(m_mutex);
            m_reading = false;
            if (!m_request) { // not overtaken by a newer request meanwhile
                m_readyAfter = after;
                m_page = read ? std::move(page) : nullptr;
            }
        }
        m_wake.notify_all();
    }
    sqlite3_close(db);
}

} // namespace LeadDesk::Core
