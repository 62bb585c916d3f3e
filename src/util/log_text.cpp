#include "util/log_text.h"

#include <fmt/format.h>

namespace akasa::util {

std::string quoted_for_log(std::string_view text, std::size_t max_bytes) {
    const std::string_view shown = text.substr(0, max_bytes);
    std::string out;
    out.reserve(shown.size() + 2);
    out += '"';
    for (char c : shown) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (byte < 0x20 || byte > 0x7e) {
            out += fmt::format("\\x{:02x}", byte);
        } else {
            out += c;
        }
    }
    if (shown.size() < text.size()) {
        out += fmt::format("...\" ({} bytes)", text.size());
    } else {
        out += '"';
    }
    return out;
}

}  // namespace akasa::util
