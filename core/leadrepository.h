#pragma once

#include "database.h"
#include "leadrecord.h"
#include "result.h"

#include <QList>
#include <QVariant>

#include <optional>

namespace LeadDesk::Core {

// One row of the lead list.
struct LeadSummary
{
    QString id;
    qint64 rowId = 0;
    QString firstName, lastName, email, phone;
    QString channel;
    QString campaignName;
    int score = 0;
    QString grade;
    QString qualification;
    QString status;
    QString assignedTo;   // user id
    QString assigneeName; // display name, empty when unassigned
    QString waitingOn;    // "business", "lead" or empty
    qint64 createdAtMs = 0;

    [[nodiscard]] QString displayName() const;
};

// The list's sort keys. Grade sorts by score (the grade is a monotone function of the score).
enum class LeadSort { Created, Name, Source, Campaign, Score, Grade, Status };

// Where the previous page ended: the sort key and the row id of its last row (keyset paging,
// never OFFSET, so page 5,000 costs what page 1 costs).
struct LeadCursor
{
    QVariant key;
    QVariant key2; // second sort key (first name for Name), else null
    qint64 rowId = 0;
    QString leadId; // the tie-breaker of the score sort
};

struct LeadPageRequest
{
    QString businessId;
    LeadSort sort = LeadSort::Created;
    Qt::SortOrder order = Qt::DescendingOrder;
    std::optional<LeadCursor> after;
    int limit = 200;
};

struct LeadPage
{
    QList<LeadSummary> rows;
    std::optional<LeadCursor> next; // empty at the end of the list
};

struct ContactIdentity
{
    QString channel;
    QString externalId;
};

struct ActivityEntry
{
    QString type;
    QString description;
    QString performedBy;
    QString metadata; // JSON text
    qint64 createdAtMs = 0;
};

struct MessageEntry
{
    QString direction; // "in" or "out"
    QString body;
    QString channel;
    QString deliveryStatus;
    qint64 sentAtMs = 0;
};

// Everything the detail pane shows of one lead.
struct LeadDetail
{
    LeadRecord lead;
    QString assigneeName;
    QString waitingOn;
    qint64 firstResponseAtMs = 0;
    qint64 lastInboundAtMs = 0;
    QList<ContactIdentity> identities;
    QList<ActivityEntry> activities; // newest first, at most 50
    QList<MessageEntry> messages;    // oldest first, at most 200
};

struct LeadCounts
{
    qint64 total = 0;
    qint64 newLeads = 0;          // status 'new'
    qint64 waitingOnBusiness = 0; // conversations waiting on the business
    QList<std::pair<QString, qint64>> byChannel;
};

// Reads and writes of leads. SQL for leads lives here.
class LeadRepository final
{
public:
    explicit LeadRepository(Database &db);

    Result<LeadPage> fetchPage(const LeadPageRequest &request);
    Result<LeadDetail> detail(const QString &leadId);
    Result<LeadCounts> counts(const QString &businessId);

    // Inserts a lead whose contact is already resolved (record.contactId set, id set).
    Result<void> insert(const LeadRecord &record, qint64 nowMs);
    // The id of the business's lead from `channel` with this external id, if any.
    Result<std::optional<QString>>
    findByExternalId(const QString &businessId, const QString &channel, const QString &externalId);
    // The newest lead of this e-mail on this campaign created at or after `sinceMs` (seed 004's
    // 24-hour duplicate rule).
    Result<std::optional<QString>> findRecentByEmailAndCampaign(const QString &businessId,
                                                                const QString &email,
                                                                const QString &campaignId,
                                                                qint64 sinceMs);
    Result<void> addActivity(const QString &businessId, const QString &leadId,
                             const QString &contactId, const QString &type,
                             const QString &description, const QString &metadataJson, qint64 nowMs,
                             const QString &performedBy = {});

private:
    Database &m_db;
};

} // namespace LeadDesk::Core
