// leaddeskctl report: every analytics figure of the primary business, as tables or one JSON
// document (AnalyticsReport::toJson).
#include "ctlcommon.h"

#include "abtestdefinitions.h"
#include "abtests.h"
#include "analyticsreport.h"
#include "analyticsrollup.h"
#include "slaconfig.h"
#include "slareport.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>
#include <unistd.h>

namespace LeadDesk::App {

namespace {

using Core::AnalyticsReport;

// The lead channels a --source can name (sources.kind in the schema).
const QStringList &knownSources()
{
    static const QStringList sources
        = {QStringLiteral("whatsapp"),  QStringLiteral("messenger"), QStringLiteral("leadads"),
           QStringLiteral("thumbtack"), QStringLiteral("sms"),       QStringLiteral("webform"),
           QStringLiteral("chatbot"),   QStringLiteral("csv"),       QStringLiteral("manual")};
    return sources;
}

QString percent(double ratio)
{
    return ratio < 0 ? QStringLiteral("-") : QString::number(ratio * 100.0, 'f', 1) + u'%';
}

QString money(qint64 cents)
{
    return QString::number(double(cents) / 100.0, 'f', 2);
}

QString duration(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("-");
    const qint64 s = (ms + 500) / 1000;
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60, 2, 10, QLatin1Char('0'));
    if (s < 86400)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg(s / 60 % 60, 2, 10, QLatin1Char('0'));
    return QStringLiteral("%1d %2h").arg(s / 86400).arg(s / 3600 % 24, 2, 10, QLatin1Char('0'));
}

// A plain text table: the first column left-aligned, the others right-aligned.
class Table
{
public:
    explicit Table(QStringList header)
        : m_rows{std::move(header)}
    {}
    void add(QStringList row) { m_rows.append(std::move(row)); }
    void print(QTextStream &out, int indent = 2) const
    {
        QList<int> widths;
        for (const QStringList &row : m_rows) {
            for (int i = 0; i < row.size(); ++i) {
                if (widths.size() <= i)
                    widths.append(0);
                widths[i] = std::max(widths[i], int(row[i].size()));
            }
        }
        for (const QStringList &row : m_rows) {
            QString line(indent, u' ');
            for (int i = 0; i < row.size(); ++i) {
                if (i > 0)
                    line += QStringLiteral("  ");
                line += i == 0 ? row[i].leftJustified(widths[i]) : row[i].rightJustified(widths[i]);
            }
            while (line.endsWith(u' '))
                line.chop(1);
            out << line << '\n';
        }
    }

private:
    QList<QStringList> m_rows;
};

QString countsLine(const QList<AnalyticsReport::Count> &counts)
{
    QStringList parts;
    for (const auto &c : counts)
        parts << QStringLiteral("%1 %2").arg(c.key).arg(c.value);
    return parts.join(QStringLiteral(", "));
}

void printBuckets(QTextStream &out, const QString &title,
                  const QList<AnalyticsReport::TimeBucket> &buckets, const QStringList &sources,
                  const QString &format)
{
    if (buckets.isEmpty())
        return;
    QStringList header{title, QStringLiteral("total")};
    header << sources;
    Table table(header);
    for (const auto &b : buckets) {
        QStringList row{b.start.toString(format), QString::number(b.leads)};
        for (const QString &s : sources)
            row << QString::number(b.bySource.value(s));
        table.add(row);
    }
    out << '\n';
    table.print(out);
}

// The business-time SLA figures of the period and every A/B test's results, which the analytics
// builder leaves to the caller.
Core::Result<void> addSlaAndAbTests(Core::Database &db, const QString &businessId,
                                    const Core::AnalyticsFilter &filter, AnalyticsReport &report)
{
    auto config = Core::SlaConfig::load(db, businessId);
    if (!config)
        return std::unexpected(config.error());
    const Core::AnalyticsRange range
        = Core::AnalyticsRange::resolve(filter.period, config->calendar.timeZone());
    // Open ends become the epoch and now: the report walks the range it is given.
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    auto sla = Core::SlaReport::build(db, businessId, *config, std::max<qint64>(range.fromMs, 0),
                                      std::min(range.toMs, now + 1), filter.source, now);
    if (!sla)
        return std::unexpected(sla.error());
    report.sla = sla->toJson();

    auto definitions = Core::AbTestDefinitions::forBusiness(db, businessId);
    if (!definitions)
        return std::unexpected(definitions.error());
    QJsonArray tests;
    for (const Core::AbTestDefinition &test : definitions->tests()) {
        auto results = Core::AbTests::results(db, businessId, test);
        if (!results)
            return std::unexpected(results.error());
        tests.append(results->toJson());
    }
    report.abTests = tests;
    return {};
}

QString rate(const QJsonValue &value)
{
    return value.isDouble() ? percent(value.toDouble()) : QStringLiteral("-");
}

QString optionalDuration(const QJsonValue &value)
{
    return value.isDouble() ? duration(value.toInteger()) : QStringLiteral("-");
}

void printSla(QTextStream &out, const QJsonValue &value)
{
    out << "\nSLA (first response in business hours)\n";
    const QJsonObject sla = value.toObject();
    if (sla.isEmpty()) {
        out << "  not included in this report\n";
        return;
    }
    Table table({QStringLiteral("source / rep"), QStringLiteral("leads"),
                 QStringLiteral("answered"), QStringLiteral("median"), QStringLiteral("p90"),
                 QStringLiteral("met"), QStringLiteral("breached"), QStringLiteral("pending"),
                 QStringLiteral("met rate"), QStringLiteral("breach rate")});
    const auto add = [&table](const QString &prefix, const QJsonObject &row) {
        const QString label = row.value(QStringLiteral("label")).toString();
        const QString key = row.value(QStringLiteral("key")).toString();
        table.add({prefix
                       + (label.isEmpty() ? (key.isEmpty() ? QStringLiteral("(unassigned)") : key)
                                          : label),
                   QString::number(row.value(QStringLiteral("leads")).toInteger()),
                   QString::number(row.value(QStringLiteral("responded")).toInteger()),
                   optionalDuration(row.value(QStringLiteral("first_response_median_business_ms"))),
                   optionalDuration(row.value(QStringLiteral("first_response_p90_business_ms"))),
                   QString::number(row.value(QStringLiteral("met")).toInteger()),
                   QString::number(row.value(QStringLiteral("breached")).toInteger()),
                   QString::number(row.value(QStringLiteral("pending")).toInteger()),
                   rate(row.value(QStringLiteral("met_rate"))),
                   rate(row.value(QStringLiteral("breached_rate")))});
    };
    add({}, sla.value(QStringLiteral("overall")).toObject());
    for (const QJsonValue &row : sla.value(QStringLiteral("by_source")).toArray())
        add({}, row.toObject());
    for (const QJsonValue &row : sla.value(QStringLiteral("by_rep")).toArray())
        add(QStringLiteral("rep: "), row.toObject());
    table.print(out);
}

void printAbTests(QTextStream &out, const QJsonValue &value)
{
    out << "\nA/B TESTS\n";
    const QJsonArray tests = value.toArray();
    if (tests.isEmpty()) {
        out << "  no A/B tests defined\n";
        return;
    }
    for (const QJsonValue &testValue : tests) {
        const QJsonObject test = testValue.toObject();
        out << "  " << test.value(QStringLiteral("test")).toString() << " ("
            << test.value(QStringLiteral("subjects")).toInteger() << " subjects, control "
            << test.value(QStringLiteral("control")).toString() << ")\n";
        for (const QJsonValue &goalValue : test.value(QStringLiteral("goals")).toArray()) {
            const QJsonObject goal = goalValue.toObject();
            out << "    goal " << goal.value(QStringLiteral("goal")).toString() << ": "
                << goal.value(QStringLiteral("verdict")).toString() << '\n';
            Table table({QStringLiteral("variant"), QStringLiteral("subjects"),
                         QStringLiteral("conversions"), QStringLiteral("rate"),
                         QStringLiteral("p-value")});
            for (const QJsonValue &variantValue :
                 goal.value(QStringLiteral("variants")).toArray()) {
                const QJsonObject variant = variantValue.toObject();
                const QJsonValue p = variant.value(QStringLiteral("p_value"));
                table.add(
                    {variant.value(QStringLiteral("variant")).toString()
                         + (variant.value(QStringLiteral("control")).toBool()
                                ? QStringLiteral(" (control)")
                                : QString()),
                     QString::number(variant.value(QStringLiteral("subjects")).toInteger()),
                     QString::number(variant.value(QStringLiteral("conversions")).toInteger()),
                     percent(variant.value(QStringLiteral("rate")).toDouble()),
                     p.isDouble() ? QString::number(p.toDouble(), 'f', 4) : QStringLiteral("-")});
            }
            table.print(out, 6);
        }
    }
}

void printText(QTextStream &out, const AnalyticsReport &r)
{
    const qint64 days = std::max<qint64>(1, r.start.daysTo(r.end) + 1);
    out << "Lead report: " << r.businessName << " (" << r.timeZone << ")\n";
    out << "Period " << r.start.toString(Qt::ISODate) << " .. " << r.end.toString(Qt::ISODate)
        << " (" << days << (days == 1 ? " day" : " days") << (r.allTime ? ", all time" : "")
        << "), " << (r.source.isEmpty() ? QStringLiteral("all sources") : r.source) << '\n';

    out << "\nLEADS\n";
    out << "  total " << r.totals.leads << ", " << QString::number(r.leadsPerDay, 'f', 2)
        << " per day, " << QString::number(r.leadsPerWeek, 'f', 2) << " per week\n";
    QStringList sources;
    if (!r.totals.bySource.isEmpty()) {
        Table table({QStringLiteral("source"), QStringLiteral("leads"), QStringLiteral("share")});
        for (const auto &c : r.totals.bySource) {
            sources << c.key;
            table.add({c.key, QString::number(c.value),
                       percent(double(c.value) / double(r.totals.leads))});
        }
        table.print(out);
    }
    printBuckets(out, QStringLiteral("month"), r.months, sources, QStringLiteral("yyyy-MM"));
    printBuckets(out, QStringLiteral("week of"), r.weeks, sources, QStringLiteral("yyyy-MM-dd"));
    printBuckets(out, QStringLiteral("day"), r.days, sources, QStringLiteral("yyyy-MM-dd"));

    out << "\nCONVERSATIONS (open leads)\n";
    Table waiting({QStringLiteral("source"), QStringLiteral("waiting on business"),
                   QStringLiteral("waiting on lead")});
    waiting.add({QStringLiteral("all"), QString::number(r.totals.waiting.onBusiness),
                 QString::number(r.totals.waiting.onLead)});
    for (const auto &w : r.waitingBySource)
        waiting.add({w.source, QString::number(w.onBusiness), QString::number(w.onLead)});
    waiting.print(out);

    out << "\nFUNNEL\n";
    Table funnel({QStringLiteral("stage"), QStringLiteral("now"), QStringLiteral("reached"),
                  QStringLiteral("conversion")});
    for (const auto &s : r.funnel)
        funnel.add({s.status, QString::number(s.current), QString::number(s.reached),
                    s.conversion < 0 ? QString() : percent(s.conversion)});
    funnel.print(out);
    out << "  closed_lost " << r.closedLost << ", win rate " << percent(r.winRate)
        << ", revenue won " << money(r.totals.wonValueCents) << '\n';

    out << "\nSCORES\n";
    out << "  average " << QString::number(r.totals.averageScore, 'f', 1) << "; grades "
        << countsLine(r.totals.byGrade) << '\n';
    out << "  qualification: " << countsLine(r.totals.byQualification) << " (qualified "
        << r.totals.qualified << ")\n";

    out << "\nFIRST RESPONSE (wall-clock"
        << (r.responseExact ? QStringLiteral(")\n")
                            : QStringLiteral(", estimated from histogram)\n"));
    Table response({QStringLiteral("source / rep"), QStringLiteral("leads"),
                    QStringLiteral("answered"), QStringLiteral("median"), QStringLiteral("p90"),
                    QStringLiteral("average")});
    const auto addResponse
        = [&response](const QString &name, const AnalyticsReport::ResponseTime &t) {
              response.add({name, QString::number(t.leads), QString::number(t.responded),
                            duration(t.medianMs), duration(t.p90Ms), duration(t.averageMs)});
          };
    addResponse(QStringLiteral("all"), r.responseOverall);
    for (const auto &t : r.responseBySource)
        addResponse(t.key, t);
    for (const auto &t : r.responseByRep)
        addResponse(QStringLiteral("rep: ") + t.label, t);
    response.print(out);

    printSla(out, r.sla);

    out << "\nCHATBOT\n";
    out << "  sessions " << r.chatbotSessions << ", completed " << r.chatbotCompleted << " ("
        << percent(r.chatbotSessions > 0 ? r.chatbotCompletionRate : -1) << "), "
        << r.chatbotAnswers << " answers, "
        << (r.chatbotAverageSecondsBetweenQuestions < 0
                ? QStringLiteral("-")
                : QString::number(r.chatbotAverageSecondsBetweenQuestions, 'f', 1) + u's')
        << " per question\n";

    out << "\nCAMPAIGNS\n";
    if (r.campaigns.isEmpty()) {
        out << "  no campaign leads in this period\n";
    } else {
        Table campaigns({QStringLiteral("campaign"), QStringLiteral("leads"),
                         QStringLiteral("qualified"), QStringLiteral("conversion"),
                         QStringLiteral("avg score"), QStringLiteral("cost/lead"),
                         QStringLiteral("revenue"), QStringLiteral("top content")});
        for (const auto &c : r.campaigns) {
            const QJsonObject m = c.response.value(QStringLiteral("metrics")).toObject();
            const QJsonArray top
                = c.response.value(QStringLiteral("top_performing_content")).toArray();
            campaigns.add(
                {c.response.value(QStringLiteral("campaign_id")).toString(),
                 QString::number(m.value(QStringLiteral("total_leads")).toInteger()),
                 QString::number(m.value(QStringLiteral("qualified_leads")).toInteger()),
                 percent(m.value(QStringLiteral("conversion_rate")).toDouble()),
                 QString::number(m.value(QStringLiteral("average_lead_score")).toDouble(), 'f', 1),
                 QString::number(m.value(QStringLiteral("cost_per_lead")).toDouble(), 'f', 2),
                 QString::number(m.value(QStringLiteral("revenue_generated")).toDouble(), 'f', 2),
                 top.isEmpty()
                     ? QStringLiteral("-")
                     : top.first().toObject().value(QStringLiteral("utm_content")).toString()});
        }
        campaigns.print(out);
    }

    out << "\nOUTBOUND DELIVERY\n";
    if (r.deliveries.isEmpty()) {
        out << "  no outbound attempts in this period\n";
    } else {
        Table delivery({QStringLiteral("target"), QStringLiteral("attempts"), QStringLiteral("ok"),
                        QStringLiteral("success"), QStringLiteral("avg latency"),
                        QStringLiteral("p90 latency")});
        for (const auto &d : r.deliveries)
            delivery.add({d.target, QString::number(d.attempts), QString::number(d.succeeded),
                          percent(d.successRate), QStringLiteral("%1 ms").arg(d.averageLatencyMs),
                          QStringLiteral("%1 ms").arg(d.p90LatencyMs)});
        delivery.print(out);
    }

    printAbTests(out, r.abTests);

    if (r.allTimeTotals) {
        const AnalyticsReport::Totals &t = *r.allTimeTotals;
        out << "\nALL TIME\n";
        out << "  leads " << t.leads << "; by source " << countsLine(t.bySource) << '\n';
        out << "  by status " << countsLine(t.byStatus) << '\n';
        out << "  average score " << QString::number(t.averageScore, 'f', 1) << ", qualified "
            << t.qualified << ", revenue won " << money(t.wonValueCents) << ", waiting on business "
            << t.waiting.onBusiness << ", on lead " << t.waiting.onLead << '\n';
    }
}

} // namespace

int runReport(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Print lead analytics: leads by day, week, month and source; conversations waiting on the "
        "business or the lead; funnel; scores; first-response times; chatbot; campaigns; outbound "
        "delivery. Lead figures count the leads created in the period. The default period is the "
        "last 30 days; dates are days in the business's time zone, both inclusive."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    parser.addOption({QStringLiteral("from"),
                      QStringLiteral("First day (YYYY-MM-DD); without --to: up to today."),
                      QStringLiteral("date")});
    parser.addOption(
        {QStringLiteral("to"),
         QStringLiteral("Last day (YYYY-MM-DD); without --from: since the first lead."),
         QStringLiteral("date")});
    parser.addOption({QStringLiteral("source"),
                      QStringLiteral("Only leads of this channel (%1).")
                          .arg(knownSources().join(QStringLiteral(", "))),
                      QStringLiteral("channel")});
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("report takes no arguments (got '%1')")
                       .arg(parser.positionalArguments().constFirst()));
        return ExitUsage;
    }
    auto period = Core::AnalyticsPeriod::parse(parser.value(QStringLiteral("from")),
                                               parser.value(QStringLiteral("to")));
    if (!period) {
        printError(QStringLiteral("--%1: %2").arg(period.error().field, period.error().message));
        return ExitUsage;
    }
    const QString source = parser.value(QStringLiteral("source")).trimmed().toLower();
    if (parser.isSet(QStringLiteral("source")) && !knownSources().contains(source)) {
        printError(QStringLiteral("--source: unknown source '%1' (one of %2)")
                       .arg(parser.value(QStringLiteral("source")),
                            knownSources().join(QStringLiteral(", "))));
        return ExitUsage;
    }

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    if (period->isAllTime() && !parser.isSet(QStringLiteral("from"))
        && !parser.isSet(QStringLiteral("to"))) {
        const QTimeZone zone = Core::AnalyticsRollup::zone(business.timeZone);
        *period = Core::AnalyticsPeriod::lastDays(
            30, QDateTime::currentDateTimeUtc().toTimeZone(zone).date());
    }

    // The first report on a store builds the rollup (a few seconds for a million leads).
    auto current = Core::AnalyticsRollup::isCurrent(*db, business.id);
    if (!current) {
        printError(current.error().message);
        return ExitFailure;
    }
    if (!*current) {
        if (isatty(STDERR_FILENO))
            std::fputs("building the analytics rollup (first report on this store)...\n", stderr);
        if (auto rebuilt = Core::AnalyticsRollup::ensureCurrent(*db, business.id); !rebuilt) {
            printError(rebuilt.error().message);
            return ExitFailure;
        }
    }

    // One read transaction: every figure from the same snapshot.
    if (auto ok = db->execDirect(QStringLiteral("BEGIN DEFERRED")); !ok) {
        printError(ok.error().message);
        return ExitFailure;
    }
    Core::AnalyticsFilter filter;
    filter.businessId = business.id;
    filter.period = *period;
    filter.source = source;
    auto report = Core::AnalyticsReportBuilder::build(*db, filter);
    if (!report) {
        db->rollback();
        printError(report.error().message);
        return ExitFailure;
    }
    if (auto ok = addSlaAndAbTests(*db, business.id, filter, *report); !ok) {
        db->rollback();
        printError(ok.error().message);
        return ExitFailure;
    }
    db->rollback();
    if (context.verbose) {
        for (const auto &[step, ns] : report->timingsNs)
            std::fprintf(stderr, "report: %-28s %8.2f ms\n", qPrintable(step), double(ns) / 1e6);
    }
    if (parser.isSet(QStringLiteral("json")))
        out() << QJsonDocument(report->toJson()).toJson(QJsonDocument::Indented);
    else
        printText(out(), *report);
    out().flush();
    return ExitOk;
}

} // namespace LeadDesk::App
