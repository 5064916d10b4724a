#include "configdocuments.h"

#include "abtestdefinitions.h"
#include "businesscalendar.h"
#include "routingrules.h"
#include "scoringrules.h"
#include "settingsrepository.h"
#include "slapolicy.h"

#include <QFile>

namespace LeadDesk::Core {

namespace {

// Adapts a parser returning Result<T> to the registry's Result<void>.
template<typename Parsed>
Result<void> discardValue(Result<Parsed> parsed)
{
    if (!parsed)
        return std::unexpected(parsed.error());
    return {};
}

} // namespace

const QList<ConfigDocuments::Document> &ConfigDocuments::all()
{
    static const QList<Document> documents = {
        {QString::fromLatin1(SettingsRepository::kScoringRules),
         QStringLiteral("lead scoring rules, grades, qualification and decay"),
         QString::fromLatin1(ScoringRules::defaultResource),
         [](const QByteArray &json, const QString &) {
             return discardValue(ScoringRules::parse(json));
         }},
        {QString::fromLatin1(SettingsRepository::kSlaPolicy),
         QStringLiteral("first- and next-response targets per source and grade; escalation"),
         QString::fromLatin1(SlaPolicy::defaultResource),
         [](const QByteArray &json, const QString &) {
             return discardValue(SlaPolicy::parse(json));
         }},
        {QString::fromLatin1(SettingsRepository::kBusinessHours),
         QStringLiteral("weekly opening hours, holidays and time zone for SLA clocks"),
         QString::fromLatin1(BusinessCalendar::defaultResource),
         [](const QByteArray &json, const QString &zone) {
             return discardValue(BusinessCalendar::parse(json, zone));
         }},
        {QString::fromLatin1(SettingsRepository::kRoutingRules),
         QStringLiteral("assignment rules, rep capacity and working hours"),
         QString::fromLatin1(RoutingRules::defaultResource),
         [](const QByteArray &json, const QString &) {
             return discardValue(RoutingRules::parse(json));
         }},
        {QString::fromLatin1(SettingsRepository::kAbTests),
         QStringLiteral("A/B tests: variants, weights and goals"),
         QStringLiteral(":/config/ab-tests-default.json"),
         [](const QByteArray &json, const QString &) {
             return discardValue(AbTestDefinitions::parse(json));
         }},
    };
    return documents;
}

const ConfigDocuments::Document *ConfigDocuments::find(const QString &key)
{
    for (const Document &document : all()) {
        if (document.key == key)
            return &document;
    }
    return nullptr;
}

Result<QByteArray> ConfigDocuments::defaultBytes(const Document &document)
{
    QFile file(document.defaultResource);
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("the default %1 is missing from this build").arg(document.key));
    return file.readAll();
}

} // namespace LeadDesk::Core
