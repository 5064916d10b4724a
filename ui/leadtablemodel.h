#pragma once

#include "leadrepository.h"

#include <QAbstractTableModel>

#include <optional>

namespace LeadDesk::Sync {
class Engine;
}

namespace LeadDesk::Ui {

// The business's leads, one page of 200 at a time, read on the store's reader thread. Pages are
// keyed by the cursor of the last row seen (never OFFSET), so the model holds only what was
// scrolled and page 5,000 arrives as fast as page 1. One page request is in flight at a time; a
// sort or refresh starts a new generation and results of older generations are dropped.
// A sort or refresh keeps the current rows on screen until the new first page replaces them;
// Engine::leadsChanged refreshes.
class LeadTableModel final : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { Name, Source, Campaign, Score, Grade, Status, Assignee, Created, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        LeadIdRole = Qt::UserRole + 1,
        ChannelRole,   // "whatsapp", "csv", ...
        StatusRole,    // "new", "closed_won", ...
        ScoreRole,     // int
        GradeRole,     // "A".."D"
        CreatedAtRole, // UTC epoch milliseconds
        WaitingOnRole, // "business", "lead" or empty
        AssigneeIdRole,
        EmailRole,
        PhoneRole,
    };

    static constexpr int kPageSize = 200;
    // A refresh reloads what was on screen (up to this many rows) in one request.
    static constexpr int kMaxRefreshRows = 2000;

    explicit LeadTableModel(Sync::Engine &engine, QObject *parent = nullptr);
    ~LeadTableModel() override;
    Q_DISABLE_COPY_MOVE(LeadTableModel)

    [[nodiscard]] int rowCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] int columnCount(const QModelIndex &parent = {}) const override;
    [[nodiscard]] QVariant data(const QModelIndex &index,
                                int role = Qt::DisplayRole) const override;
    [[nodiscard]] QVariant headerData(int section, Qt::Orientation orientation,
                                      int role = Qt::DisplayRole) const override;
    [[nodiscard]] Qt::ItemFlags flags(const QModelIndex &index) const override;
    [[nodiscard]] QHash<int, QByteArray> roleNames() const override;

    [[nodiscard]] bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    // Ignores columns that are not sortable and the sort already in force.
    void sort(int column, Qt::SortOrder order = Qt::AscendingOrder) override;

    [[nodiscard]] static bool isSortable(int column);
    [[nodiscard]] int sortColumn() const { return m_sortColumn; }
    [[nodiscard]] Qt::SortOrder sortOrder() const { return m_sortOrder; }
    [[nodiscard]] bool isLoading() const { return m_loading; }
    // True once the last page has arrived.
    [[nodiscard]] bool isComplete() const { return m_complete; }
    [[nodiscard]] QString errorString() const { return m_error; }
    [[nodiscard]] QString leadId(int row) const;
    // The row of a loaded lead, or -1.
    [[nodiscard]] int rowOf(const QString &leadId) const;

public Q_SLOTS:
    // Reloads from the top with the current sort (Engine::leadsChanged).
    void refresh();

Q_SIGNALS:
    void firstPageLoaded();
    void loadingChanged(bool loading);
    void loadFailed(const QString &message);

private:
    void requestPage(bool replace, int limit);
    void applyPage(quint64 generation, bool replace, Core::Result<Core::LeadPage> page);
    void setLoading(bool loading);

    Sync::Engine &m_engine;
    QList<Core::LeadSummary> m_rows;
    std::optional<Core::LeadCursor> m_next;
    quint64 m_generation = 0;
    bool m_loading = false;
    bool m_complete = false;
    bool m_started = false;
    QString m_error;
    int m_sortColumn = Created;
    Qt::SortOrder m_sortOrder = Qt::DescendingOrder;
};

} // namespace LeadDesk::Ui
