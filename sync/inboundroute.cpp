#include "inboundroute.h"

#include "utf8.h"

#include <QJsonParseError>

namespace LeadDesk::Sync {

QByteArray InboundRequest::header(QByteArrayView lowerName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerName)
            return value;
    }
    return {};
}

bool InboundRequest::hasHeader(QByteArrayView lowerName) const
{
    for (const auto &header : headers) {
        if (header.first == lowerName)
            return true;
    }
    return false;
}

QByteArray InboundRequest::mediaType() const
{
    QByteArray type = header("content-type");
    if (const qsizetype semicolon = type.indexOf(';'); semicolon >= 0)
        type.truncate(semicolon);
    return type.trimmed().toLower();
}

QString InboundRequest::publicUrl() const
{
    if (publicBaseUrl.isEmpty())
        return url.toString(QUrl::FullyEncoded);
    QUrl relative;
    relative.setPath(url.path(QUrl::FullyEncoded), QUrl::TolerantMode);
    if (url.hasQuery())
        relative.setQuery(url.query(QUrl::FullyEncoded), QUrl::TolerantMode);
    return publicBaseUrl + relative.toString(QUrl::FullyEncoded);
}

InboundResponse InboundResponse::json(int status, const QJsonObject &object)
{
    InboundResponse response;
    response.status = status;
    response.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return response;
}

InboundResponse InboundResponse::text(int status, QByteArray body, QByteArray contentType)
{
    InboundResponse response;
    response.status = status;
    response.body = std::move(body);
    response.contentType = std::move(contentType);
    return response;
}

InboundResponse InboundResponse::error(int status, const QString &code, const QString &message,
                                       const QString &field)
{
    return json(status, QJsonObject{{QStringLiteral("success"), false},
                                    {QStringLiteral("error"), code},
                                    {QStringLiteral("message"), message},
                                    {QStringLiteral("field"),
                                     field.isEmpty() ? QJsonValue() : QJsonValue(field)},
                                    {QStringLiteral("code"), status}});
}

std::optional<InboundResponse> InboundRoute::screen(const InboundRequest &) const
{
    return std::nullopt;
}

Core::Result<InboundResponse> InboundRoute::read(const InboundRequest &, ReadContext &) const
{
    return Core::fail(QStringLiteral("this route has no read handler"));
}

PreparedRequest InboundRoute::prepare(const InboundRequest &) const
{
    return {};
}

std::optional<InboundResponse>
InboundRoute::authorize(const InboundRequest &, const PreparedRequest &, WriteContext &) const
{
    return std::nullopt;
}

Core::Result<ProcessOutcome> InboundRoute::process(const InboundRequest &, const PreparedRequest &,
                                                   WriteContext &) const
{
    ProcessOutcome outcome;
    outcome.response = InboundResponse::json(200, QJsonObject{{QStringLiteral("received"), true}});
    return outcome;
}

InboundResponse InboundRoute::failureResponse(const Core::Error &) const
{
    // The reason stays in the journal and the log; the sender learns only that we failed.
    return InboundResponse::error(500, QStringLiteral("INTERNAL_ERROR"),
                                  QStringLiteral("The request was received but could not be "
                                                 "processed; it will be retried"));
}

Core::Result<QJsonDocument> InboundRoute::parseJsonBody(const QByteArray &body, int maxDepth)
{
    if (body.trimmed().isEmpty())
        return Core::fail(QStringLiteral("The request body is empty"));
    const auto *bytes = reinterpret_cast<const unsigned char *>(body.constData());
    const auto size = std::size_t(body.size());
    // One pass: UTF-8 well-formedness and nesting depth outside strings, so a hostile body never
    // reaches the parser's recursion.
    int depth = 0;
    bool inString = false;
    for (std::size_t i = 0; i < size;) {
        const unsigned char c = bytes[i];
        if (c >= 0x80) {
            const int length = Core::Utf8::sequenceLength(bytes, i, size);
            if (length == 0)
                return Core::fail(
                    QStringLiteral("The request body is not valid UTF-8 (at byte %1)").arg(i));
            i += std::size_t(length);
            continue;
        }
        if (inString) {
            if (c == '\\')
                ++i; // the escaped character cannot end the string
            else if (c == '"')
                inString = false;
        } else if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            if (++depth > maxDepth)
                return Core::fail(
                    QStringLiteral("The JSON is nested deeper than %1 levels").arg(maxDepth));
        } else if (c == '}' || c == ']') {
            --depth;
        }
        ++i;
    }
    QJsonParseError error;
    QJsonDocument document = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return Core::fail(QStringLiteral("Malformed JSON at offset %1: %2")
                              .arg(error.offset)
                              .arg(error.errorString()));
    if (!document.isObject() && !document.isArray())
        return Core::fail(QStringLiteral("The JSON body must be an object"));
    return document;
}

} // namespace LeadDesk::Sync
