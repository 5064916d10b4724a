#include "democontent.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace LeadDesk::Core::Demo {

namespace {

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

} // namespace

Result<Content> Content::load(const QDate &today)
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
    Content p;
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

} // namespace LeadDesk::Core::Demo
