#include "identityresolver.h"

#include "ids.h"
#include "sqlitestatement.h"

namespace LeadDesk::Core {

IdentityResolver::IdentityResolver(Database &db)
    : m_db(db)
{}

QList<IdentityKey> IdentityResolver::keysOf(const LeadRecord &lead)
{
    QList<IdentityKey> keys;
    if (!lead.email.isEmpty())
        keys.push_back({QStringLiteral("email"), lead.email.toLower()});
    if (!lead.phone.isEmpty())
        keys.push_back({QStringLiteral("phone"), lead.phone});
    return keys;
}

Result<IdentityResolution> IdentityResolver::resolve(const QString &businessId,
                                                     const QList<IdentityKey> &keys,
                                                     const LeadRecord &lead, qint64 nowMs)
{
    IdentityResolution resolution;
    QList<IdentityKey> unknown;
    SqliteStatement &find = m_db.statement(
        "SELECT contact_id FROM contact_identities "
        "WHERE business_id = ?1 AND channel = ?2 AND external_id = ?3 AND deleted = 0");
    for (const IdentityKey &key : keys) {
        find.reset();
        find.bind(1, businessId);
        find.bind(2, key.channel);
        find.bind(3, key.externalId);
        auto row = find.step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row) {
            unknown.push_back(key);
            continue;
        }
        const QString owner = find.columnText(0);
        if (resolution.contactId.isEmpty()) {
            resolution.contactId = owner;
            resolution.matchedOn = key.channel;
        } else if (owner != resolution.contactId) {
            resolution.conflicts.push_back(key.channel + QLatin1Char(':') + key.externalId);
        }
    }
    find.reset();

    if (resolution.contactId.isEmpty()) {
        auto created = createContact(businessId, lead, nowMs);
        if (!created)
            return std::unexpected(created.error());
        resolution.contactId = *created;
        resolution.created = true;
    } else if (auto filled = fillContact(resolution.contactId, lead, nowMs); !filled) {
        return std::unexpected(filled.error());
    }
    for (const IdentityKey &key : std::as_const(unknown)) {
        if (auto ok = attach(businessId, resolution.contactId, key, nowMs); !ok)
            return std::unexpected(ok.error());
    }
    return resolution;
}

Result<QString> IdentityResolver::createContact(const QString &businessId, const LeadRecord &lead,
                                                qint64 nowMs)
{
    SqliteStatement &insert = m_db.statement(
        "INSERT INTO contacts (id, business_id, first_name, last_name, email, phone, company, "
        "address_line, street, city, state, postal_code, country, consent_email, created_at, "
        "updated_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
        "?15, ?15, ?16)");
    const QString id = Ids::uuidV7(nowMs);
    insert.bind(1, id);
    insert.bind(2, businessId);
    insert.bind(3, lead.firstName);
    insert.bind(4, lead.lastName);
    int i = 5;
    for (const QString *text :
         {&lead.email, &lead.phone, &lead.company, &lead.addressLine, &lead.street, &lead.city,
          &lead.state, &lead.postalCode, &lead.country})
        insert.bindNullable(i++, *text);
    insert.bind(14, qint64(lead.consentGiven));
    insert.bind(15, nowMs);
    insert.bind(16, Ids::nextHlc(nowMs));
    if (auto done = insert.execute(); !done)
        return std::unexpected(done.error());
    return id;
}

Result<void> IdentityResolver::fillContact(const QString &contactId, const LeadRecord &lead,
                                           qint64 nowMs)
{
    // Only empty fields are filled: what the business already knows is never overwritten by a
    // vendor row or a later form.
    SqliteStatement &update = m_db.statement(
        "UPDATE contacts SET "
        "first_name = CASE WHEN first_name = '' THEN ?2 ELSE first_name END, "
        "last_name = CASE WHEN last_name = '' THEN ?3 ELSE last_name END, "
        "email = COALESCE(email, ?4), phone = COALESCE(phone, ?5), company = COALESCE(company, "
        "?6), "
        "address_line = COALESCE(address_line, ?7), street = COALESCE(street, ?8), "
        "city = COALESCE(city, ?9), state = COALESCE(state, ?10), "
        "postal_code = COALESCE(postal_code, ?11), country = COALESCE(country, ?12), "
        "consent_email = MAX(consent_email, ?13), updated_at = ?14, hlc = ?15 "
        "WHERE id = ?1 AND (first_name = '' AND ?2 <> '' OR last_name = '' AND ?3 <> '' "
        "OR email IS NULL AND ?4 IS NOT NULL OR phone IS NULL AND ?5 IS NOT NULL "
        "OR company IS NULL AND ?6 IS NOT NULL OR address_line IS NULL AND ?7 IS NOT NULL "
        "OR consent_email < ?13)");
    update.bind(1, contactId);
    update.bind(2, lead.firstName);
    update.bind(3, lead.lastName);
    int i = 4;
    for (const QString *text :
         {&lead.email, &lead.phone, &lead.company, &lead.addressLine, &lead.street, &lead.city,
          &lead.state, &lead.postalCode, &lead.country})
        update.bindNullable(i++, *text);
    update.bind(13, qint64(lead.consentGiven));
    update.bind(14, nowMs);
    update.bind(15, Ids::nextHlc(nowMs));
    return update.execute();
}

Result<void> IdentityResolver::attach(const QString &businessId, const QString &contactId,
                                      const IdentityKey &key, qint64 nowMs)
{
    SqliteStatement &insert = m_db.statement(
        "INSERT INTO contact_identities (id, business_id, contact_id, channel, external_id, "
        "created_at, updated_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)");
    insert.bind(1, Ids::uuidV7(nowMs));
    insert.bind(2, businessId);
    insert.bind(3, contactId);
    insert.bind(4, key.channel);
    insert.bind(5, key.externalId);
    insert.bind(6, nowMs);
    insert.bind(7, Ids::nextHlc(nowMs));
    return insert.execute();
}

} // namespace LeadDesk::Core
