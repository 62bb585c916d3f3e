#include "util/log_json.h"

#include <chrono>
#include <ctime>

#include <fmt/format.h>

namespace akasa::util {

namespace {

thread_local const LogFieldsScope* current_fields = nullptr;

constexpr char kHex[] = "0123456789abcdef";

void append_u_escape(std::string& out, unsigned code) {
    out += "\\u00";
    out += kHex[(code >> 4) & 0x0F];
    out += kHex[code & 0x0F];
}

// Length of the valid UTF-8 sequence starting at text[i] (2..4), or 0 when there is none.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    std::size_t length = 0;
    unsigned min = 0;
    unsigned code = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2, min = 0x80, code = lead & 0x1F;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3, min = 0x800, code = lead & 0x0F;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4, min = 0x10000, code = lead & 0x07;
    } else {
        return 0;
    }
    if (i + length > text.size()) return 0;
    for (std::size_t k = 1; k < length; ++k) {
        if ((byte(i + k) & 0xC0) != 0x80) return 0;
        code = (code << 6) | (byte(i + k) & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    if (code < min || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return 0;
    return length;
}

std::string_view level_name(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::trace:
            return "trace";
        case spdlog::level::debug:
            return "debug";
        case spdlog::level::info:
            return "info";
        case spdlog::level::warn:
            return "warn";
        case spdlog::level::err:
            return "error";
        default:
            return "critical";
    }
}

}  // namespace

LogFieldsScope::LogFieldsScope(std::string client_id, std::string address)
    : outer_(current_fields), client_id_(std::move(client_id)), address_(std::move(address)) {
    current_fields = this;
}

LogFieldsScope::~LogFieldsScope() {
    current_fields = outer_;
}

void append_json_string(std::string_view text, std::string& out) {
    out += '"';
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
            ++i;
        } else if (c < 0x20 || c == 0x7F) {
            append_u_escape(out, c);
            ++i;
        } else if (c < 0x80) {
            out += static_cast<char>(c);
            ++i;
        } else if (const std::size_t length = utf8_sequence_length(text, i); length == 0) {
            append_u_escape(out, c);  // not UTF-8: the byte's value as a code point
            ++i;
        } else if (c == 0xC2 && static_cast<unsigned char>(text[i + 1]) <= 0x9F) {
            // U+0080..U+009F, the C1 controls (CSI among them) some terminals obey.
            append_u_escape(out, static_cast<unsigned char>(text[i + 1]));
            i += 2;
        } else {
            out.append(text.substr(i, length));
            i += length;
        }
    }
    out += '"';
}

void JsonLogFormatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
    const auto since_epoch = msg.time.time_since_epoch();
    const std::time_t seconds =
        std::chrono::duration_cast<std::chrono::seconds>(since_epoch).count();
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count() % 1000;
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);

    std::string line = fmt::format(R"({{"time":"{}.{:03}Z","level":"{}","thread":{},"message":)",
                                   stamp, millis, level_name(msg.level), msg.thread_id);
    append_json_string(std::string_view(msg.payload.data(), msg.payload.size()), line);
    // Empty means not known (yet): before its CONNECT is read a client has no id.
    if (const LogFieldsScope* fields = current_fields) {
        if (!fields->client_id_.empty()) {
            line += R"(,"client_id":)";
            append_json_string(fields->client_id_, line);
        }
        if (!fields->address_.empty()) {
            line += R"(,"address":)";
            append_json_string(fields->address_, line);
        }
    }
    line += "}\n";
    dest.append(line.data(), line.data() + line.size());
}

std::unique_ptr<spdlog::formatter> JsonLogFormatter::clone() const {
    return std::make_unique<JsonLogFormatter>();
}

}  // namespace akasa::util
