// leaddeskctl sla: the SLA state of the primary business's leads (counts per state, the at-risk
// and breached lists), the breach check with seed 003's escalation, and the recompute pass after
// a policy or business-hours change.
#include "ctlcommon.h"

#include "slaclock.h"
#include "slaconfig.h"
#include "slasweep.h"
#include "slatracker.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>

#include <cstdio>
#include <unistd.h>

namespace LeadDesk::App {

namespace {

using Core::SlaLead;

QString duration(qint64 ms)
{
    const qint64 minutes = std::max<qint64>(0, ms) / 60'000;
    if (minutes < 60)
        return QStringLiteral("%1m").arg(minutes);
    return QStringLiteral("%1h %2m").arg(minutes / 60).arg(minutes % 60, 2, 10, QLatin1Char('0'));
}

QString localTime(qint64 ms, const QTimeZone &zone)
{
    return QDateTime::fromMSecsSinceEpoch(ms, zone).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString padded(const QString &text, int width)
{
    return text.size() > width ? text.left(width - 1) + QChar(0x2026) : text.leftJustified(width);
}

void printList(const QString &title, const QList<SlaLead> &leads, qint64 total,
               const QTimeZone &zone)
{
    out() << "\n"
          << title << " (" << total
          << (leads.size() < total ? QStringLiteral(", showing %1").arg(leads.size()) : QString())
          << "):\n";
    if (leads.isEmpty()) {
        out() << "  none\n";
        return;
    }
    out() << "  " << padded(QStringLiteral("NAME"), 24) << padded(QStringLiteral("SOURCE"), 11)
          << padded(QStringLiteral("WAITS FOR"), 11) << padded(QStringLiteral("DUE"), 18)
          << padded(QStringLiteral("ELAPSED"), 10) << padded(QStringLiteral("TARGET"), 9)
          << "ASSIGNEE\n";
    for (const SlaLead &lead : leads) {
        out() << "  " << padded(lead.name.isEmpty() ? QStringLiteral("(no name)") : lead.name, 24)
              << padded(lead.channel, 11)
              << padded(lead.kind == Core::SlaKind::First ? QStringLiteral("first")
                                                          : QStringLiteral("reply"),
                        11)
              << padded(localTime(lead.dueAt, zone), 18)
              << padded(duration(lead.elapsedBusinessMs), 10) << padded(duration(lead.targetMs), 9)
              << (lead.assignee.isEmpty() ? QStringLiteral("-") : lead.assignee) << "\n";
    }
}

QJsonArray toJson(const QList<SlaLead> &leads)
{
    QJsonArray array;
    for (const SlaLead &lead : leads)
        array.append(lead.toJson());
    return array;
}

} // namespace

int runSla(const CtlContext &context)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "SLA state of every lead: counts per state and the at-risk and breached leads."));
    parser.addOption({QStringLiteral("json"), QStringLiteral("Print one JSON document.")});
    parser.addOption({QStringLiteral("check"),
                      QStringLiteral("Record new breaches (once each) and escalate when the "
                                     "breach rate is above the policy's threshold.")});
    parser.addOption({QStringLiteral("recompute"),
                      QStringLiteral("Recompute every lead's due times (after a change of the SLA "
                                     "policy or the business hours).")});
    parser.addOption({QStringLiteral("limit"),
                      QStringLiteral("Leads listed per list (default 20)."), QStringLiteral("n"),
                      QStringLiteral("20")});
    parser.addOption({QStringLiteral("at"),
                      QStringLiteral("Evaluate at this ISO-8601 time instead of now."),
                      QStringLiteral("time")});
    if (!parseOrExplain(parser, context))
        return ExitUsage;
    if (!parser.positionalArguments().isEmpty()) {
        printError(QStringLiteral("sla takes no arguments"));
        return ExitUsage;
    }
    bool limitOk = false;
    const int limit = parser.value(QStringLiteral("limit")).toInt(&limitOk);
    if (!limitOk || limit < 0 || limit > 100'000) {
        printError(QStringLiteral("--limit must be a number from 0 to 100000"));
        return ExitUsage;
    }
    qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (parser.isSet(QStringLiteral("at"))) {
        const QDateTime at = QDateTime::fromString(parser.value(QStringLiteral("at")), Qt::ISODate);
        if (!at.isValid()) {
            printError(
                QStringLiteral("--at must be an ISO-8601 time such as 2025-06-09T14:30:00Z"));
            return ExitUsage;
        }
        now = at.toMSecsSinceEpoch();
    }
    const bool json = parser.isSet(QStringLiteral("json"));

    auto store = context.openBusinessStore();
    if (!store)
        return ExitFailure;
    auto &[db, business] = *store;
    auto config = Core::SlaConfig::load(*db, business.id);
    if (!config) {
        printError(config.error().message);
        return ExitFailure;
    }
    const QTimeZone &zone = config->calendar.timeZone();
    QJsonObject document{{QStringLiteral("at"),
                          QDateTime::fromMSecsSinceEpoch(now, Qt::UTC).toString(Qt::ISODateWithMs)},
                         {QStringLiteral("time_zone"), QString::fromUtf8(zone.id())}};

    // Leads the SLA columns have never seen (an older store, demo data) get their due times
    // first; so does every lead when asked after a policy change.
    bool recompute = parser.isSet(QStringLiteral("recompute"));
    if (!recompute && !config->calendar.hours().isAlwaysClosed()) {
        auto needed = Core::SlaClock::needsBackfill(*db, business.id);
        if (!needed) {
            printError(needed.error().message);
            return ExitFailure;
        }
        recompute = *needed;
        if (recompute && !json)
            std::fputs("leaddeskctl: computing SLA due times for existing leads\n", stderr);
    }
    if (recompute) {
        const bool tty = isatty(STDERR_FILENO);
        QElapsedTimer timer;
        timer.start();
        auto stats = Core::SlaClock::recomputeAll(
            *db, business.id, *config, now, Core::SlaClock::Overdue::MarkSilently,
            [tty](qint64 done, qint64 total) {
                if (tty)
                    std::fprintf(stderr, "\rrecomputing: %lld of %lld leads", (long long)done,
                                 (long long)total);
            });
        if (tty)
            std::fputs("\n", stderr);
        if (!stats) {
            printError(stats.error().message);
            return ExitFailure;
        }
        const double seconds = double(timer.elapsed()) / 1000.0;
        document.insert(QStringLiteral("recompute"),
                        QJsonObject{{QStringLiteral("leads"), stats->leads},
                                    {QStringLiteral("running"), stats->running},
                                    {QStringLiteral("overdue"), stats->overdue},
                                    {QStringLiteral("marked_breached"), stats->markedBreached},
                                    {QStringLiteral("seconds"), seconds}});
        if (!json)
            out() << "recomputed " << stats->leads << " leads in "
                  << QString::number(seconds, 'f', 1) << " s: " << stats->running
                  << " waiting on the business, " << stats->overdue << " past due ("
                  << stats->markedBreached << " marked breached without an event)\n";
    }

    Core::SlaTracker tracker(*db, business.id, *config);
    if (parser.isSet(QStringLiteral("check"))) {
        // The same pass the engine's SLA monitor runs: breaches, escalation, reassignment.
        auto sweep = Core::SlaSweep::run(*db, business.id, now);
        if (!sweep) {
            printError(sweep.error().message);
            return ExitFailure;
        }
        const Core::SlaCheckResult *check = &sweep->check;
        document.insert(QStringLiteral("check"), sweep->toJson());
        if (!json) {
            if (check->breaches.isEmpty())
                out() << "No new SLA breaches.\n";
            else
                out() << "Recorded " << check->breaches.size() << " new SLA breach"
                      << (check->breaches.size() == 1 ? "" : "es") << ":\n";
            for (const Core::SlaBreach &breach : std::as_const(check->breaches))
                out() << "  "
                      << padded(breach.name.isEmpty() ? QStringLiteral("(no name)") : breach.name,
                                24)
                      << padded(breach.channel, 11)
                      << (breach.kind == Core::SlaKind::First ? "first response" : "reply")
                      << " due " << localTime(breach.dueAt, zone) << ", waited "
                      << duration(breach.elapsedBusinessMs) << " of business time (policy "
                      << breach.policyId << ")\n";
            if (check->escalation) {
                out() << "ESCALATION: " << check->escalation->message << "\n";
                if (!check->escalation->bookingUrl.isEmpty())
                    out() << "Professional services: " << check->escalation->bookingUrl << "\n";
            }
            for (const Core::SlaSweep::Reassignment &moved : std::as_const(sweep->reassignments))
                if (moved.outcome.assigned)
                    out() << "Reassigned lead " << moved.leadId << " to " << moved.outcome.userName
                          << "\n";
        }
    }

    auto counts = tracker.counts(now);
    if (!counts) {
        printError(counts.error().message);
        return ExitFailure;
    }
    auto atRisk = tracker.atRisk(now, std::max(limit, 1));
    auto breached = tracker.breached(now, std::max(limit, 1));
    if (!atRisk || !breached) {
        printError((!atRisk ? atRisk.error() : breached.error()).message);
        return ExitFailure;
    }
    const QList<SlaLead> atRiskLeads = atRisk->leads.mid(0, limit);
    const QList<SlaLead> breachedLeads = breached->leads.mid(0, limit);
    document.insert(QStringLiteral("counts"), counts->toJson());
    document.insert(QStringLiteral("at_risk"), toJson(atRiskLeads));
    document.insert(QStringLiteral("breached"), toJson(breachedLeads));

    if (json) {
        out() << QJsonDocument(document).toJson(QJsonDocument::Indented);
    } else {
        out() << "SLA of " << business.name << " at " << localTime(now, zone) << " ("
              << QString::fromUtf8(zone.id()) << ")\n";
        const auto line = [](const char *label, qint64 value, const QString &extra = {}) {
            out() << "  " << padded(QLatin1String(label), 10)
                  << QString::number(value).rightJustified(9) << extra << "\n";
        };
        line("on track", counts->onTrack);
        line("at risk", counts->atRisk);
        line("breached", counts->breached,
             QStringLiteral("  (%1 still waiting)").arg(counts->breachedWaiting));
        line("met", counts->met);
        line("no clock", counts->none);
        printList(QStringLiteral("At risk"), atRiskLeads, counts->atRisk, zone);
        printList(QStringLiteral("Breached, still waiting"), breachedLeads, counts->breachedWaiting,
                  zone);
    }
    out().flush();
    return ExitOk;
}

} // namespace LeadDesk::App
