#pragma once

#include <QDialog>
#include <QJsonObject>

#include <memory>

class QGroupBox;
class QSpinBox;
class QTreeWidget;
class QTreeWidgetItem;
// The form uic generates from scoringrulesdialog.ui (see OwnerSetupDialog for the naming).
class Ui_ScoringRulesDialog;

namespace LeadDesk::Sync {
class Engine;
}

namespace LeadDesk::Ui {

// The business's scoring rules for owners and admins: every group and rule with its points and
// cap (editable where the rule has one number), the grade and qualification thresholds, and
// decay. "Edit JSON…" opens the whole document for what the table does not show. The document
// is checked after every change, the first problem shown with its JSON path; Save stores it on
// the writer thread and the engine then rescores every lead in the background.
class ScoringRulesDialog final : public QDialog
{
    Q_OBJECT
public:
    enum Column { RuleColumn, WhenColumn, PointsColumn, CapColumn, FadesColumn };

    explicit ScoringRulesDialog(Sync::Engine &engine, QWidget *parent = nullptr);
    ~ScoringRulesDialog() override;
    Q_DISABLE_COPY_MOVE(ScoringRulesDialog)

    // The document as edited so far (the text as given when nothing was edited in the table).
    [[nodiscard]] QByteArray document() const;
    // Shows another document; false, with the reason shown, when the rules refuse it.
    bool setDocument(const QByteArray &document);

    [[nodiscard]] QTreeWidget *rulesTree() const;
    // The rule's item, found by its id ("phone_provided"), or a group's ("contact_quality").
    [[nodiscard]] QTreeWidgetItem *itemFor(const QString &id) const;
    // The spin box of a threshold: `bands` "grades" or "qualification", the band's index.
    [[nodiscard]] QSpinBox *thresholdSpin(const QString &bands, int index) const;
    [[nodiscard]] QGroupBox *decayBox() const;
    [[nodiscard]] QSpinBox *halfLifeSpin() const;
    [[nodiscard]] QString errorText() const;
    [[nodiscard]] bool canSave() const;
    [[nodiscard]] bool isBusy() const { return m_busy; }

public Q_SLOTS:
    // Saves (the dialog closes once the rules are stored); closes at once when nothing changed.
    void accept() override;
    void editJson();
    void restoreDefaults();

Q_SIGNALS:
    void saveFailed(const QString &message);

private:
    void populate();
    void populateThresholds();
    void itemEdited(QTreeWidgetItem *item, int column);
    void decayEdited();
    void fadesEdited();
    // The document changed through the widgets: write it out and check it.
    void edited();
    void check();
    void setBusy(bool busy);

    std::unique_ptr<Ui_ScoringRulesDialog> m_ui;
    Sync::Engine &m_engine;
    QJsonObject m_root;
    QByteArray m_text;  // what document() returns
    QByteArray m_saved; // the business's rules when the dialog opened
    bool m_populating = false;
    bool m_busy = false;
    bool m_valid = true;
};

} // namespace LeadDesk::Ui
