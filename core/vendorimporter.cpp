#include "vendorimporter.h"

#include "csvreader.h"
#include "ids.h"
#include "ingestionstages.h"
#include "leadingestor.h"
#include "leadnormalizer.h"
#include "vendorprofile.h"

#include <QCryptographicHash>
#include <QFileInfo>

#include <deque>

namespace LeadDesk::Core {

namespace {

constexpr int kMaxBatchesInFlight = 2; // bounds memory; enough to keep the writer busy
constexpr int kMaxKeptFailures = 20;

struct PendingLead
{
    qint64 recordNumber;
    QStringList fields;
    LeadRecord record;
};

struct BatchResult
{
    qint64 imported = 0, merged = 0, duplicates = 0;
};

// A stable id for a record without a vendor id: the same row always maps to the same lead.
QString fingerprint(const QStringList &fields)
{
    QCryptographicHash hash(QCryptographicHash::Sha1);
    for (const QString &field : fields) {
        hash.addData(field.toUtf8());
        hash.addData(QByteArrayView("\x1f", 1));
    }
    return QString::fromLatin1(hash.result().toHex().left(32));
}

Result<QString> fileSha256(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return fail(file.errorString(), QStringLiteral("file"));
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(&file);
    return QString::fromLatin1(hash.result().toHex());
}

} // namespace

Result<VendorImporter::Summary> VendorImporter::run(StoreWriter &writer, const QString &businessId,
                                                    const Options &options)
{
    auto profile = VendorProfile::forSource(options.source);
    if (!profile)
        return fail(profile.error().message, QStringLiteral("source"));
    auto reader = CsvReader::open(options.filePath);
    if (!reader)
        return fail(reader.error().message, QStringLiteral("file"));
    auto columns = profile->mapHeader((*reader)->header());
    if (!columns)
        return fail(columns.error().message, QStringLiteral("file"));
    auto sha = fileSha256(options.filePath);
    if (!sha)
        return std::unexpected(sha.error());

    std::unique_ptr<CsvWriter> failedOut;
    QStringList failedHeader = (*reader)->header();
    failedHeader << QStringLiteral("error_field") << QStringLiteral("error_message");
    if (!options.failedOutPath.isEmpty()) {
        auto created = CsvWriter::create(options.failedOutPath, (*reader)->delimiter());
        if (!created)
            return fail(created.error().message, QStringLiteral("failed-out"));
        failedOut = std::move(*created);
        if (auto ok = failedOut->write(failedHeader); !ok)
            return fail(ok.error().message, QStringLiteral("failed-out"));
    }

    Summary summary;
    const qint64 startedAt = QDateTime::currentMSecsSinceEpoch();
    const QString runId = Ids::uuidV7(startedAt);
    Result<void> failedOutStatus;
    auto recordFailure = [&](qint64 recordNumber, const QStringList &fields, const QString &field,
                             const QString &message) {
        ++summary.failed;
        if (summary.firstFailures.size() < kMaxKeptFailures)
            summary.firstFailures.push_back({recordNumber, field, message});
        if (failedOut && failedOutStatus) {
            QStringList row = fields;
            while (row.size() < failedHeader.size() - 2)
                row << QString();
            row << field << message;
            failedOutStatus = failedOut->write(row);
        }
    };

    // The ingestor lives on the writer thread (it holds that thread's connection) and keeps its
    // campaign cache across batches.
    auto ingestor = std::make_shared<std::unique_ptr<LeadIngestor>>();
    std::shared_ptr<const ScoringRules> scoring = options.scoring;
    // One batch on the writer thread. A record that fails to store (a constraint the validator
    // did not foresee) fails the whole job, which rolls back alone; the batch is then sent again
    // without that record. That is rare, so records need no savepoint of their own (a RELEASE
    // costs time proportional to the transaction's dirty pages).
    auto storeBatch
        = [ingestor, scoring, businessId](std::shared_ptr<std::vector<PendingLead>> batch) {
              return [batch, ingestor, scoring, businessId](Database &db) -> Result<BatchResult> {
                  if (!*ingestor) {
                      std::shared_ptr<const ScoringRules> rules = scoring;
                      if (!rules) {
                          auto own = ScoringRules::forBusiness(db, businessId);
                          if (!own)
                              return std::unexpected(own.error()); // fails the import
                          rules = std::make_shared<const ScoringRules>(std::move(*own));
                      }
                      auto created = std::make_unique<LeadIngestor>(db);
                      created->setScoring(std::move(rules));
                      addStandardStages(*created);
                      *ingestor = std::move(created);
                  }
                  BatchResult result;
                  for (std::size_t i = 0; i < batch->size(); ++i) {
                      auto stored = (*ingestor)->store(businessId, (*batch)[i].record);
                      if (!stored) {
                          (*ingestor)->forgetCaches(); // what it cached in this job is rolled back
                          return fail(stored.error().message, QString::number(i));
                      }
                      switch (stored->outcome) {
                      case LeadIngestor::Outcome::Imported:
                          ++result.imported;
                          break;
                      case LeadIngestor::Outcome::Merged:
                          ++result.merged;
                          break;
                      case LeadIngestor::Outcome::Duplicate:
                          ++result.duplicates;
                          break;
                      }
                  }
                  return result;
              };
          };
    std::function<Result<void>(std::shared_ptr<std::vector<PendingLead>>,
                               QFuture<Result<BatchResult>>)>
        collect = [&](std::shared_ptr<std::vector<PendingLead>> batch,
                      QFuture<Result<BatchResult>> future) -> Result<void> {
        Result<BatchResult> result = future.result();
        if (!result) {
            bool isRecord = false;
            const qsizetype index = result.error().field.toLongLong(&isRecord);
            if (!isRecord || index < 0 || index >= qsizetype(batch->size()))
                return std::unexpected(result.error()); // the transaction itself failed
            const PendingLead &failed = (*batch)[index];
            recordFailure(failed.recordNumber, failed.fields, QStringLiteral("record"),
                          result.error().message);
            batch->erase(batch->begin() + index);
            if (batch->empty())
                return {};
            return collect(batch, writer.submitValue<BatchResult>(storeBatch(batch)));
        }
        summary.imported += result->imported;
        summary.merged += result->merged;
        summary.duplicates += result->duplicates;
        return {};
    };
    std::deque<std::pair<std::shared_ptr<std::vector<PendingLead>>, QFuture<Result<BatchResult>>>>
        inFlight;
    auto submit = [&](std::shared_ptr<std::vector<PendingLead>> batch) -> Result<void> {
        inFlight.emplace_back(batch, writer.submitValue<BatchResult>(storeBatch(batch)));
        while (inFlight.size() > std::size_t(kMaxBatchesInFlight)) {
            auto [oldest, future] = std::move(inFlight.front());
            inFlight.pop_front();
            if (auto ok = collect(oldest, future); !ok)
                return ok;
        }
        return {};
    };

    Normalizer normalizer(options.defaultRegion);
    LeadNormalizer leadNormalizer(normalizer);
    auto batch = std::make_shared<std::vector<PendingLead>>();
    batch->reserve(options.batchSize);
    QStringList fields;
    qint64 lastProgressBytes = 0;
    const QString idPrefix = profile->name() + QLatin1Char(':');
    for (;;) {
        auto more = (*reader)->next(&fields);
        if (!more) {
            ++summary.read;
            recordFailure((*reader)->recordNumber(), fields, QStringLiteral("record"),
                          more.error().message);
            continue;
        }
        if (!*more)
            break;
        ++summary.read;
        RawLead raw = profile->toRawLead(*columns, fields);
        raw.externalId = idPrefix
                         + (raw.externalId.trimmed().isEmpty() ? fingerprint(fields)
                                                               : raw.externalId.trimmed());
        LeadNormalizer::Outcome outcome = leadNormalizer.normalize(raw, startedAt);
        if (!outcome.errors.isEmpty()) {
            const FieldError &first = outcome.errors.constFirst();
            recordFailure((*reader)->recordNumber(), fields, first.field, first.message);
        } else {
            batch->push_back({(*reader)->recordNumber(), fields, std::move(outcome.record)});
            if (int(batch->size()) >= options.batchSize) {
                if (auto ok = submit(std::move(batch)); !ok)
                    return std::unexpected(ok.error());
                batch = std::make_shared<std::vector<PendingLead>>();
                batch->reserve(options.batchSize);
            }
        }
        if (options.progress && (*reader)->bytesRead() - lastProgressBytes >= 65536) {
            lastProgressBytes = (*reader)->bytesRead();
            options.progress(lastProgressBytes, (*reader)->totalBytes(), summary.read);
        }
    }
    if (!batch->empty()) {
        if (auto ok = submit(std::move(batch)); !ok)
            return std::unexpected(ok.error());
    }
    while (!inFlight.empty()) {
        auto [oldest, future] = std::move(inFlight.front());
        inFlight.pop_front();
        if (auto ok = collect(oldest, future); !ok)
            return std::unexpected(ok.error());
    }
    if (options.progress)
        options.progress((*reader)->totalBytes(), (*reader)->totalBytes(), summary.read);

    const Summary counts = summary;
    const QString fileName = QFileInfo(options.filePath).fileName();
    const QString source = profile->name();
    auto logged = writer.submit([=](Database &db) -> Result<void> {
        QSqlQuery &insert = db.prepared(QStringLiteral(
            "INSERT INTO import_runs (id, business_id, source_kind, file_name, file_sha256, "
            "rows_read, imported, merged, duplicates, failed, started_at, finished_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        for (const QVariant &value :
             {QVariant(runId), QVariant(businessId), QVariant(source), QVariant(fileName),
              QVariant(*sha), QVariant(counts.read), QVariant(counts.imported),
              QVariant(counts.merged), QVariant(counts.duplicates), QVariant(counts.failed),
              QVariant(startedAt), QVariant(QDateTime::currentMSecsSinceEpoch())})
            insert.addBindValue(value);
        return db.exec(insert);
    });
    if (auto ok = logged.result(); !ok)
        return std::unexpected(ok.error());

    if (failedOut) {
        if (!failedOutStatus)
            return fail(failedOutStatus.error().message, QStringLiteral("failed-out"));
        if (auto ok = failedOut->commit(); !ok)
            return fail(ok.error().message, QStringLiteral("failed-out"));
    }
    return summary;
}

} // namespace LeadDesk::Core
