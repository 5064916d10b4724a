#include "weeklyhours.h"

#include "jsonpath.h"

#include <QJsonArray>

#include <algorithm>

namespace LeadDesk::Core {

using namespace JsonPath;

namespace {

constexpr int kMinutesPerDay = 24 * 60;
constexpr std::array<const char *, 7> kDayKeys = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

// "H:MM" or "HH:MM", 00:00..24:00; minutes since midnight, or -1.
int parseClock(const QString &text)
{
    const qsizetype colon = text.indexOf(u':');
    if (colon < 1 || colon > 2 || text.size() != colon + 3)
        return -1;
    int value[2] = {0, 0};
    for (int part = 0; part < 2; ++part) {
        const QStringView digits
            = part == 0 ? QStringView(text).left(colon) : QStringView(text).mid(colon + 1);
        for (QChar c : digits) {
            if (c < u'0' || c > u'9')
                return -1;
            value[part] = value[part] * 10 + (c.unicode() - u'0');
        }
    }
    if (value[1] > 59 || value[0] > 24 || (value[0] == 24 && value[1] != 0))
        return -1;
    return value[0] * 60 + value[1];
}

QString clockText(int minute)
{
    return QStringLiteral("%1:%2")
        .arg(minute / 60, 2, 10, QLatin1Char('0'))
        .arg(minute % 60, 2, 10, QLatin1Char('0'));
}

void mergeSorted(QList<WeeklyHours::Interval> &day)
{
    std::sort(day.begin(), day.end(),
              [](const auto &a, const auto &b) { return a.startMinute < b.startMinute; });
    QList<WeeklyHours::Interval> merged;
    for (const auto &interval : std::as_const(day)) {
        if (!merged.isEmpty() && interval.startMinute <= merged.last().endMinute)
            merged.last().endMinute = std::max(merged.last().endMinute, interval.endMinute);
        else
            merged.append(interval);
    }
    day = std::move(merged);
}

} // namespace

Result<WeeklyHours> WeeklyHours::parse(const QJsonValue &value, const QString &path)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object of days (mon ... sun)"), path);
    const QJsonObject object = value.toObject();
    WeeklyHours hours;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const auto key = std::find_if(kDayKeys.begin(), kDayKeys.end(), [&it](const char *day) {
            return it.key() == QLatin1String(day);
        });
        const QString dayPath = at(path, it.key());
        if (key == kDayKeys.end())
            return fail(QStringLiteral("unknown day (use mon, tue, wed, thu, fri, sat, sun)"),
                        dayPath);
        if (!it.value().isArray())
            return fail(QStringLiteral("must be an array of [\"HH:MM\", \"HH:MM\"] pairs"),
                        dayPath);
        const QJsonArray list = it.value().toArray();
        QList<Interval> &spec = hours.m_spec[size_t(key - kDayKeys.begin())];
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString pairPath = at(dayPath, i);
            const QJsonArray pair = list.at(i).toArray();
            if (!list.at(i).isArray() || pair.size() != 2)
                return fail(QStringLiteral("must be a pair [\"HH:MM\", \"HH:MM\"]"), pairPath);
            int minutes[2] = {0, 0};
            for (int end = 0; end < 2; ++end) {
                minutes[end] = parseClock(pair.at(end).toString());
                if (minutes[end] < 0)
                    return fail(QStringLiteral("must be a time \"HH:MM\" (00:00 to 24:00)"),
                                at(pairPath, end));
            }
            if (minutes[0] == kMinutesPerDay)
                return fail(QStringLiteral("an interval cannot start at 24:00"), at(pairPath, 0));
            if (minutes[0] == minutes[1])
                return fail(QStringLiteral("start and end are the same time"), pairPath);
            spec.append({minutes[0], minutes[1]});
        }
    }
    // Per-day view: an interval whose end is not after its start ends on the next day.
    for (size_t day = 0; day < 7; ++day) {
        for (const Interval &interval : std::as_const(hours.m_spec[day])) {
            if (interval.endMinute > interval.startMinute) {
                hours.m_days[day].append(interval);
            } else {
                hours.m_days[day].append({interval.startMinute, kMinutesPerDay});
                if (interval.endMinute > 0)
                    hours.m_days[(day + 1) % 7].append({0, interval.endMinute});
            }
        }
    }
    for (auto &day : hours.m_days)
        mergeSorted(day);
    return hours;
}

QJsonObject WeeklyHours::toJson() const
{
    QJsonObject object;
    for (size_t day = 0; day < 7; ++day) {
        if (m_spec[day].isEmpty())
            continue;
        QJsonArray list;
        for (const Interval &interval : m_spec[day])
            list.append(QJsonArray{clockText(interval.startMinute), clockText(interval.endMinute)});
        object.insert(QLatin1String(kDayKeys[day]), list);
    }
    return object;
}

const QList<WeeklyHours::Interval> &WeeklyHours::intervals(int dayOfWeek) const
{
    static const QList<Interval> none;
    if (dayOfWeek < 1 || dayOfWeek > 7)
        return none;
    return m_days[size_t(dayOfWeek - 1)];
}

bool WeeklyHours::isOpen(QDate localDate, QTime localTime) const
{
    if (!localDate.isValid() || !localTime.isValid())
        return false;
    const int ms = localTime.msecsSinceStartOfDay();
    const auto &day = intervals(localDate);
    return std::any_of(day.begin(), day.end(), [ms](const Interval &interval) {
        return ms >= interval.startMinute * 60'000 && ms < interval.endMinute * 60'000;
    });
}

int WeeklyHours::minutesPerWeek() const
{
    int total = 0;
    for (const auto &day : m_days)
        for (const Interval &interval : day)
            total += interval.endMinute - interval.startMinute;
    return total;
}

} // namespace LeadDesk::Core
