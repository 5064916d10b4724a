#include "engine.h"
#include "receivercontroller.h"
#include "receiversettingsdialog.h"
#include "secretstore.h"
#include "settingsrepository.h"
#include "testsupport.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTcpServer>
#include <QTest>
#include <QToolButton>

using namespace LeadDesk;
using Ui::ReceiverController;
using Ui::ReceiverSettings;
using Ui::ReceiverSettingsDialog;

namespace {

constexpr int kTimeoutMs = 20000;

// Secrets long and odd enough that finding them in a file is no accident.
const QString kAppSecret = QStringLiteral("meta-app-secret-7f3c9e1d2b4a");
const QString kAuthToken = QStringLiteral("twilio-auth-token-a91b2c3d4e5f");
const QString kPassword = QStringLiteral("thumbtack-pass-Zq8wX2vR");

quint16 freePort()
{
    QTcpServer probe;
    if (!probe.listen(QHostAddress::LocalHost, 0))
        return 0;
    return probe.serverPort();
}

QByteArray fileBytes(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

} // namespace

class TestReceiverSettingsDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void savesSettingsInTheStoreAndSecretsOutsideIt();
    void secretsAreReadBackAndClearedOnes();
    void showHideTogglesEcho();
    void badValuesAreRefused();
    void enablingListsTheWebhookUrls();
    // LEADDESK_SCREENSHOT=path: saves the dialog, receiving, as a PNG
    // (docs/screenshot-receiver.png).
    void screenshot();

private:
    std::unique_ptr<ReceiverSettingsDialog> openDialog()
    {
        auto dialog = std::make_unique<ReceiverSettingsDialog>(*m_controller);
        QSignalSpy loaded(dialog.get(), &ReceiverSettingsDialog::loaded);
        if (dialog->isBusy() && !loaded.wait(kTimeoutMs))
            return nullptr;
        return dialog;
    }
    bool saveAndWait(ReceiverSettingsDialog &dialog)
    {
        QSignalSpy saved(&dialog, &ReceiverSettingsDialog::saved);
        dialog.findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"))
            ->button(QDialogButtonBox::Save)
            ->click();
        return saved.count() > 0 || saved.wait(kTimeoutMs);
    }
    QByteArray storedDocument()
    {
        auto value = Core::SettingsRepository(m_store->db())
                         .value(m_store->businessId(), QString::fromLatin1(ReceiverSettings::kKey));
        return value && value->has_value() ? **value : QByteArray();
    }

    std::unique_ptr<Test::TempStore> m_store;
    std::unique_ptr<Sync::Engine> m_engine;
    std::unique_ptr<ReceiverController> m_controller;
    QString m_secretsPath;
};

void TestReceiverSettingsDialog::init()
{
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    m_engine = std::make_unique<Sync::Engine>();
    LD_VERIFY_OK(m_engine->open(m_store->dir()));
    // The app uses the keychain; the test has no Secret Service, so a secrets file stands in.
    m_secretsPath = QDir(m_store->dir()).filePath(QStringLiteral("secrets.json"));
    m_controller
        = std::make_unique<ReceiverController>(*m_engine, Sync::SecretStore::file(m_secretsPath));
}

void TestReceiverSettingsDialog::cleanup()
{
    m_controller.reset();
    m_engine.reset();
    m_store.reset();
}

void TestReceiverSettingsDialog::savesSettingsInTheStoreAndSecretsOutsideIt()
{
    auto dialog = openDialog();
    QVERIFY(dialog);
    QVERIFY(!dialog->isBusy());
    QVERIFY(dialog->secretEdit(QStringLiteral("meta.app_secret"))->text().isEmpty());
    QCOMPARE(dialog->secretEdit(QStringLiteral("meta.app_secret"))->echoMode(),
             QLineEdit::Password);

    dialog->enabledBox()->setChecked(false);
    dialog->addressEdit()->setText(QStringLiteral("0.0.0.0"));
    dialog->portSpin()->setValue(8181);
    dialog->publicUrlEdit()->setText(QStringLiteral("https://leads.example.com/"));
    dialog->originsEdit()->setText(
        QStringLiteral("https://www.example.com, https://shop.example.com/"));
    dialog->secretEdit(QStringLiteral("meta.app_secret"))->setText(kAppSecret);
    dialog->secretEdit(QStringLiteral("twilio.auth_token"))->setText(kAuthToken);
    dialog->secretEdit(QStringLiteral("thumbtack.password"))->setText(kPassword);
    QVERIFY(saveAndWait(*dialog));
    QVERIFY2(dialog->errorText().isEmpty(), qPrintable(dialog->errorText()));
    QVERIFY(!dialog->isBusy());

    // The non-secret settings, as a JSON document in the business settings.
    const QByteArray document = storedDocument();
    QVERIFY(!document.isEmpty());
    auto settings = ReceiverSettings::fromJson(document);
    LD_VERIFY_OK(settings);
    QCOMPARE(settings->enabled, false);
    QCOMPARE(settings->address, QStringLiteral("0.0.0.0"));
    QCOMPARE(settings->port, quint16(8181));
    QCOMPARE(settings->publicUrl, QStringLiteral("https://leads.example.com"));
    QCOMPARE(settings->allowedOrigins, QStringList({QStringLiteral("https://www.example.com"),
                                                    QStringLiteral("https://shop.example.com")}));
    QCOMPARE(m_controller->settings(), *settings);

    // No secret anywhere in the store's bytes (database and WAL).
    m_engine->writer().flush();
    for (const QString &suffix : {QString(), QStringLiteral("-wal")}) {
        const QByteArray bytes = fileBytes(m_store->path() + suffix);
        if (suffix.isEmpty())
            QVERIFY(!bytes.isEmpty());
        for (const QString &secret : {kAppSecret, kAuthToken, kPassword})
            QVERIFY2(!bytes.contains(secret.toUtf8()), qPrintable(suffix + " holds a secret"));
    }
    QVERIFY(!document.contains(kAppSecret.toUtf8()));

    // ...but in the secret store, under (kind, "receiver", field).
    const auto secrets = Sync::SecretStore::file(m_secretsPath);
    QCOMPARE(
        secrets
            .value(QStringLiteral("meta"), QStringLiteral("receiver"), QStringLiteral("app_secret"))
            .value_or(QString()),
        kAppSecret);
    QCOMPARE(secrets
                 .value(QStringLiteral("twilio"), QStringLiteral("receiver"),
                        QStringLiteral("auth_token"))
                 .value_or(QString()),
             kAuthToken);
    QCOMPARE(secrets
                 .value(QStringLiteral("thumbtack"), QStringLiteral("receiver"),
                        QStringLiteral("password"))
                 .value_or(QString()),
             kPassword);
    QVERIFY(!secrets.contains(QStringLiteral("meta"), QStringLiteral("receiver"),
                              QStringLiteral("verify_token")));

    // What the controller hands the receiver: the same secrets, from memory.
    const auto loaded = ReceiverController::loadSecrets(secrets, {});
    QCOMPARE(ReceiverController::lookup(loaded, QStringLiteral("meta.app_secret")), kAppSecret);
    QCOMPARE(ReceiverController::lookup(loaded, QStringLiteral("twilio.auth_token")), kAuthToken);
    QVERIFY(ReceiverController::lookup(loaded, QStringLiteral("meta.verify_token")).isEmpty());
}

void TestReceiverSettingsDialog::secretsAreReadBackAndClearedOnes()
{
    {
        auto dialog = openDialog();
        QVERIFY(dialog);
        dialog->secretEdit(QStringLiteral("meta.verify_token"))->setText(QStringLiteral("vt-123"));
        dialog->secretEdit(QStringLiteral("meta.page_access_token"))
            ->setText(QStringLiteral("EAAB-page-token"));
        QVERIFY(saveAndWait(*dialog));
    }
    {
        auto dialog = openDialog();
        QVERIFY(dialog);
        QCOMPARE(dialog->secretEdit(QStringLiteral("meta.verify_token"))->text(),
                 QStringLiteral("vt-123"));
        QCOMPARE(dialog->secretEdit(QStringLiteral("meta.page_access_token"))->text(),
                 QStringLiteral("EAAB-page-token"));
        dialog->secretEdit(QStringLiteral("meta.verify_token"))->clear();
        QVERIFY(saveAndWait(*dialog));
    }
    const auto secrets = Sync::SecretStore::file(m_secretsPath);
    QVERIFY(secrets
                .value(QStringLiteral("meta"), QStringLiteral("receiver"),
                       QStringLiteral("verify_token"))
                .value_or(QString())
                .isEmpty());
    const auto loaded = ReceiverController::loadSecrets(secrets, {});
    QVERIFY(!loaded.contains(QStringLiteral("meta.verify_token")));
    // The Lead Ads poller asks for the page token by its source field name.
    QCOMPARE(ReceiverController::lookup(loaded, QStringLiteral("leadads.access_token")),
             QStringLiteral("EAAB-page-token"));
}

void TestReceiverSettingsDialog::showHideTogglesEcho()
{
    auto dialog = openDialog();
    QVERIFY(dialog);
    QLineEdit *edit = dialog->secretEdit(QStringLiteral("twilio.auth_token"));
    QToolButton *show = dialog->showButton(QStringLiteral("twilio.auth_token"));
    QVERIFY(edit && show);
    QCOMPARE(edit->echoMode(), QLineEdit::Password);
    show->click();
    QCOMPARE(edit->echoMode(), QLineEdit::Normal);
    QCOMPARE(show->text(), QStringLiteral("Hide"));
    show->click();
    QCOMPARE(edit->echoMode(), QLineEdit::Password);
    // The others stay hidden.
    QCOMPARE(dialog->secretEdit(QStringLiteral("meta.app_secret"))->echoMode(),
             QLineEdit::Password);
}

void TestReceiverSettingsDialog::badValuesAreRefused()
{
    auto dialog = openDialog();
    QVERIFY(dialog);
    dialog->addressEdit()->setText(QStringLiteral("not-an-address"));
    QSignalSpy saved(dialog.get(), &ReceiverSettingsDialog::saved);
    dialog->save();
    QVERIFY(dialog->errorText().contains(QStringLiteral("not-an-address")));
    QVERIFY(!dialog->isBusy());
    QCOMPARE(saved.count(), 0);

    dialog->addressEdit()->setText(QStringLiteral("127.0.0.1"));
    dialog->publicUrlEdit()->setText(QStringLiteral("leads.example.com"));
    dialog->save();
    QVERIFY(dialog->errorText().contains(QStringLiteral("public URL")));

    dialog->publicUrlEdit()->clear();
    dialog->originsEdit()->setText(QStringLiteral("example.com"));
    dialog->save();
    QVERIFY(dialog->errorText().contains(QStringLiteral("example.com")));
    QTest::qWait(50);
    QCOMPARE(saved.count(), 0);
    QVERIFY(storedDocument().isEmpty());
}

void TestReceiverSettingsDialog::enablingListsTheWebhookUrls()
{
    const quint16 port = freePort();
    QVERIFY(port != 0);
    auto dialog = openDialog();
    QVERIFY(dialog);
    QVERIFY(dialog->urlsText()->toPlainText().isEmpty());
    QVERIFY(!dialog->copyButton()->isEnabled());
    dialog->enabledBox()->setChecked(true);
    dialog->addressEdit()->setText(QStringLiteral("127.0.0.1"));
    dialog->portSpin()->setValue(port);
    dialog->publicUrlEdit()->setText(QStringLiteral("https://leads.example.com"));
    QVERIFY(saveAndWait(*dialog));
    QCOMPARE(m_controller->state(), ReceiverController::State::Running);
    QCOMPARE(m_controller->port(), port);
    QVERIFY2(dialog->statusText().contains(QString::number(port)),
             qPrintable(dialog->statusText()));
    const QString urls = dialog->urlsText()->toPlainText();
    QVERIFY2(!urls.isEmpty(), qPrintable(dialog->statusText()));
    QVERIFY2(urls.contains(QStringLiteral("https://leads.example.com/")), qPrintable(urls));
    QVERIFY(dialog->copyButton()->isEnabled());
    dialog->copyButton()->click();
    QCOMPARE(QApplication::clipboard()->text(), urls);

    // Turning it off stops it and empties the list.
    dialog->enabledBox()->setChecked(false);
    QVERIFY(saveAndWait(*dialog));
    QCOMPARE(m_controller->state(), ReceiverController::State::Stopped);
    QVERIFY(dialog->urlsText()->toPlainText().isEmpty());
}

void TestReceiverSettingsDialog::screenshot()
{
    const QString path = qEnvironmentVariable("LEADDESK_SCREENSHOT");
    if (path.isEmpty())
        QSKIP("set LEADDESK_SCREENSHOT to a PNG path");
    const quint16 port = freePort();
    auto dialog = openDialog();
    QVERIFY(dialog);
    dialog->enabledBox()->setChecked(true);
    dialog->addressEdit()->setText(QStringLiteral("127.0.0.1"));
    dialog->portSpin()->setValue(port);
    dialog->publicUrlEdit()->setText(QStringLiteral("https://leads.example.com"));
    dialog->originsEdit()->setText(QStringLiteral("https://www.example.com"));
    dialog->secretEdit(QStringLiteral("meta.app_secret"))->setText(kAppSecret);
    dialog->secretEdit(QStringLiteral("meta.verify_token"))->setText(QStringLiteral("verify-me"));
    dialog->secretEdit(QStringLiteral("twilio.auth_token"))->setText(kAuthToken);
    dialog->showButton(QStringLiteral("meta.verify_token"))->click();
    QVERIFY(saveAndWait(*dialog));
    dialog->show();
    QVERIFY(QTest::qWaitForWindowExposed(dialog.get()));
    QTest::qWait(100);
    QVERIFY(dialog->grab().save(path));
}

QTEST_MAIN(TestReceiverSettingsDialog)
#include "tst_receiversettingsdialog.moc"
