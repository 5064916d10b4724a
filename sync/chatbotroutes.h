#pragma once

#include "chatbotconfig.h"
#include "chatbotrequests.h"
#include "inboundroute.h"
#include "normalizer.h"
#include "scoringrules.h"

#include <memory>
#include <vector>

namespace LeadDesk::Sync {

// The chatbot API of seeds 001/002 (DESIGN §7: "the /api/... paths of seed 002 with the same
// JSON") as receiver routes, one object per method and path, all over Core::ChatbotService:
//   Direct (answered on the server thread from the configuration): GET /, /api/questions,
//     /api/behavior/actions, /api/product-menu, /api/cta-options;
//   Read (reader thread, no writes): GET /api/lead/summary/{session_id},
//     /api/score/{session_id}, /api/lead/export/{session_id}, /api/analytics/leads[?days=N];
//   Journalled (every body kept in inbound_journal, applied on the writer): POST
//     /api/session/start, /api/next-question, /api/answer, /api/answer-with-conditional,
//     /api/skip-question, /api/behavior, /api/lead/profile, /api/ab-test/variant,
//     /api/ab-test/conversion, /api/lead/notify.
// Bodies are checked in prepare() (Core::ChatbotRequests: FastAPI's 422 list shape, the seed's
// 400s); a bad body is journalled as rejected with that answer. Errors of the service (unknown
// session 404, ended session 409) roll back and are journalled as rejected too; a store failure is
// a 500 {"detail": "Internal Server Error"} and the row stays for replay. Content types are not
// enforced (FastAPI read JSON without one). CORS is the receiver's (Options::allowedOrigins).
class ChatbotRoute final : public InboundRoute
{
public:
    enum class Endpoint {
        Root,
        SessionStart,
        Questions,
        NextQuestion,
        Answer,
        AnswerWithConditional,
        SkipQuestion,
        Behavior,
        BehaviorActions,
        Profile,
        Summary,
        Score,
        Export,
        ProductMenu,
        CtaOptions,
        Analytics,
        AbVariant,
        AbConversion,
        Notify,
    };

    // What every chatbot route shares; immutable, so any thread may read it.
    struct Setup
    {
        std::shared_ptr<const Core::ChatbotConfig> config;
        std::shared_ptr<const Core::ScoringRules> rules;
        std::shared_ptr<const Core::Normalizer> normalizer; // the business's phone region
        std::shared_ptr<const Core::ChatbotRequests> requests;
    };

    // The shipped chatbot configuration and scoring rules, checked against each other.
    [[nodiscard]] static Core::Result<std::shared_ptr<const Setup>>
    defaultSetup(const Core::Business &business);
    [[nodiscard]] static Core::Result<std::shared_ptr<const Setup>>
    setup(const Core::Business &business, Core::ChatbotConfig config, Core::ScoringRules rules);

    // One route per endpoint above, sharing `setup`.
    [[nodiscard]] static std::vector<std::shared_ptr<const InboundRoute>>
    all(const Core::Business &business, const std::shared_ptr<const Setup> &setup);

    ChatbotRoute(Endpoint endpoint, const Core::Business &business,
                 std::shared_ptr<const Setup> setup);

    [[nodiscard]] Spec spec() const override;
    [[nodiscard]] std::optional<InboundResponse>
    screen(const InboundRequest &request) const override;
    [[nodiscard]] Core::Result<InboundResponse> read(const InboundRequest &request,
                                                     ReadContext &context) const override;
    [[nodiscard]] PreparedRequest prepare(const InboundRequest &request) const override;
    [[nodiscard]] Core::Result<ProcessOutcome> process(const InboundRequest &request,
                                                       const PreparedRequest &prepared,
                                                       WriteContext &context) const override;
    [[nodiscard]] InboundResponse failureResponse(const Core::Error &error) const override;

    // The wire form of a service answer: the JSON body (object, array or null) and its status.
    [[nodiscard]] static InboundResponse toResponse(const Core::ChatbotResponse &response);

private:
    Endpoint m_endpoint;
    QString m_businessId;
    std::shared_ptr<const Setup> m_setup;
};

} // namespace LeadDesk::Sync
