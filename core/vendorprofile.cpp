#include "vendorprofile.h"

#include <QSet>

#include <algorithm>

namespace LeadDesk::Core {

namespace {

using Type = VendorProfile::DetailType;

struct Canonical
{
    const char *name;
    QString RawLead::*member; // nullptr: a detail of `type`
    Type type;
};

// Every canonical field, RawLead members first. The index into this table is the index into
// VendorProfile::fields() for every profile.
constexpr Canonical kCanonical[] = {
    {"first_name", &RawLead::firstName, Type::Text},
    {"last_name", &RawLead::lastName, Type::Text},
    {"full_name", &RawLead::fullName, Type::Text},
    {"email", &RawLead::email, Type::Text},
    {"phone", &RawLead::phone, Type::Text},
    {"alt_phone", &RawLead::altPhone, Type::Text},
    {"company", &RawLead::company, Type::Text},
    {"street", &RawLead::street, Type::Text},
    {"city", &RawLead::city, Type::Text},
    {"state", &RawLead::state, Type::Text},
    {"postal_code", &RawLead::postalCode, Type::Text},
    {"country", &RawLead::country, Type::Text},
    {"campaign_id", &RawLead::campaignId, Type::Text},
    {"campaign_name", &RawLead::campaignName, Type::Text},
    {"source_label", &RawLead::sourceLabel, Type::Text},
    {"medium", &RawLead::medium, Type::Text},
    {"utm_source", &RawLead::utmSource, Type::Text},
    {"utm_medium", &RawLead::utmMedium, Type::Text},
    {"utm_campaign", &RawLead::utmCampaign, Type::Text},
    {"utm_term", &RawLead::utmTerm, Type::Text},
    {"utm_content", &RawLead::utmContent, Type::Text},
    {"service_interest", &RawLead::serviceInterest, Type::Text},
    {"urgency", &RawLead::urgency, Type::Text},
    {"message", &RawLead::message, Type::Text},
    {"budget_range", &RawLead::budgetRange, Type::Text},
    {"timeline", &RawLead::timeline, Type::Text},
    {"visitor_id", &RawLead::visitorId, Type::Text},
    {"session_id", &RawLead::sessionId, Type::Text},
    {"ip_address", &RawLead::ipAddress, Type::Text},
    {"user_agent", &RawLead::userAgent, Type::Text},
    {"referrer_url", &RawLead::referrerUrl, Type::Text},
    {"landing_page_url", &RawLead::landingPageUrl, Type::Text},
    {"consent_given", &RawLead::consentGiven, Type::Text},
    {"created_at", &RawLead::createdAt, Type::Text},
    {"external_id", &RawLead::externalId, Type::Text},
    {"credit_score", nullptr, Type::CreditScore},
    {"credit_rating", nullptr, Type::Text},
    {"loan_purpose", nullptr, Type::Text},
    {"property_type", nullptr, Type::Text},
    {"property_use", nullptr, Type::Text},
    {"cash_out_reason", nullptr, Type::Text},
    {"loan_type", nullptr, Type::Text},
    {"vertical", nullptr, Type::Text},
    {"property_value", nullptr, Type::Money},
    {"mortgage_balance", nullptr, Type::Money},
    {"desired_loan_amount", nullptr, Type::Money},
    {"new_home_value", nullptr, Type::Money},
    {"annual_income", nullptr, Type::Money},
    {"cash_out", nullptr, Type::Money},
    {"purchase_price", nullptr, Type::Money},
    {"down_payment", nullptr, Type::Money},
    {"found_home", nullptr, Type::Boolean},
    {"veteran_military", nullptr, Type::Boolean},
    {"current_fha_loan", nullptr, Type::Boolean},
    {"current_va_loan", nullptr, Type::Boolean},
    {"first_time_buyer", nullptr, Type::Boolean},
    {"home_equity", nullptr, Type::Boolean},
    {"bankruptcy", nullptr, Type::Boolean},
    {"foreclosure", nullptr, Type::Boolean},
    {"down_payment_percent", nullptr, Type::Percent},
    {"ltv", nullptr, Type::Percent},
    {"date_of_birth", nullptr, Type::Date},
    {"trigger_date", nullptr, Type::Date},
    {"inquiry_date", nullptr, Type::Date},
    {"county", nullptr, Type::Text},
    {"lead_price", nullptr, Type::Money},
    {"tcpa_certificate", nullptr, Type::Text},
    {"universal_lead_id", nullptr, Type::Text},
};
constexpr int kCanonicalCount = int(std::size(kCanonical));

struct Aliases
{
    const char *field;
    const char *names; // '|'-separated
};

// Names any lead file may use.
constexpr Aliases kCommonAliases[] = {
    {"first_name", "First Name|fname|first|given_name|forename|contact_first_name"},
    {"last_name", "Last Name|lname|last|surname|family_name|contact_last_name"},
    {"full_name", "name|Full Name|contact_name|customer_name|client_name|lead_name"},
    {"email", "E-mail|Email Address|e-mail address|mail"},
    {"phone", "Phone|Phone Number|primary_phone|cell_phone|cell|mobile|mobile_phone|"
              "mobile_number|cell_number|telephone|tel|contact_phone|day_phone|daytime_phone"},
    {"alt_phone", "alternate_phone|alternative_phone|secondary_phone|home_phone|work_phone|"
                  "evening_phone|other_phone|landline"},
    {"company", "company_name|business|business_name|organization|organisation|employer"},
    {"street", "Address|street_address|address1|address_line_1|addr1|street1|street_line_1|"
               "mailing_address|property_address"},
    {"city", "town|city_name|mailing_city|property_city"},
    {"state", "province|region|state_code|state_province|st|mailing_state|property_state"},
    {"postal_code", "zip|ZIP Code|zipcode|postcode|post_code|postal|mailing_zip|property_zip"},
    {"country", "country_code|nation"},
    {"campaign_id", "campaign_code|campaign_ref"},
    {"campaign_name", "campaign"},
    {"source_label", "source|lead_source|vendor|vendor_name|publisher|provider|supplier|affiliate"},
    {"service_interest", "service|service_requested|product|interest|product_interest"},
    {"urgency", "priority"},
    {"message", "comments|comment|notes|note|question|questions|description|additional_info"},
    {"budget_range", "budget"},
    {"timeline", "timeframe|time_frame|purchase_timeline|purchase_timeframe|buying_timeframe"},
    {"visitor_id", "visitor"},
    {"session_id", "session"},
    {"ip_address", "IP Address|ip|ip_addr|client_ip|user_ip"},
    {"user_agent", "browser|ua"},
    {"referrer_url", "referrer|referer|referring_url|referral_url|http_referer"},
    {"landing_page_url", "landing_page|landing_url|page_url|url|form_url|source_url"},
    {"consent_given", "consent|opt_in|opted_in|tcpa_consent|tcpa_opt_in|marketing_consent|"
                      "tcpa_compliant|permission"},
    {"created_at", "Timestamp|date|created|created_date|date_created|creation_date|lead_date|"
                   "submitted_at|submission_date|submitted|date_submitted|received_at|datetime"},
    {"external_id", "id|Lead ID|lead_number|record_id|request_id|reference|reference_id|ref_id|"
                    "tracking_number|tracking_id"},
    {"credit_score", "fico|fico_score"},
    {"credit_rating", "credit|credit_profile|credit_range|credit_score_range|self_credit_rating|"
                      "estimated_credit"},
    {"loan_purpose", "purpose|loan_reason"},
    {"property_type", "home_type|dwelling_type|selected_property"},
    {"property_use", "occupancy|occupancy_type|property_usage"},
    {"loan_type", "loan_program|program|product_type|rate_type|mortgage_type"},
    {"vertical", "lead_vertical|lead_type"},
    {"property_value", "home_value|estimated_value|estimated_home_value|est_home_value|"
                       "est_property_value|house_value|value_of_home"},
    {"mortgage_balance", "loan_balance|current_balance|mortgage_bal|first_mortgage_balance|"
                         "existing_balance|remaining_balance|balance"},
    {"desired_loan_amount", "loan_amount|loan_amt|requested_loan_amount|loan_amount_requested|"
                            "amount_requested"},
    {"new_home_value", "new_home_price|target_home_value"},
    {"annual_income", "income|yearly_income|household_income|total_annual_income"},
    {"cash_out", "cash_out_amount|cash_out_requested"},
    {"purchase_price", "property_purchase_price|sale_price|sales_price|home_price"},
    {"down_payment", "down_payment_amount|down_amount"},
    {"found_home", "home_found|has_found_home|property_found"},
    {"veteran_military", "veteran|military|va_eligible|military_service|is_veteran"},
    {"current_fha_loan", "fha_loan|has_fha_loan"},
    {"current_va_loan", "va_loan|has_va_loan"},
    {"first_time_buyer", "first_time_home_buyer|first_time_homebuyer"},
    {"bankruptcy", "has_bankruptcy"},
    {"foreclosure", "has_foreclosure"},
    {"down_payment_percent", "down_payment_pct|down_pct|down_payment_percentage"},
    {"ltv", "loan_to_value|ltv_ratio"},
    {"date_of_birth", "dob|birth_date|birthday"},
    {"county", "county_name|property_county"},
    {"lead_price", "lead_cost|cpl"},
    {"tcpa_certificate", "trusted_form|trusted_form_cert|trusted_form_cert_url|trusted_form_url|"
                         "xxTrustedFormCertUrl|tcpa_cert"},
    {"universal_lead_id", "jornaya|jornaya_lead_id|jornaya_id|leadid_token|leadid_code"},
};

// Lead-vendor post and export names (channels.md §8.2): FreeRateUpdate (also the layout of the
// mortgage import sample), LeadsQuotingFast's bulk CSV, LendingTree, theloanpost and others.
// "TCPA" is FreeRateUpdate's TrustedForm certificate; LeadsQuotingFast's "TCPA" yes/no column
// then lands there too, as text.
constexpr Aliases kVendorAliases[] = {
    {"first_name", "FirstName"},
    {"last_name", "LastName"},
    {"email", "Email|emailAddress"},
    {"phone", "CellPhone|primaryPhone|ContactPhone"},
    {"alt_phone", "HomePhone"},
    {"street", "StreetAddress|ContactAddress|propAddr"},
    {"city", "PropertyCity|ContactCity"},
    {"state", "PropertyState|ContactState"},
    {"postal_code", "Zip|ContactZip|PropertyZip|zipCode"},
    {"campaign_name", "Vendor Campaign"},
    {"source_label", "Vendor"},
    {"timeline", "DaysFromBuying"},
    {"external_id", "RequestId|rid|leadExternalId|TrackingNumber"},
    {"credit_score", "assignedCredit|AssignedCreditValue"},
    {"credit_rating", "CreditRating|selfCreditRating|creditScoreRange"},
    {"loan_purpose", "LoanPurpose|LoanRequestType"},
    {"loan_type", "DesiredRateType|RateType1"},
    {"property_value", "PropertyValue|leads_property_value"},
    {"desired_loan_amount", "DesiredLoanAmount|loanAmount|loanAmtRequested"},
    {"cash_out", "CashOut|cashOutAmount"},
    {"annual_income", "totalAnnualIncome"},
    {"purchase_price", "PropertyPurchasePrice"},
    {"down_payment_percent", "EstimatedDownPayment"},
    {"first_time_buyer", "FIrstTimeBuyer"},
    {"county", "PropertyCounty"},
    {"lead_price", "Price|Buy Price|cost"},
    {"tcpa_certificate", "TCPA|Trusted Form Cert URL"},
    {"universal_lead_id", "UniversalLeadid|LeadiD Code"},
};

// Credit-bureau trigger files. No bureau publishes a layout (channels.md §8.1): these are the
// usual mainframe-extract spellings, assumptions to confirm against a real Experian or
// TransUnion file before relying on them.
constexpr Aliases kBureauAliases[] = {
    {"first_name", "CONSUMER_FIRST_NAME|FIRST_NM|FRST_NM|FNAME"},
    {"last_name", "CONSUMER_LAST_NAME|LAST_NM|LST_NM|LNAME"},
    {"full_name", "CONSUMER_NAME|CONSUMER_FULL_NAME"},
    {"street", "ADDR_LINE_1|ADDRESS1|ADDRESS_LINE1|STREET_ADDR|CONSUMER_ADDRESS"},
    {"city", "CITY_NM|CONSUMER_CITY"},
    {"state", "STATE_CD|ST_CD|STATE_ABBR|CONSUMER_STATE"},
    {"postal_code", "ZIP5|ZIP_CODE|ZIP_CD|POSTAL_CD|CONSUMER_ZIP"},
    {"phone", "PHONE_NUMBER|PHONE1|PHONE_NBR|PHONE_NUM|TELEPHONE_NUMBER|CONSUMER_PHONE"},
    {"alt_phone", "PHONE2|PHONE_NBR_2"},
    {"email", "EMAIL_ADDR|EMAIL_ADDRESS|CONSUMER_EMAIL"},
    {"external_id", "RECORD_ID|TRIGGER_ID|RECORD_NBR|RECORD_NUM"},
    {"credit_score", "FICO_SCORE|VANTAGE_SCORE|VANTAGESCORE|RISK_SCORE|CREDIT_SCORE|SCORE"},
    {"trigger_date", "TRIGGER_DATE|TRIGGER_DT|TRIG_DT"},
    {"inquiry_date", "INQUIRY_DATE|INQUIRY_DT|INQ_DT|INQ_DATE"},
    {"mortgage_balance", "MORTGAGE_BALANCE|MTG_BAL|MTG_BALANCE|FIRST_MTG_BAL"},
    {"date_of_birth", "DOB|BIRTH_DT|BIRTH_DATE"},
    {"county", "COUNTY_NM|COUNTY_NAME"},
};

enum AliasGroup : unsigned { Common = 1, Vendor = 2, Bureau = 4 };

struct Profile
{
    const char *name;
    unsigned groups;
    const char *wrongFileHint;
};

constexpr Profile kProfiles[] = {
    {"experian", Common | Bureau, "an Experian trigger file"},
    {"transunion", Common | Bureau, "a TransUnion trigger file"},
    {"leadsource", Common | Vendor, "a lead-vendor file"},
    // The fallback for an unknown layout: every name LeadDesk knows.
    {"generic", Common | Vendor | Bureau, "a lead file"},
};

// "First Name", "FIRST_NAME", "first-name", "FirstName" and "\uFEFFfirst.name" are one key.
QString normalizedKey(QStringView header)
{
    QString key;
    key.reserve(header.size());
    for (const QChar c : header) {
        if (c.isSpace() || c == u'_' || c == u'-' || c == u'.' || c == QChar(0xFEFF))
            continue;
        key.append(c.toCaseFolded());
    }
    return key;
}

const QStringList &canonicalNames()
{
    static const QStringList names = [] {
        QStringList list;
        for (const Canonical &field : kCanonical)
            list.append(QString::fromLatin1(field.name));
        return list;
    }();
    return names;
}

int canonicalIndex(QLatin1StringView name)
{
    for (int i = 0; i < kCanonicalCount; ++i) {
        if (name == QLatin1StringView(kCanonical[i].name))
            return i;
    }
    return -1;
}

bool isBlank(const QString &value)
{
    return std::all_of(value.cbegin(), value.cend(), [](QChar c) { return c.isSpace(); });
}

QString typeLabel(const Canonical &field)
{
    if (field.member)
        return QStringLiteral("lead field");
    switch (field.type) {
    case Type::Text:
        return QStringLiteral("text");
    case Type::Integer:
        return QStringLiteral("integer");
    case Type::Money:
        return QStringLiteral("money");
    case Type::Boolean:
        return QStringLiteral("yes/no");
    case Type::CreditScore:
        return QStringLiteral("credit score");
    case Type::Date:
        return QStringLiteral("date");
    case Type::Percent:
        return QStringLiteral("percent");
    }
    return {};
}

} // namespace

QStringList VendorProfile::sourceNames()
{
    QStringList names;
    for (const Profile &profile : kProfiles)
        names.append(QString::fromLatin1(profile.name));
    return names;
}

Result<VendorProfile> VendorProfile::forSource(const QString &name)
{
    const QString wanted = name.trimmed().toLower();
    const auto found
        = std::find_if(std::begin(kProfiles), std::end(kProfiles),
                       [&](const Profile &p) { return wanted == QLatin1StringView(p.name); });
    if (found == std::end(kProfiles))
        return fail(QStringLiteral("unknown lead source \"%1\"; expected one of %2")
                        .arg(name, sourceNames().join(QStringLiteral(", "))));

    VendorProfile profile;
    profile.m_name = QString::fromLatin1(found->name);
    profile.m_wrongFileHint = QString::fromLatin1(found->wrongFileHint);
    const auto add = [&profile](int field, const QString &alias) {
        const QString key = normalizedKey(alias);
        if (const auto known = profile.m_lookup.constFind(key); known != profile.m_lookup.cend()) {
            // A spelling variant is listed once; one name for two fields is a table mistake.
            Q_ASSERT_X(*known == field, "VendorProfile", qPrintable(alias));
            return;
        }
        profile.m_lookup.insert(key, field);
        profile.m_fields[field].second.append(alias);
    };
    for (int i = 0; i < kCanonicalCount; ++i) {
        profile.m_fields.append({canonicalNames().at(i), {}});
        add(i, canonicalNames().at(i));
    }
    const auto addGroup = [&add](const auto &table) {
        for (const Aliases &aliases : table) {
            const int field = canonicalIndex(QLatin1StringView(aliases.field));
            Q_ASSERT_X(field >= 0, "VendorProfile", aliases.field);
            const QStringList names = QString::fromLatin1(aliases.names).split(u'|');
            for (const QString &alias : names)
                add(field, alias);
        }
    };
    if (found->groups & Common)
        addGroup(kCommonAliases);
    if (found->groups & Vendor)
        addGroup(kVendorAliases);
    if (found->groups & Bureau)
        addGroup(kBureauAliases);
    return profile;
}

Result<VendorProfile::ColumnMap> VendorProfile::mapHeader(const QStringList &header) const
{
    ColumnMap map;
    map.header = header;
    map.columnField.fill(-1, header.size());
    map.detailKeys.resize(header.size());
    QList<bool> taken(m_fields.size(), false);
    QSet<QString> keys;
    for (qsizetype column = 0; column < header.size(); ++column) {
        const int field = m_lookup.value(normalizedKey(header.at(column)), -1);
        if (field >= 0 && !taken.at(field)) {
            taken[field] = true;
            map.columnField[column] = field;
            const QLatin1StringView name(kCanonical[field].name);
            map.hasEmailColumn = map.hasEmailColumn || name == QLatin1StringView("email");
            map.hasPhoneColumn = map.hasPhoneColumn || name == QLatin1StringView("phone")
                                 || name == QLatin1StringView("alt_phone");
            continue;
        }
        // An unmapped or duplicate column keeps its header text as key, unless that text is empty,
        // repeats an earlier key or is a canonical name, whose value it would shadow.
        QString key = header.at(column).trimmed();
        if (key.isEmpty() || keys.contains(key) || canonicalNames().contains(key))
            key = QStringLiteral("column_%1").arg(column + 1);
        keys.insert(key);
        map.detailKeys[column] = key;
    }
    if (!map.hasEmailColumn && !map.hasPhoneColumn)
        return fail(QStringLiteral("this file has no e-mail or phone column; is it %1?")
                        .arg(m_wrongFileHint));
    return map;
}

RawLead VendorProfile::toRawLead(const ColumnMap &map, const QStringList &record) const
{
    RawLead lead;
    lead.channel = QStringLiteral("csv");
    for (qsizetype column = 0; column < record.size(); ++column) {
        const QString &value = record.at(column);
        const int field = column < map.columnField.size() ? map.columnField.at(column) : -1;
        if (field >= 0 && field < kCanonicalCount) {
            const Canonical &canonical = kCanonical[field];
            if (canonical.member)
                lead.*(canonical.member) = value;
            else if (!isBlank(value))
                lead.details.append({canonicalNames().at(field), value});
            continue;
        }
        if (isBlank(value))
            continue;
        QString key;
        if (column < map.detailKeys.size())
            key = map.detailKeys.at(column);
        else if (column < map.header.size())
            key = map.header.at(column).trimmed();
        if (key.isEmpty())
            key = QStringLiteral("column_%1").arg(column + 1);
        lead.details.append({key, value});
    }
    return lead;
}

VendorProfile::DetailType VendorProfile::detailType(const QString &key)
{
    const qsizetype index = canonicalNames().indexOf(key);
    return index >= 0 ? kCanonical[index].type : DetailType::Text;
}

bool VendorProfile::isLeadMember(const QString &key)
{
    const qsizetype index = canonicalNames().indexOf(key);
    return index >= 0 && kCanonical[index].member != nullptr;
}

QString VendorProfile::aliasReference()
{
    QString out;
    for (const QString &source : sourceNames()) {
        const VendorProfile profile = *forSource(source);
        out += QStringLiteral("### %1\n\n| Field | Kind | Accepted headers |\n|---|---|---|\n")
                   .arg(source);
        for (qsizetype i = 0; i < profile.fields().size(); ++i) {
            const auto &[field, aliases] = profile.fields().at(i);
            QStringList quoted;
            for (const QString &alias : aliases)
                quoted.append(QString(QLatin1Char('`') + alias + QLatin1Char('`')));
            out += QStringLiteral("| `%1` | %2 | %3 |\n")
                       .arg(field, typeLabel(kCanonical[i]), quoted.join(QStringLiteral(", ")));
        }
        out += QLatin1Char('\n');
    }
    return out;
}

} // namespace LeadDesk::Core
