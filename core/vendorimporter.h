#pragma once

#include "databasethread.h"
#include "result.h"
#include "scoringrules.h"

#include <QStringList>

#include <functional>

namespace LeadDesk::Core {

// Imports a lead vendor's CSV file: streaming parse, header mapping by vendor profile,
// validation and normalisation of every record, identity resolution and dedupe, storage in
// batches on the store's writer thread (parsing the next batch while the last one is written).
// Failed records go to a CSV with their original columns plus error_field and error_message.
// New leads are scored, routed and get their SLA clock (addStandardStages) as they are stored.
// Re-importing the same file changes nothing: each record carries a stable id (the vendor's
// own, or a fingerprint of the record).
class VendorImporter final
{
public:
    struct Options
    {
        QString source; // experian | transunion | leadsource | generic
        QString filePath;
        QString failedOutPath; // empty: failures are only counted (and the first few kept)
        QString defaultRegion = QStringLiteral("US");
        // Rules new leads are scored with; null: the business's own (ScoringRules::forBusiness,
        // read on the writer thread when the first batch is stored).
        std::shared_ptr<const ScoringRules> scoring;
        // Records per write job (and so at least per commit): large, because a commit writes
        // every index page it touched and lead indexes have random keys (e-mail, names).
        int batchSize = 20000;
        // Called about every 64 KB of input with (bytes read, total bytes, records read).
        std::function<void(qint64, qint64, qint64)> progress;
    };

    struct Failure
    {
        qint64 recordNumber = 0;
        QString field;
        QString message;
    };

    struct Summary
    {
        qint64 read = 0;
        qint64 imported = 0;
        qint64 merged = 0;
        qint64 duplicates = 0;
        qint64 failed = 0;
        QList<Failure> firstFailures; // at most 20, in record order
    };

    // Errors before any record is stored: unknown source (field "source"), unreadable or wrong
    // file (field "file"), failed-out file not writable (field "failed-out").
    static Result<Summary> run(StoreWriter &writer, const QString &businessId,
                               const Options &options);
};

} // namespace LeadDesk::Core
