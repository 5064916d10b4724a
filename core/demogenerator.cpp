#include "demogenerator.h"

#include <QDateTime>

#include <sqlite3.h>

#include <algorithm>

namespace LeadDesk::Core::Demo {

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
            json.text("page_id", m_content.pageId);
            break;
        case LeadAds: {
            json.text("page_id", m_content.pageId).key("form_ids");
            settings += '[';
            for (size_t i = 0; i < m_content.leadAdsForms.size(); ++i) {
                if (i > 0)
                    settings += ',';
                appendJsonString(settings, m_content.leadAdsForms[i].formId);
            }
            settings += ']';
            break;
        }
        case Thumbtack:
            json.text("business_id", m_content.thumbtackBusinessId).text("api", "v4");
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
            json.text("vendors", "experian,transunion,leadsource").text("folder", "vendor-inbox");
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
    for (const CampaignDef &campaign : m_content.campaigns) {
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
    const City &city = m_content.cities[size_t(contact.city)];
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
    const std::string &first = m_content.firstEmail[size_t(contact.first)];
    const std::string &last = m_content.lastEmail[size_t(contact.last)];
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
    const std::string &domain = work ? m_content.companyDomains[size_t(contact.company)]
                                     : m_rng.pick(m_content.emailDomains);
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
    c.first = int(m_rng.index(m_content.firstNames.size()));
    c.last = int(m_rng.index(m_content.lastNames.size()));
    c.city = int(m_rng.index(m_content.cities.size()));
    const bool business = channel == Chatbot || (channel == WebForm && m_rng.chance(0.5));
    c.company
        = (business || m_rng.chance(0.12)) ? int(m_rng.index(m_content.companies.size())) : -1;
    c.businessType = channel == Chatbot ? m_content.itServices
                                        : int(m_rng.index(m_content.businessTypes.size()));
    const City &city = m_content.cities[size_t(c.city)];
    c.street.clear();
    if (channel == Csv || channel == Thumbtack || m_rng.chance(0.55)) {
        appendInt(c.street, m_rng.between(10, 9899));
        c.street += ' ';
        c.street += m_rng.pick(m_content.streets);
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
    const City &city = m_content.cities[size_t(c.city)];
    const std::string_view company = c.company >= 0
                                         ? std::string_view(m_content.companies[size_t(c.company)])
                                         : std::string_view();
    const bool hasEmail = !c.email.empty();
    const bool hasPhone = !c.phone.empty();
    if (auto ok = m_insertContact.text(c.id)
                      .text(m_business)
                      .text(m_content.firstNames[size_t(c.first)])
                      .text(m_content.lastNames[size_t(c.last)])
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

} // namespace LeadDesk::Core::Demo
