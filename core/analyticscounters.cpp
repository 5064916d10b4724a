#include "analyticscounters.h"

#include "sqlitestatement.h"

#include <algorithm>
#include <cmath>

namespace LeadDesk::Core {

namespace {

template<std::size_t N>
int indexOf(const std::array<const char *, N> &names, QByteArrayView value)
{
    for (std::size_t i = 0; i < N; ++i) {
        if (value == names[i])
            return int(i);
    }
    return -1;
}

} // namespace

bool LeadCounters::isZero() const
{
    return std::all_of(slots.begin(), slots.end(), [](qint64 v) { return v == 0; });
}

void LeadCounters::add(const LeadCounters &other)
{
    for (int i = 0; i < kSlots; ++i)
        slots[i] += other.slots[i];
}

void LeadCounters::addLead(QByteArrayView status, QByteArrayView grade,
                           QByteArrayView qualification, QByteArrayView waitingOn, qint64 score,
                           qint64 valueCents, qint64 responseMs)
{
    slots[Leads] += 1;
    const int s = indexOf(kStatuses, status);
    if (s >= 0)
        slots[StatusFirst + s] += 1;
    if (const int g = indexOf(kGrades, grade); g >= 0)
        slots[GradeFirst + g] += 1;
    if (const int q = indexOf(kQualifications, qualification); q >= 0)
        slots[QualificationFirst + q] += 1;
    // Who owes the next message matters only while the lead is open.
    const bool won = s == 4;
    const bool open = !won && s != 5;
    if (open && waitingOn == "business")
        slots[WaitingOnBusiness] += 1;
    if (open && waitingOn == "lead")
        slots[WaitingOnLead] += 1;
    slots[ScoreSum] += score;
    if (won)
        slots[WonValueCents] += valueCents;
    if (responseMs >= 0) {
        slots[Responded] += 1;
        slots[ResponseMsSum] += responseMs;
        slots[HistogramFirst + bucketOf(responseMs)] += 1;
    }
}

int LeadCounters::bucketOf(qint64 responseMs)
{
    const auto it = std::upper_bound(kBucketLowerMs.begin(), kBucketLowerMs.end(), responseMs);
    return std::max(0, int(it - kBucketLowerMs.begin()) - 1);
}

qint64 LeadCounters::estimateResponseQuantileMs(double q) const
{
    const qint64 n = responded();
    if (n <= 0)
        return -1;
    // The value of the r-th smallest time (0-based): spread a bucket's count evenly over it.
    const auto valueAtRank = [this](qint64 rank) -> double {
        qint64 before = 0;
        for (int i = 0; i < kBuckets; ++i) {
            const qint64 count = bucket(i);
            if (rank < before + count) {
                const double lo = double(kBucketLowerMs[size_t(i)]);
                if (i + 1 == kBuckets)
                    return lo;
                const double width = double(kBucketLowerMs[size_t(i) + 1]) - lo;
                return lo + (double(rank - before) + 0.5) / double(count) * width;
            }
            before += count;
        }
        return double(kBucketLowerMs.back());
    };
    const double h = double(n - 1) * std::clamp(q, 0.0, 1.0);
    const qint64 below = qint64(std::floor(h));
    const double low = valueAtRank(below);
    const double high = below + 1 < n ? valueAtRank(below + 1) : low;
    return qint64(std::llround(low + (h - double(below)) * (high - low)));
}

const QStringList &LeadCounters::columnNames()
{
    static const QStringList names = [] {
        QStringList list{QStringLiteral("leads")};
        for (const char *s : kStatuses)
            list << QStringLiteral("st_") + QLatin1String(s);
        for (const char *g : kGrades)
            list << QStringLiteral("gr_") + QString::fromLatin1(g).toLower();
        for (const char *q : kQualifications)
            list << QStringLiteral("qu_") + QLatin1String(q);
        list << QStringLiteral("wait_business") << QStringLiteral("wait_lead")
             << QStringLiteral("score_sum") << QStringLiteral("won_value_cents")
             << QStringLiteral("responded") << QStringLiteral("response_ms_sum");
        for (int i = 0; i < kBuckets; ++i)
            list << QStringLiteral("rt%1").arg(i, 2, 10, QLatin1Char('0'));
        return list;
    }();
    return names;
}

void LeadCounters::read(const SqliteStatement &row, int firstColumn, int count)
{
    for (int i = 0; i < count; ++i)
        slots[i] = row.columnInt(firstColumn + i);
}

qint64 exactQuantile(const std::vector<qint64> &sorted, double q)
{
    if (sorted.empty())
        return -1;
    const double h = double(sorted.size() - 1) * std::clamp(q, 0.0, 1.0);
    const std::size_t below = std::size_t(std::floor(h));
    const double low = double(sorted[below]);
    const double high = below + 1 < sorted.size() ? double(sorted[below + 1]) : low;
    return qint64(std::llround(low + (h - double(below)) * (high - low)));
}

} // namespace LeadDesk::Core
