#include "demogenerator.h"

#include <algorithm>

namespace LeadDesk::Core::Demo {

// The conversation of a lead: message times, bodies and delivery states, its status and the
// activities the team logged.

void Generator::simulateConversation(int channel, qint64 created, bool neglected)
{
    m_messageCount = 0;
    const auto push = [this](qint64 at, bool inbound) {
        if (m_messageCount == m_messages.size())
            m_messages.emplace_back();
        Message &m = m_messages[m_messageCount++];
        m.at = at;
        m.inbound = inbound;
        m.error = nullptr;
    };
    const bool inboundFirst = startsWithInbound(channel);
    if (neglected) {
        // Nobody answered: the lead's request, perhaps a nudge, and silence.
        if (!inboundFirst)
            return;
        qint64 t = created + m_rng.between(2 * kSecondMs, 40 * kSecondMs);
        if (t >= m_now)
            return;
        push(t, true);
        t += leadReplyDelay();
        if (m_rng.chance(0.3) && t < m_now)
            push(t, true);
        return;
    }
    // Truncation at "now" and unanswered leads pull the mean below the target; this factor
    // brings the average back to messagesPerLead.
    const int target = 1 + m_rng.poisson(std::max(0.0, m_options.messagesPerLead * 1.07 - 1.0));
    bool inbound = inboundFirst;
    bool answered = false;
    qint64 t = inbound ? created + m_rng.between(2 * kSecondMs, 40 * kSecondMs)
                       : businessTime(created + firstResponseDelay());
    while (int(m_messageCount) < target && t < m_now) {
        push(t, inbound);
        answered = answered || !inbound;
        const bool nextInbound = inbound ? m_rng.chance(0.15) : m_rng.chance(0.8);
        if (nextInbound)
            t += leadReplyDelay();
        else
            t = businessTime(t + (answered ? businessReplyDelay() : firstResponseDelay()));
        inbound = nextInbound;
    }
}

Status Generator::pickStatus(qint64 created)
{
    // contacted, qualified, proposal, closed_won, closed_lost by the lead's age.
    const double ageDays = double(m_now - created) / kDayMs;
    std::array<double, 5> weights{};
    if (ageDays < 1)
        weights = {80, 17, 3, 0, 0};
    else if (ageDays < 7)
        weights = {45, 27, 14, 5, 9};
    else if (ageDays < 30)
        weights = {32, 19, 13, 12, 24};
    else
        weights = {29, 15, 9, 16, 31};
    return Status(1 + m_rng.weighted(weights));
}

void Generator::writeBodies(int channel, Status status, const Vars &base)
{
    const Templates &templates = m_content.templates[size_t(channel)];
    Vars vars = base;
    bool firstInbound = true;
    bool firstOutbound = true;
    for (size_t i = 0; i < m_messageCount; ++i) {
        Message &m = m_messages[i];
        const bool last = i + 1 == m_messageCount;
        vars.day = m_rng.pick(m_content.days);
        vars.time = m_rng.pick(m_content.times);
        if (m.inbound && firstInbound) {
            m.body = m_opening;
            firstInbound = false;
            continue;
        }
        const std::string *tpl = nullptr;
        if (last && status == ClosedWon && !m.inbound)
            tpl = &m_rng.pick(m_content.closingWon);
        else if (last && status == ClosedLost)
            tpl = &m_rng.pick(m.inbound ? m_content.closingLostIn : m_content.closingLostOut);
        else if (m.inbound)
            tpl = &m_rng.pick(templates.inbound);
        else
            tpl = &m_rng.pick(firstOutbound ? templates.firstOutbound : templates.outbound);
        if (!m.inbound)
            firstOutbound = false;
        expand(m.body, *tpl, vars);
    }
}

void Generator::writeDeliveryStatuses(int channel)
{
    // Provider message ids lead with the send time in an ASCII-ordered alphabet, so their unique
    // index grows at its end like the time-ordered tables instead of at random places.
    static constexpr char kBase64[]
        = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    static constexpr char kSorted62[]
        = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    static constexpr char kHex[] = "0123456789abcdef";
    bool laterInbound = false;
    for (size_t i = m_messageCount; i-- > 0;) {
        Message &m = m_messages[i];
        m.externalId.clear();
        ++m_messageSerial;
        const auto randomText = [&](const char *alphabet, int bitsPerChar, int length) {
            quint64 bits = m_rng.next();
            int left = 64 / bitsPerChar;
            for (int j = 0; j < length; ++j) {
                if (left-- == 0) {
                    bits = m_rng.next();
                    left = 64 / bitsPerChar - 1;
                }
                m.externalId += alphabet[bits & ((1u << bitsPerChar) - 1)];
                bits >>= bitsPerChar;
            }
        };
        const auto timePrefix = [&](const char *alphabet, quint64 base, int width) {
            char digits[16];
            quint64 value = quint64(m.at);
            for (int j = width - 1; j >= 0; --j, value /= base)
                digits[j] = alphabet[value % base];
            m.externalId.append(digits, size_t(width));
        };
        switch (channel) {
        case WhatsApp:
            m.externalId = "wamid.HBgL";
            timePrefix(kSorted62, 62, 8);
            randomText(kBase64, 6, 32);
            break;
        case Messenger:
            m.externalId = "m_";
            timePrefix(kSorted62, 62, 8);
            randomText(kBase64, 6, 32);
            break;
        case Sms:
            m.externalId = "SM";
            timePrefix(kHex, 16, 11);
            randomText(kHex, 4, 21);
            break;
        case Thumbtack:
            // Thumbtack's ids are time-ordered numbers; the serial keeps equal times apart.
            m.externalId = "59";
            appendPadded(m.externalId, quint64(m.at), 13);
            appendPadded(m.externalId, quint64(m_messageSerial) % 100'000'000ULL, 8);
            break;
        default:
            break; // e-mail replies and form submissions carry no provider id
        }

        if (m.inbound) {
            m.status = "received";
            laterInbound = true;
            continue;
        }
        const qint64 age = m_now - m.at;
        if (age < kMinuteMs)
            m.status = "sent";
        else if (channel == Sms && m_rng.chance(0.006)) {
            m.status = "failed";
            m.error = "30006: Landline or unreachable carrier";
        } else if (hasReadReceipts(channel))
            m.status = (laterInbound || m_rng.chance(0.6)) ? "read" : "delivered";
        else
            m.status = "delivered";
    }
}

qint64 Generator::advance(qint64 from)
{
    qint64 t = from + m_rng.between(2 * kHourMs, 5 * kDayMs);
    if (t >= m_now)
        t = from + qint64(double(m_now - from) * m_rng.uniform());
    return std::max(t, from);
}

void Generator::planActivities(Status status, int assignee, int campaign, const Contact &contact,
                               qint64 created, qint64 estimate)
{
    m_activityCount = 0;
    const auto add = [this](qint64 at, const char *type, int performer) -> Activity & {
        if (m_activityCount == m_activities.size())
            m_activities.emplace_back();
        Activity &a = m_activities[m_activityCount++];
        a.at = at;
        a.type = type;
        a.performer = performer;
        a.description.clear();
        a.metadata.clear();
        return a;
    };
    const int actor = assignee >= 0 ? assignee : 0;

    if (assignee >= 0) {
        const double u = m_rng.uniform();
        const char *reason = campaign >= 0 && u < 0.3 ? "campaign_rule"
                             : u < 0.9                ? "round_robin"
                                                      : "manual";
        const bool manual = reason[0] == 'm';
        qint64 at = created
                    + (manual ? m_rng.between(5 * kMinuteMs, 3 * kHourMs)
                              : m_rng.between(kSecondMs, 20 * kSecondMs));
        at = std::min(at, std::max(created, m_now - 1));
        Activity &a = add(at, "assigned", manual ? 0 : -1); // LeadRouter::kAssignedActivity
        a.description = "Assigned to " + m_users[size_t(assignee)].username;
        JsonObject meta(a.metadata);
        meta.text("reason", reason).text("to", m_users[size_t(assignee)].username);
        if (reason[0] == 'c')
            meta.text("campaign", m_content.campaigns[size_t(campaign)].externalId);
        meta.close();
    }

    qint64 firstOut = 0;
    qint64 lastMessage = created;
    for (size_t i = 0; i < m_messageCount; ++i) {
        if (firstOut == 0 && !m_messages[i].inbound)
            firstOut = m_messages[i].at;
        lastMessage = m_messages[i].at;
    }
    if (status == New || firstOut == 0)
        return;

    // The path through the funnel to the current status.
    std::array<Status, 5> path{};
    size_t steps = 0;
    path[steps++] = Contacted;
    if (status == ClosedLost) {
        const size_t reached = m_rng.weighted(std::array<double, 3>{50, 30, 20});
        if (reached >= 1)
            path[steps++] = Qualified;
        if (reached >= 2)
            path[steps++] = Proposal;
        path[steps++] = ClosedLost;
    } else {
        for (Status s : {Qualified, Proposal, ClosedWon}) {
            if (s <= status && !(s == Proposal && status == ClosedWon && m_rng.chance(0.3)))
                path[steps++] = s;
        }
    }
    qint64 at = firstOut;
    Status from = New;
    for (size_t i = 0; i < steps; ++i) {
        const Status to = path[i];
        if (i > 0)
            at = advance(at);
        if (to == ClosedWon || to == ClosedLost)
            at = std::min(std::max(at, lastMessage + m_rng.between(kMinuteMs, 2 * kHourMs)),
                          std::max(at, m_now - 1));
        Activity &a = add(at, "status_changed", actor);
        a.description = std::string("Status changed from ") + kStatusNames[size_t(from)] + " to "
                        + kStatusNames[size_t(to)];
        JsonObject meta(a.metadata);
        meta.text("from", kStatusNames[size_t(from)]).text("to", kStatusNames[size_t(to)]);
        if (to == ClosedLost)
            meta.text("reason", m_rng.pick(m_content.lostReasons));
        if (to == ClosedWon)
            meta.number("value_cents", estimate);
        meta.close();
        if (to == Qualified && m_rng.chance(0.2)) {
            Activity &meeting = add(at, "meeting_scheduled", actor);
            meeting.description = "Site visit scheduled";
            JsonObject m(meeting.metadata);
            m.number("starts_at", at + m_rng.between(1, 6) * kDayMs);
            m.close();
        }
        if (to == Proposal) {
            Activity &proposal = add(at, "proposal_sent", actor);
            proposal.description = "Proposal sent";
            JsonObject m(proposal.metadata);
            m.number("amount_cents", estimate);
            m.close();
        }
        from = to;
    }

    // A moment in the week after `after`, never in the future.
    const auto sometime = [&](qint64 after) {
        const qint64 until = std::min(m_now - 1, after + 7 * kDayMs);
        return until <= after ? after : after + qint64(double(until - after) * m_rng.uniform());
    };
    if (!contact.phone.empty() && m_rng.chance(0.2)) {
        const std::string &outcome = m_rng.pick(m_content.callOutcomes);
        const qint64 seconds
            = outcome == "connected" ? m_rng.between(45, 1500) : m_rng.between(5, 40);
        Activity &a = add(sometime(firstOut), "call_made", actor);
        a.description = outcome == "connected"
                            ? "Call, " + std::to_string(seconds / 60 + 1) + " min"
                            : "Call: " + outcome;
        JsonObject meta(a.metadata);
        meta.text("outcome", outcome).number("duration_seconds", seconds).text("to", contact.phone);
        meta.close();
    }
    if (!m_lead[LEmail].empty() && m_rng.chance(0.15)) {
        Vars vars;
        vars.service = m_lead[LService];
        Activity &a = add(sometime(firstOut), "email_sent", actor);
        expand(a.description, m_rng.pick(m_content.emailSubjects), vars);
        JsonObject meta(a.metadata);
        meta.text("subject", a.description).text("to", m_lead[LEmail]);
        meta.close();
    }
    if (m_rng.chance(0.2)) {
        Activity &a = add(sometime(created), "note_added", actor);
        a.description = m_rng.pick(m_content.notes);
    }
}

} // namespace LeadDesk::Core::Demo
