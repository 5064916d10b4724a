#include "demodatagenerator.h"
#include "engine.h"
#include "formatting.h"
#include "leaddetailpane.h"
#include "leadtablemodel.h"
#include "leadtableview.h"
#include "mainwindow.h"
#include "scoringrulesdialog.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>

#include <memory>

using namespace LeadDesk;
using Ui::LeadTableModel;
using Ui::MainWindow;

namespace {

constexpr int kLeads = 300;
constexpr int kTimeoutMs = 15000;

Core::User signedInUser(const QString &businessId)
{
    Core::User user;
    user.id = QStringLiteral("0190a000-0000-7000-8000-000000000001");
    user.businessId = businessId;
    user.username = QStringLiteral("alex");
    user.displayName = QStringLiteral("Alex Rivera");
    user.role = Core::Role::Rep;
    return user;
}

} // namespace

class TestMainWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void showsRowsAndCounts();
    void selectingARowFillsTheDetailPane();
    void keyboardNavigation();
    void headerSorting();
    void remembersSortAndLayout();
    void emptyStore();
    void scoringRulesAreForManagers();
    void rescoreShowsProgressInTheStatusBar();

private:
    qint64 scalar(const QString &sql);
    void openWindow(MainWindow &window);

    QTemporaryDir m_settingsDir;
    std::unique_ptr<Test::TempStore> m_store;
    std::unique_ptr<Sync::Engine> m_engine;
};

void TestMainWindow::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    Core::DemoDataGenerator::Options options;
    options.leads = kLeads;
    options.seed = 11;
    auto generated
        = Core::DemoDataGenerator(m_store->db(), options).generate(m_store->businessId());
    QVERIFY2(generated, qPrintable(generated ? QString() : generated.error().toString()));
    m_engine = std::make_unique<Sync::Engine>();
    QVERIFY(m_engine->open(m_store->dir()));
}

void TestMainWindow::init()
{
    QSettings().clear();
}

qint64 TestMainWindow::scalar(const QString &sql)
{
    QSqlQuery query(m_store->db().connection());
    if (!query.exec(sql) || !query.next())
        qFatal("%s", qPrintable(sql));
    return query.value(0).toLongLong();
}

void TestMainWindow::openWindow(MainWindow &window)
{
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QTRY_VERIFY_WITH_TIMEOUT(window.leadModel()->rowCount() > 0, kTimeoutMs);
    QTRY_VERIFY_WITH_TIMEOUT(!window.countsText().isEmpty(), kTimeoutMs);
}

void TestMainWindow::showsRowsAndCounts()
{
    MainWindow window(*m_engine, signedInUser(m_store->businessId()));
    QAbstractItemModelTester tester(window.leadModel(),
                                    QAbstractItemModelTester::FailureReportingMode::QtTest);
    // Nothing selected yet: the detail pane shows its empty state. (Once the list has the focus,
    // the view makes its first row current, as item views do.)
    QVERIFY(window.detailPane()->isEmptyStateShown());
    QVERIFY(window.detailPane()->text().contains(QLatin1String("Select a lead")));
    openWindow(window);
    QVERIFY(window.windowTitle().contains(m_engine->business().name));
    // 300 leads are more than a page: the view has rows, the model more to fetch.
    QTRY_VERIFY(window.leadView()->model()->rowCount() >= LeadTableModel::kPageSize);

    const qint64 newLeads
        = scalar(QStringLiteral("SELECT COUNT(*) FROM leads WHERE status = 'new'"));
    const qint64 waiting = scalar(
        QStringLiteral("SELECT COUNT(*) FROM conversations WHERE waiting_on = 'business'"));
    const QString expected
        = QStringLiteral("%1 leads · %2 new · %3 waiting on you")
              .arg(Ui::Formatting::count(kLeads), Ui::Formatting::count(newLeads),
                   Ui::Formatting::count(waiting));
    QCOMPARE(window.countsText(), expected);
    auto *counts = window.findChild<QLabel *>(QStringLiteral("countsLabel"));
    QVERIFY(counts && counts->isVisible());
    QCOMPARE(counts->text(), expected);

    auto *user = window.findChild<QLabel *>(QStringLiteral("userLabel"));
    QVERIFY(user && user->isVisible());
    QCOMPARE(user->text(), QStringLiteral("Signed in as Alex Rivera (rep)"));
    QCOMPARE(window.userText(), user->text());

    // New leads arriving update the counts.
    QSignalSpy updated(&window, &MainWindow::countsUpdated);
    m_engine->notifyLeadsChanged();
    QTRY_VERIFY_WITH_TIMEOUT(updated.count() >= 1, kTimeoutMs);
    QCOMPARE(window.countsText(), expected);
}

void TestMainWindow::selectingARowFillsTheDetailPane()
{
    MainWindow window(*m_engine, signedInUser(m_store->businessId()));
    openWindow(window);
    Ui::LeadTableView *view = window.leadView();
    LeadTableModel *model = window.leadModel();

    // A lead whose person was seen on more than one channel, so there is a merge to explain.
    QSqlQuery query(m_store->db().connection());
    QVERIFY(query.exec(
        QStringLiteral("SELECT l.id FROM leads l WHERE (SELECT COUNT(*) FROM contact_identities i "
                       "WHERE i.contact_id = l.contact_id) >= 2")));
    int row = -1;
    while (row < 0 && query.next())
        row = model->rowOf(query.value(0).toString());
    query.finish();
    QVERIFY2(row >= 0, "no loaded lead has two identities");
    const QString leadId = model->leadId(row);

    view->scrollTo(model->index(row, 0));
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {},
                      view->visualRect(model->index(row, LeadTableModel::Name)).center());
    QCOMPARE(view->currentIndex().row(), row);
    QTRY_COMPARE_WITH_TIMEOUT(window.detailPane()->shownLeadId(), leadId, kTimeoutMs);
    QVERIFY(!window.detailPane()->isEmptyStateShown());

    const QString text = window.detailPane()->text();
    QSqlQuery lead(m_store->db().connection());
    lead.prepare(
        QStringLiteral("SELECT first_name, last_name, contact_id FROM leads WHERE id = ?"));
    lead.addBindValue(leadId);
    QVERIFY(lead.exec() && lead.next());
    const QString name = QStringList{lead.value(0).toString(), lead.value(1).toString()}
                             .join(QLatin1Char(' '))
                             .trimmed();
    QVERIFY2(text.contains(name), qPrintable(name));
    QVERIFY(text.contains(QLatin1String("Same person on")));

    QSqlQuery identities(m_store->db().connection());
    identities.prepare(
        QStringLiteral("SELECT channel, external_id FROM contact_identities WHERE contact_id = ?"));
    identities.addBindValue(lead.value(2).toString());
    QVERIFY(identities.exec());
    int seen = 0;
    while (identities.next()) {
        ++seen;
        QVERIFY2(text.contains(identities.value(1).toString()),
                 qPrintable(identities.value(1).toString()));
        QVERIFY(text.contains(Ui::Formatting::channelLabel(identities.value(0).toString())));
    }
    QVERIFY(seen >= 2);
    QVERIFY(text.contains(QLatin1String("Qualification")));
    QVERIFY(text.contains(QLatin1String("Handling")));
    // The score explained under the business's rules.
    QVERIFY(text.contains(QLatin1String("Why it scored")));

    // A change to the lead on screen shows once the engine says leads changed.
    QSqlQuery update(m_store->db().connection());
    update.prepare(QStringLiteral("UPDATE leads SET status = 'proposal' WHERE id = ?"));
    update.addBindValue(leadId);
    QVERIFY(update.exec());
    QSignalSpy shown(window.detailPane(), &Ui::LeadDetailPane::leadShown);
    m_engine->notifyLeadsChanged();
    QTRY_VERIFY_WITH_TIMEOUT(shown.count() >= 1, kTimeoutMs);
    QVERIFY(window.detailPane()->text().contains(QLatin1String("Proposal")));
    QCOMPARE(window.detailPane()->shownLeadId(), leadId);
    // The list refreshed too, and the lead is still selected.
    QTRY_COMPARE_WITH_TIMEOUT(
        model->index(model->rowOf(leadId), LeadTableModel::Status).data().toString(),
        QStringLiteral("Proposal"), kTimeoutMs);
    QCOMPARE(view->currentIndex().row(), model->rowOf(leadId));
}

void TestMainWindow::keyboardNavigation()
{
    MainWindow window(*m_engine, signedInUser(m_store->businessId()));
    openWindow(window);
    QVERIFY(QTest::qWaitForWindowActive(&window));
    Ui::LeadTableView *view = window.leadView();
    LeadTableModel *model = window.leadModel();
    view->setFocus();
    QVERIFY(view->hasFocus());

    view->setCurrentIndex(model->index(0, 0));
    QTRY_COMPARE_WITH_TIMEOUT(window.detailPane()->shownLeadId(), model->leadId(0), kTimeoutMs);
    QTest::keyClick(view, Qt::Key_J);
    QCOMPARE(view->currentIndex().row(), 1);
    QTest::keyClick(view, Qt::Key_J);
    QCOMPARE(view->currentIndex().row(), 2);
    QTRY_COMPARE_WITH_TIMEOUT(window.detailPane()->shownLeadId(), model->leadId(2), kTimeoutMs);
    QTest::keyClick(view, Qt::Key_K);
    QCOMPARE(view->currentIndex().row(), 1);
    QTRY_COMPARE_WITH_TIMEOUT(window.detailPane()->shownLeadId(), model->leadId(1), kTimeoutMs);
    QVERIFY(view->selectionModel()->isRowSelected(1, {}));
    QTest::keyClick(view, Qt::Key_Down);
    QCOMPARE(view->currentIndex().row(), 2);
    QTest::keyClick(view, Qt::Key_Up);
    QCOMPARE(view->currentIndex().row(), 1);

    // Holding j: many moves, one detail read at a time, and the pane ends on the last lead.
    for (int i = 0; i < 20; ++i)
        QTest::keyClick(view, Qt::Key_J);
    QCOMPARE(view->currentIndex().row(), 21);
    QTRY_COMPARE_WITH_TIMEOUT(window.detailPane()->shownLeadId(), model->leadId(21), kTimeoutMs);

    QTest::keyClick(view, Qt::Key_End);
    QCOMPARE(view->currentIndex().row(), model->rowCount() - 1);
    QTest::keyClick(view, Qt::Key_Home);
    QCOMPARE(view->currentIndex().row(), 0);
    QTest::keyClick(view, Qt::Key_K);
    QCOMPARE(view->currentIndex().row(), 0);
}

void TestMainWindow::headerSorting()
{
    MainWindow window(*m_engine, signedInUser(m_store->businessId()));
    openWindow(window);
    LeadTableModel *model = window.leadModel();
    QHeaderView *header = window.leadView()->horizontalHeader();
    QCOMPARE(model->sortColumn(), int(LeadTableModel::Created));
    QCOMPARE(header->sortIndicatorSection(), int(LeadTableModel::Created));

    QSignalSpy firstPage(model, &LeadTableModel::firstPageLoaded);
    const auto clickSection = [header](int section) {
        const int x = header->sectionViewportPosition(section) + header->sectionSize(section) / 2;
        QTest::mouseClick(header->viewport(), Qt::LeftButton, {}, QPoint(x, header->height() / 2));
    };
    clickSection(LeadTableModel::Score);
    QCOMPARE(model->sortColumn(), int(LeadTableModel::Score));
    QTRY_COMPARE_WITH_TIMEOUT(firstPage.count(), 1, kTimeoutMs);
    for (int row = 1; row < model->rowCount(); ++row) {
        const int previous = model->index(row - 1, 0).data(LeadTableModel::ScoreRole).toInt();
        const int current = model->index(row, 0).data(LeadTableModel::ScoreRole).toInt();
        QVERIFY(model->sortOrder() == Qt::AscendingOrder ? previous <= current
                                                         : previous >= current);
    }

    // The assignee column cannot be sorted: the indicator stays on the real sort.
    const Qt::SortOrder order = model->sortOrder();
    clickSection(LeadTableModel::Assignee);
    QCOMPARE(model->sortColumn(), int(LeadTableModel::Score));
    QCOMPARE(model->sortOrder(), order);
    QCOMPARE(header->sortIndicatorSection(), int(LeadTableModel::Score));
    QCOMPARE(header->sortIndicatorOrder(), order);
    QVERIFY(!model->isLoading());
}

void TestMainWindow::remembersSortAndLayout()
{
    {
        MainWindow window(*m_engine, signedInUser(m_store->businessId()));
        openWindow(window);
        window.leadModel()->sort(LeadTableModel::Name, Qt::AscendingOrder);
        window.leadView()->horizontalHeader()->resizeSection(LeadTableModel::Campaign, 333);
        window.resize(1100, 700);
        window.close();
    }
    MainWindow window(*m_engine, signedInUser(m_store->businessId()));
    QCOMPARE(window.leadModel()->sortColumn(), int(LeadTableModel::Name));
    QCOMPARE(window.leadModel()->sortOrder(), Qt::AscendingOrder);
    QCOMPARE(window.leadView()->horizontalHeader()->sortIndicatorSection(),
             int(LeadTableModel::Name));
    QCOMPARE(window.leadView()->horizontalHeader()->sectionSize(LeadTableModel::Campaign), 333);
    QCOMPARE(window.size(), QSize(1100, 700));
    openWindow(window);
    QCOMPARE(window.leadModel()->sortColumn(), int(LeadTableModel::Name));
}

void TestMainWindow::emptyStore()
{
    Test::TempStore store;
    QVERIFY(store.isValid());
    Sync::Engine engine;
    QVERIFY(engine.open(store.dir()));
    MainWindow window(engine, signedInUser(store.businessId()));
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    auto *empty = window.findChild<QLabel *>(QStringLiteral("emptyListLabel"));
    QVERIFY(empty);
    QTRY_VERIFY_WITH_TIMEOUT(empty->isVisible(), kTimeoutMs);
    QVERIFY(!window.leadView()->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(window.countsText(),
                              QStringLiteral("0 leads · 0 new · 0 waiting on you"), kTimeoutMs);
}

void TestMainWindow::scoringRulesAreForManagers()
{
    {
        MainWindow window(*m_engine, signedInUser(m_store->businessId()));
        QAction *action = window.scoringRulesAction();
        QVERIFY(action);
        QVERIFY(!action->isVisible());
        QVERIFY(!action->isEnabled());
        window.showScoringRules();
        QVERIFY(!window.findChild<Ui::ScoringRulesDialog *>());
    }
    Core::User owner = signedInUser(m_store->businessId());
    owner.role = Core::Role::Owner;
    MainWindow window(*m_engine, owner);
    openWindow(window);
    QAction *action = window.scoringRulesAction();
    QVERIFY(action->isVisible() && action->isEnabled());
    QCOMPARE(action->shortcut(), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    action->trigger();
    auto *dialog = window.findChild<Ui::ScoringRulesDialog *>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    QVERIFY(dialog->rulesTree()->topLevelItemCount() > 0);
    // A second request shows the same dialog.
    action->trigger();
    QCOMPARE(window.findChildren<Ui::ScoringRulesDialog *>().size(), 1);
    dialog->reject();
}

void TestMainWindow::rescoreShowsProgressInTheStatusBar()
{
    Core::User admin = signedInUser(m_store->businessId());
    admin.role = Core::Role::Admin;
    MainWindow window(*m_engine, admin);
    openWindow(window);
    QProgressBar *bar = window.rescoreBar();
    QVERIFY(bar && !bar->isVisible());
    QSignalSpy finished(m_engine.get(), &Sync::Engine::rescoreFinished);
    QSignalSpy progress(m_engine.get(), &Sync::Engine::rescoreProgress);
    m_engine->rescore();
    // Shown at once, busy until the first page reports; the window never waits for the store.
    QVERIFY(bar->isVisible());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, kTimeoutMs);
    QVERIFY(!bar->isVisible());
    QVERIFY(progress.count() >= 1);
    // The chatbot's leads are scored by the behaviour model, not rescored with the lead model.
    const qint64 leadModelLeads = Test::countRows(m_store->db(), QStringLiteral("leads"),
                                                  QStringLiteral("channel <> 'chatbot'"));
    QCOMPARE(progress.last().at(0).toLongLong(), leadModelLeads);
    // The same rules as the data was made with: nothing changed.
    QCOMPARE(
        window.statusBar()->currentMessage(),
        QStringLiteral("Rescored %1 leads · 0 changed").arg(Ui::Formatting::count(leadModelLeads)));
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
