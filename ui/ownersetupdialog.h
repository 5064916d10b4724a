#pragma once

#include "user.h"

#include <QDialog>

#include <memory>

class QLabel;

// The form uic generates from ownersetupdialog.ui; named without its `Ui` namespace, which would
// clash with LeadDesk::Ui wherever both are visible.
class Ui_OwnerSetupDialog;

namespace LeadDesk::Sync {
class Engine;
}

namespace LeadDesk::Ui {

// First start: creates the business owner's account. The password policy is checked as the
// user types; the account is created on the store's writer thread (hashing takes a moment).
class OwnerSetupDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit OwnerSetupDialog(Sync::Engine &engine, QWidget *parent = nullptr);
    ~OwnerSetupDialog() override;
    Q_DISABLE_COPY_MOVE(OwnerSetupDialog)

    // The new owner, once the dialog was accepted.
    [[nodiscard]] const Core::User &user() const { return m_user; }
    [[nodiscard]] bool isBusy() const { return m_busy; }
    [[nodiscard]] bool canCreate() const;
    [[nodiscard]] QString policyText() const;
    [[nodiscard]] QString matchText() const;
    [[nodiscard]] QString errorText() const;

public Q_SLOTS:
    // Creates the owner; the dialog closes only when that succeeds.
    void accept() override;
    void reject() override;

Q_SIGNALS:
    void busyChanged(bool busy);
    void creationFailed(const QString &message);

private:
    void validate();
    void setBusy(bool busy);
    void showError(const QString &message);
    void setFeedback(QLabel *label, const QString &text, bool good);

    std::unique_ptr<Ui_OwnerSetupDialog> m_ui;
    Sync::Engine &m_engine;
    Core::User m_user;
    bool m_busy = false;
    bool m_valid = false;
    quint64 m_attempt = 0;
};

} // namespace LeadDesk::Ui
