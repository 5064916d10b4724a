#pragma once

#include "database.h"
#include "result.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

struct sqlite3_stmt;

namespace LeadDesk::Core {

// One row of inbound_journal: a request body as received, and what became of it.
struct JournalEntry
{
    QString id;
    QString businessId;
    QString route; // the receiver route's name ("campaign_form", "whatsapp"...)
    QString method;
    QString url;     // as received (public URL when one is configured)
    QString headers; // JSON object, names lower-cased, credentials redacted
    QByteArray body;
    QString remoteAddr;
    QString dedupeKey;
    QString status = QStringLiteral("pending"); // pending processed duplicate failed rejected
    QString error;
    int attempts = 0;
    qint64 receivedAtMs = 0;
    qint64 processedAtMs = 0;
    int responseStatus = 0;
    QByteArray responseType; // Content-Type of the answer
    QByteArray responseBody;
    QString leadId;
};

struct JournalCounts
{
    qint64 pending = 0;
    qint64 processed = 0;
    qint64 duplicate = 0;
    qint64 failed = 0;
    qint64 rejected = 0;
};

// The SQL of the inbound journal (DESIGN §6): every request body that passed authentication,
// committed before the sender is answered, with its processing outcome. Local only, never
// synced. Writes run on the store's writer inside the caller's transaction. One instance per
// connection (it keeps a prepared statement).
class InboundJournal final
{
public:
    explicit InboundJournal(Database &db);
    ~InboundJournal();
    Q_DISABLE_COPY_MOVE(InboundJournal)

    Result<void> insert(const JournalEntry &entry);
    // Records a (re)processing outcome of row `outcome.id`: its status, error, response, lead
    // and processed time; attempts + 1.
    Result<void> recordOutcome(const JournalEntry &outcome);

    // The row a redelivery with this key repeats, if any: the first one processed (or found to
    // be a duplicate, which answers the same every time).
    Result<std::optional<JournalEntry>> findProcessed(const QString &route,
                                                      const QString &dedupeKey);
    Result<std::optional<JournalEntry>> byId(const QString &id);

    struct ListFilter
    {
        QString status; // empty: any
        int limit = 100;
        qint64 beforeReceivedAtMs = 0; // paging by key: rows received before this; 0: newest
    };
    // Newest first, without bodies (headers and body stay in the store).
    Result<QList<JournalEntry>> list(const ListFilter &filter);
    // Ids of the rows with this status, oldest first (replay order).
    Result<QStringList> idsWithStatus(const QString &status, int limit = 100000);
    Result<JournalCounts> counts();

private:
    Database &m_db;
    sqlite3_stmt *m_insert = nullptr; // prepared on first use, on the owner's connection
};

} // namespace LeadDesk::Core
