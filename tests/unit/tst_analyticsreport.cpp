// Analytics checked against answers computed by hand on a small fixed data set (the comments beside
// each expectation show the arithmetic), plus the empty store, a store with one lead, and day
// buckets in a zone with daylight-saving changes.
#include "analyticsreport.h"
#include "analyticsrollup.h"
#include "campaignanalytics.h"
#include "clock.h"
#include "testsupport.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;
using Core::AnalyticsReport;
using Test::exec;

namespace {

const QTimeZone kNewYork("America/New_York");

qint64 local(int y, int m, int d, int h, int min = 0, int s = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min, s), kNewYork).toMSecsSinceEpoch();
}

qint64 utc(int y, int m, int d, int h, int min = 0, int s = 0)
{
    return QDateTime(QDate(y, m, d), QTime(h, min, s), QTimeZone::utc()).toMSecsSinceEpoch();
}

constexpr qint64 kMinute = 60'000;

struct Lead
{
    QString id;
    QString channel;
    qint64 createdAt = 0;
    QString status = QStringLiteral("new");
    QString grade = QStringLiteral("D");
    QString qualification = QStringLiteral("unqualified");
    int score = 0;
    QString assignee;
    QString waitingOn;
    qint64 responseMinutes = -1; // first response after creation; -1: none
    qint64 valueCents = -1;
    QString campaign;
    QString sourceLabel;
    QString utmContent;
    bool deleted = false;
};

QVariant orNull(const QString &text)
{
    return text.isEmpty() ? QVariant() : QVariant(text);
}

bool insertLead(Core::Database &db, const QString &businessId, const Lead &l)
{
    const QString contact = QStringLiteral("c-") + l.id;
    return exec(db,
                QStringLiteral("INSERT INTO contacts (id, business_id, created_at, updated_at) "
                               "VALUES (?, ?, 0, 0)"),
                {contact, businessId})
           && exec(db,
                   QStringLiteral("INSERT INTO lead_scores (lead_id, tenant, lead_grade, "
                                  "qualification_status, lead_score) VALUES (?, "
                                  "(SELECT tenant FROM tenants WHERE business_id = ?), ?, ?, ?)"),
                   {l.id, businessId, l.grade, l.qualification, l.score})
           && exec(db,
                   QStringLiteral(
                       "INSERT INTO leads (id, business_id, contact_id, channel, created_at, "
                       "updated_at, status, assigned_to, waiting_on, first_response_at, "
                       "value_cents, campaign_id, source_label, utm_content, deleted) "
                       "VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
                   {l.id, businessId, contact, l.channel, l.createdAt, l.status, orNull(l.assignee),
                    orNull(l.waitingOn),
                    l.responseMinutes < 0 ? QVariant()
                                          : QVariant(l.createdAt + l.responseMinutes * kMinute),
                    l.valueCents < 0 ? QVariant() : QVariant(l.valueCents), orNull(l.campaign),
                    orNull(l.sourceLabel), orNull(l.utmContent), l.deleted ? 1 : 0});
}

const AnalyticsReport::ResponseTime *find(const QList<AnalyticsReport::ResponseTime> &list,
                                          const QString &key)
{
    for (const auto &r : list) {
        if (r.key == key)
            return &r;
    }
    return nullptr;
}

qint64 countOf(const QList<AnalyticsReport::Count> &list, const QString &key)
{
    for (const auto &c : list) {
        if (c.key == key)
            return c.value;
    }
    return -1;
}

} // namespace

class tst_AnalyticsReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void fixedDataSetPeriod();
    void fixedDataSetResponseHistogram();
    void fixedDataSetAllTime();
    void sourceFilter();
    void chatbotAndDelivery();
    void campaignAnalyticsSeedShape();
    void campaignAnalyticsOpenPeriodAndUnknownCampaign();
    void emptyStore();
    void oneLead();
    void dayBucketsFollowDaylightSaving();
    void zoneChangeRebuildsBuckets();
    void jsonDocument();

private:
    void loadFixedDataSet();
    Core::Result<AnalyticsReport> report(const Core::AnalyticsPeriod &period,
                                         const QString &source = {}, qint64 exactLimit = 20'000);
    Core::Database &db() { return m_store->db(); }

    std::unique_ptr<Test::TempStore> m_store;
    Core::ManualClock m_clock{utc(2025, 10, 15, 16)}; // 2025-10-15 12:00 in New York
};

void tst_AnalyticsReport::init()
{
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    QVERIFY(exec(db(), QStringLiteral("UPDATE businesses SET time_zone = 'America/New_York'")));
}

void tst_AnalyticsReport::cleanup()
{
    m_store.reset();
}

Core::Result<AnalyticsReport> tst_AnalyticsReport::report(const Core::AnalyticsPeriod &period,
                                                          const QString &source, qint64 exactLimit)
{
    Core::AnalyticsFilter filter;
    filter.businessId = m_store->businessId();
    filter.period = period;
    filter.source = source;
    Core::AnalyticsReportBuilder::Options options;
    options.exactResponseLimit = exactLimit;
    return Core::AnalyticsReportBuilder::build(db(), filter, m_clock, options);
}

// Nine live leads and a deleted one, two reps, one campaign. October 2025 is EDT (UTC-4).
void tst_AnalyticsReport::loadFixedDataSet()
{
    const QString b = m_store->businessId();
    QVERIFY(exec(db(),
                 QStringLiteral("INSERT INTO users (id, business_id, username, display_name, role, "
                                "password_hash, created_at, updated_at) VALUES "
                                "('u-alex', ?, 'alex', 'Alex Kim', 'rep', 'x', 0, 0), "
                                "('u-sam', ?, 'sam', '', 'rep', 'x', 0, 0)"),
                 {b, b}));
    QVERIFY(exec(db(),
                 QStringLiteral("INSERT INTO campaigns (id, business_id, external_id, name, "
                                "budget_cents, start_date, created_at, updated_at) VALUES "
                                "('cmp-1', ?, 'nextcloud-installation-2025', 'Nextcloud install', "
                                "30000, '2025-09-28', 0, 0)"),
                 {b}));
    const QString alex = QStringLiteral("u-alex"), sam = QStringLiteral("u-sam");
    const QString webform = QStringLiteral("webform"), sms = QStringLiteral("sms"),
                  whatsapp = QStringLiteral("whatsapp");
    const QList<Lead> leads = {
        {"L1", webform, local(2025, 10, 1, 9), "new", "B", "sales_qualified", 65, alex, "business",
         -1, -1, "cmp-1", "landing-page", "ad-variant-a", false},
        // 23:30 on Oct 1 in New York is already Oct 2 in UTC: it belongs to Oct 1.
        {"L2",
         sms,
         local(2025, 10, 1, 23, 30),
         "contacted",
         "C",
         "marketing_qualified",
         45,
         sam,
         "lead",
         10,
         -1,
         {},
         {},
         {},
         false},
        {"L3", webform, local(2025, 10, 2, 10), "qualified", "A", "sales_qualified", 85, alex,
         "business", 30, -1, "cmp-1", "landing-page", "ad-variant-a", false},
        {"L4",
         whatsapp,
         local(2025, 10, 6, 8),
         "proposal",
         "B",
         "sales_qualified",
         70,
         sam,
         "lead",
         120,
         -1,
         {},
         {},
         {},
         false},
        {"L5",
         webform,
         local(2025, 10, 7, 14),
         "closed_won",
         "A",
         "customer",
         90,
         {},
         "lead",
         5,
         150000,
         "cmp-1",
         "modal",
         "ad-variant-b",
         false},
        {"L6",
         sms,
         local(2025, 10, 8, 16),
         "closed_lost",
         "D",
         "unqualified",
         20,
         alex,
         "business",
         60,
         -1,
         {},
         {},
         {},
         false},
        {"L7",
         whatsapp,
         local(2025, 10, 13, 11),
         "contacted",
         "C",
         "marketing_qualified",
         50,
         alex,
         "business",
         20,
         -1,
         {},
         {},
         {},
         false},
        {"L8",
         webform,
         local(2025, 10, 14, 9, 30),
         "new",
         "D",
         "marketing_qualified",
         30,
         sam,
         "business",
         -1,
         -1,
         "cmp-1",
         "landing-page",
         {},
         false},
        {"L9",
         sms,
         local(2025, 9, 20, 12),
         "closed_won",
         "B",
         "sales_qualified",
         60,
         alex,
         "lead",
         180,
         80000,
         {},
         {},
         {},
         false},
        {"L10", webform, local(2025, 10, 3, 12), "qualified", "A", "sales_qualified", 99, alex,
         "business", 1, 999900, "cmp-1", "modal", "ad-variant-a", true},
    };
    for (const Lead &lead : leads)
        QVERIFY(insertLead(db(), b, lead));
}

void tst_AnalyticsReport::fixedDataSetPeriod()
{
    loadFixedDataSet();
    auto r = report(
        *Core::AnalyticsPeriod::parse(QStringLiteral("2025-10-01"), QStringLiteral("2025-10-14")));
    LD_VERIFY_OK(r);
    QCOMPARE(r->start, QDate(2025, 10, 1));
    QCOMPARE(r->end, QDate(2025, 10, 14));
    QVERIFY(!r->allTime);

    // L1..L8 (L9 is September, L10 deleted): webform L1 L3 L5 L8, sms L2 L6, whatsapp L4 L7.
    QCOMPARE(r->totals.leads, 8);
    QCOMPARE(r->totals.bySource.size(), 3);
    QCOMPARE(r->totals.bySource.at(0).key, QStringLiteral("webform"));
    QCOMPARE(r->totals.bySource.at(0).value, 4);
    QCOMPARE(countOf(r->totals.bySource, QStringLiteral("sms")), 2);
    QCOMPARE(countOf(r->totals.bySource, QStringLiteral("whatsapp")), 2);

    // 14 zero-filled days; Oct 1 holds L1 and L2 (23:30 local).
    QCOMPARE(r->days.size(), 14);
    QCOMPARE(r->days.at(0).start, QDate(2025, 10, 1));
    QCOMPARE(r->days.at(0).leads, 2);
    QCOMPARE(r->days.at(0).bySource.value(QStringLiteral("sms")), 1);
    QCOMPARE(r->days.at(1).leads, 1);  // Oct 2: L3
    QCOMPARE(r->days.at(2).leads, 0);  // Oct 3: only the deleted L10
    QCOMPARE(r->days.at(13).leads, 1); // Oct 14: L8
    // Weeks from Monday: Sep 29 (L1-L3), Oct 6 (L4-L6), Oct 13 (L7, L8).
    QCOMPARE(r->weeks.size(), 3);
    QCOMPARE(r->weeks.at(0).start, QDate(2025, 9, 29));
    QCOMPARE(r->weeks.at(0).leads, 3);
    QCOMPARE(r->weeks.at(1).leads, 3);
    QCOMPARE(r->weeks.at(2).start, QDate(2025, 10, 13));
    QCOMPARE(r->weeks.at(2).leads, 2);
    QCOMPARE(r->months.size(), 1);
    QCOMPARE(r->months.at(0).start, QDate(2025, 10, 1));
    QCOMPARE(r->months.at(0).leads, 8);
    QCOMPARE(r->leadsPerDay, 0.57); // 8 / 14
    QCOMPARE(r->leadsPerWeek, 4.0); // 8 * 7 / 14

    // Open leads only: on the business L1 L3 L7 L8, on the lead L2 L4 (L5, L6 are closed).
    QCOMPARE(r->totals.waiting.onBusiness, 4);
    QCOMPARE(r->totals.waiting.onLead, 2);
    for (const auto &w : r->waitingBySource) {
        if (w.source == QLatin1String("webform"))
            QCOMPARE(std::pair(w.onBusiness, w.onLead), std::pair(qint64(3), qint64(0)));
        else if (w.source == QLatin1String("sms"))
            QCOMPARE(std::pair(w.onBusiness, w.onLead), std::pair(qint64(0), qint64(1)));
        else
            QCOMPARE(std::pair(w.onBusiness, w.onLead), std::pair(qint64(1), qint64(1)));
    }

    // Status now: new 2, contacted 2, qualified 1, proposal 1, won 1, lost 1.
    // Reached: new 8, contacted 8-2 = 6 (lost counts), qualified 1+1+1 = 3, proposal 2, won 1.
    QCOMPARE(r->funnel.size(), 5);
    const QList<qint64> reached = {8, 6, 3, 2, 1};
    const QList<double> conversion = {-1, 0.75, 0.5, 0.6667, 0.5};
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(r->funnel.at(i).reached, reached.at(i));
        QCOMPARE(r->funnel.at(i).conversion, conversion.at(i));
    }
    QCOMPARE(r->funnel.at(0).current, 2);
    QCOMPARE(r->closedLost, 1);
    QCOMPARE(r->winRate, 0.5);
    QCOMPARE(r->totals.wonValueCents, 150000);

    // Scores 65+45+85+70+90+20+50+30 = 455, / 8 = 56.875.
    QCOMPARE(r->totals.averageScore, 56.9);
    for (const char *grade : {"A", "B", "C", "D"})
        QCOMPARE(countOf(r->totals.byGrade, QLatin1String(grade)), 2);
    QCOMPARE(countOf(r->totals.byQualification, QStringLiteral("sales_qualified")), 3);
    QCOMPARE(countOf(r->totals.byQualification, QStringLiteral("marketing_qualified")), 3);
    QCOMPARE(countOf(r->totals.byQualification, QStringLiteral("customer")), 1);
    QCOMPARE(countOf(r->totals.byQualification, QStringLiteral("unqualified")), 1);
    QCOMPARE(r->totals.qualified, 6);

    // Answered: 5, 10, 20, 30, 60, 120 minutes. Median (20+30)/2 = 25 min; p90 at rank 4.5:
    // 60 + 0.5 * 60 = 90 min; average 245 / 6 min.
    QVERIFY(r->responseExact);
    QCOMPARE(r->responseOverall.leads, 8);
    QCOMPARE(r->responseOverall.responded, 6);
    QCOMPARE(r->responseOverall.medianMs, 25 * kMinute);
    QCOMPARE(r->responseOverall.p90Ms, 90 * kMinute);
    QCOMPARE(r->responseOverall.averageMs, 245 * kMinute / 6);
    // webform 5, 30: median 17.5, p90 5 + 0.9 * 25 = 27.5; sms 10, 60: 35 and 55;
    // whatsapp 20, 120: 70 and 110.
    const auto *webform = find(r->responseBySource, QStringLiteral("webform"));
    QVERIFY(webform);
    QCOMPARE(webform->leads, 4);
    QCOMPARE(webform->responded, 2);
    QCOMPARE(webform->medianMs, 17 * kMinute + kMinute / 2);
    QCOMPARE(webform->p90Ms, 27 * kMinute + kMinute / 2);
    QCOMPARE(find(r->responseBySource, QStringLiteral("sms"))->medianMs, 35 * kMinute);
    QCOMPARE(find(r->responseBySource, QStringLiteral("sms"))->p90Ms, 55 * kMinute);
    QCOMPARE(find(r->responseBySource, QStringLiteral("whatsapp"))->medianMs, 70 * kMinute);
    QCOMPARE(find(r->responseBySource, QStringLiteral("whatsapp"))->p90Ms, 110 * kMinute);
    // Alex 20, 30, 60 (+ L1 unanswered): median 30, p90 at rank 1.8: 30 + 0.8 * 30 = 54.
    // Sam 10, 120 (+ L8): 65 and 10 + 0.9 * 110 = 109. Unassigned: L5 at 5.
    QCOMPARE(r->responseByRep.size(), 3);
    QCOMPARE(r->responseByRep.at(0).label, QStringLiteral("Alex Kim"));
    QCOMPARE(r->responseByRep.at(0).leads, 4);
    QCOMPARE(r->responseByRep.at(0).responded, 3);
    QCOMPARE(r->responseByRep.at(0).medianMs, 30 * kMinute);
    QCOMPARE(r->responseByRep.at(0).p90Ms, 54 * kMinute);
    QCOMPARE(r->responseByRep.at(1).label, QStringLiteral("sam")); // no display name
    QCOMPARE(r->responseByRep.at(1).medianMs, 65 * kMinute);
    QCOMPARE(r->responseByRep.at(1).p90Ms, 109 * kMinute);
    QCOMPARE(r->responseByRep.at(2).key, QString());
    QCOMPARE(r->responseByRep.at(2).label, QStringLiteral("(unassigned)"));
    QCOMPARE(r->responseByRep.at(2).medianMs, 5 * kMinute);

    // All time beside the period: L9 adds one sms lead worth 800.00.
    QVERIFY(r->allTimeTotals);
    QCOMPARE(r->allTimeTotals->leads, 9);
    QCOMPARE(countOf(r->allTimeTotals->bySource, QStringLiteral("sms")), 3);
    QCOMPARE(r->allTimeTotals->wonValueCents, 230000);
    QVERIFY(r->sla.isNull());
    QVERIFY(r->abTests.isNull());
}

void tst_AnalyticsReport::fixedDataSetResponseHistogram()
{
    loadFixedDataSet();
    auto r = report(
        *Core::AnalyticsPeriod::parse(QStringLiteral("2025-10-01"), QStringLiteral("2025-10-14")),
        {}, 0);
    LD_VERIFY_OK(r);
    QVERIFY(!r->responseExact);
    // Buckets [5,6) [10,12) [20,25) [30,40) [60,75) [120,150) minutes, one answer each, each
    // placed mid-bucket: ranks 2 and 3 are 22.5 and 35 min, the median 28.75 min; ranks 4 and 5
    // are 67.5 and 135 min, p90 (rank 4.5) 101.25 min. The average is exact (sums).
    QCOMPARE(r->responseOverall.responded, 6);
    QCOMPARE(r->responseOverall.medianMs, 1'725'000);
    QCOMPARE(r->responseOverall.p90Ms, 6'075'000);
    QCOMPARE(r->responseOverall.averageMs, 245 * kMinute / 6);
    const auto *sms = find(r->responseBySource, QStringLiteral("sms"));
    QVERIFY(sms);
    // 10 min in [10,12) -> 11; 60 in [60,75) -> 67.5; median 39.25 min.
    QCOMPARE(sms->medianMs, 2'355'000);
}

void tst_AnalyticsReport::fixedDataSetAllTime()
{
    loadFixedDataSet();
    auto r = report(Core::AnalyticsPeriod::allTime());
    LD_VERIFY_OK(r);
    QVERIFY(r->allTime);
    QVERIFY(!r->allTimeTotals);
    // From the first lead's day (Sep 20) to today (Oct 15): 26 days.
    QCOMPARE(r->start, QDate(2025, 9, 20));
    QCOMPARE(r->end, QDate(2025, 10, 15));
    QCOMPARE(r->days.size(), 26);
    QCOMPARE(r->months.size(), 2);
    QCOMPARE(r->months.at(0).leads, 1);
    QCOMPARE(r->totals.leads, 9);
    QCOMPARE(r->leadsPerDay, 0.35); // 9 / 26
    // (455 + 60) / 9 = 57.2
    QCOMPARE(r->totals.averageScore, 57.2);
    QCOMPARE(r->funnel.at(4).reached, 2);
    QCOMPARE(r->winRate, 0.6667); // 2 won, 1 lost
    // Sep 20 answered after 180 min: now 7 answers, median 30.
    QCOMPARE(r->responseOverall.medianMs, 30 * kMinute);
}

void tst_AnalyticsReport::sourceFilter()
{
    loadFixedDataSet();
    auto r = report(
        *Core::AnalyticsPeriod::parse(QStringLiteral("2025-10-01"), QStringLiteral("2025-10-14")),
        QStringLiteral("sms"));
    LD_VERIFY_OK(r);
    QCOMPARE(r->source, QStringLiteral("sms"));
    QCOMPARE(r->totals.leads, 2);
    QCOMPARE(r->totals.bySource.size(), 1);
    QCOMPARE(r->responseOverall.medianMs, 35 * kMinute);
    QCOMPARE(r->funnel.at(1).reached, 2); // contacted L2 and lost L6
    QVERIFY(r->campaigns.isEmpty());      // the campaign's leads are all web forms
    QCOMPARE(r->allTimeTotals->leads, 3);
    QCOMPARE(r->chatbotSessions, 0);
}

void tst_AnalyticsReport::chatbotAndDelivery()
{
    const QString b = m_store->businessId();
    // S1 (completed) answers after 20 s, 30 s more, and says it took 15 s; S2 says 40 s.
    // S3 started in September, S4 is deleted: neither counts.
    QVERIFY(exec(db(),
                 QStringLiteral("INSERT INTO chatbot_sessions (id, business_id, session_key, "
                                "completed, started_at, created_at, updated_at, deleted) VALUES "
                                "('s1', ?, 'k1', 1, ?, 0, 0, 0), ('s2', ?, 'k2', 0, ?, 0, 0, 0), "
                                "('s3', ?, 'k3', 1, ?, 0, 0, 0), ('s4', ?, 'k4', 1, ?, 0, 0, 1)"),
                 {b, local(2025, 10, 2, 10), b, local(2025, 10, 5, 9), b, local(2025, 9, 25, 9), b,
                  local(2025, 10, 2, 10)}));
    const qint64 s1 = local(2025, 10, 2, 10);
    QVERIFY(exec(db(),
                 QStringLiteral("INSERT INTO answers (id, business_id, session_id, question_id, "
                                "answer_text, time_taken_ms, created_at, updated_at) VALUES "
                                "('a1', ?, 's1', 1, 'x', NULL, ?, 0), "
                                "('a2', ?, 's1', 2, 'y', NULL, ?, 0), "
                                "('a3', ?, 's1', 3, 'z', 15000, ?, 0), "
                                "('a4', ?, 's2', 1, 'w', 40000, ?, 0), "
                                "('a5', ?, 's3', 1, 'v', 99000, ?, 0)"),
                 {b, s1 + 20'000, b, s1 + 50'000, b, s1 + 70'000, b, local(2025, 10, 5, 9, 1), b,
                  local(2025, 9, 25, 9, 1)}));
    QVERIFY(exec(db(),
                 QStringLiteral("INSERT INTO delivery_log (id, business_id, target, kind, ok, "
                                "latency_ms, attempted_at) VALUES "
                                "('d1', ?, 'whatsapp', 'reply', 1, 200, ?), "
                                "('d2', ?, 'whatsapp', 'reply', 1, 400, ?), "
                                "('d3', ?, 'whatsapp', 'reply', 0, 1000, ?), "
                                "('d4', ?, 'hubspot', 'crm_push', 1, 300, ?), "
                                "('d5', ?, 'whatsapp', 'reply', 0, 5000, ?)"),
                 {b, local(2025, 10, 3, 9), b, local(2025, 10, 4, 9), b, local(2025, 10, 5, 9), b,
                  local(2025, 10, 5, 9), b, local(2025, 9, 1, 9)}));
    auto r = report(
        *Core::AnalyticsPeriod::parse(QStringLiteral("2025-10-01"), QStringLiteral("2025-10-14")));
    LD_VERIFY_OK(r);
    QCOMPARE(r->chatbotSessions, 2);
    QCOMPARE(r->chatbotCompleted, 1);
    QCOMPARE(r->chatbotCompletionRate, 0.5);
    QCOMPARE(r->chatbotAnswers, 4);
    QCOMPARE(r->chatbotAverageSecondsBetweenQuestions, 26.3); // (20 + 30 + 15 + 40) / 4 = 26.25

    // whatsapp: 3 attempts, 2 ok, latency mean 1600 / 3, p90 at rank 1.8: 400 + 0.8 * 600.
    QCOMPARE(r->deliveries.size(), 2);
    QCOMPARE(r->deliveries.at(0).target, QStringLiteral("hubspot"));
    QCOMPARE(r->deliveries.at(0).successRate, 1.0);
    const auto &wa = r->deliveries.at(1);
    QCOMPARE(wa.attempts, 3);
    QCOMPARE(wa.succeeded, 2);
    QCOMPARE(wa.successRate, 0.6667);
    QCOMPARE(wa.averageLatencyMs, 533);
    QCOMPARE(wa.p90LatencyMs, 880);

    // --source narrows delivery to that target and chatbot figures to the chatbot.
    auto onlyWhatsapp = report(
        *Core::AnalyticsPeriod::parse(QStringLiteral("2025-10-01"), QStringLiteral("2025-10-14")),
        QStringLiteral("whatsapp"));
    LD_VERIFY_OK(onlyWhatsapp);
    QCOMPARE(onlyWhatsapp->deliveries.size(), 1);
    QCOMPARE(onlyWhatsapp->chatbotSessions, 0);
    auto onlyChatbot = report(
        *Core::AnalyticsPeriod::parse(QStringLiteral("2025-10-01"), QStringLiteral("2025-10-14")),
        QStringLiteral("chatbot"));
    LD_VERIFY_OK(onlyChatbot);
    QCOMPARE(onlyChatbot->chatbotSessions, 2);
    QVERIFY(onlyChatbot->deliveries.isEmpty());
}

void tst_AnalyticsReport::campaignAnalyticsSeedShape()
{
    loadFixedDataSet();
    auto period
        = Core::AnalyticsPeriod::parse(QStringLiteral("2025-10-01"), QStringLiteral("2025-10-14"));
    auto response = Core::CampaignAnalytics::analyticsResponse(
        db(), m_store->businessId(), QStringLiteral("nextcloud-installation-2025"), *period,
        m_clock);
    LD_VERIFY_OK(response);
    QVERIFY(response->has_value());
    // L1, L3, L8 from the landing page, L5 from the modal; qualified L1, L3 (SQL) and L8 (MQL),
    // not L5 (customer): 3 / 4. Scores (65 + 85 + 90 + 30) / 4; budget 300.00 / 4 leads.
    const QJsonObject expected = QJsonDocument::fromJson(R"({
        "campaign_id": "nextcloud-installation-2025",
        "period": {"start": "2025-10-01", "end": "2025-10-14"},
        "metrics": {"total_leads": 4, "qualified_leads": 3, "conversion_rate": 0.75,
                    "average_lead_score": 67.5, "cost_per_lead": 75.0,
                    "revenue_generated": 1500.0},
        "lead_sources": {"landing-page": 3, "modal": 1},
        "top_performing_content": [
            {"utm_content": "ad-variant-a", "leads": 2, "conversion_rate": 1.0},
            {"utm_content": "ad-variant-b", "leads": 1, "conversion_rate": 0.0}]
    })")
                                     .object();
    QCOMPARE(**response, expected);

    // The same object is what the report lists.
    auto r = report(*period);
    LD_VERIFY_OK(r);
    QCOMPARE(r->campaigns.size(), 1);
    QCOMPARE(r->campaigns.at(0).name, QStringLiteral("Nextcloud install"));
    QCOMPARE(r->campaigns.at(0).response, expected);
}

void tst_AnalyticsReport::campaignAnalyticsOpenPeriodAndUnknownCampaign()
{
    loadFixedDataSet();
    auto response = Core::CampaignAnalytics::analyticsResponse(
        db(), m_store->businessId(), QStringLiteral("nextcloud-installation-2025"),
        Core::AnalyticsPeriod::allTime(), m_clock);
    LD_VERIFY_OK(response);
    // Open start: the campaign's start date (Sep 28) is earlier than its first lead (Oct 1).
    const QJsonObject object = **response;
    QCOMPARE(object[u"period"][u"start"].toString(), QStringLiteral("2025-09-28"));
    QCOMPARE(object[u"period"][u"end"].toString(), QStringLiteral("2025-10-15"));
    QCOMPARE(object[u"metrics"][u"total_leads"].toInt(), 4);

    // A period with no leads: zeros, not nulls, in the same shape.
    auto quiet = Core::CampaignAnalytics::analyticsResponse(
        db(), m_store->businessId(), QStringLiteral("nextcloud-installation-2025"),
        *Core::AnalyticsPeriod::parse(QStringLiteral("2025-08-01"), QStringLiteral("2025-08-31")),
        m_clock);
    LD_VERIFY_OK(quiet);
    const QJsonObject metrics = (**quiet)[u"metrics"].toObject();
    QCOMPARE(metrics[u"total_leads"].toInt(), 0);
    QCOMPARE(metrics[u"conversion_rate"].toDouble(), 0.0);
    QCOMPARE(metrics[u"cost_per_lead"].toDouble(), 0.0);
    QVERIFY(metrics[u"average_lead_score"].isDouble());
    QVERIFY((**quiet)[u"lead_sources"].toObject().isEmpty());
    QVERIFY((**quiet)[u"top_performing_content"].toArray().isEmpty());

    auto missing = Core::CampaignAnalytics::analyticsResponse(
        db(), m_store->businessId(), QStringLiteral("no-such-campaign"),
        Core::AnalyticsPeriod::allTime(), m_clock);
    LD_VERIFY_OK(missing);
    QVERIFY(!missing->has_value());
}

void tst_AnalyticsReport::emptyStore()
{
    for (const auto &period : {Core::AnalyticsPeriod::allTime(),
                               Core::AnalyticsPeriod::lastDays(30, QDate(2025, 10, 15))}) {
        auto r = report(period);
        LD_VERIFY_OK(r);
        QCOMPARE(r->totals.leads, 0);
        QVERIFY(r->totals.bySource.isEmpty());
        QCOMPARE(r->leadsPerDay, 0.0);
        QCOMPARE(r->totals.averageScore, 0.0);
        QCOMPARE(r->totals.waiting.onBusiness, 0);
        QCOMPARE(r->funnel.size(), 5);
        for (const auto &stage : r->funnel) {
            QCOMPARE(stage.reached, 0);
            QCOMPARE(stage.conversion, -1.0);
        }
        QCOMPARE(r->winRate, -1.0);
        QCOMPARE(r->responseOverall.responded, 0);
        QCOMPARE(r->responseOverall.medianMs, -1);
        QVERIFY(r->responseBySource.isEmpty());
        QVERIFY(r->responseByRep.isEmpty());
        QCOMPARE(r->chatbotSessions, 0);
        QCOMPARE(r->chatbotAverageSecondsBetweenQuestions, -1.0);
        QVERIFY(r->campaigns.isEmpty());
        QVERIFY(r->deliveries.isEmpty());
        QCOMPARE(r->end, QDate(2025, 10, 15));
    }
    auto all = report(Core::AnalyticsPeriod::allTime());
    QCOMPARE(all->start, QDate(2025, 10, 15)); // nothing yet: today only
    QCOMPARE(all->days.size(), 1);
    QCOMPARE(all->days.at(0).leads, 0);
    auto month = report(Core::AnalyticsPeriod::lastDays(30, QDate(2025, 10, 15)));
    QCOMPARE(month->days.size(), 30);
    QCOMPARE(month->allTimeTotals->leads, 0);
}

void tst_AnalyticsReport::oneLead()
{
    Lead lead{"only",
              QStringLiteral("thumbtack"),
              local(2025, 10, 15, 8),
              "contacted",
              "C",
              "marketing_qualified",
              42,
              {},
              "lead",
              7,
              -1,
              {},
              {},
              {},
              false};
    QVERIFY(insertLead(db(), m_store->businessId(), lead));
    auto r = report(Core::AnalyticsPeriod::allTime());
    LD_VERIFY_OK(r);
    QCOMPARE(r->start, QDate(2025, 10, 15));
    QCOMPARE(r->end, QDate(2025, 10, 15));
    QCOMPARE(r->totals.leads, 1);
    QCOMPARE(r->leadsPerDay, 1.0);
    QCOMPARE(r->leadsPerWeek, 7.0);
    QCOMPARE(r->days.size(), 1);
    QCOMPARE(r->weeks.at(0).start, QDate(2025, 10, 13));
    QCOMPARE(r->totals.averageScore, 42.0);
    QCOMPARE(r->totals.waiting.onLead, 1);
    QCOMPARE(r->funnel.at(1).reached, 1);
    QCOMPARE(r->funnel.at(1).conversion, 1.0);
    QCOMPARE(r->funnel.at(2).conversion, 0.0);
    QCOMPARE(r->funnel.at(3).conversion, -1.0); // nothing reached 'qualified'
    QCOMPARE(r->responseOverall.medianMs, 7 * kMinute);
    QCOMPARE(r->responseOverall.p90Ms, 7 * kMinute);
    QCOMPARE(r->responseByRep.size(), 1);
    QCOMPARE(r->responseByRep.at(0).label, QStringLiteral("(unassigned)"));
    // The histogram estimate of a single answer: the middle of [6, 8) minutes.
    auto estimated = report(Core::AnalyticsPeriod::allTime(), {}, 0);
    QCOMPARE(estimated->responseOverall.medianMs, 7 * kMinute);
}

void tst_AnalyticsReport::dayBucketsFollowDaylightSaving()
{
    // New York: DST starts 2024-03-10 07:00 UTC (EST -5 -> EDT -4), ends 2024-11-03 06:00 UTC.
    const QString b = m_store->businessId();
    const QList<std::pair<QString, qint64>> leads = {
        {"a", utc(2024, 3, 10, 4, 30)},     // 23:30 EST Mar 9 (UTC would say Mar 10)
        {"b", utc(2024, 3, 10, 5, 30)},     // 00:30 EST Mar 10
        {"c", utc(2024, 3, 11, 3, 59, 59)}, // 23:59:59 EDT Mar 10
        {"d", utc(2024, 3, 11, 4, 30)},     // 00:30 EDT Mar 11 (a fixed -5 h would say Mar 10)
        {"e", utc(2024, 11, 4, 4, 30)},     // 23:30 EST Nov 3 (a fixed -4 h would say Nov 4)
    };
    for (const auto &[id, at] : leads) {
        Lead lead;
        lead.id = id;
        lead.channel = QStringLiteral("sms");
        lead.createdAt = at;
        lead.responseMinutes = 1;
        QVERIFY(insertLead(db(), b, lead));
    }
    auto r = report(
        *Core::AnalyticsPeriod::parse(QStringLiteral("2024-03-09"), QStringLiteral("2024-03-11")));
    LD_VERIFY_OK(r);
    QCOMPARE(r->days.size(), 3);
    QCOMPARE(r->days.at(0).leads, 1);
    QCOMPARE(r->days.at(1).leads, 2);
    QCOMPARE(r->days.at(2).leads, 1);

    // The 23-hour day alone: the rollup's day and the raw-row millisecond range agree.
    auto day = report(
        *Core::AnalyticsPeriod::parse(QStringLiteral("2024-03-10"), QStringLiteral("2024-03-10")));
    LD_VERIFY_OK(day);
    QCOMPARE(day->totals.leads, 2);
    QCOMPARE(day->responseOverall.responded, 2);

    auto november = report(
        *Core::AnalyticsPeriod::parse(QStringLiteral("2024-11-03"), QStringLiteral("2024-11-04")));
    LD_VERIFY_OK(november);
    QCOMPARE(november->days.at(0).leads, 1);
    QCOMPARE(november->days.at(1).leads, 0);
    QCOMPARE(november->responseOverall.responded, 1);
    // ISO weeks: Mar 9 is a Saturday (week of Mar 4), Mar 10 a Sunday, Mar 11 a Monday.
    QCOMPARE(r->weeks.size(), 2);
    QCOMPARE(r->weeks.at(0).start, QDate(2024, 3, 4));
    QCOMPARE(r->weeks.at(0).leads, 3);
    QCOMPARE(r->weeks.at(1).leads, 1);
}

void tst_AnalyticsReport::zoneChangeRebuildsBuckets()
{
    Lead lead;
    lead.id = QStringLiteral("late");
    lead.channel = QStringLiteral("sms");
    lead.createdAt = utc(2024, 3, 10, 4, 30); // Mar 9 in New York, Mar 10 in UTC
    QVERIFY(insertLead(db(), m_store->businessId(), lead));
    const auto period
        = *Core::AnalyticsPeriod::parse(QStringLiteral("2024-03-10"), QStringLiteral("2024-03-10"));
    auto before = report(period);
    LD_VERIFY_OK(before);
    QCOMPARE(before->totals.leads, 0);
    QVERIFY(exec(db(), QStringLiteral("UPDATE businesses SET time_zone = 'UTC'")));
    auto current = Core::AnalyticsRollup::isCurrent(db(), m_store->businessId());
    LD_VERIFY_OK(current);
    QVERIFY(!*current);
    auto after = report(period);
    LD_VERIFY_OK(after);
    QCOMPARE(after->timeZone, QStringLiteral("UTC"));
    QCOMPARE(after->totals.leads, 1);
}

void tst_AnalyticsReport::jsonDocument()
{
    loadFixedDataSet();
    auto r = report(
        *Core::AnalyticsPeriod::parse(QStringLiteral("2025-10-01"), QStringLiteral("2025-10-14")));
    LD_VERIFY_OK(r);
    const QJsonObject json = r->toJson();
    QCOMPARE(json[u"period"][u"start"].toString(), QStringLiteral("2025-10-01"));
    QCOMPARE(json[u"period"][u"days"].toInt(), 14);
    QCOMPARE(json[u"leads"][u"total"].toInt(), 8);
    QCOMPARE(json[u"leads"][u"by_source"][u"webform"].toInt(), 4);
    QCOMPARE(json[u"leads"][u"by_day"].toArray().size(), 14);
    QCOMPARE(json[u"leads"][u"by_day"][0][u"date"].toString(), QStringLiteral("2025-10-01"));
    QCOMPARE(json[u"leads"][u"by_week"][0][u"week_start"].toString(), QStringLiteral("2025-09-29"));
    QCOMPARE(json[u"leads"][u"by_month"][0][u"month"].toString(), QStringLiteral("2025-10"));
    QCOMPARE(json[u"leads"][u"frequency"][u"per_day"].toDouble(), 0.57);
    QCOMPARE(json[u"conversations"][u"waiting_on_business"].toInt(), 4);
    QCOMPARE(json[u"conversations"][u"by_source"][u"sms"][u"waiting_on_lead"].toInt(), 1);
    QCOMPARE(json[u"funnel"][u"stages"][1][u"conversion"].toDouble(), 0.75);
    QVERIFY(json[u"funnel"][u"stages"][0][u"conversion"].isNull());
    QCOMPARE(json[u"funnel"][u"revenue_won"].toDouble(), 1500.0);
    QCOMPARE(json[u"scores"][u"grades"][u"A"].toInt(), 2);
    QCOMPARE(json[u"first_response"][u"method"].toString(), QStringLiteral("exact"));
    QCOMPARE(json[u"first_response"][u"overall"][u"median_ms"].toInteger(), 25 * kMinute);
    QCOMPARE(json[u"first_response"][u"by_rep"][0][u"name"].toString(), QStringLiteral("Alex Kim"));
    QVERIFY(json.contains(QStringLiteral("sla")));
    QVERIFY(json[u"sla"].isNull());
    QVERIFY(json.contains(QStringLiteral("ab_tests")));
    QCOMPARE(json[u"campaigns"][0][u"analytics"][u"metrics"][u"total_leads"].toInt(), 4);
    QCOMPARE(json[u"all_time"][u"leads"].toInt(), 9);
    QVERIFY(json[u"chatbot"][u"average_seconds_between_questions"].isNull());
}

QTEST_GUILESS_MAIN(tst_AnalyticsReport)
#include "tst_analyticsreport.moc"
