#pragma once

namespace LeadDesk::App {

// Routes every Qt log category (leaddesk.store, leaddesk.http, ...) to spdlog: human-readable
// lines on stderr, or one JSON object per line for `leaddeskctl serve`. Debug output is shown
// only with --verbose.
enum class LogFormat { Human, JsonLines };
void installLogSink(LogFormat format, bool verbose);

} // namespace LeadDesk::App
