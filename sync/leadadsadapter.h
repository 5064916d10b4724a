#pragma once

#include "inboundevent.h"
#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace LeadDesk::Sync {

// Facebook Lead Ads. The webhook (`object: page`, `changes[].field: leadgen`) carries only a
// reference to a new lead: the lead itself is read from the Graph API (`GET /{leadgen_id}`, or
// in bulk `GET /{form_id}/leads`), and leadFromGraph() maps that answer to a Kind::Lead event.
// Pure: no store, no network, any thread.
class LeadAdsAdapter final
{
public:
    static constexpr auto kChannel = "leadads";
    // The lead fields asked of the Graph API. The ad and campaign fields need ads_management;
    // GraphApiClient::Config::leadFields can trim them for an app without it.
    static constexpr auto kGraphFields = "id,created_time,ad_id,ad_name,adset_id,adset_name,"
                                         "campaign_id,campaign_name,form_id,is_organic,platform,"
                                         "field_data,custom_disclaimer_responses";

    // One `leadgen` change. Meta's samples send the ids as numbers, integrators see strings:
    // both are read as text.
    struct LeadgenRef
    {
        QString leadgenId; // the dedupe key
        QString pageId;
        QString formId;
        QString adId;
        QString adgroupId;
        qint64 createdTimeMs = 0;
    };

    // The leadgen references of a page webhook; Messenger's `messaging[]` and other page fields
    // are ignored. A leadgen change without leadgen_id fails with its JSON path.
    static Core::Result<QList<LeadgenRef>> parseWebhook(const QByteArray &body);

    // A Graph lead object ({id, created_time, field_data[{name, values}], ad_id, form_id,
    // campaign_id, ...}) as a Kind::Lead event. Standard questions (full_name, first_name,
    // last_name, email, phone_number, street_address, city, state, zip_code, country,
    // company_name, ...) fill the RawLead; custom questions and the ad/form ids go to details
    // under their own keys. `pageId` comes from the webhook when there was one.
    static Core::Result<Core::InboundEvent> leadFromGraph(const QJsonObject &lead,
                                                          const QString &pageId = {});

    // One page of `GET /{form_id}/leads`: the leads, the `after` cursor and whether Graph says
    // there is a next page (`paging.next`; absent in Meta's own sample, so callers also go on
    // while a full page came back with an `after` cursor).
    struct LeadsPage
    {
        QList<QJsonObject> leads;
        QString after;
        bool hasNext = false;
    };
    static Core::Result<LeadsPage> parseLeadsPage(const QJsonObject &page);

    // Graph's "2025-02-12T00:43:40+0000" (no colon in the offset) as epoch ms.
    static Core::Result<qint64> parseGraphTime(const QString &text);
};

} // namespace LeadDesk::Sync
