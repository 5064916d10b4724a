#include "logsink.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QTest>

#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcTest, "leaddesk.test")

// Captures what the process writes to stderr while a function runs.
static QByteArray captureStderr(const std::function<void()> &run)
{
    QTemporaryDir dir;
    const QByteArray path = dir.filePath(QStringLiteral("stderr.txt")).toLocal8Bit();
    std::fflush(stderr);
    const int saved = dup(STDERR_FILENO);
    const int file = open(path.constData(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(file, STDERR_FILENO);
    run();
    spdlog::default_logger()->flush();
    std::fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(file);
    close(saved);
    QFile out(QString::fromLocal8Bit(path));
    out.open(QIODevice::ReadOnly);
    return out.readAll();
}

class tst_LogSink : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void humanLinesNameTheCategory();
    void quietHidesInfoButNotWarnings();
    void jsonLinesStayValidJson();
};

void tst_LogSink::humanLinesNameTheCategory()
{
    spdlog::drop_all();
    const QByteArray out = captureStderr([] {
        LeadDesk::App::installLogSink(LeadDesk::App::LogFormat::Human,
                                      LeadDesk::App::LogLevel::Verbose);
        qCDebug(lcTest) << "debug shown with --verbose";
        qCInfo(lcTest) << "opened store";
    });
    QVERIFY2(out.contains("[leaddesk.test] debug shown with --verbose"), out.constData());
    QVERIFY2(out.contains("[leaddesk.test] opened store"), out.constData());
}

void tst_LogSink::quietHidesInfoButNotWarnings()
{
    spdlog::drop_all();
    const QByteArray out = captureStderr([] {
        LeadDesk::App::installLogSink(LeadDesk::App::LogFormat::Human,
                                      LeadDesk::App::LogLevel::Quiet);
        qCDebug(lcTest) << "hidden debug";
        qCInfo(lcTest) << "hidden info";
        qCWarning(lcTest) << "a warning";
    });
    QVERIFY(!out.contains("hidden"));
    QVERIFY2(out.contains("a warning"), out.constData());
}

void tst_LogSink::jsonLinesStayValidJson()
{
    spdlog::drop_all();
    const QString hostile
        = QStringLiteral("quote \" backslash \\ newline \n tab \t \u00e9 {\"injected\":1}");
    const QByteArray out = captureStderr([&hostile] {
        LeadDesk::App::installLogSink(LeadDesk::App::LogFormat::JsonLines,
                                      LeadDesk::App::LogLevel::Normal);
        qCWarning(lcTest).noquote() << hostile;
    });
    const QList<QByteArray> lines = out.trimmed().split('\n');
    QCOMPARE(lines.size(), 1);
    QJsonParseError error;
    const QJsonObject line = QJsonDocument::fromJson(lines.first(), &error).object();
    QVERIFY2(error.error == QJsonParseError::NoError, lines.first().constData());
    QVERIFY(line.contains(QStringLiteral("time")));
    const QJsonObject log = line.value(QStringLiteral("log")).toObject();
    QCOMPARE(log.value(QStringLiteral("level")).toString(), QStringLiteral("warning"));
    QCOMPARE(log.value(QStringLiteral("category")).toString(), QStringLiteral("leaddesk.test"));
    QCOMPARE(log.value(QStringLiteral("msg")).toString(), hostile);
}

QTEST_GUILESS_MAIN(tst_LogSink)
#include "tst_logsink.moc"
