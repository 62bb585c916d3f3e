#include "broker/limits/limit_log.h"

#include <fmt/format.h>

namespace akasa::broker {

std::string LimitLog::Line::suffix() const {
    if (held_back == 0) return fmt::format(" ({})", config_key(limit));
    return fmt::format(" ({}; {} more since the last report)", config_key(limit), held_back);
}

std::optional<LimitLog::Line> LimitLog::take(MemoryLimit limit, Clock::time_point now) {
    Kind& kind = kinds_[static_cast<std::size_t>(limit)];
    if (kind.logged && now - kind.last < kInterval) {
        ++kind.held_back;
        return std::nullopt;
    }
    Line line{limit, kind.held_back};
    kind.logged = true;
    kind.last = now;
    kind.held_back = 0;
    return line;
}

}  // namespace akasa::broker
