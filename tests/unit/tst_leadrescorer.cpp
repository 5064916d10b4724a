#include "clock.h"
#include "leadingestor.h"
#include "leadrescorer.h"
#include "scoringrules.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;

class tst_LeadRescorer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ingestedLeadsAreScored();
    void rescoreAppliesChangedRules();
    void rescorePagesThroughManyLeads();
    void emptyStoreRescoresNothing();

private:
    static Core::LeadRecord seedExample()
    {
        // Seed 004's sample request.
        Core::LeadRecord r;
        r.channel = QStringLiteral("webform");
        r.firstName = QStringLiteral("John");
        r.lastName = QStringLiteral("Doe");
        r.email = QStringLiteral("john.doe@company.com");
        r.phone = QStringLiteral("+15551234567");
        r.company = QStringLiteral("Acme Corp");
        r.serviceInterest = QStringLiteral("Nextcloud Installation");
        r.urgency = QStringLiteral("High (Same day)");
        r.budgetRange = QStringLiteral("$5000-$10000");
        r.utmMedium = QStringLiteral("cpc");
        r.createdAtMs = 1000;
        return r;
    }
    static QString scalar(Core::Database &db, const QString &sql)
    {
        QSqlQuery q(db.connection());
        if (!q.exec(sql) || !q.next())
            return QStringLiteral("<none>");
        return q.value(0).toString();
    }
};

void tst_LeadRescorer::ingestedLeadsAreScored()
{
    Test::TempStore store;
    auto rules = Core::ScoringRules::loadDefault();
    LD_VERIFY_OK(rules);
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    ingestor.setScoring(std::make_shared<const Core::ScoringRules>(*rules));
    LD_VERIFY_OK(ingestor.store(store.businessId(), seedExample()));
    // 25 contact quality + 35 intent + 0 behaviour + 15 paid search (see tst_scoringengine).
    QCOMPARE(scalar(store.db(),
                    QStringLiteral(
                        "SELECT lead_score || lead_grade || qualification_status FROM leads")),
             QStringLiteral("75Bsales_qualified"));
    const QJsonObject breakdown
        = QJsonDocument::fromJson(
              scalar(store.db(), QStringLiteral("SELECT score_breakdown FROM leads")).toUtf8())
              .object();
    int sum = 0;
    for (const QJsonValue &points : breakdown)
        sum += points.toInt();
    QCOMPARE(sum, 75);
}

void tst_LeadRescorer::rescoreAppliesChangedRules()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock); // no scoring: the lead arrives unscored
    LD_VERIFY_OK(ingestor.store(store.businessId(), seedExample()));
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT lead_score FROM leads")),
             QStringLiteral("0"));

    auto rules = Core::ScoringRules::loadDefault();
    auto rescored = Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), *rules);
    LD_VERIFY_OK(rescored);
    QCOMPARE(*rescored, 1);
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT lead_score FROM leads")),
             QStringLiteral("75"));

    // An owner doubles nothing but moves the grade thresholds: the grade follows.
    const QByteArray strict = R"({"version":1,"lead":{
        "grades":[{"label":"A","min":95},{"label":"B","min":90},{"label":"C","min":80},{"label":"D","min":0}],
        "qualification":[{"label":"sales_qualified","min":90},{"label":"marketing_qualified","min":70},{"label":"unqualified","min":0}],
        "groups":[{"id":"contact","max":100,"rules":[{"id":"has_phone","points":75,"when":{"field":"phone","op":"not_empty"}}]}]}})";
    auto changed = Core::ScoringRules::parse(strict);
    LD_VERIFY_OK(changed);
    LD_VERIFY_OK(Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), *changed));
    QCOMPARE(scalar(store.db(),
                    QStringLiteral(
                        "SELECT lead_score || lead_grade || qualification_status FROM leads")),
             QStringLiteral("75Dmarketing_qualified"));
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT score_breakdown FROM leads")),
             QStringLiteral(R"({"has_phone":75})"));
}

void tst_LeadRescorer::rescorePagesThroughManyLeads()
{
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    QVERIFY(store.db().begin());
    const int n = Core::LeadRescorer::kPageSize * 2 + 17;
    for (int i = 0; i < n; ++i) {
        Core::LeadRecord r = seedExample();
        r.email = QStringLiteral("p%1@%2").arg(i).arg(i % 2 ? QStringLiteral("gmail.com")
                                                            : QStringLiteral("acme.example"));
        r.phone.clear();
        QVERIFY(ingestor.store(store.businessId(), r));
    }
    QVERIFY(store.db().commit());
    auto rules = Core::ScoringRules::loadDefault();
    QList<qint64> steps;
    auto rescored = Core::LeadRescorer::rescoreAll(
        store.db(), store.businessId(), *rules, [&steps](qint64 done, qint64 total) {
            steps << done;
            QCOMPARE(total, qint64(2 * Core::LeadRescorer::kPageSize + 17));
        });
    LD_VERIFY_OK(rescored);
    QCOMPARE(*rescored, n);
    QCOMPARE(steps.size(), 3);
    QCOMPARE(steps.last(), n);
    // Free-mail leads miss the 15 business-e-mail points.
    QCOMPARE(
        Test::countRows(store.db(), QStringLiteral("leads"), QStringLiteral("lead_score = 70")),
        (n + 1) / 2);
    QCOMPARE(
        Test::countRows(store.db(), QStringLiteral("leads"), QStringLiteral("lead_score = 55")),
        n / 2);
}

void tst_LeadRescorer::emptyStoreRescoresNothing()
{
    Test::TempStore store;
    auto rules = Core::ScoringRules::loadDefault();
    auto rescored = Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), *rules);
    LD_VERIFY_OK(rescored);
    QCOMPARE(*rescored, 0);
}

QTEST_GUILESS_MAIN(tst_LeadRescorer)
#include "tst_leadrescorer.moc"
