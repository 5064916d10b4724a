#include "analyticsreport.h"

#include "analyticscounters.h"
#include "analyticsqueries.h"
#include "analyticsrollup.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <map>

namespace LeadDesk::Core {

namespace {

// Zero-filled time buckets only for periods a chart can show; longer ones list busy buckets only.
constexpr qint64 kMaxFilledDays = 400;

double rounded(double value, int decimals)
{
    const double scale = std::pow(10.0, decimals);
    return std::round(value * scale) / scale;
}

double rate(qint64 part, qint64 whole)
{
    return whole > 0 ? rounded(double(part) / double(whole), 4) : 0.0;
}

QJsonValue msOrNull(qint64 ms)
{
    return ms < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(ms);
}

QJsonValue rateOrNull(double value)
{
    return value < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(rounded(value, 4));
}

QJsonObject counts(const QList<AnalyticsReport::Count> &list)
{
    QJsonObject object;
    for (const auto &c : list)
        object.insert(c.key, c.value);
    return object;
}

AnalyticsReport::Totals totalsOf(const LeadCounters &total,
                                 const QMap<QString, LeadCounters> &byChannel)
{
    AnalyticsReport::Totals totals;
    totals.leads = total.leads();
    for (auto it = byChannel.cbegin(); it != byChannel.cend(); ++it) {
        if (it->leads() > 0)
            totals.bySource.append({it.key(), it->leads()});
    }
    std::stable_sort(totals.bySource.begin(), totals.bySource.end(),
                     [](const auto &a, const auto &b) { return a.value > b.value; });
    for (std::size_t i = 0; i < LeadCounters::kStatuses.size(); ++i)
        totals.byStatus.append({QLatin1String(LeadCounters::kStatuses[i]), total.status(int(i))});
    for (std::size_t i = 0; i < LeadCounters::kGrades.size(); ++i)
        totals.byGrade.append({QLatin1String(LeadCounters::kGrades[i]), total.grade(int(i))});
    for (std::size_t i = 0; i < LeadCounters::kQualifications.size(); ++i)
        totals.byQualification.append(
            {QLatin1String(LeadCounters::kQualifications[i]), total.qualification(int(i))});
    totals.averageScore
        = total.leads() > 0 ? rounded(double(total.scoreSum()) / double(total.leads()), 1) : 0.0;
    totals.qualified = total.qualification(1) + total.qualification(2);
    totals.wonValueCents = total.wonValueCents();
    totals.waiting = {QString(), total.waitingOnBusiness(), total.waitingOnLead()};
    return totals;
}

struct Summed
{
    LeadCounters total;
    QMap<QString, LeadCounters> byChannel;
    QMap<QString, LeadCounters> byAssignee;
    std::map<qint64, QMap<QString, qint64>> byDay; // day -> channel -> leads
    qint64 firstDay = AnalyticsRange::kOpenHigh;
    qint64 lastDay = AnalyticsRange::kOpenLow;
};

Summed sum(const std::vector<AnalyticsQueries::LeadRow> &rows)
{
    Summed s;
    for (const auto &row : rows) {
        if (row.counters.leads() == 0 && row.counters.isZero())
            continue;
        s.total.add(row.counters);
        s.byChannel[row.channel].add(row.counters);
        s.byAssignee[row.assignee].add(row.counters);
        if (row.counters.leads() > 0) {
            s.firstDay = std::min(s.firstDay, row.day);
            s.lastDay = std::max(s.lastDay, row.day);
            s.byDay[row.day][row.channel] += row.counters.leads();
        }
    }
    return s;
}

QDate weekStart(QDate date)
{
    return date.addDays(1 - date.dayOfWeek());
}

QDate monthStart(QDate date)
{
    return QDate(date.year(), date.month(), 1);
}

void addTo(QList<AnalyticsReport::TimeBucket> &buckets, QDate start, qint64 leads,
           const QMap<QString, qint64> &bySource)
{
    if (buckets.isEmpty() || buckets.last().start != start)
        buckets.append({start, 0, {}});
    AnalyticsReport::TimeBucket &bucket = buckets.last();
    bucket.leads += leads;
    for (auto it = bySource.cbegin(); it != bySource.cend(); ++it)
        bucket.bySource[it.key()] += it.value();
}

AnalyticsReport::ResponseTime responseFromCounters(const QString &key, const LeadCounters &c)
{
    AnalyticsReport::ResponseTime r;
    r.key = key;
    r.leads = c.leads();
    r.responded = c.responded();
    if (r.responded > 0) {
        r.medianMs = c.estimateResponseQuantileMs(0.5);
        r.p90Ms = c.estimateResponseQuantileMs(0.9);
        r.averageMs = qint64(std::llround(double(c.responseMsSum()) / double(r.responded)));
    }
    return r;
}

AnalyticsReport::ResponseTime responseFromSamples(const QString &key, qint64 leads,
                                                  std::vector<qint64> &samples)
{
    AnalyticsReport::ResponseTime r;
    r.key = key;
    r.leads = leads;
    r.responded = qint64(samples.size());
    if (!samples.empty()) {
        std::sort(samples.begin(), samples.end());
        r.medianMs = exactQuantile(samples, 0.5);
        r.p90Ms = exactQuantile(samples, 0.9);
        double total = 0;
        for (qint64 v : samples)
            total += double(v);
        r.averageMs = qint64(std::llround(total / double(samples.size())));
    }
    return r;
}

QJsonObject responseJson(const AnalyticsReport::ResponseTime &r, bool withKey)
{
    QJsonObject object{{QStringLiteral("leads"), r.leads},
                       {QStringLiteral("responded"), r.responded},
                       {QStringLiteral("median_ms"), msOrNull(r.medianMs)},
                       {QStringLiteral("p90_ms"), msOrNull(r.p90Ms)},
                       {QStringLiteral("average_ms"), msOrNull(r.averageMs)}};
    if (withKey)
        object.insert(QStringLiteral("key"), r.key);
    if (!r.label.isEmpty())
        object.insert(QStringLiteral("name"), r.label);
    return object;
}

QJsonObject totalsJson(const AnalyticsReport::Totals &t)
{
    return QJsonObject{
        {QStringLiteral("leads"), t.leads},
        {QStringLiteral("by_source"), counts(t.bySource)},
        {QStringLiteral("by_status"), counts(t.byStatus)},
        {QStringLiteral("grades"), counts(t.byGrade)},
        {QStringLiteral("qualification"), counts(t.byQualification)},
        {QStringLiteral("qualified"), t.qualified},
        {QStringLiteral("average_score"), t.averageScore},
        {QStringLiteral("revenue_won"), rounded(double(t.wonValueCents) / 100.0, 2)},
        {QStringLiteral("waiting_on_business"), t.waiting.onBusiness},
        {QStringLiteral("waiting_on_lead"), t.waiting.onLead},
    };
}

QJsonArray bucketsJson(const QList<AnalyticsReport::TimeBucket> &buckets, const QString &key,
                       const QString &format)
{
    QJsonArray array;
    for (const auto &b : buckets) {
        QJsonObject bySource;
        for (auto it = b.bySource.cbegin(); it != b.bySource.cend(); ++it)
            bySource.insert(it.key(), it.value());
        array.append(QJsonObject{{key, b.start.toString(format)},
                                 {QStringLiteral("leads"), b.leads},
                                 {QStringLiteral("by_source"), bySource}});
    }
    return array;
}

} // namespace

Result<AnalyticsReport> AnalyticsReportBuilder::build(Database &db, const AnalyticsFilter &filter,
                                                      const Clock &clock, const Options &options)
{
    AnalyticsReport report;
    QElapsedTimer timer;
    const auto lap = [&report, &timer](const char *step) {
        report.timingsNs.append({QString::fromLatin1(step), timer.nsecsElapsed()});
        timer.restart();
    };
    timer.start();
    AnalyticsQueries queries(db);
    auto business = queries.business(filter.businessId);
    if (!business)
        return std::unexpected(business.error());
    if (auto current = AnalyticsRollup::ensureCurrent(db, filter.businessId); !current)
        return std::unexpected(current.error());
    lap("business and rollup state");

    const QTimeZone zone = AnalyticsRollup::zone(business->timeZone);
    const QDate today = QDateTime::fromMSecsSinceEpoch(clock.nowMs(), zone).date();
    const AnalyticsRange range = AnalyticsRange::resolve(filter.period, zone);
    report.businessId = filter.businessId;
    report.businessName = business->name;
    report.timeZone = business->timeZone;
    report.source = filter.source;
    report.allTime = filter.period.isAllTime();
    report.generatedAtMs = clock.nowMs();

    auto rows = queries.leadRows(filter.businessId, range, filter.source);
    if (!rows)
        return std::unexpected(rows.error());
    lap("lead rollup rows");
    const Summed summed = sum(*rows);
    const bool anyLeads = summed.total.leads() > 0;
    report.start = filter.period.from.value_or(anyLeads ? AnalyticsRange::dateOfDay(summed.firstDay)
                                                        : today);
    report.end = filter.period.to.value_or(std::max(today, report.start));
    report.start = std::min(report.start, report.end);
    report.totals = totalsOf(summed.total, summed.byChannel);

    // Leads by day, week and month, zero-filled across the period when it is chart-sized.
    const qint64 periodDays = std::max<qint64>(1, report.start.daysTo(report.end) + 1);
    const QMap<QString, qint64> none;
    const auto addDay = [&report](QDate date, qint64 leads, const QMap<QString, qint64> &bySource) {
        addTo(report.days, date, leads, bySource);
        addTo(report.weeks, weekStart(date), leads, bySource);
        addTo(report.months, monthStart(date), leads, bySource);
    };
    if (periodDays <= kMaxFilledDays) {
        for (QDate date = report.start; date <= report.end; date = date.addDays(1)) {
            const auto found = summed.byDay.find(AnalyticsRange::dayNumber(date));
            if (found == summed.byDay.end()) {
                addDay(date, 0, none);
            } else {
                qint64 leads = 0;
                for (qint64 n : found->second)
                    leads += n;
                addDay(date, leads, found->second);
            }
        }
    } else {
        for (const auto &[day, bySource] : summed.byDay) {
            qint64 leads = 0;
            for (qint64 n : bySource)
                leads += n;
            addDay(AnalyticsRange::dateOfDay(day), leads, bySource);
        }
    }
    report.leadsPerDay = rounded(double(report.totals.leads) / double(periodDays), 2);
    report.leadsPerWeek = rounded(double(report.totals.leads) * 7.0 / double(periodDays), 2);

    for (auto it = summed.byChannel.cbegin(); it != summed.byChannel.cend(); ++it) {
        if (it->leads() > 0)
            report.waitingBySource.append({it.key(), it->waitingOnBusiness(), it->waitingOnLead()});
    }

    const LeadCounters &t = summed.total;
    const std::array<qint64, 5> reached
        = {t.leads(), t.leads() - t.status(0), t.status(2) + t.status(3) + t.status(4),
           t.status(3) + t.status(4), t.status(4)};
    for (std::size_t i = 0; i < reached.size(); ++i) {
        AnalyticsReport::Stage stage;
        stage.status = QLatin1String(LeadCounters::kStatuses[i]);
        stage.current = t.status(int(i));
        stage.reached = reached[i];
        if (i > 0 && reached[i - 1] > 0)
            stage.conversion = rounded(double(reached[i]) / double(reached[i - 1]), 4);
        report.funnel.append(stage);
    }
    report.closedLost = t.status(5);
    if (t.status(4) + t.status(5) > 0)
        report.winRate = rounded(double(t.status(4)) / double(t.status(4) + t.status(5)), 4);
    lap("sums, buckets and funnel");

    auto names = queries.userNames(filter.businessId);
    if (!names)
        return std::unexpected(names.error());
    const auto repName = [&names](const QString &id) {
        return id.isEmpty() ? QStringLiteral("(unassigned)") : names->value(id, id);
    };
    report.responseExact = t.leads() <= options.exactResponseLimit;
    if (report.responseExact) {
        auto samples = queries.responseTimes(filter.businessId, range, filter.source);
        if (!samples)
            return std::unexpected(samples.error());
        std::vector<qint64> all;
        QMap<QString, std::vector<qint64>> byChannel, byRep;
        for (const auto &s : *samples) {
            all.push_back(s.ms);
            byChannel[s.channel].push_back(s.ms);
            byRep[s.assignee].push_back(s.ms);
        }
        report.responseOverall = responseFromSamples(QStringLiteral("all"), t.leads(), all);
        for (auto it = summed.byChannel.cbegin(); it != summed.byChannel.cend(); ++it) {
            if (it->leads() > 0)
                report.responseBySource.append(
                    responseFromSamples(it.key(), it->leads(), byChannel[it.key()]));
        }
        for (auto it = summed.byAssignee.cbegin(); it != summed.byAssignee.cend(); ++it) {
            if (it->leads() > 0)
                report.responseByRep.append(
                    responseFromSamples(it.key(), it->leads(), byRep[it.key()]));
        }
    } else {
        report.responseOverall = responseFromCounters(QStringLiteral("all"), t);
        for (auto it = summed.byChannel.cbegin(); it != summed.byChannel.cend(); ++it) {
            if (it->leads() > 0)
                report.responseBySource.append(responseFromCounters(it.key(), *it));
        }
        for (auto it = summed.byAssignee.cbegin(); it != summed.byAssignee.cend(); ++it) {
            if (it->leads() > 0)
                report.responseByRep.append(responseFromCounters(it.key(), *it));
        }
    }
    for (auto &r : report.responseByRep)
        r.label = repName(r.key);
    std::stable_sort(report.responseBySource.begin(), report.responseBySource.end(),
                     [](const auto &a, const auto &b) { return a.leads > b.leads; });
    std::stable_sort(report.responseByRep.begin(), report.responseByRep.end(),
                     [](const auto &a, const auto &b) {
                         // The unassigned row last, reps by name.
                         if (a.key.isEmpty() != b.key.isEmpty())
                             return b.key.isEmpty();
                         return a.label.localeAwareCompare(b.label) < 0;
                     });
    lap(report.responseExact ? "first response (exact)" : "first response (histogram)");

    // The chatbot is a source of its own: its figures belong to "every source" and "chatbot".
    if (filter.source.isEmpty() || filter.source == QLatin1String("chatbot")) {
        auto chatbot = queries.chatbot(filter.businessId, range);
        if (!chatbot)
            return std::unexpected(chatbot.error());
        report.chatbotSessions = chatbot->sessions;
        report.chatbotCompleted = chatbot->completed;
        report.chatbotCompletionRate = rate(chatbot->completed, chatbot->sessions);
        report.chatbotAnswers = chatbot->answers;
        if (chatbot->averageGapMs >= 0)
            report.chatbotAverageSecondsBetweenQuestions
                = rounded(chatbot->averageGapMs / 1000.0, 1);
    }
    lap("chatbot");

    auto deliveries = queries.deliveries(filter.businessId, range, filter.source);
    if (!deliveries)
        return std::unexpected(deliveries.error());
    QMap<QString, std::vector<qint64>> latencies;
    QMap<QString, qint64> succeeded;
    for (const auto &d : *deliveries) {
        latencies[d.target].push_back(d.latencyMs);
        succeeded[d.target] += d.ok ? 1 : 0;
    }
    for (auto it = latencies.begin(); it != latencies.end(); ++it) {
        std::vector<qint64> &values = it.value();
        std::sort(values.begin(), values.end());
        double total = 0;
        for (qint64 v : values)
            total += double(v);
        AnalyticsReport::Delivery d;
        d.target = it.key();
        d.attempts = qint64(values.size());
        d.succeeded = succeeded.value(it.key());
        d.successRate = rate(d.succeeded, d.attempts);
        d.averageLatencyMs = qint64(std::llround(total / double(values.size())));
        d.p90LatencyMs = exactQuantile(values, 0.9);
        report.deliveries.append(d);
    }
    lap("delivery health");

    auto campaigns = CampaignAnalytics::forPeriod(db, filter.businessId, filter.period, zone, today,
                                                  filter.source);
    if (!campaigns)
        return std::unexpected(campaigns.error());
    report.campaigns = *campaigns;
    lap("campaigns");

    if (options.withAllTimeTotals && !report.allTime) {
        auto byChannel
            = queries.leadTotalsByChannel(filter.businessId, AnalyticsRange{}, filter.source);
        if (!byChannel)
            return std::unexpected(byChannel.error());
        LeadCounters total;
        QMap<QString, LeadCounters> channels;
        for (auto it = byChannel->cbegin(); it != byChannel->cend(); ++it) {
            total.add(*it);
            channels.insert(it.key(), *it);
        }
        report.allTimeTotals = totalsOf(total, channels);
        lap("all-time totals");
    }
    return report;
}

QJsonObject AnalyticsReport::toJson() const
{
    QJsonObject waitingBy;
    for (const auto &w : waitingBySource)
        waitingBy.insert(w.source,
                         QJsonObject{{QStringLiteral("waiting_on_business"), w.onBusiness},
                                     {QStringLiteral("waiting_on_lead"), w.onLead}});
    QJsonObject byStatus = counts(totals.byStatus);
    QJsonArray stages;
    for (const auto &s : funnel)
        stages.append(QJsonObject{{QStringLiteral("stage"), s.status},
                                  {QStringLiteral("current"), s.current},
                                  {QStringLiteral("reached"), s.reached},
                                  {QStringLiteral("conversion"), rateOrNull(s.conversion)}});
    QJsonArray bySource, byRep;
    for (const auto &r : responseBySource)
        bySource.append(responseJson(r, true));
    for (const auto &r : responseByRep)
        byRep.append(responseJson(r, true));
    QJsonArray campaignList;
    for (const auto &c : campaigns)
        campaignList.append(QJsonObject{{QStringLiteral("name"), c.name},
                                        {QStringLiteral("analytics"), c.response}});
    QJsonArray delivery;
    for (const auto &d : deliveries)
        delivery.append(QJsonObject{{QStringLiteral("target"), d.target},
                                    {QStringLiteral("attempts"), d.attempts},
                                    {QStringLiteral("succeeded"), d.succeeded},
                                    {QStringLiteral("success_rate"), d.successRate},
                                    {QStringLiteral("average_latency_ms"), d.averageLatencyMs},
                                    {QStringLiteral("p90_latency_ms"), d.p90LatencyMs}});
    const qint64 periodDays = std::max<qint64>(1, start.daysTo(end) + 1);

    QJsonObject json{
        {QStringLiteral("business"), QJsonObject{{QStringLiteral("id"), businessId},
                                                 {QStringLiteral("name"), businessName},
                                                 {QStringLiteral("time_zone"), timeZone}}},
        {QStringLiteral("period"),
         QJsonObject{{QStringLiteral("start"), start.toString(Qt::ISODate)},
                     {QStringLiteral("end"), end.toString(Qt::ISODate)},
                     {QStringLiteral("days"), periodDays},
                     {QStringLiteral("all_time"), allTime}}},
        {QStringLiteral("source"), source.isEmpty() ? QJsonValue() : QJsonValue(source)},
        {QStringLiteral("generated_at"),
         QDateTime::fromMSecsSinceEpoch(generatedAtMs, QTimeZone::utc()).toString(Qt::ISODate)},
        {QStringLiteral("leads"),
         QJsonObject{{QStringLiteral("total"), totals.leads},
                     {QStringLiteral("by_source"), counts(totals.bySource)},
                     {QStringLiteral("by_day"),
                      bucketsJson(days, QStringLiteral("date"), QStringLiteral("yyyy-MM-dd"))},
                     {QStringLiteral("by_week"), bucketsJson(weeks, QStringLiteral("week_start"),
                                                             QStringLiteral("yyyy-MM-dd"))},
                     {QStringLiteral("by_month"),
                      bucketsJson(months, QStringLiteral("month"), QStringLiteral("yyyy-MM"))},
                     {QStringLiteral("frequency"),
                      QJsonObject{{QStringLiteral("per_day"), leadsPerDay},
                                  {QStringLiteral("per_week"), leadsPerWeek}}}}},
        {QStringLiteral("conversations"),
         QJsonObject{{QStringLiteral("waiting_on_business"), totals.waiting.onBusiness},
                     {QStringLiteral("waiting_on_lead"), totals.waiting.onLead},
                     {QStringLiteral("by_source"), waitingBy}}},
        {QStringLiteral("funnel"), QJsonObject{{QStringLiteral("by_status"), byStatus},
                                               {QStringLiteral("stages"), stages},
                                               {QStringLiteral("closed_lost"), closedLost},
                                               {QStringLiteral("win_rate"), rateOrNull(winRate)},
                                               {QStringLiteral("revenue_won"),
                                                rounded(double(totals.wonValueCents) / 100.0, 2)}}},
        {QStringLiteral("scores"),
         QJsonObject{{QStringLiteral("average"), totals.averageScore},
                     {QStringLiteral("grades"), counts(totals.byGrade)},
                     {QStringLiteral("qualification"), counts(totals.byQualification)},
                     {QStringLiteral("qualified"), totals.qualified}}},
        {QStringLiteral("first_response"),
         QJsonObject{{QStringLiteral("method"),
                      responseExact ? QStringLiteral("exact") : QStringLiteral("histogram")},
                     {QStringLiteral("overall"), responseJson(responseOverall, false)},
                     {QStringLiteral("by_source"), bySource},
                     {QStringLiteral("by_rep"), byRep}}},
        {QStringLiteral("sla"), sla},
        {QStringLiteral("chatbot"),
         QJsonObject{{QStringLiteral("sessions"), chatbotSessions},
                     {QStringLiteral("completed"), chatbotCompleted},
                     {QStringLiteral("completion_rate"), chatbotCompletionRate},
                     {QStringLiteral("answers"), chatbotAnswers},
                     {QStringLiteral("average_seconds_between_questions"),
                      chatbotAverageSecondsBetweenQuestions < 0
                          ? QJsonValue()
                          : QJsonValue(chatbotAverageSecondsBetweenQuestions)}}},
        {QStringLiteral("campaigns"), campaignList},
        {QStringLiteral("delivery"), delivery},
        {QStringLiteral("ab_tests"), abTests},
    };
    if (allTimeTotals)
        json.insert(QStringLiteral("all_time"), totalsJson(*allTimeTotals));
    return json;
}

} // namespace LeadDesk::Core
