#include "receiversettingsdialog.h"
#include "ui_receiversettingsdialog.h"

#include "engine.h"
#include "onresult.h"
#include "settingsrepository.h"

#include <QApplication>
#include <QClipboard>
#include <QDateTime>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QPushButton>
#include <QRegularExpression>
#include <QToolButton>
#include <QtConcurrent/QtConcurrentRun>

namespace LeadDesk::Ui {

namespace {

const QString kBad = QStringLiteral("color: #b3261e;");

QStringList splitOrigins(const QString &text)
{
    QStringList origins;
    for (QString origin :
         text.split(QRegularExpression(QStringLiteral("[,\\s]+")), Qt::SkipEmptyParts)) {
        while (origin.endsWith(QLatin1Char('/')))
            origin.chop(1);
        if (!origin.isEmpty() && !origins.contains(origin))
            origins << origin;
    }
    return origins;
}

} // namespace

ReceiverSettingsDialog::ReceiverSettingsDialog(ReceiverController &controller, QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui_ReceiverSettingsDialog>())
    , m_controller(controller)
{
    m_ui->setupUi(this);
    m_ui->introLabel->setText(
        tr("While LeadDesk runs, this computer can receive leads itself: campaign forms, the "
           "chatbot and the Meta, Twilio and Thumbtack webhooks. Senders must be able to reach "
           "it; behind a proxy or tunnel, give the address they use as the public URL."));
    m_ui->errorLabel->setStyleSheet(kBad);
    m_ui->errorLabel->hide();
    m_ui->busyBar->setMaximumHeight(fontMetrics().height());
    m_ui->busyBar->setMaximumWidth(120);
    m_ui->busyBar->hide();
    m_ui->busyLabel->hide();
    // Room for every route's URL (ten or so) without scrolling; the list takes any extra height.
    m_ui->urlsText->setMinimumHeight(11 * fontMetrics().lineSpacing());
    m_ui->mainLayout->setStretchFactor(m_ui->urlsBox, 1);
    m_ui->urlsText->setPlaceholderText(tr("Save with receiving on to see the URLs."));
    m_ui->originsEdit->setToolTip(
        tr("Web pages (origins) whose forms may post to this computer, separated by commas; * "
           "allows any."));
    m_ui->publicUrlEdit->setToolTip(
        tr("Twilio signs the URL it calls: behind a proxy, LeadDesk checks signatures against "
           "this address."));
    QPushButton *saveButton = m_ui->buttonBox->button(QDialogButtonBox::Save);
    saveButton->setDefault(true);
    m_ui->buttonBox->button(QDialogButtonBox::Close)->setAutoDefault(false);

    // One password field per secret, each with its own Show button.
    for (const ReceiverSecret &secret : ReceiverController::secrets()) {
        auto *edit = new QLineEdit(m_ui->secretsBox);
        edit->setObjectName(secret.dottedName);
        edit->setEchoMode(QLineEdit::Password);
        edit->setPlaceholderText(tr("not set"));
        edit->setClearButtonEnabled(true);
        auto *show = new QToolButton(m_ui->secretsBox);
        show->setObjectName(secret.dottedName + QStringLiteral(".show"));
        show->setText(tr("Show"));
        show->setCheckable(true);
        show->setFocusPolicy(Qt::NoFocus);
        show->setAccessibleName(tr("Show %1").arg(secret.label));
        connect(show, &QToolButton::toggled, edit, [edit, show](bool shown) {
            edit->setEchoMode(shown ? QLineEdit::Normal : QLineEdit::Password);
            show->setText(shown ? tr("Hide") : tr("Show"));
        });
        auto *row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(show);
        m_ui->secretsLayout->addRow(secret.label + QLatin1Char(':'), row);
        m_secretEdits.insert(secret.dottedName, edit);
        m_showButtons.insert(secret.dottedName, show);
    }
    // The Meta and Thumbtack names in the form labels stay readable when the dialog is narrow.
    m_ui->secretsLayout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    m_ui->listenLayout->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);

    connect(m_ui->buttonBox->button(QDialogButtonBox::Save), &QPushButton::clicked, this,
            &ReceiverSettingsDialog::save);
    connect(m_ui->buttonBox, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_ui->copyButton, &QPushButton::clicked, this, &ReceiverSettingsDialog::copyUrls);
    connect(&m_controller, &ReceiverController::stateChanged, this,
            [this](ReceiverController::State state) {
                showStatus();
                if (m_waitingForRestart && state != ReceiverController::State::Starting) {
                    m_waitingForRestart = false;
                    setBusy(false);
                    Q_EMIT saved();
                }
            });

    showSettings(m_controller.settings());
    showStatus();
    loadSecrets();
}

ReceiverSettingsDialog::~ReceiverSettingsDialog() = default;

ReceiverSettings ReceiverSettingsDialog::settings() const
{
    ReceiverSettings settings;
    settings.enabled = m_ui->enabledBox->isChecked();
    settings.address = m_ui->addressEdit->text().trimmed();
    if (settings.address.isEmpty())
        settings.address = m_ui->addressEdit->placeholderText();
    settings.port = quint16(m_ui->portSpin->value());
    settings.publicUrl = m_ui->publicUrlEdit->text().trimmed();
    while (settings.publicUrl.endsWith(QLatin1Char('/')))
        settings.publicUrl.chop(1);
    settings.allowedOrigins = splitOrigins(m_ui->originsEdit->text());
    return settings;
}

QCheckBox *ReceiverSettingsDialog::enabledBox() const
{
    return m_ui->enabledBox;
}

QLineEdit *ReceiverSettingsDialog::addressEdit() const
{
    return m_ui->addressEdit;
}

QSpinBox *ReceiverSettingsDialog::portSpin() const
{
    return m_ui->portSpin;
}

QLineEdit *ReceiverSettingsDialog::publicUrlEdit() const
{
    return m_ui->publicUrlEdit;
}

QLineEdit *ReceiverSettingsDialog::originsEdit() const
{
    return m_ui->originsEdit;
}

QPlainTextEdit *ReceiverSettingsDialog::urlsText() const
{
    return m_ui->urlsText;
}

QPushButton *ReceiverSettingsDialog::copyButton() const
{
    return m_ui->copyButton;
}

QLineEdit *ReceiverSettingsDialog::secretEdit(const QString &dottedName) const
{
    return m_secretEdits.value(dottedName);
}

QToolButton *ReceiverSettingsDialog::showButton(const QString &dottedName) const
{
    return m_showButtons.value(dottedName);
}

QString ReceiverSettingsDialog::errorText() const
{
    return m_ui->errorLabel->isHidden() ? QString() : m_ui->errorLabel->text();
}

QString ReceiverSettingsDialog::statusText() const
{
    return m_ui->statusLabel->text();
}

void ReceiverSettingsDialog::showSettings(const ReceiverSettings &settings)
{
    m_ui->enabledBox->setChecked(settings.enabled);
    m_ui->addressEdit->setText(settings.address);
    m_ui->portSpin->setValue(settings.port);
    m_ui->publicUrlEdit->setText(settings.publicUrl);
    m_ui->originsEdit->setText(settings.allowedOrigins.join(QStringLiteral(", ")));
}

void ReceiverSettingsDialog::showStatus()
{
    QString status;
    switch (m_controller.state()) {
    case ReceiverController::State::Stopped:
        status = tr("Not receiving on this computer.");
        break;
    case ReceiverController::State::Starting:
        status = tr("Starting…");
        break;
    case ReceiverController::State::Running:
        status = tr("Receiving on port %1. Paste these URLs into each provider's webhook "
                    "settings:")
                     .arg(m_controller.port());
        break;
    case ReceiverController::State::Failed:
        status = m_controller.statusText();
        break;
    }
    m_ui->statusLabel->setText(status);
    m_ui->statusLabel->setStyleSheet(
        m_controller.state() == ReceiverController::State::Failed ? kBad : QString());
    const QStringList urls = m_controller.webhookUrls();
    m_ui->urlsText->setPlainText(urls.join(QLatin1Char('\n')));
    m_ui->copyButton->setEnabled(!urls.isEmpty());
}

void ReceiverSettingsDialog::loadSecrets()
{
    setBusy(true, tr("Reading the keychain…"));
    auto future = QtConcurrent::run([store = m_controller.secretStore()] {
        QHash<QString, QString> stored;
        const QString name = QString::fromLatin1(ReceiverSecret::kName);
        for (const ReceiverSecret &secret : ReceiverController::secrets())
            if (auto value = store.value(secret.kind(), name, secret.field()); value)
                stored.insert(secret.dottedName, *value);
        return stored;
    });
    onResult(future, this, [this](const QHash<QString, QString> &stored) {
        m_storedSecrets = stored;
        for (auto it = m_secretEdits.begin(); it != m_secretEdits.end(); ++it)
            it.value()->setText(stored.value(it.key()));
        setBusy(false);
        Q_EMIT loaded();
    });
}

void ReceiverSettingsDialog::save()
{
    if (m_busy)
        return;
    const ReceiverSettings wanted = settings();
    if (auto valid = wanted.check(); !valid) {
        showError(valid.error().toString());
        return;
    }
    m_ui->errorLabel->hide();

    // Only what changed goes to the keychain.
    QHash<QString, QString> changed;
    for (auto it = m_secretEdits.begin(); it != m_secretEdits.end(); ++it) {
        const QString text = it.value()->text().trimmed();
        if (text != m_storedSecrets.value(it.key()))
            changed.insert(it.key(), text);
    }
    setBusy(true, tr("Saving…"));
    auto future = QtConcurrent::run([store = m_controller.secretStore(), changed]() mutable {
        const QString name = QString::fromLatin1(ReceiverSecret::kName);
        for (auto it = changed.cbegin(); it != changed.cend(); ++it) {
            const ReceiverSecret secret{it.key(), {}};
            // A cleared field is stored empty (read as "not set"): removeAll() would take the
            // other fields of the same kind with it in a secrets file.
            const Core::Result<void> stored
                = store.setValue(secret.kind(), name, secret.field(), it.value());
            if (!stored)
                return stored;
        }
        return Core::Result<void>();
    });
    onResult(future, this, [this, changed, wanted](const Core::Result<void> &stored) {
        if (!stored) {
            setBusy(false);
            showError(tr("Secrets not saved: %1").arg(stored.error().toString()));
            Q_EMIT saveFailed(stored.error().toString());
            return;
        }
        for (auto it = changed.cbegin(); it != changed.cend(); ++it)
            m_storedSecrets.insert(it.key(), it.value());
        saveSettingsDocument(wanted);
    });
}

void ReceiverSettingsDialog::saveSettingsDocument(const ReceiverSettings &settings)
{
    Sync::Engine &engine = m_controller.engine();
    const QString businessId = engine.business().id;
    const QByteArray document = settings.toJson();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto future = engine.writer().submit([businessId, document, now](Core::Database &db) {
        return Core::SettingsRepository(db).setValue(
            businessId, QString::fromLatin1(ReceiverSettings::kKey), document, now);
    });
    onResult(future, this, [this, settings](const Core::Result<void> &stored) {
        if (!stored) {
            setBusy(false);
            showError(tr("Settings not saved: %1").arg(stored.error().toString()));
            Q_EMIT saveFailed(stored.error().toString());
            return;
        }
        setBusy(true,
                settings.enabled ? tr("Starting the receiver…") : tr("Stopping the receiver…"));
        m_waitingForRestart = true;
        m_controller.apply(settings);
        // Off, or refused at once: apply() has already said so.
        if (m_waitingForRestart && m_controller.state() != ReceiverController::State::Starting) {
            m_waitingForRestart = false;
            setBusy(false);
            showStatus();
            Q_EMIT saved();
        }
    });
}

void ReceiverSettingsDialog::copyUrls()
{
    const QString urls = m_ui->urlsText->toPlainText();
    if (!urls.isEmpty())
        QApplication::clipboard()->setText(urls);
}

void ReceiverSettingsDialog::setBusy(bool busy, const QString &what)
{
    m_busy = busy;
    m_ui->busyBar->setVisible(busy);
    m_ui->busyLabel->setVisible(busy);
    m_ui->busyLabel->setText(what);
    for (QWidget *widget :
         {static_cast<QWidget *>(m_ui->enabledBox), static_cast<QWidget *>(m_ui->listenBox),
          static_cast<QWidget *>(m_ui->secretsBox)})
        widget->setEnabled(!busy);
    m_ui->buttonBox->button(QDialogButtonBox::Save)->setEnabled(!busy);
}

void ReceiverSettingsDialog::showError(const QString &message)
{
    m_ui->errorLabel->setText(message);
    m_ui->errorLabel->setVisible(!message.isEmpty());
}

} // namespace LeadDesk::Ui
