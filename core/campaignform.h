#pragma once

#include "leadrecord.h"
#include "normalizer.h"

#include <QJsonObject>
#include <QString>

#include <expected>

namespace LeadDesk::Core {

// Seed 004's campaign form (POST /v1/api/leads): its request JSON validated and mapped to a lead,
// with the seed's error vocabulary. Pure: no store, no network, any thread.
//
// Required: campaign_id, source, contact.firstName, contact.lastName, contact.email. Every other
// field of the seed is optional; unknown fields are ignored (they stay in the journal's copy of
// the body). Text fields must be JSON strings (null counts as absent) within the seed's column
// sizes; e-mail and phone must be valid (the phone becomes E.164). snake_case spellings of the
// contact fields (first_name...) are accepted too. Besides the seed's fields, forms may send
// tracking.time_on_page_seconds and tracking.return_visitor, which the scoring rules read.
//
// Phones: a malformed number (letters, too few or too many digits) is the seed's "Invalid phone
// format". A well-formed number that libphonenumber does not know as assigned - the seed's own
// example "+1-555-123-4567" - does not cost the lead: it is kept in E.164 form with
// details.phone_unverified = true.
class CampaignForm final
{
public:
    // The first problem found (the seed's error shape names one field).
    struct Problem
    {
        QString code = QStringLiteral("VALIDATION_ERROR");
        QString message; // "Invalid email format"
        QString field;   // seed path: "contact.email"
    };

    // `nowMs` stamps the lead (the form's own timestamp is kept in details, not trusted for
    // created_at); `remoteAddress` stands in for tracking.ip_address when the form sent none.
    [[nodiscard]] static std::expected<LeadRecord, Problem>
    toLead(const QJsonObject &body, const Normalizer &normalizer, qint64 nowMs,
           const QString &remoteAddress = {});

    // The campaign_id of a body, trimmed; empty when absent or not a string (rate limiting
    // reads it before validation).
    [[nodiscard]] static QString campaignIdOf(const QJsonObject &body);

    // The seed's public lead id: "lead_" + the lead's UUID without dashes.
    [[nodiscard]] static QString publicLeadId(const QString &uuid);
    // The lead UUID of a public id (or of a bare UUID); empty when it is neither.
    [[nodiscard]] static QString uuidOfPublicId(const QString &publicId);

    // What the success answer promises, by grade: A "1 hour", B "4 hours", C "24 hours",
    // D "48 hours".
    [[nodiscard]] static QString expectedResponseTime(const QString &grade);

    // The seed's success answer for a stored lead, as JSON text: written directly, in the key
    // order QJsonDocument writes, because it is built on the store's writer thread for every
    // campaign-form lead (a QJsonObject and its serialisation were 7% of that thread's work).
    [[nodiscard]] static QByteArray successResponse(const QString &grade, bool hasPhone,
                                                    const QString &leadId);
};

} // namespace LeadDesk::Core
