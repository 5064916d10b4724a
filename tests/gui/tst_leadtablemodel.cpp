#include "demodatagenerator.h"
#include "engine.h"
#include "formatting.h"
#include "leadtablemodel.h"
#include "testsupport.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QSqlQuery>
#include <QTest>

#include <memory>

using namespace LeadDesk;
using Ui::LeadTableModel;

namespace {

constexpr int kLeads = 1000;
constexpr int kTimeoutMs = 15000;

} // namespace

class TestLeadTableModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void firstPageArrives();
    void fetchMoreAppends();
    void everyRowIsReachable();
    void sorting_data();
    void sorting();
    void assigneeIsNotSortable();
    void refreshKeepsSort();
    void leadsChangedRefreshes();
    void staleResultsAreDropped();
    void displayAndRoles();

private:
    // Fetches pages until the last one has arrived.
    void loadAll(LeadTableModel &model);
    // The sort key of every lead, by id, as text that compares like the SQL does.
    QHash<QString, QString> keysById(const QString &keys);
    QStringList keysInSqlOrder(const QString &keys, Qt::SortOrder order);

    std::unique_ptr<Test::TempStore> m_store;
    std::unique_ptr<Sync::Engine> m_engine;
};

void TestLeadTableModel::initTestCase()
{
    m_store = std::make_unique<Test::TempStore>();
    QVERIFY(m_store->isValid());
    Core::DemoDataGenerator::Options options;
    options.leads = kLeads;
    options.seed = 7;
    options.nowMs = 1'760'000'000'000;
    // The generator commits in batches of its own, so it runs on a connection of its own.
    Core::DemoDataGenerator generator(m_store->db(), options);
    auto generated = generator.generate(m_store->businessId());
    QVERIFY2(generated, qPrintable(generated ? QString() : generated.error().toString()));
    QCOMPARE(Test::countRows(m_store->db(), QStringLiteral("leads")), kLeads);

    m_engine = std::make_unique<Sync::Engine>();
    auto opened = m_engine->open(m_store->dir());
    QVERIFY2(opened, qPrintable(opened ? QString() : opened.error().toString()));
    QCOMPARE(m_engine->business().id, m_store->businessId());
}

void TestLeadTableModel::loadAll(LeadTableModel &model)
{
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeoutMs);
    int guard = 0;
    while (model.canFetchMore({})) {
        QVERIFY(++guard <= kLeads / LeadTableModel::kPageSize + 2);
        model.fetchMore({});
        QVERIFY(model.isLoading());
        QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeoutMs);
    }
    QVERIFY(model.isComplete());
    QVERIFY(model.errorString().isEmpty());
}

QHash<QString, QString> TestLeadTableModel::keysById(const QString &keys)
{
    QHash<QString, QString> byId;
    QSqlQuery query(m_store->db().connection());
    const QString sql
        = QStringLiteral("SELECT id, ") + keys
          + QStringLiteral(" FROM scored_leads WHERE business_id = ? AND deleted = 0");
    query.prepare(sql);
    query.addBindValue(m_store->businessId());
    if (!query.exec())
        qFatal("%s", qPrintable(sql));
    const int keyCount = static_cast<int>(keys.count(QLatin1Char(',')) + 1);
    while (query.next()) {
        QStringList parts;
        for (int i = 1; i <= keyCount; ++i)
            parts.push_back(query.value(i).toString());
        byId.insert(query.value(0).toString(), parts.join(QChar(0x1f)));
    }
    return byId;
}

QStringList TestLeadTableModel::keysInSqlOrder(const QString &keys, Qt::SortOrder order)
{
    const QString dir
        = order == Qt::AscendingOrder ? QStringLiteral(" ASC") : QStringLiteral(" DESC");
    QStringList orderBy = keys.split(QStringLiteral(", "));
    for (QString &key : orderBy)
        key += dir;
    QSqlQuery query(m_store->db().connection());
    const QString sql
        = QStringLiteral("SELECT ") + keys
          + QStringLiteral(" FROM scored_leads WHERE business_id = ? AND deleted = 0 ORDER BY ")
          + orderBy.join(QStringLiteral(", "));
    query.prepare(sql);
    query.addBindValue(m_store->businessId());
    if (!query.exec())
        qFatal("%s", qPrintable(sql));
    const int keyCount = static_cast<int>(orderBy.size());
    QStringList sequence;
    while (query.next()) {
        QStringList parts;
        for (int i = 0; i < keyCount; ++i)
            parts.push_back(query.value(i).toString());
        sequence.push_back(parts.join(QChar(0x1f)));
    }
    return sequence;
}

void TestLeadTableModel::firstPageArrives()
{
    LeadTableModel model(*m_engine);
    QSignalSpy firstPage(&model, &LeadTableModel::firstPageLoaded);
    QSignalSpy loading(&model, &LeadTableModel::loadingChanged);
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(model.canFetchMore({}));
    // The tester asks for more rows, as a view does.
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.columnCount(), int(LeadTableModel::ColumnCount));
    if (model.canFetchMore({}))
        model.fetchMore({});
    QTRY_COMPARE_WITH_TIMEOUT(firstPage.count(), 1, kTimeoutMs);
    QCOMPARE(model.rowCount(), LeadTableModel::kPageSize);
    QVERIFY(!model.isLoading());
    QVERIFY(!model.isComplete());
    QVERIFY(model.canFetchMore({}));
    QCOMPARE(loading.count(), 2);
    QCOMPARE(loading.at(0).at(0).toBool(), true);
    QCOMPARE(loading.at(1).at(0).toBool(), false);
    // Newest first by default.
    QCOMPARE(model.sortColumn(), int(LeadTableModel::Created));
    QCOMPARE(model.sortOrder(), Qt::DescendingOrder);
    for (int row = 1; row < model.rowCount(); ++row) {
        QVERIFY(model.index(row - 1, 0).data(LeadTableModel::CreatedAtRole).toLongLong()
                >= model.index(row, 0).data(LeadTableModel::CreatedAtRole).toLongLong());
    }
}

void TestLeadTableModel::fetchMoreAppends()
{
    LeadTableModel model(*m_engine);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), LeadTableModel::kPageSize, kTimeoutMs);
    QTRY_VERIFY(!model.isLoading());
    QStringList firstPage;
    for (int row = 0; row < model.rowCount(); ++row)
        firstPage.push_back(model.leadId(row));

    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.fetchMore({});
    QVERIFY(model.isLoading());
    // Only one request in flight: a second fetchMore while loading does nothing.
    QVERIFY(!model.canFetchMore({}));
    model.fetchMore({});
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2 * LeadTableModel::kPageSize, kTimeoutMs);
    QTRY_VERIFY(!model.isLoading());
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(inserted.at(0).at(1).toInt(), LeadTableModel::kPageSize);
    QCOMPARE(inserted.at(0).at(2).toInt(), 2 * LeadTableModel::kPageSize - 1);
    QCOMPARE(reset.count(), 0);
    for (int row = 0; row < firstPage.size(); ++row)
        QCOMPARE(model.leadId(row), firstPage.at(row));
    // The second page continues where the first ended.
    QVERIFY(model.index(LeadTableModel::kPageSize - 1, 0)
                .data(LeadTableModel::CreatedAtRole)
                .toLongLong()
            >= model.index(LeadTableModel::kPageSize, 0)
                   .data(LeadTableModel::CreatedAtRole)
                   .toLongLong());
}

void TestLeadTableModel::everyRowIsReachable()
{
    LeadTableModel model(*m_engine);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.refresh();
    loadAll(model);
    QCOMPARE(model.rowCount(), kLeads);
    QSet<QString> ids;
    for (int row = 0; row < model.rowCount(); ++row)
        ids.insert(model.leadId(row));
    QCOMPARE(ids.size(), kLeads);
    QCOMPARE(ids, QSet<QString>(keysById(QStringLiteral("id")).keyBegin(),
                                keysById(QStringLiteral("id")).keyEnd()));
    QVERIFY(!model.canFetchMore({}));
}

void TestLeadTableModel::sorting_data()
{
    QTest::addColumn<int>("column");
    QTest::addColumn<Qt::SortOrder>("order");
    QTest::addColumn<QString>("keys"); // the SQL sort keys the column stands for

    const std::tuple<int, const char *, QString> columns[] = {
        {LeadTableModel::Name, "name", QStringLiteral("last_name, first_name")},
        {LeadTableModel::Source, "source", QStringLiteral("channel, created_at")},
        {LeadTableModel::Campaign, "campaign", QStringLiteral("campaign_name")},
        {LeadTableModel::Score, "score", QStringLiteral("lead_score")},
        {LeadTableModel::Grade, "grade", QStringLiteral("lead_score")},
        {LeadTableModel::Status, "status", QStringLiteral("status, created_at")},
        {LeadTableModel::Created, "created", QStringLiteral("created_at")},
    };
    for (const auto &[column, name, keys] : columns) {
        QTest::addRow("%s ascending", name) << column << Qt::AscendingOrder << keys;
        QTest::addRow("%s descending", name) << column << Qt::DescendingOrder << keys;
    }
}

void TestLeadTableModel::sorting()
{
    QFETCH(int, column);
    QFETCH(Qt::SortOrder, order);
    QFETCH(QString, keys);

    LeadTableModel model(*m_engine);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy firstPage(&model, &LeadTableModel::firstPageLoaded);
    // Start from a different sort, so this one is a change.
    model.sort(column == LeadTableModel::Score ? LeadTableModel::Name : LeadTableModel::Score,
               Qt::AscendingOrder);
    QTRY_COMPARE_WITH_TIMEOUT(firstPage.count(), 1, kTimeoutMs);
    model.sort(column, order);
    QCOMPARE(model.sortColumn(), column);
    QCOMPARE(model.sortOrder(), order);
    QTRY_COMPARE_WITH_TIMEOUT(firstPage.count(), 2, kTimeoutMs);
    loadAll(model);
    QCOMPARE(model.rowCount(), kLeads);

    const QHash<QString, QString> keyOf = keysById(keys);
    QStringList sequence;
    for (int row = 0; row < model.rowCount(); ++row)
        sequence.push_back(keyOf.value(model.leadId(row)));
    QCOMPARE(sequence, keysInSqlOrder(keys, order));

    // The column shows the key it sorts by.
    if (column == LeadTableModel::Score) {
        for (int row = 1; row < model.rowCount(); ++row) {
            const int previous = model.index(row - 1, column).data().toInt();
            const int current = model.index(row, column).data().toInt();
            QVERIFY(order == Qt::AscendingOrder ? previous <= current : previous >= current);
        }
    }
}

void TestLeadTableModel::assigneeIsNotSortable()
{
    QVERIFY(!LeadTableModel::isSortable(LeadTableModel::Assignee));
    LeadTableModel model(*m_engine);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.refresh();
    QTRY_VERIFY_WITH_TIMEOUT(!model.isLoading(), kTimeoutMs);
    QSignalSpy loading(&model, &LeadTableModel::loadingChanged);
    model.sort(LeadTableModel::Assignee, Qt::AscendingOrder);
    QCOMPARE(model.sortColumn(), int(LeadTableModel::Created));
    QCOMPARE(loading.count(), 0);
    QVERIFY(!model.headerData(LeadTableModel::Assignee, Qt::Horizontal, Qt::ToolTipRole)
                 .toString()
                 .isEmpty());
    // Sorting by the sort in force does not reload either.
    model.sort(LeadTableModel::Created, Qt::DescendingOrder);
    QCOMPARE(loading.count(), 0);
}

void TestLeadTableModel::refreshKeepsSort()
{
    LeadTableModel model(*m_engine);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy firstPage(&model, &LeadTableModel::firstPageLoaded);
    model.sort(LeadTableModel::Score, Qt::AscendingOrder);
    QTRY_COMPARE_WITH_TIMEOUT(firstPage.count(), 1, kTimeoutMs);
    model.fetchMore({});
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 2 * LeadTableModel::kPageSize, kTimeoutMs);
    QTRY_VERIFY(!model.isLoading());

    model.refresh();
    // The old rows stay until the new first page replaces them.
    QCOMPARE(model.rowCount(), 2 * LeadTableModel::kPageSize);
    QTRY_COMPARE_WITH_TIMEOUT(firstPage.count(), 2, kTimeoutMs);
    QCOMPARE(model.sortColumn(), int(LeadTableModel::Score));
    QCOMPARE(model.sortOrder(), Qt::AscendingOrder);
    // What was on screen is reloaded, not just the first page.
    QCOMPARE(model.rowCount(), 2 * LeadTableModel::kPageSize);
    for (int row = 1; row < model.rowCount(); ++row) {
        QVERIFY(model.index(row - 1, 0).data(LeadTableModel::ScoreRole).toInt()
                <= model.index(row, 0).data(LeadTableModel::ScoreRole).toInt());
    }
    // Paging continues after the refreshed rows.
    model.fetchMore({});
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), 3 * LeadTableModel::kPageSize, kTimeoutMs);
}

void TestLeadTableModel::leadsChangedRefreshes()
{
    LeadTableModel model(*m_engine);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy firstPage(&model, &LeadTableModel::firstPageLoaded);
    model.sort(LeadTableModel::Name, Qt::DescendingOrder);
    QTRY_COMPARE_WITH_TIMEOUT(firstPage.count(), 1, kTimeoutMs);
    m_engine->notifyLeadsChanged();
    QTRY_COMPARE_WITH_TIMEOUT(firstPage.count(), 2, kTimeoutMs);
    QCOMPARE(model.sortColumn(), int(LeadTableModel::Name));
    QCOMPARE(model.sortOrder(), Qt::DescendingOrder);
    QCOMPARE(model.rowCount(), LeadTableModel::kPageSize);
}

void TestLeadTableModel::staleResultsAreDropped()
{
    LeadTableModel model(*m_engine);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy firstPage(&model, &LeadTableModel::firstPageLoaded);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    // Three sorts before any result is back: only the last one's rows may land.
    model.sort(LeadTableModel::Name, Qt::AscendingOrder);
    model.sort(LeadTableModel::Status, Qt::AscendingOrder);
    model.sort(LeadTableModel::Score, Qt::DescendingOrder);
    QTRY_COMPARE_WITH_TIMEOUT(firstPage.count(), 1, kTimeoutMs);
    QTRY_VERIFY(!model.isLoading());
    // Give the stale results every chance to arrive.
    m_engine->reader().flush();
    QCoreApplication::processEvents();
    QCOMPARE(firstPage.count(), 1);
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), LeadTableModel::kPageSize);
    const QHash<QString, QString> scores = keysById(QStringLiteral("lead_score"));
    for (int row = 1; row < model.rowCount(); ++row) {
        QVERIFY(scores.value(model.leadId(row - 1)).toInt()
                >= scores.value(model.leadId(row)).toInt());
    }
}

void TestLeadTableModel::displayAndRoles()
{
    LeadTableModel model(*m_engine);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.refresh();
    QTRY_COMPARE_WITH_TIMEOUT(model.rowCount(), LeadTableModel::kPageSize, kTimeoutMs);

    QSqlQuery query(m_store->db().connection());
    query.prepare(
        QStringLiteral("SELECT first_name, last_name, lead_score, lead_grade, status, "
                       "channel, created_at, campaign_name FROM scored_leads WHERE id = ?"));
    for (int row : {0, 1, 57, LeadTableModel::kPageSize - 1}) {
        const QString id = model.index(row, 0).data(LeadTableModel::LeadIdRole).toString();
        QCOMPARE(id, model.leadId(row));
        QCOMPARE(model.rowOf(id), row);
        query.addBindValue(id);
        QVERIFY(query.exec());
        QVERIFY(query.next());
        const QString name
            = QString(query.value(0).toString() + QLatin1Char(' ') + query.value(1).toString())
                  .trimmed();
        if (!name.isEmpty())
            QCOMPARE(model.index(row, LeadTableModel::Name).data().toString(), name);
        QCOMPARE(model.index(row, LeadTableModel::Score).data().toInt(), query.value(2).toInt());
        QCOMPARE(model.index(row, LeadTableModel::Score).data(LeadTableModel::ScoreRole).toInt(),
                 query.value(2).toInt());
        QCOMPARE(model.index(row, LeadTableModel::Grade).data().toString(),
                 query.value(3).toString());
        QCOMPARE(model.index(row, 0).data(LeadTableModel::StatusRole).toString(),
                 query.value(4).toString());
        QCOMPARE(model.index(row, 0).data(LeadTableModel::ChannelRole).toString(),
                 query.value(5).toString());
        QCOMPARE(model.index(row, 0).data(LeadTableModel::CreatedAtRole).toLongLong(),
                 query.value(6).toLongLong());
        QCOMPARE(model.index(row, LeadTableModel::Campaign).data().toString(),
                 query.value(7).toString());
        QVERIFY(!model.index(row, LeadTableModel::Status).data().toString().contains(u'_'));
        QVERIFY(!model.index(row, LeadTableModel::Created).data().toString().isEmpty());
        QVERIFY(!model.index(row, LeadTableModel::Assignee).data().toString().isEmpty());
        query.finish();
    }
    const auto alignment = model.index(0, LeadTableModel::Score).data(Qt::TextAlignmentRole);
    QVERIFY(alignment.value<Qt::Alignment>() & Qt::AlignRight);
    QCOMPARE(model.index(0, LeadTableModel::Source).data().toString(),
             Ui::Formatting::channelLabel(
                 model.index(0, 0).data(LeadTableModel::ChannelRole).toString()));
    QVERIFY(model.roleNames().value(LeadTableModel::LeadIdRole) == "leadId");
}

QTEST_MAIN(TestLeadTableModel)
#include "tst_leadtablemodel.moc"
