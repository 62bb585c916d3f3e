// Bounds the log lines one kind of repeated event may write (a flood of refused connections):
// at most `burst` lines per `window`; the rest are counted, and the next line that gets through
// says how many were left out. Thread-safe: one instance may be shared by all worker threads.
//
//   LogRateLimit limit(10, std::chrono::seconds(10));
//   if (auto permit = limit.next(steady_clock::now()); permit.log)
//       spdlog::warn("refused ...{}", suppressed_note(permit.suppressed));
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace akasa::util {

class LogRateLimit {
  public:
    using Clock = std::chrono::steady_clock;

    struct Permit {
        bool log = false;              // write this line
        std::uint64_t suppressed = 0;  // when log: lines left out since the last one written
    };

    LogRateLimit(std::uint32_t burst, Clock::duration window) : burst_(burst), window_(window) {}

    // One event at `now`: whether to log it.
    Permit next(Clock::time_point now);

  private:
    const std::uint32_t burst_;
    const Clock::duration window_;
    std::mutex mutex_;
    Clock::time_point window_start_{};
    bool started_ = false;
    std::uint32_t logged_ = 0;  // in the current window
    std::uint64_t suppressed_ = 0;
};

// "" for 0, else "; N similar lines left out before this one" (for the end of a permitted line).
std::string suppressed_note(std::uint64_t suppressed);

}  // namespace akasa::util
