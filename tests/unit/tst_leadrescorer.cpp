#include "analyticsrollup.h"
#include "clock.h"
#include "databasethread.h"
#include "demodatagenerator.h"
#include "leadingestor.h"
#include "leadrepository.h"
#include "leadrescorer.h"
#include "scoringrules.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;
using Core::LeadRescorer;

namespace {

constexpr qint64 kDay = 86'400'000;
constexpr qint64 kNow = 1'760'000'000'000;

// Every lead earns 10 for a phone; `company` points for a company.
QByteArray phoneAndCompany(int company, const QByteArray &decay = {})
{
    return R"({"version":1,"lead":{
        "grades":[{"label":"A","min":80},{"label":"B","min":60},{"label":"C","min":40},{"label":"D","min":0}],
        "qualification":[{"label":"sales_qualified","min":60},{"label":"marketing_qualified","min":30},{"label":"unqualified","min":0}],
        "groups":[{"id":"contact","max":100,"rules":[
            {"id":"phone","points":10,"when":{"field":"phone","op":"not_empty"}}]},
                  {"id":"firm","max":100,"rules":[
            {"id":"company","points":)"
           + QByteArray::number(company) + R"(,"when":{"field":"company","op":"not_empty"}}]}]})"
           + (decay.isEmpty() ? QByteArray() : ", \"decay\": " + decay) + "}";
}

std::shared_ptr<const Core::ScoringRules> rulesOf(const QByteArray &document)
{
    auto rules = Core::ScoringRules::parse(document);
    if (!rules)
        qFatal("%s", qPrintable(rules.error().toString()));
    return std::make_shared<const Core::ScoringRules>(*rules);
}

Core::LeadRescorer::Options at(qint64 nowMs, int pageSize = LeadRescorer::kPageSize)
{
    Core::LeadRescorer::Options options;
    options.nowMs = nowMs;
    options.pageSize = pageSize;
    return options;
}

} // namespace

class tst_LeadRescorer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ingestedLeadsAreScored();
    void rescoreAppliesChangedRules();
    void rescorePagesThroughManyLeads_data();
    void rescorePagesThroughManyLeads();
    void onlyChangedLeadsAreWritten();
    void createdStampLeavesRowsAlone();
    void decayFollowsLastActivity();
    void afterRowIdRescoresOnlyNewLeads();
    void storedScoresMatchTheRecordPath();
    void rollupsFollowARescore();
    void leadsStoredOutOfIdOrderAreRescored();
    void editsBetweenPagesStayConsistent();
    void pagesAreReadAheadWhileNothingElseWrites();
    void anotherConnectionsCommitIsReadAgain();
    void stoppingAfterAPageKeepsWhatIsDone();
    void bulkRescoreBuildsTheScoreIndexAgain();
    void stoppedBulkRescoreBuildsTheScoreIndexAgain();
    void openingTheStoreBuildsAMissingScoreIndex();
    void emptyStoreRescoresNothing();
    void chatbotLeadsKeepTheirBehaviourScore();

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
    // n leads; odd ones without a company.
    static void addLeads(Test::TempStore &store, int n)
    {
        Core::ManualClock clock;
        Core::LeadIngestor ingestor(store.db(), clock);
        QVERIFY(store.db().begin());
        for (int i = 0; i < n; ++i) {
            Core::LeadRecord r = seedExample();
            r.email = QStringLiteral("p%1@acme.example").arg(i);
            r.phone = QStringLiteral("+1555%1").arg(1000000 + i);
            if (i % 2)
                r.company.clear();
            QVERIFY(ingestor.store(store.businessId(), r));
        }
        QVERIFY(store.db().commit());
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
    QCOMPARE(
        scalar(store.db(),
               QStringLiteral(
                   "SELECT lead_score || lead_grade || qualification_status FROM scored_leads")),
        QStringLiteral("75Bsales_qualified"));
    const QJsonObject breakdown
        = QJsonDocument::fromJson(
              scalar(store.db(), QStringLiteral("SELECT score_breakdown FROM scored_leads"))
                  .toUtf8())
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
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT lead_score FROM scored_leads")),
             QStringLiteral("0"));

    auto rules = Core::ScoringRules::loadDefault();
    auto rescored = LeadRescorer::rescoreAll(store.db(), store.businessId(), *rules);
    LD_VERIFY_OK(rescored);
    QCOMPARE(*rescored, 1);
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT lead_score FROM scored_leads")),
             QStringLiteral("75"));

    // An owner doubles nothing but moves the grade thresholds: the grade follows.
    const QByteArray strict = R"({"version":1,"lead":{
        "grades":[{"label":"A","min":95},{"label":"B","min":90},{"label":"C","min":80},{"label":"D","min":0}],
        "qualification":[{"label":"sales_qualified","min":90},{"label":"marketing_qualified","min":70},{"label":"unqualified","min":0}],
        "groups":[{"id":"contact","max":100,"rules":[{"id":"has_phone","points":75,"when":{"field":"phone","op":"not_empty"}}]}]}})";
    auto changed = Core::ScoringRules::parse(strict);
    LD_VERIFY_OK(changed);
    LD_VERIFY_OK(LeadRescorer::rescoreAll(store.db(), store.businessId(), *changed));
    QCOMPARE(
        scalar(store.db(),
               QStringLiteral(
                   "SELECT lead_score || lead_grade || qualification_status FROM scored_leads")),
        QStringLiteral("75Dmarketing_qualified"));
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT score_breakdown FROM scored_leads")),
             QStringLiteral(R"({"has_phone":75})"));
}

void tst_LeadRescorer::chatbotLeadsKeepTheirBehaviourScore()
{
    // A chatbot lead's score comes from the behaviour model (ChatbotService); the lead model
    // must not overwrite it.
    Test::TempStore store;
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock); // no scoring: scores as they come
    Core::LeadRecord chat = seedExample();
    chat.channel = QStringLiteral("chatbot");
    chat.externalId = QStringLiteral("session-1");
    chat.email = QStringLiteral("chat@acme.example");
    chat.score = 42;
    chat.grade = QStringLiteral("C");
    chat.qualification = QStringLiteral("marketing_qualified");
    chat.scoreBreakdown = QJsonObject{{QStringLiteral("demo_requested"), 42}};
    LD_VERIFY_OK(ingestor.store(store.businessId(), chat));
    LD_VERIFY_OK(ingestor.store(store.businessId(), seedExample()));

    auto rescored = LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                             rulesOf(phoneAndCompany(7)), at(kNow));
    LD_VERIFY_OK(rescored);
    QCOMPARE(rescored->done, 1); // only the webform lead
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT lead_score || lead_grade || "
                                               "score_breakdown FROM scored_leads WHERE channel = "
                                               "'chatbot'")),
             QStringLiteral(R"(42C{"demo_requested":42})"));
    QCOMPARE(
        scalar(store.db(),
               QStringLiteral("SELECT lead_score FROM scored_leads WHERE channel = 'webform'")),
        QStringLiteral("17"));
}

void tst_LeadRescorer::rescorePagesThroughManyLeads_data()
{
    QTest::addColumn<int>("workers");
    QTest::newRow("scored by the reading thread alone") << 0;
    QTest::newRow("one more scoring thread") << 1;
    QTest::newRow("three more scoring threads") << 3;
}

void tst_LeadRescorer::rescorePagesThroughManyLeads()
{
    QFETCH(int, workers);
    Test::TempStore store;
    // More than a chunk per page, so pages are scored while they are still being read.
    constexpr int kPage = 2500;
    const int n = kPage * 2 + 17;
    addLeads(store, n);
    LeadRescorer::Options options = at(kNow, kPage);
    options.workers = workers;
    QList<qint64> steps;
    auto rescored
        = LeadRescorer::rescoreAll(store.db(), store.businessId(), rulesOf(phoneAndCompany(25)),
                                   options, [&steps, n](const LeadRescorer::Progress &progress) {
                                       steps << progress.done;
                                       QCOMPARE(progress.total, qint64(n));
                                   });
    LD_VERIFY_OK(rescored);
    QCOMPARE(rescored->done, n);
    QCOMPARE(rescored->changed, n); // unscored before
    // The pages, then the copy of what the rules read, filled for the next rescore (one slice).
    QCOMPARE(steps, (QList<qint64>{kPage, 2 * kPage, n, n}));
    QCOMPARE(rescored->inputsCopied, n);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("scored_leads"),
                             QStringLiteral("lead_score = 35 AND score_breakdown = "
                                            "'{\"company\":25,\"phone\":10}'")),
             (n + 1) / 2);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("scored_leads"),
                             QStringLiteral("lead_score = 10 AND lead_grade = 'D' AND "
                                            "qualification_status = 'unqualified' AND "
                                            "score_breakdown = '{\"phone\":10}'")),
             n / 2);
}

void tst_LeadRescorer::onlyChangedLeadsAreWritten()
{
    Test::TempStore store;
    addLeads(store, 10);
    LD_VERIFY_OK(LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                          rulesOf(phoneAndCompany(25)), at(kNow)));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("scored_at = %1").arg(kNow)),
             10);
    const QString hlcBefore
        = scalar(store.db(), QStringLiteral("SELECT sum(hlc) FROM lead_scores"));

    // The same rules again: nothing to write, no stamp moves.
    auto same = LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                         rulesOf(phoneAndCompany(25)), at(kNow + kDay));
    LD_VERIFY_OK(same);
    QCOMPARE(same->done, 10);
    QCOMPARE(same->changed, 0);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("scored_at = %1").arg(kNow)),
             10);
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT sum(hlc) FROM lead_scores")), hlcBefore);

    // A new company weight changes only the leads with a company; they are stamped as edits.
    auto weighted = LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                             rulesOf(phoneAndCompany(55)), at(kNow + 2 * kDay));
    LD_VERIFY_OK(weighted);
    QCOMPARE(weighted->changed, 5);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("scored_at = %1 AND lead_score = 65 AND lead_grade "
                                            "= 'B' AND qualification_status = 'sales_qualified'")
                                 .arg(kNow + 2 * kDay)),
             5);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("scored_at = %1 AND lead_score = 10").arg(kNow)),
             5);
    QVERIFY(scalar(store.db(), QStringLiteral("SELECT sum(hlc) FROM lead_scores")) != hlcBefore);
    // The leads themselves are not rewritten: a score is not an edit of the lead.
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads"),
                             QStringLiteral("updated_at >= %1").arg(kNow)),
             0);
}

void tst_LeadRescorer::createdStampLeavesRowsAlone()
{
    Test::TempStore store;
    addLeads(store, 4);
    const QString stamps
        = scalar(store.db(), QStringLiteral("SELECT group_concat(updated_at || '/' || hlc) FROM "
                                            "leads"));
    const QString scoreStamps
        = scalar(store.db(),
                 QStringLiteral("SELECT group_concat(scored_at || '/' || hlc) FROM lead_scores"));
    LeadRescorer::Options options = at(kNow);
    options.stamp = LeadRescorer::Stamp::AsCreated;
    auto rescored = LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                             rulesOf(phoneAndCompany(25)), options);
    LD_VERIFY_OK(rescored);
    QCOMPARE(rescored->changed, 4);
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT group_concat(updated_at || '/' || hlc) "
                                               "FROM scored_leads")),
             stamps);
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT sum(lead_score) FROM scored_leads")),
             QStringLiteral("90"));
    // The score rows keep their stamps too.
    QCOMPARE(scalar(store.db(), QStringLiteral("SELECT group_concat(scored_at || '/' || hlc) "
                                               "FROM lead_scores")),
             scoreStamps);
}

void tst_LeadRescorer::decayFollowsLastActivity()
{
    Test::TempStore store;
    addLeads(store, 4); // leads 1 and 3 have no company
    // Last activity: lead 0 created 30 days ago; lead 1 wrote 60 days ago; lead 2 was answered
    // 10 days ago though created long before; lead 3 is active today.
    QSqlQuery q(store.db().connection());
    const QStringList updates = {
        QStringLiteral("UPDATE leads SET created_at = %1 WHERE email = 'p0@acme.example'")
            .arg(kNow - 30 * kDay),
        QStringLiteral("UPDATE leads SET created_at = %1, last_inbound_at = %2 WHERE email = "
                       "'p1@acme.example'")
            .arg(kNow - 90 * kDay)
            .arg(kNow - 60 * kDay),
        QStringLiteral("UPDATE leads SET created_at = %1, last_inbound_at = %2, "
                       "last_outbound_at = %3 WHERE email = 'p2@acme.example'")
            .arg(kNow - 200 * kDay)
            .arg(kNow - 150 * kDay)
            .arg(kNow - 10 * kDay),
        QStringLiteral("UPDATE leads SET created_at = %1 WHERE email = 'p3@acme.example'")
            .arg(kNow),
    };
    for (const QString &sql : updates)
        QVERIFY2(q.exec(sql), qPrintable(sql));

    // Both groups fade, half-life 30 days, never below 5.
    const auto rules = rulesOf(phoneAndCompany(50, R"({"half_life_days": 30, "floor": 5})"));
    auto rescored = LeadRescorer::rescoreAll(store.db(), store.businessId(), rules, at(kNow));
    LD_VERIFY_OK(rescored);
    const auto row = [&store](int i) {
        return scalar(
            store.db(),
            QStringLiteral("SELECT lead_score || ' ' || lead_grade || ' ' || "
                           "score_breakdown FROM scored_leads WHERE email = 'p%1@acme.example'")
                .arg(i));
    };
    // 60 x 0.5 = 30.
    QCOMPARE(row(0), QStringLiteral(R"(30 D {"company":50,"decay":-30,"phone":10})"));
    // 10 x 0.25 = 2.5, held at the floor of 5.
    QCOMPARE(row(1), QStringLiteral(R"(5 D {"decay":-5,"phone":10})"));
    // 60 x 0.5^(1/3) = 47.6 -> 48.
    QCOMPARE(row(2), QStringLiteral(R"(48 C {"company":50,"decay":-12,"phone":10})"));
    QCOMPARE(row(3), QStringLiteral(R"(10 D {"phone":10})"));

    // The same rescore a half-life later: the leads fade further, except lead 1, already held
    // at the floor.
    auto later
        = LeadRescorer::rescoreAll(store.db(), store.businessId(), rules, at(kNow + 30 * kDay));
    LD_VERIFY_OK(later);
    QCOMPARE(later->changed, 3);
    QCOMPARE(row(0), QStringLiteral(R"(15 D {"company":50,"decay":-45,"phone":10})"));
    QCOMPARE(row(3), QStringLiteral(R"(5 D {"decay":-5,"phone":10})"));
}

void tst_LeadRescorer::afterRowIdRescoresOnlyNewLeads()
{
    Test::TempStore store;
    addLeads(store, 3);
    const qint64 lastRow
        = scalar(store.db(), QStringLiteral("SELECT max(rowid) FROM leads")).toLongLong();
    Core::ManualClock clock;
    Core::LeadIngestor ingestor(store.db(), clock);
    Core::LeadRecord late = seedExample();
    late.email = QStringLiteral("late@acme.example");
    LD_VERIFY_OK(ingestor.store(store.businessId(), late));

    LeadRescorer::Options options = at(kNow);
    options.afterRowId = lastRow;
    auto rescored = LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                             rulesOf(phoneAndCompany(25)), options);
    LD_VERIFY_OK(rescored);
    QCOMPARE(rescored->total, 1);
    QCOMPARE(rescored->done, 1);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("scored_leads"),
                             QStringLiteral("lead_score = 35")),
             1);
    QCOMPARE(scalar(store.db(),
                    QStringLiteral(
                        "SELECT lead_score FROM scored_leads WHERE email = 'late@acme.example'")),
             QStringLiteral("35"));
}

void tst_LeadRescorer::storedScoresMatchTheRecordPath()
{
    // The demo data set (every channel, real details) rescored through the fast path stores
    // exactly what scoring each lead read back as a LeadRecord gives.
    Test::TempStore store;
    Core::DemoDataGenerator::Options demo;
    demo.leads = 400;
    demo.seed = 7;
    demo.nowMs = kNow;
    LD_VERIFY_OK(Core::DemoDataGenerator(store.db(), demo).generate(store.businessId()));
    auto defaults = Core::ScoringRules::loadDefault();
    LD_VERIFY_OK(defaults);
    QByteArray document = defaults->document();
    // Fade the behaviour group too, so decay meets real activity times.
    document.chop(document.size() - document.lastIndexOf('}'));
    document += R"(, "decay": {"half_life_days": 20, "applies_to": ["behaviour", "intent"]}})";
    const auto rules = rulesOf(document);
    // Chatbot leads keep the behaviour model's score (see chatbotLeadsKeepTheirBehaviourScore).
    const int chatbot = Test::countRows(store.db(), QStringLiteral("leads"),
                                        QStringLiteral("channel = 'chatbot'"));
    QVERIFY(chatbot > 0);
    auto rescored = LeadRescorer::rescoreAll(store.db(), store.businessId(), rules, at(kNow, 97));
    LD_VERIFY_OK(rescored);
    QCOMPARE(rescored->done, 400 - chatbot);
    QVERIFY(rescored->changed > 0);

    QSqlQuery q(store.db().connection());
    QVERIFY(q.exec(QStringLiteral(
        "SELECT id, lead_score, lead_grade, qualification_status, score_breakdown, "
        "max(created_at, coalesce(last_inbound_at, 0), coalesce(last_outbound_at, 0)) "
        "FROM scored_leads WHERE channel <> 'chatbot'")));
    Core::LeadRepository repository(store.db());
    int checked = 0;
    int decayed = 0;
    int withDetails = 0;
    while (q.next()) {
        auto detail = repository.detail(q.value(0).toString());
        LD_VERIFY_OK(detail);
        const Core::ScoreResult expected
            = rules->score(detail->lead, Core::ScoreTime{kNow, q.value(5).toLongLong()});
        QCOMPARE(q.value(1).toInt(), expected.score);
        QCOMPARE(q.value(2).toString(), expected.grade);
        QCOMPARE(q.value(3).toString(), expected.qualification);
        QCOMPARE(
            q.value(4).toString(),
            QString::fromUtf8(QJsonDocument(expected.breakdown).toJson(QJsonDocument::Compact)));
        decayed += expected.breakdown.contains(u"decay") ? 1 : 0;
        withDetails += expected.breakdown.contains(u"time_on_page_long")
                               || expected.breakdown.contains(u"time_on_page_medium")
                           ? 1
                           : 0;
        ++checked;
    }
    QCOMPARE(checked, 400 - chatbot);
    QVERIFY(decayed > 100);
    QVERIFY(withDetails > 10);
}

void tst_LeadRescorer::rollupsFollowARescore()
{
    // The rescore turns the per-lead score triggers off and writes the rollups' differences:
    // what it leaves must be what a rebuild from the leads gives, in a zone with DST, with
    // campaigns, assignees and leads that had no score row yet.
    Test::TempStore store;
    QSqlQuery zone(store.db().connection());
    QVERIFY(zone.exec(QStringLiteral("UPDATE businesses SET time_zone = 'America/Chicago'")));
    Core::DemoDataGenerator::Options demo;
    demo.leads = 400;
    demo.seed = 11;
    demo.nowMs = kNow;
    LD_VERIFY_OK(Core::DemoDataGenerator(store.db(), demo).generate(store.businessId()));
    LD_VERIFY_OK(Core::AnalyticsRollup::rebuild(store.db(), store.businessId()));
    QVERIFY(zone.exec(QStringLiteral(
        "DELETE FROM lead_scores WHERE lead_id IN (SELECT id FROM leads WHERE rowid % 7 = 0 "
        "AND channel <> 'chatbot')")));
    QVERIFY(zone.numRowsAffected() > 0);

    auto rescored = LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                             rulesOf(phoneAndCompany(55)), at(kNow));
    LD_VERIFY_OK(rescored);
    QVERIFY(rescored->changed > 100);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("analytics_paused")), 0);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads"),
                             QStringLiteral("id NOT IN (SELECT lead_id FROM lead_scores)")),
             0);

    const QStringList kept = Test::rollupSnapshot(store.db());
    QVERIFY(kept.size() > 20);
    LD_VERIFY_OK(Core::AnalyticsRollup::rebuild(store.db(), store.businessId()));
    const QStringList rebuilt = Test::rollupSnapshot(store.db());
    QCOMPARE(kept.size(), rebuilt.size());
    for (int i = 0; i < kept.size(); ++i)
        QCOMPARE(kept.at(i), rebuilt.at(i));
}

void tst_LeadRescorer::leadsStoredOutOfIdOrderAreRescored()
{
    // Lead ids carry the time they were made (UUIDv7), so leads are stored in their ids' order,
    // except where another desktop's clock made them. Here the ids are a shuffle of the order:
    // pages overlap in key order, the rows a page cannot walk go one by one, and the outcome is
    // the same.
    Test::TempStore store;
    constexpr int kLeads = 60;
    addLeads(store, kLeads);
    QSqlQuery shuffle(store.db().connection());
    QVERIFY(shuffle.exec(QStringLiteral("PRAGMA foreign_keys = OFF")));
    QVERIFY(shuffle.exec(QStringLiteral(
        "UPDATE lead_scores SET lead_id = (SELECT printf('lead-%04d', ((l.rowid - 1) * 37) % 60) "
        "FROM leads AS l WHERE l.id = lead_scores.lead_id)")));
    QVERIFY(shuffle.exec(
        QStringLiteral("UPDATE leads SET id = printf('lead-%04d', ((rowid - 1) * 37) % 60)")));
    QVERIFY(shuffle.exec(QStringLiteral("PRAGMA foreign_keys = ON")));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("leads"),
                             QStringLiteral("id IN (SELECT lead_id FROM lead_scores)")),
             kLeads);
    LD_VERIFY_OK(Core::AnalyticsRollup::rebuild(store.db(), store.businessId()));

    auto rescored = LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                             rulesOf(phoneAndCompany(55)), at(kNow, 7));
    LD_VERIFY_OK(rescored);
    QCOMPARE(rescored->done, kLeads);
    QCOMPARE(rescored->changed, kLeads);
    QVERIFY2(rescored->rowsInKeyRange > 0 && rescored->rowsInKeyRange < kLeads,
             qPrintable(QString::number(rescored->rowsInKeyRange)));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("lead_score = 65 AND lead_grade = 'B'")),
             kLeads / 2);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("lead_score = 10 AND lead_grade = 'D'")),
             kLeads / 2);
    // Nothing left to change, and the rollups are a rebuild's.
    auto again = LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                          rulesOf(phoneAndCompany(55)), at(kNow));
    LD_VERIFY_OK(again);
    QCOMPARE(again->changed, 0);
    const QStringList kept = Test::rollupSnapshot(store.db());
    LD_VERIFY_OK(Core::AnalyticsRollup::rebuild(store.db(), store.businessId()));
    QCOMPARE(kept, Test::rollupSnapshot(store.db()));
}

void tst_LeadRescorer::editsBetweenPagesStayConsistent()
{
    Test::TempStore store;
    addLeads(store, 6); // rowids 1..6, pages of two: (1, 2) (3, 4) (5, 6)
    auto writer = Core::StoreWriter::start(store.path());
    LD_VERIFY_OK(writer);

    auto rescorer = std::make_shared<LeadRescorer>(store.businessId(), rulesOf(phoneAndCompany(25)),
                                                   at(kNow, 2));
    QList<qint64> pages;
    auto future = LeadRescorer::runOnWriter(
        **writer, rescorer, [&pages, &writer](const LeadRescorer::Progress &progress) {
            pages << progress.done;
            if (progress.done == 2) {
                // Queued now, so it runs between the first and the second page: an edit of a
                // lead already rescored (1), and of one the rescore has yet to reach (3).
                (void)(*writer)->submit([](Core::Database &db) -> Core::Result<void> {
                    QSqlQuery edit(db.connection());
                    if (!edit.exec(QStringLiteral(
                            "UPDATE leads SET phone = '', updated_at = 7 WHERE rowid = 1"))
                        || !edit.exec(QStringLiteral(
                            "UPDATE lead_scores SET lead_score = 99 "
                            "WHERE lead_id = (SELECT id FROM leads WHERE rowid = 1)"))
                        || !edit.exec(QStringLiteral(
                            "UPDATE leads SET company = '', updated_at = 7 WHERE rowid = 3")))
                        return Core::fail(QStringLiteral("edit failed"));
                    return {};
                });
            }
            return true;
        });
    future.waitForFinished();
    auto done = future.result();
    LD_VERIFY_OK(done);
    QCOMPARE(done->done, 6);
    // The last report is the copy of what the rules read, filled after the pages.
    QCOMPARE(pages, (QList<qint64>{2, 4, 6, 6}));

    // The rescore never wrote over the edit of lead 1 with scores of its older values.
    QCOMPARE(
        scalar(store.db(),
               QStringLiteral("SELECT phone || '/' || lead_score || '/' || updated_at FROM "
                              "scored_leads WHERE id = (SELECT id FROM leads WHERE rowid = 1)")),
        QStringLiteral("/99/7"));
    // Lead 3 was scored with its edited values: no company points.
    QCOMPARE(
        scalar(store.db(), QStringLiteral("SELECT company || '/' || lead_score || '/' || "
                                          "score_breakdown FROM scored_leads "
                                          "WHERE id = (SELECT id FROM leads WHERE rowid = 3)")),
        QStringLiteral(R"(/10/{"phone":10})"));
    QCOMPARE(scalar(store.db(),
                    QStringLiteral("SELECT group_concat(lead_score) FROM (SELECT s.lead_score "
                                   "FROM leads l JOIN lead_scores s ON s.lead_id = l.id "
                                   "WHERE l.rowid > 1 ORDER BY l.rowid)")),
             QStringLiteral("10,10,10,35,10"));
}

void tst_LeadRescorer::pagesAreReadAheadWhileNothingElseWrites()
{
    Test::TempStore store;
    addLeads(store, 5); // pages of two: (1, 2) (3, 4) (5)
    LD_VERIFY_OK(LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                          rulesOf(phoneAndCompany(20)), at(kNow)));
    for (const bool readAhead : {true, false}) {
        LeadRescorer::Options options = at(kNow + (readAhead ? 0 : kDay), 2);
        options.readAhead = readAhead;
        auto rescored = LeadRescorer::rescoreAll(
            store.db(), store.businessId(), rulesOf(phoneAndCompany(readAhead ? 25 : 30)), options);
        LD_VERIFY_OK(rescored);
        QCOMPARE(rescored->done, 5);
        QCOMPARE(rescored->changed, 3); // the leads with a company
        // Every page is read on the second connection: the first while the writer opened its
        // transaction, the next two while it wrote.
        QCOMPARE(rescored->pagesReadAhead, readAhead ? 3 : 0);
        QCOMPARE(Test::countRows(store.db(), QStringLiteral("scored_leads"),
                                 QStringLiteral("lead_score = %1").arg(readAhead ? 35 : 40)),
                 3);
    }
}

void tst_LeadRescorer::anotherConnectionsCommitIsReadAgain()
{
    Test::TempStore store;
    addLeads(store, 5);
    // The rescore on a connection of its own; the edit through the test's.
    auto rescoring = Core::Database::open(store.path());
    LD_VERIFY_OK(rescoring);
    bool edited = false;
    auto rescored = LeadRescorer::rescoreAll(
        **rescoring, store.businessId(), rulesOf(phoneAndCompany(25)), at(kNow, 2),
        [&store, &edited](const LeadRescorer::Progress &progress) {
            if (progress.done != 2)
                return;
            // Page (3, 4) is being read ahead from before this commit: it must be read again.
            QSqlQuery edit(store.db().connection());
            edited = edit.exec(QStringLiteral("UPDATE leads SET company = '' WHERE rowid = 3"));
        });
    LD_VERIFY_OK(rescored);
    QVERIFY(edited);
    QCOMPARE(rescored->pagesReadAhead, 2); // pages (1, 2) and (5)
    QCOMPARE(
        scalar(store.db(), QStringLiteral("SELECT company || '/' || lead_score || '/' || "
                                          "score_breakdown FROM scored_leads "
                                          "WHERE id = (SELECT id FROM leads WHERE rowid = 3)")),
        QStringLiteral(R"(/10/{"phone":10})"));
}

void tst_LeadRescorer::stoppingAfterAPageKeepsWhatIsDone()
{
    Test::TempStore store;
    addLeads(store, 5);
    auto writer = Core::StoreWriter::start(store.path());
    LD_VERIFY_OK(writer);
    auto rescorer = std::make_shared<LeadRescorer>(store.businessId(), rulesOf(phoneAndCompany(25)),
                                                   at(kNow, 2));
    auto future = LeadRescorer::runOnWriter(**writer, rescorer,
                                            [](const LeadRescorer::Progress &) { return false; });
    future.waitForFinished();
    auto done = future.result();
    LD_VERIFY_OK(done);
    QCOMPARE(done->done, 2);
    QCOMPARE(done->total, 5);
    (*writer)->flush();
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("scored_leads"),
                             QStringLiteral("lead_score > 0")),
             2);
}

namespace {

int scoreIndexes(Core::Database &db)
{
    return Test::countRows(db, QStringLiteral("sqlite_master"),
                           QStringLiteral("type = 'index' AND name = 'idx_lead_scores_sort'"));
}

} // namespace

void tst_LeadRescorer::bulkRescoreBuildsTheScoreIndexAgain()
{
    Test::TempStore store;
    addLeads(store, 10);
    LeadRescorer::Options options = at(kNow, 4);
    options.rebuildSortIndexFrom = 5;
    // Nothing changes: the index stays where it is. The first page drops it while the page is
    // read, and puts it back untouched when the page changes nothing: the schema never changed.
    QList<int> during;
    auto same = LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                         rulesOf(phoneAndCompany(25)), at(kNow));
    LD_VERIFY_OK(same);
    const QString schemaBefore = scalar(store.db(), QStringLiteral("PRAGMA schema_version"));
    auto unchanged = LeadRescorer::rescoreAll(
        store.db(), store.businessId(), rulesOf(phoneAndCompany(25)), options,
        [&](const LeadRescorer::Progress &) { during << scoreIndexes(store.db()); });
    LD_VERIFY_OK(unchanged);
    QCOMPARE(unchanged->changed, 0);
    QCOMPARE(unchanged->pagesReadAhead, 3);
    QCOMPARE(during, (QList<int>{1, 1, 1}));
    QCOMPARE(scalar(store.db(), QStringLiteral("PRAGMA schema_version")), schemaBefore);

    // A weight change: gone from the first changed page on, back at the end, and the list's
    // score sort reads it again.
    during.clear();
    auto weighted = LeadRescorer::rescoreAll(
        store.db(), store.businessId(), rulesOf(phoneAndCompany(55)), options,
        [&](const LeadRescorer::Progress &) { during << scoreIndexes(store.db()); });
    LD_VERIFY_OK(weighted);
    QCOMPARE(weighted->changed, 5);
    QCOMPARE(during.first(), 0);
    QCOMPARE(scoreIndexes(store.db()), 1);
    QSqlQuery plan(store.db().connection());
    QVERIFY(plan.exec(
        QStringLiteral("EXPLAIN QUERY PLAN SELECT lead_id FROM lead_scores WHERE tenant = 1 "
                       "ORDER BY lead_score DESC, lead_id DESC LIMIT 20")));
    QString detail;
    while (plan.next())
        detail += plan.value(3).toString();
    QVERIFY2(detail.contains(QStringLiteral("idx_lead_scores_sort")), qPrintable(detail));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_scores"),
                             QStringLiteral("lead_score = 65")),
             5);
}

void tst_LeadRescorer::stoppedBulkRescoreBuildsTheScoreIndexAgain()
{
    Test::TempStore store;
    addLeads(store, 6);
    auto writer = Core::StoreWriter::start(store.path());
    LD_VERIFY_OK(writer);
    LeadRescorer::Options options = at(kNow, 2);
    options.rebuildSortIndexFrom = 1;
    auto rescorer
        = std::make_shared<LeadRescorer>(store.businessId(), rulesOf(phoneAndCompany(25)), options);
    auto future = LeadRescorer::runOnWriter(**writer, rescorer,
                                            [](const LeadRescorer::Progress &) { return false; });
    future.waitForFinished();
    LD_VERIFY_OK(future.result());
    QCOMPARE(future.result()->done, 2);
    (*writer)->flush();
    QCOMPARE(scoreIndexes(store.db()), 1);
}

void tst_LeadRescorer::openingTheStoreBuildsAMissingScoreIndex()
{
    // A crash while a bulk rescore had the index dropped.
    Test::TempStore store;
    QSqlQuery drop(store.db().connection());
    QVERIFY(drop.exec(QStringLiteral("DROP INDEX idx_lead_scores_sort")));
    QCOMPARE(scoreIndexes(store.db()), 0);
    auto reopened = Core::Database::open(store.path());
    LD_VERIFY_OK(reopened);
    QCOMPARE(scoreIndexes(**reopened), 1);
}

void tst_LeadRescorer::emptyStoreRescoresNothing()
{
    Test::TempStore store;
    auto rules = Core::ScoringRules::loadDefault();
    auto rescored = LeadRescorer::rescoreAll(store.db(), store.businessId(), *rules);
    LD_VERIFY_OK(rescored);
    QCOMPARE(*rescored, 0);
}

QTEST_GUILESS_MAIN(tst_LeadRescorer)
#include "tst_leadrescorer.moc"
