#pragma once

#include "database.h"
#include "result.h"

#include <QByteArray>
#include <QString>

#include <optional>

namespace LeadDesk::Core {

// Seed 004's optional X-Campaign-Token, per campaign. A campaign with a token accepts form posts
// (and analytics reads) only with it; a campaign without one accepts any. The token is a secret:
// only its SHA-256 (hex) is stored, in campaigns.token_sha256, and compared in constant time.
class CampaignFormTokens final
{
public:
    // Sets (or, with an empty token, clears) the token of the business's campaign with this
    // external id (the campaign_id forms send), creating the campaign when it is new.
    static Result<void> set(Database &db, const QString &businessId,
                            const QString &campaignExternalId, const QString &token, qint64 nowMs);

    // The stored hash of the campaign's token; nothing when the campaign is unknown or open.
    static Result<std::optional<QByteArray>> storedHash(Database &db, const QString &businessId,
                                                        const QString &campaignExternalId);

    [[nodiscard]] static QByteArray hash(const QByteArray &token);
    // Constant-time comparison of a presented token with a stored hash.
    [[nodiscard]] static bool matches(const QByteArray &storedHash, const QByteArray &token);
};

} // namespace LeadDesk::Core
