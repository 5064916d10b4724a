#include "demodatagenerator.h"

#include "accountservice.h"
#include "ids.h"

#include <QDate>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTimeZone>

#include <sqlite3.h>

#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace LeadDesk::Core {

namespace {

// The generator writes through the raw sqlite3 handle with reused statements and plain UTF-8
// buffers: a million leads with five million messages leave no room for a QString or a QVariant
// per value. Everything random comes from one std::mt19937_64 and hand-written samplers (the
// std distributions differ between standard libraries), so a seed and a "now" give the same
// bytes everywhere.

using Strings = std::vector<std::string>;

constexpr qint64 kSecondMs = 1000;
constexpr qint64 kMinuteMs = 60 * kSecondMs;
constexpr qint64 kHourMs = 60 * kMinuteMs;
constexpr qint64 kDayMs = 24 * kHourMs;
constexpr int kHistoryDays = 180;
constexpr qint64 kLeadsPerTransaction = 20'000;
constexpr qint64 kMaxProgressStep = 10'000; // a small data set still reports about 100 steps
constexpr int kRecentContacts = 4096;
// Share of leads from a person already seen on another channel: with most of them returning
// once, 10-15 % of contacts end up with leads on two or more channels.
constexpr double kReturningShare = 0.12;

enum Channel : int {
    WhatsApp,
    Messenger,
    LeadAds,
    Thumbtack,
    Sms,
    WebForm,
    Chatbot,
    Csv,
    kChannels
};
constexpr std::array<const char *, kChannels> kChannelNames
    = {"whatsapp", "messenger", "leadads", "thumbtack", "sms", "webform", "chatbot", "csv"};
constexpr std::array<const char *, kChannels> kSourceNames
    = {"WhatsApp Business", "Facebook Page", "Facebook Lead Ads", "Thumbtack",
       "Twilio SMS",        "Website forms", "Website chatbot",   "Vendor files"};
constexpr std::array<double, kChannels> kChannelWeights = {12, 10, 14, 12, 10, 25, 8, 9};

bool needsPhone(int channel)
{
    return channel == WhatsApp || channel == Sms || channel == Thumbtack;
}
bool needsEmail(int channel)
{
    return channel == WebForm || channel == LeadAds || channel == Chatbot || channel == Csv;
}
bool hasReadReceipts(int channel)
{
    return channel == WhatsApp || channel == Messenger || channel == Thumbtack;
}
// Form and vendor leads arrive without a message: the business writes first.
bool startsWithInbound(int channel)
{
    return channel != LeadAds && channel != Csv;
}

enum Status : int { New, Contacted, Qualified, Proposal, ClosedWon, ClosedLost };
constexpr std::array<const char *, 6> kStatusNames
    = {"new", "contacted", "qualified", "proposal", "closed_won", "closed_lost"};

struct DemoAccount
{
    const char *username;
    const char *password;
    Role role;
    const char *roleName;
    const char *displayName;
    const char *email;
    double share; // of the assigned leads
};
constexpr std::array<DemoAccount, 3> kAccounts = {{
    {"owner", "Harbor-Lights-42", Role::Owner, "owner", "Morgan Reyes",
     "morgan.reyes@demo-business.example", 0.15},
    {"alex", "Maple-Ridge-57", Role::Rep, "rep", "Alex Kim", "alex.kim@demo-business.example",
     0.45},
    {"sam", "Copper-Kettle-63", Role::Rep, "rep", "Sam Okafor", "sam.okafor@demo-business.example",
     0.40},
}};

class Rng
{
public:
    explicit Rng(quint64 seed)
        : m_engine(seed)
    {}
    quint64 next() { return m_engine(); }
    double uniform() { return double(next() >> 11) * 0x1.0p-53; }
    // Inclusive on both ends.
    qint64 between(qint64 low, qint64 high)
    {
        return low + qint64(next() % quint64(high - low + 1));
    }
    bool chance(double p) { return uniform() < p; }
    size_t index(size_t size) { return size_t(next() % size); }
    const std::string &pick(const Strings &values) { return values[index(values.size())]; }
    template<size_t N>
    size_t weighted(const std::array<double, N> &weights)
    {
        double total = 0;
        for (double w : weights)
            total += w;
        double x = uniform() * total;
        for (size_t i = 0; i < N; ++i) {
            if ((x -= weights[i]) < 0)
                return i;
        }
        return N - 1;
    }
    int poisson(double mean)
    {
        if (mean <= 0)
            return 0;
        if (mean > 30) // normal approximation; never used with the default options
            return std::max(
                0, int(mean
                       + std::sqrt(mean) * (uniform() + uniform() + uniform() + uniform() - 2.0)
                             * 1.7320508
                       + 0.5));
        const double limit = std::exp(-mean);
        double p = uniform();
        int k = 0;
        while (p > limit) {
            p *= uniform();
            ++k;
        }
        return k;
    }

private:
    std::mt19937_64 m_engine;
};

__extension__ typedef unsigned __int128 Wide;

// A bijection of [0, modulus) for modulus = 10^k: unique, random-looking external ids from a
// serial number, with no set of used ids to keep.
quint64 scramble(quint64 serial, quint64 modulus, quint64 multiplier, quint64 offset)
{
    return quint64((Wide(serial) * (multiplier % modulus) + offset) % modulus);
}

// Ids::uuidV7(ms, random), byte for byte, written into a buffer instead of a QString.
void formatUuid(std::string &out, qint64 unixMs, quint64 random)
{
    std::array<quint8, 16> bytes{};
    for (int i = 0; i < 6; ++i)
        bytes[i] = quint8((quint64(unixMs) >> (40 - 8 * i)) & 0xFF);
    bytes[6] = quint8(0x70 | ((random >> 60) & 0x0F));
    bytes[7] = quint8((random >> 52) & 0xFF);
    for (int i = 8; i < 16; ++i)
        bytes[i] = quint8((random >> (8 * (15 - i))) & 0xFF);
    bytes[8] = quint8(0x80 | (bytes[8] & 0x3F));
    static constexpr char kHex[] = "0123456789abcdef";
    out.resize(36);
    int o = 0;
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = kHex[bytes[i] >> 4];
        out[o++] = kHex[bytes[i] & 0x0F];
    }
}

void appendInt(std::string &out, qint64 value)
{
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void appendPadded(std::string &out, quint64 value, int width)
{
    char buffer[24];
    int n = 0;
    do {
        buffer[n++] = char('0' + value % 10);
        value /= 10;
    } while (value != 0 && n < 24);
    while (n < width && n < 24)
        buffer[n++] = '0';
    while (n > 0)
        out += buffer[--n];
}

// "$1,250" or, with cents, "$25.00".
void appendDollars(std::string &out, qint64 cents, bool withCents)
{
    out += '$';
    char digits[24];
    const auto end = std::to_chars(digits, digits + sizeof digits, cents / 100).ptr;
    const int length = int(end - digits);
    for (int i = 0; i < length; ++i) {
        if (i > 0 && (length - i) % 3 == 0)
            out += ',';
        out += digits[i];
    }
    if (withCents) {
        out += '.';
        appendPadded(out, quint64(cents % 100), 2);
    }
}

void appendJsonString(std::string &out, std::string_view text)
{
    out += '"';
    for (const char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"':
            out += "\\\"";
            break;
        case '\\':
            out += "\\\\";
            break;
        case '\n':
            out += "\\n";
            break;
        case '\r':
            out += "\\r";
            break;
        case '\t':
            out += "\\t";
            break;
        default:
            if (c < 0x20) {
                static constexpr char kHex[] = "0123456789abcdef";
                out += "\\u00";
                out += kHex[c >> 4];
                out += kHex[c & 0x0F];
            } else {
                out += ch;
            }
        }
    }
    out += '"';
}

// A flat JSON object written straight into a buffer.
class JsonObject
{
public:
    explicit JsonObject(std::string &out)
        : m_out(out)
    {
        m_out += '{';
    }
    JsonObject &key(std::string_view name)
    {
        if (!m_first)
            m_out += ',';
        m_first = false;
        appendJsonString(m_out, name);
        m_out += ':';
        return *this;
    }
    JsonObject &text(std::string_view name, std::string_view value)
    {
        key(name);
        appendJsonString(m_out, value);
        return *this;
    }
    JsonObject &number(std::string_view name, qint64 value)
    {
        key(name);
        appendInt(m_out, value);
        return *this;
    }
    JsonObject &boolean(std::string_view name, bool value)
    {
        key(name);
        m_out += value ? "true" : "false";
        return *this;
    }
    void close() { m_out += '}'; }

private:
    std::string &m_out;
    bool m_first = true;
};

struct Vars
{
    std::string_view first, last, service, city, state, rep, repUsername, business, day, time,
        price, category, campaign, question, description, businessType, staffSize;
};

// Fills the {name} fields of a template; unknown names stay as written.
void expand(std::string &out, std::string_view tpl, const Vars &v)
{
    out.clear();
    size_t i = 0;
    while (i < tpl.size()) {
        const size_t open = tpl.find('{', i);
        const size_t close = open == std::string_view::npos ? open : tpl.find('}', open);
        if (close == std::string_view::npos) {
            out.append(tpl.substr(i));
            break;
        }
        out.append(tpl.substr(i, open - i));
        const std::string_view name = tpl.substr(open + 1, close - open - 1);
        const std::string_view *value = nullptr;
        static constexpr std::array<std::pair<std::string_view, std::string_view Vars::*>, 17>
            kNames = {{{"first", &Vars::first},
                       {"last", &Vars::last},
                       {"service", &Vars::service},
                       {"city", &Vars::city},
                       {"state", &Vars::state},
                       {"rep", &Vars::rep},
                       {"rep_username", &Vars::repUsername},
                       {"business", &Vars::business},
                       {"day", &Vars::day},
                       {"time", &Vars::time},
                       {"price", &Vars::price},
                       {"category", &Vars::category},
                       {"campaign", &Vars::campaign},
                       {"question", &Vars::question},
                       {"description", &Vars::description},
                       {"business_type", &Vars::businessType},
                       {"staff_size", &Vars::staffSize}}};
        for (const auto &[key, member] : kNames) {
            if (key == name) {
                value = &(v.*member);
                break;
            }
        }
        if (value)
            out.append(*value);
        else
            out.append(tpl.substr(open, close - open + 1));
        i = close + 1;
    }
}

// ---- the content file ---------------------------------------------------------------------

struct City
{
    std::string city, state, zip, areaCode;
    int area = 0; // index into the area-code counters
};

struct BusinessType
{
    std::string key, label;
    qint64 valueMin = 10000, valueMax = 100000;
    Strings services, questions;
};

struct Question
{
    std::string question;
    Strings answers;
};

struct CampaignDef
{
    std::string externalId, name, description, type, status, utmCampaign, landingPage;
    int businessType = 0;
    qint64 budgetCents = 0, targetLeads = 0;
    double weight = 1;
    Strings terms;
};

struct ThumbtackCategory
{
    std::string name, categoryId;
    int businessType = 0;
    qint64 priceMin = 1500, priceMax = 3500;
    Strings titles, descriptions;
    std::vector<Question> questions;
};

struct LeadAdsForm
{
    std::string formId, adId;
    int campaign = 0;
    std::vector<Question> questions;
};

struct Templates
{
    Strings opening, inbound, firstOutbound, outbound;
};

struct Pools
{
    Strings firstNames, lastNames, firstEmail, lastEmail, emailDomains, companies, companyDomains,
        streets, userAgents, urgency, budgets, timelines, formSources, notes, emailSubjects,
        callOutcomes, lostReasons, days, times;
    std::vector<City> cities;
    int areaCodes = 0;
    std::vector<BusinessType> businessTypes;
    int mortgage = 0, itServices = 0;
    std::vector<CampaignDef> campaigns;
    std::string thumbtackBusinessId;
    std::vector<ThumbtackCategory> thumbtack;
    std::string pageId;
    std::vector<LeadAdsForm> leadAdsForms;
    Strings chatbotBusinessTypes, staffSizes, currentSolutions, painPoints, chatbotBudgets,
        decisionMakers;
    Strings vendors, loanPurposes, propertyTypes, propertyUses;
    std::array<Templates, kChannels> templates;
    Strings closingWon, closingLostIn, closingLostOut;
    std::string referrerGoogle, referrerFacebook, referrerNewsletter;
};

std::string utf8(const QJsonValue &value)
{
    return value.toString().toStdString();
}

Strings strings(const QJsonValue &value)
{
    Strings out;
    const QJsonArray array = value.toArray();
    out.reserve(size_t(array.size()));
    for (const QJsonValue &item : array)
        out.push_back(item.toString().toStdString());
    return out;
}

std::vector<Question> parseQuestions(const QJsonValue &value, const char *textKey,
                                     const char *answersKey)
{
    std::vector<Question> out;
    for (const QJsonValue &item : value.toArray()) {
        Question q{utf8(item[QLatin1String(textKey)]), strings(item[QLatin1String(answersKey)])};
        if (!q.question.empty() && !q.answers.empty())
            out.push_back(std::move(q));
    }
    return out;
}

// The ASCII letters and digits of a name, lower-cased: "José" -> "jose", "O'Neil" -> "oneil".
std::string emailPart(const std::string &name)
{
    const QString decomposed
        = QString::fromStdString(name).normalized(QString::NormalizationForm_D);
    std::string out;
    for (const QChar ch : decomposed) {
        const char16_t c = ch.unicode();
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out += char(c);
        else if (c >= 'A' && c <= 'Z')
            out += char(c - 'A' + 'a');
    }
    return out;
}

QString withDate(QString text, const QDate &today)
{
    return text.replace(QLatin1String("{year}"), QString::number(today.year()))
        .replace(QLatin1String("{quarter}"), QString::number((today.month() - 1) / 3 + 1))
        .replace(QLatin1String("{month}"),
                 QStringLiteral("%1").arg(today.month(), 2, 10, QLatin1Char('0')));
}

Result<Pools> loadPools(const QDate &today)
{
    QFile file(QStringLiteral(":/config/demo-names.json"));
    if (!file.open(QIODevice::ReadOnly))
        return fail(
            QStringLiteral("the demo content (demo-names.json) is missing from this build"));
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (!document.isObject())
        return fail(QStringLiteral("demo-names.json: %1").arg(parseError.errorString()));
    const QJsonObject root = document.object();
    Pools p;
    p.firstNames = strings(root[u"first_names"]);
    p.lastNames = strings(root[u"last_names"]);
    for (const auto &name : p.firstNames)
        p.firstEmail.push_back(emailPart(name));
    for (const auto &name : p.lastNames)
        p.lastEmail.push_back(emailPart(name));
    p.emailDomains = strings(root[u"email_domains"]);
    p.companies = strings(root[u"companies"]);
    for (const auto &company : p.companies)
        p.companyDomains.push_back(emailPart(company) + ".com");
    p.streets = strings(root[u"streets"]);
    p.userAgents = strings(root[u"user_agents"]);
    p.urgency = strings(root[u"urgency"]);
    p.budgets = strings(root[u"budget_ranges"]);
    p.timelines = strings(root[u"timelines"]);
    p.formSources = strings(root[u"form_sources"]);
    p.notes = strings(root[u"notes"]);
    p.emailSubjects = strings(root[u"email_subjects"]);
    p.callOutcomes = strings(root[u"call_outcomes"]);
    p.lostReasons = strings(root[u"lost_reasons"]);
    p.days = strings(root[u"days"]);
    p.times = strings(root[u"times"]);

    std::vector<std::string> areas;
    for (const QJsonValue &item : root[u"cities"].toArray()) {
        City city{utf8(item[u"city"]), utf8(item[u"state"]), utf8(item[u"zip"]),
                  utf8(item[u"area_code"])};
        const auto known = std::find(areas.begin(), areas.end(), city.areaCode);
        city.area = int(known - areas.begin());
        if (known == areas.end())
            areas.push_back(city.areaCode);
        if (city.areaCode.size() == 3 && !city.city.empty())
            p.cities.push_back(std::move(city));
    }
    p.areaCodes = int(areas.size());

    for (const QJsonValue &item : root[u"business_types"].toArray()) {
        BusinessType type;
        type.key = utf8(item[u"key"]);
        type.label = utf8(item[u"label"]);
        const QJsonArray value = item[u"value_cents"].toArray();
        if (value.size() == 2) {
            type.valueMin = value.at(0).toInteger();
            type.valueMax = std::max(type.valueMin, value.at(1).toInteger());
        }
        type.services = strings(item[u"services"]);
        type.questions = strings(item[u"questions"]);
        if (type.services.empty() || type.questions.empty())
            continue;
        if (type.key == "mortgage")
            p.mortgage = int(p.businessTypes.size());
        if (type.key == "it_services")
            p.itServices = int(p.businessTypes.size());
        p.businessTypes.push_back(std::move(type));
    }
    const auto businessTypeIndex = [&p](const std::string &key) {
        for (size_t i = 0; i < p.businessTypes.size(); ++i) {
            if (p.businessTypes[i].key == key)
                return int(i);
        }
        return 0;
    };

    for (const QJsonValue &item : root[u"campaigns"].toArray()) {
        CampaignDef c;
        c.externalId = withDate(item[u"external_id"].toString(), today).toStdString();
        c.name = withDate(item[u"name"].toString(), today).toStdString();
        c.description = utf8(item[u"description"]);
        c.type = utf8(item[u"type"]);
        c.status = utf8(item[u"status"]);
        c.utmCampaign = withDate(item[u"utm_campaign"].toString(), today).toStdString();
        c.landingPage = utf8(item[u"landing_page_url"]);
        c.businessType = businessTypeIndex(utf8(item[u"business_type"]));
        c.budgetCents = item[u"budget_cents"].toInteger();
        c.targetLeads = item[u"target_leads"].toInteger();
        c.weight = double(std::max<qint64>(1, item[u"weight"].toInteger(1)));
        c.terms = strings(item[u"utm_terms"]);
        if (c.externalId.empty() || c.terms.empty())
            continue;
        p.campaigns.push_back(std::move(c));
    }

    const QJsonObject thumbtack = root[u"thumbtack"].toObject();
    p.thumbtackBusinessId = utf8(thumbtack[u"business_id"]);
    for (const QJsonValue &item : thumbtack[u"categories"].toArray()) {
        ThumbtackCategory c;
        c.name = utf8(item[u"name"]);
        c.categoryId = utf8(item[u"category_id"]);
        c.businessType = businessTypeIndex(utf8(item[u"business_type"]));
        const QJsonArray price = item[u"price_cents"].toArray();
        if (price.size() == 2) {
            c.priceMin = price.at(0).toInteger();
            c.priceMax = std::max(c.priceMin, price.at(1).toInteger());
        }
        c.titles = strings(item[u"titles"]);
        c.descriptions = strings(item[u"descriptions"]);
        c.questions = parseQuestions(item[u"questions"], "question", "answers");
        if (c.titles.empty() || c.descriptions.empty() || c.questions.empty())
            continue;
        p.thumbtack.push_back(std::move(c));
    }

    const QJsonObject leadAds = root[u"leadads"].toObject();
    p.pageId = utf8(leadAds[u"page_id"]);
    for (const QJsonValue &item : leadAds[u"forms"].toArray()) {
        LeadAdsForm form;
        form.formId = utf8(item[u"form_id"]);
        form.adId = utf8(item[u"ad_id"]);
        const std::string campaign = withDate(item[u"campaign"].toString(), today).toStdString();
        const auto found
            = std::find_if(p.campaigns.begin(), p.campaigns.end(),
                           [&](const CampaignDef &c) { return c.externalId == campaign; });
        if (found == p.campaigns.end())
            continue;
        form.campaign = int(found - p.campaigns.begin());
        form.questions = parseQuestions(item[u"questions"], "name", "values");
        p.leadAdsForms.push_back(std::move(form));
    }

    const QJsonObject chatbot = root[u"chatbot"].toObject();
    p.chatbotBusinessTypes = strings(chatbot[u"business_types"]);
    p.staffSizes = strings(chatbot[u"staff_sizes"]);
    p.currentSolutions = strings(chatbot[u"current_solutions"]);
    p.painPoints = strings(chatbot[u"pain_points"]);
    p.chatbotBudgets = strings(chatbot[u"budgets"]);
    p.decisionMakers = strings(chatbot[u"decision_makers"]);

    const QJsonObject mortgage = root[u"mortgage"].toObject();
    p.vendors = strings(mortgage[u"vendors"]);
    p.loanPurposes = strings(mortgage[u"loan_purposes"]);
    p.propertyTypes = strings(mortgage[u"property_types"]);
    p.propertyUses = strings(mortgage[u"property_uses"]);

    const QJsonObject messages = root[u"messages"].toObject();
    bool templatesComplete = true;
    for (int ch = 0; ch < kChannels; ++ch) {
        const QJsonObject t = messages[QLatin1String(kChannelNames[size_t(ch)])].toObject();
        Templates &templates = p.templates[size_t(ch)];
        templates.opening = strings(t[u"opening"]);
        templates.inbound = strings(t[u"inbound"]);
        templates.firstOutbound = strings(t[u"first_outbound"]);
        templates.outbound = strings(t[u"outbound"]);
        templatesComplete = templatesComplete && !templates.opening.empty()
                            && !templates.inbound.empty() && !templates.firstOutbound.empty()
                            && !templates.outbound.empty();
    }
    p.closingWon = strings(messages[u"closing_won"]);
    p.closingLostIn = strings(messages[u"closing_lost_in"]);
    p.closingLostOut = strings(messages[u"closing_lost_out"]);

    const QJsonObject referrers = root[u"referrers"].toObject();
    p.referrerGoogle = utf8(referrers[u"google"]);
    p.referrerFacebook = utf8(referrers[u"facebook"]);
    p.referrerNewsletter = withDate(referrers[u"newsletter"].toString(), today).toStdString();

    const std::initializer_list<std::pair<const char *, bool>> required = {
        {"first_names", !p.firstNames.empty()},
        {"last_names", !p.lastNames.empty()},
        {"email_domains", !p.emailDomains.empty()},
        {"companies", !p.companies.empty()},
        {"streets", !p.streets.empty()},
        {"cities", !p.cities.empty()},
        {"business_types", !p.businessTypes.empty()},
        {"campaigns", !p.campaigns.empty()},
        {"thumbtack.categories", !p.thumbtack.empty()},
        {"leadads.forms", !p.leadAdsForms.empty()},
        {"messages", templatesComplete && !p.closingWon.empty() && !p.closingLostIn.empty()
                         && !p.closingLostOut.empty()},
        {"chatbot", !p.chatbotBusinessTypes.empty() && !p.staffSizes.empty()
                        && !p.currentSolutions.empty() && !p.painPoints.empty()
                        && !p.chatbotBudgets.empty() && !p.decisionMakers.empty()},
        {"mortgage", !p.vendors.empty() && !p.loanPurposes.empty() && !p.propertyTypes.empty()
                         && !p.propertyUses.empty()},
        {"user_agents", !p.userAgents.empty()},
        {"urgency/budget_ranges/timelines/form_sources", !p.urgency.empty() && !p.budgets.empty()
                                                             && !p.timelines.empty()
                                                             && !p.formSources.empty()},
        {"notes/email_subjects/call_outcomes/lost_reasons/days/times",
         !p.notes.empty() && !p.emailSubjects.empty() && !p.callOutcomes.empty()
             && !p.lostReasons.empty() && !p.days.empty() && !p.times.empty()},
    };
    for (const auto &[name, ok] : required) {
        if (!ok)
            return fail(QStringLiteral("demo-names.json: '%1' is missing or empty")
                            .arg(QLatin1String(name)));
    }
    return p;
}

// ---- the store side -----------------------------------------------------------------------

class Statement
{
public:
    Statement() = default;
    ~Statement() { sqlite3_finalize(m_stmt); }
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Result<void> prepare(sqlite3 *db, const std::string &sql)
    {
        m_db = db;
        if (sqlite3_prepare_v3(db, sql.c_str(), int(sql.size()), SQLITE_PREPARE_PERSISTENT, &m_stmt,
                               nullptr)
            != SQLITE_OK) {
            return fail(QStringLiteral("demo data: cannot prepare a statement: %1")
                            .arg(QString::fromUtf8(sqlite3_errmsg(db))));
        }
        return {};
    }
    // Values are bound without a copy: they must stay unchanged until run().
    Statement &text(std::string_view value)
    {
        sqlite3_bind_text(m_stmt, m_next++, value.data(), int(value.size()), SQLITE_STATIC);
        return *this;
    }
    Statement &textOrNull(std::string_view value) { return value.empty() ? null() : text(value); }
    Statement &integer(qint64 value)
    {
        sqlite3_bind_int64(m_stmt, m_next++, value);
        return *this;
    }
    Statement &positiveOrNull(qint64 value) { return value > 0 ? integer(value) : null(); }
    Statement &null()
    {
        sqlite3_bind_null(m_stmt, m_next++);
        return *this;
    }
    Result<void> run()
    {
        m_next = 1;
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_DONE || rc == SQLITE_ROW) {
            sqlite3_reset(m_stmt);
            return {};
        }
        const QString why = QString::fromUtf8(sqlite3_errmsg(m_db));
        sqlite3_reset(m_stmt);
        return fail(QStringLiteral("demo data: %1").arg(why));
    }
    // For a query: the first row's first column as text, empty when there is no row.
    std::string firstText()
    {
        m_next = 1;
        std::string value;
        if (sqlite3_step(m_stmt) == SQLITE_ROW) {
            const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, 0));
            value = text ? text : "";
        }
        sqlite3_reset(m_stmt);
        return value;
    }

private:
    sqlite3 *m_db = nullptr;
    sqlite3_stmt *m_stmt = nullptr;
    int m_next = 1;
};

Result<void> execSql(sqlite3 *db, const char *sql)
{
    char *message = nullptr;
    if (sqlite3_exec(db, sql, nullptr, nullptr, &message) == SQLITE_OK)
        return {};
    const QString why = QString::fromUtf8(message ? message : sqlite3_errmsg(db));
    sqlite3_free(message);
    return fail(QStringLiteral("demo data: %1").arg(why));
}

qint64 pragmaValue(sqlite3 *db, const char *pragma)
{
    sqlite3_stmt *stmt = nullptr;
    qint64 value = 0;
    if (sqlite3_prepare_v2(db, pragma, -1, &stmt, nullptr) == SQLITE_OK
        && sqlite3_step(stmt) == SQLITE_ROW)
        value = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return value;
}

// Bulk-load settings for the duration of the generation, restored afterwards. Foreign keys are
// right by construction (the tests run PRAGMA foreign_key_check); a larger page cache keeps the
// name, e-mail and identity indexes, which grow in random order, in memory; and checkpoints run
// every ~100 MB of WAL rather than every 4 MB, so a page rewritten by consecutive batches is
// copied into the database once.
class BulkLoadSettings
{
public:
    BulkLoadSettings(sqlite3 *db, qint64 leads)
        : m_db(db)
        , m_foreignKeys(pragmaValue(db, "PRAGMA foreign_keys"))
        , m_cacheSize(pragmaValue(db, "PRAGMA cache_size"))
        , m_autoCheckpoint(pragmaValue(db, "PRAGMA wal_autocheckpoint"))
    {
        (void)execSql(m_db, "PRAGMA foreign_keys = OFF");
        if (leads > 50'000) {
            // About 1 KiB of cache per lead covers the randomly growing indexes; at most 1 GiB.
            const qint64 cacheKiB = std::min<qint64>(leads, 1 << 20);
            const std::string pragmas = "PRAGMA cache_size = -" + std::to_string(cacheKiB)
                                        + "; PRAGMA wal_autocheckpoint = 25000";
            (void)execSql(m_db, pragmas.c_str());
        }
    }
    ~BulkLoadSettings()
    {
        const std::string restore
            = "PRAGMA foreign_keys = " + std::to_string(m_foreignKeys)
              + "; PRAGMA cache_size = " + std::to_string(m_cacheSize)
              + "; PRAGMA wal_autocheckpoint = " + std::to_string(m_autoCheckpoint);
        (void)execSql(m_db, restore.c_str());
    }
    BulkLoadSettings(const BulkLoadSettings &) = delete;
    BulkLoadSettings &operator=(const BulkLoadSettings &) = delete;

private:
    sqlite3 *m_db;
    qint64 m_foreignKeys;
    qint64 m_cacheSize;
    qint64 m_autoCheckpoint;
};

// Open-addressing set of 64-bit hashes: which e-mail addresses are taken, at 8 bytes each.
class HashSet
{
public:
    explicit HashSet(qint64 expected)
        : m_slots(std::bit_ceil(quint64(std::max<qint64>(expected, 512)) * 2), 0)
        , m_mask(m_slots.size() - 1)
    {}
    // False when already present.
    bool insert(std::string_view text)
    {
        quint64 h = 1469598103934665603ULL;
        for (const char c : text)
            h = (h ^ quint8(c)) * 1099511628211ULL;
        h ^= h >> 29;
        h |= 1; // 0 marks an empty slot
        for (quint64 i = h & m_mask;; i = (i + 1) & m_mask) {
            if (m_slots[i] == h)
                return false;
            if (m_slots[i] == 0) {
                m_slots[i] = h;
                return true;
            }
        }
    }

private:
    std::vector<quint64> m_slots;
    quint64 m_mask;
};

struct Contact
{
    std::string id, email, phone, street, addressLine, waId, psid, thumbtackId;
    int first = 0, last = 0, city = 0, company = -1, businessType = 0;
    quint8 channels = 0;
    qint64 createdMs = 0;
};

struct Message
{
    qint64 at = 0;
    bool inbound = false;
    std::string id, body, externalId;
    const char *status = "received";
    const char *error = nullptr;
};

struct Activity
{
    qint64 at = 0;
    const char *type = "";
    std::string description, metadata;
    int performer = -1; // index into the users, -1 for the system
};

// The text columns of a lead, in INSERT order; empty binds as NULL except where NOT NULL.
enum LeadText : int {
    LId,
    LBusiness,
    LContact,
    LSource,
    LChannel,
    LExternal,
    LFirst,
    LLast,
    LEmail,
    LPhone,
    LCompany,
    LAddress,
    LState,
    LCampaign,
    LCampaignName,
    LSourceLabel,
    LMedium,
    LUtmSource,
    LUtmMedium,
    LUtmCampaign,
    LUtmTerm,
    LUtmContent,
    LService,
    LUrgency,
    LMessage,
    LBudget,
    LTimeline,
    LVisitor,
    LSession,
    LIp,
    LUserAgent,
    LReferrer,
    LLanding,
    LStatus,
    LAssignee,
    LWaitingOn,
    LDetails,
    kLeadTexts
};
constexpr std::array<const char *, kLeadTexts> kLeadTextColumns
    = {"id",           "business_id",      "contact_id",
       "source_id",    "channel",          "external_id",
       "first_name",   "last_name",        "email",
       "phone",        "company",          "address_line",
       "state",        "campaign_id",      "campaign_name",
       "source_label", "medium",           "utm_source",
       "utm_medium",   "utm_campaign",     "utm_term",
       "utm_content",  "service_interest", "urgency",
       "message",      "budget_range",     "timeline",
       "visitor_id",   "session_id",       "ip_address",
       "user_agent",   "referrer_url",     "landing_page_url",
       "status",       "assigned_to",      "waiting_on",
       "details"};
constexpr std::array<const char *, 10> kLeadIntColumns
    = {"consent_given",    "follow_up_at", "contacted_at", "first_response_at", "last_inbound_at",
       "last_outbound_at", "value_cents",  "created_at",   "updated_at",        "hlc"};

bool leadTextRequired(int column)
{
    return column == LId || column == LBusiness || column == LContact || column == LChannel
           || column == LFirst || column == LLast || column == LCampaignName || column == LStatus
           || column == LDetails;
}

struct DemoUser
{
    std::string id, username, firstName;
};

class Generator
{
public:
    Generator(sqlite3 *db, const Pools &pools, const DemoDataGenerator::Options &options,
              qint64 nowMs, const QString &businessId, const QString &businessName,
              const QTimeZone &zone, DemoDataGenerator::Stats &stats)
        : m_db(db)
        , m_pools(pools)
        , m_options(options)
        , m_now(nowMs)
        , m_business(businessId.toStdString())
        , m_businessName(businessName.toStdString())
        , m_zone(zone)
        , m_stats(stats)
        , m_rng(options.seed)
        , m_emails(options.leads)
        , m_areaCounters(size_t(pools.areaCodes), 0)
        , m_recent(kRecentContacts)
    {}

    void setUsers(std::array<DemoUser, 3> users) { m_users = std::move(users); }
    [[nodiscard]] const std::vector<std::string> &createdSources() const
    {
        return m_createdSources;
    }
    [[nodiscard]] const std::vector<std::string> &createdCampaigns() const
    {
        return m_createdCampaigns;
    }

    Result<void> run(const std::function<void(qint64, qint64)> &progress);

private:
    Result<void> prepareStatements();
    Result<void> insertSourcesAndCampaigns();
    void buildCalendar();
    void buildLeadTimes();
    qint64 offsetAt(qint64 ms) const;
    qint64 businessTime(qint64 ms);
    qint64 firstResponseDelay();
    qint64 businessReplyDelay();
    qint64 leadReplyDelay();

    void newId(std::string &out, qint64 ms) { formatUuid(out, ms, m_rng.next()); }
    qint64 hlc(qint64 ms) { return (ms << 16) | (m_hlcCounter++ & 0xFFFF); }

    int pickChannel() { return int(m_rng.weighted(kChannelWeights)); }
    bool pickOtherChannel(const Contact &contact, int *channel);
    Contact &newContact(int channel, qint64 createdMs);
    void makePhone(Contact &contact);
    void makeEmail(Contact &contact);
    Result<void> insertContact(const Contact &contact);
    Result<void> insertIdentity(const Contact &contact, const char *channel,
                                const std::string &externalId, qint64 ms);
    Result<void> generateLead(qint64 serial);
    void fillChannelFields(int channel, Contact &contact, qint64 serial, int *businessType);
    void simulateConversation(int channel, qint64 createdMs, bool neglected);
    Status pickStatus(qint64 createdMs);
    void writeBodies(int channel, Status status, const Vars &base);
    void writeDeliveryStatuses(int channel);
    void planActivities(Status status, int assignee, int campaign, const Contact &contact,
                        qint64 createdMs, qint64 estimateCents);
    qint64 advance(qint64 from);

    sqlite3 *m_db;
    const Pools &m_pools;
    DemoDataGenerator::Options m_options;
    qint64 m_now;
    std::string m_business;
    std::string m_businessName;
    QTimeZone m_zone;
    DemoDataGenerator::Stats &m_stats;
    Rng m_rng;

    std::array<DemoUser, 3> m_users;
    std::array<std::string, kChannels> m_sourceIds;
    std::vector<std::string> m_campaignIds;
    std::vector<std::string> m_createdSources;
    std::vector<std::string> m_createdCampaigns;

    std::array<qint64, kHistoryDays> m_dayStart{};
    std::array<qint64, kHistoryDays> m_dayOffset{};
    std::array<double, kHistoryDays> m_dayWeight{};
    std::vector<qint64> m_leadTimes;

    HashSet m_emails;
    std::vector<quint32> m_areaCounters;
    std::vector<Contact> m_recent; // ring of the newest contacts, the ones a person returns from
    int m_recentCount = 0;
    int m_recentNext = 0;
    qint64 m_contactSerial = 0;
    qint64 m_messageSerial = 0;
    qint64 m_hlcCounter = 0;

    Statement m_insertContact, m_insertIdentity, m_insertLead, m_insertConversation,
        m_insertMessage, m_insertActivity, m_insertSource, m_insertCampaign, m_findSource,
        m_findCampaign, m_setDemo;

    // Scratch rows, reused so their buffers keep their capacity.
    std::array<std::string, kLeadTexts> m_lead;
    std::vector<Message> m_messages;
    size_t m_messageCount = 0;
    std::vector<Activity> m_activities;
    size_t m_activityCount = 0;
    std::string m_conversationId, m_threadId, m_scratch, m_price, m_opening, m_description,
        m_vendorId;
    int m_campaign = -1;
    const ThumbtackCategory *m_category = nullptr;
    size_t m_staffSize = 0, m_chatbotBusinessType = 0;
};

Result<void> Generator::prepareStatements()
{
    std::string leadSql = "INSERT INTO leads (";
    std::string values;
    for (const char *column : kLeadTextColumns) {
        leadSql += column;
        leadSql += ", ";
        values += "?, ";
    }
    for (const char *column : kLeadIntColumns) {
        leadSql += column;
        leadSql += ", ";
        values += "?, ";
    }
    leadSql.resize(leadSql.size() - 2);
    values.resize(values.size() - 2);
    leadSql += ") VALUES (" + values + ")";

    const std::array<std::pair<Statement *, std::string>, 11> statements = {{
        {&m_insertContact,
         "INSERT INTO contacts (id, business_id, first_name, last_name, email, phone, company, "
         "address_line, street, city, state, postal_code, country, consent_email, consent_sms, "
         "sms_opted_out, created_at, updated_at, hlc) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'US', ?, ?, ?, ?, ?, ?)"},
        // A pre-existing identity with the same key keeps its contact.
        {&m_insertIdentity,
         "INSERT OR IGNORE INTO contact_identities (id, business_id, contact_id, channel, "
         "external_id, created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"},
        {&m_insertLead, leadSql},
        {&m_insertConversation,
         "INSERT INTO conversations (id, business_id, contact_id, lead_id, source_id, channel, "
         "external_thread_id, last_message_at, last_inbound_at, last_outbound_at, last_sender, "
         "waiting_on, unread_count, status, created_at, updated_at, hlc) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
        {&m_insertMessage,
         "INSERT INTO messages (id, business_id, conversation_id, lead_id, direction, body, "
         "sent_at, external_id, delivery_status, error, author_user_id, created_at, updated_at, "
         "hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
        {&m_insertActivity,
         "INSERT INTO activities (id, business_id, lead_id, contact_id, activity_type, "
         "description, performed_by, metadata, created_at, updated_at, hlc) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
        {&m_insertSource,
         "INSERT INTO sources (id, business_id, kind, name, settings, created_at, updated_at, hlc) "
         "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (business_id, kind, name) DO NOTHING"},
        {&m_insertCampaign,
         "INSERT INTO campaigns (id, business_id, external_id, name, description, campaign_type, "
         "status, start_date, budget_cents, target_leads, landing_page_url, notification_emails, "
         "created_at, updated_at, hlc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
         "ON CONFLICT (business_id, external_id) DO NOTHING"},
        {&m_findSource, "SELECT id FROM sources WHERE business_id = ? AND kind = ? AND name = ?"},
        {&m_findCampaign, "SELECT id FROM campaigns WHERE business_id = ? AND external_id = ?"},
        {&m_setDemo, "INSERT INTO settings (business_id, key, value, updated_at, hlc) "
                     "VALUES (?, 'demo', 'true', ?, ?) ON CONFLICT (business_id, key) "
                     "DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at, hlc "
                     "= excluded.hlc"},
    }};
    for (const auto &[statement, sql] : statements) {
        if (auto ok = statement->prepare(m_db, sql); !ok)
            return ok;
    }
    return {};
}

void Generator::buildCalendar()
{
    const QDate today = QDateTime::fromMSecsSinceEpoch(m_now, m_zone).date();
    for (int d = 0; d < kHistoryDays; ++d) {
        const QDate date = today.addDays(d - (kHistoryDays - 1));
        const QDateTime start(date, QTime(0, 0), m_zone);
        m_dayStart[size_t(d)] = start.toMSecsSinceEpoch();
        m_dayOffset[size_t(d)] = qint64(m_zone.offsetFromUtc(start)) * kSecondMs;
        const int weekday = date.dayOfWeek();
        double weight = weekday <= 5 ? 1.0 : (weekday == 6 ? 0.5 : 0.35);
        weight *= 0.75 + 0.5 * double(d) / (kHistoryDays - 1); // mild growth
        if (d == kHistoryDays - 1)                             // today is not over yet
            weight *= std::clamp(double(m_now - m_dayStart[size_t(d)]) / kDayMs, 0.0, 1.0);
        m_dayWeight[size_t(d)] = weight;
    }
}

void Generator::buildLeadTimes()
{
    // Most leads arrive in business hours, with the late-morning and early-afternoon peaks.
    static constexpr std::array<double, 11> kHourWeights
        = {0.55, 0.95, 1.1, 1.05, 0.8, 0.9, 1.0, 0.95, 0.85, 0.7, 0.45};
    m_leadTimes.resize(size_t(m_options.leads));
    for (qint64 &t : m_leadTimes) {
        const size_t day = m_rng.weighted(m_dayWeight);
        const qint64 start = m_dayStart[day];
        qint64 timeOfDay = 0;
        if (m_rng.chance(0.78))
            timeOfDay = qint64(8 + m_rng.weighted(kHourWeights)) * kHourMs
                        + m_rng.between(0, kHourMs - 1);
        else
            timeOfDay = m_rng.between(0, kDayMs - 1);
        t = start + timeOfDay;
        if (t >= m_now)
            t = start + qint64(double(m_now - start) * m_rng.uniform());
    }
    std::sort(m_leadTimes.begin(), m_leadTimes.end());
}

qint64 Generator::offsetAt(qint64 ms) const
{
    const qint64 day = std::clamp<qint64>((ms - m_dayStart[0]) / kDayMs, 0, kHistoryDays - 1);
    return m_dayOffset[size_t(day)];
}

// Replies written outside 8:00-19:00 local time move to the next morning.
qint64 Generator::businessTime(qint64 ms)
{
    const qint64 local = ms + offsetAt(ms);
    const qint64 timeOfDay = ((local % kDayMs) + kDayMs) % kDayMs;
    if (timeOfDay < 8 * kHourMs)
        return ms + (8 * kHourMs - timeOfDay) + m_rng.between(0, 50 * kMinuteMs);
    if (timeOfDay >= 19 * kHourMs)
        return ms + (kDayMs - timeOfDay) + 8 * kHourMs + m_rng.between(0, 50 * kMinuteMs);
    return ms;
}

qint64 Generator::firstResponseDelay()
{
    const double u = m_rng.uniform();
    if (u < 0.35)
        return m_rng.between(kMinuteMs, 15 * kMinuteMs);
    if (u < 0.70)
        return m_rng.between(15 * kMinuteMs, 3 * kHourMs);
    if (u < 0.93)
        return m_rng.between(3 * kHourMs, kDayMs);
    return m_rng.between(kDayMs, 3 * kDayMs);
}

qint64 Generator::businessReplyDelay()
{
    const double u = m_rng.uniform();
    if (u < 0.5)
        return m_rng.between(2 * kMinuteMs, 30 * kMinuteMs);
    if (u < 0.85)
        return m_rng.between(30 * kMinuteMs, 5 * kHourMs);
    return m_rng.between(5 * kHourMs, 2 * kDayMs);
}

qint64 Generator::leadReplyDelay()
{
    const double u = m_rng.uniform();
    if (u < 0.3)
        return m_rng.between(kMinuteMs, 10 * kMinuteMs);
    if (u < 0.65)
        return m_rng.between(10 * kMinuteMs, 4 * kHourMs);
    return m_rng.between(4 * kHourMs, 4 * kDayMs);
}

Result<void> Generator::insertSourcesAndCampaigns()
{
    const qint64 setupMs = m_dayStart[0] - 14 * kDayMs;
    std::string id, settings;
    for (int ch = 0; ch < kChannels; ++ch) {
        newId(id, setupMs + ch * kMinuteMs);
        settings.clear();
        JsonObject json(settings);
        switch (ch) {
        case WhatsApp:
            json.text("phone_number_id", "106540352242922")
                .text("display_phone_number", "15550783881");
            break;
        case Messenger:
            json.text("page_id", m_pools.pageId);
            break;
        case LeadAds: {
            json.text("page_id", m_pools.pageId).key("form_ids");
            settings += '[';
            for (size_t i = 0; i < m_pools.leadAdsForms.size(); ++i) {
                if (i > 0)
                    settings += ',';
                appendJsonString(settings, m_pools.leadAdsForms[i].formId);
            }
            settings += ']';
            break;
        }
        case Thumbtack:
            json.text("business_id", m_pools.thumbtackBusinessId).text("api", "v4");
            break;
        case Sms:
            json.text("phone_number", "+16145550100").text("provider", "twilio");
            break;
        case WebForm:
            json.text("allowed_origin", "https://www.demo-business.example")
                .text("form_version", "v2.1");
            break;
        case Chatbot:
            json.text("widget", "website").number("questions", 7);
            break;
        case Csv:
            json.text("vendors", "experian,transunion,leadsource")
                .text("folder", "~/LeadDesk/inbox");
            break;
        }
        json.close();
        const char *kind = kChannelNames[size_t(ch)];
        const char *name = kSourceNames[size_t(ch)];
        if (auto ok = m_insertSource.text(id)
                          .text(m_business)
                          .text(kind)
                          .text(name)
                          .text(settings)
                          .integer(setupMs)
                          .integer(setupMs)
                          .integer(hlc(setupMs))
                          .run();
            !ok)
            return ok;
        if (sqlite3_changes(m_db) > 0) {
            m_sourceIds[size_t(ch)] = id;
            m_createdSources.push_back(id);
            ++m_stats.sources;
        } else {
            m_sourceIds[size_t(ch)]
                = m_findSource.text(m_business).text(kind).text(name).firstText();
        }
    }

    const std::string startDate = QDateTime::fromMSecsSinceEpoch(m_dayStart[0], m_zone)
                                      .date()
                                      .toString(Qt::ISODate)
                                      .toStdString();
    std::string notify = "[";
    appendJsonString(notify, kAccounts[0].email);
    notify += ']';
    for (const CampaignDef &campaign : m_pools.campaigns) {
        newId(id, setupMs + kHourMs);
        if (auto ok = m_insertCampaign.text(id)
                          .text(m_business)
                          .text(campaign.externalId)
                          .text(campaign.name)
                          .textOrNull(campaign.description)
                          .text(campaign.type)
                          .text(campaign.status)
                          .text(startDate)
                          .positiveOrNull(campaign.budgetCents)
                          .positiveOrNull(campaign.targetLeads)
                          .textOrNull(campaign.landingPage)
                          .text(notify)
                          .integer(setupMs)
                          .integer(setupMs)
                          .integer(hlc(setupMs))
                          .run();
            !ok)
            return ok;
        if (sqlite3_changes(m_db) > 0) {
            m_campaignIds.push_back(id);
            m_createdCampaigns.push_back(id);
            ++m_stats.campaigns;
        } else {
            m_campaignIds.push_back(
                m_findCampaign.text(m_business).text(campaign.externalId).firstText());
        }
    }
    return {};
}

bool Generator::pickOtherChannel(const Contact &contact, int *channel)
{
    std::array<double, kChannels> weights{};
    bool any = false;
    for (int ch = 0; ch < kChannels; ++ch) {
        const bool possible = !(contact.channels & (1u << ch))
                              && (!needsPhone(ch) || !contact.phone.empty())
                              && (!needsEmail(ch) || !contact.email.empty());
        weights[size_t(ch)] = possible ? kChannelWeights[size_t(ch)] : 0.0;
        any = any || possible;
    }
    if (!any)
        return false;
    *channel = int(m_rng.weighted(weights));
    return true;
}

void Generator::makePhone(Contact &contact)
{
    // +1 AAA 555 xxxx while the area code's 555 exchange lasts, then other valid exchanges.
    const City &city = m_pools.cities[size_t(contact.city)];
    const quint32 k = m_areaCounters[size_t(city.area)]++;
    const quint32 block = k / 10000;
    quint32 exchange = 555;
    if (block > 0) {
        exchange = 200 + (block * 37) % 800;
        while (exchange % 100 == 11 || exchange == 555 || exchange == 958 || exchange == 959)
            exchange = 200 + (exchange - 199) % 800;
    }
    const quint32 line = (k % 10000 * 7919 + 4733 + quint32(city.area) * 2741) % 10000;
    contact.phone = "+1";
    contact.phone += city.areaCode;
    appendPadded(contact.phone, exchange, 3);
    appendPadded(contact.phone, line, 4);
}

void Generator::makeEmail(Contact &contact)
{
    const std::string &first = m_pools.firstEmail[size_t(contact.first)];
    const std::string &last = m_pools.lastEmail[size_t(contact.last)];
    std::string &email = contact.email;
    email.clear();
    const size_t pattern = m_rng.weighted(std::array<double, 6>{30, 14, 16, 10, 12, 8});
    switch (pattern) {
    case 0:
        email = first + "." + last;
        break;
    case 1:
        email = first + last;
        break;
    case 2:
        email = first.substr(0, 1) + last;
        break;
    case 3:
        email = first + "_" + last;
        break;
    case 4:
        email = first + "." + last;
        appendInt(email, m_rng.between(60, 99));
        break;
    default:
        email = first + last.substr(0, 1);
        appendInt(email, m_rng.between(1, 999));
    }
    if (email.empty() || email == ".")
        email = "customer";
    const bool work = contact.company >= 0 && m_rng.chance(0.6);
    const std::string &domain
        = work ? m_pools.companyDomains[size_t(contact.company)] : m_rng.pick(m_pools.emailDomains);
    const size_t localLength = email.size();
    email += '@';
    email += domain;
    // A taken address gets the contact's serial number, like a real sign-up would.
    for (qint64 attempt = 0; !m_emails.insert(email); ++attempt) {
        email.resize(localLength);
        appendInt(email, m_contactSerial + attempt * 7);
        email += '@';
        email += domain;
    }
}

Contact &Generator::newContact(int channel, qint64 createdMs)
{
    Contact &c = m_recent[size_t(m_recentNext)];
    m_recentNext = (m_recentNext + 1) % kRecentContacts;
    m_recentCount = std::min(m_recentCount + 1, kRecentContacts);
    ++m_contactSerial;
    c.createdMs = createdMs;
    c.channels = 0;
    c.waId.clear();
    c.psid.clear();
    c.thumbtackId.clear();
    newId(c.id, createdMs);
    c.first = int(m_rng.index(m_pools.firstNames.size()));
    c.last = int(m_rng.index(m_pools.lastNames.size()));
    c.city = int(m_rng.index(m_pools.cities.size()));
    const bool business = channel == Chatbot || (channel == WebForm && m_rng.chance(0.5));
    c.company = (business || m_rng.chance(0.12)) ? int(m_rng.index(m_pools.companies.size())) : -1;
    c.businessType
        = channel == Chatbot ? m_pools.itServices : int(m_rng.index(m_pools.businessTypes.size()));
    const City &city = m_pools.cities[size_t(c.city)];
    c.street.clear();
    if (channel == Csv || channel == Thumbtack || m_rng.chance(0.55)) {
        appendInt(c.street, m_rng.between(10, 9899));
        c.street += ' ';
        c.street += m_rng.pick(m_pools.streets);
    }
    c.addressLine = c.street;
    if (!c.addressLine.empty())
        c.addressLine += ", ";
    c.addressLine += city.city + ", " + city.state + " " + city.zip;

    const bool chatFirst
        = channel == WhatsApp || channel == Sms || channel == Messenger || channel == Thumbtack;
    c.phone.clear();
    if (needsPhone(channel) || m_rng.chance(channel == Messenger ? 0.45 : 0.9))
        makePhone(c);
    c.email.clear();
    if (needsEmail(channel) || m_rng.chance(chatFirst ? 0.45 : 1.0))
        makeEmail(c);
    return c;
}

Result<void> Generator::insertContact(const Contact &c)
{
    const City &city = m_pools.cities[size_t(c.city)];
    const std::string_view company = c.company >= 0
                                         ? std::string_view(m_pools.companies[size_t(c.company)])
                                         : std::string_view();
    const bool hasEmail = !c.email.empty();
    const bool hasPhone = !c.phone.empty();
    if (auto ok = m_insertContact.text(c.id)
                      .text(m_business)
                      .text(m_pools.firstNames[size_t(c.first)])
                      .text(m_pools.lastNames[size_t(c.last)])
                      .textOrNull(c.email)
                      .textOrNull(c.phone)
                      .textOrNull(company)
                      .text(c.addressLine)
                      .textOrNull(c.street)
                      .text(city.city)
                      .text(city.state)
                      .text(city.zip)
                      .integer(hasEmail && m_rng.chance(0.6) ? 1 : 0)
                      .integer(hasPhone && m_rng.chance(0.5) ? 1 : 0)
                      .integer(hasPhone && m_rng.chance(0.01) ? 1 : 0)
                      .integer(c.createdMs)
                      .integer(c.createdMs)
                      .integer(hlc(c.createdMs))
                      .run();
        !ok)
        return ok;
    ++m_stats.contacts;
    if (hasEmail) {
        if (auto ok = insertIdentity(c, "email", c.email, c.createdMs); !ok)
            return ok;
    }
    if (hasPhone) {
        if (auto ok = insertIdentity(c, "phone", c.phone, c.createdMs); !ok)
            return ok;
    }
    return {};
}

Result<void> Generator::insertIdentity(const Contact &contact, const char *channel,
                                       const std::string &externalId, qint64 ms)
{
    newId(m_scratch, ms);
    if (auto ok = m_insertIdentity.text(m_scratch)
                      .text(m_business)
                      .text(contact.id)
                      .text(channel)
                      .text(externalId)
                      .integer(ms)
                      .integer(ms)
                      .integer(hlc(ms))
                      .run();
        !ok)
        return ok;
    ++m_stats.identities;
    return {};
}

Result<void> Generator::run(const std::function<void(qint64, qint64)> &progress)
{
    if (auto ok = prepareStatements(); !ok)
        return ok;
    buildCalendar();
    buildLeadTimes();

    const qint64 total = m_options.leads;
    const qint64 progressStep = std::clamp<qint64>(total / 100, 1, kMaxProgressStep);
    if (auto ok = execSql(m_db, "BEGIN IMMEDIATE"); !ok)
        return ok;
    Result<void> result = insertSourcesAndCampaigns();
    for (qint64 serial = 0; result && serial < total; ++serial) {
        if (serial > 0 && serial % kLeadsPerTransaction == 0) {
            result = execSql(m_db, "COMMIT");
            if (result)
                result = execSql(m_db, "BEGIN IMMEDIATE");
            if (!result)
                break;
        }
        result = generateLead(serial);
        if (result && progress && ((serial + 1) % progressStep == 0 || serial + 1 == total))
            progress(serial + 1, total);
    }
    if (result)
        result = m_setDemo.text(m_business).integer(m_now).integer(hlc(m_now)).run();
    if (result)
        result = execSql(m_db, "COMMIT");
    if (!result && sqlite3_get_autocommit(m_db) == 0)
        (void)execSql(m_db, "ROLLBACK");
    return result;
}

Result<void> Generator::generateLead(qint64 serial)
{
    const qint64 created = m_leadTimes[size_t(serial)];
    int channel = pickChannel();
    Contact *contact = nullptr;
    if (m_recentCount > 0 && m_rng.chance(kReturningShare)) {
        // A few tries: someone known only by a Messenger id has no other channel to come back on.
        for (int attempt = 0; attempt < 3 && !contact; ++attempt) {
            Contact &candidate = m_recent[m_rng.index(size_t(m_recentCount))];
            if (pickOtherChannel(candidate, &channel))
                contact = &candidate;
        }
    }
    if (!contact) {
        contact = &newContact(channel, created);
        if (auto ok = insertContact(*contact); !ok)
            return ok;
    }
    Contact &c = *contact;
    if (c.channels != 0 && std::popcount(c.channels) == 1)
        ++m_stats.multiChannelContacts;
    c.channels |= quint8(1u << channel);

    // The channel's own key for this person.
    m_threadId.clear();
    if (channel == WhatsApp) {
        if (c.waId.empty()) {
            c.waId = c.phone.substr(1);
            if (auto ok = insertIdentity(c, "whatsapp", c.waId, created); !ok)
                return ok;
        }
        m_threadId = c.waId;
    } else if (channel == Messenger) {
        // A person reaches the page once per lead at most, so the lead's serial keeps PSIDs unique.
        c.psid = "67";
        appendPadded(c.psid,
                     scramble(quint64(serial), 100'000'000'000'000ULL, 6364136223846793ULL,
                              38'574'200'913'377ULL),
                     14);
        if (auto ok = insertIdentity(c, "messenger", c.psid, created); !ok)
            return ok;
        m_threadId = c.psid;
    } else if (channel == Thumbtack) {
        c.thumbtackId = "5902";
        appendPadded(c.thumbtackId,
                     scramble(quint64(serial), 100'000'000'000'000ULL, 2862933555777941757ULL,
                              77'159'360'021'843ULL),
                     14);
        if (auto ok = insertIdentity(c, "thumbtack", c.thumbtackId, created); !ok)
            return ok;
    } else if (channel == Sms) {
        m_threadId = c.phone;
    }

    for (std::string &text : m_lead)
        text.clear();
    newId(m_lead[LId], created);
    m_lead[LBusiness] = m_business;
    m_lead[LContact] = c.id;
    m_lead[LSource] = m_sourceIds[size_t(channel)];
    m_lead[LChannel] = kChannelNames[size_t(channel)];
    m_lead[LFirst] = m_pools.firstNames[size_t(c.first)];
    m_lead[LLast] = m_pools.lastNames[size_t(c.last)];
    if (needsEmail(channel))
        m_lead[LEmail] = c.email;
    if (channel != Messenger)
        m_lead[LPhone] = c.phone;

    int businessType = c.businessType;
    fillChannelFields(channel, c, serial, &businessType);
    if (channel == Thumbtack)
        m_threadId = m_lead[LExternal];
    const BusinessType &type = m_pools.businessTypes[size_t(businessType)];
    if (m_lead[LService].empty())
        m_lead[LService] = m_rng.pick(type.services);
    const qint64 estimate = std::max<qint64>(
        500, m_rng.between(type.valueMin, std::max(type.valueMin, type.valueMax / 3)) / 500 * 500);
    m_price.clear();
    appendDollars(m_price, estimate, false);

    const bool neglected = m_rng.chance(0.07);
    simulateConversation(channel, created, neglected);
    bool answered = false;
    for (size_t i = 0; i < m_messageCount; ++i)
        answered = answered || !m_messages[i].inbound;
    const Status status = answered ? pickStatus(created) : New;

    int assignee = -1;
    if (m_rng.chance(status == New ? 0.6 : 0.94)) {
        const double u = m_rng.uniform();
        assignee
            = u < kAccounts[0].share ? 0 : (u < kAccounts[0].share + kAccounts[1].share ? 1 : 2);
    }
    const DemoUser &rep = m_users[size_t(assignee >= 0 ? assignee : 0)];

    const City &city = m_pools.cities[size_t(c.city)];
    Vars vars;
    vars.first = m_pools.firstNames[size_t(c.first)];
    vars.last = m_pools.lastNames[size_t(c.last)];
    vars.service = m_lead[LService];
    vars.city = city.city;
    vars.state = city.state;
    vars.rep = rep.firstName;
    vars.repUsername = rep.username;
    vars.business = m_businessName;
    vars.price = m_price;
    vars.category = m_category ? std::string_view(m_category->name) : std::string_view(type.label);
    vars.campaign = m_campaign >= 0 ? std::string_view(m_pools.campaigns[size_t(m_campaign)].name)
                                    : std::string_view(type.label);
    vars.description = m_description;
    vars.businessType = m_pools.chatbotBusinessTypes[m_chatbotBusinessType];
    vars.staffSize = m_pools.staffSizes[m_staffSize];
    writeBodies(channel, status, vars);
    writeDeliveryStatuses(channel);
    if (startsWithInbound(channel) && m_messageCount > 0 && m_messages[0].inbound)
        m_lead[LMessage] = m_messages[0].body;

    planActivities(status, assignee, m_campaign, c, created, estimate);

    qint64 firstOut = 0, lastIn = 0, lastOut = 0;
    int trailingInbound = 0;
    for (size_t i = 0; i < m_messageCount; ++i) {
        const Message &m = m_messages[i];
        if (m.inbound) {
            lastIn = m.at;
            ++trailingInbound;
        } else {
            if (firstOut == 0)
                firstOut = m.at;
            lastOut = m.at;
            trailingInbound = 0;
        }
    }
    const qint64 lastMessage = m_messageCount > 0 ? m_messages[m_messageCount - 1].at : 0;
    const bool lastInbound = m_messageCount > 0 && m_messages[m_messageCount - 1].inbound;
    // Nobody has written yet only on form and vendor leads: the business owes the first contact.
    const char *waitingOn = (m_messageCount == 0 || lastInbound) ? "business" : "lead";
    const char *lastSender = m_messageCount == 0 ? "" : (lastInbound ? "lead" : "business");
    const bool closed = status == ClosedWon || status == ClosedLost;

    qint64 updated = std::max(created, lastMessage);
    for (size_t i = 0; i < m_activityCount; ++i)
        updated = std::max(updated, m_activities[i].at);
    qint64 followUp = 0;
    if ((status == Contacted || status == Qualified || status == Proposal) && m_rng.chance(0.7))
        followUp = businessTime(std::max(updated, lastMessage) + m_rng.between(kDayMs, 10 * kDayMs))
                   / (15 * kMinuteMs) * (15 * kMinuteMs); // on the quarter hour, as people book

    m_lead[LStatus] = kStatusNames[size_t(status)];
    if (assignee >= 0)
        m_lead[LAssignee] = m_users[size_t(assignee)].id;
    m_lead[LWaitingOn] = waitingOn;

    for (int column = 0; column < kLeadTexts; ++column) {
        if (leadTextRequired(column))
            m_insertLead.text(m_lead[size_t(column)]);
        else
            m_insertLead.textOrNull(m_lead[size_t(column)]);
    }
    m_insertLead.integer(channel == WebForm || channel == LeadAds || channel == Chatbot ? 1 : 0)
        .positiveOrNull(followUp)
        .positiveOrNull(firstOut)
        .positiveOrNull(firstOut)
        .positiveOrNull(lastIn)
        .positiveOrNull(lastOut)
        .positiveOrNull(status == ClosedWon ? estimate : 0)
        .integer(created)
        .integer(updated)
        .integer(hlc(updated));
    if (auto ok = m_insertLead.run(); !ok)
        return ok;
    ++m_stats.leads;

    newId(m_conversationId, created);
    if (auto ok = m_insertConversation.text(m_conversationId)
                      .text(m_business)
                      .text(c.id)
                      .text(m_lead[LId])
                      .text(m_lead[LSource])
                      .text(m_lead[LChannel])
                      .textOrNull(m_threadId)
                      .positiveOrNull(lastMessage)
                      .positiveOrNull(lastIn)
                      .positiveOrNull(lastOut)
                      .textOrNull(lastSender)
                      .text(waitingOn)
                      .integer(closed ? 0 : trailingInbound)
                      .text(closed ? "closed" : "open")
                      .integer(created)
                      .integer(std::max(created, lastMessage))
                      .integer(hlc(std::max(created, lastMessage)))
                      .run();
        !ok)
        return ok;
    ++m_stats.conversations;

    const std::string_view author = m_users[size_t(assignee >= 0 ? assignee : 0)].id;
    for (size_t i = 0; i < m_messageCount; ++i) {
        Message &m = m_messages[i];
        newId(m.id, m.at);
        m_insertMessage.text(m.id)
            .text(m_business)
            .text(m_conversationId)
            .text(m_lead[LId])
            .text(m.inbound ? "in" : "out")
            .text(m.body)
            .integer(m.at)
            .textOrNull(m.externalId)
            .text(m.status);
        if (m.error)
            m_insertMessage.text(m.error);
        else
            m_insertMessage.null();
        if (m.inbound)
            m_insertMessage.null();
        else
            m_insertMessage.text(author);
        m_insertMessage.integer(m.at).integer(m.at).integer(hlc(m.at));
        if (auto ok = m_insertMessage.run(); !ok)
            return ok;
    }
    m_stats.messages += qint64(m_messageCount);

    for (size_t i = 0; i < m_activityCount; ++i) {
        const Activity &a = m_activities[i];
        newId(m_scratch, a.at);
        m_insertActivity.text(m_scratch)
            .text(m_business)
            .text(m_lead[LId])
            .text(c.id)
            .text(a.type)
            .text(a.description);
        if (a.performer >= 0)
            m_insertActivity.text(m_users[size_t(a.performer)].id); // LeadRepository joins users.id
        else
            m_insertActivity.null();
        m_insertActivity
            .text(a.metadata.empty() ? std::string_view("{}") : std::string_view(a.metadata))
            .integer(a.at)
            .integer(a.at)
            .integer(hlc(a.at));
        if (auto ok = m_insertActivity.run(); !ok)
            return ok;
    }
    m_stats.activities += qint64(m_activityCount);
    return {};
}

void Generator::fillChannelFields(int channel, Contact &c, qint64 serial, int *businessType)
{
    const City &city = m_pools.cities[size_t(c.city)];
    m_campaign = -1;
    m_category = nullptr;
    m_description.clear();
    m_chatbotBusinessType = m_rng.index(m_pools.chatbotBusinessTypes.size());
    m_staffSize = m_rng.index(m_pools.staffSizes.size());
    std::string &details = m_lead[LDetails];
    JsonObject json(details);

    const auto setCampaign = [&](int index) {
        m_campaign = index;
        const CampaignDef &campaign = m_pools.campaigns[size_t(index)];
        m_lead[LCampaign] = m_campaignIds[size_t(index)];
        m_lead[LCampaignName] = campaign.name;
        m_lead[LUtmCampaign] = campaign.utmCampaign;
        *businessType = campaign.businessType;
    };
    const auto pickCampaign = [&]() {
        double total = 0;
        for (const CampaignDef &campaign : m_pools.campaigns)
            total += campaign.weight;
        double x = m_rng.uniform() * total;
        for (size_t i = 0; i < m_pools.campaigns.size(); ++i) {
            if ((x -= m_pools.campaigns[i].weight) < 0)
                return int(i);
        }
        return int(m_pools.campaigns.size() - 1);
    };
    const auto randomId = [&](std::string &out, const char *prefix) {
        out = prefix;
        appendPadded(out, m_rng.next() % 1'000'000'000ULL, 9);
    };

    switch (channel) {
    case WebForm: {
        const bool withCampaign = m_rng.chance(0.85);
        if (withCampaign)
            setCampaign(pickCampaign());
        const BusinessType &type = m_pools.businessTypes[size_t(*businessType)];
        m_lead[LService] = m_rng.pick(type.services);
        m_opening.clear();
        Vars vars;
        vars.question = m_rng.pick(type.questions);
        vars.service = m_lead[LService];
        vars.city = city.city;
        expand(m_opening, m_rng.pick(m_pools.templates[WebForm].opening), vars);
        m_lead[LSourceLabel] = withCampaign ? m_rng.pick(m_pools.formSources) : "contact-form";
        m_lead[LUrgency] = m_rng.pick(m_pools.urgency);
        m_lead[LBudget] = m_rng.pick(m_pools.budgets);
        m_lead[LTimeline] = m_rng.pick(m_pools.timelines);
        if (c.company >= 0)
            m_lead[LCompany] = m_pools.companies[size_t(c.company)];
        randomId(m_lead[LVisitor], "vis_");
        randomId(m_lead[LSession], "sess_");
        static constexpr std::array<int, 18> kFirstOctets
            = {24, 50, 67, 68, 69, 71, 72, 73, 75, 76, 96, 97, 98, 99, 107, 108, 173, 174};
        std::string &ip = m_lead[LIp];
        appendInt(ip, kFirstOctets[m_rng.index(kFirstOctets.size())]);
        for (int i = 0; i < 3; ++i) {
            ip += '.';
            appendInt(ip, m_rng.between(i == 2 ? 1 : 0, i == 2 ? 254 : 255));
        }
        m_lead[LUserAgent] = m_rng.pick(m_pools.userAgents);
        std::string &landing = m_lead[LLanding];
        if (withCampaign) {
            const CampaignDef &campaign = m_pools.campaigns[size_t(m_campaign)];
            const size_t medium = m_rng.weighted(std::array<double, 3>{55, 25, 20});
            const bool organic = medium == 0 && m_rng.chance(0.2);
            static constexpr std::array<const char *, 3> kUtmSources
                = {"google", "facebook", "newsletter"};
            m_lead[LUtmSource] = kUtmSources[medium];
            m_lead[LUtmMedium]
                = medium == 0 ? (organic ? "organic" : "cpc") : (medium == 1 ? "social" : "email");
            m_lead[LMedium]
                = medium == 0 ? (organic ? "organic" : "paid") : (medium == 1 ? "social" : "email");
            if (!organic)
                m_lead[LUtmContent] = m_rng.chance(0.5) ? "ad-variant-a" : "ad-variant-b";
            if (medium == 0) {
                m_lead[LUtmTerm] = m_rng.pick(campaign.terms);
                std::string term = m_lead[LUtmTerm];
                std::replace(term.begin(), term.end(), ' ', '+');
                Vars referrer;
                expand(m_lead[LReferrer], m_pools.referrerGoogle, referrer);
                const size_t at = m_lead[LReferrer].find("{term}");
                if (at != std::string::npos)
                    m_lead[LReferrer].replace(at, 6, term);
            } else {
                m_lead[LReferrer]
                    = medium == 1 ? m_pools.referrerFacebook : m_pools.referrerNewsletter;
            }
            landing = campaign.landingPage;
            landing += "?utm_source=" + m_lead[LUtmSource] + "&utm_medium=" + m_lead[LUtmMedium]
                       + "&utm_campaign=" + campaign.utmCampaign;
            if (!m_lead[LUtmContent].empty())
                landing += "&utm_content=" + m_lead[LUtmContent];
        } else {
            m_lead[LMedium] = m_rng.chance(0.6) ? "organic" : "direct";
            if (m_lead[LMedium] == "organic")
                m_lead[LReferrer] = "https://www.google.com/";
            landing = "https://www.demo-business.example/contact";
        }
        json.text("form_type", withCampaign ? "campaign_landing" : "contact")
            .text("form_version", "v2.1")
            .number("time_on_page_seconds", m_rng.between(15, 600))
            .text("fields_completed", m_rng.chance(0.6) ? "all" : "required")
            .boolean("return_visitor", m_rng.chance(0.3))
            .boolean("consent_given", true);
        break;
    }
    case LeadAds: {
        const LeadAdsForm &form = m_pools.leadAdsForms[m_rng.index(m_pools.leadAdsForms.size())];
        setCampaign(form.campaign);
        m_lead[LExternal] = "4445";
        appendPadded(m_lead[LExternal],
                     scramble(quint64(serial), 100'000'000'000ULL, 3935559000370003845ULL,
                              52'893'144'707ULL),
                     11);
        m_lead[LUtmSource] = "facebook";
        m_lead[LUtmMedium] = "social";
        m_lead[LMedium] = "paid";
        m_lead[LUtmContent] = m_rng.chance(0.5) ? "ad-variant-a" : "ad-variant-b";
        json.text("leadgen_id", m_lead[LExternal])
            .text("form_id", form.formId)
            .text("ad_id", form.adId)
            .text("page_id", m_pools.pageId)
            .key("field_data");
        details += '[';
        const auto field = [&](std::string_view name, std::string_view value, bool comma) {
            if (comma)
                details += ',';
            details += "{\"name\":";
            appendJsonString(details, name);
            details += ",\"values\":[";
            appendJsonString(details, value);
            details += "]}";
        };
        m_scratch = m_lead[LFirst] + " " + m_lead[LLast];
        field("full_name", m_scratch, false);
        field("email", c.email, true);
        if (!c.phone.empty())
            field("phone_number", c.phone, true);
        for (const Question &q : form.questions)
            field(q.question, m_rng.pick(q.answers), true);
        details += ']';
        break;
    }
    case Thumbtack: {
        const ThumbtackCategory &category
            = m_pools.thumbtack[m_rng.index(m_pools.thumbtack.size())];
        m_category = &category;
        *businessType = category.businessType;
        const BusinessType &type = m_pools.businessTypes[size_t(category.businessType)];
        m_lead[LExternal] = "5903";
        appendPadded(m_lead[LExternal],
                     scramble(quint64(serial), 100'000'000'000'000ULL, 7046029254386353131ULL,
                              40'422'901'337'561ULL),
                     14);
        m_lead[LService] = category.name;
        const qint64 leadPrice = m_rng.between(category.priceMin, category.priceMax) / 5 * 5;
        std::string priceText;
        appendDollars(priceText, leadPrice, true);
        std::string homeValue;
        appendDollars(homeValue, m_rng.between(180, 900) * 100'000, false);
        Vars vars;
        vars.price = homeValue;
        expand(m_description, m_rng.pick(category.descriptions), vars);
        m_lead[LAddress] = c.addressLine;
        m_lead[LState] = city.state;
        json.text("negotiation_id", m_lead[LExternal])
            .text("customer_id", c.thumbtackId)
            .text("category", category.name)
            .text("category_id", category.categoryId)
            .text("title", m_rng.pick(category.titles))
            .text("description", m_description)
            .key("location");
        {
            JsonObject location(details);
            location.text("address1", c.street)
                .text("city", city.city)
                .text("state", city.state)
                .text("zipCode", city.zip);
            location.close();
        }
        json.text("price", priceText).number("lead_price_cents", leadPrice).key("qa");
        details += '[';
        for (size_t i = 0; i < category.questions.size(); ++i) {
            const Question &q = category.questions[i];
            if (i > 0)
                details += ',';
            JsonObject qa(details);
            qa.text("question", q.question).text("answer", m_rng.pick(q.answers));
            qa.close();
        }
        details += ']';
        json.text("travel_preference", "ProviderTravelToCustomer").text("business_type", type.key);
        break;
    }
    case WhatsApp:
        json.text("wa_id", c.waId)
            .text("profile_name", m_lead[LFirst] + " " + m_lead[LLast])
            .text("phone_number_id", "106540352242922");
        break;
    case Messenger:
        json.text("psid", c.psid).text("page_id", m_pools.pageId);
        break;
    case Sms: {
        std::string upperCity = city.city;
        for (char &ch : upperCity)
            ch = char(ch >= 'a' && ch <= 'z' ? ch - 'a' + 'A' : ch);
        m_lead[LState] = city.state;
        json.text("from_city", upperCity)
            .text("from_state", city.state)
            .text("from_zip", city.zip)
            .text("to", "+16145550100");
        break;
    }
    case Chatbot: {
        if (m_rng.chance(0.8))
            *businessType = m_pools.itServices;
        else
            *businessType = int(m_rng.index(m_pools.businessTypes.size()));
        static constexpr std::array<const char *, 4> kUtm
            = {"direct", "google", "facebook", "newsletter"};
        const size_t utm = m_rng.weighted(std::array<double, 4>{45, 30, 15, 10});
        m_lead[LUtmSource] = kUtm[utm];
        if (utm > 0) {
            static constexpr std::array<const char *, 4> kMedium
                = {"", "organic", "social", "email"};
            m_lead[LUtmMedium] = kMedium[utm];
            m_lead[LMedium] = kMedium[utm];
            for (size_t i = 0; i < m_pools.campaigns.size(); ++i) {
                if (m_pools.campaigns[i].businessType == *businessType && m_rng.chance(0.6)) {
                    setCampaign(int(i));
                    break;
                }
            }
        }
        if (c.company >= 0)
            m_lead[LCompany] = m_pools.companies[size_t(c.company)];
        std::string sessionKey = "cb_";
        for (int i = 0; i < 2; ++i) {
            static constexpr char kHex[] = "0123456789abcdef";
            quint64 bits = m_rng.next();
            for (int j = 0; j < 8; ++j, bits >>= 4)
                sessionKey += kHex[bits & 0x0F];
        }
        m_lead[LSession] = sessionKey;
        json.text("session_key", sessionKey)
            .text("business_type", m_pools.chatbotBusinessTypes[m_chatbotBusinessType])
            .text("staff_size", m_pools.staffSizes[m_staffSize])
            .text("current_solution", m_rng.pick(m_pools.currentSolutions))
            .text("pain_point", m_rng.pick(m_pools.painPoints))
            .text("budget", m_rng.pick(m_pools.chatbotBudgets))
            .text("decision_maker", m_rng.pick(m_pools.decisionMakers))
            .number("questions_answered", m_rng.between(3, 7))
            .number("time_on_site_seconds", m_rng.between(40, 900))
            .text("utm_source", m_lead[LUtmSource]);
        break;
    }
    case Csv: {
        *businessType = m_pools.mortgage;
        const std::string &vendor = m_rng.pick(m_pools.vendors);
        m_vendorId = vendor == "experian" ? "EXP" : vendor == "transunion" ? "TU" : "LS";
        m_vendorId += '-';
        appendPadded(m_vendorId, scramble(quint64(serial), 100'000'000ULL, 48271ULL, 31'415'926ULL),
                     8);
        m_lead[LExternal] = m_vendorId;
        m_lead[LSourceLabel] = vendor;
        m_lead[LAddress] = c.addressLine;
        m_lead[LState] = city.state;
        const std::string &purpose = m_rng.pick(m_pools.loanPurposes);
        m_lead[LService] = purpose == "purchase"             ? "Home Purchase Loan"
                           : purpose == "home_equity"        ? "HELOC"
                           : purpose == "cash_out_refinance" ? "Cash-Out Refinance"
                                                             : "Refinance";
        const qint64 creditScore
            = std::clamp<qint64>(560 + (m_rng.between(0, 130) + m_rng.between(0, 130)), 300, 850);
        const char *rating = creditScore >= 740   ? "Excellent"
                             : creditScore >= 680 ? "Good"
                             : creditScore >= 620 ? "Fair"
                                                  : "Poor";
        const qint64 propertyValue = m_rng.between(140, 950) * 100'000; // whole thousands, in cents
        json.text("vendor", vendor)
            .text("vendor_lead_id", m_vendorId)
            .number("credit_score", creditScore)
            .text("credit_rating", rating)
            .text("loan_purpose", purpose)
            .text("property_type", m_rng.pick(m_pools.propertyTypes))
            .text("property_use", m_rng.pick(m_pools.propertyUses))
            .number("property_value", propertyValue);
        if (purpose == "purchase") {
            static constexpr std::array<qint64, 4> kDownPayments = {3, 5, 10, 20};
            const qint64 downPercent = kDownPayments[m_rng.index(kDownPayments.size())];
            json.boolean("found_home", m_rng.chance(0.55))
                .number("down_payment_percent", downPercent)
                .number("desired_loan_amount", propertyValue / 100 * (100 - downPercent));
        } else {
            const qint64 balance = propertyValue / 100 * m_rng.between(35, 80);
            const qint64 cashOut = purpose == "refinance" ? 0 : m_rng.between(10, 80) * 100'000;
            json.number("mortgage_balance", balance)
                .number("cash_out", cashOut)
                .number("desired_loan_amount", balance + cashOut);
        }
        json.boolean("veteran", m_rng.chance(0.08));
        break;
    }
    default:
        break;
    }
    json.close();

    if (channel != WebForm) {
        const BusinessType &type = m_pools.businessTypes[size_t(*businessType)];
        Vars vars;
        vars.question = m_rng.pick(type.questions);
        vars.description = m_description;
        vars.service = m_lead[LService].empty() ? std::string_view(type.services.front())
                                                : std::string_view(m_lead[LService]);
        vars.category
            = m_category ? std::string_view(m_category->name) : std::string_view(type.label);
        vars.first = m_pools.firstNames[size_t(c.first)];
        vars.businessType = m_pools.chatbotBusinessTypes[m_chatbotBusinessType];
        vars.staffSize = m_pools.staffSizes[m_staffSize];
        vars.city = city.city;
        expand(m_opening, m_rng.pick(m_pools.templates[size_t(channel)].opening), vars);
    }
}

void Generator::simulateConversation(int channel, qint64 created, bool neglected)
{
    m_messageCount = 0;
    const auto push = [this](qint64 at, bool inbound) {
        if (m_messageCount == m_messages.size())
            m_messages.emplace_back();
        Message &m = m_messages[m_messageCount++];
        m.at = at;
        m.inbound = inbound;
        m.error = nullptr;
    };
    const bool inboundFirst = startsWithInbound(channel);
    if (neglected) {
        // Nobody answered: the lead's request, perhaps a nudge, and silence.
        if (!inboundFirst)
            return;
        qint64 t = created + m_rng.between(2 * kSecondMs, 40 * kSecondMs);
        if (t >= m_now)
            return;
        push(t, true);
        t += leadReplyDelay();
        if (m_rng.chance(0.3) && t < m_now)
            push(t, true);
        return;
    }
    // Truncation at "now" and unanswered leads pull the mean below the target; this factor
    // brings the average back to messagesPerLead.
    const int target = 1 + m_rng.poisson(std::max(0.0, m_options.messagesPerLead * 1.07 - 1.0));
    bool inbound = inboundFirst;
    bool answered = false;
    qint64 t = inbound ? created + m_rng.between(2 * kSecondMs, 40 * kSecondMs)
                       : businessTime(created + firstResponseDelay());
    while (int(m_messageCount) < target && t < m_now) {
        push(t, inbound);
        answered = answered || !inbound;
        const bool nextInbound = inbound ? m_rng.chance(0.15) : m_rng.chance(0.8);
        if (nextInbound)
            t += leadReplyDelay();
        else
            t = businessTime(t + (answered ? businessReplyDelay() : firstResponseDelay()));
        inbound = nextInbound;
    }
}

Status Generator::pickStatus(qint64 created)
{
    // contacted, qualified, proposal, closed_won, closed_lost by the lead's age.
    const double ageDays = double(m_now - created) / kDayMs;
    std::array<double, 5> weights{};
    if (ageDays < 1)
        weights = {80, 17, 3, 0, 0};
    else if (ageDays < 7)
        weights = {45, 27, 14, 5, 9};
    else if (ageDays < 30)
        weights = {32, 19, 13, 12, 24};
    else
        weights = {29, 15, 9, 16, 31};
    return Status(1 + m_rng.weighted(weights));
}

void Generator::writeBodies(int channel, Status status, const Vars &base)
{
    const Templates &templates = m_pools.templates[size_t(channel)];
    Vars vars = base;
    bool firstInbound = true;
    bool firstOutbound = true;
    for (size_t i = 0; i < m_messageCount; ++i) {
        Message &m = m_messages[i];
        const bool last = i + 1 == m_messageCount;
        vars.day = m_rng.pick(m_pools.days);
        vars.time = m_rng.pick(m_pools.times);
        if (m.inbound && firstInbound) {
            m.body = m_opening;
            firstInbound = false;
            continue;
        }
        const std::string *tpl = nullptr;
        if (last && status == ClosedWon && !m.inbound)
            tpl = &m_rng.pick(m_pools.closingWon);
        else if (last && status == ClosedLost)
            tpl = &m_rng.pick(m.inbound ? m_pools.closingLostIn : m_pools.closingLostOut);
        else if (m.inbound)
            tpl = &m_rng.pick(templates.inbound);
        else
            tpl = &m_rng.pick(firstOutbound ? templates.firstOutbound : templates.outbound);
        if (!m.inbound)
            firstOutbound = false;
        expand(m.body, *tpl, vars);
    }
}

void Generator::writeDeliveryStatuses(int channel)
{
    // Provider message ids lead with the send time in an ASCII-ordered alphabet, so their unique
    // index grows at its end like the time-ordered tables instead of at random places.
    static constexpr char kBase64[]
        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    static constexpr char kSorted62[]
        = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static constexpr char kHex[] = "0123456789abcdef";
    bool laterInbound = false;
    for (size_t i = m_messageCount; i-- > 0;) {
        Message &m = m_messages[i];
        m.externalId.clear();
        ++m_messageSerial;
        const auto randomText = [&](const char *alphabet, int bitsPerChar, int length) {
            quint64 bits = m_rng.next();
            int left = 64 / bitsPerChar;
            for (int j = 0; j < length; ++j) {
                if (left-- == 0) {
                    bits = m_rng.next();
                    left = 64 / bitsPerChar - 1;
                }
                m.externalId += alphabet[bits & ((1u << bitsPerChar) - 1)];
                bits >>= bitsPerChar;
            }
        };
        const auto timePrefix = [&](const char *alphabet, quint64 base, int width) {
            char digits[16];
            quint64 value = quint64(m.at);
            for (int j = width - 1; j >= 0; --j, value /= base)
                digits[j] = alphabet[value % base];
            m.externalId.append(digits, size_t(width));
        };
        switch (channel) {
        case WhatsApp:
            m.externalId = "wamid.HBgL";
            timePrefix(kSorted62, 62, 8);
            randomText(kBase64, 6, 32);
            break;
        case Messenger:
            m.externalId = "m_";
            timePrefix(kSorted62, 62, 8);
            randomText(kBase64, 6, 32);
            break;
        case Sms:
            m.externalId = "SM";
            timePrefix(kHex, 16, 11);
            randomText(kHex, 4, 21);
            break;
        case Thumbtack:
            // Thumbtack's ids are time-ordered numbers; the serial keeps equal times apart.
            m.externalId = "59";
            appendPadded(m.externalId, quint64(m.at), 13);
            appendPadded(m.externalId, quint64(m_messageSerial) % 100'000'000ULL, 8);
            break;
        default:
            break; // e-mail replies and form submissions carry no provider id
        }

        if (m.inbound) {
            m.status = "received";
            laterInbound = true;
            continue;
        }
        const qint64 age = m_now - m.at;
        if (age < kMinuteMs)
            m.status = "sent";
        else if (channel == Sms && m_rng.chance(0.006)) {
            m.status = "failed";
            m.error = "30006: Landline or unreachable carrier";
        } else if (hasReadReceipts(channel))
            m.status = (laterInbound || m_rng.chance(0.6)) ? "read" : "delivered";
        else
            m.status = "delivered";
    }
}

qint64 Generator::advance(qint64 from)
{
    qint64 t = from + m_rng.between(2 * kHourMs, 5 * kDayMs);
    if (t >= m_now)
        t = from + qint64(double(m_now - from) * m_rng.uniform());
    return std::max(t, from);
}

void Generator::planActivities(Status status, int assignee, int campaign, const Contact &contact,
                               qint64 created, qint64 estimate)
{
    m_activityCount = 0;
    const auto add = [this](qint64 at, const char *type, int performer) -> Activity & {
        if (m_activityCount == m_activities.size())
            m_activities.emplace_back();
        Activity &a = m_activities[m_activityCount++];
        a.at = at;
        a.type = type;
        a.performer = performer;
        a.description.clear();
        a.metadata.clear();
        return a;
    };
    const int actor = assignee >= 0 ? assignee : 0;

    if (assignee >= 0) {
        const double u = m_rng.uniform();
        const char *reason = campaign >= 0 && u < 0.3 ? "campaign_rule"
                             : u < 0.9                ? "round_robin"
                                                      : "manual";
        const bool manual = reason[0] == 'm';
        qint64 at = created
                    + (manual ? m_rng.between(5 * kMinuteMs, 3 * kHourMs)
                              : m_rng.between(kSecondMs, 20 * kSecondMs));
        at = std::min(at, std::max(created, m_now - 1));
        Activity &a = add(at, "assignment", manual ? 0 : -1);
        a.description = "Assigned to " + m_users[size_t(assignee)].username;
        JsonObject meta(a.metadata);
        meta.text("reason", reason).text("to", m_users[size_t(assignee)].username);
        if (reason[0] == 'c')
            meta.text("campaign", m_pools.campaigns[size_t(campaign)].externalId);
        meta.close();
    }

    qint64 firstOut = 0;
    qint64 lastMessage = created;
    for (size_t i = 0; i < m_messageCount; ++i) {
        if (firstOut == 0 && !m_messages[i].inbound)
            firstOut = m_messages[i].at;
        lastMessage = m_messages[i].at;
    }
    if (status == New || firstOut == 0)
        return;

    // The path through the funnel to the current status.
    std::array<Status, 5> path{};
    size_t steps = 0;
    path[steps++] = Contacted;
    if (status == ClosedLost) {
        const size_t reached = m_rng.weighted(std::array<double, 3>{50, 30, 20});
        if (reached >= 1)
            path[steps++] = Qualified;
        if (reached >= 2)
            path[steps++] = Proposal;
        path[steps++] = ClosedLost;
    } else {
        for (Status s : {Qualified, Proposal, ClosedWon}) {
            if (s <= status && !(s == Proposal && status == ClosedWon && m_rng.chance(0.3)))
                path[steps++] = s;
        }
    }
    qint64 at = firstOut;
    Status from = New;
    for (size_t i = 0; i < steps; ++i) {
        const Status to = path[i];
        if (i > 0)
            at = advance(at);
        if (to == ClosedWon || to == ClosedLost)
            at = std::min(std::max(at, lastMessage + m_rng.between(kMinuteMs, 2 * kHourMs)),
                          std::max(at, m_now - 1));
        Activity &a = add(at, "status_changed", actor);
        a.description = std::string("Status changed from ") + kStatusNames[size_t(from)] + " to "
                        + kStatusNames[size_t(to)];
        JsonObject meta(a.metadata);
        meta.text("from", kStatusNames[size_t(from)]).text("to", kStatusNames[size_t(to)]);
        if (to == ClosedLost)
            meta.text("reason", m_rng.pick(m_pools.lostReasons));
        if (to == ClosedWon)
            meta.number("value_cents", estimate);
        meta.close();
        if (to == Qualified && m_rng.chance(0.2)) {
            Activity &meeting = add(at, "meeting_scheduled", actor);
            meeting.description = "Site visit scheduled";
            JsonObject m(meeting.metadata);
            m.number("starts_at", at + m_rng.between(1, 6) * kDayMs);
            m.close();
        }
        if (to == Proposal) {
            Activity &proposal = add(at, "proposal_sent", actor);
            proposal.description = "Proposal sent";
            JsonObject m(proposal.metadata);
            m.number("amount_cents", estimate);
            m.close();
        }
        from = to;
    }

    // A moment in the week after `after`, never in the future.
    const auto sometime = [&](qint64 after) {
        const qint64 until = std::min(m_now - 1, after + 7 * kDayMs);
        return until <= after ? after : after + qint64(double(until - after) * m_rng.uniform());
    };
    if (!contact.phone.empty() && m_rng.chance(0.2)) {
        const std::string &outcome = m_rng.pick(m_pools.callOutcomes);
        const qint64 seconds
            = outcome == "connected" ? m_rng.between(45, 1500) : m_rng.between(5, 40);
        Activity &a = add(sometime(firstOut), "call_made", actor);
        a.description = outcome == "connected"
                            ? "Call, " + std::to_string(seconds / 60 + 1) + " min"
                            : "Call: " + outcome;
        JsonObject meta(a.metadata);
        meta.text("outcome", outcome).number("duration_seconds", seconds).text("to", contact.phone);
        meta.close();
    }
    if (!m_lead[LEmail].empty() && m_rng.chance(0.15)) {
        Vars vars;
        vars.service = m_lead[LService];
        Activity &a = add(sometime(firstOut), "email_sent", actor);
        expand(a.description, m_rng.pick(m_pools.emailSubjects), vars);
        JsonObject meta(a.metadata);
        meta.text("subject", a.description).text("to", m_lead[LEmail]);
        meta.close();
    }
    if (m_rng.chance(0.2)) {
        Activity &a = add(sometime(created), "note_added", actor);
        a.description = m_rng.pick(m_pools.notes);
    }
}

} // namespace

DemoDataGenerator::DemoDataGenerator(Database &db, Options options)
    : m_db(db)
    , m_options(options)
{}

QList<DemoDataGenerator::Credentials> DemoDataGenerator::credentials()
{
    QList<Credentials> out;
    for (const DemoAccount &account : kAccounts)
        out.append({QString::fromLatin1(account.username), QString::fromLatin1(account.password),
                    QString::fromLatin1(account.roleName), QString::fromUtf8(account.displayName)});
    return out;
}

bool DemoDataGenerator::isDemoStore(Database &db, const QString &businessId)
{
    QSqlQuery &query = db.prepared(
        QStringLiteral("SELECT value FROM settings WHERE business_id = ? AND key = 'demo'"));
    query.addBindValue(businessId);
    const bool demo
        = query.exec() && query.next() && query.value(0).toString() == QLatin1String("true");
    query.finish();
    return demo;
}

Result<void> DemoDataGenerator::generate(const QString &businessId,
                                         const std::function<void(qint64, qint64)> &progress)
{
    m_stats = {};
    QElapsedTimer timer;
    timer.start();
    if (m_options.leads < 1)
        return fail(QStringLiteral("the number of demo leads must be at least 1"),
                    QStringLiteral("leads"));
    auto *handle = static_cast<sqlite3 *>(m_db.sqliteHandle());
    if (!handle)
        return fail(QStringLiteral("demo data needs an SQLite store"));

    QString businessName;
    QTimeZone zone = QTimeZone::utc();
    {
        QSqlQuery &query = m_db.prepared(
            QStringLiteral("SELECT name, time_zone FROM businesses WHERE id = ? AND deleted = 0"));
        query.addBindValue(businessId);
        if (auto ok = m_db.exec(query); !ok)
            return ok;
        if (!query.next())
            return fail(QStringLiteral("there is no business %1 in this store").arg(businessId));
        businessName = query.value(0).toString();
        const QTimeZone named(query.value(1).toString().toUtf8());
        if (named.isValid())
            zone = named;
        query.finish();
    }
    {
        QSqlQuery &query
            = m_db.prepared(QStringLiteral("SELECT 1 FROM leads WHERE business_id = ? LIMIT 1"));
        query.addBindValue(businessId);
        if (auto ok = m_db.exec(query); !ok)
            return ok;
        const bool hasLeads = query.next();
        query.finish();
        if (hasLeads)
            return fail(QStringLiteral("the store already holds leads; demo data is only generated "
                                       "into an empty store"));
    }

    const qint64 nowMs
        = m_options.nowMs > 0 ? m_options.nowMs : QDateTime::currentMSecsSinceEpoch();
    auto pools = loadPools(QDateTime::fromMSecsSinceEpoch(nowMs, zone).date());
    if (!pools)
        return std::unexpected(pools.error());

    // Accounts first, through the service that owns the password policy and hashing. An account
    // of the same name that already exists is reused as it is.
    std::array<DemoUser, 3> users;
    QStringList createdUsers;
    AccountService accounts(m_db);
    for (size_t i = 0; i < kAccounts.size(); ++i) {
        const DemoAccount &account = kAccounts[i];
        const QString username = QString::fromLatin1(account.username);
        QString id;
        {
            QSqlQuery &query = m_db.prepared(QStringLiteral(
                "SELECT id FROM users WHERE business_id = ? AND username = ? AND deleted = 0"));
            query.addBindValue(businessId);
            query.addBindValue(username);
            if (auto ok = m_db.exec(query); !ok)
                return ok;
            if (query.next())
                id = query.value(0).toString();
            query.finish();
        }
        if (id.isEmpty()) {
            auto user
                = accounts.createUser(businessId, username, QString::fromUtf8(account.displayName),
                                      QString::fromLatin1(account.password), account.role,
                                      QString::fromLatin1(account.email));
            if (!user)
                return fail(QStringLiteral("cannot create the demo account %1: %2")
                                .arg(username, user.error().toString()));
            id = user->id;
            createdUsers.append(id);
            ++m_stats.users;
        }
        const std::string displayName = account.displayName;
        users[i]
            = {id.toStdString(), account.username, displayName.substr(0, displayName.find(' '))};
    }

    Generator generator(handle, *pools, m_options, nowMs, businessId, businessName, zone, m_stats);
    generator.setUsers(users);
    Result<void> generated;
    {
        const BulkLoadSettings settings(handle, m_options.leads);
        generated = generator.run(progress);
    }
    if (!generated) {
        // Take back what the committed batches wrote, so a second attempt is not refused: the
        // business had no leads before, so every lead (and what hangs off it) is ours.
        const qint64 leadsWritten = m_stats.leads;
        Transaction cleanup(m_db);
        const QStringList statements = {
            QStringLiteral("DELETE FROM messages WHERE lead_id IN (SELECT id FROM leads WHERE "
                           "business_id = :b)"),
            QStringLiteral("DELETE FROM activities WHERE lead_id IN (SELECT id FROM leads WHERE "
                           "business_id = :b)"),
            QStringLiteral("DELETE FROM conversations WHERE lead_id IN (SELECT id FROM leads WHERE "
                           "business_id = :b)"),
            QStringLiteral("DELETE FROM contact_identities WHERE contact_id IN (SELECT contact_id "
                           "FROM leads WHERE business_id = :b)"),
            QStringLiteral("DELETE FROM contacts WHERE id IN (SELECT contact_id FROM leads WHERE "
                           "business_id = :b)"),
            QStringLiteral("DELETE FROM leads WHERE business_id = :b"),
        };
        for (const QString &sql : statements) {
            QSqlQuery query(m_db.connection());
            query.prepare(sql);
            query.bindValue(QStringLiteral(":b"), businessId);
            (void)m_db.exec(query);
        }
        const auto removeIds = [this](const QString &table, const QStringList &ids) {
            for (const QString &id : ids) {
                QSqlQuery query(m_db.connection());
                query.prepare(QStringLiteral("DELETE FROM ") + table
                              + QStringLiteral(" WHERE id = ?"));
                query.addBindValue(id);
                (void)m_db.exec(query);
            }
        };
        QStringList sources, campaigns;
        for (const std::string &id : generator.createdSources())
            sources.append(QString::fromStdString(id));
        for (const std::string &id : generator.createdCampaigns())
            campaigns.append(QString::fromStdString(id));
        removeIds(QStringLiteral("sources"), sources);
        removeIds(QStringLiteral("campaigns"), campaigns);
        removeIds(QStringLiteral("users"), createdUsers);
        (void)cleanup.commit();
        qCWarning(lcStore) << "demo data generation failed after" << leadsWritten
                           << "leads:" << generated.error().message;
        m_stats = {};
        return generated;
    }
    m_stats.elapsedMs = timer.elapsed();
    qCInfo(lcStore).nospace() << "demo data: " << m_stats.leads << " leads, " << m_stats.contacts
                              << " contacts, " << m_stats.messages << " messages, "
                              << m_stats.activities << " activities in " << m_stats.elapsedMs
                              << " ms";
    return {};
}

} // namespace LeadDesk::Core
