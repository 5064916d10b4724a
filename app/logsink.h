#pragma once

namespace LeadDesk::App {

// Routes every Qt log category (leaddesk.store, leaddesk.http, ...) to spdlog: human-readable
// lines on stderr, or one JSON object per line for `leaddeskctl serve`.
enum class LogFormat { Human, JsonLines };
// Quiet: warnings and errors only (command-line tools, whose own output is the result);
// Normal: also informational lines; Verbose (--verbose): also debug lines.
enum class LogLevel { Quiet, Normal, Verbose };
// May be called again to change the format or level (the previous logger is replaced).
void installLogSink(LogFormat format, LogLevel level);
// The desktop app: informational lines, debug ones with --verbose.
inline void installLogSink(LogFormat format, bool verbose)
{
    installLogSink(format, verbose ? LogLevel::Verbose : LogLevel::Normal);
}

} // namespace LeadDesk::App
