#include "clock.h"
#include "leadingestor.h"
#include "slaclock.h"
#include "slareport.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;
using namespace LeadDesk::Core;

namespace {

constexpr qint64 kMinute = 60 * 1000;
constexpr qint64 kHour = 60 * kMinute;

// June 2025 in the business's zone (America/New_York); the 9th is a Monday.
qint64 june(int day, int hour, int minute = 0)
{
    return QDateTime(QDate(2025, 6, day), QTime(hour, minute),
                     QTimeZone(QByteArrayLiteral("America/New_York")))
        .toMSecsSinceEpoch();
}

} // namespace

class tst_SlaReport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void overallPerSourceAndPerRepInBusinessTime();
    void sourceFilterAndRange();
    void emptyRangeHasNoFigures();
    void json();

private:
    QString add(qint64 at, const QString &channel, const QString &rep,
                std::optional<qint64> answeredAt);
    SlaReport build(qint64 from, qint64 to, const QString &source = {});

    std::unique_ptr<Test::TempStore> m_store;
    std::unique_ptr<ManualClock> m_clock;
    std::shared_ptr<SlaClock> m_sla;
    std::unique_ptr<LeadIngestor> m_ingestor;
    int m_serial = 0;
};

void tst_SlaReport::init()
{
    m_store = std::make_unique<Test::TempStore>();
    QSqlQuery q(m_store->db().connection());
    QVERIFY(q.exec(QStringLiteral("UPDATE businesses SET time_zone = 'America/New_York'")));
    for (const char *user : {"ann", "bob"})
        QVERIFY(q.exec(
            QStringLiteral("INSERT INTO users (id, business_id, username, display_name, role, "
                           "password_hash, created_at, updated_at) VALUES ('%1', '%2', '%1', "
                           "'%3', 'rep', 'x', 0, 0)")
                .arg(QLatin1String(user), m_store->businessId(),
                     QLatin1String(user) == QLatin1String("ann") ? QStringLiteral("Ann Rep")
                                                                 : QStringLiteral("Bob Rep"))));
    m_clock = std::make_unique<ManualClock>();
    m_sla = std::make_shared<SlaClock>();
    m_ingestor = std::make_unique<LeadIngestor>(m_store->db(), *m_clock);
    m_ingestor->addAfterStore(SlaClock::afterStoreStage(m_sla));
    m_serial = 0;
}

void tst_SlaReport::cleanup()
{
    m_ingestor.reset();
    m_store.reset();
}

QString tst_SlaReport::add(qint64 at, const QString &channel, const QString &rep,
                           std::optional<qint64> answeredAt)
{
    m_clock->setMs(at);
    LeadRecord record;
    record.channel = channel;
    record.firstName = QStringLiteral("Lead");
    record.lastName = QString::number(++m_serial);
    record.email = QStringLiteral("lead%1@example.com").arg(m_serial);
    record.assignedTo = rep;
    record.createdAtMs = at;
    auto stored = m_ingestor->store(m_store->businessId(), record);
    if (!stored) {
        qWarning("store: %s", qPrintable(stored.error().message));
        return {};
    }
    if (answeredAt) {
        auto ok = m_sla->recordResponse(m_store->db(), stored->leadId, *answeredAt, *answeredAt);
        if (!ok)
            qWarning("respond: %s", qPrintable(ok.error().message));
    }
    return stored->leadId;
}

SlaReport tst_SlaReport::build(qint64 from, qint64 to, const QString &source)
{
    auto config = m_sla->configFor(m_store->db(), m_store->businessId());
    if (!config)
        qFatal("config: %s", qPrintable(config.error().message));
    auto report = SlaReport::build(m_store->db(), m_store->businessId(), **config, from, to, source,
                                   june(12, 12));
    if (!report)
        qFatal("report: %s", qPrintable(report.error().message));
    return *report;
}

void tst_SlaReport::overallPerSourceAndPerRepInBusinessTime()
{
    // Webform (4 business hours): answered after 30 min, 2 h, and across the night (Monday 16:00
    // to Tuesday 10:00 = 2 business hours), one 5 h late, one never (past due).
    add(june(9, 9), QStringLiteral("webform"), QStringLiteral("ann"), june(9, 9, 30));
    add(june(9, 10), QStringLiteral("webform"), QStringLiteral("ann"), june(9, 12));
    add(june(9, 16), QStringLiteral("webform"), QStringLiteral("bob"), june(10, 10));
    add(june(9, 10), QStringLiteral("webform"), QStringLiteral("bob"), june(9, 15));
    add(june(9, 11), QStringLiteral("webform"), {}, std::nullopt);
    // SMS (30 min): answered after 10 and 45 minutes; one unanswered but not yet due.
    add(june(10, 9), QStringLiteral("sms"), QStringLiteral("ann"), june(10, 9, 10));
    add(june(10, 9), QStringLiteral("sms"), QStringLiteral("bob"), june(10, 9, 45));
    add(june(12, 11, 50), QStringLiteral("sms"), QStringLiteral("ann"), std::nullopt);

    const SlaReport report = build(june(1, 0), june(30, 0));
    QCOMPARE(report.overall.leads, 8);
    QCOMPARE(report.overall.responded, 6);
    QCOMPARE(report.overall.met, 4);
    QCOMPARE(report.overall.breached, 3); // one late webform, one late sms, one unanswered
    QCOMPARE(report.overall.pending, 1);
    // Sorted business times: 10 min, 30 min, 45 min, 2 h, 2 h, 5 h.
    QCOMPARE(report.overall.medianMs, 45 * kMinute);
    QCOMPARE(report.overall.p90Ms, 5 * kHour);
    QCOMPARE(*report.overall.metRate(), 4.0 / 7.0);

    QCOMPARE(report.bySource.size(), 2);
    const SlaResponseStats &web = report.bySource.at(0); // the busiest first
    QCOMPARE(web.key, QStringLiteral("webform"));
    QCOMPARE(web.leads, 5);
    QCOMPARE(web.responded, 4);
    QCOMPARE(web.medianMs, 2 * kHour);
    QCOMPARE(web.p90Ms, 5 * kHour);
    QCOMPARE(web.met, 3);
    QCOMPARE(web.breached, 2);
    QCOMPARE(*web.breachedRate(), 0.4);
    const SlaResponseStats &sms = report.bySource.at(1);
    QCOMPARE(sms.medianMs, 10 * kMinute);
    QCOMPARE(sms.p90Ms, 45 * kMinute);
    QCOMPARE(sms.met, 1);
    QCOMPARE(sms.breached, 1);
    QCOMPARE(sms.pending, 1);

    QCOMPARE(report.byRep.size(), 3);
    QCOMPARE(report.byRep.at(0).label, QStringLiteral("Ann Rep"));
    QCOMPARE(report.byRep.at(0).leads, 4);
    QCOMPARE(report.byRep.at(0).medianMs, 30 * kMinute); // 10 min, 30 min, 2 h
    QCOMPARE(report.byRep.at(1).label, QStringLiteral("Bob Rep"));
    QCOMPARE(report.byRep.at(1).medianMs, 2 * kHour); // 45 min, 2 h, 5 h
    QCOMPARE(report.byRep.at(1).breached, 2);
    QCOMPARE(report.byRep.at(2).label, QStringLiteral("(unassigned)"));
    QCOMPARE(report.byRep.at(2).key, QString());
    QVERIFY(!report.byRep.at(2).medianMs);
}

void tst_SlaReport::sourceFilterAndRange()
{
    add(june(9, 9), QStringLiteral("webform"), QStringLiteral("ann"), june(9, 9, 30));
    add(june(10, 9), QStringLiteral("sms"), QStringLiteral("ann"), june(10, 9, 10));
    add(june(11, 9), QStringLiteral("sms"), QStringLiteral("bob"), june(11, 9, 20));
    const SlaReport sms = build(june(1, 0), june(30, 0), QStringLiteral("sms"));
    QCOMPARE(sms.overall.leads, 2);
    QCOMPARE(sms.bySource.size(), 1);
    QCOMPARE(sms.source, QStringLiteral("sms"));
    const SlaReport tuesday = build(june(10, 0), june(11, 0));
    QCOMPARE(tuesday.overall.leads, 1);
    QCOMPARE(tuesday.overall.medianMs, 10 * kMinute);
}

void tst_SlaReport::emptyRangeHasNoFigures()
{
    add(june(9, 9), QStringLiteral("webform"), QStringLiteral("ann"), june(9, 9, 30));
    const SlaReport report = build(june(20, 0), june(21, 0));
    QCOMPARE(report.overall.leads, 0);
    QVERIFY(!report.overall.medianMs);
    QVERIFY(!report.overall.metRate());
    QVERIFY(report.bySource.isEmpty());
    QVERIFY(report.byRep.isEmpty());
}

void tst_SlaReport::json()
{
    add(june(9, 9), QStringLiteral("webform"), QStringLiteral("ann"), june(9, 9, 30));
    add(june(9, 9), QStringLiteral("webform"), QStringLiteral("ann"), std::nullopt);
    const QJsonObject json = build(june(1, 0), june(30, 0)).toJson();
    QCOMPARE(json.value(QStringLiteral("from")).toString(),
             QStringLiteral("2025-06-01T04:00:00.000Z"));
    QVERIFY(json.value(QStringLiteral("source")).isNull());
    const QJsonObject overall = json.value(QStringLiteral("overall")).toObject();
    QCOMPARE(overall.value(QStringLiteral("first_response_median_business_ms")).toDouble(),
             double(30 * kMinute));
    QCOMPARE(overall.value(QStringLiteral("met_rate")).toDouble(), 0.5);
    QCOMPARE(overall.value(QStringLiteral("breached_rate")).toDouble(), 0.5);
    const QJsonArray reps = json.value(QStringLiteral("by_rep")).toArray();
    QCOMPARE(reps.size(), 1);
    QCOMPARE(reps.first().toObject().value(QStringLiteral("label")).toString(),
             QStringLiteral("Ann Rep"));
    QCOMPARE(json.value(QStringLiteral("by_source")).toArray().size(), 1);
}

QTEST_GUILESS_MAIN(tst_SlaReport)
#include "tst_slareport.moc"
