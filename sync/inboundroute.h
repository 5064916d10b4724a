#pragma once

#include "businessrepository.h"
#include "database.h"
#include "result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <any>
#include <optional>
#include <utility>

namespace LeadDesk::Core {
class Clock;
class LeadIngestor;
class Normalizer;
} // namespace LeadDesk::Core

namespace LeadDesk::Sync {

// One HTTP request as the receiver got it: a plain value, copied out of Qt HttpServer, so it can
// travel from the server thread to the store threads.
struct InboundRequest
{
    QByteArray method;                  // upper-case: "GET", "POST"
    QString path;                       // decoded: "/v1/api/leads/lead_0193.../status"
    QHash<QString, QString> pathParams; // the route pattern's {name} segments, decoded
    QUrlQuery query;
    QList<std::pair<QByteArray, QByteArray>> headers; // names lower-cased, in arrival order
    QByteArray body;                                  // raw bytes, never re-encoded
    QString remoteAddress; // the peer (or X-Forwarded-For's last hop when trusted)
    QUrl url;              // as received: http, the Host header, path and query
    QString publicBaseUrl; // configured (`serve --public-url`), no trailing slash
    qint64 receivedAtMs = 0;
    QString requestId; // logs and journal rows mention it

    // The first value of a header; `lowerName` must be lower-case ("x-hub-signature-256").
    [[nodiscard]] QByteArray header(QByteArrayView lowerName) const;
    [[nodiscard]] bool hasHeader(QByteArrayView lowerName) const;
    // Content-Type without parameters, lower-cased ("application/json").
    [[nodiscard]] QByteArray mediaType() const;
    // The URL the sender addressed: the public base URL + path + query when one is configured
    // (behind a reverse proxy the Host header is the proxy's), else `url`. Twilio signs this.
    [[nodiscard]] QString publicUrl() const;
};

// What the receiver sends back.
struct InboundResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers; // extra headers: Retry-After, Allow...

    [[nodiscard]] static InboundResponse json(int status, const QJsonObject &object);
    [[nodiscard]] static InboundResponse text(int status, QByteArray body,
                                              QByteArray contentType = "text/plain; charset=utf-8");
    // Seed 004's error shape, used for every error the receiver itself gives:
    // {"success": false, "error": CODE, "message": ..., "field": ... or null, "code": status}.
    [[nodiscard]] static InboundResponse error(int status, const QString &code,
                                               const QString &message, const QString &field = {});
    [[nodiscard]] bool isSuccess() const { return status >= 200 && status < 300; }
};

// What a journalled route's prepare() makes of a request before it is stored.
struct PreparedRequest
{
    // A redelivery of the same thing (same wamid, MessageSid, form submission...) carries the
    // same key: once a request with this key is processed, later ones are journalled as
    // 'duplicate', change nothing, and get the first one's answer. Empty: no request-level
    // dedupe (the route may still dedupe per event, as InboundRecorder does).
    QString dedupeKey;
    // Set when the body is unusable (malformed JSON, a validation error): the request is
    // journalled as 'rejected' with this answer's message, and nothing else happens.
    std::optional<InboundResponse> rejection;
    QString rejectionDetail; // the journal's error text for a rejection (default: its message)
    // A second rate-limit key besides the peer address, e.g. "campaign:<id>" (seed 004: 1000 an
    // hour per campaign). Empty: none.
    QString rateKey;
    // Whatever process() needs: parsed events, a normalised lead. Must be safe to move between
    // threads (values or shared_ptr<const T>).
    std::any data;
};

// The writer-thread view process() works with. Everything runs inside the transaction that also
// holds the request's journal row; the answer leaves only after that transaction commits.
struct WriteContext
{
    Core::Database &db;
    const Core::Business &business;
    Core::LeadIngestor &ingestor;       // scoring (and the engine's routing / SLA stages) set up
    const Core::Normalizer &normalizer; // the business's default phone region
    const Core::Clock &clock;
    QString journalId;   // the journal row being processed
    bool replay = false; // true under `leaddeskctl journal replay`
};

// The reader-thread view read() works with: a read-only connection.
struct ReadContext
{
    Core::Database &db;
    const Core::Business &business;
    const Core::Clock &clock;
};

// How a journalled request ended; the receiver writes it into the journal row.
struct ProcessOutcome
{
    enum class Status {
        Processed, // the store changed as the request asked
        Duplicate, // it was already there (same external id, seed 004's 24-hour rule): kept
        Rejected,  // the request is wrong (validation): store changes rolled back, row kept
        Failed,    // we failed (a bug, a missing config): rolled back, row kept for replay
    };
    Status status = Status::Processed;
    InboundResponse response;
    QString error;  // Rejected / Failed: kept in the journal row; Duplicate: why
    QString leadId; // the lead this request created or matched, when there is one
};

// One HTTP endpoint. Implement this for a channel adapter and list it in
// receiverroutes.cpp: registerDefaultRoutes(). A route object is shared by the server thread
// (screen, prepare), the reader (read) and the writer (authorize, process): keep it immutable
// after construction (every method is const) and give it its secrets in its constructor.
//
// The life of a request:
//   1. The receiver matches method + path (404 / 405 JSON otherwise), applies the body cap
//      (413), the route's content types (415) and the per-peer rate limit (429).
//   2. screen() on the server thread: a Direct route answers here (a GET handshake); any route
//      may reject here (bad signature → 401/403 JSON). Nothing is stored for a screened answer.
//   3. Read routes: read() on the reader thread; its answer is sent.
//   4. Journalled routes: prepare() on the server thread (parse, validate, normalise; pure),
//      then on the writer thread, inside one transaction: authorize() (checks that need the
//      store, e.g. a per-campaign token; an answer here stores nothing), request dedupe, then
//      process() inside a savepoint and the journal row with its outcome. The answer is sent
//      only after the transaction has committed (synchronous=FULL): a 2xx means the body is on
//      disk. Failed rows are re-run by `leaddeskctl journal replay` (prepare + process, no
//      screen/authorize: the row's existence proves it passed them).
class InboundRoute
{
public:
    enum class Kind { Direct, Read, Journalled };

    struct Spec
    {
        QString name;      // stable id: the journal's `route`, the metrics label
        QByteArray method; // "GET", "POST"
        QString pattern;   // literal segments and {name} segments: "/v1/api/leads/{lead_id}"
        Kind kind = Kind::Journalled;
        QList<QByteArray> contentTypes; // accepted media types of a body; empty: any
        qint64 maxBodyBytes = 1024 * 1024;
        bool rateLimited = true; // the per-peer limit applies (off for provider webhooks that
                                 // legitimately burst from a few addresses)
    };

    InboundRoute() = default;
    virtual ~InboundRoute() = default;
    Q_DISABLE_COPY_MOVE(InboundRoute)

    [[nodiscard]] virtual Spec spec() const = 0;

    // Server thread, before anything is stored; must not block or touch the store. Direct
    // routes always answer; others answer only to reject. Default: nothing to say.
    [[nodiscard]] virtual std::optional<InboundResponse>
    screen(const InboundRequest &request) const;

    // Read routes: the answer, from a read-only connection. An error becomes a 500.
    [[nodiscard]] virtual Core::Result<InboundResponse> read(const InboundRequest &request,
                                                             ReadContext &context) const;

    // Journalled routes, any thread, pure: parse and validate. Default: nothing prepared.
    [[nodiscard]] virtual PreparedRequest prepare(const InboundRequest &request) const;

    // Journalled routes, writer thread, before the journal row: a rejection here (an answer)
    // stores nothing. Default: authorised.
    [[nodiscard]] virtual std::optional<InboundResponse> authorize(const InboundRequest &request,
                                                                   const PreparedRequest &prepared,
                                                                   WriteContext &context) const;

    // Journalled routes, writer thread, inside a savepoint: apply the request to the store. An
    // error (the store failed) rolls the savepoint back and keeps the row as 'failed'; the
    // sender gets failureResponse(). Default: Processed with {"received": true}.
    [[nodiscard]] virtual Core::Result<ProcessOutcome> process(const InboundRequest &request,
                                                               const PreparedRequest &prepared,
                                                               WriteContext &context) const;

    // The answer when process() failed. The body is safe in the journal, so webhook routes
    // usually say 200 (the provider would otherwise retry for days); the default is a 500.
    [[nodiscard]] virtual InboundResponse failureResponse(const Core::Error &error) const;

    // Parses a JSON body within limits every route wants: well-formed UTF-8, at most `maxDepth`
    // nested arrays/objects (checked before Qt's parser sees it), an object or array at the top.
    // The error's message is for the sender; `field` is empty.
    [[nodiscard]] static Core::Result<QJsonDocument> parseJsonBody(const QByteArray &body,
                                                                   int maxDepth = 32);
};

} // namespace LeadDesk::Sync
