#pragma once

#include "result.h"

#include <QDate>
#include <QString>
#include <QTimeZone>

#include <limits>
#include <optional>

namespace LeadDesk::Core {

// The days an analytics question covers, as dates in the business's time zone, both inclusive.
// An open end means "since the first lead" or "up to now".
struct AnalyticsPeriod
{
    std::optional<QDate> from;
    std::optional<QDate> to;

    [[nodiscard]] bool isAllTime() const { return !from && !to; }

    // The `days` days ending today (the dashboard's default: lastDays(30, today)).
    static AnalyticsPeriod lastDays(int days, QDate today);
    static AnalyticsPeriod allTime() { return {}; }
    // "YYYY-MM-DD" strings as typed by a user or sent in a query string; empty means open. Errors
    // name the bad field ("from"/"to") and say what was expected.
    static Result<AnalyticsPeriod> parse(const QString &from, const QString &to);
};

// A period pinned to instants for one business zone: local day numbers (days since 1970-01-01,
// the rollup's key) and the UTC millisecond range [fromMs, toMs) for queries on raw rows.
struct AnalyticsRange
{
    static constexpr qint64 kOpenLow = std::numeric_limits<qint64>::min();
    static constexpr qint64 kOpenHigh = std::numeric_limits<qint64>::max();

    qint64 fromDay = kOpenLow;
    qint64 toDay = kOpenHigh; // inclusive
    qint64 fromMs = kOpenLow;
    qint64 toMs = kOpenHigh; // exclusive

    static AnalyticsRange resolve(const AnalyticsPeriod &period, const QTimeZone &zone);

    // Local day number <-> date.
    static qint64 dayNumber(QDate date);
    static QDate dateOfDay(qint64 day);
};

// What an analytics request selects: one business, a period, and optionally one channel.
struct AnalyticsFilter
{
    QString businessId;
    AnalyticsPeriod period;
    QString source; // a lead channel ("webform", "sms"...); empty for every source
};

} // namespace LeadDesk::Core
