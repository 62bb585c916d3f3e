// One event-loop thread of the load tool: it owns a share of the connections (publishers,
// subscribers or idle ones), drives them with edge-triggered epoll over non-blocking sockets,
// and keeps its own statistics, merged by the main thread at the end. No locks and no
// allocation on the per-message path.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "client_layers.h"
#include "latency_histogram.h"
#include "mqtt/decoder.h"
#include "mqtt/packets.h"
#include "mqtt_wire.h"
#include "net/byte_buffer.h"
#include "run_control.h"
#include "sequence_tracker.h"
#include "tcp_connect.h"

namespace akasa::bench {

enum class Role : std::uint8_t { kIdle, kPublisher, kSubscriber };

struct ConnectionSpec {
    Role role = Role::kIdle;
    std::uint32_t index = 0;  // publisher id, subscriber index or connection index
    std::string client_id;
    std::string topic;  // the PUBLISH topic, or the subscription filter
};

// Settings shared by every connection of a run.
struct WorkerSettings {
    BrokerAddress broker;
    int source_ips = 1;
    int connect_concurrency = 64;  // per worker
    mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V311;
    bool clean_start = true;
    std::uint32_t session_expiry_s = 0;  // v5 only
    std::uint16_t keepalive_s = 300;
    mqtt::QoS qos = mqtt::QoS::AtMostOnce;  // of publishes and subscriptions
    std::size_t payload_size = 64;
    double rate = 0;  // per publisher; 0 = unbounded
    int max_inflight = 10;
    std::uint32_t publisher_count = 0;  // sizes the subscribers' sequence trackers
    std::uint32_t run_id = 0;           // stamped into every payload (payload_stamp.h)
    LayerSettings layers;               // TLS / WebSocket (none: plain TCP)
};

struct WorkerStats {
    std::uint64_t sent_total = 0;
    std::uint64_t sent_in_window = 0;
    std::uint64_t received_in_window = 0;
    std::uint64_t foreign_messages = 0;  // publishes without our payload stamp
    std::uint64_t unknown_acks = 0;      // acks for a packet id not in flight
    std::uint64_t closed_by_broker = 0;
    std::uint64_t last_ready_ns = 0;  // when the last connection finished connecting
    SequenceCounts sequence;
    LatencyHistogram latency;          // end-to-end, for messages received in the window
    LatencyHistogram connect_latency;  // connect() to CONNACK (publishers) or SUBACK

    void merge(const WorkerStats& other);
};

class Worker {
  public:
    Worker(const WorkerSettings& settings, std::vector<ConnectionSpec> specs, RunControl& control);
    ~Worker();
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // The thread body: connects everything, runs the phases RunControl announces, and
    // returns after control.stop once every connection is closed.
    void run();

    const WorkerStats& stats() const { return stats_; }

  private:
    enum class State : std::uint8_t {
        kNotStarted,
        kConnecting,
        kAwaitConnack,
        kAwaitSuback,
        kReady,
        kClosed
    };

    struct Connection {
        const ConnectionSpec* spec = nullptr;
        int fd = -1;
        State state = State::kNotStarted;
        bool readable = false;
        bool writable = false;
        bool active = false;  // in active_ (has work without waiting for epoll)
        std::uint64_t started_ns = 0;
        ByteBuffer in;  // a partial packet left over from the last read
        ByteBuffer out;
        // With TLS / WebSocket: the layers, and the bytes for the socket they made of `out`.
        std::unique_ptr<ClientLayers> layers;
        ByteBuffer wire;
        // Publisher state.
        PacketTemplate publish;
        std::uint64_t next_sequence = 0;
        std::uint64_t schedule_offset_ns = 0;  // of its first message after publish start
        std::uint32_t inflight = 0;
        std::uint16_t next_packet_id = 1;
        std::vector<std::uint64_t> inflight_ids;  // bitmap of 65536 ids (QoS 1 and 2)
        // Subscriber state.
        std::unique_ptr<SequenceTracker> tracker;
    };

    void start_next_connects(std::uint64_t now);
    void on_event(Connection& c, std::uint32_t events);
    void on_connected(Connection& c);
    // Sends what is queued (and new publishes); re-activates the connection if work remains.
    void service_writes(Connection& c, std::uint64_t now);
    void read_from(Connection& c);
    // Decodes the complete packets at the start of `bytes`; returns how many bytes they took,
    // or SIZE_MAX after a protocol error (the connection is then closed).
    std::size_t handle_bytes(Connection& c, std::span<const std::uint8_t> bytes);
    bool handle_packet(Connection& c, const mqtt::FixedHeader& header,
                       std::span<const std::uint8_t> body);
    void handle_publish(Connection& c);
    void handle_ack(Connection& c, std::uint16_t packet_id);
    void fill_publisher(Connection& c, std::uint64_t now);
    std::uint64_t messages_due(const Connection& c, std::uint64_t now) const;
    bool wants_to_send(const Connection& c, std::uint64_t now) const;
    void flush(Connection& c);
    // Bytes waiting for the socket (MQTT bytes, or what the layers made of them).
    static bool has_output(const Connection& c) { return !c.out.empty() || !c.wire.empty(); }
    // Passes MQTT bytes read from the socket to the layers; false when the stream failed.
    bool feed_layers(Connection& c, std::span<const std::uint8_t> bytes);
    void activate(Connection& c);
    void fail(Connection& c, const std::string& why);
    void close_connection(Connection& c);
    void mark_ready(Connection& c);
    void disconnect_all();
    std::uint64_t next_timer_ns(std::uint64_t now) const;
    void publish_progress();

    const WorkerSettings settings_;
    const std::vector<ConnectionSpec> specs_;
    RunControl& control_;
    WireEncoder encoder_;
    int epoll_fd_ = -1;
    std::vector<Connection> connections_;
    std::vector<Connection*> publishers_;
    std::vector<Connection*> active_;
    std::vector<Connection*> servicing_;
    std::unique_ptr<std::uint8_t[]> read_scratch_;
    std::size_t next_to_connect_ = 0;
    int connecting_ = 0;
    std::size_t open_ = 0;
    std::uint64_t now_ns_ = 0;  // taken once per loop iteration / read
    std::uint64_t publish_start_ns_ = kNever;
    std::uint64_t publish_stop_ns_ = kNever;
    std::uint64_t measure_start_ns_ = kNever;
    std::uint64_t measure_end_ns_ = kNever;
    std::uint64_t interval_ns_ = 0;  // between two messages of one publisher (fixed rate)
    std::uint64_t next_ping_ns_ = kNever;
    std::uint64_t reported_sent_ = 0;
    std::uint64_t reported_received_ = 0;
    std::uint64_t received_total_ = 0;
    mqtt::Publish publish_scratch_;
    mqtt::Packet packet_scratch_;
    WorkerStats stats_;
};

}  // namespace akasa::bench
