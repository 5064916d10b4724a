#include "leadadsadapter.h"
#include "testsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace LeadDesk;
using Core::InboundEvent;
using Sync::LeadAdsAdapter;

namespace {

QJsonObject fixtureObject(const QString &name)
{
    return QJsonDocument::fromJson(Test::readFixture(name)).object();
}

QString detail(const Core::RawLead &lead, const QString &key)
{
    for (const auto &[k, v] : lead.details) {
        if (k == key)
            return v;
    }
    return QStringLiteral("<absent>");
}

QJsonObject field(const QString &name, const QJsonArray &values)
{
    return {{"name", name}, {"values", values}};
}

QByteArray leadgenWebhook(const QJsonObject &value)
{
    const QJsonObject change{{"field", "leadgen"}, {"value", value}};
    const QJsonObject entry{
        {"id", "153125381133"}, {"time", 1739321024}, {"changes", QJsonArray{change}}};
    return QJsonDocument(QJsonObject{{"object", "page"}, {"entry", QJsonArray{entry}}}).toJson();
}

} // namespace

class tst_LeadAdsAdapter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void webhookFixture();
    void webhookIdsAsNumbersOrStrings();
    void webhookIgnoresMessagingAndOtherFields();
    void webhookBatch();
    void webhookErrors_data();
    void webhookErrors();
    void leadFixture();
    void standardFieldsMapToTheLead();
    void firstAndLastNames();
    void adAndCampaignIdsAreKept();
    void disclaimersAreDetails();
    void injectionStringsAreKeptVerbatim();
    void leadErrors_data();
    void leadErrors();
    void leadsPageFixture();
    void leadsPageWithNext();
    void leadsPageErrors();
    void graphTimes_data();
    void graphTimes();
};

void tst_LeadAdsAdapter::webhookFixture()
{
    auto refs = LeadAdsAdapter::parseWebhook(Test::readFixture("leadads_webhook_leadgen.json"));
    LD_VERIFY_OK(refs);
    QCOMPARE(refs->size(), 1);
    const auto &ref = refs->first();
    QCOMPARE(ref.leadgenId, QStringLiteral("444555666777888"));
    QCOMPARE(ref.pageId, QStringLiteral("153125381133"));
    QCOMPARE(ref.formId, QStringLiteral("901234567890123"));
    QCOMPARE(ref.adId, QStringLiteral("238470000000001"));
    QCOMPARE(ref.adgroupId, QStringLiteral("238470000000001"));
    QCOMPARE(ref.createdTimeMs, 1739321020000LL);
}

void tst_LeadAdsAdapter::webhookIdsAsNumbersOrStrings()
{
    // Meta's own sample writes the ids as numbers.
    auto numbers = LeadAdsAdapter::parseWebhook(leadgenWebhook({{"leadgen_id", 444555666777888LL},
                                                                {"page_id", 153125381133LL},
                                                                {"form_id", 901234567890123LL},
                                                                {"adgroup_id", 238470000000001LL},
                                                                {"ad_id", 238470000000001LL},
                                                                {"created_time", 1739321020}}));
    LD_VERIFY_OK(numbers);
    QCOMPARE(numbers->first().leadgenId, QStringLiteral("444555666777888"));
    QCOMPARE(numbers->first().formId, QStringLiteral("901234567890123"));
    auto strings = LeadAdsAdapter::parseWebhook(leadgenWebhook({{"leadgen_id", "444555666777888"},
                                                                {"form_id", "901234567890123"},
                                                                {"created_time", "1739321020"}}));
    LD_VERIFY_OK(strings);
    QCOMPARE(strings->first().leadgenId, numbers->first().leadgenId);
    QCOMPARE(strings->first().createdTimeMs, numbers->first().createdTimeMs);
    // No page_id in the value: the entry's id is the page.
    QCOMPARE(strings->first().pageId, QStringLiteral("153125381133"));
}

void tst_LeadAdsAdapter::webhookIgnoresMessagingAndOtherFields()
{
    auto refs = LeadAdsAdapter::parseWebhook(Test::readFixture("messenger_inbound_text.json"));
    LD_VERIFY_OK(refs);
    QVERIFY(refs->isEmpty());
    const QJsonObject feed{{"field", "feed"}, {"value", QJsonObject{{"item", "status"}}}};
    const QJsonObject entry{{"id", "1"}, {"changes", QJsonArray{feed}}};
    refs = LeadAdsAdapter::parseWebhook(
        QJsonDocument(QJsonObject{{"object", "page"}, {"entry", QJsonArray{entry}}}).toJson());
    LD_VERIFY_OK(refs);
    QVERIFY(refs->isEmpty());
}

void tst_LeadAdsAdapter::webhookBatch()
{
    QJsonArray entries;
    for (int i = 0; i < 3; ++i) {
        const QJsonObject change{
            {"field", "leadgen"},
            {"value",
             QJsonObject{{"leadgen_id", QStringLiteral("10%1").arg(i)}, {"form_id", "9"}}}};
        entries.append(QJsonObject{{"id", "153125381133"}, {"changes", QJsonArray{change}}});
    }
    auto refs = LeadAdsAdapter::parseWebhook(
        QJsonDocument(QJsonObject{{"object", "page"}, {"entry", entries}}).toJson());
    LD_VERIFY_OK(refs);
    QCOMPARE(refs->size(), 3);
    QCOMPARE(refs->at(2).leadgenId, QStringLiteral("102"));
}

void tst_LeadAdsAdapter::webhookErrors_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("reason");
    const QByteArray good = Test::readFixture("leadads_webhook_leadgen.json");
    QTest::newRow("truncated") << good.left(100) << "not valid JSON";
    QTest::newRow("invalid utf-8")
        << QByteArray(good).replace("leadgen_id", "lead\xffgen_id") << "not valid JSON";
    QTest::newRow("not page") << QByteArray(R"({"object":"instagram","entry":[]})") << "object";
    QTest::newRow("missing leadgen_id")
        << leadgenWebhook({{"form_id", "9"}}) << "entry[0].changes[0].value.leadgen_id";
    QTest::newRow("bad created_time")
        << leadgenWebhook({{"leadgen_id", "1"}, {"created_time", "soon"}})
        << "entry[0].changes[0].value.created_time";
}

void tst_LeadAdsAdapter::webhookErrors()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, reason);
    auto refs = LeadAdsAdapter::parseWebhook(body);
    QVERIFY(!refs);
    QVERIFY2(refs.error().toString().contains(reason), qPrintable(refs.error().toString()));
}

void tst_LeadAdsAdapter::leadFixture()
{
    auto event = LeadAdsAdapter::leadFromGraph(fixtureObject("leadads_lead_get_response.json"),
                                               QStringLiteral("153125381133"));
    LD_VERIFY_OK(event);
    QCOMPARE(event->kind, InboundEvent::Kind::Lead);
    QCOMPARE(event->channel, QStringLiteral("leadads"));
    QCOMPARE(event->externalId, QStringLiteral("444555666777888"));
    QCOMPARE(event->recipientId, QStringLiteral("153125381133"));
    QCOMPARE(event->occurredAtMs,
             QDateTime(QDate(2025, 2, 12), QTime(0, 43, 40), Qt::UTC).toMSecsSinceEpoch());
    QCOMPARE(event->senderName, QStringLiteral("Marcus Oyelaran"));
    const Core::RawLead &lead = event->lead;
    QCOMPARE(lead.channel, QStringLiteral("leadads"));
    QCOMPARE(lead.externalId, QStringLiteral("444555666777888"));
    QCOMPARE(lead.fullName, QStringLiteral("Marcus Oyelaran"));
    QCOMPARE(lead.email, QStringLiteral("marcus.o@example.com"));
    QCOMPARE(lead.phone, QStringLiteral("+13305550147"));
    QCOMPARE(lead.createdAt, QStringLiteral("2025-02-12T00:43:40Z"));
    // Custom questions keep their own slug.
    QCOMPARE(detail(lead, "what_is_your_estimated_credit_score?"), QStringLiteral("680-719"));
    QCOMPARE(detail(lead, "are_you_looking_to_buy_or_refinance?"), QStringLiteral("refinance"));
    QCOMPARE(detail(lead, "ad_id"), QStringLiteral("238470000000001"));
    QCOMPARE(detail(lead, "form_id"), QStringLiteral("901234567890123"));
    QCOMPARE(detail(lead, "page_id"), QStringLiteral("153125381133"));
    QCOMPARE(event->extra.value("form_id").toString(), QStringLiteral("901234567890123"));
}

void tst_LeadAdsAdapter::standardFieldsMapToTheLead()
{
    const QJsonObject lead{
        {"id", "1"},
        {"created_time", "2025-02-12T00:43:40+0000"},
        {"field_data",
         QJsonArray{field("email", {"a@example.com"}), field("phone_number", {"+16145550192"}),
                    field("street_address", {"12 Elm St"}), field("city", {"Columbus"}),
                    field("state", {"OH"}), field("zip_code", {"43215"}), field("country", {"US"}),
                    field("company_name", {"Acme Roofing"}), field("job_title", {"Owner"}),
                    field("which_services?", {"Roof repair", "Gutters"})}}};
    auto event = LeadAdsAdapter::leadFromGraph(lead);
    LD_VERIFY_OK(event);
    const Core::RawLead &raw = event->lead;
    QCOMPARE(raw.email, QStringLiteral("a@example.com"));
    QCOMPARE(raw.phone, QStringLiteral("+16145550192"));
    QCOMPARE(raw.street, QStringLiteral("12 Elm St"));
    QCOMPARE(raw.city, QStringLiteral("Columbus"));
    QCOMPARE(raw.state, QStringLiteral("OH"));
    QCOMPARE(raw.postalCode, QStringLiteral("43215"));
    QCOMPARE(raw.country, QStringLiteral("US"));
    QCOMPARE(raw.company, QStringLiteral("Acme Roofing"));
    QCOMPARE(detail(raw, "job_title"), QStringLiteral("Owner"));
    // Multiple answers are one text.
    QCOMPARE(detail(raw, "which_services?"), QStringLiteral("Roof repair, Gutters"));
}

void tst_LeadAdsAdapter::firstAndLastNames()
{
    auto event = LeadAdsAdapter::leadFromGraph(
        {{"id", "2"},
         {"field_data", QJsonArray{field("first_name", {"Priya"}),
                                   field("last_name", {"Ramaswamy"}), field("FULL_NAME", {})}}});
    LD_VERIFY_OK(event);
    QCOMPARE(event->lead.firstName, QStringLiteral("Priya"));
    QCOMPARE(event->lead.lastName, QStringLiteral("Ramaswamy"));
    QCOMPARE(event->senderName, QStringLiteral("Priya Ramaswamy"));
    QCOMPARE(event->occurredAtMs, 0); // no created_time: the store uses "now"
}

void tst_LeadAdsAdapter::adAndCampaignIdsAreKept()
{
    auto event = LeadAdsAdapter::leadFromGraph(
        {{"id", "3"},
         {"ad_id", "238470000000001"},
         {"ad_name", "Spring refi - video"},
         {"adset_id", "238470000000002"},
         {"adset_name", "Ohio 35-55"},
         {"campaign_id", "238470000000003"},
         {"campaign_name", "Spring refinance"},
         {"form_id", "901234567890123"},
         {"is_organic", false},
         {"platform", "ig"},
         {"field_data", QJsonArray{field("email", {"x@example.com"})}}});
    LD_VERIFY_OK(event);
    const Core::RawLead &raw = event->lead;
    QCOMPARE(raw.campaignId, QStringLiteral("238470000000003"));
    QCOMPARE(raw.campaignName, QStringLiteral("Spring refinance"));
    QCOMPARE(detail(raw, "ad_id"), QStringLiteral("238470000000001"));
    QCOMPARE(detail(raw, "ad_name"), QStringLiteral("Spring refi - video"));
    QCOMPARE(detail(raw, "adset_id"), QStringLiteral("238470000000002"));
    QCOMPARE(detail(raw, "adset_name"), QStringLiteral("Ohio 35-55"));
    QCOMPARE(detail(raw, "form_id"), QStringLiteral("901234567890123"));
    QCOMPARE(detail(raw, "is_organic"), QStringLiteral("false"));
    QCOMPARE(detail(raw, "platform"), QStringLiteral("ig"));
    QCOMPARE(event->extra.value("campaign_id").toString(), QStringLiteral("238470000000003"));
}

void tst_LeadAdsAdapter::disclaimersAreDetails()
{
    auto event = LeadAdsAdapter::leadFromGraph(
        {{"id", "4"},
         {"field_data", QJsonArray{field("email", {"x@example.com"})}},
         {"custom_disclaimer_responses",
          QJsonArray{QJsonObject{{"checkbox_key", "sms_consent"}, {"is_checked", "1"}},
                     QJsonObject{{"checkbox_key", "marketing"}, {"is_checked", false}}}}});
    LD_VERIFY_OK(event);
    QCOMPARE(detail(event->lead, "disclaimer_sms_consent"), QStringLiteral("true"));
    QCOMPARE(detail(event->lead, "disclaimer_marketing"), QStringLiteral("false"));
}

void tst_LeadAdsAdapter::injectionStringsAreKeptVerbatim()
{
    const QString sql = QStringLiteral("x'); DELETE FROM leads; --");
    const QString html = QStringLiteral("<iframe src=javascript:alert(1)>");
    auto event = LeadAdsAdapter::leadFromGraph(
        {{"id", "5"},
         {"field_data", QJsonArray{field("full_name", {sql}), field("city", {html}),
                                   field("<b>question</b>", {"=cmd|' /C calc'!A0"})}}});
    LD_VERIFY_OK(event);
    QCOMPARE(event->lead.fullName, sql);
    QCOMPARE(event->lead.city, html);
    QCOMPARE(detail(event->lead, "<b>question</b>"), QStringLiteral("=cmd|' /C calc'!A0"));
}

void tst_LeadAdsAdapter::leadErrors_data()
{
    QTest::addColumn<QJsonObject>("lead");
    QTest::addColumn<QString>("field");
    QTest::newRow("no id") << QJsonObject{{"field_data", QJsonArray{}}} << "id";
    QTest::newRow("no field_data") << QJsonObject{{"id", "1"}} << "field_data";
    QTest::newRow("field_data not array")
        << QJsonObject{{"id", "1"}, {"field_data", "x"}} << "field_data";
    QTest::newRow("nameless field")
        << QJsonObject{{"id", "1"},
                       {"field_data", QJsonArray{QJsonObject{{"values", QJsonArray{"a"}}}}}}
        << "field_data[0]";
    QTest::newRow("bad time") << QJsonObject{{"id", "1"},
                                             {"created_time", "12/02/2025"},
                                             {"field_data", QJsonArray{}}}
                              << "created_time";
}

void tst_LeadAdsAdapter::leadErrors()
{
    QFETCH(QJsonObject, lead);
    QFETCH(QString, field);
    auto event = LeadAdsAdapter::leadFromGraph(lead);
    QVERIFY(!event);
    QCOMPARE(event.error().field, field);
}

void tst_LeadAdsAdapter::leadsPageFixture()
{
    auto page = LeadAdsAdapter::parseLeadsPage(fixtureObject("leadads_form_leads_page.json"));
    LD_VERIFY_OK(page);
    QCOMPARE(page->leads.size(), 2);
    QCOMPARE(page->after, QStringLiteral("QVFIUmJ4YWZ0ZXJjdXJzb3I"));
    QVERIFY(!page->hasNext); // Meta's sample shows no paging.next
    auto second = LeadAdsAdapter::leadFromGraph(page->leads.at(1));
    LD_VERIFY_OK(second);
    QCOMPARE(second->lead.fullName, QStringLiteral("Priya Ramaswamy"));
    QCOMPARE(second->lead.phone, QStringLiteral("+16145550192"));
}

void tst_LeadAdsAdapter::leadsPageWithNext()
{
    auto page = LeadAdsAdapter::parseLeadsPage(
        {{"data", QJsonArray{}},
         {"paging", QJsonObject{{"cursors", QJsonObject{{"before", "b"}, {"after", "a"}}},
                                {"next", "https://graph.facebook.com/v25.0/9/leads?after=a"}}}});
    LD_VERIFY_OK(page);
    QVERIFY(page->hasNext);
    QCOMPARE(page->after, QStringLiteral("a"));
}

void tst_LeadAdsAdapter::leadsPageErrors()
{
    QVERIFY(!LeadAdsAdapter::parseLeadsPage({{"paging", QJsonObject{}}}));
    QVERIFY(!LeadAdsAdapter::parseLeadsPage({{"data", QJsonArray{"x"}}}));
}

void tst_LeadAdsAdapter::graphTimes_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<qint64>("ms");
    const qint64 base
        = QDateTime(QDate(2015, 2, 28), QTime(8, 49, 14), Qt::UTC).toMSecsSinceEpoch();
    QTest::newRow("graph") << "2015-02-28T08:49:14+0000" << base;
    QTest::newRow("colon offset") << "2015-02-28T08:49:14+00:00" << base;
    QTest::newRow("zulu") << "2015-02-28T08:49:14Z" << base;
    QTest::newRow("minus offset") << "2015-02-28T03:49:14-0500" << base;
    QTest::newRow("garbage") << "yesterday" << qint64(-1);
    QTest::newRow("no offset") << "2015-02-28T08:49:14" << qint64(-1);
    QTest::newRow("bad date") << "2015-02-30T08:49:14+0000" << qint64(-1);
}

void tst_LeadAdsAdapter::graphTimes()
{
    QFETCH(QString, text);
    QFETCH(qint64, ms);
    auto parsed = LeadAdsAdapter::parseGraphTime(text);
    if (ms < 0) {
        QVERIFY(!parsed);
        return;
    }
    LD_VERIFY_OK(parsed);
    QCOMPARE(*parsed, ms);
}

QTEST_GUILESS_MAIN(tst_LeadAdsAdapter)
#include "tst_leadadsadapter.moc"
