// leaddesk: the desktop app. Wiring only: options, the log sink, the engine, then the first-start,
// sign-in and main windows in order.
#include "logsink.h"

#include "accountservice.h"
#include "demosetup.h"
#include "engine.h"
#include "leadrepository.h"
#include "mainwindow.h"
#include "ownersetupdialog.h"
#include "signindialog.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QEventLoop>
#include <QFutureWatcher>
#include <QMessageBox>

#include <cstdio>

using namespace LeadDesk;

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// Waits for a store job with the event loop running, so windows keep repainting.
template<typename T>
Core::Result<T> await(QFuture<Core::Result<T>> future)
{
    QFutureWatcher<Core::Result<T>> watcher;
    QEventLoop loop;
    QObject::connect(&watcher, &QFutureWatcherBase::finished, &loop, &QEventLoop::quit);
    watcher.setFuture(future);
    if (!future.isFinished())
        loop.exec();
    return future.result();
}

int usageError(const QString &message)
{
    QString text = message.trimmed();
    if (!text.endsWith(QLatin1Char('.')))
        text += QLatin1Char('.');
    std::fprintf(stderr, "leaddesk: %s Try --help.\n", qPrintable(text));
    return kExitUsage;
}

int runtimeError(const QString &message)
{
    std::fprintf(stderr, "leaddesk: %s\n", qPrintable(message));
    QMessageBox::critical(nullptr, QStringLiteral("LeadDesk"), message);
    return kExitFailure;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LeadDesk"));
    QApplication::setApplicationName(QStringLiteral("LeadDesk"));
    QApplication::setApplicationVersion(QStringLiteral(PROJECT_VERSION_STRING));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("LeadDesk: every lead from every source."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();
    const QCommandLineOption dataDirOption(
        QStringLiteral("data-dir"),
        QStringLiteral("The folder holding the store (default: %1).")
            .arg(Sync::Engine::defaultDataDir()),
        QStringLiteral("DIR"));
    const QCommandLineOption demoOption(
        QStringLiteral("demo"),
        QStringLiteral(
            "Fill an empty store with a demo business and list its accounts at sign-in."));
    const QCommandLineOption verboseOption(QStringLiteral("verbose"),
                                           QStringLiteral("Log debug messages to stderr."));
    parser.addOptions({dataDirOption, demoOption, verboseOption});
    if (!parser.parse(QCoreApplication::arguments()))
        return usageError(parser.errorText());
    if (parser.isSet(helpOption))
        parser.showHelp(0);
    if (parser.isSet(versionOption))
        parser.showVersion();
    if (!parser.positionalArguments().isEmpty())
        return usageError(QStringLiteral("unexpected argument '%1'")
                              .arg(parser.positionalArguments().constFirst()));
    const QString dataDir = parser.isSet(dataDirOption) ? parser.value(dataDirOption)
                                                        : Sync::Engine::defaultDataDir();
    if (dataDir.trimmed().isEmpty())
        return usageError(QStringLiteral("--data-dir needs a folder"));
    const bool demo = parser.isSet(demoOption);

    App::installLogSink(App::LogFormat::Human, parser.isSet(verboseOption));

    Sync::Engine engine;
    if (auto opened = engine.open(dataDir); !opened)
        return runtimeError(QStringLiteral("Cannot open the store in %1: %2")
                                .arg(dataDir, opened.error().toString()));
    const QString businessId = engine.business().id;

    if (demo) {
        auto counts
            = await(engine.reader().submitValue<Core::LeadCounts>([businessId](Core::Database &db) {
                  return Core::LeadRepository(db).counts(businessId);
              }));
        if (!counts)
            return runtimeError(
                QStringLiteral("Cannot read the store: %1").arg(counts.error().toString()));
        if (counts->total == 0) {
            Ui::DemoSetup setup(engine);
            if (auto made = setup.run(); !made)
                return runtimeError(
                    QStringLiteral("Cannot create the demo data: %1").arg(made.error().toString()));
        }
    }

    // The demo data set brings its own owner; a real first start asks for one.
    auto hasOwner = await(engine.reader().submitValue<bool>([businessId](Core::Database &db) {
        return Core::AccountService(db).hasOwner(businessId);
    }));
    if (!hasOwner)
        return runtimeError(
            QStringLiteral("Cannot read the accounts: %1").arg(hasOwner.error().toString()));
    QString newOwner;
    if (!*hasOwner) {
        Ui::OwnerSetupDialog ownerSetup(engine);
        if (ownerSetup.exec() != QDialog::Accepted)
            return 0;
        newOwner = ownerSetup.user().username;
    }

    Ui::SignInDialog signIn(engine, demo);
    if (!newOwner.isEmpty())
        signIn.setUserName(newOwner);
    if (signIn.exec() != QDialog::Accepted)
        return 0;

    Ui::MainWindow window(engine, signIn.user());
    window.show();
    return QApplication::exec();
}
