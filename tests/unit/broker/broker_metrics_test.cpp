// The broker's metric families (src/broker/metrics/): per-worker counters summed into one
// scrape, checked by the exposition parser of the registry's tests.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "../metrics/exposition_check.h"
#include "broker/limits/memory_limit.h"
#include "broker/metrics/broker_metrics.h"
#include "broker/worker/worker_counters.h"

namespace akasa::metrics {
namespace {

TEST(BrokerMetrics, SumsWorkersAndListeners) {
    broker::WorkerCounters a, b;
    a.add(a.connections_current, 2);
    b.add(b.connections_current, 3);
    a.add(a.connections_accepted, 10);
    a.add(a.messages_in[1], 4);
    b.add(b.messages_in[1], 1);
    b.add(b.messages_out[2], 6);
    a.add(a.bytes_in, 1000);
    b.add(b.dropped_queue_full, 2);

    Registry r;
    declare_broker_metrics(r);
    add_worker_counters(r, a);
    add_worker_counters(r, b);
    add_listener_connections(r, "mqtt", 4, 9);
    add_listener_connections(r, "ws", 1, 1);
    add_listener_connections(r, "mqtt", 0, 1);
    set_broker_gauges(r, {.subscriptions = 12, .retained_messages = 3});

    std::map<std::string, double> s;
    ASSERT_EQ(check_exposition(r.render(), &s), "") << r.render();
    EXPECT_EQ(s["akasa_connections_current{}"], 5);
    EXPECT_EQ(s["akasa_connections_total{}"], 10);
    EXPECT_EQ(s["akasa_messages_received_total{qos=1}"], 5);
    EXPECT_EQ(s["akasa_messages_received_total{qos=0}"], 0);
    EXPECT_EQ(s["akasa_messages_sent_total{qos=2}"], 6);
    EXPECT_EQ(s["akasa_bytes_received_total{}"], 1000);
    EXPECT_EQ(s["akasa_messages_dropped_total{reason=queue_full}"], 2);
    EXPECT_EQ(s["akasa_listener_connections_current{listener=mqtt}"], 4);
    EXPECT_EQ(s["akasa_listener_connections_total{listener=mqtt}"], 10);
    EXPECT_EQ(s["akasa_listener_connections_current{listener=ws}"], 1);
    EXPECT_EQ(s["akasa_subscriptions_current{}"], 12);
    EXPECT_EQ(s["akasa_retained_messages_current{}"], 3);
    EXPECT_EQ(s.count("akasa_sessions_current{}"), 1u);
    EXPECT_EQ(s.count("akasa_bytes_sent_total{}"), 1u);
}

// Each memory limit is a sample labelled with its config key, summed over workers, so an
// operator sees which limit was hit.
TEST(BrokerMetrics, LimitHitsByConfigKey) {
    broker::WorkerCounters a, b;
    a.add(a.limit_hits[static_cast<std::size_t>(broker::MemoryLimit::Subscriptions)], 2);
    b.add(b.limit_hits[static_cast<std::size_t>(broker::MemoryLimit::Subscriptions)], 1);
    b.add(b.limit_hits[static_cast<std::size_t>(broker::MemoryLimit::RetainedBytes)], 5);
    a.add(a.dropped_queue_bytes, 4);
    Registry r;
    declare_broker_metrics(r);
    add_worker_counters(r, a);
    add_worker_counters(r, b);
    set_broker_gauges(r, {.retained_bytes = 1234});
    std::map<std::string, double> s;
    ASSERT_EQ(check_exposition(r.render(), &s), "") << r.render();
    EXPECT_EQ(s["akasa_limit_hits_total{limit=max_subscriptions_per_client}"], 3);
    EXPECT_EQ(s["akasa_limit_hits_total{limit=max_retained_bytes}"], 5);
    EXPECT_EQ(s["akasa_limit_hits_total{limit=max_output_buffer_bytes}"], 0);
    EXPECT_EQ(s["akasa_messages_dropped_total{reason=queue_bytes_full}"], 4);
    EXPECT_EQ(s["akasa_retained_bytes_current{}"], 1234);
    std::size_t limits = 0;
    for (const auto& [sample, value] : s)
        limits += sample.starts_with("akasa_limit_hits_total{") ? 1 : 0;
    EXPECT_EQ(limits, broker::kMemoryLimitCount);
}

// The loop families are per worker (labelled, not summed), in seconds; build_info is one
// sample of 1 whose labels carry the build.
TEST(BrokerMetrics, WorkerLoopAndBuildInfo) {
    broker::WorkerCounters a, b;
    a.add(a.loop_busy_ns, 1'500'000'000);
    b.add(b.loop_busy_ns, 250'000'000);
    a.set(a.loop_lag_ns, 3'000'000);
    Registry r;
    declare_broker_metrics(r);
    add_worker_loop(r, 0, a);
    add_worker_loop(r, 1, b);
    set_build_info(r, "0.1.0", "3f2c1ab");
    std::map<std::string, double> s;
    ASSERT_EQ(check_exposition(r.render(), &s), "") << r.render();
    EXPECT_EQ(s["akasa_worker_busy_seconds_total{worker=0}"], 1.5);
    EXPECT_EQ(s["akasa_worker_busy_seconds_total{worker=1}"], 0.25);
    EXPECT_EQ(s["akasa_worker_loop_lag_seconds{worker=0}"], 0.003);
    EXPECT_EQ(s["akasa_worker_loop_lag_seconds{worker=1}"], 0);
    EXPECT_EQ(s["akasa_build_info{version=0.1.0,commit=3f2c1ab}"], 1);
    EXPECT_NE(r.render().find("# TYPE akasa_worker_busy_seconds_total counter\n"),
              std::string::npos);
}

}  // namespace
}  // namespace akasa::metrics
