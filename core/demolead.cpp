#include "demogenerator.h"

#include <algorithm>
#include <bit>

namespace LeadDesk::Core::Demo {

// One lead with its contact, identities, conversation, messages and activities, and the
// fields each channel fills in its own way.

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
    m_lead[LFirst] = m_content.firstNames[size_t(c.first)];
    m_lead[LLast] = m_content.lastNames[size_t(c.last)];
    if (needsEmail(channel))
        m_lead[LEmail] = c.email;
    if (channel != Messenger)
        m_lead[LPhone] = c.phone;

    int businessType = c.businessType;
    fillChannelFields(channel, c, serial, &businessType);
    if (channel == Thumbtack)
        m_threadId = m_lead[LExternal];
    const BusinessType &type = m_content.businessTypes[size_t(businessType)];
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

    const City &city = m_content.cities[size_t(c.city)];
    Vars vars;
    vars.first = m_content.firstNames[size_t(c.first)];
    vars.last = m_content.lastNames[size_t(c.last)];
    vars.service = m_lead[LService];
    vars.city = city.city;
    vars.state = city.state;
    vars.rep = rep.firstName;
    vars.repUsername = rep.username;
    vars.business = m_businessName;
    vars.price = m_price;
    vars.category = m_category ? std::string_view(m_category->name) : std::string_view(type.label);
    vars.campaign = m_campaign >= 0 ? std::string_view(m_content.campaigns[size_t(m_campaign)].name)
                                    : std::string_view(type.label);
    vars.description = m_description;
    vars.businessType = m_content.chatbotBusinessTypes[m_chatbotBusinessType];
    vars.staffSize = m_content.staffSizes[m_staffSize];
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
    const City &city = m_content.cities[size_t(c.city)];
    m_campaign = -1;
    m_category = nullptr;
    m_description.clear();
    m_chatbotBusinessType = m_rng.index(m_content.chatbotBusinessTypes.size());
    m_staffSize = m_rng.index(m_content.staffSizes.size());
    std::string &details = m_lead[LDetails];
    JsonObject json(details);

    const auto setCampaign = [&](int index) {
        m_campaign = index;
        const CampaignDef &campaign = m_content.campaigns[size_t(index)];
        m_lead[LCampaign] = m_campaignIds[size_t(index)];
        m_lead[LCampaignName] = campaign.name;
        m_lead[LUtmCampaign] = campaign.utmCampaign;
        *businessType = campaign.businessType;
    };
    const auto pickCampaign = [&]() {
        double total = 0;
        for (const CampaignDef &campaign : m_content.campaigns)
            total += campaign.weight;
        double x = m_rng.uniform() * total;
        for (size_t i = 0; i < m_content.campaigns.size(); ++i) {
            if ((x -= m_content.campaigns[i].weight) < 0)
                return int(i);
        }
        return int(m_content.campaigns.size() - 1);
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
        const BusinessType &type = m_content.businessTypes[size_t(*businessType)];
        m_lead[LService] = m_rng.pick(type.services);
        m_opening.clear();
        Vars vars;
        vars.question = m_rng.pick(type.questions);
        vars.service = m_lead[LService];
        vars.city = city.city;
        expand(m_opening, m_rng.pick(m_content.templates[WebForm].opening), vars);
        m_lead[LSourceLabel] = withCampaign ? m_rng.pick(m_content.formSources) : "contact-form";
        m_lead[LUrgency] = m_rng.pick(m_content.urgency);
        m_lead[LBudget] = m_rng.pick(m_content.budgets);
        m_lead[LTimeline] = m_rng.pick(m_content.timelines);
        if (c.company >= 0)
            m_lead[LCompany] = m_content.companies[size_t(c.company)];
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
        m_lead[LUserAgent] = m_rng.pick(m_content.userAgents);
        std::string &landing = m_lead[LLanding];
        if (withCampaign) {
            const CampaignDef &campaign = m_content.campaigns[size_t(m_campaign)];
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
                expand(m_lead[LReferrer], m_content.referrerGoogle, referrer);
                const size_t at = m_lead[LReferrer].find("{term}");
                if (at != std::string::npos)
                    m_lead[LReferrer].replace(at, 6, term);
            } else {
                m_lead[LReferrer]
                    = medium == 1 ? m_content.referrerFacebook : m_content.referrerNewsletter;
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
            .text("form_completion", m_rng.chance(0.6) ? "all" : "required")
            .boolean("return_visitor", m_rng.chance(0.3))
            .boolean("consent_given", true);
        break;
    }
    case LeadAds: {
        const LeadAdsForm &form
            = m_content.leadAdsForms[m_rng.index(m_content.leadAdsForms.size())];
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
            .text("page_id", m_content.pageId)
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
            = m_content.thumbtack[m_rng.index(m_content.thumbtack.size())];
        m_category = &category;
        *businessType = category.businessType;
        const BusinessType &type = m_content.businessTypes[size_t(category.businessType)];
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
        json.text("psid", c.psid).text("page_id", m_content.pageId);
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
            *businessType = m_content.itServices;
        else
            *businessType = int(m_rng.index(m_content.businessTypes.size()));
        static constexpr std::array<const char *, 4> kUtm
            = {"direct", "google", "facebook", "newsletter"};
        const size_t utm = m_rng.weighted(std::array<double, 4>{45, 30, 15, 10});
        m_lead[LUtmSource] = kUtm[utm];
        if (utm > 0) {
            static constexpr std::array<const char *, 4> kMedium
                = {"", "organic", "social", "email"};
            m_lead[LUtmMedium] = kMedium[utm];
            m_lead[LMedium] = kMedium[utm];
            for (size_t i = 0; i < m_content.campaigns.size(); ++i) {
                if (m_content.campaigns[i].businessType == *businessType && m_rng.chance(0.6)) {
                    setCampaign(int(i));
                    break;
                }
            }
        }
        if (c.company >= 0)
            m_lead[LCompany] = m_content.companies[size_t(c.company)];
        std::string sessionKey = "cb_";
        for (int i = 0; i < 2; ++i) {
            static constexpr char kHex[] = "0123456789abcdef";
            quint64 bits = m_rng.next();
            for (int j = 0; j < 8; ++j, bits >>= 4)
                sessionKey += kHex[bits & 0x0F];
        }
        m_lead[LSession] = sessionKey;
        json.text("session_key", sessionKey)
            .text("business_type", m_content.chatbotBusinessTypes[m_chatbotBusinessType])
            .text("staff_size", m_content.staffSizes[m_staffSize])
            .text("current_solution", m_rng.pick(m_content.currentSolutions))
            .text("pain_point", m_rng.pick(m_content.painPoints))
            .text("budget", m_rng.pick(m_content.chatbotBudgets))
            .text("decision_maker", m_rng.pick(m_content.decisionMakers))
            .number("questions_answered", m_rng.between(3, 7))
            .number("time_on_site_seconds", m_rng.between(40, 900))
            .text("utm_source", m_lead[LUtmSource]);
        break;
    }
    case Csv: {
        *businessType = m_content.mortgage;
        const std::string &vendor = m_rng.pick(m_content.vendors);
        m_vendorId = vendor == "experian" ? "EXP" : vendor == "transunion" ? "TU" : "LS";
        m_vendorId += '-';
        appendPadded(m_vendorId, scramble(quint64(serial), 100'000'000ULL, 48271ULL, 31'415'926ULL),
                     8);
        m_lead[LExternal] = m_vendorId;
        m_lead[LSourceLabel] = vendor;
        m_lead[LAddress] = c.addressLine;
        m_lead[LState] = city.state;
        const std::string &purpose = m_rng.pick(m_content.loanPurposes);
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
            .text("property_type", m_rng.pick(m_content.propertyTypes))
            .text("property_use", m_rng.pick(m_content.propertyUses))
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
        const BusinessType &type = m_content.businessTypes[size_t(*businessType)];
        Vars vars;
        vars.question = m_rng.pick(type.questions);
        vars.description = m_description;
        vars.service = m_lead[LService].empty() ? std::string_view(type.services.front())
                                                : std::string_view(m_lead[LService]);
        vars.category
            = m_category ? std::string_view(m_category->name) : std::string_view(type.label);
        vars.first = m_content.firstNames[size_t(c.first)];
        vars.businessType = m_content.chatbotBusinessTypes[m_chatbotBusinessType];
        vars.staffSize = m_content.staffSizes[m_staffSize];
        vars.city = city.city;
        expand(m_opening, m_rng.pick(m_content.templates[size_t(channel)].opening), vars);
    }
}

} // namespace LeadDesk::Core::Demo
