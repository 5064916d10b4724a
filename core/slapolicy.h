#pragma once

#include "database.h"
#include "result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QSet>
#include <QString>

namespace LeadDesk::Core {

// Response targets in business time: how long the business may take to answer a new lead
// (first response) and a lead's later message (next response).
struct SlaTarget
{
    QString id; // the policy that supplied it ("default" for the fallback)
    qint64 firstResponseMs = 0;
    qint64 nextResponseMs = 0;
};

// Seed 003's escalation: when too many leads miss their first-response target within a window,
// alert a manager and offer the professional-services booking link.
struct SlaEscalation
{
    bool enabled = true;
    int windowHours = 24;
    double breachRateThreshold = 0.2; // escalate when breached / due exceeds this
    int minLeads = 10;                // ... over at least this many leads due in the window
    QString managerName;              // empty: the business's owner account
    QString managerEmail;
    QString bookingUrl;
};

// The SLA policy document of a business (SettingsRepository::kSlaPolicy, default
// resources/config/sla-default.json):
//   {"version": 1, "at_risk_percent": 75,
//    "default": {"first_response_minutes": 240, "next_response_minutes": 480},
//    "policies": [{"id": "hot", "sources": ["webform"], "grades": ["A", "B"],
//                  "first_response_minutes": 15, "next_response_minutes": 60}, ...],
//    "escalation": {"enabled": true, "window_hours": 24, "breach_rate_threshold": 0.2,
//                   "min_leads": 10, "manager": {"name": "...", "email": "..."},
//                   "booking_url": "https://..."}}
// The first policy whose sources (channels) and grades both match a lead applies; a missing list
// matches everything; "default" applies when none does. A policy without next_response_minutes
// takes the default's.
class SlaPolicy
{
public:
    static constexpr auto defaultResource = ":/config/sla-default.json";

    struct Rule
    {
        SlaTarget target;
        QSet<QString> sources; // empty: any
        QSet<QString> grades;  // empty: any
    };

    // Four business hours for a first answer and eight for the next, no rules, escalation on.
    SlaPolicy();

    // Rejects the whole document at the first problem, naming its JSON path.
    [[nodiscard]] static Result<SlaPolicy> parse(const QByteArray &json);
    [[nodiscard]] static Result<SlaPolicy> fromJson(const QJsonObject &document);
    [[nodiscard]] static Result<SlaPolicy> loadDefault();
    // The business's stored document, or the default.
    [[nodiscard]] static Result<SlaPolicy> load(Database &db, const QString &businessId);
    [[nodiscard]] QJsonObject toJson() const;

    [[nodiscard]] const SlaTarget &match(const QString &channel, const QString &grade) const;
    [[nodiscard]] const SlaTarget &fallback() const { return m_fallback; }
    [[nodiscard]] const QList<Rule> &rules() const { return m_rules; }
    [[nodiscard]] int atRiskPercent() const { return m_atRiskPercent; }
    // The share of a target after which a waiting lead counts as at risk.
    [[nodiscard]] qint64 atRiskMs(qint64 targetMs) const
    {
        return targetMs * m_atRiskPercent / 100;
    }
    [[nodiscard]] const SlaEscalation &escalation() const { return m_escalation; }

private:
    SlaTarget m_fallback;
    QList<Rule> m_rules;
    int m_atRiskPercent = 75;
    SlaEscalation m_escalation;
};

} // namespace LeadDesk::Core
