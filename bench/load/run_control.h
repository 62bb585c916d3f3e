// What the main thread and the worker threads share during a run: the phase boundaries
// (set once, read on every loop iteration), progress counters the main thread polls, and the
// first error. Workers publish their counters once per loop iteration, not per message.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>

namespace akasa::bench {

inline constexpr std::uint64_t kNever = UINT64_MAX;

struct RunControl {
    // Phase boundaries in CLOCK_MONOTONIC ns; kNever until the main thread sets them.
    std::atomic<std::uint64_t> publish_start_ns{kNever};
    std::atomic<std::uint64_t> measure_start_ns{kNever};
    std::atomic<std::uint64_t> measure_end_ns{kNever};
    std::atomic<std::uint64_t> publish_stop_ns{kNever};
    std::atomic<bool> stop{false};  // disconnect everything and return

    // Progress, summed over workers.
    std::atomic<std::uint64_t> ready_connections{0};
    std::atomic<std::uint64_t> failed_connections{0};
    std::atomic<std::uint64_t> sent_messages{0};
    std::atomic<std::uint64_t> received_messages{0};

    void fail(const std::string& message) {
        std::lock_guard lock(error_mutex);
        if (first_error.empty()) first_error = message;
        failed_connections.fetch_add(1, std::memory_order_relaxed);
    }
    std::string error() {
        std::lock_guard lock(error_mutex);
        return first_error;
    }

  private:
    std::mutex error_mutex;
    std::string first_error;
};

}  // namespace akasa::bench
