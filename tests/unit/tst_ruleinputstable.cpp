#include "businessrepository.h"
#include "clock.h"
#include "databasethread.h"
#include "leadingestor.h"
#include "leadrescorer.h"
#include "ruleinputstable.h"
#include "scoringdetailscanner.h"
#include "scoringrules.h"
#include "sqlitestatement.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QTest>

#include <sqlite3.h>

#include <map>

using namespace LeadDesk;
using Core::RuleInputsTable;

namespace {

constexpr qint64 kNow = 1'760'000'000'000;

// A phone, a company, a city (the contact's) and two detail keys.
const QByteArray kRules = R"({"version":1,"lead":{
    "grades":[{"label":"A","min":80},{"label":"B","min":60},{"label":"C","min":40},{"label":"D","min":0}],
    "qualification":[{"label":"sales_qualified","min":60},{"label":"marketing_qualified","min":30},{"label":"unqualified","min":0}],
    "groups":[{"id":"all","max":100,"rules":[
        {"id":"phone","points":10,"when":{"field":"phone","op":"not_empty"}},
        {"id":"company","points":20,"when":{"field":"company","op":"not_empty"}},
        {"id":"city","points":5,"when":{"field":"city","op":"equals","value":"Springfield"}},
        {"id":"long_visit","points":30,"when":{"field":"details.time_on_page_seconds","op":"range","gte":300}},
        {"id":"returning","points":15,"when":{"field":"details.return_visitor","op":"equals","value":"true"}}]}]}})";

std::shared_ptr<const Core::ScoringRules> rulesOf(const QByteArray &document)
{
    auto rules = Core::ScoringRules::parse(document);
    if (!rules)
        qFatal("%s", qPrintable(rules.error().toString()));
    return std::make_shared<const Core::ScoringRules>(*rules);
}

Core::LeadRescorer::Options atNow()
{
    Core::LeadRescorer::Options options;
    options.nowMs = kNow;
    return options;
}

sqlite3 *handleOf(Test::TempStore &store)
{
    return static_cast<sqlite3 *>(store.db().sqliteHandle());
}

QString scalar(Test::TempStore &store, const QString &sql)
{
    QSqlQuery q(store.db().connection());
    if (!q.exec(sql) || !q.next())
        return QStringLiteral("<none>");
    return q.value(0).toString();
}

// What ScoringDetailScanner makes of each top-level key of `json`, as the rules would read it.
std::map<std::string, QString> readAsRules(const QByteArray &json)
{
    std::map<std::string, QString> read;
    const bool ok = Core::ScoringDetailScanner(std::string_view(json.constData(), json.size()))
                        .scan([&read](const Core::ScoringDetailScanner::Scalar &key,
                                      const Core::ScoringDetailScanner::Scalar &value) {
                            using Scalar = Core::ScoringDetailScanner::Scalar;
                            const std::string name
                                = key.escaped ? Core::ScoringDetailScanner::unescape(key.raw)
                                              : std::string(key.raw);
                            QString as;
                            switch (value.type) {
                            case Scalar::String:
                                as = u"text:" + Core::ScoringDetailScanner::text(value);
                                break;
                            case Scalar::Number: {
                                const auto number = Core::ScoringDetailScanner::number(value.raw);
                                as = number ? u"number:" + QString::number(*number, 'g', 17)
                                            : QStringLiteral("number:invalid");
                                break;
                            }
                            case Scalar::True:
                                as = QStringLiteral("true");
                                break;
                            case Scalar::False:
                                as = QStringLiteral("false");
                                break;
                            case Scalar::Absent:
                            case Scalar::Other:
                                as = QString(); // reads as blank
                                break;
                            }
                            read[name] = as; // the last of a repeated key wins
                        });
    if (!ok)
        read.clear();
    std::erase_if(read, [](const auto &entry) { return entry.second.isEmpty(); });
    return read;
}

} // namespace

class tst_RuleInputsTable : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void layoutIsWhatTheRulesRead();
    void layoutCoversWhatItHolds();
    void fillCopiesWhatTheRulesRead();
    void triggersFollowInsertsUpdatesAndDeletes();
    void cutDetailsReadAsTheWhole_data();
    void cutDetailsReadAsTheWhole();
    void currentNeedsItsTriggersAndAFinishedFill();
    void rescoreFillsTheCopyAfterItsPagesForTheNext();
    void copyAndLeadsRowsScoreAlike();
    void leadsStoredBeforeTheFillAreCopied();
    void importRescoreReadsTheLeadsRows();

private:
    static QString addLead(Test::TempStore &store, const QString &email, const QJsonObject &details)
    {
        Core::ManualClock clock;
        Core::LeadIngestor ingestor(store.db(), clock);
        Core::LeadRecord r;
        r.channel = QStringLiteral("webform");
        r.firstName = QStringLiteral("Ann");
        r.email = email;
        r.phone = QStringLiteral("+15551234567");
        r.company = QStringLiteral("Acme Corp");
        r.city = QStringLiteral("Springfield");
        r.details = details;
        r.createdAtMs = 1000;
        auto stored = ingestor.store(store.businessId(), r);
        if (!stored)
            return {};
        return scalar(store, QStringLiteral("SELECT id FROM leads WHERE email = '%1'").arg(email));
    }
    // n leads with no details, p0@acme.example on.
    static void addLeads(Test::TempStore &store, int n)
    {
        for (int i = 0; i < n; ++i)
            QVERIFY(!addLead(store, QStringLiteral("p%1@acme.example").arg(i), {}).isEmpty());
    }
    static void copyAll(Test::TempStore &store, const RuleInputsTable::Layout &layout)
    {
        sqlite3 *db = handleOf(store);
        QVERIFY(store.db().begin());
        auto fillId = RuleInputsTable::begin(db, layout);
        LD_VERIFY_OK(fillId);
        LD_VERIFY_OK(RuleInputsTable::fill(db, layout, *fillId, 0, 1'000'000));
        LD_VERIFY_OK(RuleInputsTable::finish(db, *fillId));
        QVERIFY(store.db().commit());
    }
};

void tst_RuleInputsTable::layoutIsWhatTheRulesRead()
{
    const auto layout = RuleInputsTable::Layout::forRules(*rulesOf(kRules));
    // The city is the contact's: the copy keeps the lead's contact id to find it.
    QCOMPARE(layout.fields, (QStringList{QStringLiteral("company"), QStringLiteral("contact_id"),
                                         QStringLiteral("phone")}));
    QCOMPARE(layout.detailKeys, (QStringList{QStringLiteral("return_visitor"),
                                             QStringLiteral("time_on_page_seconds")}));
    QVERIFY(!layout.activity);
    QCOMPARE(RuleInputsTable::Layout::fromJson(layout.toJson()).value(), layout);
    QVERIFY(!RuleInputsTable::Layout::fromJson("{\"fields\": 3}"));

    // Columns every page reads anyway (the channel) are not repeated.
    QByteArray channelRule = kRules;
    channelRule.replace("\"field\":\"company\"", "\"field\":\"channel\"");
    QVERIFY(!RuleInputsTable::Layout::forRules(*rulesOf(channelRule)).fields.contains(u"channel"));
}

void tst_RuleInputsTable::layoutCoversWhatItHolds()
{
    RuleInputsTable::Layout wide;
    wide.fields = {QStringLiteral("company"), QStringLiteral("phone")};
    wide.detailKeys = {QStringLiteral("a"), QStringLiteral("b")};
    RuleInputsTable::Layout narrow;
    narrow.fields = {QStringLiteral("phone")};
    narrow.detailKeys = {QStringLiteral("b")};
    QVERIFY(wide.covers(narrow));
    QVERIFY(wide.covers(wide));
    QVERIFY(!narrow.covers(wide));
    narrow.activity = true;
    QVERIFY(!wide.covers(narrow));
    wide.activity = true;
    QVERIFY(wide.covers(narrow));
    QVERIFY(wide.covers(RuleInputsTable::Layout()));
}

void tst_RuleInputsTable::fillCopiesWhatTheRulesRead()
{
    Test::TempStore store;
    const QString id = addLead(store, QStringLiteral("ann@acme.example"),
                               QJsonObject{{QStringLiteral("time_on_page_seconds"), 420},
                                           {QStringLiteral("landing"), QStringLiteral("/offer")},
                                           {QStringLiteral("return_visitor"), true}});
    QVERIFY(!id.isEmpty());
    const auto layout = RuleInputsTable::Layout::forRules(*rulesOf(kRules));
    copyAll(store, layout);
    QCOMPARE(RuleInputsTable::columns(layout).size(), 1 + 9 + 3 + 1);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_rule_inputs")), 1);
    QCOMPARE(
        scalar(store, QStringLiteral("SELECT c.id = l.id AND c.lead_rowid = l.rowid AND c.phone = "
                                     "l.phone AND c.company = l.company AND c.contact_id = "
                                     "l.contact_id AND c.business_id = l.business_id AND "
                                     "c.created_at = l.created_at FROM lead_rule_inputs AS c JOIN "
                                     "leads AS l ON l.rowid = c.lead_rowid")),
        QStringLiteral("1"));
    // Only the keys the rules read, in the order the lead has them.
    QCOMPARE(scalar(store, QStringLiteral("SELECT details FROM lead_rule_inputs")),
             QStringLiteral(R"({"return_visitor":true,"time_on_page_seconds":420})"));
    QCOMPARE(RuleInputsTable::current(handleOf(store)).value().value(), layout);
}

void tst_RuleInputsTable::triggersFollowInsertsUpdatesAndDeletes()
{
    Test::TempStore store;
    const auto layout = RuleInputsTable::Layout::forRules(*rulesOf(kRules));
    copyAll(store, layout); // an empty store: only the triggers will fill it
    const QString ann = addLead(store, QStringLiteral("ann@acme.example"),
                                QJsonObject{{QStringLiteral("return_visitor"), false}});
    const QString bob = addLead(store, QStringLiteral("bob@acme.example"), {});
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_rule_inputs")), 2);
    const auto copied = [&store](const QString &column, const QString &id) {
        return scalar(
            store,
            QStringLiteral("SELECT %1 FROM lead_rule_inputs WHERE id = '%2'").arg(column, id));
    };
    QCOMPARE(copied(QStringLiteral("details"), ann), QStringLiteral(R"({"return_visitor":false})"));
    QCOMPARE(copied(QStringLiteral("details"), bob), QStringLiteral("{}"));

    QSqlQuery q(store.db().connection());
    QVERIFY(q.exec(QStringLiteral("UPDATE leads SET company = 'Globex', details = "
                                  "'{\"time_on_page_seconds\": 12.5}' WHERE id = '%1'")
                       .arg(bob)));
    QCOMPARE(copied(QStringLiteral("company"), bob), QStringLiteral("Globex"));
    QCOMPARE(copied(QStringLiteral("details"), bob),
             QStringLiteral(R"({"time_on_page_seconds":12.5})"));
    QVERIFY(q.exec(QStringLiteral("UPDATE leads SET deleted = 1 WHERE id = '%1'").arg(ann)));
    QCOMPARE(copied(QStringLiteral("deleted"), ann), QStringLiteral("1"));
    // A column the copy does not hold changes nothing in it.
    QVERIFY(q.exec(QStringLiteral("UPDATE leads SET message = 'hello' WHERE id = '%1'").arg(bob)));
    QCOMPARE(copied(QStringLiteral("company"), bob), QStringLiteral("Globex"));
    // Text that is not a JSON object reads as the empty object, and the lead is still stored.
    QVERIFY(
        q.exec(QStringLiteral("UPDATE leads SET details = 'not json {' WHERE id = '%1'").arg(bob)));
    QCOMPARE(copied(QStringLiteral("details"), bob), QStringLiteral("{}"));

    QVERIFY(q.exec(QStringLiteral("DELETE FROM leads WHERE id = '%1'").arg(ann)));
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_rule_inputs")), 1);
    QCOMPARE(scalar(store, QStringLiteral("SELECT count(*) FROM lead_rule_inputs AS c JOIN leads "
                                          "AS l ON l.rowid = c.lead_rowid AND l.id = c.id")),
             QStringLiteral("1"));
}

void tst_RuleInputsTable::cutDetailsReadAsTheWhole_data()
{
    QTest::addColumn<QByteArray>("details");
    QTest::newRow("plain") << QByteArray(R"({"a": "Yes", "b": 3, "z": "not read"})");
    QTest::newRow("true and false") << QByteArray(R"({"a": true, "b": false})");
    QTest::newRow("null, array, object read blank")
        << QByteArray(R"({"a": null, "b": [1, 2], "c": {"a": 1}})");
    QTest::newRow("every digit of a double")
        << QByteArray(R"({"a": 0.30000000000000004, "b": 1e5, "c": -2.5E-3})");
    QTest::newRow("integers") << QByteArray(R"({"a": 0, "b": -17, "c": 9007199254740993})");
    QTest::newRow("beyond 64 bits") << QByteArray(R"({"a": 12345678901234567890123})");
    QTest::newRow("escapes") << QByteArray(R"({"a": "say \"hi\"\n\u00e9\ud83d\ude00", "b": "\/"})");
    QTest::newRow("escaped key") << QByteArray(R"({"\u0061": "by escape"})");
    QTest::newRow("repeated key, last wins") << QByteArray(R"({"a": "first", "a": "second"})");
    QTest::newRow("repeated key, blank last") << QByteArray(R"({"a": "first", "a": null})");
    QTest::newRow("unicode text") << QByteArray("{\"a\": \"Zoë – 東京\"}");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("not JSON") << QByteArray("{\"a\": ");
    QTest::newRow("an array") << QByteArray("[1, 2]");
    QTest::newRow("SQL in a value") << QByteArray(R"({"a": "'); DROP TABLE leads; --"})");
}

void tst_RuleInputsTable::cutDetailsReadAsTheWhole()
{
    QFETCH(QByteArray, details);
    Test::TempStore store;
    RuleInputsTable::Layout layout;
    layout.detailKeys = {QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c")};
    QVERIFY(store.db().begin());
    LD_VERIFY_OK(RuleInputsTable::begin(handleOf(store), layout));
    QVERIFY(store.db().commit());

    const QByteArray sql = "SELECT "
                           + RuleInputsTable::sourceExpression(QStringLiteral("details"), "t")
                           + " FROM (SELECT ?1 AS details) AS t";
    Core::SqliteStatement cut(handleOf(store), sql.constData());
    QVERIFY(cut.isValid());
    cut.bind(1, details);
    auto row = cut.step();
    LD_VERIFY_OK(row);
    QVERIFY(*row);
    const std::string_view text = cut.columnView(0);
    const QByteArray slim(text.data(), qsizetype(text.size()));

    std::map<std::string, QString> whole = readAsRules(details);
    std::erase_if(whole, [](const auto &entry) { return entry.first > "c"; }); // keys not read
    QCOMPARE(readAsRules(slim), whole);
}

void tst_RuleInputsTable::currentNeedsItsTriggersAndAFinishedFill()
{
    Test::TempStore store;
    sqlite3 *db = handleOf(store);
    QVERIFY(!RuleInputsTable::current(db).value());
    const auto layout = RuleInputsTable::Layout::forRules(*rulesOf(kRules));
    auto fillId = RuleInputsTable::begin(db, layout);
    LD_VERIFY_OK(fillId);
    QVERIFY(!RuleInputsTable::current(db).value()); // begun, not finished
    // Another rescore's fill replaced this one: this one can neither go on nor finish.
    auto other = RuleInputsTable::begin(db, layout);
    LD_VERIFY_OK(other);
    QVERIFY(!RuleInputsTable::fill(db, layout, *fillId, 0, 10));
    QVERIFY(!RuleInputsTable::finish(db, *fillId));
    LD_VERIFY_OK(RuleInputsTable::finish(db, *other));
    QCOMPARE(RuleInputsTable::current(db).value().value(), layout);
    // A leads table rebuilt without the triggers leaves a copy nothing keeps current.
    QVERIFY(sqlite3_exec(db, "DROP TRIGGER lead_rule_inputs_update", nullptr, nullptr, nullptr)
            == SQLITE_OK);
    QVERIFY(!RuleInputsTable::current(db).value());
    LD_VERIFY_OK(RuleInputsTable::drop(db));
    QCOMPARE(scalar(store, QStringLiteral("SELECT count(*) FROM sqlite_master WHERE name LIKE "
                                          "'lead\\_rule\\_inputs%' ESCAPE '\\'")),
             QStringLiteral("0"));

    // Rules that read no detail need no trigger for the details.
    RuleInputsTable::Layout plain;
    plain.fields = {QStringLiteral("phone")};
    auto plainFill = RuleInputsTable::begin(db, plain);
    LD_VERIFY_OK(plainFill);
    LD_VERIFY_OK(RuleInputsTable::finish(db, *plainFill));
    QCOMPARE(RuleInputsTable::triggersFor(plain).size(), 3);
    QCOMPARE(RuleInputsTable::current(db).value().value(), plain);
}

void tst_RuleInputsTable::rescoreFillsTheCopyAfterItsPagesForTheNext()
{
    Test::TempStore store;
    for (int i = 0; i < 30; ++i) {
        QVERIFY(!addLead(store, QStringLiteral("p%1@acme.example").arg(i),
                         QJsonObject{{QStringLiteral("time_on_page_seconds"), i * 20}})
                     .isEmpty());
    }
    Core::LeadRescorer::Options options = atNow();
    options.pageSize = 7;
    auto first
        = Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), rulesOf(kRules), options);
    LD_VERIFY_OK(first);
    // The rows are read, and the copy filled after the pages.
    QVERIFY(!first->fromInputs);
    QCOMPARE(first->inputsCopied, 30);
    QCOMPARE(first->done, 30);
    // 10 phone + 20 company + 5 city, and 30 for the 15 leads at 300 s or more.
    QCOMPARE(scalar(store, QStringLiteral("SELECT sum(lead_score) FROM scored_leads")),
             QString::number(30 * 35 + 15 * 30));

    // Other weights, the same fields: the copy is read as it is.
    QByteArray reweighted = kRules;
    reweighted.replace("\"points\":30", "\"points\":40");
    auto second = Core::LeadRescorer::rescoreAll(store.db(), store.businessId(),
                                                 rulesOf(reweighted), options);
    LD_VERIFY_OK(second);
    QCOMPARE(second->inputsCopied, 0);
    QVERIFY(second->fromInputs);
    QCOMPARE(second->changed, 15);

    // A rule on a field the copy lacks: the rows are read, and a new copy made after.
    QByteArray urgency = kRules;
    urgency.replace("\"field\":\"company\",\"op\":\"not_empty\"",
                    "\"field\":\"urgency\",\"op\":\"empty\"");
    auto third
        = Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), rulesOf(urgency), options);
    LD_VERIFY_OK(third);
    QVERIFY(!third->fromInputs);
    QCOMPARE(third->inputsCopied, 30);
    QVERIFY(RuleInputsTable::current(handleOf(store))->value().fields.contains(u"urgency"));

    options.ruleInputs = false;
    auto rows
        = Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), rulesOf(urgency), options);
    LD_VERIFY_OK(rows);
    QVERIFY(!rows->fromInputs);
    QCOMPARE(rows->changed, 0);
}

void tst_RuleInputsTable::copyAndLeadsRowsScoreAlike()
{
    // Leads added and changed after the copy was made score through the copy as through their
    // rows.
    Test::TempStore store;
    addLeads(store, 12);
    Core::LeadRescorer::Options options = atNow();
    LD_VERIFY_OK(
        Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), rulesOf(kRules), options));
    for (int i = 12; i < 20; ++i) {
        addLead(store, QStringLiteral("p%1@acme.example").arg(i),
                QJsonObject{{QStringLiteral("return_visitor"), i % 2 == 0},
                            {QStringLiteral("time_on_page_seconds"), QString::number(i * 30)}});
    }
    QSqlQuery q(store.db().connection());
    QVERIFY(q.exec(QStringLiteral("UPDATE leads SET phone = NULL WHERE email LIKE 'p1%'")));
    QVERIFY(q.exec(QStringLiteral("UPDATE contacts SET city = 'Shelbyville' WHERE id IN (SELECT "
                                  "contact_id FROM leads WHERE email LIKE 'p%3@%')")));
    auto copied
        = Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), rulesOf(kRules), options);
    LD_VERIFY_OK(copied);
    QVERIFY(copied->fromInputs);
    QCOMPARE(copied->inputsCopied, 0);
    QVERIFY(copied->changed > 0);
    const QString scores = QStringLiteral(
        "SELECT group_concat(lead_score || lead_grade || score_breakdown, ' ') FROM (SELECT * "
        "FROM scored_leads ORDER BY email)");
    const QString throughCopy = scalar(store, scores);

    // The same rules from the rows, after scores that differ everywhere.
    options.ruleInputs = false;
    QByteArray other = kRules;
    other.replace("\"points\":10", "\"points\":11");
    LD_VERIFY_OK(
        Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), rulesOf(other), options));
    QVERIFY(scalar(store, scores) != throughCopy);
    auto fromRows
        = Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), rulesOf(kRules), options);
    LD_VERIFY_OK(fromRows);
    QVERIFY(!fromRows->fromInputs);
    QCOMPARE(scalar(store, scores), throughCopy);
}

void tst_RuleInputsTable::leadsStoredBeforeTheFillAreCopied()
{
    // A lead stored on the writer between the last page and the fill (before the triggers exist)
    // is copied all the same: the fill reads where the leads end when it begins.
    Test::TempStore store;
    addLeads(store, 4);
    auto writer = Core::StoreWriter::start(store.path());
    LD_VERIFY_OK(writer);
    Core::LeadRescorer::Options options = atNow();
    options.pageSize = 3; // pages of 3 and 1: the second, short, is the last
    auto rescorer
        = std::make_shared<Core::LeadRescorer>(store.businessId(), rulesOf(kRules), options);
    bool added = false;
    auto future = Core::LeadRescorer::runOnWriter(
        **writer, rescorer, [&writer, &added](const Core::LeadRescorer::Progress &progress) {
            if (progress.done == 4 && !added) {
                added = true;
                (void)(*writer)->submit([](Core::Database &db) -> Core::Result<void> {
                    Core::ManualClock clock;
                    Core::LeadRecord r;
                    r.channel = QStringLiteral("webform");
                    r.email = QStringLiteral("late@acme.example");
                    r.phone = QStringLiteral("+15557654321");
                    r.createdAtMs = 2000;
                    auto stored = Core::LeadIngestor(db, clock).store(
                        Core::BusinessRepository(db).ensurePrimary()->id, r);
                    if (!stored)
                        return std::unexpected(stored.error());
                    return {};
                });
            }
            return true;
        });
    future.waitForFinished();
    auto done = future.result();
    LD_VERIFY_OK(done);
    QVERIFY(added);
    QCOMPARE(done->done, 4);
    QCOMPARE(done->inputsCopied, 5);
    (*writer)->flush();
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_rule_inputs")), 5);
    QVERIFY(RuleInputsTable::current(handleOf(store)).value());
}

void tst_RuleInputsTable::importRescoreReadsTheLeadsRows()
{
    // The leads of one import are read from their rows: no copy is made for them.
    Test::TempStore store;
    addLeads(store, 5);
    Core::LeadRescorer::Options options = atNow();
    options.afterRowId = 2;
    auto rescored
        = Core::LeadRescorer::rescoreAll(store.db(), store.businessId(), rulesOf(kRules), options);
    LD_VERIFY_OK(rescored);
    QCOMPARE(rescored->done, 3);
    QVERIFY(!rescored->fromInputs);
    QCOMPARE(rescored->inputsCopied, 0);
    QVERIFY(!RuleInputsTable::current(handleOf(store)).value());
}

QTEST_GUILESS_MAIN(tst_RuleInputsTable)
#include "tst_ruleinputstable.moc"
