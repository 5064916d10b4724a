#include "signindialog.h"
#include "ui_signindialog.h"

#include "accountservice.h"
#include "demodatagenerator.h"
#include "engine.h"
#include "formatting.h"
#include "onresult.h"

#include <QDateTime>
#include <QPushButton>
#include <QSettings>

namespace LeadDesk::Ui {

namespace {

const QString kLastUserKey = QStringLiteral("SignIn/lastUser");

} // namespace

SignInDialog::SignInDialog(Sync::Engine &engine, bool demoMode, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui_SignInDialog>())
    , m_engine(engine)
{
    m_ui->setupUi(this);
    QFont titleFont = m_ui->titleLabel->font();
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.2);
    m_ui->titleLabel->setFont(titleFont);
    m_ui->titleLabel->setText(
        tr("Sign in to <b>%1</b>").arg(engine.business().name.toHtmlEscaped()));
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setText(tr("Sign In"));
    // Enter never cancels: Cancel must not become the default button when it gets the focus,
    // as it does when the busy dialog disables the button that had it.
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setDefault(true);
    m_ui->buttonBox->button(QDialogButtonBox::Cancel)->setAutoDefault(false);
    m_ui->errorLabel->setStyleSheet(QStringLiteral("color: #b3261e;"));
    m_ui->errorLabel->hide();
    m_ui->busyBar->setMaximumHeight(fontMetrics().height());
    m_ui->busyBar->hide();
    m_ui->busyLabel->hide();
    m_ui->demoBox->hide();
    m_ui->demoAccounts->setSelectionMode(QAbstractItemView::SingleSelection);

    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &SignInDialog::accept);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &SignInDialog::reject);
    connect(m_ui->userNameEdit, &QLineEdit::textChanged, this, &SignInDialog::updateSignInButton);
    connect(m_ui->passwordEdit, &QLineEdit::textChanged, this, &SignInDialog::updateSignInButton);
    connect(m_ui->demoAccounts, &QTreeWidget::currentItemChanged, this,
            [this](QTreeWidgetItem *item) {
                if (!item || m_busy)
                    return;
                m_ui->userNameEdit->setText(item->text(0));
                m_ui->passwordEdit->setText(item->text(1));
                m_ui->errorLabel->hide();
            });
    connect(m_ui->demoAccounts, &QTreeWidget::itemClicked, this, [this](QTreeWidgetItem *item) {
        if (item && !m_busy) {
            m_ui->userNameEdit->setText(item->text(0));
            m_ui->passwordEdit->setText(item->text(1));
        }
    });
    connect(m_ui->demoAccounts, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
        if (item && !m_busy) {
            m_ui->userNameEdit->setText(item->text(0));
            m_ui->passwordEdit->setText(item->text(1));
            accept();
        }
    });

    const QString lastUser = QSettings().value(kLastUserKey).toString();
    if (!lastUser.isEmpty()) {
        m_ui->userNameEdit->setText(lastUser);
        m_ui->passwordEdit->setFocus();
    } else {
        m_ui->userNameEdit->setFocus();
    }
    updateSignInButton();

    if (demoMode) {
        showDemoAccounts();
    } else {
        const QString businessId = engine.business().id;
        const auto future = m_engine.reader().submitValue<bool>(
            [businessId](Core::Database &db) -> Core::Result<bool> {
                return Core::DemoDataGenerator::isDemoStore(db, businessId);
            });
        onResult(future, this, [this](const Core::Result<bool> &isDemo) {
            if (isDemo && *isDemo)
                showDemoAccounts();
        });
    }
    setMinimumWidth(440);
    adjustSize();
}

SignInDialog::~SignInDialog() = default;

void SignInDialog::setUserName(const QString &username)
{
    m_ui->userNameEdit->setText(username);
    m_ui->passwordEdit->clear();
    m_ui->passwordEdit->setFocus();
}

QString SignInDialog::errorText() const
{
    return m_ui->errorLabel->isVisibleTo(this) ? m_ui->errorLabel->text() : QString();
}

bool SignInDialog::isDemoListShown() const
{
    return m_demoShown;
}

void SignInDialog::accept()
{
    if (m_busy)
        return;
    const QString username = m_ui->userNameEdit->text().trimmed();
    const QString password = m_ui->passwordEdit->text();
    if (username.isEmpty() || password.isEmpty()) {
        showError(username.isEmpty() ? tr("Enter your user name.") : tr("Enter your password."));
        (username.isEmpty() ? m_ui->userNameEdit : m_ui->passwordEdit)->setFocus();
        return;
    }
    setBusy(true);
    const quint64 attempt = ++m_attempt;
    const QString businessId = m_engine.business().id;
    using SignIn = Core::AccountService::SignInResult;
    const auto future = m_engine.writer().submitValue<SignIn>(
        [businessId, username, password](Core::Database &db) {
            return Core::Result<SignIn>(
                Core::AccountService(db).signIn(businessId, username, password));
        });
    onResult(future, this, [this, attempt, username](const Core::Result<SignIn> &outcome) {
        if (attempt != m_attempt)
            return; // the dialog was cancelled meanwhile
        setBusy(false);
        if (!outcome) {
            showError(tr("Signing in failed: %1").arg(outcome.error().message));
            return;
        }
        switch (outcome->error) {
        case Core::AccountService::SignInError::None:
            m_user = outcome->user;
            QSettings().setValue(kLastUserKey, username);
            m_ui->errorLabel->hide();
            QDialog::accept();
            return;
        case Core::AccountService::SignInError::Locked: {
            const QString until = QDateTime::fromMSecsSinceEpoch(outcome->lockedUntilMs)
                                      .toLocalTime()
                                      .toString(QStringLiteral("HH:mm"));
            showError(outcome->message.isEmpty()
                          ? tr("This account is locked after too many failed sign-ins. "
                               "Try again after %1.")
                                .arg(until)
                          : Formatting::sentence(outcome->message));
            break;
        }
        case Core::AccountService::SignInError::UnknownUserOrPassword:
            showError(outcome->message.isEmpty() ? tr("Wrong user name or password.")
                                                 : Formatting::sentence(outcome->message));
            break;
        }
        m_ui->passwordEdit->selectAll();
        m_ui->passwordEdit->setFocus();
    });
}

void SignInDialog::reject()
{
    ++m_attempt;
    setBusy(false);
    QDialog::reject();
}

void SignInDialog::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    // Read-only rather than disabled: a disabled field would lose the focus to the Cancel button,
    // which then becomes the default button, and the next Enter would cancel.
    m_ui->userNameEdit->setReadOnly(busy);
    m_ui->passwordEdit->setReadOnly(busy);
    m_ui->busyBar->setVisible(busy);
    m_ui->busyLabel->setVisible(busy);
    if (busy)
        m_ui->errorLabel->hide();
    updateSignInButton();
    Q_EMIT busyChanged(busy);
}

void SignInDialog::showError(const QString &message)
{
    m_ui->errorLabel->setText(message);
    m_ui->errorLabel->show();
    Q_EMIT signInFailed(message);
}

void SignInDialog::showDemoAccounts()
{
    if (m_demoShown)
        return;
    m_demoShown = true;
    for (const auto &account : Core::DemoDataGenerator::credentials()) {
        auto *item = new QTreeWidgetItem(m_ui->demoAccounts,
                                         {account.username, account.password, account.role});
        item->setToolTip(0, account.displayName);
    }
    for (int column = 0; column < m_ui->demoAccounts->columnCount(); ++column)
        m_ui->demoAccounts->resizeColumnToContents(column);
    const int rows = m_ui->demoAccounts->topLevelItemCount();
    const int rowHeight = m_ui->demoAccounts->sizeHintForRow(0);
    m_ui->demoAccounts->setFixedHeight(m_ui->demoAccounts->header()->sizeHint().height()
                                       + rows * rowHeight + 2 * m_ui->demoAccounts->frameWidth()
                                       + 4);
    m_ui->demoBox->show();
    adjustSize();
    Q_EMIT demoAccountsShown();
}

void SignInDialog::updateSignInButton()
{
    m_ui->buttonBox->button(QDialogButtonBox::Ok)
        ->setEnabled(!m_busy && !m_ui->userNameEdit->text().trimmed().isEmpty()
                     && !m_ui->passwordEdit->text().isEmpty());
}

} // namespace LeadDesk::Ui
