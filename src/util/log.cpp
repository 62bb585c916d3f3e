#include "util/log.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/dist_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "util/log_json.h"
#include "util/log_sinks.h"

#include <atomic>
#include <memory>
#include <string>
#include <utility>

namespace akasa::util {

namespace {

// The default logger's only sink, which passes each line to the destination's sink:
// switching destinations swaps that under its lock, so no line is lost or split.
std::shared_ptr<spdlog::sinks::dist_sink_mt> destination_sink;
// The destination's file sink, for reopen_log_file (main thread only, like the calls that
// set it).
std::shared_ptr<ReopenableFileSink> log_file_sink;
// Read by every thread logging (json_log_fields_wanted); a switch may change it.
std::atomic<bool> json_log_enabled{false};

constexpr const char* kTextPattern = "%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%t] %v";
// Syslog stamps the time and the process itself.
constexpr const char* kSyslogPattern = "%l [%t] %v";

constexpr char kHex[] = "0123456789abcdef";

void append_escaped_byte(std::string& out, unsigned char c) {
    out += "\\x";
    out += kHex[c >> 4];
    out += kHex[c & 0x0F];
}

// Formats with the pattern after escaping the message: client ids, user names, topics and
// reason strings reach the log from clients, and a newline or an ESC sequence in one would
// forge log lines or drive the operator's terminal.
class EscapingFormatter final : public spdlog::formatter {
  public:
    explicit EscapingFormatter(std::string pattern)
        : pattern_(pattern), inner_(std::make_unique<spdlog::pattern_formatter>(pattern)) {}

    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
        const std::string_view text(msg.payload.data(), msg.payload.size());
        if (!needs_escaping(text)) return inner_->format(msg, dest);
        escaped_.clear();
        escape_log_text(text, escaped_);
        spdlog::details::log_msg copy = msg;
        copy.payload = spdlog::string_view_t(escaped_.data(), escaped_.size());
        inner_->format(copy, dest);
    }

    std::unique_ptr<spdlog::formatter> clone() const override {
        return std::make_unique<EscapingFormatter>(pattern_);
    }

  private:
    static bool needs_escaping(std::string_view text) {
        for (const unsigned char c : text) {
            if (c < 0x20 || c == 0x7F || c == 0xC2) return true;
        }
        return false;
    }

    std::string pattern_;
    std::unique_ptr<spdlog::formatter> inner_;
    std::string escaped_;  // sinks call format() under their own lock: one at a time
};

}  // namespace

void escape_log_text(std::string_view text, std::string& out) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7F) {
            append_escaped_byte(out, c);
        } else if (c == 0xC2 && i + 1 < text.size() &&
                   static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
            // U+0080..U+009F, the C1 controls (CSI among them) some terminals obey.
            append_escaped_byte(out, c);
            append_escaped_byte(out, static_cast<unsigned char>(text[++i]));
        } else {
            out += static_cast<char>(c);
        }
    }
}

std::optional<std::string> level_from_rust_log(std::string_view value) {
    auto known = [](std::string_view level) -> std::optional<std::string> {
        std::string lower;
        for (const char c : level)
            lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
        for (const char* name : {"trace", "debug", "info", "warn", "error", "off"}) {
            if (lower == name) return lower;
        }
        return std::nullopt;
    };
    std::optional<std::string> global, ours;
    while (!value.empty()) {
        const auto comma = value.find(',');
        std::string_view directive = value.substr(0, comma);
        value.remove_prefix(comma == std::string_view::npos ? value.size() : comma + 1);
        // env_logger's `/regex` filter suffix does not change the level.
        directive = directive.substr(0, directive.find('/'));
        const auto equals = directive.find('=');
        if (equals == std::string_view::npos) {
            if (auto level = known(directive)) global = level;
            continue;
        }
        const std::string_view target = directive.substr(0, equals);
        if (target == "akasa" || target.starts_with("akasa::")) {
            if (auto level = known(directive.substr(equals + 1))) ours = level;
        }
    }
    return ours ? ours : global;
}

LogDestination::LogDestination(const LogOptions& options) : json_(options.json) {
    std::string pattern = kTextPattern;
    if (options.file) {
        file_ = std::make_shared<ReopenableFileSink>(*options.file);
        sink_ = file_;
        description_ = "log_file " + *options.file;
    } else if (options.syslog_socket) {
        sink_ = std::make_shared<SyslogSink>(*options.syslog_socket);
        pattern = kSyslogPattern;
        description_ = "log_syslog " + *options.syslog_socket;
    } else {
        sink_ = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
        description_ = "stderr";
    }
    if (json_) {
        sink_->set_formatter(std::make_unique<JsonLogFormatter>());
        description_ += " (json)";
    } else {
        sink_->set_formatter(std::make_unique<EscapingFormatter>(pattern));
    }
}

void LogDestination::abandon() {
    if (file_) file_->remove_if_unused();
}

void switch_log_destination(LogDestination destination) {
    json_log_enabled.store(destination.json_, std::memory_order_relaxed);
    destination_sink->set_sinks({std::move(destination.sink_)});
    log_file_sink = std::move(destination.file_);
}

void init_logging(const LogOptions& options) {
    spdlog::drop("akasa");  // allows a second call (tests)
    LogDestination destination(options);
    destination_sink = std::make_shared<spdlog::sinks::dist_sink_mt>();
    switch_log_destination(std::move(destination));
    auto logger = std::make_shared<spdlog::logger>("akasa", destination_sink);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
    set_log_level(options.level);
}

void set_log_level(const std::string& level) {
    auto parsed = spdlog::level::from_str(level);
    // from_str returns `off` for unknown names; only accept it when asked for explicitly.
    if (parsed == spdlog::level::off && level != "off") parsed = spdlog::level::info;
    spdlog::default_logger_raw()->set_level(parsed);
}

bool json_log_fields_wanted() {
    return json_log_enabled.load(std::memory_order_relaxed);
}

std::optional<std::string> reopen_log_file() {
    if (!log_file_sink) return std::nullopt;
    return log_file_sink->reopen();
}

}  // namespace akasa::util
