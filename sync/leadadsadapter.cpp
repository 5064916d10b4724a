#include "leadadsadapter.h"

#include "metajson.h"

#include <QDateTime>
#include <QJsonArray>
#include <QRegularExpression>

namespace LeadDesk::Sync {

namespace {

using Core::InboundEvent;
using Core::RawLead;

QString at(const QString &path, qsizetype index)
{
    return path + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

// Standard Lead Ads question keys (and the spellings older forms used) -> the RawLead member.
QString *memberFor(RawLead &lead, const QString &key)
{
    static const QHash<QString, QString RawLead::*> members{
        {QStringLiteral("full_name"), &RawLead::fullName},
        {QStringLiteral("first_name"), &RawLead::firstName},
        {QStringLiteral("last_name"), &RawLead::lastName},
        {QStringLiteral("email"), &RawLead::email},
        {QStringLiteral("work_email"), &RawLead::email},
        {QStringLiteral("phone_number"), &RawLead::phone},
        {QStringLiteral("phone"), &RawLead::phone},
        {QStringLiteral("work_phone_number"), &RawLead::altPhone},
        {QStringLiteral("street_address"), &RawLead::street},
        {QStringLiteral("city"), &RawLead::city},
        {QStringLiteral("state"), &RawLead::state},
        {QStringLiteral("province"), &RawLead::state},
        {QStringLiteral("zip_code"), &RawLead::postalCode},
        {QStringLiteral("zip"), &RawLead::postalCode},
        {QStringLiteral("post_code"), &RawLead::postalCode},
        {QStringLiteral("postal_code"), &RawLead::postalCode},
        {QStringLiteral("country"), &RawLead::country},
        {QStringLiteral("company_name"), &RawLead::company},
        {QStringLiteral("company"), &RawLead::company},
    };
    const auto it = members.constFind(key);
    return it == members.cend() ? nullptr : &(lead.*(*it));
}

QString valuesText(const QJsonValue &values)
{
    if (values.isString())
        return values.toString();
    QStringList parts;
    const QJsonArray array = values.toArray();
    for (const QJsonValue &v : array) {
        const QString part = v.isString() ? v.toString() : MetaJson::idText(v);
        if (!part.isEmpty())
            parts << part;
    }
    return parts.join(QStringLiteral(", "));
}

void addDetail(RawLead &lead, const QString &key, const QString &value)
{
    if (!value.isEmpty())
        lead.details.push_back({key, value});
}

} // namespace

Core::Result<QList<LeadAdsAdapter::LeadgenRef>> LeadAdsAdapter::parseWebhook(const QByteArray &body)
{
    auto root = MetaJson::parseObject(body);
    if (!root)
        return std::unexpected(root.error());
    if (MetaJson::text(*root, QStringLiteral("object")) != QLatin1String("page"))
        return Core::fail(QStringLiteral("is not page"), QStringLiteral("object"));
    const QJsonValue entries = root->value(QStringLiteral("entry"));
    if (!entries.isArray())
        return Core::fail(QStringLiteral("is missing or not an array"), QStringLiteral("entry"));

    QList<LeadgenRef> refs;
    const QJsonArray entryArray = entries.toArray();
    for (qsizetype e = 0; e < entryArray.size(); ++e) {
        const QJsonObject entry = entryArray.at(e).toObject();
        const QJsonArray changes = entry.value(QStringLiteral("changes")).toArray();
        for (qsizetype c = 0; c < changes.size(); ++c) {
            const QJsonObject change = changes.at(c).toObject();
            if (MetaJson::text(change, QStringLiteral("field")) != QLatin1String("leadgen"))
                continue;
            const QString path = at(at(QStringLiteral("entry"), e) + QStringLiteral(".changes"), c)
                                 + QStringLiteral(".value");
            const QJsonObject value = change.value(QStringLiteral("value")).toObject();
            auto leadgenId = MetaJson::requiredId(value, QStringLiteral("leadgen_id"), path);
            if (!leadgenId)
                return std::unexpected(leadgenId.error());
            LeadgenRef ref;
            ref.leadgenId = *leadgenId;
            ref.pageId = MetaJson::idText(value.value(QStringLiteral("page_id")));
            if (ref.pageId.isEmpty())
                ref.pageId = MetaJson::idText(entry.value(QStringLiteral("id")));
            ref.formId = MetaJson::idText(value.value(QStringLiteral("form_id")));
            ref.adId = MetaJson::idText(value.value(QStringLiteral("ad_id")));
            ref.adgroupId = MetaJson::idText(value.value(QStringLiteral("adgroup_id")));
            if (value.contains(QStringLiteral("created_time"))) {
                auto created = MetaJson::secondsAsMs(value.value(QStringLiteral("created_time")),
                                                     path + QStringLiteral(".created_time"));
                if (!created)
                    return std::unexpected(created.error());
                ref.createdTimeMs = *created;
            }
            refs.push_back(std::move(ref));
        }
    }
    return refs;
}

Core::Result<InboundEvent> LeadAdsAdapter::leadFromGraph(const QJsonObject &lead,
                                                         const QString &pageId)
{
    const QString id = MetaJson::idText(lead.value(QStringLiteral("id")));
    if (id.isEmpty())
        return Core::fail(QStringLiteral("is missing"), QStringLiteral("id"));
    const QJsonValue fieldData = lead.value(QStringLiteral("field_data"));
    if (!fieldData.isArray())
        return Core::fail(QStringLiteral("is missing or not an array"),
                          QStringLiteral("field_data"));

    InboundEvent event;
    event.kind = InboundEvent::Kind::Lead;
    event.channel = QString::fromLatin1(kChannel);
    event.externalId = id;
    event.recipientId = pageId;
    RawLead &raw = event.lead;
    raw.channel = event.channel;
    raw.externalId = id;
    raw.sourceLabel = QStringLiteral("Facebook Lead Ads");

    const QString created = MetaJson::text(lead, QStringLiteral("created_time"));
    if (!created.isEmpty()) {
        auto ms = parseGraphTime(created);
        if (!ms)
            return std::unexpected(Core::Error{ms.error().message, QStringLiteral("created_time")});
        event.occurredAtMs = *ms;
        // Re-spelt as ISO-8601 UTC: every reader understands it, unlike Graph's "+0000".
        raw.createdAt = QDateTime::fromMSecsSinceEpoch(*ms, Qt::UTC).toString(Qt::ISODate);
    }

    const QJsonArray fields = fieldData.toArray();
    for (qsizetype i = 0; i < fields.size(); ++i) {
        const QJsonObject field = fields.at(i).toObject();
        const QString name = MetaJson::text(field, QStringLiteral("name")).trimmed();
        if (name.isEmpty())
            return Core::fail(QStringLiteral("has no name"), at(QStringLiteral("field_data"), i));
        const QString value = valuesText(field.value(QStringLiteral("values")));
        if (QString *member = memberFor(raw, name.toLower())) {
            if (member->isEmpty())
                *member = value;
        } else {
            addDetail(raw, name, value); // a custom question, keyed by its own slug
        }
    }

    raw.campaignId = MetaJson::idText(lead.value(QStringLiteral("campaign_id")));
    raw.campaignName = MetaJson::text(lead, QStringLiteral("campaign_name"));
    if (!raw.campaignId.isEmpty())
        event.extra.insert(QStringLiteral("campaign_id"), raw.campaignId);
    for (const auto &key :
         {QStringLiteral("form_id"), QStringLiteral("ad_id"), QStringLiteral("adset_id")}) {
        const QString value = MetaJson::idText(lead.value(key));
        addDetail(raw, key, value);
        if (!value.isEmpty())
            event.extra.insert(key, value);
    }
    for (const auto &key :
         {QStringLiteral("ad_name"), QStringLiteral("adset_name"), QStringLiteral("platform")})
        addDetail(raw, key, MetaJson::text(lead, key));
    if (lead.value(QStringLiteral("is_organic")).isBool())
        addDetail(raw, QStringLiteral("is_organic"),
                  lead.value(QStringLiteral("is_organic")).toBool() ? QStringLiteral("true")
                                                                    : QStringLiteral("false"));
    addDetail(raw, QStringLiteral("page_id"), pageId);
    const QJsonArray disclaimers
        = lead.value(QStringLiteral("custom_disclaimer_responses")).toArray();
    for (const QJsonValue &d : disclaimers) {
        const QJsonObject response = d.toObject();
        const QString key = MetaJson::text(response, QStringLiteral("checkbox_key"));
        if (key.isEmpty())
            continue;
        const QJsonValue checked = response.value(QStringLiteral("is_checked"));
        const bool yes = checked.isBool() ? checked.toBool()
                                          : checked.toString() == QLatin1String("1")
                                                || checked.toString() == QLatin1String("true");
        addDetail(raw, QStringLiteral("disclaimer_") + key,
                  yes ? QStringLiteral("true") : QStringLiteral("false"));
    }

    event.senderName
        = !raw.fullName.isEmpty()
              ? raw.fullName
              : QStringList{raw.firstName, raw.lastName}.join(QLatin1Char(' ')).trimmed();
    return event;
}

Core::Result<LeadAdsAdapter::LeadsPage> LeadAdsAdapter::parseLeadsPage(const QJsonObject &page)
{
    const QJsonValue data = page.value(QStringLiteral("data"));
    if (!data.isArray())
        return Core::fail(QStringLiteral("is missing or not an array"), QStringLiteral("data"));
    LeadsPage out;
    const QJsonArray leads = data.toArray();
    for (qsizetype i = 0; i < leads.size(); ++i) {
        if (!leads.at(i).isObject())
            return Core::fail(QStringLiteral("is not an object"), at(QStringLiteral("data"), i));
        out.leads.push_back(leads.at(i).toObject());
    }
    const QJsonObject paging = page.value(QStringLiteral("paging")).toObject();
    out.after = MetaJson::text(paging.value(QStringLiteral("cursors")).toObject(),
                               QStringLiteral("after"));
    out.hasNext = !MetaJson::text(paging, QStringLiteral("next")).isEmpty();
    return out;
}

Core::Result<qint64> LeadAdsAdapter::parseGraphTime(const QString &text)
{
    static const QRegularExpression pattern(
        QStringLiteral(R"(^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d+)?(Z|[+-]\d{2}:?\d{2})$)"));
    const QRegularExpressionMatch match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return Core::fail(QStringLiteral("is not a Graph time (YYYY-MM-DDTHH:MM:SS+0000)"));
    QString offset = match.captured(2);
    if (offset.size() == 5) // +0000 -> +00:00
        offset.insert(3, QLatin1Char(':'));
    const QDateTime time = QDateTime::fromString(match.captured(1) + offset, Qt::ISODate);
    if (!time.isValid())
        return Core::fail(QStringLiteral("is not a valid time"));
    return time.toMSecsSinceEpoch();
}

} // namespace LeadDesk::Sync
