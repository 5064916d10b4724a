// JournalProcessor's ingestor: the standard stages (routing, SLA clock) run for every lead a
// receiver route stores, and a change of the business's scoring rules reaches it on request.
#include "businessrepository.h"
#include "clock.h"
#include "ids.h"
#include "journalprocessor.h"
#include "leadingestor.h"
#include "scoringrules.h"
#include "testsupport.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;

namespace {

// June 2025, UTC; the 9th is a Monday (default hours Mon-Fri 09:00-17:00).
qint64 june(int day, int hour, int minute = 0)
{
    return QDateTime(QDate(2025, 6, day), QTime(hour, minute), Qt::UTC).toMSecsSinceEpoch();
}

// POST /test/forms: {"id": "...", "email": "..."}, one web-form lead each.
class FormRoute final : public Sync::InboundRoute
{
public:
    Spec spec() const override
    {
        Spec spec;
        spec.name = QStringLiteral("test_forms");
        spec.method = "POST";
        spec.pattern = QStringLiteral("/test/forms");
        return spec;
    }
    Sync::PreparedRequest prepare(const Sync::InboundRequest &request) const override
    {
        Sync::PreparedRequest prepared;
        const QJsonObject body = QJsonDocument::fromJson(request.body).object();
        prepared.dedupeKey = body.value(QLatin1String("id")).toString();
        prepared.data = body;
        return prepared;
    }
    Core::Result<Sync::ProcessOutcome> process(const Sync::InboundRequest &,
                                               const Sync::PreparedRequest &prepared,
                                               Sync::WriteContext &context) const override
    {
        const QJsonObject body = std::any_cast<QJsonObject>(prepared.data);
        Core::LeadRecord lead;
        lead.channel = QStringLiteral("webform");
        lead.firstName = QStringLiteral("Form");
        lead.email = body.value(QLatin1String("email")).toString();
        lead.createdAtMs = context.clock.nowMs();
        auto stored = context.ingestor.store(context.business.id, lead);
        if (!stored)
            return std::unexpected(stored.error());
        Sync::ProcessOutcome outcome;
        outcome.leadId = stored->leadId;
        outcome.response = Sync::InboundResponse::json(
            200, QJsonObject{{QStringLiteral("lead"), stored->leadId}});
        return outcome;
    }
};

Sync::InboundRequest form(const QString &id, const QString &email)
{
    Sync::InboundRequest request;
    request.method = "POST";
    request.url = QUrl(QStringLiteral("http://127.0.0.1:8080/test/forms"));
    request.path = QStringLiteral("/test/forms");
    request.headers = {{"content-type", "application/json"}};
    request.body
        = QJsonDocument(QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("email"), email}})
              .toJson(QJsonDocument::Compact);
    request.remoteAddress = QStringLiteral("192.0.2.7");
    request.receivedAtMs = june(9, 10);
    return request;
}

// Every lead with an e-mail scores `points`.
QByteArray emailWorth(int points)
{
    return R"({"version":1,"lead":{
        "grades":[{"label":"A","min":80},{"label":"B","min":60},{"label":"C","min":40},{"label":"D","min":0}],
        "qualification":[{"label":"sales_qualified","min":60},{"label":"marketing_qualified","min":30},{"label":"unqualified","min":0}],
        "groups":[{"id":"contact","max":100,"rules":[
            {"id":"email","points":)"
           + QByteArray::number(points) + R"(,"when":{"field":"email","op":"not_empty"}}]}]}})";
}

struct Fixture
{
    Test::TempStore store;
    Core::ManualClock clock{june(9, 10)};
    std::shared_ptr<Sync::InboundRouteTable> routes = std::make_shared<Sync::InboundRouteTable>();
    std::unique_ptr<Sync::JournalProcessor> processor;

    explicit Fixture(Sync::JournalProcessor::Options options = {})
    {
        if (!routes->add(std::make_shared<const FormRoute>()))
            qFatal("route");
        auto business = Core::BusinessRepository(store.db()).primary();
        if (!business)
            qFatal("business");
        processor = std::make_unique<Sync::JournalProcessor>(routes, *business, std::move(options),
                                                             clock);
    }

    QString receive(const QString &id, const QString &email)
    {
        const Sync::InboundRoute &route = *routes->byName(QStringLiteral("test_forms"));
        const Sync::InboundRequest request = form(id, email);
        const Sync::PreparedRequest prepared = route.prepare(request);
        Core::Transaction transaction(store.db());
        auto answer = processor->receive(store.db(), route, QStringLiteral("test_forms"), request,
                                         prepared);
        if (!answer || !transaction.commit())
            return {};
        return QJsonDocument::fromJson(answer->response.body)
            .object()
            .value(QLatin1String("lead"))
            .toString();
    }

    QString rep(const QString &name)
    {
        const QString id = Core::Ids::uuidV7(june(1, 0));
        QSqlQuery q(store.db().connection());
        q.prepare(QStringLiteral(
            "INSERT INTO users (id, business_id, username, display_name, role, password_hash, "
            "away, created_at, updated_at) VALUES (?, ?, ?, ?, 'rep', 'x', 0, 0, 0)"));
        q.addBindValue(id);
        q.addBindValue(store.businessId());
        q.addBindValue(name);
        q.addBindValue(name);
        if (!q.exec())
            qFatal("user insert failed");
        return id;
    }

    QVariant column(const QString &leadId, const QString &name)
    {
        QSqlQuery q(store.db().connection());
        q.prepare(QStringLiteral("SELECT %1 FROM scored_leads WHERE id = ?").arg(name));
        q.addBindValue(leadId);
        if (!q.exec() || !q.next())
            return QStringLiteral("<none>");
        return q.value(0);
    }
};

} // namespace

class tst_JournalProcessor : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formLeadIsRoutedAndGetsItsSlaDueTime();
    void standardStagesCanBeLeftOut();
    void reloadScoringReadsTheBusinessRulesAgain();
};

void tst_JournalProcessor::formLeadIsRoutedAndGetsItsSlaDueTime()
{
    Fixture f;
    const QString alice = f.rep(QStringLiteral("alice"));
    const QString lead = f.receive(QStringLiteral("form-1"), QStringLiteral("ann@example.com"));
    QVERIFY(!lead.isEmpty());
    QCOMPARE(f.column(lead, QStringLiteral("assigned_to")).toString(), alice);
    QCOMPARE(
        Test::countRows(f.store.db(), QStringLiteral("activities"),
                        QStringLiteral("activity_type = 'assigned' AND lead_id = '%1'").arg(lead)),
        1);
    // Arrived Monday 10:00; a web-form lead of grade D has four business hours.
    QCOMPARE(f.column(lead, QStringLiteral("sla_started_at")).toLongLong(), june(9, 10));
    QCOMPARE(f.column(lead, QStringLiteral("response_due_at")).toLongLong(), june(9, 14));
    QCOMPARE(f.column(lead, QStringLiteral("first_response_due_at")).toLongLong(), june(9, 14));
}

void tst_JournalProcessor::standardStagesCanBeLeftOut()
{
    Sync::JournalProcessor::Options options;
    options.standardStages = false;
    int configured = 0;
    options.configureIngestor = [&configured](Core::LeadIngestor &, Core::Database &) {
        ++configured;
    };
    Fixture f(std::move(options));
    f.rep(QStringLiteral("alice"));
    const QString lead = f.receive(QStringLiteral("form-1"), QStringLiteral("ann@example.com"));
    QVERIFY(!lead.isEmpty());
    QVERIFY(f.column(lead, QStringLiteral("assigned_to")).isNull());
    QVERIFY(f.column(lead, QStringLiteral("response_due_at")).isNull());
    QCOMPARE(configured, 1);
}

void tst_JournalProcessor::reloadScoringReadsTheBusinessRulesAgain()
{
    Fixture f;
    LD_VERIFY_OK(
        Core::ScoringRules::saveForBusiness(f.store.db(), f.store.businessId(), emailWorth(11), 0));
    const QString first = f.receive(QStringLiteral("form-1"), QStringLiteral("a@example.com"));
    QCOMPARE(f.column(first, QStringLiteral("lead_score")).toInt(), 11);

    LD_VERIFY_OK(
        Core::ScoringRules::saveForBusiness(f.store.db(), f.store.businessId(), emailWorth(33), 0));
    // Parsed rules are kept until told otherwise.
    const QString second = f.receive(QStringLiteral("form-2"), QStringLiteral("b@example.com"));
    QCOMPARE(f.column(second, QStringLiteral("lead_score")).toInt(), 11);
    f.processor->reloadScoring();
    const QString third = f.receive(QStringLiteral("form-3"), QStringLiteral("c@example.com"));
    QCOMPARE(f.column(third, QStringLiteral("lead_score")).toInt(), 33);
}

QTEST_GUILESS_MAIN(tst_JournalProcessor)
#include "tst_journalprocessor.moc"
