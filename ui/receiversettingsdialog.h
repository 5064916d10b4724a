#pragma once

#include "receivercontroller.h"

#include <QDialog>
#include <QHash>

#include <memory>

class QCheckBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;
class QToolButton;
// The form uic generates from receiversettingsdialog.ui (see OwnerSetupDialog for the naming).
class Ui_ReceiverSettingsDialog;

namespace LeadDesk::Ui {

// Settings › Receiver…: whether this computer receives webhooks, where it listens, the public
// URL and allowed origins (the business settings document "receiver.settings"), and the
// channels' secrets (the controller's SecretStore - the keychain in the app - never the store).
// Keychain reads and writes run off the GUI thread while the dialog shows itself busy. After a
// save the receiver restarts and the dialog lists the webhook URLs to paste into each provider.
class ReceiverSettingsDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit ReceiverSettingsDialog(ReceiverController &controller, QWidget *parent = nullptr);
    ~ReceiverSettingsDialog() override;
    Q_DISABLE_COPY_MOVE(ReceiverSettingsDialog)

    // The settings as the widgets have them.
    [[nodiscard]] ReceiverSettings settings() const;

    [[nodiscard]] QCheckBox *enabledBox() const;
    [[nodiscard]] QLineEdit *addressEdit() const;
    [[nodiscard]] QSpinBox *portSpin() const;
    [[nodiscard]] QLineEdit *publicUrlEdit() const;
    [[nodiscard]] QLineEdit *originsEdit() const;
    // The password field of a secret by its dotted name ("twilio.auth_token").
    [[nodiscard]] QLineEdit *secretEdit(const QString &dottedName) const;
    [[nodiscard]] QToolButton *showButton(const QString &dottedName) const;
    [[nodiscard]] QPlainTextEdit *urlsText() const;
    [[nodiscard]] QPushButton *copyButton() const;
    [[nodiscard]] QString errorText() const;
    [[nodiscard]] QString statusText() const;
    [[nodiscard]] bool isBusy() const { return m_busy; }

public Q_SLOTS:
    // Saves the secrets, then the settings, then restarts the receiver; the dialog stays open
    // to show the webhook URLs.
    void save();
    void copyUrls();

Q_SIGNALS:
    // The secrets were read and shown.
    void loaded();
    // Saved and the receiver restarted (or stopped, or failed to start: see statusText()).
    void saved();
    void saveFailed(const QString &message);

private:
    void loadSecrets();
    void saveSettingsDocument(const ReceiverSettings &settings);
    void showSettings(const ReceiverSettings &settings);
    void showStatus();
    void setBusy(bool busy, const QString &what = {});
    void showError(const QString &message);

    std::unique_ptr<Ui_ReceiverSettingsDialog> m_ui;
    ReceiverController &m_controller;
    QHash<QString, QLineEdit *> m_secretEdits;
    QHash<QString, QToolButton *> m_showButtons;
    QHash<QString, QString> m_storedSecrets; // as read from the store, to write only changes
    bool m_busy = false;
    bool m_waitingForRestart = false;
};

} // namespace LeadDesk::Ui
