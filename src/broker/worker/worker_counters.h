// Per-worker traffic and loop counters. Written only by the owning worker thread (relaxed
// atomic stores), read by anyone (the metrics module sums the traffic over workers and shows
// the loop's per worker).
#pragma once

#include <atomic>
#include <cstdint>

#include "broker/limits/memory_limit.h"

namespace akasa::broker {

struct WorkerCounters {
    using Counter = std::atomic<std::uint64_t>;

    Counter connections_current{0};  // gauge: open network connections on this worker
    Counter connections_accepted{0};
    Counter connections_refused{0};  // CONNACK with an error, max_connections, proxy source
    Counter sessions_current{0};     // gauge: sessions owned, online or offline
    Counter clients_online{0};       // gauge: sessions with a connection (CONNACK sent)
    Counter messages_in[3] = {};     // PUBLISH received, by QoS
    Counter messages_out[3] = {};    // PUBLISH sent, by QoS (resends included)
    Counter bytes_in{0};
    Counter bytes_out{0};
    Counter dropped_qos0{0};         // QoS 0 not sent because the client's output was full
    Counter dropped_queue_full{0};   // QoS 1/2 dropped: session queue at max_in_mem_pending
    Counter dropped_queue_bytes{0};  // dropped: session queue at max_in_mem_pending_bytes
    // Dropped: every session's queue together at max_in_mem_pending_bytes_total.
    Counter dropped_queue_total_bytes{0};
    // Queued for a stored session in the store only (its in-memory head was full).
    Counter queued_in_store{0};
    Counter dropped_expired{0};    // queued messages whose Message Expiry Interval passed
    Counter dropped_too_large{0};  // over the client's Maximum Packet Size
    // QoS 0 PUBLISHes read and not routed: the worker was too far behind on their client
    // (ConnectionFlow::kShedAfter). One per message received, not per subscriber.
    Counter dropped_worker_behind{0};
    // Memory limits hit, by MemoryLimit (memory_limit.h): refusals and drops.
    Counter limit_hits[kMemoryLimitCount] = {};
    // The loop's own time (loop_load.h): nanoseconds spent handling events rather than
    // waiting for them, and how late the last 1-second tick ran (a gauge).
    Counter loop_busy_ns{0};
    Counter loop_lag_ns{0};

    void add(Counter& c, std::uint64_t n = 1) {
        c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
    }
    void sub(Counter& c, std::uint64_t n = 1) {
        c.store(c.load(std::memory_order_relaxed) - n, std::memory_order_relaxed);
    }
    void set(Counter& c, std::uint64_t value) { c.store(value, std::memory_order_relaxed); }
};

}  // namespace akasa::broker
