#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

#include <expected>

namespace LeadDesk::Core {

// One answer of the chatbot API (seed 002), transport-free: the HTTP status and the JSON body
// (an object, an array, or null for "no next question").
struct ChatbotResponse
{
    int httpStatus = 200;
    QJsonValue body;

    [[nodiscard]] static ChatbotResponse ok(QJsonValue body)
    {
        return ChatbotResponse{200, std::move(body)};
    }
    // FastAPI's HTTPException shape: {"detail": "<message>"}.
    [[nodiscard]] static ChatbotResponse detail(int status, const QString &message)
    {
        return ChatbotResponse{status, QJsonObject{{QStringLiteral("detail"), message}}};
    }
    // FastAPI's validation shape: 422 {"detail": [{"type", "loc", "msg", "input"[, "ctx"]}...]}.
    [[nodiscard]] static ChatbotResponse validation(QJsonArray errors)
    {
        return ChatbotResponse{422, QJsonObject{{QStringLiteral("detail"), std::move(errors)}}};
    }
};

// A request body or value checked before any work: the input, or the answer to give instead.
template<typename T>
using ChatbotParsed = std::expected<T, ChatbotResponse>;

} // namespace LeadDesk::Core
