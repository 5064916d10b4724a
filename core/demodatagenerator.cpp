#include "demodatagenerator.h"

#include "leadrescorer.h"
#include "scoringrules.h"

#include "accountservice.h"
#include "demogenerator.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QSqlQuery>
#include <QTimeZone>

#include <sqlite3.h>

#include <array>
#include <string>

namespace LeadDesk::Core {

DemoDataGenerator::DemoDataGenerator(Database &db, Options options)
    : m_db(db)
    , m_options(options)
{}

QList<DemoDataGenerator::Credentials> DemoDataGenerator::credentials()
{
    QList<Credentials> out;
    for (const Demo::DemoAccount &account : Demo::kAccounts)
        out.append({QString::fromLatin1(account.username), QString::fromLatin1(account.password),
                    QString::fromLatin1(account.roleName), QString::fromUtf8(account.displayName)});
    return out;
}

bool DemoDataGenerator::isDemoStore(Database &db, const QString &businessId)
{
    QSqlQuery &query = db.prepared(
        QStringLiteral("SELECT value FROM settings WHERE business_id = ? AND key = 'demo'"));
    query.addBindValue(businessId);
    const bool demo
        = query.exec() && query.next() && query.value(0).toString() == QLatin1String("true");
    query.finish();
    return demo;
}

Result<void> DemoDataGenerator::generate(const QString &businessId,
                                         const std::function<void(qint64, qint64)> &progress)
{
    m_stats = {};
    QElapsedTimer timer;
    timer.start();
    if (m_options.leads < 1)
        return fail(QStringLiteral("the number of demo leads must be at least 1"),
                    QStringLiteral("leads"));
    auto *handle = static_cast<sqlite3 *>(m_db.sqliteHandle());
    if (!handle)
        return fail(QStringLiteral("demo data needs an SQLite store"));

    QString businessName;
    QTimeZone zone = QTimeZone::utc();
    {
        QSqlQuery &query = m_db.prepared(
            QStringLiteral("SELECT name, time_zone FROM businesses WHERE id = ? AND deleted = 0"));
        query.addBindValue(businessId);
        if (auto ok = m_db.exec(query); !ok)
            return ok;
        if (!query.next())
            return fail(QStringLiteral("there is no business %1 in this store").arg(businessId));
        businessName = query.value(0).toString();
        const QTimeZone named(query.value(1).toString().toUtf8());
        if (named.isValid())
            zone = named;
        query.finish();
    }
    {
        QSqlQuery &query
            = m_db.prepared(QStringLiteral("SELECT 1 FROM leads WHERE business_id = ? LIMIT 1"));
        query.addBindValue(businessId);
        if (auto ok = m_db.exec(query); !ok)
            return ok;
        const bool hasLeads = query.next();
        query.finish();
        if (hasLeads)
            return fail(QStringLiteral("the store already holds leads; demo data is only generated "
                                       "into an empty store"));
    }

    const qint64 nowMs
        = m_options.nowMs > 0 ? m_options.nowMs : QDateTime::currentMSecsSinceEpoch();
    auto content = Demo::Content::load(QDateTime::fromMSecsSinceEpoch(nowMs, zone).date());
    if (!content)
        return std::unexpected(content.error());

    // Accounts first, through the service that owns the password policy and hashing. An account
    // of the same name that already exists is reused as it is.
    std::array<Demo::DemoUser, 3> users;
    QStringList createdUsers;
    AccountService accounts(m_db);
    for (size_t i = 0; i < Demo::kAccounts.size(); ++i) {
        const Demo::DemoAccount &account = Demo::kAccounts[i];
        const QString username = QString::fromLatin1(account.username);
        QString id;
        {
            QSqlQuery &query = m_db.prepared(QStringLiteral(
                "SELECT id FROM users WHERE business_id = ? AND username = ? AND deleted = 0"));
            query.addBindValue(businessId);
            query.addBindValue(username);
            if (auto ok = m_db.exec(query); !ok)
                return ok;
            if (query.next())
                id = query.value(0).toString();
            query.finish();
        }
        if (id.isEmpty()) {
            auto user
                = accounts.createUser(businessId, username, QString::fromUtf8(account.displayName),
                                      QString::fromLatin1(account.password), account.role,
                                      QString::fromLatin1(account.email));
            if (!user)
                return fail(QStringLiteral("cannot create the demo account %1: %2")
                                .arg(username, user.error().toString()));
            id = user->id;
            createdUsers.append(id);
            ++m_stats.users;
        }
        const std::string displayName = account.displayName;
        users[i]
            = {id.toStdString(), account.username, displayName.substr(0, displayName.find(' '))};
    }

    Demo::Generator generator(handle, *content, m_options, nowMs, businessId, businessName, zone,
                              m_stats);
    generator.setUsers(users);
    Result<void> generated;
    {
        const Demo::BulkLoadSettings settings(handle, m_options.leads);
        generated = generator.run(progress);
    }
    if (!generated) {
        // Take back what the committed batches wrote, so a second attempt is not refused: the
        // business had no leads before, so every lead (and what hangs off it) is ours.
        const qint64 leadsWritten = m_stats.leads;
        Transaction cleanup(m_db);
        const QStringList statements = {
            QStringLiteral("DELETE FROM messages WHERE lead_id IN (SELECT id FROM leads WHERE "
                           "business_id = :b)"),
            QStringLiteral("DELETE FROM activities WHERE lead_id IN (SELECT id FROM leads WHERE "
                           "business_id = :b)"),
            QStringLiteral("DELETE FROM conversations WHERE lead_id IN (SELECT id FROM leads WHERE "
                           "business_id = :b)"),
            QStringLiteral("DELETE FROM contact_identities WHERE contact_id IN (SELECT contact_id "
                           "FROM leads WHERE business_id = :b)"),
            QStringLiteral("DELETE FROM contacts WHERE id IN (SELECT contact_id FROM leads WHERE "
                           "business_id = :b)"),
            QStringLiteral("DELETE FROM leads WHERE business_id = :b"),
        };
        for (const QString &sql : statements) {
            QSqlQuery query(m_db.connection());
            query.prepare(sql);
            query.bindValue(QStringLiteral(":b"), businessId);
            (void)m_db.exec(query);
        }
        const auto removeIds = [this](const QString &table, const QStringList &ids) {
            for (const QString &id : ids) {
                QSqlQuery query(m_db.connection());
                query.prepare(QStringLiteral("DELETE FROM ") + table
                              + QStringLiteral(" WHERE id = ?"));
                query.addBindValue(id);
                (void)m_db.exec(query);
            }
        };
        QStringList sources, campaigns;
        for (const std::string &id : generator.createdSources())
            sources.append(QString::fromStdString(id));
        for (const std::string &id : generator.createdCampaigns())
            campaigns.append(QString::fromStdString(id));
        removeIds(QStringLiteral("sources"), sources);
        removeIds(QStringLiteral("campaigns"), campaigns);
        removeIds(QStringLiteral("users"), createdUsers);
        (void)cleanup.commit();
        qCWarning(lcStore) << "demo data generation failed after" << leadsWritten
                           << "leads:" << generated.error().message;
        m_stats = {};
        return generated;
    }
    // Score the demo leads as the business's own would be: under the default rules.
    auto rules = ScoringRules::loadDefault();
    if (!rules)
        return std::unexpected(rules.error());
    // Generated chatbot leads have no behaviour score of their own: score them too.
    LeadRescorer::Options scoring;
    scoring.nowMs = QDateTime::currentMSecsSinceEpoch();
    scoring.stamp = LeadRescorer::Stamp::AsCreated;
    scoring.skipChatbot = false;
    if (auto rescored = LeadRescorer::rescoreAll(
            m_db, businessId, std::make_shared<const ScoringRules>(std::move(*rules)), scoring);
        !rescored)
        return std::unexpected(rescored.error());
    m_stats.elapsedMs = timer.elapsed();
    qCInfo(lcStore).nospace() << "demo data: " << m_stats.leads << " leads, " << m_stats.contacts
                              << " contacts, " << m_stats.messages << " messages, "
                              << m_stats.activities << " activities in " << m_stats.elapsedMs
                              << " ms";
    return {};
}

} // namespace LeadDesk::Core
