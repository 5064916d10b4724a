#include "csvreader.h"
#include "testsupport.h"
#include "vendorprofile.h"

#include <QTemporaryDir>
#include <QTest>

Q_DECLARE_METATYPE(LeadDesk::Core::VendorProfile::DetailType)

using namespace LeadDesk::Core;

namespace {

using Details = QList<std::pair<QString, QString>>;

VendorProfile profile(const QString &name)
{
    auto found = VendorProfile::forSource(name);
    if (!found)
        qFatal("no profile %s", qPrintable(name));
    return *found;
}

// The canonical field a header maps to, or "" when it stays unmapped. E-mail and phone columns
// follow it, so that the header is never refused and never takes the field first.
QString mappedField(const VendorProfile &vendor, const QString &header)
{
    const auto map = vendor.mapHeader({header, QStringLiteral("Email"), QStringLiteral("Phone")});
    if (!map)
        return QStringLiteral("<error: %1>").arg(map.error().message);
    const int field = map->columnField.at(0);
    return field >= 0 ? vendor.fields().at(field).first : QString();
}

} // namespace

class TstVendorProfile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void sources();
    void everyAliasMapsToItsField();
    void fixtureColumnsAllMapped_data();
    void fixtureColumnsAllMapped();
    void fixtureValuesLand_data();
    void fixtureValuesLand();
    void vendorNames_data();
    void vendorNames();
    void spellingVariants_data();
    void spellingVariants();
    void bureauNames_data();
    void bureauNames();
    void wrongFile_data();
    void wrongFile();
    void duplicateColumns();
    void shortAndLongRecords();
    void unmappedColumnsKept();
    void injectionStringsVerbatim();
    void detailTypes_data();
    void detailTypes();
    void aliasReference();
};

void TstVendorProfile::sources()
{
    QCOMPARE(VendorProfile::sourceNames(),
             (QStringList{"experian", "transunion", "leadsource", "generic"}));
    QCOMPARE(profile(QStringLiteral(" Generic ")).name(), QStringLiteral("generic"));
    const auto unknown = VendorProfile::forSource(QStringLiteral("equifax"));
    QVERIFY(!unknown);
    QVERIFY(unknown.error().message.contains(QStringLiteral("equifax")));
    QVERIFY(unknown.error().message.contains(QStringLiteral("leadsource")));
}

// Also checks that no header name is claimed by two fields (forSource asserts on that).
void TstVendorProfile::everyAliasMapsToItsField()
{
    for (const QString &source : VendorProfile::sourceNames()) {
        const VendorProfile vendor = profile(source);
        QCOMPARE(vendor.fields().size(), profile(QStringLiteral("generic")).fields().size());
        for (qsizetype i = 0; i < vendor.fields().size(); ++i) {
            const auto &[field, aliases] = vendor.fields().at(i);
            QCOMPARE(aliases.value(0), field);
            for (const QString &alias : aliases) {
                const auto map = vendor.mapHeader({alias, QStringLiteral("phone")});
                QVERIFY(map);
                QVERIFY2(map->columnField.at(0) == i, qPrintable(source + QLatin1Char(' ') + alias
                                                                 + QLatin1String(" -> ") + field));
            }
        }
    }
}

void TstVendorProfile::fixtureColumnsAllMapped_data()
{
    QTest::addColumn<QString>("source");
    QTest::newRow("leadsource") << QStringLiteral("leadsource");
    QTest::newRow("generic") << QStringLiteral("generic");
}

void TstVendorProfile::fixtureColumnsAllMapped()
{
    QFETCH(QString, source);

    auto reader = CsvReader::open(
        LeadDesk::Test::fixturePath(QStringLiteral("mortgage_lead_import_sample.csv")));
    QVERIFY(reader);
    const auto map = profile(source).mapHeader((*reader)->header());
    QVERIFY(map);
    QCOMPARE(map->columnField.size(), 21);
    for (qsizetype column = 0; column < map->columnField.size(); ++column)
        QVERIFY2(map->columnField.at(column) >= 0, qPrintable(map->header.at(column)));
    QVERIFY(map->hasEmailColumn);
    QVERIFY(map->hasPhoneColumn);
}

void TstVendorProfile::fixtureValuesLand_data()
{
    fixtureColumnsAllMapped_data();
}

void TstVendorProfile::fixtureValuesLand()
{
    QFETCH(QString, source);

    const VendorProfile vendor = profile(source);
    auto reader = CsvReader::open(
        LeadDesk::Test::fixturePath(QStringLiteral("mortgage_lead_import_sample.csv")));
    QVERIFY(reader);
    const auto map = vendor.mapHeader((*reader)->header());
    QVERIFY(map);

    QStringList record;
    QVERIFY((*reader)->next(&record).value_or(false));
    RawLead lead = vendor.toRawLead(*map, record);
    QCOMPARE(lead.channel, QStringLiteral("csv"));
    QCOMPARE(lead.firstName, QStringLiteral("Renee"));
    QCOMPARE(lead.lastName, QStringLiteral("Castillo"));
    QCOMPARE(lead.email, QStringLiteral("renee.c@example.com"));
    QCOMPARE(lead.phone, QStringLiteral("6145550177"));
    QCOMPARE(lead.altPhone, QString());
    QCOMPARE(lead.street, QStringLiteral("88 Birchwood Ln"));
    QCOMPARE(lead.city, QStringLiteral("Columbus"));
    QCOMPARE(lead.state, QStringLiteral("OH"));
    QCOMPARE(lead.postalCode, QStringLiteral("43214"));
    QCOMPARE(lead.details, (Details{
                               {"loan_purpose", "refinance & home equity"},
                               {"credit_rating", "Good"},
                               {"property_type", "Single"},
                               {"property_use", "primary"},
                               {"property_value", "410000"},
                               {"mortgage_balance", "240000"},
                               {"cash_out", "25000"},
                               {"desired_loan_amount", "265000"},
                               {"veteran_military", "no"},
                           }));

    QVERIFY((*reader)->next(&record).value_or(false));
    lead = vendor.toRawLead(*map, record);
    QCOMPARE(lead.firstName, QStringLiteral("Jordan"));
    QCOMPARE(lead.city, QStringLiteral("Dublin"));
    QCOMPARE(lead.postalCode, QStringLiteral("43017"));
    QCOMPARE(lead.details, (Details{
                               {"loan_purpose", "purchase"},
                               {"credit_rating", "Excellent"},
                               {"property_type", "Condo"},
                               {"property_use", "primary"},
                               {"desired_loan_amount", "270750"},
                               {"found_home", "yes"},
                               {"new_home_value", "285000"},
                               {"down_payment_percent", "5"},
                               {"veteran_military", "no"},
                           }));
    QCOMPARE((*reader)->next(&record).value_or(true), false);
}

void TstVendorProfile::vendorNames_data()
{
    QTest::addColumn<QString>("header");
    QTest::addColumn<QString>("field");

    const auto row = [](const char *header, const char *field) {
        QTest::newRow(header) << QString::fromLatin1(header) << QString::fromLatin1(field);
    };
    // FreeRateUpdate names beyond the sample's columns, deprecated aliases included.
    row("RequestId", "external_id");
    row("rid", "external_id");
    row("UniversalLeadid", "universal_lead_id");
    row("TCPA", "tcpa_certificate");
    row("campaign_id", "campaign_id");
    row("Price", "lead_price");
    row("ltv", "ltv");
    row("CashOutReason", "cash_out_reason");
    row("CurrentFHALoan", "current_fha_loan");
    row("CurrentVALoan", "current_va_loan");
    row("HomeEquity", "home_equity");
    row("FIrstTimeBuyer", "first_time_buyer");
    row("DaysFromBuying", "timeline");
    row("DesiredRateType", "loan_type");
    row("leads_property_value", "property_value");
    row("Desired_Loan_Amount", "desired_loan_amount");
    row("Street_Address", "street");
    row("PurchaseAgreement", "");
    // LeadsQuotingFast bulk CSV.
    row("Lead ID", "external_id");
    row("Timestamp", "created_at");
    row("Vertical", "vertical");
    row("Buy Price", "lead_price");
    row("Sell Price", "");
    row("Vendor", "source_label");
    row("Vendor Campaign", "campaign_name");
    row("LeadiD Code", "universal_lead_id");
    row("Trusted Form Cert URL", "tcpa_certificate");
    row("First Name", "first_name");
    row("Last Name", "last_name");
    row("Phone", "phone");
    row("Address", "street");
    row("City", "city");
    row("State", "state");
    row("ZIP Code", "postal_code");
    row("IP Address", "ip_address");
    row("User Agent", "user_agent");
    row("Landing Page URL", "landing_page_url");
    // LendingTree and other post specs.
    row("emailAddress", "email");
    row("primaryPhone", "phone");
    row("selfCreditRating", "credit_rating");
    row("creditScoreRange", "credit_rating");
    row("loanAmount", "desired_loan_amount");
    row("cashOutAmount", "cash_out");
    row("dateOfBirth", "date_of_birth");
    row("totalAnnualIncome", "annual_income");
    row("PropertyCounty", "county");
}

void TstVendorProfile::vendorNames()
{
    QFETCH(QString, header);
    QFETCH(QString, field);

    QCOMPARE(mappedField(profile(QStringLiteral("leadsource")), header), field);
    QCOMPARE(mappedField(profile(QStringLiteral("generic")), header), field);
}

void TstVendorProfile::spellingVariants_data()
{
    QTest::addColumn<QString>("header");
    QTest::addColumn<QString>("field");

    QTest::newRow("spaced lower") << QStringLiteral("first name") << QStringLiteral("first_name");
    QTest::newRow("upper snake") << QStringLiteral("FIRST_NAME") << QStringLiteral("first_name");
    QTest::newRow("kebab") << QStringLiteral("First-Name") << QStringLiteral("first_name");
    QTest::newRow("camel") << QStringLiteral("firstName") << QStringLiteral("first_name");
    QTest::newRow("dotted") << QStringLiteral("first.name") << QStringLiteral("first_name");
    QTest::newRow("padded") << QStringLiteral("  First  Name ") << QStringLiteral("first_name");
    QTest::newRow("BOM") << QStringLiteral("\uFEFFFirstName") << QStringLiteral("first_name");
    QTest::newRow("zip upper") << QStringLiteral("ZIP") << QStringLiteral("postal_code");
    QTest::newRow("postal code") << QStringLiteral("Postal Code") << QStringLiteral("postal_code");
    QTest::newRow("utm") << QStringLiteral("UTM Source") << QStringLiteral("utm_source");
    QTest::newRow("e-mail") << QStringLiteral("E-Mail") << QStringLiteral("email");
    QTest::newRow("e-mail address") << QStringLiteral("E-mail Address") << QStringLiteral("email");
    QTest::newRow("unknown") << QStringLiteral("Favourite Colour") << QString();
}

void TstVendorProfile::spellingVariants()
{
    QFETCH(QString, header);
    QFETCH(QString, field);

    for (const QString &source : VendorProfile::sourceNames())
        QCOMPARE(mappedField(profile(source), header), field);
}

void TstVendorProfile::bureauNames_data()
{
    QTest::addColumn<QString>("header");
    QTest::addColumn<QString>("field");

    const auto row = [](const char *header, const char *field) {
        QTest::newRow(header) << QString::fromLatin1(header) << QString::fromLatin1(field);
    };
    row("CONSUMER_FIRST_NAME", "first_name");
    row("FIRST_NM", "first_name");
    row("LAST_NM", "last_name");
    row("ADDR_LINE_1", "street");
    row("CITY_NM", "city");
    row("STATE_CD", "state");
    row("ZIP5", "postal_code");
    row("PHONE_NUMBER", "phone");
    row("PHONE1", "phone");
    row("FICO_SCORE", "credit_score");
    row("VANTAGE_SCORE", "credit_score");
    row("RISK_SCORE", "credit_score");
    row("TRIGGER_DATE", "trigger_date");
    row("INQUIRY_DT", "inquiry_date");
    row("MTG_BAL", "mortgage_balance");
    row("RECORD_ID", "external_id");
    row("TRIGGER_ID", "external_id");
}

void TstVendorProfile::bureauNames()
{
    QFETCH(QString, header);
    QFETCH(QString, field);

    QCOMPARE(mappedField(profile(QStringLiteral("experian")), header), field);
    QCOMPARE(mappedField(profile(QStringLiteral("transunion")), header), field);
    QCOMPARE(mappedField(profile(QStringLiteral("generic")), header), field);
}

void TstVendorProfile::wrongFile_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QStringList>("header");
    QTest::addColumn<QString>("message");

    const QStringList noContact{"Name", "Address", "City", "Loan Amount"};
    QTest::newRow("experian") << QStringLiteral("experian") << noContact
                              << QStringLiteral("this file has no e-mail or phone column; is it "
                                                "an Experian trigger file?");
    QTest::newRow("transunion") << QStringLiteral("transunion") << noContact
                                << QStringLiteral("this file has no e-mail or phone column; is it "
                                                  "a TransUnion trigger file?");
    QTest::newRow("leadsource") << QStringLiteral("leadsource") << noContact
                                << QStringLiteral("this file has no e-mail or phone column; is it "
                                                  "a lead-vendor file?");
    QTest::newRow("generic") << QStringLiteral("generic")
                             << QStringList{"SKU", "Description", "Qty", "Unit Price"}
                             << QStringLiteral("this file has no e-mail or phone column; is it "
                                               "a lead file?");
    QTest::newRow("alternate phone is enough")
        << QStringLiteral("generic") << QStringList{"Name", "HomePhone"} << QString();
    QTest::newRow("e-mail is enough")
        << QStringLiteral("experian") << QStringList{"Name", "EMAIL_ADDR"} << QString();
}

void TstVendorProfile::wrongFile()
{
    QFETCH(QString, source);
    QFETCH(QStringList, header);
    QFETCH(QString, message);

    const auto map = profile(source).mapHeader(header);
    QCOMPARE(map.has_value(), message.isEmpty());
    if (!map)
        QCOMPARE(map.error().message, message);
}

void TstVendorProfile::duplicateColumns()
{
    const VendorProfile vendor = profile(QStringLiteral("generic"));
    const QStringList header{"Email", "email", "E-mail", "Phone", "Notes", "Notes", ""};
    const auto map = vendor.mapHeader(header);
    QVERIFY(map);
    QCOMPARE(vendor.fields().at(map->columnField.at(0)).first, QStringLiteral("email"));
    QCOMPARE(map->columnField.at(1), -1);
    QCOMPARE(map->columnField.at(2), -1);
    QCOMPARE(vendor.fields().at(map->columnField.at(3)).first, QStringLiteral("phone"));
    QCOMPARE(vendor.fields().at(map->columnField.at(4)).first, QStringLiteral("message"));
    QCOMPARE(map->columnField.at(5), -1);

    const RawLead lead
        = vendor.toRawLead(*map, {"a@example.com", "b@example.com", "c@example.com", "6145550177",
                                  "first note", "second note", "nameless"});
    QCOMPARE(lead.email, QStringLiteral("a@example.com"));
    QCOMPARE(lead.message, QStringLiteral("first note"));
    // A later duplicate keeps its header text, unless that text is a canonical name whose value
    // it would shadow, or repeats an earlier key: then it is keyed by position.
    QCOMPARE(lead.details, (Details{{"column_2", "b@example.com"},
                                    {"E-mail", "c@example.com"},
                                    {"Notes", "second note"},
                                    {"column_7", "nameless"}}));
}

void TstVendorProfile::shortAndLongRecords()
{
    const VendorProfile vendor = profile(QStringLiteral("leadsource"));
    const auto map = vendor.mapHeader({"Email", "CellPhone", "CreditRating", "Comments"});
    QVERIFY(map);

    RawLead lead = vendor.toRawLead(*map, {"a@example.com"});
    QCOMPARE(lead.email, QStringLiteral("a@example.com"));
    QCOMPARE(lead.phone, QString());
    QCOMPARE(lead.message, QString());
    QVERIFY(lead.details.isEmpty());

    lead = vendor.toRawLead(*map, {"a@example.com", "614", "Good", "hi", "extra", "", "  ", "x"});
    QCOMPARE(lead.phone, QStringLiteral("614"));
    QCOMPARE(lead.message, QStringLiteral("hi"));
    QCOMPARE(lead.details,
             (Details{{"credit_rating", "Good"}, {"column_5", "extra"}, {"column_8", "x"}}));

    lead = vendor.toRawLead(*map, {});
    QCOMPARE(lead.channel, QStringLiteral("csv"));
    QVERIFY(lead.email.isEmpty());
}

void TstVendorProfile::unmappedColumnsKept()
{
    const VendorProfile vendor = profile(QStringLiteral("leadsource"));
    const auto map = vendor.mapHeader(
        {"Email", "DesiredRateType", "Buyer", " Sell Price ", "PurchaseAgreement", "CreditRating"});
    QVERIFY(map);
    const RawLead lead
        = vendor.toRawLead(*map, {"a@example.com", "30-Yr Fixed", "", "12.50", "yes", "   "});
    QCOMPARE(lead.details, (Details{{"loan_type", "30-Yr Fixed"},
                                    {"Sell Price", "12.50"},
                                    {"PurchaseAgreement", "yes"}}));
}

void TstVendorProfile::injectionStringsVerbatim()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("injection.csv"));
    const QStringList values{"=HYPERLINK(\"http://x.example\",\"click\")", "+1 614 555 0177",
                             "-2+3", "@SUM(A1:A2)", "'; DROP TABLE leads; --"};
    {
        auto writer = CsvWriter::create(path);
        QVERIFY(writer);
        QVERIFY((*writer)->write({"FirstName", "Phone", "Budget", "Notes", "Favourite"}));
        QVERIFY((*writer)->write(values));
        QVERIFY((*writer)->commit());
    }
    auto reader = CsvReader::open(path);
    QVERIFY(reader);
    const VendorProfile vendor = profile(QStringLiteral("generic"));
    const auto map = vendor.mapHeader((*reader)->header());
    QVERIFY(map);
    QStringList record;
    QVERIFY((*reader)->next(&record).value_or(false));
    const RawLead lead = vendor.toRawLead(*map, record);
    QCOMPARE(lead.firstName, values.at(0));
    QCOMPARE(lead.phone, values.at(1));
    QCOMPARE(lead.budgetRange, values.at(2));
    QCOMPARE(lead.message, values.at(3));
    QCOMPARE(lead.details, (Details{{"Favourite", values.at(4)}}));
}

void TstVendorProfile::detailTypes_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<VendorProfile::DetailType>("type");

    using Type = VendorProfile::DetailType;
    QTest::newRow("credit_score") << QStringLiteral("credit_score") << Type::CreditScore;
    QTest::newRow("credit_rating") << QStringLiteral("credit_rating") << Type::Text;
    QTest::newRow("loan_purpose") << QStringLiteral("loan_purpose") << Type::Text;
    QTest::newRow("property_value") << QStringLiteral("property_value") << Type::Money;
    QTest::newRow("down_payment") << QStringLiteral("down_payment") << Type::Money;
    QTest::newRow("lead_price") << QStringLiteral("lead_price") << Type::Money;
    QTest::newRow("found_home") << QStringLiteral("found_home") << Type::Boolean;
    QTest::newRow("foreclosure") << QStringLiteral("foreclosure") << Type::Boolean;
    QTest::newRow("down_payment_percent")
        << QStringLiteral("down_payment_percent") << Type::Percent;
    QTest::newRow("ltv") << QStringLiteral("ltv") << Type::Percent;
    QTest::newRow("date_of_birth") << QStringLiteral("date_of_birth") << Type::Date;
    QTest::newRow("trigger_date") << QStringLiteral("trigger_date") << Type::Date;
    QTest::newRow("county") << QStringLiteral("county") << Type::Text;
    QTest::newRow("tcpa_certificate") << QStringLiteral("tcpa_certificate") << Type::Text;
    QTest::newRow("lead member") << QStringLiteral("email") << Type::Text;
    QTest::newRow("raw header") << QStringLiteral("Sell Price") << Type::Text;
}

void TstVendorProfile::detailTypes()
{
    QFETCH(QString, key);
    QFETCH(VendorProfile::DetailType, type);

    QCOMPARE(VendorProfile::detailType(key), type);
    QCOMPARE(VendorProfile::isLeadMember(key), key == QLatin1String("email"));
}

void TstVendorProfile::aliasReference()
{
    const QString reference = VendorProfile::aliasReference();
    const auto section = [&reference](const QString &source) {
        const qsizetype start = reference.indexOf(QStringLiteral("### ") + source + u'\n');
        const qsizetype end = reference.indexOf(QStringLiteral("### "), start + 4);
        return reference.mid(start, end < 0 ? -1 : end - start);
    };
    for (const QString &source : VendorProfile::sourceNames()) {
        const QString text = section(source);
        QVERIFY2(text.contains(QStringLiteral("| `first_name` | lead field | `first_name`, ")),
                 qPrintable(source));
        QVERIFY(text.contains(QStringLiteral("| `credit_score` | credit score | ")));
        QVERIFY(text.contains(QStringLiteral("| `found_home` | yes/no | ")));
        // One table row per canonical field.
        QCOMPARE(text.count(QStringLiteral("\n| `")), 68);
    }
    QVERIFY(section(QStringLiteral("leadsource")).contains(QStringLiteral("`DaysFromBuying`")));
    QVERIFY(!section(QStringLiteral("leadsource")).contains(QStringLiteral("`RISK_SCORE`")));
    QVERIFY(section(QStringLiteral("experian")).contains(QStringLiteral("`RISK_SCORE`")));
    QVERIFY(!section(QStringLiteral("experian")).contains(QStringLiteral("`DaysFromBuying`")));
    QVERIFY(section(QStringLiteral("generic")).contains(QStringLiteral("`RISK_SCORE`")));
    QVERIFY(section(QStringLiteral("generic")).contains(QStringLiteral("`DaysFromBuying`")));
}

QTEST_GUILESS_MAIN(TstVendorProfile)
#include "tst_vendorprofile.moc"
