#include "ctlcommon.h"

#include "engine.h"

#include <QDir>

#include <cstdio>

namespace LeadDesk::App {

void printError(const QString &message)
{
    std::fprintf(stderr, "leaddeskctl: %s\n", qPrintable(message));
}

QTextStream &out()
{
    static QTextStream stream(stdout);
    return stream;
}

bool parseOrExplain(QCommandLineParser &parser, const CtlContext &context)
{
    parser.addHelpOption();
    if (!parser.parse(context.arguments)) {
        printError(parser.errorText());
        return false;
    }
    if (parser.isSet(QStringLiteral("help"))) {
        out() << parser.helpText();
        out().flush();
        std::exit(ExitOk);
    }
    return true;
}

std::unique_ptr<Core::Database> CtlContext::openStore() const
{
    if (!QDir().mkpath(dataDir)) {
        printError(QStringLiteral("cannot create the data folder %1").arg(dataDir));
        return nullptr;
    }
    auto db = Core::Database::open(Sync::Engine::storePath(dataDir));
    if (!db) {
        printError(db.error().message);
        return nullptr;
    }
    return std::move(*db);
}

std::optional<Core::Business> CtlContext::primaryBusiness(Core::Database &db) const
{
    auto business = Core::BusinessRepository(db).ensurePrimary();
    if (!business) {
        printError(business.error().message);
        return std::nullopt;
    }
    return *business;
}

std::optional<StoreAndBusiness> CtlContext::openBusinessStore() const
{
    auto db = openStore();
    if (!db)
        return std::nullopt;
    auto business = primaryBusiness(*db);
    if (!business)
        return std::nullopt;
    return StoreAndBusiness{std::move(db), std::move(*business)};
}

} // namespace LeadDesk::App
