#pragma once

#include "ctlcommon.h"
#include "sourcerepository.h"

#include <QCommandLineParser>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace LeadDesk::App {

// The headless commands' secrets (never in the store): the JSON secrets file, refused unless only
// its owner can read it, then the environment (LEADDESK_META_APP_SECRET...).
struct Secrets
{
    std::function<QString(const QString &name)> lookup;
    QString origin; // the file's path, or "environment only"
};

// --secrets FILE; without it $LEADDESK_SECRETS_FILE, else <data-dir>/secrets.json when it exists.
void addSecretsOption(QCommandLineParser &parser);

// The lookup by a route's secret name (sources' per-source secrets first); nothing, after saying
// why, when the named file is missing or readable by others.
std::optional<Secrets> secretLookup(const QCommandLineParser &parser, const CtlContext &context,
                                    const QList<Core::Source> &sources);

} // namespace LeadDesk::App
