#include "businessrepository.h"
#include "csvreader.h"
#include "leadexporter.h"
#include "scorebreakdowns.h"
#include "testsupport.h"

#include <QBuffer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

using namespace LeadDesk;
using Format = Core::LeadExporter::Format;

namespace {

constexpr qint64 kBase = 1'767'225'600'000; // 2026-01-01T00:00:00.000Z

const QString kUser = QStringLiteral("019b0000-0000-7000-8000-0000000000a1");
const QString kCampaign = QStringLiteral("019b0000-0000-7000-8000-0000000000c1");
const QString kContact = QStringLiteral("019b0000-0000-7000-8000-0000000000d1");
const QString kLeadFull = QStringLiteral("019b0000-0000-7000-8000-00000000000a");
const QString kLeadMinimal = QStringLiteral("019b0000-0000-7000-8000-00000000000b");
const QString kLeadHostile = QStringLiteral("019b0000-0000-7000-8000-00000000000c");
const QString kLeadDeleted = QStringLiteral("019b0000-0000-7000-8000-00000000000d");

const QString kHostileMessage = QStringLiteral(
    "Line one\nLine two\r\n\"quoted\", comma; tab\there \\ back\\slash 🙂 naïve 日本語 "
    "'); DROP TABLE leads; -- <script>alert(1)</script>");
const QString kHostileCompany = QStringLiteral("Robert'); DROP TABLE leads;--");
const QString kHostileTerm = QStringLiteral("=cmd|' /C calc'!A0");
const QString kHostileDetails = QString::fromUtf8(
    "{\"note\":\"a\\nb \\\"c\\\"\",\"emoji\":\"🙂\",\"n\":[1,2.5e3,-0.5,true,null]}");

// An INSERT with every value bound (no value is ever spliced into the SQL text).
bool insertRow(Core::Database &db, const QString &table, const QVariantMap &values)
{
    QStringList columns;
    QStringList marks;
    for (auto it = values.cbegin(); it != values.cend(); ++it) {
        columns << it.key();
        marks << QStringLiteral("?");
    }
    QSqlQuery query(db.connection());
    query.prepare(QStringLiteral("INSERT INTO ") + table + QStringLiteral(" (") + columns.join(u',')
                  + QStringLiteral(") VALUES (") + marks.join(u',') + u')');
    for (auto it = values.cbegin(); it != values.cend(); ++it)
        query.addBindValue(it.value());
    if (!query.exec()) {
        qWarning("insert into %s: %s", qPrintable(table), qPrintable(query.lastError().text()));
        return false;
    }
    return true;
}

// A lead's score columns go to lead_scores, as the store keeps them.
bool insert(Core::Database &db, const QString &table, QVariantMap values)
{
    if (table != QLatin1String("leads"))
        return insertRow(db, table, values);
    QSqlQuery tenant(db.connection());
    tenant.prepare(QStringLiteral("SELECT tenant FROM tenants WHERE business_id = ?"));
    tenant.addBindValue(values.value(QStringLiteral("business_id")));
    if (!tenant.exec() || !tenant.next())
        return false;
    QVariantMap score{{QStringLiteral("lead_id"), values.value(QStringLiteral("id"))},
                      {QStringLiteral("tenant"), tenant.value(0)}};
    for (const char *column : {"lead_score", "lead_grade", "qualification_status"}) {
        const QString name = QLatin1String(column);
        if (values.contains(name))
            score.insert(name, values.take(name));
    }
    // The breakdown text goes to the store's dictionary; the score row names it.
    const QString breakdown = values.take(QStringLiteral("score_breakdown")).toString();
    if (!breakdown.isEmpty() && breakdown != QLatin1String("{}")) {
        auto id = Core::ScoreBreakdowns::idOf(db, breakdown.toStdString());
        if (!id)
            return false;
        score.insert(QStringLiteral("breakdown_id"), *id);
    }
    return insertRow(db, QStringLiteral("lead_scores"), score) && insertRow(db, table, values);
}

QVariantMap row(std::initializer_list<std::pair<QString, QVariant>> values, qint64 at)
{
    QVariantMap map;
    for (const auto &[key, value] : values)
        map.insert(key, value);
    map.insert(QStringLiteral("created_at"), at);
    map.insert(QStringLiteral("updated_at"), at);
    return map;
}

QByteArray exportBytes(Core::Database &db, const QString &businessId, Format format)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const auto exported = Core::LeadExporter::exportLeads(db, businessId, format, buffer);
    if (!exported)
        qWarning("export failed: %s", qPrintable(exported.error().message));
    return buffer.data();
}

QList<QJsonObject> jsonLines(const QByteArray &data)
{
    QList<QJsonObject> out;
    for (const QByteArray &line : data.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        if (!document.isObject())
            qWarning("not a JSON object (%s): %s", qPrintable(error.errorString()),
                     line.constData());
        out.append(document.object());
    }
    return out;
}

QJsonObject byUuid(const QList<QJsonObject> &objects, const QString &uuid)
{
    for (const QJsonObject &object : objects) {
        if (object.value(QLatin1String("uuid")).toString() == uuid)
            return object;
    }
    return {};
}

} // namespace

class TestLeadExporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void exactLineOfAMinimalLead();
    void fullLead();
    void messagesOldestFirstWithTheirChannel();
    void nullsAreJsonNull();
    void hostileTextSurvivesJson();
    void hostileTextSurvivesCsv();
    void damagedStoredJsonStillExports();
    void phoneNational_data();
    void phoneNational();
    void csvHeaderAndMessageCount();
    void deletedAndForeignLeadsLeftOut();
    void emptyBusinessWritesNothing();
    void pagesKeepOrderAcrossTies();
    void unwritableDeviceFails();
    void parseFormat_data();
    void parseFormat();
    void keysFollowSeed004();

private:
    Test::TempStore m_store;
    Core::Database &db() { return m_store.db(); }
    QString m_otherBusiness;
};

void TestLeadExporter::initTestCase()
{
    QVERIFY(m_store.isValid());
    const QString business = m_store.businessId();
    QVERIFY(insert(db(), QStringLiteral("users"),
                   row({{"id", kUser},
                        {"business_id", business},
                        {"username", "alex"},
                        {"display_name", "Alex Kim"},
                        {"role", "rep"},
                        {"password_hash", "x"}},
                       kBase)));
    QVERIFY(insert(db(), QStringLiteral("campaigns"),
                   row({{"id", kCampaign},
                        {"business_id", business},
                        {"external_id", "nextcloud-installation-2025"},
                        {"name", "Nextcloud Installation"}},
                       kBase)));
    QVERIFY(insert(db(), QStringLiteral("contacts"),
                   row({{"id", kContact},
                        {"business_id", business},
                        {"first_name", "John"},
                        {"last_name", "Doe"}},
                       kBase)));

    // The seed 004 example request, stored as the pipeline would store it.
    QVERIFY(insert(
        db(), QStringLiteral("leads"),
        row({{"id", kLeadFull},
             {"business_id", business},
             {"contact_id", kContact},
             {"channel", "webform"},
             {"first_name", "John"},
             {"last_name", "Doe"},
             {"email", "john.doe@company.com"},
             {"phone", "+15551234567"},
             {"company", "Acme Corp"},
             {"campaign_id", kCampaign},
             {"campaign_name", "Nextcloud Installation"},
             {"source_label", "landing-page"},
             {"medium", "paid"},
             {"utm_source", "google"},
             {"utm_medium", "cpc"},
             {"utm_campaign", "nextcloud-q4-2025"},
             {"utm_term", "nextcloud installation"},
             {"utm_content", "ad-variant-a"},
             {"service_interest", "Nextcloud Installation"},
             {"urgency", "High (Same day)"},
             {"message", "Need Nextcloud setup for 50 users ASAP"},
             {"budget_range", "$5000-$10000"},
             {"timeline", "Within 2 weeks"},
             {"visitor_id", "vis_123456789"},
             {"session_id", "sess_987654321"},
             {"ip_address", "192.168.1.1"},
             {"user_agent", "Mozilla/5.0..."},
             {"referrer_url", "https://google.com/search?q=nextcloud+installation"},
             {"landing_page_url", "https://nexlink.website/campaigns/nextcloud-installation.html"},
             {"lead_score", 85},
             {"lead_grade", "A"},
             {"qualification_status", "sales_qualified"},
             {"score_breakdown", R"({"business_email":15,"phone":5,"urgency_high":15})"},
             {"status", "contacted"},
             {"assigned_to", kUser},
             {"follow_up_at", kBase + 2 * 86'400'000},
             {"contacted_at", kBase + 90'000},
             {"details", R"({"form_version":"v2.1","consent_given":true})"}},
            kBase + 1000)));
    QVERIFY(insert(db(), QStringLiteral("leads"),
                   row({{"id", kLeadMinimal},
                        {"business_id", business},
                        {"contact_id", kContact},
                        {"channel", "sms"},
                        {"first_name", ""},
                        {"last_name", "Solo"},
                        {"phone", "+442079460958"}},
                       kBase)));
    QVERIFY(insert(db(), QStringLiteral("leads"),
                   row({{"id", kLeadHostile},
                        {"business_id", business},
                        {"contact_id", kContact},
                        {"channel", "chatbot"},
                        {"first_name", "José"},
                        {"last_name", "O'Neil \"Jr\""},
                        {"company", kHostileCompany},
                        {"message", kHostileMessage},
                        {"utm_term", kHostileTerm},
                        {"timeline", "  padded  "},
                        {"details", kHostileDetails}},
                       kBase + 2000)));
    QVERIFY(insert(db(), QStringLiteral("leads"),
                   row({{"id", kLeadDeleted},
                        {"business_id", business},
                        {"contact_id", kContact},
                        {"channel", "sms"},
                        {"deleted", 1}},
                       kBase + 3000)));

    // Two conversations of the full lead, messages stored out of order, one of them tombstoned.
    const QString webConversation = QStringLiteral("019b0000-0000-7000-8000-0000000000e1");
    const QString whatsappConversation = QStringLiteral("019b0000-0000-7000-8000-0000000000e2");
    QVERIFY(insert(db(), QStringLiteral("conversations"),
                   row({{"id", webConversation},
                        {"business_id", business},
                        {"contact_id", kContact},
                        {"lead_id", kLeadFull},
                        {"channel", "webform"}},
                       kBase)));
    QVERIFY(insert(db(), QStringLiteral("conversations"),
                   row({{"id", whatsappConversation},
                        {"business_id", business},
                        {"contact_id", kContact},
                        {"lead_id", kLeadFull},
                        {"channel", "whatsapp"}},
                       kBase)));
    const struct
    {
        const char *id;
        const QString &conversation;
        const char *direction;
        const char *body;
        qint64 at;
        const char *status;
        int deleted;
    } messages[] = {
        {"019b0000-0000-7000-8000-0000000001f3", whatsappConversation, "in",
         "Thanks, see you Tuesday", kBase + 300'000, "received", 0},
        {"019b0000-0000-7000-8000-0000000001f1", webConversation, "in",
         "Need Nextcloud setup for 50 users ASAP", kBase + 1000, "received", 0},
        {"019b0000-0000-7000-8000-0000000001f4", webConversation, "out", "retracted",
         kBase + 200'000, "sent", 1},
        {"019b0000-0000-7000-8000-0000000001f2", webConversation, "out", "Hi John, Tuesday 10:00?",
         kBase + 90'000, "read", 0},
    };
    for (const auto &m : messages) {
        QVERIFY(insert(db(), QStringLiteral("messages"),
                       row({{"id", m.id},
                            {"business_id", business},
                            {"conversation_id", m.conversation},
                            {"lead_id", kLeadFull},
                            {"direction", m.direction},
                            {"body", m.body},
                            {"sent_at", m.at},
                            {"delivery_status", m.status},
                            {"deleted", m.deleted}},
                           m.at)));
    }

    // Another tenant's lead must never appear.
    auto other = Core::BusinessRepository(db()).create(QStringLiteral("Other Co"));
    QVERIFY(other);
    m_otherBusiness = other->id;
    const QString otherContact = QStringLiteral("019b0000-0000-7000-8000-0000000000d2");
    QVERIFY(insert(db(), QStringLiteral("contacts"),
                   row({{"id", otherContact}, {"business_id", m_otherBusiness}}, kBase)));
    QVERIFY(insert(db(), QStringLiteral("leads"),
                   row({{"id", "019b0000-0000-7000-8000-00000000000e"},
                        {"business_id", m_otherBusiness},
                        {"contact_id", otherContact},
                        {"channel", "sms"},
                        {"last_name", "Elsewhere"}},
                       kBase)));
}

void TestLeadExporter::exactLineOfAMinimalLead()
{
    const QByteArray data = exportBytes(db(), m_store.businessId(), Format::JsonLines);
    const QByteArray first = data.left(data.indexOf('\n') + 1);
    const QByteArray expected
        = R"({"uuid":"019b0000-0000-7000-8000-00000000000b","first_name":null,)"
          R"("last_name":"Solo","email":null,"phone":"+442079460958",)"
          R"("phone_national":"+442079460958","company":null,"campaign_id":null,)"
          R"("campaign_name":null,"source":"sms","medium":null,"utm_source":null,)"
          R"("utm_medium":null,"utm_campaign":null,"utm_term":null,"utm_content":null,)"
          R"("service_interest":null,"urgency":null,"message":null,"budget_range":null,)"
          R"("timeline":null,"visitor_id":null,"session_id":null,"ip_address":null,)"
          R"("user_agent":null,"referrer_url":null,"landing_page_url":null,"lead_score":0,)"
          R"("lead_grade":"D","qualification_status":"unqualified","status":"new",)"
          R"("assigned_to":null,"follow_up_date":null,)"
          R"("created_at":"2026-01-01T00:00:00.000Z","updated_at":"2026-01-01T00:00:00.000Z",)"
          R"("contacted_at":null,"contact_id":"019b0000-0000-7000-8000-0000000000d1",)"
          R"("channel":"sms","score_breakdown":{},"details":{},"messages":[]})"
          "\n";
    QCOMPARE(first, expected);
}

void TestLeadExporter::fullLead()
{
    const QJsonObject lead
        = byUuid(jsonLines(exportBytes(db(), m_store.businessId(), Format::JsonLines)), kLeadFull);
    QVERIFY(!lead.isEmpty());
    const QJsonObject expected{
        {"uuid", kLeadFull},
        {"first_name", "John"},
        {"last_name", "Doe"},
        {"email", "john.doe@company.com"},
        {"phone", "+15551234567"},
        {"phone_national", "5551234567"},
        {"company", "Acme Corp"},
        {"campaign_id", "nextcloud-installation-2025"},
        {"campaign_name", "Nextcloud Installation"},
        {"source", "landing-page"},
        {"medium", "paid"},
        {"utm_source", "google"},
        {"utm_medium", "cpc"},
        {"utm_campaign", "nextcloud-q4-2025"},
        {"utm_term", "nextcloud installation"},
        {"utm_content", "ad-variant-a"},
        {"service_interest", "Nextcloud Installation"},
        {"urgency", "High (Same day)"},
        {"message", "Need Nextcloud setup for 50 users ASAP"},
        {"budget_range", "$5000-$10000"},
        {"timeline", "Within 2 weeks"},
        {"visitor_id", "vis_123456789"},
        {"session_id", "sess_987654321"},
        {"ip_address", "192.168.1.1"},
        {"user_agent", "Mozilla/5.0..."},
        {"referrer_url", "https://google.com/search?q=nextcloud+installation"},
        {"landing_page_url", "https://nexlink.website/campaigns/nextcloud-installation.html"},
        {"lead_score", 85},
        {"lead_grade", "A"},
        {"qualification_status", "sales_qualified"},
        {"status", "contacted"},
        {"assigned_to", "alex"},
        {"follow_up_date", "2026-01-03T00:00:00.000Z"},
        {"created_at", "2026-01-01T00:00:01.000Z"},
        {"updated_at", "2026-01-01T00:00:01.000Z"},
        {"contacted_at", "2026-01-01T00:01:30.000Z"},
        {"contact_id", kContact},
        {"channel", "webform"},
        {"score_breakdown",
         QJsonObject{{"business_email", 15}, {"phone", 5}, {"urgency_high", 15}}},
        {"details", QJsonObject{{"form_version", "v2.1"}, {"consent_given", true}}},
        {"messages", lead.value("messages")}, // checked in its own test
    };
    QCOMPARE(lead, expected);
}

void TestLeadExporter::messagesOldestFirstWithTheirChannel()
{
    const QJsonObject lead
        = byUuid(jsonLines(exportBytes(db(), m_store.businessId(), Format::JsonLines)), kLeadFull);
    const QJsonArray messages = lead.value("messages").toArray();
    QCOMPARE(messages.size(), 3); // the tombstoned one is left out
    QCOMPARE(messages.at(0).toObject(),
             (QJsonObject{{"direction", "in"},
                          {"body", "Need Nextcloud setup for 50 users ASAP"},
                          {"channel", "webform"},
                          {"sent_at", "2026-01-01T00:00:01.000Z"},
                          {"delivery_status", "received"}}));
    QCOMPARE(messages.at(1).toObject().value("body").toString(),
             QStringLiteral("Hi John, Tuesday 10:00?"));
    QCOMPARE(messages.at(1).toObject().value("delivery_status").toString(), QStringLiteral("read"));
    QCOMPARE(messages.at(2).toObject().value("channel").toString(), QStringLiteral("whatsapp"));
    QCOMPARE(messages.at(2).toObject().value("sent_at").toString(),
             QStringLiteral("2026-01-01T00:05:00.000Z"));
}

void TestLeadExporter::nullsAreJsonNull()
{
    const QByteArray data = exportBytes(db(), m_store.businessId(), Format::JsonLines);
    QVERIFY(!data.contains("\"null\""));
    const QJsonObject minimal = byUuid(jsonLines(data), kLeadMinimal);
    for (const char *key : {"first_name", "email", "company", "campaign_id", "assigned_to",
                            "contacted_at", "follow_up_date", "utm_source", "message"})
        QVERIFY2(minimal.value(QLatin1String(key)).isNull(), key);
    QVERIFY(minimal.value("score_breakdown").isObject());
    QVERIFY(minimal.value("messages").isArray());
}

void TestLeadExporter::hostileTextSurvivesJson()
{
    const QByteArray data = exportBytes(db(), m_store.businessId(), Format::JsonLines);
    // One line per lead: embedded newlines are escaped.
    QCOMPARE(data.count('\n'), 3);
    const QJsonObject lead = byUuid(jsonLines(data), kLeadHostile);
    QCOMPARE(lead.value("first_name").toString(), QStringLiteral("José"));
    QCOMPARE(lead.value("last_name").toString(), QStringLiteral("O'Neil \"Jr\""));
    QCOMPARE(lead.value("company").toString(), kHostileCompany);
    QCOMPARE(lead.value("message").toString(), kHostileMessage);
    QCOMPARE(lead.value("utm_term").toString(), kHostileTerm);
    QCOMPARE(lead.value("timeline").toString(), QStringLiteral("  padded  "));
    QCOMPARE(lead.value("details").toObject(),
             QJsonDocument::fromJson(kHostileDetails.toUtf8()).object());
    // The statement text was data, not SQL: the table is still there.
    QCOMPARE(Test::countRows(db(), QStringLiteral("leads")), 5);
}

void TestLeadExporter::hostileTextSurvivesCsv()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("leads.csv"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        const auto exported
            = Core::LeadExporter::exportLeads(db(), m_store.businessId(), Format::Csv, file);
        QVERIFY(exported);
        QCOMPARE(*exported, qint64(3));
    }
    auto reader = Core::CsvReader::open(path);
    QVERIFY2(reader, qPrintable(reader ? QString() : reader.error().message));
    QCOMPARE((*reader)->header(), Core::LeadExporter::csvColumns());
    const QStringList header = (*reader)->header();
    QStringList fields;
    QHash<QString, QStringList> records;
    for (;;) {
        auto next = (*reader)->next(&fields);
        QVERIFY2(next, qPrintable(next ? QString() : next.error().message));
        if (!*next)
            break;
        QCOMPARE(fields.size(), header.size());
        records.insert(fields.value(0), fields);
    }
    QCOMPARE(records.size(), 3);
    const QStringList hostile = records.value(kLeadHostile);
    const auto field = [&](const char *name) {
        return hostile.value(header.indexOf(QLatin1String(name)));
    };
    QCOMPARE(field("first_name"), QStringLiteral("José"));
    QCOMPARE(field("last_name"), QStringLiteral("O'Neil \"Jr\""));
    QCOMPARE(field("company"), kHostileCompany);
    QCOMPARE(field("message"), kHostileMessage);
    QCOMPARE(field("utm_term"), kHostileTerm);
    QCOMPARE(field("timeline"), QStringLiteral("  padded  "));
    QCOMPARE(field("details"), kHostileDetails);
    QCOMPARE(field("score_breakdown"), QStringLiteral("{}"));
    QCOMPARE(field("email"), QString()); // absent: an empty field
}

void TestLeadExporter::damagedStoredJsonStillExports()
{
    Test::TempStore store;
    const QString contact = QStringLiteral("019b0000-0000-7000-8000-0000000000d9");
    QVERIFY(insert(store.db(), QStringLiteral("contacts"),
                   row({{"id", contact}, {"business_id", store.businessId()}}, kBase)));
    const QString broken = QStringLiteral("{\"credit_score\": 7");
    const QString control = QStringLiteral("bell\x07 and nul-free \x01 controls");
    QVERIFY(insert(store.db(), QStringLiteral("leads"),
                   row({{"id", "019b0000-0000-7000-8000-0000000000f1"},
                        {"business_id", store.businessId()},
                        {"contact_id", contact},
                        {"channel", "csv"},
                        {"details", broken},
                        {"score_breakdown", "[1,2]"},
                        {"message", control}},
                       kBase)));
    const QByteArray data = exportBytes(store.db(), store.businessId(), Format::JsonLines);
    const QList<QJsonObject> lines = jsonLines(data);
    QCOMPARE(lines.size(), 1);
    // Not an object any more, but nothing is lost and the line stays valid JSON.
    QCOMPARE(lines.first().value("details").toString(), broken);
    QCOMPARE(lines.first().value("score_breakdown").toString(), QStringLiteral("[1,2]"));
    QCOMPARE(lines.first().value("message").toString(), control);
    QVERIFY(data.contains("\\u0007"));
}

void TestLeadExporter::phoneNational_data()
{
    QTest::addColumn<QVariant>("phone");
    QTest::addColumn<QVariant>("national");
    QTest::newRow("US") << QVariant("+16145550177") << QVariant("6145550177");
    QTest::newRow("Canada") << QVariant("+14165550100") << QVariant("4165550100");
    QTest::newRow("UK stays E.164") << QVariant("+442079460958") << QVariant("+442079460958");
    QTest::newRow("short +1 stays") << QVariant("+1911") << QVariant("+1911");
    QTest::newRow("absent") << QVariant() << QVariant();
}

void TestLeadExporter::phoneNational()
{
    QFETCH(QVariant, phone);
    QFETCH(QVariant, national);
    Test::TempStore store;
    const QString contact = QStringLiteral("019b0000-0000-7000-8000-0000000000d8");
    QVERIFY(insert(store.db(), QStringLiteral("contacts"),
                   row({{"id", contact}, {"business_id", store.businessId()}}, kBase)));
    QVERIFY(insert(store.db(), QStringLiteral("leads"),
                   row({{"id", "019b0000-0000-7000-8000-0000000000f2"},
                        {"business_id", store.businessId()},
                        {"contact_id", contact},
                        {"channel", "sms"},
                        {"phone", phone}},
                       kBase)));
    const QJsonObject lead
        = jsonLines(exportBytes(store.db(), store.businessId(), Format::JsonLines)).value(0);
    QVERIFY(lead.contains("phone_national"));
    if (!phone.isValid()) {
        QVERIFY(lead.value("phone").isNull());
        QVERIFY(lead.value("phone_national").isNull());
        return;
    }
    QCOMPARE(lead.value("phone").toString(), phone.toString());
    QCOMPARE(lead.value("phone_national").toString(), national.toString());
}

void TestLeadExporter::csvHeaderAndMessageCount()
{
    const QByteArray data = exportBytes(db(), m_store.businessId(), Format::Csv);
    QVERIFY(data.startsWith(Core::CsvWriter::encode(Core::LeadExporter::csvColumns())));
    const QStringList columns = Core::LeadExporter::csvColumns();
    QCOMPARE(columns.last(), QStringLiteral("message_count"));
    QVERIFY(!columns.contains(QStringLiteral("messages")));
    // The full lead's row ends with its three live messages.
    const int line = data.indexOf(kLeadFull.toUtf8());
    QVERIFY(line > 0);
    QVERIFY(data.mid(line, data.indexOf("\r\n", line) - line).endsWith(",3"));
}

void TestLeadExporter::deletedAndForeignLeadsLeftOut()
{
    const QList<QJsonObject> lines
        = jsonLines(exportBytes(db(), m_store.businessId(), Format::JsonLines));
    QCOMPARE(lines.size(), 3);
    QVERIFY(byUuid(lines, kLeadDeleted).isEmpty());
    const QList<QJsonObject> other
        = jsonLines(exportBytes(db(), m_otherBusiness, Format::JsonLines));
    QCOMPARE(other.size(), 1);
    QCOMPARE(other.first().value("last_name").toString(), QStringLiteral("Elsewhere"));
}

void TestLeadExporter::emptyBusinessWritesNothing()
{
    Test::TempStore store;
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const auto exported = Core::LeadExporter::exportLeads(store.db(), store.businessId(),
                                                          Format::JsonLines, buffer);
    QVERIFY(exported);
    QCOMPARE(*exported, qint64(0));
    QVERIFY(buffer.data().isEmpty());
    // A CSV of nothing is its header.
    QCOMPARE(exportBytes(store.db(), store.businessId(), Format::Csv),
             Core::CsvWriter::encode(Core::LeadExporter::csvColumns()));
}

void TestLeadExporter::pagesKeepOrderAcrossTies()
{
    // More than two pages, seven leads per timestamp, inserted newest first, so neither rowid
    // nor insertion order matches the export order and ties straddle page boundaries.
    Test::TempStore store;
    const QString contact = QStringLiteral("019b0000-0000-7000-8000-0000000000d7");
    QVERIFY(insert(store.db(), QStringLiteral("contacts"),
                   row({{"id", contact}, {"business_id", store.businessId()}}, kBase)));
    const QString conversation = QStringLiteral("019b0000-0000-7000-8000-0000000000e7");
    constexpr int kCount = 1203;
    QVERIFY(store.db().begin());
    for (int i = kCount - 1; i >= 0; --i) {
        const QString id
            = QStringLiteral("019b0000-0000-7000-8000-%1").arg(i, 12, 10, QLatin1Char('0'));
        const qint64 at = kBase + (i / 7) * 1000;
        QVERIFY(insert(store.db(), QStringLiteral("leads"),
                       row({{"id", id},
                            {"business_id", store.businessId()},
                            {"contact_id", contact},
                            {"channel", "webform"},
                            {"last_name", QString::number(i)}},
                           at)));
        if (i == kCount - 1)
            QVERIFY(insert(store.db(), QStringLiteral("conversations"),
                           row({{"id", conversation},
                                {"business_id", store.businessId()},
                                {"contact_id", contact},
                                {"lead_id", id},
                                {"channel", "webform"}},
                               at)));
        QVERIFY(insert(
            store.db(), QStringLiteral("messages"),
            row({{"id", QString(id.left(24)
                                + QStringLiteral("%1").arg(i + 5000, 12, 10, QLatin1Char('0')))},
                 {"business_id", store.businessId()},
                 {"conversation_id", conversation},
                 {"lead_id", id},
                 {"direction", "in"},
                 {"body", id},
                 {"sent_at", at}},
                at)));
    }
    QVERIFY(store.db().commit());

    QList<std::pair<qint64, qint64>> progress;
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const auto exported = Core::LeadExporter::exportLeads(
        store.db(), store.businessId(), Format::JsonLines, buffer, [&](qint64 done, qint64 total) {
            progress.append({done, total});
        });
    QVERIFY(exported);
    QCOMPARE(*exported, qint64(kCount));
    QVERIFY(progress.size() >= 3);
    QCOMPARE(progress.last(), (std::pair<qint64, qint64>{kCount, kCount}));

    const QList<QJsonObject> lines = jsonLines(buffer.data());
    QCOMPARE(lines.size(), kCount);
    QSet<QString> seen;
    QString previousCreated;
    int previousRank = kCount;
    for (const QJsonObject &line : lines) {
        const QString uuid = line.value("uuid").toString();
        QVERIFY(!seen.contains(uuid));
        seen.insert(uuid);
        const QString created = line.value("created_at").toString();
        QVERIFY(created >= previousCreated);
        // Within one timestamp, rows come in rowid order: the insertion order, here newest i first.
        const int rank = line.value("last_name").toString().toInt();
        if (created == previousCreated)
            QVERIFY(rank < previousRank);
        previousCreated = created;
        previousRank = rank;
        const QJsonArray messages = line.value("messages").toArray();
        QCOMPARE(messages.size(), 1);
        QCOMPARE(messages.first().toObject().value("body").toString(), uuid);
    }
}

void TestLeadExporter::unwritableDeviceFails()
{
    QBuffer readOnly;
    readOnly.open(QIODevice::ReadOnly);
    QVERIFY(
        !Core::LeadExporter::exportLeads(db(), m_store.businessId(), Format::JsonLines, readOnly));

    QFile full(QStringLiteral("/dev/full"));
    if (!full.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        QSKIP("no /dev/full here");
    const auto exported
        = Core::LeadExporter::exportLeads(db(), m_store.businessId(), Format::JsonLines, full);
    QVERIFY(!exported);
    QVERIFY2(exported.error().message.contains(QLatin1String("cannot write")),
             qPrintable(exported.error().message));
}

void TestLeadExporter::parseFormat_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("format"); // -1: not a format
    QTest::newRow("json") << "json" << int(Format::JsonLines);
    QTest::newRow("jsonl") << "jsonl" << int(Format::JsonLines);
    QTest::newRow("JSON") << "JSON" << int(Format::JsonLines);
    QTest::newRow("csv") << "csv" << int(Format::Csv);
    QTest::newRow("xml") << "xml" << -1;
    QTest::newRow("empty") << "" << -1;
}

void TestLeadExporter::parseFormat()
{
    QFETCH(QString, name);
    QFETCH(int, format);
    const auto parsed = Core::LeadExporter::parseFormat(name);
    QCOMPARE(parsed.has_value(), format >= 0);
    if (parsed)
        QCOMPARE(int(*parsed), format);
}

void TestLeadExporter::keysFollowSeed004()
{
    const QStringList keys = Core::LeadExporter::jsonKeys();
    for (const QString &key : Test::seed004ExportKeys())
        QVERIFY2(keys.contains(key), qPrintable(key));
    QCOMPARE(keys.first(), QStringLiteral("uuid"));
    QCOMPARE(keys.last(), QStringLiteral("messages"));
    QCOMPARE(keys.size(), Core::LeadExporter::csvColumns().size());
}

QTEST_GUILESS_MAIN(TestLeadExporter)
#include "tst_leadexporter.moc"
