// The results of a run, printed twice: a table for people and one JSON line with stable,
// flat keys for scripts (bench/compare reads the last line of stdout that starts with '{').
// Key names never change meaning; new keys may be added.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "options.h"

namespace akasa::bench {

struct BrokerUsage {
    double cpu_percent = 0;              // of one core, over the measured window
    std::uint64_t rss_bytes = 0;         // at the end of the window
    std::uint64_t max_rss_bytes = 0;     // highest sampled during the run (every 100 ms)
    std::uint64_t rss_before_bytes = 0;  // before the first connection
};

struct LatencySummary {
    double p50_us = 0, p90_us = 0, p99_us = 0, p999_us = 0, max_us = 0, mean_us = 0;
};

struct PubSubReport {
    CommonOptions common;
    PubSubOptions options;
    double window_s = 0;
    std::uint64_t sent_in_window = 0;
    std::uint64_t delivered_in_window = 0;
    std::uint64_t sent_total = 0;
    std::uint64_t expected_total = 0;  // sent_total times the subscribers of each message
    std::uint64_t received_total = 0;
    std::uint64_t lost = 0;  // expected - received after the drain (never negative)
    std::uint64_t gaps = 0;
    std::uint64_t skipped = 0;
    std::uint64_t out_of_order = 0;
    std::uint64_t foreign = 0;
    std::uint64_t unknown_acks = 0;
    LatencySummary latency;
    std::optional<BrokerUsage> broker;
    double tool_cpu_percent = 0;
    std::string error;  // empty when the run completed
};

struct ConnReport {
    CommonOptions common;
    ConnOptions options;
    std::uint64_t connected = 0;
    double connect_s = 0;
    LatencySummary connect_latency;
    std::optional<BrokerUsage> broker;
    std::string error;
};

void print_report(const PubSubReport& report);
void print_report(const ConnReport& report);

}  // namespace akasa::bench
