#pragma once

#include "database.h"
#include "result.h"
#include "weeklyhours.h"

#include <QByteArray>
#include <QDate>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QTimeZone>

#include <limits>
#include <memory>

namespace LeadDesk::Core {

// Business time of one business: its time zone, weekly hours and holidays (local dates, closed
// all day). SLA targets are measured in it: four business hours from Friday 15:00 end on Monday
// 11:00 with 09:00-17:00 hours.
//
// Arithmetic runs on a table of local days, each day's open intervals converted to UTC once with
// the zone's real offsets (so a spring-forward day has 23 hours and a fall-back day 25, and an
// opening time that falls in a gap opens at the transition), plus a running sum of open time.
// A query is then a division and a short scan, cheap enough for a whole-store pass. The table
// grows on demand and is shared by copies; all methods are const and thread-safe (readers take
// no lock: a grown table replaces the pointer, and outgrown ones are kept until the last copy
// of the calendar goes).
//
// The business.hours document (default resources/config/business-hours-default.json):
//   {"version": 1, "time_zone": "Europe/Berlin",      // optional: the business's zone otherwise
//    "weekly": {"mon": [["09:00","17:00"]], ...},      // see WeeklyHours
//    "holidays": ["2025-12-25", "01-01", {"date": "2025-04-18", "name": "Good Friday"}]}
// A holiday "MM-DD" recurs every year. An overnight interval that would run into a holiday is cut
// at midnight.
class BusinessCalendar
{
public:
    static constexpr auto defaultResource = ":/config/business-hours-default.json";
    // The result of adding business time when the calendar is never open.
    static constexpr qint64 kNever = std::numeric_limits<qint64>::max();

    // UTC, open all the time: business time is wall-clock time.
    BusinessCalendar();
    BusinessCalendar(const QTimeZone &zone, const WeeklyHours &hours,
                     const QList<QDate> &holidays = {},
                     const QList<std::pair<int, int>> &yearlyHolidays = {});

    // `businessTimeZone` (businesses.time_zone) applies unless the document names one; an
    // unknown zone is an error.
    [[nodiscard]] static Result<BusinessCalendar> parse(const QByteArray &json,
                                                        const QString &businessTimeZone);
    [[nodiscard]] static Result<BusinessCalendar> fromJson(const QJsonObject &document,
                                                           const QString &businessTimeZone);
    [[nodiscard]] static Result<BusinessCalendar> loadDefault(const QString &businessTimeZone);
    // The business's stored document (SettingsRepository::kBusinessHours) or the default, in the
    // business's time zone.
    [[nodiscard]] static Result<BusinessCalendar> load(Database &db, const QString &businessId);
    [[nodiscard]] QJsonObject toJson() const;

    [[nodiscard]] const QTimeZone &timeZone() const { return m_zone; }
    [[nodiscard]] const WeeklyHours &hours() const { return m_hours; }
    [[nodiscard]] bool isHoliday(QDate localDate) const;

    // The instant `durationMs` of business time after `startUtcMs` (a start outside hours counts
    // from the next opening; an end exactly at a closing stays there). Zero or negative
    // durations return the start; kNever when the calendar is never open.
    [[nodiscard]] qint64 addBusinessTime(qint64 startUtcMs, qint64 durationMs) const;
    // Business time from a to b; negative when b is before a.
    [[nodiscard]] qint64 businessTimeBetween(qint64 aUtcMs, qint64 bUtcMs) const;
    [[nodiscard]] bool isOpenAt(qint64 utcMs) const;
    // The open intervals [start, end) of a local date, in UTC ms.
    [[nodiscard]] QList<std::pair<qint64, qint64>> openIntervals(QDate localDate) const;

    // Builds the day table for a span up front (optional: queries grow it as needed).
    void prepare(qint64 fromUtcMs, qint64 toUtcMs) const;

    struct Table;
    struct Cache;

private:
    [[nodiscard]] const Table *tableFor(qint64 fromUtcMs, qint64 toUtcMs) const;
    [[nodiscard]] std::unique_ptr<const Table> build(QDate first, QDate last) const;

    QTimeZone m_zone;
    WeeklyHours m_hours;
    QSet<QDate> m_holidays;
    QSet<int> m_yearlyHolidays; // month * 100 + day
    QString m_zoneOverride;     // the document's own time_zone, written back by toJson()
    QJsonArray m_holidayList;   // as the document wrote it (names kept)
    std::shared_ptr<Cache> m_cache;
};

} // namespace LeadDesk::Core
