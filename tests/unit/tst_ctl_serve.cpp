// `leaddeskctl serve` as a real process on a loopback port: health, a graceful drain on SIGTERM
// (exit 0), the crash test - kill -9 under load, restart, and every request that was answered
// 2xx is in the store exactly once - and every channel received for real: signed WhatsApp, the
// Meta handshake, signed Twilio SMS, Thumbtack with Basic auth, the chatbot API and a csv drop
// folder, with secrets from a 0600 secrets file written by `source add --secret`.
#include "testsupport.h"

#include "database.h"
#include "metasignature.h"
#include "twiliosignature.h"

#include <QElapsedTimer>
#include <QFile>
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
        {QStringLiteral("form_metadata"), QJsonObject{{QStringLiteral("consent_given"), true}}}};
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
                    const QString email
                        = QStringLiteral("%1.c%2.n%3@example.com").arg(prefix).arg(c).arg(i);
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

// One request on its own connection; the status, 0 on failure.
int request(quint16 port, const QByteArray &method, const QByteArray &target,
            const QByteArray &body = {}, const QByteArray &contentType = "application/json",
            const QList<QByteArray> &headers = {}, QByteArray *answer = nullptr)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return 0;
    QByteArray raw = method + ' ' + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (method == "POST")
        raw += "Content-Type: " + contentType
               + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n";
    for (const QByteArray &header : headers)
        raw += header + "\r\n";
    return send(socket, raw + "\r\n" + body, answer);
}

// One number from the store of `dataDir` (read while the server runs: WAL readers are fine).
qint64 scalar(const QString &dataDir, const QString &sql)
{
    auto db = Core::Database::open(QDir(dataDir).filePath(QStringLiteral("leaddesk.sqlite")));
    if (!db)
        return -1;
    QSqlQuery q((*db)->connection());
    if (!q.exec(sql) || !q.next())
        return -1;
    return q.value(0).toLongLong();
}

constexpr auto kAppSecret = "serve_app_secret";
constexpr auto kVerifyToken = "serve-verify-token";
constexpr auto kTwilioToken = "serve_twilio_token";
constexpr auto kPublicUrl = "https://leads.example.com";

} // namespace

class tst_CtlServe : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void answersHealthAndLogsJsonLines();
    void sigtermDrainsAndExitsZero();
    void killNineLosesNoAcknowledgedRequest();
    void usageErrorsExitTwo();
    void receivesFromEveryChannel();
    void groupReadableSecretsFileIsRefused();

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
    QCOMPARE(health.value(QStringLiteral("database"))
                 .toObject()
                 .value(QStringLiteral("writable"))
                 .toBool(),
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
        QCOMPARE(it.value(), 1);        // nothing twice, acknowledged or not
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

void tst_CtlServe::receivesFromEveryChannel()
{
    QTemporaryDir dir;
    QTemporaryDir secretsDir;
    const QString secrets = secretsDir.filePath(QStringLiteral("secrets.json"));
    const QString drop = dir.filePath(QStringLiteral("drop"));
    // The sources and their secrets, as a user sets them up (values on stdin, file 0600).
    auto add = [&](const QStringList &args, const QByteArray &input = {}) {
        const Test::CtlRun run
            = Test::runCtl(dir.path(),
                           QStringList{QStringLiteral("source"), QStringLiteral("add")} + args
                               + QStringList{QStringLiteral("--secrets-file"), secrets},
                           input);
        if (run.exitCode != 0)
            qWarning("%s", qPrintable(run.err));
        return run.exitCode;
    };
    QCOMPARE(add({QStringLiteral("whatsapp"), QStringLiteral("main"), QStringLiteral("--secret"),
                  QStringLiteral("app_secret"), QStringLiteral("--secret"),
                  QStringLiteral("verify_token")},
                 QByteArray(kAppSecret) + '\n' + kVerifyToken + '\n'),
             0);
    QCOMPARE(add({QStringLiteral("sms"), QStringLiteral("line"), QStringLiteral("--secret"),
                  QStringLiteral("auth_token")},
                 QByteArray(kTwilioToken) + '\n'),
             0);
    QCOMPARE(
        add({QStringLiteral("thumbtack"), QStringLiteral("pro"), QStringLiteral("--secret"),
             QStringLiteral("username"), QStringLiteral("--secret"), QStringLiteral("password")},
            "tt-user\ntt-pass\n"),
        0);
    QCOMPARE(add({QStringLiteral("csv"), QStringLiteral("drop"), QStringLiteral("--setting"),
                  QStringLiteral("folder=") + drop}),
             0);
    QCOMPARE(QFileInfo(secrets).permissions() & (QFile::ReadGroup | QFile::ReadOther),
             QFileDevice::Permissions());

    Server server;
    QVERIFY2(
        server.start(dir.path(), {QStringLiteral("--secrets"), secrets,
                                  QStringLiteral("--public-url"), QString::fromLatin1(kPublicUrl)}),
        qPrintable(server.log()));
    const QString &data = dir.path();
    auto count = [&](const char *sql) {
        return scalar(data, QString::fromLatin1(sql));
    };

    // WhatsApp: signed → stored; the same body wrongly signed → 401, nothing kept.
    const QByteArray whatsapp = Test::readFixture(QStringLiteral("whatsapp_inbound_text.json"));
    const QByteArray journalBefore
        = QByteArray::number(count("SELECT COUNT(*) FROM inbound_journal"));
    QCOMPARE(request(server.port, "POST", "/webhooks/whatsapp", whatsapp, "application/json",
                     {QByteArray(Sync::MetaSignature::kHeader) + ": "
                      + Sync::MetaSignature::sign("not_the_secret", whatsapp)}),
             401);
    QCOMPARE(QByteArray::number(count("SELECT COUNT(*) FROM inbound_journal")), journalBefore);
    QCOMPARE(count("SELECT COUNT(*) FROM messages"), 0);
    QCOMPARE(request(server.port, "POST", "/webhooks/whatsapp", whatsapp, "application/json",
                     {QByteArray(Sync::MetaSignature::kHeader) + ": "
                      + Sync::MetaSignature::sign(kAppSecret, whatsapp)}),
             200);
    QCOMPARE(count("SELECT COUNT(*) FROM messages"), 1);

    // The Meta handshake echoes the challenge.
    QByteArray answer;
    QCOMPARE(request(server.port, "GET",
                     QByteArray("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=")
                         + kVerifyToken + "&hub.challenge=1158201444",
                     {}, {}, {}, &answer),
             200);
    QCOMPARE(answer, QByteArray("1158201444"));

    // Twilio: signed over the public URL → stored.
    const QByteArray sms = Test::readFixture(QStringLiteral("twilio_inbound_sms.form")).trimmed();
    auto params = Sync::TwilioSignature::parseForm(sms);
    LD_VERIFY_OK(params);
    const QByteArray twilioSignature = Sync::TwilioSignature::sign(
        kTwilioToken, QString::fromLatin1(kPublicUrl) + QStringLiteral("/webhooks/twilio/sms"),
        *params);
    QCOMPARE(request(server.port, "POST", "/webhooks/twilio/sms", sms,
                     "application/x-www-form-urlencoded",
                     {QByteArray(Sync::TwilioSignature::kHeader) + ": " + twilioSignature}),
             200);
    QCOMPARE(count("SELECT COUNT(*) FROM messages"), 2);
    QCOMPARE(request(server.port, "POST", "/webhooks/twilio/sms", sms,
                     "application/x-www-form-urlencoded",
                     {QByteArray(Sync::TwilioSignature::kHeader) + ": AAAA"}),
             403);

    // Thumbtack v4: without credentials 401, with Basic auth the lead is stored.
    const QByteArray thumbtack
        = Test::readFixture(QStringLiteral("thumbtack_v4_webhook_negotiation_created.json"));
    const qint64 leadsBefore = count("SELECT COUNT(*) FROM leads");
    QCOMPARE(request(server.port, "POST", "/webhooks/thumbtack", thumbtack), 401);
    QCOMPARE(count("SELECT COUNT(*) FROM leads"), leadsBefore);
    QCOMPARE(request(server.port, "POST", "/webhooks/thumbtack", thumbtack, "application/json",
                     {"Authorization: Basic " + QByteArray("tt-user:tt-pass").toBase64()}),
             200);
    QCOMPARE(count("SELECT COUNT(*) FROM leads WHERE external_id = '590299344770600002'"), 1);

    // The chatbot API: a session starts.
    QCOMPARE(
        request(server.port, "POST", "/api/session/start", "{}", "application/json", {}, &answer),
        200);
    QVERIFY2(answer.contains("session_id"), answer.constData());

    // A CSV dropped in the csv source's folder is imported and moved to processed/.
    {
        QFile file(drop + QStringLiteral("/leads.csv"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("FirstName,LastName,Email,CellPhone,PropertyState\r\n"
                   "Ana,Lopez,ana.drop@example.com,6145550101,OH\r\n");
    }
    QTRY_VERIFY_WITH_TIMEOUT(QFileInfo::exists(drop + QStringLiteral("/processed/leads.csv")),
                             30'000);
    QCOMPARE(count("SELECT COUNT(*) FROM leads WHERE email = 'ana.drop@example.com'"), 1);

    server.process().terminate();
    QVERIFY(server.process().waitForFinished(15'000));
    QCOMPARE(server.process().exitCode(), 0);
    const QString log = server.log();
    // Each webhook URL is logged on start, with the public URL.
    for (const char *path : {"/webhooks/whatsapp", "/webhooks/messenger", "/webhooks/thumbtack",
                             "/webhooks/twilio/sms", "/api/"})
        QVERIFY2(log.contains(QString::fromLatin1(kPublicUrl) + QLatin1String(path)), path);
    QVERIFY2(log.contains(QStringLiteral("imported leads.csv")), qPrintable(log));
    QVERIFY(!log.contains(QString::fromLatin1(kAppSecret))); // secrets are never logged
    QVERIFY(!log.contains(QString::fromLatin1(kTwilioToken)));
}

void tst_CtlServe::groupReadableSecretsFileIsRefused()
{
    QTemporaryDir dir;
    const QString secrets = dir.filePath(QStringLiteral("secrets.json"));
    {
        QFile file(secrets);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(R"({"whatsapp/main/app_secret": "x"})");
    }
    QVERIFY(
        QFile::setPermissions(secrets, QFile::ReadOwner | QFile::WriteOwner | QFile::ReadGroup));
    const Test::CtlRun run = Test::runCtl(
        dir.path(), {QStringLiteral("serve"), QStringLiteral("--listen"),
                     QStringLiteral("127.0.0.1:0"), QStringLiteral("--secrets"), secrets});
    QCOMPARE(run.exitCode, 1);
    QVERIFY2(run.err.contains(secrets) || run.err.contains(QStringLiteral("mode")),
             qPrintable(run.err));
    // The default <data>/secrets.json is checked the same way.
    const Test::CtlRun fallback
        = Test::runCtl(dir.path(), {QStringLiteral("serve"), QStringLiteral("--listen"),
                                    QStringLiteral("127.0.0.1:0")});
    QCOMPARE(fallback.exitCode, 1);
    // A missing file named on the command line is an error, not silently the environment.
    QCOMPARE(Test::runCtl(dir.path(), {QStringLiteral("serve"), QStringLiteral("--listen"),
                                       QStringLiteral("127.0.0.1:0"), QStringLiteral("--secrets"),
                                       dir.filePath(QStringLiteral("none.json"))})
                 .exitCode,
             1);
}

QTEST_GUILESS_MAIN(tst_CtlServe)
#include "tst_ctl_serve.moc"
