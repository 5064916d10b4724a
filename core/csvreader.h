#pragma once

#include "result.h"

#include <QByteArray>
#include <QFile>
#include <QStringDecoder>
#include <QStringList>

#include <memory>
#include <vector>

struct csv_parser;

namespace LeadDesk::Core {

// Streaming RFC 4180 reader over Debian's libcsv: quoted fields, embedded newlines and quotes,
// CRLF, LF or a lone CR, a UTF-8 byte-order mark, and ',' ';' or tab as delimiter (sniffed from
// the header line unless given). The file is read in 256 KB chunks, so memory stays bounded by
// one chunk plus the longest record, whatever the file size.
//
// Leniency, on purpose, as spreadsheet programs read CSV: a quote inside an unquoted field is
// kept as a character; spaces and tabs around an unquoted field are trimmed (quote a field to
// keep them); empty lines and lines of delimiters only are skipped; empty values after the
// header's last column (a trailing delimiter) are dropped. A quote left open at the end of the
// file is an error, since it means a record swallowed the rest of the file.
class CsvReader final
{
public:
    struct Options
    {
        char delimiter = 0;                 // 0: detect from the header line
        qsizetype maxRecordBytes = 1 << 20; // a longer record is an error, not an allocation
    };

    // Opens the file and reads its header row. Errors: unreadable, empty, not text (NUL bytes
    // or invalid UTF-8 in the header), no header fields.
    static Result<std::unique_ptr<CsvReader>> open(const QString &path, Options options);
    static Result<std::unique_ptr<CsvReader>> open(const QString &path)
    {
        return open(path, Options{});
    }
    ~CsvReader();
    Q_DISABLE_COPY_MOVE(CsvReader)

    // Header names, trimmed; empty names after the last named column are dropped.
    [[nodiscard]] const QStringList &header() const { return m_header; }
    [[nodiscard]] char delimiter() const { return m_delimiter; }

    // The next record into `fields`; returns false at the end of the file. An error names the
    // record ("record 12: invalid UTF-8 in column 3") and reading continues with the next record:
    // a record over maxRecordBytes is skipped; a record with invalid UTF-8 is still decoded into
    // `fields` (U+FFFD in place of the bad bytes) for an error report. An unterminated quote at the
    // end of the file is the last error; a read failure ends the file.
    Result<bool> next(QStringList *fields);

    [[nodiscard]] qint64 recordNumber() const { return m_recordNumber; } // 1-based, header excluded
    [[nodiscard]] qint64 bytesRead() const;
    [[nodiscard]] qint64 totalBytes() const;

private:
    struct Span; // one parsed record in m_bytes
    friend struct CsvCallbacks;

    CsvReader();
    Result<void> fill();
    Result<void> parse(const char *data, qsizetype size);
    void finish();
    void compact();
    void addField(const char *data, qsizetype size);
    void endRecord();
    void beginSkipping();
    int decode(const Span &span, QStringList *fields);

    QString m_path;
    QFile m_file;
    std::unique_ptr<csv_parser> m_parser;
    Options m_options;
    char m_delimiter = ',';
    QStringList m_header;
    QByteArray m_chunk; // the read buffer, reused
    QStringDecoder m_decoder{QStringDecoder::Utf8, QStringDecoder::Flag::Stateless};

    // Records parsed from the chunks read so far and not yet returned, as field bytes and field
    // end offsets; libcsv calls back for every record of a chunk at once.
    std::vector<char> m_bytes;
    std::vector<qsizetype> m_fieldEnds;
    std::vector<Span> m_spans;
    size_t m_nextSpan = 0;
    qsizetype m_recordFirstField = 0; // the record libcsv is in the middle of
    qsizetype m_recordBytes = 0;
    qint64 m_parsedRecords = -1; // the header is record 0
    qint64 m_recordNumber = 0;
    bool m_skipping = false; // the current record went over maxRecordBytes
    bool m_finished = false;
};

// Writes RFC 4180 records (quotes only where needed, CRLF line ends) to a file that appears only
// when complete: written to "<path>.partial" and renamed on commit().
class CsvWriter final
{
public:
    static Result<std::unique_ptr<CsvWriter>> create(const QString &path, char delimiter = ',');
    ~CsvWriter(); // without commit(), the partial file is removed
    Q_DISABLE_COPY_MOVE(CsvWriter)

    Result<void> write(const QStringList &fields);
    Result<void> commit();
    // One record in UTF-8, with its CRLF line end.
    [[nodiscard]] static QByteArray encode(const QStringList &fields, char delimiter = ',');

private:
    CsvWriter();
    class Impl;
    std::unique_ptr<Impl> d;
};

} // namespace LeadDesk::Core
