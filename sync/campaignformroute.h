#pragma once

#include "inboundroute.h"
#include "normalizer.h"

namespace LeadDesk::Sync {

// Seed 004's POST /v1/api/leads: a campaign form's lead, journalled, validated, normalised,
// scored and stored; answered with the seed's success JSON (lead_id "lead_<uuid hex>", 201) once
// committed, or its error shape (VALIDATION_ERROR / INVALID_JSON 400 naming the field,
// UNAUTHORIZED 401 / FORBIDDEN 403 for the campaign's X-Campaign-Token, DUPLICATE_SUBMISSION
// 409 when the same e-mail sent this campaign's form in the last 24 hours). A redelivery of the
// same submission (the same Idempotency-Key header, else the same body bytes) changes nothing
// and gets the first answer again.
class CampaignFormRoute final : public InboundRoute
{
public:
    explicit CampaignFormRoute(const Core::Business &business);

    [[nodiscard]] Spec spec() const override;
    [[nodiscard]] PreparedRequest prepare(const InboundRequest &request) const override;
    [[nodiscard]] std::optional<InboundResponse> authorize(const InboundRequest &request,
                                                           const PreparedRequest &prepared,
                                                           WriteContext &context) const override;
    [[nodiscard]] Core::Result<ProcessOutcome> process(const InboundRequest &request,
                                                       const PreparedRequest &prepared,
                                                       WriteContext &context) const override;

    static constexpr int kMaxJsonDepth = 16;
    static constexpr qint64 kMaxBodyBytes = 64 * 1024;

private:
    Core::Normalizer m_normalizer; // the business's default phone region
};

} // namespace LeadDesk::Sync
