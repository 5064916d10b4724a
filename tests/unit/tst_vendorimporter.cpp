#include "csvreader.h"
#include "databasethread.h"
#include "testsupport.h"
#include "vendorimporter.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlQuery>
#include <QTest>

using namespace LeadDesk;

class tst_VendorImporter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void importsTheSampleFileNormalised();
    void reimportIsIdempotent();
    void failedRecordsAreExportedWithTheirErrors();
    void wrongFileWritesNothing();
    void unknownSourceAndMissingFileAreErrors();
    void samePersonTwiceIsMerged();
    void csvDialectsAreRead_data();
    void csvDialectsAreRead();
    void manyRowsWithProgress();

private:
    struct Env
    {
        Test::TempStore store;
        std::unique_ptr<Core::StoreWriter> writer;
        Env() { writer = std::move(*Core::StoreWriter::start(store.path())); }
        Core::Result<Core::VendorImporter::Summary>
        import(const QString &file, const QString &source = QStringLiteral("leadsource"),
               const QString &failedOut = {})
        {
            Core::VendorImporter::Options options;
            options.source = source;
            options.filePath = file;
            options.failedOutPath = failedOut;
            return Core::VendorImporter::run(*writer, store.businessId(), options);
        }
        QString write(const QString &name, const QByteArray &content)
        {
            const QString path = store.dir() + QLatin1Char('/') + name;
            QFile file(path);
            if (file.open(QIODevice::WriteOnly))
                file.write(content);
            return path;
        }
    };
    static QString scalar(Core::Database &db, const QString &sql)
    {
        QSqlQuery q(db.connection());
        if (!q.exec(sql) || !q.next())
            return QStringLiteral("<none>");
        return q.value(0).toString();
    }
};

void tst_VendorImporter::importsTheSampleFileNormalised()
{
    Env env;
    auto summary = env.import(Test::fixturePath(QStringLiteral("mortgage_lead_import_sample.csv")));
    LD_VERIFY_OK(summary);
    QCOMPARE(summary->read, 2);
    QCOMPARE(summary->imported, 2);
    QCOMPARE(summary->failed, 0);
    auto &db = env.store.db();
    QCOMPARE(scalar(db, QStringLiteral("SELECT phone || '|' || state || '|' || address_line FROM "
                                       "leads WHERE last_name = 'Castillo'")),
             QStringLiteral("+16145550177|OH|88 Birchwood Ln, Columbus, OH 43214"));
    const QJsonObject renee
        = QJsonDocument::fromJson(
              scalar(db, QStringLiteral("SELECT details FROM leads WHERE last_name = 'Castillo'"))
                  .toUtf8())
              .object();
    QCOMPARE(renee.value(QStringLiteral("property_value_cents")).toInteger(), 41000000);
    QCOMPARE(renee.value(QStringLiteral("mortgage_balance_cents")).toInteger(), 24000000);
    QCOMPARE(renee.value(QStringLiteral("cash_out")).toBool(), true);
    QCOMPARE(renee.value(QStringLiteral("cash_out_cents")).toInteger(), 2500000);
    QCOMPARE(renee.value(QStringLiteral("veteran_military")).toBool(), false);
    QCOMPARE(renee.value(QStringLiteral("credit_rating")).toString(), QStringLiteral("Good"));
    const QJsonObject jordan
        = QJsonDocument::fromJson(
              scalar(db, QStringLiteral("SELECT details FROM leads WHERE last_name = 'Pike'"))
                  .toUtf8())
              .object();
    QCOMPARE(jordan.value(QStringLiteral("found_home")).toBool(), true);
    QCOMPARE(jordan.value(QStringLiteral("new_home_value_cents")).toInteger(), 28500000);
    QCOMPARE(Test::countRows(db, QStringLiteral("import_runs"),
                             QStringLiteral("imported = 2 AND rows_read = 2")),
             1);
    QCOMPARE(Test::countRows(db, QStringLiteral("leads"),
                             QStringLiteral("channel = 'csv' AND external_id LIKE 'leadsource:%'")),
             2);
}

void tst_VendorImporter::reimportIsIdempotent()
{
    Env env;
    const QString file = Test::fixturePath(QStringLiteral("mortgage_lead_import_sample.csv"));
    QVERIFY(env.import(file));
    auto again = env.import(file);
    QVERIFY(again);
    QCOMPARE(again->imported, 0);
    QCOMPARE(again->duplicates, 2);
    QCOMPARE(Test::countRows(env.store.db(), QStringLiteral("leads")), 2);
    QCOMPARE(Test::countRows(env.store.db(), QStringLiteral("contacts")), 2);
}

void tst_VendorImporter::failedRecordsAreExportedWithTheirErrors()
{
    Env env;
    const QString file
        = env.write(QStringLiteral("mixed.csv"),
                    "FirstName,LastName,Email,CellPhone,PropertyState,CreditScore\r\n"
                    "Ana,Lopez,ana@example.com,6145550101,OH,720\r\n"
                    "Bad,Email,not-an-email,,OH,700\r\n"
                    "No,Contact,,,OH,700\r\n"
                    "Bad,State,bs@example.com,,ZZ,700\r\n"
                    "Bad,Score,sc@example.com,,OH,abc\r\n"
                    "Ok,Two,two@example.com,,tx,650\r\n");
    const QString failedOut = env.store.dir() + QStringLiteral("/failed.csv");
    auto summary = env.import(file, QStringLiteral("generic"), failedOut);
    LD_VERIFY_OK(summary);
    QCOMPARE(summary->read, 6);
    QCOMPARE(summary->imported, 2);
    QCOMPARE(summary->failed, 4);
    QCOMPARE(summary->firstFailures.size(), 4);
    QCOMPARE(summary->firstFailures.at(0).recordNumber, 2);
    QCOMPARE(summary->firstFailures.at(0).field, QStringLiteral("email"));

    auto reader = Core::CsvReader::open(failedOut);
    QVERIFY(reader);
    QCOMPARE((*reader)->header().mid(0, 6),
             QStringList({QStringLiteral("FirstName"), QStringLiteral("LastName"),
                          QStringLiteral("Email"), QStringLiteral("CellPhone"),
                          QStringLiteral("PropertyState"), QStringLiteral("CreditScore")}));
    QCOMPARE((*reader)->header().mid(6),
             QStringList({QStringLiteral("error_field"), QStringLiteral("error_message")}));
    QStringList fields;
    QStringList errorFields;
    while ((*reader)->next(&fields).value_or(false)) {
        QCOMPARE(fields.size(), 8);
        QVERIFY(!fields.at(7).isEmpty());
        errorFields << fields.at(6);
    }
    QCOMPARE(errorFields, QStringList({QStringLiteral("email"), QStringLiteral("email"),
                                       QStringLiteral("state"), QStringLiteral("credit_score")}));
    QCOMPARE(scalar(env.store.db(),
                    QStringLiteral("SELECT state FROM leads WHERE email = 'two@example.com'")),
             QStringLiteral("TX"));
}

void tst_VendorImporter::wrongFileWritesNothing()
{
    Env env;
    const QString file
        = env.write(QStringLiteral("orders.csv"), "order_id,sku,quantity\n1,A-1,3\n2,B-7,1\n");
    const QString failedOut = env.store.dir() + QStringLiteral("/failed.csv");
    auto summary = env.import(file, QStringLiteral("experian"), failedOut);
    QVERIFY(!summary);
    QCOMPARE(summary.error().field, QStringLiteral("file"));
    QCOMPARE(Test::countRows(env.store.db(), QStringLiteral("leads")), 0);
    QCOMPARE(Test::countRows(env.store.db(), QStringLiteral("import_runs")), 0);
    QVERIFY(!QFile::exists(failedOut));
    const QString binary
        = env.write(QStringLiteral("photo.csv"), QByteArray("\x89PNG\r\n\x1a\n\0\0\0\rIHDR", 16));
    QVERIFY(!env.import(binary));
    const QString empty = env.write(QStringLiteral("empty.csv"), QByteArray());
    QVERIFY(!env.import(empty));
}

void tst_VendorImporter::unknownSourceAndMissingFileAreErrors()
{
    Env env;
    auto unknown = env.import(Test::fixturePath(QStringLiteral("mortgage_lead_import_sample.csv")),
                              QStringLiteral("equifax"));
    QVERIFY(!unknown);
    QCOMPARE(unknown.error().field, QStringLiteral("source"));
    auto missing = env.import(env.store.dir() + QStringLiteral("/nope.csv"));
    QVERIFY(!missing);
    QCOMPARE(missing.error().field, QStringLiteral("file"));
}

void tst_VendorImporter::samePersonTwiceIsMerged()
{
    Env env;
    const QString file
        = env.write(QStringLiteral("twice.csv"), "First Name,Last Name,Email,Phone,State\n"
                                                 "ana,LOPEZ,Ana@Example.COM,(614) 555-0101,oh\n"
                                                 "Ana,Lopez,ana@example.com,614.555.0101,Ohio\n");
    auto summary = env.import(file, QStringLiteral("generic"));
    LD_VERIFY_OK(summary);
    QCOMPARE(summary->imported, 1);
    QCOMPARE(summary->merged, 1);
    QCOMPARE(Test::countRows(env.store.db(), QStringLiteral("contacts")), 1);
    QCOMPARE(scalar(env.store.db(),
                    QStringLiteral(
                        "SELECT first_name || ' ' || last_name || ' ' || email FROM contacts")),
             QStringLiteral("Ana Lopez Ana@example.com"));
}

void tst_VendorImporter::csvDialectsAreRead_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("expectedMessage");
    QTest::newRow("semicolon + BOM + CRLF")
        << QByteArray("\xEF\xBB\xBF"
                      "Email;FirstName;Message\r\nz@example.com;Zoe;\"Hello; world\"\r\n")
        << QStringLiteral("Hello; world");
    QTest::newRow("tab") << QByteArray("Email\tFirstName\tMessage\nz@example.com\tZoe\tTabbed\n")
                         << QStringLiteral("Tabbed");
    QTest::newRow("embedded newline and quotes")
        << QByteArray("Email,FirstName,Message\nz@example.com,Zoe,\"Line one\nsaid \"\"hi\"\"\"\n")
        << QStringLiteral("Line one\nsaid \"hi\"");
    QTest::newRow("injection") << QByteArray(
        "Email,FirstName,Message\nz@example.com,Zoe,\"'); DROP TABLE leads;--\"\n")
                               << QStringLiteral("'); DROP TABLE leads;--");
}

void tst_VendorImporter::csvDialectsAreRead()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, expectedMessage);
    Env env;
    auto summary
        = env.import(env.write(QStringLiteral("d.csv"), content), QStringLiteral("generic"));
    LD_VERIFY_OK(summary);
    QCOMPARE(summary->imported, 1);
    QCOMPARE(scalar(env.store.db(), QStringLiteral("SELECT message FROM leads")), expectedMessage);
}

void tst_VendorImporter::manyRowsWithProgress()
{
    Env env;
    QByteArray content = "FirstName,LastName,Email,CellPhone,PropertyState,Zip\n";
    const int rows = 20000;
    for (int i = 0; i < rows; ++i)
        content += QStringLiteral("First%1,Last%1,person%1@example.com,614555%2,OH,43214\n")
                       .arg(i)
                       .arg(i % 10000, 4, 10, QLatin1Char('0'))
                       .toUtf8();
    const QString file = env.write(QStringLiteral("big.csv"), content);
    Core::VendorImporter::Options options;
    options.source = QStringLiteral("leadsource");
    options.filePath = file;
    qint64 lastRecords = 0;
    int calls = 0;
    options.progress = [&](qint64 done, qint64 total, qint64 records) {
        QVERIFY(done <= total);
        QVERIFY(records >= lastRecords);
        lastRecords = records;
        ++calls;
    };
    auto summary = Core::VendorImporter::run(*env.writer, env.store.businessId(), options);
    QVERIFY(summary);
    QCOMPARE(summary->read, rows);
    // Phone numbers repeat every 10,000 rows: those people merge by phone.
    QCOMPARE(summary->imported, 10000);
    QCOMPARE(summary->merged, 10000);
    QVERIFY(calls > 5);
    QCOMPARE(lastRecords, rows);
    QCOMPARE(Test::countRows(env.store.db(), QStringLiteral("leads")), rows);
}

QTEST_GUILESS_MAIN(tst_VendorImporter)
#include "tst_vendorimporter.moc"
