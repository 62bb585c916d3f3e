// The broker's standard metric families (issue 5 item 4) and how the engine fills them for
// one scrape from its per-worker counters. It is the broker's because it reads WorkerCounters;
// src/metrics/ below is the generic registry, whose namespace these functions share.
//
//   Registry r;
//   declare_broker_metrics(r);
//   for (const Worker& w : workers) add_worker_counters(r, w.counters());
//   add_listener_connections(r, "mqtt", current, total);   // per listener, summed over workers
//   for (const Worker& w : workers) add_worker_loop(r, w.index(), w.counters());
//   set_broker_gauges(r, {.subscriptions = n, .retained_messages = m});
//   set_build_info(r, "0.1.0", "3f2c1ab");
//   respond(r.render());
#pragma once

#include <cstdint>
#include <string_view>

#include "broker/worker/worker_counters.h"
#include "metrics/registry.h"

namespace akasa::metrics {

namespace name {
inline constexpr std::string_view kConnectionsCurrent = "akasa_connections_current";
inline constexpr std::string_view kConnectionsTotal = "akasa_connections_total";
inline constexpr std::string_view kConnectionsRefused = "akasa_connections_refused_total";
inline constexpr std::string_view kListenerConnectionsCurrent =
    "akasa_listener_connections_current";
inline constexpr std::string_view kListenerConnectionsTotal = "akasa_listener_connections_total";
inline constexpr std::string_view kSessions = "akasa_sessions_current";
inline constexpr std::string_view kClientsOnline = "akasa_clients_online";
// The Rust Akasa's name for the same gauge, so existing scrapes and alerts keep working.
inline constexpr std::string_view kAkasaOnlineClients = "ONLINE_CLIENTS";
inline constexpr std::string_view kSubscriptions = "akasa_subscriptions_current";
inline constexpr std::string_view kRetainedMessages = "akasa_retained_messages_current";
inline constexpr std::string_view kMessagesReceived = "akasa_messages_received_total";
inline constexpr std::string_view kMessagesSent = "akasa_messages_sent_total";
inline constexpr std::string_view kBytesReceived = "akasa_bytes_received_total";
inline constexpr std::string_view kBytesSent = "akasa_bytes_sent_total";
inline constexpr std::string_view kMessagesDropped = "akasa_messages_dropped_total";
inline constexpr std::string_view kLimitHits = "akasa_limit_hits_total";
inline constexpr std::string_view kQueuedInStore = "akasa_messages_queued_in_store_total";
inline constexpr std::string_view kRetainedBytes = "akasa_retained_bytes_current";
inline constexpr std::string_view kBuildInfo = "akasa_build_info";
inline constexpr std::string_view kWorkerBusy = "akasa_worker_busy_seconds_total";
inline constexpr std::string_view kWorkerLoopLag = "akasa_worker_loop_lag_seconds";
}  // namespace name

// State owned by the broker as a whole rather than by a worker's counters.
struct BrokerGauges {
    std::uint64_t subscriptions = 0;
    std::uint64_t retained_messages = 0;
    std::uint64_t retained_bytes = 0;  // what max_retained_bytes counts
};

// Declares every family above with its HELP text.
void declare_broker_metrics(Registry& registry);

// Adds one worker's counters (relaxed loads): call once per worker.
void add_worker_counters(Registry& registry, const broker::WorkerCounters& counters);
// The loop families of one worker, labelled worker="<index>" (not summed: one busy worker
// among idle ones is what they are for).
void add_worker_loop(Registry& registry, std::uint32_t worker,
                     const broker::WorkerCounters& counters);

// Adds one listener's connection counts (label listener="mqtt|mqtts|ws|wss").
void add_listener_connections(Registry& registry, std::string_view listener, std::uint64_t current,
                              std::uint64_t total);

void set_broker_gauges(Registry& registry, const BrokerGauges& gauges);

// akasa_build_info{version,commit} 1: which build is running, for dashboards and alerts
// (commit "unknown" when built outside a git checkout).
void set_build_info(Registry& registry, std::string_view version, std::string_view commit);

}  // namespace akasa::metrics
