#pragma once

#include "database.h"
#include "result.h"

#include <QStringList>

#include <functional>
#include <optional>

class QIODevice;

namespace LeadDesk::Core {

// Writes a business's leads in the export format of DESIGN §7: JSON Lines with seed 004's field
// names plus contact_id, channel, score_breakdown, details and the lead's messages (oldest first),
// or CSV with the same scalar columns, score_breakdown and details as compact JSON text and
// message_count in place of the messages. Absent values are JSON null (an empty CSV field).
//
// Streams with flat memory: leads are read in created_at order in keyset pages, each page's
// messages with one query, all inside one read transaction so the export is a consistent
// snapshot. Tombstoned leads and messages are left out.
class LeadExporter final
{
public:
    enum class Format { JsonLines, Csv };

    // Writes every lead of the business to `out` (already open for writing) and returns how many
    // it wrote. `progress` is called after each page with (leads done, leads total).
    static Result<qint64> exportLeads(Database &db, const QString &businessId, Format format,
                                      QIODevice &out,
                                      const std::function<void(qint64, qint64)> &progress = {});

    // "json", "jsonl" or "csv", in any case.
    [[nodiscard]] static std::optional<Format> parseFormat(const QString &name);

    // The JSON keys of one lead, in the order they are written.
    [[nodiscard]] static QStringList jsonKeys();
    // The CSV header row.
    [[nodiscard]] static QStringList csvColumns();
};

} // namespace LeadDesk::Core
