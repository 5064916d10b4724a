#pragma once

#include "database.h"
#include "leadrecord.h"
#include "result.h"

#include <QList>
#include <QStringList>

namespace LeadDesk::Core {

// A key that names a person: ("email", "ana@x.com"), ("phone", "+16145550177"), or a channel's
// own id such as ("whatsapp", "16145550177") or ("messenger", PSID).
struct IdentityKey
{
    QString channel;
    QString externalId;
};

// Which contact a lead belongs to, and why.
struct IdentityResolution
{
    QString contactId;
    bool created = false; // a new contact was made
    QString matchedOn; // the key kind that matched ("email", "phone", "whatsapp"...); empty if new
    QStringList conflicts; // keys owned by another contact, left with that contact
};

// Resolves the person behind a lead: the first key (in the order given, strongest first) that is
// already known decides the contact; keys not yet known are attached to it; a key owned by a
// different contact is reported, never moved, so a merge is always explainable. Missing contact
// fields (phone, company, address...) are filled from the new lead; known ones are kept.
class IdentityResolver final
{
public:
    explicit IdentityResolver(Database &db);

    Result<IdentityResolution> resolve(const QString &businessId, const QList<IdentityKey> &keys,
                                       const LeadRecord &lead, qint64 nowMs);

    // The keys a normalised lead carries, strongest first (e-mail, then phone).
    [[nodiscard]] static QList<IdentityKey> keysOf(const LeadRecord &lead);

private:
    Result<QString> createContact(const QString &businessId, const LeadRecord &lead, qint64 nowMs);
    Result<void> fillContact(const QString &contactId, const LeadRecord &lead, qint64 nowMs);
    Result<void> attach(const QString &businessId, const QString &contactId, const IdentityKey &key,
                        qint64 nowMs);

    Database &m_db;
};

} // namespace LeadDesk::Core
