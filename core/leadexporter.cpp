#include "leadexporter.h"

#include "csvreader.h"
#include "jsontext.h"
#include "tableprefetcher.h"
#include "utf8.h"

#include <QIODevice>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace LeadDesk::Core {

namespace {

// Rows are read through the raw sqlite3 handle and formatted straight into a byte buffer: a
// QVariant and a QString per value would cost more than the rest of the export together.

constexpr int kPageSize = 500;
constexpr qsizetype kFlushBytes = 1 << 20;

// The leads query's columns, in SELECT order.
enum Column : int {
    CRowId,
    CId,
    CFirst,
    CLast,
    CEmail,
    CPhone,
    CCompany,
    CCampaign,
    CCampaignName,
    CSourceLabel,
    CChannel,
    CMedium,
    CUtmSource,
    CUtmMedium,
    CUtmCampaign,
    CUtmTerm,
    CUtmContent,
    CService,
    CUrgency,
    CMessage,
    CBudget,
    CTimeline,
    CVisitor,
    CSession,
    CIp,
    CUserAgent,
    CReferrer,
    CLanding,
    CScore,
    CGrade,
    CQualification,
    CStatus,
    CAssignee,
    CFollowUp,
    CCreated,
    CUpdated,
    CContacted,
    CContact,
    CScoreBreakdown,
    CDetails,
    kColumns
};

constexpr const char *kLeadsSql
    = "SELECT leads.rowid, leads.id, first_name, last_name, email, phone, company, campaign_id, "
      "campaign_name, source_label, channel, medium, utm_source, utm_medium, utm_campaign, "
      "utm_term, utm_content, service_interest, urgency, message, budget_range, timeline, "
      "visitor_id, session_id, ip_address, user_agent, referrer_url, landing_page_url, "
      "COALESCE(s.lead_score, 0), COALESCE(s.lead_grade, 'D'), "
      "COALESCE(s.qualification_status, 'unqualified'), status, assigned_to, follow_up_at, "
      "created_at, updated_at, contacted_at, contact_id, COALESCE(b.breakdown, '{}'), "
      "details "
      "FROM leads LEFT JOIN lead_scores AS s ON s.lead_id = leads.id "
      "LEFT JOIN score_breakdowns AS b ON b.id = s.breakdown_id "
      "WHERE leads.business_id = ?1 AND deleted = 0 AND created_at >= ?2 "
      "AND NOT (created_at = ?2 AND leads.rowid <= ?3) "
      "ORDER BY created_at, leads.rowid LIMIT ?4";

// The scalar fields of the export, in output order (seed 004's names first).
enum Field : int {
    FUuid,
    FFirst,
    FLast,
    FEmail,
    FPhone,
    FPhoneNational,
    FCompany,
    FCampaignId,
    FCampaignName,
    FSource,
    FMedium,
    FUtmSource,
    FUtmMedium,
    FUtmCampaign,
    FUtmTerm,
    FUtmContent,
    FService,
    FUrgency,
    FMessage,
    FBudget,
    FTimeline,
    FVisitor,
    FSession,
    FIp,
    FUserAgent,
    FReferrer,
    FLanding,
    FScore,
    FGrade,
    FQualification,
    FStatus,
    FAssignedTo,
    FFollowUp,
    FCreated,
    FUpdated,
    FContacted,
    FContactId,
    FChannel,
    kFields
};
constexpr std::array<const char *, kFields> kFieldNames = {
    "uuid",           "first_name",       "last_name",      "email",         "phone",
    "phone_national", "company",          "campaign_id",    "campaign_name", "source",
    "medium",         "utm_source",       "utm_medium",     "utm_campaign",  "utm_term",
    "utm_content",    "service_interest", "urgency",        "message",       "budget_range",
    "timeline",       "visitor_id",       "session_id",     "ip_address",    "user_agent",
    "referrer_url",   "landing_page_url", "lead_score",     "lead_grade",    "qualification_status",
    "status",         "assigned_to",      "follow_up_date", "created_at",    "updated_at",
    "contacted_at",   "contact_id",       "channel"};

constexpr bool isIntegerColumn(int column)
{
    return column == CRowId || column == CScore || column == CFollowUp || column == CCreated
           || column == CUpdated || column == CContacted;
}

class Statement
{
public:
    Statement(sqlite3 *db, const std::string &sql)
        : m_db(db)
    {
        if (sqlite3_prepare_v2(db, sql.c_str(), int(sql.size()), &m_stmt, nullptr) != SQLITE_OK) {
            m_error = QString::fromUtf8(sqlite3_errmsg(db));
            sqlite3_finalize(m_stmt);
            m_stmt = nullptr;
        }
    }
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    [[nodiscard]] sqlite3_stmt *get() const { return m_stmt; }
    [[nodiscard]] const QString &error() const { return m_error; }
    // SQLITE_ROW or SQLITE_DONE; anything else records SQLite's message.
    int step()
    {
        const int rc = sqlite3_step(m_stmt);
        if (rc != SQLITE_ROW && rc != SQLITE_DONE)
            m_error = QString::fromUtf8(sqlite3_errmsg(m_db));
        return rc;
    }

private:
    sqlite3 *m_db;
    sqlite3_stmt *m_stmt = nullptr;
    QString m_error;
};

std::string_view columnText(sqlite3_stmt *stmt, int column)
{
    const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(stmt, column));
    return text ? std::string_view(text, size_t(sqlite3_column_bytes(stmt, column)))
                : std::string_view();
}

void appendInt(std::string &out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void appendTwo(std::string &out, int value)
{
    out += char('0' + value / 10);
    out += char('0' + value % 10);
}

// "2025-10-03T10:30:00.123Z" from UTC epoch milliseconds (days to civil date after H. Hinnant).
void appendIsoTime(std::string &out, qint64 ms)
{
    qint64 days = ms / 86'400'000;
    qint64 rest = ms % 86'400'000;
    if (rest < 0) {
        rest += 86'400'000;
        --days;
    }
    days += 719'468;
    const qint64 era = (days >= 0 ? days : days - 146'096) / 146'097;
    const qint64 dayOfEra = days - era * 146'097;
    const qint64 yearOfEra
        = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36'524 - dayOfEra / 146'096) / 365;
    const qint64 dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    const qint64 mp = (5 * dayOfYear + 2) / 153;
    const int day = int(dayOfYear - (153 * mp + 2) / 5 + 1);
    const int month = int(mp < 10 ? mp + 3 : mp - 9);
    const qint64 year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    const auto y = quint64(std::clamp<qint64>(year, 0, 9999));
    out += char('0' + y / 1000);
    out += char('0' + y / 100 % 10);
    out += char('0' + y / 10 % 10);
    out += char('0' + y % 10);
    out += '-';
    appendTwo(out, month);
    out += '-';
    appendTwo(out, day);
    out += 'T';
    appendTwo(out, int(rest / 3'600'000));
    out += ':';
    appendTwo(out, int(rest / 60'000 % 60));
    out += ':';
    appendTwo(out, int(rest / 1000 % 60));
    out += '.';
    const int millis = int(rest % 1000);
    out += char('0' + millis / 100);
    appendTwo(out, millis % 100);
    out += 'Z';
}

// Syntax check of a stored JSON document, so a damaged details column cannot break the line it
// is embedded in. Strings must be valid UTF-8; nesting is limited.
class JsonChecker
{
public:
    explicit JsonChecker(std::string_view text)
        : m_p(reinterpret_cast<const unsigned char *>(text.data()))
        , m_end(m_p + text.size())
        , m_begin(m_p)
    {}

    bool isObject()
    {
        space();
        if (m_p == m_end || *m_p != '{' || !value())
            return false;
        space();
        return m_p == m_end;
    }

private:
    void space()
    {
        while (m_p < m_end && (*m_p == ' ' || *m_p == '\t' || *m_p == '\n' || *m_p == '\r'))
            ++m_p;
    }
    bool literal(std::string_view word)
    {
        if (size_t(m_end - m_p) < word.size()
            || std::string_view(reinterpret_cast<const char *>(m_p), word.size()) != word)
            return false;
        m_p += word.size();
        return true;
    }
    bool digits()
    {
        const unsigned char *start = m_p;
        while (m_p < m_end && *m_p >= '0' && *m_p <= '9')
            ++m_p;
        return m_p > start;
    }
    bool number()
    {
        if (m_p < m_end && *m_p == '-')
            ++m_p;
        if (m_p < m_end && *m_p == '0')
            ++m_p;
        else if (!digits())
            return false;
        if (m_p < m_end && *m_p == '.') {
            ++m_p;
            if (!digits())
                return false;
        }
        if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
            ++m_p;
            if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
                ++m_p;
            if (!digits())
                return false;
        }
        return true;
    }
    bool string()
    {
        ++m_p; // the opening quote
        while (m_p < m_end) {
            const unsigned char c = *m_p;
            if (c == '"') {
                ++m_p;
                return true;
            }
            if (c < 0x20)
                return false;
            if (c == '\\') {
                if (++m_p == m_end)
                    return false;
                if (*m_p == 'u') {
                    for (int i = 0; i < 4; ++i) {
                        if (++m_p == m_end || !std::isxdigit(*m_p))
                            return false;
                    }
                } else if (std::string_view("\"\\/bfnrt").find(char(*m_p))
                           == std::string_view::npos) {
                    return false;
                }
                ++m_p;
            } else if (c >= 0x80) {
                const int length
                    = Utf8::sequenceLength(m_begin, size_t(m_p - m_begin), size_t(m_end - m_begin));
                if (length == 0)
                    return false;
                m_p += length;
            } else {
                ++m_p;
            }
        }
        return false;
    }
    bool value()
    {
        space();
        if (m_p == m_end)
            return false;
        switch (*m_p) {
        case '{':
        case '[': {
            const unsigned char close = *m_p == '{' ? '}' : ']';
            const bool object = close == '}';
            if (++m_depth > 64)
                return false;
            ++m_p;
            space();
            if (m_p < m_end && *m_p == close) {
                ++m_p;
                --m_depth;
                return true;
            }
            for (;;) {
                if (object) {
                    space();
                    if (m_p == m_end || *m_p != '"' || !string())
                        return false;
                    space();
                    if (m_p == m_end || *m_p != ':')
                        return false;
                    ++m_p;
                }
                if (!value())
                    return false;
                space();
                if (m_p == m_end)
                    return false;
                if (*m_p == ',') {
                    ++m_p;
                    continue;
                }
                if (*m_p != close)
                    return false;
                ++m_p;
                --m_depth;
                return true;
            }
        }
        case '"':
            return string();
        case 't':
            return literal("true");
        case 'f':
            return literal("false");
        case 'n':
            return literal("null");
        default:
            return number();
        }
    }

    const unsigned char *m_p;
    const unsigned char *m_end;
    const unsigned char *m_begin;
    int m_depth = 0;
};

// A stored JSON object as it is, or, when it does not parse, its text as a JSON string so the
// value is still exported and the line stays valid.
void appendJsonObject(std::string &out, std::string_view stored)
{
    if (stored.empty()) {
        out += "{}";
        return;
    }
    if (stored == "{}" || JsonChecker(stored).isObject())
        out.append(stored);
    else
        appendJsonString(out, stored);
}

struct Cell
{
    std::string text;
    qint64 number = 0;
    bool null = true;
};

struct Campaign
{
    std::string externalId, name;
};

class Exporter
{
public:
    Exporter(sqlite3 *db, std::string businessId, LeadExporter::Format format, QIODevice &out)
        : m_db(db)
        , m_business(std::move(businessId))
        , m_format(format)
        , m_out(out)
    {}

    Result<qint64> run(const std::function<void(qint64, qint64)> &progress);

private:
    Result<void> loadLookups();
    Result<void> attachMessages(int rows);
    void formatScalars(int row);
    void writeJson(int row);
    void writeCsv(int row);
    Result<void> flush(bool force);

    [[nodiscard]] const Cell &cell(int row, int column) const
    {
        return m_cells[size_t(row) * kColumns + size_t(column)];
    }

    sqlite3 *m_db;
    std::string m_business;
    LeadExporter::Format m_format;
    QIODevice &m_out;
    std::string m_buffer;

    std::unordered_map<std::string, std::string> m_usernames;
    std::unordered_map<std::string, Campaign> m_campaigns;

    std::vector<Cell> m_cells; // kPageSize rows of kColumns, reused page after page
    // Per row of the page: its messages as JSON objects (a span of m_messageJson) or their count.
    std::vector<std::pair<size_t, size_t>> m_messageSpans;
    std::vector<qint64> m_messageCounts;
    std::string m_messageJson;

    // The scalar fields of the row being written: text views and which of them are null.
    std::array<std::string_view, kFields> m_values{};
    std::array<bool, kFields> m_nulls{};
    std::array<std::string, 5> m_scratch; // phone_national and the four times
};

Result<void> Exporter::loadLookups()
{
    Statement users(m_db, "SELECT id, username FROM users WHERE business_id = ?1");
    Statement campaigns(m_db, "SELECT id, external_id, name FROM campaigns WHERE business_id = ?1");
    for (Statement *statement : {&users, &campaigns}) {
        if (!statement->get())
            return fail(QStringLiteral("export: %1").arg(statement->error()));
        sqlite3_bind_text(statement->get(), 1, m_business.data(), int(m_business.size()),
                          SQLITE_STATIC);
    }
    int rc = 0;
    while ((rc = users.step()) == SQLITE_ROW)
        m_usernames.emplace(columnText(users.get(), 0), columnText(users.get(), 1));
    if (rc != SQLITE_DONE)
        return fail(QStringLiteral("export: %1").arg(users.error()));
    while ((rc = campaigns.step()) == SQLITE_ROW) {
        m_campaigns.emplace(columnText(campaigns.get(), 0),
                            Campaign{std::string(columnText(campaigns.get(), 1)),
                                     std::string(columnText(campaigns.get(), 2))});
    }
    if (rc != SQLITE_DONE)
        return fail(QStringLiteral("export: %1").arg(campaigns.error()));
    return {};
}

Result<void> Exporter::attachMessages(int rows)
{
    // One statement per page: the page's lead ids in an IN list (unused slots bound to NULL,
    // which matches nothing), walked through idx_messages_lead in (lead, time) order.
    static const std::string parameterList = [] {
        std::string list;
        for (int i = 0; i < kPageSize; ++i)
            list += i == 0 ? "?" : ",?";
        return list;
    }();
    static const std::string messagesSql
        = "SELECT m.lead_id, m.direction, m.body, c.channel, m.sent_at, m.delivery_status "
          "FROM messages m LEFT JOIN conversations c ON c.id = m.conversation_id "
          "WHERE m.lead_id IN ("
          + parameterList
          + ") AND m.deleted = 0 "
            "ORDER BY m.lead_id, m.sent_at, m.rowid";
    static const std::string countsSql = "SELECT lead_id, COUNT(*) FROM messages WHERE lead_id IN ("
                                         + parameterList + ") AND deleted = 0 GROUP BY lead_id";
    const bool json = m_format == LeadExporter::Format::JsonLines;
    Statement statement(m_db, json ? messagesSql : countsSql);
    if (!statement.get())
        return fail(QStringLiteral("export: %1").arg(statement.error()));

    std::unordered_map<std::string_view, int> rowOf;
    rowOf.reserve(size_t(rows) * 2);
    for (int row = 0; row < kPageSize; ++row) {
        if (row < rows) {
            const std::string &id = cell(row, CId).text;
            sqlite3_bind_text(statement.get(), row + 1, id.data(), int(id.size()), SQLITE_STATIC);
            rowOf.emplace(id, row);
        } else {
            sqlite3_bind_null(statement.get(), row + 1);
        }
    }
    m_messageSpans.assign(size_t(rows), {0, 0});
    m_messageCounts.assign(size_t(rows), 0);
    m_messageJson.clear();

    int rc = 0;
    int current = -1;
    std::string_view currentId;
    while ((rc = statement.step()) == SQLITE_ROW) {
        sqlite3_stmt *s = statement.get();
        const std::string_view leadId = columnText(s, 0);
        if (current < 0 || leadId != currentId) {
            const auto found = rowOf.find(leadId);
            if (found == rowOf.end())
                continue;
            current = found->second;
            currentId = cell(current, CId).text;
            m_messageSpans[size_t(current)].first = m_messageJson.size();
        }
        if (!json) {
            m_messageCounts[size_t(current)] = sqlite3_column_int64(s, 1);
            continue;
        }
        std::string &out = m_messageJson;
        if (m_messageJson.size() > m_messageSpans[size_t(current)].first)
            out += ',';
        out += "{\"direction\":";
        appendJsonString(out, columnText(s, 1));
        out += ",\"body\":";
        appendJsonString(out, columnText(s, 2));
        out += ",\"channel\":";
        if (sqlite3_column_type(s, 3) == SQLITE_NULL)
            out += "null";
        else
            appendJsonString(out, columnText(s, 3));
        out += ",\"sent_at\":\"";
        appendIsoTime(out, sqlite3_column_int64(s, 4));
        out += '"';
        out += ",\"delivery_status\":";
        appendJsonString(out, columnText(s, 5));
        out += '}';
        m_messageSpans[size_t(current)].second = m_messageJson.size();
    }
    if (rc != SQLITE_DONE)
        return fail(QStringLiteral("export: %1").arg(statement.error()));
    return {};
}

void Exporter::formatScalars(int row)
{
    const auto text = [&](Field field, int column) {
        const Cell &c = cell(row, column);
        m_nulls[field] = c.null || c.text.empty();
        m_values[field] = c.text;
    };
    const auto time = [&](Field field, int column, size_t scratch) {
        const Cell &c = cell(row, column);
        m_nulls[field] = c.null;
        if (!c.null) {
            m_scratch[scratch].clear();
            appendIsoTime(m_scratch[scratch], c.number);
            m_values[field] = m_scratch[scratch];
        }
    };
    text(FUuid, CId);
    text(FFirst, CFirst);
    text(FLast, CLast);
    text(FEmail, CEmail);
    text(FPhone, CPhone);
    text(FPhoneNational, CPhone);
    if (!m_nulls[FPhoneNational]) {
        // The 10-digit national form for NANP numbers (US exports), otherwise E.164 as stored.
        const std::string_view phone = m_values[FPhoneNational];
        if (phone.size() == 12 && phone.starts_with("+1")
            && phone.find_first_not_of("0123456789", 1) == std::string_view::npos)
            m_values[FPhoneNational] = phone.substr(2);
    }
    text(FCompany, CCompany);
    const Cell &campaignId = cell(row, CCampaign);
    const auto campaign = campaignId.null ? m_campaigns.end() : m_campaigns.find(campaignId.text);
    m_nulls[FCampaignId] = campaign == m_campaigns.end();
    if (campaign != m_campaigns.end())
        m_values[FCampaignId] = campaign->second.externalId;
    text(FCampaignName, CCampaignName);
    if (m_nulls[FCampaignName] && campaign != m_campaigns.end() && !campaign->second.name.empty()) {
        m_nulls[FCampaignName] = false;
        m_values[FCampaignName] = campaign->second.name;
    }
    text(FSource, CSourceLabel);
    if (m_nulls[FSource])
        text(FSource, CChannel);
    text(FMedium, CMedium);
    text(FUtmSource, CUtmSource);
    text(FUtmMedium, CUtmMedium);
    text(FUtmCampaign, CUtmCampaign);
    text(FUtmTerm, CUtmTerm);
    text(FUtmContent, CUtmContent);
    text(FService, CService);
    text(FUrgency, CUrgency);
    text(FMessage, CMessage);
    text(FBudget, CBudget);
    text(FTimeline, CTimeline);
    text(FVisitor, CVisitor);
    text(FSession, CSession);
    text(FIp, CIp);
    text(FUserAgent, CUserAgent);
    text(FReferrer, CReferrer);
    text(FLanding, CLanding);
    m_nulls[FScore] = cell(row, CScore).null; // the writers format the number
    text(FGrade, CGrade);
    text(FQualification, CQualification);
    text(FStatus, CStatus);
    const Cell &assignee = cell(row, CAssignee);
    const auto user = assignee.null ? m_usernames.end() : m_usernames.find(assignee.text);
    m_nulls[FAssignedTo] = user == m_usernames.end();
    if (user != m_usernames.end())
        m_values[FAssignedTo] = user->second;
    time(FFollowUp, CFollowUp, 1);
    time(FCreated, CCreated, 2);
    time(FUpdated, CUpdated, 3);
    time(FContacted, CContacted, 4);
    text(FContactId, CContact);
    text(FChannel, CChannel);
}

void Exporter::writeJson(int row)
{
    formatScalars(row);
    std::string &out = m_buffer;
    out += '{';
    for (int field = 0; field < kFields; ++field) {
        if (field > 0)
            out += ',';
        out += '"';
        out += kFieldNames[size_t(field)];
        out += "\":";
        if (m_nulls[size_t(field)])
            out += "null";
        else if (field == FScore)
            appendInt(out, cell(row, CScore).number);
        else
            appendJsonString(out, m_values[size_t(field)]);
    }
    out += ",\"score_breakdown\":";
    appendJsonObject(out, cell(row, CScoreBreakdown).text);
    out += ",\"details\":";
    appendJsonObject(out, cell(row, CDetails).text);
    out += ",\"messages\":[";
    const auto [begin, end] = m_messageSpans[size_t(row)];
    if (end > begin)
        out.append(m_messageJson, begin, end - begin);
    out += "]}\n";
}

void Exporter::writeCsv(int row)
{
    formatScalars(row);
    QStringList fields;
    fields.reserve(kFields + 3);
    for (int field = 0; field < kFields; ++field) {
        if (m_nulls[size_t(field)])
            fields.append(QString());
        else if (field == FScore)
            fields.append(QString::number(cell(row, CScore).number));
        else
            fields.append(QString::fromUtf8(m_values[size_t(field)].data(),
                                            qsizetype(m_values[size_t(field)].size())));
    }
    for (const int column : {int(CScoreBreakdown), int(CDetails)}) {
        const std::string &stored = cell(row, column).text;
        fields.append(stored.empty() ? QStringLiteral("{}")
                                     : QString::fromUtf8(stored.data(), qsizetype(stored.size())));
    }
    fields.append(QString::number(m_messageCounts[size_t(row)]));
    const QByteArray record = CsvWriter::encode(fields);
    m_buffer.append(record.constData(), size_t(record.size()));
}

Result<void> Exporter::flush(bool force)
{
    if (m_buffer.empty() || (!force && qsizetype(m_buffer.size()) < kFlushBytes))
        return {};
    const qint64 written = m_out.write(m_buffer.data(), qint64(m_buffer.size()));
    if (written != qint64(m_buffer.size()))
        return fail(QStringLiteral("cannot write the export: %1").arg(m_out.errorString()));
    m_buffer.clear();
    return {};
}

Result<qint64> Exporter::run(const std::function<void(qint64, qint64)> &progress)
{
    if (auto ok = loadLookups(); !ok)
        return std::unexpected(ok.error());
    // An export reads every lead, its score and its messages: on a store the OS does not hold in
    // its cache, asking for all of those pages at once beats SQLite's reads one after the other
    // (1,000,000 leads, 5,000,000 messages, cold: 87 s without, README).
    const auto prefetch
        = TablePrefetcher::forTrees(m_db, {"leads", "idx_leads_created", "lead_scores", "messages",
                                           "idx_messages_lead", "conversations"});

    qint64 total = 0;
    {
        Statement count(m_db, "SELECT COUNT(*) FROM leads WHERE business_id = ?1 AND deleted = 0");
        if (!count.get())
            return fail(QStringLiteral("export: %1").arg(count.error()));
        sqlite3_bind_text(count.get(), 1, m_business.data(), int(m_business.size()), SQLITE_STATIC);
        if (count.step() != SQLITE_ROW)
            return fail(QStringLiteral("export: %1").arg(count.error()));
        total = sqlite3_column_int64(count.get(), 0);
    }

    if (m_format == LeadExporter::Format::Csv) {
        const QByteArray header = CsvWriter::encode(LeadExporter::csvColumns());
        m_buffer.append(header.constData(), size_t(header.size()));
    }

    Statement leads(m_db, kLeadsSql);
    if (!leads.get())
        return fail(QStringLiteral("export: %1").arg(leads.error()));
    m_cells.resize(size_t(kPageSize) * kColumns);
    qint64 done = 0;
    qint64 afterCreated = std::numeric_limits<qint64>::min();
    qint64 afterRowId = std::numeric_limits<qint64>::min();
    for (;;) {
        sqlite3_stmt *s = leads.get();
        sqlite3_reset(s);
        sqlite3_bind_text(s, 1, m_business.data(), int(m_business.size()), SQLITE_STATIC);
        sqlite3_bind_int64(s, 2, afterCreated);
        sqlite3_bind_int64(s, 3, afterRowId);
        sqlite3_bind_int64(s, 4, kPageSize);
        int rows = 0;
        int rc = 0;
        while ((rc = leads.step()) == SQLITE_ROW) {
            for (int column = 0; column < kColumns; ++column) {
                Cell &c = m_cells[size_t(rows) * kColumns + size_t(column)];
                c.null = sqlite3_column_type(s, column) == SQLITE_NULL;
                // Each column read in its own type: asking SQLite for the other one converts.
                if (isIntegerColumn(column)) {
                    c.number = sqlite3_column_int64(s, column);
                } else {
                    const std::string_view text = columnText(s, column);
                    c.text.assign(text.data() ? text.data() : "", text.size());
                }
            }
            ++rows;
        }
        if (rc != SQLITE_DONE)
            return fail(QStringLiteral("export: %1").arg(leads.error()));
        if (rows == 0)
            break;
        afterCreated = cell(rows - 1, CCreated).number;
        afterRowId = cell(rows - 1, CRowId).number;

        if (auto ok = attachMessages(rows); !ok)
            return std::unexpected(ok.error());
        for (int row = 0; row < rows; ++row) {
            if (m_format == LeadExporter::Format::JsonLines)
                writeJson(row);
            else
                writeCsv(row);
        }
        if (auto ok = flush(false); !ok)
            return std::unexpected(ok.error());
        done += rows;
        if (progress)
            progress(done, std::max(total, done));
        if (rows < kPageSize)
            break;
    }
    if (auto ok = flush(true); !ok)
        return std::unexpected(ok.error());
    return done;
}

} // namespace

Result<qint64> LeadExporter::exportLeads(Database &db, const QString &businessId, Format format,
                                         QIODevice &out,
                                         const std::function<void(qint64, qint64)> &progress)
{
    if (!out.isOpen() || !out.isWritable())
        return fail(QStringLiteral("the export target is not open for writing"));
    auto *handle = static_cast<sqlite3 *>(db.sqliteHandle());
    if (!handle)
        return fail(QStringLiteral("export needs an SQLite store"));

    // One read transaction for the whole export: a consistent snapshot, even with a writer busy
    // on another connection. A caller's open transaction is used as it is.
    const bool ownTransaction = sqlite3_get_autocommit(handle) != 0;
    if (ownTransaction && sqlite3_exec(handle, "BEGIN", nullptr, nullptr, nullptr) != SQLITE_OK)
        return fail(QStringLiteral("export: %1").arg(QString::fromUtf8(sqlite3_errmsg(handle))));
    Exporter exporter(handle, businessId.toStdString(), format, out);
    auto result = exporter.run(progress);
    if (ownTransaction)
        sqlite3_exec(handle, "COMMIT", nullptr, nullptr, nullptr);
    return result;
}

std::optional<LeadExporter::Format> LeadExporter::parseFormat(const QString &name)
{
    const QString lower = name.trimmed().toLower();
    if (lower == QLatin1String("json") || lower == QLatin1String("jsonl"))
        return Format::JsonLines;
    if (lower == QLatin1String("csv"))
        return Format::Csv;
    return std::nullopt;
}

QStringList LeadExporter::jsonKeys()
{
    QStringList keys;
    for (const char *name : kFieldNames)
        keys.append(QLatin1String(name));
    keys << QStringLiteral("score_breakdown") << QStringLiteral("details")
         << QStringLiteral("messages");
    return keys;
}

QStringList LeadExporter::csvColumns()
{
    QStringList columns;
    for (const char *name : kFieldNames)
        columns.append(QLatin1String(name));
    columns << QStringLiteral("score_breakdown") << QStringLiteral("details")
            << QStringLiteral("message_count");
    return columns;
}

} // namespace LeadDesk::Core
