// One readable warning per kind of limit event, at most every kLimitLogInterval per worker:
// a client flooding the server into a limit must not flood the log as well. The events in
// between are counted (akasa_limit_hits_total) and the next line says how many there were.
//
//   LimitLog log;
//   if (auto line = log.take(MemoryLimit::Subscriptions, now))   // std::nullopt: hold back
//       spdlog::warn("client {} ...{}", id, line->suffix());      //
//       "(max_subscriptions_per_client; 12 more since the last report)"
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "broker/limits/memory_limit.h"

namespace akasa::broker {

class LimitLog {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds kInterval{10};

    struct Line {
        MemoryLimit limit;
        std::uint64_t held_back = 0;  // events of this kind not logged since the last line
        // " (max_subscriptions_per_client)" or " (max_...; 12 more since the last report)"
        std::string suffix() const;
    };

    // An event of `limit` at `now`: a line to write, or nullopt when one was written less
    // than kInterval ago (the event is then counted for the next line).
    std::optional<Line> take(MemoryLimit limit, Clock::time_point now);

  private:
    struct Kind {
        Clock::time_point last{};
        bool logged = false;
        std::uint64_t held_back = 0;
    };
    std::array<Kind, kMemoryLimitCount> kinds_{};
};

}  // namespace akasa::broker
