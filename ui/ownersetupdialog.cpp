#include "ownersetupdialog.h"
#include "ui_ownersetupdialog.h"

#include "accountservice.h"
#include "engine.h"
#include "formatting.h"
#include "onresult.h"
#include "passwordpolicy.h"

#include <QPushButton>

namespace LeadDesk::Ui {

namespace {

const QString kGood = QStringLiteral("color: #1b7f3b;");
const QString kBad = QStringLiteral("color: #b3261e;");

bool looksLikeEmail(const QString &email)
{
    const qsizetype at = email.indexOf(QLatin1Char('@'));
    return at > 0 && at == email.lastIndexOf(QLatin1Char('@')) && at < email.size() - 1
           && !email.contains(QLatin1Char(' '));
}

} // namespace

OwnerSetupDialog::OwnerSetupDialog(Sync::Engine &engine, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui_OwnerSetupDialog>())
    , m_engine(engine)
{
    m_ui->setupUi(this);
    m_ui->introLabel->setText(
        tr("<b>Welcome to LeadDesk.</b><br/>Create the owner account for <b>%1</b>. The owner "
           "sees every lead and can add accounts for the team later.")
            .arg(engine.business().name.toHtmlEscaped()));
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setText(tr("Create Owner"));
    // Enter never cancels: Cancel must not become the default button when it gets the focus,
    // as it does when the busy dialog disables the button that had it.
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setDefault(true);
    m_ui->buttonBox->button(QDialogButtonBox::Cancel)->setAutoDefault(false);
    m_ui->errorLabel->setStyleSheet(kBad);
    m_ui->errorLabel->clear();
    m_ui->busyBar->setMaximumHeight(fontMetrics().height());
    m_ui->busyBar->hide();
    m_ui->busyLabel->hide();
    // Room for the feedback reserved up front, so the form does not jump while the user types.
    const int line = fontMetrics().lineSpacing();
    m_ui->policyLabel->setMinimumHeight(2 * line);
    m_ui->policyLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    m_ui->matchLabel->setMinimumHeight(line);
    m_ui->errorLabel->setMinimumHeight(2 * line);
    m_ui->errorLabel->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    setMinimumWidth(520);

    connect(m_ui->buttonBox, &QDialogButtonBox::accepted, this, &OwnerSetupDialog::accept);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &OwnerSetupDialog::reject);
    for (QLineEdit *edit : {m_ui->userNameEdit, m_ui->displayNameEdit, m_ui->emailEdit,
                            m_ui->passwordEdit, m_ui->confirmEdit}) {
        connect(edit, &QLineEdit::textChanged, this, &OwnerSetupDialog::validate);
    }
    m_ui->userNameEdit->setFocus();
    validate();
    adjustSize();
}

OwnerSetupDialog::~OwnerSetupDialog() = default;

bool OwnerSetupDialog::canCreate() const
{
    return m_valid && !m_busy;
}

QString OwnerSetupDialog::policyText() const
{
    return m_ui->policyLabel->text();
}

QString OwnerSetupDialog::matchText() const
{
    return m_ui->matchLabel->text();
}

QString OwnerSetupDialog::errorText() const
{
    return m_ui->errorLabel->text();
}

void OwnerSetupDialog::validate()
{
    const QString username = m_ui->userNameEdit->text().trimmed();
    const QString displayName = m_ui->displayNameEdit->text().trimmed();
    const QString email = m_ui->emailEdit->text().trimmed();
    const QString password = m_ui->passwordEdit->text();
    const QString confirmation = m_ui->confirmEdit->text();

    bool valid = true;
    // Only fields the user has typed in are complained about.
    QString problem;
    if (username.isEmpty()) {
        valid = false;
    } else if (auto ok = Core::AccountService::checkUsername(username); !ok) {
        valid = false;
        problem = tr("The user name %1.").arg(ok.error().message);
    }
    if (displayName.isEmpty())
        valid = false;
    if (!email.isEmpty() && !looksLikeEmail(email)) {
        valid = false;
        if (problem.isEmpty())
            problem = tr("“%1” is not an e-mail address.").arg(email);
    }

    if (password.isEmpty()) {
        valid = false;
        m_ui->policyLabel->setStyleSheet({});
        m_ui->policyLabel->setText(
            tr("At least %1 characters, not containing the user name, not a common password.")
                .arg(Core::PasswordPolicy::kMinLength));
    } else if (auto ok = Core::PasswordPolicy::check(username, password); !ok) {
        valid = false;
        setFeedback(m_ui->policyLabel, tr("✗ The password %1.").arg(ok.error().message), false);
    } else {
        setFeedback(m_ui->policyLabel, tr("✓ The password meets the policy."), true);
    }

    if (confirmation.isEmpty()) {
        valid = false;
        m_ui->matchLabel->clear();
    } else if (confirmation != password) {
        valid = false;
        setFeedback(m_ui->matchLabel, tr("✗ The passwords do not match."), false);
    } else {
        setFeedback(m_ui->matchLabel, tr("✓ The passwords match."), true);
    }

    if (!m_busy) {
        m_ui->errorLabel->setText(problem);
    }
    m_valid = valid;
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setEnabled(canCreate());
}

void OwnerSetupDialog::setFeedback(QLabel *label, const QString &text, bool good)
{
    label->setStyleSheet(good ? kGood : kBad);
    label->setText(text);
    label->show();
}

void OwnerSetupDialog::accept()
{
    validate();
    if (!canCreate())
        return;
    setBusy(true);
    const quint64 attempt = ++m_attempt;
    const QString businessId = m_engine.business().id;
    const QString username = m_ui->userNameEdit->text().trimmed();
    const QString displayName = m_ui->displayNameEdit->text().trimmed();
    const QString email = m_ui->emailEdit->text().trimmed();
    const QString password = m_ui->passwordEdit->text();
    const auto future = m_engine.writer().submitValue<Core::User>([=](Core::Database &db) {
        return Core::AccountService(db).createUser(businessId, username, displayName, password,
                                                   Core::Role::Owner, email);
    });
    onResult(future, this, [this, attempt](const Core::Result<Core::User> &created) {
        if (attempt != m_attempt)
            return;
        setBusy(false);
        if (!created) {
            const Core::Error &error = created.error();
            if (error.field == QLatin1String("username")) {
                showError(tr("The user name %1.").arg(error.message));
                m_ui->userNameEdit->setFocus();
            } else if (error.field == QLatin1String("email")) {
                showError(Formatting::sentence(error.message));
                m_ui->emailEdit->setFocus();
            } else if (error.field == QLatin1String("password")) {
                showError(tr("The password %1.").arg(error.message));
                m_ui->passwordEdit->setFocus();
            } else {
                showError(tr("The account could not be created: %1").arg(error.message));
            }
            return;
        }
        m_user = *created;
        QDialog::accept();
    });
}

void OwnerSetupDialog::reject()
{
    ++m_attempt;
    setBusy(false);
    QDialog::reject();
}

void OwnerSetupDialog::setBusy(bool busy)
{
    if (m_busy == busy)
        return;
    m_busy = busy;
    for (QLineEdit *edit : {m_ui->userNameEdit, m_ui->displayNameEdit, m_ui->emailEdit,
                            m_ui->passwordEdit, m_ui->confirmEdit}) {
        // Read-only rather than disabled, so the focus (and Enter) stays where it was.
        edit->setReadOnly(busy);
    }
    m_ui->busyBar->setVisible(busy);
    m_ui->busyLabel->setVisible(busy);
    if (busy)
        m_ui->errorLabel->clear();
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setEnabled(canCreate());
    Q_EMIT busyChanged(busy);
}

void OwnerSetupDialog::showError(const QString &message)
{
    m_ui->errorLabel->setText(message);
    Q_EMIT creationFailed(message);
}

} // namespace LeadDesk::Ui
