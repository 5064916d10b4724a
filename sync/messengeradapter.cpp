#include "messengeradapter.h"

#include "metajson.h"

#include <QJsonArray>
#include <QLoggingCategory>

namespace LeadDesk::Sync {

namespace {

Q_LOGGING_CATEGORY(lcMessenger, "leaddesk.meta.messenger")

using Core::InboundEvent;

// Below this a Messenger time is in seconds (some samples and test tools send seconds; real
// deliveries send milliseconds, which are far above it for any date after 1973).
constexpr qint64 kSecondsBelow = 100'000'000'000;

QString at(const QString &path, qsizetype index)
{
    return path + QLatin1Char('[') + QString::number(index) + QLatin1Char(']');
}

Core::Result<qint64> eventTime(const QJsonValue &value, const QString &path)
{
    auto ms = MetaJson::millisAsMs(value, path);
    if (ms && *ms < kSecondsBelow)
        return *ms * 1000;
    return ms;
}

InboundEvent baseEvent(const QString &psid, const QString &pageId, qint64 whenMs)
{
    InboundEvent event;
    event.channel = QString::fromLatin1(MessengerAdapter::kChannel);
    event.senderId = psid;
    event.threadId = psid;
    event.recipientId = pageId;
    event.occurredAtMs = whenMs;
    event.lead.channel = event.channel;
    return event;
}

void readMessage(const QJsonObject &message, InboundEvent &event)
{
    event.kind = InboundEvent::Kind::Message;
    event.body = MetaJson::text(message, QStringLiteral("text"));
    const QJsonObject quickReply = message.value(QStringLiteral("quick_reply")).toObject();
    if (quickReply.contains(QStringLiteral("payload")))
        event.extra.insert(QStringLiteral("quick_reply_payload"),
                           quickReply.value(QStringLiteral("payload")));
    const QString replyTo = MetaJson::text(message.value(QStringLiteral("reply_to")).toObject(),
                                           QStringLiteral("mid"));
    if (!replyTo.isEmpty())
        event.extra.insert(QStringLiteral("reply_to"), replyTo);
    const QJsonArray attachments = message.value(QStringLiteral("attachments")).toArray();
    if (!attachments.isEmpty()) {
        const QJsonObject first = attachments.first().toObject();
        const QJsonObject payload = first.value(QStringLiteral("payload")).toObject();
        event.media = payload;
        event.media.insert(QStringLiteral("type"), first.value(QStringLiteral("type")));
        event.extra.insert(QStringLiteral("attachments"), attachments);
    }
    for (const auto &key : {QStringLiteral("referral"), QStringLiteral("commands")}) {
        if (message.contains(key))
            event.extra.insert(key, message.value(key));
    }
}

} // namespace

Core::Result<QList<InboundEvent>> MessengerAdapter::parse(const QByteArray &body)
{
    auto root = MetaJson::parseObject(body);
    if (!root)
        return std::unexpected(root.error());
    if (MetaJson::text(*root, QStringLiteral("object")) != QLatin1String("page"))
        return Core::fail(QStringLiteral("is not page"), QStringLiteral("object"));
    const QJsonValue entries = root->value(QStringLiteral("entry"));
    if (!entries.isArray())
        return Core::fail(QStringLiteral("is missing or not an array"), QStringLiteral("entry"));

    QList<InboundEvent> events;
    const QJsonArray entryArray = entries.toArray();
    for (qsizetype e = 0; e < entryArray.size(); ++e) {
        const QJsonObject entry = entryArray.at(e).toObject();
        const QString entryPageId = MetaJson::idText(entry.value(QStringLiteral("id")));
        const QJsonArray messaging = entry.value(QStringLiteral("messaging")).toArray();
        for (qsizetype m = 0; m < messaging.size(); ++m) {
            const QString path
                = at(at(QStringLiteral("entry"), e) + QStringLiteral(".messaging"), m);
            if (!messaging.at(m).isObject())
                return Core::fail(QStringLiteral("is not an object"), path);
            const QJsonObject item = messaging.at(m).toObject();
            const QJsonObject sender = item.value(QStringLiteral("sender")).toObject();
            QString psid = MetaJson::idText(sender.value(QStringLiteral("id")));
            if (psid.isEmpty()) // a guest of the website chat plugin has only a user_ref
                psid = MetaJson::idText(sender.value(QStringLiteral("user_ref")));
            if (psid.isEmpty())
                return Core::fail(QStringLiteral("is missing"),
                                  path + QStringLiteral(".sender.id"));
            QString pageId = MetaJson::idText(
                item.value(QStringLiteral("recipient")).toObject().value(QStringLiteral("id")));
            if (pageId.isEmpty())
                pageId = entryPageId;
            auto when = eventTime(item.value(QStringLiteral("timestamp")),
                                  path + QStringLiteral(".timestamp"));
            if (!when)
                return std::unexpected(when.error());

            if (item.contains(QStringLiteral("message"))) {
                const QJsonObject message = item.value(QStringLiteral("message")).toObject();
                if (message.value(QStringLiteral("is_echo")).toBool())
                    continue; // our own send, echoed back
                auto mid = MetaJson::requiredId(message, QStringLiteral("mid"),
                                                path + QStringLiteral(".message"));
                if (!mid)
                    return std::unexpected(mid.error());
                InboundEvent event = baseEvent(psid, pageId, *when);
                event.externalId = *mid;
                readMessage(message, event);
                events.push_back(std::move(event));
            } else if (item.contains(QStringLiteral("postback"))) {
                const QJsonObject postback = item.value(QStringLiteral("postback")).toObject();
                InboundEvent event = baseEvent(psid, pageId, *when);
                event.kind = InboundEvent::Kind::Message;
                event.externalId = MetaJson::idText(postback.value(QStringLiteral("mid")));
                if (event.externalId.isEmpty()) // older postbacks have no mid; this is stable
                    event.externalId = QStringLiteral("postback:") + psid + QLatin1Char(':')
                                       + QString::number(*when);
                event.body = MetaJson::text(postback, QStringLiteral("title"));
                event.extra.insert(QStringLiteral("type"), QStringLiteral("postback"));
                event.extra.insert(QStringLiteral("postback_payload"),
                                   postback.value(QStringLiteral("payload")));
                if (postback.contains(QStringLiteral("referral")))
                    event.extra.insert(QStringLiteral("referral"),
                                       postback.value(QStringLiteral("referral")));
                events.push_back(std::move(event));
            } else if (item.contains(QStringLiteral("delivery"))) {
                const QJsonObject delivery = item.value(QStringLiteral("delivery")).toObject();
                const QJsonArray mids = delivery.value(QStringLiteral("mids")).toArray();
                for (const QJsonValue &mid : mids) {
                    const QString id = MetaJson::idText(mid);
                    if (id.isEmpty())
                        continue;
                    InboundEvent event = baseEvent(psid, pageId, *when);
                    event.kind = InboundEvent::Kind::DeliveryStatus;
                    event.externalId = id;
                    event.status = QStringLiteral("delivered");
                    event.extra.insert(QStringLiteral("watermark"),
                                       delivery.value(QStringLiteral("watermark")));
                    events.push_back(std::move(event));
                }
            } else {
                // read, reaction, optin, referral, handover...: not conversation content here.
                qCDebug(lcMessenger) << "ignoring messaging event with keys" << item.keys();
            }
        }
    }
    return events;
}

QString MessengerAdapter::dedupeKey(const InboundEvent &event)
{
    if (event.kind == InboundEvent::Kind::DeliveryStatus)
        return event.externalId + QLatin1Char('#') + event.status;
    return event.externalId;
}

} // namespace LeadDesk::Sync
