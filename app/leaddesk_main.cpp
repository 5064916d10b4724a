// leaddesk: the desktop app. (Wiring grows with ui/: main window, sign-in, demo data.)
#include "logsink.h"

#include "engine.h"

#include <QApplication>
#include <QCommandLineParser>

using namespace LeadDesk;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("LeadDesk"));
    QApplication::setApplicationName(QStringLiteral("LeadDesk"));
    QApplication::setApplicationVersion(QStringLiteral(PROJECT_VERSION_STRING));
    QCommandLineParser parser;
    parser.addHelpOption();
    parser.addVersionOption();
    parser.process(app);
    App::installLogSink(App::LogFormat::Human, false);
    return 0;
}
