#pragma once

#include "database.h"

#include <QByteArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QTemporaryDir>
#include <QVariantList>

#include <memory>
#include <utility>

// Fails the test with the result's error message. (QVERIFY2 would evaluate the message even on
// success, and reading the error of a successful result is undefined.)
#define LD_VERIFY_OK(result)                                                                       \
    do {                                                                                           \
        const auto &ldResult_ = (result);                                                          \
        if (!ldResult_)                                                                            \
            QFAIL(qPrintable(ldResult_.error().message));                                          \
    } while (false)

namespace LeadDesk::Test {

// A real SQLite file in a fresh temporary folder, migrated to the latest schema, with one
// business already created.
class TempStore
{
public:
    TempStore();
    [[nodiscard]] bool isValid() const { return m_db != nullptr; }
    [[nodiscard]] QString path() const { return m_dir.filePath(QStringLiteral("leaddesk.sqlite")); }
    [[nodiscard]] QString dir() const { return m_dir.path(); }
    [[nodiscard]] Core::Database &db() { return *m_db; }
    [[nodiscard]] const QString &businessId() const { return m_businessId; }

private:
    QTemporaryDir m_dir;
    std::unique_ptr<Core::Database> m_db;
    QString m_businessId;
};

// A sample payload from shared/fixtures.
QString fixturePath(const QString &name);
QByteArray readFixture(const QString &name);

// What one run of the real leaddeskctl binary printed and returned (exit code -1 when it did not
// finish in time or crashed).
struct CtlRun
{
    int exitCode = -1;
    QString out;
    QString err;
};
// Runs leaddeskctl --data-dir DIR ARGUMENTS with `input` on its standard input.
CtlRun runCtl(const QString &dataDir, const QStringList &arguments, const QByteArray &input = {});

// The keys `export --format json` must write, in order: seed 004's lead fields (uuid for its
// public id) and DESIGN §7's additions. The tests' own statement of the contract.
QStringList seed004ExportKeys();

// Seed 004's campaign-form request JSON, with a per-test e-mail.
QJsonObject seedCampaignForm(const QString &email = QStringLiteral("john.doe@company.com"));

// One HTTP exchange over loopback, as raw bytes on its own connection, so a test can send what no
// well-behaved client would. Header names are lower-cased.
struct HttpReply
{
    int status = 0; // 0: no answer
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    [[nodiscard]] QByteArray header(const QByteArray &lowerName) const;
    [[nodiscard]] QJsonObject object() const;
};
// A POST (or any request with a body) is sent as application/json unless `extraHeaders` say
// otherwise; each extra header is one "Name: value" line.
HttpReply sendHttp(quint16 port, const QByteArray &method, const QByteArray &target,
                   const QByteArray &body = {}, const QList<QByteArray> &extraHeaders = {});

// The analytics rollup rows as text, in key order, rows whose counters are all zero left out (an
// incremental rollup keeps them, a rebuild does not write them).
QStringList rollupSnapshot(Core::Database &db);

// Counts rows in a table (optionally with a WHERE clause without parameters).
int countRows(Core::Database &db, const QString &table, const QString &where = {});

// The first column of every row `sql` returns, as text; one entry "failed: <sql>" when SQLite
// refuses it (so a comparison shows which statement).
QStringList column(Core::Database &db, const QString &sql);

// Runs one statement with positional values, through the connection's statement cache (a
// statement on leads compiles its triggers once), and finishes it so no read stays open. False,
// with the reason logged, when SQLite refuses it.
bool exec(Core::Database &db, const QString &sql, const QVariantList &values = {});

} // namespace LeadDesk::Test
