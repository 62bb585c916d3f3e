#include "config/config_diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <set>
#include <string_view>
#include <type_traits>
#include <utility>

namespace akasa::config {
namespace {

// Whether a running server can take a key's new value (docs/configuration.md says why not
// where it cannot).
enum class Reload {
    Yes,
    Restart,
    // An optional path: a new path is reloadable, setting or unsetting it needs a restart
    // (it adds or removes a part of the server: the ACL hook, the password store).
    WhenBothSet,
};

template <class T>
inline constexpr bool kIsOptional = false;
template <class T>
inline constexpr bool kIsOptional<std::optional<T>> = true;

template <class T>
inline constexpr bool kIsList = false;
template <class T>
inline constexpr bool kIsList<std::vector<T>> = true;
template <class T>
inline constexpr bool kIsList<std::set<T>> = true;

// A value as the file would spell it.
template <class T>
std::string show(const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
        return value ? "true" : "false";
    } else if constexpr (std::is_integral_v<T>) {
        return std::to_string(static_cast<std::uint64_t>(value));
    } else if constexpr (std::is_same_v<T, std::chrono::seconds> ||
                         std::is_same_v<T, std::chrono::milliseconds>) {
        return std::to_string(value.count());
    } else if constexpr (std::is_same_v<T, std::string>) {
        return value.empty() ? "\"\"" : value;
    } else if constexpr (std::is_enum_v<T>) {
        return std::string(to_string(value));
    } else if constexpr (kIsOptional<T>) {
        return value ? show(*value) : "null";
    } else if constexpr (kIsList<T>) {
        std::string text = "[";
        for (const auto& item : value) {
            if (text.size() > 1) text += ", ";
            text += show(item);
        }
        return text + "]";
    } else {
        return value.to_string();  // SocketAddress, IpNetwork
    }
}

// A member reached through a path of member pointers: get<&Config::auth, &AuthConfig::enable>.
template <auto First, auto... Rest, class Root>
const auto& get(const Root& root) {
    if constexpr (sizeof...(Rest) == 0) {
        return root.*First;
    } else {
        return get<Rest...>(root.*First);
    }
}

template <auto First, auto... Rest, class Root>
auto& get_mutable(Root& root) {
    if constexpr (sizeof...(Rest) == 0) {
        return root.*First;
    } else {
        return get_mutable<Rest...>(root.*First);
    }
}

// One key of a Config (Root = Config) or of a listener (Root = PlainListener, ...).
template <class Root>
struct Field {
    std::string_view key;
    Reload reload;
    bool (*differs)(const Root&, const Root&);
    std::string (*show)(const Root&);
    void (*copy)(Root& to, const Root& from);
    bool (*both_set)(const Root&, const Root&);

    bool reloadable(const Root& running, const Root& next) const {
        return reload == Reload::Yes || (reload == Reload::WhenBothSet && both_set(running, next));
    }
};

template <class Root, auto... Path>
Field<Root> field(std::string_view key, Reload reload) {
    return Field<Root>{
        key,
        reload,
        [](const Root& a, const Root& b) { return get<Path...>(a) != get<Path...>(b); },
        [](const Root& c) { return show(get<Path...>(c)); },
        [](Root& to, const Root& from) { get_mutable<Path...>(to) = get<Path...>(from); },
        [](const Root& a, const Root& b) {
            if constexpr (kIsOptional<std::decay_t<decltype(get<Path...>(a))>>) {
                return get<Path...>(a).has_value() && get<Path...>(b).has_value();
            } else {
                return true;
            }
        },
    };
}

template <auto... Path>
Field<Config> key(std::string_view name, Reload reload) {
    return field<Config, Path...>(name, reload);
}

constexpr Reload kYes = Reload::Yes;
constexpr Reload kRestart = Reload::Restart;

// The keys of Config outside listeners, scram_users and plugins, in the order of
// docs/configuration.md. Why each restart key needs one is in that file.
const std::vector<Field<Config>>& config_fields() {
    using C = Config;
    using A = AuthConfig;
    using H = HookConfig;
    using M = MemoryLimits;
    using P = PersistenceConfig;
    static const std::vector<Field<Config>> fields = {
        key<&C::auth, &A::enable>("auth.enable", kRestart),
        key<&C::auth, &A::password_file>("auth.password_file", Reload::WhenBothSet),
        key<&C::auth, &A::hash_threads>("auth.hash_threads", kRestart),
        key<&C::auth, &A::max_pending_logins>("auth.max_pending_logins", kRestart),
        key<&C::auth, &A::max_failed_logins>("auth.max_failed_logins", kRestart),
        key<&C::auth, &A::failed_login_window>("auth.failed_login_window", kRestart),
        key<&C::auth, &A::failed_login_block>("auth.failed_login_block", kRestart),
        key<&C::auth, &A::failed_login_addresses>("auth.failed_login_addresses", kRestart),
        key<&C::sasl_mechanisms>("sasl_mechanisms", kYes),
        key<&C::check_v310_client_id_length>("check_v310_client_id_length", kYes),
        key<&C::shared_subscription_mode>("shared_subscription_mode", kYes),
        key<&C::max_allowed_qos>("max_allowed_qos", kYes),
        key<&C::inflight_timeout>("inflight_timeout", kYes),
        key<&C::max_inflight_client>("max_inflight_client", kYes),
        key<&C::max_inflight_server>("max_inflight_server", kYes),
        key<&C::max_in_mem_pending_messages>("max_in_mem_pending_messages", kYes),
        key<&C::max_in_db_pending_messages>("max_in_db_pending_messages", kYes),
        key<&C::min_keep_alive>("min_keep_alive", kYes),
        key<&C::max_keep_alive>("max_keep_alive", kYes),
        key<&C::multiple_subscription_id_in_publish>("multiple_subscription_id_in_publish", kYes),
        key<&C::max_session_expiry_interval>("max_session_expiry_interval", kYes),
        key<&C::max_packet_size_client>("max_packet_size_client", kYes),
        key<&C::max_packet_size_server>("max_packet_size_server", kYes),
        key<&C::topic_alias_max>("topic_alias_max", kYes),
        key<&C::retain_available>("retain_available", kYes),
        key<&C::shared_subscription_available>("shared_subscription_available", kYes),
        key<&C::subscription_id_available>("subscription_id_available", kYes),
        key<&C::wildcard_subscription_available>("wildcard_subscription_available", kYes),
        key<&C::hook, &H::enable_before_connect>("hook.enable_before_connect", kRestart),
        key<&C::hook, &H::enable_after_connect>("hook.enable_after_connect", kRestart),
        key<&C::hook, &H::enable_after_disconnect>("hook.enable_after_disconnect", kRestart),
        key<&C::hook, &H::enable_publish>("hook.enable_publish", kRestart),
        key<&C::hook, &H::enable_subscribe>("hook.enable_subscribe", kRestart),
        key<&C::hook, &H::enable_unsubscribe>("hook.enable_unsubscribe", kRestart),
        key<&C::worker_threads>("worker_threads", kRestart),
        key<&C::connect_timeout>("connect_timeout", kYes),
        key<&C::v3_session_expiry_interval>("v3_session_expiry_interval", kYes),
        key<&C::log_level>("log_level", kYes),
        key<&C::log_format>("log_format", kYes),
        key<&C::log_file>("log_file", kYes),
        key<&C::log_syslog>("log_syslog", kYes),
        key<&C::max_connections>("max_connections", kYes),
        key<&C::allow_session_takeover_by_other_user>("allow_session_takeover_by_other_user", kYes),
        key<&C::validate_payload_format>("validate_payload_format", kYes),
        key<&C::response_information>("response_information", kYes),
        key<&C::acl_file>("acl_file", Reload::WhenBothSet),
        key<&C::hook_timeout>("hook_timeout", kYes),
        key<&C::max_topic_levels>("max_topic_levels", kYes),
        key<&C::max_topic_length>("max_topic_length", kYes),
        key<&C::sys_interval>("sys_interval", kRestart),
        // The memory limits are top-level keys of the file.
        key<&C::memory_limits, &M::max_output_buffer_bytes>("max_output_buffer_bytes", kYes),
        key<&C::memory_limits, &M::max_in_mem_pending_bytes>("max_in_mem_pending_bytes", kYes),
        key<&C::memory_limits, &M::max_in_mem_pending_bytes_total>("max_in_mem_pending_bytes_total",
                                                                   kYes),
        key<&C::memory_limits, &M::max_user_properties>("max_user_properties", kYes),
        key<&C::memory_limits, &M::max_user_property_bytes>("max_user_property_bytes", kYes),
        key<&C::memory_limits, &M::max_topic_alias_bytes>("max_topic_alias_bytes", kYes),
        key<&C::memory_limits, &M::max_client_id_length>("max_client_id_length", kYes),
        key<&C::memory_limits, &M::max_subscriptions_per_client>("max_subscriptions_per_client",
                                                                 kYes),
        key<&C::memory_limits, &M::max_retained_messages>("max_retained_messages", kYes),
        key<&C::memory_limits, &M::max_retained_bytes>("max_retained_bytes", kYes),
        key<&C::persistence, &P::enable>("persistence.enable", kRestart),
        key<&C::persistence, &P::dir>("persistence.dir", kRestart),
        key<&C::persistence, &P::sync>("persistence.sync", kRestart),
        key<&C::persistence, &P::sync_interval>("persistence.sync_interval_ms", kRestart),
    };
    return fields;
}

// Listener keys: the sockets, their transport stacks and guards are made at start; only the
// TLS context (files and client-certificate checks) is built again for new connections.
const std::vector<Field<PlainListener>>& plain_listener_fields() {
    using L = PlainListener;
    static const std::vector<Field<L>> fields = {
        field<L, &L::addr>("addr", kRestart),
        field<L, &L::reuse_port>("reuse_port", kRestart),
        field<L, &L::proxy_mode>("proxy_mode", kRestart),
        field<L, &L::proxy_allowed_sources>("proxy_allowed_sources", kRestart),
        field<L, &L::allowed_origins>("allowed_origins", kRestart),
        field<L, &L::path>("path", kRestart),
    };
    return fields;
}

const std::vector<Field<TlsListener>>& tls_listener_fields() {
    using L = TlsListener;
    static const std::vector<Field<L>> fields = {
        field<L, &L::addr>("addr", kRestart),
        field<L, &L::reuse_port>("reuse_port", kRestart),
        field<L, &L::proxy>("proxy", kRestart),
        field<L, &L::ca_file>("ca_file", kYes),
        field<L, &L::key_file>("key_file", kYes),
        field<L, &L::cert_file>("cert_file", kYes),
        field<L, &L::verify_peer>("verify_peer", kYes),
        field<L, &L::fail_if_no_peer_cert>("fail_if_no_peer_cert", kYes),
        field<L, &L::proxy_allowed_sources>("proxy_allowed_sources", kRestart),
        field<L, &L::allowed_origins>("allowed_origins", kRestart),
        field<L, &L::path>("path", kRestart),
    };
    return fields;
}

const std::vector<Field<HttpListener>>& http_listener_fields() {
    using L = HttpListener;
    static const std::vector<Field<L>> fields = {
        field<L, &L::addr>("addr", kRestart),
        field<L, &L::reuse_port>("reuse_port", kRestart),
        field<L, &L::prometheus>("prometheus", kRestart),
    };
    return fields;
}

template <class L>
void diff_listener(std::string_view kind, std::optional<L> Listeners::*member,
                   const std::vector<Field<L>>& fields, const Config& running, const Config& next,
                   std::vector<KeyChange>& out) {
    const std::optional<L>& before = running.listeners.*member;
    const std::optional<L>& after = next.listeners.*member;
    const std::string prefix = fmt::format("listeners.{}", kind);
    if (before.has_value() != after.has_value()) {
        out.push_back({prefix, before ? before->addr.to_string() : "null",
                       after ? after->addr.to_string() : "null", false,
                       [member](Config& to, const Config& from) {
                           to.listeners.*member = from.listeners.*member;
                       }});
        return;
    }
    if (!before) return;
    for (const auto& f : fields) {
        if (!f.differs(*before, *after)) continue;
        out.push_back({fmt::format("{}.{}", prefix, f.key), f.show(*before), f.show(*after),
                       f.reloadable(*before, *after),
                       [member, copy = f.copy](Config& to, const Config& from) {
                           copy(*(to.listeners.*member), *(from.listeners.*member));
                       }});
    }
}

void diff_listeners(const Config& running, const Config& next, std::vector<KeyChange>& out) {
    diff_listener("mqtt", &Listeners::mqtt, plain_listener_fields(), running, next, out);
    diff_listener("mqtts", &Listeners::mqtts, tls_listener_fields(), running, next, out);
    diff_listener("ws", &Listeners::ws, plain_listener_fields(), running, next, out);
    diff_listener("wss", &Listeners::wss, tls_listener_fields(), running, next, out);
    diff_listener("http", &Listeners::http, http_listener_fields(), running, next, out);
}

// One change per user added, removed or changed; the values stay out of the log.
void diff_scram_users(const Config& running, const Config& next, std::vector<KeyChange>& out) {
    std::set<std::string> names;
    for (const auto& [name, user] : running.scram_users)
        names.insert(name);
    for (const auto& [name, user] : next.scram_users)
        names.insert(name);
    for (const auto& name : names) {
        const auto before = running.scram_users.find(name);
        const auto after = next.scram_users.find(name);
        const bool had = before != running.scram_users.end();
        const bool has = after != next.scram_users.end();
        if (had && has && before->second == after->second) continue;
        KeyChange change{"scram_users." + name, had ? "(secret)" : "null",
                         has ? "(secret)" : "null", true, [name](Config& to, const Config& from) {
                             const auto it = from.scram_users.find(name);
                             if (it == from.scram_users.end()) {
                                 to.scram_users.erase(name);
                             } else {
                                 to.scram_users[name] = it->second;
                             }
                         }};
        if (had && has) change.before = change.after = "";  // "changed"
        out.push_back(std::move(change));
    }
}

// A plugin is loaded at start: adding, removing or replacing one needs a restart. New
// options are marked reloadable; the broker clears that for plugins that cannot take them.
void diff_plugins(const Config& running, const Config& next, std::vector<KeyChange>& out) {
    if (running.plugins.size() != next.plugins.size()) {
        out.push_back({"plugins", fmt::format("{} entries", running.plugins.size()),
                       fmt::format("{} entries", next.plugins.size()), false,
                       [](Config& to, const Config& from) { to.plugins = from.plugins; }});
        return;
    }
    for (std::size_t i = 0; i < running.plugins.size(); ++i) {
        const auto& before = running.plugins[i];
        const auto& after = next.plugins[i];
        const bool same_path = before.path == after.path;
        if (!same_path) {
            out.push_back({fmt::format("plugins[{}].path", i), before.path, after.path, false,
                           [i](Config& to, const Config& from) {
                               to.plugins[i].path = from.plugins[i].path;
                           }});
        }
        if (before.options != after.options) {
            out.push_back({fmt::format("plugins[{}].options", i), "", "", same_path,
                           [i](Config& to, const Config& from) {
                               to.plugins[i].options = from.plugins[i].options;
                           }});
        }
    }
}

}  // namespace

std::string KeyChange::describe() const {
    if (before.empty() && after.empty()) return "changed";
    return fmt::format("{} -> {}", before, after);
}

std::vector<KeyChange> diff_config(const Config& running, const Config& next) {
    std::vector<KeyChange> changes;
    diff_listeners(running, next, changes);
    const auto& fields = config_fields();
    // The auth keys come first in the documentation, then the SCRAM users.
    const auto after_auth = std::find_if(fields.begin(), fields.end(),
                                         [](const auto& f) { return !f.key.starts_with("auth."); });
    auto diff_fields = [&](auto first, auto last) {
        for (auto f = first; f != last; ++f) {
            if (!f->differs(running, next)) continue;
            changes.push_back(
                {std::string(f->key), f->show(running), f->show(next), f->reloadable(running, next),
                 [copy = f->copy](Config& to, const Config& from) { copy(to, from); }});
        }
    };
    diff_fields(fields.begin(), after_auth);
    diff_scram_users(running, next, changes);
    diff_fields(after_auth, fields.end());
    diff_plugins(running, next, changes);

    // Every difference must be one of the changes: applying all of them has to give `next`.
    Config all = running;
    for (const auto& change : changes)
        change.apply(all, next);
    if (!(all == next)) changes.push_back({kUnknownKey, "", "", false, nullptr});
    return changes;
}

Config with_changes(const Config& running, const Config& next,
                    const std::vector<KeyChange>& changes) {
    Config result = running;
    for (const auto& change : changes) {
        if (change.reloadable && change.apply) change.apply(result, next);
    }
    return result;
}

std::vector<std::string> restart_needed_keys() {
    std::set<std::string> keys = {"listeners.*", "plugins", "plugins[*].path"};
    auto add_listener_keys = [&](const auto& fields) {
        for (const auto& f : fields) {
            if (f.reload == Reload::Restart) keys.insert(fmt::format("listeners.*.{}", f.key));
        }
    };
    add_listener_keys(plain_listener_fields());
    add_listener_keys(tls_listener_fields());
    add_listener_keys(http_listener_fields());
    for (const auto& f : config_fields()) {
        if (f.reload == Reload::Restart) keys.emplace(f.key);
    }
    return {keys.begin(), keys.end()};
}

}  // namespace akasa::config
