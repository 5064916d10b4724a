// `leaddeskctl serve` as a real process on a loopback port: health, a graceful drain on SIGTERM
// (exit 0), and the crash test - kill -9 under load, restart, and every request that was
// answered 2xx is in the store exactly once.
#include "testsupport.h"

#include "database.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSqlQuery>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>
#include <mutex>
#include <thread>

using namespace LeadDesk;

namespace {

// Sends one request on `socket` (kept alive) and returns the status, 0 when the connection
// failed before a whole answer came back.
int send(QTcpSocket &socket, const QByteArray &raw, QByteArray *body = nullptr)
{
    if (socket.write(raw) < 0)
        return 0;
    QByteArray data;
    QElapsedTimer timer;
    timer.start();
    while (!timer.hasExpired(10'000)) {
        const qsizetype end = data.indexOf("\r\n\r\n");
        if (end >= 0) {
            const QRegularExpressionMatch length
                = QRegularExpression(QStringLiteral("Content-Length: (\\d+)"),
                                     QRegularExpression::CaseInsensitiveOption)
                      .match(QString::fromLatin1(data.left(end)));
            const qint64 size = length.hasMatch() ? length.captured(1).toLongLong() : 0;
            if (data.size() >= end + 4 + size) {
                if (body)
                    *body = data.mid(end + 4, size);
                return data.mid(9, 3).toInt();
            }
        }
        if (socket.state() != QAbstractSocket::ConnectedState && socket.bytesAvailable() == 0)
            return 0;
        socket.waitForReadyRead(50);
        data += socket.readAll();
    }
    return 0;
}

QByteArray formRequest(const QString &email)
{
    const QJsonObject form{
        {QStringLiteral("campaign_id"), QStringLiteral("crash-test")},
        {QStringLiteral("source"), QStringLiteral("landing-page")},
        {QStringLiteral("contact"),
         QJsonObject{{QStringLiteral("firstName"), QStringLiteral("Ana")},
                     {QStringLiteral("lastName"), QStringLiteral("Castillo")},
                     {QStringLiteral("email"), email}}},
        {QStringLiteral("lead_details"),
         QJsonObject{{QStringLiteral("message"), QStringLiteral("Please call back")}}},
        {QStringLiteral("form_metadata"),
         QJsonObject{{QStringLiteral("consent_given"), true}}}};
    const QByteArray body = QJsonDocument(form).toJson(QJsonDocument::Compact);
    return "POST /v1/api/leads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
           "Content-Length: "
           + QByteArray::number(body.size()) + "\r\n\r\n" + body;
}

// A running `leaddeskctl serve`, its port read from its JSON log.
class Server
{
public:
    bool start(const QString &dataDir, const QStringList &extra = {})
    {
        m_process.start(QStringLiteral(LEADDESK_CTL_PATH),
                        QStringList{QStringLiteral("--data-dir"), dataDir, QStringLiteral("serve"),
                                    QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                    QStringLiteral("--rate-limit-ip"), QStringLiteral("0"),
                                    QStringLiteral("--rate-limit-campaign"), QStringLiteral("0")}
                            + extra);
        if (!m_process.waitForStarted(10'000))
            return false;
        const QRegularExpression listening(QStringLiteral("listening on 127\\.0\\.0\\.1:(\\d+)"));
        QElapsedTimer timer;
        timer.start();
        while (!timer.hasExpired(20'000)) {
            m_process.waitForReadyRead(100);
            m_log += m_process.readAllStandardError();
            const QRegularExpressionMatch match = listening.match(QString::fromUtf8(m_log));
            if (match.hasMatch()) {
                port = quint16(match.captured(1).toUInt());
                return true;
            }
            if (m_process.state() == QProcess::NotRunning)
                return false;
        }
        return false;
    }
    QString log()
    {
        m_log += m_process.readAllStandardError();
        return QString::fromUtf8(m_log);
    }
    QProcess &process() { return m_process; }
    quint16 port = 0;

private:
    QProcess m_process;
    QByteArray m_log;
};

int getStatus(quint16 port, const QByteArray &path, QByteArray *body = nullptr)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return 0;
    return send(socket, "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", body);
}

// Clients posting unique forms on their own connections until told to stop or the server dies.
class Load
{
public:
    Load(quint16 port, int clients, const QString &prefix)
    {
        for (int c = 0; c < clients; ++c) {
            m_threads.emplace_back([this, port, c, prefix] {
                QTcpSocket socket;
                socket.connectToHost(QHostAddress::LocalHost, port);
                if (!socket.waitForConnected(5000))
                    return;
                for (int i = 0; !m_stop; ++i) {
                    const QString email = QStringLiteral("%1.c%2.n%3@example.com")
                                              .arg(prefix)
                                              .arg(c)
                                              .arg(i);
                    {
                        std::lock_guard lock(m_mutex);
                        m_sent << email;
                    }
                    const int status = send(socket, formRequest(email));
                    if (status == 0)
                        return; // the server went away
                    std::lock_guard lock(m_mutex);
                    if (status >= 200 && status < 300)
                        m_acknowledged << email;
                    else
                        m_other << status;
                }
            });
        }
    }
    ~Load() { stop(); }
    void stop()
    {
        m_stop = true;
        for (std::thread &thread : m_threads) {
            if (thread.joinable())
                thread.join();
        }
    }
    qsizetype acknowledgedCount()
    {
        std::lock_guard lock(m_mutex);
        return m_acknowledged.size();
    }
    QStringList acknowledged() { return m_acknowledged; }
    QStringList sent() { return m_sent; }
    QList<int> otherStatuses() { return m_other; }

private:
    std::vector<std::thread> m_threads;
    std::atomic<bool> m_stop = false;
    std::mutex m_mutex;
    QStringList m_sent;
    QStringList m_acknowledged;
    QList<int> m_other;
};

} // namespace

class tst_CtlServe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answersHealthAndLogsJsonLines();
    void sigtermDrainsAndExitsZero();
    void killNineLosesNoAcknowledgedRequest();
    void usageErrorsExitTwo();

private:
    // Leads per e-mail in the store of `dataDir`.
    static QHash<QString, int> leadsByEmail(const QString &dataDir, int *processedRows);
};

QHash<QString, int> tst_CtlServe::leadsByEmail(const QString &dataDir, int *processedRows)
{
    QHash<QString, int> counts;
    auto db = Core::Database::open(QDir(dataDir).filePath(QStringLiteral("leaddesk.sqlite")));
    if (!db)
        return counts;
    QSqlQuery q((*db)->connection());
    if (q.exec(QStringLiteral("SELECT email, COUNT(*) FROM leads GROUP BY email"))) {
        while (q.next())
            counts.insert(q.value(0).toString(), q.value(1).toInt());
    }
    if (q.exec(QStringLiteral("SELECT COUNT(*) FROM inbound_journal WHERE status = 'processed'"))
        && q.next())
        *processedRows = q.value(0).toInt();
    return counts;
}

void tst_CtlServe::answersHealthAndLogsJsonLines()
{
    QTemporaryDir dir;
    Server server;
    QVERIFY2(server.start(dir.path()), qPrintable(server.log()));
    QByteArray body;
    QCOMPARE(getStatus(server.port, "/health", &body), 200);
    const QJsonObject health = QJsonDocument::fromJson(body).object();
    QCOMPARE(health.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
    QCOMPARE(health.value(QStringLiteral("database")).toObject().value(QStringLiteral("writable")).toBool(),
             true);
    QCOMPARE(getStatus(server.port, "/metrics", &body), 200);
    QVERIFY(body.contains("leaddesk_http_requests_total{route=\"health\",status=\"200\"} 1"));
    server.process().terminate();
    QVERIFY(server.process().waitForFinished(15'000));
    // Every log line is one JSON object.
    const QStringList lines = server.log().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    QVERIFY(lines.size() >= 3);
    for (const QString &line : lines) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line.toUtf8(), &error);
        QVERIFY2(error.error == QJsonParseError::NoError && document.isObject(), qPrintable(line));
    }
    QVERIFY(server.log().contains(QStringLiteral("GET /health -> 200")));
}

void tst_CtlServe::sigtermDrainsAndExitsZero()
{
    QTemporaryDir dir;
    Server server;
    QVERIFY2(server.start(dir.path()), qPrintable(server.log()));
    Load load(server.port, 6, QStringLiteral("term"));
    QTRY_VERIFY_WITH_TIMEOUT(load.acknowledgedCount() >= 20, 20'000);
    server.process().terminate(); // SIGTERM while requests are in flight
    QVERIFY(server.process().waitForFinished(20'000));
    load.stop();
    QCOMPARE(server.process().exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.process().exitCode(), 0);
    QVERIFY2(server.log().contains(QStringLiteral("drained; exiting")), qPrintable(server.log()));
    int processed = 0;
    const QHash<QString, int> stored = leadsByEmail(dir.path(), &processed);
    for (const QString &email : load.acknowledged())
        QCOMPARE(stored.value(email), 1);
    for (const int status : load.otherStatuses())
        QCOMPARE(status, 503); // a request arriving during the drain is told to retry
    QCOMPARE(processed, stored.size());
}

void tst_CtlServe::killNineLosesNoAcknowledgedRequest()
{
    QTemporaryDir dir;
    Server server;
    QVERIFY2(server.start(dir.path()), qPrintable(server.log()));
    Load load(server.port, 8, QStringLiteral("crash"));
    QTRY_VERIFY_WITH_TIMEOUT(load.acknowledgedCount() >= 400, 40'000);
    server.process().kill(); // SIGKILL, mid-load
    QVERIFY(server.process().waitForFinished(10'000));
    QCOMPARE(server.process().exitStatus(), QProcess::CrashExit);
    load.stop();
    const QStringList acknowledged = load.acknowledged();
    QVERIFY(acknowledged.size() >= 400);

    // The store opens again (SQLite recovers its WAL) and serves.
    Server again;
    QVERIFY2(again.start(dir.path()), qPrintable(again.log()));
    QCOMPARE(getStatus(again.port, "/health"), 200);
    again.process().terminate();
    QVERIFY(again.process().waitForFinished(15'000));
    QCOMPARE(again.process().exitCode(), 0);

    int processed = 0;
    const QHash<QString, int> stored = leadsByEmail(dir.path(), &processed);
    for (const QString &email : acknowledged)
        QCOMPARE(stored.value(email), 1); // acknowledged means stored, exactly once
    for (auto it = stored.constBegin(); it != stored.constEnd(); ++it)
        QCOMPARE(it.value(), 1); // nothing twice, acknowledged or not
    QCOMPARE(processed, stored.size()); // one journal row per lead
    QVERIFY(stored.size() <= load.sent().size());
    qInfo("crash test: %lld requests sent, %lld acknowledged, %lld stored",
          (long long)load.sent().size(), (long long)acknowledged.size(), (long long)stored.size());
}

void tst_CtlServe::usageErrorsExitTwo()
{
    QTemporaryDir dir;
    QCOMPARE(Test::runCtl(dir.path(), {QStringLiteral("serve"), QStringLiteral("--listen"),
                                       QStringLiteral("nowhere")})
                 .exitCode,
             2);
    QCOMPARE(Test::runCtl(dir.path(), {QStringLiteral("serve"), QStringLiteral("extra")}).exitCode,
             2);
    QCOMPARE(Test::runCtl(dir.path(), {QStringLiteral("serve"), QStringLiteral("--rate-limit-ip"),
                                       QStringLiteral("-5")})
                 .exitCode,
             2);
}

QTEST_GUILESS_MAIN(tst_CtlServe)
#include "tst_ctl_serve.moc"
