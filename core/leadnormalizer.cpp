#include "leadnormalizer.h"

#include "vendorprofile.h"

#include <QJsonArray>

namespace LeadDesk::Core {

namespace {

// Vendors write open-ended amounts such as "500000 or more" or "Over 1200000".
QString stripOpenEnded(const QString &value, bool *openEnded)
{
    QString v = value.trimmed();
    *openEnded = false;
    if (v.startsWith(QLatin1String("over "), Qt::CaseInsensitive)) {
        v = v.mid(5);
        *openEnded = true;
    }
    if (v.endsWith(QLatin1String(" or more"), Qt::CaseInsensitive)) {
        v.chop(8);
        *openEnded = true;
    }
    if (v.endsWith(QLatin1Char('+'))) {
        v.chop(1);
        *openEnded = true;
    }
    return v.trimmed();
}

bool isBlank(const QString &value)
{
    for (const QChar c : value) {
        if (!c.isSpace())
            return false;
    }
    return true;
}

} // namespace

LeadNormalizer::LeadNormalizer(const Normalizer &normalizer, QTimeZone zone)
    : m_normalizer(normalizer)
    , m_zone(std::move(zone))
{}

LeadNormalizer::Outcome LeadNormalizer::normalize(const RawLead &raw, qint64 nowMs) const
{
    Outcome outcome;
    LeadRecord &r = outcome.record;
    auto error = [&outcome](const char *field, const QString &message) {
        outcome.errors.push_back({QString::fromLatin1(field), message});
    };
    auto trimmed = [](const QString &v) {
        return v.trimmed();
    };

    r.channel = raw.channel;
    r.externalId = raw.externalId.trimmed();
    r.sourceId = raw.sourceId;

    QString first = raw.firstName, last = raw.lastName;
    if (isBlank(first) && isBlank(last) && !isBlank(raw.fullName)) {
        // "Ana María de la Cruz": the first word is the given name, the rest the family name.
        const QStringList words = raw.fullName.simplified().split(QLatin1Char(' '));
        first = words.first();
        last = words.mid(1).join(QLatin1Char(' '));
    }
    if (!isBlank(first))
        r.firstName = Normalizer::personName(first).value_or(QString());
    if (!isBlank(last))
        r.lastName = Normalizer::personName(last).value_or(QString());

    if (!isBlank(raw.email)) {
        if (auto email = Normalizer::email(raw.email))
            r.email = *email;
        else
            error("email", email.error());
    }
    if (!isBlank(raw.phone)) {
        if (auto phone = m_normalizer.phoneE164(raw.phone))
            r.phone = *phone;
        else
            error("phone", phone.error());
    }
    if (!isBlank(raw.altPhone)) {
        if (auto phone = m_normalizer.phoneE164(raw.altPhone)) {
            if (isBlank(raw.phone))
                r.phone = *phone; // the alternative number stands in when no main one was sent
            else if (*phone != r.phone)
                r.details.insert(QStringLiteral("alt_phone"), *phone);
        } else {
            error("alt_phone", phone.error());
        }
    }
    if (r.email.isEmpty() && r.phone.isEmpty() && outcome.errors.isEmpty())
        error("email", QStringLiteral("an e-mail address or a phone number is required"));

    r.company = trimmed(raw.company);
    r.street = raw.street.simplified();
    r.city = Normalizer::personName(raw.city).value_or(QString()); // city names case like names
    r.country = raw.country.trimmed().toUpper();
    const bool usAddress = r.country.isEmpty() || r.country == QLatin1String("US")
                           || r.country == QLatin1String("USA");
    if (!isBlank(raw.state)) {
        if (!usAddress) {
            r.state = raw.state.simplified();
        } else if (auto state = Normalizer::stateCode(raw.state)) {
            r.state = *state;
        } else {
            error("state", state.error());
        }
    }
    r.postalCode = raw.postalCode.trimmed();
    r.addressLine = Normalizer::addressLine(r.street, r.city, r.state, r.postalCode);

    r.campaignRef = trimmed(raw.campaignId);
    r.campaignName = trimmed(raw.campaignName);
    r.sourceLabel = trimmed(raw.sourceLabel);
    r.medium = trimmed(raw.medium);
    r.utmSource = trimmed(raw.utmSource);
    r.utmMedium = trimmed(raw.utmMedium);
    r.utmCampaign = trimmed(raw.utmCampaign);
    r.utmTerm = trimmed(raw.utmTerm);
    r.utmContent = trimmed(raw.utmContent);
    r.serviceInterest = trimmed(raw.serviceInterest);
    r.urgency = trimmed(raw.urgency);
    r.message = raw.message.trimmed(); // keeps inner newlines
    r.budgetRange = trimmed(raw.budgetRange);
    r.timeline = trimmed(raw.timeline);
    r.visitorId = trimmed(raw.visitorId);
    r.sessionId = trimmed(raw.sessionId);
    r.ipAddress = trimmed(raw.ipAddress);
    r.userAgent = trimmed(raw.userAgent);
    r.referrerUrl = trimmed(raw.referrerUrl);
    r.landingPageUrl = trimmed(raw.landingPageUrl);

    if (!isBlank(raw.consentGiven)) {
        if (auto consent = Normalizer::boolean(raw.consentGiven))
            r.consentGiven = *consent;
        else
            error("consent_given", consent.error());
    }
    r.createdAtMs = nowMs;
    if (!isBlank(raw.createdAt)) {
        if (auto created = Normalizer::dateTimeUtc(raw.createdAt, m_zone))
            r.createdAtMs = created->toMSecsSinceEpoch();
        else
            error("created_at", created.error());
    }
    normalizeDetails(raw, outcome);
    return outcome;
}

void LeadNormalizer::normalizeDetails(const RawLead &raw, Outcome &outcome) const
{
    QJsonObject &details = outcome.record.details;
    for (const auto &[key, value] : raw.details) {
        if (isBlank(value))
            continue;
        auto error = [&outcome, &key](const QString &message) {
            outcome.errors.push_back({key, message});
        };
        switch (VendorProfile::detailType(key)) {
        case VendorProfile::DetailType::Text:
            details.insert(key, value.trimmed());
            break;
        case VendorProfile::DetailType::Integer: {
            bool ok = false;
            const qlonglong n = value.trimmed().toLongLong(&ok);
            if (ok)
                details.insert(key, n);
            else
                error(QStringLiteral("is not a whole number"));
            break;
        }
        case VendorProfile::DetailType::CreditScore:
            if (auto score = Normalizer::creditScore(value))
                details.insert(key, *score);
            else
                error(score.error());
            break;
        case VendorProfile::DetailType::Boolean:
            if (auto flag = Normalizer::boolean(value))
                details.insert(key, *flag);
            else
                error(flag.error());
            break;
        case VendorProfile::DetailType::Date:
            if (auto date = Normalizer::dateTimeUtc(value, m_zone))
                details.insert(key, date->toString(Qt::ISODate));
            else
                error(date.error());
            break;
        case VendorProfile::DetailType::Percent: {
            QString v = value.trimmed();
            if (v.endsWith(QLatin1Char('%')))
                v.chop(1);
            bool ok = false;
            const double percent = v.trimmed().toDouble(&ok);
            if (ok && percent >= 0 && percent <= 100)
                details.insert(key, percent);
            else
                error(QStringLiteral("is not a percentage"));
            break;
        }
        case VendorProfile::DetailType::Money: {
            // cash_out arrives as yes/no from some vendors and as an amount from others.
            if (key == QLatin1String("cash_out")) {
                if (auto flag = Normalizer::boolean(value)) {
                    details.insert(key, *flag);
                    break;
                }
            }
            bool openEnded = false;
            const QString amount = stripOpenEnded(value, &openEnded);
            if (auto cents = Normalizer::moneyCents(amount)) {
                details.insert(key + QStringLiteral("_cents"), *cents);
                if (openEnded)
                    details.insert(key + QStringLiteral("_or_more"), true);
                if (key == QLatin1String("cash_out"))
                    details.insert(key, *cents > 0);
            } else {
                error(cents.error());
            }
            break;
        }
        }
    }
}

} // namespace LeadDesk::Core
