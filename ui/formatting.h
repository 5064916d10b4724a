#pragma once

#include <QColor>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <utility>

class QPalette;

namespace LeadDesk::Ui {

// How values read in the views: one place, so the list, the detail pane and exports agree.
namespace Formatting {
[[nodiscard]] QString dateTime(qint64 utcMs);                  // local time, "2025-10-03 10:30"
[[nodiscard]] QString relativeAge(qint64 utcMs, qint64 nowMs); // "5 min ago", "3 d ago"
[[nodiscard]] QString channelLabel(const QString &channel);    // "whatsapp" -> "WhatsApp"
[[nodiscard]] QString statusLabel(const QString &status);      // "closed_won" -> "Closed won"
[[nodiscard]] QString qualificationLabel(const QString &q);    // "sales_qualified" -> "SQL"
[[nodiscard]] QString duration(qint64 ms);                     // "45 min", "2 h 10 min", "3 d 4 h"
[[nodiscard]] QString count(qint64 n); // "12,345": grouped even in the C locale
// A library's message fragment as a sentence: "the account is locked" -> "The account is locked."
[[nodiscard]] QString sentence(const QString &fragment);
[[nodiscard]] QString keyLabel(const QString &key); // "credit_score" -> "Credit score"
// A stored value as words when it is a machine word ("this_week" -> "This week"); other text,
// such as "Low (this month)" or "3-6 months", as it is.
[[nodiscard]] QString readableValue(const QString &value);
// Secondary text (labels, "Unassigned", empty states): readable, but quieter than the text.
[[nodiscard]] QColor mutedTextColor(const QPalette &palette);
// A source's details as readable label/value lines: nested objects become "Parent › Child",
// arrays of scalars one comma-separated value, arrays of objects numbered entries.
[[nodiscard]] QList<std::pair<QString, QString>> flattenDetails(const QJsonObject &details);
} // namespace Formatting

} // namespace LeadDesk::Ui
