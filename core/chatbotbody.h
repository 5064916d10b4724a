#pragma once

#include "chatbotresponse.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>

#include <optional>

namespace LeadDesk::Core {

// Checks a JSON request body field by field the way the seed's FastAPI + Pydantic v2 (lax mode)
// did, collecting every error in their shape, so clients of the original API get the same 422s:
// {"detail": [{"type": "missing", "loc": ["body", "session_id"], "msg": "Field required",
// "input": {...}}]}. Lax means what Pydantic accepts: integers from integral floats, numeric
// strings and booleans; numbers from numeric strings; strings only from strings. Unknown fields
// are ignored. Object keys come out sorted (QJsonObject), which JSON clients do not see.
class ChatbotBody final
{
public:
    // Raw bytes as FastAPI reads them: none is an absent body (a "missing" error for whoever
    // requires one); bytes that are not well-formed UTF-8 are 400 {"detail": "There was an error
    // parsing the body"}; malformed JSON is 422 json_invalid with the character position.
    [[nodiscard]] static ChatbotParsed<QJsonValue> parse(const QByteArray &bytes);

    // `loc` is where this object sits: ["body"], or ["body", "profile_data"] for a nested one.
    explicit ChatbotBody(QJsonValue body, QJsonArray loc = {QStringLiteral("body")});

    // A required string; with `defaultValue`, absent gives the default (null is still an
    // error). maxLength counts code points; 0: no limit.
    QString string(const QString &field, int maxLength = 0);
    QString string(const QString &field, const QString &defaultValue, int maxLength);
    // An optional, nullable string: absent or null gives nothing.
    std::optional<QString> optionalString(const QString &field, int maxLength = 0);
    qint64 integer(const QString &field);
    std::optional<qint64> optionalInteger(const QString &field);
    // An optional, nullable number within [min, max] (Pydantic's ge / le).
    std::optional<double> optionalNumber(const QString &field, std::optional<double> min = {},
                                         std::optional<double> max = {});
    QJsonObject object(const QString &field);
    std::optional<QJsonObject> optionalObject(const QString &field);
    // An optional, nullable list of strings.
    std::optional<QStringList> optionalStringList(const QString &field, int maxItems,
                                                  int maxLength);

    // The body as an object (empty when it is not one).
    [[nodiscard]] const QJsonObject &fields() const { return m_fields; }
    [[nodiscard]] bool has(const QString &field) const { return m_fields.contains(field); }
    [[nodiscard]] QJsonArray locOf(const QString &field) const;

    // An error of the caller's own check.
    void addError(const QJsonObject &error) { m_errors.push_back(error); }
    void addErrors(const QJsonArray &errors);
    [[nodiscard]] bool isValid() const { return m_errors.isEmpty(); }
    [[nodiscard]] const QJsonArray &errors() const { return m_errors; }
    [[nodiscard]] ChatbotResponse errorResponse() const;

    // One Pydantic error object.
    [[nodiscard]] static QJsonObject error(const QString &type, const QJsonArray &loc,
                                           const QString &msg, const QJsonValue &input,
                                           const QJsonObject &ctx = {});
    // Pydantic's literal_error: "Input should be 'a', 'b' or 'c'".
    [[nodiscard]] static QJsonObject literalError(const QJsonArray &loc, const QStringList &allowed,
                                                  const QJsonValue &input, bool quote = true);
    // Pydantic's value_error from a custom validator: "Value error, <reason>".
    [[nodiscard]] static QJsonObject valueError(const QJsonArray &loc, const QString &reason,
                                                const QJsonValue &input);
    [[nodiscard]] static qsizetype codePoints(const QString &text);

private:
    // The field's value when the body is an object and the field is present.
    [[nodiscard]] bool usable() const { return m_isObject; }
    void missing(const QString &field);
    bool checkLength(const QString &field, const QString &value, int maxLength);
    std::optional<qint64> toInteger(const QString &field, const QJsonValue &value);

    QJsonValue m_body;
    QJsonObject m_fields;
    QJsonArray m_loc;
    QJsonArray m_errors;
    bool m_isObject = false;
};

} // namespace LeadDesk::Core
