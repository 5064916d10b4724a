#include "leadtablemodel.h"

#include "engine.h"
#include "formatting.h"
#include "onresult.h"

#include <QDateTime>
#include <QFont>
#include <QGuiApplication>
#include <QPalette>

#include <algorithm>

namespace LeadDesk::Ui {

namespace {

Core::LeadSort leadSort(int column)
{
    switch (column) {
    case LeadTableModel::Name:
        return Core::LeadSort::Name;
    case LeadTableModel::Source:
        return Core::LeadSort::Source;
    case LeadTableModel::Campaign:
        return Core::LeadSort::Campaign;
    case LeadTableModel::Score:
        return Core::LeadSort::Score;
    case LeadTableModel::Grade:
        return Core::LeadSort::Grade;
    case LeadTableModel::Status:
        return Core::LeadSort::Status;
    default:
        return Core::LeadSort::Created;
    }
}

QColor gradeColor(const QString &grade)
{
    if (grade == QLatin1String("A"))
        return QColor(0x1b, 0x7f, 0x3b);
    if (grade == QLatin1String("B"))
        return QColor(0x1f, 0x5f, 0xa8);
    if (grade == QLatin1String("C"))
        return QColor(0xa8, 0x62, 0x00);
    return Formatting::mutedTextColor(QGuiApplication::palette());
}

} // namespace

LeadTableModel::LeadTableModel(Sync::Engine &engine, QObject *parent)
    : QAbstractTableModel(parent)
    , m_engine(engine)
{
    connect(&engine, &Sync::Engine::leadsChanged, this, &LeadTableModel::refresh);
}

LeadTableModel::~LeadTableModel() = default;

int LeadTableModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_rows.size());
}

int LeadTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant LeadTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Core::LeadSummary &lead = m_rows.at(index.row());
    const bool waitingOnUs = lead.waitingOn == QLatin1String("business");

    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case Name:
            return lead.displayName();
        case Source:
            return Formatting::channelLabel(lead.channel);
        case Campaign:
            return lead.campaignName;
        case Score:
            return lead.score;
        case Grade:
            return lead.grade;
        case Status:
            return Formatting::statusLabel(lead.status);
        case Assignee:
            return lead.assigneeName.isEmpty() ? tr("Unassigned") : lead.assigneeName;
        case Created:
            return Formatting::dateTime(lead.createdAtMs);
        }
        return {};
    case Qt::ToolTipRole:
        switch (index.column()) {
        case Name: {
            QStringList lines{lead.displayName()};
            if (!lead.email.isEmpty())
                lines.push_back(lead.email);
            if (!lead.phone.isEmpty())
                lines.push_back(lead.phone);
            if (waitingOnUs)
                lines.push_back(tr("Waiting on you"));
            return lines.join(QLatin1Char('\n'));
        }
        case Campaign:
            return lead.campaignName;
        case Score:
        case Grade:
            return tr("Grade %1, score %2 of 100 (%3)")
                .arg(lead.grade)
                .arg(lead.score)
                .arg(Formatting::qualificationLabel(lead.qualification));
        case Status:
            if (waitingOnUs)
                return tr("%1 — waiting on you").arg(Formatting::statusLabel(lead.status));
            if (lead.waitingOn == QLatin1String("lead"))
                return tr("%1 — waiting on the lead").arg(Formatting::statusLabel(lead.status));
            return Formatting::statusLabel(lead.status);
        case Created:
            return Formatting::relativeAge(lead.createdAtMs, QDateTime::currentMSecsSinceEpoch());
        }
        return {};
    case Qt::TextAlignmentRole:
        if (index.column() == Score)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        if (index.column() == Grade)
            return QVariant::fromValue(Qt::AlignHCenter | Qt::AlignVCenter);
        return QVariant::fromValue(Qt::AlignLeft | Qt::AlignVCenter);
    case Qt::FontRole:
        // Leads waiting on an answer stand out, like unread mail.
        if ((index.column() == Name && waitingOnUs) || index.column() == Grade) {
            QFont font;
            font.setBold(true);
            return font;
        }
        return {};
    case Qt::ForegroundRole:
        if (index.column() == Grade)
            return gradeColor(lead.grade);
        if (index.column() == Assignee && lead.assigneeName.isEmpty())
            return Formatting::mutedTextColor(QGuiApplication::palette());
        return {};
    case LeadIdRole:
        return lead.id;
    case ChannelRole:
        return lead.channel;
    case StatusRole:
        return lead.status;
    case ScoreRole:
        return lead.score;
    case GradeRole:
        return lead.grade;
    case CreatedAtRole:
        return lead.createdAtMs;
    case WaitingOnRole:
        return lead.waitingOn;
    case AssigneeIdRole:
        return lead.assignedTo;
    case EmailRole:
        return lead.email;
    case PhoneRole:
        return lead.phone;
    default:
        return {};
    }
}

QVariant LeadTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::DisplayRole) {
        switch (section) {
        case Name:
            return tr("Name");
        case Source:
            return tr("Source");
        case Campaign:
            return tr("Campaign");
        case Score:
            return tr("Score");
        case Grade:
            return tr("Grade");
        case Status:
            return tr("Status");
        case Assignee:
            return tr("Assignee");
        case Created:
            return tr("Created");
        }
    }
    if (role == Qt::ToolTipRole) {
        if (section == Assignee)
            return tr("The list cannot be sorted by assignee");
        if (section == Grade)
            return tr("Sorts by score: the grade follows from it");
        return tr("Click to sort by %1").arg(headerData(section, orientation).toString().toLower());
    }
    if (role == Qt::TextAlignmentRole && section == Score)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    return QAbstractTableModel::headerData(section, orientation, role);
}

Qt::ItemFlags LeadTableModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::NoItemFlags;
    return Qt::ItemIsEnabled | Qt::ItemIsSelectable | Qt::ItemNeverHasChildren;
}

QHash<int, QByteArray> LeadTableModel::roleNames() const
{
    QHash<int, QByteArray> names = QAbstractTableModel::roleNames();
    names.insert(LeadIdRole, "leadId");
    names.insert(ChannelRole, "channel");
    names.insert(StatusRole, "status");
    names.insert(ScoreRole, "score");
    names.insert(GradeRole, "grade");
    names.insert(CreatedAtRole, "createdAt");
    names.insert(WaitingOnRole, "waitingOn");
    names.insert(AssigneeIdRole, "assigneeId");
    names.insert(EmailRole, "email");
    names.insert(PhoneRole, "phone");
    return names;
}

bool LeadTableModel::canFetchMore(const QModelIndex &parent) const
{
    return !parent.isValid() && !m_loading && !m_complete && m_error.isEmpty();
}

void LeadTableModel::fetchMore(const QModelIndex &parent)
{
    if (!canFetchMore(parent))
        return;
    requestPage(false, kPageSize);
}

void LeadTableModel::sort(int column, Qt::SortOrder order)
{
    if (!isSortable(column) || (column == m_sortColumn && order == m_sortOrder))
        return;
    m_sortColumn = column;
    m_sortOrder = order;
    requestPage(true, kPageSize);
}

bool LeadTableModel::isSortable(int column)
{
    return column >= 0 && column < ColumnCount && column != Assignee;
}

QString LeadTableModel::leadId(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id : QString();
}

int LeadTableModel::rowOf(const QString &leadId) const
{
    for (qsizetype i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == leadId)
            return static_cast<int>(i);
    }
    return -1;
}

void LeadTableModel::refresh()
{
    requestPage(true, std::clamp(static_cast<int>(m_rows.size()), kPageSize, kMaxRefreshRows));
}

void LeadTableModel::requestPage(bool replace, int limit)
{
    // A replacing request starts a new generation; whatever is still in flight becomes stale.
    if (replace || !m_started)
        ++m_generation;
    m_started = true;
    m_error.clear();

    Core::LeadPageRequest request;
    request.businessId = m_engine.business().id;
    request.sort = leadSort(m_sortColumn);
    request.order = m_sortOrder;
    request.limit = limit;
    if (!replace)
        request.after = m_next;
    const quint64 generation = m_generation;
    const bool replaceRows = replace || m_rows.isEmpty();
    setLoading(true);
    const auto future = m_engine.reader().submitValue<Core::LeadPage>(
        [request](Core::Database &db) { return Core::LeadRepository(db).fetchPage(request); });
    onResult(future, this, [this, generation, replaceRows](Core::Result<Core::LeadPage> page) {
        applyPage(generation, replaceRows, std::move(page));
    });
}

void LeadTableModel::applyPage(quint64 generation, bool replace, Core::Result<Core::LeadPage> page)
{
    if (generation != m_generation)
        return;
    if (!page) {
        m_error = page.error().toString();
        setLoading(false);
        Q_EMIT loadFailed(m_error);
        return;
    }
    m_next = page->next;
    m_complete = !page->next.has_value();
    if (replace) {
        beginResetModel();
        m_rows = std::move(page->rows);
        endResetModel();
    } else if (!page->rows.isEmpty()) {
        const int first = static_cast<int>(m_rows.size());
        beginInsertRows({}, first, first + static_cast<int>(page->rows.size()) - 1);
        m_rows.append(std::move(page->rows));
        endInsertRows();
    }
    setLoading(false);
    if (replace)
        Q_EMIT firstPageLoaded();
}

void LeadTableModel::setLoading(bool loading)
{
    if (m_loading == loading)
        return;
    m_loading = loading;
    Q_EMIT loadingChanged(loading);
}

} // namespace LeadDesk::Ui
