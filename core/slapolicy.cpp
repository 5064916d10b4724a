#include "slapolicy.h"

#include "jsonpath.h"

#include "settingsrepository.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QUrl>

#include <algorithm>
#include <cmath>

namespace LeadDesk::Core {

using namespace JsonPath;

namespace {

constexpr qint64 kMinuteMs = 60 * 1000;
constexpr int kMaxTargetMinutes = 90 * 24 * 60; // a quarter of a year of business time

Result<QSet<QString>> stringSet(const QJsonValue &value, const QString &path,
                                const QStringList &allowed)
{
    if (!value.isArray() || value.toArray().isEmpty())
        return fail(QStringLiteral("must be a non-empty array"), path);
    QSet<QString> set;
    const QJsonArray array = value.toArray();
    for (qsizetype i = 0; i < array.size(); ++i) {
        const QString text = array.at(i).toString();
        if (!allowed.contains(text))
            return fail(QStringLiteral("must be one of %1").arg(allowed.join(QStringLiteral(", "))),
                        at(path, i));
        set.insert(text);
    }
    return set;
}

const QStringList &sourceKinds()
{
    static const QStringList kinds
        = {QStringLiteral("whatsapp"),  QStringLiteral("messenger"), QStringLiteral("leadads"),
           QStringLiteral("thumbtack"), QStringLiteral("sms"),       QStringLiteral("webform"),
           QStringLiteral("chatbot"),   QStringLiteral("csv"),       QStringLiteral("manual")};
    return kinds;
}

const QStringList &grades()
{
    static const QStringList list
        = {QStringLiteral("A"), QStringLiteral("B"), QStringLiteral("C"), QStringLiteral("D")};
    return list;
}

// first_response_minutes and next_response_minutes of a policy or the default.
Result<SlaTarget> parseTarget(const QJsonObject &object, const QString &path,
                              const SlaTarget *fallback)
{
    SlaTarget target;
    const QString firstKey = QStringLiteral("first_response_minutes");
    const QString nextKey = QStringLiteral("next_response_minutes");
    if (!object.contains(firstKey))
        return fail(QStringLiteral("is required"), at(path, firstKey));
    auto first = wholeNumber(object.value(firstKey), at(path, firstKey), 1, kMaxTargetMinutes);
    if (!first)
        return std::unexpected(first.error());
    target.firstResponseMs = *first * kMinuteMs;
    if (object.contains(nextKey)) {
        auto next = wholeNumber(object.value(nextKey), at(path, nextKey), 1, kMaxTargetMinutes);
        if (!next)
            return std::unexpected(next.error());
        target.nextResponseMs = *next * kMinuteMs;
    } else if (fallback) {
        target.nextResponseMs = fallback->nextResponseMs;
    } else {
        return fail(QStringLiteral("is required"), at(path, nextKey));
    }
    return target;
}

Result<SlaEscalation> parseEscalation(const QJsonValue &value, const QString &path)
{
    if (!value.isObject())
        return fail(QStringLiteral("must be an object"), path);
    const QJsonObject object = value.toObject();
    if (auto ok = onlyKeys(object, path,
                           {"enabled", "window_hours", "breach_rate_threshold", "min_leads",
                            "manager", "booking_url"});
        !ok)
        return std::unexpected(ok.error());
    SlaEscalation escalation;
    if (object.contains(QLatin1String("enabled"))) {
        if (!object.value(QLatin1String("enabled")).isBool())
            return fail(QStringLiteral("must be true or false"),
                        at(path, QStringLiteral("enabled")));
        escalation.enabled = object.value(QLatin1String("enabled")).toBool();
    }
    if (object.contains(QLatin1String("window_hours"))) {
        auto hours = wholeNumber(object.value(QLatin1String("window_hours")),
                                 at(path, QStringLiteral("window_hours")), 1, 24 * 90);
        if (!hours)
            return std::unexpected(hours.error());
        escalation.windowHours = *hours;
    }
    if (object.contains(QLatin1String("breach_rate_threshold"))) {
        const QJsonValue rate = object.value(QLatin1String("breach_rate_threshold"));
        if (!rate.isDouble() || rate.toDouble() < 0 || rate.toDouble() >= 1)
            return fail(QStringLiteral("must be a fraction from 0 to below 1 (0.2 = 20 %)"),
                        at(path, QStringLiteral("breach_rate_threshold")));
        escalation.breachRateThreshold = rate.toDouble();
    }
    if (object.contains(QLatin1String("min_leads"))) {
        auto minLeads = wholeNumber(object.value(QLatin1String("min_leads")),
                                    at(path, QStringLiteral("min_leads")), 1, 1'000'000);
        if (!minLeads)
            return std::unexpected(minLeads.error());
        escalation.minLeads = *minLeads;
    }
    if (object.contains(QLatin1String("manager"))) {
        const QString managerPath = at(path, QStringLiteral("manager"));
        const QJsonValue managerValue = object.value(QLatin1String("manager"));
        if (!managerValue.isObject())
            return fail(QStringLiteral("must be an object with name and email"), managerPath);
        const QJsonObject manager = managerValue.toObject();
        if (auto ok = onlyKeys(manager, managerPath, {"name", "email"}); !ok)
            return std::unexpected(ok.error());
        for (const char *key : {"name", "email"}) {
            const QJsonValue field = manager.value(QLatin1String(key));
            if (!field.isUndefined() && !field.isString())
                return fail(QStringLiteral("must be a string"),
                            at(managerPath, QLatin1String(key)));
        }
        escalation.managerName = manager.value(QLatin1String("name")).toString().trimmed();
        escalation.managerEmail = manager.value(QLatin1String("email")).toString().trimmed();
        const qsizetype atSign = escalation.managerEmail.indexOf(u'@');
        if (!escalation.managerEmail.isEmpty()
            && (atSign < 1 || atSign == escalation.managerEmail.size() - 1))
            return fail(QStringLiteral("must be an e-mail address"),
                        at(managerPath, QStringLiteral("email")));
    }
    if (object.contains(QLatin1String("booking_url"))) {
        const QString urlPath = at(path, QStringLiteral("booking_url"));
        const QJsonValue urlValue = object.value(QLatin1String("booking_url"));
        if (!urlValue.isString())
            return fail(QStringLiteral("must be a string"), urlPath);
        escalation.bookingUrl = urlValue.toString().trimmed();
        const QUrl url(escalation.bookingUrl, QUrl::StrictMode);
        if (!escalation.bookingUrl.isEmpty()
            && (!url.isValid() || url.host().isEmpty()
                || (url.scheme() != QLatin1String("https")
                    && url.scheme() != QLatin1String("http"))))
            return fail(QStringLiteral("must be an http(s) URL"), urlPath);
    }
    return escalation;
}

QJsonArray sortedArray(const QSet<QString> &set)
{
    QStringList list(set.begin(), set.end());
    list.sort();
    return QJsonArray::fromStringList(list);
}

} // namespace

SlaPolicy::SlaPolicy()
    : m_fallback{QStringLiteral("default"), 4 * 60 * kMinuteMs, 8 * 60 * kMinuteMs}
{}

Result<SlaPolicy> SlaPolicy::parse(const QByteArray &json)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not valid JSON at offset %1: %2")
                        .arg(error.offset)
                        .arg(error.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("must be a JSON object"));
    return fromJson(document.object());
}

Result<SlaPolicy> SlaPolicy::fromJson(const QJsonObject &document)
{
    if (auto ok = onlyKeys(document, {},
                           {"version", "at_risk_percent", "default", "policies", "escalation"});
        !ok)
        return std::unexpected(ok.error());
    if (document.value(QLatin1String("version")).toInt(-1) != 1)
        return fail(QStringLiteral("must be 1"), QStringLiteral("version"));
    SlaPolicy policy;
    if (document.contains(QLatin1String("at_risk_percent"))) {
        auto percent = wholeNumber(document.value(QLatin1String("at_risk_percent")),
                                   QStringLiteral("at_risk_percent"), 1, 99);
        if (!percent)
            return std::unexpected(percent.error());
        policy.m_atRiskPercent = *percent;
    }

    const QJsonValue fallback = document.value(QLatin1String("default"));
    if (!fallback.isObject())
        return fail(QStringLiteral("must be an object with first_response_minutes and "
                                   "next_response_minutes"),
                    QStringLiteral("default"));
    if (auto ok = onlyKeys(fallback.toObject(), QStringLiteral("default"),
                           {"first_response_minutes", "next_response_minutes"});
        !ok)
        return std::unexpected(ok.error());
    auto fallbackTarget = parseTarget(fallback.toObject(), QStringLiteral("default"), nullptr);
    if (!fallbackTarget)
        return std::unexpected(fallbackTarget.error());
    policy.m_fallback = *fallbackTarget;
    policy.m_fallback.id = QStringLiteral("default");

    const QJsonValue policies = document.value(QLatin1String("policies"));
    if (!policies.isUndefined() && !policies.isArray())
        return fail(QStringLiteral("must be an array"), QStringLiteral("policies"));
    const QJsonArray list = policies.toArray();
    QSet<QString> ids;
    for (qsizetype i = 0; i < list.size(); ++i) {
        const QString path = at(QStringLiteral("policies"), i);
        if (!list.at(i).isObject())
            return fail(QStringLiteral("must be an object"), path);
        const QJsonObject object = list.at(i).toObject();
        if (auto ok = onlyKeys(
                object, path,
                {"id", "sources", "grades", "first_response_minutes", "next_response_minutes"});
            !ok)
            return std::unexpected(ok.error());
        Rule rule;
        const QJsonValue id = object.value(QLatin1String("id"));
        if (!id.isString() || id.toString().trimmed().isEmpty())
            return fail(QStringLiteral("must be a non-empty string"),
                        at(path, QStringLiteral("id")));
        if (id.toString() == QLatin1String("default") || ids.contains(id.toString()))
            return fail(QStringLiteral("must be unique (and not \"default\")"),
                        at(path, QStringLiteral("id")));
        ids.insert(id.toString());
        auto target = parseTarget(object, path, &policy.m_fallback);
        if (!target)
            return std::unexpected(target.error());
        rule.target = *target;
        rule.target.id = id.toString();
        if (object.contains(QLatin1String("sources"))) {
            auto sources = stringSet(object.value(QLatin1String("sources")),
                                     at(path, QStringLiteral("sources")), sourceKinds());
            if (!sources)
                return std::unexpected(sources.error());
            rule.sources = *sources;
        }
        if (object.contains(QLatin1String("grades"))) {
            auto gradeSet = stringSet(object.value(QLatin1String("grades")),
                                      at(path, QStringLiteral("grades")), grades());
            if (!gradeSet)
                return std::unexpected(gradeSet.error());
            rule.grades = *gradeSet;
        }
        policy.m_rules.append(rule);
    }

    if (document.contains(QLatin1String("escalation"))) {
        auto escalation = parseEscalation(document.value(QLatin1String("escalation")),
                                          QStringLiteral("escalation"));
        if (!escalation)
            return std::unexpected(escalation.error());
        policy.m_escalation = *escalation;
    }
    return policy;
}

Result<SlaPolicy> SlaPolicy::loadDefault()
{
    QFile file(QString::fromLatin1(defaultResource));
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read: ") + file.errorString(), file.fileName());
    return parse(file.readAll());
}

Result<SlaPolicy> SlaPolicy::load(Database &db, const QString &businessId)
{
    auto stored = SettingsRepository(db).value(businessId,
                                               QString::fromLatin1(SettingsRepository::kSlaPolicy));
    if (!stored)
        return std::unexpected(stored.error());
    if (!stored->has_value())
        return loadDefault();
    auto policy = parse(**stored);
    if (!policy) {
        Error error = policy.error();
        // One line for the user: which document, where in it, what is wrong.
        error.message
            = QStringLiteral("SLA policy: ")
              + (error.field.isEmpty() ? error.message
                                       : error.field + QStringLiteral(": ") + error.message);
        return std::unexpected(error);
    }
    return policy;
}

QJsonObject SlaPolicy::toJson() const
{
    const auto minutes = [](qint64 ms) {
        return double(ms / kMinuteMs);
    };
    QJsonArray policies;
    for (const Rule &rule : m_rules) {
        QJsonObject object{
            {QStringLiteral("id"), rule.target.id},
            {QStringLiteral("first_response_minutes"), minutes(rule.target.firstResponseMs)},
            {QStringLiteral("next_response_minutes"), minutes(rule.target.nextResponseMs)}};
        if (!rule.sources.isEmpty())
            object.insert(QStringLiteral("sources"), sortedArray(rule.sources));
        if (!rule.grades.isEmpty())
            object.insert(QStringLiteral("grades"), sortedArray(rule.grades));
        policies.append(object);
    }
    return QJsonObject{
        {QStringLiteral("version"), 1},
        {QStringLiteral("at_risk_percent"), m_atRiskPercent},
        {QStringLiteral("default"),
         QJsonObject{
             {QStringLiteral("first_response_minutes"), minutes(m_fallback.firstResponseMs)},
             {QStringLiteral("next_response_minutes"), minutes(m_fallback.nextResponseMs)}}},
        {QStringLiteral("policies"), policies},
        {QStringLiteral("escalation"),
         QJsonObject{{QStringLiteral("enabled"), m_escalation.enabled},
                     {QStringLiteral("window_hours"), m_escalation.windowHours},
                     {QStringLiteral("breach_rate_threshold"), m_escalation.breachRateThreshold},
                     {QStringLiteral("min_leads"), m_escalation.minLeads},
                     {QStringLiteral("manager"),
                      QJsonObject{{QStringLiteral("name"), m_escalation.managerName},
                                  {QStringLiteral("email"), m_escalation.managerEmail}}},
                     {QStringLiteral("booking_url"), m_escalation.bookingUrl}}},
    };
}

const SlaTarget &SlaPolicy::match(const QString &channel, const QString &grade) const
{
    for (const Rule &rule : m_rules) {
        if ((rule.sources.isEmpty() || rule.sources.contains(channel))
            && (rule.grades.isEmpty() || rule.grades.contains(grade)))
            return rule.target;
    }
    return m_fallback;
}

} // namespace LeadDesk::Core
