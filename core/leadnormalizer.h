#pragma once

#include "leadrecord.h"
#include "normalizer.h"

#include <QList>
#include <QTimeZone>

namespace LeadDesk::Core {

// Validates and normalises one raw lead with the Normalizer's rules: every field a source sent
// must be valid (an invalid value fails the lead with that field named, so a vendor file's
// failed-records export says exactly what to fix), and a lead needs an e-mail or a phone.
class LeadNormalizer final
{
public:
    struct Outcome
    {
        LeadRecord record;
        QList<FieldError> errors; // empty when the lead is valid
    };

    explicit LeadNormalizer(const Normalizer &normalizer, QTimeZone zone = QTimeZone::utc());

    [[nodiscard]] Outcome normalize(const RawLead &raw, qint64 nowMs) const;

private:
    void normalizeDetails(const RawLead &raw, Outcome &outcome) const;

    const Normalizer &m_normalizer;
    QTimeZone m_zone;
};

} // namespace LeadDesk::Core
