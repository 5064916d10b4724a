#pragma once

#include "democontent.h"
#include "demodatagenerator.h"
#include "demostatement.h"
#include "demotext.h"
#include "ids.h"
#include "user.h"

#include <QTimeZone>

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <string>
#include <vector>

struct sqlite3;

namespace LeadDesk::Core::Demo {

inline constexpr qint64 kSecondMs = 1000;
inline constexpr qint64 kMinuteMs = 60 * kSecondMs;
inline constexpr qint64 kHourMs = 60 * kMinuteMs;
inline constexpr qint64 kDayMs = 24 * kHourMs;
inline constexpr int kHistoryDays = 180;
inline constexpr qint64 kLeadsPerTransaction = 20'000;
// A small data set still reports about 100 steps.
inline constexpr qint64 kMaxProgressStep = 10'000;
inline constexpr int kRecentContacts = 4096;
// Share of leads from a person already seen on another channel: with most of them returning
// once, 10-15 % of contacts end up with leads on two or more channels.
inline constexpr double kReturningShare = 0.12;

enum Status : int { New, Contacted, Qualified, Proposal, ClosedWon, ClosedLost };
inline constexpr std::array<const char *, 6> kStatusNames
    = {"new", "contacted", "qualified", "proposal", "closed_won", "closed_lost"};

struct DemoAccount
{
    const char *username;
    const char *password;
    Role role;
    const char *roleName;
    const char *displayName;
    const char *email;
    double share; // of the assigned leads
};
inline constexpr std::array<DemoAccount, 3> kAccounts = {{
    {"owner", "Harbor-Lights-42", Role::Owner, "owner", "Morgan Reyes",
     "morgan.reyes@demo-business.example", 0.15},
    {"alex", "Maple-Ridge-57", Role::Rep, "rep", "Alex Kim", "alex.kim@demo-business.example",
     0.45},
    {"sam", "Copper-Kettle-63", Role::Rep, "rep", "Sam Okafor", "sam.okafor@demo-business.example",
     0.40},
}};

// Open-addressing set of 64-bit hashes: which e-mail addresses are taken, at 8 bytes each.
class HashSet
{
public:
    explicit HashSet(qint64 expected)
        : m_slots(std::bit_ceil(quint64(std::max<qint64>(expected, 512)) * 2), 0)
        , m_mask(m_slots.size() - 1)
    {}
    // False when already present.
    bool insert(std::string_view text)
    {
        quint64 h = 1469598103934665603ULL;
        for (const char c : text)
            h = (h ^ quint8(c)) * 1099511628211ULL;
        h ^= h >> 29;
        h |= 1; // 0 marks an empty slot
        for (quint64 i = h & m_mask;; i = (i + 1) & m_mask) {
            if (m_slots[i] == h)
                return false;
            if (m_slots[i] == 0) {
                m_slots[i] = h;
                return true;
            }
        }
    }

private:
    std::vector<quint64> m_slots;
    quint64 m_mask;
};

struct Contact
{
    std::string id, email, phone, street, addressLine, waId, psid, thumbtackId;
    int first = 0, last = 0, city = 0, company = -1, businessType = 0;
    quint8 channels = 0;
    qint64 createdMs = 0;
};

struct Message
{
    qint64 at = 0;
    bool inbound = false;
    std::string id, body, externalId;
    const char *status = "received";
    const char *error = nullptr;
};

struct Activity
{
    qint64 at = 0;
    const char *type = "";
    std::string description, metadata;
    int performer = -1; // index into the users, -1 for the system
};

// The text columns of a lead, in INSERT order; empty binds as NULL except where NOT NULL.
enum LeadText : int {
    LId,
    LBusiness,
    LContact,
    LSource,
    LChannel,
    LExternal,
    LFirst,
    LLast,
    LEmail,
    LPhone,
    LCompany,
    LAddress,
    LState,
    LCampaign,
    LCampaignName,
    LSourceLabel,
    LMedium,
    LUtmSource,
    LUtmMedium,
    LUtmCampaign,
    LUtmTerm,
    LUtmContent,
    LService,
    LUrgency,
    LMessage,
    LBudget,
    LTimeline,
    LVisitor,
    LSession,
    LIp,
    LUserAgent,
    LReferrer,
    LLanding,
    LStatus,
    LAssignee,
    LWaitingOn,
    LDetails,
    kLeadTexts
};
inline constexpr std::array<const char *, kLeadTexts> kLeadTextColumns
    = {"id",           "business_id",      "contact_id",
       "source_id",    "channel",          "external_id",
       "first_name",   "last_name",        "email",
       "phone",        "company",          "address_line",
       "state",        "campaign_id",      "campaign_name",
       "source_label", "medium",           "utm_source",
       "utm_medium",   "utm_campaign",     "utm_term",
       "utm_content",  "service_interest", "urgency",
       "message",      "budget_range",     "timeline",
       "visitor_id",   "session_id",       "ip_address",
       "user_agent",   "referrer_url",     "landing_page_url",
       "status",       "assigned_to",      "waiting_on",
       "details"};
inline constexpr std::array<const char *, 10> kLeadIntColumns
    = {"consent_given",    "follow_up_at", "contacted_at", "first_response_at", "last_inbound_at",
       "last_outbound_at", "value_cents",  "created_at",   "updated_at",        "hlc"};

inline bool leadTextRequired(int column)
{
    return column == LId || column == LBusiness || column == LContact || column == LChannel
           || column == LFirst || column == LLast || column == LCampaignName || column == LStatus
           || column == LDetails;
}

struct DemoUser
{
    std::string id, username, firstName;
};

// The generator writes through the raw sqlite3 handle with reused statements and plain UTF-8
// buffers: a million leads with five million messages leave no room for a QString or a QVariant
// per value. Everything random comes from one std::mt19937_64 and hand-written samplers (the
// std distributions differ between standard libraries), so a seed and a "now" give the same
// bytes everywhere.
class Generator
{
public:
    Generator(sqlite3 *db, const Content &content, const DemoDataGenerator::Options &options,
              qint64 nowMs, const QString &businessId, const QString &businessName,
              const QTimeZone &zone, DemoDataGenerator::Stats &stats)
        : m_db(db)
        , m_content(content)
        , m_options(options)
        , m_now(nowMs)
        , m_business(businessId.toStdString())
        , m_businessName(businessName.toStdString())
        , m_zone(zone)
        , m_stats(stats)
        , m_rng(options.seed)
        , m_emails(options.leads)
        , m_areaCounters(size_t(content.areaCodes), 0)
        , m_recent(kRecentContacts)
    {}

    void setUsers(std::array<DemoUser, 3> users) { m_users = std::move(users); }
    [[nodiscard]] const std::vector<std::string> &createdSources() const
    {
        return m_createdSources;
    }
    [[nodiscard]] const std::vector<std::string> &createdCampaigns() const
    {
        return m_createdCampaigns;
    }

    Result<void> run(const std::function<void(qint64, qint64)> &progress);

private:
    Result<void> prepareStatements();
    Result<void> insertSourcesAndCampaigns();
    void buildCalendar();
    void buildLeadTimes();
    qint64 offsetAt(qint64 ms) const;
    qint64 businessTime(qint64 ms);
    qint64 firstResponseDelay();
    qint64 businessReplyDelay();
    qint64 leadReplyDelay();

    void newId(std::string &out, qint64 ms)
    {
        out.resize(36);
        Ids::formatUuidV7(out.data(), ms, m_rng.next());
    }
    qint64 hlc(qint64 ms) { return (ms << 16) | (m_hlcCounter++ & 0xFFFF); }

    int pickChannel() { return int(m_rng.weighted(kChannelWeights)); }
    bool pickOtherChannel(const Contact &contact, int *channel);
    Contact &newContact(int channel, qint64 createdMs);
    void makePhone(Contact &contact);
    void makeEmail(Contact &contact);
    Result<void> insertContact(const Contact &contact);
    Result<void> insertIdentity(const Contact &contact, const char *channel,
                                const std::string &externalId, qint64 ms);
    Result<void> generateLead(qint64 serial);
    void fillChannelFields(int channel, Contact &contact, qint64 serial, int *businessType);
    void simulateConversation(int channel, qint64 createdMs, bool neglected);
    Status pickStatus(qint64 createdMs);
    void writeBodies(int channel, Status status, const Vars &base);
    void writeDeliveryStatuses(int channel);
    void planActivities(Status status, int assignee, int campaign, const Contact &contact,
                        qint64 createdMs, qint64 estimateCents);
    qint64 advance(qint64 from);

    sqlite3 *m_db;
    const Content &m_content;
    DemoDataGenerator::Options m_options;
    qint64 m_now;
    std::string m_business;
    std::string m_businessName;
    QTimeZone m_zone;
    DemoDataGenerator::Stats &m_stats;
    Rng m_rng;

    std::array<DemoUser, 3> m_users;
    std::array<std::string, kChannels> m_sourceIds;
    std::vector<std::string> m_campaignIds;
    std::vector<std::string> m_createdSources;
    std::vector<std::string> m_createdCampaigns;

    std::array<qint64, kHistoryDays> m_dayStart{};
    std::array<qint64, kHistoryDays> m_dayOffset{};
    std::array<double, kHistoryDays> m_dayWeight{};
    std::vector<qint64> m_leadTimes;

    HashSet m_emails;
    std::vector<quint32> m_areaCounters;
    std::vector<Contact> m_recent; // ring of the newest contacts, the ones a person returns from
    int m_recentCount = 0;
    int m_recentNext = 0;
    qint64 m_contactSerial = 0;
    qint64 m_messageSerial = 0;
    qint64 m_hlcCounter = 0;

    Statement m_insertContact, m_insertIdentity, m_insertLead, m_insertConversation,
        m_insertMessage, m_insertActivity, m_insertSource, m_insertCampaign, m_findSource,
        m_findCampaign, m_setDemo;

    // Scratch rows, reused so their buffers keep their capacity.
    std::array<std::string, kLeadTexts> m_lead;
    std::vector<Message> m_messages;
    size_t m_messageCount = 0;
    std::vector<Activity> m_activities;
    size_t m_activityCount = 0;
    std::string m_conversationId, m_threadId, m_scratch, m_price, m_opening, m_description,
        m_vendorId;
    int m_campaign = -1;
    const ThumbtackCategory *m_category = nullptr;
    size_t m_staffSize = 0, m_chatbotBusinessType = 0;
};

} // namespace LeadDesk::Core::Demo
