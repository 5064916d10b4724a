#pragma once

#include "result.h"

#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QUrl>
#include <QUrlQuery>

#include <expected>
#include <functional>

class QNetworkAccessManager;
class QNetworkReply;

namespace LeadDesk::Sync {

// Why a Graph API call failed, with Graph's own error object when it sent one
// ({"error":{"message","type","code","error_subcode","fbtrace_id"}}).
struct GraphError
{
    enum class Kind {
        Network,     // no answer: refused, reset, DNS, TLS
        Timeout,     // no complete answer within the configured time
        RateLimited, // HTTP 429 or codes 4/17/32/613/80000-80014/130429/131056: wait retryAfterSecs
        Auth, // 190 (and 102/463/467): the token is invalid or expired; retrying will not help
        Permission,  // 10, 200-299: the app or token lacks a permission
        NotFound,    // 803, 100/33, HTTP 404: the object does not exist or is not visible
        BadRequest,  // 100 and other 4xx: our request is wrong
        Server,      // 1, 2, HTTP 5xx, or is_transient: Graph's side; retry later
        BadResponse, // an answer that is not Graph JSON
    };

    Kind kind = Kind::Network;
    int httpStatus = 0;
    int code = 0;
    int subcode = 0;
    QString type;
    QString message;
    QString fbtraceId;
    int retryAfterSecs = 0; // RateLimited (and Server): how long to wait before the next call

    // Worth retrying later, as opposed to a request that will fail the same way every time.
    [[nodiscard]] bool isTransient() const;
    // One line for logs and the UI; never contains the access token.
    [[nodiscard]] QString toString() const;
    [[nodiscard]] Core::Error toError() const { return Core::Error{toString(), {}}; }
};

using GraphResult = std::expected<QJsonObject, GraphError>;

// The Graph API calls Lead Ads needs: `GET /{version}/{leadgen_id}` and
// `GET /{version}/{form_id}/leads`. Asynchronous on QNetworkAccessManager; create and use it on
// the network thread (it is a QObject: moveToThread before first use is fine), callbacks run on
// that thread. The base URL and version are configurable so tests point it at a local fake.
class GraphApiClient final : public QObject
{
    Q_OBJECT
public:
    static constexpr auto kDefaultBaseUrl = "https://graph.facebook.com";
    static constexpr auto kDefaultVersion = "v25.0";
    // What is asked for when the token may not read the ad and campaign fields.
    static constexpr auto kBasicLeadFields = "id,created_time,form_id,field_data";
    // When Graph says "rate limited" without saying for how long.
    static constexpr int kDefaultRetryAfterSecs = 60;

    struct Config
    {
        QUrl baseUrl = QUrl(QString::fromLatin1(kDefaultBaseUrl));
        QString version = QString::fromLatin1(kDefaultVersion);
        QString accessToken; // a Page access token with leads_retrieval
        QString appSecret;   // optional: adds appsecret_proof to every call
        int timeoutMs = 30'000;
        QString leadFields; // empty: LeadAdsAdapter::kGraphFields
    };

    struct LeadsQuery
    {
        QString formId;
        qint64 sinceSecs = 0; // leads created at or after this unix time; 0: no lower bound
        int limit = 100;
        QString after; // the paging cursor of the previous page
    };

    using Callback = std::function<void(GraphResult)>;

    explicit GraphApiClient(Config config, QObject *parent = nullptr);
    ~GraphApiClient() override;
    Q_DISABLE_COPY_MOVE(GraphApiClient)

    [[nodiscard]] const Config &config() const { return m_config; }

    // `done` runs once, on this object's thread, unless `context` is gone by then. A permission
    // error on the configured lead fields makes both calls fall back to kBasicLeadFields.
    void fetchLead(const QString &leadgenId, QObject *context, Callback done);
    void fetchFormLeads(const LeadsQuery &query, QObject *context, Callback done);
    // Any GET below the version: `path` is ids separated by '/', e.g. "901234/leads".
    void get(const QString &path, QUrlQuery query, QObject *context, Callback done);

    // The URL a call goes to (with the access token), for tests and logging-free debugging.
    [[nodiscard]] QUrl urlFor(const QString &path, QUrlQuery query) const;

    // Reads a Graph answer: JSON object on 2xx, otherwise the error it describes. Headers are
    // consulted for Retry-After and X-Business-Use-Case-Usage's estimated_time_to_regain_access.
    static GraphResult interpret(int httpStatus, const QByteArray &body,
                                 const QByteArray &retryAfterHeader,
                                 const QByteArray &businessUseCaseHeader);

    // Graph object ids are digits (some are "digits_digits"); anything else would change the path.
    [[nodiscard]] static bool isValidId(const QString &id);

private:
    void getLeads(const QString &path, const QUrlQuery &query, QObject *context, Callback done);
    void refuse(const QString &message, QObject *context, Callback done);
    void finish(QNetworkReply *reply, bool timedOut, const QPointer<QObject> &context,
                const Callback &done);

    Config m_config;
    QString m_leadFields; // config().leadFields until Graph refuses them
    QNetworkAccessManager *m_network = nullptr;
};

} // namespace LeadDesk::Sync
