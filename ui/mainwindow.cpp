#include "mainwindow.h"

#include "engine.h"
#include "formatting.h"
#include "leaddetailpane.h"
#include "leadtablemodel.h"
#include "leadtableview.h"
#include "onresult.h"
#include "receivercontroller.h"
#include "scoringrulesdialog.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonObject>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStackedWidget>
#include <QStatusBar>

#include <climits>

namespace LeadDesk::Ui {

namespace {

const QString kGroup = QStringLiteral("MainWindow");

QString plural(qint64 n, const QString &one, const QString &many)
{
    return Formatting::count(n) + QLatin1Char(' ') + (n == 1 ? one : many);
}

} // namespace

MainWindow::MainWindow(Sync::Engine &engine, const Core::User &user, QWidget *parent)
    : QMainWindow(parent)
    , m_engine(engine)
    , m_user(user)
    , m_model(new LeadTableModel(engine, this))
    , m_view(new LeadTableView(this))
    , m_detail(new LeadDetailPane(engine, this))
    , m_splitter(new QSplitter(Qt::Horizontal, this))
    , m_listStack(new QStackedWidget(this))
    , m_emptyListLabel(new QLabel(this))
    , m_countsLabel(new QLabel(this))
    , m_userLabel(new QLabel(this))
    , m_loadingBar(new QProgressBar(this))
    , m_rescoreBar(new QProgressBar(this))
{
    setWindowTitle(tr("%1 — LeadDesk").arg(engine.business().name));
    m_view->setObjectName(QStringLiteral("leadView"));
    m_detail->setObjectName(QStringLiteral("detailPane"));
    m_splitter->setObjectName(QStringLiteral("splitter"));
    m_countsLabel->setObjectName(QStringLiteral("countsLabel"));
    m_userLabel->setObjectName(QStringLiteral("userLabel"));
    m_loadingBar->setObjectName(QStringLiteral("loadingBar"));

    m_view->setModel(m_model);
    QHeaderView *header = m_view->horizontalHeader();
    // Fits the list's share of a 1280-pixel window without a horizontal scroll bar; the last
    // column takes up what is left.
    const std::pair<int, int> widths[] = {
        {LeadTableModel::Name, 165},     {LeadTableModel::Source, 85},
        {LeadTableModel::Campaign, 175}, {LeadTableModel::Score, 50},
        {LeadTableModel::Grade, 50},     {LeadTableModel::Status, 85},
        {LeadTableModel::Assignee, 115}, {LeadTableModel::Created, 120},
    };
    for (const auto &[column, width] : widths)
        header->resizeSection(column, width);
    header->setStretchLastSection(true);

    m_emptyListLabel->setObjectName(QStringLiteral("emptyListLabel"));
    m_emptyListLabel->setText(tr("No leads yet.\nLeads from your sources appear here as they "
                                 "arrive."));
    m_emptyListLabel->setAlignment(Qt::AlignCenter);
    m_emptyListLabel->setWordWrap(true);
    QPalette mutedPalette = m_emptyListLabel->palette();
    mutedPalette.setColor(QPalette::WindowText, Formatting::mutedTextColor(palette()));
    m_emptyListLabel->setPalette(mutedPalette);
    m_listStack->addWidget(m_view);
    m_listStack->addWidget(m_emptyListLabel);

    m_splitter->addWidget(m_listStack);
    m_splitter->addWidget(m_detail);
    m_splitter->setStretchFactor(0, 3);
    m_splitter->setStretchFactor(1, 2);
    m_splitter->setChildrenCollapsible(false);
    setCentralWidget(m_splitter);

    m_loadingBar->setRange(0, 0);
    m_loadingBar->setMaximumWidth(120);
    m_loadingBar->setMaximumHeight(fontMetrics().height());
    m_loadingBar->setTextVisible(false);
    m_loadingBar->setToolTip(tr("Loading leads…"));
    m_loadingBar->hide();
    // A rescore runs in the background: leads done of all, in the status bar until it is over.
    m_rescoreBar->setObjectName(QStringLiteral("rescoreBar"));
    m_rescoreBar->setMaximumHeight(fontMetrics().height() + 4);
    m_rescoreBar->setMinimumWidth(
        fontMetrics().horizontalAdvance(
            tr("Rescoring leads: %1 of %2")
                .arg(Formatting::count(1'000'000), Formatting::count(1'000'000)))
        + 24);
    m_rescoreBar->setTextVisible(true);
    m_rescoreBar->setToolTip(tr("Every lead is being scored again under the new rules"));
    m_rescoreBar->hide();
    statusBar()->addWidget(m_countsLabel);
    statusBar()->addPermanentWidget(m_rescoreBar);
    statusBar()->addPermanentWidget(m_loadingBar);
    statusBar()->addPermanentWidget(m_userLabel);
    m_userLabel->setText(userText());
    m_receiver = new ReceiverController(m_engine,
                                        Sync::SecretStore::keychain(m_engine.business().id), this);
    statusBar()->addPermanentWidget(m_receiver->createStatusLabel(this));

    createMenus();
    m_receiver->load(); // starts receiving if the business enabled it

    connect(m_model, &LeadTableModel::loadingChanged, m_loadingBar, &QWidget::setVisible);
    connect(m_model, &LeadTableModel::firstPageLoaded, this, [this] {
        m_listStack->setCurrentWidget(m_model->rowCount() > 0 ? static_cast<QWidget *>(m_view)
                                                              : m_emptyListLabel);
    });
    connect(m_model, &LeadTableModel::loadFailed, this, [this](const QString &message) {
        statusBar()->showMessage(tr("Could not load leads: %1").arg(message), 10000);
    });
    // Sorting and refreshing replace the rows: keep the selected lead selected when it is still
    // among them.
    connect(m_model, &QAbstractItemModel::modelAboutToBeReset, this,
            [this] { m_reselectId = m_model->leadId(m_view->currentIndex().row()); });
    connect(m_model, &QAbstractItemModel::modelReset, this, [this] {
        const int row = m_model->rowOf(std::exchange(m_reselectId, {}));
        if (row >= 0)
            selectRow(row);
    });
    connect(m_view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex &current) {
                if (current.isValid())
                    m_detail->showLead(m_model->leadId(current.row()));
            });
    // The model cannot sort by assignee: put the indicator back where the sort really is.
    connect(header, &QHeaderView::sortIndicatorChanged, this, [this, header](int column) {
        if (!LeadTableModel::isSortable(column))
            header->setSortIndicator(m_model->sortColumn(), m_model->sortOrder());
    });
    // The model refreshes itself on leadsChanged.
    connect(&m_engine, &Sync::Engine::leadsChanged, this, &MainWindow::updateCounts);
    connect(&m_engine, &Sync::Engine::rescoreStarted, this, &MainWindow::rescoreStarted);
    connect(&m_engine, &Sync::Engine::rescoreProgress, this, &MainWindow::rescoreProgress);
    connect(&m_engine, &Sync::Engine::rescoreFinished, this, &MainWindow::rescoreFinished);
    connect(&m_engine, &Sync::Engine::slaBreachesRecorded, this, [this](const QJsonObject &check) {
        const qsizetype breached = check.value(QStringLiteral("breaches")).toArray().size();
        QString message = breached > 0 ? tr("%n lead(s) breached their SLA", nullptr, int(breached))
                                       : QString();
        const QJsonObject escalation = check.value(QStringLiteral("escalation")).toObject();
        if (!escalation.isEmpty()) {
            const QString text = escalation.value(QStringLiteral("message")).toString();
            message = message.isEmpty() ? text : message + QStringLiteral(" - ") + text;
        }
        if (!message.isEmpty())
            statusBar()->showMessage(message, 30000);
        // The lead list shows the new breaches and any reassignment.
        m_engine.notifyLeadsChanged();
    });
    if (m_engine.isRescoring())
        rescoreStarted();

    restoreSettings();
    updateCounts();
}

MainWindow::~MainWindow() = default;

QString MainWindow::countsText() const
{
    return m_countsLabel->text();
}

QString MainWindow::userText() const
{
    const QString name = m_user.displayName.isEmpty() ? m_user.username : m_user.displayName;
    return tr("Signed in as %1 (%2)").arg(name, Core::roleName(m_user.role));
}

void MainWindow::refresh()
{
    m_model->refresh();
    updateCounts();
}

void MainWindow::selectNextLead()
{
    const int current = m_view->currentIndex().row();
    const int next = current < 0 ? 0 : current + 1;
    if (next < m_model->rowCount()) {
        selectRow(next);
    } else if (m_model->canFetchMore({})) {
        m_model->fetchMore({});
    }
}

void MainWindow::selectPreviousLead()
{
    const int current = m_view->currentIndex().row();
    if (current > 0)
        selectRow(current - 1);
    else if (current < 0 && m_model->rowCount() > 0)
        selectRow(0);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    QMainWindow::closeEvent(event);
}

void MainWindow::createMenus()
{
    QMenu *fileMenu = menuBar()->addMenu(tr("&File"));
    QAction *quit = fileMenu->addAction(tr("&Quit"));
    quit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Q));
    quit->setMenuRole(QAction::QuitRole);
    connect(quit, &QAction::triggered, this, &QWidget::close);

    QMenu *viewMenu = menuBar()->addMenu(tr("&View"));
    QAction *refreshAction = viewMenu->addAction(tr("&Refresh"));
    refreshAction->setObjectName(QStringLiteral("refreshAction"));
    refreshAction->setShortcut(QKeySequence(Qt::Key_F5));
    connect(refreshAction, &QAction::triggered, this, &MainWindow::refresh);
    viewMenu->addSeparator();
    // Single-letter shortcuts only while the list has focus, so they never eat typed text.
    QAction *next = viewMenu->addAction(tr("&Next Lead"));
    next->setObjectName(QStringLiteral("nextLeadAction"));
    next->setShortcut(QKeySequence(Qt::Key_J));
    next->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(next, &QAction::triggered, this, &MainWindow::selectNextLead);
    QAction *previous = viewMenu->addAction(tr("&Previous Lead"));
    previous->setObjectName(QStringLiteral("previousLeadAction"));
    previous->setShortcut(QKeySequence(Qt::Key_K));
    previous->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    connect(previous, &QAction::triggered, this, &MainWindow::selectPreviousLead);
    m_view->addAction(next);
    m_view->addAction(previous);

    // Scoring is the business's policy: owners and admins set it, reps work with it.
    QMenu *settingsMenu = menuBar()->addMenu(tr("&Settings"));
    m_scoringRulesAction = settingsMenu->addAction(tr("&Scoring Rules…"));
    m_scoringRulesAction->setObjectName(QStringLiteral("scoringRulesAction"));
    m_scoringRulesAction->setShortcut(QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_R));
    connect(m_scoringRulesAction, &QAction::triggered, this, &MainWindow::showScoringRules);
    const bool manager = m_user.role == Core::Role::Owner || m_user.role == Core::Role::Admin;
    m_scoringRulesAction->setEnabled(manager);
    m_scoringRulesAction->setVisible(manager);
    QAction *receiverAction = m_receiver->createSettingsAction(this);
    settingsMenu->addAction(receiverAction);
    receiverAction->setEnabled(manager);
    receiverAction->setVisible(manager);
    settingsMenu->menuAction()->setVisible(manager);

    QMenu *helpMenu = menuBar()->addMenu(tr("&Help"));
    QAction *about = helpMenu->addAction(tr("&About LeadDesk"));
    about->setMenuRole(QAction::AboutRole);
    connect(about, &QAction::triggered, this, &MainWindow::showAbout);
    QAction *aboutQt = helpMenu->addAction(tr("About &Qt"));
    aboutQt->setMenuRole(QAction::AboutQtRole);
    connect(aboutQt, &QAction::triggered, qApp, &QApplication::aboutQt);
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    settings.beginGroup(kGroup);
    if (!restoreGeometry(settings.value(QStringLiteral("geometry")).toByteArray()))
        resize(1280, 800);
    if (!m_splitter->restoreState(settings.value(QStringLiteral("splitter")).toByteArray()))
        m_splitter->setSizes({870, 410});
    QHeaderView *header = m_view->horizontalHeader();
    header->restoreState(settings.value(QStringLiteral("columns")).toByteArray());
    int column = settings.value(QStringLiteral("sortColumn"), int(LeadTableModel::Created)).toInt();
    auto order = static_cast<Qt::SortOrder>(
        settings.value(QStringLiteral("sortOrder"), int(Qt::DescendingOrder)).toInt());
    if (!LeadTableModel::isSortable(column)
        || (order != Qt::AscendingOrder && order != Qt::DescendingOrder)) {
        column = LeadTableModel::Created;
        order = Qt::DescendingOrder;
    }
    settings.endGroup();

    // Ask for the first page once, in the remembered sort; turning sorting on afterwards finds
    // the sort already in force and does not ask again.
    m_model->sort(column, order);
    if (!m_model->isLoading())
        m_model->refresh();
    header->setSortIndicator(column, order);
    m_view->setSortingEnabled(true);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.beginGroup(kGroup);
    settings.setValue(QStringLiteral("geometry"), saveGeometry());
    settings.setValue(QStringLiteral("splitter"), m_splitter->saveState());
    settings.setValue(QStringLiteral("columns"), m_view->horizontalHeader()->saveState());
    settings.setValue(QStringLiteral("sortColumn"), m_model->sortColumn());
    settings.setValue(QStringLiteral("sortOrder"), int(m_model->sortOrder()));
    settings.endGroup();
}

void MainWindow::updateCounts()
{
    const quint64 generation = ++m_countsGeneration;
    const QString businessId = m_engine.business().id;
    const auto future = m_engine.reader().submitValue<Core::LeadCounts>(
        [businessId](Core::Database &db) { return Core::LeadRepository(db).counts(businessId); });
    onResult(future, this, [this, generation](const Core::Result<Core::LeadCounts> &counts) {
        if (generation != m_countsGeneration)
            return;
        if (!counts) {
            m_countsLabel->setText(tr("Counts unavailable: %1").arg(counts.error().message));
        } else {
            m_countsLabel->setText(QStringList{
                plural(counts->total, tr("lead"), tr("leads")),
                tr("%1 new").arg(Formatting::count(counts->newLeads)),
                tr("%1 waiting on you").arg(Formatting::count(counts->waitingOnBusiness))}
                                       .join(QStringLiteral(" · ")));
        }
        Q_EMIT countsUpdated();
    });
}

void MainWindow::selectRow(int row)
{
    const int column = std::max(0, m_view->currentIndex().column());
    m_view->setCurrentIndex(m_model->index(row, column));
}

void MainWindow::showScoringRules()
{
    if (!m_scoringRulesAction->isEnabled())
        return;
    if (auto *open = findChild<ScoringRulesDialog *>(); open) {
        open->raise();
        open->activateWindow();
        return;
    }
    auto *dialog = new ScoringRulesDialog(m_engine, this);
    dialog->setObjectName(QStringLiteral("scoringRulesDialog"));
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

void MainWindow::rescoreStarted()
{
    m_rescoreBar->setRange(0, 0); // busy until the first page reports
    m_rescoreBar->setFormat(tr("Rescoring leads…"));
    m_rescoreBar->show();
}

void MainWindow::rescoreProgress(qint64 done, qint64 total)
{
    const qint64 most = std::max<qint64>({total, done, 1});
    // QProgressBar counts in int: scale a store beyond its range.
    const qint64 scale = most > INT_MAX ? most / INT_MAX + 1 : 1;
    m_rescoreBar->setRange(0, int(most / scale));
    m_rescoreBar->setValue(int(done / scale));
    m_rescoreBar->setFormat(
        tr("Rescoring leads: %1 of %2").arg(Formatting::count(done), Formatting::count(most)));
    m_rescoreBar->show();
}

void MainWindow::rescoreFinished(qint64 done, qint64 changed, const QString &error)
{
    m_rescoreBar->hide();
    if (!error.isEmpty()) {
        statusBar()->showMessage(tr("Rescoring stopped: %1").arg(error), 15000);
        return;
    }
    statusBar()->showMessage(
        tr("Rescored %1 · %2 changed")
            .arg(plural(done, tr("lead"), tr("leads")), Formatting::count(changed)),
        10000);
}

void MainWindow::showAbout()
{
    QMessageBox::about(
        this, tr("About LeadDesk"),
        tr("<h3>LeadDesk %1</h3><p>Every lead from every source on one screen: web forms, "
           "WhatsApp, Messenger, Lead Ads, Thumbtack, SMS, chatbots and vendor files.</p>"
           "<p>Data folder: %2</p>")
            .arg(QCoreApplication::applicationVersion().toHtmlEscaped(),
                 m_engine.dataDir().toHtmlEscaped()));
}

} // namespace LeadDesk::Ui
