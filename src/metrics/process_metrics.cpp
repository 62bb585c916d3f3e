#include "metrics/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>

namespace akasa::metrics {

namespace {

// Fields of /proc/<pid>/stat counted from 1 (proc(5)); the first after the command name is 3.
constexpr int kFirstAfterName = 3;
constexpr int kUserTime = 14;
constexpr int kSystemTime = 15;
constexpr int kStartTime = 22;
constexpr int kVirtualSize = 23;
constexpr int kResidentPages = 24;

bool parse_number(std::string_view text, std::uint64_t& out) {
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

std::optional<std::string> read_text(const char* path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (in.bad()) return std::nullopt;
    return text;
}

}  // namespace

std::optional<ProcStat> parse_proc_stat(std::string_view text) {
    const auto name_end = text.rfind(')');
    if (name_end == std::string_view::npos) return std::nullopt;
    std::array<std::string_view, kResidentPages + 1> fields{};  // by number; 0 to 2 unused
    std::string_view rest = text.substr(name_end + 1);
    for (int field = kFirstAfterName; field <= kResidentPages; ++field) {
        const auto start = rest.find_first_not_of(" \n");
        if (start == std::string_view::npos) return std::nullopt;  // the line ends too early
        rest.remove_prefix(start);
        const auto length = std::min(rest.find_first_of(" \n"), rest.size());
        fields[field] = rest.substr(0, length);
        rest.remove_prefix(length);
    }
    ProcStat stat;
    if (!parse_number(fields[kUserTime], stat.user_ticks) ||
        !parse_number(fields[kSystemTime], stat.system_ticks) ||
        !parse_number(fields[kStartTime], stat.start_ticks) ||
        !parse_number(fields[kVirtualSize], stat.virtual_bytes) ||
        !parse_number(fields[kResidentPages], stat.resident_pages)) {
        return std::nullopt;
    }
    return stat;
}

std::optional<std::uint64_t> parse_boot_time(std::string_view proc_stat) {
    constexpr std::string_view kKey = "btime ";
    while (!proc_stat.empty()) {
        const auto line_end = std::min(proc_stat.find('\n'), proc_stat.size());
        std::string_view line = proc_stat.substr(0, line_end);
        proc_stat.remove_prefix(std::min(line_end + 1, proc_stat.size()));
        if (!line.starts_with(kKey)) continue;
        std::uint64_t seconds = 0;
        if (!parse_number(line.substr(kKey.size()), seconds)) return std::nullopt;
        return seconds;
    }
    return std::nullopt;
}

ProcessSample sample_from_stat(const ProcStat& stat, std::optional<std::uint64_t> boot_time,
                               long ticks_per_second, long page_size) {
    ProcessSample sample;
    sample.virtual_memory_bytes = static_cast<double>(stat.virtual_bytes);
    if (page_size > 0) {
        sample.resident_memory_bytes =
            static_cast<double>(stat.resident_pages) * static_cast<double>(page_size);
    }
    if (ticks_per_second > 0) {
        const auto hz = static_cast<double>(ticks_per_second);
        sample.cpu_seconds = static_cast<double>(stat.user_ticks + stat.system_ticks) / hz;
        if (boot_time) {
            sample.start_time_seconds =
                static_cast<double>(*boot_time) + static_cast<double>(stat.start_ticks) / hz;
        }
    }
    return sample;
}

std::optional<std::uint64_t> count_open_fds(const char* fd_dir, bool by_size) {
    struct stat info {};
    if (by_size && ::stat(fd_dir, &info) == 0 && info.st_size > 0) {
        return static_cast<std::uint64_t>(info.st_size);
    }
    DIR* dir = ::opendir(fd_dir);
    if (!dir) return std::nullopt;
    // The directory's own descriptor is listed too: it is ours, not the server's.
    const int own = ::dirfd(dir);
    std::uint64_t count = 0;
    while (const dirent* entry = ::readdir(dir)) {
        std::uint64_t fd = 0;
        if (!parse_number(entry->d_name, fd)) continue;  // "." and ".."
        if (static_cast<int>(fd) != own) ++count;
    }
    ::closedir(dir);
    return count;
}

ProcessSample read_process_sample() {
    // The boot time does not change while we run; /proc/stat is long (a line per CPU and
    // interrupt counts), so it is read for the first scrape only.
    static const std::optional<std::uint64_t> boot_time = [] {
        const auto text = read_text("/proc/stat");
        return text ? parse_boot_time(*text) : std::nullopt;
    }();
    ProcessSample sample;
    if (const auto text = read_text("/proc/self/stat")) {
        if (const auto stat = parse_proc_stat(*text)) {
            sample =
                sample_from_stat(*stat, boot_time, ::sysconf(_SC_CLK_TCK), ::sysconf(_SC_PAGESIZE));
        }
    }
    if (const auto open = count_open_fds()) sample.open_fds = static_cast<double>(*open);
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
        sample.max_fds = limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<double>::infinity()
                                                         : static_cast<double>(limit.rlim_cur);
    }
    return sample;
}

void add_process_metrics(Registry& registry, const ProcessSample& sample) {
    auto add = [&](std::string_view family, MetricType type, const char* help,
                   const std::optional<double>& value) {
        if (!value) return;
        registry.declare(std::string(family), type, help);
        registry.set(family, {}, *value);
    };
    using enum MetricType;
    add(name::kResidentMemory, Gauge, "Resident memory size in bytes.",
        sample.resident_memory_bytes);
    add(name::kVirtualMemory, Gauge, "Virtual memory size in bytes.", sample.virtual_memory_bytes);
    add(name::kOpenFds, Gauge, "Open file descriptors (sockets, files, epoll, eventfds).",
        sample.open_fds);
    add(name::kMaxFds, Gauge, "The limit of open file descriptors (soft RLIMIT_NOFILE).",
        sample.max_fds);
    add(name::kCpuSeconds, Counter, "User and system CPU time spent, in seconds.",
        sample.cpu_seconds);
    add(name::kStartTime, Gauge, "When the process started, in seconds since the Unix epoch.",
        sample.start_time_seconds);
}

}  // namespace akasa::metrics
