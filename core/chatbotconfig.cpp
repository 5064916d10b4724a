#include "chatbotconfig.h"

#include "jsonpath.h"

#include "abtestdefinitions.h"
#include "scoringrules.h"

#include <QFile>
#include <QJsonDocument>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace LeadDesk::Core {

using namespace JsonPath;

struct ChatbotConfig::Data
{
    QString welcomeMessage;
    QStringList clientActions;
    ServerEvents events;
    QList<ChatbotQuestion> questions;
    QJsonArray productMenu;
    QJsonArray ctaOptions;
    int greetingQuestionId = 0;
    int greetingNextQuestionId = 0;
    QList<std::pair<QString, ChatbotGreeting>> greetings;
    ChatbotGreeting otherwise;
    int detailedMinChars = 11;
    int quickReplySeconds = 20;
    int maxTimeTakenSeconds = 86400;
    QString exportAssignedTo;
    QString abTestName;
    QByteArray abDefaultDocument;
};

namespace {

Result<QJsonObject> object(const QJsonValue &value, const QString &path)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    return value.toObject();
}

Result<QString> text(const QJsonValue &value, const QString &path, bool mayBeEmpty = false)
{
    if (!value.isString() || (!mayBeEmpty && value.toString().trimmed().isEmpty()))
        return fail(mayBeEmpty ? QStringLiteral("must be a string")
                               : QStringLiteral("must be a non-empty string"),
                    path);
    return value.toString();
}

Result<bool> flag(const QJsonValue &value, const QString &path)
{
    if (!value.isBool())
        return fail(QStringLiteral("must be true or false"), path);
    return value.toBool();
}

// Non-empty, distinct strings.
Result<QStringList> strings(const QJsonValue &value, const QString &path)
{
    if (!value.isArray())
        return fail(QStringLiteral("must be an array of strings"), path);
    QStringList list;
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        auto item = text(array.at(i), at(path, i));
        if (!item)
            return std::unexpected(item.error());
        if (list.contains(*item))
            return fail(QStringLiteral("appears twice"), at(path, i));
        list.push_back(*item);
    }
    return list;
}

Result<ChatbotQuestion::Type> questionType(const QJsonValue &value, const QString &path)
{
    static const QList<std::pair<QLatin1StringView, ChatbotQuestion::Type>> names{
        {QLatin1StringView("single_choice"), ChatbotQuestion::Type::SingleChoice},
        {QLatin1StringView("multiple_choice"), ChatbotQuestion::Type::MultipleChoice},
        {QLatin1StringView("text"), ChatbotQuestion::Type::Text},
        {QLatin1StringView("contact_form"), ChatbotQuestion::Type::ContactForm}};
    const QString name = value.toString();
    for (const auto &[known, type] : names) {
        if (name == known)
            return type;
    }
    return fail(QStringLiteral("must be one of single_choice, multiple_choice, text, contact_form"),
                path);
}

Result<ChatbotQuestion> parseQuestion(const QJsonValue &value, const QString &path)
{
    auto json = object(value, path);
    if (!json)
        return std::unexpected(json.error());
    if (auto ok = onlyKeys(*json, path,
                           {"id", "step", "question_text", "question_type", "options", "base_score",
                            "required", "order_index"});
        !ok)
        return std::unexpected(ok.error());
    ChatbotQuestion question;
    question.json = *json;
    auto id = wholeNumber(json->value(QLatin1String("id")), at(path, QStringLiteral("id")), 1,
                          1'000'000);
    if (!id)
        return std::unexpected(id.error());
    question.id = *id;
    if (auto step = text(json->value(QLatin1String("step")), at(path, QStringLiteral("step")));
        !step)
        return std::unexpected(step.error());
    if (auto t = text(json->value(QLatin1String("question_text")),
                      at(path, QStringLiteral("question_text")));
        !t)
        return std::unexpected(t.error());
    auto type = questionType(json->value(QLatin1String("question_type")),
                             at(path, QStringLiteral("question_type")));
    if (!type)
        return std::unexpected(type.error());
    question.type = *type;
    const QJsonValue options = json->value(QLatin1String("options"));
    const QString optionsPath = at(path, QStringLiteral("options"));
    if (!options.isNull()) {
        auto list = strings(options, optionsPath);
        if (!list)
            return std::unexpected(list.error());
        question.options = *list;
    }
    const bool choice = question.type == ChatbotQuestion::Type::SingleChoice
                        || question.type == ChatbotQuestion::Type::MultipleChoice;
    if (choice && question.options.isEmpty())
        return fail(QStringLiteral("a choice question needs options"), optionsPath);
    if (auto base = wholeNumber(json->value(QLatin1String("base_score")),
                                at(path, QStringLiteral("base_score")), -1000, 1000);
        !base)
        return std::unexpected(base.error());
    auto required
        = flag(json->value(QLatin1String("required")), at(path, QStringLiteral("required")));
    if (!required)
        return std::unexpected(required.error());
    question.required = *required;
    auto order = wholeNumber(json->value(QLatin1String("order_index")),
                             at(path, QStringLiteral("order_index")), 0, 1'000'000);
    if (!order)
        return std::unexpected(order.error());
    question.orderIndex = *order;
    return question;
}

// Product menu and CTA options: {id, title, description, score}, ids distinct.
Result<QJsonArray> parseMenu(const QJsonValue &value, const QString &path)
{
    if (!value.isArray())
        return fail(QStringLiteral("must be an array"), path);
    const QJsonArray array = value.toArray();
    QSet<QString> ids;
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemPath = at(path, i);
        auto item = object(array.at(i), itemPath);
        if (!item)
            return std::unexpected(item.error());
        if (auto ok = onlyKeys(*item, itemPath, {"id", "title", "description", "score"}); !ok)
            return std::unexpected(ok.error());
        auto id = text(item->value(QLatin1String("id")), at(itemPath, QStringLiteral("id")));
        if (!id)
            return std::unexpected(id.error());
        if (ids.contains(*id))
            return fail(QStringLiteral("appears twice"), at(itemPath, QStringLiteral("id")));
        ids.insert(*id);
        if (auto t
            = text(item->value(QLatin1String("title")), at(itemPath, QStringLiteral("title")));
            !t)
            return std::unexpected(t.error());
        if (auto d = text(item->value(QLatin1String("description")),
                          at(itemPath, QStringLiteral("description")), true);
            !d)
            return std::unexpected(d.error());
        if (auto s = wholeNumber(item->value(QLatin1String("score")),
                                 at(itemPath, QStringLiteral("score")), -1000, 1000);
            !s)
            return std::unexpected(s.error());
    }
    return array;
}

Result<ChatbotGreeting> parseGreeting(const QJsonValue &value, const QString &path, bool withAnswer)
{
    auto json = object(value, path);
    if (!json)
        return std::unexpected(json.error());
    if (auto ok
        = withAnswer ? onlyKeys(*json, path, {"answer", "type", "title", "content", "ends_session"})
                     : onlyKeys(*json, path, {"type", "title", "content", "ends_session"});
        !ok)
        return std::unexpected(ok.error());
    ChatbotGreeting greeting;
    auto type = text(json->value(QLatin1String("type")), at(path, QStringLiteral("type")));
    if (!type)
        return std::unexpected(type.error());
    greeting.type = *type;
    for (const auto &[key, target] :
         {std::pair{"title", &greeting.title}, std::pair{"content", &greeting.content}}) {
        const QJsonValue v = json->value(QLatin1String(key));
        if (v.isUndefined())
            continue;
        auto t = text(v, at(path, QString::fromLatin1(key)));
        if (!t)
            return std::unexpected(t.error());
        *target = *t;
    }
    auto ends = flag(json->value(QLatin1String("ends_session")),
                     at(path, QStringLiteral("ends_session")));
    if (!ends)
        return std::unexpected(ends.error());
    greeting.endsSession = *ends;
    return greeting;
}

class Parser
{
public:
    Result<void> parse(const QJsonObject &root, ChatbotConfig::Data &data);

private:
    Result<void> parseQuestions(const QJsonValue &value, ChatbotConfig::Data &data);
    Result<void> parseGreetings(const QJsonValue &value, ChatbotConfig::Data &data);
    Result<void> parseEvents(const QJsonValue &value, ChatbotConfig::Data &data);
    Result<void> parseAnswers(const QJsonValue &value, ChatbotConfig::Data &data);
    Result<void> parseAbTest(const QJsonValue &value, ChatbotConfig::Data &data);
};

Result<void> Parser::parse(const QJsonObject &root, ChatbotConfig::Data &data)
{
    if (auto ok = onlyKeys(root, {},
                           {"version", "welcome_message", "client_actions", "server_events",
                            "answers", "questions", "greeting_responses", "product_menu",
                            "cta_options", "export_assigned_to", "ab_test"});
        !ok)
        return ok;
    if (auto version
        = wholeNumber(root.value(QLatin1String("version")), QStringLiteral("version"), 1, 1);
        !version)
        return fail(QStringLiteral("must be 1 (this build knows version 1 only)"),
                    QStringLiteral("version"));
    auto welcome
        = text(root.value(QLatin1String("welcome_message")), QStringLiteral("welcome_message"));
    if (!welcome)
        return std::unexpected(welcome.error());
    data.welcomeMessage = *welcome;
    auto actions
        = strings(root.value(QLatin1String("client_actions")), QStringLiteral("client_actions"));
    if (!actions)
        return std::unexpected(actions.error());
    data.clientActions = *actions;
    if (auto ok = parseEvents(root.value(QLatin1String("server_events")), data); !ok)
        return ok;
    if (auto ok = parseAnswers(root.value(QLatin1String("answers")), data); !ok)
        return ok;
    if (auto ok = parseQuestions(root.value(QLatin1String("questions")), data); !ok)
        return ok;
    if (auto ok = parseGreetings(root.value(QLatin1String("greeting_responses")), data); !ok)
        return ok;
    auto products
        = parseMenu(root.value(QLatin1String("product_menu")), QStringLiteral("product_menu"));
    if (!products)
        return std::unexpected(products.error());
    data.productMenu = *products;
    auto ctas = parseMenu(root.value(QLatin1String("cta_options")), QStringLiteral("cta_options"));
    if (!ctas)
        return std::unexpected(ctas.error());
    data.ctaOptions = *ctas;
    auto assignee = text(root.value(QLatin1String("export_assigned_to")),
                         QStringLiteral("export_assigned_to"), true);
    if (!assignee)
        return std::unexpected(assignee.error());
    data.exportAssignedTo = *assignee;
    return parseAbTest(root.value(QLatin1String("ab_test")), data);
}

Result<void> Parser::parseAbTest(const QJsonValue &value, ChatbotConfig::Data &data)
{
    const QString path = QStringLiteral("ab_test");
    auto json = object(value, path);
    if (!json)
        return std::unexpected(json.error());
    if (auto ok = onlyKeys(*json, path, {"name", "default_definition"}); !ok)
        return ok;
    auto name = text(json->value(QLatin1String("name")), at(path, QStringLiteral("name")));
    if (!name)
        return std::unexpected(name.error());
    data.abTestName = *name;
    const QJsonValue definition = json->value(QLatin1String("default_definition"));
    if (definition.isUndefined())
        return {};
    const QString definitionPath = at(path, QStringLiteral("default_definition"));
    if (!definition.isObject())
        return fail(QStringLiteral("must be an object"), definitionPath);
    if (definition.toObject().value(QLatin1String("name")) != QJsonValue(data.abTestName))
        return fail(QStringLiteral("must define the test named in ab_test.name"),
                    at(definitionPath, QStringLiteral("name")));
    // Checked now with the A/B tests' own parser, so installing it later cannot fail.
    const QByteArray document
        = QJsonDocument(QJsonObject{{QStringLiteral("version"), 1},
                                    {QStringLiteral("tests"), QJsonArray{definition}}})
              .toJson(QJsonDocument::Compact);
    if (auto ok = AbTestDefinitions::parse(document); !ok)
        return fail(ok.error().toString(), definitionPath);
    data.abDefaultDocument = document;
    return {};
}

Result<void> Parser::parseEvents(const QJsonValue &value, ChatbotConfig::Data &data)
{
    const QString path = QStringLiteral("server_events");
    auto json = object(value, path);
    if (!json)
        return std::unexpected(json.error());
    ChatbotConfig::ServerEvents &e = data.events;
    const std::pair<const char *, QString *> slots[]
        = {{"session_opened", &e.sessionOpened},
           {"answered_question", &e.answeredQuestion},
           {"detailed_answer", &e.detailedAnswer},
           {"quick_reply", &e.quickReply},
           {"answered_all_questions", &e.answeredAllQuestions},
           {"shared_contact", &e.sharedContact},
           {"question_skipped", &e.questionSkipped}};
    if (auto ok = onlyKeys(*json, path,
                           {"session_opened", "answered_question", "detailed_answer", "quick_reply",
                            "answered_all_questions", "shared_contact", "question_skipped"});
        !ok)
        return ok;
    for (const auto &[key, target] : slots) {
        auto name = text(json->value(QLatin1String(key)), at(path, QString::fromLatin1(key)));
        if (!name)
            return std::unexpected(name.error());
        *target = *name;
    }
    return {};
}

Result<void> Parser::parseAnswers(const QJsonValue &value, ChatbotConfig::Data &data)
{
    const QString path = QStringLiteral("answers");
    auto json = object(value, path);
    if (!json)
        return std::unexpected(json.error());
    if (auto ok = onlyKeys(*json, path,
                           {"detailed_min_chars", "quick_reply_seconds", "max_time_taken_seconds"});
        !ok)
        return ok;
    auto detailed = wholeNumber(json->value(QLatin1String("detailed_min_chars")),
                                at(path, QStringLiteral("detailed_min_chars")), 1, 100'000);
    auto quick = wholeNumber(json->value(QLatin1String("quick_reply_seconds")),
                             at(path, QStringLiteral("quick_reply_seconds")), 0, 86'400);
    auto max = wholeNumber(json->value(QLatin1String("max_time_taken_seconds")),
                           at(path, QStringLiteral("max_time_taken_seconds")), 1, 31'536'000);
    for (const auto *r : {&detailed, &quick, &max}) {
        if (!*r)
            return std::unexpected(r->error());
    }
    data.detailedMinChars = *detailed;
    data.quickReplySeconds = *quick;
    data.maxTimeTakenSeconds = *max;
    return {};
}

Result<void> Parser::parseQuestions(const QJsonValue &value, ChatbotConfig::Data &data)
{
    const QString path = QStringLiteral("questions");
    if (!value.isArray() || value.toArray().isEmpty())
        return fail(QStringLiteral("must be a non-empty array"), path);
    const QJsonArray array = value.toArray();
    QSet<int> ids;
    for (qsizetype i = 0; i < array.size(); ++i) {
        auto question = parseQuestion(array.at(i), at(path, i));
        if (!question)
            return std::unexpected(question.error());
        if (ids.contains(question->id))
            return fail(QStringLiteral("appears twice"), at(at(path, i), QStringLiteral("id")));
        ids.insert(question->id);
        data.questions.push_back(std::move(*question));
    }
    std::stable_sort(data.questions.begin(), data.questions.end(),
                     [](const ChatbotQuestion &a, const ChatbotQuestion &b) {
                         return a.orderIndex < b.orderIndex;
                     });
    return {};
}

Result<void> Parser::parseGreetings(const QJsonValue &value, ChatbotConfig::Data &data)
{
    const QString path = QStringLiteral("greeting_responses");
    auto json = object(value, path);
    if (!json)
        return std::unexpected(json.error());
    if (auto ok
        = onlyKeys(*json, path, {"question_id", "next_question_id", "responses", "otherwise"});
        !ok)
        return ok;
    auto known = [&data](int id) {
        return std::any_of(data.questions.cbegin(), data.questions.cend(),
                           [id](const ChatbotQuestion &q) { return q.id == id; });
    };
    for (const auto &[key, target] :
         {std::pair{"question_id", &data.greetingQuestionId},
          std::pair{"next_question_id", &data.greetingNextQuestionId}}) {
        const QString keyPath = at(path, QString::fromLatin1(key));
        auto id = wholeNumber(json->value(QLatin1String(key)), keyPath, 1, 1'000'000);
        if (!id)
            return std::unexpected(id.error());
        if (!known(*id))
            return fail(QStringLiteral("is not the id of a question"), keyPath);
        *target = *id;
    }
    const ChatbotQuestion *greetingQuestion = nullptr;
    for (const ChatbotQuestion &q : data.questions) {
        if (q.id == data.greetingQuestionId)
            greetingQuestion = &q;
    }
    const QString responsesPath = at(path, QStringLiteral("responses"));
    const QJsonValue responses = json->value(QLatin1String("responses"));
    if (!responses.isArray())
        return fail(QStringLiteral("must be an array"), responsesPath);
    const QJsonArray array = responses.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString itemPath = at(responsesPath, i);
        auto greeting = parseGreeting(array.at(i), itemPath, true);
        if (!greeting)
            return std::unexpected(greeting.error());
        const QString answerPath = at(itemPath, QStringLiteral("answer"));
        auto answer = text(array.at(i).toObject().value(QLatin1String("answer")), answerPath);
        if (!answer)
            return std::unexpected(answer.error());
        // A response to an answer the question never accepts could never be given.
        if (!greetingQuestion->options.isEmpty() && !greetingQuestion->options.contains(*answer))
            return fail(
                QStringLiteral("is not an option of question %1").arg(data.greetingQuestionId),
                answerPath);
        data.greetings.push_back({*answer, *greeting});
    }
    auto otherwise = parseGreeting(json->value(QLatin1String("otherwise")),
                                   at(path, QStringLiteral("otherwise")), false);
    if (!otherwise)
        return std::unexpected(otherwise.error());
    data.otherwise = *otherwise;
    return {};
}

} // namespace

ChatbotConfig::ChatbotConfig()
    : m_data(std::make_shared<const Data>())
{}

ChatbotConfig::ChatbotConfig(std::shared_ptr<const Data> data)
    : m_data(std::move(data))
{}

Result<ChatbotConfig> ChatbotConfig::parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not valid JSON at offset %1: %2")
                        .arg(error.offset)
                        .arg(error.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("the document must be a JSON object"));
    auto data = std::make_shared<Data>();
    if (auto ok = Parser().parse(document.object(), *data); !ok)
        return std::unexpected(ok.error());
    return ChatbotConfig(std::move(data));
}

Result<ChatbotConfig> ChatbotConfig::loadDefault()
{
    QFile file(QString::fromLatin1(defaultResource));
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read: ") + file.errorString(), file.fileName());
    return parse(file.readAll());
}

Result<void> ChatbotConfig::checkAgainst(const ScoringRules &rules) const
{
    if (!rules.hasBehaviourModel())
        return fail(QStringLiteral("the scoring rules have no behaviour model"));
    // An event the model knows always appears in the breakdown, even at 0 points.
    auto check = [&rules](const QString &event, const QString &path) -> Result<void> {
        if (rules.scoreEvents({event}).breakdown.isEmpty())
            return fail(
                QStringLiteral("\"%1\" is not an event of the behaviour scoring model").arg(event),
                path);
        return {};
    };
    for (qsizetype i = 0; i < m_data->clientActions.size(); ++i) {
        if (auto ok = check(m_data->clientActions.at(i), at(QStringLiteral("client_actions"), i));
            !ok)
            return ok;
    }
    const ServerEvents &e = m_data->events;
    const std::pair<const char *, const QString *> events[]
        = {{"session_opened", &e.sessionOpened},
           {"answered_question", &e.answeredQuestion},
           {"detailed_answer", &e.detailedAnswer},
           {"quick_reply", &e.quickReply},
           {"answered_all_questions", &e.answeredAllQuestions},
           {"shared_contact", &e.sharedContact},
           {"question_skipped", &e.questionSkipped}};
    for (const auto &[key, event] : events) {
        if (auto ok = check(*event, at(QStringLiteral("server_events"), QString::fromLatin1(key)));
            !ok)
            return ok;
    }
    return {};
}

const QString &ChatbotConfig::welcomeMessage() const
{
    return m_data->welcomeMessage;
}

const QStringList &ChatbotConfig::clientActions() const
{
    return m_data->clientActions;
}

const ChatbotConfig::ServerEvents &ChatbotConfig::serverEvents() const
{
    return m_data->events;
}

const QList<ChatbotQuestion> &ChatbotConfig::questions() const
{
    return m_data->questions;
}

const ChatbotQuestion *ChatbotConfig::question(int id) const
{
    for (const ChatbotQuestion &q : m_data->questions) {
        if (q.id == id)
            return &q;
    }
    return nullptr;
}

QList<int> ChatbotConfig::questionIds() const
{
    QList<int> ids;
    for (const ChatbotQuestion &q : m_data->questions)
        ids.push_back(q.id);
    return ids;
}

QJsonArray ChatbotConfig::questionsJson() const
{
    QJsonArray array;
    for (const ChatbotQuestion &q : m_data->questions)
        array.push_back(q.json);
    return array;
}

const QJsonArray &ChatbotConfig::productMenu() const
{
    return m_data->productMenu;
}

const QJsonArray &ChatbotConfig::ctaOptions() const
{
    return m_data->ctaOptions;
}

int ChatbotConfig::greetingQuestionId() const
{
    return m_data->greetingQuestionId;
}

int ChatbotConfig::greetingNextQuestionId() const
{
    return m_data->greetingNextQuestionId;
}

ChatbotGreeting ChatbotConfig::greetingFor(const QString &answer) const
{
    for (const auto &[text, greeting] : m_data->greetings) {
        if (text == answer)
            return greeting;
    }
    return m_data->otherwise;
}

int ChatbotConfig::detailedMinChars() const
{
    return m_data->detailedMinChars;
}

int ChatbotConfig::quickReplySeconds() const
{
    return m_data->quickReplySeconds;
}

int ChatbotConfig::maxTimeTakenSeconds() const
{
    return m_data->maxTimeTakenSeconds;
}

const QString &ChatbotConfig::exportAssignedTo() const
{
    return m_data->exportAssignedTo;
}

const QString &ChatbotConfig::abTestName() const
{
    return m_data->abTestName;
}

const QByteArray &ChatbotConfig::abDefaultDocument() const
{
    return m_data->abDefaultDocument;
}

} // namespace LeadDesk::Core
