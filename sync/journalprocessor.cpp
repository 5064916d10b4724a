#include "journalprocessor.h"

#include "ids.h"
#include "ingestionstages.h"
#include "leadingestor.h"
#include "normalizer.h"
#include "scoringrules.h"
#include "sqlitestatement.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcJournal, "leaddesk.journal")

namespace LeadDesk::Sync {

namespace {

QString statusName(ProcessOutcome::Status status)
{
    switch (status) {
    case ProcessOutcome::Status::Processed:
        return QStringLiteral("processed");
    case ProcessOutcome::Status::Duplicate:
        return QStringLiteral("duplicate");
    case ProcessOutcome::Status::Rejected:
        return QStringLiteral("rejected");
    case ProcessOutcome::Status::Failed:
        return QStringLiteral("failed");
    }
    return QStringLiteral("failed");
}

bool isCredential(const QByteArray &name)
{
    static const QByteArrayList credentials
        = {"authorization", "proxy-authorization", "cookie", "x-campaign-token", "x-api-key"};
    return credentials.contains(name);
}

// The journal's error text for a rejection: the route's detail, else the answer's message.
QString rejectionText(const PreparedRequest &prepared)
{
    if (!prepared.rejectionDetail.isEmpty())
        return prepared.rejectionDetail;
    return QJsonDocument::fromJson(prepared.rejection->body)
        .object()
        .value(QLatin1String("message"))
        .toString();
}

// The answer a processed row gave, repeated to its redeliveries.
InboundResponse responseOf(const Core::JournalEntry &entry)
{
    InboundResponse response;
    response.status = entry.responseStatus > 0 ? entry.responseStatus : 200;
    if (!entry.responseType.isEmpty())
        response.contentType = entry.responseType;
    response.body = entry.responseBody;
    return response;
}

void storeResponse(Core::JournalEntry &entry, const InboundResponse &response)
{
    entry.responseStatus = response.status;
    entry.responseType = response.contentType;
    entry.responseBody = response.body;
}

} // namespace

// One request's work inside the writer's transaction. Isolated: in a savepoint, released when
// done and rolled back when the request's store work must not stay, so a failing request takes
// nothing else along. Not isolated (the fast path): no savepoint, whose release costs SQLite
// more than a lead's journal row; a request that would need a rollback fails the caller's whole
// job instead (needsIsolation()), and the caller re-runs its batch isolated.
class RequestSavepoint final
{
public:
    RequestSavepoint(Core::Database &db, bool isolated)
        : m_db(db)
        , m_isolated(isolated)
    {}
    ~RequestSavepoint()
    {
        if (m_open) {
            (void)rollback();
            (void)m_db.statement("RELEASE request").execute();
        }
    }
    Q_DISABLE_COPY_MOVE(RequestSavepoint)

    Core::Result<void> open()
    {
        if (!m_isolated)
            return {};
        auto ok = m_db.statement("SAVEPOINT request").execute();
        m_open = bool(ok);
        return ok;
    }
    // Undoes the work so far; the savepoint stays open.
    Core::Result<void> rollback()
    {
        if (!m_isolated)
            return std::unexpected(JournalProcessor::isolationNeeded());
        return m_db.statement("ROLLBACK TO request").execute();
    }
    Core::Result<void> release()
    {
        if (!m_open)
            return {};
        m_open = false;
        return m_db.statement("RELEASE request").execute();
    }

private:
    Core::Database &m_db;
    bool m_isolated;
    bool m_open = false;
};

struct JournalProcessor::State
{
    State(Core::Database &db, const Core::Business &business, const Core::Clock &clock)
        : db(&db)
        , normalizer(business.defaultRegion)
        , ingestor(db, clock)
        , journal(db)
    {}

    Core::Database *db;
    Core::Normalizer normalizer;
    Core::LeadIngestor ingestor;
    Core::InboundJournal journal;
};

JournalProcessor::JournalProcessor(std::shared_ptr<const InboundRouteTable> routes,
                                   Core::Business business, Options options,
                                   const Core::Clock &clock)
    : m_routes(std::move(routes))
    , m_business(std::move(business))
    , m_options(std::move(options))
    , m_clock(clock)
{}

JournalProcessor::~JournalProcessor() = default;

JournalProcessor::State &JournalProcessor::stateFor(Core::Database &db)
{
    auto loadScoring = [&] {
        std::shared_ptr<const Core::ScoringRules> scoring = m_options.scoring;
        if (!scoring) {
            if (auto rules = Core::ScoringRules::forBusiness(db, m_business.id))
                scoring = std::make_shared<const Core::ScoringRules>(std::move(*rules));
            else
                qCWarning(lcJournal) << "no scoring rules:" << rules.error().toString();
        }
        m_state->ingestor.setScoring(std::move(scoring));
    };
    if (!m_state || m_state->db != &db) {
        m_state = std::make_unique<State>(db, m_business, m_clock);
        m_reloadScoring = false;
        loadScoring();
        if (m_options.standardStages)
            Core::addStandardStages(m_state->ingestor);
        if (m_options.configureIngestor)
            m_options.configureIngestor(m_state->ingestor, db);
    } else if (m_reloadScoring.exchange(false)) {
        loadScoring();
    }
    if (m_forgetCaches.exchange(false))
        m_state->ingestor.forgetCaches();
    return *m_state;
}

Core::Result<ProcessOutcome> JournalProcessor::runProcess(State &state, const InboundRoute &route,
                                                          const InboundRequest &request,
                                                          const PreparedRequest &prepared,
                                                          WriteContext &context,
                                                          RequestSavepoint &savepoint)
{
    Core::Result<ProcessOutcome> outcome = route.process(request, prepared, context);
    const bool keep = outcome
                      && (outcome->status == ProcessOutcome::Status::Processed
                          || outcome->status == ProcessOutcome::Status::Duplicate);
    if (!keep) {
        // A rejected or failed request leaves nothing behind but its journal row.
        if (auto ok = savepoint.rollback(); !ok)
            return std::unexpected(ok.error());
        state.ingestor.forgetCaches();
    }
    if (!outcome) {
        ProcessOutcome failed;
        failed.status = ProcessOutcome::Status::Failed;
        failed.error = outcome.error().toString();
        failed.response = route.failureResponse(outcome.error());
        return failed;
    }
    return outcome;
}

Core::Result<JournalProcessor::Answer>
JournalProcessor::receive(Core::Database &db, const InboundRoute &route, const QString &routeName,
                          const InboundRequest &request, const PreparedRequest &prepared,
                          const QString &headersJson, bool isolated)
{
    State &state = stateFor(db);
    const qint64 now = m_clock.nowMs();
    WriteContext context{db, m_business, state.ingestor, state.normalizer, m_clock, {}, false};
    Answer answer;
    if (auto refused = route.authorize(request, prepared, context)) {
        answer.response = std::move(*refused);
        return answer;
    }
    RequestSavepoint savepoint(db, isolated);
    if (auto ok = savepoint.open(); !ok)
        return std::unexpected(ok.error());

    Core::JournalEntry entry;
    entry.id = Core::Ids::uuidV7(now);
    entry.businessId = m_business.id;
    entry.route = routeName;
    entry.method = QString::fromLatin1(request.method);
    entry.url = request.publicUrl();
    entry.headers = headersJson.isEmpty() ? journalHeaders(request) : headersJson;
    entry.body = request.body;
    entry.remoteAddr = request.remoteAddress;
    entry.dedupeKey = prepared.dedupeKey;
    entry.attempts = 1;
    entry.receivedAtMs = request.receivedAtMs > 0 ? request.receivedAtMs : now;
    entry.processedAtMs = now;
    context.journalId = entry.id;

    std::optional<Core::JournalEntry> earlier;
    if (!prepared.rejection && !prepared.dedupeKey.isEmpty()) {
        auto found = state.journal.findProcessed(routeName, prepared.dedupeKey);
        if (!found)
            return std::unexpected(found.error());
        earlier = std::move(*found);
    }
    if (prepared.rejection) {
        entry.status = QStringLiteral("rejected");
        entry.error = rejectionText(prepared);
        answer.response = *prepared.rejection;
    } else if (earlier) {
        // A redelivery: nothing changes, and the sender hears what it heard the first time.
        entry.status = QStringLiteral("duplicate");
        entry.error = QStringLiteral("redelivery of %1").arg(earlier->id);
        entry.leadId = earlier->leadId;
        answer.response = responseOf(*earlier);
    } else {
        auto outcome = runProcess(state, route, request, prepared, context, savepoint);
        if (!outcome)
            return std::unexpected(outcome.error());
        entry.status = statusName(outcome->status);
        entry.error = outcome->error;
        entry.leadId = outcome->leadId;
        answer.response = std::move(outcome->response);
    }
    storeResponse(entry, answer.response);
    if (auto ok = state.journal.insert(entry); !ok)
        return std::unexpected(ok.error());
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    answer.journalId = entry.id;
    answer.journalStatus = entry.status;
    answer.error = entry.error;
    return answer;
}

Core::Result<JournalProcessor::Replayed> JournalProcessor::replay(Core::Database &db,
                                                                  const QString &journalId)
{
    State &state = stateFor(db);
    auto found = state.journal.byId(journalId);
    if (!found)
        return std::unexpected(found.error());
    if (!*found)
        return Core::fail(QStringLiteral("no journal entry %1").arg(journalId));
    Core::JournalEntry entry = std::move(**found);
    if (entry.status == QLatin1String("processed") || entry.status == QLatin1String("duplicate"))
        return Core::fail(QStringLiteral("journal entry %1 is already %2; nothing to replay")
                              .arg(journalId, entry.status));
    const InboundRoute *route = m_routes ? m_routes->byName(entry.route) : nullptr;
    if (!route)
        return Core::fail(
            QStringLiteral("journal entry %1 came through route '%2', which this build does not "
                           "have")
                .arg(journalId, entry.route));
    InboundRequest request = requestOf(entry);
    request.pathParams = m_routes->match(request.method, request.path).params;

    const qint64 now = m_clock.nowMs();
    WriteContext context{db, m_business, state.ingestor, state.normalizer, m_clock, entry.id, true};
    const PreparedRequest prepared = route->prepare(request);
    RequestSavepoint savepoint(db, true);
    if (auto ok = savepoint.open(); !ok)
        return std::unexpected(ok.error());
    InboundResponse response;
    Replayed replayed;
    replayed.id = entry.id;
    replayed.route = entry.route;
    if (prepared.rejection) {
        entry.status = QStringLiteral("rejected");
        entry.error = rejectionText(prepared);
        response = *prepared.rejection;
    } else {
        std::optional<Core::JournalEntry> earlier;
        if (!prepared.dedupeKey.isEmpty()) {
            auto processed = state.journal.findProcessed(entry.route, prepared.dedupeKey);
            if (!processed)
                return std::unexpected(processed.error());
            earlier = std::move(*processed);
        }
        if (earlier && earlier->id != entry.id) {
            entry.status = QStringLiteral("duplicate");
            entry.error = QStringLiteral("redelivery of %1").arg(earlier->id);
            entry.leadId = earlier->leadId;
            response = responseOf(*earlier);
        } else {
            auto outcome = runProcess(state, *route, request, prepared, context, savepoint);
            if (!outcome)
                return std::unexpected(outcome.error());
            entry.status = statusName(outcome->status);
            entry.error = outcome->error;
            entry.leadId = outcome->leadId;
            response = std::move(outcome->response);
        }
    }
    entry.processedAtMs = now;
    storeResponse(entry, response);
    if (auto ok = state.journal.recordOutcome(entry); !ok)
        return std::unexpected(ok.error());
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    replayed.status = entry.status;
    replayed.error = entry.error;
    replayed.leadId = entry.leadId;
    return replayed;
}

Core::Error JournalProcessor::isolationNeeded()
{
    return {QStringLiteral("the request must be re-run in its own savepoint"),
            QStringLiteral("__isolate__")};
}

bool JournalProcessor::needsIsolation(const Core::Error &error)
{
    return error.field == QLatin1String("__isolate__");
}

QString JournalProcessor::journalHeaders(const InboundRequest &request)
{
    QJsonObject headers;
    for (const auto &[name, value] : request.headers) {
        const QString key = QString::fromLatin1(name);
        const QString text
            = isCredential(name) ? QStringLiteral("[redacted]") : QString::fromUtf8(value);
        const QString previous = headers.value(key).toString();
        headers.insert(key, previous.isEmpty() ? text : previous + QStringLiteral(", ") + text);
    }
    return QString::fromUtf8(QJsonDocument(headers).toJson(QJsonDocument::Compact));
}

InboundRequest JournalProcessor::requestOf(const Core::JournalEntry &entry)
{
    InboundRequest request;
    request.method = entry.method.toLatin1();
    request.url = QUrl(entry.url);
    request.path = request.url.path(QUrl::FullyDecoded);
    request.query = QUrlQuery(request.url);
    const QJsonObject headers = QJsonDocument::fromJson(entry.headers.toUtf8()).object();
    for (auto it = headers.constBegin(); it != headers.constEnd(); ++it)
        request.headers.push_back({it.key().toLatin1(), it.value().toString().toUtf8()});
    request.body = entry.body;
    request.remoteAddress = entry.remoteAddr;
    request.receivedAtMs = entry.receivedAtMs;
    request.requestId = entry.id;
    return request;
}

} // namespace LeadDesk::Sync
