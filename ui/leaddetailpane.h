#pragma once

#include "leadrepository.h"
#include "scoringrules.h"

#include <QWidget>

class QLabel;
class QStackedWidget;
class QTextBrowser;

namespace LeadDesk::Sync {
class Engine;
}

namespace LeadDesk::Ui {

// Everything known about one lead, read-only: contact, attribution, request, qualification,
// handling, the channels the person was recognised on, source-specific details, the conversation
// and recent activity. The detail is read on the store's reader thread; while the selection
// moves quickly only the latest lead is fetched next, so holding a key never queues a backlog.
class LeadDetailPane final : public QWidget
{
    Q_OBJECT
public:
    explicit LeadDetailPane(Sync::Engine &engine, QWidget *parent = nullptr);
    ~LeadDetailPane() override;
    Q_DISABLE_COPY_MOVE(LeadDetailPane)

    // Shows the lead once its detail has been read; an empty id shows the empty state.
    void showLead(const QString &leadId);
    void clear() { showLead({}); }

    // The lead asked for last, and the one on screen (they differ while a read is in flight).
    [[nodiscard]] const QString &requestedLeadId() const { return m_requestedId; }
    [[nodiscard]] const QString &shownLeadId() const { return m_shownId; }
    [[nodiscard]] bool isEmptyStateShown() const;
    // The text on screen, as plain text.
    [[nodiscard]] QString text() const;

    // The pane's document for one lead; colours come from `palette`. With `rules`, the score
    // breakdown is explained rule by rule, group by group (caps and decay included); without,
    // its entries are listed biggest first.
    [[nodiscard]] static QString toHtml(const Core::LeadDetail &detail, const QPalette &palette,
                                        const Core::ScoringRules *rules = nullptr);

Q_SIGNALS:
    void leadShown(const QString &leadId);
    void loadFailed(const QString &leadId, const QString &message);

private:
    void requestDetail();
    void applyDetail(const QString &leadId, Core::Result<Core::LeadDetail> detail);

    Sync::Engine &m_engine;
    QStackedWidget *m_stack = nullptr;
    QLabel *m_emptyLabel = nullptr;
    QTextBrowser *m_browser = nullptr;
    QString m_requestedId;
    QString m_shownId;
    bool m_inFlight = false;
    bool m_reloadPending = false;
};

} // namespace LeadDesk::Ui
