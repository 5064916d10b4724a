#include "engine.h"
#include "receivercontroller.h"
#include "secretstore.h"
#include "settingsrepository.h"
#include "testsupport.h"

#include <QAction>
#include <QDateTime>
#include <QDialog>
#include <QDir>
#include <QLabel>
#include <QMainWindow>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>

using namespace LeadDesk;
using Ui::ReceiverController;
using Ui::ReceiverSettings;

namespace {

constexpr int kTimeoutMs = 20000;

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

// The status line of GET /health on 127.0.0.1:port ("HTTP/1.1 200 OK"), or the socket's error.
QString health(quint16 port)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return QStringLiteral("error %1").arg(int(socket.error()));
    socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    QByteArray data;
    while (!data.contains("\r\n") && socket.waitForReadyRead(10'000))
        data += socket.readAll();
    return QString::fromLatin1(data.left(data.indexOf("\r\n")));
}

ReceiverSettings enabledOn(quint16 port)
{
    ReceiverSettings settings;
    settings.enabled = true;
    settings.address = QStringLiteral("127.0.0.1");
    settings.port = port;
    return settings;
}

} // namespace

class TestReceiverController : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void enableServesHealthAndDisableStops();
    void portInUseIsAnErrorState();
    void loadStartsFromTheStoredSettings();
    void restartsOnNewSettings();
    void statusLabelAndAction();
    void settingsDocumentRoundTrip();
    void secretsFromSourcesServeToo();

private:
    bool waitForState(ReceiverController::State state)
    {
        QSignalSpy changed(m_controller.get(), &ReceiverController::stateChanged);
        while (m_controller->state() != state) {
            if (!changed.wait(kTimeoutMs))
                return false;
        }
        return true;
    }

    std::unique_ptr<Test::TempStore> m_store;
    std::unique_ptr<Sync::Engine> m_engine;
    std::unique_ptr<ReceiverController> m_controller;
    QString m_secretsPath;
};

void TestReceiverController::init()
{
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    m_engine = std::make_unique<Sync::Engine>();
    LD_VERIFY_OK(m_engine->open(m_store->dir()));
    m_secretsPath = QDir(m_store->dir()).filePath(QStringLiteral("secrets.json"));
    m_controller
        = std::make_unique<ReceiverController>(*m_engine, Sync::SecretStore::file(m_secretsPath));
}

void TestReceiverController::cleanup()
{
    m_controller.reset();
    m_engine.reset();
    m_store.reset();
}

void TestReceiverController::enableServesHealthAndDisableStops()
{
    const quint16 port = freePort();
    QVERIFY(port != 0);
    QCOMPARE(m_controller->state(), ReceiverController::State::Stopped);
    QCOMPARE(health(port),
             QStringLiteral("error %1").arg(int(QAbstractSocket::ConnectionRefusedError)));

    m_controller->apply(enabledOn(port));
    QCOMPARE(m_controller->state(), ReceiverController::State::Starting);
    QVERIFY(waitForState(ReceiverController::State::Running));
    QCOMPARE(m_controller->port(), port);
    QCOMPARE(m_controller->statusText(), QStringLiteral("Receiving on :%1").arg(port));
    QVERIFY(!m_controller->webhookUrls().isEmpty());
    QCOMPARE(health(port), QStringLiteral("HTTP/1.1 200 OK"));

    ReceiverSettings off = enabledOn(port);
    off.enabled = false;
    m_controller->apply(off);
    QCOMPARE(m_controller->state(), ReceiverController::State::Stopped);
    QVERIFY(m_controller->webhookUrls().isEmpty());
    QCOMPARE(health(port),
             QStringLiteral("error %1").arg(int(QAbstractSocket::ConnectionRefusedError)));
}

void TestReceiverController::portInUseIsAnErrorState()
{
    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    m_controller->apply(enabledOn(squatter.serverPort()));
    QVERIFY(waitForState(ReceiverController::State::Failed));
    QVERIFY2(m_controller->statusText().startsWith(QStringLiteral("Receiver not started")),
             qPrintable(m_controller->statusText()));
    QCOMPARE(m_controller->port(), quint16(0));
    QVERIFY(m_controller->webhookUrls().isEmpty());

    // Once the port is free again, the same settings start.
    const quint16 port = squatter.serverPort();
    squatter.close();
    m_controller->apply(enabledOn(port));
    QVERIFY(waitForState(ReceiverController::State::Running));
    QCOMPARE(health(port), QStringLiteral("HTTP/1.1 200 OK"));
}

void TestReceiverController::loadStartsFromTheStoredSettings()
{
    // Never configured: load() leaves it off.
    m_controller->load();
    QTest::qWait(200);
    QCOMPARE(m_controller->state(), ReceiverController::State::Stopped);

    const quint16 port = freePort();
    LD_VERIFY_OK(Core::SettingsRepository(m_store->db())
                     .setValue(m_store->businessId(), QString::fromLatin1(ReceiverSettings::kKey),
                               enabledOn(port).toJson(), QDateTime::currentMSecsSinceEpoch()));
    m_controller->load();
    QVERIFY(waitForState(ReceiverController::State::Running));
    QCOMPARE(m_controller->settings(), enabledOn(port));
    QCOMPARE(health(port), QStringLiteral("HTTP/1.1 200 OK"));
}

void TestReceiverController::restartsOnNewSettings()
{
    const quint16 first = freePort();
    m_controller->apply(enabledOn(first));
    QVERIFY(waitForState(ReceiverController::State::Running));
    QCOMPARE(health(first), QStringLiteral("HTTP/1.1 200 OK"));

    quint16 second = freePort();
    while (second == first)
        second = freePort();
    QSignalSpy changed(m_controller.get(), &ReceiverController::stateChanged);
    m_controller->apply(enabledOn(second));
    QVERIFY(waitForState(ReceiverController::State::Running));
    // Straight from Running to Starting to Running: no "off" in between.
    for (const auto &arguments : changed)
        QVERIFY(arguments.at(0).value<ReceiverController::State>()
                != ReceiverController::State::Stopped);
    QCOMPARE(m_controller->port(), second);
    QCOMPARE(health(second), QStringLiteral("HTTP/1.1 200 OK"));
    QCOMPARE(health(first),
             QStringLiteral("error %1").arg(int(QAbstractSocket::ConnectionRefusedError)));

    // Two applies in a row: only the last one starts.
    const quint16 third = freePort();
    m_controller->apply(enabledOn(first));
    m_controller->apply(enabledOn(third));
    QVERIFY(waitForState(ReceiverController::State::Running));
    QTest::qWait(200);
    QCOMPARE(m_controller->port(), third);
    QCOMPARE(m_controller->state(), ReceiverController::State::Running);

    m_controller->stop();
    QCOMPARE(health(third),
             QStringLiteral("error %1").arg(int(QAbstractSocket::ConnectionRefusedError)));
}

void TestReceiverController::statusLabelAndAction()
{
    QMainWindow window;
    QLabel *label = m_controller->createStatusLabel(&window);
    QAction *action = m_controller->createSettingsAction(&window);
    QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    QVERIFY(label->isHidden());

    const quint16 port = freePort();
    m_controller->apply(enabledOn(port));
    QVERIFY(waitForState(ReceiverController::State::Running));
    QCOMPARE(label->text(), QStringLiteral("Receiving on :%1").arg(port));
    QVERIFY(!label->isHidden());

    QTcpServer squatter;
    QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
    m_controller->apply(enabledOn(squatter.serverPort()));
    QVERIFY(waitForState(ReceiverController::State::Failed));
    QVERIFY(label->text().startsWith(QStringLiteral("Receiver not started")));

    action->trigger();
    QVERIFY(window.findChild<QDialog *>(QStringLiteral("receiverSettingsDialog")));
    action->trigger(); // the open one comes forward, no second one
    QCOMPARE(window.findChildren<QDialog *>(QStringLiteral("receiverSettingsDialog")).size(), 1);
}

void TestReceiverController::settingsDocumentRoundTrip()
{
    ReceiverSettings settings;
    settings.enabled = true;
    settings.address = QStringLiteral("0.0.0.0");
    settings.port = 9090;
    settings.publicUrl = QStringLiteral("https://leads.example.com");
    settings.allowedOrigins = {QStringLiteral("*")};
    auto parsed = ReceiverSettings::fromJson(settings.toJson());
    LD_VERIFY_OK(parsed);
    QCOMPARE(*parsed, settings);
    LD_VERIFY_OK(settings.check());

    QVERIFY(!ReceiverSettings::fromJson("[1]"));
    QVERIFY(!ReceiverSettings::fromJson(R"({"port": 70000})"));
    auto defaults = ReceiverSettings::fromJson("{}");
    LD_VERIFY_OK(defaults);
    QCOMPARE(*defaults, ReceiverSettings());
    QVERIFY(!defaults->enabled);

    settings.address = QStringLiteral("localhost");
    QVERIFY(!settings.check());
    // Refused before anything starts.
    m_controller->apply(settings);
    QCOMPARE(m_controller->state(), ReceiverController::State::Failed);
}

void TestReceiverController::secretsFromSourcesServeToo()
{
    // A secret given to a source (leaddeskctl source add sms main --secret auth_token) serves
    // when the receiver's own is not set; the receiver's own wins.
    auto store = Sync::SecretStore::file(m_secretsPath);
    LD_VERIFY_OK(store.setValue(QStringLiteral("sms"), QStringLiteral("main"),
                                QStringLiteral("auth_token"), QStringLiteral("from-source")));
    Core::Source sms;
    sms.kind = QStringLiteral("sms");
    sms.name = QStringLiteral("main");
    auto loaded = ReceiverController::loadSecrets(store, {sms});
    QCOMPARE(ReceiverController::lookup(loaded, QStringLiteral("twilio.auth_token")),
             QStringLiteral("from-source"));
    LD_VERIFY_OK(store.setValue(QStringLiteral("twilio"), QStringLiteral("receiver"),
                                QStringLiteral("auth_token"), QStringLiteral("own")));
    loaded = ReceiverController::loadSecrets(store, {sms});
    QCOMPARE(ReceiverController::lookup(loaded, QStringLiteral("twilio.auth_token")),
             QStringLiteral("own"));
    QVERIFY(ReceiverController::lookup(loaded, QStringLiteral("meta.app_secret")).isEmpty());
}

QTEST_MAIN(TestReceiverController)
#include "tst_receivercontroller.moc"
