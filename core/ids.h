#pragma once

#include <QString>

namespace LeadDesk::Core {

// Time-ordered identifiers and hybrid logical clock stamps for every synced row.
namespace Ids {

// A UUIDv7 (RFC 9562) as lower-case text: 48-bit Unix milliseconds, then randomness; ids made in
// the same millisecond by this process still sort in creation order.
[[nodiscard]] QString uuidV7(qint64 unixMs);
[[nodiscard]] QString uuidV7();
// A UUIDv7 whose random bits come from the caller (reproducible data sets such as the demo).
[[nodiscard]] QString uuidV7(qint64 unixMs, quint64 random);
// The same 36 characters written into the caller's buffer, for bulk writers that cannot afford
// a QString per id.
void formatUuidV7(char *out36, qint64 unixMs, quint64 random);

// The millisecond timestamp inside a UUIDv7, or -1 when the text is not one.
[[nodiscard]] qint64 uuidV7Timestamp(const QString &uuid);

// A hybrid logical clock stamp: physical milliseconds in the high 48 bits, a counter in the low
// 16. Monotonic within the process even if the wall clock steps back.
[[nodiscard]] qint64 nextHlc(qint64 physicalMs);

} // namespace Ids
} // namespace LeadDesk::Core
