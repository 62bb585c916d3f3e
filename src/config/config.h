// The server configuration: one typed field per key of the YAML file, each initialised to the
// default the file documents (docs/configuration.md is the reference for every key).
// A default-constructed Config is the default configuration; config_loader.h fills one from
// YAML and validates it, so code that receives a Config may trust its ranges. A new field
// also needs its entry in config_diff.cpp (the SIGHUP comparison: reloadable or not).
//
//   Config config = load_config_file("akasa.yaml");
//   if (config.listeners.mqtt) bind(config.listeners.mqtt->addr);
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/ip_network.h"
#include "config/socket_address.h"
#include "util/sync_policy.h"

namespace akasa::config {

// PROXY protocol v2 on a plain listener (HAProxy's spec).
enum class ProxyMode {
    None,            // no PROXY header: the peer is the TCP peer
    Normal,          // a PROXY v2 header precedes the MQTT bytes
    TlsTermination,  // like Normal, and the proxy terminated TLS for this connection
};

// How a message published to a shared subscription picks one member of the group.
enum class SharedSubscriptionMode { Random, HashClientId, HashTopicName };

enum class SaslMechanism { ScramSha256 };

enum class LogLevel { Trace, Debug, Info, Warn, Error };

enum class LogFormat { Text, Json };

using akasa::SyncPolicy;  // util/sync_policy.h; YAML: none, interval, always

// The names used in the YAML file (`TlsTermination`, `SCRAM-SHA-256`, `info`, ...);
// ProxyMode::None has no YAML spelling (it is `null`) and prints as "null".
std::string_view to_string(ProxyMode mode);
std::string_view to_string(SharedSubscriptionMode mode);
std::string_view to_string(SaslMechanism mechanism);
std::string_view to_string(LogLevel level);
std::string_view to_string(LogFormat format);

// `listeners.mqtt` (plain TCP) and `listeners.ws` (MQTT over WebSocket).
struct PlainListener {
    SocketAddress addr = SocketAddress::ipv4(0x7f000001, 1883);
    bool reuse_port = true;  // SO_REUSEPORT, so each worker thread can own a listening socket
    ProxyMode proxy_mode = ProxyMode::None;
    // Only with proxy_mode: the addresses the proxies connect from; others are closed at
    // accept. Empty: any source (anyone who reaches the port can claim any client address).
    std::vector<IpNetwork> proxy_allowed_sources;
    // ws only: the Origin header values (normalized, config/web_origin.h) a browser's upgrade
    // may carry; nullopt: any. Upgrades without an Origin (non-browser clients) always pass.
    std::optional<std::vector<std::string>> allowed_origins;
    // ws only: the one request path that upgrades (starts with '/', no query); nullopt: any
    // path, as in the Rust Akasa.
    std::optional<std::string> path;

    bool operator==(const PlainListener&) const = default;
};

// `listeners.mqtts` (TLS) and `listeners.wss` (MQTT over WebSocket over TLS). The loader has
// checked that key_file, cert_file and (when set) ca_file were readable regular files.
struct TlsListener {
    SocketAddress addr = SocketAddress::ipv4(0x7f000001, 8883);
    bool reuse_port = true;
    bool proxy = false;                  // a PROXY v2 header precedes the TLS handshake
    std::optional<std::string> ca_file;  // set whenever verify_peer is true
    std::string key_file;
    std::string cert_file;
    bool verify_peer = false;           // ask for and verify client certificates against ca_file
    bool fail_if_no_peer_cert = false;  // only with verify_peer: refuse clients without one
    std::vector<IpNetwork> proxy_allowed_sources;             // only with proxy: as for mqtt
    std::optional<std::vector<std::string>> allowed_origins;  // wss only: as for ws
    std::optional<std::string> path;                          // wss only: as for ws

    bool operator==(const TlsListener&) const = default;
};

// `listeners.http`: health check and Prometheus metrics.
struct HttpListener {
    SocketAddress addr = SocketAddress::ipv4(0x7f000001, 8081);
    bool reuse_port = true;
    bool prometheus = true;  // serve GET /metrics

    bool operator==(const HttpListener&) const = default;
};

// An absent optional is a listener that is not started. A loaded Config has at least one of
// mqtt, mqtts, ws, wss, and no two listeners share an address.
struct Listeners {
    std::optional<PlainListener> mqtt = PlainListener{};
    std::optional<TlsListener> mqtts;
    std::optional<PlainListener> ws;
    std::optional<TlsListener> wss;
    std::optional<HttpListener> http = HttpListener{};

    bool operator==(const Listeners&) const = default;
};

struct AuthConfig {
    bool enable = true;
    // Set whenever enable is true. Relative paths are relative to the working directory. The
    // file is read (and its absence reported) by the auth module at start, not by the loader.
    std::optional<std::string> password_file;

    // --- Ours (docs/security.md, "Logins") ---
    // Threads that check PBKDF2 passwords off the event loops; 0: half the worker threads,
    // at least one.
    std::uint32_t hash_threads = 0;
    // Password checks waiting for one of those threads; a CONNECT beyond is refused with
    // Server busy.
    std::uint32_t max_pending_logins = 1024;
    // Failed logins from one address within failed_login_window that block it for
    // failed_login_block; 0: no limit. At most failed_login_addresses addresses are tracked.
    std::uint32_t max_failed_logins = 10;
    std::chrono::seconds failed_login_window{60};
    std::chrono::seconds failed_login_block{300};
    std::uint32_t failed_login_addresses = 65536;

    bool operator==(const AuthConfig&) const = default;
};

// One SCRAM-SHA-256 user (v5 enhanced authentication, RFC 5802 / RFC 7677), in exactly one
// of two forms: Akasa's `hashed_password` (the SaltedPassword, password-equivalent: whoever
// reads it can log in as the user), or RFC 5802's stored form `stored_key` + `server_key`
// (whoever reads them can pose as the server to the user's clients, but not log in).
struct ScramUser {
    std::vector<std::uint8_t> hashed_password;  // SaltedPassword; empty in the stored form
    std::vector<std::uint8_t> stored_key;       // stored form: 32 bytes; empty otherwise
    std::vector<std::uint8_t> server_key;       // stored form: 32 bytes; empty otherwise
    std::uint32_t iterations = 4096;            // >= 4096
    std::vector<std::uint8_t> salt;             // not empty

    bool stored_form() const { return !stored_key.empty(); }

    bool operator==(const ScramUser&) const = default;
};

struct HookConfig {
    bool enable_before_connect = true;
    bool enable_after_connect = true;
    bool enable_after_disconnect = true;
    bool enable_publish = true;
    bool enable_subscribe = true;
    bool enable_unsubscribe = true;

    bool operator==(const HookConfig&) const = default;
};

// One `plugins:` entry: a shared library loaded at start (docs/plugins.md).
struct PluginConfig {
    std::string path;                                          // not empty
    std::vector<std::pair<std::string, std::string>> options;  // in file order, as YAML text

    bool operator==(const PluginConfig&) const = default;
};

// `persistence`: the embedded store of sessions, queues and retained messages
// (docs/persistence.md).
struct PersistenceConfig {
    bool enable = false;         // false: memory only (also when the section is absent)
    std::string dir = "./data";  // relative paths: relative to the working directory
    SyncPolicy sync = SyncPolicy::None;
    std::chrono::milliseconds sync_interval{1000};  // `sync_interval_ms`, 1..3600000

    bool operator==(const PersistenceConfig&) const = default;
};

// Bounds on what one client can make the server hold in memory (docs/security.md, "Limits";
// docs/configuration.md gives the reason for each default). Top-level keys of ours, read by
// memory_limits_reader.cpp. Where a key allows 0, 0 means "no limit".
struct MemoryLimits {
    // Output waiting for one client (copied packets and referenced large payloads): a
    // delivery that would pass it waits (QoS 1/2) or is dropped (QoS 0); an empty output
    // always takes one packet, so a client that reads gets messages of any size.
    std::uint64_t max_output_buffer_bytes = 8 << 20;  // 65536..4294967295
    // Bytes of the messages queued for one session (next to max_in_mem_pending_messages).
    std::uint64_t max_in_mem_pending_bytes = 64 << 20;
    // Bytes the queues of all sessions hold in memory together (each queued message's bytes
    // and its delivery's slot): past it a stored session queues in the store only, and any
    // other session's new message is dropped.
    std::uint64_t max_in_mem_pending_bytes_total = std::uint64_t{1} << 30;
    // User Properties in one packet: how many, and their keys and values together.
    std::uint32_t max_user_properties = 1024;
    std::uint32_t max_user_property_bytes = 64 << 10;
    // Topic bytes the inbound Topic Aliases of one connection hold.
    std::uint32_t max_topic_alias_bytes = 4 << 20;
    std::uint32_t max_client_id_length = 256;  // 0, or 23..65535 [MQTT-3.1.3-5]
    std::uint32_t max_subscriptions_per_client = 1024;
    // Retained messages of the whole server: how many, and what they hold (retained_cost).
    std::uint64_t max_retained_messages = 1'000'000;
    std::uint64_t max_retained_bytes = std::uint64_t{1} << 30;

    bool operator==(const MemoryLimits&) const = default;
};

struct Config {
    // --- Akasa's keys, same names, meanings and defaults ---
    Listeners listeners;
    AuthConfig auth;
    std::map<std::string, ScramUser> scram_users;
    std::set<SaslMechanism> sasl_mechanisms{SaslMechanism::ScramSha256};
    bool check_v310_client_id_length = false;  // v3.1: refuse client ids longer than 23
    SharedSubscriptionMode shared_subscription_mode = SharedSubscriptionMode::Random;
    std::uint8_t max_allowed_qos = 2;           // 0..2
    std::chrono::seconds inflight_timeout{15};  // >= 1 s
    std::uint16_t max_inflight_client = 10;     // 1..65535
    std::uint16_t max_inflight_server = 10;     // 1..65535
    std::uint32_t max_in_mem_pending_messages = 256;
    std::uint32_t max_in_db_pending_messages = 65536;
    std::uint16_t min_keep_alive = 10;  // <= max_keep_alive
    std::uint16_t max_keep_alive = 65535;
    bool multiple_subscription_id_in_publish = false;
    std::uint32_t max_session_expiry_interval = 4294967295;  // seconds
    // Largest packet sent to a client whose CONNECT states no Maximum Packet Size.
    std::uint32_t max_packet_size_client = 268435460;  // 1..268435460 bytes
    // Largest packet accepted from a client; announced as Maximum Packet Size (v5 CONNACK).
    std::uint32_t max_packet_size_server = 268435460;  // 1..268435460 bytes
    std::uint16_t topic_alias_max = 65535;
    bool retain_available = true;
    bool shared_subscription_available = true;
    bool subscription_id_available = true;
    bool wildcard_subscription_available = true;
    HookConfig hook;

    // --- Ours (not in Akasa) ---
    std::uint32_t worker_threads = 0;          // 0: one per CPU the process may run on
    std::chrono::seconds connect_timeout{10};  // >= 1 s: wait for the first packet
    // Seconds an offline persistent 3.1/3.1.1 session is kept; 0: forever (the spec's rule).
    std::uint32_t v3_session_expiry_interval = 0;
    LogLevel log_level = LogLevel::Info;
    // Where log lines go: log_file (a path, reopened on SIGHUP), or log_syslog (a syslog
    // daemon's socket, e.g. /dev/log), or stderr when neither is set; never both.
    LogFormat log_format = LogFormat::Text;
    std::optional<std::string> log_file;
    std::optional<std::string> log_syslog;
    std::uint32_t max_connections = 0;  // 0: unlimited
    // MQTT 5 (docs/mqtt5.md): check that payloads marked UTF-8 are (0x99 otherwise), and
    // the Response Information for clients that request it (`{client_id}` substituted).
    bool validate_payload_format = false;
    // A CONNECT whose user differs from the owner of the client id's existing session takes
    // it over only when true (Worker::finish_connect); refused otherwise.
    bool allow_session_takeover_by_other_user = false;
    std::optional<std::string> response_information;
    PersistenceConfig persistence;
    // Hooks (docs/plugins.md): a Mosquitto-format ACL file (read by the hook module at
    // start, not by the loader), plugins in load order, and how long an asynchronous hook
    // answer may take before the call is refused.
    std::optional<std::string> acl_file;
    std::vector<PluginConfig> plugins;
    std::chrono::seconds hook_timeout{5};  // >= 1 s
    // Topic names (PUBLISH, wills) and filters (SUBSCRIBE, UNSUBSCRIBE) with more levels or
    // bytes than these are refused (docs/security.md): they bound the work of every trie walk.
    std::uint16_t max_topic_levels = 128;    // 1..65535
    std::uint16_t max_topic_length = 65535;  // 1..65535 bytes; 65535 is the protocol's maximum
    // Seconds between two publications of the $SYS topics (docs/listeners.md, "$SYS topics"); 0:
    // none.
    std::chrono::seconds sys_interval{10};  // 0..65535, mosquitto's default
    MemoryLimits memory_limits;

    bool operator==(const Config&) const = default;
};

// Largest MQTT packet: 1 fixed-header byte + 4 length bytes + 268,435,455 bytes.
inline constexpr std::uint32_t kMaxPacketSizeLimit = 268435460;

}  // namespace akasa::config
