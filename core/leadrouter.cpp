#include "leadrouter.h"

#include "ids.h"
#include "leadrepository.h"
#include "savepoint.h"
#include "settingsrepository.h"
#include "sqlitestatement.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTimeZone>

namespace LeadDesk::Core {

namespace {

Result<bool> hasUsers(Database &db, const QString &businessId)
{
    SqliteStatement &users
        = db.statement("SELECT 1 FROM users WHERE business_id = ?1 AND deleted = 0 LIMIT 1");
    users.bind(1, businessId);
    auto row = users.step();
    users.reset();
    if (!row)
        return std::unexpected(row.error());
    return *row;
}

struct LeadRow
{
    QString contactId;
    QString assignedTo;
    QString status;
    bool responded = false;
    RoutingFacts facts;
    bool hasCampaign = false;
    bool campaignAutoAssign = true;
    QString campaignAssignee; // campaigns.assigned_to as written: a user id, name or e-mail
};

struct Rep
{
    QString id;
    QString userName;
    QString displayName;
    QString email;
    QString role;
    bool away = false;

    [[nodiscard]] QString label() const
    {
        return displayName.isEmpty() || displayName == userName
                   ? userName
                   : QStringLiteral("%1 (%2)").arg(displayName, userName);
    }
};

Result<std::optional<LeadRow>> readLead(Database &db, const QString &businessId,
                                        const QString &leadId)
{
    SqliteStatement &select = db.statement(
        "SELECT l.contact_id, l.assigned_to, l.status, l.first_response_at, l.service_interest, "
        "l.lead_grade, l.lead_score, l.state, l.channel, l.source_label, l.campaign_name, "
        "c.id, c.external_id, c.name, c.auto_assign, c.assigned_to "
        "FROM scored_leads l LEFT JOIN campaigns c ON c.id = l.campaign_id AND c.deleted = 0 "
        "WHERE l.id = ?1 AND l.business_id = ?2 AND l.deleted = 0");
    select.bind(1, leadId);
    select.bind(2, businessId);
    auto row = select.step();
    if (!row)
        return std::unexpected(row.error());
    if (!*row) {
        select.reset();
        return std::optional<LeadRow>();
    }
    LeadRow lead;
    lead.contactId = select.columnText(0);
    lead.assignedTo = select.columnText(1);
    lead.status = select.columnText(2);
    lead.responded = !select.columnIsNull(3);
    lead.facts.serviceInterest = select.columnText(4);
    lead.facts.grade = select.columnText(5);
    lead.facts.score = int(select.columnInt(6));
    lead.facts.state = select.columnText(7);
    lead.facts.channel = select.columnText(8);
    lead.facts.sourceLabel = select.columnText(9);
    lead.facts.campaignName = select.columnText(10);
    lead.hasCampaign = !select.columnIsNull(11);
    if (lead.hasCampaign) {
        lead.facts.campaignExternalId = select.columnText(12);
        if (!select.columnText(13).isEmpty())
            lead.facts.campaignName = select.columnText(13);
        lead.campaignAutoAssign = select.columnInt(14) != 0;
        lead.campaignAssignee = select.columnText(15).trimmed();
    }
    select.reset();
    return std::optional<LeadRow>(std::move(lead));
}

QString compactJson(const QJsonObject &object)
{
    return QString::fromUtf8(QJsonDocument(object).toJson(QJsonDocument::Compact));
}

QString skipList(const QList<LeadRouter::Skip> &skipped)
{
    QStringList parts;
    for (const LeadRouter::Skip &skip : skipped)
        parts.append(QStringLiteral("%1 (%2)").arg(skip.user, skip.why));
    return parts.join(QStringLiteral(", "));
}

QJsonArray skipJson(const QList<LeadRouter::Skip> &skipped)
{
    QJsonArray array;
    for (const LeadRouter::Skip &skip : skipped)
        array.append(
            QJsonObject{{QStringLiteral("user"), skip.user}, {QStringLiteral("why"), skip.why}});
    return array;
}

// One routing decision: the business's reps and who was passed over on the way.
class Decision
{
public:
    Decision(Database &db, QString businessId, qint64 nowMs, const RoutingRules &rules)
        : m_db(db)
        , m_businessId(std::move(businessId))
        , m_nowMs(nowMs)
        , m_rules(rules)
    {}

    Result<void> load()
    {
        SqliteStatement &zone = m_db.statement("SELECT time_zone FROM businesses WHERE id = ?1");
        zone.bind(1, m_businessId);
        auto row = zone.step();
        if (!row)
            return std::unexpected(row.error());
        QTimeZone timeZone(*row ? zone.columnText(0).toUtf8() : QByteArray("UTC"));
        zone.reset();
        if (!timeZone.isValid())
            timeZone = QTimeZone::utc();
        const QDateTime local = QDateTime::fromMSecsSinceEpoch(m_nowMs, timeZone);
        m_localDate = local.date();
        m_localTime = local.time();

        SqliteStatement &users = m_db.statement(
            "SELECT id, username, display_name, email, role, away FROM users "
            "WHERE business_id = ?1 AND deleted = 0 ORDER BY username COLLATE NOCASE, id");
        users.bind(1, m_businessId);
        for (;;) {
            auto next = users.step();
            if (!next)
                return std::unexpected(next.error());
            if (!*next)
                break;
            Rep rep;
            rep.id = users.columnText(0);
            rep.userName = users.columnText(1);
            rep.displayName = users.columnText(2);
            rep.email = users.columnText(3);
            rep.role = users.columnText(4);
            rep.away = users.columnInt(5) != 0;
            m_reps.append(rep);
        }
        users.reset();
        return {};
    }

    void exclude(const QString &userId) { m_excluded = userId; }

    const Rep *byId(const QString &id) const
    {
        for (const Rep &rep : m_reps) {
            if (rep.id == id)
                return &rep;
        }
        return nullptr;
    }

    const Rep *byName(const QString &name) const
    {
        for (const Rep &rep : m_reps) {
            if (rep.userName.compare(name, Qt::CaseInsensitive) == 0)
                return &rep;
        }
        return nullptr;
    }

    // campaigns.assigned_to may hold a user id, a user name or an e-mail address (seed 004's
    // example is "sales@nexlink.website").
    const Rep *byReference(const QString &reference) const
    {
        if (const Rep *rep = byId(reference))
            return rep;
        if (const Rep *rep = byName(reference))
            return rep;
        for (const Rep &rep : m_reps) {
            if (!rep.email.isEmpty() && rep.email.compare(reference, Qt::CaseInsensitive) == 0)
                return &rep;
        }
        return nullptr;
    }

    void skip(const QString &user, const QString &why)
    {
        const auto seen
            = std::any_of(m_skipped.cbegin(), m_skipped.cend(),
                          [&user](const LeadRouter::Skip &s) { return s.user == user; });
        if (!seen)
            m_skipped.append({user, why});
    }

    // Why this rep cannot take a lead now, or an empty string when they can.
    Result<QString> unavailability(const Rep &rep)
    {
        if (rep.id == m_excluded)
            return QStringLiteral("current assignee");
        if (rep.away)
            return QStringLiteral("away");
        const RepSettings settings = m_rules.repSettings(rep.userName);
        if (settings.hours && !settings.hours->isOpen(m_localDate, m_localTime))
            return QStringLiteral("outside working hours");
        if (settings.capacity) {
            // Counting stops at the capacity, so a rep with thousands of open leads costs no more
            // than one with a few. The predicate is idx_leads_open_assignee's, so the count walks
            // that index of live, open leads only and never steps past a closed lead.
            SqliteStatement &count = m_db.statement(
                "SELECT COUNT(*) FROM (SELECT 1 FROM leads WHERE business_id = ?1 AND "
                "assigned_to = ?2 AND deleted = 0 AND status NOT IN ('closed_won', "
                "'closed_lost') LIMIT ?3)");
            count.bind(1, m_businessId);
            count.bind(2, rep.id);
            count.bind(3, qint64(*settings.capacity));
            auto row = count.step();
            if (!row)
                return std::unexpected(row.error());
            const qint64 open = *row ? count.columnInt(0) : 0;
            count.reset();
            if (open >= *settings.capacity)
                return QStringLiteral("at capacity, %1 open leads").arg(*settings.capacity);
        }
        return QString();
    }

    // The next available rep of the pool after the one it handed a lead to last, or nothing.
    Result<std::optional<Rep>> pick(const RoutingTarget &target)
    {
        QList<Rep> members;
        switch (target.kind) {
        case RoutingTarget::Kind::User:
        case RoutingTarget::Kind::Team:
            for (const QString &name : target.users) {
                if (const Rep *rep = byName(name))
                    members.append(*rep);
                else
                    skip(name, QStringLiteral("not a user of this business"));
            }
            break;
        case RoutingTarget::Kind::Everyone:
            for (const Rep &rep : std::as_const(m_reps)) {
                if (m_rules.eligibleRoles().contains(rep.role))
                    members.append(rep);
            }
            break;
        case RoutingTarget::Kind::Nobody:
            break;
        }
        if (members.isEmpty())
            return std::optional<Rep>();

        const QString pool = target.poolKey();
        qsizetype start = 0;
        if (members.size() > 1) {
            SqliteStatement &cursor = m_db.statement(
                "SELECT last_user_id FROM routing_cursors WHERE business_id = ?1 AND pool = ?2");
            cursor.bind(1, m_businessId);
            cursor.bind(2, pool);
            auto row = cursor.step();
            if (!row)
                return std::unexpected(row.error());
            const QString last = *row ? cursor.columnText(0) : QString();
            cursor.reset();
            for (qsizetype i = 0; i < members.size(); ++i) {
                if (members.at(i).id == last) {
                    start = i + 1;
                    break;
                }
            }
        }
        for (qsizetype n = 0; n < members.size(); ++n) {
            const Rep &rep = members.at((start + n) % members.size());
            auto why = unavailability(rep);
            if (!why)
                return std::unexpected(why.error());
            if (why->isEmpty()) {
                m_pickedPool = members.size() > 1 ? pool : QString();
                return std::optional<Rep>(rep);
            }
            skip(rep.userName, *why);
        }
        return std::optional<Rep>();
    }

    // The cursor of the pool the last pick came from moves to `rep`.
    Result<void> advanceCursor(const Rep &rep)
    {
        if (m_pickedPool.isEmpty())
            return {};
        SqliteStatement &upsert = m_db.statement(
            "INSERT INTO routing_cursors (business_id, pool, last_user_id, updated_at) "
            "VALUES (?1, ?2, ?3, ?4) ON CONFLICT (business_id, pool) DO UPDATE SET "
            "last_user_id = excluded.last_user_id, updated_at = excluded.updated_at");
        upsert.bind(1, m_businessId);
        upsert.bind(2, m_pickedPool);
        upsert.bind(3, rep.id);
        upsert.bind(4, m_nowMs);
        return upsert.execute();
    }

    [[nodiscard]] const QList<LeadRouter::Skip> &skipped() const { return m_skipped; }

private:
    Database &m_db;
    QString m_businessId;
    qint64 m_nowMs;
    const RoutingRules &m_rules;
    QDate m_localDate;
    QTime m_localTime;
    QList<Rep> m_reps;
    QString m_excluded;
    QString m_pickedPool;
    QList<LeadRouter::Skip> m_skipped;
};

} // namespace

Result<RoutingRules> LeadRouter::rulesFor(Database &db, const QString &businessId)
{
    auto stored = SettingsRepository(db).value(
        businessId, QString::fromLatin1(SettingsRepository::kRoutingRules));
    if (!stored)
        return std::unexpected(stored.error());
    auto it = m_rules.find(businessId);
    if (it != m_rules.end() && it->text == *stored)
        return it->rules;
    CachedRules cached{*stored,
                       *stored ? RoutingRules::parse(**stored) : RoutingRules::loadDefault()};
    if (!cached.rules)
        cached.rules = fail(QStringLiteral("the routing rules are invalid (%1)")
                                .arg(cached.rules.error().toString()));
    m_rules.insert(businessId, cached);
    return cached.rules;
}

Result<LeadRouter::Outcome> LeadRouter::assign(Database &db, const QString &businessId,
                                               const QString &leadId, qint64 nowMs)
{
    return route(db, businessId, leadId, nowMs, Mode::Assign);
}

Result<LeadRouter::Outcome> LeadRouter::reassignAfterBreach(Database &db, const QString &businessId,
                                                            const QString &leadId, qint64 nowMs)
{
    return route(db, businessId, leadId, nowMs, Mode::ReassignAfterBreach);
}

Result<LeadRouter::Outcome> LeadRouter::route(Database &db, const QString &businessId,
                                              const QString &leadId, qint64 nowMs, Mode mode)
{
    const bool reassigning = mode == Mode::ReassignAfterBreach;
    Outcome outcome;
    // A business without accounts (a store filled from the command line before anyone has
    // signed in) has nobody to assign to and nobody to read why: the lead stays unassigned
    // without an activity, rather than a million "nobody available" notes on an import.
    if (auto users = hasUsers(db, businessId); !users)
        return std::unexpected(users.error());
    else if (!*users) {
        outcome.reason = QStringLiteral("no_users");
        return outcome;
    }

    auto found = readLead(db, businessId, leadId);
    if (!found)
        return std::unexpected(found.error());
    if (!*found)
        return fail(QStringLiteral("no lead %1 in this business").arg(leadId));
    const LeadRow &lead = **found;

    outcome.previousUserId = lead.assignedTo;
    LeadRepository leads(db);
    // Reassignment that finds nobody leaves the lead with its assignee: "not_reassigned".
    const QString notAssignedType
        = QString::fromLatin1(reassigning ? kNotReassignedActivity : kNotAssignedActivity);
    const auto leaveUnassigned = [&](const QString &reason, const QString &description,
                                     QJsonObject metadata) -> Result<Outcome> {
        outcome.reason = reason;
        outcome.activity = description;
        metadata.insert(QStringLiteral("reason"), reason);
        if (!outcome.ruleId.isEmpty())
            metadata.insert(QStringLiteral("rule"), outcome.ruleId);
        if (!outcome.skipped.isEmpty())
            metadata.insert(QStringLiteral("skipped"), skipJson(outcome.skipped));
        if (auto ok = leads.addActivity(businessId, leadId, lead.contactId, notAssignedType,
                                        description, compactJson(metadata), nowMs);
            !ok)
            return std::unexpected(ok.error());
        return outcome;
    };

    if (!reassigning && !lead.assignedTo.isEmpty()) {
        outcome.reason = QStringLiteral("already_assigned");
        return outcome;
    }
    if (reassigning) {
        if (lead.status == u"closed_won" || lead.status == u"closed_lost") {
            outcome.reason = QStringLiteral("closed");
            return outcome;
        }
        if (lead.responded) {
            outcome.reason = QStringLiteral("responded");
            return outcome;
        }
    }
    const QString campaignLabel = lead.facts.campaignName.isEmpty() ? lead.facts.campaignExternalId
                                                                    : lead.facts.campaignName;
    if (lead.hasCampaign && !lead.campaignAutoAssign) {
        if (reassigning) {
            outcome.reason = QStringLiteral("campaign_manual");
            return outcome;
        }
        return leaveUnassigned(QStringLiteral("campaign_manual"),
                               QStringLiteral("Not assigned automatically: campaign \"%1\" has "
                                              "automatic assignment turned off")
                                   .arg(campaignLabel),
                               {{QStringLiteral("campaign"), lead.facts.campaignExternalId}});
    }

    auto rules = rulesFor(db, businessId);
    if (!rules) {
        if (reassigning) {
            outcome.reason = QStringLiteral("invalid_rules");
            return outcome;
        }
        // Broken rules must not lose the lead: it stays unassigned and says why.
        return leaveUnassigned(QStringLiteral("invalid_rules"),
                               QStringLiteral("Not assigned: ") + rules.error().message, {});
    }
    if (!rules->enabled()) {
        if (reassigning) {
            outcome.reason = QStringLiteral("routing_off");
            return outcome;
        }
        return leaveUnassigned(QStringLiteral("routing_off"),
                               QStringLiteral("Not assigned automatically: routing is turned off"),
                               {});
    }
    if (reassigning && !rules->reassignOnBreach()) {
        outcome.reason = QStringLiteral("reassign_off");
        return outcome;
    }

    Decision decision(db, businessId, nowMs, *rules);
    if (auto ok = decision.load(); !ok)
        return std::unexpected(ok.error());
    decision.exclude(lead.assignedTo);

    std::optional<Rep> chosen;
    QString reason;
    QStringList steps; // how the decision went, for the description
    // 1. The campaign's own rep (seed 004: campaigns.assigned_to), when available.
    if (!lead.campaignAssignee.isEmpty()) {
        const Rep *rep = decision.byReference(lead.campaignAssignee);
        if (!rep) {
            decision.skip(lead.campaignAssignee, QStringLiteral("campaign's rep is not a user of "
                                                                "this business"));
        } else {
            RoutingTarget own;
            own.kind = RoutingTarget::Kind::User;
            own.users = {rep->userName};
            auto picked = decision.pick(own);
            if (!picked)
                return std::unexpected(picked.error());
            chosen = *picked;
            if (chosen) {
                reason = QStringLiteral("campaign_rule");
                outcome.pool = own.describe();
                steps.append(
                    QStringLiteral("campaign \"%1\" goes to %2").arg(campaignLabel, rep->userName));
            }
        }
    }
    // 2. The first matching rule's target; 3. the fallback pool.
    const RoutingRule *rule = chosen ? nullptr : rules->firstMatch(lead.facts);
    bool tryFallback = !chosen;
    if (rule) {
        outcome.ruleId = rule->id;
        auto picked = decision.pick(rule->target);
        if (!picked)
            return std::unexpected(picked.error());
        chosen = *picked;
        if (chosen) {
            reason = QStringLiteral("routing_rule");
            outcome.pool = rule->target.describe();
            steps.append(QStringLiteral("rule \"%1\" (%2)").arg(rule->id, outcome.pool));
        } else {
            steps.append(QStringLiteral("rule \"%1\" had nobody available in %2")
                             .arg(rule->id, rule->target.describe()));
        }
        tryFallback = !chosen && rule->fallbackWhenUnavailable;
    }
    if (tryFallback && rules->fallback().kind != RoutingTarget::Kind::Nobody) {
        auto picked = decision.pick(rules->fallback());
        if (!picked)
            return std::unexpected(picked.error());
        chosen = *picked;
        if (chosen) {
            reason = QStringLiteral("round_robin");
            outcome.pool = rules->fallback().describe();
            steps.append(QStringLiteral("round-robin over %1").arg(outcome.pool));
        }
    }
    outcome.skipped = decision.skipped();

    if (!chosen) {
        const bool noTarget = !rule && rules->fallback().kind == RoutingTarget::Kind::Nobody;
        QString description = reassigning
                                  ? QStringLiteral("First-response SLA breached, but no other rep "
                                                   "is available")
                              : noTarget ? QStringLiteral("Not assigned: no routing rule matched "
                                                          "and the fallback is nobody")
                                         : QStringLiteral("Not assigned: nobody available");
        if (!steps.isEmpty())
            description += QStringLiteral("; ") + steps.join(QStringLiteral("; "));
        if (!outcome.skipped.isEmpty())
            description += QStringLiteral("; skipped ") + skipList(outcome.skipped);
        else if (!noTarget && !reassigning)
            description += QStringLiteral("; nobody is eligible");
        return leaveUnassigned(
            noTarget ? QStringLiteral("no_target") : QStringLiteral("nobody_available"),
            description,
            reassigning ? QJsonObject{{QStringLiteral("trigger"), QStringLiteral("sla_breach")}}
                        : QJsonObject{});
    }

    if (reassigning)
        reason = QStringLiteral("sla_breach");
    outcome.assigned = true;
    outcome.reason = reason;
    outcome.userId = chosen->id;
    outcome.userName = chosen->userName;

    QString description;
    if (reassigning) {
        const Rep *previous = decision.byId(lead.assignedTo);
        description = previous ? QStringLiteral("Reassigned from %1 to %2: first-response SLA "
                                                "breached")
                                     .arg(previous->label(), chosen->label())
                               : QStringLiteral("Assigned to %1: first-response SLA breached")
                                     .arg(chosen->label());
    } else {
        description = QStringLiteral("Assigned to %1").arg(chosen->label());
    }
    description += (reassigning ? QStringLiteral("; ") : QStringLiteral(": "))
                   + steps.join(QStringLiteral("; "));
    if (!outcome.skipped.isEmpty())
        description += QStringLiteral("; skipped ") + skipList(outcome.skipped);
    outcome.activity = description;

    QJsonObject metadata{{QStringLiteral("reason"), reason},
                         {QStringLiteral("to"), chosen->userName},
                         {QStringLiteral("to_user_id"), chosen->id},
                         {QStringLiteral("pool"), outcome.pool}};
    if (!outcome.ruleId.isEmpty())
        metadata.insert(QStringLiteral("rule"), outcome.ruleId);
    if (!lead.facts.campaignExternalId.isEmpty())
        metadata.insert(QStringLiteral("campaign"), lead.facts.campaignExternalId);
    if (reassigning && !lead.assignedTo.isEmpty()) {
        const Rep *previous = decision.byId(lead.assignedTo);
        metadata.insert(QStringLiteral("from"), previous ? previous->userName : lead.assignedTo);
        metadata.insert(QStringLiteral("from_user_id"), lead.assignedTo);
    }
    if (!outcome.skipped.isEmpty())
        metadata.insert(QStringLiteral("skipped"), skipJson(outcome.skipped));

    Savepoint savepoint(db, "lead_router");
    if (auto opened = savepoint.status(); !opened)
        return std::unexpected(opened.error());
    SqliteStatement &update = db.statement(
        "UPDATE leads SET assigned_to = ?1, updated_at = ?2, hlc = ?3 WHERE id = ?4");
    update.bind(1, chosen->id);
    update.bind(2, nowMs);
    update.bind(3, Ids::nextHlc(nowMs));
    update.bind(4, leadId);
    if (auto ok = update.execute(); !ok)
        return std::unexpected(ok.error());
    if (auto ok = decision.advanceCursor(*chosen); !ok)
        return std::unexpected(ok.error());
    if (auto ok = leads.addActivity(businessId, leadId, lead.contactId,
                                    QString::fromLatin1(kAssignedActivity), description,
                                    compactJson(metadata), nowMs);
        !ok)
        return std::unexpected(ok.error());
    if (auto ok = savepoint.release(); !ok)
        return std::unexpected(ok.error());
    return outcome;
}

LeadIngestor::AfterStore LeadRouter::afterStoreStage(std::shared_ptr<LeadRouter> router)
{
    return [router = std::move(router)](Database &db, const LeadRecord &lead,
                                        const LeadIngestor::Stored &stored,
                                        qint64 nowMs) -> Result<void> {
        if (!lead.assignedTo.isEmpty())
            return {};
        auto outcome = router->assign(db, lead.businessId, stored.leadId, nowMs);
        if (!outcome)
            return std::unexpected(outcome.error());
        return {};
    };
}

} // namespace LeadDesk::Core
