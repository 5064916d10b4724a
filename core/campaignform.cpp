#include "campaignform.h"

#include "leadnormalizer.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>
#include <initializer_list>

namespace LeadDesk::Core {

namespace {

using Problem = CampaignForm::Problem;

// One text field of the form: where it sits, its seed spelling (and an accepted alias), the
// RawLead member it fills and its column size in seed 004's schema.
struct TextField
{
    const char *object; // "" for the top level
    const char *name;
    const char *alias; // nullptr: none
    QString RawLead::*member;
    int maxLength;
    bool required;
};

const TextField kTextFields[] = {
    {"", "campaign_id", nullptr, &RawLead::campaignId, 100, true},
    {"", "source", nullptr, &RawLead::sourceLabel, 100, true},
    {"", "campaign_name", nullptr, &RawLead::campaignName, 255, false},
    {"", "medium", nullptr, &RawLead::medium, 100, false},
    {"contact", "firstName", "first_name", &RawLead::firstName, 100, true},
    {"contact", "lastName", "last_name", &RawLead::lastName, 100, true},
    {"contact", "email", nullptr, &RawLead::email, 255, true},
    {"contact", "phone", nullptr, &RawLead::phone, 50, false},
    {"contact", "company", nullptr, &RawLead::company, 255, false},
    {"lead_details", "service_interest", nullptr, &RawLead::serviceInterest, 100, false},
    {"lead_details", "urgency", nullptr, &RawLead::urgency, 50, false},
    {"lead_details", "message", nullptr, &RawLead::message, 5000, false},
    {"lead_details", "budget_range", nullptr, &RawLead::budgetRange, 50, false},
    {"lead_details", "timeline", nullptr, &RawLead::timeline, 50, false},
    {"tracking", "visitor_id", nullptr, &RawLead::visitorId, 255, false},
    {"tracking", "session_id", nullptr, &RawLead::sessionId, 255, false},
    {"tracking", "utm_source", nullptr, &RawLead::utmSource, 255, false},
    {"tracking", "utm_medium", nullptr, &RawLead::utmMedium, 255, false},
    {"tracking", "utm_campaign", nullptr, &RawLead::utmCampaign, 255, false},
    {"tracking", "utm_term", nullptr, &RawLead::utmTerm, 255, false},
    {"tracking", "utm_content", nullptr, &RawLead::utmContent, 255, false},
    {"tracking", "referrer_url", nullptr, &RawLead::referrerUrl, 2048, false},
    {"tracking", "landing_page_url", nullptr, &RawLead::landingPageUrl, 2048, false},
    {"tracking", "user_agent", nullptr, &RawLead::userAgent, 1024, false},
    {"tracking", "ip_address", nullptr, &RawLead::ipAddress, 64, false},
};

// Optional fields whose presence makes a submission "complete" (seed 004's form completion
// rule: all fields +10, required only +5).
const char *const kCompletionFields[]
    = {"phone", "company", "service_interest", "urgency", "message", "budget_range", "timeline"};

QString pathOf(const char *object, const char *name)
{
    return *object ? QString::fromLatin1(object) + QLatin1Char('.') + QLatin1String(name)
                   : QString::fromLatin1(name);
}

std::unexpected<Problem> problem(const QString &field, const QString &message)
{
    return std::unexpected(Problem{QStringLiteral("VALIDATION_ERROR"), message, field});
}

bool isBlank(const QString &value)
{
    for (const QChar c : value) {
        if (!c.isSpace())
            return false;
    }
    return true;
}

// The section objects: absent or null is an empty section; anything else but an object is an
// error.
std::expected<QJsonObject, Problem> section(const QJsonObject &body, const char *name)
{
    if (!*name)
        return body;
    const QJsonValue value = body.value(QLatin1String(name));
    if (value.isUndefined() || value.isNull())
        return QJsonObject();
    if (!value.isObject())
        return problem(QString::fromLatin1(name), QStringLiteral("must be a JSON object"));
    return value.toObject();
}

// A string field's value (empty when absent or null); other JSON types are errors.
std::expected<QString, Problem> textOf(const QJsonObject &object, const char *name,
                                       const char *alias, const QString &path)
{
    QJsonValue value = object.value(QLatin1String(name));
    if ((value.isUndefined() || value.isNull()) && alias)
        value = object.value(QLatin1String(alias));
    if (value.isUndefined() || value.isNull())
        return QString();
    if (!value.isString())
        return problem(path, QStringLiteral("%1 must be a string").arg(path));
    return value.toString();
}

// A phone number as people write it: digits with spaces, dots, dashes and parentheses, an
// optional leading +, 7 to 15 digits. Returns its E.164 form ("+" and the digits, NANP numbers
// of the default region given their country code), or nothing when it is not one.
std::optional<QString> wellFormedPhone(const QString &raw, const QString &region)
{
    QString digits;
    const QString text = raw.trimmed();
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c.isDigit() && c.unicode() < 0x80)
            digits.append(c);
        else if (c == QLatin1Char('+') && i == 0)
            continue;
        else if (!QStringLiteral(" -.()").contains(c))
            return std::nullopt;
    }
    if (digits.size() < 7 || digits.size() > 15)
        return std::nullopt;
    if (text.startsWith(QLatin1Char('+')))
        return QStringLiteral("+") + digits;
    if (region == QLatin1String("US") || region == QLatin1String("CA")) {
        if (digits.size() == 10)
            return QStringLiteral("+1") + digits;
        if (digits.size() == 11 && digits.startsWith(QLatin1Char('1')))
            return QStringLiteral("+") + digits;
    }
    return std::nullopt;
}

} // namespace

std::expected<LeadRecord, Problem> CampaignForm::toLead(const QJsonObject &body,
                                                        const Normalizer &normalizer, qint64 nowMs,
                                                        const QString &remoteAddress)
{
    RawLead raw;
    raw.channel = QStringLiteral("webform");
    for (const char *name : {"contact", "lead_details", "tracking", "form_metadata"}) {
        if (auto ok = section(body, name); !ok)
            return std::unexpected(ok.error());
    }

    int completed = 0;
    for (const TextField &field : kTextFields) {
        if (qstrcmp(field.object, "contact") == 0
            && !body.value(QLatin1String("contact")).isObject())
            return problem(QStringLiteral("contact"), QStringLiteral("contact is required"));
        const QString path = pathOf(field.object, field.name);
        const QJsonObject object = *section(body, field.object);
        auto text = textOf(object, field.name, field.alias, path);
        if (!text)
            return std::unexpected(text.error());
        if (isBlank(*text)) {
            if (field.required)
                return problem(path, QStringLiteral("%1 is required").arg(path));
            continue;
        }
        if (text->size() > field.maxLength)
            return problem(
                path,
                QStringLiteral("%1 is longer than %2 characters").arg(path).arg(field.maxLength));
        if (text->contains(QChar(0)))
            return problem(path, QStringLiteral("%1 contains a NUL character").arg(path));
        raw.*field.member = *text;
        for (const char *name : kCompletionFields) {
            if (qstrcmp(name, field.name) == 0)
                ++completed;
        }
    }
    if (raw.ipAddress.isEmpty())
        raw.ipAddress = remoteAddress;

    const QJsonObject tracking = *section(body, "tracking");
    const QJsonObject metadata = *section(body, "form_metadata");
    const QJsonValue consent = metadata.value(QLatin1String("consent_given"));
    if (consent.isBool()) {
        raw.consentGiven = consent.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    } else if (consent.isString()) {
        raw.consentGiven = consent.toString();
    } else if (!consent.isUndefined() && !consent.isNull()) {
        return problem(QStringLiteral("form_metadata.consent_given"),
                       QStringLiteral("form_metadata.consent_given must be true or false"));
    }

    // Typed extras the scoring rules read; checked here so a wrong type names its field.
    std::optional<double> timeOnPage;
    const QJsonValue seconds = tracking.value(QLatin1String("time_on_page_seconds"));
    if (seconds.isDouble() && seconds.toDouble() >= 0) {
        timeOnPage = seconds.toDouble();
    } else if (!seconds.isUndefined() && !seconds.isNull()) {
        return problem(QStringLiteral("tracking.time_on_page_seconds"),
                       QStringLiteral("tracking.time_on_page_seconds must be a number of "
                                      "seconds"));
    }
    std::optional<bool> returnVisitor;
    const QJsonValue returning = tracking.value(QLatin1String("return_visitor"));
    if (returning.isBool()) {
        returnVisitor = returning.toBool();
    } else if (!returning.isUndefined() && !returning.isNull()) {
        return problem(QStringLiteral("tracking.return_visitor"),
                       QStringLiteral("tracking.return_visitor must be true or false"));
    }
    QJsonObject formDetails;
    for (const char *name : {"form_type", "form_version", "timestamp"}) {
        const QString path = pathOf("form_metadata", name);
        auto text = textOf(metadata, name, nullptr, path);
        if (!text)
            return std::unexpected(text.error());
        if (text->size() > 100)
            return problem(path, QStringLiteral("%1 is longer than 100 characters").arg(path));
        if (!isBlank(*text))
            formDetails.insert(QLatin1String(name), text->trimmed());
    }
    if (formDetails.contains(QLatin1String("timestamp"))) {
        // The form's clock is the visitor's: kept for reference, never used as created_at.
        auto when
            = Normalizer::dateTimeUtc(formDetails.value(QLatin1String("timestamp")).toString());
        if (!when)
            return problem(QStringLiteral("form_metadata.timestamp"),
                           QStringLiteral("form_metadata.timestamp: %1").arg(when.error()));
        formDetails.insert(QStringLiteral("timestamp"), when->toString(Qt::ISODate));
    }

    QString unverifiedPhone;
    if (!raw.phone.isEmpty()) {
        if (auto e164 = normalizer.phoneE164(raw.phone)) {
            raw.phone = *e164;
        } else if (auto written = wellFormedPhone(raw.phone, normalizer.defaultRegion())) {
            unverifiedPhone = *written;
            raw.phone.clear();
        } else {
            return problem(QStringLiteral("contact.phone"), QStringLiteral("Invalid phone format"));
        }
    }

    LeadNormalizer::Outcome outcome = LeadNormalizer(normalizer).normalize(raw, nowMs);
    if (!outcome.errors.isEmpty()) {
        const FieldError &error = outcome.errors.first();
        if (error.field == QLatin1String("email"))
            return problem(QStringLiteral("contact.email"), QStringLiteral("Invalid email format"));
        if (error.field == QLatin1String("phone"))
            return problem(QStringLiteral("contact.phone"), QStringLiteral("Invalid phone format"));
        if (error.field == QLatin1String("consent_given"))
            return problem(QStringLiteral("form_metadata.consent_given"),
                           QStringLiteral("form_metadata.consent_given must be true or false"));
        return problem(error.field, error.field + QStringLiteral(": ") + error.message);
    }
    LeadRecord record = std::move(outcome.record);
    QJsonObject &details = record.details;
    if (!unverifiedPhone.isEmpty()) {
        record.phone = unverifiedPhone;
        details.insert(QStringLiteral("phone_unverified"), true);
    }
    details.insert(QStringLiteral("form_completion"), completed == int(std::size(kCompletionFields))
                                                          ? QStringLiteral("all")
                                                          : QStringLiteral("required"));
    if (timeOnPage)
        details.insert(QStringLiteral("time_on_page_seconds"), *timeOnPage);
    if (returnVisitor)
        details.insert(QStringLiteral("return_visitor"), *returnVisitor);
    if (!formDetails.isEmpty())
        details.insert(QStringLiteral("form"), formDetails);
    return record;
}

QString CampaignForm::campaignIdOf(const QJsonObject &body)
{
    const QJsonValue value = body.value(QLatin1String("campaign_id"));
    return value.isString() ? value.toString().trimmed() : QString();
}

QString CampaignForm::publicLeadId(const QString &uuid)
{
    QString hex = uuid;
    hex.remove(QLatin1Char('-'));
    return QStringLiteral("lead_") + hex;
}

QString CampaignForm::uuidOfPublicId(const QString &publicId)
{
    QString hex = publicId.trimmed();
    if (hex.startsWith(QLatin1String("lead_")))
        hex = hex.mid(5);
    else if (hex.size() == 36)
        hex.remove(QLatin1Char('-'));
    if (hex.size() != 32)
        return {};
    for (const QChar c : hex) {
        const char16_t u = c.unicode();
        if (!((u >= '0' && u <= '9') || (u >= 'a' && u <= 'f')))
            return {};
    }
    return hex.left(8) + QLatin1Char('-') + hex.mid(8, 4) + QLatin1Char('-') + hex.mid(12, 4)
           + QLatin1Char('-') + hex.mid(16, 4) + QLatin1Char('-') + hex.mid(20);
}

QString CampaignForm::expectedResponseTime(const QString &grade)
{
    if (grade == QLatin1String("A"))
        return QStringLiteral("1 hour");
    if (grade == QLatin1String("B"))
        return QStringLiteral("4 hours");
    if (grade == QLatin1String("C"))
        return QStringLiteral("24 hours");
    return QStringLiteral("48 hours");
}

QByteArray CampaignForm::successResponse(const QString &grade, bool hasPhone, const QString &leadId)
{
    const QString publicId = publicLeadId(leadId);
    const bool plain = std::all_of(publicId.begin(), publicId.end(), [](QChar c) {
        return (c.isLetterOrNumber() && c.unicode() < 128) || c == u'_' || c == u'-';
    });
    if (!plain) // not an id this store made: let Qt escape it
        return QJsonDocument(
                   QJsonObject{
                       {QStringLiteral("success"), true},
                       {QStringLiteral("lead_id"), publicId},
                       {QStringLiteral("message"), QStringLiteral("Lead captured successfully")},
                       {QStringLiteral("next_steps"),
                        QJsonObject{
                            {QStringLiteral("expected_response_time"), expectedResponseTime(grade)},
                            {QStringLiteral("contact_method"),
                             hasPhone ? QStringLiteral("phone") : QStringLiteral("email")},
                            {QStringLiteral("tracking_enabled"), true}}}})
            .toJson(QJsonDocument::Compact);
    QByteArray json;
    json.reserve(192);
    json += R"({"lead_id":")";
    json += publicId.toLatin1();
    json += R"(","message":"Lead captured successfully","next_steps":{"contact_method":")";
    json += hasPhone ? "phone" : "email";
    json += R"(","expected_response_time":")";
    json += expectedResponseTime(grade).toLatin1();
    json += R"(","tracking_enabled":true},"success":true})";
    return json;
}

} // namespace LeadDesk::Core
