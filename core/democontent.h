#pragma once

#include "demotext.h"
#include "result.h"

#include <QDate>

#include <array>
#include <string>
#include <vector>

namespace LeadDesk::Core::Demo {

// The channels a demo lead arrives on, in the order of the sources the generator creates.
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
inline constexpr std::array<const char *, kChannels> kChannelNames
    = {"whatsapp", "messenger", "leadads", "thumbtack", "sms", "webform", "chatbot", "csv"};
inline constexpr std::array<const char *, kChannels> kSourceNames
    = {"WhatsApp Business", "Facebook Page", "Facebook Lead Ads", "Thumbtack",
       "Twilio SMS",        "Website forms", "Website chatbot",   "Vendor files"};
inline constexpr std::array<double, kChannels> kChannelWeights = {12, 10, 14, 12, 10, 25, 8, 9};

inline bool needsPhone(int channel)
{
    return channel == WhatsApp || channel == Sms || channel == Thumbtack;
}
inline bool needsEmail(int channel)
{
    return channel == WebForm || channel == LeadAds || channel == Chatbot || channel == Csv;
}
inline bool hasReadReceipts(int channel)
{
    return channel == WhatsApp || channel == Messenger || channel == Thumbtack;
}
// Form and vendor leads arrive without a message: the business writes first.
inline bool startsWithInbound(int channel)
{
    return channel != LeadAds && channel != Csv;
}

// The content catalogue (resources/config/demo-names.json): names, places, businesses,
// campaigns, per-channel details and message templates the generator draws from.

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

struct Content
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

    // Reads the catalogue from the resources; "{year}", "{quarter}" and "{month}" in campaign
    // names become today's. Fails when a list the generator draws from is missing or empty.
    static Result<Content> load(const QDate &today);
};

} // namespace LeadDesk::Core::Demo
