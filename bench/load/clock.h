// The one clock of the load tool: CLOCK_MONOTONIC in nanoseconds. Publishers stamp it into
// every payload and subscribers subtract it on arrival, so both sides must read the same
// clock (they run in one process, possibly on different threads).
#pragma once

#include <time.h>

#include <cstdint>

namespace akasa::bench {

inline std::uint64_t monotonic_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<std::uint64_t>(ts.tv_sec) * 1'000'000'000ull +
           static_cast<std::uint64_t>(ts.tv_nsec);
}

inline constexpr std::uint64_t kNsPerSecond = 1'000'000'000ull;

inline std::uint64_t seconds_to_ns(double seconds) {
    return static_cast<std::uint64_t>(seconds * static_cast<double>(kNsPerSecond));
}

}  // namespace akasa::bench
