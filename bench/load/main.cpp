// akasa-bench: the load tool for MQTT brokers (docs/benchmarks.md).
//
//   akasa-bench conn   --port 1883 --connections 10000 --hold 10 --broker-pid PID
//   akasa-bench pubsub --port 1883 --layout pairs -P 100 -S 100 --qos 1 --max-inflight 10
//   akasa-bench churn  --port 1883 --duration 600 --broker-pid PID --store-dir DIR
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <map>

#include "modes.h"
#include "options.h"

namespace {

using akasa::bench::CommonOptions;
using akasa::bench::Layout;

// Many connections need many descriptors: take the hard limit.
void raise_descriptor_limit() {
    rlimit limit{};
    if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        setrlimit(RLIMIT_NOFILE, &limit);
    }
}

void add_common_options(CLI::App& app, CommonOptions& o, std::string& version) {
    app.add_option("--host,-H", o.host, "broker host (IPv4)")->capture_default_str();
    app.add_option("--port,-p", o.port, "broker port")->capture_default_str();
    app.add_option("--mqtt,-V", version, "protocol version: 3.1.1 or 5")
        ->check(CLI::IsMember({"3.1.1", "4", "5", "5.0"}))
        ->capture_default_str();
    app.add_option("--threads,-t", o.threads, "event-loop threads of the tool")
        ->capture_default_str();
    app.add_option("--source-ips", o.source_ips,
                   "spread connections over 127.0.0.1..127.0.0.N (loopback brokers only)")
        ->capture_default_str();
    app.add_option("--broker-pid", o.broker_pid, "report this process's CPU and RSS");
    app.add_option("--connect-timeout", o.connect_timeout_s,
                   "seconds for all connections to be ready")
        ->capture_default_str();
    app.add_option("--connect-concurrency", o.connect_concurrency,
                   "connection attempts outstanding at once")
        ->capture_default_str();
    app.add_option("--keepalive", o.keepalive_s, "MQTT keep alive, seconds")->capture_default_str();
    app.add_option("--client-id-prefix", o.client_id_prefix,
                   "client ids start with this (default akb-<pid>-)");
    app.add_flag("--tls", o.tls, "TLS (with --ws: WebSocket over TLS)");
    app.add_option("--cafile", o.ca_file, "TLS: check the broker's certificate against this CA");
    app.add_option("--cert", o.cert_file, "TLS: client certificate (PEM)");
    app.add_option("--key", o.key_file, "TLS: the client certificate's key (PEM)");
    app.add_flag("--ws", o.websocket, "MQTT over WebSocket");
    app.add_option("--ws-path", o.ws_path, "WebSocket: the upgrade path")->capture_default_str();
    app.add_flag("--json", o.json_only, "print only the JSON line");
}

}  // namespace

int main(int argc, char** argv) {
    raise_descriptor_limit();
    CLI::App app{"akasa-bench: connection and publish/subscribe load for MQTT brokers"};
    app.require_subcommand(1);

    CommonOptions conn_common, pubsub_common, churn_common;
    std::string conn_version = "3.1.1", pubsub_version = "3.1.1", churn_version = "3.1.1";

    akasa::bench::ConnOptions conn;
    auto* conn_app = app.add_subcommand(
        "conn", "open N idle persistent connections with one subscription each, then hold them");
    add_common_options(*conn_app, conn_common, conn_version);
    conn_app->add_option("--connections,-c", conn.connections, "connections to open")
        ->capture_default_str();
    conn_app->add_option("--hold", conn.hold_s, "seconds to keep them open once all are ready")
        ->capture_default_str();
    conn_app->add_option("--qos", conn.qos, "subscription QoS")->capture_default_str();
    conn_app->add_option("--topic-prefix", conn.topic_prefix, "connection i subscribes to PREFIX/i")
        ->capture_default_str();

    akasa::bench::PubSubOptions pubsub;
    auto* pubsub_app = app.add_subcommand("pubsub",
                                          "publish and subscribe, measure throughput, "
                                          "latency and losses");
    add_common_options(*pubsub_app, pubsub_common, pubsub_version);
    const std::map<std::string, Layout> layouts{
        {"pairs", Layout::kPairs}, {"fanout", Layout::kFanout}, {"fanin", Layout::kFanin}};
    pubsub_app
        ->add_option("--layout,-l", pubsub.layout,
                     "pairs: publisher i -> topic i -> subscriber i; fanout: one topic, every "
                     "subscriber; fanin: publishers on PREFIX/i, subscribers on PREFIX/#")
        ->transform(CLI::CheckedTransformer(layouts, CLI::ignore_case))
        ->default_str("pairs");
    pubsub_app->add_option("--publishers,-P", pubsub.publishers)->capture_default_str();
    pubsub_app->add_option("--subscribers,-S", pubsub.subscribers)->capture_default_str();
    pubsub_app->add_option("--qos,-q", pubsub.qos, "QoS of publishes and subscriptions")
        ->capture_default_str();
    pubsub_app->add_option("--payload,-s", pubsub.payload_size, "payload bytes (>= 24)")
        ->capture_default_str();
    pubsub_app
        ->add_option("--rate,-r", pubsub.rate,
                     "messages/s per publisher; 0 = as fast as the socket takes")
        ->capture_default_str();
    pubsub_app
        ->add_option("--max-inflight", pubsub.max_inflight,
                     "unacknowledged QoS 1/2 publishes per publisher")
        ->capture_default_str();
    pubsub_app->add_option("--warmup", pubsub.warmup_s, "seconds before measuring")
        ->capture_default_str();
    pubsub_app->add_option("--duration,-d", pubsub.duration_s, "seconds measured")
        ->capture_default_str();
    pubsub_app
        ->add_option("--drain", pubsub.drain_s,
                     "seconds to wait for messages in flight after publishing stops")
        ->capture_default_str();
    pubsub_app->add_option("--topic-prefix", pubsub.topic_prefix)->capture_default_str();
    pubsub_app->add_flag("--persistent-sessions", pubsub.persistent_sessions,
                         "clean session false (v5: session expiry 1 h), so the broker keeps "
                         "(and, with persistence, stores) the sessions' state");

    akasa::bench::ChurnOptions churn;
    auto* churn_app = app.add_subcommand(
        "churn",
        "clients connect, subscribe, publish QoS 1 and leave, new ids over time; persistent "
        "ones come back and check their queued messages; samples broker RSS and store size");
    add_common_options(*churn_app, churn_common, churn_version);
    churn_common.threads = 4;
    churn_app->add_option("--duration,-d", churn.duration_s, "seconds new clients arrive")
        ->capture_default_str();
    churn_app->add_option("--sample", churn.sample_s, "seconds between samples")
        ->capture_default_str();
    churn_app->add_option("--clients-per-s", churn.clients_per_s, "new client ids per second")
        ->capture_default_str();
    churn_app
        ->add_option("--persistent-every", churn.persistent_every,
                     "every Nth new client keeps its session and comes back (0: none)")
        ->capture_default_str();
    churn_app->add_option("--offline", churn.offline_s, "seconds a persistent client stays away")
        ->capture_default_str();
    churn_app->add_option("--feed-rate", churn.feed_rate, "numbered feed messages per second")
        ->capture_default_str();
    churn_app->add_option("--payload,-s", churn.payload_size, "payload bytes")
        ->capture_default_str();
    churn_app->add_option("--store-dir", churn.store_dir,
                          "the broker's persistence.dir, whose size is sampled");
    churn_app->add_option("--topic", churn.topic, "the topic everyone subscribes and publishes to")
        ->capture_default_str();

    CLI11_PARSE(app, argc, argv);

    auto level = [](const std::string& v) { return v == "5" || v == "5.0" ? 5 : 4; };
    if (conn_app->parsed()) {
        conn_common.mqtt_version = level(conn_version);
        return akasa::bench::run_conn(conn_common, conn);
    }
    if (churn_app->parsed()) {
        churn_common.mqtt_version = level(churn_version);
        return akasa::bench::run_churn(churn_common, churn);
    }
    pubsub_common.mqtt_version = level(pubsub_version);
    return akasa::bench::run_pubsub(pubsub_common, pubsub);
}
