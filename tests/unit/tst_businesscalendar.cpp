#include "businesscalendar.h"
#include "settingsrepository.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSqlQuery>
#include <QTest>

#include <thread>

using namespace LeadDesk::Core;

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;

QTimeZone zone(const char *name)
{
    return QTimeZone(QByteArray(name));
}

// A local wall-clock time in a zone, as UTC ms.
qint64 local(const char *zoneName, int y, int mo, int d, int h, int mi = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi), zone(zoneName)).toMSecsSinceEpoch();
}

qint64 utc(int y, int mo, int d, int h, int mi = 0)
{
    return QDateTime(QDate(y, mo, d), QTime(h, mi), Qt::UTC).toMSecsSinceEpoch();
}

WeeklyHours hours(const char *json)
{
    auto parsed = WeeklyHours::parse(QJsonDocument::fromJson(QByteArray(json)).object());
    if (!parsed)
        qFatal("bad hours in test: %s", qPrintable(parsed.error().toString()));
    return *parsed;
}

const char *kOffice = R"({"mon":[["09:00","17:00"]],"tue":[["09:00","17:00"]],
    "wed":[["09:00","17:00"]],"thu":[["09:00","17:00"]],"fri":[["09:00","17:00"]]})";
const char *kAllWeek = R"({"mon":[["00:00","24:00"]],"tue":[["00:00","24:00"]],
    "wed":[["00:00","24:00"]],"thu":[["00:00","24:00"]],"fri":[["00:00","24:00"]],
    "sat":[["00:00","24:00"]],"sun":[["00:00","24:00"]]})";

QString utcText(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODate);
}

} // namespace

class tst_BusinessCalendar : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void withinOneDay();
    void acrossTheWeekend();
    void startOutsideHours_data();
    void startOutsideHours();
    void endAtClosingStaysThere();
    void zeroAndNegativeDurations();
    void holidaysAreClosed();
    void yearlyHolidays();
    void springForwardNewYork();
    void fallBackNewYork();
    void springForwardBerlin();
    void fallBackBerlin();
    void openingInsideTheGap();
    void overnightIntervals();
    void closedDaysAndAlwaysClosed();
    void defaultIsWallClock();
    void longDurationsAndFarDates();
    void addAndBetweenAgree_data();
    void addAndBetweenAgree();
    void documentParsing();
    void documentErrorsNameThePath_data();
    void documentErrorsNameThePath();
    void loadsFromSettingsInTheBusinessZone();
    void sharedAcrossThreads();
};

void tst_BusinessCalendar::withinOneDay()
{
    const BusinessCalendar cal(zone("America/New_York"), hours(kOffice));
    const qint64 start = local("America/New_York", 2025, 6, 10, 10, 0); // Tuesday
    QCOMPARE(cal.addBusinessTime(start, 2 * kHour), local("America/New_York", 2025, 6, 10, 12));
    QCOMPARE(cal.businessTimeBetween(start, local("America/New_York", 2025, 6, 10, 16, 30)),
             6 * kHour + 30 * kMinute);
    QVERIFY(cal.isOpenAt(start));
    QVERIFY(!cal.isOpenAt(local("America/New_York", 2025, 6, 10, 17)));
    QVERIFY(!cal.isOpenAt(local("America/New_York", 2025, 6, 10, 8, 59)));
}

void tst_BusinessCalendar::acrossTheWeekend()
{
    const BusinessCalendar cal(zone("America/New_York"), hours(kOffice));
    const qint64 friday = local("America/New_York", 2025, 6, 13, 15, 0);
    const qint64 monday = local("America/New_York", 2025, 6, 16, 11, 0);
    QCOMPARE(cal.addBusinessTime(friday, 4 * kHour), monday);
    QCOMPARE(cal.businessTimeBetween(friday, monday), 4 * kHour);
    // Time over the weekend counts nothing.
    QCOMPARE(cal.businessTimeBetween(local("America/New_York", 2025, 6, 13, 17, 0),
                                     local("America/New_York", 2025, 6, 16, 9, 0)),
             0);
    QVERIFY(!cal.isOpenAt(local("America/New_York", 2025, 6, 14, 12)));
    // A full week is five eight-hour days.
    QCOMPARE(cal.businessTimeBetween(friday, friday + 7 * 24 * kHour), 40 * kHour);
}

void tst_BusinessCalendar::startOutsideHours_data()
{
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("due");
    const char *ny = "America/New_York";
    QTest::newRow("before opening")
        << local(ny, 2025, 6, 10, 7, 0) << local(ny, 2025, 6, 10, 9, 30);
    QTest::newRow("after closing")
        << local(ny, 2025, 6, 10, 18, 0) << local(ny, 2025, 6, 11, 9, 30);
    QTest::newRow("saturday") << local(ny, 2025, 6, 14, 10, 0) << local(ny, 2025, 6, 16, 9, 30);
    QTest::newRow("friday night") << local(ny, 2025, 6, 13, 23, 0) << local(ny, 2025, 6, 16, 9, 30);
    QTest::newRow("at opening") << local(ny, 2025, 6, 16, 9, 0) << local(ny, 2025, 6, 16, 9, 30);
    QTest::newRow("at closing") << local(ny, 2025, 6, 16, 17, 0) << local(ny, 2025, 6, 17, 9, 30);
}

void tst_BusinessCalendar::startOutsideHours()
{
    QFETCH(qint64, start);
    QFETCH(qint64, due);
    const BusinessCalendar cal(zone("America/New_York"), hours(kOffice));
    QCOMPARE(utcText(cal.addBusinessTime(start, 30 * kMinute)), utcText(due));
    QCOMPARE(cal.businessTimeBetween(start, due), 30 * kMinute);
}

void tst_BusinessCalendar::endAtClosingStaysThere()
{
    const BusinessCalendar cal(zone("America/New_York"), hours(kOffice));
    const qint64 start = local("America/New_York", 2025, 6, 10, 9, 0);
    // Exactly the day's hours: due at 17:00 that day, not 09:00 the next.
    QCOMPARE(cal.addBusinessTime(start, 8 * kHour), local("America/New_York", 2025, 6, 10, 17));
    QCOMPARE(cal.addBusinessTime(start, 8 * kHour + 1),
             local("America/New_York", 2025, 6, 11, 9) + 1);
}

void tst_BusinessCalendar::zeroAndNegativeDurations()
{
    const BusinessCalendar cal(zone("America/New_York"), hours(kOffice));
    const qint64 saturday = local("America/New_York", 2025, 6, 14, 10, 0);
    QCOMPARE(cal.addBusinessTime(saturday, 0), saturday);
    QCOMPARE(cal.addBusinessTime(saturday, -kHour), saturday);
    QCOMPARE(cal.businessTimeBetween(saturday, saturday), 0);
    const qint64 tuesday = local("America/New_York", 2025, 6, 17, 11, 0);
    QCOMPARE(cal.businessTimeBetween(saturday, tuesday), 8 * kHour + 2 * kHour);
    QCOMPARE(cal.businessTimeBetween(tuesday, saturday), -(10 * kHour));
}

void tst_BusinessCalendar::holidaysAreClosed()
{
    // Memorial Day, Monday 2025-05-26.
    const BusinessCalendar cal(zone("America/New_York"), hours(kOffice), {QDate(2025, 5, 26)});
    QVERIFY(cal.isHoliday(QDate(2025, 5, 26)));
    QVERIFY(!cal.isOpenAt(local("America/New_York", 2025, 5, 26, 12)));
    const qint64 friday = local("America/New_York", 2025, 5, 23, 16, 0);
    QCOMPARE(cal.addBusinessTime(friday, 2 * kHour), local("America/New_York", 2025, 5, 27, 10));
    QCOMPARE(cal.businessTimeBetween(friday, local("America/New_York", 2025, 5, 28, 9)), 9 * kHour);
    QVERIFY(cal.openIntervals(QDate(2025, 5, 26)).isEmpty());
    QCOMPARE(cal.openIntervals(QDate(2025, 5, 27)).size(), 1);
    // A holiday at the start: the clock starts at the next opening.
    QCOMPARE(cal.addBusinessTime(local("America/New_York", 2025, 5, 26, 10), kHour),
             local("America/New_York", 2025, 5, 27, 10));
}

void tst_BusinessCalendar::yearlyHolidays()
{
    const BusinessCalendar cal(zone("Europe/Berlin"), hours(kOffice), {},
                               {{12, 24}, {12, 25}, {12, 26}});
    // Tuesday 2024-12-24 to Thursday 12-26 closed: from Monday 16:00, two hours end Friday 10:00.
    QCOMPARE(cal.addBusinessTime(local("Europe/Berlin", 2024, 12, 23, 16), 2 * kHour),
             local("Europe/Berlin", 2024, 12, 27, 10));
    QVERIFY(cal.isHoliday(QDate(2031, 12, 25)));
    QVERIFY(!cal.isHoliday(QDate(2031, 12, 27)));
}

void tst_BusinessCalendar::springForwardNewYork()
{
    // Sunday 2025-03-09: 02:00 EST jumps to 03:00 EDT (07:00 UTC).
    const BusinessCalendar allWeek(zone("America/New_York"), hours(kAllWeek));
    const qint64 midnight = local("America/New_York", 2025, 3, 9, 0);
    const qint64 nextMidnight = local("America/New_York", 2025, 3, 10, 0);
    QCOMPARE(nextMidnight - midnight, 23 * kHour);
    QCOMPARE(allWeek.businessTimeBetween(midnight, nextMidnight), 23 * kHour);
    QCOMPARE(allWeek.addBusinessTime(midnight, 23 * kHour), nextMidnight);
    const auto day = allWeek.openIntervals(QDate(2025, 3, 9));
    QCOMPARE(day.size(), 1);
    QCOMPARE(day.first().first, utc(2025, 3, 9, 5));
    QCOMPARE(day.first().second, utc(2025, 3, 10, 4));

    // Office hours across the DST weekend: Monday opens at 09:00 EDT, 13:00 UTC (not 14:00).
    const BusinessCalendar office(zone("America/New_York"), hours(kOffice));
    QCOMPARE(utcText(office.addBusinessTime(utc(2025, 3, 7, 21), 2 * kHour)),
             utcText(utc(2025, 3, 10, 14))); // Friday 16:00 EST + 2 h = Monday 10:00 EDT
    QCOMPARE(office.openIntervals(QDate(2025, 3, 10)).first(),
             std::make_pair(utc(2025, 3, 10, 13), utc(2025, 3, 10, 21)));
    QCOMPARE(office.openIntervals(QDate(2025, 3, 7)).first(),
             std::make_pair(utc(2025, 3, 7, 14), utc(2025, 3, 7, 22)));

    // Hours spanning the missing hour on a Sunday shift: 01:00-04:00 is two real hours.
    const BusinessCalendar night(zone("America/New_York"), hours(R"({"sun":[["01:00","04:00"]]})"));
    QCOMPARE(night.businessTimeBetween(midnight, nextMidnight), 2 * kHour);
    QVERIFY(night.isOpenAt(utc(2025, 3, 9, 6, 30))); // 01:30 EST
    QVERIFY(night.isOpenAt(utc(2025, 3, 9, 7, 0)));  // 03:00 EDT
    QVERIFY(!night.isOpenAt(utc(2025, 3, 9, 8, 0))); // 04:00 EDT
    QCOMPARE(night.addBusinessTime(midnight, 90 * kMinute), utc(2025, 3, 9, 7, 30));
}

void tst_BusinessCalendar::fallBackNewYork()
{
    // Sunday 2025-11-02: 02:00 EDT falls back to 01:00 EST (06:00 UTC).
    const BusinessCalendar allWeek(zone("America/New_York"), hours(kAllWeek));
    const qint64 midnight = local("America/New_York", 2025, 11, 2, 0);
    const qint64 nextMidnight = local("America/New_York", 2025, 11, 3, 0);
    QCOMPARE(nextMidnight - midnight, 25 * kHour);
    QCOMPARE(allWeek.businessTimeBetween(midnight, nextMidnight), 25 * kHour);
    QCOMPARE(allWeek.addBusinessTime(midnight, 25 * kHour), nextMidnight);

    const BusinessCalendar office(zone("America/New_York"), hours(kOffice));
    // Friday 16:00 EDT (20:00 UTC) + 2 h = Monday 10:00 EST (15:00 UTC).
    QCOMPARE(utcText(office.addBusinessTime(utc(2025, 10, 31, 20), 2 * kHour)),
             utcText(utc(2025, 11, 3, 15)));
    QCOMPARE(office.businessTimeBetween(utc(2025, 10, 31, 20), utc(2025, 11, 3, 15)), 2 * kHour);

    // A night shift 00:00-08:00 lasts nine real hours that night.
    const BusinessCalendar night(zone("America/New_York"), hours(R"({"sun":[["00:00","08:00"]]})"));
    QCOMPARE(night.businessTimeBetween(midnight, nextMidnight), 9 * kHour);
    QCOMPARE(night.addBusinessTime(midnight, 9 * kHour), local("America/New_York", 2025, 11, 2, 8));
}

void tst_BusinessCalendar::springForwardBerlin()
{
    // Sunday 2025-03-30: 02:00 CET jumps to 03:00 CEST (01:00 UTC).
    const BusinessCalendar allWeek(zone("Europe/Berlin"), hours(kAllWeek));
    QCOMPARE(allWeek.businessTimeBetween(utc(2025, 3, 29, 23), utc(2025, 3, 30, 22)), 23 * kHour);
    const auto day = allWeek.openIntervals(QDate(2025, 3, 30));
    QCOMPARE(day.first(), std::make_pair(utc(2025, 3, 29, 23), utc(2025, 3, 30, 22)));

    const BusinessCalendar office(zone("Europe/Berlin"), hours(kOffice));
    // Friday 16:00 CET (15:00 UTC) + 2 h = Monday 10:00 CEST (08:00 UTC).
    QCOMPARE(utcText(office.addBusinessTime(utc(2025, 3, 28, 15), 2 * kHour)),
             utcText(utc(2025, 3, 31, 8)));
    // 24 business hours from Thursday 09:00 CET: Thursday, Friday, Monday (in CEST).
    QCOMPARE(utcText(office.addBusinessTime(utc(2025, 3, 27, 8), 24 * kHour)),
             utcText(utc(2025, 3, 31, 15)));
}

void tst_BusinessCalendar::fallBackBerlin()
{
    // Sunday 2025-10-26: 03:00 CEST falls back to 02:00 CET (01:00 UTC).
    const BusinessCalendar allWeek(zone("Europe/Berlin"), hours(kAllWeek));
    QCOMPARE(allWeek.businessTimeBetween(utc(2025, 10, 25, 22), utc(2025, 10, 26, 23)), 25 * kHour);
    QVERIFY(allWeek.isOpenAt(utc(2025, 10, 26, 0, 30)));
    QVERIFY(allWeek.isOpenAt(utc(2025, 10, 26, 1, 30)));

    const BusinessCalendar office(zone("Europe/Berlin"), hours(kOffice));
    // Friday 16:00 CEST (14:00 UTC) + 2 h = Monday 10:00 CET (09:00 UTC).
    QCOMPARE(utcText(office.addBusinessTime(utc(2025, 10, 24, 14), 2 * kHour)),
             utcText(utc(2025, 10, 27, 9)));
    QCOMPARE(office.openIntervals(QDate(2025, 10, 27)).first(),
             std::make_pair(utc(2025, 10, 27, 8), utc(2025, 10, 27, 16)));
    // Weekend hours across the repeated hour: 01:00-05:00 is five real hours.
    const BusinessCalendar night(zone("Europe/Berlin"), hours(R"({"sun":[["01:00","05:00"]]})"));
    QCOMPARE(night.businessTimeBetween(utc(2025, 10, 25, 12), utc(2025, 10, 27, 12)), 5 * kHour);
}

void tst_BusinessCalendar::openingInsideTheGap()
{
    // Opening at 02:30 on a day without 02:30: the business opens when the clocks reach 03:00.
    const BusinessCalendar ny(zone("America/New_York"), hours(R"({"sun":[["02:30","05:00"]]})"));
    const auto day = ny.openIntervals(QDate(2025, 3, 9));
    QCOMPARE(day.size(), 1);
    QCOMPARE(day.first(), std::make_pair(utc(2025, 3, 9, 7), utc(2025, 3, 9, 9)));
    const BusinessCalendar berlin(zone("Europe/Berlin"), hours(R"({"sun":[["02:15","02:45"]]})"));
    // The whole interval is skipped that Sunday, and there the week before.
    QVERIFY(berlin.openIntervals(QDate(2025, 3, 30)).isEmpty());
    QCOMPARE(berlin.openIntervals(QDate(2025, 3, 23)).size(), 1);
}

void tst_BusinessCalendar::overnightIntervals()
{
    // Open Friday 22:00 to Saturday 02:00, and Saturday evening; closed otherwise.
    const BusinessCalendar cal(zone("America/New_York"),
                               hours(R"({"fri":[["22:00","02:00"]],"sat":[["18:00","20:00"]]})"));
    const qint64 friday23 = local("America/New_York", 2025, 6, 13, 23, 0);
    QCOMPARE(cal.addBusinessTime(friday23, 2 * kHour), local("America/New_York", 2025, 6, 14, 1));
    QCOMPARE(cal.addBusinessTime(friday23, 4 * kHour), local("America/New_York", 2025, 6, 14, 19));
    QVERIFY(cal.isOpenAt(local("America/New_York", 2025, 6, 14, 0, 0)));
    QVERIFY(!cal.isOpenAt(local("America/New_York", 2025, 6, 14, 2, 0)));
    QCOMPARE(cal.businessTimeBetween(local("America/New_York", 2025, 6, 9, 0),
                                     local("America/New_York", 2025, 6, 16, 0)),
             6 * kHour);
    // A holiday on the Saturday cuts the overnight interval at midnight.
    const BusinessCalendar holiday(zone("America/New_York"),
                                   hours(R"({"fri":[["22:00","02:00"]]})"), {QDate(2025, 6, 14)});
    QCOMPARE(holiday.addBusinessTime(friday23, 2 * kHour),
             local("America/New_York", 2025, 6, 20, 23));
}

void tst_BusinessCalendar::closedDaysAndAlwaysClosed()
{
    const BusinessCalendar closed(zone("America/New_York"), WeeklyHours());
    QCOMPARE(closed.addBusinessTime(utc(2025, 1, 1, 0), kHour), BusinessCalendar::kNever);
    QCOMPARE(closed.businessTimeBetween(utc(2025, 1, 1, 0), utc(2025, 2, 1, 0)), 0);
    QVERIFY(!closed.isOpenAt(utc(2025, 1, 1, 12)));
    // Only Wednesdays: a Thursday start waits six days.
    const BusinessCalendar wednesdays(QTimeZone::utc(), hours(R"({"wed":[["10:00","11:00"]]})"));
    QCOMPARE(wednesdays.addBusinessTime(utc(2025, 6, 12, 12), 90 * kMinute),
             utc(2025, 6, 25, 10, 30));
}

void tst_BusinessCalendar::defaultIsWallClock()
{
    const BusinessCalendar cal;
    QCOMPARE(cal.addBusinessTime(utc(2025, 6, 14, 10), 3 * kHour), utc(2025, 6, 14, 13));
    QCOMPARE(cal.businessTimeBetween(utc(2025, 6, 14, 10), utc(2025, 6, 20, 10)), 6 * 24 * kHour);
    QVERIFY(cal.isOpenAt(utc(2025, 6, 15, 3)));
}

void tst_BusinessCalendar::longDurationsAndFarDates()
{
    const BusinessCalendar cal(zone("Europe/Berlin"), hours(kOffice));
    // 400 business days of 8 hours = 80 weeks.
    const qint64 start = local("Europe/Berlin", 2020, 1, 6, 9);
    const qint64 due = cal.addBusinessTime(start, 400 * 8 * kHour);
    QCOMPARE(due, local("Europe/Berlin", 2021, 7, 16, 17));
    QCOMPARE(cal.businessTimeBetween(start, due), 400 * 8 * kHour);
    // Queries far before and after grow the table both ways.
    QCOMPARE(cal.addBusinessTime(local("Europe/Berlin", 1999, 12, 31, 16), 2 * kHour),
             local("Europe/Berlin", 2000, 1, 3, 10));
    QCOMPARE(cal.addBusinessTime(local("Europe/Berlin", 2040, 3, 30, 16), 2 * kHour),
             local("Europe/Berlin", 2040, 4, 2, 10));
}

void tst_BusinessCalendar::addAndBetweenAgree_data()
{
    QTest::addColumn<QString>("zoneName");
    QTest::newRow("New York") << QStringLiteral("America/New_York");
    QTest::newRow("Berlin") << QStringLiteral("Europe/Berlin");
    QTest::newRow("Lord Howe") << QStringLiteral("Australia/Lord_Howe"); // 30-minute DST
}

void tst_BusinessCalendar::addAndBetweenAgree()
{
    QFETCH(QString, zoneName);
    // Every due time lands where between() says the duration has passed, in open time, across
    // two years with both transitions and holidays.
    const BusinessCalendar cal(QTimeZone(zoneName.toUtf8()),
                               hours(R"({"mon":[["08:00","12:00"],["13:00","18:30"]],
                                         "tue":[["09:00","17:00"]],"wed":[["22:00","03:00"]],
                                         "thu":[["00:00","24:00"]],"fri":[["09:00","17:00"]],
                                         "sun":[["01:30","03:30"]]})"),
                               {QDate(2025, 3, 31), QDate(2025, 10, 27)}, {{1, 1}});
    QRandomGenerator rng(42);
    const qint64 from = utc(2024, 9, 1, 0);
    const qint64 span = 540LL * 24 * kHour;
    for (int i = 0; i < 3000; ++i) {
        const qint64 start = from + qint64(rng.bounded(quint64(span)));
        const qint64 duration = qint64(rng.bounded(quint64(60 * kHour))) + 1;
        const qint64 due = cal.addBusinessTime(start, duration);
        QVERIFY(due > start);
        QCOMPARE(cal.businessTimeBetween(start, due), duration);
        QVERIFY2(cal.isOpenAt(due - 1), qPrintable(utcText(due)));
        // Nothing earlier would do.
        QVERIFY(cal.businessTimeBetween(start, due - 1) == duration - 1);
    }
}

void tst_BusinessCalendar::documentParsing()
{
    auto cal = BusinessCalendar::parse(R"({"version":1,"time_zone":"Europe/Berlin",
        "weekly":{"mon":[["09:00","17:00"]]},
        "holidays":["2025-12-25",{"date":"2025-04-21","name":"Easter Monday"},"01-01"]})",
                                       QStringLiteral("America/New_York"));
    LD_VERIFY_OK(cal);
    QCOMPARE(cal->timeZone().id(), QByteArray("Europe/Berlin")); // the document's zone wins
    QVERIFY(cal->isHoliday(QDate(2025, 4, 21)));
    QVERIFY(cal->isHoliday(QDate(2030, 1, 1)));
    QVERIFY(!cal->isHoliday(QDate(2026, 12, 25)));
    auto again = BusinessCalendar::fromJson(cal->toJson(), QStringLiteral("UTC"));
    LD_VERIFY_OK(again);
    QCOMPARE(again->toJson(), cal->toJson());
    QCOMPARE(again->timeZone().id(), QByteArray("Europe/Berlin"));

    auto plain = BusinessCalendar::loadDefault(QStringLiteral("America/Chicago"));
    LD_VERIFY_OK(plain);
    QCOMPARE(plain->timeZone().id(), QByteArray("America/Chicago"));
    QCOMPARE(plain->hours().minutesPerWeek(), 5 * 8 * 60);
    QVERIFY(plain->isOpenAt(local("America/Chicago", 2025, 6, 10, 9)));
    QVERIFY(!plain->isOpenAt(local("America/Chicago", 2025, 6, 14, 9)));
}

void tst_BusinessCalendar::documentErrorsNameThePath_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("field");
    QTest::newRow("unknown key") << QByteArray(R"({"weekly":{},"hours":{}})") << "hours";
    QTest::newRow("no weekly") << QByteArray(R"({"holidays":[]})") << "weekly";
    QTest::newRow("bad hours") << QByteArray(R"({"weekly":{"mon":[["09:00","5pm"]]}})")
                               << "weekly.mon[0][1]";
    QTest::newRow("bad zone") << QByteArray(R"({"time_zone":"Mars/Olympus","weekly":{}})")
                              << "time_zone";
    QTest::newRow("bad holiday") << QByteArray(R"({"weekly":{},"holidays":["2025-12-25","xmas"]})")
                                 << "holidays[1]";
    QTest::newRow("bad holiday date")
        << QByteArray(R"({"weekly":{},"holidays":[{"date":"2025-02-30"}]})") << "holidays[0].date";
    QTest::newRow("holidays not a list")
        << QByteArray(R"({"weekly":{},"holidays":"none"})") << "holidays";
    QTest::newRow("version") << QByteArray(R"({"version":2,"weekly":{}})") << "version";
}

void tst_BusinessCalendar::documentErrorsNameThePath()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, field);
    const auto cal = BusinessCalendar::parse(document, QStringLiteral("UTC"));
    QVERIFY(!cal);
    QCOMPARE(cal.error().field, field);
    // The business's own zone is checked too.
    const auto badZone
        = BusinessCalendar::parse(R"({"weekly":{}})", QStringLiteral("Nowhere/City"));
    QVERIFY(!badZone);
    QCOMPARE(badZone.error().field, QStringLiteral("businesses.time_zone"));
    QVERIFY(!BusinessCalendar::parse("{", QStringLiteral("UTC")));
}

void tst_BusinessCalendar::loadsFromSettingsInTheBusinessZone()
{
    LeadDesk::Test::TempStore store;
    QVERIFY(store.isValid());
    QSqlQuery query(store.db().connection());
    QVERIFY(query.exec(QStringLiteral("UPDATE businesses SET time_zone = 'Europe/Berlin'")));
    auto fallback = BusinessCalendar::load(store.db(), store.businessId());
    LD_VERIFY_OK(fallback);
    QCOMPARE(fallback->timeZone().id(), QByteArray("Europe/Berlin"));
    QCOMPARE(fallback->hours().minutesPerWeek(), 2400);

    SettingsRepository settings(store.db());
    LD_VERIFY_OK(settings.setValue(store.businessId(),
                                   QString::fromLatin1(SettingsRepository::kBusinessHours),
                                   R"({"weekly":{"sat":[["10:00","14:00"]]}})", 0));
    auto stored = BusinessCalendar::load(store.db(), store.businessId());
    LD_VERIFY_OK(stored);
    QCOMPARE(stored->hours().minutesPerWeek(), 240);
    QCOMPARE(stored->timeZone().id(), QByteArray("Europe/Berlin"));

    LD_VERIFY_OK(settings.setValue(store.businessId(),
                                   QString::fromLatin1(SettingsRepository::kBusinessHours),
                                   R"({"weekly":{"sat":[["10:00"]]}})", 0));
    auto broken = BusinessCalendar::load(store.db(), store.businessId());
    QVERIFY(!broken);
    QVERIFY(broken.error().message.startsWith(QStringLiteral("business hours: ")));
}

void tst_BusinessCalendar::sharedAcrossThreads()
{
    const BusinessCalendar cal(zone("America/New_York"), hours(kOffice));
    const BusinessCalendar copy = cal; // shares the day table
    std::vector<std::thread> threads;
    std::atomic<int> mismatches = 0;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&copy, &mismatches, t] {
            // Each thread asks about a different decade, so the table grows under contention.
            const qint64 base = utc(2000 + 10 * t, 1, 3, 14);
            for (int i = 0; i < 2000; ++i) {
                const qint64 start = base + i * 7 * kHour;
                const qint64 due = copy.addBusinessTime(start, 5 * kHour);
                if (copy.businessTimeBetween(start, due) != 5 * kHour)
                    ++mismatches;
            }
        });
    }
    for (auto &thread : threads)
        thread.join();
    QCOMPARE(mismatches.load(), 0);
    QCOMPARE(cal.businessTimeBetween(utc(2030, 1, 7, 0), utc(2030, 1, 14, 0)), 40 * kHour);
}

QTEST_GUILESS_MAIN(tst_BusinessCalendar)
#include "tst_businesscalendar.moc"
