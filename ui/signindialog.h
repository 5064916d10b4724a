#pragma once

#include "user.h"

#include <QDialog>

#include <memory>

// The form uic generates from signindialog.ui; named without its `Ui` namespace, which would
// clash with LeadDesk::Ui wherever both are visible.
class Ui_SignInDialog;

namespace LeadDesk::Sync {
class Engine;
}

namespace LeadDesk::Ui {

// Asks for a user name and password and signs in on the store's writer thread (a sign-in
// writes failure counters and the lock-out). The dialog stays responsive while the password
// hash is checked; wrong passwords and lock-outs are shown inline. On demo data it lists the
// demo accounts, and clicking one fills in the fields.
class SignInDialog final : public QDialog
{
    Q_OBJECT
public:
    // With `demoMode` the demo accounts are listed at once; otherwise they are listed when the
    // store turns out to hold demo data.
    explicit SignInDialog(Sync::Engine &engine, bool demoMode = false, QWidget *parent = nullptr);
    ~SignInDialog() override;
    Q_DISABLE_COPY_MOVE(SignInDialog)

    // Fills in the user name and puts the cursor in the password field.
    void setUserName(const QString &username);

    // The signed-in user, once the dialog was accepted.
    [[nodiscard]] const Core::User &user() const { return m_user; }
    [[nodiscard]] bool isBusy() const { return m_busy; }
    [[nodiscard]] QString errorText() const;
    [[nodiscard]] bool isDemoListShown() const;

public Q_SLOTS:
    // Signs in; the dialog closes only when that succeeds.
    void accept() override;
    void reject() override;

Q_SIGNALS:
    void busyChanged(bool busy);
    void signInFailed(const QString &message);
    void demoAccountsShown();

private:
    void setBusy(bool busy);
    void showError(const QString &message);
    void showDemoAccounts();
    void updateSignInButton();

    std::unique_ptr<Ui_SignInDialog> m_ui;
    Sync::Engine &m_engine;
    Core::User m_user;
    bool m_busy = false;
    bool m_demoShown = false;
    quint64 m_attempt = 0;
};

} // namespace LeadDesk::Ui
