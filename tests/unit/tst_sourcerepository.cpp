#include "sourcerepository.h"
#include "testsupport.h"

#include <QJsonObject>
#include <QTest>

using namespace LeadDesk;

class tst_SourceRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addListAndFind();
    void duplicateAddIsAnError();
    void unknownKindIsRefused();
    void removeTombstonesAndAllowsReadding();
    void removeUnknownIsAnError();
};

void tst_SourceRepository::addListAndFind()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    Core::SourceRepository repo(store.db());
    const auto added = repo.add(store.businessId(), QStringLiteral("sms"), QStringLiteral("main"),
                                {{QStringLiteral("number"), QStringLiteral("+15550100")}}, 1000);
    LD_VERIFY_OK(added);
    QCOMPARE(added->kind, QStringLiteral("sms"));
    LD_VERIFY_OK(repo.add(store.businessId(), QStringLiteral("csv"), QStringLiteral("drop"),
                          {{QStringLiteral("vendor"), QStringLiteral("experian")}}, 2000));
    const auto all = repo.list(store.businessId());
    LD_VERIFY_OK(all);
    QCOMPARE(all->size(), 2);
    QCOMPARE(all->at(0).kind, QStringLiteral("csv")); // by kind, then name
    QCOMPARE(all->at(1).settings.value(QStringLiteral("number")).toString(),
             QStringLiteral("+15550100"));
    QCOMPARE(all->at(1).createdAt, 1000);
    QVERIFY(all->at(1).enabled);
    const auto sms = repo.list(store.businessId(), QStringLiteral("sms"));
    LD_VERIFY_OK(sms);
    QCOMPARE(sms->size(), 1);
    const auto found = repo.find(store.businessId(), QStringLiteral("csv"), QStringLiteral("drop"));
    LD_VERIFY_OK(found);
    QVERIFY(found->has_value());
    QCOMPARE((*found)->settings.value(QStringLiteral("vendor")).toString(),
             QStringLiteral("experian"));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("sources"), QStringLiteral("hlc > 0")), 2);
}

void tst_SourceRepository::duplicateAddIsAnError()
{
    Test::TempStore store;
    Core::SourceRepository repo(store.db());
    LD_VERIFY_OK(
        repo.add(store.businessId(), QStringLiteral("whatsapp"), QStringLiteral("shop"), {}, 1000));
    const auto again = repo.add(store.businessId(), QStringLiteral("whatsapp"),
                                QStringLiteral("shop"), {}, 2000);
    QVERIFY(!again);
    QCOMPARE(again.error().field, QStringLiteral("name"));
    QVERIFY(again.error().message.contains(QStringLiteral("already exists")));
}

void tst_SourceRepository::unknownKindIsRefused()
{
    Test::TempStore store;
    Core::SourceRepository repo(store.db());
    const auto added
        = repo.add(store.businessId(), QStringLiteral("fax"), QStringLiteral("x"), {}, 1000);
    QVERIFY(!added);
    QCOMPARE(added.error().field, QStringLiteral("kind"));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("sources")), 0);
}

void tst_SourceRepository::removeTombstonesAndAllowsReadding()
{
    Test::TempStore store;
    Core::SourceRepository repo(store.db());
    const auto first = repo.add(store.businessId(), QStringLiteral("thumbtack"),
                                QStringLiteral("pro"), {}, 1000);
    LD_VERIFY_OK(first);
    LD_VERIFY_OK(
        repo.remove(store.businessId(), QStringLiteral("thumbtack"), QStringLiteral("pro"), 2000));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("sources"),
                             QStringLiteral("deleted = 1 AND updated_at = 2000")),
             1);
    const auto listed = repo.list(store.businessId());
    LD_VERIFY_OK(listed);
    QVERIFY(listed->isEmpty());
    const auto again = repo.add(store.businessId(), QStringLiteral("thumbtack"),
                                QStringLiteral("pro"), {{QStringLiteral("a"), 1}}, 3000);
    LD_VERIFY_OK(again);
    QVERIFY(again->id != first->id);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("sources"), QStringLiteral("deleted = 0")),
             1);
}

void tst_SourceRepository::removeUnknownIsAnError()
{
    Test::TempStore store;
    Core::SourceRepository repo(store.db());
    const auto removed
        = repo.remove(store.businessId(), QStringLiteral("sms"), QStringLiteral("nope"), 1000);
    QVERIFY(!removed);
    QVERIFY(removed.error().message.contains(QStringLiteral("no sms source named 'nope'")));
}

QTEST_GUILESS_MAIN(tst_SourceRepository)
#include "tst_sourcerepository.moc"
