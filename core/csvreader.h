#pragma once

#include "result.h"

#include <QFile>
#include <QStringList>

#include <deque>
#include <memory>

struct csv_parser;

namespace LeadDesk::Core {

// Streaming RFC 4180 reader over Debian's libcsv: quoted fields, embedded newlines and quotes,
// CRLF or LF, a UTF-8 byte-order mark, and ',' ';' or tab as delimiter (sniffed from the header
// line unless given). Memory stays bounded by the longest record, whatever the file size.
class CsvReader final
{
public:
    struct Options
    {
        char delimiter = 0; // 0: detect from the header line
        qsizetype maxRecordBytes = 1 << 20; // a longer record is an error, not an allocation
    };

    // Opens the file and reads its header row. Errors: unreadable, empty, not text (NUL bytes
    // or invalid UTF-8 in the header), no header fields.
    static Result<std::unique_ptr<CsvReader>> open(const QString &path, Options options);
    static Result<std::unique_ptr<CsvReader>> open(const QString &path) { return open(path, Options{}); }
    ~CsvReader();
    Q_DISABLE_COPY_MOVE(CsvReader)

    [[nodiscard]] const QStringList &header() const { return m_header; }
    [[nodiscard]] char delimiter() const { return m_delimiter; }

    // The next record into `fields`; returns false at the end of the file. An error (an
    // unterminated quote at end of file, a record over the size limit, invalid UTF-8 in a field)
    // names the record; reading may continue after a field-level error.
    Result<bool> next(QStringList *fields);

    [[nodiscard]] qint64 recordNumber() const { return m_recordNumber; } // 1-based, header excluded
    [[nodiscard]] qint64 bytesRead() const;
    [[nodiscard]] qint64 totalBytes() const;

private:
    CsvReader() = default;
    bool fill();

    QFile m_file;
    std::unique_ptr<csv_parser> m_parser;
    char m_delimiter = ',';
    QStringList m_header;
    QStringList m_current;
    std::deque<QStringList> m_ready;
    qsizetype m_currentBytes = 0;
    qint64 m_recordNumber = 0;
    bool m_eof = false;
    bool m_invalidUtf8 = false;
    Options m_options;
    friend struct CsvCallbacks;
};

// Writes RFC 4180 records (quotes only where needed, CRLF line ends) to a file that appears only
// when complete: written to a temporary name and renamed on commit().
class CsvWriter final
{
public:
    static Result<std::unique_ptr<CsvWriter>> create(const QString &path, char delimiter = ',');
    ~CsvWriter(); // without commit(), the partial file is removed
    Q_DISABLE_COPY_MOVE(CsvWriter)

    Result<void> write(const QStringList &fields);
    Result<void> commit();
    [[nodiscard]] static QByteArray encode(const QStringList &fields, char delimiter = ',');

private:
    CsvWriter() = default;
    class Impl;
    std::unique_ptr<Impl> d;
};

} // namespace LeadDesk::Core
