#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include <array>
#include <vector>

namespace LeadDesk::Core {

class SqliteStatement;

// The additive counters of a set of leads: one row of analytics_leads_daily, or any sum of rows.
// Stored flat in the rollup's column order so reading, adding and writing are loops; the named
// accessors say what each slot means. The trigger SQL in 0004_analytics.sql computes the same
// slots per lead as addLead() does (a test compares a trigger-kept rollup with a rebuilt one).
struct LeadCounters
{
    static constexpr std::array<const char *, 6> kStatuses
        = {"new", "contacted", "qualified", "proposal", "closed_won", "closed_lost"};
    static constexpr std::array<const char *, 4> kGrades = {"A", "B", "C", "D"};
    static constexpr std::array<const char *, 5> kQualifications
        = {"unqualified", "marketing_qualified", "sales_qualified", "customer", "lost"};

    // First-response histogram: bucket i holds [kBucketLowerMs[i], kBucketLowerMs[i + 1]), edges
    // about 1.25x apart on round values, so an estimated quantile is off by at most half a bucket
    // (about 12 %) and usually far less. The last bucket (30 days and more) is open.
    static constexpr int kBuckets = 45;
    static constexpr std::array<qint64, kBuckets> kBucketLowerMs
        = {0,         30000,     60000,      90000,      120000,    180000,    240000,    300000,
           360000,    480000,    600000,     720000,     900000,    1200000,   1500000,   1800000,
           2400000,   3000000,   3600000,    4500000,    5400000,   7200000,   9000000,   10800000,
           14400000,  18000000,  21600000,   28800000,   36000000,  43200000,  57600000,  72000000,
           86400000,  108000000, 129600000,  172800000,  216000000, 259200000, 345600000, 432000000,
           604800000, 864000000, 1209600000, 1814400000, 2592000000};

    enum Slot : int {
        Leads = 0,
        StatusFirst = 1,
        GradeFirst = StatusFirst + int(kStatuses.size()),
        QualificationFirst = GradeFirst + int(kGrades.size()),
        WaitingOnBusiness = QualificationFirst + int(kQualifications.size()),
        WaitingOnLead,
        ScoreSum,
        WonValueCents,
        Responded,
        ResponseMsSum,
        HistogramFirst,
        kSlots = HistogramFirst + kBuckets
    };

    std::array<qint64, kSlots> slots{};

    [[nodiscard]] qint64 leads() const { return slots[Leads]; }
    [[nodiscard]] qint64 status(int i) const { return slots[StatusFirst + i]; }
    [[nodiscard]] qint64 grade(int i) const { return slots[GradeFirst + i]; }
    [[nodiscard]] qint64 qualification(int i) const { return slots[QualificationFirst + i]; }
    [[nodiscard]] qint64 waitingOnBusiness() const { return slots[WaitingOnBusiness]; }
    [[nodiscard]] qint64 waitingOnLead() const { return slots[WaitingOnLead]; }
    [[nodiscard]] qint64 scoreSum() const { return slots[ScoreSum]; }
    [[nodiscard]] qint64 wonValueCents() const { return slots[WonValueCents]; }
    [[nodiscard]] qint64 responded() const { return slots[Responded]; }
    [[nodiscard]] qint64 responseMsSum() const { return slots[ResponseMsSum]; }
    [[nodiscard]] qint64 bucket(int i) const { return slots[HistogramFirst + i]; }
    [[nodiscard]] bool isZero() const;

    void add(const LeadCounters &other);
    // One lead, from its column values (responseMs < 0: nobody has answered yet).
    void addLead(QByteArrayView status, QByteArrayView grade, QByteArrayView qualification,
                 QByteArrayView waitingOn, qint64 score, qint64 valueCents, qint64 responseMs);

    // Estimated q-quantile (0..1) of the first-response times in the histogram, interpolating
    // linearly inside a bucket; -1 when nobody was answered.
    [[nodiscard]] qint64 estimateResponseQuantileMs(double q) const;

    static int bucketOf(qint64 responseMs);
    // The rollup's counter columns, in slot order.
    static const QStringList &columnNames();
    // Reads the first `count` slots from integer columns starting at `firstColumn`.
    void read(const SqliteStatement &row, int firstColumn, int count = kSlots);
};

// The additive counters of a campaign's leads (one row of analytics_campaign_daily).
struct CampaignCounters
{
    qint64 leads = 0;
    qint64 qualified = 0; // sales_qualified or marketing_qualified
    qint64 scoreSum = 0;
    qint64 won = 0;
    qint64 wonValueCents = 0;

    void add(const CampaignCounters &other)
    {
        leads += other.leads;
        qualified += other.qualified;
        scoreSum += other.scoreSum;
        won += other.won;
        wonValueCents += other.wonValueCents;
    }
};

// The q-quantile of sorted values, interpolating between neighbours (numpy's default "linear"):
// the median of an even count is the mean of the middle two. -1 for no values.
qint64 exactQuantile(const std::vector<qint64> &sorted, double q);

} // namespace LeadDesk::Core
