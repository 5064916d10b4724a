#include "chatbotbody.h"

#include "utf8.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

namespace LeadDesk::Core {

namespace {

// Python's json module words for what Qt's parser reports, so "ctx.error" reads as the seed's.
QString pythonWording(QJsonParseError::ParseError error)
{
    switch (error) {
    case QJsonParseError::UnterminatedObject:
    case QJsonParseError::UnterminatedArray:
    case QJsonParseError::MissingValueSeparator:
        return QStringLiteral("Expecting ',' delimiter");
    case QJsonParseError::MissingNameSeparator:
        return QStringLiteral("Expecting ':' delimiter");
    case QJsonParseError::UnterminatedString:
        return QStringLiteral("Unterminated string");
    case QJsonParseError::IllegalEscapeSequence:
        return QStringLiteral("Invalid \\escape");
    case QJsonParseError::GarbageAtEnd:
        return QStringLiteral("Extra data");
    case QJsonParseError::DeepNesting:
        return QStringLiteral("Too deeply nested");
    case QJsonParseError::DocumentTooLarge:
        return QStringLiteral("Document too large");
    default:
        return QStringLiteral("Expecting value");
    }
}

ChatbotResponse jsonInvalid(qint64 position, const QString &message)
{
    return ChatbotResponse::validation(QJsonArray{ChatbotBody::error(
        QStringLiteral("json_invalid"), QJsonArray{QStringLiteral("body"), position},
        QStringLiteral("JSON decode error"), QJsonObject{},
        QJsonObject{{QStringLiteral("error"), message}})});
}

bool wellFormedUtf8(const QByteArray &bytes)
{
    const auto *data = reinterpret_cast<const unsigned char *>(bytes.constData());
    const auto size = std::size_t(bytes.size());
    for (std::size_t i = 0; i < size;) {
        const int length = Utf8::sequenceLength(data, i, size);
        if (length == 0)
            return false;
        i += std::size_t(length);
    }
    return true;
}

QString quoted(const QString &text)
{
    return u'\'' + text + u'\'';
}

} // namespace

ChatbotParsed<QJsonValue> ChatbotBody::parse(const QByteArray &bytes)
{
    if (bytes.isEmpty())
        return QJsonValue(QJsonValue::Undefined);
    if (!wellFormedUtf8(bytes))
        return std::unexpected(
            ChatbotResponse::detail(400, QStringLiteral("There was an error parsing the body")));
    QByteArray text = bytes;
    if (text.startsWith("\xEF\xBB\xBF")) // Python decodes a leading BOM away
        text.remove(0, 3);
    const QByteArray trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return std::unexpected(jsonInvalid(text.size(), QStringLiteral("Expecting value")));

    QJsonParseError error{};
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
        const QJsonDocument document = QJsonDocument::fromJson(text, &error);
        if (error.error != QJsonParseError::NoError)
            return std::unexpected(jsonInvalid(error.offset, pythonWording(error.error)));
        return document.isObject() ? QJsonValue(document.object()) : QJsonValue(document.array());
    }
    // A scalar body ("5", "\"text\"", "null"): Qt parses only objects and arrays at the top.
    const QJsonDocument document = QJsonDocument::fromJson('[' + text + ']', &error);
    if (error.error != QJsonParseError::NoError)
        return std::unexpected(
            jsonInvalid(std::max<qint64>(0, error.offset - 1), pythonWording(error.error)));
    const QJsonArray array = document.array();
    if (array.size() != 1)
        return std::unexpected(jsonInvalid(0, QStringLiteral("Extra data")));
    return array.first();
}

ChatbotBody::ChatbotBody(QJsonValue body, QJsonArray loc)
    : m_body(std::move(body))
    , m_loc(std::move(loc))
{
    if (m_body.isObject()) {
        m_fields = m_body.toObject();
        m_isObject = true;
    } else if (m_body.isUndefined()) {
        m_errors.push_back(error(QStringLiteral("missing"), m_loc, QStringLiteral("Field required"),
                                 QJsonValue::Null));
    } else {
        m_errors.push_back(
            error(QStringLiteral("model_attributes_type"), m_loc,
                  QStringLiteral("Input should be a valid dictionary or object to extract fields "
                                 "from"),
                  m_body));
    }
}

QJsonArray ChatbotBody::locOf(const QString &field) const
{
    QJsonArray loc = m_loc;
    loc.push_back(field);
    return loc;
}

void ChatbotBody::missing(const QString &field)
{
    m_errors.push_back(
        error(QStringLiteral("missing"), locOf(field), QStringLiteral("Field required"), m_fields));
}

bool ChatbotBody::checkLength(const QString &field, const QString &value, int maxLength)
{
    if (maxLength <= 0 || codePoints(value) <= maxLength)
        return true;
    m_errors.push_back(
        error(QStringLiteral("string_too_long"), locOf(field),
              QStringLiteral("String should have at most %1 characters").arg(maxLength), value,
              QJsonObject{{QStringLiteral("max_length"), maxLength}}));
    return false;
}

QString ChatbotBody::string(const QString &field, int maxLength)
{
    if (!usable())
        return {};
    if (!m_fields.contains(field)) {
        missing(field);
        return {};
    }
    const QJsonValue value = m_fields.value(field);
    if (!value.isString()) {
        m_errors.push_back(error(QStringLiteral("string_type"), locOf(field),
                                 QStringLiteral("Input should be a valid string"), value));
        return {};
    }
    const QString text = value.toString();
    checkLength(field, text, maxLength);
    return text;
}

QString ChatbotBody::string(const QString &field, const QString &defaultValue, int maxLength)
{
    if (!usable())
        return {};
    if (!m_fields.contains(field))
        return defaultValue;
    return string(field, maxLength);
}

std::optional<QString> ChatbotBody::optionalString(const QString &field, int maxLength)
{
    if (!usable() || !m_fields.contains(field) || m_fields.value(field).isNull())
        return std::nullopt;
    return string(field, maxLength);
}

std::optional<qint64> ChatbotBody::toInteger(const QString &field, const QJsonValue &value)
{
    if (value.isBool())
        return value.toBool() ? 1 : 0;
    if (value.isDouble()) {
        const double d = value.toDouble();
        if (d != std::floor(d) || !std::isfinite(d)) {
            m_errors.push_back(
                error(QStringLiteral("int_from_float"), locOf(field),
                      QStringLiteral("Input should be a valid integer, got a number with a "
                                     "fractional part"),
                      value));
            return std::nullopt;
        }
        return qint64(std::clamp(d, -9.0e18, 9.0e18));
    }
    if (value.isString()) {
        const QString text = value.toString().trimmed();
        bool ok = false;
        const qint64 n = text.toLongLong(&ok);
        if (ok)
            return n;
        const double d = text.toDouble(&ok);
        if (ok && std::isfinite(d) && d == std::floor(d))
            return qint64(std::clamp(d, -9.0e18, 9.0e18));
        m_errors.push_back(error(QStringLiteral("int_parsing"), locOf(field),
                                 QStringLiteral("Input should be a valid integer, unable to parse "
                                                "string as an integer"),
                                 value));
        return std::nullopt;
    }
    m_errors.push_back(error(QStringLiteral("int_type"), locOf(field),
                             QStringLiteral("Input should be a valid integer"), value));
    return std::nullopt;
}

qint64 ChatbotBody::integer(const QString &field)
{
    if (!usable())
        return 0;
    if (!m_fields.contains(field)) {
        missing(field);
        return 0;
    }
    return toInteger(field, m_fields.value(field)).value_or(0);
}

std::optional<qint64> ChatbotBody::optionalInteger(const QString &field)
{
    if (!usable() || !m_fields.contains(field) || m_fields.value(field).isNull())
        return std::nullopt;
    return toInteger(field, m_fields.value(field));
}

std::optional<double> ChatbotBody::optionalNumber(const QString &field, std::optional<double> min,
                                                  std::optional<double> max)
{
    if (!usable() || !m_fields.contains(field) || m_fields.value(field).isNull())
        return std::nullopt;
    const QJsonValue value = m_fields.value(field);
    double d = 0.0;
    if (value.isDouble()) {
        d = value.toDouble();
    } else if (value.isBool()) {
        d = value.toBool() ? 1.0 : 0.0;
    } else if (value.isString()) {
        bool ok = false;
        d = value.toString().trimmed().toDouble(&ok);
        if (!ok) {
            m_errors.push_back(error(QStringLiteral("float_parsing"), locOf(field),
                                     QStringLiteral("Input should be a valid number, unable to "
                                                    "parse string as a number"),
                                     value));
            return std::nullopt;
        }
    } else {
        m_errors.push_back(error(QStringLiteral("float_type"), locOf(field),
                                 QStringLiteral("Input should be a valid number"), value));
        return std::nullopt;
    }
    if (min && !(d >= *min)) {
        m_errors.push_back(
            error(QStringLiteral("greater_than_equal"), locOf(field),
                  QStringLiteral("Input should be greater than or equal to %1").arg(*min), value,
                  QJsonObject{{QStringLiteral("ge"), *min}}));
        return std::nullopt;
    }
    if (max && !(d <= *max)) {
        m_errors.push_back(
            error(QStringLiteral("less_than_equal"), locOf(field),
                  QStringLiteral("Input should be less than or equal to %1").arg(*max), value,
                  QJsonObject{{QStringLiteral("le"), *max}}));
        return std::nullopt;
    }
    return d;
}

QJsonObject ChatbotBody::object(const QString &field)
{
    if (!usable())
        return {};
    if (!m_fields.contains(field)) {
        missing(field);
        return {};
    }
    if (auto value = optionalObject(field))
        return *value;
    if (m_fields.value(field).isNull()) // optionalObject() lets null through; here it is wrong
        m_errors.push_back(error(QStringLiteral("dict_type"), locOf(field),
                                 QStringLiteral("Input should be a valid dictionary"),
                                 QJsonValue::Null));
    return {};
}

std::optional<QJsonObject> ChatbotBody::optionalObject(const QString &field)
{
    if (!usable() || !m_fields.contains(field) || m_fields.value(field).isNull())
        return std::nullopt;
    const QJsonValue value = m_fields.value(field);
    if (!value.isObject()) {
        m_errors.push_back(error(QStringLiteral("dict_type"), locOf(field),
                                 QStringLiteral("Input should be a valid dictionary"), value));
        return std::nullopt;
    }
    return value.toObject();
}

std::optional<QStringList> ChatbotBody::optionalStringList(const QString &field, int maxItems,
                                                           int maxLength)
{
    if (!usable() || !m_fields.contains(field) || m_fields.value(field).isNull())
        return std::nullopt;
    const QJsonValue value = m_fields.value(field);
    if (!value.isArray()) {
        m_errors.push_back(error(QStringLiteral("list_type"), locOf(field),
                                 QStringLiteral("Input should be a valid list"), value));
        return std::nullopt;
    }
    const QJsonArray array = value.toArray();
    if (array.size() > maxItems) {
        m_errors.push_back(error(QStringLiteral("too_long"), locOf(field),
                                 QStringLiteral("List should have at most %1 items after "
                                                "validation, not %2")
                                     .arg(maxItems)
                                     .arg(array.size()),
                                 value,
                                 QJsonObject{{QStringLiteral("field_type"), QStringLiteral("List")},
                                             {QStringLiteral("max_length"), maxItems},
                                             {QStringLiteral("actual_length"), array.size()}}));
        return std::nullopt;
    }
    QStringList list;
    const qsizetype before = m_errors.size();
    for (qsizetype i = 0; i < array.size(); ++i) {
        QJsonArray loc = locOf(field);
        loc.push_back(i);
        if (!array.at(i).isString()) {
            m_errors.push_back(error(QStringLiteral("string_type"), loc,
                                     QStringLiteral("Input should be a valid string"),
                                     array.at(i)));
            continue;
        }
        const QString item = array.at(i).toString();
        if (maxLength > 0 && codePoints(item) > maxLength) {
            m_errors.push_back(
                error(QStringLiteral("string_too_long"), loc,
                      QStringLiteral("String should have at most %1 characters").arg(maxLength),
                      item, QJsonObject{{QStringLiteral("max_length"), maxLength}}));
            continue;
        }
        list.push_back(item);
    }
    if (m_errors.size() != before)
        return std::nullopt;
    return list;
}

void ChatbotBody::addErrors(const QJsonArray &errors)
{
    for (const QJsonValue &e : errors)
        m_errors.push_back(e);
}

ChatbotResponse ChatbotBody::errorResponse() const
{
    return ChatbotResponse::validation(m_errors);
}

QJsonObject ChatbotBody::error(const QString &type, const QJsonArray &loc, const QString &msg,
                               const QJsonValue &input, const QJsonObject &ctx)
{
    QJsonObject e{{QStringLiteral("type"), type},
                  {QStringLiteral("loc"), loc},
                  {QStringLiteral("msg"), msg},
                  {QStringLiteral("input"), input.isUndefined() ? QJsonValue::Null : input}};
    if (!ctx.isEmpty())
        e.insert(QStringLiteral("ctx"), ctx);
    return e;
}

QJsonObject ChatbotBody::literalError(const QJsonArray &loc, const QStringList &allowed,
                                      const QJsonValue &input, bool quote)
{
    QStringList items;
    for (const QString &a : allowed)
        items.push_back(quote ? quoted(a) : a);
    QString expected;
    if (items.size() <= 1)
        expected = items.value(0);
    else
        expected = items.mid(0, items.size() - 1).join(QStringLiteral(", "))
                   + QStringLiteral(" or ") + items.last();
    return error(QStringLiteral("literal_error"), loc,
                 QStringLiteral("Input should be ") + expected, input,
                 QJsonObject{{QStringLiteral("expected"), expected}});
}

QJsonObject ChatbotBody::valueError(const QJsonArray &loc, const QString &reason,
                                    const QJsonValue &input)
{
    return error(QStringLiteral("value_error"), loc, QStringLiteral("Value error, ") + reason,
                 input, QJsonObject{{QStringLiteral("error"), reason}});
}

qsizetype ChatbotBody::codePoints(const QString &text)
{
    qsizetype count = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        if (!(text.at(i).isLowSurrogate() && i > 0 && text.at(i - 1).isHighSurrogate()))
            ++count;
    }
    return count;
}

} // namespace LeadDesk::Core
