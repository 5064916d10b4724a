#include "chatbotroutes.h"

#include "chatbotservice.h"

#include <QJsonDocument>

#include <any>
#include <type_traits>

namespace LeadDesk::Sync {

namespace {

using Endpoint = ChatbotRoute::Endpoint;

struct EndpointInfo
{
    Endpoint endpoint;
    const char *name;
    const char *method;
    const char *pattern;
    InboundRoute::Kind kind;
};

constexpr EndpointInfo kEndpoints[] = {
    {Endpoint::Root, "chatbot_root", "GET", "/", InboundRoute::Kind::Direct},
    {Endpoint::SessionStart, "chatbot_session_start", "POST", "/api/session/start",
     InboundRoute::Kind::Journalled},
    {Endpoint::Questions, "chatbot_questions", "GET", "/api/questions", InboundRoute::Kind::Direct},
    {Endpoint::NextQuestion, "chatbot_next_question", "POST", "/api/next-question",
     InboundRoute::Kind::Journalled},
    {Endpoint::Answer, "chatbot_answer", "POST", "/api/answer", InboundRoute::Kind::Journalled},
    {Endpoint::AnswerWithConditional, "chatbot_answer_with_conditional", "POST",
     "/api/answer-with-conditional", InboundRoute::Kind::Journalled},
    {Endpoint::SkipQuestion, "chatbot_skip_question", "POST", "/api/skip-question",
     InboundRoute::Kind::Journalled},
    {Endpoint::Behavior, "chatbot_behavior", "POST", "/api/behavior",
     InboundRoute::Kind::Journalled},
    {Endpoint::BehaviorActions, "chatbot_behavior_actions", "GET", "/api/behavior/actions",
     InboundRoute::Kind::Direct},
    {Endpoint::Profile, "chatbot_profile", "POST", "/api/lead/profile",
     InboundRoute::Kind::Journalled},
    {Endpoint::Summary, "chatbot_summary", "GET", "/api/lead/summary/{session_id}",
     InboundRoute::Kind::Read},
    {Endpoint::Score, "chatbot_score", "GET", "/api/score/{session_id}", InboundRoute::Kind::Read},
    {Endpoint::Export, "chatbot_export", "GET", "/api/lead/export/{session_id}",
     InboundRoute::Kind::Read},
    {Endpoint::ProductMenu, "chatbot_product_menu", "GET", "/api/product-menu",
     InboundRoute::Kind::Direct},
    {Endpoint::CtaOptions, "chatbot_cta_options", "GET", "/api/cta-options",
     InboundRoute::Kind::Direct},
    {Endpoint::Analytics, "chatbot_analytics", "GET", "/api/analytics/leads",
     InboundRoute::Kind::Read},
    {Endpoint::AbVariant, "chatbot_ab_variant", "POST", "/api/ab-test/variant",
     InboundRoute::Kind::Journalled},
    {Endpoint::AbConversion, "chatbot_ab_conversion", "POST", "/api/ab-test/conversion",
     InboundRoute::Kind::Journalled},
    {Endpoint::Notify, "chatbot_notify", "POST", "/api/lead/notify",
     InboundRoute::Kind::Journalled},
};

const EndpointInfo &infoOf(Endpoint endpoint)
{
    for (const EndpointInfo &info : kEndpoints) {
        if (info.endpoint == endpoint)
            return info;
    }
    Q_UNREACHABLE();
}

// A checked input or the answer to give instead, into the form prepare() hands on.
template<typename T>
PreparedRequest prepared(const Core::ChatbotParsed<T> &parsed)
{
    PreparedRequest result;
    if (parsed) {
        result.data = *parsed;
    } else {
        result.rejection = ChatbotRoute::toResponse(parsed.error());
        result.rejectionDetail = QString::fromUtf8(result.rejection->body.left(500));
    }
    return result;
}

} // namespace

Core::Result<std::shared_ptr<const ChatbotRoute::Setup>>
ChatbotRoute::defaultSetup(const Core::Business &business)
{
    auto config = Core::ChatbotConfig::loadDefault();
    if (!config)
        return std::unexpected(config.error());
    auto rules = Core::ScoringRules::loadDefault();
    if (!rules)
        return std::unexpected(rules.error());
    return setup(business, std::move(*config), std::move(*rules));
}

Core::Result<std::shared_ptr<const ChatbotRoute::Setup>>
ChatbotRoute::setup(const Core::Business &business, Core::ChatbotConfig config,
                    Core::ScoringRules rules)
{
    if (auto ok = config.checkAgainst(rules); !ok)
        return std::unexpected(ok.error());
    auto setup = std::make_shared<Setup>();
    setup->config = std::make_shared<const Core::ChatbotConfig>(std::move(config));
    setup->rules = std::make_shared<const Core::ScoringRules>(std::move(rules));
    setup->normalizer = std::make_shared<const Core::Normalizer>(business.defaultRegion);
    setup->requests
        = std::make_shared<const Core::ChatbotRequests>(setup->config, *setup->normalizer);
    return std::shared_ptr<const Setup>(std::move(setup));
}

std::vector<std::shared_ptr<const InboundRoute>>
ChatbotRoute::all(const Core::Business &business, const std::shared_ptr<const Setup> &setup)
{
    std::vector<std::shared_ptr<const InboundRoute>> routes;
    for (const EndpointInfo &info : kEndpoints)
        routes.push_back(std::make_shared<const ChatbotRoute>(info.endpoint, business, setup));
    return routes;
}

ChatbotRoute::ChatbotRoute(Endpoint endpoint, const Core::Business &business,
                           std::shared_ptr<const Setup> setup)
    : m_endpoint(endpoint)
    , m_businessId(business.id)
    , m_setup(std::move(setup))
{}

InboundRoute::Spec ChatbotRoute::spec() const
{
    const EndpointInfo &info = infoOf(m_endpoint);
    Spec spec;
    spec.name = QString::fromLatin1(info.name);
    spec.method = info.method;
    spec.pattern = QString::fromLatin1(info.pattern);
    spec.kind = info.kind;
    // A chat message is small; the longest valid body (a 10 000-character answer, escaped) fits.
    spec.maxBodyBytes = info.kind == Kind::Journalled ? 256 * 1024 : 0;
    return spec;
}

InboundResponse ChatbotRoute::toResponse(const Core::ChatbotResponse &response)
{
    InboundResponse wire;
    wire.status = response.httpStatus;
    if (response.body.isObject())
        wire.body = QJsonDocument(response.body.toObject()).toJson(QJsonDocument::Compact);
    else if (response.body.isArray())
        wire.body = QJsonDocument(response.body.toArray()).toJson(QJsonDocument::Compact);
    else
        wire.body = "null";
    return wire;
}

std::optional<InboundResponse> ChatbotRoute::screen(const InboundRequest &) const
{
    // The configuration endpoints need no store: answered here, on the server thread.
    const Core::ChatbotConfig &config = *m_setup->config;
    switch (m_endpoint) {
    case Endpoint::Root:
        return toResponse(Core::ChatbotResponse::ok(
            QJsonObject{{QStringLiteral("message"), config.welcomeMessage()}}));
    case Endpoint::Questions:
        return toResponse(Core::ChatbotResponse::ok(config.questionsJson()));
    case Endpoint::BehaviorActions:
        return toResponse(Core::ChatbotResponse::ok(QJsonObject{
            {QStringLiteral("actions"), QJsonArray::fromStringList(config.clientActions())}}));
    case Endpoint::ProductMenu:
        return toResponse(Core::ChatbotResponse::ok(config.productMenu()));
    case Endpoint::CtaOptions:
        return toResponse(Core::ChatbotResponse::ok(config.ctaOptions()));
    default:
        return std::nullopt;
    }
}

Core::Result<InboundResponse> ChatbotRoute::read(const InboundRequest &request,
                                                 ReadContext &context) const
{
    Core::ChatbotService service(context.db, m_businessId, m_setup->config, m_setup->rules,
                                 context.clock);
    const QString session = request.pathParams.value(QStringLiteral("session_id"));
    Core::Result<Core::ChatbotResponse> answer = Core::ChatbotResponse();
    switch (m_endpoint) {
    case Endpoint::Summary:
        answer = service.summary(session);
        break;
    case Endpoint::Score:
        answer = service.score(session);
        break;
    case Endpoint::Export:
        answer = service.exportLead(session);
        break;
    case Endpoint::Analytics: {
        auto input = m_setup->requests->analytics(request.query);
        if (!input)
            return toResponse(input.error());
        answer = service.analytics(*input);
        break;
    }
    default:
        return failureResponse(Core::Error{QStringLiteral("not a read endpoint"), {}});
    }
    if (!answer)
        return std::unexpected(answer.error());
    return toResponse(*answer);
}

PreparedRequest ChatbotRoute::prepare(const InboundRequest &request) const
{
    const Core::ChatbotRequests &requests = *m_setup->requests;
    const QByteArray &body = request.body;
    switch (m_endpoint) {
    case Endpoint::SessionStart:
        return prepared(requests.startSession(body));
    case Endpoint::NextQuestion:
        return prepared(requests.nextQuestion(body));
    case Endpoint::Answer:
    case Endpoint::AnswerWithConditional:
        return prepared(requests.answer(body));
    case Endpoint::SkipQuestion:
        return prepared(requests.skipQuestion(body));
    case Endpoint::Behavior:
        return prepared(requests.behavior(body));
    case Endpoint::Profile:
        return prepared(requests.profile(body));
    case Endpoint::AbVariant:
        return prepared(requests.abVariant(body));
    case Endpoint::AbConversion:
        return prepared(requests.abConversion(body));
    case Endpoint::Notify:
        return prepared(requests.notify(body));
    default:
        return {};
    }
}

Core::Result<ProcessOutcome> ChatbotRoute::process(const InboundRequest &,
                                                   const PreparedRequest &prepared,
                                                   WriteContext &context) const
{
    Core::ChatbotService service(context.db, context.business.id, m_setup->config, m_setup->rules,
                                 context.clock);
    service.setLeadPipeline(context.ingestor, context.normalizer);
    auto input = [&prepared]<typename T>(std::type_identity<T>) -> const T * {
        return std::any_cast<T>(&prepared.data);
    };
    Core::Result<Core::ChatbotResponse> answer = Core::ChatbotResponse();
    bool known = true;
    switch (m_endpoint) {
    case Endpoint::SessionStart:
        if (const auto *in = input(std::type_identity<Core::ChatbotStartInput>()))
            answer = service.startSession(*in);
        else
            known = false;
        break;
    case Endpoint::NextQuestion:
        if (const auto *in = input(std::type_identity<Core::ChatbotNextQuestionInput>()))
            answer = service.nextQuestion(*in);
        else
            known = false;
        break;
    case Endpoint::Answer:
    case Endpoint::AnswerWithConditional:
        if (const auto *in = input(std::type_identity<Core::ChatbotAnswerInput>()))
            answer = service.answer(*in, m_endpoint == Endpoint::AnswerWithConditional);
        else
            known = false;
        break;
    case Endpoint::SkipQuestion:
        if (const auto *in = input(std::type_identity<Core::ChatbotSkipInput>()))
            answer = service.skipQuestion(*in);
        else
            known = false;
        break;
    case Endpoint::Behavior:
        if (const auto *in = input(std::type_identity<Core::ChatbotBehaviorInput>()))
            answer = service.behavior(*in);
        else
            known = false;
        break;
    case Endpoint::Profile:
        if (const auto *in = input(std::type_identity<Core::ChatbotProfileInput>()))
            answer = service.updateProfile(*in);
        else
            known = false;
        break;
    case Endpoint::AbVariant:
        if (const auto *in = input(std::type_identity<Core::ChatbotSessionInput>()))
            answer = service.abVariant(*in);
        else
            known = false;
        break;
    case Endpoint::AbConversion:
        if (const auto *in = input(std::type_identity<Core::ChatbotConversionInput>()))
            answer = service.abConversion(*in);
        else
            known = false;
        break;
    case Endpoint::Notify:
        if (const auto *in = input(std::type_identity<Core::ChatbotSessionInput>()))
            answer = service.notify(*in);
        else
            known = false;
        break;
    default:
        known = false;
        break;
    }
    if (!known)
        return Core::fail(QStringLiteral("the chatbot route got no prepared input"));
    if (!answer)
        return std::unexpected(answer.error());

    ProcessOutcome outcome;
    outcome.response = toResponse(*answer);
    if (!outcome.response.isSuccess()) {
        // Unknown session, ended session, a variant that does not match: nothing was written.
        outcome.status = ProcessOutcome::Status::Rejected;
        outcome.error = QString::fromUtf8(outcome.response.body.left(500));
    }
    return outcome;
}

InboundResponse ChatbotRoute::failureResponse(const Core::Error &) const
{
    // FastAPI's unhandled-error answer; the cause stays in the journal row and the log.
    return toResponse(Core::ChatbotResponse::detail(500, QStringLiteral("Internal Server Error")));
}

} // namespace LeadDesk::Sync
