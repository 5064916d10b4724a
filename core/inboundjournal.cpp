#include "inboundjournal.h"

#include "sqlitestatement.h"

#include <sqlite3.h>

namespace LeadDesk::Core {

namespace {

constexpr auto kColumns = "id, business_id, route, method, url, headers, body, remote_addr, "
                          "dedupe_key, status, error, attempts, received_at, processed_at, "
                          "response_status, response_type, response_body, lead_id";

JournalEntry readEntry(SqliteStatement &row)
{
    JournalEntry e;
    int i = 0;
    e.id = row.columnText(i++);
    e.businessId = row.columnText(i++);
    e.route = row.columnText(i++);
    e.method = row.columnText(i++);
    e.url = row.columnText(i++);
    e.headers = row.columnText(i++);
    ++i; // the body: read through byId(), which keeps its bytes
    e.remoteAddr = row.columnText(i++);
    e.dedupeKey = row.columnText(i++);
    e.status = row.columnText(i++);
    e.error = row.columnText(i++);
    e.attempts = int(row.columnInt(i++));
    e.receivedAtMs = row.columnInt(i++);
    e.processedAtMs = row.columnInt(i++);
    e.responseStatus = int(row.columnInt(i++));
    e.responseType = row.columnText(i++).toLatin1();
    e.responseBody = row.columnText(i++).toUtf8();
    e.leadId = row.columnText(i++);
    return e;
}

} // namespace

InboundJournal::InboundJournal(Database &db)
    : m_db(db)
{}

InboundJournal::~InboundJournal()
{
    sqlite3_finalize(m_insert);
}

Result<void> InboundJournal::insert(const JournalEntry &e)
{
    // A raw statement: the body must be bound as a BLOB (invalid UTF-8 survives byte for byte,
    // for replay and forensics), which SqliteStatement does not offer.
    auto *handle = static_cast<sqlite3 *>(m_db.sqliteHandle());
    if (!m_insert) {
        const char *sql
            = "INSERT INTO inbound_journal (id, business_id, route, method, url, headers, body, "
              "remote_addr, dedupe_key, status, error, attempts, received_at, processed_at, "
              "response_status, response_type, response_body, lead_id) VALUES (?1, ?2, ?3, ?4, "
              "?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)";
        if (sqlite3_prepare_v3(handle, sql, -1, SQLITE_PREPARE_PERSISTENT, &m_insert, nullptr)
            != SQLITE_OK)
            return fail(QStringLiteral("cannot prepare the journal insert: %1")
                            .arg(QString::fromUtf8(sqlite3_errmsg(handle))));
    }
    sqlite3_stmt *s = m_insert;
    auto text = [s](int index, const QString &value) {
        if (value.isEmpty()) {
            sqlite3_bind_null(s, index);
        } else {
            sqlite3_bind_text16(s, index, value.utf16(), int(value.size() * sizeof(char16_t)),
                                SQLITE_TRANSIENT);
        }
    };
    auto integer = [s](int index, qint64 value) {
        if (value > 0)
            sqlite3_bind_int64(s, index, value);
        else
            sqlite3_bind_null(s, index);
    };
    text(1, e.id);
    text(2, e.businessId);
    text(3, e.route);
    text(4, e.method);
    text(5, e.url);
    text(6, e.headers.isEmpty() ? QStringLiteral("{}") : e.headers);
    sqlite3_bind_blob64(s, 7, e.body.constData(), sqlite3_uint64(e.body.size()), SQLITE_STATIC);
    text(8, e.remoteAddr);
    text(9, e.dedupeKey);
    text(10, e.status);
    text(11, e.error);
    sqlite3_bind_int64(s, 12, e.attempts);
    sqlite3_bind_int64(s, 13, e.receivedAtMs);
    integer(14, e.processedAtMs);
    integer(15, e.responseStatus);
    text(16, QString::fromLatin1(e.responseType));
    if (e.responseBody.isEmpty())
        sqlite3_bind_null(s, 17);
    else
        sqlite3_bind_blob64(s, 17, e.responseBody.constData(),
                            sqlite3_uint64(e.responseBody.size()), SQLITE_STATIC);
    text(18, e.leadId);
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    if (rc != SQLITE_DONE)
        return fail(QStringLiteral("cannot journal the request: %1")
                        .arg(QString::fromUtf8(sqlite3_errmsg(handle))));
    return {};
}

Result<void> InboundJournal::recordOutcome(const JournalEntry &e)
{
    SqliteStatement &update = m_db.statement(
        "UPDATE inbound_journal SET status = ?2, error = ?3, attempts = attempts + 1, "
        "processed_at = ?4, response_status = ?5, response_type = ?6, response_body = ?7, "
        "lead_id = COALESCE(?8, lead_id) WHERE id = ?1");
    update.bind(1, e.id);
    update.bind(2, e.status);
    update.bindNullable(3, e.error);
    update.bind(4, e.processedAtMs);
    update.bind(5, qint64(e.responseStatus));
    update.bind(6, e.responseType);
    update.bind(7, e.responseBody);
    update.bindNullable(8, e.leadId);
    return update.execute();
}

Result<std::optional<JournalEntry>> InboundJournal::findProcessed(const QString &route,
                                                                  const QString &dedupeKey)
{
    SqliteStatement &find = m_db.statement(
        "SELECT id, business_id, route, method, url, headers, NULL, remote_addr, dedupe_key, "
        "status, error, attempts, received_at, processed_at, response_status, response_type, "
        "response_body, lead_id FROM inbound_journal WHERE route = ?1 AND dedupe_key = ?2 "
        "AND status IN ('processed', 'duplicate') ORDER BY received_at LIMIT 1");
    find.bind(1, route);
    find.bind(2, dedupeKey);
    auto row = find.step();
    if (!row)
        return std::unexpected(row.error());
    std::optional<JournalEntry> entry;
    if (*row)
        entry = readEntry(find);
    find.reset();
    return entry;
}

Result<std::optional<JournalEntry>> InboundJournal::byId(const QString &id)
{
    std::optional<JournalEntry> entry;
    QByteArray body;
    const QString sql = QStringLiteral("SELECT %1 FROM inbound_journal WHERE id = ?")
                            .arg(QLatin1String(kColumns));
    auto ok = m_db.forEachRow(sql, {id}, [&](const QSqlQuery &q) {
        JournalEntry e;
        int i = 0;
        e.id = q.value(i++).toString();
        e.businessId = q.value(i++).toString();
        e.route = q.value(i++).toString();
        e.method = q.value(i++).toString();
        e.url = q.value(i++).toString();
        e.headers = q.value(i++).toString();
        e.body = q.value(i++).toByteArray();
        e.remoteAddr = q.value(i++).toString();
        e.dedupeKey = q.value(i++).toString();
        e.status = q.value(i++).toString();
        e.error = q.value(i++).toString();
        e.attempts = q.value(i++).toInt();
        e.receivedAtMs = q.value(i++).toLongLong();
        e.processedAtMs = q.value(i++).toLongLong();
        e.responseStatus = q.value(i++).toInt();
        e.responseType = q.value(i++).toByteArray();
        e.responseBody = q.value(i++).toByteArray();
        e.leadId = q.value(i++).toString();
        entry = std::move(e);
    });
    if (!ok)
        return std::unexpected(ok.error());
    return entry;
}

Result<QList<JournalEntry>> InboundJournal::list(const ListFilter &filter)
{
    QString sql = QStringLiteral(
        "SELECT id, business_id, route, method, url, '', NULL, remote_addr, dedupe_key, status, "
        "error, attempts, received_at, processed_at, response_status, NULL, NULL, lead_id "
        "FROM inbound_journal WHERE 1 = 1");
    QVariantList params;
    if (!filter.status.isEmpty()) {
        sql += QStringLiteral(" AND status = ?");
        params << filter.status;
    }
    if (filter.beforeReceivedAtMs > 0) {
        sql += QStringLiteral(" AND received_at < ?");
        params << filter.beforeReceivedAtMs;
    }
    sql += QStringLiteral(" ORDER BY received_at DESC, id DESC LIMIT ?");
    params << qMax(1, filter.limit);
    QList<JournalEntry> rows;
    auto ok = m_db.forEachRow(sql, params, [&rows](const QSqlQuery &q) {
        JournalEntry e;
        int i = 0;
        e.id = q.value(i++).toString();
        e.businessId = q.value(i++).toString();
        e.route = q.value(i++).toString();
        e.method = q.value(i++).toString();
        e.url = q.value(i++).toString();
        i += 2; // headers, body
        e.remoteAddr = q.value(i++).toString();
        e.dedupeKey = q.value(i++).toString();
        e.status = q.value(i++).toString();
        e.error = q.value(i++).toString();
        e.attempts = q.value(i++).toInt();
        e.receivedAtMs = q.value(i++).toLongLong();
        e.processedAtMs = q.value(i++).toLongLong();
        e.responseStatus = q.value(i++).toInt();
        i += 2; // response type and body
        e.leadId = q.value(i++).toString();
        rows.push_back(std::move(e));
    });
    if (!ok)
        return std::unexpected(ok.error());
    return rows;
}

Result<QStringList> InboundJournal::idsWithStatus(const QString &status, int limit)
{
    QStringList ids;
    auto ok = m_db.forEachRow(QStringLiteral("SELECT id FROM inbound_journal WHERE status = ? "
                                             "ORDER BY received_at, id LIMIT ?"),
                              {status, limit},
                              [&ids](const QSqlQuery &q) { ids << q.value(0).toString(); });
    if (!ok)
        return std::unexpected(ok.error());
    return ids;
}

Result<JournalCounts> InboundJournal::counts()
{
    JournalCounts counts;
    // One index range count per status (idx_journal_status), never a scan of the bodies.
    const std::pair<const char *, qint64 *> statuses[] = {{"pending", &counts.pending},
                                                          {"processed", &counts.processed},
                                                          {"duplicate", &counts.duplicate},
                                                          {"failed", &counts.failed},
                                                          {"rejected", &counts.rejected}};
    SqliteStatement &count
        = m_db.statement("SELECT COUNT(*) FROM inbound_journal WHERE status = ?1");
    for (const auto &[status, target] : statuses) {
        count.bind(1, QString::fromLatin1(status));
        auto row = count.step();
        if (!row)
            return std::unexpected(row.error());
        *target = *row ? count.columnInt(0) : 0;
        count.reset();
    }
    return counts;
}

} // namespace LeadDesk::Core
