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

QStringList seed004ExportKeys()
{
    return {QStringLiteral("uuid"),
            QStringLiteral("first_name"),
            QStringLiteral("last_name"),
            QStringLiteral("email"),
            QStringLiteral("phone"),
            QStringLiteral("company"),
            QStringLiteral("campaign_id"),
            QStringLiteral("campaign_name"),
            QStringLiteral("source"),
            QStringLiteral("medium"),
            QStringLiteral("utm_source"),
            QStringLiteral("utm_medium"),
            QStringLiteral("utm_campaign"),
            QStringLiteral("utm_term"),
            QStringLiteral("utm_content"),
            QStringLiteral("service_interest"),
            QStringLiteral("urgency"),
            QStringLiteral("message"),
            QStringLiteral("budget_range"),
            QStringLiteral("timeline"),
            QStringLiteral("visitor_id"),
            QStringLiteral("session_id"),
            QStringLiteral("ip_address"),
            QStringLiteral("user_agent"),
            QStringLiteral("referrer_url"),
            QStringLiteral("landing_page_url"),
            QStringLiteral("lead_score"),
            QStringLiteral("lead_grade"),
            QStringLiteral("qualification_status"),
            QStringLiteral("status"),
            QStringLiteral("assigned_to"),
            QStringLiteral("follow_up_date"),
            QStringLiteral("created_at"),
            QStringLiteral("updated_at"),
            QStringLiteral("contacted_at"),
            QStringLiteral("contact_id"),
            QStringLiteral("channel"),
            QStringLiteral("score_breakdown"),
            QStringLiteral("details"),
            QStringLiteral("messages")};
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
