#include "accountservice.h"
#include "engine.h"
#include "ownersetupdialog.h"
#include "testsupport.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace LeadDesk;
using Ui::OwnerSetupDialog;

namespace {

constexpr int kTimeoutMs = 15000;

struct Fields
{
    QLineEdit *userName = nullptr;
    QLineEdit *displayName = nullptr;
    QLineEdit *email = nullptr;
    QLineEdit *password = nullptr;
    QLineEdit *confirm = nullptr;
    QPushButton *create = nullptr;
};

Fields fieldsOf(OwnerSetupDialog &dialog)
{
    Fields f;
    f.userName = dialog.findChild<QLineEdit *>(QStringLiteral("userNameEdit"));
    f.displayName = dialog.findChild<QLineEdit *>(QStringLiteral("displayNameEdit"));
    f.email = dialog.findChild<QLineEdit *>(QStringLiteral("emailEdit"));
    f.password = dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    f.confirm = dialog.findChild<QLineEdit *>(QStringLiteral("confirmEdit"));
    f.create = dialog.findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"))
                   ->button(QDialogButtonBox::Ok);
    return f;
}

void type(QLineEdit *edit, const QString &text)
{
    edit->clear();
    QTest::keyClicks(edit, text);
}

} // namespace

class TestOwnerSetupDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();
    void policyFeedback_data();
    void policyFeedback();
    void confirmationMismatch();
    void invalidUserNameAndEmail();
    void createsTheOwner();
    void takenUserNameStaysOpen();

private:
    std::unique_ptr<Test::TempStore> m_store;
    std::unique_ptr<Sync::Engine> m_engine;
};

void TestOwnerSetupDialog::init()
{
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    m_engine = std::make_unique<Sync::Engine>();
    QVERIFY(m_engine->open(m_store->dir()));
}

void TestOwnerSetupDialog::cleanup()
{
    m_engine.reset();
    m_store.reset();
}

void TestOwnerSetupDialog::policyFeedback_data()
{
    QTest::addColumn<QString>("password");
    QTest::addColumn<bool>("acceptable");
    QTest::addColumn<QString>("feedback"); // part of the live feedback

    QTest::newRow("empty") << QString() << false << QStringLiteral("At least 10 characters");
    QTest::newRow("short") << QStringLiteral("Ab3$xy") << false << QStringLiteral("at least 10");
    QTest::newRow("common") << QStringLiteral("password123") << false << QStringLiteral("common");
    QTest::newRow("contains user name")
        << QStringLiteral("morgan-the-plumber") << false << QStringLiteral("user name");
    QTest::newRow("one character repeated")
        << QStringLiteral("aaaaaaaaaaaa") << false << QStringLiteral("repeated");
    QTest::newRow("good") << QStringLiteral("Copper-Pipes-Everywhere-84") << true
                          << QStringLiteral("meets the policy");
}

void TestOwnerSetupDialog::policyFeedback()
{
    QFETCH(QString, password);
    QFETCH(bool, acceptable);
    QFETCH(QString, feedback);

    OwnerSetupDialog dialog(*m_engine);
    dialog.show();
    const Fields f = fieldsOf(dialog);
    type(f.userName, QStringLiteral("morgan"));
    type(f.displayName, QStringLiteral("Morgan Lee"));
    type(f.password, password);
    type(f.confirm, password);
    QVERIFY2(dialog.policyText().contains(feedback, Qt::CaseInsensitive),
             qPrintable(dialog.policyText()));
    QCOMPARE(dialog.canCreate(), acceptable);
    QCOMPARE(f.create->isEnabled(), acceptable);
}

void TestOwnerSetupDialog::confirmationMismatch()
{
    OwnerSetupDialog dialog(*m_engine);
    dialog.show();
    const Fields f = fieldsOf(dialog);
    type(f.userName, QStringLiteral("morgan"));
    type(f.displayName, QStringLiteral("Morgan Lee"));
    type(f.password, QStringLiteral("Copper-Pipes-Everywhere-84"));
    QVERIFY(dialog.matchText().isEmpty());
    QVERIFY(!dialog.canCreate());
    type(f.confirm, QStringLiteral("Copper-Pipes-Everywhere-48"));
    QVERIFY2(dialog.matchText().contains(QLatin1String("do not match")),
             qPrintable(dialog.matchText()));
    QVERIFY(!dialog.canCreate());
    QVERIFY(!f.create->isEnabled());
    // Accepting anyway changes nothing.
    dialog.accept();
    QVERIFY(!dialog.isBusy());
    QVERIFY(dialog.isVisible());

    type(f.confirm, QStringLiteral("Copper-Pipes-Everywhere-84"));
    QVERIFY(dialog.matchText().contains(QLatin1String("match")));
    QVERIFY(!dialog.matchText().contains(QLatin1String("not")));
    QVERIFY(dialog.canCreate());
    // Changing the password afterwards breaks the match again.
    QTest::keyClick(f.password, Qt::Key_Backspace);
    QVERIFY(dialog.matchText().contains(QLatin1String("do not match")));
    QVERIFY(!dialog.canCreate());
}

void TestOwnerSetupDialog::invalidUserNameAndEmail()
{
    OwnerSetupDialog dialog(*m_engine);
    dialog.show();
    const Fields f = fieldsOf(dialog);
    type(f.displayName, QStringLiteral("Morgan Lee"));
    type(f.password, QStringLiteral("Copper-Pipes-Everywhere-84"));
    type(f.confirm, QStringLiteral("Copper-Pipes-Everywhere-84"));
    type(f.userName, QStringLiteral("mo rgan"));
    QVERIFY2(dialog.errorText().contains(QLatin1String("user name")),
             qPrintable(dialog.errorText()));
    QVERIFY(!dialog.canCreate());
    type(f.userName, QStringLiteral("morgan"));
    QVERIFY(dialog.errorText().isEmpty());
    QVERIFY(dialog.canCreate());
    type(f.email, QStringLiteral("morgan.example.com"));
    QVERIFY2(dialog.errorText().contains(QLatin1String("e-mail")), qPrintable(dialog.errorText()));
    QVERIFY(!dialog.canCreate());
    type(f.email, QStringLiteral("morgan@example.com"));
    QVERIFY(dialog.canCreate());
    // The display name is required.
    f.displayName->clear();
    QVERIFY(!dialog.canCreate());
}

void TestOwnerSetupDialog::createsTheOwner()
{
    QCOMPARE(Core::AccountService(m_store->db()).hasOwner(m_store->businessId()).value_or(true),
             false);
    OwnerSetupDialog dialog(*m_engine);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    const Fields f = fieldsOf(dialog);
    type(f.userName, QStringLiteral("morgan"));
    type(f.displayName, QStringLiteral("Morgan Lee"));
    type(f.email, QStringLiteral("morgan@example.com"));
    type(f.password, QStringLiteral("Copper-Pipes-Everywhere-84"));
    type(f.confirm, QStringLiteral("Copper-Pipes-Everywhere-84"));
    QSignalSpy accepted(&dialog, &QDialog::accepted);
    QSignalSpy busy(&dialog, &OwnerSetupDialog::busyChanged);
    QTest::mouseClick(f.create, Qt::LeftButton);
    QVERIFY(dialog.isBusy());
    QVERIFY(f.password->isReadOnly());
    QVERIFY(!f.create->isEnabled());
    // Enter while busy neither creates twice nor cancels.
    QTest::keyClick(f.confirm, Qt::Key_Return);
    QVERIFY(dialog.isVisible());
    QCOMPARE(busy.count(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(accepted.count(), 1, kTimeoutMs);
    QCOMPARE(busy.count(), 2);
    QCOMPARE(dialog.user().username, QStringLiteral("morgan"));
    QCOMPARE(dialog.user().displayName, QStringLiteral("Morgan Lee"));
    QCOMPARE(dialog.user().email, QStringLiteral("morgan@example.com"));
    QCOMPARE(dialog.user().role, Core::Role::Owner);

    Core::AccountService accounts(m_store->db());
    QCOMPARE(accounts.hasOwner(m_store->businessId()).value_or(false), true);
    // The account signs in with the password chosen.
    const auto signedIn = accounts.signIn(m_store->businessId(), QStringLiteral("morgan"),
                                          QStringLiteral("Copper-Pipes-Everywhere-84"));
    QCOMPARE(signedIn.error, Core::AccountService::SignInError::None);
    QCOMPARE(signedIn.user.role, Core::Role::Owner);
}

void TestOwnerSetupDialog::takenUserNameStaysOpen()
{
    auto existing = Core::AccountService(m_store->db())
                        .createUser(m_store->businessId(), QStringLiteral("morgan"),
                                    QStringLiteral("Morgan Lee"),
                                    QStringLiteral("Copper-Pipes-Everywhere-84"), Core::Role::Rep);
    QVERIFY(existing);
    OwnerSetupDialog dialog(*m_engine);
    dialog.show();
    QVERIFY(QTest::qWaitForWindowExposed(&dialog));
    const Fields f = fieldsOf(dialog);
    type(f.userName, QStringLiteral("Morgan"));
    type(f.displayName, QStringLiteral("Morgan Lee"));
    type(f.password, QStringLiteral("Brass-Fittings-Galore-19"));
    type(f.confirm, QStringLiteral("Brass-Fittings-Galore-19"));
    QSignalSpy failed(&dialog, &OwnerSetupDialog::creationFailed);
    QTest::mouseClick(f.create, Qt::LeftButton);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, kTimeoutMs);
    QVERIFY(!dialog.isBusy());
    QVERIFY(dialog.isVisible());
    QVERIFY2(dialog.errorText().contains(QLatin1String("taken")), qPrintable(dialog.errorText()));
    QVERIFY(f.userName->hasFocus() || !dialog.isActiveWindow());
    QCOMPARE(Core::AccountService(m_store->db()).hasOwner(m_store->businessId()).value_or(true),
             false);
}

QTEST_MAIN(TestOwnerSetupDialog)
#include "tst_ownersetupdialog.moc"
