#include "clock.h"
#include "leadingestor.h"
#include "ruleinputsfill.h"
#include "ruleinputstable.h"
#include "testsupport.h"

#include <QSqlQuery>
#include <QTest>

#include <sqlite3.h>

using namespace LeadDesk;
using Core::RuleInputsFill;
using Core::RuleInputsTable;

namespace {

RuleInputsTable::Layout phoneAndCompany()
{
    RuleInputsTable::Layout layout;
    layout.fields = {QStringLiteral("company"), QStringLiteral("phone")};
    return layout;
}

QString scalar(Test::TempStore &store, const QString &sql)
{
    QSqlQuery q(store.db().connection());
    if (!q.exec(sql) || !q.next())
        return QStringLiteral("<none>");
    return q.value(0).toString();
}

} // namespace

class tst_RuleInputsFill : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void fillsInSlicesWhileLeadsChange();
    void anotherFillStopsThisOne();
    void emptyStoreFillsAtOnce();

private:
    static void addLeads(Test::TempStore &store, int from, int to)
    {
        Core::ManualClock clock;
        Core::LeadIngestor ingestor(store.db(), clock);
        for (int i = from; i < to; ++i) {
            Core::LeadRecord r;
            r.channel = QStringLiteral("webform");
            r.email = QStringLiteral("p%1@acme.example").arg(i);
            r.phone = QStringLiteral("+1555%1").arg(1000000 + i);
            r.company = QStringLiteral("Acme");
            r.createdAtMs = 1000 + i;
            LD_VERIFY_OK(ingestor.store(store.businessId(), r));
        }
    }
};

void tst_RuleInputsFill::fillsInSlicesWhileLeadsChange()
{
    Test::TempStore store;
    addLeads(store, 0, 5);
    RuleInputsFill fill(phoneAndCompany(), 2);
    LD_VERIFY_OK(fill.nextSlice(store.db(), false));
    QCOMPARE(fill.total(), 5);
    QCOMPARE(fill.copied(), 2);
    QVERIFY(!fill.isDone());
    QVERIFY(!RuleInputsTable::current(static_cast<sqlite3 *>(store.db().sqliteHandle())).value());

    // Between slices: a lead stored after the fill began (the trigger copies it), and a lead not
    // copied yet changed (its slice copies it as it is then).
    addLeads(store, 5, 6);
    QSqlQuery q(store.db().connection());
    QVERIFY(q.exec(QStringLiteral("UPDATE leads SET company = 'Globex' WHERE email = "
                                  "'p4@acme.example'")));
    LD_VERIFY_OK(fill.nextSlice(store.db(), false));
    QVERIFY(!fill.isDone());
    LD_VERIFY_OK(fill.nextSlice(store.db(), false));
    QVERIFY(fill.isDone());
    QCOMPARE(fill.copied(), 5);                      // the sixth came by its trigger
    LD_VERIFY_OK(fill.nextSlice(store.db(), false)); // done: nothing more
    QCOMPARE(fill.copied(), 5);

    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_rule_inputs")), 6);
    QCOMPARE(scalar(store, QStringLiteral("SELECT count(*) FROM lead_rule_inputs AS c JOIN leads "
                                          "AS l ON l.rowid = c.lead_rowid AND l.id = c.id AND "
                                          "l.company = c.company AND l.phone = c.phone")),
             QStringLiteral("6"));
    QCOMPARE(scalar(store, QStringLiteral("SELECT company FROM lead_rule_inputs WHERE lead_rowid = "
                                          "(SELECT rowid FROM leads WHERE email = "
                                          "'p4@acme.example')")),
             QStringLiteral("Globex"));
    QCOMPARE(
        RuleInputsTable::current(static_cast<sqlite3 *>(store.db().sqliteHandle())).value().value(),
        phoneAndCompany());
}

void tst_RuleInputsFill::anotherFillStopsThisOne()
{
    Test::TempStore store;
    addLeads(store, 0, 4);
    RuleInputsFill first(phoneAndCompany(), 2);
    LD_VERIFY_OK(first.nextSlice(store.db(), false));
    // Another rescore (another process) starts a fill of its own.
    RuleInputsFill second(phoneAndCompany(), 10);
    LD_VERIFY_OK(second.nextSlice(store.db(), false));
    QVERIFY(second.isDone());
    const auto next = first.nextSlice(store.db(), false);
    QVERIFY(!next);
    QVERIFY(next.error().message.contains(u"replaced"));
    QVERIFY(!first.isDone());
    // The second's copy stands, whole.
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_rule_inputs")), 4);
    QVERIFY(RuleInputsTable::current(static_cast<sqlite3 *>(store.db().sqliteHandle())).value());
}

void tst_RuleInputsFill::emptyStoreFillsAtOnce()
{
    Test::TempStore store;
    RuleInputsFill fill(phoneAndCompany());
    LD_VERIFY_OK(fill.nextSlice(store.db(), true)); // no leads: nothing to prefetch either
    QVERIFY(fill.isDone());
    QCOMPARE(fill.copied(), 0);
    addLeads(store, 0, 1);
    QCOMPARE(Test::countRows(store.db(), QStringLiteral("lead_rule_inputs")), 1);
}

QTEST_GUILESS_MAIN(tst_RuleInputsFill)
#include "tst_ruleinputsfill.moc"
