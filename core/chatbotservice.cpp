#include "chatbotservice.h"

#include "abtestdefinitions.h"
#include "abtests.h"
#include "chatbotbody.h"
#include "identityresolver.h"
#include "ids.h"
#include "ingestionstages.h"
#include "leadingestor.h"
#include "leadnormalizer.h"
#include "leadrepository.h"
#include "normalizer.h"
#include "savepoint.h"
#include "scorebreakdowns.h"
#include "settingsrepository.h"
#include "sqlitestatement.h"

#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QSet>
#include <QUuid>

#include <cmath>

namespace LeadDesk::Core {

namespace {

QString iso(qint64 ms)
{
    // Qt::UTC, not QTimeZone::utc(): only the former is written with a "Z".
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
}

QString compact(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QJsonObject objectOf(const QString &json)
{
    return QJsonDocument::fromJson(json.toUtf8()).object();
}

double round2(double value)
{
    return std::round(value * 100.0) / 100.0;
}

QString profileText(const QJsonObject &profile, const char *key)
{
    return profile.value(QLatin1String(key)).toString();
}

const QString kSqlType = QStringLiteral("SQL");
const QString kMqlType = QStringLiteral("MQL");
const QString kUnqualifiedType = QStringLiteral("Unqualified");

} // namespace

ChatbotService::ChatbotService(Database &db, QString businessId,
                               std::shared_ptr<const ChatbotConfig> config,
                               std::shared_ptr<const ScoringRules> rules, const Clock &clock)
    : m_db(db)
    , m_businessId(std::move(businessId))
    , m_config(std::move(config))
    , m_rules(std::move(rules))
    , m_clock(clock)
{}

ChatbotService::~ChatbotService() = default;

void ChatbotService::setLeadPipeline(LeadIngestor &ingestor, const Normalizer &normalizer)
{
    m_ingestor = &ingestor;
    m_normalizer = &normalizer;
}

// --- configuration endpoints ---------------------------------------------------------------

ChatbotResponse ChatbotService::root() const
{
    return ChatbotResponse::ok(
        QJsonObject{{QStringLiteral("message"), m_config->welcomeMessage()}});
}

ChatbotResponse ChatbotService::questions() const
{
    return ChatbotResponse::ok(m_config->questionsJson());
}

ChatbotResponse ChatbotService::behaviorActions() const
{
    return ChatbotResponse::ok(QJsonObject{
        {QStringLiteral("actions"), QJsonArray::fromStringList(m_config->clientActions())}});
}

ChatbotResponse ChatbotService::productMenu() const
{
    return ChatbotResponse::ok(m_config->productMenu());
}

ChatbotResponse ChatbotService::ctaOptions() const
{
    return ChatbotResponse::ok(m_config->ctaOptions());
}

// --- scoring -------------------------------------------------------------------------------

QString ChatbotService::leadTypeOf(const ScoreResult &score)
{
    if (score.qualification == QLatin1String("sales_qualified"))
        return kSqlType;
    if (score.qualification == QLatin1String("marketing_qualified"))
        return kMqlType;
    return kUnqualifiedType;
}

QStringList ChatbotService::answerEvents(const Answer &answer) const
{
    const ChatbotConfig::ServerEvents &e = m_config->serverEvents();
    QStringList events{e.answeredQuestion};
    if (ChatbotBody::codePoints(answer.text.trimmed()) >= m_config->detailedMinChars())
        events.push_back(e.detailedAnswer);
    if (answer.timeTakenMs && *answer.timeTakenMs > 0
        && *answer.timeTakenMs < qint64(m_config->quickReplySeconds()) * 1000)
        events.push_back(e.quickReply);
    return events;
}

bool ChatbotService::allRequiredAnswered(const State &state) const
{
    QSet<int> answered;
    for (const Answer &a : state.answers)
        answered.insert(a.questionId);
    for (const ChatbotQuestion &q : m_config->questions()) {
        if (q.required && !answered.contains(q.id))
            return false;
    }
    return true;
}

QStringList ChatbotService::eventsOf(const State &state) const
{
    QStringList events = state.behaviours;
    for (const Answer &a : state.answers)
        events += answerEvents(a);
    if (allRequiredAnswered(state))
        events.push_back(m_config->serverEvents().answeredAllQuestions);
    return events;
}

ScoreResult ChatbotService::scoreOf(const State &state) const
{
    return m_rules->scoreEvents(eventsOf(state));
}

// --- store ---------------------------------------------------------------------------------

Result<std::optional<ChatbotService::Session>> ChatbotService::findSession(const QString &key)
{
    SqliteStatement &select = m_db.statement(
        "SELECT id, session_key, lead_id, utm_source, last_question_id, completed, started_at, "
        "ended_at, updated_at FROM chatbot_sessions "
        "WHERE session_key = ?1 AND business_id = ?2 AND deleted = 0");
    select.bind(1, key);
    select.bind(2, m_businessId);
    auto row = select.step();
    if (!row)
        return std::unexpected(row.error());
    std::optional<Session> session;
    if (*row) {
        Session s;
        s.id = select.columnText(0);
        s.key = select.columnText(1);
        s.leadId = select.columnText(2);
        s.utmSource = select.columnText(3);
        if (!select.columnIsNull(4))
            s.lastQuestionId = int(select.columnInt(4));
        s.completed = select.columnInt(5) != 0;
        s.startedAtMs = select.columnInt(6);
        s.endedAtMs = select.columnIsNull(7) ? 0 : select.columnInt(7);
        s.updatedAtMs = select.columnInt(8);
        session = s;
    }
    select.reset();
    return session;
}

Result<ChatbotService::State> ChatbotService::load(const Session &session)
{
    State state;
    state.session = session;
    SqliteStatement &answers = m_db.statement(
        "SELECT question_id, answer_text, time_taken_ms, created_at, updated_at FROM answers "
        "WHERE session_id = ?1 AND deleted = 0 ORDER BY created_at, id");
    answers.bind(1, session.id);
    for (;;) {
        auto row = answers.step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        Answer a;
        a.questionId = int(answers.columnInt(0));
        a.text = answers.columnText(1);
        if (!answers.columnIsNull(2))
            a.timeTakenMs = answers.columnInt(2);
        a.createdAtMs = answers.columnInt(3);
        a.updatedAtMs = answers.columnInt(4);
        state.answers.push_back(a);
    }
    answers.reset();

    QSet<int> answered;
    for (const Answer &a : state.answers)
        answered.insert(a.questionId);
    const QString skippedType = m_config->serverEvents().questionSkipped;
    SqliteStatement &behaviours = m_db.statement(
        "SELECT behavior_type, metadata FROM behaviors WHERE session_id = ?1 AND deleted = 0 "
        "ORDER BY created_at, id");
    behaviours.bind(1, session.id);
    for (;;) {
        auto row = behaviours.step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        const QString type = behaviours.columnText(0);
        state.behaviours.push_back(type);
        if (type == QLatin1String(kProfileUpdated)) {
            const QJsonObject changes = objectOf(behaviours.columnText(1));
            for (auto it = changes.constBegin(); it != changes.constEnd(); ++it)
                state.profile.insert(it.key(), it.value());
        } else if (type == skippedType) {
            const QJsonValue id
                = objectOf(behaviours.columnText(1)).value(QLatin1String("question_id"));
            if (id.isDouble() && !answered.contains(id.toInt())
                && !state.skipped.contains(id.toInt()))
                state.skipped.push_back(id.toInt());
        } else if (type == QLatin1String(kNotificationSent)) {
            state.notified = true;
        }
    }
    behaviours.reset();
    return state;
}

Result<void> ChatbotService::insertBehaviour(const Session &session, const QString &type,
                                             const QJsonObject &metadata, int scoreImpact,
                                             qint64 nowMs)
{
    SqliteStatement &insert = m_db.statement(
        "INSERT INTO behaviors (id, business_id, session_id, behavior_type, metadata, "
        "score_impact, created_at, updated_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7, ?8)");
    insert.bind(1, Ids::uuidV7(nowMs));
    insert.bind(2, m_businessId);
    insert.bind(3, session.id);
    insert.bind(4, type);
    insert.bind(5, compact(metadata));
    insert.bind(6, qint64(scoreImpact));
    insert.bind(7, nowMs);
    insert.bind(8, Ids::nextHlc(nowMs));
    return insert.execute();
}

Result<void> ChatbotService::touchSession(const Session &session, qint64 nowMs)
{
    SqliteStatement &update
        = m_db.statement("UPDATE chatbot_sessions SET updated_at = ?2, hlc = ?3 WHERE id = ?1");
    update.bind(1, session.id);
    update.bind(2, nowMs);
    update.bind(3, Ids::nextHlc(nowMs));
    return update.execute();
}

Result<void> ChatbotService::ensurePipeline()
{
    if (!m_normalizer) {
        SqliteStatement &select
            = m_db.statement("SELECT default_region FROM businesses WHERE id = ?1");
        select.bind(1, m_businessId);
        auto row = select.step();
        if (!row)
            return std::unexpected(row.error());
        const QString region = *row ? select.columnText(0) : QStringLiteral("US");
        select.reset();
        m_ownNormalizer = std::make_unique<Normalizer>(region);
        m_normalizer = m_ownNormalizer.get();
    }
    if (!m_ingestor) {
        m_ownIngestor = std::make_unique<LeadIngestor>(m_db, m_clock);
        addStandardStages(*m_ownIngestor); // a chatbot lead is routed and timed like any other
        m_ingestor = m_ownIngestor.get();
    }
    return {};
}

Result<void> ChatbotService::settle(State &state, bool profileChanged, qint64 nowMs)
{
    const bool complete = allRequiredAnswered(state);
    if (complete != state.session.completed) {
        SqliteStatement &update
            = m_db.statement("UPDATE chatbot_sessions SET completed = ?2 WHERE id = ?1");
        update.bind(1, state.session.id);
        update.bind(2, qint64(complete ? 1 : 0));
        if (auto ok = update.execute(); !ok)
            return ok;
        state.session.completed = complete;
    }
    return writeLead(state, scoreOf(state), profileChanged, nowMs);
}

Result<void> ChatbotService::writeLead(State &state, const ScoreResult &score, bool profileChanged,
                                       qint64 nowMs)
{
    const QJsonObject &profile = state.profile;
    const bool hasContact
        = !profileText(profile, "email").isEmpty() || !profileText(profile, "phone").isEmpty();
    if (state.session.leadId.isEmpty() && !hasContact)
        return {}; // an anonymous visitor is no lead yet
    const auto [grade, qualification] = gradeAndQualification(score);

    if (hasContact && (state.session.leadId.isEmpty() || profileChanged)) {
        if (auto ok = ensurePipeline(); !ok)
            return ok;
        RawLead raw;
        raw.channel = QStringLiteral("chatbot");
        raw.externalId = state.session.key;
        raw.fullName = profileText(profile, "name");
        raw.email = profileText(profile, "email");
        raw.phone = profileText(profile, "phone");
        raw.city = profileText(profile, "location");
        raw.utmSource = state.session.utmSource;
        raw.sessionId = state.session.key;
        LeadNormalizer::Outcome normalized
            = LeadNormalizer(*m_normalizer).normalize(raw, state.session.startedAtMs);
        // The request checks e-mail and phone with the same rules; a failure here means the
        // business's phone region changed in between: keep the contact out of the lead.
        if (normalized.errors.isEmpty()) {
            LeadRecord &record = normalized.record;
            QJsonObject details{{QStringLiteral("chatbot_session_id"), state.session.key}};
            for (const char *key : {"business_type", "location", "staff_size", "monthly_sales",
                                    "features_interested"}) {
                const QJsonValue value = profile.value(QLatin1String(key));
                if (!value.isNull() && !value.isUndefined())
                    details.insert(QLatin1String(key), value);
            }
            if (state.session.leadId.isEmpty()) {
                record.details = details;
                record.score = score.score;
                record.grade = grade;
                record.qualification = qualification;
                record.scoreBreakdown = score.breakdown;
                auto stored = m_ingestor->store(m_businessId, record);
                if (!stored)
                    return std::unexpected(stored.error());
                state.session.leadId = stored->leadId;
                SqliteStatement &link
                    = m_db.statement("UPDATE chatbot_sessions SET lead_id = ?2 WHERE id = ?1");
                link.bind(1, state.session.id);
                link.bind(2, state.session.leadId);
                if (auto ok = link.execute(); !ok)
                    return ok;
            } else {
                SqliteStatement &select = m_db.statement("SELECT details FROM leads WHERE id = ?1");
                select.bind(1, state.session.leadId);
                auto row = select.step();
                if (!row)
                    return std::unexpected(row.error());
                QJsonObject merged = *row ? objectOf(select.columnText(0)) : QJsonObject();
                select.reset();
                for (const char *key : {"business_type", "location", "staff_size", "monthly_sales",
                                        "features_interested"})
                    merged.remove(QLatin1String(key)); // cleared fields leave the lead too
                for (auto it = details.constBegin(); it != details.constEnd(); ++it)
                    merged.insert(it.key(), it.value());
                SqliteStatement &update = m_db.statement(
                    "UPDATE leads SET first_name = ?2, last_name = ?3, email = ?4, phone = ?5, "
                    "address_line = ?6, details = ?7, updated_at = ?8, hlc = ?9 WHERE id = ?1");
                update.bind(1, state.session.leadId);
                update.bind(2, record.firstName);
                update.bind(3, record.lastName);
                update.bindNullable(4, record.email);
                update.bindNullable(5, record.phone);
                update.bindNullable(6, record.addressLine);
                update.bind(7, compact(merged));
                update.bind(8, nowMs);
                update.bind(9, Ids::nextHlc(nowMs));
                if (auto ok = update.execute(); !ok)
                    return ok;
                // New keys (a phone after the e-mail) join the person; keys of another contact
                // stay there (the resolver never moves them).
                auto resolved = IdentityResolver(m_db).resolve(
                    m_businessId, IdentityResolver::keysOf(record), record, nowMs);
                if (!resolved)
                    return std::unexpected(resolved.error());
            }
        }
    }
    if (state.session.leadId.isEmpty())
        return {};
    return writeScore(state.session.leadId, score, nowMs);
}

std::pair<QString, QString> ChatbotService::gradeAndQualification(const ScoreResult &score)
{
    const QString leadType = leadTypeOf(score);
    const QString qualification = leadType == kSqlType   ? QStringLiteral("sales_qualified")
                                  : leadType == kMqlType ? QStringLiteral("marketing_qualified")
                                                         : QStringLiteral("unqualified");
    static const QSet<QString> grades{QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C"),
                                      QStringLiteral("D")};
    return {grades.contains(score.grade) ? score.grade : QStringLiteral("D"), qualification};
}

Result<void> ChatbotService::writeScore(const QString &leadId, const ScoreResult &score,
                                        qint64 nowMs)
{
    const auto [grade, qualification] = gradeAndQualification(score);
    // The lead's score is the session's (the ingestor may have scored the new lead under the
    // lead model; the chatbot's behaviour model is the one that applies).
    auto breakdownId = ScoreBreakdowns::idOf(m_db, score.breakdown);
    if (!breakdownId)
        return std::unexpected(breakdownId.error());
    SqliteStatement &update = m_db.statement(
        "INSERT INTO lead_scores (lead_id, tenant, lead_score, lead_grade, "
        "qualification_status, breakdown_id, scored_at, hlc) "
        "SELECT l.id, t.tenant, ?2, ?3, ?4, ?5, ?6, ?7 "
        "FROM leads AS l LEFT JOIN tenants AS t ON t.business_id = l.business_id WHERE l.id = ?1 "
        "ON CONFLICT (lead_id) DO UPDATE SET lead_score = excluded.lead_score, "
        "lead_grade = excluded.lead_grade, qualification_status = excluded.qualification_status, "
        "breakdown_id = excluded.breakdown_id, scored_at = excluded.scored_at, "
        "hlc = excluded.hlc");
    update.bind(1, leadId);
    update.bind(2, qint64(score.score));
    update.bind(3, grade);
    update.bind(4, qualification);
    update.bind(5, *breakdownId);
    update.bind(6, nowMs);
    update.bind(7, Ids::nextHlc(nowMs));
    if (auto ok = update.execute(); !ok)
        return ok;
    // The SLA target may depend on the grade the behaviour model just gave.
    return m_slaClock.recomputeLead(m_db, leadId, nowMs);
}

Result<qint64> ChatbotService::rescoreLeads(Database &db, const QString &businessId,
                                            std::shared_ptr<const ScoringRules> rules)
{
    auto config = ChatbotConfig::loadDefault();
    if (!config)
        return std::unexpected(config.error());
    return ChatbotService(db, businessId, std::make_shared<const ChatbotConfig>(std::move(*config)),
                          std::move(rules))
        .rescoreLeads();
}

Result<qint64> ChatbotService::rescoreLeads()
{
    Savepoint savepoint(m_db, "chatbot_rescore");
    if (auto ok = savepoint.status(); !ok)
        return std::unexpected(ok.error());
    QStringList keys;
    SqliteStatement &sessions = m_db.statement(
        "SELECT session_key FROM chatbot_sessions WHERE business_id = ?1 AND lead_id IS NOT NULL "
        "AND deleted = 0");
    sessions.bind(1, m_businessId);
    for (;;) {
        auto row = sessions.step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        keys << sessions.columnText(0);
    }
    sessions.reset();

    const qint64 nowMs = m_clock.nowMs();
    qint64 changed = 0;
    for (const QString &key : std::as_const(keys)) {
        auto session = findSession(key);
        if (!session)
            return std::unexpected(session.error());
        auto state = load(**session);
        if (!state)
            return std::unexpected(state.error());
        const ScoreResult score = scoreOf(*state);
        const auto [grade, qualification] = gradeAndQualification(score);
        SqliteStatement &stored
            = m_db.statement("SELECT lead_score, lead_grade, qualification_status, score_breakdown "
                             "FROM scored_leads WHERE id = ?1");
        stored.bind(1, state->session.leadId);
        auto row = stored.step();
        if (!row)
            return std::unexpected(row.error());
        const bool same = *row && stored.columnInt(0) == score.score
                          && stored.columnText(1) == grade && stored.columnText(2) == qualification
                          && stored.columnText(3) == compact(score.breakdown);
        stored.reset();
        if (same || !*row)
            continue;
        if (auto ok = writeScore(state->session.leadId, score, nowMs); !ok)
            return std::unexpected(ok.error());
        ++changed;
    }
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    return changed;
}

ChatbotResponse ChatbotService::sessionNotFound() const
{
    return ChatbotResponse::detail(404, QStringLiteral("Session not found"));
}

const ChatbotQuestion *ChatbotService::currentQuestion(const State &state) const
{
    QSet<int> done;
    for (const Answer &a : state.answers)
        done.insert(a.questionId);
    for (int id : state.skipped)
        done.insert(id);
    if (state.session.lastQuestionId && !done.contains(*state.session.lastQuestionId))
        return m_config->question(*state.session.lastQuestionId);
    for (const ChatbotQuestion &q : m_config->questions()) {
        if (!done.contains(q.id))
            return &q;
    }
    return nullptr;
}

// --- session and question flow ---------------------------------------------------------------

Result<ChatbotResponse> ChatbotService::startSession(const ChatbotStartInput &input)
{
    const qint64 now = m_clock.nowMs();
    Session session;
    session.id = Ids::uuidV7(now);
    session.key = QUuid::createUuid().toString(QUuid::WithoutBraces);
    session.utmSource = input.utmSource;
    session.startedAtMs = now;
    session.updatedAtMs = now;

    Savepoint savepoint(m_db, "chatbot");
    if (auto ok = savepoint.status(); !ok)
        return std::unexpected(ok.error());
    SqliteStatement &insert = m_db.statement(
        "INSERT INTO chatbot_sessions (id, business_id, session_key, utm_source, started_at, "
        "created_at, updated_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?5, ?6)");
    insert.bind(1, session.id);
    insert.bind(2, m_businessId);
    insert.bind(3, session.key);
    insert.bind(4, session.utmSource);
    insert.bind(5, now);
    insert.bind(6, Ids::nextHlc(now));
    if (auto ok = insert.execute(); !ok)
        return std::unexpected(ok.error());
    const QString opened = m_config->serverEvents().sessionOpened;
    const int points = m_rules->scoreEvents({opened}).score;
    if (auto ok = insertBehaviour(session, opened, {}, points, now); !ok)
        return std::unexpected(ok.error());
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    return ChatbotResponse::ok(
        QJsonObject{{QStringLiteral("session_id"), session.key},
                    {QStringLiteral("message"), QStringLiteral("Session started successfully")}});
}

Result<ChatbotResponse> ChatbotService::nextQuestion(const ChatbotNextQuestionInput &input)
{
    auto session = findSession(input.sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return sessionNotFound();
    if ((*session)->endedAtMs != 0)
        return ChatbotResponse::ok(QJsonValue::Null);
    auto state = load(**session);
    if (!state)
        return std::unexpected(state.error());

    const QList<ChatbotQuestion> &questions = m_config->questions();
    qsizetype start = 0;
    for (qsizetype i = 0; i < questions.size(); ++i) {
        if (questions.at(i).id == input.lastQuestionId)
            start = i + 1;
    }
    QSet<int> done;
    for (const Answer &a : state->answers)
        done.insert(a.questionId);
    for (int id : state->skipped)
        done.insert(id);
    const ChatbotQuestion *next = nullptr;
    for (qsizetype i = start; i < questions.size() && !next; ++i) {
        if (!done.contains(questions.at(i).id))
            next = &questions.at(i);
    }
    if (!next)
        return ChatbotResponse::ok(QJsonValue::Null);

    // Remember what the visitor is looking at: a skip without a question id skips it.
    const qint64 now = m_clock.nowMs();
    SqliteStatement &update = m_db.statement(
        "UPDATE chatbot_sessions SET last_question_id = ?2, updated_at = ?3, hlc = ?4 "
        "WHERE id = ?1");
    update.bind(1, state->session.id);
    update.bind(2, qint64(next->id));
    update.bind(3, now);
    update.bind(4, Ids::nextHlc(now));
    if (auto ok = update.execute(); !ok)
        return std::unexpected(ok.error());
    return ChatbotResponse::ok(next->json);
}

Result<ChatbotResponse> ChatbotService::answer(const ChatbotAnswerInput &input, bool conditional)
{
    const ChatbotQuestion *question = m_config->question(input.questionId);
    if (!question) // ChatbotRequests checked it; a caller that did not still gets a 422
        return ChatbotResponse::validation(QJsonArray{ChatbotBody::valueError(
            QJsonArray{QStringLiteral("body"), QStringLiteral("question_id")},
            QStringLiteral("unknown question"), input.questionId)});
    auto session = findSession(input.sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return sessionNotFound();
    if ((*session)->endedAtMs != 0)
        return ChatbotResponse::detail(409, QStringLiteral("Session has ended"));
    auto loaded = load(**session);
    if (!loaded)
        return std::unexpected(loaded.error());
    State &state = *loaded;
    const qint64 now = m_clock.nowMs();
    const int before = scoreOf(state).score;

    // time_taken is the client's claim; the server measures too (since the session's previous
    // answer, or its start) and keeps the longer, so a client cannot buy quick-reply points.
    qint64 anchor = state.session.startedAtMs;
    for (const Answer &a : state.answers)
        anchor = std::max(anchor, a.updatedAtMs);
    Answer answer;
    answer.questionId = question->id;
    answer.text = input.answerText;
    if (input.timeTaken && *input.timeTaken > 0.0)
        answer.timeTakenMs = std::max(qint64(std::llround(*input.timeTaken * 1000.0)),
                                      std::max<qint64>(0, now - anchor));
    answer.createdAtMs = now;
    answer.updatedAtMs = now;
    const int worth = m_rules->scoreEvents(answerEvents(answer)).score;

    Savepoint savepoint(m_db, "chatbot");
    if (auto ok = savepoint.status(); !ok)
        return std::unexpected(ok.error());
    // UNIQUE (session_id, question_id): a second answer replaces the first, so answering again
    // never adds points; the first answer's time stays as created_at.
    SqliteStatement &upsert = m_db.statement(
        "INSERT INTO answers (id, business_id, session_id, question_id, answer_text, "
        "time_taken_ms, score_earned, created_at, updated_at, hlc) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9) "
        "ON CONFLICT (session_id, question_id) DO UPDATE SET answer_text = excluded.answer_text, "
        "time_taken_ms = excluded.time_taken_ms, score_earned = excluded.score_earned, "
        "updated_at = excluded.updated_at, hlc = excluded.hlc, deleted = 0");
    upsert.bind(1, Ids::uuidV7(now));
    upsert.bind(2, m_businessId);
    upsert.bind(3, state.session.id);
    upsert.bind(4, qint64(question->id));
    upsert.bind(5, answer.text);
    if (answer.timeTakenMs)
        upsert.bind(6, *answer.timeTakenMs);
    else
        upsert.bindNull(6);
    upsert.bind(7, qint64(worth));
    upsert.bind(8, now);
    upsert.bind(9, Ids::nextHlc(now));
    if (auto ok = upsert.execute(); !ok)
        return std::unexpected(ok.error());

    bool replaced = false;
    for (Answer &a : state.answers) {
        if (a.questionId == answer.questionId) {
            answer.createdAtMs = a.createdAtMs;
            a = answer;
            replaced = true;
        }
    }
    if (!replaced)
        state.answers.push_back(answer);
    state.skipped.removeAll(answer.questionId);
    const int after = scoreOf(state).score;

    QJsonObject body{{QStringLiteral("message"), QStringLiteral("Answer logged successfully")},
                     {QStringLiteral("score_earned"), after - before}};
    bool ends = false;
    if (conditional && question->id == m_config->greetingQuestionId()) {
        const ChatbotGreeting greeting = m_config->greetingFor(answer.text);
        QJsonObject response{{QStringLiteral("type"), greeting.type}};
        if (!greeting.title.isEmpty())
            response.insert(QStringLiteral("title"), greeting.title);
        if (!greeting.content.isEmpty())
            response.insert(QStringLiteral("content"), greeting.content);
        if (greeting.endsSession) {
            response.insert(QStringLiteral("session_ended"), true);
            ends = true;
        } else if (const ChatbotQuestion *next
                   = m_config->question(m_config->greetingNextQuestionId())) {
            response.insert(QStringLiteral("next_question"), next->json);
        }
        body.insert(QStringLiteral("conditional_response"), response);
    }

    SqliteStatement &update = m_db.statement(
        "UPDATE chatbot_sessions SET last_question_id = ?2, ended_at = ?3, updated_at = ?4, "
        "hlc = ?5 WHERE id = ?1");
    update.bind(1, state.session.id);
    update.bind(2, qint64(question->id));
    if (ends)
        update.bind(3, now);
    else
        update.bindNull(3);
    update.bind(4, now);
    update.bind(5, Ids::nextHlc(now));
    if (auto ok = update.execute(); !ok)
        return std::unexpected(ok.error());
    if (auto ok = settle(state, false, now); !ok)
        return std::unexpected(ok.error());
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    return ChatbotResponse::ok(body);
}

Result<ChatbotResponse> ChatbotService::skipQuestion(const ChatbotSkipInput &input)
{
    auto session = findSession(input.sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return sessionNotFound();
    if ((*session)->endedAtMs != 0)
        return ChatbotResponse::detail(409, QStringLiteral("Session has ended"));
    auto loaded = load(**session);
    if (!loaded)
        return std::unexpected(loaded.error());
    State &state = *loaded;
    const qint64 now = m_clock.nowMs();
    const ChatbotQuestion *question
        = input.questionId ? m_config->question(*input.questionId) : currentQuestion(state);
    const int before = scoreOf(state).score;
    const QString type = m_config->serverEvents().questionSkipped;
    state.behaviours.push_back(type);
    const int change = scoreOf(state).score - before;

    QJsonObject metadata{{QStringLiteral("reason"), input.reason},
                         {QStringLiteral("question_id"),
                          question ? QJsonValue(question->id) : QJsonValue(QJsonValue::Null)}};
    Savepoint savepoint(m_db, "chatbot");
    if (auto ok = savepoint.status(); !ok)
        return std::unexpected(ok.error());
    if (auto ok = insertBehaviour(state.session, type, metadata, change, now); !ok)
        return std::unexpected(ok.error());
    if (auto ok = touchSession(state.session, now); !ok)
        return std::unexpected(ok.error());
    if (auto ok = settle(state, false, now); !ok)
        return std::unexpected(ok.error());
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    return ChatbotResponse::ok(
        QJsonObject{{QStringLiteral("message"), QStringLiteral("Question skipped successfully")},
                    {QStringLiteral("score_change"), change}});
}

Result<ChatbotResponse> ChatbotService::behavior(const ChatbotBehaviorInput &input)
{
    if (!m_config->clientActions().contains(input.action)) // checked by ChatbotRequests
        return ChatbotResponse::validation(QJsonArray{
            ChatbotBody::literalError(QJsonArray{QStringLiteral("body"), QStringLiteral("action")},
                                      m_config->clientActions(), input.action)});
    auto session = findSession(input.sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return sessionNotFound();
    auto loaded = load(**session);
    if (!loaded)
        return std::unexpected(loaded.error());
    State &state = *loaded;
    const qint64 now = m_clock.nowMs();
    const int before = scoreOf(state).score;
    state.behaviours.push_back(input.action);
    // Every action is recorded; what it adds is what the model says (a once-rule: nothing the
    // second time).
    const int change = scoreOf(state).score - before;

    Savepoint savepoint(m_db, "chatbot");
    if (auto ok = savepoint.status(); !ok)
        return std::unexpected(ok.error());
    if (auto ok = insertBehaviour(state.session, input.action, input.metadata, change, now); !ok)
        return std::unexpected(ok.error());
    if (auto ok = touchSession(state.session, now); !ok)
        return std::unexpected(ok.error());
    if (auto ok = settle(state, false, now); !ok)
        return std::unexpected(ok.error());
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    return ChatbotResponse::ok(
        QJsonObject{{QStringLiteral("message"), QStringLiteral("Behavior logged successfully")},
                    {QStringLiteral("score_change"), change}});
}

Result<ChatbotResponse> ChatbotService::updateProfile(const ChatbotProfileInput &input)
{
    auto session = findSession(input.sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return sessionNotFound();
    auto loaded = load(**session);
    if (!loaded)
        return std::unexpected(loaded.error());
    State &state = *loaded;
    const qint64 now = m_clock.nowMs();

    Savepoint savepoint(m_db, "chatbot");
    if (auto ok = savepoint.status(); !ok)
        return std::unexpected(ok.error());
    if (auto ok = insertBehaviour(state.session, QString::fromLatin1(kProfileUpdated),
                                  input.changes, 0, now);
        !ok)
        return std::unexpected(ok.error());
    state.behaviours.push_back(QString::fromLatin1(kProfileUpdated));
    for (auto it = input.changes.constBegin(); it != input.changes.constEnd(); ++it)
        state.profile.insert(it.key(), it.value());

    // Sharing a contact earns its points here, once, instead of on the client's word.
    const QString shared = m_config->serverEvents().sharedContact;
    const bool hasContact = !profileText(state.profile, "email").isEmpty()
                            || !profileText(state.profile, "phone").isEmpty();
    if (hasContact && !state.behaviours.contains(shared)) {
        const int before = scoreOf(state).score;
        state.behaviours.push_back(shared);
        const int change = scoreOf(state).score - before;
        if (auto ok = insertBehaviour(state.session, shared, {}, change, now); !ok)
            return std::unexpected(ok.error());
    }
    if (auto ok = touchSession(state.session, now); !ok)
        return std::unexpected(ok.error());
    if (auto ok = settle(state, true, now); !ok)
        return std::unexpected(ok.error());
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    return ChatbotResponse::ok(
        QJsonObject{{QStringLiteral("message"), QStringLiteral("Profile updated successfully")}});
}

// --- lead data -----------------------------------------------------------------------------

QJsonObject ChatbotService::summaryOf(const State &state, const ScoreResult &score) const
{
    auto field = [&state](const char *key) {
        const QJsonValue value = state.profile.value(QLatin1String(key));
        return value.isUndefined() ? QJsonValue(QJsonValue::Null) : value;
    };
    const QJsonValue phone = field("phone");
    const QJsonValue email = field("email");
    const QJsonValue features = state.profile.value(QLatin1String("features_interested"));
    return QJsonObject{
        {QStringLiteral("session_id"), state.session.key},
        {QStringLiteral("name"), field("name")},
        {QStringLiteral("location"), field("location")},
        {QStringLiteral("business_type"), field("business_type")},
        {QStringLiteral("staff_size"), field("staff_size")},
        {QStringLiteral("monthly_sales"), field("monthly_sales")},
        {QStringLiteral("features_interested"), features.isArray() ? features : QJsonArray()},
        {QStringLiteral("contact_info"), !phone.toString().isEmpty() ? phone : email},
        {QStringLiteral("email"), email},
        {QStringLiteral("phone"), phone},
        {QStringLiteral("lead_score"), double(score.score)},
        {QStringLiteral("lead_type"), leadTypeOf(score)},
        {QStringLiteral("utm_source"), state.session.utmSource},
        {QStringLiteral("created_at"), iso(state.session.startedAtMs)},
        {QStringLiteral("updated_at"), iso(state.session.updatedAtMs)},
        {QStringLiteral("lead_id"), state.session.leadId.isEmpty()
                                        ? QJsonValue(QJsonValue::Null)
                                        : QJsonValue(state.session.leadId)}};
}

Result<ChatbotResponse> ChatbotService::summary(const QString &sessionId)
{
    auto session = findSession(sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return ChatbotResponse::detail(404, QStringLiteral("Lead not found"));
    auto state = load(**session);
    if (!state)
        return std::unexpected(state.error());
    return ChatbotResponse::ok(summaryOf(*state, scoreOf(*state)));
}

Result<ChatbotResponse> ChatbotService::score(const QString &sessionId)
{
    auto session = findSession(sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return ChatbotResponse::detail(404, QStringLiteral("Lead not found"));
    auto state = load(**session);
    if (!state)
        return std::unexpected(state.error());
    const ScoreResult result = scoreOf(*state);
    return ChatbotResponse::ok(QJsonObject{{QStringLiteral("lead_score"), double(result.score)},
                                           {QStringLiteral("lead_type"), leadTypeOf(result)},
                                           {QStringLiteral("score_breakdown"), result.breakdown}});
}

Result<ChatbotResponse> ChatbotService::exportLead(const QString &sessionId)
{
    auto session = findSession(sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return ChatbotResponse::detail(404, QStringLiteral("Lead not found"));
    auto state = load(**session);
    if (!state)
        return std::unexpected(state.error());
    const QJsonObject summary = summaryOf(*state, scoreOf(*state));

    // Seed 001's CRM export names the team; a lead routed to a rep names the rep.
    QString assignee = m_config->exportAssignedTo();
    if (!state->session.leadId.isEmpty()) {
        SqliteStatement &select
            = m_db.statement("SELECT COALESCE(NULLIF(u.display_name, ''), u.username) FROM leads l "
                             "JOIN users u ON u.id = l.assigned_to WHERE l.id = ?1");
        select.bind(1, state->session.leadId);
        auto row = select.step();
        if (!row)
            return std::unexpected(row.error());
        if (*row)
            assignee = select.columnText(0);
        select.reset();
    }
    QJsonObject crm;
    for (const char *key :
         {"name", "location", "business_type", "staff_size", "monthly_sales", "features_interested",
          "contact_info", "email", "phone", "lead_score", "lead_type", "utm_source"})
        crm.insert(QLatin1String(key), summary.value(QLatin1String(key)));
    crm.insert(QStringLiteral("session_start_time"), summary.value(QLatin1String("created_at")));
    crm.insert(QStringLiteral("assigned_to"), assignee);
    return ChatbotResponse::ok(crm);
}

// --- analytics -----------------------------------------------------------------------------

Result<ChatbotResponse> ChatbotService::analytics(const ChatbotAnalyticsInput &input)
{
    const qint64 since = input.days ? m_clock.nowMs() - qint64(*input.days) * 86'400'000 : 0;
    QHash<QString, State> sessions; // by chatbot_sessions.id
    QStringList order;
    SqliteStatement &select = m_db.statement(
        "SELECT id, utm_source, started_at FROM chatbot_sessions "
        "WHERE business_id = ?1 AND deleted = 0 AND started_at >= ?2 ORDER BY started_at");
    select.bind(1, m_businessId);
    select.bind(2, since);
    for (;;) {
        auto row = select.step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        State state;
        state.session.id = select.columnText(0);
        state.session.utmSource = select.columnText(1);
        state.session.startedAtMs = select.columnInt(2);
        order.push_back(state.session.id);
        sessions.insert(state.session.id, state);
    }
    select.reset();

    SqliteStatement &behaviours = m_db.statement(
        "SELECT b.session_id, b.behavior_type FROM behaviors b "
        "JOIN chatbot_sessions s ON s.id = b.session_id "
        "WHERE s.business_id = ?1 AND s.deleted = 0 AND s.started_at >= ?2 AND b.deleted = 0");
    behaviours.bind(1, m_businessId);
    behaviours.bind(2, since);
    for (;;) {
        auto row = behaviours.step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        if (auto it = sessions.find(behaviours.columnText(0)); it != sessions.end())
            it->behaviours.push_back(behaviours.columnText(1));
    }
    behaviours.reset();

    SqliteStatement &answers = m_db.statement(
        "SELECT a.session_id, a.question_id, a.answer_text, a.time_taken_ms, a.created_at "
        "FROM answers a JOIN chatbot_sessions s ON s.id = a.session_id "
        "WHERE s.business_id = ?1 AND s.deleted = 0 AND s.started_at >= ?2 AND a.deleted = 0 "
        "ORDER BY a.session_id, a.created_at");
    answers.bind(1, m_businessId);
    answers.bind(2, since);
    for (;;) {
        auto row = answers.step();
        if (!row)
            return std::unexpected(row.error());
        if (!*row)
            break;
        auto it = sessions.find(answers.columnText(0));
        if (it == sessions.end())
            continue;
        Answer a;
        a.questionId = int(answers.columnInt(1));
        a.text = answers.columnText(2);
        if (!answers.columnIsNull(3))
            a.timeTakenMs = answers.columnInt(3);
        a.createdAtMs = answers.columnInt(4);
        it->answers.push_back(a);
    }
    answers.reset();

    const qint64 total = sessions.size();
    qint64 sql = 0, mql = 0, unqualified = 0, completed = 0, gaps = 0;
    double scoreSum = 0.0, gapSeconds = 0.0;
    QHash<QString, std::pair<qint64, qint64>> bySource; // utm_source -> (sessions, SQL)
    QStringList sources;
    for (const QString &id : order) {
        const State &state = sessions[id];
        const ScoreResult result = scoreOf(state);
        const QString type = leadTypeOf(result);
        sql += type == kSqlType;
        mql += type == kMqlType;
        unqualified += type == kUnqualifiedType;
        scoreSum += result.score;
        completed += allRequiredAnswered(state);
        // Seed 001's "average time between questions": the gaps between a session's answers.
        for (qsizetype i = 1; i < state.answers.size(); ++i) {
            gapSeconds
                += double(state.answers.at(i).createdAtMs - state.answers.at(i - 1).createdAtMs)
                   / 1000.0;
            ++gaps;
        }
        if (!bySource.contains(state.session.utmSource))
            sources.push_back(state.session.utmSource);
        auto &source = bySource[state.session.utmSource];
        ++source.first;
        source.second += type == kSqlType;
    }
    auto percent = [total](qint64 part) {
        return total == 0 ? 0.0 : round2(double(part) * 100.0 / double(total));
    };
    QJsonObject perSource;
    for (const QString &source : sources) {
        const auto &[count, sqlCount] = bySource.value(source);
        perSource.insert(source, QJsonObject{{QStringLiteral("total"), count},
                                             {QStringLiteral("sql"), sqlCount}});
    }
    return ChatbotResponse::ok(QJsonObject{
        {QStringLiteral("total_leads"), total},
        {QStringLiteral("sql_leads"), sql},
        {QStringLiteral("mql_leads"), mql},
        {QStringLiteral("unqualified_leads"), unqualified},
        // Seed 001: "SQL leads / Total sessions" (the seed 002 code counted A/B events).
        {QStringLiteral("conversion_rate"), percent(sql)},
        {QStringLiteral("average_score"), total == 0 ? 0.0 : round2(scoreSum / double(total))},
        // Sessions that answered every required question.
        {QStringLiteral("completion_rate"), percent(completed)},
        {QStringLiteral("average_time_between_questions"),
         gaps == 0 ? 0.0 : round2(gapSeconds / double(gaps))},
        {QStringLiteral("by_utm_source"), perSource}});
}

// --- A/B tests -----------------------------------------------------------------------------

Result<ChatbotResponse> ChatbotService::abVariant(const ChatbotSessionInput &input)
{
    auto session = findSession(input.sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return sessionNotFound();
    const QString test = m_config->abTestName();
    const qint64 now = m_clock.nowMs();
    Savepoint savepoint(m_db, "chatbot");
    if (auto ok = savepoint.status(); !ok)
        return std::unexpected(ok.error());
    // A business that has no A/B tests at all gets the chatbot's default test (seed 001's
    // greeting_message), so the endpoint works out of the box; one that has its own document
    // decides for itself.
    SettingsRepository settings(m_db);
    const QString key = QString::fromLatin1(SettingsRepository::kAbTests);
    auto stored = settings.value(m_businessId, key);
    if (!stored)
        return std::unexpected(stored.error());
    if (!*stored && !m_config->abDefaultDocument().isEmpty()) {
        if (auto ok = settings.setValue(m_businessId, key, m_config->abDefaultDocument(), now); !ok)
            return std::unexpected(ok.error());
    }
    auto assignment = AbTests::variantFor(m_db, m_businessId, test, (*session)->key, now);
    if (!assignment) {
        if (assignment.error().field == QLatin1String("test"))
            return ChatbotResponse::detail(
                404, QStringLiteral("A/B test \"%1\" is not configured").arg(test));
        return std::unexpected(assignment.error());
    }
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    QJsonObject body{{QStringLiteral("variant"), assignment->variant},
                     {QStringLiteral("test_name"), assignment->test}};
    if (!assignment->content.isUndefined())
        body.insert(QStringLiteral("config"), assignment->content);
    return ChatbotResponse::ok(body);
}

Result<ChatbotResponse> ChatbotService::abConversion(const ChatbotConversionInput &input)
{
    auto session = findSession(input.sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return sessionNotFound();
    const qint64 now = m_clock.nowMs();
    std::optional<qint64> cents;
    if (input.conversionValue)
        cents = std::llround(*input.conversionValue * 100.0);

    Savepoint savepoint(m_db, "chatbot");
    if (auto ok = savepoint.status(); !ok)
        return std::unexpected(ok.error());
    auto recorded = AbTests::recordConversion(m_db, m_businessId, input.testName, (*session)->key,
                                              input.conversionType, cents, now);
    if (!recorded) {
        const QString &field = recorded.error().field;
        if (field == QLatin1String("test"))
            return ChatbotResponse::detail(
                404, QStringLiteral("A/B test \"%1\" is not configured").arg(input.testName));
        if (field == QLatin1String("goal"))
            return ChatbotResponse::validation(QJsonArray{ChatbotBody::valueError(
                QJsonArray{QStringLiteral("body"), QStringLiteral("conversion_type")},
                recorded.error().message, input.conversionType)});
        if (field == QLatin1String("subject"))
            return ChatbotResponse::detail(
                409, QStringLiteral("Session has no variant in A/B test \"%1\"; ask for one first")
                         .arg(input.testName));
        return std::unexpected(recorded.error());
    }
    // The variant the client names must be the one the session was shown (the assignment
    // exists now, so this call only reads it).
    auto assignment = AbTests::variantFor(m_db, m_businessId, input.testName, (*session)->key, now);
    if (!assignment)
        return std::unexpected(assignment.error());
    if (assignment->variant != input.variant)
        return ChatbotResponse::detail(
            409,
            QStringLiteral("Session was assigned variant \"%1\" in A/B test \"%2\", not \"%3\"")
                .arg(assignment->variant, input.testName, input.variant));
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    return ChatbotResponse::ok(
        QJsonObject{{QStringLiteral("message"), QStringLiteral("Conversion logged successfully")}});
}

// --- notifications -------------------------------------------------------------------------

Result<ChatbotResponse> ChatbotService::notify(const ChatbotSessionInput &input)
{
    auto session = findSession(input.sessionId);
    if (!session)
        return std::unexpected(session.error());
    if (!*session)
        return ChatbotResponse::detail(404, QStringLiteral("Lead not found"));
    auto loaded = load(**session);
    if (!loaded)
        return std::unexpected(loaded.error());
    State &state = *loaded;
    const ScoreResult result = scoreOf(state);
    const QString type = leadTypeOf(result);
    if (type != kSqlType) {
        // The seed prints its float score ("5.0") and the SQL threshold.
        int threshold = 60;
        for (int s = 0; s <= 100; ++s) {
            if (m_rules->qualificationFor(s) == QLatin1String("sales_qualified")) {
                threshold = s;
                break;
            }
        }
        return ChatbotResponse::detail(
            400, QStringLiteral("Notification not sent. Lead score is %1.0. Must be >= %2 to send "
                                "notification.")
                     .arg(result.score)
                     .arg(threshold));
    }
    // Recorded once per session: asking again answers the same and notifies nobody twice.
    // Delivery (e-mail, Slack, Discord) is the outbox's work, not this request's.
    if (!state.notified) {
        const qint64 now = m_clock.nowMs();
        const QJsonObject metadata{{QStringLiteral("session_id"), state.session.key},
                                   {QStringLiteral("lead_score"), result.score},
                                   {QStringLiteral("lead_type"), type}};
        Savepoint savepoint(m_db, "chatbot");
        if (auto ok = savepoint.status(); !ok)
            return std::unexpected(ok.error());
        if (auto ok = insertBehaviour(state.session, QString::fromLatin1(kNotificationSent),
                                      metadata, 0, now);
            !ok)
            return std::unexpected(ok.error());
        if (auto ok = LeadRepository(m_db).addActivity(
                m_businessId, state.session.leadId, {}, QString::fromLatin1(kNotifyActivity),
                QStringLiteral("The chatbot asked to notify the sales team: score %1 (%2)")
                    .arg(result.score)
                    .arg(type),
                compact(metadata), now, QStringLiteral("chatbot"));
            !ok)
            return std::unexpected(ok.error());
        if (auto ok = savepoint.release(); !ok)
            return std::unexpected(ok.error());
    }
    return ChatbotResponse::ok(
        QJsonObject{{QStringLiteral("message"), QStringLiteral("Notification sent")}});
}

} // namespace LeadDesk::Core
