#include "chatbotrequests.h"

#include "chatbotbody.h"
#include "normalizer.h"

#include <QJsonArray>

namespace LeadDesk::Core {

namespace {

constexpr int kMaxNameChars = 255;

// 422 with Pydantic's error list and, beside it, the values that would have been accepted.
ChatbotResponse invalidWithList(const QJsonObject &error, const char *listKey,
                                const QJsonArray &valid)
{
    return ChatbotResponse{422, QJsonObject{{QStringLiteral("detail"), QJsonArray{error}},
                                            {QString::fromLatin1(listKey), valid}}};
}

QJsonArray bodyLoc(const char *field)
{
    return QJsonArray{QStringLiteral("body"), QString::fromLatin1(field)};
}

} // namespace

ChatbotRequests::ChatbotRequests(std::shared_ptr<const ChatbotConfig> config,
                                 const Normalizer &normalizer)
    : m_config(std::move(config))
    , m_normalizer(normalizer)
{}

ChatbotParsed<ChatbotStartInput> ChatbotRequests::startSession(const QByteArray &bytes) const
{
    auto parsed = ChatbotBody::parse(bytes);
    if (!parsed)
        return std::unexpected(parsed.error());
    ChatbotBody body(*parsed);
    ChatbotStartInput input;
    input.utmSource
        = body.string(QStringLiteral("utm_source"), QStringLiteral("direct"), kMaxNameChars);
    if (!body.isValid())
        return std::unexpected(body.errorResponse());
    return input;
}

ChatbotParsed<ChatbotNextQuestionInput> ChatbotRequests::nextQuestion(const QByteArray &bytes) const
{
    auto parsed = ChatbotBody::parse(bytes);
    if (!parsed)
        return std::unexpected(parsed.error());
    ChatbotBody body(*parsed);
    ChatbotNextQuestionInput input;
    input.sessionId = body.string(QStringLiteral("session_id"));
    input.lastQuestionId = body.integer(QStringLiteral("last_question_id"));
    if (!body.isValid())
        return std::unexpected(body.errorResponse());
    return input;
}

ChatbotParsed<ChatbotAnswerInput> ChatbotRequests::answer(const QByteArray &bytes) const
{
    auto parsed = ChatbotBody::parse(bytes);
    if (!parsed)
        return std::unexpected(parsed.error());
    ChatbotBody body(*parsed);
    ChatbotAnswerInput input;
    input.sessionId = body.string(QStringLiteral("session_id"));
    const qint64 questionId = body.integer(QStringLiteral("question_id"));
    input.answerText = body.string(QStringLiteral("answer_text"), kMaxAnswerChars);
    input.timeTaken = body.optionalNumber(QStringLiteral("time_taken"), 0.0,
                                          double(m_config->maxTimeTakenSeconds()));
    if (!body.isValid())
        return std::unexpected(body.errorResponse());
    // The seed's own check after Pydantic's: empty values are 400, not 422.
    if (input.sessionId.isEmpty() || questionId == 0 || input.answerText.isEmpty())
        return std::unexpected(
            ChatbotResponse::detail(400, QStringLiteral("Missing required fields")));

    const ChatbotQuestion *question
        = questionId > 0 && questionId <= INT_MAX ? m_config->question(int(questionId)) : nullptr;
    if (!question) {
        QStringList ids;
        QJsonArray valid;
        for (int id : m_config->questionIds()) {
            ids.push_back(QString::number(id));
            valid.push_back(id);
        }
        return std::unexpected(invalidWithList(
            ChatbotBody::literalError(bodyLoc("question_id"), ids,
                                      body.fields().value(QStringLiteral("question_id")), false),
            "valid_question_ids", valid));
    }
    input.questionId = question->id;
    const auto canonical = canonicalAnswer(*question, input.answerText);
    if (!canonical) {
        const QJsonValue sent(input.answerText);
        QJsonObject error;
        if (question->type == ChatbotQuestion::Type::MultipleChoice) {
            QStringList quoted;
            for (const QString &option : question->options)
                quoted.push_back(u'\'' + option + u'\'');
            error = ChatbotBody::valueError(
                bodyLoc("answer_text"),
                QStringLiteral("answer with one or more of %1, separated by commas")
                    .arg(quoted.join(QStringLiteral(", "))),
                sent);
        } else {
            error = ChatbotBody::literalError(bodyLoc("answer_text"), question->options, sent);
        }
        return std::unexpected(
            invalidWithList(error, "valid_options", QJsonArray::fromStringList(question->options)));
    }
    input.answerText = *canonical;
    return input;
}

ChatbotParsed<ChatbotSkipInput> ChatbotRequests::skipQuestion(const QByteArray &bytes) const
{
    auto parsed = ChatbotBody::parse(bytes);
    if (!parsed)
        return std::unexpected(parsed.error());
    ChatbotBody body(*parsed);
    ChatbotSkipInput input;
    input.sessionId = body.string(QStringLiteral("session_id"));
    input.reason
        = body.string(QStringLiteral("skip_reason"), QStringLiteral("user_skipped"), kMaxNameChars);
    // Not in the seed (it ignored a question_id): which question is skipped, when the client
    // says so.
    const std::optional<qint64> questionId = body.optionalInteger(QStringLiteral("question_id"));
    if (!body.isValid())
        return std::unexpected(body.errorResponse());
    if (input.sessionId.isEmpty())
        return std::unexpected(ChatbotResponse::detail(400, QStringLiteral("Missing session_id")));
    if (questionId) {
        const ChatbotQuestion *question = *questionId > 0 && *questionId <= INT_MAX
                                              ? m_config->question(int(*questionId))
                                              : nullptr;
        if (!question) {
            QStringList ids;
            QJsonArray valid;
            for (int id : m_config->questionIds()) {
                ids.push_back(QString::number(id));
                valid.push_back(id);
            }
            return std::unexpected(invalidWithList(
                ChatbotBody::literalError(bodyLoc("question_id"), ids,
                                          body.fields().value(QStringLiteral("question_id")),
                                          false),
                "valid_question_ids", valid));
        }
        input.questionId = question->id;
    }
    return input;
}

ChatbotParsed<ChatbotBehaviorInput> ChatbotRequests::behavior(const QByteArray &bytes) const
{
    auto parsed = ChatbotBody::parse(bytes);
    if (!parsed)
        return std::unexpected(parsed.error());
    ChatbotBody body(*parsed);
    ChatbotBehaviorInput input;
    input.sessionId = body.string(QStringLiteral("session_id"));
    input.action = body.string(QStringLiteral("action"));
    input.metadata = body.optionalObject(QStringLiteral("metadata")).value_or(QJsonObject());
    if (!body.isValid())
        return std::unexpected(body.errorResponse());
    if (input.sessionId.isEmpty() || input.action.isEmpty())
        return std::unexpected(
            ChatbotResponse::detail(400, QStringLiteral("Missing required fields")));
    const QStringList &valid = m_config->clientActions();
    if (!valid.contains(input.action))
        return std::unexpected(
            invalidWithList(ChatbotBody::literalError(bodyLoc("action"), valid, input.action),
                            "valid_actions", QJsonArray::fromStringList(valid)));
    return input;
}

ChatbotParsed<ChatbotProfileInput> ChatbotRequests::profile(const QByteArray &bytes) const
{
    auto parsed = ChatbotBody::parse(bytes);
    if (!parsed)
        return std::unexpected(parsed.error());
    ChatbotBody body(*parsed);
    ChatbotProfileInput input;
    input.sessionId = body.string(QStringLiteral("session_id"));
    // Required: the seed's default wrote the placeholder "string" into every field.
    const QJsonObject data = body.object(QStringLiteral("profile_data"));
    if (body.isValid()) {
        ChatbotBody profile(data, body.locOf(QStringLiteral("profile_data")));
        // Only these are profile fields; anything else (lead_score, session_id...) is ignored,
        // never assigned.
        static const char *const textFields[] = {
            "name", "email", "phone", "business_type", "location", "staff_size", "monthly_sales"};
        for (const char *key : textFields) {
            const QString field = QString::fromLatin1(key);
            if (!profile.has(field))
                continue;
            const std::optional<QString> value = profile.optionalString(field, kMaxFieldChars);
            if (!value || value->trimmed().isEmpty()) {
                input.changes.insert(field, QJsonValue::Null); // null and "" clear the field
                continue;
            }
            QString text = *value;
            if (field == QLatin1String("email")) {
                text = text.trimmed();
                if (auto ok = Normalizer::email(text); !ok)
                    profile.addError(
                        ChatbotBody::valueError(profile.locOf(field), ok.error(), *value));
            } else if (field == QLatin1String("phone")) {
                text = text.trimmed();
                if (auto ok = m_normalizer.phoneE164(text); !ok)
                    profile.addError(
                        ChatbotBody::valueError(profile.locOf(field), ok.error(), *value));
            }
            input.changes.insert(field, text);
        }
        const QString features = QStringLiteral("features_interested");
        if (profile.has(features)) {
            const auto list = profile.optionalStringList(features, kMaxFeatures, kMaxFieldChars);
            input.changes.insert(features, list ? QJsonValue(QJsonArray::fromStringList(*list))
                                                : QJsonValue(QJsonValue::Null));
        }
        body.addErrors(profile.errors());
    }
    if (!body.isValid())
        return std::unexpected(body.errorResponse());
    if (input.sessionId.isEmpty())
        return std::unexpected(ChatbotResponse::detail(400, QStringLiteral("Missing session_id")));
    return input;
}

ChatbotParsed<ChatbotSessionInput> ChatbotRequests::sessionOnly(const QByteArray &bytes) const
{
    auto parsed = ChatbotBody::parse(bytes);
    if (!parsed)
        return std::unexpected(parsed.error());
    ChatbotBody body(*parsed);
    ChatbotSessionInput input;
    input.sessionId = body.string(QStringLiteral("session_id"));
    if (!body.isValid())
        return std::unexpected(body.errorResponse());
    return input;
}

ChatbotParsed<ChatbotSessionInput> ChatbotRequests::abVariant(const QByteArray &bytes) const
{
    return sessionOnly(bytes);
}

ChatbotParsed<ChatbotSessionInput> ChatbotRequests::notify(const QByteArray &bytes) const
{
    return sessionOnly(bytes);
}

ChatbotParsed<ChatbotConversionInput> ChatbotRequests::abConversion(const QByteArray &bytes) const
{
    auto parsed = ChatbotBody::parse(bytes);
    if (!parsed)
        return std::unexpected(parsed.error());
    ChatbotBody body(*parsed);
    ChatbotConversionInput input;
    input.sessionId = body.string(QStringLiteral("session_id"));
    input.testName = body.string(QStringLiteral("test_name"), kMaxNameChars);
    input.variant = body.string(QStringLiteral("variant"), kMaxNameChars);
    input.conversionType = body.string(QStringLiteral("conversion_type"), kMaxNameChars);
    // Money-like values become integer cents; beyond this they would not fit.
    input.conversionValue = body.optionalNumber(QStringLiteral("conversion_value"), -1e12, 1e12);
    if (!body.isValid())
        return std::unexpected(body.errorResponse());
    return input;
}

ChatbotParsed<ChatbotAnalyticsInput> ChatbotRequests::analytics(const QUrlQuery &query) const
{
    ChatbotAnalyticsInput input;
    if (!query.hasQueryItem(QStringLiteral("days")))
        return input;
    const QString text = query.queryItemValue(QStringLiteral("days"), QUrl::FullyDecoded);
    const QJsonArray loc{QStringLiteral("query"), QStringLiteral("days")};
    bool ok = false;
    const qint64 days = text.trimmed().toLongLong(&ok);
    if (!ok)
        return std::unexpected(ChatbotResponse::validation(QJsonArray{ChatbotBody::error(
            QStringLiteral("int_parsing"), loc,
            QStringLiteral("Input should be a valid integer, unable to parse string as an "
                           "integer"),
            text)}));
    if (days < 1 || days > 36'500)
        return std::unexpected(ChatbotResponse::validation(QJsonArray{ChatbotBody::error(
            days < 1 ? QStringLiteral("greater_than_equal") : QStringLiteral("less_than_equal"),
            loc,
            days < 1 ? QStringLiteral("Input should be greater than or equal to 1")
                     : QStringLiteral("Input should be less than or equal to 36500"),
            text,
            days < 1 ? QJsonObject{{QStringLiteral("ge"), 1}}
                     : QJsonObject{{QStringLiteral("le"), 36'500}})}));
    input.days = int(days);
    return input;
}

std::optional<QString> ChatbotRequests::canonicalAnswer(const ChatbotQuestion &question,
                                                        const QString &text)
{
    auto match = [&question](const QString &part) -> std::optional<QString> {
        const QString wanted = part.trimmed();
        for (const QString &option : question.options) {
            if (option.compare(wanted, Qt::CaseInsensitive) == 0)
                return option;
        }
        return std::nullopt;
    };
    switch (question.type) {
    case ChatbotQuestion::Type::SingleChoice:
        return match(text);
    case ChatbotQuestion::Type::MultipleChoice: {
        // A whole option first: an option may itself hold a comma.
        if (auto whole = match(text))
            return whole;
        QList<bool> chosen(question.options.size(), false);
        for (const QString &part : text.split(u',')) {
            if (part.trimmed().isEmpty())
                continue;
            const auto option = match(part);
            if (!option)
                return std::nullopt;
            chosen[question.options.indexOf(*option)] = true;
        }
        QStringList picked;
        for (qsizetype i = 0; i < chosen.size(); ++i) {
            if (chosen.at(i))
                picked.push_back(question.options.at(i));
        }
        if (picked.isEmpty())
            return std::nullopt;
        return picked.join(QStringLiteral(", "));
    }
    case ChatbotQuestion::Type::Text:
    case ChatbotQuestion::Type::ContactForm:
        break;
    }
    return text;
}

} // namespace LeadDesk::Core
