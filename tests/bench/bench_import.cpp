// Import benchmark (issue: foundation). Generates an N-row vendor file (default 1,000,000), then
// measures in the same run:
//   baseline  bare sqlite3 C-API inserts of the same rows (contact, its two identities, the lead)
//             into a fresh store with the same schema and indexes, values pre-normalised in memory;
//   parse     CsvReader + VendorProfile + LeadNormalizer alone (no store);
//   leaddesk  `VendorImporter` end to end: parse, validate, normalise (libphonenumber), resolve
//             identities, dedupe, store with every index in place.
// Prints a Markdown table row set and the ratio leaddesk / baseline (budget: >= 0.5).
// Usage: bench_import [N] [--rule-inputs]; --rule-inputs imports into a store as a whole-store
// rescore leaves it, with the copy of what the shipped rules read (RuleInputsTable), which
// triggers extend with every lead stored.
#include "allocatortuning.h"
#include "businessrepository.h"
#include "csvreader.h"
#include "database.h"
#include "databasethread.h"
#include "ids.h"
#include "leadnormalizer.h"
#include "ruleinputstable.h"
#include "scoringrules.h"
#include "vendorimporter.h"
#include "vendorprofile.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>

#include <sqlite3.h>

#include <cstdio>
#include <string>
#include <vector>

using namespace LeadDesk;

namespace {

struct Row
{
    std::string first, last, email, phone, state, zip, city, street, credit;
};

const char *const kFirst[]
    = {"Renee", "Jordan", "Ana",   "Liam",  "Maya",  "Noah",  "Zoe",   "Omar",   "Ivy",
       "Ethan", "Sofia",  "Lucas", "Aisha", "Mateo", "Chloe", "Kenji", "Fatima", "Diego"};
const char *const kLast[]
    = {"Castillo", "Pike",     "Nguyen", "O'Neil", "McDonald", "Okafor", "Schmidt",
       "Rossi",    "Kowalski", "Haddad", "Silva",  "Tanaka",   "Brown",  "Garcia"};
const char *const kCity[] = {"Columbus", "Dublin", "Austin", "Denver", "Tampa", "Reno", "Salem"};
const char *const kState[] = {"OH", "oh", "TX", "CO", "FL", "NV", "OR"};

std::vector<Row> makeRows(qint64 n)
{
    QRandomGenerator rng(2026);
    std::vector<Row> rows;
    rows.reserve(n);
    for (qint64 i = 0; i < n; ++i) {
        Row r;
        r.first = kFirst[rng.bounded(int(std::size(kFirst)))];
        r.last = kLast[rng.bounded(int(std::size(kLast)))];
        // About 3% of rows are a person already seen earlier in the file (same e-mail).
        const qint64 person = (i > 100 && rng.bounded(100) < 3) ? rng.bounded(int(i)) : i;
        r.email = "lead" + std::to_string(person) + "@example.com";
        static const int kAreaCodes[] = {614, 212, 303, 512, 813, 775, 503, 312, 415, 617};
        char phone[16];
        std::snprintf(phone, sizeof phone, "%03d%03d%04d", kAreaCodes[person % 10],
                      200 + int(person / 10 % 700), int(person / 7000 % 10000));
        r.phone = phone;
        const int city = rng.bounded(int(std::size(kCity)));
        r.city = kCity[city];
        r.state = kState[city];
        r.zip = std::to_string(43000 + rng.bounded(900));
        r.street = std::to_string(1 + rng.bounded(9000)) + " Elm St";
        r.credit = std::to_string(580 + rng.bounded(270));
        rows.push_back(std::move(r));
    }
    return rows;
}

void writeCsv(const QString &path, const std::vector<Row> &rows)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        qFatal("cannot write %s", qPrintable(path));
    std::string buffer = "FirstName,LastName,Email,CellPhone,StreetAddress,PropertyCity,"
                         "PropertyState,Zip,CreditScore\n";
    for (const Row &r : rows) {
        buffer += r.first + ','
                  + (r.last.find('\'') != std::string::npos ? '"' + r.last + '"' : r.last) + ','
                  + r.email + ',' + r.phone + ',' + r.street + ',' + r.city + ',' + r.state + ','
                  + r.zip + ',' + r.credit + '\n';
        if (buffer.size() > (1 << 20)) {
            file.write(buffer.data(), qint64(buffer.size()));
            buffer.clear();
        }
    }
    file.write(buffer.data(), qint64(buffer.size()));
}

// Both sides commit every 20,000 rows: with random-key indexes (e-mail, identities, names) a
// commit writes every page it touched, so small transactions multiply the bytes written.
constexpr std::size_t kRowsPerTransaction = 20000;

void check(int rc, sqlite3 *db)
{
    if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW)
        qFatal("sqlite: %s", sqlite3_errmsg(db));
}

// The bare insert: the rows LeadDesk stores for each record, already normalised, no look-ups.
double baselineRate(const QString &path, const std::vector<Row> &rows)
{
    QString businessId;
    {
        auto db = Core::Database::open(path);
        businessId = Core::BusinessRepository(**db).ensurePrimary()->id;
    }
    sqlite3 *db = nullptr;
    check(sqlite3_open(path.toUtf8().constData(), &db), db);
    check(sqlite3_exec(db,
                       "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
                       "PRAGMA cache_size=-524288; PRAGMA temp_store=MEMORY",
                       nullptr, nullptr, nullptr),
          db);
    sqlite3_stmt *contact, *identity, *score, *lead;
    check(sqlite3_prepare_v2(
              db,
              "INSERT INTO contacts (id, business_id, first_name, last_name, email, phone, "
              "address_line, street, city, state, postal_code, created_at, updated_at, hlc) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)",
              -1, &contact, nullptr),
          db);
    check(sqlite3_prepare_v2(
              db,
              "INSERT OR IGNORE INTO contact_identities (id, business_id, contact_id, channel, "
              "external_id, created_at, updated_at, hlc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)",
              -1, &identity, nullptr),
          db);
    // A lead's score row, written before the lead as the store does, naming its breakdown in
    // the store's dictionary of breakdowns, looked up for each row as the store does.
    check(sqlite3_exec(
              db, "INSERT OR IGNORE INTO score_breakdowns (breakdown) VALUES ('{\"phone\":5}')",
              nullptr, nullptr, nullptr),
          db);
    check(sqlite3_prepare_v2(
              db,
              "INSERT INTO lead_scores (lead_id, tenant, lead_score, lead_grade, "
              "qualification_status, breakdown_id, scored_at, hlc) "
              "VALUES (?1, (SELECT tenant FROM tenants WHERE business_id = ?2), 5, 'D', "
              "'unqualified', "
              "(SELECT id FROM score_breakdowns WHERE breakdown = '{\"phone\":5}'), ?3, ?4)",
              -1, &score, nullptr),
          db);
    check(sqlite3_prepare_v2(
              db,
              "INSERT INTO leads (id, business_id, contact_id, channel, external_id, first_name, "
              "last_name, email, phone, address_line, state, details, created_at, updated_at, hlc) "
              "VALUES (?1, ?2, ?3, 'csv', ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12, ?13)",
              -1, &lead, nullptr),
          db);
    const std::string business = businessId.toStdString();
    QElapsedTimer timer;
    timer.start();
    std::size_t i = 0;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    while (i < rows.size()) {
        check(sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr), db);
        for (std::size_t end = std::min(rows.size(), i + kRowsPerTransaction); i < end; ++i) {
            const Row &r = rows[i];
            const std::string contactId = Core::Ids::uuidV7(now).toStdString();
            const std::string phone = "+1" + r.phone;
            const std::string address = r.street + ", " + r.city + ", " + r.state + " " + r.zip;
            auto text = [](sqlite3_stmt *s, int n, const std::string &v) {
                sqlite3_bind_text(s, n, v.data(), int(v.size()), SQLITE_TRANSIENT);
            };
            text(contact, 1, contactId);
            text(contact, 2, business);
            text(contact, 3, r.first);
            text(contact, 4, r.last);
            text(contact, 5, r.email);
            text(contact, 6, phone);
            text(contact, 7, address);
            text(contact, 8, r.street);
            text(contact, 9, r.city);
            text(contact, 10, r.state);
            text(contact, 11, r.zip);
            sqlite3_bind_int64(contact, 12, now);
            sqlite3_bind_int64(contact, 13, now << 16);
            check(sqlite3_step(contact), db);
            sqlite3_reset(contact);
            for (const auto &[channel, key] :
                 {std::pair<const char *, const std::string *>{"email", &r.email},
                  {"phone", &phone}}) {
                const std::string id = Core::Ids::uuidV7(now).toStdString();
                text(identity, 1, id);
                text(identity, 2, business);
                text(identity, 3, contactId);
                sqlite3_bind_text(identity, 4, channel, -1, SQLITE_STATIC);
                text(identity, 5, *key);
                sqlite3_bind_int64(identity, 6, now);
                sqlite3_bind_int64(identity, 7, now << 16);
                check(sqlite3_step(identity), db);
                sqlite3_reset(identity);
            }
            const std::string leadId = Core::Ids::uuidV7(now).toStdString();
            const std::string external = "generic:" + std::to_string(i);
            const std::string details = "{\"credit_score\":" + r.credit + "}";
            text(score, 1, leadId);
            text(score, 2, business);
            sqlite3_bind_int64(score, 3, now);
            sqlite3_bind_int64(score, 4, now << 16);
            check(sqlite3_step(score), db);
            sqlite3_reset(score);
            text(lead, 1, leadId);
            text(lead, 2, business);
            text(lead, 3, contactId);
            text(lead, 4, external);
            text(lead, 5, r.first);
            text(lead, 6, r.last);
            text(lead, 7, r.email);
            text(lead, 8, phone);
            text(lead, 9, address);
            text(lead, 10, r.state);
            text(lead, 11, details);
            sqlite3_bind_int64(lead, 12, now);
            sqlite3_bind_int64(lead, 13, now << 16);
            check(sqlite3_step(lead), db);
            sqlite3_reset(lead);
        }
        check(sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr), db);
    }
    const double seconds = timer.nsecsElapsed() / 1e9;
    sqlite3_finalize(contact);
    sqlite3_finalize(identity);
    sqlite3_finalize(score);
    sqlite3_finalize(lead);
    sqlite3_close(db);
    return double(rows.size()) / seconds;
}

double parseRate(const QString &csv, qint64 *records)
{
    QElapsedTimer timer;
    timer.start();
    auto reader = Core::CsvReader::open(csv);
    auto profile = Core::VendorProfile::forSource(QStringLiteral("generic"));
    auto map = profile->mapHeader((*reader)->header());
    Core::Normalizer normalizer;
    Core::LeadNormalizer leads(normalizer);
    QStringList fields;
    qint64 n = 0, valid = 0;
    while ((*reader)->next(&fields).value_or(false)) {
        ++n;
        valid += leads.normalize(profile->toRawLead(*map, fields), 0).errors.isEmpty();
    }
    *records = valid;
    return double(n) / (timer.nsecsElapsed() / 1e9);
}

} // namespace

int main(int argc, char *argv[])
{
    Core::tuneAllocatorForThroughput(); // as leaddeskctl does, for both sides of the comparison
    QCoreApplication app(argc, argv);
    const qint64 n = argc > 1 ? QByteArray(argv[1]).toLongLong() : 1'000'000;
    QTemporaryDir dir;
    std::fprintf(stderr, "bench_import: generating %lld rows...\n", (long long)n);
    const std::vector<Row> rows = makeRows(n);
    const QString csv = dir.filePath(QStringLiteral("vendor.csv"));
    writeCsv(csv, rows);

    std::fprintf(stderr, "bench_import: bare sqlite3 insert...\n");
    const double baseline = baselineRate(dir.filePath(QStringLiteral("baseline.sqlite")), rows);

    std::fprintf(stderr, "bench_import: parse + normalise...\n");
    qint64 valid = 0;
    const double parse = parseRate(csv, &valid);

    std::fprintf(stderr, "bench_import: leaddesk import...\n");
    const QString storePath = dir.filePath(QStringLiteral("leaddesk.sqlite"));
    QString businessId;
    {
        auto db = Core::Database::open(storePath);
        businessId = Core::BusinessRepository(**db).ensurePrimary()->id;
        if (app.arguments().contains(QStringLiteral("--rule-inputs"))) {
            auto *handle = static_cast<sqlite3 *>((*db)->sqliteHandle());
            const auto layout = Core::RuleInputsTable::Layout::forRules(
                Core::ScoringRules::loadDefault().value());
            auto fillId = Core::RuleInputsTable::begin(handle, layout);
            if (!fillId || !Core::RuleInputsTable::finish(handle, *fillId))
                qFatal("cannot make the rule inputs' copy");
        }
    }
    Core::StoreWriter::Options largeCache;
    largeCache.cacheMiB = 512;
    // A batch of 20,000 records is a transaction of its own, without a savepoint around it.
    largeCache.maxJobsPerCommit = 1;
    auto writer = Core::StoreWriter::start(storePath, largeCache);
    Core::VendorImporter::Options options;
    options.source = QStringLiteral("generic");
    options.filePath = csv;
    options.batchSize = int(kRowsPerTransaction);
    QElapsedTimer timer;
    timer.start();
    auto summary = Core::VendorImporter::run(**writer, businessId, options);
    const double seconds = timer.nsecsElapsed() / 1e9;
    if (!summary)
        qFatal("import failed: %s", qPrintable(summary.error().message));
    const double rate = double(summary->read) / seconds;

    std::printf("| rows | bare sqlite3 insert | parse + normalise | LeadDesk import | ratio "
                "(budget >= 0.5) |\n");
    std::printf("|---:|---:|---:|---:|---:|\n");
    std::printf("| %lld | %.0f rows/s | %.0f rows/s | %.0f rows/s (%.1f s) | %.2f |\n",
                (long long)n, baseline, parse, rate, seconds, rate / baseline);
    std::printf(
        "imported %lld, merged %lld, duplicate %lld, failed %lld (valid in parse pass: %lld)\n",
        (long long)summary->imported, (long long)summary->merged, (long long)summary->duplicates,
        (long long)summary->failed, (long long)valid);
    return rate / baseline >= 0.5 ? 0 : 1;
}
