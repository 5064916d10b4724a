#include "campaignformtokens.h"

#include "ids.h"
#include "sqlitestatement.h"

#include <QCryptographicHash>

namespace LeadDesk::Core {

Result<void> CampaignFormTokens::set(Database &db, const QString &businessId,
                                     const QString &campaignExternalId, const QString &token,
                                     qint64 nowMs)
{
    const QString campaign = campaignExternalId.trimmed();
    if (campaign.isEmpty())
        return fail(QStringLiteral("a campaign id is required"), QStringLiteral("campaign_id"));
    SqliteStatement &insert = db.statement(
        "INSERT INTO campaigns (id, business_id, external_id, name, created_at, updated_at, hlc) "
        "VALUES (?1, ?2, ?3, ?3, ?4, ?4, ?5) ON CONFLICT (business_id, external_id) DO NOTHING");
    insert.bind(1, Ids::uuidV7(nowMs));
    insert.bind(2, businessId);
    insert.bind(3, campaign);
    insert.bind(4, nowMs);
    insert.bind(5, Ids::nextHlc(nowMs));
    if (auto ok = insert.execute(); !ok)
        return ok;
    SqliteStatement &update
        = db.statement("UPDATE campaigns SET token_sha256 = ?3, updated_at = ?4, hlc = ?5 "
                       "WHERE business_id = ?1 AND external_id = ?2");
    update.bind(1, businessId);
    update.bind(2, campaign);
    if (token.isEmpty())
        update.bindNull(3);
    else
        update.bind(3, hash(token.toUtf8()));
    update.bind(4, nowMs);
    update.bind(5, Ids::nextHlc(nowMs));
    return update.execute();
}

Result<std::optional<QByteArray>> CampaignFormTokens::storedHash(Database &db,
                                                                 const QString &businessId,
                                                                 const QString &campaignExternalId)
{
    SqliteStatement &find = db.statement(
        "SELECT token_sha256 FROM campaigns WHERE business_id = ?1 AND external_id = ?2 "
        "AND deleted = 0");
    find.bind(1, businessId);
    find.bind(2, campaignExternalId);
    auto row = find.step();
    if (!row)
        return std::unexpected(row.error());
    std::optional<QByteArray> stored;
    if (*row && !find.columnIsNull(0))
        stored = find.columnText(0).toLatin1();
    find.reset();
    return stored;
}

QByteArray CampaignFormTokens::hash(const QByteArray &token)
{
    return QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex();
}

bool CampaignFormTokens::matches(const QByteArray &storedHash, const QByteArray &token)
{
    // Hashing first makes both sides 64 bytes, so the loop's time says nothing about the token.
    const QByteArray presented = hash(token);
    if (storedHash.size() != presented.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < presented.size(); ++i)
        difference |= static_cast<unsigned char>(storedHash[i] ^ presented[i]);
    return difference == 0;
}

} // namespace LeadDesk::Core
