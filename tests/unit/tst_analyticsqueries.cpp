// Every analytics statement is an index search, never a table scan, with and without the
// planner statistics ANALYZE gathers (SQLite can pick the wrong index for a range query).
#include "analyticsqueries.h"
#include "analyticsrollup.h"
#include "sqlitestatement.h"
#include "testsupport.h"

#include <QRegularExpression>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;

namespace {

QStringList planOf(Core::Database &db, const QString &sql)
{
    // Through the raw handle: Qt's driver refuses to run a statement with unbound ?NNN markers.
    const QByteArray text = "EXPLAIN QUERY PLAN " + sql.toUtf8();
    Core::SqliteStatement &query = db.statement(text.constData());
    QStringList lines;
    for (;;) {
        auto row = query.step();
        if (!row) {
            lines << QStringLiteral("ERROR ") + row.error().message;
            break;
        }
        if (!*row)
            break;
        lines << query.columnText(3);
    }
    query.reset();
    return lines;
}

// The index each statement must use, as a pattern over its plan. The raw-lead statements may use
// our index or a covering one another migration provides for the same range (the SLA report's).
const QHash<QString, QString> &expectedIndexes()
{
    static const QString dayRange
        = QStringLiteral("USING PRIMARY KEY \\(business_id=\\? AND day>\\? AND day<\\?\\)");
    static const QString createdRange
        = QStringLiteral("USING (COVERING )?INDEX (idx_leads_created|idx_leads_sla_report) "
                         "\\(business_id=\\? AND created_at>\\? AND created_at<\\?\\)");
    static const QHash<QString, QString> indexes = {
        {QStringLiteral("business"),
         QStringLiteral("USING INDEX sqlite_autoindex_businesses_1 \\(id=\\?\\)")},
        {QStringLiteral("leadRows"), dayRange},
        {QStringLiteral("leadRowsBySource"), dayRange},
        {QStringLiteral("leadTotals"), dayRange},
        {QStringLiteral("leadTotalsBySource"), dayRange},
        {QStringLiteral("responseTimes"), createdRange},
        {QStringLiteral("responseTimesBySource"),
         QStringLiteral("USING INDEX idx_leads_channel \\(business_id=\\? AND channel=\\? AND "
                        "created_at>\\? AND created_at<\\?\\)|")
             + createdRange},
        {QStringLiteral("chatbotSessions"),
         QStringLiteral("USING INDEX idx_chatbot_sessions_started \\(business_id=\\? AND "
                        "started_at>\\? AND started_at<\\?\\)")},
        {QStringLiteral("chatbotGaps"),
         QStringLiteral("idx_chatbot_sessions_started \\(business_id=\\? AND started_at>\\? AND "
                        "started_at<\\?\\)")},
        {QStringLiteral("deliveries"),
         QStringLiteral("USING COVERING INDEX idx_delivery_business \\(business_id=\\? AND "
                        "attempted_at>\\? AND attempted_at<\\?\\)")},
        {QStringLiteral("deliveriesByTarget"),
         QStringLiteral("USING COVERING INDEX idx_delivery_business \\(business_id=\\? AND "
                        "attempted_at>\\? AND attempted_at<\\?\\)")},
        {QStringLiteral("campaignRows"),
         QStringLiteral("analytics_campaign_daily USING PRIMARY KEY \\(business_id=\\?\\)")},
        {QStringLiteral("oneCampaignRows"),
         QStringLiteral("USING PRIMARY KEY \\(business_id=\\? AND campaign_id=\\?\\)")},
        {QStringLiteral("campaigns"),
         QStringLiteral("USING INDEX sqlite_autoindex_campaigns_2 \\(business_id=\\?\\)")},
        {QStringLiteral("campaignByExternalId"),
         QStringLiteral("USING INDEX sqlite_autoindex_campaigns_2 \\(business_id=\\? AND "
                        "external_id=\\?\\)")},
        {QStringLiteral("userNames"),
         QStringLiteral("USING INDEX sqlite_autoindex_users_2 \\(business_id=\\?\\)")},
    };
    return indexes;
}

bool exec(Core::Database &db, const QString &sql)
{
    QSqlQuery query(db.connection());
    if (!query.exec(sql)) {
        qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
        return false;
    }
    return true;
}

} // namespace

class tst_AnalyticsQueries : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void plansUseIndexes_data();
    void plansUseIndexes();
    void everyStatementChecked();
};

void tst_AnalyticsQueries::plansUseIndexes_data()
{
    QTest::addColumn<bool>("analyzed");
    QTest::newRow("no statistics") << false;
    QTest::newRow("after ANALYZE") << true;
}

void tst_AnalyticsQueries::plansUseIndexes()
{
    QFETCH(bool, analyzed);
    Test::TempStore store;
    Core::Database &db = store.db();
    if (analyzed) {
        // A lopsided store: many leads, nearly all answered, so idx_leads_first_response looks
        // attractive to the planner; one business; a handful of rollup rows.
        QVERIFY(exec(
            db, QStringLiteral("INSERT INTO contacts (id, business_id, created_at, updated_at) "
                               "SELECT 'c', id, 0, 0 FROM businesses")));
        QVERIFY(exec(
            db,
            QStringLiteral(
                "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) "
                "INSERT INTO leads (id, business_id, contact_id, channel, created_at, updated_at, "
                "first_response_at) SELECT 'l' || i, (SELECT id FROM businesses), 'c', "
                "CASE i % 3 WHEN 0 THEN 'sms' WHEN 1 THEN 'webform' ELSE 'whatsapp' END, "
                "1700000000000 + i * 60000, 0, 1700000000000 + i * 60000 + 1000 FROM n")));
        LD_VERIFY_OK(Core::AnalyticsRollup::rebuild(db, store.businessId()));
        QVERIFY(exec(db, QStringLiteral("ANALYZE")));
    }
    for (const auto &[name, sql] : Core::AnalyticsQueries::statements()) {
        const QStringList plan = planOf(db, sql);
        const QString text = plan.join(u'\n');
        QVERIFY2(!plan.isEmpty() && !text.startsWith(QLatin1String("ERROR")),
                 qPrintable(name + u": " + text));
        for (const QString &line : plan) {
            // Scanning a subquery's own rows is fine; scanning a table is not.
            const bool tableScan = line.startsWith(QLatin1String("SCAN "))
                                   && !line.contains(QLatin1String("subquery"))
                                   && !line.contains(QLatin1String("CO-ROUTINE"))
                                   && !line.contains(QLatin1String("INDEX"));
            QVERIFY2(!tableScan, qPrintable(name + u": " + text));
        }
        // The rollup sums stream in key order; a sort would cost more than the read.
        if (name.startsWith(QLatin1String("lead")) || name.contains(QLatin1String("ampaignRows")))
            QVERIFY2(!text.contains(QLatin1String("TEMP B-TREE")), qPrintable(name + u": " + text));
        const QString expected = expectedIndexes().value(name);
        QVERIFY2(!expected.isEmpty(), qPrintable(u"no expectation for " + name));
        QVERIFY2(text.contains(QRegularExpression(expected)),
                 qPrintable(name + u": expected " + expected + u" in\n" + text));
    }
}

void tst_AnalyticsQueries::everyStatementChecked()
{
    QCOMPARE(Core::AnalyticsQueries::statements().size(), expectedIndexes().size());
}

QTEST_GUILESS_MAIN(tst_AnalyticsQueries)
#include "tst_analyticsqueries.moc"
