#pragma once

#include "result.h"

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>

namespace LeadDesk::Core {

class ScoringRules;

struct ChatbotQuestion
{
    enum class Type { SingleChoice, MultipleChoice, Text, ContactForm };

    int id = 0;
    Type type = Type::Text;
    QStringList options; // empty for questions without options ("options": null)
    bool required = true;
    int orderIndex = 0;
    QJsonObject json; // the question as /api/questions serves it
};

// What /api/answer-with-conditional adds for one answer to the greeting question.
struct ChatbotGreeting
{
    QString type; // info_response, thank_you_response, continue_flow
    QString title;
    QString content;
    bool endsSession = false;
};

// The chatbot's workflow as data (seeds 001/002's workflow_config.py; default in
// resources/config/chatbot-default.json): questions, greeting responses, product menu, CTA
// options, and which behaviour events the server records for what. The points live in the
// scoring rules' "behaviour" model; checkAgainst() proves every event named here scores there.
// Immutable once parsed, so one instance is shared by every thread that serves the API.
class ChatbotConfig
{
public:
    static constexpr auto defaultResource = ":/config/chatbot-default.json";

    // The behaviour events the server itself records (never postable by a client unless the
    // document also lists them in "client_actions").
    struct ServerEvents
    {
        QString sessionOpened;
        QString answeredQuestion;
        QString detailedAnswer;
        QString quickReply;
        QString answeredAllQuestions;
        QString sharedContact;
        QString questionSkipped;
    };

    ChatbotConfig();

    // Rejects the whole document at the first problem, naming its JSON path in Error::field.
    [[nodiscard]] static Result<ChatbotConfig> parse(const QByteArray &json);
    [[nodiscard]] static Result<ChatbotConfig> loadDefault();

    // Fails, naming the path, when an event or action here is not an event of `rules`'
    // behaviour model (it would silently score nothing).
    [[nodiscard]] Result<void> checkAgainst(const ScoringRules &rules) const;

    [[nodiscard]] const QString &welcomeMessage() const;
    // The actions POST /api/behavior accepts, in document order.
    [[nodiscard]] const QStringList &clientActions() const;
    [[nodiscard]] const ServerEvents &serverEvents() const;

    // Sorted by order_index.
    [[nodiscard]] const QList<ChatbotQuestion> &questions() const;
    [[nodiscard]] const ChatbotQuestion *question(int id) const;
    [[nodiscard]] QList<int> questionIds() const;
    [[nodiscard]] QJsonArray questionsJson() const;
    [[nodiscard]] const QJsonArray &productMenu() const;
    [[nodiscard]] const QJsonArray &ctaOptions() const;

    [[nodiscard]] int greetingQuestionId() const;
    [[nodiscard]] int greetingNextQuestionId() const;
    // The response for an exact answer text, else the "otherwise" response.
    [[nodiscard]] ChatbotGreeting greetingFor(const QString &answer) const;

    // An answer is "detailed" when its trimmed text has at least this many code points.
    [[nodiscard]] int detailedMinChars() const;
    [[nodiscard]] int quickReplySeconds() const;
    [[nodiscard]] int maxTimeTakenSeconds() const;
    [[nodiscard]] const QString &exportAssignedTo() const;
    // The A/B test /api/ab-test/variant assigns, and the `ab.tests` document a business without
    // one gets on first use (seed 001's greeting_message test); empty when the config has none.
    [[nodiscard]] const QString &abTestName() const;
    [[nodiscard]] const QByteArray &abDefaultDocument() const;

    struct Data;

private:
    explicit ChatbotConfig(std::shared_ptr<const Data> data);

    std::shared_ptr<const Data> m_data;
};

} // namespace LeadDesk::Core
