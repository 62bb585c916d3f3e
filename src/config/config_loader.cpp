// The schema of the config file: which keys exist where, their types and ranges, and the
// rules that involve several keys. docs/configuration.md describes the same schema for users.
#include "config/config_loader.h"

#include <fmt/format.h>

#include <limits>
#include <utility>

#include "config/auth_reader.h"
#include "config/hook_keys_reader.h"
#include "config/listener_guards_reader.h"
#include "config/memory_limits_reader.h"
#include "config/persistence_reader.h"
#include "config/readable_file.h"
#include "config/websocket_path_reader.h"
#include "config/yaml_reader.h"

namespace akasa::config {
namespace {

using detail::describe;
using detail::ErrorContext;
using detail::is_null;
using detail::MapReader;
using detail::read_optional_string;

constexpr std::uint64_t kU16Max = std::numeric_limits<std::uint16_t>::max();
constexpr std::uint64_t kU32Max = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kMaxWorkerThreads = 4096;

bool absent_or_null(const YAML::Node& node) {
    return !node.IsDefined() || node.IsNull();
}

// A scalar that must be one of `names` (exact spelling).
template <typename Enum, std::size_t N>
Enum read_enum(const ErrorContext& ctx, const YAML::Node& node, const std::string& path,
               const std::pair<std::string_view, Enum> (&names)[N], std::string_view allowed) {
    if (node.IsScalar()) {
        for (const auto& [name, value] : names) {
            if (node.Scalar() == name) return value;
        }
    }
    ctx.fail(node, path, fmt::format("{} is not allowed; allowed: {}", describe(node), allowed));
}

SocketAddress read_address(const ErrorContext& ctx, const YAML::Node& node,
                           const std::string& path) {
    std::string text = detail::read_string(ctx, node, path);
    std::string why;
    auto address = SocketAddress::parse(text, &why);
    if (!address) {
        ctx.fail(node, path,
                 fmt::format("{} is not IPv4:port or [IPv6]:port: {}", describe(node), why));
    }
    return *address;
}

void check_readable(const MapReader& r, std::string_view key, const std::string& path) {
    if (auto reason = detail::unreadable_file_reason(path)) {
        r.context().fail(r.get(key), r.path_of(key), *reason);
    }
}

// `websocket`: the ws listener (it alone takes allowed_origins and path).
std::optional<PlainListener> read_plain_listener(ErrorContext& ctx, const YAML::Node& node,
                                                 const std::string& path, bool websocket) {
    if (absent_or_null(node)) return std::nullopt;
    MapReader r(
        ctx, node, path,
        {"addr", "reuse_port", "proxy_mode", "proxy_allowed_sources", "allowed_origins", "path"});
    PlainListener listener;
    listener.addr = read_address(ctx, r.require("addr"), r.path_of("addr"));
    r.read("reuse_port", listener.reuse_port);
    if (YAML::Node mode = r.get("proxy_mode"); !absent_or_null(mode)) {
        static constexpr std::pair<std::string_view, ProxyMode> kNames[] = {
            {"Normal", ProxyMode::Normal}, {"TlsTermination", ProxyMode::TlsTermination}};
        listener.proxy_mode =
            read_enum(ctx, mode, r.path_of("proxy_mode"), kNames, "null, Normal, TlsTermination");
    }
    listener.proxy_allowed_sources =
        detail::read_proxy_allowed_sources(r, listener.proxy_mode != ProxyMode::None, "proxy_mode");
    listener.allowed_origins = detail::read_allowed_origins(r, websocket);
    listener.path = detail::read_websocket_path(r, websocket);
    return listener;
}

// `websocket`: the wss listener (it alone takes allowed_origins and path).
std::optional<TlsListener> read_tls_listener(ErrorContext& ctx, const YAML::Node& node,
                                             const std::string& path, bool websocket) {
    if (absent_or_null(node)) return std::nullopt;
    MapReader r(ctx, node, path,
                {"addr", "reuse_port", "proxy", "ca_file", "key_file", "cert_file", "verify_peer",
                 "fail_if_no_peer_cert", "proxy_allowed_sources", "allowed_origins", "path"});
    TlsListener listener;
    listener.addr = read_address(ctx, r.require("addr"), r.path_of("addr"));
    r.read("reuse_port", listener.reuse_port);
    r.read("proxy", listener.proxy);
    listener.ca_file = read_optional_string(r, "ca_file");
    listener.key_file = detail::read_string(ctx, r.require("key_file"), r.path_of("key_file"));
    listener.cert_file = detail::read_string(ctx, r.require("cert_file"), r.path_of("cert_file"));
    r.read("verify_peer", listener.verify_peer);
    r.read("fail_if_no_peer_cert", listener.fail_if_no_peer_cert);
    listener.proxy_allowed_sources = detail::read_proxy_allowed_sources(r, listener.proxy, "proxy");
    listener.allowed_origins = detail::read_allowed_origins(r, websocket);
    listener.path = detail::read_websocket_path(r, websocket);

    if (listener.verify_peer && !listener.ca_file) {
        ctx.fail(r.get("verify_peer"), r.path_of("ca_file"),
                 "is required when verify_peer is true (client certificates are verified "
                 "against it)");
    }
    if (listener.fail_if_no_peer_cert && !listener.verify_peer) {
        // The Rust Akasa accepts this combination, so a config written for it starts.
        ctx.warn(r.get("fail_if_no_peer_cert").Mark(), r.path_of("fail_if_no_peer_cert"),
                 "true has no effect unless verify_peer is true (no client certificate is "
                 "asked for); set verify_peer: true (and ca_file) to require client "
                 "certificates");
    }
    check_readable(r, "key_file", listener.key_file);
    check_readable(r, "cert_file", listener.cert_file);
    if (listener.ca_file) check_readable(r, "ca_file", *listener.ca_file);
    return listener;
}

std::optional<HttpListener> read_http_listener(ErrorContext& ctx, const YAML::Node& node,
                                               const std::string& path) {
    if (absent_or_null(node)) return std::nullopt;
    MapReader r(ctx, node, path, {"addr", "reuse_port", "prometheus"});
    HttpListener listener;
    listener.addr = read_address(ctx, r.require("addr"), r.path_of("addr"));
    r.read("reuse_port", listener.reuse_port);
    r.read("prometheus", listener.prometheus);
    return listener;
}

// Two listeners on one address would either fail to bind or, with SO_REUSEPORT, silently
// share connections between protocols: refuse it here with both names.
void check_distinct_addresses(const MapReader& r, const Listeners& listeners) {
    std::vector<std::pair<std::string_view, const SocketAddress*>> bound;
    auto add = [&](std::string_view name, const auto& listener) {
        if (!listener || listener->addr.port() == 0) return;  // port 0 never collides
        for (const auto& [other, address] : bound) {
            if (*address == listener->addr) {
                std::string path = r.path_of(name) + ".addr";
                r.context().fail(r.get(name)["addr"], path,
                                 fmt::format("{} is already used by {}.{}.addr; each listener "
                                             "needs its own address",
                                             listener->addr.to_string(), r.path(), other));
            }
        }
        bound.emplace_back(name, &listener->addr);
    };
    add("mqtt", listeners.mqtt);
    add("mqtts", listeners.mqtts);
    add("ws", listeners.ws);
    add("wss", listeners.wss);
    add("http", listeners.http);
}

Listeners read_listeners(ErrorContext& ctx, const MapReader& top) {
    YAML::Node node = top.require("listeners");
    MapReader r(ctx, node, "listeners", {"mqtt", "mqtts", "ws", "wss", "http"});
    Listeners listeners;
    listeners.mqtt = read_plain_listener(ctx, r.get("mqtt"), r.path_of("mqtt"), false);
    listeners.mqtts = read_tls_listener(ctx, r.get("mqtts"), r.path_of("mqtts"), false);
    listeners.ws = read_plain_listener(ctx, r.get("ws"), r.path_of("ws"), true);
    listeners.wss = read_tls_listener(ctx, r.get("wss"), r.path_of("wss"), true);
    listeners.http = read_http_listener(ctx, r.get("http"), r.path_of("http"));
    if (!listeners.mqtt && !listeners.mqtts && !listeners.ws && !listeners.wss) {
        if (!listeners.http) {
            ctx.fail(node, "listeners",
                     "no listener is configured; set at least one of mqtt, mqtts, ws, wss, "
                     "http");
        }
        // Akasa starts with only its HTTP listener; so does this server, saying what it means.
        ctx.warn(node.Mark(), "listeners",
                 "only the http listener is configured: no MQTT client can connect");
    }
    check_distinct_addresses(r, listeners);
    return listeners;
}

std::set<SaslMechanism> read_sasl_mechanisms(const ErrorContext& ctx, const MapReader& top) {
    std::set<SaslMechanism> result;
    YAML::Node node = top.get("sasl_mechanisms");
    if (!node.IsDefined()) return Config{}.sasl_mechanisms;
    if (is_null(node)) return result;
    if (!node.IsSequence()) {
        ctx.fail(node, "sasl_mechanisms",
                 fmt::format("expected a list such as [SCRAM-SHA-256], got {}", describe(node)));
    }
    static constexpr std::pair<std::string_view, SaslMechanism> kNames[] = {
        {"SCRAM-SHA-256", SaslMechanism::ScramSha256}};
    for (std::size_t i = 0; i < node.size(); ++i) {
        result.insert(read_enum(ctx, node[i], fmt::format("sasl_mechanisms[{}]", i), kNames,
                                "SCRAM-SHA-256"));
    }
    return result;
}

HookConfig read_hook(ErrorContext& ctx, const MapReader& top) {
    MapReader r(ctx, top.get("hook"), "hook",
                {"enable_before_connect", "enable_after_connect", "enable_after_disconnect",
                 "enable_publish", "enable_subscribe", "enable_unsubscribe"});
    HookConfig hook;
    r.read("enable_before_connect", hook.enable_before_connect);
    r.read("enable_after_connect", hook.enable_after_connect);
    r.read("enable_after_disconnect", hook.enable_after_disconnect);
    r.read("enable_publish", hook.enable_publish);
    r.read("enable_subscribe", hook.enable_subscribe);
    r.read("enable_unsubscribe", hook.enable_unsubscribe);
    return hook;
}

// log_format, log_file, log_syslog (ours): how and where the server logs.
void read_log_destination(const ErrorContext& ctx, const MapReader& top, Config& config) {
    if (YAML::Node format = top.get("log_format"); format.IsDefined()) {
        static constexpr std::pair<std::string_view, LogFormat> kNames[] = {
            {"text", LogFormat::Text}, {"json", LogFormat::Json}};
        config.log_format = read_enum(ctx, format, "log_format", kNames, "text, json");
    }
    config.log_file = read_optional_string(top, "log_file");
    config.log_syslog = read_optional_string(top, "log_syslog");
    if (config.log_file && config.log_syslog) {
        ctx.fail(top.get("log_syslog"), "log_syslog",
                 "log_file is set too; the log goes to one place: set one of them (or neither, "
                 "for stderr)");
    }
    // sockaddr_un's sun_path holds 107 bytes and the terminating NUL.
    if (config.log_syslog && config.log_syslog->size() > 107) {
        ctx.fail(top.get("log_syslog"), "log_syslog",
                 fmt::format("a unix socket path has at most 107 bytes, this one has {}",
                             config.log_syslog->size()));
    }
}

Config read_config(ErrorContext& ctx, const YAML::Node& root) {
    MapReader top(
        ctx, root, "",
        {// Akasa's keys
         "listeners", "auth", "scram_users", "sasl_mechanisms", "check_v310_client_id_length",
         "shared_subscription_mode", "max_allowed_qos", "inflight_timeout", "max_inflight_client",
         "max_inflight_server", "max_in_mem_pending_messages", "max_in_db_pending_messages",
         "min_keep_alive", "max_keep_alive", "multiple_subscription_id_in_publish",
         "max_session_expiry_interval", "max_packet_size_client", "max_packet_size_server",
         "topic_alias_max", "retain_available", "shared_subscription_available",
         "subscription_id_available", "wildcard_subscription_available", "hook",
         // ours: memory limits (memory_limits_reader.cpp)
         "max_output_buffer_bytes", "max_in_mem_pending_bytes", "max_in_mem_pending_bytes_total",
         "max_user_properties", "max_user_property_bytes", "max_topic_alias_bytes",
         "max_client_id_length", "max_subscriptions_per_client", "max_retained_messages",
         "max_retained_bytes",
         // ours
         "worker_threads", "connect_timeout", "v3_session_expiry_interval", "log_level",
         "log_format", "log_file", "log_syslog", "max_connections", "acl_file", "plugins",
         "hook_timeout", "persistence", "validate_payload_format", "response_information",
         "allow_session_takeover_by_other_user", "max_topic_levels", "max_topic_length",
         "sys_interval"});
    Config config;
    config.listeners = read_listeners(ctx, top);
    config.auth = detail::read_auth(ctx, top);
    config.scram_users = detail::read_scram_users(ctx, top);
    config.sasl_mechanisms = read_sasl_mechanisms(ctx, top);
    top.read("check_v310_client_id_length", config.check_v310_client_id_length);
    if (YAML::Node mode = top.get("shared_subscription_mode"); mode.IsDefined()) {
        static constexpr std::pair<std::string_view, SharedSubscriptionMode> kNames[] = {
            {"Random", SharedSubscriptionMode::Random},
            {"HashClientId", SharedSubscriptionMode::HashClientId},
            {"HashTopicName", SharedSubscriptionMode::HashTopicName}};
        config.shared_subscription_mode = read_enum(ctx, mode, "shared_subscription_mode", kNames,
                                                    "Random, HashClientId, HashTopicName");
    }
    top.read("max_allowed_qos", config.max_allowed_qos, 0, 2);
    top.read("inflight_timeout", config.inflight_timeout, 1, kU32Max);
    top.read("max_inflight_client", config.max_inflight_client, 1, kU16Max);
    top.read("max_inflight_server", config.max_inflight_server, 1, kU16Max);
    top.read("max_in_mem_pending_messages", config.max_in_mem_pending_messages, 0, kU32Max);
    top.read("max_in_db_pending_messages", config.max_in_db_pending_messages, 0, kU32Max);
    top.read("min_keep_alive", config.min_keep_alive, 0, kU16Max);
    top.read("max_keep_alive", config.max_keep_alive, 0, kU16Max);
    top.read("multiple_subscription_id_in_publish", config.multiple_subscription_id_in_publish);
    top.read("max_session_expiry_interval", config.max_session_expiry_interval, 0, kU32Max);
    top.read("max_packet_size_client", config.max_packet_size_client, 1, kMaxPacketSizeLimit);
    top.read("max_packet_size_server", config.max_packet_size_server, 1, kMaxPacketSizeLimit);
    top.read("topic_alias_max", config.topic_alias_max, 0, kU16Max);
    top.read("retain_available", config.retain_available);
    top.read("shared_subscription_available", config.shared_subscription_available);
    top.read("subscription_id_available", config.subscription_id_available);
    top.read("wildcard_subscription_available", config.wildcard_subscription_available);
    config.hook = read_hook(ctx, top);

    top.read("worker_threads", config.worker_threads, 0, kMaxWorkerThreads);
    top.read("connect_timeout", config.connect_timeout, 1, kU16Max);
    top.read("v3_session_expiry_interval", config.v3_session_expiry_interval, 0, kU32Max);
    if (YAML::Node level = top.get("log_level"); level.IsDefined()) {
        static constexpr std::pair<std::string_view, LogLevel> kNames[] = {
            {"trace", LogLevel::Trace},
            {"debug", LogLevel::Debug},
            {"info", LogLevel::Info},
            {"warn", LogLevel::Warn},
            {"error", LogLevel::Error}};
        config.log_level =
            read_enum(ctx, level, "log_level", kNames, "trace, debug, info, warn, error");
    }
    read_log_destination(ctx, top, config);
    top.read("max_connections", config.max_connections, 0, kU32Max);
    top.read("validate_payload_format", config.validate_payload_format);
    top.read("allow_session_takeover_by_other_user", config.allow_session_takeover_by_other_user);
    if (YAML::Node info = top.get("response_information"); !absent_or_null(info)) {
        config.response_information = read_string(ctx, info, "response_information");
    }
    top.read("max_topic_levels", config.max_topic_levels, 1, kU16Max);
    top.read("max_topic_length", config.max_topic_length, 1, kU16Max);
    top.read("sys_interval", config.sys_interval, 0, kU16Max);
    detail::read_hook_keys(ctx, top, config);
    config.persistence = detail::read_persistence(ctx, top);
    detail::read_memory_limits(ctx, top, config.memory_limits);

    if (config.min_keep_alive > config.max_keep_alive) {
        ctx.fail(top.get("min_keep_alive"), "min_keep_alive",
                 fmt::format("{} is greater than max_keep_alive ({}); min_keep_alive must not "
                             "exceed max_keep_alive",
                             config.min_keep_alive, config.max_keep_alive));
    }
    return config;
}

}  // namespace

Config parse_config_text(std::string_view text, std::string_view source,
                         std::vector<std::string>* warnings) {
    ErrorContext ctx{std::string(source)};
    YAML::Node root;
    try {
        root = YAML::Load(std::string(text));
    } catch (const YAML::Exception& e) {
        ctx.fail(e.mark, "", fmt::format("invalid YAML: {}", e.msg));
    }
    if (!root.IsNull() && !root.IsMap()) {
        ctx.fail(root, "", fmt::format("the config must be a map of keys, got {}", describe(root)));
    }
    Config config = read_config(ctx, root);
    if (warnings) *warnings = ctx.take_warnings();
    return config;
}

Config load_config_file(const std::string& path, std::vector<std::string>* warnings) {
    return parse_config_text(detail::read_config_file(path), path, warnings);
}

}  // namespace akasa::config
