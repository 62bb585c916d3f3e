#include "report.h"

#include <fmt/format.h>

#include <cstdio>

namespace akasa::bench {

const char* layout_name(Layout layout) {
    switch (layout) {
        case Layout::kPairs:
            return "pairs";
        case Layout::kFanout:
            return "fanout";
        case Layout::kFanin:
            return "fanin";
    }
    return "?";
}

namespace {

const char* version_name(int level) {
    return level == 5 ? "5.0" : "3.1.1";
}

// JSON string escaping for the few free-text values (error messages, host names).
std::string json_string(const std::string& text) {
    std::string out = "\"";
    for (const char ch : text) {
        const auto byte = static_cast<unsigned char>(ch);
        if (ch == '"' || ch == '\\') {
            out += '\\';
            out += ch;
        } else if (byte < 0x20) {
            out += fmt::format("\\u{:04x}", byte);
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

std::string mib(std::uint64_t bytes) {
    return fmt::format("{:.1f} MiB", bytes / 1048576.0);
}

std::string broker_json(const std::optional<BrokerUsage>& broker) {
    if (!broker) {
        return "\"broker_cpu_percent\":null,\"broker_rss_bytes\":null,"
               "\"broker_max_rss_bytes\":null,\"broker_rss_before_bytes\":null";
    }
    return fmt::format(
        "\"broker_cpu_percent\":{:.1f},\"broker_rss_bytes\":{},\"broker_max_rss_bytes\":{},"
        "\"broker_rss_before_bytes\":{}",
        broker->cpu_percent, broker->rss_bytes, broker->max_rss_bytes, broker->rss_before_bytes);
}

void row(const std::string& name, const std::string& value) {
    std::printf("  %-26s %s\n", name.c_str(), value.c_str());
}

const char* transport_name(const CommonOptions& common) {
    if (common.websocket) return common.tls ? "wss" : "ws";
    return common.tls ? "tls" : "tcp";
}

}  // namespace

void print_report(const PubSubReport& r) {
    const double window = r.window_s > 0 ? r.window_s : 1;
    const double sent_rate = r.sent_in_window / window;
    const double delivered_rate = r.delivered_in_window / window;
    const auto& o = r.options;
    if (!r.common.json_only) {
        std::printf(
            "akasa-bench pubsub: %s, %d publishers -> %d subscribers, QoS %d, %zu-byte "
            "payload, MQTT %s over %s%s\n",
            layout_name(o.layout), o.publishers, o.subscribers, o.qos, o.payload_size,
            version_name(r.common.mqtt_version), transport_name(r.common),
            o.persistent_sessions ? ", persistent sessions" : "");
        row("offered rate", o.rate > 0 ? fmt::format("{:.0f} msg/s per publisher", o.rate)
                                       : "as fast as the sockets take");
        if (o.qos > 0) row("max in flight", fmt::format("{} per publisher", o.max_inflight));
        row("window", fmt::format("{:.1f} s after {:.1f} s warm-up", r.window_s, o.warmup_s));
        row("sent", fmt::format("{:.0f} msg/s ({} messages)", sent_rate, r.sent_in_window));
        row("delivered",
            fmt::format("{:.0f} msg/s ({} messages)", delivered_rate, r.delivered_in_window));
        row("latency p50 / p99",
            fmt::format("{:.0f} us / {:.0f} us", r.latency.p50_us, r.latency.p99_us));
        row("latency p99.9 / max",
            fmt::format("{:.0f} us / {:.0f} us", r.latency.p999_us, r.latency.max_us));
        row("whole run: sent / expected",
            fmt::format("{} / {} deliveries", r.sent_total, r.expected_total));
        row("received / lost", fmt::format("{} / {}", r.received_total, r.lost));
        row("gaps (skipped) / reordered",
            fmt::format("{} ({}) / {}", r.gaps, r.skipped, r.out_of_order));
        if (r.foreign > 0) row("foreign messages", std::to_string(r.foreign));
        if (r.unknown_acks > 0) row("acks for unknown ids", std::to_string(r.unknown_acks));
        if (r.broker) {
            row("broker CPU", fmt::format("{:.0f}% of one core", r.broker->cpu_percent));
            row("broker RSS end / max",
                fmt::format("{} / {}", mib(r.broker->rss_bytes), mib(r.broker->max_rss_bytes)));
        }
        row("akasa-bench CPU",
            fmt::format("{:.0f}% ({} threads)", r.tool_cpu_percent, r.common.threads));
        if (!r.error.empty()) row("ERROR", r.error);
    }
    std::printf(
        "{\"tool\":\"akasa-bench\",\"mode\":\"pubsub\",\"layout\":\"%s\",\"publishers\":%d,"
        "\"subscribers\":%d,\"qos\":%d,\"payload_bytes\":%zu,\"mqtt\":\"%s\",\"transport\":\"%s\","
        "\"persistent_sessions\":%s,\"rate_per_"
        "publisher\":%g,"
        "\"max_inflight\":%d,\"threads\":%d,\"warmup_s\":%g,\"window_s\":%.3f,"
        "\"sent_per_s\":%.0f,\"delivered_per_s\":%.0f,\"sent\":%llu,\"delivered\":%llu,"
        "\"sent_total\":%llu,\"expected_total\":%llu,\"received_total\":%llu,\"lost\":%llu,"
        "\"gaps\":%llu,\"skipped\":%llu,\"out_of_order\":%llu,\"foreign\":%llu,"
        "\"unknown_acks\":%llu,"
        "\"latency_p50_us\":%.1f,\"latency_p90_us\":%.1f,\"latency_p99_us\":%.1f,"
        "\"latency_p999_us\":%.1f,\"latency_max_us\":%.1f,\"latency_mean_us\":%.1f,%s,"
        "\"tool_cpu_percent\":%.1f,\"ok\":%s,\"error\":%s}\n",
        layout_name(o.layout), o.publishers, o.subscribers, o.qos, o.payload_size,
        version_name(r.common.mqtt_version), transport_name(r.common),
        o.persistent_sessions ? "true" : "false", o.rate, o.max_inflight, r.common.threads,
        o.warmup_s, r.window_s, sent_rate, delivered_rate,
        static_cast<unsigned long long>(r.sent_in_window),
        static_cast<unsigned long long>(r.delivered_in_window),
        static_cast<unsigned long long>(r.sent_total),
        static_cast<unsigned long long>(r.expected_total),
        static_cast<unsigned long long>(r.received_total), static_cast<unsigned long long>(r.lost),
        static_cast<unsigned long long>(r.gaps), static_cast<unsigned long long>(r.skipped),
        static_cast<unsigned long long>(r.out_of_order), static_cast<unsigned long long>(r.foreign),
        static_cast<unsigned long long>(r.unknown_acks), r.latency.p50_us, r.latency.p90_us,
        r.latency.p99_us, r.latency.p999_us, r.latency.max_us, r.latency.mean_us,
        broker_json(r.broker).c_str(), r.tool_cpu_percent, r.error.empty() ? "true" : "false",
        json_string(r.error).c_str());
    std::fflush(stdout);
}

void print_report(const ConnReport& r) {
    const double rate = r.connect_s > 0 ? r.connected / r.connect_s : 0;
    std::optional<double> bytes_per_connection;
    if (r.broker && r.connected > 0) {
        bytes_per_connection =
            (static_cast<double>(r.broker->rss_bytes) - r.broker->rss_before_bytes) / r.connected;
    }
    if (!r.common.json_only) {
        std::printf(
            "akasa-bench conn: %d idle persistent connections, one QoS %d subscription "
            "each, MQTT %s over %s\n",
            r.options.connections, r.options.qos, version_name(r.common.mqtt_version),
            transport_name(r.common));
        row("connected", fmt::format("{} in {:.3f} s", r.connected, r.connect_s));
        row("connect rate", fmt::format("{:.0f} connections/s (connect to SUBACK)", rate));
        row("connect latency p50 / p99",
            fmt::format("{:.0f} us / {:.0f} us", r.connect_latency.p50_us,
                        r.connect_latency.p99_us));
        row("held", fmt::format("{:.1f} s", r.options.hold_s));
        if (r.broker) {
            row("broker RSS before / held",
                fmt::format("{} / {}", mib(r.broker->rss_before_bytes), mib(r.broker->rss_bytes)));
            row("broker bytes per connection",
                fmt::format("{:.0f}{}", bytes_per_connection.value_or(0),
                            bytes_per_connection.value_or(0) < 0
                                ? " (the broker freed memory: measure on a fresh broker)"
                                : ""));
            row("broker CPU while connecting", fmt::format("{:.0f}%", r.broker->cpu_percent));
        }
        if (!r.error.empty()) row("ERROR", r.error);
    }
    std::printf(
        "{\"tool\":\"akasa-bench\",\"mode\":\"conn\",\"connections\":%d,\"connected\":%llu,"
        "\"mqtt\":\"%s\",\"transport\":\"%s\",\"threads\":%d,\"hold_s\":%g,\"connect_s\":%.3f,"
        "\"connects_per_s\":%.0f,"
        "\"connect_p50_us\":%.1f,\"connect_p99_us\":%.1f,\"connect_max_us\":%.1f,%s,"
        "\"broker_bytes_per_connection\":%s,\"ok\":%s,\"error\":%s}\n",
        r.options.connections, static_cast<unsigned long long>(r.connected),
        version_name(r.common.mqtt_version), transport_name(r.common), r.common.threads,
        r.options.hold_s, r.connect_s, rate, r.connect_latency.p50_us, r.connect_latency.p99_us,
        r.connect_latency.max_us, broker_json(r.broker).c_str(),
        bytes_per_connection ? fmt::format("{:.0f}", *bytes_per_connection).c_str() : "null",
        r.error.empty() ? "true" : "false", json_string(r.error).c_str());
    std::fflush(stdout);
}

}  // namespace akasa::bench
