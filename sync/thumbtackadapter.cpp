#include "thumbtackadapter.h"

#include "inboundrecorder.h"
#include "normalizer.h"
#include "utf8.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QStringList>

namespace LeadDesk::Sync {

using Core::fail;
using Core::InboundEvent;
using Core::Result;

namespace {

const QString kNegotiationCreated = QStringLiteral("NegotiationCreatedV4");
const QString kMessageCreated = QStringLiteral("MessageCreatedV4");

// A JSON scalar as text. Ids arrive as strings in every capture, but an integrator's proxy may
// turn them into numbers: integral numbers are written without exponent or fraction.
QString text(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        const double d = value.toDouble();
        const qint64 i = value.toInteger();
        return double(i) == d ? QString::number(i) : QString::number(d, 'g', 17);
    }
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    return {};
}

QString path(const QString &prefix, const char *key)
{
    return prefix + QLatin1String(key);
}

Result<QString> required(const QJsonObject &object, const char *key, const QString &prefix)
{
    const QJsonValue value = object.value(QLatin1String(key));
    const QString field = path(prefix, key);
    if (value.isUndefined() || value.isNull())
        return fail(QStringLiteral("%1 is missing").arg(field), field);
    if (!value.isString() && !value.isDouble())
        return fail(QStringLiteral("%1 is not a string").arg(field), field);
    const QString id = text(value).trimmed();
    if (id.isEmpty())
        return fail(QStringLiteral("%1 is empty").arg(field), field);
    return id;
}

// An optional member that must be an object when present.
Result<QJsonObject> objectAt(const QJsonObject &object, const char *key, const QString &prefix)
{
    const QJsonValue value = object.value(QLatin1String(key));
    if (value.isUndefined() || value.isNull())
        return QJsonObject();
    if (!value.isObject())
        return fail(QStringLiteral("%1 is not an object").arg(path(prefix, key)),
                    path(prefix, key));
    return value.toObject();
}

qint64 timeMs(const QString &value)
{
    if (value.trimmed().isEmpty())
        return 0;
    auto parsed = Core::Normalizer::dateTimeUtc(value);
    return parsed ? parsed->toMSecsSinceEpoch() : 0;
}

void putText(QJsonObject &details, const char *key, const QString &value)
{
    if (!value.isEmpty())
        details.insert(QLatin1String(key), value);
}

void putMoney(QJsonObject &details, const char *key, const QJsonValue &value)
{
    const QString raw = text(value);
    if (raw.trimmed().isEmpty())
        return;
    details.insert(QLatin1String(key), raw);
    if (auto cents = Core::Normalizer::moneyCents(raw))
        details.insert(QLatin1String(key) + QStringLiteral("_cents"), *cents);
}

QString joinNonBlank(const QStringList &parts)
{
    QStringList kept;
    for (const QString &part : parts) {
        if (!part.trimmed().isEmpty())
            kept.push_back(part.trimmed());
    }
    return kept.join(QLatin1Char(' '));
}

// The person, in either shape Thumbtack uses: {firstName, lastName} (negotiations) or
// {displayName} / {name} (messages, the REST API).
struct Person
{
    QString id, firstName, lastName, fullName, phone, email;

    [[nodiscard]] QString displayName() const
    {
        if (!fullName.isEmpty())
            return fullName;
        return joinNonBlank({firstName, lastName});
    }
};

Person personOf(const QJsonObject &customer)
{
    Person person;
    person.id = text(customer.value(QLatin1String("customerID"))).trimmed();
    if (person.id.isEmpty())
        person.id = text(customer.value(QLatin1String("id"))).trimmed();
    person.firstName = text(customer.value(QLatin1String("firstName")));
    person.lastName = text(customer.value(QLatin1String("lastName")));
    for (const char *key : {"displayName", "name", "fullName"}) {
        if (person.fullName.trimmed().isEmpty())
            person.fullName = text(customer.value(QLatin1String(key)));
    }
    person.phone = text(customer.value(QLatin1String("phone")));
    if (person.phone.isEmpty())
        person.phone = text(customer.value(QLatin1String("phoneNumber")));
    person.email = text(customer.value(QLatin1String("email")));
    return person;
}

void fillPerson(InboundEvent &event, const Person &person, const QString &fallbackKey)
{
    event.senderId = person.id.isEmpty() ? fallbackKey : person.id;
    event.senderName = person.displayName();
    Core::RawLead &lead = event.lead;
    lead.firstName = person.firstName;
    lead.lastName = person.lastName;
    if (person.firstName.trimmed().isEmpty() && person.lastName.trimmed().isEmpty())
        lead.fullName = person.fullName;
    lead.phone = person.phone;
    lead.email = person.email;
}

void fillLocation(Core::RawLead &lead, QJsonObject &details, const QJsonObject &location)
{
    if (location.isEmpty())
        return;
    const QString address1 = text(location.value(QLatin1String("address1")));
    const QString address2 = text(location.value(QLatin1String("address2")));
    lead.street = joinNonBlank({address1, address2});
    lead.city = text(location.value(QLatin1String("city")));
    lead.state = text(location.value(QLatin1String("state")));
    lead.postalCode = text(location.value(QLatin1String("zipCode")));
    details.insert(QStringLiteral("location"), location);
}

// Q&A pairs as [{question, answer}]; an answer given as a list is joined.
QJsonArray questionsAndAnswers(const QJsonValue &value)
{
    QJsonArray qa;
    for (const QJsonValue &item : value.toArray()) {
        const QJsonObject pair = item.toObject();
        QString answer;
        if (pair.value(QLatin1String("answer")).isArray()) {
            QStringList parts;
            for (const QJsonValue &part : pair.value(QLatin1String("answer")).toArray())
                parts.push_back(text(part));
            answer = parts.join(QStringLiteral(", "));
        } else {
            answer = text(pair.value(QLatin1String("answer")));
        }
        const QString question = text(pair.value(QLatin1String("question")));
        if (question.isEmpty() && answer.isEmpty())
            continue;
        qa.push_back(QJsonObject{{QStringLiteral("question"), question},
                                 {QStringLiteral("answer"), answer}});
    }
    return qa;
}

// The request block both API generations share (v4 has category as an object, the legacy API
// as a name plus categoryID).
Result<void> fillRequest(InboundEvent &event, const QJsonObject &request, const QString &prefix)
{
    Core::RawLead &lead = event.lead;
    QJsonObject &details = event.extra;
    putText(details, "request_id", text(request.value(QLatin1String("requestID"))));
    const QJsonValue category = request.value(QLatin1String("category"));
    if (category.isObject()) {
        lead.serviceInterest = text(category.toObject().value(QLatin1String("name")));
        putText(details, "category_id",
                text(category.toObject().value(QLatin1String("categoryID"))));
    } else {
        lead.serviceInterest = text(category);
        putText(details, "category_id", text(request.value(QLatin1String("categoryID"))));
    }
    putText(details, "category", lead.serviceInterest);
    putText(details, "title", text(request.value(QLatin1String("title"))));
    const QString description = text(request.value(QLatin1String("description")));
    lead.message = description;
    putText(details, "description", description);
    const QString schedule = text(request.value(QLatin1String("schedule")));
    lead.timeline = schedule;
    putText(details, "schedule", schedule);
    auto location = objectAt(request, "location", prefix);
    if (!location)
        return std::unexpected(location.error());
    fillLocation(lead, details, *location);
    const QJsonArray qa = questionsAndAnswers(request.value(QLatin1String("details")));
    if (!qa.isEmpty())
        details.insert(QStringLiteral("qa"), qa);
    for (const auto &[from, to] :
         {std::pair{"proposedTimes", "proposed_times"}, std::pair{"attachments", "attachments"},
          std::pair{"travelPreferences", "travel_preferences"}}) {
        const QJsonValue value = request.value(QLatin1String(from));
        if ((value.isArray() && !value.toArray().isEmpty())
            || (value.isString() && !value.toString().isEmpty()))
            details.insert(QLatin1String(to), value);
    }
    return {};
}

Result<InboundEvent> negotiation(const QJsonObject &data, const QJsonObject &envelope,
                                 const QString &prefix)
{
    auto id = required(data, "negotiationID", prefix);
    if (!id)
        return std::unexpected(id.error());
    auto customer = objectAt(data, "customer", prefix);
    auto business = objectAt(data, "business", prefix);
    auto request = objectAt(data, "request", prefix);
    for (const auto *part : {&customer, &business, &request}) {
        if (!*part)
            return std::unexpected(part->error());
    }
    InboundEvent event;
    event.kind = InboundEvent::Kind::Lead;
    event.channel = QLatin1String(ThumbtackAdapter::kChannel);
    event.externalId = *id;
    event.threadId = *id;
    const Person person = personOf(*customer);
    fillPerson(event, person, QStringLiteral("negotiation:") + *id);
    event.recipientId = text(business->value(QLatin1String("businessID")));
    event.lead.externalId = *id;
    event.lead.sourceLabel = QStringLiteral("Thumbtack");
    event.lead.createdAt = text(data.value(QLatin1String("createdAt")));
    event.occurredAtMs = timeMs(event.lead.createdAt);
    if (event.occurredAtMs == 0)
        event.occurredAtMs = timeMs(text(envelope.value(QLatin1String("triggeredAt"))));

    QJsonObject &details = event.extra;
    putText(details, "customer_id", person.id);
    putText(details, "customer_name", person.displayName());
    putText(details, "business_id", event.recipientId);
    putText(details, "business_name", text(business->value(QLatin1String("name"))));
    putText(details, "negotiation_status", text(data.value(QLatin1String("status"))));
    putText(details, "charge_state", text(data.value(QLatin1String("chargeState"))));
    putMoney(details, "lead_price", data.value(QLatin1String("leadPrice")));
    const QJsonObject breakdown = data.value(QLatin1String("leadPriceBreakdown")).toObject();
    if (!breakdown.isEmpty()) {
        QJsonObject typed;
        putMoney(typed, "sales_tax", breakdown.value(QLatin1String("salesTax")));
        putMoney(typed, "subtotal", breakdown.value(QLatin1String("subtotal")));
        details.insert(QStringLiteral("lead_price_breakdown"), typed);
    }
    const QJsonObject estimate = data.value(QLatin1String("estimate")).toObject();
    if (!estimate.isEmpty()) {
        QJsonObject typed;
        putMoney(typed, "total", estimate.value(QLatin1String("total")));
        putMoney(typed, "price_per_unit", estimate.value(QLatin1String("pricePerUnit")));
        putText(typed, "type", text(estimate.value(QLatin1String("type"))));
        putText(typed, "unit_name", text(estimate.value(QLatin1String("unitName"))));
        if (estimate.contains(QLatin1String("unitQuantity")))
            typed.insert(QStringLiteral("unit_quantity"),
                         estimate.value(QLatin1String("unitQuantity")));
        details.insert(QStringLiteral("estimate"), typed);
    }
    if (auto ok = fillRequest(event, *request, prefix + QStringLiteral("request.")); !ok)
        return std::unexpected(ok.error());
    return event;
}

Result<InboundEvent> message(const QJsonObject &data, const QString &prefix, const char *leadKey,
                             const QString &fallbackPrefix)
{
    auto id = required(data, "messageID", prefix);
    if (!id && data.contains(QLatin1String("id")))
        id = required(data, "id", prefix);
    if (!id)
        return std::unexpected(id.error());
    auto lead = required(data, leadKey, prefix);
    if (!lead)
        return std::unexpected(lead.error());
    auto customer = objectAt(data, "customer", prefix);
    if (!customer)
        return std::unexpected(customer.error());

    InboundEvent event;
    event.kind = InboundEvent::Kind::Message;
    event.channel = QLatin1String(ThumbtackAdapter::kChannel);
    event.externalId = *id;
    event.threadId = *lead;
    Person person = personOf(*customer);
    if (person.id.isEmpty())
        person.id = text(data.value(QLatin1String("customerID"))).trimmed();
    if (person.fullName.isEmpty())
        person.fullName = text(data.value(QLatin1String("customerName")));
    fillPerson(event, person, fallbackPrefix + *lead);
    event.recipientId
        = text(data.value(QLatin1String("business")).toObject().value(QLatin1String("businessID")));
    for (const char *key : {"text", "message", "body"}) {
        if (event.body.isEmpty())
            event.body = text(data.value(QLatin1String(key)));
    }
    for (const char *key : {"sentAt", "createTimestamp", "timestamp", "createdAt"}) {
        if (event.occurredAtMs == 0)
            event.occurredAtMs = timeMs(text(data.value(QLatin1String(key))));
    }
    event.extra.insert(Core::InboundRecorder::kLeadRefKey, *lead);
    QString from = text(data.value(QLatin1String("from")));
    if (from.isEmpty())
        from = text(data.value(QLatin1String("sender")));
    if (from.compare(QLatin1String("Business"), Qt::CaseInsensitive) == 0)
        event.extra.insert(Core::InboundRecorder::kDirectionKey, QStringLiteral("out"));
    const QJsonArray attachments = data.value(QLatin1String("attachments")).toArray();
    if (!attachments.isEmpty())
        event.media = QJsonObject{{QStringLiteral("type"), QStringLiteral("attachments")},
                                  {QStringLiteral("items"), attachments}};
    return event;
}

Result<QJsonObject> parseObject(const QByteArray &body)
{
    const auto *bytes = reinterpret_cast<const unsigned char *>(body.constData());
    for (std::size_t i = 0, size = std::size_t(body.size()); i < size;) {
        const int length = Core::Utf8::sequenceLength(bytes, i, size);
        if (length == 0)
            return fail(QStringLiteral("the body is not valid UTF-8 (byte %1)").arg(i));
        i += std::size_t(length);
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(QStringLiteral("malformed JSON at offset %1: %2")
                        .arg(error.offset)
                        .arg(error.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("the body is not a JSON object"));
    return document.object();
}

} // namespace

Result<ThumbtackAdapter::Parsed> ThumbtackAdapter::parseV4(const QJsonObject &root)
{
    auto envelope = objectAt(root, "event", {});
    if (!envelope)
        return std::unexpected(envelope.error());
    QJsonObject data = root;
    QString prefix;
    if (root.contains(QLatin1String("data"))) {
        auto inner = objectAt(root, "data", {});
        if (!inner)
            return std::unexpected(inner.error());
        data = *inner;
        prefix = QStringLiteral("data.");
    }
    QString type = text(envelope->value(QLatin1String("eventType"))).trimmed();
    if (type.isEmpty())
        type = text(root.value(QLatin1String("eventType"))).trimmed();
    if (type.isEmpty()) {
        if (data.contains(QLatin1String("messageID")))
            type = kMessageCreated;
        else if (data.contains(QLatin1String("negotiationID")))
            type = kNegotiationCreated;
        else
            return fail(QStringLiteral("event.eventType is missing"),
                        QStringLiteral("event.eventType"));
    }
    Parsed parsed;
    if (type == kNegotiationCreated) {
        auto event = negotiation(data, *envelope, prefix);
        if (!event)
            return std::unexpected(event.error());
        parsed.events.push_back(std::move(*event));
    } else if (type == kMessageCreated) {
        auto event = message(data, prefix, "negotiationID", QStringLiteral("negotiation:"));
        if (!event)
            return std::unexpected(event.error());
        parsed.events.push_back(std::move(*event));
    } else {
        parsed.ignoredReason = QStringLiteral("event type %1 is not handled").arg(type);
    }
    return parsed;
}

Result<ThumbtackAdapter::Parsed> ThumbtackAdapter::parseLegacyLead(const QJsonObject &root)
{
    auto id = required(root, "leadID", {});
    if (!id)
        return std::unexpected(id.error());
    auto customer = objectAt(root, "customer", {});
    auto request = objectAt(root, "request", {});
    for (const auto *part : {&customer, &request}) {
        if (!*part)
            return std::unexpected(part->error());
    }
    InboundEvent event;
    event.kind = InboundEvent::Kind::Lead;
    event.channel = QLatin1String(kChannel);
    event.externalId = *id;
    event.threadId = *id;
    const Person person = personOf(*customer);
    fillPerson(event, person, QStringLiteral("lead:") + *id);
    event.recipientId = text(root.value(QLatin1String("businessID")));
    event.lead.externalId = *id;
    event.lead.sourceLabel = QStringLiteral("Thumbtack");
    event.lead.createdAt = text(root.value(QLatin1String("createTimestamp")));
    event.occurredAtMs = timeMs(event.lead.createdAt);
    QJsonObject &details = event.extra;
    putText(details, "customer_id", person.id);
    putText(details, "customer_name", person.displayName());
    putText(details, "lead_type", text(root.value(QLatin1String("leadType"))));
    putMoney(details, "lead_price", root.value(QLatin1String("price")));
    if (auto ok = fillRequest(event, *request, QStringLiteral("request.")); !ok)
        return std::unexpected(ok.error());
    Parsed parsed;
    parsed.events.push_back(std::move(event));
    return parsed;
}

Result<ThumbtackAdapter::Parsed> ThumbtackAdapter::parseLegacyMessage(const QJsonObject &root)
{
    const char *leadKey = root.contains(QLatin1String("leadID")) ? "leadID" : "negotiationID";
    if (!root.contains(QLatin1String(leadKey)))
        leadKey = "leadID"; // names the field the error reports
    auto event = message(root, {}, leadKey, QStringLiteral("lead:"));
    if (!event)
        return std::unexpected(event.error());
    Parsed parsed;
    parsed.events.push_back(std::move(*event));
    return parsed;
}

Result<ThumbtackAdapter::Parsed> ThumbtackAdapter::parseV4(const QByteArray &body)
{
    auto root = parseObject(body);
    if (!root)
        return std::unexpected(root.error());
    return parseV4(*root);
}

Result<ThumbtackAdapter::Parsed> ThumbtackAdapter::parseLegacyLead(const QByteArray &body)
{
    auto root = parseObject(body);
    if (!root)
        return std::unexpected(root.error());
    return parseLegacyLead(*root);
}

Result<ThumbtackAdapter::Parsed> ThumbtackAdapter::parseLegacyMessage(const QByteArray &body)
{
    auto root = parseObject(body);
    if (!root)
        return std::unexpected(root.error());
    return parseLegacyMessage(*root);
}

QString ThumbtackAdapter::dedupeKey(const InboundEvent &event)
{
    if (event.externalId.isEmpty())
        return {};
    return (event.kind == InboundEvent::Kind::Lead ? QStringLiteral("lead:")
                                                   : QStringLiteral("message:"))
           + event.externalId;
}

bool ThumbtackAdapter::checkBasicAuth(QByteArrayView authorizationHeader, const QString &username,
                                      const QString &password)
{
    if (username.isEmpty() && password.isEmpty())
        return false;
    const QByteArray header = authorizationHeader.toByteArray().trimmed();
    const qsizetype space = header.indexOf(' ');
    if (space <= 0 || header.left(space).toLower() != "basic")
        return false;
    const auto decoded = QByteArray::fromBase64Encoding(header.mid(space + 1).trimmed(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded)
        return false;
    const QByteArray expected = username.toUtf8() + ':' + password.toUtf8();
    const QByteArray &given = decoded.decoded;
    // Constant time in the content: every byte of the longer input is looked at.
    const qsizetype n = std::max(expected.size(), given.size());
    unsigned difference = expected.size() == given.size() ? 0u : 1u;
    for (qsizetype i = 0; i < n; ++i) {
        const unsigned char a = i < expected.size() ? uchar(expected[i]) : 0;
        const unsigned char b = i < given.size() ? uchar(given[i]) : 0;
        difference |= unsigned(a ^ b);
    }
    return difference == 0;
}

} // namespace LeadDesk::Sync
