#include "accountservice.h"
#include "demodatagenerator.h"
#include "engine.h"
#include "signindialog.h"
#include "testsupport.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <memory>

using namespace LeadDesk;
using Ui::SignInDialog;

namespace {

constexpr int kTimeoutMs = 15000;
const QString kPassword = QStringLiteral("Harbour-Lights-7291");

struct Fields
{
    QLineEdit *userName = nullptr;
    QLineEdit *password = nullptr;
    QPushButton *signIn = nullptr;
    QLabel *error = nullptr;
    QTreeWidget *demoAccounts = nullptr;
};

Fields fieldsOf(SignInDialog &dialog)
{
    Fields f;
    f.userName = dialog.findChild<QLineEdit *>(QStringLiteral("userNameEdit"));
    f.password = dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    f.signIn = dialog.findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"))
                   ->button(QDialogButtonBox::Ok);
    f.error = dialog.findChild<QLabel *>(QStringLiteral("errorLabel"));
    f.demoAccounts = dialog.findChild<QTreeWidget *>(QStringLiteral("demoAccounts"));
    return f;
}

void type(QLineEdit *edit, const QString &text)
{
    edit->clear();
    QTest::keyClicks(edit, text);
}

} // namespace

class TestSignInDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void rightPasswordSignsIn();
    void wrongPasswordShowsInlineError();
    void lockOutAfterFiveFailures();
    void emptyFieldsDisableSignIn();
    void demoModeListsAccountsAndFillsFields();
    void demoStoreIsDetected();
    void plainStoreListsNoDemoAccounts();
    void rememberedUserName();

private:
    void createUser(const QString &username, const QString &displayName, Core::Role role);
    void attempt(SignInDialog &dialog, const QString &username, const QString &password);

    QTemporaryDir m_settingsDir;
    std::unique_ptr<Test::TempStore> m_store;
    std::unique_ptr<Sync::Engine> m_engine;
};

void TestSignInDialog::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    createUser(QStringLiteral("alex"), QStringLiteral("Alex Rivera"), Core::Role::Rep);
    createUser(QStringLiteral("blake"), QStringLiteral("Blake Chen"), Core::Role::Admin);
    createUser(QStringLiteral("casey"), QStringLiteral("Casey Moore"), Core::Role::Rep);
    m_engine = std::make_unique<Sync::Engine>();
    auto opened = m_engine->open(m_store->dir());
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().toString()));
}

void TestSignInDialog::init()
{
    QSettings().clear();
}

void TestSignInDialog::createUser(const QString &username, const QString &displayName,
                                  Core::Role role)
{
    auto user = Core::AccountService(m_store->db())
                    .createUser(m_store->businessId(), username, displayName, kPassword, role);
    QVERIFY2(user, qPrintable(user ? QString() : user.error().toString()));
}

void TestSignInDialog::attempt(SignInDialog &dialog, const QString &username,
                               const QString &password)
{
    const Fields f = fieldsOf(dialog);
    type(f.userName, username);
    type(f.password, password);
    QVERIFY(f.signIn->isEnabled());
    QSignalSpy busy(&dialog, &SignInDialog::busyChanged);
    QTest::mouseClick(f.signIn, Qt::LeftButton);
    // The check runs on the writer thread: the dialog is busy, not blocked.
    QCOMPARE(busy.count(), 1);
    QVERIFY(dialog.isBusy());
    QVERIFY(f.password->isReadOnly());
    QVERIFY(!f.signIn->isEnabled());
    // Enter while busy neither signs in twice nor cancels.
    QTest::keyClick(f.password, Qt::Key_Return);
    QVERIFY(dialog.isVisible());
    QCOMPARE(busy.count(), 1);
    QTRY_VERIFY_WITH_TIMEOUT(!dialog.isBusy(), kTimeoutMs);
    QVERIFY(!f.password->isReadOnly());
}

void TestSignInDialog::rightPasswordSignsIn()
{
    SignInDialog dialog(*m_engine);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    attempt(dialog, QStringLiteral("alex"), kPassword);
    QTRY_COMPARE_WITH_TIMEOUT(accepted.count(), 1, kTimeoutMs);
    QCOMPARE(dialog.result(), int(QDialog::Accepted));
    QVERIFY(!dialog.isVisible());
    QCOMPARE(dialog.user().username, QStringLiteral("alex"));
    QCOMPARE(dialog.user().displayName, QStringLiteral("Alex Rivera"));
    QCOMPARE(dialog.user().role, Core::Role::Rep);
    QCOMPARE(dialog.user().businessId, m_store->businessId());
    QVERIFY(dialog.errorText().isEmpty());
}

void TestSignInDialog::wrongPasswordShowsInlineError()
{
    SignInDialog dialog(*m_engine);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QSignalSpy failed(&dialog, &SignInDialog::signInFailed);
    attempt(dialog, QStringLiteral("blake"), QStringLiteral("not-the-password-1"));
    QCOMPARE(failed.count(), 1);
    QVERIFY(dialog.isVisible());
    QCOMPARE(accepted.count(), 0);
    const Fields f = fieldsOf(dialog);
    QVERIFY(f.error->isVisible());
    QVERIFY2(dialog.errorText().contains(QLatin1String("wrong password"), Qt::CaseInsensitive),
             qPrintable(dialog.errorText()));
    // Ready for another try: the password selected for retyping.
    QVERIFY(!f.password->isReadOnly());
    QVERIFY(f.password->hasSelectedText());

    // An unknown user reads the same, so user names cannot be probed.
    attempt(dialog, QStringLiteral("nobody"), kPassword);
    QCOMPARE(failed.count(), 2);
    QCOMPARE(failed.at(1).at(0).toString(), failed.at(0).at(0).toString());

    // And the right password still works afterwards.
    attempt(dialog, QStringLiteral("blake"), kPassword);
    QTRY_COMPARE_WITH_TIMEOUT(accepted.count(), 1, kTimeoutMs);
    QCOMPARE(dialog.user().role, Core::Role::Admin);
}

void TestSignInDialog::lockOutAfterFiveFailures()
{
    SignInDialog dialog(*m_engine);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    for (int i = 1; i < Core::AccountService::kMaxFailedAttempts; ++i) {
        attempt(dialog, QStringLiteral("casey"), QStringLiteral("wrong-guess-%1").arg(i));
        QVERIFY2(!dialog.errorText().contains(QLatin1String("locked"), Qt::CaseInsensitive),
                 qPrintable(dialog.errorText()));
    }
    attempt(dialog, QStringLiteral("casey"), QStringLiteral("wrong-guess-5"));
    QVERIFY2(dialog.errorText().contains(QLatin1String("locked"), Qt::CaseInsensitive),
             qPrintable(dialog.errorText()));
    QVERIFY(dialog.errorText().contains(QLatin1String("15 minutes")));
    // Locked means locked: the right password is refused too.
    attempt(dialog, QStringLiteral("casey"), kPassword);
    QVERIFY(dialog.errorText().contains(QLatin1String("locked"), Qt::CaseInsensitive));
    QCOMPARE(accepted.count(), 0);
    QVERIFY(dialog.isVisible());
}

void TestSignInDialog::emptyFieldsDisableSignIn()
{
    SignInDialog dialog(*m_engine);
    dialog.show();
    const Fields f = fieldsOf(dialog);
    QVERIFY(!f.signIn->isEnabled());
    type(f.userName, QStringLiteral("alex"));
    QVERIFY(!f.signIn->isEnabled());
    type(f.password, QStringLiteral("x"));
    QVERIFY(f.signIn->isEnabled());
    f.userName->clear();
    QVERIFY(!f.signIn->isEnabled());
    // Accepting anyway (Enter in a field) explains instead of trying.
    dialog.accept();
    QVERIFY(!dialog.isBusy());
    QVERIFY(dialog.errorText().contains(QLatin1String("user name")));
}

void TestSignInDialog::demoModeListsAccountsAndFillsFields()
{
    SignInDialog dialog(*m_engine, true);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QVERIFY(dialog.isDemoListShown());
    const Fields f = fieldsOf(dialog);
    QVERIFY(f.demoAccounts->isVisible());
    const auto credentials = Core::DemoDataGenerator::credentials();
    QVERIFY(credentials.size() >= 2);
    QCOMPARE(f.demoAccounts->topLevelItemCount(), credentials.size());
    for (int i = 0; i < credentials.size(); ++i) {
        QTreeWidgetItem *item = f.demoAccounts->topLevelItem(i);
        QCOMPARE(item->text(0), credentials.at(i).username);
        QCOMPARE(item->text(1), credentials.at(i).password);
        QCOMPARE(item->text(2), credentials.at(i).role);
    }
    for (int i : {1, 0}) {
        QTreeWidgetItem *item = f.demoAccounts->topLevelItem(i);
        QTest::mouseClick(f.demoAccounts->viewport(), Qt::LeftButton, {},
                          f.demoAccounts->visualItemRect(item).center());
        QCOMPARE(f.userName->text(), credentials.at(i).username);
        QCOMPARE(f.password->text(), credentials.at(i).password);
    }
}

void TestSignInDialog::demoStoreIsDetected()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    Core::DemoDataGenerator::Options options;
    options.leads = 20;
    options.seed = 3;
    auto generated = Core::DemoDataGenerator(store.db(), options).generate(store.businessId());
    QVERIFY2(generated, qPrintable(generated ? QString() : generated.error().toString()));
    Sync::Engine engine;
    QVERIFY(engine.open(store.dir()));

    SignInDialog dialog(engine);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    QTRY_VERIFY_WITH_TIMEOUT(dialog.isDemoListShown(), kTimeoutMs);
    const Fields f = fieldsOf(dialog);
    QVERIFY(f.demoAccounts->isVisible());

    // The listed credentials really sign in: activating an account (double-click, Enter) signs
    // in at once.
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    f.demoAccounts->setFocus();
    f.demoAccounts->setCurrentItem(f.demoAccounts->topLevelItem(0));
    QTest::keyClick(f.demoAccounts, Qt::Key_Return);
    QVERIFY(dialog.isBusy());
    QTRY_COMPARE_WITH_TIMEOUT(accepted.count(), 1, kTimeoutMs);
    QCOMPARE(dialog.user().username, Core::DemoDataGenerator::credentials().at(0).username);
    QCOMPARE(Core::roleName(dialog.user().role), Core::DemoDataGenerator::credentials().at(0).role);
}

void TestSignInDialog::plainStoreListsNoDemoAccounts()
{
    SignInDialog dialog(*m_engine);
    dialog.show();
    // The check is a read on the reader thread: once the reader is idle and its answer delivered,
    // the list must still be hidden.
    m_engine->reader().flush();
    QCoreApplication::processEvents();
    QVERIFY(!dialog.isDemoListShown());
    QVERIFY(!fieldsOf(dialog).demoAccounts->isVisible());
}

void TestSignInDialog::rememberedUserName()
{
    {
        SignInDialog dialog(*m_engine);
        dialog.show();
        QSignalSpy accepted(&dialog, &QDialog::accepted);
        attempt(dialog, QStringLiteral("alex"), kPassword);
        QTRY_COMPARE_WITH_TIMEOUT(accepted.count(), 1, kTimeoutMs);
    }
    SignInDialog next(*m_engine);
    next.show();
    QVERIFY(QTest::qWaitForWindowActive(&next));
    const Fields f = fieldsOf(next);
    QCOMPARE(f.userName->text(), QStringLiteral("alex"));
    QVERIFY(f.password->text().isEmpty());
    QVERIFY(f.password->hasFocus());
}

QTEST_MAIN(TestSignInDialog)
#include "tst_signindialog.moc"
