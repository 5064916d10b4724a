#include "scorerollupdeltas.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

#include <sqlite3.h>

using namespace LeadDesk;
using Core::ScoreRollupDeltas;

namespace {

constexpr qint64 kDay = 20'000; // days since the epoch
constexpr qint64 kNoon = kDay * 86'400'000 + 12 * 3'600'000;

sqlite3 *handleOf(Test::TempStore &store)
{
    return static_cast<sqlite3 *>(store.db().sqliteHandle());
}

ScoreRollupDeltas loaded(Test::TempStore &store)
{
    ScoreRollupDeltas deltas;
    const auto ok = deltas.load(handleOf(store), store.businessId().toUtf8());
    if (!ok)
        qWarning() << ok.error().message;
    return deltas;
}

ScoreRollupDeltas::LeadKey dailyKey(std::string_view channel, std::string_view assignee)
{
    ScoreRollupDeltas::LeadKey key;
    key.createdAtMs = kNoon;
    key.channel = channel;
    key.assignee = assignee;
    return key;
}

ScoreRollupDeltas::LeadKey campaignKey(std::string_view campaign, std::string_view sourceKey,
                                       std::string_view utmContent)
{
    ScoreRollupDeltas::LeadKey key = dailyKey("web_form", "");
    key.hasCampaign = true;
    key.campaignId = campaign;
    key.sourceKey = sourceKey;
    key.utmContent = utmContent;
    return key;
}

const ScoreRollupDeltas::Score kLow{10, "D", "unqualified"};
const ScoreRollupDeltas::Score kHigh{80, "A", "sales_qualified"};

// Each row of `sql` as its columns joined with '|'.
QStringList rowsOf(Test::TempStore &store, const QString &sql)
{
    QStringList rows;
    QSqlQuery q(store.db().connection());
    if (!q.exec(sql))
        return {QStringLiteral("query failed")};
    while (q.next()) {
        QStringList row;
        for (int c = 0; c < q.record().count(); ++c)
            row << q.value(c).toString();
        rows << row.join(u'|');
    }
    return rows;
}

// channel|assignee|gr_a|gr_d|qu_unqualified|qu_sales_qualified|score_sum, by key, on kDay.
QStringList dailyRows(Test::TempStore &store)
{
    return rowsOf(store, QStringLiteral("SELECT channel, assignee, gr_a, gr_d, qu_unqualified, "
                                        "qu_sales_qualified, score_sum FROM analytics_leads_daily "
                                        "WHERE day = %1 ORDER BY channel, assignee")
                             .arg(kDay))
           + rowsOf(store, QStringLiteral("SELECT 'another day: ' || day FROM "
                                          "analytics_leads_daily WHERE day <> %1")
                               .arg(kDay));
}

// campaign|source key|utm_content|qualified|score_sum, by key.
QStringList campaignRows(Test::TempStore &store)
{
    return rowsOf(store, QStringLiteral("SELECT campaign_id, source_key, utm_content, qualified, "
                                        "score_sum FROM analytics_campaign_daily "
                                        "ORDER BY campaign_id, source_key, utm_content"));
}

} // namespace

class tst_ScoreRollupDeltas : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void leadsOfOneRowAreSummedOnce();
    void keysDifferingAtTheirSeamsStayApart();
    void mergedSumsAddUp();
    void changesThatCancelOutWriteNothing();
};

void tst_ScoreRollupDeltas::leadsOfOneRowAreSummedOnce()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    ScoreRollupDeltas deltas = loaded(store);
    for (int i = 0; i < 3; ++i)
        deltas.add(dailyKey("sms", "rep-1"), kLow, kHigh);
    QVERIFY(!deltas.isEmpty());
    LD_VERIFY_OK(deltas.apply(handleOf(store)));
    QVERIFY(deltas.isEmpty());
    QCOMPARE(dailyRows(store), QStringList{QStringLiteral("sms|rep-1|3|-3|-3|3|210")});
    // Applied again, the row moves on from where it is.
    deltas.add(dailyKey("sms", "rep-1"), kHigh, kLow);
    LD_VERIFY_OK(deltas.apply(handleOf(store)));
    QCOMPARE(dailyRows(store), QStringList{QStringLiteral("sms|rep-1|2|-2|-2|2|140")});
}

void tst_ScoreRollupDeltas::keysDifferingAtTheirSeamsStayApart()
{
    // The same characters split differently between the key's texts are different rows.
    Test::TempStore store;
    QVERIFY(store.isValid());
    ScoreRollupDeltas deltas = loaded(store);
    deltas.add(dailyKey("ab", "c"), kLow, kHigh);
    deltas.add(dailyKey("a", "bc"), kLow, kHigh);
    deltas.add(dailyKey("abc", ""), kLow, kHigh);
    deltas.add(campaignKey("c1", "ab", "c"), kLow, kHigh);
    deltas.add(campaignKey("c1", "a", "bc"), kLow, kHigh);
    deltas.add(campaignKey("c1a", "b", "c"), kLow, kHigh);
    LD_VERIFY_OK(deltas.apply(handleOf(store)));
    QCOMPARE(dailyRows(store),
             (QStringList{QStringLiteral("a|bc|1|-1|-1|1|70"), QStringLiteral("ab|c|1|-1|-1|1|70"),
                          QStringLiteral("abc||1|-1|-1|1|70"),
                          // the three campaign leads' own daily row
                          QStringLiteral("web_form||3|-3|-3|3|210")}));
    QCOMPARE(campaignRows(store),
             (QStringList{QStringLiteral("c1|a|bc|1|70"), QStringLiteral("c1|ab|c|1|70"),
                          QStringLiteral("c1a|b|c|1|70")}));
}

void tst_ScoreRollupDeltas::mergedSumsAddUp()
{
    // As the scoring threads do: each sums its chunks, the page merges them.
    Test::TempStore store;
    QVERIFY(store.isValid());
    const ScoreRollupDeltas page = loaded(store);
    ScoreRollupDeltas first = page.emptyLike();
    ScoreRollupDeltas second = page.emptyLike();
    first.add(campaignKey("c1", "modal", ""), kLow, kHigh);
    second.add(campaignKey("c1", "modal", ""), kLow, kHigh);
    second.add(dailyKey("sms", ""), kHigh, kLow);
    ScoreRollupDeltas merged = page.emptyLike();
    merged.merge(first);
    merged.merge(second);
    LD_VERIFY_OK(merged.apply(handleOf(store)));
    QCOMPARE(dailyRows(store), (QStringList{QStringLiteral("sms||-1|1|1|-1|-70"),
                                            QStringLiteral("web_form||2|-2|-2|2|140")}));
    QCOMPARE(campaignRows(store), QStringList{QStringLiteral("c1|modal||2|140")});
}

void tst_ScoreRollupDeltas::changesThatCancelOutWriteNothing()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    ScoreRollupDeltas deltas = loaded(store);
    deltas.add(campaignKey("c1", "modal", ""), kLow, kHigh);
    deltas.add(campaignKey("c1", "modal", ""), kHigh, kLow);
    LD_VERIFY_OK(deltas.apply(handleOf(store)));
    QCOMPARE(dailyRows(store), QStringList());
    QCOMPARE(campaignRows(store), QStringList());
}

QTEST_GUILESS_MAIN(tst_ScoreRollupDeltas)
#include "tst_scorerollupdeltas.moc"
