#include "ids.h"

#include <QSet>
#include <QTest>
#include <QUuid>

using namespace LeadDesk::Core;

class tst_Ids : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void uuidV7HasVersionAndTimestamp();
    void uuidV7SortsInCreationOrder();
    void seededUuidIsReproducible();
    void timestampOfNonV7IsRejected();
    void hlcIsMonotonic();
};

void tst_Ids::uuidV7HasVersionAndTimestamp()
{
    const qint64 ms = 1'760'000'000'123;
    const QString id = Ids::uuidV7(ms);
    QCOMPARE(id.size(), 36);
    QCOMPARE(id, id.toLower());
    QCOMPARE(id.at(14), QLatin1Char('7')); // version nibble
    QCOMPARE(QUuid(id).variant(), QUuid::DCE);
    QCOMPARE(Ids::uuidV7Timestamp(id), ms);
}

void tst_Ids::uuidV7SortsInCreationOrder()
{
    // Many ids in the same millisecond, and a clock that steps back, still sort in order.
    QStringList ids;
    for (int i = 0; i < 5000; ++i)
        ids << Ids::uuidV7(1'760'000'000'000 + (i % 7 == 3 ? -5 : i / 100));
    QStringList sorted = ids;
    sorted.sort();
    QCOMPARE(sorted, ids);
    QCOMPARE(QSet<QString>(ids.begin(), ids.end()).size(), ids.size());
}

void tst_Ids::seededUuidIsReproducible()
{
    QCOMPARE(Ids::uuidV7(1000, 0x1234'5678'9abc'def0ULL),
             Ids::uuidV7(1000, 0x1234'5678'9abc'def0ULL));
    QVERIFY(Ids::uuidV7(1000, 1) != Ids::uuidV7(1000, 2));
    QCOMPARE(Ids::uuidV7(1000, ~0ULL).at(14), QLatin1Char('7'));
    QCOMPARE(Ids::uuidV7Timestamp(Ids::uuidV7(1000, ~0ULL)), 1000);
}

void tst_Ids::timestampOfNonV7IsRejected()
{
    QCOMPARE(Ids::uuidV7Timestamp(QUuid::createUuid().toString(QUuid::WithoutBraces)), -1);
    QCOMPARE(Ids::uuidV7Timestamp(QStringLiteral("not a uuid")), -1);
}

void tst_Ids::hlcIsMonotonic()
{
    qint64 last = 0;
    for (qint64 ms : {5000, 5000, 4000, 6000, 6000}) {
        const qint64 stamp = Ids::nextHlc(ms);
        QVERIFY(stamp > last);
        last = stamp;
    }
    QVERIFY((last >> 16) >= 6000);
}

QTEST_GUILESS_MAIN(tst_Ids)
#include "tst_ids.moc"
