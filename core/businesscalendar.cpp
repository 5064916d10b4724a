#include "businesscalendar.h"

#include "jsonpath.h"

#include "businessrepository.h"
#include "settingsrepository.h"

#include <QDateTime>
#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>

#include <algorithm>
#include <atomic>
#include <mutex>
#include <vector>

namespace LeadDesk::Core {

using namespace JsonPath;

namespace {

constexpr qint64 kDayMs = 24LL * 60 * 60 * 1000;
constexpr qint64 kMinuteMs = 60 * 1000;
constexpr qint64 kUnixEpochJulianDay = 2440588;
// How far ahead addBusinessTime() looks for enough open time before giving up.
constexpr qint64 kSearchLimitDays = 20 * 366;
// Extra days built around a span the table must cover, so neighbouring queries reuse it.
constexpr qint64 kMarginDays = 60;

// Local wall-clock midnight of a date, as if the local time were UTC.
qint64 localMidnight(QDate date)
{
    return (date.toJulianDay() - kUnixEpochJulianDay) * kDayMs;
}

qint64 offsetMs(const QTimeZone &zone, qint64 utcMs)
{
    return qint64(zone.offsetFromUtc(QDateTime::fromMSecsSinceEpoch(utcMs, Qt::UTC))) * 1000;
}

// The UTC instant a local wall-clock time (ms, as if UTC) names. A time the clocks skip
// (spring forward) maps to the transition; a time they repeat (fall back) to its first
// occurrence when `earliest`, else its second. Assumes at most one transition within a day of
// it, as every real zone has.
qint64 localToUtc(const QTimeZone &zone, qint64 local, bool earliest)
{
    const qint64 before = local - offsetMs(zone, local - kDayMs);
    const qint64 after = local - offsetMs(zone, local + kDayMs);
    const bool beforeValid = before + offsetMs(zone, before) == local;
    const bool afterValid = after + offsetMs(zone, after) == local;
    if (beforeValid && afterValid)
        return earliest ? std::min(before, after) : std::max(before, after);
    if (beforeValid)
        return before;
    if (afterValid)
        return after;
    // In a gap: the first instant after it.
    const qint64 from = std::min(before, after);
    const QTimeZone::OffsetData next
        = zone.nextTransition(QDateTime::fromMSecsSinceEpoch(from - 1, Qt::UTC));
    if (next.atUtc.isValid() && next.atUtc.toMSecsSinceEpoch() <= std::max(before, after))
        return next.atUtc.toMSecsSinceEpoch();
    return std::max(before, after);
}

WeeklyHours allWeek()
{
    QJsonObject week;
    for (const char *day : {"mon", "tue", "wed", "thu", "fri", "sat", "sun"})
        week.insert(QLatin1String(day),
                    QJsonArray{QJsonArray{QStringLiteral("00:00"), QStringLiteral("24:00")}});
    return *WeeklyHours::parse(week);
}

QDate localDateAt(const QTimeZone &zone, qint64 utcMs)
{
    return QDateTime::fromMSecsSinceEpoch(utcMs + offsetMs(zone, utcMs), Qt::UTC).date();
}

} // namespace

// Days first .. first + n - 1. dayStart and cumBefore have n + 1 entries (the last closes the
// last day); the intervals of day i are intervals[firstInterval[i] .. firstInterval[i + 1]).
struct BusinessCalendar::Table
{
    QDate first;
    std::vector<qint64> dayStart;
    std::vector<qint64> cumBefore; // open ms from the table's start to each day's start
    std::vector<quint32> firstInterval;
    std::vector<std::pair<qint64, qint64>> intervals;

    [[nodiscard]] qint64 days() const { return qint64(dayStart.size()) - 1; }
    [[nodiscard]] bool covers(qint64 utcMs) const
    {
        return utcMs >= dayStart.front() && utcMs < dayStart.back();
    }
    // The day holding utcMs (which the table covers).
    [[nodiscard]] qint64 dayOf(qint64 utcMs) const
    {
        qint64 i = std::clamp<qint64>((utcMs - dayStart.front()) / kDayMs, 0, days() - 1);
        while (dayStart[size_t(i)] > utcMs)
            --i;
        while (dayStart[size_t(i + 1)] <= utcMs)
            ++i;
        return i;
    }
    // Open ms from the table's start to utcMs.
    [[nodiscard]] qint64 openBefore(qint64 utcMs) const
    {
        const size_t day = size_t(dayOf(utcMs));
        qint64 sum = cumBefore[day];
        for (quint32 k = firstInterval[day]; k < firstInterval[day + 1]; ++k) {
            const auto &[start, end] = intervals[k];
            if (utcMs <= start)
                break;
            sum += std::min(utcMs, end) - start;
        }
        return sum;
    }
};

struct BusinessCalendar::Cache
{
    std::mutex mutex;                                 // serialises growth
    std::vector<std::unique_ptr<const Table>> tables; // every table built, the last one current
    std::atomic<const Table *> current{nullptr};
};

BusinessCalendar::BusinessCalendar()
    : BusinessCalendar(QTimeZone::utc(), allWeek())
{}

BusinessCalendar::BusinessCalendar(const QTimeZone &zone, const WeeklyHours &hours,
                                   const QList<QDate> &holidays,
                                   const QList<std::pair<int, int>> &yearlyHolidays)
    : m_zone(zone)
    , m_hours(hours)
    , m_cache(std::make_shared<Cache>())
{
    for (const QDate &date : holidays) {
        m_holidays.insert(date);
        m_holidayList.append(date.toString(Qt::ISODate));
    }
    for (const auto &[month, day] : yearlyHolidays) {
        m_yearlyHolidays.insert(month * 100 + day);
        m_holidayList.append(QStringLiteral("%1-%2")
                                 .arg(month, 2, 10, QLatin1Char('0'))
                                 .arg(day, 2, 10, QLatin1Char('0')));
    }
}

Result<BusinessCalendar> BusinessCalendar::parse(const QByteArray &json,
                                                 const QString &businessTimeZone)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not valid JSON at offset %1: %2")
                        .arg(error.offset)
                        .arg(error.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("must be a JSON object"));
    return fromJson(document.object(), businessTimeZone);
}

Result<BusinessCalendar> BusinessCalendar::fromJson(const QJsonObject &document,
                                                    const QString &businessTimeZone)
{
    for (auto it = document.constBegin(); it != document.constEnd(); ++it) {
        if (it.key() != QLatin1String("version") && it.key() != QLatin1String("time_zone")
            && it.key() != QLatin1String("weekly") && it.key() != QLatin1String("holidays"))
            return fail(QStringLiteral("unknown key"), it.key());
    }
    if (document.contains(QLatin1String("version"))
        && document.value(QLatin1String("version")).toInt(-1) != 1)
        return fail(QStringLiteral("must be 1"), QStringLiteral("version"));

    QString zoneName = businessTimeZone.trimmed();
    QString zoneOverride;
    if (document.contains(QLatin1String("time_zone"))) {
        const QJsonValue value = document.value(QLatin1String("time_zone"));
        if (!value.isString() || value.toString().trimmed().isEmpty())
            return fail(QStringLiteral("must be an IANA time zone name such as "
                                       "\"America/New_York\""),
                        QStringLiteral("time_zone"));
        zoneOverride = value.toString().trimmed();
        zoneName = zoneOverride;
    }
    if (zoneName.isEmpty())
        zoneName = QStringLiteral("UTC");
    const QTimeZone zone
        = zoneName == QLatin1String("UTC") ? QTimeZone::utc() : QTimeZone(zoneName.toUtf8());
    if (!zone.isValid())
        return fail(QStringLiteral("unknown time zone \"%1\"").arg(zoneName),
                    zoneOverride.isEmpty() ? QStringLiteral("businesses.time_zone")
                                           : QStringLiteral("time_zone"));

    if (!document.contains(QLatin1String("weekly")))
        return fail(QStringLiteral("is required"), QStringLiteral("weekly"));
    auto hours
        = WeeklyHours::parse(document.value(QLatin1String("weekly")), QStringLiteral("weekly"));
    if (!hours)
        return std::unexpected(hours.error());

    QList<QDate> dates;
    QList<std::pair<int, int>> yearly;
    const QJsonValue holidayValue = document.value(QLatin1String("holidays"));
    if (!holidayValue.isUndefined() && !holidayValue.isArray())
        return fail(QStringLiteral("must be an array of dates"), QStringLiteral("holidays"));
    const QJsonArray holidays = holidayValue.toArray();
    for (qsizetype i = 0; i < holidays.size(); ++i) {
        QString path = at(QStringLiteral("holidays"), i);
        QJsonValue entry = holidays.at(i);
        if (entry.isObject()) {
            const QJsonObject object = entry.toObject();
            for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
                if (it.key() != QLatin1String("date") && it.key() != QLatin1String("name"))
                    return fail(QStringLiteral("unknown key"), at(path, it.key()));
            }
            if (object.contains(QLatin1String("name"))
                && !object.value(QLatin1String("name")).isString())
                return fail(QStringLiteral("must be a string"), at(path, QStringLiteral("name")));
            entry = object.value(QLatin1String("date"));
            path = at(path, QStringLiteral("date"));
        }
        const QString text = entry.toString();
        const QDate date = QDate::fromString(text, Qt::ISODate);
        if (text.size() == 10 && date.isValid()) {
            dates.append(date);
            continue;
        }
        // "MM-DD": every year (02-29 only in leap years).
        const QDate yearlyDate = QDate::fromString(QStringLiteral("2000-") + text, Qt::ISODate);
        if (text.size() == 5 && yearlyDate.isValid()) {
            yearly.append({yearlyDate.month(), yearlyDate.day()});
            continue;
        }
        return fail(QStringLiteral("must be a date \"YYYY-MM-DD\" or a yearly \"MM-DD\""), path);
    }

    BusinessCalendar calendar(zone, *hours, dates, yearly);
    calendar.m_zoneOverride = zoneOverride;
    calendar.m_holidayList = holidays;
    return calendar;
}

Result<BusinessCalendar> BusinessCalendar::loadDefault(const QString &businessTimeZone)
{
    QFile file(QString::fromLatin1(defaultResource));
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read: ") + file.errorString(), file.fileName());
    return parse(file.readAll(), businessTimeZone);
}

Result<BusinessCalendar> BusinessCalendar::load(Database &db, const QString &businessId)
{
    auto business = BusinessRepository(db).byId(businessId);
    if (!business)
        return std::unexpected(business.error());
    auto stored = SettingsRepository(db).value(
        businessId, QString::fromLatin1(SettingsRepository::kBusinessHours));
    if (!stored)
        return std::unexpected(stored.error());
    if (!stored->has_value())
        return loadDefault(business->timeZone);
    auto calendar = parse(**stored, business->timeZone);
    if (!calendar) {
        Error error = calendar.error();
        // One line for the user: which document, where in it, what is wrong.
        error.message
            = QStringLiteral("business hours: ")
              + (error.field.isEmpty() ? error.message
                                       : error.field + QStringLiteral(": ") + error.message);
        return std::unexpected(error);
    }
    return calendar;
}

QJsonObject BusinessCalendar::toJson() const
{
    QJsonObject document{{QStringLiteral("version"), 1},
                         {QStringLiteral("weekly"), m_hours.toJson()}};
    if (!m_zoneOverride.isEmpty())
        document.insert(QStringLiteral("time_zone"), m_zoneOverride);
    if (!m_holidayList.isEmpty())
        document.insert(QStringLiteral("holidays"), m_holidayList);
    return document;
}

bool BusinessCalendar::isHoliday(QDate localDate) const
{
    return m_holidays.contains(localDate)
           || m_yearlyHolidays.contains(localDate.month() * 100 + localDate.day());
}

std::unique_ptr<const BusinessCalendar::Table> BusinessCalendar::build(QDate first,
                                                                       QDate last) const
{
    auto table = std::make_unique<Table>();
    table->first = first;
    const qint64 n = first.daysTo(last) + 1;
    table->dayStart.reserve(size_t(n + 1));
    table->cumBefore.reserve(size_t(n + 1));
    table->firstInterval.reserve(size_t(n + 1));
    for (qint64 i = 0; i <= n; ++i)
        table->dayStart.push_back(localToUtc(m_zone, localMidnight(first.addDays(i)), true));

    qint64 cumulative = 0;
    for (qint64 i = 0; i < n; ++i) {
        table->cumBefore.push_back(cumulative);
        table->firstInterval.push_back(quint32(table->intervals.size()));
        const QDate date = first.addDays(i);
        if (isHoliday(date))
            continue;
        const qint64 dayStart = table->dayStart[size_t(i)];
        const qint64 dayEnd = table->dayStart[size_t(i + 1)];
        const qint64 midnight = localMidnight(date);
        // Most days have one offset throughout: convert by subtraction.
        const qint64 offset = offsetMs(m_zone, dayStart);
        const bool steady = offset == offsetMs(m_zone, dayEnd - 1) && dayEnd - dayStart == kDayMs;
        const size_t dayFirst = table->intervals.size();
        for (const WeeklyHours::Interval &interval : m_hours.intervals(date)) {
            const qint64 localStart = midnight + interval.startMinute * kMinuteMs;
            const qint64 localEnd = midnight + interval.endMinute * kMinuteMs;
            qint64 start = steady ? localStart - offset : localToUtc(m_zone, localStart, true);
            qint64 end = interval.endMinute == 24 * 60
                             ? dayEnd
                             : (steady ? localEnd - offset : localToUtc(m_zone, localEnd, false));
            start = std::clamp(start, dayStart, dayEnd);
            end = std::clamp(end, dayStart, dayEnd);
            if (end <= start)
                continue;
            // Repeated wall-clock times can make neighbours overlap: merge them.
            if (table->intervals.size() > dayFirst && start <= table->intervals.back().second) {
                table->intervals.back().second = std::max(end, table->intervals.back().second);
            } else {
                table->intervals.emplace_back(start, end);
            }
        }
        for (size_t k = dayFirst; k < table->intervals.size(); ++k)
            cumulative += table->intervals[k].second - table->intervals[k].first;
    }
    table->cumBefore.push_back(cumulative);
    table->firstInterval.push_back(quint32(table->intervals.size()));
    return table;
}

const BusinessCalendar::Table *BusinessCalendar::tableFor(qint64 fromUtcMs, qint64 toUtcMs) const
{
    const Table *table = m_cache->current.load(std::memory_order_acquire);
    if (table && table->covers(fromUtcMs) && table->covers(toUtcMs))
        return table;
    std::lock_guard lock(m_cache->mutex);
    table = m_cache->current.load(std::memory_order_relaxed);
    if (table && table->covers(fromUtcMs) && table->covers(toUtcMs))
        return table; // another thread grew it meanwhile
    QDate first = localDateAt(m_zone, fromUtcMs).addDays(-kMarginDays);
    QDate last = localDateAt(m_zone, toUtcMs).addDays(kMarginDays);
    if (table) {
        // Grow at least by the current size, so a run of queries rebuilds O(log n) times.
        const qint64 size = table->days();
        const QDate oldFirst = table->first;
        const QDate oldLast = table->first.addDays(size - 1);
        if (first < oldFirst)
            first = std::min(first, oldFirst.addDays(-size));
        else
            first = oldFirst;
        if (last > oldLast)
            last = std::max(last, oldLast.addDays(size));
        else
            last = oldLast;
    }
    m_cache->tables.push_back(build(first, last));
    table = m_cache->tables.back().get();
    m_cache->current.store(table, std::memory_order_release);
    return table;
}

void BusinessCalendar::prepare(qint64 fromUtcMs, qint64 toUtcMs) const
{
    if (fromUtcMs <= toUtcMs)
        (void)tableFor(fromUtcMs, toUtcMs);
}

qint64 BusinessCalendar::businessTimeBetween(qint64 aUtcMs, qint64 bUtcMs) const
{
    if (aUtcMs == bUtcMs)
        return 0;
    if (bUtcMs < aUtcMs)
        return -businessTimeBetween(bUtcMs, aUtcMs);
    const Table *table = tableFor(aUtcMs, bUtcMs);
    return table->openBefore(bUtcMs) - table->openBefore(aUtcMs);
}

qint64 BusinessCalendar::addBusinessTime(qint64 startUtcMs, qint64 durationMs) const
{
    if (durationMs <= 0)
        return startUtcMs;
    if (m_hours.isAlwaysClosed())
        return kNever;
    // A first guess at the span: the duration at the week's open ratio, plus a week.
    const qint64 openPerWeek = m_hours.minutesPerWeek() * kMinuteMs;
    qint64 horizon = startUtcMs + durationMs / openPerWeek * 7 * kDayMs + 8 * kDayMs;
    for (;;) {
        const Table *table = tableFor(startUtcMs, horizon);
        const qint64 target = table->openBefore(startUtcMs) + durationMs;
        const size_t from = size_t(table->dayOf(startUtcMs)) + 1;
        const auto reached = std::lower_bound(table->cumBefore.begin() + qint64(from),
                                              table->cumBefore.end(), target);
        if (reached != table->cumBefore.end()) {
            const size_t day = size_t(reached - table->cumBefore.begin()) - 1;
            qint64 remaining = target - table->cumBefore[day];
            for (quint32 k = table->firstInterval[day]; k < table->firstInterval[day + 1]; ++k) {
                const auto &[start, end] = table->intervals[k];
                if (remaining <= end - start)
                    return start + remaining;
                remaining -= end - start;
            }
        }
        // Holidays ate the span: look further, up to a limit.
        if (horizon - startUtcMs > kSearchLimitDays * kDayMs)
            return kNever;
        horizon += std::max<qint64>(horizon - startUtcMs, 30 * kDayMs);
    }
}

bool BusinessCalendar::isOpenAt(qint64 utcMs) const
{
    const Table *table = tableFor(utcMs, utcMs);
    const size_t day = size_t(table->dayOf(utcMs));
    for (quint32 k = table->firstInterval[day]; k < table->firstInterval[day + 1]; ++k) {
        if (utcMs >= table->intervals[k].first && utcMs < table->intervals[k].second)
            return true;
    }
    return false;
}

QList<std::pair<qint64, qint64>> BusinessCalendar::openIntervals(QDate localDate) const
{
    QList<std::pair<qint64, qint64>> result;
    if (!localDate.isValid())
        return result;
    const qint64 noon = localToUtc(m_zone, localMidnight(localDate) + 12 * 60 * kMinuteMs, true);
    const Table *table = tableFor(noon, noon);
    const size_t day = size_t(table->first.daysTo(localDate));
    for (quint32 k = table->firstInterval[day]; k < table->firstInterval[day + 1]; ++k)
        result.append(table->intervals[k]);
    return result;
}

} // namespace LeadDesk::Core
