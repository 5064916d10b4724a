#include "testsupport.h"

#include "businessrepository.h"

#include <QFile>
#include <QHostAddress>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSqlError>
#include <QSqlQuery>
#include <QSqlRecord>
#include <QTcpSocket>
#include <QTest>

namespace LeadDesk::Test {

TempStore::TempStore()
{
    auto db = Core::Database::open(path());
    if (!db) {
        qWarning("TempStore: %s", qPrintable(db.error().message));
        return;
    }
    m_db = std::move(*db);
    auto business = Core::BusinessRepository(*m_db).ensurePrimary(QStringLiteral("Test Plumbing"));
    if (business)
        m_businessId = business->id;
}

QJsonObject seedCampaignForm(const QString &email)
{
    return QJsonObject{
        {QStringLiteral("campaign_id"), QStringLiteral("nextcloud-installation-2025")},
        {QStringLiteral("source"), QStringLiteral("landing-page")},
        {QStringLiteral("contact"),
         QJsonObject{{QStringLiteral("firstName"), QStringLiteral("John")},
                     {QStringLiteral("lastName"), QStringLiteral("Doe")},
                     {QStringLiteral("email"), email},
                     {QStringLiteral("phone"), QStringLiteral("+1-555-123-4567")},
                     {QStringLiteral("company"), QStringLiteral("Acme Corp")}}},
        {QStringLiteral("lead_details"),
         QJsonObject{
             {QStringLiteral("service_interest"), QStringLiteral("Nextcloud Installation")},
             {QStringLiteral("urgency"), QStringLiteral("High (Same day)")},
             {QStringLiteral("message"), QStringLiteral("Need Nextcloud setup for 50 users ASAP")},
             {QStringLiteral("budget_range"), QStringLiteral("$5000-$10000")},
             {QStringLiteral("timeline"), QStringLiteral("Within 2 weeks")}}},
        {QStringLiteral("tracking"),
         QJsonObject{
             {QStringLiteral("visitor_id"), QStringLiteral("vis_123456789")},
             {QStringLiteral("session_id"), QStringLiteral("sess_987654321")},
             {QStringLiteral("utm_source"), QStringLiteral("google")},
             {QStringLiteral("utm_medium"), QStringLiteral("cpc")},
             {QStringLiteral("utm_campaign"), QStringLiteral("nextcloud-q4-2025")},
             {QStringLiteral("utm_term"), QStringLiteral("nextcloud installation")},
             {QStringLiteral("utm_content"), QStringLiteral("ad-variant-a")},
             {QStringLiteral("referrer_url"),
              QStringLiteral("https://google.com/search?q=nextcloud+installation")},
             {QStringLiteral("landing_page_url"),
              QStringLiteral("https://nexlink.website/campaigns/nextcloud-installation.html")},
             {QStringLiteral("user_agent"), QStringLiteral("Mozilla/5.0...")},
             {QStringLiteral("ip_address"), QStringLiteral("192.168.1.1")}}},
        {QStringLiteral("form_metadata"),
         QJsonObject{{QStringLiteral("form_type"), QStringLiteral("campaign_landing")},
                     {QStringLiteral("form_version"), QStringLiteral("v2.1")},
                     {QStringLiteral("consent_given"), true},
                     {QStringLiteral("timestamp"), QStringLiteral("2025-10-03T10:30:00Z")}}}};
}

QByteArray HttpReply::header(const QByteArray &lowerName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerName)
            return value;
    }
    return {};
}

QJsonObject HttpReply::object() const
{
    return QJsonDocument::fromJson(body).object();
}

HttpReply sendHttp(quint16 port, const QByteArray &method, const QByteArray &target,
                   const QByteArray &body, const QList<QByteArray> &extraHeaders)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    QByteArray request = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (method == "POST" || !body.isEmpty()) {
        request += "Content-Type: application/json\r\nContent-Length: "
                   + QByteArray::number(body.size()) + "\r\n";
    }
    for (const QByteArray &header : extraHeaders)
        request += header + "\r\n";
    request += "\r\n" + body;
    socket.write(request);
    // Read the head, then Content-Length bytes (a kept-alive connection, closed by us after).
    QByteArray data;
    qsizetype headEnd = -1;
    qsizetype wanted = -1;
    while (wanted < 0 || data.size() < wanted) {
        if (socket.bytesAvailable() == 0 && !socket.waitForReadyRead(10'000))
            break;
        data += socket.readAll();
        if (headEnd < 0 && (headEnd = data.indexOf("\r\n\r\n")) >= 0) {
            const QByteArray head = data.left(headEnd).toLower();
            const qsizetype at = head.indexOf("content-length:");
            const qsizetype end = head.indexOf('\r', at);
            wanted
                = headEnd + 4
                  + (at < 0
                         ? 0
                         : head.mid(at + 15, end < 0 ? -1 : end - at - 15).trimmed().toLongLong());
        }
    }
    socket.disconnectFromHost();

    HttpReply reply;
    if (headEnd < 0)
        return reply;
    const QList<QByteArray> lines = data.left(headEnd).split('\n');
    reply.status = lines.value(0).split(' ').value(1).toInt();
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const qsizetype colon = line.indexOf(':');
        if (colon > 0)
            reply.headers.push_back({line.left(colon).toLower(), line.mid(colon + 1).trimmed()});
    }
    reply.body = data.mid(headEnd + 4);
    return reply;
}

QString fixturePath(const QString &name)
{
    return QStringLiteral(LEADDESK_FIXTURES_DIR "/") + name;
}

QByteArray readFixture(const QString &name)
{
    QFile file(fixturePath(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

CtlRun runCtl(const QString &dataDir, const QStringList &arguments, const QByteArray &input)
{
    QProcess process;
    process.start(QStringLiteral(LEADDESK_CTL_PATH),
                  QStringList{QStringLiteral("--data-dir"), dataDir} + arguments);
    if (!process.waitForStarted())
        return {};
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(120'000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

QStringList seed004ExportKeys()
{
    return {QStringLiteral("uuid"),
            QStringLiteral("first_name"),
            QStringLiteral("last_name"),
            QStringLiteral("email"),
            QStringLiteral("phone"),
            QStringLiteral("company"),
            QStringLiteral("campaign_id"),
            QStringLiteral("campaign_name"),
            QStringLiteral("source"),
            QStringLiteral("medium"),
            QStringLiteral("utm_source"),
            QStringLiteral("utm_medium"),
            QStringLiteral("utm_campaign"),
            QStringLiteral("utm_term"),
            QStringLiteral("utm_content"),
            QStringLiteral("service_interest"),
            QStringLiteral("urgency"),
            QStringLiteral("message"),
            QStringLiteral("budget_range"),
            QStringLiteral("timeline"),
            QStringLiteral("visitor_id"),
            QStringLiteral("session_id"),
            QStringLiteral("ip_address"),
            QStringLiteral("user_agent"),
            QStringLiteral("referrer_url"),
            QStringLiteral("landing_page_url"),
            QStringLiteral("lead_score"),
            QStringLiteral("lead_grade"),
            QStringLiteral("qualification_status"),
            QStringLiteral("status"),
            QStringLiteral("assigned_to"),
            QStringLiteral("follow_up_date"),
            QStringLiteral("created_at"),
            QStringLiteral("updated_at"),
            QStringLiteral("contacted_at"),
            QStringLiteral("contact_id"),
            QStringLiteral("channel"),
            QStringLiteral("score_breakdown"),
            QStringLiteral("details"),
            QStringLiteral("messages")};
}

QStringList rollupSnapshot(Core::Database &db)
{
    QStringList rows;
    for (const char *table : {"analytics_leads_daily", "analytics_campaign_daily"}) {
        QSqlQuery query(db.connection());
        query.exec(
            QStringLiteral("SELECT * FROM %1 ORDER BY 1, 2, 3, 4, 5").arg(QLatin1String(table)));
        while (query.next()) {
            const QSqlRecord record = query.record();
            QStringList values;
            bool empty = true;
            for (int i = 0; i < record.count(); ++i) {
                values << record.value(i).toString();
                const bool isCounter = record.fieldName(i) != QLatin1String("day")
                                       && query.value(i).typeId() == QMetaType::LongLong;
                if (isCounter && query.value(i).toLongLong() != 0)
                    empty = false;
            }
            if (!empty)
                rows << QLatin1String(table) + u':' + values.join(u'|');
        }
    }
    return rows;
}

bool exec(Core::Database &db, const QString &sql, const QVariantList &values)
{
    QSqlQuery &query = db.prepared(sql);
    for (const QVariant &v : values)
        query.addBindValue(v);
    const bool ok = query.exec();
    if (!ok)
        qWarning("%s: %s", qPrintable(sql), qPrintable(query.lastError().text()));
    query.finish();
    return ok;
}

int countRows(Core::Database &db, const QString &table, const QString &where)
{
    QSqlQuery query(db.connection());
    const QString sql = QStringLiteral("SELECT COUNT(*) FROM ") + table
                        + (where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where);
    if (!query.exec(sql) || !query.next())
        return -1;
    return query.value(0).toInt();
}

QStringList column(Core::Database &db, const QString &sql)
{
    QStringList values;
    QSqlQuery query(db.connection());
    if (!query.exec(sql))
        return {QStringLiteral("failed: %1").arg(sql)};
    while (query.next())
        values << query.value(0).toString();
    return values;
}

} // namespace LeadDesk::Test
