#include "receivercontroller.h"

#include "engine.h"
#include "onresult.h"
#include "receiverhost.h"
#include "receiversettingsdialog.h"
#include "settingsrepository.h"
#include "sourcerepository.h"

#include <QAction>
#include <QCoreApplication>
#include <QHostAddress>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QUrl>
#include <QtConcurrent/QtConcurrentRun>

#include <optional>

namespace LeadDesk::Ui {

namespace {

constexpr int kDrainMs = 5000;

QString trimmedUrl(QString url)
{
    url = url.trimmed();
    while (url.endsWith(QLatin1Char('/')))
        url.chop(1);
    return url;
}

bool isWebUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    return url.isValid() && !url.host().isEmpty()
           && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"));
}

} // namespace

QByteArray ReceiverSettings::toJson() const
{
    QJsonObject root;
    root.insert(QStringLiteral("enabled"), enabled);
    root.insert(QStringLiteral("address"), address);
    root.insert(QStringLiteral("port"), int(port));
    root.insert(QStringLiteral("public_url"), publicUrl);
    root.insert(QStringLiteral("allowed_origins"), QJsonArray::fromStringList(allowedOrigins));
    return QJsonDocument(root).toJson(QJsonDocument::Indented);
}

Core::Result<ReceiverSettings> ReceiverSettings::fromJson(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return Core::fail(QStringLiteral("receiver settings are not a JSON object"));
    const QJsonObject root = document.object();
    ReceiverSettings settings;
    settings.enabled = root.value(u"enabled").toBool(settings.enabled);
    settings.address = root.value(u"address").toString(settings.address);
    const int port = root.value(u"port").toInt(settings.port);
    if (port < 1 || port > 65535)
        return Core::fail(QStringLiteral("receiver settings: port %1 is out of range").arg(port));
    settings.port = quint16(port);
    settings.publicUrl = root.value(u"public_url").toString();
    for (const QJsonValue &origin : root.value(u"allowed_origins").toArray())
        settings.allowedOrigins << origin.toString();
    return settings;
}

Core::Result<void> ReceiverSettings::check() const
{
    if (QHostAddress(address).isNull())
        return Core::fail(QObject::tr("The listen address \"%1\" is not an IP address (use "
                                      "127.0.0.1 for this computer only, 0.0.0.0 for every "
                                      "network).")
                              .arg(address));
    if (port == 0)
        return Core::fail(QObject::tr("Choose a port between 1 and 65535."));
    if (!publicUrl.isEmpty() && !isWebUrl(publicUrl))
        return Core::fail(QObject::tr("The public URL must be an http or https address, like "
                                      "https://leads.example.com."));
    for (const QString &origin : allowedOrigins)
        if (origin != QLatin1String("*") && !isWebUrl(origin))
            return Core::fail(QObject::tr("The allowed origin \"%1\" is not an http or https "
                                          "address (or *).")
                                  .arg(origin));
    return {};
}

ReceiverController::ReceiverController(Sync::Engine &engine, Sync::SecretStore secrets,
                                       QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_secrets(std::move(secrets))
{
    // Quitting drains before the engine's threads go away.
    if (auto *app = QCoreApplication::instance(); app)
        connect(app, &QCoreApplication::aboutToQuit, this, &ReceiverController::stop);
}

ReceiverController::~ReceiverController()
{
    stop();
}

QList<ReceiverSecret> ReceiverController::secrets()
{
    return {
        {QStringLiteral("meta.app_secret"), tr("Meta app secret")},
        {QStringLiteral("meta.verify_token"), tr("Meta verify token")},
        {QStringLiteral("meta.page_access_token"), tr("Page access token")},
        {QStringLiteral("twilio.auth_token"), tr("Twilio auth token")},
        {QStringLiteral("thumbtack.username"), tr("Thumbtack user name")},
        {QStringLiteral("thumbtack.password"), tr("Thumbtack password")},
    };
}

QString ReceiverController::lookup(const QHash<QString, QString> &loaded, const QString &dottedName)
{
    if (dottedName == QLatin1String("leadads.access_token")
        || dottedName == QLatin1String("meta.access_token"))
        return loaded.value(QStringLiteral("meta.page_access_token"));
    return loaded.value(dottedName);
}

QHash<QString, QString> ReceiverController::loadSecrets(const Sync::SecretStore &store,
                                                        const QList<Core::Source> &sources)
{
    QHash<QString, QString> loaded;
    const QString name = QString::fromLatin1(ReceiverSecret::kName);
    for (const ReceiverSecret &secret : secrets()) {
        QString value;
        if (auto found = store.value(secret.kind(), name, secret.field()); found)
            value = *found;
        // A secret given to a source (leaddeskctl source add --secret) serves too.
        if (value.isEmpty())
            value = store.routeSecret(secret.dottedName, sources);
        if (value.isEmpty() && secret.dottedName == QLatin1String("meta.page_access_token"))
            value = store.routeSecret(QStringLiteral("meta.access_token"), sources);
        if (!value.isEmpty())
            loaded.insert(secret.dottedName, value);
    }
    return loaded;
}

QStringList ReceiverController::webhookUrls() const
{
    return m_host ? m_host->webhookUrls() : QStringList();
}

QLabel *ReceiverController::createStatusLabel(QWidget *parent)
{
    auto *label = new QLabel(parent);
    label->setObjectName(QStringLiteral("receiverStatusLabel"));
    const auto show = [label](State state, const QString &status) {
        label->setText(status);
        label->setStyleSheet(state == State::Failed ? QStringLiteral("color: #b3261e;")
                                                    : QString());
        label->setVisible(state != State::Stopped);
    };
    show(m_state, m_status);
    connect(this, &ReceiverController::stateChanged, label, show);
    connect(this, &ReceiverController::folderImportFinished, label,
            [label](const QString &file, bool ok, const QString &message) {
                label->setToolTip(ok ? tr("Imported %1").arg(file)
                                     : tr("Could not import %1: %2").arg(file, message));
            });
    return label;
}

QAction *ReceiverController::createSettingsAction(QWidget *window)
{
    auto *action = new QAction(tr("&Receiver…"), window);
    action->setObjectName(QStringLiteral("receiverSettingsAction"));
    action->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_W));
    connect(action, &QAction::triggered, this, [this, window] { showSettings(window); });
    return action;
}

void ReceiverController::showSettings(QWidget *window)
{
    if (auto *open = window->findChild<ReceiverSettingsDialog *>(); open) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto *dialog = new ReceiverSettingsDialog(*this, window);
    dialog->setObjectName(QStringLiteral("receiverSettingsDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void ReceiverController::load()
{
    const QString businessId = m_engine.business().id;
    const QString key = QString::fromLatin1(ReceiverSettings::kKey);
    auto future = m_engine.reader().submitValue<std::optional<QByteArray>>(
        [businessId, key](Core::Database &db) {
            return Core::SettingsRepository(db).value(businessId, key);
        });
    onResult(future, this, [this](const Core::Result<std::optional<QByteArray>> &stored) {
        if (!stored) {
            setState(State::Failed,
                     tr("Receiver settings unreadable: %1").arg(stored.error().toString()));
            return;
        }
        if (!stored->has_value())
            return; // never configured: off
        auto settings = ReceiverSettings::fromJson(**stored);
        if (!settings) {
            setState(State::Failed, settings.error().toString());
            return;
        }
        apply(*settings);
    });
}

void ReceiverController::apply(const ReceiverSettings &settings)
{
    const quint64 generation = ++m_generation;
    stopHost(); // no "off" in between: the dialog waits for the state after the restart
    m_settings = settings;
    if (!settings.enabled) {
        if (m_state != State::Stopped)
            setState(State::Stopped, tr("Receiver off"));
        return;
    }
    if (auto valid = settings.check(); !valid) {
        setState(State::Failed, tr("Receiver not started: %1").arg(valid.error().toString()));
        return;
    }
    setState(State::Starting, tr("Receiver starting…"));
    const QString businessId = m_engine.business().id;
    auto sources = m_engine.reader().submitValue<QList<Core::Source>>(
        [businessId](Core::Database &db) { return Core::SourceRepository(db).list(businessId); });
    onResult(sources, this, [this, generation](const Core::Result<QList<Core::Source>> &listed) {
        if (generation != m_generation)
            return;
        QList<Core::Source> list = listed ? *listed : QList<Core::Source>();
        // Keychain reads block on a local event loop: never on the GUI thread.
        auto loaded
            = QtConcurrent::run([store = m_secrets, list] { return loadSecrets(store, list); });
        onResult(loaded, this, [this, generation](const QHash<QString, QString> &secrets) {
            if (generation == m_generation)
                startHost(secrets);
        });
    });
}

void ReceiverController::startHost(QHash<QString, QString> loaded)
{
    Sync::ReceiverHost::Options options;
    options.http.address = QHostAddress(m_settings.address);
    options.http.port = m_settings.port;
    options.http.publicBaseUrl = trimmedUrl(m_settings.publicUrl);
    options.http.allowedOrigins = m_settings.allowedOrigins;
    options.checkSla = false; // the Engine runs its own SLA checks
    // The lookup runs on the receiver's thread: it only reads this map, never the keychain.
    auto secrets = std::make_shared<const QHash<QString, QString>>(std::move(loaded));
    m_host = std::make_unique<Sync::ReceiverHost>(
        m_engine.writer(), m_engine.reader(), m_engine.business(), m_engine.dataDir(),
        [secrets](const QString &name) { return lookup(*secrets, name); }, options);
    connect(m_host.get(), &Sync::ReceiverHost::folderImportFinished, this,
            &ReceiverController::folderImportFinished);
    auto started = m_host->start();
    if (!started) {
        m_host.reset();
        setState(State::Failed, tr("Receiver not started: %1").arg(started.error().toString()));
        return;
    }
    m_port = *started;
    setState(State::Running, tr("Receiving on :%1").arg(m_port));
}

void ReceiverController::stop()
{
    ++m_generation; // a start still loading its secrets does not happen
    stopHost();
    if (m_state != State::Stopped)
        setState(State::Stopped, tr("Receiver off"));
}

void ReceiverController::stopHost()
{
    if (m_host) {
        m_host->drain(kDrainMs);
        m_host->stop();
        m_host.reset();
    }
    m_port = 0;
}

void ReceiverController::setState(State state, const QString &status)
{
    m_state = state;
    m_status = status;
    Q_EMIT stateChanged(state, status);
}

} // namespace LeadDesk::Ui
