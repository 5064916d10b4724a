#include "formatting.h"

#include <QDateTime>
#include <QHash>

namespace LeadDesk::Ui::Formatting {

QString dateTime(qint64 utcMs)
{
    if (utcMs <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(utcMs).toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString relativeAge(qint64 utcMs, qint64 nowMs)
{
    if (utcMs <= 0)
        return {};
    const qint64 minutes = (nowMs - utcMs) / 60000;
    if (minutes < 1)
        return QStringLiteral("just now");
    if (minutes < 60)
        return QStringLiteral("%1 min ago").arg(minutes);
    if (minutes < 48 * 60)
        return QStringLiteral("%1 h ago").arg(minutes / 60);
    return QStringLiteral("%1 d ago").arg(minutes / (24 * 60));
}

QString channelLabel(const QString &channel)
{
    static const QHash<QString, QString> labels = {
        {QStringLiteral("whatsapp"), QStringLiteral("WhatsApp")},
        {QStringLiteral("messenger"), QStringLiteral("Messenger")},
        {QStringLiteral("leadads"), QStringLiteral("Lead Ads")},
        {QStringLiteral("thumbtack"), QStringLiteral("Thumbtack")},
        {QStringLiteral("sms"), QStringLiteral("SMS")},
        {QStringLiteral("webform"), QStringLiteral("Web form")},
        {QStringLiteral("chatbot"), QStringLiteral("Chatbot")},
        {QStringLiteral("csv"), QStringLiteral("Vendor file")},
        {QStringLiteral("manual"), QStringLiteral("Manual")},
    };
    return labels.value(channel, channel);
}

QString statusLabel(const QString &status)
{
    if (status.isEmpty())
        return {};
    QString label = status;
    label.replace(QLatin1Char('_'), QLatin1Char(' '));
    label[0] = label[0].toUpper();
    return label;
}

QString qualificationLabel(const QString &q)
{
    static const QHash<QString, QString> labels = {
        {QStringLiteral("sales_qualified"), QStringLiteral("SQL")},
        {QStringLiteral("marketing_qualified"), QStringLiteral("MQL")},
        {QStringLiteral("unqualified"), QStringLiteral("Unqualified")},
        {QStringLiteral("customer"), QStringLiteral("Customer")},
        {QStringLiteral("lost"), QStringLiteral("Lost")},
    };
    return labels.value(q, q);
}

} // namespace LeadDesk::Ui::Formatting
