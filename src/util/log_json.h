// log_format: json. One JSON object per line:
//   {"time":"2026-12-07T02:55:08.123Z","level":"info","thread":4242,"message":"..."}
// with "client_id" and "address" added while the logging thread is inside a LogFieldsScope.
// Every string is valid JSON whatever the bytes logged: quotes, backslashes and control
// characters (C0, DEL, C1) are \u escapes, and a byte that is not part of valid UTF-8 is
// written as \u00XX; so a client-supplied text can neither forge a line nor break the parse.
#pragma once

#include <spdlog/formatter.h>

#include <memory>
#include <string>
#include <string_view>

namespace akasa::util {

// Adds "client_id" and "address" to this thread's JSON log lines until destroyed (scopes
// nest; the innermost wins; an empty one is left out). It copies both: worth it only when
// json_log_fields_wanted().
// Text lines are unchanged.
//   std::optional<LogFieldsScope> fields;
//   if (json_log_fields_wanted()) fields.emplace(client_id, peer_address);
//   spdlog::info("subscribed to {}", filter);   // json: ..."client_id":"c1","address":"..."
class LogFieldsScope {
  public:
    LogFieldsScope(std::string client_id, std::string address);
    ~LogFieldsScope();
    LogFieldsScope(const LogFieldsScope&) = delete;
    LogFieldsScope& operator=(const LogFieldsScope&) = delete;

  private:
    const LogFieldsScope* outer_;
    std::string client_id_;
    std::string address_;
    friend class JsonLogFormatter;
};

// True when the log is JSON (set by init_logging, changed by switch_log_destination).
bool json_log_fields_wanted();

class JsonLogFormatter final : public spdlog::formatter {
  public:
    void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;
    std::unique_ptr<spdlog::formatter> clone() const override;
};

// Appends `text` to `out` as a JSON string, quotes included (the rules above).
void append_json_string(std::string_view text, std::string& out);

}  // namespace akasa::util
