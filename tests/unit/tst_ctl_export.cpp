#include "csvreader.h"
#include "leadexporter.h"

#include "testsupport.h"
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <QTest>

#include <memory>

using namespace LeadDesk;

namespace {

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
};

Run ctl(const QString &dataDir, const QStringList &arguments)
{
    const LeadDesk::Test::CtlRun run = LeadDesk::Test::runCtl(dataDir, arguments);
    return {run.exitCode, run.out.toUtf8(), run.err.toUtf8()};
}

QByteArray readAll(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The lines of stderr that are not log output.
QList<QByteArray> errorLines(const QByteArray &err)
{
    QList<QByteArray> out;
    for (const QByteArray &line : err.split('\n')) {
        if (line.startsWith("leaddeskctl:"))
            out.append(line);
    }
    return out;
}

const QStringList kSeedKeys = LeadDesk::Test::seed004ExportKeys();

} // namespace

class TestCtlExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void demoPrintsSummaryAndSignIns();
    void demoRefusesAStoreWithLeads();
    void demoUsageErrors_data();
    void demoUsageErrors();
    void exportJsonToFile();
    void exportJsonToStdoutMatchesFile();
    void exportCsv();
    void badFormat_data();
    void badFormat();
    void emptyStoreExportsNothing();
    void failedExportLeavesNoFile();

private:
    QTemporaryDir m_dir;
    Run m_demo;
    [[nodiscard]] QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }
};

void TestCtlExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_demo = ctl(dataDir(), {"demo", "--leads", "50", "--seed", "5"});
    QVERIFY2(m_demo.exitCode == 0, m_demo.err.constData());
}

void TestCtlExport::demoPrintsSummaryAndSignIns()
{
    QVERIFY2(m_demo.out.contains("50 leads"), m_demo.out.constData());
    for (const QByteArray &word : {QByteArray("owner"), QByteArray("alex"), QByteArray("sam"),
                                   QByteArray("Harbor-Lights-42"), QByteArray("Maple-Ridge-57"),
                                   QByteArray("Copper-Kettle-63")})
        QVERIFY2(m_demo.out.contains(word), word.constData());
    // Not a terminal here: progress lines, no carriage returns.
    QVERIFY(m_demo.err.contains("generating demo data: 50 of 50 leads (100%)"));
    QVERIFY(!m_demo.err.contains('\r'));
    QVERIFY(errorLines(m_demo.err).isEmpty());
}

void TestCtlExport::demoRefusesAStoreWithLeads()
{
    const Run again = ctl(dataDir(), {"demo", "--leads", "10"});
    QCOMPARE(again.exitCode, 1);
    const auto lines = errorLines(again.err);
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.first().contains("already holds leads"), lines.first().constData());
    QVERIFY(again.out.isEmpty());
}

void TestCtlExport::demoUsageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("no --leads") << QStringList{"demo"};
    QTest::newRow("zero") << QStringList{"demo", "--leads", "0"};
    QTest::newRow("too many") << QStringList{"demo", "--leads", "10000001"};
    QTest::newRow("not a number") << QStringList{"demo", "--leads", "many"};
    QTest::newRow("bad seed") << QStringList{"demo", "--leads", "5", "--seed", "-3"};
    QTest::newRow("stray argument") << QStringList{"demo", "--leads", "5", "extra"};
}

void TestCtlExport::demoUsageErrors()
{
    QFETCH(QStringList, arguments);
    QTemporaryDir fresh;
    const Run run = ctl(fresh.path(), arguments);
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(errorLines(run.err).size(), 1);
}

void TestCtlExport::exportJsonToFile()
{
    const QString path = m_dir.filePath(QStringLiteral("leads.jsonl"));
    const Run run = ctl(dataDir(), {"export", "--format", "json", "--out", path});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    QVERIFY(run.out.contains("exported 50 leads"));
    QVERIFY(!QFile::exists(path + QStringLiteral(".partial")));
    const QByteArray data = readAll(path);
    QVERIFY(data.endsWith('\n'));
    const QList<QByteArray> lines = data.trimmed().split('\n');
    QCOMPARE(lines.size(), 50);
    QSet<QString> uuids;
    for (const QByteArray &line : lines) {
        QJsonParseError error;
        const QJsonDocument document = QJsonDocument::fromJson(line, &error);
        QVERIFY2(document.isObject(), qPrintable(error.errorString()));
        const QJsonObject lead = document.object();
        for (const QString &key : kSeedKeys)
            QVERIFY2(lead.contains(key), qPrintable(key));
        QVERIFY(lead.value("messages").isArray());
        QVERIFY(lead.value("details").isObject());
        QVERIFY(lead.value("created_at").toString().endsWith(u'Z'));
        uuids.insert(lead.value("uuid").toString());
    }
    QCOMPARE(uuids.size(), 50);
}

void TestCtlExport::exportJsonToStdoutMatchesFile()
{
    const QString path = m_dir.filePath(QStringLiteral("again.jsonl"));
    QCOMPARE(ctl(dataDir(), {"export", "--format", "json", "--out", path}).exitCode, 0);
    const Run run = ctl(dataDir(), {"export", "--format", "json"});
    QCOMPARE(run.exitCode, 0);
    QCOMPARE(run.out.count('\n'), 50);
    QCOMPARE(run.out, readAll(path));
    QVERIFY(errorLines(run.err).isEmpty());
}

void TestCtlExport::exportCsv()
{
    const QString path = m_dir.filePath(QStringLiteral("leads.csv"));
    const Run run = ctl(dataDir(), {"export", "--format", "csv", "--out", path});
    QVERIFY2(run.exitCode == 0, run.err.constData());
    auto reader = Core::CsvReader::open(path);
    QVERIFY(reader);
    QCOMPARE((*reader)->header(), Core::LeadExporter::csvColumns());
    QStringList fields;
    int records = 0;
    for (;;) {
        auto next = (*reader)->next(&fields);
        QVERIFY(next);
        if (!*next)
            break;
        QCOMPARE(fields.size(), Core::LeadExporter::csvColumns().size());
        ++records;
    }
    QCOMPARE(records, 50);
    // The same leads as the JSON export, in the same order.
    const Run json = ctl(dataDir(), {"export", "--format", "json"});
    const QByteArray firstUuid = QJsonDocument::fromJson(json.out.left(json.out.indexOf('\n')))
                                     .object()
                                     .value("uuid")
                                     .toString()
                                     .toUtf8();
    const QByteArray csv = readAll(path);
    QVERIFY(csv.mid(csv.indexOf("\r\n") + 2).startsWith(firstUuid));
}

void TestCtlExport::badFormat_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::newRow("unknown format") << QStringList{"export", "--format", "xml"};
    QTest::newRow("no format") << QStringList{"export"};
    QTest::newRow("empty --out") << QStringList{"export", "--format", "json", "--out", ""};
    QTest::newRow("stray argument") << QStringList{"export", "--format", "json", "leads.json"};
}

void TestCtlExport::badFormat()
{
    QFETCH(QStringList, arguments);
    const Run run = ctl(dataDir(), arguments);
    QCOMPARE(run.exitCode, 2);
    QCOMPARE(errorLines(run.err).size(), 1);
    QVERIFY(run.out.isEmpty());
}

void TestCtlExport::emptyStoreExportsNothing()
{
    QTemporaryDir empty;
    const Run run = ctl(empty.path(), {"export", "--format", "json"});
    QCOMPARE(run.exitCode, 0);
    QVERIFY(run.out.isEmpty());
    QVERIFY(errorLines(run.err).isEmpty());

    const QString path = empty.filePath(QStringLiteral("none.jsonl"));
    QCOMPARE(ctl(empty.path(), {"export", "--format", "json", "--out", path}).exitCode, 0);
    QVERIFY(QFile::exists(path));
    QVERIFY(readAll(path).isEmpty());
}

void TestCtlExport::failedExportLeavesNoFile()
{
    // A folder where the file should go: the export cannot be written, and nothing is left.
    const QString path = m_dir.filePath(QStringLiteral("missing-folder/leads.jsonl"));
    const Run run = ctl(dataDir(), {"export", "--format", "json", "--out", path});
    QCOMPARE(run.exitCode, 1);
    QCOMPARE(errorLines(run.err).size(), 1);
    QVERIFY(!QFile::exists(path));
    QVERIFY(!QFile::exists(path + QStringLiteral(".partial")));

    // An existing file is replaced only by a complete export.
    const QString existing = m_dir.filePath(QStringLiteral("keep.jsonl"));
    {
        QFile file(existing);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("previous export\n");
    }
    QCOMPARE(ctl(dataDir(), {"export", "--format", "json", "--out", existing}).exitCode, 0);
    QCOMPARE(readAll(existing).count('\n'), 50);
}

QTEST_GUILESS_MAIN(TestCtlExport)
#include "tst_ctl_export.moc"
