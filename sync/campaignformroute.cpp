#include "campaignformroute.h"

#include "campaignform.h"
#include "campaignformtokens.h"
#include "leadingestor.h"
#include "sqlitestatement.h"

#include <QCryptographicHash>

#include <memory>

namespace LeadDesk::Sync {

namespace {

// What prepare() hands to authorize() and process().
struct Submission
{
    QString campaignId;                           // as sent, for the token check
    std::shared_ptr<const Core::LeadRecord> lead; // null when the body was rejected
};

const Submission *submissionOf(const PreparedRequest &prepared)
{
    return std::any_cast<Submission>(&prepared.data);
}

} // namespace

CampaignFormRoute::CampaignFormRoute(const Core::Business &business)
    : m_normalizer(business.defaultRegion)
{}

InboundRoute::Spec CampaignFormRoute::spec() const
{
    Spec spec;
    spec.name = QStringLiteral("campaign_form");
    spec.method = "POST";
    spec.pattern = QStringLiteral("/v1/api/leads");
    spec.kind = Kind::Journalled;
    spec.contentTypes = {"application/json"};
    spec.maxBodyBytes = kMaxBodyBytes;
    return spec;
}

PreparedRequest CampaignFormRoute::prepare(const InboundRequest &request) const
{
    PreparedRequest prepared;
    Submission submission;
    auto document = parseJsonBody(request.body, kMaxJsonDepth);
    if (!document) {
        prepared.rejection
            = InboundResponse::error(400, QStringLiteral("INVALID_JSON"), document.error().message);
        prepared.data = submission;
        return prepared;
    }
    if (!document->isObject()) {
        prepared.rejection = InboundResponse::error(400, QStringLiteral("INVALID_JSON"),
                                                    QStringLiteral("The body must be a JSON "
                                                                   "object"));
        prepared.data = submission;
        return prepared;
    }
    const QJsonObject body = document->object();
    submission.campaignId = Core::CampaignForm::campaignIdOf(body);
    if (!submission.campaignId.isEmpty())
        prepared.rateKey = QStringLiteral("campaign:") + submission.campaignId;
    auto lead = Core::CampaignForm::toLead(body, m_normalizer, request.receivedAtMs,
                                           request.remoteAddress);
    if (!lead) {
        prepared.rejection = InboundResponse::error(400, lead.error().code, lead.error().message,
                                                    lead.error().field);
        prepared.data = submission;
        return prepared;
    }
    // The same submission delivered twice (a retried POST) carries the same key.
    const QByteArray idempotencyKey = request.header("idempotency-key").trimmed();
    prepared.dedupeKey
        = !idempotencyKey.isEmpty() && idempotencyKey.size() <= 200
              ? QStringLiteral("key:") + QString::fromUtf8(idempotencyKey)
              : QStringLiteral("sha256:")
                    + QString::fromLatin1(
                        QCryptographicHash::hash(request.body, QCryptographicHash::Sha256).toHex());
    submission.lead = std::make_shared<const Core::LeadRecord>(std::move(*lead));
    prepared.data = std::move(submission);
    return prepared;
}

std::optional<InboundResponse> CampaignFormRoute::authorize(const InboundRequest &request,
                                                            const PreparedRequest &prepared,
                                                            WriteContext &context) const
{
    const Submission *submission = submissionOf(prepared);
    if (!submission || submission->campaignId.isEmpty())
        return std::nullopt; // no campaign named: nothing to protect (validation rejects it)
    auto stored = Core::CampaignFormTokens::storedHash(context.db, context.business.id,
                                                       submission->campaignId);
    if (!stored)
        return InboundResponse::error(503, QStringLiteral("SERVICE_UNAVAILABLE"),
                                      QStringLiteral("The store is not available; try again"));
    if (!*stored)
        return std::nullopt;
    const QByteArray token = request.header("x-campaign-token").trimmed();
    if (token.isEmpty())
        return InboundResponse::error(401, QStringLiteral("UNAUTHORIZED"),
                                      QStringLiteral("This campaign requires an X-Campaign-Token"),
                                      QStringLiteral("X-Campaign-Token"));
    if (!Core::CampaignFormTokens::matches(**stored, token))
        return InboundResponse::error(403, QStringLiteral("FORBIDDEN"),
                                      QStringLiteral("The X-Campaign-Token is not valid for this "
                                                     "campaign"),
                                      QStringLiteral("X-Campaign-Token"));
    return std::nullopt;
}

Core::Result<ProcessOutcome> CampaignFormRoute::process(const InboundRequest &,
                                                        const PreparedRequest &prepared,
                                                        WriteContext &context) const
{
    const Submission *submission = submissionOf(prepared);
    if (!submission || !submission->lead)
        return Core::fail(QStringLiteral("the campaign form was not prepared"));
    auto stored = context.ingestor.store(context.business.id, *submission->lead);
    if (!stored)
        return std::unexpected(stored.error());
    ProcessOutcome outcome;
    outcome.leadId = stored->leadId;
    if (stored->outcome == Core::LeadIngestor::Outcome::Duplicate) {
        // Seed 004: the same e-mail on the same campaign within 24 hours is one enquiry; the
        // ingestor noted the second submission on the first lead.
        outcome.status = ProcessOutcome::Status::Duplicate;
        outcome.error = QStringLiteral("duplicate submission (%1)").arg(stored->matchedOn);
        InboundResponse response = InboundResponse::error(
            409, QStringLiteral("DUPLICATE_SUBMISSION"),
            QStringLiteral("This e-mail address already submitted this campaign's form in the "
                           "last 24 hours"),
            QStringLiteral("contact.email"));
        QJsonObject body = QJsonDocument::fromJson(response.body).object();
        body.insert(QStringLiteral("lead_id"), Core::CampaignForm::publicLeadId(stored->leadId));
        outcome.response = InboundResponse::json(409, body);
        return outcome;
    }
    // The grade the scoring gave decides the promised response time.
    const Core::LeadRecord &lead = *submission->lead;
    outcome.response.status = 201;
    outcome.response.body
        = Core::CampaignForm::successResponse(stored->grade, !lead.phone.isEmpty(), stored->leadId);
    return outcome;
}

} // namespace LeadDesk::Sync
