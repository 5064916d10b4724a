#pragma once

// A fake of the parts of Meta's Graph API that Lead Ads uses, speaking its protocol over real
// HTTP on 127.0.0.1: versioned paths (/v25.0/...), the access_token parameter, Graph's JSON
// error objects ({"error":{"message","type","code","error_subcode","fbtrace_id"}}), lead objects
// trimmed to the requested `fields`, and /{form_id}/leads with `since` / `filtering`, `limit` and
// cursor paging (paging.cursors.after, and paging.next unless switched off, as in Meta's own
// sample). It keeps a model (the leads per form) and records every request it got. Scripted
// replies, queued in `script`, take precedence over the model: errors, rate limits, hangs.
// Header-only and without Q_OBJECT, so any test can include it.

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QPointer>
#include <QStringList>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>
#include <QUrlQuery>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <utility>

namespace LeadDesk::Test {

class FakeGraphApi final : public QObject
{
public:
    struct Request
    {
        QByteArray method;
        QString path; // decoded
        QUrlQuery query;
        QHash<QByteArray, QByteArray> headers; // lower-case names
        [[nodiscard]] QString param(const QString &name) const
        {
            return query.queryItemValue(name, QUrl::FullyDecoded);
        }
    };

    struct Reply
    {
        int status = 200;
        QByteArray body;
        QList<std::pair<QByteArray, QByteArray>> headers;
        bool hang = false; // accept the request and never answer
    };

    // Graph's error object, as the real API writes it.
    static Reply error(int status, int code, const QString &message,
                       const QString &type = QStringLiteral("OAuthException"), int subcode = 0,
                       bool transient = false)
    {
        QJsonObject error{
            {"message", message}, {"type", type}, {"code", code}, {"fbtrace_id", "AbCdEfGhIjK"}};
        if (subcode)
            error.insert("error_subcode", subcode);
        if (transient)
            error.insert("is_transient", true);
        return {status,
                QJsonDocument(QJsonObject{{"error", error}}).toJson(QJsonDocument::Compact),
                {},
                false};
    }
    static Reply rateLimited(int code = 4)
    {
        return error(
            400, code,
            code == 4
                ? QStringLiteral("(#4) Application request limit reached")
                : QStringLiteral("(#%1) Calls to this api have exceeded the rate limit.").arg(code),
            QStringLiteral("OAuthException"), 0, true);
    }

    QString version = QStringLiteral("v25.0");
    QString accessToken = QStringLiteral("test-page-token");
    bool includeNext = true; // paging.next on every page but the last
    bool honourSince = true; // false: a server that ignores since/filtering
    QString pathPrefix;      // served below this path ("/graph"), as behind a proxy
    QList<Reply> script;     // consumed first, one per request
    // Asked next: a reply for this request, or nothing to let the model answer.
    std::function<std::optional<Reply>(const Request &)> interceptor;
    QList<Request> requests; // everything received, in order

    explicit FakeGraphApi(QObject *parent = nullptr)
        : QObject(parent)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *socket = m_server.nextPendingConnection())
                serve(socket);
        });
    }

    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    [[nodiscard]] QUrl baseUrl() const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()));
    }
    void close() { m_server.close(); }

    // A lead of `formId` created at `createdSecs`, with a name and an e-mail.
    QJsonObject addLead(const QString &formId, const QString &id, qint64 createdSecs,
                        const QString &name = {})
    {
        const QString who = name.isEmpty() ? QString(QStringLiteral("Lead ") + id) : name;
        QJsonObject lead{
            {"id", id},
            {"created_time", QDateTime::fromSecsSinceEpoch(createdSecs, Qt::UTC)
                                 .toString(QStringLiteral("yyyy-MM-dd'T'HH:mm:ss'+0000'"))},
            {"ad_id", "238470000000001"},
            {"form_id", formId},
            {"campaign_id", "238470000000003"},
            {"field_data", QJsonArray{field(QStringLiteral("full_name"), who),
                                      field(QStringLiteral("email"),
                                            QStringLiteral("lead%1@example.com").arg(id))}}};
        addLeadObject(formId, lead);
        return lead;
    }
    static QJsonObject field(const QString &name, const QString &value)
    {
        QJsonObject f;
        f.insert(QStringLiteral("name"), name);
        f.insert(QStringLiteral("values"), QJsonArray{value});
        return f;
    }
    void addLeadObject(const QString &formId, const QJsonObject &lead)
    {
        m_leads.insert(lead.value("id").toString(), lead);
        m_forms[formId].append(lead.value("id").toString());
    }

    [[nodiscard]] QList<Request> requestsTo(const QString &pathSuffix) const
    {
        QList<Request> out;
        for (const Request &r : requests) {
            if (r.path.endsWith(pathSuffix))
                out << r;
        }
        return out;
    }

private:
    void serve(QTcpSocket *socket)
    {
        auto buffer = std::make_shared<QByteArray>();
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        QObject::connect(socket, &QTcpSocket::readyRead, this, [this, socket, buffer] {
            buffer->append(socket->readAll());
            const qsizetype end = buffer->indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const Request request = parse(buffer->left(end));
            buffer->clear();
            requests << request;
            std::optional<Reply> intercepted;
            if (script.isEmpty() && interceptor)
                intercepted = interceptor(request);
            Reply reply = !script.isEmpty() ? script.takeFirst()
                          : intercepted     ? *intercepted
                                            : answer(request);
            if (reply.hang)
                return;
            QByteArray out = "HTTP/1.1 " + QByteArray::number(reply.status) + ' '
                             + reasonPhrase(reply.status) + "\r\n";
            out += "Content-Type: application/json; charset=UTF-8\r\n";
            out += "Content-Length: " + QByteArray::number(reply.body.size()) + "\r\n";
            out += "Connection: close\r\n";
            for (const auto &[name, value] : std::as_const(reply.headers))
                out += name + ": " + value + "\r\n";
            out += "\r\n" + reply.body;
            socket->write(out);
            socket->disconnectFromHost();
        });
    }

    static QByteArray reasonPhrase(int status)
    {
        switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 429:
            return "Too Many Requests";
        case 500:
            return "Internal Server Error";
        default:
            return "Status";
        }
    }

    static Request parse(const QByteArray &head)
    {
        Request request;
        const QList<QByteArray> lines = head.split('\n');
        const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
        request.method = first.value(0);
        const QUrl url(QString::fromLatin1(first.value(1)));
        request.path = url.path(QUrl::FullyDecoded);
        request.query = QUrlQuery(url);
        for (qsizetype i = 1; i < lines.size(); ++i) {
            const QByteArray line = lines.at(i).trimmed();
            const qsizetype colon = line.indexOf(':');
            if (colon > 0)
                request.headers.insert(line.left(colon).trimmed().toLower(),
                                       line.mid(colon + 1).trimmed());
        }
        return request;
    }

    Reply answer(const Request &request) const
    {
        if (request.method != "GET")
            return error(400, 100, QStringLiteral("Unsupported method"));
        const QString token = request.param(QStringLiteral("access_token"));
        if (token.isEmpty())
            return error(400, 2500,
                         QStringLiteral("An active access token must be used to query "
                                        "information about the current user."));
        if (token != accessToken)
            return error(400, 190,
                         QStringLiteral("Invalid OAuth access token - Cannot parse "
                                        "access token"));
        QString path = request.path;
        if (!pathPrefix.isEmpty()) {
            if (!path.startsWith(pathPrefix + QLatin1Char('/')))
                return error(404, 2500, QStringLiteral("Not below %1").arg(pathPrefix));
            path = path.mid(pathPrefix.size());
        }
        QStringList segments = path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        if (segments.isEmpty() || segments.first() != version)
            return error(400, 2500,
                         QStringLiteral("Unknown path components: /%1").arg(segments.value(0)));
        segments.removeFirst();
        if (segments.size() == 1)
            return lead(request, segments.first());
        if (segments.size() == 2 && segments.at(1) == QLatin1String("leads"))
            return formLeads(request, segments.first());
        return error(
            400, 2500,
            QStringLiteral("Unknown path components: /%1").arg(segments.join(QLatin1Char('/'))));
    }

    static QJsonObject trimmed(const QJsonObject &lead, const QString &fields)
    {
        if (fields.isEmpty()) // Graph's default for a lead: id and created_time only
            return {{"id", lead.value("id")}, {"created_time", lead.value("created_time")}};
        QJsonObject out{{"id", lead.value("id")}};
        for (const QString &f : fields.split(QLatin1Char(','))) {
            if (lead.contains(f))
                out.insert(f, lead.value(f));
        }
        return out;
    }

    static Reply missing(const QString &id)
    {
        return error(400, 100,
                     QStringLiteral("Unsupported get request. Object with ID '%1' does not exist, "
                                    "cannot be loaded due to missing permissions, or does not "
                                    "support this operation.")
                         .arg(id),
                     QStringLiteral("GraphMethodException"), 33);
    }

    Reply lead(const Request &request, const QString &id) const
    {
        const auto it = m_leads.constFind(id);
        if (it == m_leads.cend())
            return missing(id);
        return {200,
                QJsonDocument(trimmed(*it, request.param(QStringLiteral("fields"))))
                    .toJson(QJsonDocument::Compact),
                {},
                false};
    }

    static QByteArray cursor(int index)
    {
        return QByteArray(QByteArray("idx:") + QByteArray::number(index)).toBase64();
    }

    static qint64 createdSecs(const QJsonObject &lead)
    {
        QString text = lead.value("created_time").toString();
        text.insert(text.size() - 2, QLatin1Char(':'));
        return QDateTime::fromString(text, Qt::ISODate).toSecsSinceEpoch();
    }

    Reply formLeads(const Request &request, const QString &formId) const
    {
        const auto form = m_forms.constFind(formId);
        if (form == m_forms.cend())
            return missing(formId);
        qint64 since = 0;
        if (honourSince) {
            since = request.param(QStringLiteral("since")).toLongLong();
            const QJsonArray filtering
                = QJsonDocument::fromJson(request.param(QStringLiteral("filtering")).toUtf8())
                      .array();
            for (const QJsonValue &f : filtering) {
                const QJsonObject rule = f.toObject();
                if (rule.value("field").toString() == QLatin1String("time_created"))
                    since = std::max<qint64>(since, rule.value("value").toInteger()
                                                        + (rule.value("operator").toString()
                                                                   == QLatin1String("GREATER_THAN")
                                                               ? 1
                                                               : 0));
            }
        }
        QList<QJsonObject> matching;
        for (const QString &id : *form) {
            const QJsonObject lead = m_leads.value(id);
            if (createdSecs(lead) >= since)
                matching << lead;
        }
        // Newest first, as Graph lists leads.
        std::stable_sort(matching.begin(), matching.end(),
                         [](const QJsonObject &a, const QJsonObject &b) {
                             return createdSecs(a) > createdSecs(b);
                         });
        int limit = request.param(QStringLiteral("limit")).toInt();
        if (limit <= 0)
            limit = 25;
        int start = 0;
        const QString after = request.param(QStringLiteral("after"));
        if (!after.isEmpty()) {
            const QByteArray decoded = QByteArray::fromBase64(after.toLatin1());
            if (!decoded.startsWith("idx:"))
                return error(400, 100, QStringLiteral("Invalid cursor"));
            start = decoded.mid(4).toInt();
        }
        QJsonArray data;
        const QString fields = request.param(QStringLiteral("fields"));
        for (int i = start; i < std::min<int>(start + limit, int(matching.size())); ++i)
            data.append(trimmed(matching.at(i), fields));
        QJsonObject page{{"data", data}};
        if (!data.isEmpty()) {
            const int end = start + int(data.size());
            QJsonObject paging{
                {"cursors", QJsonObject{{"before", QString::fromLatin1(cursor(start))},
                                        {"after", QString::fromLatin1(cursor(end))}}}};
            if (includeNext && end < matching.size()) {
                QUrlQuery next = request.query;
                next.removeAllQueryItems(QStringLiteral("after"));
                next.addQueryItem(QStringLiteral("after"), QString::fromLatin1(cursor(end)));
                QUrl url = baseUrl();
                url.setPath(request.path);
                url.setQuery(next);
                paging.insert("next", url.toString());
            }
            page.insert("paging", paging);
        }
        return {200, QJsonDocument(page).toJson(QJsonDocument::Compact), {}, false};
    }

    QTcpServer m_server;
    QHash<QString, QJsonObject> m_leads;
    QHash<QString, QStringList> m_forms; // form id -> lead ids
};

} // namespace LeadDesk::Test
