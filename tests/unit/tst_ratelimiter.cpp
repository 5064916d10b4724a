#include "clock.h"
#include "ratelimiter.h"

#include <QTest>

using namespace LeadDesk;

class tst_RateLimiter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void allowsTheLimitThenRefuses();
    void refillsContinuously();
    void keysAreIndependent();
    void zeroLimitDisables();
    void retryAfterIsWholeSeconds_data();
    void retryAfterIsWholeSeconds();
    void seedHourlyCampaignLimit();
    void forgetsIdleKeys();
};

void tst_RateLimiter::allowsTheLimitThenRefuses()
{
    Core::ManualClock clock;
    Sync::RateLimiter limiter(100, 60'000, clock);
    for (int i = 0; i < 100; ++i)
        QVERIFY(limiter.take(QStringLiteral("10.0.0.1")).allowed);
    const Sync::RateLimiter::Decision refused = limiter.take(QStringLiteral("10.0.0.1"));
    QVERIFY(!refused.allowed);
    QCOMPARE(refused.retryAfterMs, 600); // one request back every 60 s / 100
    QVERIFY(!limiter.take(QStringLiteral("10.0.0.1")).allowed);
}

void tst_RateLimiter::refillsContinuously()
{
    Core::ManualClock clock;
    Sync::RateLimiter limiter(100, 60'000, clock);
    for (int i = 0; i < 100; ++i)
        QVERIFY(limiter.take(QStringLiteral("peer")).allowed);
    clock.advanceMs(599);
    QVERIFY(!limiter.take(QStringLiteral("peer")).allowed);
    clock.advanceMs(1);
    QVERIFY(limiter.take(QStringLiteral("peer")).allowed);
    QVERIFY(!limiter.take(QStringLiteral("peer")).allowed);
    // A full window later the whole budget is back, and not more.
    clock.advanceMs(120'000);
    for (int i = 0; i < 100; ++i)
        QVERIFY(limiter.take(QStringLiteral("peer")).allowed);
    QVERIFY(!limiter.take(QStringLiteral("peer")).allowed);
}

void tst_RateLimiter::keysAreIndependent()
{
    Core::ManualClock clock;
    Sync::RateLimiter limiter(2, 60'000, clock);
    QVERIFY(limiter.take(QStringLiteral("a")).allowed);
    QVERIFY(limiter.take(QStringLiteral("a")).allowed);
    QVERIFY(!limiter.take(QStringLiteral("a")).allowed);
    QVERIFY(limiter.take(QStringLiteral("b")).allowed);
    QCOMPARE(limiter.trackedKeys(), 2);
}

void tst_RateLimiter::zeroLimitDisables()
{
    Core::ManualClock clock;
    Sync::RateLimiter limiter(0, 60'000, clock);
    for (int i = 0; i < 10'000; ++i)
        QVERIFY(limiter.take(QStringLiteral("x")).allowed);
    QCOMPARE(limiter.trackedKeys(), 0);
}

void tst_RateLimiter::retryAfterIsWholeSeconds_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<qint64>("seconds");
    QTest::newRow("under a second") << qint64(1) << qint64(1);
    QTest::newRow("exact") << qint64(2000) << qint64(2);
    QTest::newRow("rounds up") << qint64(2001) << qint64(3);
    QTest::newRow("zero") << qint64(0) << qint64(1);
}

void tst_RateLimiter::retryAfterIsWholeSeconds()
{
    QFETCH(qint64, ms);
    QFETCH(qint64, seconds);
    QCOMPARE(Sync::RateLimiter::retryAfterSeconds(ms), seconds);
}

void tst_RateLimiter::seedHourlyCampaignLimit()
{
    Core::ManualClock clock;
    Sync::RateLimiter limiter(1000, 3'600'000, clock);
    for (int i = 0; i < 1000; ++i)
        QVERIFY(limiter.take(QStringLiteral("campaign:x")).allowed);
    const auto refused = limiter.take(QStringLiteral("campaign:x"));
    QVERIFY(!refused.allowed);
    QCOMPARE(Sync::RateLimiter::retryAfterSeconds(refused.retryAfterMs), 4); // 3.6 s per request
}

void tst_RateLimiter::forgetsIdleKeys()
{
    Core::ManualClock clock;
    Sync::RateLimiter limiter(10, 1000, clock);
    for (int i = 0; i < 2000; ++i)
        QVERIFY(limiter.take(QStringLiteral("peer-%1").arg(i)).allowed);
    QCOMPARE(limiter.trackedKeys(), 2000);
    clock.advanceMs(5000); // every bucket has refilled: they are all like new ones
    QVERIFY(limiter.take(QStringLiteral("fresh")).allowed);
    QCOMPARE(limiter.trackedKeys(), 1);
}

QTEST_GUILESS_MAIN(tst_RateLimiter)
#include "tst_ratelimiter.moc"
