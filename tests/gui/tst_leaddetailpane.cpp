#include "engine.h"
#include "leaddetailpane.h"
#include "scoringrules.h"
#include "testsupport.h"

#include <QApplication>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>
#include <QTextBrowser>
#include <QTextDocument>

using namespace LeadDesk;
using Ui::LeadDetailPane;

namespace {

constexpr qint64 kCreated = 1'760'000'000'000;

Core::LeadDetail sampleDetail()
{
    Core::LeadDetail detail;
    Core::LeadRecord &lead = detail.lead;
    lead.id = QStringLiteral("0199a000-0000-7000-8000-000000000001");
    lead.firstName = QStringLiteral("Jane");
    lead.lastName = QStringLiteral("O'Neil");
    lead.email = QStringLiteral("jane@example.com");
    lead.phone = QStringLiteral("+15125550100");
    lead.company = QStringLiteral("Oak & Pine Ltd");
    lead.addressLine = QStringLiteral("12 Elm St, Austin, TX 78701");
    lead.channel = QStringLiteral("thumbtack");
    lead.campaignName = QStringLiteral("Spring Bathroom Remodel");
    lead.utmSource = QStringLiteral("google");
    lead.serviceInterest = QStringLiteral("Bathroom remodel");
    lead.urgency = QStringLiteral("this_week");
    lead.budgetRange = QStringLiteral("$5k–$10k");
    lead.message = QStringLiteral("Leaky shower <b>urgent</b>\nCall after 5");
    lead.score = 82;
    lead.grade = QStringLiteral("A");
    lead.qualification = QStringLiteral("sales_qualified");
    lead.scoreBreakdown
        = QJsonDocument::fromJson(R"({"budget": 15, "urgency": 25, "no_company": -5})").object();
    lead.status = QStringLiteral("contacted");
    lead.details = QJsonDocument::fromJson(
                       R"({"answers": [{"question": "How many bathrooms?", "answer": "2"}],
                           "credit_score": 710})")
                       .object();
    lead.createdAtMs = kCreated;
    detail.assigneeName = QStringLiteral("Sam Patel");
    detail.waitingOn = QStringLiteral("business");
    detail.firstResponseAtMs = kCreated + 90 * 60'000;
    detail.identities = {{QStringLiteral("email"), QStringLiteral("jane@example.com")},
                         {QStringLiteral("phone"), QStringLiteral("+15125550100")},
                         {QStringLiteral("whatsapp"), QStringLiteral("15125550100")}};
    detail.messages = {
        {QStringLiteral("in"), QStringLiteral("Can you come Tuesday?"), QStringLiteral("whatsapp"),
         QStringLiteral("received"), kCreated + 60'000},
        {QStringLiteral("out"), QStringLiteral("Tuesday 9am works."), QStringLiteral("whatsapp"),
         QStringLiteral("delivered"), kCreated + 90 * 60'000},
    };
    detail.activities
        = {{QStringLiteral("status_changed"), QStringLiteral("new → contacted"),
            QStringLiteral("Sam Patel"), QStringLiteral("{}"), kCreated + 91 * 60'000}};
    return detail;
}

QString plainText(const QString &html)
{
    QTextDocument document;
    document.setHtml(html);
    return document.toPlainText();
}

} // namespace

class TestLeadDetailPane : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void rendersEverySection();
    void leavesOutWhatIsUnknown();
    void explainsTheScoreRuleByRule();
    void emptyStateAndUnknownLead();
};

void TestLeadDetailPane::rendersEverySection()
{
    const QString html = LeadDetailPane::toHtml(sampleDetail(), QApplication::palette());
    const QString text = plainText(html);
    for (const char *expected : {"Jane O'Neil",
                                 "Oak & Pine Ltd",
                                 "via Thumbtack",
                                 "Grade A",
                                 "waiting on you",
                                 "jane@example.com",
                                 "12 Elm St, Austin, TX 78701",
                                 "Bathroom remodel",
                                 "This week",
                                 "Spring Bathroom Remodel",
                                 "UTM source",
                                 "google",
                                 "82 of 100",
                                 "SQL",
                                 "Sam Patel",
                                 "1 h 30 min after the lead came in",
                                 "How many bathrooms?",
                                 "Credit score",
                                 "710",
                                 "Conversation (2)",
                                 "Can you come Tuesday?",
                                 "Tuesday 9am works.",
                                 "Recent activity",
                                 "Status changed",
                                 "new → contacted"}) {
        QVERIFY2(text.contains(QString::fromUtf8(expected)), expected);
    }
    // The merge explanation names every identity.
    QVERIFY(text.contains(QStringLiteral("Same person on")));
    QVERIFY(text.contains(
        QStringLiteral("e-mail jane@example.com, phone +15125550100, WhatsApp 15125550100")));
    QVERIFY(text.contains(QStringLiteral("recognised these as one person")));
    // Inbound and outbound read differently.
    QVERIFY(text.contains(QStringLiteral("← Jane O'Neil · WhatsApp")));
    QVERIFY(text.contains(QStringLiteral("→ You · WhatsApp")));
    QVERIFY(text.contains(QStringLiteral("delivered")));
    // Breakdown: biggest contribution first, signs shown.
    const qsizetype urgency = text.indexOf(QStringLiteral("Urgency\n+25"));
    const qsizetype budget = text.indexOf(QStringLiteral("Budget\n+15"));
    const qsizetype company = text.indexOf(QStringLiteral("No company\n-5"));
    QVERIFY2(urgency >= 0 && budget > urgency && company > budget, qPrintable(text));
    // Text from the lead is escaped, not interpreted.
    QVERIFY(text.contains(QStringLiteral("Leaky shower <b>urgent</b>")));
    QVERIFY(!html.contains(QStringLiteral("<b>urgent</b>")));
}

void TestLeadDetailPane::leavesOutWhatIsUnknown()
{
    Core::LeadDetail detail;
    detail.lead.phone = QStringLiteral("+15125550199");
    detail.lead.channel = QStringLiteral("sms");
    detail.identities = {{QStringLiteral("phone"), QStringLiteral("+15125550199")}};
    const QString text = plainText(LeadDetailPane::toHtml(detail, QApplication::palette()));
    // No name: the phone number heads the pane.
    QVERIFY(text.startsWith(QStringLiteral("+15125550199")));
    for (const char *absent : {"UTM", "Conversation", "Recent activity", "Source details",
                               "Score breakdown", "Company", "recognised these as one person"}) {
        QVERIFY2(!text.contains(QLatin1String(absent)), absent);
    }
    QVERIFY(text.contains(QStringLiteral("Not answered yet")));
    QVERIFY(text.contains(QStringLiteral("Unassigned")));
    QVERIFY(text.contains(QStringLiteral("Same person on")));
}

void TestLeadDetailPane::explainsTheScoreRuleByRule()
{
    // The shipped rules, with the website behaviour fading at a 30-day half-life.
    auto defaults = Core::ScoringRules::loadDefault();
    LD_VERIFY_OK(defaults);
    QByteArray document = defaults->document();
    document.chop(document.size() - document.lastIndexOf('}'));
    document += R"(, "decay": {"half_life_days": 30, "applies_to": ["behaviour"]}})";
    auto rules = Core::ScoringRules::parse(document);
    LD_VERIFY_OK(rules);

    Core::LeadDetail detail = sampleDetail();
    Core::LeadRecord &lead = detail.lead;
    lead.email = QStringLiteral("jane@oakpine.example");
    lead.urgency = QStringLiteral("High (same day)");
    lead.utmMedium = QStringLiteral("cpc");
    lead.details = QJsonObject{
        {"time_on_page_seconds", 240}, {"form_completion", "all"}, {"return_visitor", true}};
    // Inactive for 30 days: the 25 behaviour points halve to 12.5, kept as 13.
    const Core::ScoreResult scored
        = rules->score(lead, Core::ScoreTime{kCreated + 30 * 86'400'000LL, kCreated});
    lead.score = scored.score;
    lead.scoreBreakdown = scored.breakdown;
    lead.scoreBreakdown.insert(QStringLiteral("old_rule"), 0); // from rules since changed
    // 25 contact (15 + 5 + 5) + 35 intent (15 + 15 + 5) + 25 behaviour (10 + 10 + 5) - 12
    // faded + 15 paid search = 88.
    QCOMPARE(lead.score, 88);

    const QString text
        = plainText(LeadDetailPane::toHtml(detail, QApplication::palette(), &*rules));
    const QString indent = QStringLiteral("   "); // toPlainText() turns &nbsp; into spaces
    const QStringList expected = {
        QStringLiteral("Why it scored 88"),
        QStringLiteral("Contact quality\n+25"),
        indent + QStringLiteral("Business e-mail address\n+15"),
        indent + QStringLiteral("Phone number given\n+5"),
        indent + QStringLiteral("Company named\n+5"),
        QStringLiteral("Intent\n+35"),
        indent + QStringLiteral("Asked for a specific service\n+15"),
        indent + QStringLiteral("Urgency\n+15"),
        indent + QStringLiteral("Budget given\n+5"),
        QStringLiteral("Behaviour on the website\n+25"),
        indent + QStringLiteral("Over 3 minutes on the page\n+10"),
        indent + QStringLiteral("Form filled in\n+10"),
        indent + QStringLiteral("Came back to the website\n+5"),
        QStringLiteral("Source\n+15"),
        indent + QStringLiteral("Where the lead came from\n+15"),
        QStringLiteral("Inactivity (half-life 30 days)\n\u221212"),
        QStringLiteral("Old rule (no longer a rule)\n0"),
    };
    qsizetype at = 0;
    for (const QString &line : expected) {
        const qsizetype found = text.indexOf(line, at);
        QVERIFY2(found >= 0, qPrintable(line + QStringLiteral(" in\n") + text));
        at = found + line.size();
    }
    // Without the rules, the entries as they are, biggest first.
    const QString plain = plainText(LeadDetailPane::toHtml(detail, QApplication::palette()));
    QVERIFY(plain.contains(QStringLiteral("Score breakdown")));
    QVERIFY(!plain.contains(QStringLiteral("Why it scored")));

    // A total beyond 100 says where the rest went.
    lead.score = 100;
    lead.scoreBreakdown = QJsonObject{{"business_email", 15}, {"urgency", 95}};
    const QString capped
        = plainText(LeadDetailPane::toHtml(detail, QApplication::palette(), &*rules));
    QVERIFY2(capped.contains(QStringLiteral("Scores run from 0 to 100\n\u221210")),
             qPrintable(capped));
}

void TestLeadDetailPane::emptyStateAndUnknownLead()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    Sync::Engine engine;
    QVERIFY(engine.open(store.dir()));
    LeadDetailPane pane(engine);
    pane.show();
    QVERIFY(pane.isEmptyStateShown());
    QVERIFY(pane.text().contains(QStringLiteral("Select a lead")));

    QSignalSpy failed(&pane, &LeadDetailPane::loadFailed);
    pane.showLead(QStringLiteral("0199a000-0000-7000-8000-00000000dead"));
    QCOMPARE(pane.requestedLeadId(), QStringLiteral("0199a000-0000-7000-8000-00000000dead"));
    QTRY_COMPARE(failed.count(), 1);
    QVERIFY(pane.isEmptyStateShown());
    QVERIFY(pane.text().contains(QStringLiteral("could not be read")));
    QVERIFY(pane.shownLeadId().isEmpty());

    pane.clear();
    QVERIFY(pane.isEmptyStateShown());
    QVERIFY(pane.text().contains(QStringLiteral("Select a lead")));
}

QTEST_MAIN(TestLeadDetailPane)
#include "tst_leaddetailpane.moc"
