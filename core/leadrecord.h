#pragma once

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>

#include <optional>

namespace LeadDesk::Core {

// A lead as a source delivered it: every value still the text the source sent, before
// validation and normalisation. Adapters (CSV vendors, web forms, channels) fill this in.
struct RawLead
{
    QString channel;    // source kind: csv, webform, whatsapp, ...
    QString externalId; // the source's own id for this lead, when it has one
    QString sourceId;   // the configured source it arrived through, when known

    QString firstName, lastName, fullName, email, phone, altPhone, company;
    QString street, city, state, postalCode, country;

    QString campaignId, campaignName, sourceLabel, medium;
    QString utmSource, utmMedium, utmCampaign, utmTerm, utmContent;
    QString serviceInterest, urgency, message, budgetRange, timeline;
    QString visitorId, sessionId, ipAddress, userAgent, referrerUrl, landingPageUrl;
    QString consentGiven; // as sent: "true", "yes", "1"...
    QString createdAt;    // as sent; empty means "now"

    // Source-specific values (credit rating, loan amounts, Q&A...), keyed by canonical detail name
    // (see VendorProfile), still raw text.
    QList<std::pair<QString, QString>> details;
};

// One field that failed validation or normalisation.
struct FieldError
{
    QString field;
    QString message;
};

// A validated, normalised lead ready to be resolved and stored.
struct LeadRecord
{
    QString id;
    QString businessId;
    QString contactId;
    QString sourceId;
    QString channel;
    QString externalId;

    QString firstName, lastName, email, phone, company; // phone in E.164, email lower-cased domain
    QString street, city, state, postalCode, country, addressLine;

    QString campaignRef; // campaigns.external_id as sent; resolved to campaigns.id on insert
    QString campaignId;  // campaigns.id
    QString campaignName, sourceLabel, medium;
    QString utmSource, utmMedium, utmCampaign, utmTerm, utmContent;
    QString serviceInterest, urgency, message, budgetRange, timeline;
    QString visitorId, sessionId, ipAddress, userAgent, referrerUrl, landingPageUrl;
    bool consentGiven = false;

    int score = 0;
    QString grade = QStringLiteral("D");
    QString qualification = QStringLiteral("unqualified");
    QJsonObject scoreBreakdown;
    QString status = QStringLiteral("new");
    QString assignedTo;

    QJsonObject details; // typed source-specific values
    qint64 createdAtMs = 0;

    // The SLA clock a new lead starts with (SlaClock's ingestion stage fills them in before the
    // insert, so the row is written once); none: the lead starts without one.
    std::optional<qint64> slaStartedAt, slaAtRiskAt, responseDueAt, firstResponseDueAt;
};

} // namespace LeadDesk::Core

Q_DECLARE_METATYPE(LeadDesk::Core::RawLead)
