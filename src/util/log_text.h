// Client input in log lines: a header value, a name, anything a peer chose. Quoted and escaped so
// that it cannot forge a line (CR, LF), hide itself (control characters, terminal escapes) or
// fill the log (length bound).
//
//   spdlog::info("origin {} refused", util::quoted_for_log(origin));
//   // origin "https://evil.example\x0d\x0afake line" refused
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace akasa::util {

// `text` in double quotes; `"` and `\` escaped with a backslash, other bytes outside printable
// ASCII (0x20..0x7e) as \xNN. Past `max_bytes` of input the rest is left out and the total
// length said: "aaaa..." (9000 bytes).
std::string quoted_for_log(std::string_view text, std::size_t max_bytes = 256);

}  // namespace akasa::util
