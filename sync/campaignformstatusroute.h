#pragma once

#include "inboundroute.h"

namespace LeadDesk::Sync {

// Seed 004's GET /v1/api/leads/{lead_id}/status: where a campaign lead stands, for the site that
// captured it. Accepts the public id the form got ("lead_<hex>") or the lead's UUID; answers
// 404 NOT_FOUND (seed error shape) for anything else. Exposes no contact data.
class CampaignFormStatusRoute final : public InboundRoute
{
public:
    explicit CampaignFormStatusRoute(const Core::Business &business);

    [[nodiscard]] Spec spec() const override;
    [[nodiscard]] Core::Result<InboundResponse> read(const InboundRequest &request,
                                                     ReadContext &context) const override;

private:
    QString m_businessId;
};

} // namespace LeadDesk::Sync
