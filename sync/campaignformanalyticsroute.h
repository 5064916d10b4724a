#pragma once

#include "inboundroute.h"

namespace LeadDesk::Sync {

// Seed 004's GET /v1/api/campaigns/{campaign_id}/analytics[?start=YYYY-MM-DD&end=YYYY-MM-DD]:
// the campaign's figures in the seed's JSON shape, from Core::CampaignAnalytics (days in the
// business's time zone; open ends as it defines them). A campaign with an X-Campaign-Token
// shows its figures only to a request that presents it. Until the writer has built the
// analytics rollup (`serve` does at start), the figures are counted from the leads directly
// (the last 30 days, UTC, by default).
class CampaignFormAnalyticsRoute final : public InboundRoute
{
public:
    explicit CampaignFormAnalyticsRoute(const Core::Business &business);

    [[nodiscard]] Spec spec() const override;
    [[nodiscard]] Core::Result<InboundResponse> read(const InboundRequest &request,
                                                     ReadContext &context) const override;

private:
    [[nodiscard]] static InboundResponse notFound();
    [[nodiscard]] std::optional<InboundResponse>
    checkToken(const InboundRequest &request, ReadContext &context, const QString &campaign) const;
    [[nodiscard]] Core::Result<InboundResponse>
    fallback(const InboundRequest &request, ReadContext &context, const QString &campaign) const;

    QString m_businessId;
};

} // namespace LeadDesk::Sync
