// Broker::reload: a SIGHUP's new config put in force in two steps, so that a reload either
// applies completely or changes nothing. Step one reads and checks everything that can fail
// (the password file, the ACL file, the TLS contexts, then the plugins' new options, the
// only step with an effect, undone on failure); step two swaps the results in and hands the
// new config generation to the workers, and cannot fail.
#include <charconv>
#include <optional>
#include <string_view>
#include <utility>

#include <spdlog/spdlog.h>

#include "auth/password_file.h"
#include "broker/broker.h"
#include "broker/worker/worker.h"
#include "hook/acl/acl_rules.h"

namespace akasa::broker {
namespace {

// N of a `plugins[N].options` key; nullopt for any other key.
std::optional<std::size_t> plugin_options_index(std::string_view key) {
    constexpr std::string_view kPrefix = "plugins[";
    constexpr std::string_view kSuffix = "].options";
    if (!key.starts_with(kPrefix) || !key.ends_with(kSuffix)) return std::nullopt;
    const std::string_view digits =
        key.substr(kPrefix.size(), key.size() - kPrefix.size() - kSuffix.size());
    std::size_t index = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), index);
    if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return index;
}

}  // namespace

const config::Config& Broker::config() const {
    return context_->configs.latest().config;
}

bool Broker::reload(const config::Config& next, std::vector<config::KeyChange>& changes) {
    HookServices& hooks = *context_->hooks;
    for (auto& change : changes) {
        const auto index = plugin_options_index(change.key);
        if (change.reloadable && index && !hooks.can_reconfigure_plugin(*index)) {
            change.reloadable = false;  // the plugin has no akasa_plugin_reconfigure
        }
    }
    const config::Config& running = config();
    config::Config in_force = config::with_changes(running, next, changes);

    // Step one. Keys that need a restart kept their running values in `in_force`, so the
    // ACL and password files exist here exactly when they did at start.
    bool ok = true;
    std::optional<hook::acl::AclRules> acl;
    if (hooks.has_acl()) {
        try {
            acl = hook::acl::AclRules::load(*in_force.acl_file);
        } catch (const hook::acl::AclFileError& e) {
            spdlog::error("acl_file: {} (keeping the previous ACL rules)", e.what());
            ok = false;
        }
    }
    std::optional<auth::PasswordFile> passwords;
    if (context_->passwords) {
        try {
            passwords = auth::PasswordFile::load(*in_force.auth.password_file);
        } catch (const std::exception& e) {  // PasswordFileError, or out of memory
            context_->passwords->log_kept(e);
            ok = false;
        }
    }
    std::vector<TlsUpdate> tls;
    ok = prepare_tls_contexts(in_force, tls) && ok;  // broker_listeners.cpp
    if (!ok || !reconfigure_plugins(running, in_force, changes)) return false;

    // Step two.
    if (passwords) {
        context_->passwords->replace(*in_force.auth.password_file, std::move(*passwords));
    }
    if (acl) hooks.replace_acl(std::move(*acl), *in_force.acl_file);
    commit_tls_contexts(tls);
    if (in_force != running) {
        // Generations live as long as the context, which outlives the workers' tasks. Waiting
        // for every worker makes the reload's log lines true when they are written: a
        // connection accepted from then on gets the new generation.
        const ConfigGeneration& generation = context_->configs.add(std::move(in_force));
        const std::size_t late = run_on_every_worker(
            [next = &generation](Worker& w) { w.use_config(*next); }, kReloadTimeout);
        if (late != 0) {
            spdlog::warn(
                "SIGHUP: {} worker thread(s) did not take the new config within {} s "
                "(busy in a hook call?); each takes it as soon as it runs again",
                late, kReloadTimeout.count());
        }
    }
    return true;
}

bool Broker::reconfigure_plugins(const config::Config& running, const config::Config& next,
                                 const std::vector<config::KeyChange>& changes) {
    HookServices& hooks = *context_->hooks;
    std::vector<std::size_t> reconfigured;
    for (const auto& change : changes) {
        const auto index = plugin_options_index(change.key);
        if (!change.reloadable || !index) continue;
        const auto& plugin = next.plugins[*index];
        if (auto error = hooks.reconfigure_plugin(*index, plugin.options)) {
            spdlog::error("SIGHUP: plugins[{}] ({}): {}; it keeps its previous options", *index,
                          plugin.path, *error);
            for (const std::size_t done : reconfigured) {
                const auto& previous = running.plugins[done];
                if (auto again = hooks.reconfigure_plugin(done, previous.options)) {
                    spdlog::error(
                        "SIGHUP: plugins[{}] ({}) took its new options but refuses its "
                        "previous ones back: {}; it runs with the new options until a restart",
                        done, previous.path, *again);
                }
            }
            return false;
        }
        reconfigured.push_back(*index);
    }
    return true;
}

}  // namespace akasa::broker
