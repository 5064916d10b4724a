#include "testsupport.h"
#include "weeklyhours.h"

#include <QJsonArray>

#include <QJsonDocument>
#include <QTest>

using namespace LeadDesk::Core;

namespace {

QJsonValue json(const char *text)
{
    return QJsonDocument::fromJson(QByteArray(text)).object();
}

// 2025-03-03 is a Monday.
QDate weekday(int dayOfWeek)
{
    return QDate(2025, 3, 2).addDays(dayOfWeek);
}

} // namespace

class tst_WeeklyHours : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void officeHours();
    void missingDayIsClosed();
    void severalIntervalsMerge();
    void overnightIntervalRunsIntoNextDay();
    void wholeDayWith2400();
    void roundTripsThroughJson();
    void errorsNameThePath_data();
    void errorsNameThePath();
    void defaultIsClosed();
};

void tst_WeeklyHours::officeHours()
{
    auto hours
        = WeeklyHours::parse(json(R"({"mon":[["09:00","17:00"]],"fri":[["9:30","17:00"]]})"));
    LD_VERIFY_OK(hours);
    QVERIFY(hours->isOpen(weekday(1), QTime(9, 0)));
    QVERIFY(hours->isOpen(weekday(1), QTime(16, 59, 59, 999)));
    QVERIFY(!hours->isOpen(weekday(1), QTime(17, 0))); // the end is exclusive
    QVERIFY(!hours->isOpen(weekday(1), QTime(8, 59, 59)));
    QVERIFY(!hours->isOpen(weekday(5), QTime(9, 29)));
    QVERIFY(hours->isOpen(weekday(5), QTime(9, 30)));
    QCOMPARE(hours->intervals(weekday(1)), (QList<WeeklyHours::Interval>{{540, 1020}}));
    QCOMPARE(hours->minutesPerWeek(), 480 + 450);
}

void tst_WeeklyHours::missingDayIsClosed()
{
    auto hours = WeeklyHours::parse(json(R"({"mon":[["09:00","17:00"]],"tue":[]})"));
    LD_VERIFY_OK(hours);
    for (int day = 2; day <= 7; ++day) {
        QVERIFY(hours->intervals(day).isEmpty());
        QVERIFY(!hours->isOpen(weekday(day), QTime(12, 0)));
    }
}

void tst_WeeklyHours::severalIntervalsMerge()
{
    auto hours = WeeklyHours::parse(json(
        R"({"wed":[["13:00","17:00"],["08:00","12:00"],["11:00","12:30"],["17:00","18:00"]]})"));
    LD_VERIFY_OK(hours);
    // Sorted; overlapping and touching intervals merged.
    QCOMPARE(hours->intervals(3), (QList<WeeklyHours::Interval>{{480, 750}, {780, 1080}}));
    QVERIFY(!hours->isOpen(weekday(3), QTime(12, 45)));
    QVERIFY(hours->isOpen(weekday(3), QTime(17, 30)));
}

void tst_WeeklyHours::overnightIntervalRunsIntoNextDay()
{
    // Sunday night runs into Monday morning: the week wraps.
    auto hours
        = WeeklyHours::parse(json(R"({"fri":[["22:00","02:00"]],"sun":[["20:00","06:00"]]})"));
    LD_VERIFY_OK(hours);
    QCOMPARE(hours->intervals(5), (QList<WeeklyHours::Interval>{{1320, 1440}}));
    QCOMPARE(hours->intervals(6), (QList<WeeklyHours::Interval>{{0, 120}}));
    QCOMPARE(hours->intervals(1), (QList<WeeklyHours::Interval>{{0, 360}}));
    QVERIFY(hours->isOpen(weekday(6), QTime(1, 59)));
    QVERIFY(!hours->isOpen(weekday(6), QTime(2, 0)));
    QVERIFY(hours->isOpen(weekday(1), QTime(5, 0)));
    QCOMPARE(hours->minutesPerWeek(), 240 + 600);
    // Ending at midnight is not overnight into the next day.
    auto late = WeeklyHours::parse(json(R"({"mon":[["18:00","00:00"]]})"));
    LD_VERIFY_OK(late);
    QCOMPARE(late->intervals(1), (QList<WeeklyHours::Interval>{{1080, 1440}}));
    QVERIFY(late->intervals(2).isEmpty());
}

void tst_WeeklyHours::wholeDayWith2400()
{
    auto hours = WeeklyHours::parse(json(R"({"sat":[["00:00","24:00"]]})"));
    LD_VERIFY_OK(hours);
    QVERIFY(hours->isOpen(weekday(6), QTime(0, 0)));
    QVERIFY(hours->isOpen(weekday(6), QTime(23, 59, 59, 999)));
    QVERIFY(!hours->isOpen(weekday(7), QTime(0, 0)));
    QCOMPARE(hours->minutesPerWeek(), 1440);
}

void tst_WeeklyHours::roundTripsThroughJson()
{
    auto hours = WeeklyHours::parse(
        json(R"({"mon":[["9:00","12:00"],["13:00","17:00"]],"sun":[["22:00","02:00"]]})"));
    LD_VERIFY_OK(hours);
    const QJsonObject written = hours->toJson();
    QCOMPARE(
        QJsonDocument(written).toJson(QJsonDocument::Compact),
        QByteArray(R"({"mon":[["09:00","12:00"],["13:00","17:00"]],"sun":[["22:00","02:00"]]})"));
    auto again = WeeklyHours::parse(written);
    LD_VERIFY_OK(again);
    QVERIFY(*again == *hours);
}

void tst_WeeklyHours::errorsNameThePath_data()
{
    QTest::addColumn<QByteArray>("document");
    QTest::addColumn<QString>("field");
    QTest::newRow("unknown day") << QByteArray(R"({"monday":[]})") << "hours.monday";
    QTest::newRow("day not a list") << QByteArray(R"({"mon":"9-5"})") << "hours.mon";
    QTest::newRow("not a pair") << QByteArray(R"({"tue":[["09:00"]]})") << "hours.tue[0]";
    QTest::newRow("bad start") << QByteArray(R"({"wed":[["09:00","12:00"],["1pm","17:00"]]})")
                               << "hours.wed[1][0]";
    QTest::newRow("bad end") << QByteArray(R"({"thu":[["09:00","17:60"]]})") << "hours.thu[0][1]";
    QTest::newRow("25 hours") << QByteArray(R"({"thu":[["25:00","26:00"]]})") << "hours.thu[0][0]";
    QTest::newRow("number") << QByteArray(R"({"thu":[[9,17]]})") << "hours.thu[0][0]";
    QTest::newRow("start 24:00") << QByteArray(R"({"fri":[["24:00","02:00"]]})")
                                 << "hours.fri[0][0]";
    QTest::newRow("empty interval")
        << QByteArray(R"({"sat":[["10:00","10:00"]]})") << "hours.sat[0]";
}

void tst_WeeklyHours::errorsNameThePath()
{
    QFETCH(QByteArray, document);
    QFETCH(QString, field);
    const auto hours
        = WeeklyHours::parse(QJsonDocument::fromJson(document).object(), QStringLiteral("hours"));
    QVERIFY(!hours);
    QCOMPARE(hours.error().field, field);
    QVERIFY(!hours.error().message.isEmpty());
    // Not an object at all.
    const auto array = WeeklyHours::parse(QJsonValue(QJsonArray()));
    QVERIFY(!array);
}

void tst_WeeklyHours::defaultIsClosed()
{
    const WeeklyHours closed;
    QVERIFY(closed.isAlwaysClosed());
    QVERIFY(!closed.isOpen(weekday(1), QTime(12, 0)));
    QVERIFY(closed.toJson().isEmpty());
    QVERIFY(closed.intervals(0).isEmpty()); // an invalid date's day of week
}

QTEST_GUILESS_MAIN(tst_WeeklyHours)
#include "tst_weeklyhours.moc"
