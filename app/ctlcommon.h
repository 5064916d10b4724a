#pragma once

#include "businessrepository.h"
#include "database.h"

#include <QCommandLineParser>
#include <QStringList>
#include <QTextStream>

#include <memory>
#include <optional>

namespace LeadDesk::App {

// An open store and its primary business, what most subcommands start from.
struct StoreAndBusiness
{
    std::unique_ptr<Core::Database> db;
    Core::Business business;
};

// Exit codes of every leaddeskctl command (DESIGN §7).
enum ExitCode { ExitOk = 0, ExitFailure = 1, ExitUsage = 2 };

// What every subcommand gets: its own arguments (after the subcommand name) and the data folder.
struct CtlContext
{
    QStringList arguments; // argv[0] is "leaddeskctl <command>"
    QString dataDir;
    bool verbose = false;

    // Opens the store in dataDir (creating and migrating it); prints the error and returns null
    // on failure.
    [[nodiscard]] std::unique_ptr<Core::Database> openStore() const;
    // The store's primary business, created on first use; prints the error on failure.
    [[nodiscard]] std::optional<Core::Business> primaryBusiness(Core::Database &db) const;
    // Both of the above; prints the error and returns nothing on failure.
    [[nodiscard]] std::optional<StoreAndBusiness> openBusinessStore() const;
};

// One clear line on stderr: "leaddeskctl: <message>".
void printError(const QString &message);
QTextStream &out();

// Parses `context.arguments` with `parser`; on a usage error prints it and returns false.
bool parseOrExplain(QCommandLineParser &parser, const CtlContext &context);

// The subcommands, one file each (ctl_<name>.cpp). Each returns an ExitCode.
int runImport(const CtlContext &context);
int runExport(const CtlContext &context);
int runDemo(const CtlContext &context);
int runUser(const CtlContext &context);
int runRescore(const CtlContext &context);
int runConfig(const CtlContext &context);
int runReport(const CtlContext &context);
int runSla(const CtlContext &context);
int runServe(const CtlContext &context);
int runJournal(const CtlContext &context);
int runSource(const CtlContext &context);

} // namespace LeadDesk::App
