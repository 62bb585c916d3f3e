// Process-wide logging setup on top of spdlog. Every module logs through spdlog's default
// logger (spdlog::info(...) etc.); this file only decides where it goes and at what level.
//
//   akasa::util::init_logging({.level = "info", .file = "/var/log/akasa.log"});  // throws
//   ...on SIGHUP: if (auto error = akasa::util::reopen_log_file()) spdlog::error(...);
//   ...or, when the config names another destination or level:
//   LogDestination next({.file = "/var/log/new.log"});   // throws: nothing changed then
//   switch_log_destination(std::move(next));  set_log_level("debug");
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace spdlog::sinks {
class sink;
}

namespace akasa::util {

class ReopenableFileSink;

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

// SIGHUP: the least severe level written from now on (the names of LogOptions::level).
// Any thread: the logger's level is atomic.
void set_log_level(const std::string& level);

// Where the log goes and in which format (LogOptions' json, file and syslog_socket), opened
// before the log switches to it, so that one that cannot be opened leaves the current one in
// force.
class LogDestination {
  public:
    // Opens the file or checks the socket; throws std::system_error naming it.
    explicit LogDestination(const LogOptions& options);
    // "stderr", "log_file /var/log/akasa.log", "log_syslog /dev/log"; then " (json)" for
    // the JSON format.
    const std::string& description() const { return description_; }
    // It will not be switched to (the reload that asked for it was refused): a log file it
    // created is removed again, so a refusal leaves no trace on disk.
    void abandon();

  private:
    friend void switch_log_destination(LogDestination destination);
    std::shared_ptr<spdlog::sinks::sink> sink_;
    std::shared_ptr<ReopenableFileSink> file_;  // when it is a file
    bool json_ = false;
    std::string description_;
};

// Main thread, after init_logging: every line from now on goes to `destination` (a line
// being written meanwhile goes whole to one or the other); reopen_log_file() reopens its file.
void switch_log_destination(LogDestination destination);

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
