#include "csvreader.h"

#include "utf8.h"

#include <QDir>
#include <QFileInfo>

#include <csv.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace LeadDesk::Core {

namespace {

constexpr qsizetype kChunkBytes = 256 * 1024;
constexpr qsizetype kTextSniffBytes = 4096;
constexpr qsizetype kWriteBufferBytes = 256 * 1024;

QString displayPath(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

enum class Encoding { Ascii, Utf8, Invalid };

// Rejects what is not well-formed UTF-8 (see Utf8::sequenceLength) rather than let
// QString::fromUtf8 hide it behind U+FFFD. ASCII runs are skipped eight bytes at a time.
Encoding classify(const char *text, qsizetype size)
{
    const auto *s = reinterpret_cast<const unsigned char *>(text);
    Encoding encoding = Encoding::Ascii;
    qsizetype i = 0;
    while (i < size) {
        while (i + 8 <= size) {
            quint64 word;
            std::memcpy(&word, s + i, 8);
            if (word & 0x8080808080808080ULL)
                break;
            i += 8;
        }
        if (i == size)
            break;
        if (s[i] < 0x80) {
            ++i;
            continue;
        }
        encoding = Encoding::Utf8;
        const int length = Utf8::sequenceLength(s, std::size_t(i), std::size_t(size));
        if (length == 0)
            return Encoding::Invalid;
        i += length;
    }
    return encoding;
}

// Counts ',' ';' and tab outside quotes on the first line; ties go to ',' then ';'.
char sniffDelimiter(QByteArrayView text)
{
    qsizetype commas = 0;
    qsizetype semicolons = 0;
    qsizetype tabs = 0;
    bool quoted = false;
    for (const char c : text) {
        if (c == '"') {
            quoted = !quoted; // an escaped "" flips twice
        } else if (quoted) {
            continue;
        } else if (c == '\n' || c == '\r') {
            break;
        } else if (c == ',') {
            ++commas;
        } else if (c == ';') {
            ++semicolons;
        } else if (c == '\t') {
            ++tabs;
        }
    }
    if (semicolons > commas && semicolons >= tabs)
        return ';';
    if (tabs > commas && tabs > semicolons)
        return '\t';
    return ',';
}

} // namespace

struct CsvReader::Span
{
    enum class Status : quint8 { Ok, TooLong, Unterminated };

    qsizetype firstField = 0;
    qsizetype fieldCount = 0;
    qint64 number = 0;
    Status status = Status::Ok;
};

struct CsvCallbacks
{
    static void field(void *data, size_t size, void *reader)
    {
        static_cast<CsvReader *>(reader)->addField(static_cast<const char *>(data),
                                                   qsizetype(size));
    }
    static void record(int /*terminator*/, void *reader)
    {
        static_cast<CsvReader *>(reader)->endRecord();
    }
};

CsvReader::CsvReader() = default;

CsvReader::~CsvReader()
{
    if (m_parser)
        csv_free(m_parser.get());
}

Result<std::unique_ptr<CsvReader>> CsvReader::open(const QString &path, Options options)
{
    std::unique_ptr<CsvReader> reader(new CsvReader);
    reader->m_path = path;
    reader->m_options = options;
    if (QFileInfo(path).isDir())
        return fail(QStringLiteral("cannot open %1: it is a folder").arg(displayPath(path)));
    reader->m_file.setFileName(path);
    if (!reader->m_file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot open %1: %2")
                        .arg(displayPath(path), reader->m_file.errorString()));

    QByteArray &chunk = reader->m_chunk;
    chunk.resize(kChunkBytes);
    const qint64 size = reader->m_file.read(chunk.data(), chunk.size());
    if (size < 0)
        return fail(QStringLiteral("cannot read %1: %2")
                        .arg(displayPath(path), reader->m_file.errorString()));
    if (size == 0)
        return fail(QStringLiteral("%1 is empty").arg(displayPath(path)));
    QByteArrayView start(chunk.constData(), size);
    if (start.startsWith("\xFF\xFE") || start.startsWith("\xFE\xFF"))
        return fail(
            QStringLiteral("%1 is UTF-16 text; save it as UTF-8 CSV").arg(displayPath(path)));
    if (std::memchr(start.data(), '\0', size_t(std::min<qint64>(size, kTextSniffBytes))))
        return fail(QStringLiteral("%1 is not a text file").arg(displayPath(path)));
    if (start.startsWith("\xEF\xBB\xBF"))
        start = start.sliced(3);

    reader->m_delimiter = options.delimiter ? options.delimiter : sniffDelimiter(start);
    reader->m_parser = std::make_unique<csv_parser>();
    // Not CSV_STRICT: a stray quote in an unquoted field is text, as in spreadsheet programs.
    // CSV_STRICT_FINI is switched on for csv_fini() only (finish()). The length comes with each
    // field, so no CSV_APPEND_NULL; empty fields stay empty strings, so no CSV_EMPTY_IS_NULL.
    csv_init(reader->m_parser.get(), 0);
    csv_set_delim(reader->m_parser.get(), static_cast<unsigned char>(reader->m_delimiter));

    if (auto parsed = reader->parse(start.data(), start.size()); !parsed)
        return std::unexpected(parsed.error());
    while (reader->m_spans.empty() && !reader->m_finished) {
        if (auto filled = reader->fill(); !filled)
            return std::unexpected(filled.error());
    }
    if (reader->m_spans.empty())
        return fail(QStringLiteral("%1 is empty").arg(displayPath(path)));

    const Span header = reader->m_spans.front();
    reader->m_nextSpan = 1;
    switch (header.status) {
    case Span::Status::TooLong:
        return fail(
            QStringLiteral("the first line of %1 is longer than %2 bytes; is it a CSV file?")
                .arg(displayPath(path), QString::number(options.maxRecordBytes)));
    case Span::Status::Unterminated:
        return fail(QStringLiteral("the first line of %1 opens a quote that never closes")
                        .arg(displayPath(path)));
    case Span::Status::Ok:
        break;
    }
    QStringList names;
    if (reader->decode(header, &names) >= 0)
        return fail(QStringLiteral("the first line of %1 is not valid UTF-8; save it as UTF-8 CSV")
                        .arg(displayPath(path)));
    for (QString &name : names)
        name = name.trimmed();
    while (!names.isEmpty() && names.constLast().isEmpty())
        names.removeLast();
    if (names.isEmpty())
        return fail(
            QStringLiteral("%1 has no column names in its first line").arg(displayPath(path)));
    reader->m_header = std::move(names);
    return reader;
}

Result<bool> CsvReader::next(QStringList *fields)
{
    while (m_nextSpan == m_spans.size()) {
        if (m_finished) {
            fields->clear();
            return false;
        }
        if (auto filled = fill(); !filled) {
            fields->clear();
            return std::unexpected(filled.error());
        }
    }
    const Span &span = m_spans[m_nextSpan++];
    m_recordNumber = span.number;
    if (span.status != Span::Status::Ok)
        fields->clear();
    switch (span.status) {
    case Span::Status::TooLong:
        return fail(QStringLiteral("record %1: longer than %2 bytes; skipped")
                        .arg(span.number)
                        .arg(m_options.maxRecordBytes));
    case Span::Status::Unterminated:
        return fail(QStringLiteral("record %1: a quote opened here never closes before the end of "
                                   "the file")
                        .arg(span.number));
    case Span::Status::Ok:
        break;
    }
    if (const int bad = decode(span, fields); bad >= 0) {
        const QString column = bad < m_header.size() && !m_header.at(bad).isEmpty()
                                   ? QStringLiteral(" (%1)").arg(m_header.at(bad))
                                   : QString();
        return fail(QStringLiteral("record %1: invalid UTF-8 in column %2%3")
                        .arg(span.number)
                        .arg(bad + 1)
                        .arg(column));
    }
    return true;
}

qint64 CsvReader::bytesRead() const
{
    return m_file.isOpen() ? m_file.pos() : 0;
}

qint64 CsvReader::totalBytes() const
{
    return m_file.size();
}

// Returns the first column with invalid UTF-8, or -1. Decodes into the strings `fields` already
// holds when nothing else shares them, so a caller that reuses one list allocates nothing.
int CsvReader::decode(const Span &span, QStringList *fields)
{
    const qsizetype first = span.firstField;
    qsizetype count = span.fieldCount;
    const auto fieldStart = [this](qsizetype i) {
        return i > 0 ? m_fieldEnds[i - 1] : 0;
    };
    while (count > m_header.size()
           && m_fieldEnds[first + count - 1] == fieldStart(first + count - 1))
        --count;
    fields->resize(count);
    int bad = -1;
    for (qsizetype k = 0; k < count; ++k) {
        const qsizetype begin = fieldStart(first + k);
        const qsizetype size = m_fieldEnds[first + k] - begin;
        const char *data = m_bytes.data() + begin;
        QString &out = (*fields)[k];
        const Encoding encoding = classify(data, size);
        if (encoding == Encoding::Invalid) {
            bad = bad < 0 ? int(k) : bad;
            out = QString::fromUtf8(data, size);
            continue;
        }
        if (!out.isDetached() || out.capacity() < size)
            out = QString(size, Qt::Uninitialized);
        else
            out.resize(size);
        char16_t *const start = reinterpret_cast<char16_t *>(out.data());
        if (encoding == Encoding::Ascii) {
            for (qsizetype i = 0; i < size; ++i)
                start[i] = char16_t(static_cast<unsigned char>(data[i]));
            continue;
        }
        // Valid UTF-8 never decodes to more UTF-16 units than it has bytes.
        QChar *const end = m_decoder.appendToBuffer(reinterpret_cast<QChar *>(start),
                                                    QByteArrayView(data, size));
        out.truncate(end - reinterpret_cast<QChar *>(start));
    }
    return bad;
}

Result<void> CsvReader::fill()
{
    compact();
    const qint64 size = m_file.read(m_chunk.data(), m_chunk.size());
    if (size < 0) {
        m_finished = true;
        return fail(
            QStringLiteral("cannot read %1: %2").arg(displayPath(m_path), m_file.errorString()));
    }
    if (size == 0) {
        finish();
        return {};
    }
    return parse(m_chunk.constData(), size);
}

Result<void> CsvReader::parse(const char *data, qsizetype size)
{
    csv_parser *parser = m_parser.get();
    const size_t parsed
        = csv_parse(parser, data, size_t(size), &CsvCallbacks::field, &CsvCallbacks::record, this);
    if (parsed != size_t(size)) { // without CSV_STRICT, only allocation failures stop libcsv
        m_finished = true;
        return fail(
            QStringLiteral("cannot read %1: %2")
                .arg(displayPath(m_path), QString::fromLatin1(csv_strerror(csv_error(parser)))));
    }
    // The field libcsv is in the middle of counts towards the record too.
    if (!m_skipping && m_recordBytes + qsizetype(parser->entry_pos) > m_options.maxRecordBytes)
        beginSkipping();
    if (m_skipping) {
        // libcsv gives no way to drop the field it is accumulating, so trim its buffer (struct
        // csv_parser is public in csv.h): the record is discarded anyway, and keeping the last
        // `spaces + 1` bytes is enough for libcsv to strip them when the field ends.
        const size_t keep = parser->spaces + 1;
        if (parser->entry_pos > keep) {
            std::memmove(parser->entry_buf, parser->entry_buf + parser->entry_pos - keep, keep);
            parser->entry_pos = keep;
        }
    }
    return {};
}

void CsvReader::finish()
{
    m_finished = true;
    // Strict only here: csv_fini() then refuses a quoted field still open at the end of the file.
    csv_set_opts(m_parser.get(), CSV_STRICT | CSV_STRICT_FINI);
    if (csv_fini(m_parser.get(), &CsvCallbacks::field, &CsvCallbacks::record, this) != 0) {
        beginSkipping();
        m_spans.push_back(
            Span{m_recordFirstField, 0, ++m_parsedRecords, Span::Status::Unterminated});
        m_skipping = false;
    }
}

// Drops the records next() has returned; keeps the fields of the record being parsed.
void CsvReader::compact()
{
    const qsizetype firstByte = m_recordFirstField > 0 ? m_fieldEnds[m_recordFirstField - 1] : 0;
    m_bytes.erase(m_bytes.begin(), m_bytes.begin() + firstByte);
    m_fieldEnds.erase(m_fieldEnds.begin(), m_fieldEnds.begin() + m_recordFirstField);
    for (qsizetype &end : m_fieldEnds)
        end -= firstByte;
    m_recordFirstField = 0;
    m_spans.clear();
    m_nextSpan = 0;
}

void CsvReader::addField(const char *data, qsizetype size)
{
    if (m_skipping)
        return;
    m_recordBytes += size;
    if (m_recordBytes > m_options.maxRecordBytes) {
        beginSkipping();
        return;
    }
    m_bytes.insert(m_bytes.end(), data, data + size);
    m_fieldEnds.push_back(qsizetype(m_bytes.size()));
}

void CsvReader::endRecord()
{
    const qsizetype fieldCount = qsizetype(m_fieldEnds.size()) - m_recordFirstField;
    if (m_skipping) {
        m_spans.push_back(Span{m_recordFirstField, 0, ++m_parsedRecords, Span::Status::TooLong});
    } else if (m_recordBytes == 0 && m_parsedRecords >= 0) {
        // Only delimiters (spreadsheets export such lines below the data); the header is kept
        // so that open() can refuse it.
        m_fieldEnds.resize(m_recordFirstField);
    } else {
        m_spans.push_back(
            Span{m_recordFirstField, fieldCount, ++m_parsedRecords, Span::Status::Ok});
    }
    m_recordFirstField = qsizetype(m_fieldEnds.size());
    m_recordBytes = 0;
    m_skipping = false;
}

void CsvReader::beginSkipping()
{
    m_skipping = true;
    m_bytes.resize(m_recordFirstField > 0 ? m_fieldEnds[m_recordFirstField - 1] : 0);
    m_fieldEnds.resize(m_recordFirstField);
}

// --- CsvWriter ---------------------------------------------------------------------------------

namespace {

void appendRecord(QByteArray &out, const QStringList &fields, char delimiter)
{
    bool first = true;
    for (const QString &field : fields) {
        if (!first)
            out += delimiter;
        first = false;
        const QByteArray utf8 = field.toUtf8();
        // Leading or trailing spaces are quoted because readers (ours too) trim unquoted ones.
        // Values starting with = + - @ are written as they are: prefixing an apostrophe against
        // spreadsheet formula injection would change the data for every other consumer.
        const bool quote = utf8.contains(delimiter) || utf8.contains('"') || utf8.contains('\r')
                           || utf8.contains('\n')
                           || (!utf8.isEmpty()
                               && (utf8.front() == ' ' || utf8.front() == '\t' || utf8.back() == ' '
                                   || utf8.back() == '\t'));
        if (!quote) {
            out += utf8;
            continue;
        }
        out += '"';
        for (const char c : utf8) {
            if (c == '"')
                out += '"';
            out += c;
        }
        out += '"';
    }
    out += "\r\n";
}

} // namespace

class CsvWriter::Impl
{
public:
    Result<void> flush()
    {
        if (!buffer.isEmpty() && file.write(buffer) != buffer.size())
            return fail(QStringLiteral("cannot write %1: %2")
                            .arg(displayPath(file.fileName()), file.errorString()));
        buffer.clear();
        return {};
    }

    QString path;
    QFile file;
    QByteArray buffer;
    char delimiter = ',';
    bool committed = false;
};

CsvWriter::CsvWriter() = default;

CsvWriter::~CsvWriter()
{
    if (d && !d->committed) {
        d->file.close();
        QFile::remove(d->file.fileName());
    }
}

Result<std::unique_ptr<CsvWriter>> CsvWriter::create(const QString &path, char delimiter)
{
    if (delimiter == '\0' || delimiter == '"' || delimiter == '\r' || delimiter == '\n')
        return fail(QStringLiteral("cannot use %1 as a CSV delimiter").arg(int(delimiter)));
    std::unique_ptr<CsvWriter> writer(new CsvWriter);
    writer->d = std::make_unique<Impl>();
    Impl &d = *writer->d;
    d.path = path;
    d.delimiter = delimiter;
    d.file.setFileName(path + QStringLiteral(".partial"));
    if (!d.file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return fail(QStringLiteral("cannot write %1: %2")
                        .arg(displayPath(d.file.fileName()), d.file.errorString()));
    d.buffer.reserve(kWriteBufferBytes + 4096);
    return writer;
}

Result<void> CsvWriter::write(const QStringList &fields)
{
    if (d->committed)
        return fail(QStringLiteral("%1 is already complete").arg(displayPath(d->path)));
    appendRecord(d->buffer, fields, d->delimiter);
    if (d->buffer.size() >= kWriteBufferBytes)
        return d->flush();
    return {};
}

Result<void> CsvWriter::commit()
{
    if (d->committed)
        return {};
    if (auto flushed = d->flush(); !flushed)
        return flushed;
    if (!d->file.flush())
        return fail(QStringLiteral("cannot write %1: %2")
                        .arg(displayPath(d->file.fileName()), d->file.errorString()));
    d->file.close();
    // std::filesystem::rename replaces an existing file in one step (rename(2), or
    // MoveFileEx with MOVEFILE_REPLACE_EXISTING), unlike QFile::rename.
    std::error_code error;
    std::filesystem::rename(std::filesystem::path(d->file.fileName().toStdU16String()),
                            std::filesystem::path(d->path.toStdU16String()), error);
    if (error)
        return fail(QStringLiteral("cannot rename %1 to %2: %3")
                        .arg(displayPath(d->file.fileName()), displayPath(d->path),
                             QString::fromStdString(error.message())));
    d->committed = true;
    return {};
}

QByteArray CsvWriter::encode(const QStringList &fields, char delimiter)
{
    QByteArray out;
    appendRecord(out, fields, delimiter);
    return out;
}

} // namespace LeadDesk::Core
