// Process-wide logging setup on top of spdlog. Every module logs through spdlog's default
// logger (spdlog::info(...) etc.); this file only decides where it goes and at what level.
//
//   akasa::util::init_logging("info");   // once, in `akasa start`, before threads start
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace akasa::util {

// Sets the default logger to a thread-safe stderr sink with a compact pattern
// (time, level, thread id, message) and the given level name ("trace", "debug", "info",
// "warn", "error", "critical", "off"). Unknown names fall back to "info".
// Every message is escaped first (escape_log_text): what clients send (client ids, user names,
// topics) cannot forge a log line or reach the terminal as a control sequence.
void init_logging(std::string_view level);

// The level RUST_LOG asks for, read as the Rust Akasa's env_logger reads it: a
// comma-separated list of `LEVEL` (everything) and `TARGET=LEVEL` directives; the `akasa`
// target's level wins over the global one. nullopt when it names no level we know.
//   level_from_rust_log("warn,akasa=debug") -> "debug";  level_from_rust_log("info") -> "info"
std::optional<std::string> level_from_rust_log(std::string_view value);

// Appends `text` to `out` with control characters (C0, DEL, and the UTF-8 form of the C1
// controls U+0080..U+009F) written as \xNN; everything else as it is.
void escape_log_text(std::string_view text, std::string& out);

}  // namespace akasa::util
