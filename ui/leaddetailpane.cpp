#include "leaddetailpane.h"

#include "engine.h"
#include "formatting.h"
#include "onresult.h"

#include <QDateTime>
#include <QJsonObject>
#include <QLabel>
#include <QScrollBar>
#include <QStackedWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

#include <algorithm>

namespace LeadDesk::Ui {

namespace {

QString esc(const QString &text)
{
    return text.toHtmlEscaped();
}

QString multiline(const QString &text)
{
    QString html = text.trimmed().toHtmlEscaped();
    html.replace(QLatin1Char('\n'), QStringLiteral("<br/>"));
    return html;
}

QString mix(const QColor &a, const QColor &b, double amountOfB)
{
    const auto channel = [amountOfB](int x, int y) {
        return static_cast<int>(x * (1.0 - amountOfB) + y * amountOfB);
    };
    return QColor(channel(a.red(), b.red()), channel(a.green(), b.green()),
                  channel(a.blue(), b.blue()))
        .name();
}

// A two-column label/value table; rows with an empty value are left out, and so is a section
// with no rows.
class Section
{
public:
    explicit Section(QString title)
        : m_title(std::move(title))
    {}

    void add(const QString &label, const QString &value)
    {
        if (!value.trimmed().isEmpty())
            addHtml(label, multiline(value));
    }
    void addHtml(const QString &label, const QString &valueHtml)
    {
        m_rows += QStringLiteral("<tr><td class=\"k\" width=\"34%\">") + esc(label)
                  + QStringLiteral("</td><td>") + valueHtml + QStringLiteral("</td></tr>");
    }
    void appendTo(QString &html) const
    {
        if (m_rows.isEmpty())
            return;
        html += QStringLiteral("<h3>") + esc(m_title)
                + QStringLiteral("</h3><table width=\"100%\" cellspacing=\"0\" cellpadding=\"2\">")
                + m_rows + QStringLiteral("</table>");
    }

private:
    QString m_title;
    QString m_rows;
};

QString link(const QString &href, const QString &text)
{
    return QStringLiteral("<a href=\"") + esc(href) + QStringLiteral("\">") + esc(text)
           + QStringLiteral("</a>");
}

QString addressOf(const Core::LeadRecord &lead)
{
    if (!lead.addressLine.isEmpty())
        return lead.addressLine;
    QStringList parts;
    for (const QString *part :
         {&lead.street, &lead.city, &lead.state, &lead.postalCode, &lead.country}) {
        if (!part->isEmpty())
            parts.push_back(*part);
    }
    return parts.join(QStringLiteral(", "));
}

QString waitingOnText(const QString &waitingOn)
{
    if (waitingOn == QLatin1String("business"))
        return QObject::tr("You — the lead is waiting for an answer");
    if (waitingOn == QLatin1String("lead"))
        return QObject::tr("The lead");
    return {};
}

QString identitySentence(const QList<Core::ContactIdentity> &identities)
{
    QStringList parts;
    for (const Core::ContactIdentity &identity : identities) {
        parts.push_back(esc(Formatting::channelLabel(identity.channel)) + QLatin1Char(' ')
                        + QStringLiteral("<b>") + esc(identity.externalId)
                        + QStringLiteral("</b>"));
    }
    return parts.join(QStringLiteral(", "));
}

void appendConversation(QString &html, const Core::LeadDetail &detail, const QPalette &palette)
{
    if (detail.messages.isEmpty())
        return;
    const QColor base = palette.color(QPalette::Base);
    const QString inbound = mix(base, palette.color(QPalette::Text), 0.07);
    const QString outbound = mix(base, palette.color(QPalette::Highlight), 0.16);
    const QString leadName
        = QString(detail.lead.firstName + QLatin1Char(' ') + detail.lead.lastName).trimmed();
    html += QObject::tr("<h3>Conversation (%1)</h3>").arg(detail.messages.size());
    for (const Core::MessageEntry &message : detail.messages) {
        const bool in = message.direction == QLatin1String("in");
        QString meta
            = in ? (leadName.isEmpty() ? QObject::tr("Lead") : leadName) : QObject::tr("You");
        meta += QStringLiteral(" · ") + Formatting::channelLabel(message.channel)
                + QStringLiteral(" · ") + Formatting::dateTime(message.sentAtMs);
        if (!in && !message.deliveryStatus.isEmpty())
            meta += QStringLiteral(" · ") + message.deliveryStatus;
        const QString bubble = QStringLiteral("<td width=\"84%\" bgcolor=\"")
                               + (in ? inbound : outbound) + QStringLiteral("\"><span class=\"m\">")
                               + (in ? QStringLiteral("← ") : QStringLiteral("→ ")) + esc(meta)
                               + QStringLiteral("</span><br/>") + multiline(message.body)
                               + QStringLiteral("</td>");
        const QString gap = QStringLiteral("<td width=\"16%\"></td>");
        html += QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"6\" "
                               "style=\"margin-bottom:4px\"><tr>")
                + (in ? bubble + gap : gap + bubble) + QStringLiteral("</tr></table>");
    }
}

void appendActivities(QString &html, const Core::LeadDetail &detail)
{
    if (detail.activities.isEmpty())
        return;
    html += QObject::tr("<h3>Recent activity</h3>")
            + QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"2\">");
    for (const Core::ActivityEntry &activity : detail.activities) {
        QString what = QStringLiteral("<b>") + esc(Formatting::keyLabel(activity.type))
                       + QStringLiteral("</b>");
        if (!activity.description.isEmpty())
            what += QStringLiteral(" — ") + esc(activity.description);
        if (!activity.performedBy.isEmpty())
            what += QStringLiteral(" <span class=\"m\">")
                    + esc(QObject::tr("by %1").arg(activity.performedBy))
                    + QStringLiteral("</span>");
        html += QStringLiteral("<tr><td class=\"k\" width=\"34%\">")
                + esc(Formatting::dateTime(activity.createdAtMs)) + QStringLiteral("</td><td>")
                + what + QStringLiteral("</td></tr>");
    }
    html += QStringLiteral("</table>");
}

QString signedPoints(int points)
{
    // A real minus sign: "−12" reads better than "-12" beside "+15".
    return points > 0 ? QStringLiteral("+") + QString::number(points)
                      : (points < 0 ? QStringLiteral("\u2212") + QString::number(-points)
                                    : QStringLiteral("0"));
}

// Without the rules: the breakdown's entries, biggest contribution first.
void appendBreakdown(QString &html, const Core::LeadRecord &lead)
{
    Section breakdown(QObject::tr("Score breakdown"));
    QList<std::pair<QString, int>> points;
    for (auto it = lead.scoreBreakdown.begin(); it != lead.scoreBreakdown.end(); ++it)
        points.push_back({it.key(), it.value().toInt()});
    std::stable_sort(points.begin(), points.end(),
                     [](const auto &a, const auto &b) { return a.second > b.second; });
    for (const auto &[rule, value] : points) {
        breakdown.add(Formatting::keyLabel(rule),
                      (value > 0 ? QStringLiteral("+") : QString()) + QString::number(value));
    }
    breakdown.appendTo(html);
}

// Why the lead scored what it did: each group with its subtotal, the rules that fired in it, the
// cut its maximum made, then the points that faded with inactivity.
void appendScoreExplanation(QString &html, const Core::LeadRecord &lead,
                            const Core::ScoringRules &rules)
{
    const QList<Core::BreakdownLine> lines = rules.explain(lead.scoreBreakdown);
    if (lines.isEmpty())
        return;
    html += QObject::tr("<h3>Why it scored %1</h3>").arg(lead.score)
            + QStringLiteral("<table width=\"100%\" cellspacing=\"0\" cellpadding=\"2\">");
    const auto row = [&html](const QString &label, int points, bool strong, bool indented) {
        const QString open = strong ? QStringLiteral("<b>") : QString();
        const QString close = strong ? QStringLiteral("</b>") : QString();
        html += QStringLiteral("<tr><td") + (indented ? QStringLiteral(" class=\"k\"") : QString())
                + QStringLiteral(">")
                + (indented ? QStringLiteral("&nbsp;&nbsp;&nbsp;") : QString()) + open + esc(label)
                + close + QStringLiteral("</td><td align=\"right\">") + open
                + esc(signedPoints(points)) + close + QStringLiteral("</td></tr>");
    };
    for (qsizetype i = 0; i < lines.size();) {
        const Core::BreakdownLine &first = lines.at(i);
        if (first.groupLabel.isEmpty()) {
            row(first.kind == Core::BreakdownLine::Kind::Unknown
                    ? QObject::tr("%1 (no longer a rule)").arg(first.label)
                    : first.label,
                first.points, true, false);
            ++i;
            continue;
        }
        qsizetype end = i;
        int subtotal = 0;
        while (end < lines.size() && lines.at(end).groupLabel == first.groupLabel)
            subtotal += lines.at(end++).points;
        row(first.groupLabel, subtotal, true, false);
        for (; i < end; ++i)
            row(lines.at(i).label, lines.at(i).points, false, true);
    }
    int sum = 0;
    for (const Core::BreakdownLine &line : lines)
        sum += line.points;
    if (sum != lead.score)
        row(QObject::tr("Scores run from 0 to 100"), lead.score - sum, true, false);
    html += QStringLiteral("</table>");
}

} // namespace

LeadDetailPane::LeadDetailPane(Sync::Engine &engine, QWidget *parent)
    : QWidget(parent)
    , m_engine(engine)
    , m_stack(new QStackedWidget(this))
    , m_emptyLabel(new QLabel(tr("Select a lead to see its details."), this))
    , m_browser(new QTextBrowser(this))
{
    m_emptyLabel->setObjectName(QStringLiteral("emptyLabel"));
    m_emptyLabel->setAlignment(Qt::AlignCenter);
    m_emptyLabel->setWordWrap(true);
    QPalette emptyPalette = m_emptyLabel->palette();
    emptyPalette.setColor(QPalette::WindowText, Formatting::mutedTextColor(palette()));
    m_emptyLabel->setPalette(emptyPalette);

    m_browser->setObjectName(QStringLiteral("detailBrowser"));
    m_browser->setOpenExternalLinks(true);
    m_browser->setFrameShape(QFrame::NoFrame);
    m_browser->setTextInteractionFlags(Qt::TextBrowserInteraction);
    const QString muted = Formatting::mutedTextColor(palette()).name();
    m_browser->document()->setDefaultStyleSheet(
        QStringLiteral("h2 { margin-bottom: 2px; }"
                       "h3 { margin-top: 16px; margin-bottom: 4px; }"
                       "td.k { color: %1; }"
                       ".m { color: %1; font-size: small; }"
                       "p.sub { color: %1; margin-top: 0px; }")
            .arg(muted));
    m_browser->document()->setDocumentMargin(12);

    m_stack->addWidget(m_emptyLabel);
    m_stack->addWidget(m_browser);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    setMinimumWidth(320);

    // An edit, an import or a new message may have changed the lead on screen.
    connect(&engine, &Sync::Engine::leadsChanged, this, [this] {
        if (m_shownId.isEmpty() || m_shownId != m_requestedId)
            return;
        if (m_inFlight)
            m_reloadPending = true;
        else
            requestDetail();
    });
}

LeadDetailPane::~LeadDetailPane() = default;

void LeadDetailPane::showLead(const QString &leadId)
{
    m_requestedId = leadId;
    if (leadId.isEmpty()) {
        m_shownId.clear();
        m_emptyLabel->setText(tr("Select a lead to see its details."));
        m_browser->clear();
        m_stack->setCurrentWidget(m_emptyLabel);
        return;
    }
    if (leadId == m_shownId && m_stack->currentWidget() == m_browser)
        return;
    if (!m_inFlight)
        requestDetail();
}

bool LeadDetailPane::isEmptyStateShown() const
{
    return m_stack->currentWidget() == m_emptyLabel;
}

QString LeadDetailPane::text() const
{
    return isEmptyStateShown() ? m_emptyLabel->text() : m_browser->toPlainText();
}

void LeadDetailPane::requestDetail()
{
    const QString leadId = m_requestedId;
    m_inFlight = true;
    const auto future = m_engine.reader().submitValue<Core::LeadDetail>(
        [leadId](Core::Database &db) { return Core::LeadRepository(db).detail(leadId); });
    onResult(future, this, [this, leadId](Core::Result<Core::LeadDetail> detail) {
        applyDetail(leadId, std::move(detail));
    });
}

void LeadDetailPane::applyDetail(const QString &leadId, Core::Result<Core::LeadDetail> detail)
{
    m_inFlight = false;
    const bool stale = leadId != m_requestedId || m_reloadPending;
    m_reloadPending = false;
    if (stale) {
        // The selection moved on, or the lead changed, while this was read: fetch the latest.
        if (!m_requestedId.isEmpty())
            requestDetail();
        return;
    }
    if (!detail) {
        m_shownId.clear();
        m_emptyLabel->setText(tr("This lead could not be read: %1").arg(detail.error().message));
        m_stack->setCurrentWidget(m_emptyLabel);
        Q_EMIT loadFailed(leadId, detail.error().message);
        return;
    }
    m_emptyLabel->setText(tr("Select a lead to see its details."));
    // A reload of the lead on screen keeps the reader's place.
    const int scroll = leadId == m_shownId ? m_browser->verticalScrollBar()->value() : 0;
    m_browser->setHtml(toHtml(*detail, palette(), m_engine.scoringRules().get()));
    m_browser->verticalScrollBar()->setValue(scroll);
    m_stack->setCurrentWidget(m_browser);
    m_shownId = leadId;
    Q_EMIT leadShown(leadId);
}

QString LeadDetailPane::toHtml(const Core::LeadDetail &detail, const QPalette &palette,
                               const Core::ScoringRules *rules)
{
    const Core::LeadRecord &lead = detail.lead;
    QString html;
    QString name = QString(lead.firstName + QLatin1Char(' ') + lead.lastName).trimmed();
    if (name.isEmpty())
        name = !lead.email.isEmpty() ? lead.email : lead.phone;
    html += QStringLiteral("<h2>") + esc(name) + QStringLiteral("</h2>");

    QStringList subline;
    if (!lead.company.isEmpty())
        subline.push_back(esc(lead.company));
    subline.push_back(esc(tr("via %1").arg(Formatting::channelLabel(lead.channel))));
    subline.push_back(esc(Formatting::dateTime(lead.createdAtMs)));
    html += QStringLiteral("<p class=\"sub\">") + subline.join(QStringLiteral(" · "))
            + QStringLiteral("</p>");

    // The summary line a rep reads first: grade, status, who owes whom an answer.
    QStringList chips;
    chips.push_back(QStringLiteral("<b>") + esc(tr("Grade %1").arg(lead.grade))
                    + QStringLiteral("</b>"));
    chips.push_back(esc(tr("score %1").arg(lead.score)));
    chips.push_back(esc(Formatting::qualificationLabel(lead.qualification)));
    chips.push_back(esc(Formatting::statusLabel(lead.status)));
    if (detail.waitingOn == QLatin1String("business"))
        chips.push_back(QStringLiteral("<b>") + esc(tr("waiting on you")) + QStringLiteral("</b>"));
    html += QStringLiteral("<p>") + chips.join(QStringLiteral(" · ")) + QStringLiteral("</p>");

    Section contact(tr("Contact"));
    if (!lead.email.isEmpty())
        contact.addHtml(tr("E-mail"), link(QStringLiteral("mailto:") + lead.email, lead.email));
    if (!lead.phone.isEmpty())
        contact.addHtml(tr("Phone"), link(QStringLiteral("tel:") + lead.phone, lead.phone));
    contact.add(tr("Company"), lead.company);
    contact.add(tr("Address"), addressOf(lead));
    contact.add(tr("Consent to contact"), lead.consentGiven ? tr("Yes") : tr("No"));
    contact.appendTo(html);

    if (!detail.identities.isEmpty()) {
        html += tr("<h3>Same person on</h3>") + QStringLiteral("<p>")
                + identitySentence(detail.identities) + QStringLiteral("</p>");
        if (detail.identities.size() > 1) {
            html += QStringLiteral("<p class=\"sub\">")
                    + esc(tr("LeadDesk recognised these as one person; leads and messages from "
                             "any of them are filed under this contact."))
                    + QStringLiteral("</p>");
        }
    }

    Section request(tr("Request"));
    request.add(tr("Service"), lead.serviceInterest);
    request.add(tr("Urgency"), Formatting::readableValue(lead.urgency));
    request.add(tr("Budget"), lead.budgetRange);
    request.add(tr("Timeline"), Formatting::readableValue(lead.timeline));
    request.add(tr("Message"), lead.message);
    request.appendTo(html);

    Section source(tr("Source"));
    source.add(tr("Channel"), Formatting::channelLabel(lead.channel));
    source.add(tr("Source"), lead.sourceLabel);
    source.add(tr("Medium"), lead.medium);
    source.add(tr("Campaign"), lead.campaignName);
    source.add(tr("UTM source"), lead.utmSource);
    source.add(tr("UTM medium"), lead.utmMedium);
    source.add(tr("UTM campaign"), lead.utmCampaign);
    source.add(tr("UTM term"), lead.utmTerm);
    source.add(tr("UTM content"), lead.utmContent);
    source.add(tr("Referrer"), lead.referrerUrl);
    source.add(tr("Landing page"), lead.landingPageUrl);
    source.add(tr("External id"), lead.externalId);
    source.appendTo(html);

    Section qualification(tr("Qualification"));
    qualification.add(tr("Score"), tr("%1 of 100").arg(lead.score));
    qualification.add(tr("Grade"), lead.grade);
    qualification.add(tr("Qualification"), Formatting::qualificationLabel(lead.qualification));
    qualification.appendTo(html);

    if (rules)
        appendScoreExplanation(html, lead, *rules);
    else
        appendBreakdown(html, lead);

    Section handling(tr("Handling"));
    handling.add(tr("Status"), Formatting::statusLabel(lead.status));
    handling.add(tr("Assignee"),
                 detail.assigneeName.isEmpty() ? tr("Unassigned") : detail.assigneeName);
    handling.add(tr("Waiting on"), waitingOnText(detail.waitingOn));
    if (detail.firstResponseAtMs > 0) {
        QString response = Formatting::dateTime(detail.firstResponseAtMs);
        if (lead.createdAtMs > 0 && detail.firstResponseAtMs >= lead.createdAtMs) {
            response += tr(" (%1 after the lead came in)")
                            .arg(Formatting::duration(detail.firstResponseAtMs - lead.createdAtMs));
        }
        handling.add(tr("First response"), response);
    } else {
        handling.add(tr("First response"), tr("Not answered yet"));
    }
    handling.add(tr("Lead's last message"), Formatting::dateTime(detail.lastInboundAtMs));
    handling.add(tr("Created"), Formatting::dateTime(lead.createdAtMs));
    handling.appendTo(html);

    Section details(tr("Source details"));
    for (const auto &[label, value] : Formatting::flattenDetails(lead.details))
        details.add(label, value);
    details.appendTo(html);

    appendConversation(html, detail, palette);
    appendActivities(html, detail);
    return html;
}

} // namespace LeadDesk::Ui
