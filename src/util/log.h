// Process-wide logging setup on top of spdlog. Every module logs through spdlog's default
// logger (spdlog::info(...) etc.); this file only decides where it goes and at what level.
//
//   akasa::util::init_logging({.level = "info", .file = "/var/log/akasa.log"});  // throws
//   ...on SIGHUP: if (auto error = akasa::util::reopen_log_file()) spdlog::error(...);
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace akasa::util {

struct LogOptions {
    // "trace", "debug", "info", "warn", "error", "critical", "off"; unknown names: "info".
    std::string level = "info";
    bool json = false;  // log_json.h; else text: time, level, thread id, message
    // At most one of these; neither: stderr.
    std::optional<std::string> file;           // appended to, reopened by reopen_log_file()
    std::optional<std::string> syslog_socket;  // a syslog daemon's socket, e.g. /dev/log
};

// Sets the default logger, called once in `akasa start` before threads start. Every text
// message is escaped first (escape_log_text), every JSON one is JSON-escaped: what clients
// send (client ids, user names, topics) cannot forge a log line or reach the terminal as a
// control sequence. Throws std::system_error naming the file or socket it cannot open.
void init_logging(const LogOptions& options);

// After logrotate renamed the log file: opens `file` again and writes there from now on.
// nullopt when done or when logging goes to no file; else why the old file is still used.
std::optional<std::string> reopen_log_file();

// The level RUST_LOG asks for, read as the Rust Akasa's env_logger reads it: a
// comma-separated list of `LEVEL` (everything) and `TARGET=LEVEL` directives; the `akasa`
// target's level wins over the global one. nullopt when it names no level we know.
//   level_from_rust_log("warn,akasa=debug") -> "debug";  level_from_rust_log("info") -> "info"
std::optional<std::string> level_from_rust_log(std::string_view value);

// Appends `text` to `out` with control characters (C0, DEL, and the UTF-8 form of the C1
// controls U+0080..U+009F) written as \xNN; everything else as it is.
void escape_log_text(std::string_view text, std::string& out);

}  // namespace akasa::util
