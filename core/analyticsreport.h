#pragma once

#include "analyticsperiod.h"
#include "campaignanalytics.h"
#include "clock.h"
#include "database.h"
#include "result.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QMap>

#include <array>
#include <utility>

namespace LeadDesk::Core {

// Every analytics figure of one business for one period (and optionally one source), as
// `leaddeskctl report` prints it and the dashboard shows it. All lead figures count the leads
// CREATED in the period; chatbot figures the sessions started in it; delivery figures the
// attempts made in it. Time buckets are days, ISO weeks (from Monday) and months in the
// business's time zone.
struct AnalyticsReport
{
    struct Count
    {
        QString key; // a channel, status, grade...
        qint64 value = 0;
    };
    struct TimeBucket
    {
        QDate start; // the day, the Monday of the week, the first of the month
        qint64 leads = 0;
        QMap<QString, qint64> bySource;
    };
    struct Waiting
    {
        QString source; // empty for the total
        qint64 onBusiness = 0;
        qint64 onLead = 0;
    };
    // Pipeline new -> contacted -> qualified -> proposal -> closed_won. A lead has reached every
    // stage up to its current status; a closed_lost lead counts as reached 'contacted' (a lead
    // is closed as lost once someone has worked it). conversion = reached / reached before.
    struct Stage
    {
        QString status;
        qint64 current = 0; // leads whose status is this one now
        qint64 reached = 0;
        double conversion = -1; // from the previous stage; -1 for the first / nothing before
    };
    struct ResponseTime
    {
        QString key;   // channel or users.id ("" for unassigned); "all" for the overall row
        QString label; // rep display name
        qint64 leads = 0;
        qint64 responded = 0;
        qint64 medianMs = -1; // -1: nobody answered
        qint64 p90Ms = -1;
        qint64 averageMs = -1;
    };
    struct Delivery
    {
        QString target;
        qint64 attempts = 0;
        qint64 succeeded = 0;
        double successRate = 0;
        qint64 averageLatencyMs = 0;
        qint64 p90LatencyMs = 0;
    };
    // The figures that are pure sums, also kept for all time beside the period.
    struct Totals
    {
        qint64 leads = 0;
        QList<Count> bySource; // most leads first
        QList<Count> byStatus; // pipeline order
        QList<Count> byGrade;  // A..D
        QList<Count> byQualification;
        double averageScore = 0;
        qint64 qualified = 0; // sales_qualified or marketing_qualified
        qint64 wonValueCents = 0;
        Waiting waiting;
    };

    QString businessId;
    QString businessName;
    QString timeZone;
    QString source; // empty: every source
    bool allTime = false;
    QDate start; // the period as stated: explicit ends, else first lead .. today
    QDate end;
    qint64 generatedAtMs = 0;

    Totals totals;
    QList<TimeBucket> days, weeks, months;
    double leadsPerDay = 0;
    double leadsPerWeek = 0;
    QList<Waiting> waitingBySource;
    QList<Stage> funnel;
    qint64 closedLost = 0;
    double winRate = -1; // closed_won / (closed_won + closed_lost); -1 when none closed

    // First response in wall-clock time (first_response_at - created_at). `exact`: computed from
    // every lead; otherwise estimated from the rollup's histogram (within a few percent).
    bool responseExact = true;
    ResponseTime responseOverall;
    QList<ResponseTime> responseBySource;
    QList<ResponseTime> responseByRep;

    // Seed 001: sessions started, completed, completion rate, mean time per question.
    qint64 chatbotSessions = 0;
    qint64 chatbotCompleted = 0;
    double chatbotCompletionRate = 0;
    qint64 chatbotAnswers = 0;
    double chatbotAverageSecondsBetweenQuestions = -1;

    QList<CampaignAnalytics::Entry> campaigns;
    QList<Delivery> deliveries;

    std::optional<Totals> allTimeTotals; // when the period is not all time already

    // Business-time SLA figures (core/sla*.h) and A/B results (core/abtest*.h) are computed
    // elsewhere and set here by the caller; they print as null until then.
    QJsonValue sla = QJsonValue::Null;
    QJsonValue abTests = QJsonValue::Null;

    // Wall time of each step of build(), in nanoseconds, for the benchmark and --verbose.
    QList<std::pair<QString, qint64>> timingsNs;

    [[nodiscard]] QJsonObject toJson() const;
};

class AnalyticsReportBuilder final
{
public:
    // Up to this many leads in the period, first-response times are read lead by lead (exact);
    // beyond it they come from the rollup's histogram.
    static constexpr qint64 kExactResponseLimit = 20'000;

    struct Options
    {
        bool withAllTimeTotals = true;
        qint64 exactResponseLimit = kExactResponseLimit;
    };

    // Brings the rollup up to date (AnalyticsRollup::ensureCurrent) and reads every figure.
    // Run it inside one read transaction for a consistent snapshot.
    static Result<AnalyticsReport> build(Database &db, const AnalyticsFilter &filter,
                                         const Clock &clock, const Options &options);
    static Result<AnalyticsReport> build(Database &db, const AnalyticsFilter &filter,
                                         const Clock &clock = Clock::system())
    {
        return build(db, filter, clock, Options{});
    }
};

} // namespace LeadDesk::Core
