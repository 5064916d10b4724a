#include "settingsrepository.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;

class tst_SettingsRepository : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void missingKeyHasNoValue();
    void setReplacesAndRemoveForgets();
    void documentsAreKeptPerBusiness();
    void bytesAreKeptVerbatim();
};

void tst_SettingsRepository::missingKeyHasNoValue()
{
    Test::TempStore store;
    Core::SettingsRepository settings(store.db());
    auto value = settings.value(store.businessId(),
                                QString::fromLatin1(Core::SettingsRepository::kSlaPolicy));
    LD_VERIFY_OK(value);
    QVERIFY(!value->has_value());
}

void tst_SettingsRepository::setReplacesAndRemoveForgets()
{
    Test::TempStore store;
    Core::SettingsRepository settings(store.db());
    const QString key = QString::fromLatin1(Core::SettingsRepository::kScoringRules);
    LD_VERIFY_OK(settings.setValue(store.businessId(), key, R"({"v":1})", 1000));
    LD_VERIFY_OK(settings.setValue(store.businessId(), key, R"({"v":2})", 2000));
    auto value = settings.value(store.businessId(), key);
    LD_VERIFY_OK(value);
    QCOMPARE(value->value_or(QByteArray()), QByteArray(R"({"v":2})"));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("settings"),
                             QStringLiteral("key = '") + key + QLatin1Char('\'')),
             1);

    LD_VERIFY_OK(settings.remove(store.businessId(), key));
    value = settings.value(store.businessId(), key);
    LD_VERIFY_OK(value);
    QVERIFY(!value->has_value());
}

void tst_SettingsRepository::documentsAreKeptPerBusiness()
{
    Test::TempStore store;
    Core::SettingsRepository settings(store.db());
    QSqlQuery insert(store.db().connection());
    QVERIFY(insert.exec(QStringLiteral(
        "INSERT INTO businesses (id, name, created_at, updated_at) VALUES ('b2', 'Other', 0, 0)")));
    const QString key = QString::fromLatin1(Core::SettingsRepository::kRoutingRules);
    LD_VERIFY_OK(settings.setValue(store.businessId(), key, "mine", 1));
    LD_VERIFY_OK(settings.setValue(QStringLiteral("b2"), key, "theirs", 1));
    auto mine = settings.value(store.businessId(), key);
    auto theirs = settings.value(QStringLiteral("b2"), key);
    LD_VERIFY_OK(mine);
    LD_VERIFY_OK(theirs);
    QCOMPARE(mine->value_or(QByteArray()), QByteArray("mine"));
    QCOMPARE(theirs->value_or(QByteArray()), QByteArray("theirs"));
}

void tst_SettingsRepository::bytesAreKeptVerbatim()
{
    Test::TempStore store;
    Core::SettingsRepository settings(store.db());
    const QByteArray hostile = "{\"name\": \"Robert'); DROP TABLE settings;--\", \"é\": \"日本\"}";
    LD_VERIFY_OK(settings.setValue(store.businessId(), QStringLiteral("x"), hostile, 1));
    auto value = settings.value(store.businessId(), QStringLiteral("x"));
    LD_VERIFY_OK(value);
    QCOMPARE(value->value_or(QByteArray()), hostile);
}

QTEST_MAIN(tst_SettingsRepository)
#include "tst_settingsrepository.moc"
