#pragma once

#include "user.h"

#include <QMainWindow>

class QAction;
class QLabel;
class QProgressBar;
class QSplitter;
class QStackedWidget;

namespace LeadDesk::Sync {
class Engine;
}

namespace LeadDesk::Ui {

class LeadDetailPane;
class LeadTableModel;
class LeadTableView;
class ReceiverController;

// The signed-in user's window: the lead list beside the selected lead's detail, counts in the
// status bar. Remembers its geometry, splitter, columns and sort in QSettings ("MainWindow").
class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    MainWindow(Sync::Engine &engine, const Core::User &user, QWidget *parent = nullptr);
    ~MainWindow() override;
    Q_DISABLE_COPY_MOVE(MainWindow)

    [[nodiscard]] LeadTableView *leadView() const { return m_view; }
    [[nodiscard]] LeadTableModel *leadModel() const { return m_model; }
    [[nodiscard]] LeadDetailPane *detailPane() const { return m_detail; }
    [[nodiscard]] QString countsText() const;
    [[nodiscard]] QString userText() const;
    [[nodiscard]] QAction *scoringRulesAction() const { return m_scoringRulesAction; }
    [[nodiscard]] QProgressBar *rescoreBar() const { return m_rescoreBar; }

public Q_SLOTS:
    void refresh();
    void selectNextLead();
    void selectPreviousLead();
    // Owners and admins: the scoring rules dialog (Settings › Scoring Rules…).
    void showScoringRules();

Q_SIGNALS:
    void countsUpdated();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void restoreSettings();
    void saveSettings() const;
    void updateCounts();
    void selectRow(int row);
    void showAbout();
    void rescoreStarted();
    void rescoreProgress(qint64 done, qint64 total);
    void rescoreFinished(qint64 done, qint64 changed, const QString &error);

    Sync::Engine &m_engine;
    Core::User m_user;
    LeadTableModel *m_model = nullptr;
    LeadTableView *m_view = nullptr;
    LeadDetailPane *m_detail = nullptr;
    QSplitter *m_splitter = nullptr;
    QStackedWidget *m_listStack = nullptr;
    QLabel *m_emptyListLabel = nullptr;
    QLabel *m_countsLabel = nullptr;
    QLabel *m_userLabel = nullptr;
    QProgressBar *m_loadingBar = nullptr;
    QProgressBar *m_rescoreBar = nullptr;
    QAction *m_scoringRulesAction = nullptr;
    ReceiverController *m_receiver = nullptr; // Settings › Receiver…, the desktop receiver
    QString m_reselectId;
    quint64 m_countsGeneration = 0;
};

} // namespace LeadDesk::Ui
