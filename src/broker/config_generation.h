// The config a server runs with, one generation per SIGHUP that applied a change, each with
// what the engine derives from it (topic limits, memory limits, WebSocket frame limits).
//
// Who reads which generation (docs/configuration.md, "Reloading with SIGHUP"):
// - A worker reads its current one (Worker::config()): server-wide decisions such as
//   max_connections at accept, routing, session queues, retained limits. Broker::reload
//   posts the new generation to every worker, which switches between two events (never in
//   the middle of a packet), and waits until all have.
// - A connection keeps the generation that was its worker's when it was accepted, for its
//   whole life and across workers (ClientConnection::config()): what its CONNACK announced
//   (Maximum Packet Size, Receive Maximum, Maximum QoS, Topic Alias Maximum, ...) stays
//   true, and every packet of it is judged by one set of limits. New connections get the
//   new values.
//
// The rule that makes the references safe: generations are never destroyed while the broker
// lives (a SIGHUP adds one of a few kilobytes), so a reference to any of them, held by a
// connection, a worker or an enhanced-authentication exchange, stays valid. Nothing may copy
// a value out of a generation to keep it past the packet or event it is read for, except
// what the protocol settles once per connection (keep alive, session expiry, window).
//
//   ConfigGenerations configs(config);                 // start: the first generation
//   const ConfigGeneration& next = configs.add(new_config);   // SIGHUP, main thread
//   worker.post([g = &next](Worker& w) { w.use_config(*g); });
#pragma once

#include <memory>
#include <vector>

#include "broker/limits/message_path_limits.h"
#include "broker/topic_limits.h"
#include "config/config.h"
#include "net/websocket/frame_codec.h"

namespace akasa::broker {

struct ConfigGeneration {
    explicit ConfigGeneration(config::Config c);
    ConfigGeneration(const ConfigGeneration&) = delete;
    ConfigGeneration& operator=(const ConfigGeneration&) = delete;

    const config::Config config;
    const TopicLimits topic_limits{config};  // max_topic_levels, max_topic_length
    const MessagePathLimits limits;          // config.memory_limits as the checks use them
    // The ws and wss listeners' frame limits, from max_packet_size_server (set per accepted
    // connection, so a reload reaches them).
    const net::websocket::FrameLimits websocket_limits;
};

class ConfigGenerations {
  public:
    explicit ConfigGenerations(config::Config first);
    ConfigGenerations(const ConfigGenerations&) = delete;
    ConfigGenerations& operator=(const ConfigGenerations&) = delete;

    // The config read at start. Any thread: for what only the start uses (listeners,
    // persistence, worker_threads, the plugins' paths), which no reload changes.
    const ConfigGeneration& first() const { return *first_; }
    // The newest generation. Main thread only, like add().
    const ConfigGeneration& latest() const { return *all_.back(); }
    // Adds a generation (a SIGHUP that applied a change); it lives as long as this object.
    const ConfigGeneration& add(config::Config next);

  private:
    std::vector<std::unique_ptr<const ConfigGeneration>> all_;  // only ever grows
    const ConfigGeneration* const first_;                       // read by any thread, unlike all_
};

}  // namespace akasa::broker
