#pragma once

#include <QDialog>

#include <memory>

class QTimer;
// The form uic generates from scoringjsondialog.ui (see OwnerSetupDialog for the naming).
class Ui_ScoringJsonDialog;

namespace LeadDesk::Ui {

// The scoring rule document as text, for power users. Checked as they type: a syntax error shows
// its line and column (and the line is marked), a rule error its JSON path and reason; OK is
// only possible for a document the rules accept.
class ScoringJsonDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit ScoringJsonDialog(const QByteArray &document, QWidget *parent = nullptr);
    ~ScoringJsonDialog() override;
    Q_DISABLE_COPY_MOVE(ScoringJsonDialog)

    [[nodiscard]] QByteArray document() const;
    void setDocument(const QByteArray &document);
    // Empty while the document is valid.
    [[nodiscard]] QString errorText() const;
    [[nodiscard]] bool isValid() const { return m_valid; }

public Q_SLOTS:
    // Checks the text now rather than after the typing pause.
    void validate();

private:
    std::unique_ptr<Ui_ScoringJsonDialog> m_ui;
    QTimer *m_pause = nullptr;
    bool m_valid = false;
};

} // namespace LeadDesk::Ui
