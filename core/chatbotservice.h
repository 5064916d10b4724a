#pragma once

#include "chatbotconfig.h"
#include "chatbotrequests.h"
#include "chatbotresponse.h"
#include "clock.h"
#include "database.h"
#include "result.h"
#include "scoringrules.h"
#include "slaclock.h"

#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

namespace LeadDesk::Core {

class LeadIngestor;
class Normalizer;

// The chatbot API of seeds 001/002 over the store, transport-free: each operation takes checked
// input (ChatbotRequests) and returns the HTTP status and JSON the API answers; an error result
// means the store failed (the caller answers 500 and rolls back).
//
// Sessions live in chatbot_sessions (session_key is the session_id handed out), answers in
// answers (one per session and question: a second answer replaces the first), everything else
// the visitor did in behaviors, including profile changes ("profile_updated" rows, folded in
// order). The score is recomputed from those rows under the behaviour scoring model each time,
// never accumulated, so a repeated action is recorded but counts as the model says (once, or up
// to its cap) and reads have no side effects. A session gets a lead (channel "chatbot", external
// id = session key) through the LeadIngestor once its profile holds an e-mail or a phone; the
// lead's score then follows the session's.
//
// Works on the connection it is given; write operations use a savepoint, so they are atomic on
// their own and inside a caller's transaction. Not thread-safe: one service per connection (it
// is cheap: build one per request).
class ChatbotService final
{
public:
    // Internal behaviour types (not scoring events, never client-postable).
    static constexpr auto kProfileUpdated = "profile_updated";
    static constexpr auto kNotificationSent = "notification_sent";
    static constexpr auto kNotifyActivity = "notification_requested";

    ChatbotService(Database &db, QString businessId, std::shared_ptr<const ChatbotConfig> config,
                   std::shared_ptr<const ScoringRules> rules, const Clock &clock = Clock::system());
    ~ChatbotService();
    Q_DISABLE_COPY_MOVE(ChatbotService)

    // The caller's ingestor (with its routing / SLA stages) and the business's normaliser, for
    // the lead a session gets. Without them the service makes its own on first need.
    void setLeadPipeline(LeadIngestor &ingestor, const Normalizer &normalizer);

    // After new scoring rules: the lead of every session scored again under the behaviour model
    // (the lead rescorer leaves chatbot leads to it), its SLA target moved with its grade.
    // Returns how many leads' scores changed. Atomic (a savepoint).
    Result<qint64> rescoreLeads();
    // The same for a business, with the shipped chatbot configuration.
    static Result<qint64> rescoreLeads(Database &db, const QString &businessId,
                                       std::shared_ptr<const ScoringRules> rules);

    // GET / and the configuration endpoints: no store access.
    [[nodiscard]] ChatbotResponse root() const;
    [[nodiscard]] ChatbotResponse questions() const;
    [[nodiscard]] ChatbotResponse behaviorActions() const;
    [[nodiscard]] ChatbotResponse productMenu() const;
    [[nodiscard]] ChatbotResponse ctaOptions() const;

    // Writes.
    Result<ChatbotResponse> startSession(const ChatbotStartInput &input);
    Result<ChatbotResponse> nextQuestion(const ChatbotNextQuestionInput &input);
    Result<ChatbotResponse> answer(const ChatbotAnswerInput &input, bool conditional = false);
    Result<ChatbotResponse> skipQuestion(const ChatbotSkipInput &input);
    Result<ChatbotResponse> behavior(const ChatbotBehaviorInput &input);
    Result<ChatbotResponse> updateProfile(const ChatbotProfileInput &input);
    Result<ChatbotResponse> abVariant(const ChatbotSessionInput &input);
    Result<ChatbotResponse> abConversion(const ChatbotConversionInput &input);
    Result<ChatbotResponse> notify(const ChatbotSessionInput &input);

    // Reads: nothing is written.
    Result<ChatbotResponse> summary(const QString &sessionId);
    Result<ChatbotResponse> score(const QString &sessionId);
    Result<ChatbotResponse> exportLead(const QString &sessionId);
    Result<ChatbotResponse> analytics(const ChatbotAnalyticsInput &input = {});

    // "SQL", "MQL" or "Unqualified" for a behaviour-model result.
    [[nodiscard]] static QString leadTypeOf(const ScoreResult &score);

    struct Session
    {
        QString id;  // chatbot_sessions.id
        QString key; // the session_id of the API
        QString leadId;
        QString utmSource;
        std::optional<int> lastQuestionId;
        bool completed = false;
        qint64 startedAtMs = 0;
        qint64 endedAtMs = 0; // 0: still open
        qint64 updatedAtMs = 0;
    };
    struct Answer
    {
        int questionId = 0;
        QString text;
        std::optional<qint64> timeTakenMs; // effective: see answer()
        qint64 createdAtMs = 0;
        qint64 updatedAtMs = 0;
    };
    struct State
    {
        Session session;
        QList<Answer> answers;  // by question order of arrival
        QStringList behaviours; // behavior_type of every row, oldest first
        QList<int> skipped;     // question ids skipped and not answered since
        QJsonObject profile;    // the folded profile_updated changes
        bool notified = false;
    };

private:
    Result<std::optional<Session>> findSession(const QString &key);
    Result<State> load(const Session &session);
    // Every scoring event of the session: its behaviours and what its answers earned.
    [[nodiscard]] QStringList eventsOf(const State &state) const;
    [[nodiscard]] QStringList answerEvents(const Answer &answer) const;
    [[nodiscard]] bool allRequiredAnswered(const State &state) const;
    [[nodiscard]] ScoreResult scoreOf(const State &state) const;

    Result<void> insertBehaviour(const Session &session, const QString &type,
                                 const QJsonObject &metadata, int scoreImpact, qint64 nowMs);
    Result<void> touchSession(const Session &session, qint64 nowMs);
    // After a change: the session's completion flag, and its lead (created when the profile
    // first holds a contact, refreshed when `profileChanged`, re-scored always).
    Result<void> settle(State &state, bool profileChanged, qint64 nowMs);
    Result<void> writeLead(State &state, const ScoreResult &score, bool profileChanged,
                           qint64 nowMs);
    Result<void> ensurePipeline();
    Result<void> writeScore(const QString &leadId, const ScoreResult &score, qint64 nowMs);
    // The lead's grade and qualification under the behaviour model's SQL / MQL thresholds.
    [[nodiscard]] static std::pair<QString, QString>
    gradeAndQualification(const ScoreResult &score);

    [[nodiscard]] QJsonObject summaryOf(const State &state, const ScoreResult &score) const;
    [[nodiscard]] ChatbotResponse sessionNotFound() const;
    [[nodiscard]] const ChatbotQuestion *currentQuestion(const State &state) const;

    Database &m_db;
    QString m_businessId;
    std::shared_ptr<const ChatbotConfig> m_config;
    std::shared_ptr<const ScoringRules> m_rules;
    const Clock &m_clock;
    LeadIngestor *m_ingestor = nullptr;
    const Normalizer *m_normalizer = nullptr;
    std::unique_ptr<LeadIngestor> m_ownIngestor;
    // The behaviour model can move a lead to another grade, and with it to another SLA target.
    SlaClock m_slaClock;
    std::unique_ptr<Normalizer> m_ownNormalizer;
};

} // namespace LeadDesk::Core
