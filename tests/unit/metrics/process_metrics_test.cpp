// The process_* families: parsing /proc/<pid>/stat and /proc/stat as the kernel writes them
// (including command names that contain spaces and parentheses), the unit conversions, the
// descriptor count, and this test process's own sample.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <limits>
#include <map>
#include <string>

#include "exposition_check.h"
#include "metrics/process_metrics.h"

namespace akasa::metrics {
namespace {

// A line of /proc/<pid>/stat as Linux writes it (52 fields; cat's, its CPU times changed):
// utime 25, stime 7, starttime 158434, vsize 3133440, rss 360 pages.
constexpr const char* kStat =
    "25360 (cat) R 25357 25357 5601 0 -1 4194304 102 0 0 0 25 7 0 0 20 0 1 0 158434 3133440 "
    "360 18446744073709551615 94523523047424 94523523067305 140728226911424 0 0 0 0 0 0 0 0 0 "
    "17 1 0 0 0 0 0 94523523083312 94523523084928 94523708731392 140728226916988 "
    "140728226917008 140728226917008 140728226918379 0\n";

TEST(ProcessMetrics, ParsesTheStatLine) {
    const auto stat = parse_proc_stat(kStat);
    ASSERT_TRUE(stat);
    EXPECT_EQ(stat->user_ticks, 25u);
    EXPECT_EQ(stat->system_ticks, 7u);
    EXPECT_EQ(stat->start_ticks, 158434u);
    EXPECT_EQ(stat->virtual_bytes, 3133440u);
    EXPECT_EQ(stat->resident_pages, 360u);
}

// The command name is whatever the process set (prctl PR_SET_NAME): fields are counted
// after its last ')', so a name like "a) b (c" does not shift them.
TEST(ProcessMetrics, CommandNameWithSpacesAndParentheses) {
    const std::string line = "7 (a) 1 2 (x) y) " + std::string(kStat).substr(11);
    const auto stat = parse_proc_stat(line);
    ASSERT_TRUE(stat);
    EXPECT_EQ(stat->user_ticks, 25u);
    EXPECT_EQ(stat->resident_pages, 360u);
}

TEST(ProcessMetrics, RefusesWhatIsNotAStatLine) {
    EXPECT_FALSE(parse_proc_stat(""));
    EXPECT_FALSE(parse_proc_stat("no parenthesis at all"));
    // Cut after the start time: vsize and rss are missing.
    EXPECT_FALSE(parse_proc_stat("1 (x) R 0 0 0 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 300"));
    // A field the metrics use that is not a number.
    EXPECT_FALSE(parse_proc_stat("1 (x) R 0 0 0 0 -1 0 0 0 0 0 1 two 0 0 20 0 1 0 300 4096 9"));
    EXPECT_FALSE(parse_proc_stat("1 (x) R 0 0 0 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 300 4096 -9"));
}

TEST(ProcessMetrics, BootTimeFromProcStat) {
    EXPECT_EQ(parse_boot_time("cpu  10 0 5 100\ncpu0 10 0 5 100\nintr 5 0 0\nctxt 99\n"
                              "btime 1718000000\nprocesses 42\n"),
              1718000000u);
    EXPECT_FALSE(parse_boot_time("cpu  10 0 5 100\nprocesses 42\n"));
    EXPECT_FALSE(parse_boot_time("btime soon\n"));
    // Only a line that starts with the key counts.
    EXPECT_FALSE(parse_boot_time("xbtime 5\n"));
}

TEST(ProcessMetrics, ConvertsTicksAndPages) {
    const ProcStat stat{.user_ticks = 250,
                        .system_ticks = 50,
                        .start_ticks = 1234,
                        .virtual_bytes = 1 << 30,
                        .resident_pages = 1000};
    const auto sample = sample_from_stat(stat, 1'700'000'000, 100, 4096);
    EXPECT_EQ(sample.cpu_seconds, 3.0);
    EXPECT_DOUBLE_EQ(*sample.start_time_seconds, 1'700'000'012.34);
    EXPECT_EQ(sample.resident_memory_bytes, 4096000.0);
    EXPECT_EQ(sample.virtual_memory_bytes, 1073741824.0);
    // Without the boot time there is no start time; the rest stays.
    const auto no_boot = sample_from_stat(stat, std::nullopt, 100, 4096);
    EXPECT_FALSE(no_boot.start_time_seconds);
    EXPECT_EQ(no_boot.cpu_seconds, 3.0);
}

// Both ways of counting (the directory's size on Linux 6.2+, else its entries) agree, and
// follow a descriptor opened and closed.
TEST(ProcessMetrics, CountsOpenDescriptors) {
    for (const bool by_size : {true, false}) {
        SCOPED_TRACE(by_size ? "by size" : "by listing");
        const auto before = count_open_fds("/proc/self/fd", by_size);
        ASSERT_TRUE(before);
        EXPECT_EQ(before, count_open_fds("/proc/self/fd", !by_size));
        const int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        ASSERT_GE(fd, 0);
        EXPECT_EQ(count_open_fds("/proc/self/fd", by_size), *before + 1);
        ::close(fd);
        EXPECT_EQ(count_open_fds("/proc/self/fd", by_size), *before);
        EXPECT_FALSE(count_open_fds("/nonexistent/fd", by_size));
    }
}

TEST(ProcessMetrics, SampleOfThisProcess) {
    const auto sample = read_process_sample();
    ASSERT_TRUE(sample.resident_memory_bytes && sample.virtual_memory_bytes && sample.open_fds &&
                sample.max_fds && sample.cpu_seconds && sample.start_time_seconds);
    EXPECT_GT(*sample.resident_memory_bytes, 0);
    EXPECT_GE(*sample.virtual_memory_bytes, *sample.resident_memory_bytes);
    EXPECT_GE(*sample.open_fds, 3);  // stdin, stdout, stderr at least
    EXPECT_GE(*sample.max_fds, *sample.open_fds);
    EXPECT_GE(*sample.cpu_seconds, 0);
    // Started before now, and not before the first of January 2024.
    const double now =
        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_LE(*sample.start_time_seconds, now + 1);  // btime is whole seconds
    EXPECT_GT(*sample.start_time_seconds, 1'704'067'200);
}

TEST(ProcessMetrics, RendersTheFamiliesItHas) {
    ProcessSample sample;
    sample.resident_memory_bytes = 4096;
    sample.cpu_seconds = 1.5;
    sample.max_fds = std::numeric_limits<double>::infinity();
    Registry r;
    add_process_metrics(r, sample);
    std::map<std::string, double> s;
    ASSERT_EQ(check_exposition(r.render(), &s), "") << r.render();
    EXPECT_EQ(s["process_resident_memory_bytes{}"], 4096);
    EXPECT_EQ(s["process_cpu_seconds_total{}"], 1.5);
    EXPECT_EQ(s["process_max_fds{}"], std::numeric_limits<double>::infinity());
    // Values it could not read are left out, not rendered as 0.
    EXPECT_EQ(s.count("process_open_fds{}"), 0u);
    EXPECT_EQ(s.count("process_start_time_seconds{}"), 0u);
    EXPECT_NE(r.render().find("# TYPE process_cpu_seconds_total counter\n"), std::string::npos);
}

}  // namespace
}  // namespace akasa::metrics
