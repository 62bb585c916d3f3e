// Template definitions of worker_pool.h.
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

#include "clock.h"

namespace akasa::bench {

template <typename Done>
void wait_until(std::uint64_t deadline_ns, BrokerMonitor& monitor, Done done) {
    constexpr std::uint64_t kStepNs = 1'000'000;  // 1 ms: phase edges stay sharp
    std::uint64_t next_poll = 0;
    while (true) {
        const std::uint64_t now = monotonic_ns();
        if (now >= deadline_ns || done()) return;
        if (now >= next_poll) {
            monitor.poll();
            next_poll = now + 100 * kStepNs;
        }
        const std::uint64_t step = std::min(kStepNs, deadline_ns - now);
        std::this_thread::sleep_for(std::chrono::nanoseconds(step));
    }
}

}  // namespace akasa::bench
