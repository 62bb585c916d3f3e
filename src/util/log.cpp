#include "util/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <string>

namespace akasa::util {

void init_logging(std::string_view level) {
    spdlog::drop("akasa");  // allows a second call (tests)
    auto logger = spdlog::stderr_color_mt("akasa");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%-5l%$ [%t] %v");
    auto parsed = spdlog::level::from_str(std::string(level));
    // from_str returns `off` for unknown names; only accept it when asked for explicitly.
    if (parsed == spdlog::level::off && level != "off") parsed = spdlog::level::info;
    logger->set_level(parsed);
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace akasa::util
