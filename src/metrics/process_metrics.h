// The process_* families every Prometheus client library exports (same names, units and
// meaning), read from /proc on Linux, so dashboards and alerts written for any instrumented
// process work on the server too.
//
//   Registry r;
//   add_process_metrics(r, read_process_sample());   // once per scrape
//
// A value that cannot be read (no /proc, a kernel format we do not know) leaves its family
// out of the scrape rather than reporting a zero that looks real.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "metrics/registry.h"

namespace akasa::metrics {

namespace name {
inline constexpr std::string_view kResidentMemory = "process_resident_memory_bytes";
inline constexpr std::string_view kVirtualMemory = "process_virtual_memory_bytes";
inline constexpr std::string_view kOpenFds = "process_open_fds";
inline constexpr std::string_view kMaxFds = "process_max_fds";
inline constexpr std::string_view kCpuSeconds = "process_cpu_seconds_total";
inline constexpr std::string_view kStartTime = "process_start_time_seconds";
}  // namespace name

// The fields of /proc/<pid>/stat (proc(5)) the metrics need, in the kernel's units.
struct ProcStat {
    std::uint64_t user_ticks = 0;      // utime, clock ticks
    std::uint64_t system_ticks = 0;    // stime, clock ticks
    std::uint64_t start_ticks = 0;     // starttime: clock ticks after boot
    std::uint64_t virtual_bytes = 0;   // vsize
    std::uint64_t resident_pages = 0;  // rss
};

// Parses the one line of /proc/<pid>/stat; nullopt when it is not in that format. The
// command name (field 2) may hold spaces and parentheses: fields are counted after its
// last ')'.
std::optional<ProcStat> parse_proc_stat(std::string_view text);

// The boot time (seconds since the epoch) from the `btime` line of /proc/stat.
std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat);

struct ProcessSample {
    std::optional<double> resident_memory_bytes;
    std::optional<double> virtual_memory_bytes;
    std::optional<double> open_fds;
    std::optional<double> max_fds;  // the soft RLIMIT_NOFILE; +Inf when unlimited
    std::optional<double> cpu_seconds;
    std::optional<double> start_time_seconds;  // since the epoch
};

// What /proc/self/stat says, in the metrics' units: `ticks_per_second` is sysconf's
// _SC_CLK_TCK and `page_size` _SC_PAGESIZE; the start time needs the boot time.
ProcessSample sample_from_stat(const ProcStat& stat, std::optional<std::uint64_t> boot_time,
                               long ticks_per_second, long page_size);

// The open descriptors of the process whose /proc/<pid>/fd is `fd_dir`; nullopt when it
// cannot be read. Linux 6.2 and later report the count as the directory's size, read with one
// stat(): a server holding a million sockets is not listed on every scrape. Older kernels
// report 0 there, and then (or with `by_size` false) the entries are counted, not counting
// the descriptor used to list them.
std::optional<std::uint64_t> count_open_fds(const char* fd_dir = "/proc/self/fd",
                                            bool by_size = true);

// This process, now: /proc/self/stat, /proc/stat (its boot time read once), /proc/self/fd
// and getrlimit.
ProcessSample read_process_sample();

// Declares the families `sample` has values for, with their HELP text, and sets them.
void add_process_metrics(Registry& registry, const ProcessSample& sample);

}  // namespace akasa::metrics
