// `leaddeskctl journal list|replay` on a store whose journal holds failed campaign-form posts
// (as a processing bug would leave them), run as the real binary.
#include "fakegraphapi.h"
#include "testsupport.h"

#include "businessrepository.h"
#include "inboundjournal.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace LeadDesk;

namespace {

QByteArray formBody(const QString &email)
{
    return QJsonDocument(
               QJsonObject{{QStringLiteral("campaign_id"), QStringLiteral("spring-promo")},
                           {QStringLiteral("source"), QStringLiteral("landing-page")},
                           {QStringLiteral("contact"),
                            QJsonObject{{QStringLiteral("firstName"), QStringLiteral("Zoe")},
                                        {QStringLiteral("lastName"), QStringLiteral("Okafor")},
                                        {QStringLiteral("email"), email}}}})
        .toJson(QJsonDocument::Compact);
}

} // namespace

class tst_CtlJournal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void listShowsRowsAndFilters();
    void listJsonIsOneObjectPerLine();
    void replayFailedProcessesThem();
    void replayById();
    void replayOfAProcessedRowFails();
    void replayOfAnUnknownRouteFails();
    void usageErrorsExitTwo();
    void replayFetchesLeadAdsLeads();

private:
    Test::CtlRun ctl(const QStringList &args) { return Test::runCtl(m_dir->path(), args); }
    void addRow(const QString &id, const QString &route, const QString &status,
                const QByteArray &body, qint64 receivedAtMs);
    int count(const QString &table, const QString &where = {})
    {
        auto db
            = Core::Database::open(QDir(m_dir->path()).filePath(QStringLiteral("leaddesk.sqlite")));
        return db ? Test::countRows(**db, table, where) : -1;
    }

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_CtlJournal::addRow(const QString &id, const QString &route, const QString &status,
                            const QByteArray &body, qint64 receivedAtMs)
{
    auto db = Core::Database::open(QDir(m_dir->path()).filePath(QStringLiteral("leaddesk.sqlite")));
    LD_VERIFY_OK(db);
    auto business = Core::BusinessRepository(**db).ensurePrimary();
    LD_VERIFY_OK(business);
    Core::JournalEntry entry;
    entry.id = id;
    entry.businessId = business->id;
    entry.route = route;
    entry.method = QStringLiteral("POST");
    entry.url = QStringLiteral("http://127.0.0.1:8080/v1/api/leads");
    entry.headers = QStringLiteral(R"({"content-type":"application/json"})");
    entry.body = body;
    entry.remoteAddr = QStringLiteral("198.51.100.4");
    entry.status = status;
    entry.error
        = status == QLatin1String("failed") ? QStringLiteral("store was read-only") : QString();
    entry.attempts = 1;
    entry.receivedAtMs = receivedAtMs;
    LD_VERIFY_OK(Core::InboundJournal(**db).insert(entry));
}

void tst_CtlJournal::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    addRow(QStringLiteral("row-1"), QStringLiteral("campaign_form"), QStringLiteral("failed"),
           formBody(QStringLiteral("one@example.com")), 1'760'000'000'000);
    addRow(QStringLiteral("row-2"), QStringLiteral("campaign_form"), QStringLiteral("failed"),
           formBody(QStringLiteral("two@example.com")), 1'760'000'001'000);
    addRow(QStringLiteral("row-3"), QStringLiteral("campaign_form"), QStringLiteral("processed"),
           formBody(QStringLiteral("three@example.com")), 1'760'000'002'000);
}

void tst_CtlJournal::listShowsRowsAndFilters()
{
    const Test::CtlRun all = ctl({QStringLiteral("journal"), QStringLiteral("list")});
    QCOMPARE(all.exitCode, 0);
    const QStringList lines = all.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.first().startsWith(QStringLiteral("row-3"))); // newest first
    QVERIFY(all.out.contains(QStringLiteral("store was read-only")));
    const Test::CtlRun failed
        = ctl({QStringLiteral("journal"), QStringLiteral("list"), QStringLiteral("--failed")});
    QCOMPARE(failed.exitCode, 0);
    QCOMPARE(failed.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 2);
    QVERIFY(!failed.out.contains(QStringLiteral("row-3")));
    const Test::CtlRun limited = ctl({QStringLiteral("journal"), QStringLiteral("list"),
                                      QStringLiteral("--limit"), QStringLiteral("1")});
    QCOMPARE(limited.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 1);
}

void tst_CtlJournal::listJsonIsOneObjectPerLine()
{
    const Test::CtlRun run = ctl({QStringLiteral("journal"), QStringLiteral("list"),
                                  QStringLiteral("--json"), QStringLiteral("--failed")});
    QCOMPARE(run.exitCode, 0);
    const QStringList lines = run.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QCOMPARE(lines.size(), 2);
    const QJsonObject row = QJsonDocument::fromJson(lines.first().toUtf8()).object();
    QCOMPARE(row.value(QStringLiteral("id")).toString(), QStringLiteral("row-2"));
    QCOMPARE(row.value(QStringLiteral("route")).toString(), QStringLiteral("campaign_form"));
    QCOMPARE(row.value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
    QCOMPARE(row.value(QStringLiteral("error")).toString(), QStringLiteral("store was read-only"));
    QCOMPARE(row.value(QStringLiteral("remote_addr")).toString(), QStringLiteral("198.51.100.4"));
    QVERIFY(row.value(QStringLiteral("received_at")).toString().endsWith(QLatin1Char('Z')));
}

void tst_CtlJournal::replayFailedProcessesThem()
{
    const Test::CtlRun run
        = ctl({QStringLiteral("journal"), QStringLiteral("replay"), QStringLiteral("--failed")});
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QVERIFY(run.out.contains(QStringLiteral("row-1  campaign_form  processed")));
    QVERIFY(run.out.contains(QStringLiteral("row-2  campaign_form  processed")));
    QVERIFY(run.out.contains(QStringLiteral("replayed 2 requests")));
    QCOMPARE(count(QStringLiteral("leads")), 2);
    QCOMPARE(count(QStringLiteral("leads"), QStringLiteral("email = 'one@example.com'")), 1);
    QCOMPARE(count(QStringLiteral("inbound_journal"),
                   QStringLiteral("status = 'processed' AND attempts = 2 AND lead_id IS NOT NULL")),
             2);
    // Nothing left to do the second time.
    const Test::CtlRun again
        = ctl({QStringLiteral("journal"), QStringLiteral("replay"), QStringLiteral("--failed")});
    QCOMPARE(again.exitCode, 0);
    QVERIFY(again.out.contains(QStringLiteral("no failed requests")));
    QCOMPARE(count(QStringLiteral("leads")), 2);
}

void tst_CtlJournal::replayById()
{
    addRow(QStringLiteral("row-bad"), QStringLiteral("campaign_form"), QStringLiteral("failed"),
           "{\"campaign_id\":", 1'760'000'003'000);
    const Test::CtlRun run
        = ctl({QStringLiteral("journal"), QStringLiteral("replay"), QStringLiteral("row-1")});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.contains(QStringLiteral("row-1  campaign_form  processed  lead ")));
    QCOMPARE(count(QStringLiteral("leads")), 1);
    // A body that can never be processed ends rejected, with the reason.
    const Test::CtlRun bad
        = ctl({QStringLiteral("journal"), QStringLiteral("replay"), QStringLiteral("row-bad")});
    QCOMPARE(bad.exitCode, 0);
    QVERIFY(bad.out.contains(QStringLiteral("row-bad  campaign_form  rejected  Malformed JSON")));
}

void tst_CtlJournal::replayOfAProcessedRowFails()
{
    const Test::CtlRun run
        = ctl({QStringLiteral("journal"), QStringLiteral("replay"), QStringLiteral("row-3")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("already processed")));
    const Test::CtlRun missing
        = ctl({QStringLiteral("journal"), QStringLiteral("replay"), QStringLiteral("row-9")});
    QCOMPARE(missing.exitCode, 1);
    QVERIFY(missing.err.contains(QStringLiteral("no journal entry row-9")));
}

void tst_CtlJournal::replayOfAnUnknownRouteFails()
{
    addRow(QStringLiteral("row-x"), QStringLiteral("carrier_pigeon"), QStringLiteral("failed"),
           "{}", 1'760'000'004'000);
    const Test::CtlRun run
        = ctl({QStringLiteral("journal"), QStringLiteral("replay"), QStringLiteral("row-x")});
    QCOMPARE(run.exitCode, 1);
    QVERIFY(run.err.contains(QStringLiteral("carrier_pigeon")));
}

void tst_CtlJournal::replayFetchesLeadAdsLeads()
{
    // A Lead Ads delivery journalled while Lead Ads was not connected.
    const QByteArray body = Test::readFixture("leadads_webhook_leadgen.json");
    addRow(QStringLiteral("row-ads"), QStringLiteral("messenger"), QStringLiteral("failed"), body,
           1'760'000'003'000);
    Test::FakeGraphApi graph;
    QVERIFY(graph.listen());
    // The leaddeskctl process calls the fake in this one: keep this event loop turning meanwhile.
    const auto replay = [this, &graph](const QString &token) {
        QProcess process;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("LEADDESK_SECRETS_FILE"));
        if (!token.isEmpty())
            environment.insert(QStringLiteral("LEADDESK_META_PAGE_ACCESS_TOKEN"), token);
        process.setProcessEnvironment(environment);
        process.start(QStringLiteral(LEADDESK_CTL_PATH),
                      {QStringLiteral("--data-dir"), m_dir->path(), QStringLiteral("journal"),
                       QStringLiteral("replay"), QStringLiteral("row-ads"),
                       QStringLiteral("--graph-url"), graph.baseUrl().toString()});
        process.waitForStarted();
        if (!QTest::qWaitFor([&process] { return process.state() == QProcess::NotRunning; },
                             60'000))
            return QStringLiteral("<leaddeskctl did not finish>");
        return QString::fromUtf8(process.readAllStandardOutput());
    };

    // Without a page token nothing is fetched and the row stays failed, saying why.
    QString out = replay({});
    QVERIFY2(out.contains(QStringLiteral("failed"))
                 && out.contains(QStringLiteral("not connected")),
             qPrintable(out));
    QVERIFY(graph.requests.isEmpty());

    // With one, but Graph does not know the lead: still failed, naming it.
    out = replay(graph.accessToken);
    QVERIFY2(out.contains(QStringLiteral("failed"))
                 && out.contains(QStringLiteral("444555666777888")),
             qPrintable(out));
    QCOMPARE(count(QStringLiteral("leads"), QStringLiteral("channel = 'leadads'")), 0);

    // Once it does, the replay fetches and stores the lead and the row is done.
    graph.addLeadObject(
        QStringLiteral("form-1"),
        QJsonDocument::fromJson(Test::readFixture("leadads_lead_get_response.json")).object());
    out = replay(graph.accessToken);
    QVERIFY2(out.contains(QStringLiteral("processed")), qPrintable(out));
    QCOMPARE(graph.requests.last().path, QStringLiteral("/v25.0/444555666777888"));
    QCOMPARE(count(QStringLiteral("leads"),
                   QStringLiteral("channel = 'leadads' AND external_id = '444555666777888' "
                                  "AND email = 'marcus.o@example.com'")),
             1);
    QCOMPARE(count(QStringLiteral("inbound_journal"),
                   QStringLiteral("id = 'row-ads' AND status = 'processed'")),
             1);
}

void tst_CtlJournal::usageErrorsExitTwo()
{
    for (const QStringList &args :
         {QStringList{QStringLiteral("journal")},
          QStringList{QStringLiteral("journal"), QStringLiteral("frobnicate")},
          QStringList{QStringLiteral("journal"), QStringLiteral("replay")},
          QStringList{QStringLiteral("journal"), QStringLiteral("replay"), QStringLiteral("a"),
                      QStringLiteral("b")},
          QStringList{QStringLiteral("journal"), QStringLiteral("replay"), QStringLiteral("a"),
                      QStringLiteral("--failed")},
          QStringList{QStringLiteral("journal"), QStringLiteral("list"), QStringLiteral("--status"),
                      QStringLiteral("bogus")},
          QStringList{QStringLiteral("journal"), QStringLiteral("list"), QStringLiteral("--limit"),
                      QStringLiteral("0")}}) {
        const Test::CtlRun run = ctl(args);
        QVERIFY2(run.exitCode == 2, qPrintable(args.join(QLatin1Char(' '))));
        QVERIFY(!run.err.isEmpty());
    }
}

QTEST_GUILESS_MAIN(tst_CtlJournal)
#include "tst_ctl_journal.moc"
