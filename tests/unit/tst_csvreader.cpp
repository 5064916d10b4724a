#include "csvreader.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using namespace LeadDesk::Core;

namespace {

struct ReadOutcome
{
    QStringList header;
    char delimiter = 0;
    QList<QStringList> records;
    QStringList errors;
    QList<qint64> errorRecords;
};

ReadOutcome readAll(CsvReader &reader)
{
    ReadOutcome outcome;
    outcome.header = reader.header();
    outcome.delimiter = reader.delimiter();
    QStringList fields;
    for (;;) {
        const Result<bool> more = reader.next(&fields);
        if (!more) {
            outcome.errors.append(more.error().message);
            outcome.errorRecords.append(reader.recordNumber());
            continue;
        }
        if (!*more)
            break;
        outcome.records.append(fields);
    }
    return outcome;
}

// Resident set size in bytes, or -1 where /proc is not available.
qint64 residentBytes()
{
    QFile statm(QStringLiteral("/proc/self/statm"));
    if (!statm.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> parts = statm.readAll().split(' ');
    return parts.size() > 1 ? parts.at(1).toLongLong() * 4096 : -1;
}

} // namespace

class TstCsvReader : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void parses_data();
    void parses();
    void utf8Validation_data();
    void utf8Validation();
    void invalidUtf8RecordThenContinues();
    void reusedListHoldsEachRecord();
    void unterminatedQuoteAtEnd();
    void overlongRecordIsSkipped_data();
    void overlongRecordIsSkipped();
    void openRefuses_data();
    void openRefuses();
    void missingFileRefused();
    void folderRefused();
    void largeFileStreams();
    void encode_data();
    void encode();
    void writerRoundTrip_data();
    void writerRoundTrip();
    void writerWithoutCommitLeavesNothing();
    void writerCommitReplacesExistingFile();

private:
    QString writeFile(const QByteArray &bytes);

    QTemporaryDir m_dir;
    int m_files = 0;
};

void TstCsvReader::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

QString TstCsvReader::writeFile(const QByteArray &bytes)
{
    const QString path = m_dir.filePath(QStringLiteral("file%1.csv").arg(++m_files));
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size())
        qFatal("cannot write %s", qPrintable(path));
    return path;
}

void TstCsvReader::parses_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<char>("delimiterOption");
    QTest::addColumn<char>("delimiter");
    QTest::addColumn<QStringList>("header");
    QTest::addColumn<QList<QStringList>>("records");

    using Records = QList<QStringList>;
    const QStringList ab{QStringLiteral("a"), QStringLiteral("b")};
    QTest::newRow("LF") << QByteArray("a,b\n1,2\n3,4\n") << '\0' << ',' << ab
                        << Records{{"1", "2"}, {"3", "4"}};
    QTest::newRow("CRLF") << QByteArray("a,b\r\n1,2\r\n3,4\r\n") << '\0' << ',' << ab
                          << Records{{"1", "2"}, {"3", "4"}};
    QTest::newRow("lone CR") << QByteArray("a,b\r1,2\r3,4") << '\0' << ',' << ab
                             << Records{{"1", "2"}, {"3", "4"}};
    QTest::newRow("no final line end")
        << QByteArray("a,b\n1,2") << '\0' << ',' << ab << Records{{"1", "2"}};
    QTest::newRow("header only") << QByteArray("a,b\n") << '\0' << ',' << ab << Records{};
    QTest::newRow("BOM stripped") << QByteArray("\xEF\xBB\xBF"
                                                "a,b\n1,2\n")
                                  << '\0' << ',' << ab << Records{{"1", "2"}};
    QTest::newRow("quoted delimiter")
        << QByteArray("a,b\n\"x,y\",z\n") << '\0' << ',' << ab << Records{{"x,y", "z"}};
    QTest::newRow("escaped quotes") << QByteArray("a,b\n\"say \"\"hi\"\"\",\"\"\"\"\n") << '\0'
                                    << ',' << ab << Records{{"say \"hi\"", "\""}};
    QTest::newRow("embedded LF") << QByteArray("a,b\n\"line 1\nline 2\",2\n3,4\n") << '\0' << ','
                                 << ab << Records{{"line 1\nline 2", "2"}, {"3", "4"}};
    QTest::newRow("embedded CRLF kept") << QByteArray("a,b\r\n\"l1\r\nl2\",2\r\n") << '\0' << ','
                                        << ab << Records{{"l1\r\nl2", "2"}};
    QTest::newRow("embedded blank line")
        << QByteArray("a,b\n\"p1\n\np2\",2\n") << '\0' << ',' << ab << Records{{"p1\n\np2", "2"}};
    QTest::newRow("empty lines skipped") << QByteArray("\n\na,b\n\n1,2\n\r\n\n  \n3,4\n\n") << '\0'
                                         << ',' << ab << Records{{"1", "2"}, {"3", "4"}};
    QTest::newRow("delimiter-only lines skipped")
        << QByteArray("a,b\n1,2\n,\n, ,\n3,4\n,\n") << '\0' << ',' << ab
        << Records{{"1", "2"}, {"3", "4"}};
    QTest::newRow("trailing delimiter")
        << QByteArray("a,b,\n1,2,\n3,,\n") << '\0' << ',' << ab << Records{{"1", "2"}, {"3", ""}};
    QTest::newRow("empty values kept")
        << QByteArray("a,b,c\n1,,3\n,,3\n\"\",x,\n") << '\0' << ',' << QStringList{"a", "b", "c"}
        << Records{{"1", "", "3"}, {"", "", "3"}, {"", "x", ""}};
    QTest::newRow("short and long records as read")
        << QByteArray("a,b,c\n1\n1,2,3,4\n") << '\0' << ',' << QStringList{"a", "b", "c"}
        << Records{{"1"}, {"1", "2", "3", "4"}};
    QTest::newRow("semicolon sniffed") << QByteArray("a;b;c\n1,5;2;3\n") << '\0' << ';'
                                       << QStringList{"a", "b", "c"} << Records{{"1,5", "2", "3"}};
    QTest::newRow("tab sniffed") << QByteArray("a\tb\tc\n1\t\t3\n") << '\0' << '\t'
                                 << QStringList{"a", "b", "c"} << Records{{"1", "", "3"}};
    QTest::newRow("sniffing skips quoted commas")
        << QByteArray("\"a,b,c\";d\n1;2\n") << '\0' << ';' << QStringList{"a,b,c", "d"}
        << Records{{"1", "2"}};
    QTest::newRow("sniffing ties go to comma") << QByteArray("a,b;c\n1,2;3\n") << '\0' << ','
                                               << QStringList{"a", "b;c"} << Records{{"1", "2;3"}};
    QTest::newRow("single column is comma") << QByteArray("email\nx@example.com\n") << '\0' << ','
                                            << QStringList{"email"} << Records{{"x@example.com"}};
    QTest::newRow("given delimiter wins") << QByteArray("a,b;c\n1,2;3\n") << ';' << ';'
                                          << QStringList{"a,b", "c"} << Records{{"1,2", "3"}};
    QTest::newRow("header trimmed")
        << QByteArray(" a ,\" b \"\n1,2\n") << '\0' << ',' << ab << Records{{"1", "2"}};
    QTest::newRow("unquoted spaces trimmed, quoted kept")
        << QByteArray("a,b\n  x  ,\"  y  \"\n") << '\0' << ',' << ab << Records{{"x", "  y  "}};
    QTest::newRow("stray quote in unquoted field")
        << QByteArray("a,b\n5'10\",x\n") << '\0' << ',' << ab << Records{{"5'10\"", "x"}};
    QTest::newRow("UTF-8 text") << QByteArray("a,b\nJos\xC3\xA9,Z\xC3\xBCrich \xF0\x9F\x8F\xA0\n")
                                << '\0' << ',' << ab
                                << Records{{QStringLiteral("José"), QStringLiteral("Zürich 🏠")}};
    QTest::newRow("formula-like values verbatim")
        << QByteArray("a,b\n=SUM(A1:A9),+1 614\n-2,@cmd\n") << '\0' << ',' << ab
        << Records{{"=SUM(A1:A9)", "+1 614"}, {"-2", "@cmd"}};
}

void TstCsvReader::parses()
{
    QFETCH(QByteArray, input);
    QFETCH(char, delimiterOption);
    QFETCH(char, delimiter);
    QFETCH(QStringList, header);
    QFETCH(QList<QStringList>, records);

    CsvReader::Options options;
    options.delimiter = delimiterOption;
    auto reader = CsvReader::open(writeFile(input), options);
    QVERIFY2(reader, qPrintable(reader ? QString() : reader.error().message));
    const ReadOutcome outcome = readAll(**reader);
    QCOMPARE(outcome.errors, QStringList());
    QCOMPARE(outcome.delimiter, delimiter);
    QCOMPARE(outcome.header, header);
    QCOMPARE(outcome.records, records);
    QCOMPARE((*reader)->recordNumber(), qint64(records.size()));
    QCOMPARE((*reader)->bytesRead(), qint64(input.size()));
    QCOMPARE((*reader)->totalBytes(), qint64(input.size()));
}

void TstCsvReader::utf8Validation_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::addColumn<bool>("valid");

    QTest::newRow("ASCII") << QByteArray("plain ascii long enough for words") << true;
    QTest::newRow("2-byte") << QByteArray("\xC3\xA9") << true;
    QTest::newRow("3-byte euro") << QByteArray("price \xE2\x82\xAC 5") << true;
    QTest::newRow("4-byte emoji") << QByteArray("\xF0\x9F\x98\x80") << true;
    QTest::newRow("U+FFFD itself") << QByteArray("\xEF\xBF\xBD") << true;
    QTest::newRow("highest code point") << QByteArray("\xF4\x8F\xBF\xBF") << true;
    QTest::newRow("Latin-1 byte") << QByteArray("Jos\xE9") << false;
    QTest::newRow("lone continuation") << QByteArray("abcdefgh\x80") << false;
    QTest::newRow("overlong slash") << QByteArray("\xC0\xAF") << false;
    QTest::newRow("overlong 3-byte") << QByteArray("\xE0\x80\xAF") << false;
    QTest::newRow("surrogate") << QByteArray("\xED\xA0\x80") << false;
    QTest::newRow("above U+10FFFF") << QByteArray("\xF4\x90\x80\x80") << false;
    QTest::newRow("truncated at end") << QByteArray("euro \xE2\x82") << false;
    QTest::newRow("truncated before ASCII") << QByteArray("\xE2\x82x") << false;
    QTest::newRow("invalid lead byte") << QByteArray("\xFF") << false;
}

void TstCsvReader::utf8Validation()
{
    QFETCH(QByteArray, value);
    QFETCH(bool, valid);

    auto reader = CsvReader::open(writeFile("name,value\nx,\"" + value + "\"\n"));
    QVERIFY(reader);
    QStringList fields;
    const Result<bool> result = (*reader)->next(&fields);
    QCOMPARE(result.has_value(), valid);
    if (valid)
        QCOMPARE(fields.value(1), QString::fromUtf8(value));
    else
        QCOMPARE(result.error().message,
                 QStringLiteral("record 1: invalid UTF-8 in column 2 (value)"));
}

void TstCsvReader::invalidUtf8RecordThenContinues()
{
    auto reader = CsvReader::open(writeFile("a,b\n1,2\nx,Caf\xE9\n3,4\n"));
    QVERIFY(reader);
    QStringList fields;
    QVERIFY((*reader)->next(&fields).value_or(false));
    const Result<bool> bad = (*reader)->next(&fields);
    QVERIFY(!bad);
    QCOMPARE(bad.error().message, QStringLiteral("record 2: invalid UTF-8 in column 2 (b)"));
    QCOMPARE((*reader)->recordNumber(), 2);
    // The record is still there for an error report, with U+FFFD for the bad byte.
    QCOMPARE(fields, (QStringList{QStringLiteral("x"), QStringLiteral("Caf\uFFFD")}));
    QVERIFY((*reader)->next(&fields).value_or(false));
    QCOMPARE(fields, (QStringList{QStringLiteral("3"), QStringLiteral("4")}));
    QCOMPARE((*reader)->recordNumber(), 3);
    QCOMPARE((*reader)->next(&fields).value_or(true), false);
}

// next() decodes into the list's own strings when nothing shares them: every record must still
// come out whole, whatever the previous one held.
void TstCsvReader::reusedListHoldsEachRecord()
{
    auto reader = CsvReader::open(
        writeFile("a,b,c\na much longer value,Z\xC3\xBCrich,x\nshort,,\xF0\x9F\x8F\xA0\n"
                  "\"q\"\"\",ascii again,3\nlast\n"));
    QVERIFY(reader);
    const QList<QStringList> expected{
        {QStringLiteral("a much longer value"), QStringLiteral("Zürich"), QStringLiteral("x")},
        {QStringLiteral("short"), QString(), QStringLiteral("🏠")},
        {QStringLiteral("q\""), QStringLiteral("ascii again"), QStringLiteral("3")},
        {QStringLiteral("last")},
    };
    QStringList fields;
    QStringList kept;
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QVERIFY((*reader)->next(&fields).value_or(false));
        QCOMPARE(fields, expected.at(i));
        if (i == 1)
            kept = fields; // shared now: the next records must not write into its strings
    }
    QCOMPARE(kept, expected.at(1));
    QCOMPARE((*reader)->next(&fields).value_or(true), false);
}

void TstCsvReader::unterminatedQuoteAtEnd()
{
    auto reader = CsvReader::open(writeFile("a,b\n1,2\n\"open,3\n4,5\n"));
    QVERIFY(reader);
    const ReadOutcome outcome = readAll(**reader);
    QCOMPARE(outcome.records, (QList<QStringList>{{"1", "2"}}));
    QCOMPARE(outcome.errors.size(), 1);
    QVERIFY2(outcome.errors.at(0).startsWith(QStringLiteral("record 2: ")),
             qPrintable(outcome.errors.at(0)));
    QVERIFY(outcome.errors.at(0).contains(QStringLiteral("never closes")));
    QCOMPARE(outcome.errorRecords, QList<qint64>{2});
}

void TstCsvReader::overlongRecordIsSkipped_data()
{
    QTest::addColumn<QByteArray>("overlong");
    QTest::addColumn<qsizetype>("limit");

    QTest::newRow("one big quoted field")
        << QByteArray("\"" + QByteArray(300, 'x') + "\n,\"\"\n" + QByteArray(300, 'y') + "\",z")
        << qsizetype(256);
    QTest::newRow("many small fields")
        << QByteArray(2000, ',').replace(",", "ab,") << qsizetype(256);
    // A field far longer than a read chunk: libcsv's buffer must not grow with it.
    QTest::newRow("field spanning chunks")
        << QByteArray("x,\"" + QByteArray(3 << 20, 'q').replace(1000, 3, "\n,\"\"") + "\"")
        << qsizetype(64 * 1024);
    QTest::newRow("unquoted field spanning chunks") << QByteArray(1 << 20, 'u') << qsizetype(4096);
}

void TstCsvReader::overlongRecordIsSkipped()
{
    QFETCH(QByteArray, overlong);
    QFETCH(qsizetype, limit);

    CsvReader::Options options;
    options.maxRecordBytes = limit;
    auto reader = CsvReader::open(writeFile("a,b\n1,2\n" + overlong + "\n3,4\n\"5\",6\n"), options);
    QVERIFY(reader);
    const qint64 residentBefore = residentBytes();
    const ReadOutcome outcome = readAll(**reader);
    QCOMPARE(outcome.records, (QList<QStringList>{{"1", "2"}, {"3", "4"}, {"5", "6"}}));
    QCOMPARE(outcome.errors,
             QStringList{QStringLiteral("record 2: longer than %1 bytes; skipped").arg(limit)});
    QCOMPARE((*reader)->recordNumber(), 4);
    if (residentBefore > 0 && overlong.size() > (1 << 20))
        QVERIFY(residentBytes() - residentBefore < overlong.size() / 2);
}

void TstCsvReader::openRefuses_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QString>("reason");

    QTest::newRow("empty") << QByteArray() << QStringLiteral("is empty");
    QTest::newRow("BOM only") << QByteArray("\xEF\xBB\xBF") << QStringLiteral("is empty");
    QTest::newRow("blank lines only") << QByteArray("\n\r\n  \n") << QStringLiteral("is empty");
    QTest::newRow("zip archive") << QByteArray("PK\x03\x04\x14\x00\x00\x00", 8)
                                 << QStringLiteral("is not a text file");
    QTest::newRow("NUL late in the first 4 KB")
        << QByteArray(QByteArray("a,b\n") + QByteArray(4000, 'x') + QByteArray(1, '\0'))
        << QStringLiteral("is not a text file");
    QTest::newRow("UTF-16") << QByteArray("\xFF\xFE"
                                          "a\0,\0b\0",
                                          8)
                            << QStringLiteral("is UTF-16 text");
    QTest::newRow("no names") << QByteArray(",,,\n1,2,3\n")
                              << QStringLiteral("has no column names");
    QTest::newRow("blank names") << QByteArray(" , \"\" \n1,2\n")
                                 << QStringLiteral("has no column names");
    QTest::newRow("header not UTF-8")
        << QByteArray("Pr\xE9nom,Email\nx,y\n") << QStringLiteral("is not valid UTF-8");
    QTest::newRow("header quote never closes")
        << QByteArray("\"a,b\n1,2\n") << QStringLiteral("opens a quote that never closes");
}

void TstCsvReader::openRefuses()
{
    QFETCH(QByteArray, input);
    QFETCH(QString, reason);

    const QString path = writeFile(input);
    auto reader = CsvReader::open(path);
    QVERIFY(!reader);
    QVERIFY2(reader.error().message.contains(reason), qPrintable(reader.error().message));
    QVERIFY2(reader.error().message.contains(QDir::toNativeSeparators(path)),
             qPrintable(reader.error().message));
}

void TstCsvReader::missingFileRefused()
{
    const QString path = m_dir.filePath(QStringLiteral("nowhere/leads.csv"));
    auto reader = CsvReader::open(path);
    QVERIFY(!reader);
    QVERIFY(reader.error().message.startsWith(QStringLiteral("cannot open ")));
    QVERIFY(reader.error().message.contains(QDir::toNativeSeparators(path)));
    QVERIFY2(reader.error().message.contains(QStringLiteral("No such file")),
             qPrintable(reader.error().message));
}

void TstCsvReader::folderRefused()
{
    auto reader = CsvReader::open(m_dir.path());
    QVERIFY(!reader);
    QVERIFY2(reader.error().message.contains(QStringLiteral("folder")),
             qPrintable(reader.error().message));
}

void TstCsvReader::largeFileStreams()
{
    constexpr int kRows = 100'000;
    constexpr int kColumns = 20;
    const QString path = m_dir.filePath(QStringLiteral("large.csv"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QByteArray line;
        for (int c = 0; c < kColumns; ++c)
            line += (c ? "," : "") + QByteArray("column_") + QByteArray::number(c);
        file.write(line + "\r\n");
        for (int row = 0; row < kRows; ++row) {
            line.clear();
            for (int c = 0; c < kColumns; ++c) {
                line += c ? "," : "";
                if (c == 3)
                    line += "\"Smith, Jo\"";
                else
                    line += "value-" + QByteArray::number(row) + '-' + QByteArray::number(c);
            }
            file.write(line + "\r\n");
        }
    }

    auto reader = CsvReader::open(path);
    QVERIFY(reader);
    CsvReader &csv = **reader;
    QCOMPARE(csv.header().size(), kColumns);
    QStringList fields;
    QVERIFY(csv.next(&fields).value_or(false));
    // Streaming: the first record comes from the first chunk, not from a read of the whole file.
    QVERIFY(csv.bytesRead() <= 256 * 1024);
    QVERIFY(csv.totalBytes() > 20 * csv.bytesRead());

    const qint64 residentBefore = residentBytes();
    qint64 count = 1;
    qint64 checksum = fields.at(19).size();
    for (;;) {
        const Result<bool> more = csv.next(&fields);
        QVERIFY2(more, qPrintable(more ? QString() : more.error().message));
        if (!*more)
            break;
        ++count;
        checksum += fields.at(19).size();
        if (count == kRows / 2) {
            QCOMPARE(fields.size(), kColumns);
            QCOMPARE(fields.at(3), QStringLiteral("Smith, Jo"));
            QCOMPARE(fields.at(7), QStringLiteral("value-%1-7").arg(kRows / 2 - 1));
        }
    }
    QCOMPARE(count, kRows);
    QCOMPARE(csv.recordNumber(), kRows);
    QCOMPARE(csv.bytesRead(), csv.totalBytes());
    qint64 expected = 0;
    for (int row = 0; row < kRows; ++row)
        expected += QByteArray("value-" + QByteArray::number(row) + "-19").size();
    QCOMPARE(checksum, expected);
    // Bounded memory: reading the rest of a ~30 MB file grows the process by far less.
    if (residentBefore > 0) {
        const qint64 growth = residentBytes() - residentBefore;
        QVERIFY2(growth < csv.totalBytes() / 4, qPrintable(QString::number(growth)));
    }
}

void TstCsvReader::encode_data()
{
    QTest::addColumn<QStringList>("fields");
    QTest::addColumn<char>("delimiter");
    QTest::addColumn<QByteArray>("encoded");

    QTest::newRow("plain") << QStringList{"a", "b"} << ',' << QByteArray("a,b\r\n");
    QTest::newRow("empty values") << QStringList{"", "x", ""} << ',' << QByteArray(",x,\r\n");
    QTest::newRow("delimiter") << QStringList{"x,y"} << ',' << QByteArray("\"x,y\"\r\n");
    QTest::newRow("other delimiter unquoted")
        << QStringList{"x,y", "z"} << ';' << QByteArray("x,y;z\r\n");
    QTest::newRow("semicolon") << QStringList{"x;y"} << ';' << QByteArray("\"x;y\"\r\n");
    QTest::newRow("tab") << QStringList{"x\ty", "z"} << '\t' << QByteArray("\"x\ty\"\tz\r\n");
    QTest::newRow("quote") << QStringList{"say \"hi\""} << ','
                           << QByteArray("\"say \"\"hi\"\"\"\r\n");
    QTest::newRow("LF") << QStringList{"a\nb"} << ',' << QByteArray("\"a\nb\"\r\n");
    QTest::newRow("CR") << QStringList{"a\rb"} << ',' << QByteArray("\"a\rb\"\r\n");
    QTest::newRow("leading space") << QStringList{" a"} << ',' << QByteArray("\" a\"\r\n");
    QTest::newRow("trailing tab") << QStringList{"a\t"} << ',' << QByteArray("\"a\t\"\r\n");
    QTest::newRow("inner space") << QStringList{"a b"} << ',' << QByteArray("a b\r\n");
    QTest::newRow("UTF-8") << QStringList{QStringLiteral("Zoë")} << ','
                           << QByteArray("Zo\xC3\xAB\r\n");
    QTest::newRow("formula-like values unchanged")
        << QStringList{"=1+1", "+1 614", "-5", "@SUM(A1)"} << ','
        << QByteArray("=1+1,+1 614,-5,@SUM(A1)\r\n");
}

void TstCsvReader::encode()
{
    QFETCH(QStringList, fields);
    QFETCH(char, delimiter);
    QFETCH(QByteArray, encoded);

    QCOMPARE(CsvWriter::encode(fields, delimiter), encoded);
}

void TstCsvReader::writerRoundTrip_data()
{
    QTest::addColumn<char>("delimiter");
    QTest::newRow("comma") << ',';
    QTest::newRow("semicolon") << ';';
    QTest::newRow("tab") << '\t';
}

void TstCsvReader::writerRoundTrip()
{
    QFETCH(char, delimiter);

    const QStringList header{"name", "note", "city", "amount"};
    const QList<QStringList> records{
        {"O'Neil, Jr.", "said \"yes\"", "Columbus", "1,200.50"},
        {"multi\nline", "crlf\r\ninside", "lone\rcr", "1;2"},
        {" padded ", "\ttabbed\t", "", "=SUM(A1:A3)"},
        {"+1 614 555 0177", "-5", "@cmd", "\"\""},
        {QStringLiteral("José"), QStringLiteral("Zürich 🏠"), "a\tb", "x,y;z"},
        {"", "", "", "only last"},
    };
    const QString path = m_dir.filePath(QStringLiteral("round-trip-%1.csv").arg(int(delimiter)));
    {
        auto writer = CsvWriter::create(path, delimiter);
        QVERIFY(writer);
        QVERIFY((*writer)->write(header));
        for (const QStringList &record : records)
            QVERIFY((*writer)->write(record));
        QVERIFY((*writer)->commit());
    }
    auto reader = CsvReader::open(path);
    QVERIFY(reader);
    const ReadOutcome outcome = readAll(**reader);
    QCOMPARE(outcome.delimiter, delimiter);
    QCOMPARE(outcome.errors, QStringList());
    QCOMPARE(outcome.header, header);
    QCOMPARE(outcome.records, records);
}

void TstCsvReader::writerWithoutCommitLeavesNothing()
{
    const QString path = m_dir.filePath(QStringLiteral("abandoned.csv"));
    const QString partial = path + QStringLiteral(".partial");
    {
        auto writer = CsvWriter::create(path);
        QVERIFY(writer);
        QVERIFY((*writer)->write({"a", "b"}));
        QVERIFY(QFile::exists(partial));
        QVERIFY(!QFile::exists(path));
    }
    QVERIFY(!QFile::exists(partial));
    QVERIFY(!QFile::exists(path));
}

void TstCsvReader::writerCommitReplacesExistingFile()
{
    const QString path = writeFile("old,content\n");
    auto writer = CsvWriter::create(path);
    QVERIFY(writer);
    QVERIFY((*writer)->write({"new"}));
    QVERIFY((*writer)->commit());
    QVERIFY(!QFile::exists(path + QStringLiteral(".partial")));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), QByteArray("new\r\n"));
    const Result<void> late = (*writer)->write({"late"});
    QVERIFY(!late);
    QVERIFY(late.error().message.contains(QStringLiteral("already complete")));

    auto refused = CsvWriter::create(path, '"');
    QVERIFY(!refused);
    auto unwritable = CsvWriter::create(m_dir.filePath(QStringLiteral("missing/dir/out.csv")));
    QVERIFY(!unwritable);
    QVERIFY(unwritable.error().message.startsWith(QStringLiteral("cannot write ")));
}

QTEST_GUILESS_MAIN(TstCsvReader)
#include "tst_csvreader.moc"
