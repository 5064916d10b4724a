#include "logsink.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QString>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

namespace LeadDesk::App {

namespace {

LogFormat s_format = LogFormat::Human;

spdlog::level::level_enum levelOf(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return spdlog::level::debug;
    case QtInfoMsg:
        return spdlog::level::info;
    case QtWarningMsg:
        return spdlog::level::warn;
    case QtCriticalMsg:
        return spdlog::level::err;
    case QtFatalMsg:
        return spdlog::level::critical;
    }
    return spdlog::level::info;
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const auto level = levelOf(type);
    const char *category = context.category ? context.category : "default";
    if (s_format == LogFormat::JsonLines) {
        // The JSON is built by QJsonDocument so any text in a message stays valid JSON.
        const QJsonObject line{{QStringLiteral("level"),
                                QString::fromUtf8(spdlog::level::to_string_view(level).data())},
                               {QStringLiteral("category"), QString::fromUtf8(category)},
                               {QStringLiteral("msg"), message}};
        spdlog::log(level, "{}", QJsonDocument(line).toJson(QJsonDocument::Compact).toStdString());
    } else {
        spdlog::log(level, "[{}] {}", category, message.toStdString());
    }
    if (type == QtFatalMsg)
        std::abort();
}

} // namespace

void installLogSink(LogFormat format, LogLevel level)
{
    s_format = format;
    // A second call (serve re-installs in JSON form) replaces the logger main() made.
    spdlog::drop("leaddesk");
    auto logger = spdlog::stderr_color_mt("leaddesk");
    if (format == LogFormat::JsonLines)
        logger->set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","log":%v})",
                            spdlog::pattern_time_type::utc);
    else
        logger->set_pattern("%H:%M:%S.%e %^%l%$ %v");
    const bool verbose = level == LogLevel::Verbose;
    logger->set_level(verbose                     ? spdlog::level::debug
                      : level == LogLevel::Normal ? spdlog::level::info
                                                  : spdlog::level::warn);
    spdlog::set_default_logger(logger);
    QLoggingCategory::setFilterRules(verbose ? QStringLiteral("leaddesk.*.debug=true")
                                             : QStringLiteral("leaddesk.*.debug=false"));
    qInstallMessageHandler(handler);
}

} // namespace LeadDesk::App
