#pragma once

#include <QString>

namespace LeadDesk::Ui {

// How values read in the views: one place, so the list, the detail pane and exports agree.
namespace Formatting {
[[nodiscard]] QString dateTime(qint64 utcMs);          // local time, "2025-10-03 10:30"
[[nodiscard]] QString relativeAge(qint64 utcMs, qint64 nowMs); // "5 min ago", "3 d ago"
[[nodiscard]] QString channelLabel(const QString &channel); // "whatsapp" -> "WhatsApp"
[[nodiscard]] QString statusLabel(const QString &status);   // "closed_won" -> "Closed won"
[[nodiscard]] QString qualificationLabel(const QString &q); // "sales_qualified" -> "SQL"
} // namespace Formatting

} // namespace LeadDesk::Ui
