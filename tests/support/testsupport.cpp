#include "testsupport.h"

#include "businessrepository.h"

#include <QFile>
#include <QProcess>
#include <QSqlQuery>
#include <QTest>

namespace LeadDesk::Test {

TempStore::TempStore()
{
    auto db = Core::Database::open(path());
    if (!db) {
        qWarning("TempStore: %s", qPrintable(db.error().message));
        return;
    }
    m_db = std::move(*db);
    auto business = Core::BusinessRepository(*m_db).ensurePrimary(QStringLiteral("Test Plumbing"));
    if (business)
        m_businessId = business->id;
}

QString fixturePath(const QString &name)
{
    return QStringLiteral(LEADDESK_FIXTURES_DIR "/") + name;
}

QByteArray readFixture(const QString &name)
{
    QFile file(fixturePath(name));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("missing fixture %s", qPrintable(name));
    return file.readAll();
}

CtlRun runCtl(const QString &dataDir, const QStringList &arguments, const QByteArray &input)
{
    QProcess process;
    process.start(QStringLiteral(LEADDESK_CTL_PATH),
                  QStringList{QStringLiteral("--data-dir"), dataDir} + arguments);
    if (!process.waitForStarted())
        return {};
    process.write(input);
    process.closeWriteChannel();
    if (!process.waitForFinished(120'000))
        return {};
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

int countRows(Core::Database &db, const QString &table, const QString &where)
{
    QSqlQuery query(db.connection());
    const QString sql = QStringLiteral("SELECT COUNT(*) FROM ") + table
                        + (where.isEmpty() ? QString() : QStringLiteral(" WHERE ") + where);
    if (!query.exec(sql) || !query.next())
        return -1;
    return query.value(0).toInt();
}

} // namespace LeadDesk::Test
