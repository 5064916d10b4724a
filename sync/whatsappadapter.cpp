#include "whatsappadapter.h"

#include "inboundrecorder.h"
#include "metajson.h"

#include <QHash>
#include <QJsonArray>
#include <QLoggingCategory>

namespace LeadDesk::Sync {

namespace {

Q_LOGGING_CATEGORY(lcWhatsApp, "leaddesk.meta.whatsapp")

using Core::InboundEvent;

const QString kMessages = QStringLiteral("messages");

QString at(const QString &path, qsizetype index)
{
    return path + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

// Media types whose object carries {id, mime_type, sha256, caption?, filename?, url?}.
bool isMediaType(const QString &type)
{
    static const QStringList types{QStringLiteral("image"), QStringLiteral("video"),
                                   QStringLiteral("audio"), QStringLiteral("document"),
                                   QStringLiteral("sticker")};
    return types.contains(type);
}

// Fills body/media/extra from the type-specific part of one inbound message.
void readContent(const QJsonObject &message, const QString &type, InboundEvent &event)
{
    if (type == QLatin1String("text")) {
        event.body = MetaJson::text(message.value(QStringLiteral("text")).toObject(),
                                    QStringLiteral("body"));
    } else if (type == QLatin1String("interactive")) {
        // A tap on a reply button or a list row: the title is what the person saw and chose.
        const QJsonObject interactive = message.value(QStringLiteral("interactive")).toObject();
        const QString kind = MetaJson::text(interactive, QStringLiteral("type"));
        const QJsonObject reply = interactive.value(kind).toObject();
        event.body = MetaJson::text(reply, QStringLiteral("title"));
        event.extra.insert(QStringLiteral("interactive_type"), kind);
        if (reply.contains(QStringLiteral("id")))
            event.extra.insert(QStringLiteral("reply_id"), reply.value(QStringLiteral("id")));
        if (reply.contains(QStringLiteral("description")))
            event.extra.insert(QStringLiteral("reply_description"),
                               reply.value(QStringLiteral("description")));
        if (kind == QLatin1String("nfm_reply")) { // a WhatsApp Flow's answers
            event.body = MetaJson::text(reply, QStringLiteral("body"));
            event.extra.insert(QStringLiteral("response_json"),
                               reply.value(QStringLiteral("response_json")));
        }
    } else if (type == QLatin1String("button")) {
        // A quick-reply button on one of our templates.
        const QJsonObject button = message.value(QStringLiteral("button")).toObject();
        event.body = MetaJson::text(button, QStringLiteral("text"));
        event.extra.insert(QStringLiteral("button_payload"),
                           button.value(QStringLiteral("payload")));
    } else if (isMediaType(type)) {
        const QJsonObject media = message.value(type).toObject();
        event.media = media;
        event.media.remove(QStringLiteral("caption"));
        event.media.insert(QStringLiteral("type"), type);
        event.body = MetaJson::text(media, QStringLiteral("caption"));
    } else if (type == QLatin1String("location")) {
        const QJsonObject location = message.value(QStringLiteral("location")).toObject();
        event.extra.insert(QStringLiteral("location"), location);
        QStringList parts;
        for (const auto &key : {QStringLiteral("name"), QStringLiteral("address")}) {
            const QString part = MetaJson::text(location, key);
            if (!part.isEmpty())
                parts << part;
        }
        event.body = parts.join(QStringLiteral(", "));
    } else if (type == QLatin1String("contacts")) {
        event.extra.insert(QStringLiteral("contacts"), message.value(QStringLiteral("contacts")));
    } else if (type == QLatin1String("reaction")) {
        const QJsonObject reaction = message.value(QStringLiteral("reaction")).toObject();
        event.body = MetaJson::text(reaction, QStringLiteral("emoji"));
        event.extra.insert(QStringLiteral("reaction"), reaction);
    } else if (message.contains(type)) {
        // A type this build does not know (order, system, request_welcome...): kept verbatim.
        event.extra.insert(type, message.value(type));
    }
    if (message.contains(QStringLiteral("errors"))) // type "unsupported" explains itself here
        event.extra.insert(QStringLiteral("errors"), message.value(QStringLiteral("errors")));
}

Core::Result<InboundEvent> readMessage(const QJsonObject &message, const QString &path,
                                       const QString &phoneNumberId,
                                       const QHash<QString, QString> &names)
{
    InboundEvent event;
    event.kind = InboundEvent::Kind::Message;
    event.channel = QString::fromLatin1(WhatsAppAdapter::kChannel);
    event.recipientId = phoneNumberId;

    auto id = MetaJson::requiredId(message, QStringLiteral("id"), path);
    if (!id)
        return std::unexpected(id.error());
    auto from = MetaJson::requiredId(message, QStringLiteral("from"), path);
    if (!from)
        return std::unexpected(from.error());
    auto when = MetaJson::secondsAsMs(message.value(QStringLiteral("timestamp")),
                                      path + QStringLiteral(".timestamp"));
    if (!when)
        return std::unexpected(when.error());
    const QString type = MetaJson::text(message, QStringLiteral("type"));
    if (type.isEmpty())
        return Core::fail(QStringLiteral("is missing"), path + QStringLiteral(".type"));

    event.externalId = *id;
    event.senderId = *from;
    event.threadId = *from;
    event.occurredAtMs = *when;
    event.senderName = names.value(*from);
    event.extra.insert(QStringLiteral("type"), type);
    for (const auto &key : {QStringLiteral("context"), QStringLiteral("referral")}) {
        // context: the message this one replies to; referral: the click-to-WhatsApp ad.
        if (message.contains(key))
            event.extra.insert(key, message.value(key));
    }
    readContent(message, type, event);

    // Contact hints: wa_id is the phone number in international form without the '+'.
    event.lead.channel = event.channel;
    event.lead.fullName = event.senderName;
    event.lead.phone = QLatin1Char('+') + *from;
    return event;
}

QString ourStatus(const QString &metaStatus)
{
    if (metaStatus == QLatin1String("sent") || metaStatus == QLatin1String("delivered")
        || metaStatus == QLatin1String("read") || metaStatus == QLatin1String("failed"))
        return metaStatus;
    if (metaStatus == QLatin1String("played")) // a voice message was listened to: read
        return QStringLiteral("read");
    return {};
}

Core::Result<std::optional<InboundEvent>> readStatus(const QJsonObject &status, const QString &path,
                                                     const QString &phoneNumberId)
{
    auto id = MetaJson::requiredId(status, QStringLiteral("id"), path);
    if (!id)
        return std::unexpected(id.error());
    const QString metaStatus = MetaJson::text(status, QStringLiteral("status")).toLower();
    if (metaStatus.isEmpty())
        return Core::fail(QStringLiteral("is missing"), path + QStringLiteral(".status"));
    auto when = MetaJson::secondsAsMs(status.value(QStringLiteral("timestamp")),
                                      path + QStringLiteral(".timestamp"));
    if (!when)
        return std::unexpected(when.error());
    const QString ours = ourStatus(metaStatus);
    if (ours.isEmpty()) { // deleted, warning, a future status: nothing for our messages
        qCDebug(lcWhatsApp) << "ignoring status" << metaStatus << "for" << *id;
        return std::optional<InboundEvent>();
    }

    InboundEvent event;
    event.kind = InboundEvent::Kind::DeliveryStatus;
    event.channel = QString::fromLatin1(WhatsAppAdapter::kChannel);
    event.externalId = *id;
    event.status = ours;
    event.occurredAtMs = *when;
    event.recipientId = phoneNumberId;
    event.threadId = MetaJson::idText(status.value(QStringLiteral("recipient_id")));
    event.senderId = event.threadId;
    if (metaStatus != ours)
        event.extra.insert(QStringLiteral("meta_status"), metaStatus);
    for (const auto &key :
         {QStringLiteral("conversation"), QStringLiteral("pricing"),
          QStringLiteral("biz_opaque_callback_data"), QStringLiteral("recipient_type")}) {
        if (status.contains(key))
            event.extra.insert(key, status.value(key));
    }
    const QJsonArray errors = status.value(QStringLiteral("errors")).toArray();
    if (!errors.isEmpty()) {
        // Match on the code, never the wording: Meta's texts for one code differ over time.
        const QJsonObject first = errors.first().toObject();
        event.errorCode = MetaJson::idText(first.value(QStringLiteral("code")));
        QString title = MetaJson::text(first, QStringLiteral("title"));
        if (title.isEmpty())
            title = MetaJson::text(first, QStringLiteral("message"));
        const QString details = MetaJson::text(first.value(QStringLiteral("error_data")).toObject(),
                                               QStringLiteral("details"));
        event.errorText = details.isEmpty() || details == title
                              ? title
                              : title + QStringLiteral(": ") + details;
        event.extra.insert(QStringLiteral("errors"), errors);
    }
    return std::optional<InboundEvent>(std::move(event));
}

} // namespace

Core::Result<QList<InboundEvent>> WhatsAppAdapter::parse(const QByteArray &body)
{
    auto root = MetaJson::parseObject(body);
    if (!root)
        return std::unexpected(root.error());
    const QString object = MetaJson::text(*root, QStringLiteral("object"));
    if (object != QLatin1String("whatsapp_business_account"))
        return Core::fail(QStringLiteral("is not whatsapp_business_account"),
                          QStringLiteral("object"));
    const QJsonValue entries = root->value(QStringLiteral("entry"));
    if (!entries.isArray())
        return Core::fail(QStringLiteral("is missing or not an array"), QStringLiteral("entry"));

    QList<InboundEvent> events;
    const QJsonArray entryArray = entries.toArray();
    for (qsizetype e = 0; e < entryArray.size(); ++e) {
        const QString entryPath = at(QStringLiteral("entry"), e);
        const QJsonArray changes
            = entryArray.at(e).toObject().value(QStringLiteral("changes")).toArray();
        for (qsizetype c = 0; c < changes.size(); ++c) {
            const QJsonObject change = changes.at(c).toObject();
            if (MetaJson::text(change, QStringLiteral("field")) != kMessages) {
                // account_update, message_template_status_update...: not conversation traffic.
                continue;
            }
            const QString valuePath
                = at(entryPath + QStringLiteral(".changes"), c) + QStringLiteral(".value");
            const QJsonObject value = change.value(QStringLiteral("value")).toObject();
            const QString phoneNumberId
                = MetaJson::idText(value.value(QStringLiteral("metadata"))
                                       .toObject()
                                       .value(QStringLiteral("phone_number_id")));

            QHash<QString, QString> names; // wa_id -> profile name
            const QJsonArray contacts = value.value(QStringLiteral("contacts")).toArray();
            for (const QJsonValue &contact : contacts) {
                const QJsonObject c = contact.toObject();
                const QString waId = MetaJson::idText(c.value(QStringLiteral("wa_id")));
                if (!waId.isEmpty())
                    names.insert(waId, MetaJson::text(c.value(QStringLiteral("profile")).toObject(),
                                                      QStringLiteral("name")));
            }

            const QJsonArray messages = value.value(kMessages).toArray();
            for (qsizetype m = 0; m < messages.size(); ++m) {
                const QString path = at(valuePath + QStringLiteral(".messages"), m);
                if (!messages.at(m).isObject())
                    return Core::fail(QStringLiteral("is not an object"), path);
                auto event = readMessage(messages.at(m).toObject(), path, phoneNumberId, names);
                if (!event)
                    return std::unexpected(event.error());
                events.push_back(std::move(*event));
            }

            const QJsonArray statuses = value.value(QStringLiteral("statuses")).toArray();
            for (qsizetype s = 0; s < statuses.size(); ++s) {
                const QString path = at(valuePath + QStringLiteral(".statuses"), s);
                if (!statuses.at(s).isObject())
                    return Core::fail(QStringLiteral("is not an object"), path);
                auto event = readStatus(statuses.at(s).toObject(), path, phoneNumberId);
                if (!event)
                    return std::unexpected(event.error());
                if (*event)
                    events.push_back(std::move(**event));
            }

            const QJsonArray errors = value.value(QStringLiteral("errors")).toArray();
            for (const QJsonValue &error : errors) {
                const QJsonObject err = error.toObject();
                qCWarning(lcWhatsApp).noquote()
                    << "WhatsApp reports error"
                    << MetaJson::idText(err.value(QStringLiteral("code")))
                    << MetaJson::text(err, QStringLiteral("title")) << "for phone number"
                    << phoneNumberId;
            }
        }
    }
    return events;
}

QString WhatsAppAdapter::dedupeKey(const InboundEvent &event)
{
    if (event.kind == InboundEvent::Kind::DeliveryStatus)
        return event.externalId + QLatin1Char('#') + event.status;
    return event.externalId;
}

bool WhatsAppAdapter::statusAdvances(const QString &current, const QString &incoming)
{
    constexpr int kRead = 4;
    constexpr int kFailed = 5;
    const int from = Core::InboundRecorder::statusRank(current);
    const int to = Core::InboundRecorder::statusRank(incoming);
    if (to < 1 || to == from || from == kFailed)
        return false;
    if (to == kFailed)
        return from < kRead;
    return to > from;
}

} // namespace LeadDesk::Sync
