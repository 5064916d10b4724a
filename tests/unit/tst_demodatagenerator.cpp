#include "accountservice.h"
#include "businessrepository.h"
#include "demodatagenerator.h"
#include "ids.h"
#include "leadexporter.h"
#include "testsupport.h"

#include <QBuffer>
#include <QCryptographicHash>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTest>

#include <memory>

using namespace LeadDesk;

namespace {

constexpr qint64 kNow = 1'767'225'600'000; // 2026-01-01T00:00:00Z, a Thursday
constexpr qint64 kDayMs = 86'400'000;
constexpr qint64 kLeads = 300;

Core::DemoDataGenerator::Options demoOptions(quint64 seed = 7, qint64 leads = kLeads)
{
    Core::DemoDataGenerator::Options options;
    options.leads = leads;
    options.seed = seed;
    options.nowMs = kNow;
    return options;
}

// The rows of a query as lists of values.
QList<QVariantList> rows(Core::Database &db, const QString &sql)
{
    QList<QVariantList> out;
    QSqlQuery query(db.connection());
    if (!query.exec(sql)) {
        qWarning("query failed: %s", qPrintable(sql));
        return out;
    }
    while (query.next()) {
        QVariantList row;
        for (int i = 0; i < query.record().count(); ++i)
            row.append(query.value(i));
        out.append(row);
    }
    return out;
}

qint64 scalar(Core::Database &db, const QString &sql)
{
    const auto result = rows(db, sql);
    return result.isEmpty() ? -1 : result.first().value(0).toLongLong();
}

QByteArray exportJson(Core::Database &db, const QString &businessId)
{
    QBuffer buffer;
    buffer.open(QIODevice::WriteOnly);
    const auto exported = Core::LeadExporter::exportLeads(
        db, businessId, Core::LeadExporter::Format::JsonLines, buffer);
    return exported ? buffer.data() : QByteArray();
}

// A digest of columns the export does not show (row ids, hlc stamps, activities).
QByteArray digest(Core::Database &db)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    const QStringList queries = {
        QStringLiteral(
            "SELECT id, conversation_id, lead_id, direction, body, sent_at, external_id, "
            "delivery_status, hlc FROM messages ORDER BY id"),
        QStringLiteral(
            "SELECT id, contact_id, lead_id, channel, external_thread_id, last_message_at, "
            "waiting_on, unread_count, status, hlc FROM conversations ORDER BY id"),
        QStringLiteral("SELECT id, lead_id, activity_type, description, metadata, created_at "
                       "FROM activities ORDER BY id"),
        QStringLiteral(
            "SELECT id, contact_id, channel, external_id FROM contact_identities ORDER BY id"),
        QStringLiteral("SELECT id, first_name, last_name, email, phone, address_line FROM contacts "
                       "ORDER BY id"),
        QStringLiteral("SELECT id, kind, name, settings FROM sources ORDER BY id"),
        QStringLiteral("SELECT id, external_id, budget_cents FROM campaigns ORDER BY id"),
    };
    for (const QString &sql : queries) {
        for (const QVariantList &row : rows(db, sql)) {
            for (const QVariant &value : row)
                hash.addData(QByteArray(value.toString().toUtf8() + '\x1f'));
            hash.addData("\x1e");
        }
    }
    return hash.result();
}

} // namespace

class TestDemoDataGenerator : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void countsPerTable();
    void everySourceKind();
    void campaignsWithUtm();
    void someContactsOnSeveralChannels();
    void referencesResolve();
    void identitiesNormalised();
    void namesTitleCase();
    void leadTimesSpreadRealistically();
    void statusFunnel();
    void assignedToDemoUsers();
    void waitingOnMatchesLastMessage();
    void firstResponseIsFirstOutbound();
    void conversationFieldsConsistent();
    void messagesFollowTheLead();
    void channelDetails_data();
    void channelDetails();
    void webFormsCarryCampaignAndUtm();
    void leadsAreScoredByTheDefaultRules();
    void activitiesRecorded();
    void idsAreTimeOrderedUuids();
    void demoFlagSet();
    void statsMatchTheStore();

    void sameSeedSameData();
    void refusesNonEmptyStore();
    void demoUsersCanSignIn();
    void progressReported();
    void credentialsPassPolicy();

private:
    std::unique_ptr<Test::TempStore> m_store;
    Core::DemoDataGenerator::Stats m_stats;
    Core::Database &db() { return m_store->db(); }
};

void TestDemoDataGenerator::initTestCase()
{
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    Core::DemoDataGenerator generator(db(), demoOptions());
    const auto generated = generator.generate(m_store->businessId());
    QVERIFY2(generated, qPrintable(generated ? QString() : generated.error().message));
    m_stats = generator.stats();
}

void TestDemoDataGenerator::countsPerTable()
{
    QCOMPARE(Test::countRows(db(), QStringLiteral("leads")), kLeads);
    QCOMPARE(Test::countRows(db(), QStringLiteral("users")), 3);
    QCOMPARE(Test::countRows(db(), QStringLiteral("sources")), 8);
    const int campaigns = Test::countRows(db(), QStringLiteral("campaigns"));
    QVERIFY2(campaigns >= 4 && campaigns <= 6, qPrintable(QString::number(campaigns)));
    // One conversation per lead: a person returns on a channel they have not used yet.
    QCOMPARE(Test::countRows(db(), QStringLiteral("conversations")), kLeads);
    const int contacts = Test::countRows(db(), QStringLiteral("contacts"));
    QVERIFY(contacts > kLeads * 0.8 && contacts < kLeads);
    const int messages = Test::countRows(db(), QStringLiteral("messages"));
    QVERIFY2(messages > kLeads * 4 && messages < kLeads * 6, qPrintable(QString::number(messages)));
    QVERIFY(Test::countRows(db(), QStringLiteral("activities")) > kLeads);
    // Every contact is findable by its e-mail or phone, except people known only by their
    // Messenger id.
    QCOMPARE(
        scalar(db(), QStringLiteral("SELECT COUNT(*) FROM contacts c WHERE NOT EXISTS "
                                    "(SELECT 1 FROM contact_identities i WHERE i.contact_id = c.id "
                                    "AND i.channel IN ('email', 'phone', 'messenger'))")),
        0);
    QCOMPARE(
        scalar(db(), QStringLiteral(
                         "SELECT COUNT(*) FROM contacts WHERE (email IS NULL) <> NOT EXISTS "
                         "(SELECT 1 FROM contact_identities i WHERE i.contact_id = contacts.id "
                         "AND i.channel = 'email' AND i.external_id = contacts.email)")),
        0);
}

void TestDemoDataGenerator::everySourceKind()
{
    const auto kinds = rows(db(), QStringLiteral("SELECT kind FROM sources ORDER BY kind"));
    QStringList names;
    for (const auto &row : kinds)
        names << row.value(0).toString();
    QCOMPARE(names, (QStringList{"chatbot", "csv", "leadads", "messenger", "sms", "thumbtack",
                                 "webform", "whatsapp"}));
    // ...and leads came in through every one of them.
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(DISTINCT channel) FROM leads")), 8);
    QCOMPARE(scalar(db(), QStringLiteral(
                              "SELECT COUNT(*) FROM leads l JOIN sources s ON s.id = l.source_id "
                              "WHERE s.kind <> l.channel")),
             0);
}

void TestDemoDataGenerator::campaignsWithUtm()
{
    const auto campaigns = rows(
        db(), QStringLiteral("SELECT external_id, budget_cents, campaign_type FROM campaigns"));
    const QRegularExpression slug(QStringLiteral("^[a-z0-9]+(-[a-z0-9]+)*-2026$"));
    for (const auto &row : campaigns) {
        QVERIFY2(slug.match(row.value(0).toString()).hasMatch(),
                 qPrintable(row.value(0).toString()));
        QVERIFY(row.value(1).toLongLong() > 0);
        QVERIFY(QStringList({"service", "product", "consultation", "assessment"})
                    .contains(row.value(2).toString()));
    }
    QVERIFY(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM campaigns WHERE external_id = "
                                        "'spring-ac-tuneup-2026'"))
            == 1);
}

void TestDemoDataGenerator::someContactsOnSeveralChannels()
{
    const qint64 contacts = Test::countRows(db(), QStringLiteral("contacts"));
    const qint64 several
        = scalar(db(), QStringLiteral(
                           "SELECT COUNT(*) FROM (SELECT contact_id FROM leads GROUP BY contact_id "
                           "HAVING COUNT(DISTINCT channel) >= 2)"));
    QVERIFY2(several >= contacts * 0.07 && several <= contacts * 0.2,
             qPrintable(QStringLiteral("%1 of %2").arg(several).arg(contacts)));
    QCOMPARE(m_stats.multiChannelContacts, several);
    // The same person: their leads carry the contact's name.
    QCOMPARE(scalar(db(), QStringLiteral(
                              "SELECT COUNT(*) FROM leads l JOIN contacts c ON c.id = l.contact_id "
                              "WHERE l.first_name <> c.first_name OR l.last_name <> c.last_name")),
             0);
}

void TestDemoDataGenerator::referencesResolve()
{
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads l LEFT JOIN contacts c "
                                         "ON c.id = l.contact_id WHERE c.id IS NULL")),
             0);
    QVERIFY(rows(db(), QStringLiteral("PRAGMA foreign_key_check")).isEmpty());
    QCOMPARE(scalar(db(), QStringLiteral("PRAGMA foreign_keys")),
             1); // restored after the bulk load
    QCOMPARE(
        scalar(db(), QStringLiteral("SELECT COUNT(*) FROM messages m JOIN conversations c "
                                    "ON c.id = m.conversation_id WHERE c.lead_id <> m.lead_id")),
        0);
}

void TestDemoDataGenerator::identitiesNormalised()
{
    const QRegularExpression e164(QStringLiteral("^\\+1[2-9][0-9]{9}$"));
    const QRegularExpression email(QStringLiteral("^[a-z0-9._]+@[a-z0-9.-]+\\.[a-z]+$"));
    for (const auto &row : rows(db(), QStringLiteral("SELECT channel, external_id, contact_id "
                                                     "FROM contact_identities"))) {
        const QString channel = row.value(0).toString();
        const QString value = row.value(1).toString();
        if (channel == QLatin1String("email"))
            QVERIFY2(email.match(value).hasMatch(), qPrintable(value));
        else if (channel == QLatin1String("phone"))
            QVERIFY2(e164.match(value).hasMatch(), qPrintable(value));
        else if (channel == QLatin1String("whatsapp"))
            QVERIFY2(value.size() == 11 && value.startsWith(u'1'), qPrintable(value));
        else
            QVERIFY2(channel == QLatin1String("messenger") || channel == QLatin1String("thumbtack"),
                     qPrintable(channel));
    }
    // The WhatsApp id is the phone without its '+'.
    QCOMPARE(
        scalar(
            db(),
            QStringLiteral(
                "SELECT COUNT(*) FROM contact_identities w JOIN contacts c ON c.id = w.contact_id "
                "WHERE w.channel = 'whatsapp' AND '+' || w.external_id <> c.phone")),
        0);
    QVERIFY(scalar(db(), QStringLiteral(
                             "SELECT COUNT(*) FROM contact_identities WHERE channel = 'messenger'"))
            > 0);
    QVERIFY(scalar(db(), QStringLiteral(
                             "SELECT COUNT(*) FROM contact_identities WHERE channel = 'thumbtack'"))
            > 0);
    // Leads keep what their channel delivered, in the same normal form.
    QCOMPARE(
        scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE email <> lower(email) "
                                    "OR (phone IS NOT NULL AND phone NOT LIKE '+1__________')")),
        0);
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE channel = 'messenger' "
                                         "AND (email IS NOT NULL OR phone IS NOT NULL)")),
             0);
}

void TestDemoDataGenerator::namesTitleCase()
{
    const auto names = rows(db(), QStringLiteral("SELECT DISTINCT last_name FROM contacts"));
    QVERIFY(names.size() > 50);
    for (const auto &row : names) {
        const QString name = row.value(0).toString();
        QVERIFY(!name.isEmpty());
        // Title case except the particles and prefixes Normalizer keeps ("van der Berg").
        QVERIFY2(name.front().isUpper() || name.startsWith(QLatin1String("van ")),
                 qPrintable(name));
        QVERIFY2(name != name.toUpper() || name.size() <= 2, qPrintable(name));
    }
}

void TestDemoDataGenerator::leadTimesSpreadRealistically()
{
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE created_at >= %1 "
                                         "OR created_at < %2")
                              .arg(kNow)
                              .arg(kNow - 180 * kDayMs)),
             0);
    // Weekdays get more leads per day than weekends; the business zone is UTC.
    const qint64 weekend
        = scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE strftime('%w', created_at "
                                      "/ 1000, 'unixepoch') IN ('0', '6')"));
    const qint64 weekday = kLeads - weekend;
    QVERIFY2(weekday / 5.0 > weekend / 2.0 * 1.4,
             qPrintable(QStringLiteral("%1/%2").arg(weekday).arg(weekend)));
    // Most arrive in business hours.
    const qint64 office
        = scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE CAST(strftime('%H', "
                                      "created_at / 1000, 'unixepoch') AS INTEGER) "
                                      "BETWEEN 8 AND 18"));
    QVERIFY2(office > kLeads * 0.7, qPrintable(QString::number(office)));
    // A mild growth trend: the newer half of the period has more leads than the older half.
    const qint64 recent
        = scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE created_at >= %1")
                           .arg(kNow - 90 * kDayMs));
    QVERIFY2(recent > kLeads / 2 && recent < kLeads * 0.75, qPrintable(QString::number(recent)));
}

void TestDemoDataGenerator::statusFunnel()
{
    QHash<QString, qint64> count;
    for (const auto &row :
         rows(db(), QStringLiteral("SELECT status, COUNT(*) FROM leads GROUP BY status")))
        count.insert(row.value(0).toString(), row.value(1).toLongLong());
    for (const char *status :
         {"new", "contacted", "qualified", "proposal", "closed_won", "closed_lost"})
        QVERIFY2(count.value(QLatin1String(status)) > 0, status);
    // A funnel: each later open stage holds fewer leads than the one before it.
    QVERIFY(count.value("contacted") > count.value("qualified"));
    QVERIFY(count.value("qualified") > count.value("proposal"));
    QVERIFY(count.value("closed_won") < count.value("contacted"));
    // Only won deals carry a value; new leads have not been answered.
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE (status = 'closed_won') "
                                         "<> (value_cents IS NOT NULL AND value_cents > 0)")),
             0);
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE status = 'new' "
                                         "AND first_response_at IS NOT NULL")),
             0);
    QCOMPARE(
        scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE status <> 'new' "
                                    "AND (first_response_at IS NULL OR contacted_at IS NULL)")),
        0);
}

void TestDemoDataGenerator::assignedToDemoUsers()
{
    const qint64 assigned = scalar(
        db(), QStringLiteral("SELECT COUNT(*) FROM leads l JOIN users u ON u.id = l.assigned_to "
                             "WHERE u.username IN ('owner', 'alex', 'sam')"));
    QVERIFY2(assigned > kLeads * 0.75, qPrintable(QString::number(assigned)));
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(DISTINCT assigned_to) FROM leads")), 3);
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE assigned_to IS NOT NULL "
                                         "AND assigned_to NOT IN (SELECT id FROM users)")),
             0);
}

void TestDemoDataGenerator::waitingOnMatchesLastMessage()
{
    // The side that must answer next: the business after an inbound message (or before any
    // message at all), the lead after an outbound one.
    const auto mismatches = rows(
        db(), QStringLiteral(
                  "SELECT l.id, l.waiting_on, c.waiting_on, "
                  "(SELECT direction FROM messages m WHERE m.lead_id = l.id ORDER BY sent_at DESC, "
                  "rowid DESC LIMIT 1) AS last "
                  "FROM leads l JOIN conversations c ON c.lead_id = l.id "
                  "WHERE l.waiting_on IS NOT c.waiting_on "
                  "OR l.waiting_on <> CASE WHEN last = 'out' THEN 'lead' ELSE 'business' END"));
    QVERIFY2(mismatches.isEmpty(),
             qPrintable(mismatches.isEmpty() ? QString() : mismatches.first().value(0).toString()));
    QVERIFY(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE waiting_on = 'lead'"))
            > 0);
    QVERIFY(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE waiting_on = 'business'"))
            > 0);
}

void TestDemoDataGenerator::firstResponseIsFirstOutbound()
{
    QCOMPARE(
        scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads l WHERE l.first_response_at IS NOT "
                                    "(SELECT MIN(sent_at) FROM messages m WHERE m.lead_id = l.id "
                                    "AND m.direction = 'out') "
                                    "OR l.last_outbound_at IS NOT "
                                    "(SELECT MAX(sent_at) FROM messages m WHERE m.lead_id = l.id "
                                    "AND m.direction = 'out') "
                                    "OR l.last_inbound_at IS NOT "
                                    "(SELECT MAX(sent_at) FROM messages m WHERE m.lead_id = l.id "
                                    "AND m.direction = 'in')")),
        0);
    QVERIFY(scalar(db(),
                   QStringLiteral("SELECT COUNT(*) FROM leads WHERE first_response_at IS NOT NULL"))
            > kLeads / 2);
}

void TestDemoDataGenerator::conversationFieldsConsistent()
{
    QCOMPARE(scalar(db(), QStringLiteral(
                              "SELECT COUNT(*) FROM conversations c WHERE "
                              "c.last_message_at IS NOT (SELECT MAX(sent_at) FROM messages m WHERE "
                              "m.conversation_id = c.id) "
                              "OR c.last_inbound_at IS NOT (SELECT MAX(sent_at) FROM messages m "
                              "WHERE m.conversation_id = c.id AND direction = 'in') "
                              "OR c.last_outbound_at IS NOT (SELECT MAX(sent_at) FROM messages m "
                              "WHERE m.conversation_id = c.id AND direction = 'out') "
                              "OR c.last_sender IS NOT (SELECT CASE direction WHEN 'in' THEN "
                              "'lead' ELSE 'business' END "
                              "  FROM messages m WHERE m.conversation_id = c.id ORDER BY sent_at "
                              "DESC, rowid DESC LIMIT 1)")),
             0);
    // Unread: the inbound messages after the business last wrote, on open conversations.
    QCOMPARE(
        scalar(db(), QStringLiteral("SELECT COUNT(*) FROM conversations c WHERE c.unread_count <> "
                                    "CASE WHEN c.status = 'closed' THEN 0 ELSE "
                                    "(SELECT COUNT(*) FROM messages m WHERE m.conversation_id = "
                                    "c.id AND m.direction = 'in' "
                                    " AND m.sent_at > COALESCE(c.last_outbound_at, 0)) END")),
        0);
    QCOMPARE(
        scalar(db(),
               QStringLiteral(
                   "SELECT COUNT(*) FROM conversations c JOIN leads l ON l.id = c.lead_id "
                   "WHERE (c.status = 'closed') <> (l.status IN ('closed_won', 'closed_lost')) "
                   "OR c.channel <> l.channel OR c.contact_id <> l.contact_id")),
        0);
}

void TestDemoDataGenerator::messagesFollowTheLead()
{
    QCOMPARE(scalar(db(), QStringLiteral(
                              "SELECT COUNT(*) FROM messages m JOIN leads l ON l.id = m.lead_id "
                              "WHERE m.sent_at < l.created_at OR m.sent_at >= %1")
                              .arg(kNow)),
             0);
    QCOMPARE(scalar(db(), QStringLiteral(
                              "SELECT COUNT(*) FROM messages WHERE direction = 'out' AND "
                              "delivery_status NOT IN ('sent', 'delivered', 'read', 'failed')")),
             0);
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM messages WHERE direction = 'in' AND "
                                         "delivery_status <> 'received'")),
             0);
    QCOMPARE(
        scalar(db(), QStringLiteral(
                         "SELECT COUNT(*) FROM messages WHERE body = '' OR body LIKE '%{%}%'")),
        0);
    QVERIFY(
        scalar(db(), QStringLiteral("SELECT COUNT(*) FROM messages WHERE delivery_status = 'read'"))
        > 0);
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM messages WHERE direction = 'out' "
                                         "AND author_user_id IS NULL")),
             0);
    // Web-form leads open with the form's message.
    QCOMPARE(
        scalar(
            db(),
            QStringLiteral(
                "SELECT COUNT(*) FROM leads l WHERE l.channel = 'webform' AND l.message IS NOT "
                "(SELECT body FROM messages m WHERE m.lead_id = l.id ORDER BY sent_at LIMIT 1)")),
        0);
}

void TestDemoDataGenerator::channelDetails_data()
{
    QTest::addColumn<QString>("channel");
    QTest::addColumn<QStringList>("keys");
    QTest::newRow("thumbtack") << QStringLiteral("thumbtack")
                               << QStringList{"category", "title", "description",    "location",
                                              "price",    "qa",    "negotiation_id", "customer_id"};
    QTest::newRow("csv") << QStringLiteral("csv")
                         << QStringList{"vendor",         "credit_score",  "loan_purpose",
                                        "property_value", "property_type", "desired_loan_amount"};
    QTest::newRow("chatbot") << QStringLiteral("chatbot")
                             << QStringList{"business_type", "staff_size", "session_key"};
    QTest::newRow("webform") << QStringLiteral("webform")
                             << QStringList{"form_type", "time_on_page_seconds", "return_visitor"};
    QTest::newRow("leadads") << QStringLiteral("leadads")
                             << QStringList{"form_id", "ad_id", "field_data"};
    QTest::newRow("whatsapp") << QStringLiteral("whatsapp") << QStringList{"wa_id", "profile_name"};
    QTest::newRow("messenger") << QStringLiteral("messenger") << QStringList{"psid", "page_id"};
    QTest::newRow("sms") << QStringLiteral("sms")
                         << QStringList{"from_city", "from_state", "from_zip"};
}

void TestDemoDataGenerator::channelDetails()
{
    QFETCH(QString, channel);
    QFETCH(QStringList, keys);
    const auto details
        = rows(db(), QStringLiteral("SELECT details FROM leads WHERE channel = '%1'").arg(channel));
    QVERIFY(!details.isEmpty());
    for (const auto &row : details) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(row.value(0).toByteArray(), &error);
        QVERIFY2(document.isObject(), qPrintable(error.errorString()));
        const QJsonObject object = document.object();
        for (const QString &key : keys)
            QVERIFY2(object.contains(key), qPrintable(channel + u' ' + key));
        if (channel == QLatin1String("thumbtack")) {
            QVERIFY(!object.value("qa").toArray().isEmpty());
            QVERIFY(object.value("qa").toArray().first().toObject().contains("answer"));
            QVERIFY(object.value("location").toObject().contains("zipCode"));
        } else if (channel == QLatin1String("csv")) {
            const int credit = object.value("credit_score").toInt();
            QVERIFY(credit >= 300 && credit <= 850);
            QVERIFY(object.value("property_value").toInteger() % 100
                    == 0); // cents of whole dollars
        }
    }
}

void TestDemoDataGenerator::webFormsCarryCampaignAndUtm()
{
    const qint64 webForms
        = scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE channel = 'webform'"));
    const qint64 withCampaign = scalar(
        db(), QStringLiteral(
                  "SELECT COUNT(*) FROM leads l JOIN campaigns c ON c.id = l.campaign_id "
                  "WHERE l.channel = 'webform' AND l.campaign_name = c.name AND l.utm_source IN "
                  "('google', 'facebook', 'newsletter') "
                  "AND l.utm_medium IN ('cpc', 'social', 'email', 'organic') AND l.utm_campaign IS "
                  "NOT NULL "
                  "AND l.landing_page_url LIKE 'https://%utm_source=' || l.utm_source || '%'"));
    QVERIFY(withCampaign > webForms / 2);
    QCOMPARE(
        scalar(db(), QStringLiteral(
                         "SELECT COUNT(*) FROM leads WHERE channel = 'webform' AND ("
                         "visitor_id NOT LIKE 'vis\\_%' ESCAPE '\\' OR session_id NOT LIKE "
                         "'sess\\_%' ESCAPE '\\' "
                         "OR service_interest IS NULL OR urgency IS NULL OR budget_range IS NULL "
                         "OR timeline IS NULL OR user_agent IS NULL OR ip_address IS NULL)")),
        0);
    QVERIFY(
        scalar(
            db(),
            QStringLiteral(
                "SELECT COUNT(*) FROM leads WHERE utm_content IN ('ad-variant-a', 'ad-variant-b')"))
        > 0);
    QCOMPARE(
        scalar(db(),
               QStringLiteral(
                   "SELECT COUNT(*) FROM leads WHERE utm_source = 'google' AND utm_medium = 'cpc' "
                   "AND (utm_term IS NULL OR referrer_url NOT LIKE "
                   "'https://www.google.com/search?q=%')")),
        0);
}

void TestDemoDataGenerator::leadsAreScoredByTheDefaultRules()
{
    // Every lead carries a breakdown, and grade and qualification follow the default thresholds.
    QCOMPARE(scalar(db(), QStringLiteral(
                              "SELECT COUNT(*) FROM scored_leads WHERE score_breakdown = '{}'")),
             0);
    // Web-form details use the keys the default rules read (details.form_completion).
    QVERIFY(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE "
                                        "json_extract(details, '$.form_completion') IS NOT NULL"))
            > 0);
    QVERIFY(scalar(db(), QStringLiteral("SELECT COUNT(*) FROM scored_leads WHERE "
                                        "json_extract(score_breakdown, '$.form_completion') > 0"))
            > 0);
    QCOMPARE(
        scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE "
                                    "json_extract(details, '$.fields_completed') IS NOT NULL")),
        0);
    QCOMPARE(scalar(db(), QStringLiteral(
                              "SELECT COUNT(*) FROM scored_leads WHERE lead_grade <> CASE "
                              "WHEN lead_score >= 80 THEN 'A' WHEN lead_score >= 60 THEN 'B' "
                              "WHEN lead_score >= 40 THEN 'C' ELSE 'D' END "
                              "OR qualification_status <> CASE WHEN lead_score >= 60 THEN "
                              "'sales_qualified' WHEN lead_score >= 30 THEN 'marketing_qualified' "
                              "ELSE 'unqualified' END")),
             0);
    // A realistic spread, not one grade for everyone.
    QVERIFY(scalar(db(), QStringLiteral("SELECT COUNT(DISTINCT lead_grade) FROM scored_leads"))
            >= 3);
}

void TestDemoDataGenerator::activitiesRecorded()
{
    QStringList types;
    for (const auto &row :
         rows(db(), QStringLiteral("SELECT DISTINCT activity_type FROM activities ORDER BY 1")))
        types << row.value(0).toString();
    for (const char *type : {"assigned", "call_made", "email_sent", "note_added", "status_changed"})
        QVERIFY2(types.contains(QLatin1String(type)), type);
    for (const auto &row :
         rows(db(),
              QStringLiteral("SELECT metadata FROM activities WHERE activity_type = 'assigned'"))) {
        const QJsonObject metadata = QJsonDocument::fromJson(row.value(0).toByteArray()).object();
        QVERIFY(QStringList({"round_robin", "campaign_rule", "manual"})
                    .contains(metadata.value("reason").toString()));
    }
    // The last status change of a lead leads to its current status.
    QCOMPARE(
        scalar(
            db(),
            QStringLiteral(
                "SELECT COUNT(*) FROM leads l WHERE l.status <> 'new' AND l.status <> "
                "(SELECT json_extract(metadata, '$.to') FROM activities a WHERE a.lead_id = l.id "
                " AND a.activity_type = 'status_changed' ORDER BY created_at DESC, rowid DESC "
                "LIMIT 1)")),
        0);
    QCOMPARE(scalar(db(), QStringLiteral(
                              "SELECT COUNT(*) FROM activities a JOIN leads l ON l.id = a.lead_id "
                              "WHERE a.created_at < l.created_at OR a.created_at >= %1 OR "
                              "a.created_at > l.updated_at")
                              .arg(kNow)),
             0);
}

void TestDemoDataGenerator::idsAreTimeOrderedUuids()
{
    for (const auto &row :
         rows(db(), QStringLiteral("SELECT id, created_at FROM leads UNION ALL "
                                   "SELECT id, sent_at FROM messages LIMIT 2000")))
        QCOMPARE(Core::Ids::uuidV7Timestamp(row.value(0).toString()), row.value(1).toLongLong());
    QCOMPARE(scalar(db(), QStringLiteral("SELECT COUNT(*) - COUNT(DISTINCT hlc) FROM leads")), 0);
    QCOMPARE(
        scalar(db(), QStringLiteral("SELECT COUNT(*) FROM leads WHERE (hlc >> 16) <> updated_at "
                                    "OR updated_at < created_at")),
        0);
}

void TestDemoDataGenerator::demoFlagSet()
{
    QVERIFY(Core::DemoDataGenerator::isDemoStore(db(), m_store->businessId()));
    Test::TempStore fresh;
    QVERIFY(!Core::DemoDataGenerator::isDemoStore(fresh.db(), fresh.businessId()));
}

void TestDemoDataGenerator::statsMatchTheStore()
{
    QCOMPARE(m_stats.leads, kLeads);
    QCOMPARE(m_stats.contacts, Test::countRows(db(), QStringLiteral("contacts")));
    QCOMPARE(m_stats.messages, Test::countRows(db(), QStringLiteral("messages")));
    QCOMPARE(m_stats.activities, Test::countRows(db(), QStringLiteral("activities")));
    QCOMPARE(m_stats.identities, Test::countRows(db(), QStringLiteral("contact_identities")));
    QCOMPARE(m_stats.users, 3);
    QCOMPARE(m_stats.sources, 8);
}

void TestDemoDataGenerator::sameSeedSameData()
{
    Test::TempStore first;
    Test::TempStore second;
    Test::TempStore other;
    // Stores made apart in time must not differ: every id, time and text comes from the seed.
    // Each TempStore has its own business id, so compare with the business column left out.
    QVERIFY(Core::DemoDataGenerator(first.db(), demoOptions(11, 120)).generate(first.businessId()));
    QVERIFY(
        Core::DemoDataGenerator(second.db(), demoOptions(11, 120)).generate(second.businessId()));
    QVERIFY(Core::DemoDataGenerator(other.db(), demoOptions(12, 120)).generate(other.businessId()));

    const QByteArray a = exportJson(first.db(), first.businessId());
    const QByteArray b = exportJson(second.db(), second.businessId());
    QCOMPARE(a.count('\n'), 120);
    QCOMPARE(a, b);
    QCOMPARE(digest(first.db()), digest(second.db()));
    QVERIFY(exportJson(other.db(), other.businessId()) != a);
    QVERIFY(digest(other.db()) != digest(first.db()));
}

void TestDemoDataGenerator::refusesNonEmptyStore()
{
    Core::DemoDataGenerator again(db(), demoOptions(99, 10));
    const auto result = again.generate(m_store->businessId());
    QVERIFY(!result);
    QVERIFY2(result.error().message.contains(QLatin1String("already holds leads")),
             qPrintable(result.error().message));
    QCOMPARE(Test::countRows(db(), QStringLiteral("leads")), kLeads);
    QCOMPARE(Test::countRows(db(), QStringLiteral("users")), 3);

    Test::TempStore fresh;
    QVERIFY(!Core::DemoDataGenerator(fresh.db(), demoOptions(1, 0)).generate(fresh.businessId()));
    QCOMPARE(Test::countRows(fresh.db(), QStringLiteral("users")), 0);
}

void TestDemoDataGenerator::demoUsersCanSignIn()
{
    Core::AccountService accounts(db());
    const auto credentials = Core::DemoDataGenerator::credentials();
    QCOMPARE(credentials.size(), 3);
    QStringList roles;
    for (const auto &account : credentials) {
        const auto result
            = accounts.signIn(m_store->businessId(), account.username, account.password);
        QVERIFY2(result.error == Core::AccountService::SignInError::None,
                 qPrintable(result.message));
        QCOMPARE(result.user.username, account.username);
        QCOMPARE(Core::roleName(result.user.role), account.role);
        roles << account.role;
    }
    QCOMPARE(roles, (QStringList{"owner", "rep", "rep"}));
    QCOMPARE(credentials.at(0).username, QStringLiteral("owner"));
    QCOMPARE(credentials.at(1).username, QStringLiteral("alex"));
    QCOMPARE(credentials.at(2).username, QStringLiteral("sam"));
}

void TestDemoDataGenerator::progressReported()
{
    Test::TempStore store;
    QList<std::pair<qint64, qint64>> calls;
    QVERIFY(Core::DemoDataGenerator(store.db(), demoOptions(3, 25))
                .generate(store.businessId(), [&](qint64 done, qint64 total) {
                    calls.append({done, total});
                }));
    QVERIFY(!calls.isEmpty());
    QCOMPARE(calls.last(), (std::pair<qint64, qint64>{25, 25}));
}

void TestDemoDataGenerator::credentialsPassPolicy()
{
    for (const auto &account : Core::DemoDataGenerator::credentials()) {
        QVERIFY(account.password.size() >= 10);
        QVERIFY(!account.password.contains(account.username, Qt::CaseInsensitive));
        QVERIFY(!account.displayName.isEmpty());
    }
}

QTEST_GUILESS_MAIN(TestDemoDataGenerator)
#include "tst_demodatagenerator.moc"
