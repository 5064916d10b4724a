#include "analyticsperiod.h"

#include <QDateTime>

namespace LeadDesk::Core {

namespace {

const QDate kEpoch(1970, 1, 1);

Result<std::optional<QDate>> parseDate(const QString &text, const QString &field)
{
    if (text.trimmed().isEmpty())
        return std::nullopt;
    const QDate date = QDate::fromString(text.trimmed(), Qt::ISODate);
    // fromString(ISODate) also accepts a trailing time; a period is whole days only.
    if (!date.isValid() || text.trimmed().size() != 10)
        return fail(
            QStringLiteral("invalid date '%1': expected YYYY-MM-DD, e.g. 2025-10-01").arg(text),
            field);
    if (date < kEpoch)
        return fail(QStringLiteral("date %1 is before 1970").arg(text), field);
    return date;
}

} // namespace

AnalyticsPeriod AnalyticsPeriod::lastDays(int days, QDate today)
{
    AnalyticsPeriod period;
    period.from = today.addDays(1 - qMax(1, days));
    period.to = today;
    return period;
}

Result<AnalyticsPeriod> AnalyticsPeriod::parse(const QString &from, const QString &to)
{
    AnalyticsPeriod period;
    auto start = parseDate(from, QStringLiteral("from"));
    if (!start)
        return std::unexpected(start.error());
    auto end = parseDate(to, QStringLiteral("to"));
    if (!end)
        return std::unexpected(end.error());
    period.from = *start;
    period.to = *end;
    if (period.from && period.to && *period.from > *period.to)
        return fail(QStringLiteral("the period starts (%1) after it ends (%2)")
                        .arg(period.from->toString(Qt::ISODate), period.to->toString(Qt::ISODate)),
                    QStringLiteral("from"));
    return period;
}

AnalyticsRange AnalyticsRange::resolve(const AnalyticsPeriod &period, const QTimeZone &zone)
{
    AnalyticsRange range;
    // Midnight in the zone, not in UTC: a day is 23 or 25 hours long across a DST change.
    if (period.from) {
        range.fromDay = dayNumber(*period.from);
        range.fromMs = QDateTime(*period.from, QTime(0, 0), zone).toMSecsSinceEpoch();
    }
    if (period.to) {
        range.toDay = dayNumber(*period.to);
        range.toMs = QDateTime(period.to->addDays(1), QTime(0, 0), zone).toMSecsSinceEpoch();
    }
    return range;
}

qint64 AnalyticsRange::dayNumber(QDate date)
{
    return kEpoch.daysTo(date);
}

QDate AnalyticsRange::dateOfDay(qint64 day)
{
    return kEpoch.addDays(day);
}

} // namespace LeadDesk::Core
