#include "graphapiclient.h"

#include "leadadsadapter.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QLoggingCategory>
#include <QMessageAuthenticationCode>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QRegularExpression>
#include <QTimer>

#include <algorithm>
#include <memory>

namespace LeadDesk::Sync {

namespace {

Q_LOGGING_CATEGORY(lcGraph, "leaddesk.meta.graph")

// A Graph answer larger than this is not a lead or a page of leads.
constexpr qint64 kMaxResponseBytes = 16 * 1024 * 1024;

bool isRateLimitCode(int code)
{
    // 4 app, 17 user, 32 page, 613 custom, 80000-80014 business use case; WhatsApp's own two.
    return code == 4 || code == 17 || code == 32 || code == 613 || (code >= 80000 && code <= 80014)
           || code == 130429 || code == 131056;
}

int retryAfterSeconds(const QByteArray &retryAfter, const QByteArray &businessUseCase)
{
    bool ok = false;
    const int seconds = retryAfter.trimmed().toInt(&ok);
    if (ok && seconds >= 0)
        return seconds;
    // {"<business id>":[{"type":"...","call_count":..,"estimated_time_to_regain_access":<min>}]}
    const QJsonObject usage = QJsonDocument::fromJson(businessUseCase).object();
    int minutes = -1;
    for (auto it = usage.begin(); it != usage.end(); ++it) {
        const QJsonArray entries = it.value().toArray();
        for (const QJsonValue &entry : entries)
            minutes
                = std::max(minutes, entry.toObject()
                                        .value(QStringLiteral("estimated_time_to_regain_access"))
                                        .toInt(-1));
    }
    if (minutes > 0)
        return minutes * 60;
    return GraphApiClient::kDefaultRetryAfterSecs;
}

QString kindName(GraphError::Kind kind)
{
    switch (kind) {
    case GraphError::Kind::Network:
        return QStringLiteral("network error");
    case GraphError::Kind::Timeout:
        return QStringLiteral("timed out");
    case GraphError::Kind::RateLimited:
        return QStringLiteral("rate limited");
    case GraphError::Kind::Auth:
        return QStringLiteral("access token rejected");
    case GraphError::Kind::Permission:
        return QStringLiteral("permission missing");
    case GraphError::Kind::NotFound:
        return QStringLiteral("not found");
    case GraphError::Kind::BadRequest:
        return QStringLiteral("bad request");
    case GraphError::Kind::Server:
        return QStringLiteral("Graph server error");
    case GraphError::Kind::BadResponse:
        return QStringLiteral("unreadable answer");
    }
    return {};
}

} // namespace

bool GraphError::isTransient() const
{
    return kind == Kind::Network || kind == Kind::Timeout || kind == Kind::RateLimited
           || kind == Kind::Server;
}

QString GraphError::toString() const
{
    QString out = QStringLiteral("Graph API: ") + kindName(kind);
    if (httpStatus)
        out += QStringLiteral(" (HTTP %1").arg(httpStatus)
               + (code ? QStringLiteral(", code %1").arg(code) : QString())
               + (subcode ? QStringLiteral(", subcode %1").arg(subcode) : QString())
               + QLatin1Char(')');
    if (!message.isEmpty())
        out += QStringLiteral(": ") + message;
    if (kind == Kind::RateLimited)
        out += QStringLiteral("; retry after %1 s").arg(retryAfterSecs);
    if (!fbtraceId.isEmpty())
        out += QStringLiteral(" [fbtrace_id %1]").arg(fbtraceId);
    return out;
}

GraphApiClient::GraphApiClient(Config config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_network(new QNetworkAccessManager(this))
{
    if (m_config.leadFields.isEmpty())
        m_config.leadFields = QString::fromLatin1(LeadAdsAdapter::kGraphFields);
    m_leadFields = m_config.leadFields;
    // Graph never redirects these calls; following one could carry the token elsewhere.
    m_network->setRedirectPolicy(QNetworkRequest::ManualRedirectPolicy);
}

GraphApiClient::~GraphApiClient() = default;

bool GraphApiClient::isValidId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[0-9]+(_[0-9]+)?$"));
    return id.size() <= 64 && pattern.match(id).hasMatch();
}

QUrl GraphApiClient::urlFor(const QString &path, QUrlQuery query) const
{
    QUrl url = m_config.baseUrl;
    QString base = url.path();
    if (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    url.setPath(base + QLatin1Char('/') + m_config.version + QLatin1Char('/') + path);
    if (!m_config.accessToken.isEmpty()) {
        query.addQueryItem(QStringLiteral("access_token"), m_config.accessToken);
        if (!m_config.appSecret.isEmpty())
            query.addQueryItem(
                QStringLiteral("appsecret_proof"),
                QString::fromLatin1(QMessageAuthenticationCode::hash(m_config.accessToken.toUtf8(),
                                                                     m_config.appSecret.toUtf8(),
                                                                     QCryptographicHash::Sha256)
                                        .toHex()));
    }
    // Encoded by hand: QUrlQuery would leave '+', '=' and JSON punctuation ambiguous.
    QStringList pairs;
    for (const auto &[key, value] : query.queryItems(QUrl::FullyDecoded))
        pairs << QString::fromLatin1(QUrl::toPercentEncoding(key) + '='
                                     + QUrl::toPercentEncoding(value));
    url.setQuery(pairs.join(QLatin1Char('&')), QUrl::StrictMode);
    return url;
}

void GraphApiClient::fetchLead(const QString &leadgenId, QObject *context, Callback done)
{
    if (!isValidId(leadgenId)) {
        refuse(QStringLiteral("'%1' is not a Graph lead id").arg(leadgenId.left(80)), context,
               std::move(done));
        return;
    }
    getLeads(leadgenId, QUrlQuery(), context, std::move(done));
}

void GraphApiClient::fetchFormLeads(const LeadsQuery &leads, QObject *context, Callback done)
{
    if (!isValidId(leads.formId)) {
        refuse(QStringLiteral("'%1' is not a Graph form id").arg(leads.formId.left(80)), context,
               std::move(done));
        return;
    }
    QUrlQuery query;
    query.addQueryItem(QStringLiteral("limit"), QString::number(std::clamp(leads.limit, 1, 500)));
    if (leads.sinceSecs > 0) {
        // `since` for time-based reads, `filtering` as the Lead Ads guide documents it.
        query.addQueryItem(QStringLiteral("since"), QString::number(leads.sinceSecs));
        query.addQueryItem(QStringLiteral("filtering"),
                           QStringLiteral(R"([{"field":"time_created","operator":)"
                                          R"("GREATER_THAN_OR_EQUAL","value":%1}])")
                               .arg(leads.sinceSecs));
    }
    if (!leads.after.isEmpty())
        query.addQueryItem(QStringLiteral("after"), leads.after);
    getLeads(leads.formId + QStringLiteral("/leads"), query, context, std::move(done));
}

void GraphApiClient::getLeads(const QString &path, const QUrlQuery &query, QObject *context,
                              Callback done)
{
    QUrlQuery withFields = query;
    withFields.addQueryItem(QStringLiteral("fields"), m_leadFields);
    const bool canFallBack = m_leadFields != QLatin1String(kBasicLeadFields);
    get(path, withFields, context,
        [this, path, query, guard = QPointer<QObject>(context), done, canFallBack](GraphResult r) {
            // The ad and campaign fields need ads_management; without it, the lead's own fields
            // are still worth having, so the rest of this session asks for those only.
            if (!r && r.error().kind == GraphError::Kind::Permission && canFallBack && guard) {
                qCWarning(lcGraph).noquote()
                    << "reading leads with fields" << m_leadFields
                    << "is not permitted; falling back to" << kBasicLeadFields;
                m_leadFields = QString::fromLatin1(kBasicLeadFields);
                getLeads(path, query, guard, done);
                return;
            }
            done(std::move(r));
        });
}

void GraphApiClient::get(const QString &path, QUrlQuery query, QObject *context, Callback done)
{
    const QStringList segments = path.split(QLatin1Char('/'));
    const bool pathOk = !segments.isEmpty() && isValidId(segments.first())
                        && std::all_of(segments.begin() + 1, segments.end(), [](const QString &s) {
                               static const QRegularExpression edge(QStringLiteral("^[a-z_]+$"));
                               return edge.match(s).hasMatch();
                           });
    if (!pathOk) {
        refuse(QStringLiteral("'%1' is not a Graph object path").arg(path.left(80)), context,
               std::move(done));
        return;
    }
    QPointer<QObject> guard(context);

    QNetworkRequest request(urlFor(path, std::move(query)));
    request.setRawHeader("Accept", "application/json");
    request.setAttribute(QNetworkRequest::CacheLoadControlAttribute,
                         QNetworkRequest::AlwaysNetwork);
    QNetworkReply *reply = m_network->get(request);
    qCDebug(lcGraph) << "GET" << path;

    // Our own timer rather than setTransferTimeout, so a timeout is told apart from an abort.
    auto timedOut = std::make_shared<bool>(false);
    auto *timer = new QTimer(reply);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, reply, [reply, timedOut] {
        *timedOut = true;
        reply->abort();
    });
    timer->start(m_config.timeoutMs);
    connect(reply, &QNetworkReply::downloadProgress, reply, [reply](qint64 received, qint64) {
        if (received > kMaxResponseBytes)
            reply->abort();
    });
    connect(reply, &QNetworkReply::finished, this,
            [this, reply, timedOut, guard, done] { finish(reply, *timedOut, guard, done); });
}

void GraphApiClient::refuse(const QString &message, QObject *context, Callback done)
{
    GraphError error;
    error.kind = GraphError::Kind::BadRequest;
    error.message = message;
    // Still asynchronous, like every other outcome.
    QTimer::singleShot(0, this,
                       [guard = QPointer<QObject>(context), done = std::move(done), error] {
                           if (guard)
                               done(std::unexpected(error));
                       });
}

void GraphApiClient::finish(QNetworkReply *reply, bool timedOut, const QPointer<QObject> &context,
                            const Callback &done)
{
    reply->deleteLater();
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    GraphResult result;
    if (timedOut) {
        GraphError error;
        error.kind = GraphError::Kind::Timeout;
        error.message = QStringLiteral("no answer within %1 ms").arg(m_config.timeoutMs);
        result = std::unexpected(error);
    } else if (status == 0) {
        GraphError error;
        error.kind = GraphError::Kind::Network;
        error.message = reply->errorString();
        // errorString() may quote the URL, token included.
        const QString token = m_config.accessToken;
        if (!token.isEmpty())
            error.message.replace(token, QStringLiteral("<token>"));
        result = std::unexpected(error);
    } else {
        result = interpret(status, reply->readAll(), reply->rawHeader("Retry-After"),
                           reply->rawHeader("X-Business-Use-Case-Usage"));
    }
    if (!result)
        qCWarning(lcGraph).noquote() << result.error().toString();
    if (context)
        done(std::move(result));
}

GraphResult GraphApiClient::interpret(int httpStatus, const QByteArray &body,
                                      const QByteArray &retryAfterHeader,
                                      const QByteArray &businessUseCaseHeader)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    const QJsonObject object = doc.object();
    const bool isJsonObject = parseError.error == QJsonParseError::NoError && doc.isObject();

    if (httpStatus >= 200 && httpStatus < 300 && isJsonObject
        && !object.contains(QStringLiteral("error")))
        return object;

    GraphError error;
    error.httpStatus = httpStatus;
    const QJsonObject graph = object.value(QStringLiteral("error")).toObject();
    if (isJsonObject && !graph.isEmpty()) {
        error.message = graph.value(QStringLiteral("message")).toString();
        error.type = graph.value(QStringLiteral("type")).toString();
        error.code = graph.value(QStringLiteral("code")).toInt();
        error.subcode = graph.value(QStringLiteral("error_subcode")).toInt();
        error.fbtraceId = graph.value(QStringLiteral("fbtrace_id")).toString();
        const QString userMessage = graph.value(QStringLiteral("error_user_msg")).toString();
        if (!userMessage.isEmpty() && userMessage != error.message)
            error.message += QStringLiteral(" (") + userMessage + QLatin1Char(')');
        const int code = error.code;
        if (httpStatus == 429 || isRateLimitCode(code))
            error.kind = GraphError::Kind::RateLimited;
        else if (code == 190 || code == 102 || code == 463 || code == 467)
            error.kind = GraphError::Kind::Auth;
        else if (code == 10 || (code >= 200 && code <= 299))
            error.kind = GraphError::Kind::Permission;
        else if (code == 803 || (code == 100 && error.subcode == 33) || httpStatus == 404)
            error.kind = GraphError::Kind::NotFound;
        else if (code == 1 || code == 2 || httpStatus >= 500
                 || graph.value(QStringLiteral("is_transient")).toBool())
            error.kind = GraphError::Kind::Server;
        else
            error.kind = GraphError::Kind::BadRequest;
    } else if (httpStatus == 429) {
        error.kind = GraphError::Kind::RateLimited;
        error.message = QStringLiteral("too many requests");
    } else if (httpStatus >= 500) {
        error.kind = GraphError::Kind::Server;
        error.message = QString::fromUtf8(body.left(200)).simplified();
    } else if (httpStatus == 404) {
        error.kind = GraphError::Kind::NotFound;
    } else {
        error.kind = GraphError::Kind::BadResponse;
        error.message = httpStatus >= 200 && httpStatus < 300
                            ? QStringLiteral("the answer is not a JSON object")
                            : QString::fromUtf8(body.left(200)).simplified();
    }
    if (error.kind == GraphError::Kind::RateLimited || !retryAfterHeader.isEmpty())
        error.retryAfterSecs = retryAfterSeconds(retryAfterHeader, businessUseCaseHeader);
    return std::unexpected(error);
}

} // namespace LeadDesk::Sync
