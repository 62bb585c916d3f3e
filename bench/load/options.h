// The command line of akasa-bench, as plain structs (parsed in main.cpp with CLI11).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace akasa::bench {

enum class Layout { kPairs, kFanout, kFanin };

const char* layout_name(Layout layout);

// Options every mode shares: where the broker is and how to talk to it.
struct CommonOptions {
    std::string host = "127.0.0.1";
    std::uint16_t port = 1883;
    int mqtt_version = 4;           // protocol level: 4 = MQTT 3.1.1, 5 = MQTT 5.0
    int threads = 1;                // event-loop threads of the tool
    int source_ips = 32;            // connect from 127.0.0.1 .. 127.0.0.N (loopback hosts only)
    pid_t broker_pid = 0;           // sample this process's CPU and RSS when set
    double connect_timeout_s = 30;  // for the whole connect + subscribe phase
    int connect_concurrency = 64;   // attempts outstanding at once (SYN backlogs are ~100)
    std::uint16_t keepalive_s = 300;
    std::string client_id_prefix;  // default: akb-<pid>-
    bool tls = false;              // TLS (mqtts, or wss with websocket)
    std::string ca_file;           // TLS: verify the broker against this CA (else unverified)
    std::string cert_file;         // TLS: client certificate (mutual TLS)
    std::string key_file;          // TLS: its key (default: in cert_file)
    bool websocket = false;        // MQTT over WebSocket (ws, or wss with tls)
    std::string ws_path = "/mqtt";
    bool json_only = false;  // print only the JSON line
};

// `akasa-bench conn`: N idle persistent connections, one subscription each.
struct ConnOptions {
    int connections = 1000;
    double hold_s = 10;                 // keep them open this long after the last SUBACK
    std::string topic_prefix = "idle";  // connection i subscribes to <prefix>/<i>
    int qos = 1;                        // subscription QoS
};

// `akasa-bench pubsub`: publishers and subscribers in one of three layouts.
struct PubSubOptions {
    Layout layout = Layout::kPairs;
    int publishers = 1;
    int subscribers = 1;
    int qos = 0;
    std::size_t payload_size = 64;
    double rate = 0;        // messages/s per publisher; 0 = as fast as the socket takes
    int max_inflight = 10;  // unacknowledged QoS 1/2 publishes per publisher
    double warmup_s = 2;
    double duration_s = 10;
    double drain_s = 5;  // after publishing stops, wait this long for stragglers
    std::string topic_prefix = "t";
    bool persistent_sessions = false;  // clean session / clean start false (v5: expiry 1 h)
};

// `akasa-bench churn`: clients that connect, subscribe, publish and leave, new client ids
// over time; one in `persistent_every` keeps its session and comes back `offline_s` later to
// check that it receives everything queued for it, complete and in order.
struct ChurnOptions {
    double duration_s = 60;     // new clients arrive this long; then the returns finish
    double sample_s = 5;        // broker RSS and store size every this many seconds
    double clients_per_s = 30;  // new client ids per second
    int persistent_every = 3;   // every Nth new client keeps its session (clean session 0)
    double offline_s = 20;      // a persistent client comes back after this long
    double feed_rate = 100;     // numbered messages/s of the feed publisher
    std::size_t payload_size = 256;
    std::string store_dir;  // the broker's persistence.dir, sampled for its size
    std::string topic = "churn/feed";
};

}  // namespace akasa::bench
