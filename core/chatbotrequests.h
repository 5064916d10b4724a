#pragma once

#include "chatbotconfig.h"
#include "chatbotresponse.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>
#include <QUrlQuery>

#include <memory>
#include <optional>

namespace LeadDesk::Core {

class Normalizer;

struct ChatbotStartInput
{
    QString utmSource;
};

struct ChatbotSessionInput // ab-test/variant, lead/notify
{
    QString sessionId;
};

struct ChatbotNextQuestionInput
{
    QString sessionId;
    qint64 lastQuestionId = 0; // 0 or an unknown id: from the first question
};

struct ChatbotAnswerInput
{
    QString sessionId;
    int questionId = 0;
    QString answerText;              // choice answers: the options' own spelling
    std::optional<double> timeTaken; // seconds, as the client claims
};

struct ChatbotSkipInput
{
    QString sessionId;
    QString reason;
    std::optional<int> questionId; // empty: the question the session is on
};

struct ChatbotBehaviorInput
{
    QString sessionId;
    QString action;
    QJsonObject metadata;
};

struct ChatbotProfileInput
{
    QString sessionId;
    // Only the eight profile fields that were sent: a string, null (clears) or, for
    // features_interested, an array of strings.
    QJsonObject changes;
};

struct ChatbotConversionInput
{
    QString sessionId;
    QString testName;
    QString variant;
    QString conversionType;
    std::optional<double> conversionValue;
};

struct ChatbotAnalyticsInput
{
    std::optional<int> days; // only sessions started in the last N days
};

// Turns raw request bodies of the chatbot API into checked inputs, or the answer to give instead:
// the seed's Pydantic checks (422), its "truthiness" checks (400), and what the seed failed to
// check (422 with the valid values listed): question ids, choice answers against the options,
// behaviour actions, profile e-mail and phone formats, time_taken's range. Pure: nothing here
// touches the store, so the receiver can run it before journalling a request.
class ChatbotRequests final
{
public:
    // Longest accepted texts (code points): beyond them a body is a mistake or an attack.
    static constexpr int kMaxAnswerChars = 10'000;
    static constexpr int kMaxFieldChars = 1'000;
    static constexpr int kMaxFeatures = 50;

    // `normalizer` (phone region) must outlive this object.
    ChatbotRequests(std::shared_ptr<const ChatbotConfig> config, const Normalizer &normalizer);

    [[nodiscard]] ChatbotParsed<ChatbotStartInput> startSession(const QByteArray &body) const;
    [[nodiscard]] ChatbotParsed<ChatbotNextQuestionInput>
    nextQuestion(const QByteArray &body) const;
    [[nodiscard]] ChatbotParsed<ChatbotAnswerInput> answer(const QByteArray &body) const;
    [[nodiscard]] ChatbotParsed<ChatbotSkipInput> skipQuestion(const QByteArray &body) const;
    [[nodiscard]] ChatbotParsed<ChatbotBehaviorInput> behavior(const QByteArray &body) const;
    [[nodiscard]] ChatbotParsed<ChatbotProfileInput> profile(const QByteArray &body) const;
    [[nodiscard]] ChatbotParsed<ChatbotSessionInput> abVariant(const QByteArray &body) const;
    [[nodiscard]] ChatbotParsed<ChatbotConversionInput> abConversion(const QByteArray &body) const;
    [[nodiscard]] ChatbotParsed<ChatbotSessionInput> notify(const QByteArray &body) const;
    [[nodiscard]] ChatbotParsed<ChatbotAnalyticsInput> analytics(const QUrlQuery &query) const;

    // A choice answer in the options' own spelling (trimmed, case-insensitive match; a
    // multiple-choice answer is options separated by commas, kept in the question's order), or
    // nothing when some part is not an option. Other question types: the text unchanged.
    [[nodiscard]] static std::optional<QString> canonicalAnswer(const ChatbotQuestion &question,
                                                                const QString &text);

private:
    [[nodiscard]] ChatbotParsed<ChatbotSessionInput> sessionOnly(const QByteArray &body) const;

    std::shared_ptr<const ChatbotConfig> m_config;
    const Normalizer &m_normalizer;
};

} // namespace LeadDesk::Core
