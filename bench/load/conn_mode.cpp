// `akasa-bench conn`: open N persistent sessions (clean session / clean start false), one
// subscription each, as fast as the broker accepts them (at most --connect-concurrency
// outstanding), then hold them idle so the broker's memory per connection can be read.
#include <cstdio>
#include <stdexcept>

#include "clock.h"
#include "mode_support.h"
#include "modes.h"
#include "process_probe.h"
#include "worker_pool.h"

namespace akasa::bench {

int run_conn(const CommonOptions& common, const ConnOptions& options) {
    if (auto problem = check_common_options(common); !problem.empty()) {
        std::fprintf(stderr, "akasa-bench: %s\n", problem.c_str());
        return 2;
    }
    if (options.connections < 1) {
        std::fprintf(stderr, "akasa-bench: --connections must be at least 1\n");
        return 2;
    }
    if (options.qos < 0 || options.qos > 2) {
        std::fprintf(stderr, "akasa-bench: --qos must be 0, 1 or 2\n");
        return 2;
    }
    if (common.broker_pid > 0 && !sample_process(common.broker_pid)) {
        std::fprintf(stderr, "akasa-bench: no process with --broker-pid %d\n",
                     static_cast<int>(common.broker_pid));
        return 2;
    }
    WorkerSettings settings;
    try {
        settings = make_worker_settings(common);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "akasa-bench: %s\n", e.what());
        return 1;
    }
    settings.clean_start = false;
    settings.session_expiry_s = 3600;  // a v5 session persists only with an expiry
    settings.qos = static_cast<mqtt::QoS>(options.qos);

    const std::string id_prefix = client_id_prefix(common);
    std::vector<ConnectionSpec> specs;
    specs.reserve(static_cast<std::size_t>(options.connections));
    for (int i = 0; i < options.connections; ++i) {
        ConnectionSpec spec;
        spec.role = Role::kIdle;
        spec.index = static_cast<std::uint32_t>(i);
        spec.client_id = id_prefix + "c" + std::to_string(i);
        spec.topic = options.topic_prefix + "/" + std::to_string(i);
        specs.push_back(std::move(spec));
    }

    RunControl control;
    BrokerMonitor monitor(common.broker_pid);  // RSS before the first connection
    WorkerPool pool(settings, specs, common.threads, control);
    monitor.begin_window();
    const std::uint64_t start = monotonic_ns();
    pool.start();
    const bool ready = pool.wait_ready(start + seconds_to_ns(common.connect_timeout_s));

    ConnReport report;
    report.common = common;
    report.options = options;
    if (ready) {
        monitor.end_window();  // CPU while connecting; RSS is re-read after the hold
        const double connect_cpu = monitor.usage() ? monitor.usage()->cpu_percent : 0;
        wait_until(monotonic_ns() + seconds_to_ns(options.hold_s), monitor,
                   [&] { return control.failed_connections.load() > 0; });
        monitor.end_window();
        report.broker = monitor.usage();
        if (report.broker) report.broker->cpu_percent = connect_cpu;
    }
    pool.stop_and_join();
    const WorkerStats stats = pool.merged_stats();
    report.connected = control.ready_connections.load();
    report.connect_s =
        stats.last_ready_ns > start ? static_cast<double>(stats.last_ready_ns - start) / 1e9 : 0;
    report.connect_latency = summarize(stats.connect_latency);
    report.error = control.error();
    if (!ready && report.error.empty()) {
        report.error = "timed out after " + std::to_string(common.connect_timeout_s) + " s with " +
                       std::to_string(report.connected) + " of " +
                       std::to_string(options.connections) + " connections ready";
    }
    if (!ready) std::fprintf(stderr, "akasa-bench: %s\n", report.error.c_str());
    print_report(report);
    return report.error.empty() ? 0 : 1;
}

}  // namespace akasa::bench
