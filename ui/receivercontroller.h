#pragma once

#include "result.h"
#include "secretstore.h"
#include "sourcerepository.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>
#include <QStringList>

#include <memory>

class QAction;
class QLabel;
class QWidget;

namespace LeadDesk::Sync {
class Engine;
class ReceiverHost;
} // namespace LeadDesk::Sync

namespace LeadDesk::Ui {

// The desktop receiver's non-secret settings: the business settings document
// "receiver.settings". Secrets never go in it (they are in the keychain, see ReceiverSecret).
struct ReceiverSettings
{
    static constexpr auto kKey = "receiver.settings";

    bool enabled = false;
    QString address = QStringLiteral("127.0.0.1");
    quint16 port = 8080;
    QString publicUrl; // how senders reach us behind a proxy (Twilio signs this URL); may be empty
    QStringList allowedOrigins;

    [[nodiscard]] QByteArray toJson() const;
    // Missing keys keep their defaults; a document that is not a JSON object is an error.
    [[nodiscard]] static Core::Result<ReceiverSettings> fromJson(const QByteArray &json);
    // The first problem with the values (field names as in the JSON), or nothing.
    [[nodiscard]] Core::Result<void> check() const;
    bool operator==(const ReceiverSettings &) const = default;
};

// One secret a receiver route reads, by its RouteEnvironment name ("meta.app_secret"). The
// desktop keeps it in the SecretStore as (kind = the part before the dot, name "receiver",
// field = the part after it), so it needs no source row.
struct ReceiverSecret
{
    QString dottedName;
    QString label;

    [[nodiscard]] QString kind() const { return dottedName.section(QLatin1Char('.'), 0, 0); }
    [[nodiscard]] QString field() const { return dottedName.section(QLatin1Char('.'), 1); }
    static constexpr auto kName = "receiver";
};

// Runs the HTTP receiver inside the desktop app when the business enables it (Settings ›
// Receiver…): loads the settings document, loads the secrets off the GUI thread (keychain calls
// block), then starts a Sync::ReceiverHost on the engine's writer and reader. Restarts on
// apply(), drains on stop() and on destruction.
class ReceiverController final : public QObject
{
    Q_OBJECT
public:
    enum class State { Stopped, Starting, Running, Failed };

    // `secrets`: SecretStore::keychain(businessId) in the app; tests give a file store.
    ReceiverController(Sync::Engine &engine, Sync::SecretStore secrets, QObject *parent = nullptr);
    ~ReceiverController() override;
    Q_DISABLE_COPY_MOVE(ReceiverController)

    // Every secret the dialog offers, in display order.
    [[nodiscard]] static QList<ReceiverSecret> secrets();
    // A route's secret from the loaded map; "leadads.access_token" and "meta.access_token" are
    // the page access token under other names.
    [[nodiscard]] static QString lookup(const QHash<QString, QString> &loaded,
                                        const QString &dottedName);
    // Reads every secret (and, for those not set, the sources' own via routeSecret). Blocks:
    // call it off the GUI thread.
    [[nodiscard]] static QHash<QString, QString> loadSecrets(const Sync::SecretStore &store,
                                                             const QList<Core::Source> &sources);

    [[nodiscard]] const Sync::SecretStore &secretStore() const { return m_secrets; }
    [[nodiscard]] Sync::Engine &engine() const { return m_engine; }
    [[nodiscard]] const ReceiverSettings &settings() const { return m_settings; }
    [[nodiscard]] State state() const { return m_state; }
    [[nodiscard]] QString statusText() const { return m_status; }
    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QStringList webhookUrls() const;

    // A label for the status bar that follows statusText() (hidden while the receiver is off).
    [[nodiscard]] QLabel *createStatusLabel(QWidget *parent);
    // Settings › Receiver… (Ctrl+Shift+W): opens the settings dialog over `window`.
    [[nodiscard]] QAction *createSettingsAction(QWidget *window);

public Q_SLOTS:
    // Reads the stored settings and applies them (the app calls it once, at start).
    void load();
    // Stops the receiver if it runs and, if `settings` enable it, starts it again with them.
    void apply(const LeadDesk::Ui::ReceiverSettings &settings);
    // Drains and stops the receiver (blocks up to a few seconds for requests in flight).
    void stop();
    void showSettings(QWidget *window);

Q_SIGNALS:
    void stateChanged(LeadDesk::Ui::ReceiverController::State state, const QString &status);
    // A file from a watched folder was imported (or not).
    void folderImportFinished(const QString &file, bool ok, const QString &message);

private:
    void startHost(QHash<QString, QString> loaded);
    void stopHost();
    void setState(State state, const QString &status);

    Sync::Engine &m_engine;
    Sync::SecretStore m_secrets;
    ReceiverSettings m_settings;
    std::unique_ptr<Sync::ReceiverHost> m_host;
    State m_state = State::Stopped;
    QString m_status;
    quint16 m_port = 0;
    quint64 m_generation = 0; // each apply()'s number: an older one's late secrets are dropped
};

} // namespace LeadDesk::Ui
