#include "broker/metrics/broker_metrics.h"

#include <string>

namespace akasa::metrics {

namespace {

double load(const broker::WorkerCounters::Counter& c) {
    return static_cast<double>(c.load(std::memory_order_relaxed));
}

const Labels kQos[3] = {{{"qos", "0"}}, {{"qos", "1"}}, {{"qos", "2"}}};

}  // namespace

void declare_broker_metrics(Registry& r) {
    using enum MetricType;
    r.declare(std::string(name::kConnectionsCurrent), Gauge, "Open network connections.");
    r.declare(std::string(name::kConnectionsTotal), Counter, "Network connections accepted.");
    r.declare(std::string(name::kConnectionsRefused), Counter,
              "Connections refused (CONNACK with an error, or over max_connections).");
    r.declare(std::string(name::kListenerConnectionsCurrent), Gauge,
              "Open network connections per listener.");
    r.declare(std::string(name::kListenerConnectionsTotal), Counter,
              "Network connections accepted per listener.");
    r.declare(std::string(name::kSessions), Gauge, "Sessions, online or offline.");
    r.declare(std::string(name::kClientsOnline), Gauge,
              "Clients connected (CONNACK sent), one per online session.");
    r.declare(std::string(name::kAkasaOnlineClients), Gauge,
              "Count of online clients (the Rust Akasa's name for akasa_clients_online).");
    r.declare(std::string(name::kSubscriptions), Gauge, "Subscriptions in the index.");
    r.declare(std::string(name::kRetainedMessages), Gauge, "Retained messages stored.");
    r.declare(std::string(name::kMessagesReceived), Counter, "PUBLISH packets received, by QoS.");
    r.declare(std::string(name::kMessagesSent), Counter,
              "PUBLISH packets sent, by QoS (resends included).");
    r.declare(std::string(name::kBytesReceived), Counter, "Bytes received from clients.");
    r.declare(std::string(name::kBytesSent), Counter, "Bytes sent to clients.");
    r.declare(std::string(name::kMessagesDropped), Counter, "Messages not delivered, by reason.");
    r.declare(std::string(name::kLimitHits), Counter,
              "Memory limits hit (a packet, message or subscription refused or dropped), by the "
              "config key of the limit.");
    r.declare(std::string(name::kQueuedInStore), Counter,
              "QoS 1/2 messages queued for a stored session in the store only (its in-memory "
              "head was full; read back when the client drains it).");
    r.declare(std::string(name::kRetainedBytes), Gauge,
              "Bytes the retained messages hold, as max_retained_bytes counts them.");
    r.declare(std::string(name::kBuildInfo), Gauge,
              "Always 1; the labels say which version and git commit is running.");
    r.declare(std::string(name::kWorkerBusy), Counter,
              "Seconds each worker thread spent handling events rather than waiting for them; "
              "its rate is the fraction of the time the worker is busy (1: saturated).");
    r.declare(std::string(name::kWorkerLoopLag), Gauge,
              "How late each worker's latest 1-second timer ran, in seconds: how long an event "
              "waits behind the work in progress (about 0.001 on an idle worker).");
}

void add_worker_counters(Registry& r, const broker::WorkerCounters& c) {
    r.add(name::kConnectionsCurrent, {}, load(c.connections_current));
    r.add(name::kConnectionsTotal, {}, load(c.connections_accepted));
    r.add(name::kConnectionsRefused, {}, load(c.connections_refused));
    r.add(name::kSessions, {}, load(c.sessions_current));
    r.add(name::kClientsOnline, {}, load(c.clients_online));
    r.add(name::kAkasaOnlineClients, {}, load(c.clients_online));
    for (int qos = 0; qos < 3; ++qos) {
        r.add(name::kMessagesReceived, kQos[qos], load(c.messages_in[qos]));
        r.add(name::kMessagesSent, kQos[qos], load(c.messages_out[qos]));
    }
    r.add(name::kBytesReceived, {}, load(c.bytes_in));
    r.add(name::kBytesSent, {}, load(c.bytes_out));
    r.add(name::kMessagesDropped, {{"reason", "qos0_output_full"}}, load(c.dropped_qos0));
    r.add(name::kMessagesDropped, {{"reason", "queue_full"}}, load(c.dropped_queue_full));
    r.add(name::kMessagesDropped, {{"reason", "expired"}}, load(c.dropped_expired));
    r.add(name::kMessagesDropped, {{"reason", "too_large"}}, load(c.dropped_too_large));
    r.add(name::kMessagesDropped, {{"reason", "queue_bytes_full"}}, load(c.dropped_queue_bytes));
    r.add(name::kMessagesDropped, {{"reason", "queue_total_bytes_full"}},
          load(c.dropped_queue_total_bytes));
    r.add(name::kMessagesDropped, {{"reason", "qos0_worker_behind"}},
          load(c.dropped_worker_behind));
    r.add(name::kQueuedInStore, {}, load(c.queued_in_store));
    for (std::size_t i = 0; i < broker::kMemoryLimitCount; ++i) {
        const auto key = broker::config_key(static_cast<broker::MemoryLimit>(i));
        r.add(name::kLimitHits, {{"limit", std::string(key)}}, load(c.limit_hits[i]));
    }
}

void add_worker_loop(Registry& r, std::uint32_t worker, const broker::WorkerCounters& c) {
    const Labels labels{{"worker", std::to_string(worker)}};
    r.set(name::kWorkerBusy, labels, load(c.loop_busy_ns) / 1e9);
    r.set(name::kWorkerLoopLag, labels, load(c.loop_lag_ns) / 1e9);
}

void add_listener_connections(Registry& r, std::string_view listener, std::uint64_t current,
                              std::uint64_t total) {
    Labels labels{{"listener", std::string(listener)}};
    r.add(name::kListenerConnectionsCurrent, labels, static_cast<double>(current));
    r.add(name::kListenerConnectionsTotal, labels, static_cast<double>(total));
}

void set_broker_gauges(Registry& r, const BrokerGauges& g) {
    r.set(name::kSubscriptions, {}, static_cast<double>(g.subscriptions));
    r.set(name::kRetainedMessages, {}, static_cast<double>(g.retained_messages));
    r.set(name::kRetainedBytes, {}, static_cast<double>(g.retained_bytes));
}

void set_build_info(Registry& r, std::string_view version, std::string_view commit) {
    r.set(name::kBuildInfo, {{"version", std::string(version)}, {"commit", std::string(commit)}},
          1);
}

}  // namespace akasa::metrics
