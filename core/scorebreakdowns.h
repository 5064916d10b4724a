#pragma once

#include "result.h"

#include <QJsonObject>
#include <QtGlobal>

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

struct sqlite3;

namespace LeadDesk::Core {

class Database;

// The store's dictionary of score breakdowns (migration 0010): each distinct breakdown text is
// stored once in score_breakdowns, and a score row names its text by id. A million leads carry a
// few hundred distinct breakdowns, and the text was two fifths of every score row a rescore
// rewrites. Ids are looked up inside the caller's transaction and never cached beyond it: an id
// added by a transaction that rolls back goes with it.
class ScoreBreakdowns final
{
public:
    // The schema version whose migration adds the dictionary (0010_score_breakdowns).
    static constexpr int kSchemaVersion = 10;
    // The empty breakdown "{}", a score row's default.
    static constexpr qint64 kEmptyId = 0;

    // The id of `text` (compact JSON, as ScoringRules writes it), added when the store has not
    // seen it yet. The Database form keeps its statements prepared (the receiver's path).
    static Result<qint64> idOf(Database &db, std::string_view text);
    // The same for a breakdown object, in the compact form QJsonDocument writes.
    static Result<qint64> idOf(Database &db, const QJsonObject &breakdown);
    static Result<qint64> idOf(sqlite3 *db, std::string_view text);

    // Every entry, read in the connection's current snapshot: for readers that turn many rows'
    // ids back into text.
    using Texts = std::unordered_map<qint64, std::string>;
    static Result<Texts> all(sqlite3 *db);
    // The same, by text: for a writer about to name many rows' breakdowns.
    struct TextHash
    {
        using is_transparent = void; // found by a string_view, without a copy
        std::size_t operator()(std::string_view text) const
        {
            return std::hash<std::string_view>{}(text);
        }
    };
    using Ids = std::unordered_map<std::string, qint64, TextHash, std::equal_to<>>;
    static Result<Ids> allByText(sqlite3 *db);
};

} // namespace LeadDesk::Core
