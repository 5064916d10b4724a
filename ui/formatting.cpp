#include "formatting.h"

#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QLocale>
#include <QPalette>
#include <QRegularExpression>
#include <QSet>

#include <algorithm>

namespace LeadDesk::Ui::Formatting {

QString dateTime(qint64 utcMs)
{
    if (utcMs <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(utcMs).toLocalTime().toString(
        QStringLiteral("yyyy-MM-dd HH:mm"));
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
        // Person-level identity keys (contact_identities.channel).
        {QStringLiteral("email"), QStringLiteral("e-mail")},
        {QStringLiteral("phone"), QStringLiteral("phone")},
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

QString duration(qint64 ms)
{
    const qint64 minutes = std::max<qint64>(0, ms) / 60000;
    if (minutes < 1)
        return QStringLiteral("under a minute");
    if (minutes < 60)
        return QStringLiteral("%1 min").arg(minutes);
    const qint64 hours = minutes / 60;
    if (hours < 24) {
        return minutes % 60 ? QStringLiteral("%1 h %2 min").arg(hours).arg(minutes % 60)
                            : QStringLiteral("%1 h").arg(hours);
    }
    return hours % 24 ? QStringLiteral("%1 d %2 h").arg(hours / 24).arg(hours % 24)
                      : QStringLiteral("%1 d").arg(hours / 24);
}

QColor mutedTextColor(const QPalette &palette)
{
    const QColor text = palette.color(QPalette::Text);
    const QColor base = palette.color(QPalette::Base);
    const auto mix = [](int t, int b) {
        return (t * 55 + b * 45) / 100;
    };
    return QColor(mix(text.red(), base.red()), mix(text.green(), base.green()),
                  mix(text.blue(), base.blue()));
}

QString count(qint64 n)
{
    // The C locale (CI, a bare environment) does not group digits; English is the fallback.
    QLocale locale;
    if (locale.language() == QLocale::C)
        locale = QLocale(QLocale::English, QLocale::UnitedStates);
    return locale.toString(n);
}

QString sentence(const QString &fragment)
{
    QString text = fragment.trimmed();
    if (text.isEmpty())
        return text;
    text[0] = text[0].toUpper();
    const QChar last = text.back();
    if (last != QLatin1Char('.') && last != QLatin1Char('!') && last != QLatin1Char('?'))
        text += QLatin1Char('.');
    return text;
}

QString keyLabel(const QString &key)
{
    static const QSet<QString> acronyms = {
        QStringLiteral("id"),   QStringLiteral("url"), QStringLiteral("utm"), QStringLiteral("zip"),
        QStringLiteral("apr"),  QStringLiteral("ltv"), QStringLiteral("sms"), QStringLiteral("ip"),
        QStringLiteral("fico"), QStringLiteral("wa"),
    };
    // Split snake_case, kebab-case and camelCase into lower-case words.
    QStringList words;
    QString word;
    for (int i = 0; i < key.size(); ++i) {
        const QChar c = key.at(i);
        if (c == QLatin1Char('_') || c == QLatin1Char('-') || c == QLatin1Char(' ')) {
            if (!word.isEmpty())
                words.push_back(std::exchange(word, {}));
            continue;
        }
        if (c.isUpper() && !word.isEmpty() && !key.at(i - 1).isUpper())
            words.push_back(std::exchange(word, {}));
        word += c.toLower();
    }
    if (!word.isEmpty())
        words.push_back(word);
    for (QString &w : words) {
        if (acronyms.contains(w))
            w = w.toUpper();
    }
    QString label = words.join(QLatin1Char(' '));
    if (!label.isEmpty())
        label[0] = label[0].toUpper();
    return label;
}

QString readableValue(const QString &value)
{
    // Machine words: "later_this_year", "what_is_your_budget?".
    static const QRegularExpression machineWord(
        QStringLiteral("^[a-z][a-z0-9]*(_[a-z0-9]+)+\\??$"));
    return machineWord.match(value).hasMatch() ? keyLabel(value) : value;
}

namespace {

QString scalarText(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("Yes") : QStringLiteral("No");
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (d == static_cast<double>(static_cast<qint64>(d)))
            return QString::number(static_cast<qint64>(d));
        return QString::number(d, 'g', 12);
    }
    case QJsonValue::String:
        return readableValue(value.toString());
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QStringLiteral("—");
    case QJsonValue::Array:
    case QJsonValue::Object:
        break;
    }
    return {};
}

bool isScalar(const QJsonValue &value)
{
    return !value.isArray() && !value.isObject();
}

QString scalarsText(const QJsonArray &array)
{
    QStringList parts;
    for (const QJsonValue &v : array)
        parts.push_back(scalarText(v));
    return parts.isEmpty() ? QStringLiteral("—") : parts.join(QStringLiteral(", "));
}

bool allScalars(const QJsonArray &array)
{
    return std::all_of(array.begin(), array.end(), [](const QJsonValue &v) { return isScalar(v); });
}

// {"question": ..., "answer": ...}, Lead Ads' {"name": ..., "values": [...]} and similar pairs
// read best as one line.
bool asPair(const QJsonObject &object, QString *label, QString *text)
{
    static const std::pair<const char *, const char *> shapes[] = {{"question", "answer"},
                                                                   {"label", "value"},
                                                                   {"name", "value"},
                                                                   {"name", "values"},
                                                                   {"key", "value"}};
    if (object.size() != 2)
        return false;
    for (const auto &[labelKey, valueKey] : shapes) {
        const QJsonValue l = object.value(QLatin1String(labelKey));
        const QJsonValue v = object.value(QLatin1String(valueKey));
        if (!l.isString() || v.isUndefined())
            continue;
        if (isScalar(v)) {
            *text = scalarText(v);
        } else if (v.isArray() && allScalars(v.toArray())) {
            *text = scalarsText(v.toArray());
        } else {
            continue;
        }
        *label = scalarText(l);
        return true;
    }
    return false;
}

void flattenInto(const QJsonValue &value, const QString &label,
                 QList<std::pair<QString, QString>> &out)
{
    static const QString separator = QStringLiteral(" › ");
    if (value.isObject()) {
        const QJsonObject object = value.toObject();
        QString pairLabel, pairText;
        if (!label.isEmpty() && asPair(object, &pairLabel, &pairText)) {
            out.push_back({pairLabel, pairText});
            return;
        }
        for (auto it = object.begin(); it != object.end(); ++it) {
            const QString child = keyLabel(it.key());
            flattenInto(it.value(), label.isEmpty() ? child : label + separator + child, out);
        }
        return;
    }
    if (value.isArray()) {
        const QJsonArray array = value.toArray();
        if (allScalars(array)) {
            out.push_back({label, scalarsText(array)});
            return;
        }
        for (qsizetype i = 0; i < array.size(); ++i)
            flattenInto(array.at(i), label + QLatin1Char(' ') + QString::number(i + 1), out);
        return;
    }
    out.push_back({label, scalarText(value)});
}

} // namespace

QList<std::pair<QString, QString>> flattenDetails(const QJsonObject &details)
{
    QList<std::pair<QString, QString>> out;
    flattenInto(details, {}, out);
    return out;
}

} // namespace LeadDesk::Ui::Formatting
