#include "process_probe.h"

#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>

#include "clock.h"
#include "metrics/process_metrics.h"

namespace akasa::bench {

namespace {

// utime + stime of /proc/PID/stat, parsed as the server's process_cpu_seconds_total is.
std::optional<std::uint64_t> read_cpu_ticks(pid_t pid) {
    std::ifstream file("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(file, line)) return std::nullopt;
    const auto stat = metrics::parse_proc_stat(line);
    if (!stat) return std::nullopt;
    return stat->user_ticks + stat->system_ticks;
}

std::uint64_t status_kib(const std::string& status, const char* key) {
    const auto at = status.find(key);
    if (at == std::string::npos) return 0;
    return std::strtoull(status.c_str() + at + std::strlen(key), nullptr, 10);
}

}  // namespace

std::optional<ProcessSample> sample_process(pid_t pid) {
    if (pid <= 0) return std::nullopt;
    ProcessSample sample;
    sample.taken_ns = monotonic_ns();
    const auto ticks = read_cpu_ticks(pid);
    if (!ticks) return std::nullopt;
    sample.cpu_ticks = *ticks;
    std::ifstream file("/proc/" + std::to_string(pid) + "/status");
    std::stringstream status;
    status << file.rdbuf();
    sample.rss_bytes = status_kib(status.str(), "VmRSS:") * 1024;
    sample.peak_rss_bytes = status_kib(status.str(), "VmHWM:") * 1024;
    return sample;
}

double cpu_percent(const ProcessSample& from, const ProcessSample& to) {
    if (to.taken_ns <= from.taken_ns) return 0.0;
    const double seconds = static_cast<double>(to.taken_ns - from.taken_ns) / kNsPerSecond;
    const double cpu_seconds =
        static_cast<double>(to.cpu_ticks - from.cpu_ticks) / sysconf(_SC_CLK_TCK);
    return 100.0 * cpu_seconds / seconds;
}

std::uint64_t own_cpu_ns() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto ns = [](const timeval& tv) {
        return static_cast<std::uint64_t>(tv.tv_sec) * kNsPerSecond +
               static_cast<std::uint64_t>(tv.tv_usec) * 1000;
    };
    return ns(usage.ru_utime) + ns(usage.ru_stime);
}

}  // namespace akasa::bench
