// Reads another process's CPU time and memory from /proc (the broker under test, given by
// --broker-pid), and this process's own CPU time, so a report can say whether the broker or
// the load tool was the bottleneck.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>

namespace akasa::bench {

struct ProcessSample {
    std::uint64_t taken_ns = 0;        // CLOCK_MONOTONIC
    std::uint64_t cpu_ticks = 0;       // utime + stime, in clock ticks
    std::uint64_t rss_bytes = 0;       // VmRSS
    std::uint64_t peak_rss_bytes = 0;  // VmHWM
};

// nullopt when the process does not exist (or /proc is unreadable).
std::optional<ProcessSample> sample_process(pid_t pid);

// CPU use between two samples, in percent of one core.
double cpu_percent(const ProcessSample& from, const ProcessSample& to);

// This process's own CPU time (user + system), in nanoseconds.
std::uint64_t own_cpu_ns();

}  // namespace akasa::bench
