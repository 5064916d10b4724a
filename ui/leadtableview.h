#pragma once

#include <QTableView>

namespace LeadDesk::Ui {

// The lead list's view: whole rows, Home/End go to the first/last loaded row (a table's default
// moves between columns), and no type-ahead search, whose letters would clash with the j/k
// shortcuts and which could only search the rows loaded so far.
class LeadTableView final : public QTableView
{
    Q_OBJECT
public:
    explicit LeadTableView(QWidget *parent = nullptr);
    ~LeadTableView() override;
    Q_DISABLE_COPY_MOVE(LeadTableView)

    void keyboardSearch(const QString &search) override;

protected:
    QModelIndex moveCursor(CursorAction cursorAction, Qt::KeyboardModifiers modifiers) override;
};

} // namespace LeadDesk::Ui
