#include "twilioadapter.h"

#include <QJsonArray>
#include <QJsonObject>

namespace LeadDesk::Sync {

using Core::fail;
using Core::InboundEvent;
using Core::Result;

namespace {

// The first value of a parameter, decoded as UTF-8 (malformed bytes become U+FFFD).
QString value(const TwilioSignature::FormParams &params, QByteArrayView name)
{
    for (const auto &[key, text] : params) {
        if (key == name)
            return QString::fromUtf8(text);
    }
    return {};
}

QString firstOf(const TwilioSignature::FormParams &params,
                std::initializer_list<const char *> names)
{
    for (const char *name : names) {
        QString text = value(params, name).trimmed();
        if (!text.isEmpty())
            return text;
    }
    return {};
}

Result<QString> requiredOf(const TwilioSignature::FormParams &params,
                           std::initializer_list<const char *> names)
{
    QString text = firstOf(params, names);
    if (text.isEmpty()) {
        const QString field = QLatin1String(*names.begin());
        return fail(QStringLiteral("%1 is missing").arg(field), field);
    }
    return text;
}

} // namespace

TwilioAdapter::Keyword TwilioAdapter::keyword(QStringView body)
{
    QStringView word = body.trimmed();
    auto isPunct = [](QChar c) {
        return c.isPunct() || c.isSpace();
    };
    while (!word.isEmpty() && isPunct(word.front()))
        word = word.sliced(1);
    while (!word.isEmpty() && isPunct(word.back()))
        word.chop(1);
    if (word.isEmpty() || word.size() > 11)
        return Keyword::None;
    const QString upper = word.toString().toUpper();
    static const QStringList optOut
        = {QStringLiteral("STOP"),   QStringLiteral("STOPALL"), QStringLiteral("UNSUBSCRIBE"),
           QStringLiteral("CANCEL"), QStringLiteral("END"),     QStringLiteral("QUIT")};
    static const QStringList optIn
        = {QStringLiteral("START"), QStringLiteral("YES"), QStringLiteral("UNSTOP")};
    static const QStringList help = {QStringLiteral("HELP"), QStringLiteral("INFO")};
    if (optOut.contains(upper))
        return Keyword::OptOut;
    if (optIn.contains(upper))
        return Keyword::OptIn;
    if (help.contains(upper))
        return Keyword::Help;
    return Keyword::None;
}

Result<InboundEvent> TwilioAdapter::parseInbound(const TwilioSignature::FormParams &params)
{
    auto sid = requiredOf(params, {"MessageSid", "SmsMessageSid", "SmsSid"});
    if (!sid)
        return std::unexpected(sid.error());
    auto from = requiredOf(params, {"From"});
    if (!from)
        return std::unexpected(from.error());

    InboundEvent event;
    event.channel = QLatin1String(kChannel);
    event.externalId = *sid;
    event.senderId = *from;
    event.threadId = *from; // one SMS thread per person and number
    event.recipientId = firstOf(params, {"To"});
    event.body = value(params, "Body"); // verbatim: no trimming of what the person wrote
    switch (keyword(event.body)) {
    case Keyword::None:
        event.kind = InboundEvent::Kind::Message;
        break;
    case Keyword::OptOut:
        event.kind = InboundEvent::Kind::OptOut;
        break;
    case Keyword::OptIn:
        event.kind = InboundEvent::Kind::OptIn;
        break;
    case Keyword::Help:
        event.kind = InboundEvent::Kind::Help;
        break;
    }

    // MMS: MediaUrl0..N-1 with their content types; the files stay at Twilio until fetched.
    bool countOk = false;
    const int declared = qBound(0, firstOf(params, {"NumMedia"}).toInt(&countOk), 10);
    QJsonArray items;
    for (int i = 0; i < 10; ++i) {
        const QByteArray index = QByteArray::number(i);
        const QString url = value(params, QByteArray("MediaUrl" + index));
        if (url.isEmpty()) {
            if (i >= declared)
                break;
            continue;
        }
        items.push_back(QJsonObject{
            {QStringLiteral("url"), url},
            {QStringLiteral("mime_type"), value(params, QByteArray("MediaContentType" + index))}});
    }
    if (!items.isEmpty())
        event.media = QJsonObject{{QStringLiteral("type"), QStringLiteral("mms")},
                                  {QStringLiteral("items"), items}};
    return event;
}

QString TwilioAdapter::statusOf(QStringView twilioStatus)
{
    const QString status = twilioStatus.trimmed().toString().toLower();
    if (status == QLatin1String("accepted") || status == QLatin1String("scheduled")
        || status == QLatin1String("queued") || status == QLatin1String("sending"))
        return QStringLiteral("queued");
    if (status == QLatin1String("undelivered") || status == QLatin1String("canceled"))
        return QStringLiteral("failed");
    return status; // sent, delivered, read, failed are ours already
}

Result<InboundEvent> TwilioAdapter::parseStatus(const TwilioSignature::FormParams &params)
{
    auto sid = requiredOf(params, {"MessageSid", "SmsSid"});
    if (!sid)
        return std::unexpected(sid.error());
    auto status = requiredOf(params, {"MessageStatus", "SmsStatus"});
    if (!status)
        return std::unexpected(status.error());
    InboundEvent event;
    event.kind = InboundEvent::Kind::DeliveryStatus;
    event.channel = QLatin1String(kChannel);
    event.externalId = *sid;
    event.senderId = firstOf(params, {"To"}); // the person our message went to
    event.recipientId = firstOf(params, {"From"});
    event.status = statusOf(*status);
    if (event.status == QLatin1String("failed")) {
        event.errorCode = firstOf(params, {"ErrorCode"});
        event.errorText = firstOf(params, {"ErrorMessage"});
        if (event.errorText.isEmpty())
            event.errorText = status->toLower(); // "undelivered", "canceled": what Twilio said
    }
    event.extra.insert(QStringLiteral("twilio_status"), *status);
    return event;
}

QString TwilioAdapter::dedupeKey(const InboundEvent &event)
{
    if (event.externalId.isEmpty())
        return {};
    if (event.kind == InboundEvent::Kind::DeliveryStatus)
        return event.externalId + QLatin1Char(':') + event.status;
    return event.externalId;
}

QByteArray TwilioAdapter::emptyTwiml()
{
    return QByteArrayLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response></Response>\n");
}

} // namespace LeadDesk::Sync
