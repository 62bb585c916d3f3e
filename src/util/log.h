// Process-wide logging setup on top of spdlog. Every module logs through spdlog's default
// logger (spdlog::info(...) etc.); this file only decides where it goes and at what level.
//
//   akasa::util::init_logging("info");   // once, in `akasa start`, before threads start
#pragma once

#include <string_view>

namespace akasa::util {

// Sets the default logger to a thread-safe stderr sink with a compact pattern
// (time, level, thread id, message) and the given level name ("trace", "debug", "info",
// "warn", "error", "critical", "off"). Unknown names fall back to "info".
void init_logging(std::string_view level);

}  // namespace akasa::util
