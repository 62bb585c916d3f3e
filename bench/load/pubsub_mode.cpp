// `akasa-bench pubsub`: connect and subscribe everyone, then publish for warm-up + duration,
// measure only inside the window, and after publishing stops wait (up to --drain) for the
// messages still on their way before counting losses.
#include <cstdio>
#include <random>
#include <stdexcept>

#include "clock.h"
#include "mode_support.h"
#include "modes.h"
#include "payload_stamp.h"
#include "process_probe.h"
#include "worker_pool.h"

namespace akasa::bench {

namespace {

std::string check_options(const PubSubOptions& o) {
    if (o.publishers < 1 || o.subscribers < 1) {
        return "--publishers and --subscribers must be at least 1";
    }
    if (o.layout == Layout::kPairs && o.publishers != o.subscribers) {
        return "the pairs layout needs as many subscribers as publishers";
    }
    if (o.qos < 0 || o.qos > 2) return "--qos must be 0, 1 or 2";
    if (o.payload_size < kPayloadStampSize) {
        return "--payload must be at least " + std::to_string(kPayloadStampSize) +
               " bytes (the timestamp and sequence number live there)";
    }
    if (o.payload_size > 16 * 1024 * 1024) return "--payload must be at most 16 MiB";
    if (o.rate < 0) return "--rate must be 0 (unbounded) or positive";
    if (o.max_inflight < 1 || o.max_inflight > 65535) return "--max-inflight must be 1..65535";
    if (o.duration_s <= 0 || o.warmup_s < 0 || o.drain_s < 0) {
        return "--duration must be positive, --warmup and --drain not negative";
    }
    return {};
}

// Publishers first, then subscribers; each publisher's index is its id in the payload.
std::vector<ConnectionSpec> make_specs(const PubSubOptions& o, const std::string& id_prefix) {
    std::vector<ConnectionSpec> specs;
    const std::string& t = o.topic_prefix;
    for (int i = 0; i < o.publishers; ++i) {
        ConnectionSpec spec;
        spec.role = Role::kPublisher;
        spec.index = static_cast<std::uint32_t>(i);
        spec.client_id = id_prefix + "p" + std::to_string(i);
        spec.topic = o.layout == Layout::kFanout ? t + "/fanout" : t + "/" + std::to_string(i);
        specs.push_back(std::move(spec));
    }
    for (int i = 0; i < o.subscribers; ++i) {
        ConnectionSpec spec;
        spec.role = Role::kSubscriber;
        spec.index = static_cast<std::uint32_t>(i);
        spec.client_id = id_prefix + "s" + std::to_string(i);
        switch (o.layout) {
            case Layout::kPairs:
                spec.topic = t + "/" + std::to_string(i);
                break;
            case Layout::kFanout:
                spec.topic = t + "/fanout";
                break;
            case Layout::kFanin:
                spec.topic = t + "/#";
                break;
        }
        specs.push_back(std::move(spec));
    }
    return specs;
}

}  // namespace

int run_pubsub(const CommonOptions& common, const PubSubOptions& options) {
    if (auto problem = check_common_options(common); !problem.empty()) {
        std::fprintf(stderr, "akasa-bench: %s\n", problem.c_str());
        return 2;
    }
    if (auto problem = check_options(options); !problem.empty()) {
        std::fprintf(stderr, "akasa-bench: %s\n", problem.c_str());
        return 2;
    }
    WorkerSettings settings;
    try {
        settings = make_worker_settings(common);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "akasa-bench: %s\n", e.what());
        return 1;
    }
    settings.clean_start = !options.persistent_sessions;
    if (options.persistent_sessions) settings.session_expiry_s = 3600;  // v5 needs an expiry
    settings.qos = static_cast<mqtt::QoS>(options.qos);
    settings.payload_size = options.payload_size;
    settings.rate = options.rate;
    settings.max_inflight = options.max_inflight;
    settings.publisher_count = static_cast<std::uint32_t>(options.publishers);
    settings.run_id = std::random_device{}() | 1;  // never 0

    RunControl control;
    BrokerMonitor monitor(common.broker_pid);
    if (common.broker_pid > 0 && !sample_process(common.broker_pid)) {
        std::fprintf(stderr, "akasa-bench: no process with --broker-pid %d\n",
                     static_cast<int>(common.broker_pid));
        return 2;
    }
    WorkerPool pool(settings, make_specs(options, client_id_prefix(common)), common.threads,
                    control);
    pool.start();
    const bool ready = pool.wait_ready(monotonic_ns() + seconds_to_ns(common.connect_timeout_s));
    PubSubReport report;
    report.common = common;
    report.options = options;
    if (!ready) {
        pool.stop_and_join();
        std::string error = control.error();
        if (error.empty()) {
            error = "timed out after " + std::to_string(common.connect_timeout_s) + " s with " +
                    std::to_string(control.ready_connections.load()) + " of " +
                    std::to_string(options.publishers + options.subscribers) + " connections ready";
        }
        std::fprintf(stderr, "akasa-bench: %s\n", error.c_str());
        report.error = error;
        print_report(report);
        return 1;
    }

    const std::uint64_t start = monotonic_ns();
    const std::uint64_t measure_start = start + seconds_to_ns(options.warmup_s);
    const std::uint64_t measure_end = measure_start + seconds_to_ns(options.duration_s);
    control.measure_start_ns.store(measure_start, std::memory_order_relaxed);
    control.measure_end_ns.store(measure_end, std::memory_order_relaxed);
    control.publish_stop_ns.store(measure_end, std::memory_order_relaxed);
    control.publish_start_ns.store(start, std::memory_order_release);

    auto failed = [&] { return control.failed_connections.load() > 0; };
    wait_until(measure_start, monitor, failed);
    monitor.begin_window();
    const std::uint64_t tool_cpu_start = own_cpu_ns();
    wait_until(measure_end, monitor, failed);
    monitor.end_window();
    const std::uint64_t tool_cpu_end = own_cpu_ns();

    // Drain: everything sent reaches every matching subscriber, or the drain time runs out.
    const std::uint64_t fanout =
        options.layout == Layout::kPairs ? 1 : static_cast<std::uint64_t>(options.subscribers);
    wait_until(monotonic_ns() + seconds_to_ns(options.drain_s), monitor, [&] {
        return failed() ||
               control.received_messages.load() >= control.sent_messages.load() * fanout;
    });
    pool.stop_and_join();

    const WorkerStats stats = pool.merged_stats();
    report.window_s = static_cast<double>(measure_end - measure_start) / kNsPerSecond;
    report.sent_in_window = stats.sent_in_window;
    report.delivered_in_window = stats.received_in_window;
    report.sent_total = stats.sent_total;
    report.expected_total = stats.sent_total * fanout;
    report.received_total = stats.sequence.received;
    report.lost = report.expected_total > report.received_total
                      ? report.expected_total - report.received_total
                      : 0;
    report.gaps = stats.sequence.gaps;
    report.skipped = stats.sequence.skipped;
    report.out_of_order = stats.sequence.out_of_order;
    report.foreign = stats.foreign_messages;
    report.unknown_acks = stats.unknown_acks;
    report.latency = summarize(stats.latency);
    report.broker = monitor.usage();
    report.tool_cpu_percent = 100.0 * static_cast<double>(tool_cpu_end - tool_cpu_start) /
                              static_cast<double>(measure_end - measure_start);
    report.error = control.error();
    print_report(report);
    return report.error.empty() ? 0 : 1;
}

}  // namespace akasa::bench
