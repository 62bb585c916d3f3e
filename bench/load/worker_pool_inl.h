// Template definitions of worker_pool.h.
#pragma once

#include <algorithm>
#include <chrono>
#include <thread>

#include "clock.h"

namespace akasa::bench {

template <typename Done>
void wait_until(std::uint64_t deadline_ns, BrokerMonitor& monitor, Done done) {
    // Phase edges stay exact (the last sleep ends at the deadline); the step only bounds how
    // late `done()` is noticed. 10 ms rather than 1 ms: this thread shares the cores with the
    // broker under test, and each wake-up can preempt one of its workers.
    constexpr std::uint64_t kStepNs = 10'000'000;
    constexpr std::uint64_t kMonitorPeriodNs = 100'000'000;
    std::uint64_t next_poll = 0;
    while (true) {
        const std::uint64_t now = monotonic_ns();
        if (now >= deadline_ns || done()) return;
        if (now >= next_poll) {
            monitor.poll();
            next_poll = now + kMonitorPeriodNs;
        }
        const std::uint64_t step = std::min(kStepNs, deadline_ns - now);
        std::this_thread::sleep_for(std::chrono::nanoseconds(step));
    }
}

}  // namespace akasa::bench
