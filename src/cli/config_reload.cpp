#include "cli/config_reload.h"

#include <algorithm>
#include <exception>
#include <utility>
#include <vector>

#include <spdlog/spdlog.h>

#include "broker/worker/worker.h"  // broker.h's BrokerContext holds Workers
#include "config/config_diff.h"
#include "config/config_loader.h"
#include "config/file_exposure.h"
#include "util/log.h"

namespace akasa::cli {
namespace {

bool changed(const std::vector<config::KeyChange>& changes, std::string_view key) {
    return std::any_of(changes.begin(), changes.end(),
                       [key](const config::KeyChange& c) { return c.key == key; });
}

// One line per changed key, then a summary.
void report(const std::string& path, const std::vector<config::KeyChange>& changes) {
    std::size_t applied = 0;
    for (const auto& change : changes) {
        if (change.reloadable) {
            ++applied;
            spdlog::info("SIGHUP: applied {}: {}", change.key, change.describe());
        } else {
            spdlog::warn("SIGHUP: restart needed for {} ({}); until then the server keeps {}",
                         change.key, change.describe(),
                         change.before.empty() ? "the running value" : change.before);
        }
    }
    if (changes.empty()) {
        spdlog::info("SIGHUP: {}: no key changed", path);
    } else {
        spdlog::info("SIGHUP: {}: {} key(s) applied, {} need a restart", path, applied,
                     changes.size() - applied);
    }
}

}  // namespace

ConfigReloader::ConfigReloader(std::string config_path, broker::Broker& broker,
                               std::optional<std::string> level_override)
    : config_path_(std::move(config_path)),
      broker_(broker),
      level_override_(std::move(level_override)) {}

void ConfigReloader::reload() {
    config::Config next;
    std::vector<std::string> warnings;
    try {
        next = config::load_config_file(config_path_, &warnings);
    } catch (const std::exception& e) {  // ConfigError: "path:line: key: problem"
        spdlog::error("SIGHUP: {}; nothing changed, the server goes on with the config it had",
                      e.what());
        return;
    }
    for (const auto& warning : warnings)
        spdlog::warn("SIGHUP: {}", warning);

    auto changes = config::diff_config(broker_.config(), next);
    // The log destination is opened before anything changes: one that cannot be opened
    // refuses the whole reload, like a file the broker cannot read.
    std::optional<util::LogDestination> destination;
    if (changed(changes, "log_file") || changed(changes, "log_syslog") ||
        changed(changes, "log_format")) {
        try {
            destination.emplace(util::LogOptions{
                .json = next.log_format == config::LogFormat::Json,
                .file = next.log_file,
                .syslog_socket = next.log_syslog,
            });
        } catch (const std::exception& e) {
            spdlog::error("SIGHUP: {}: {}; nothing changed",
                          next.log_file ? "log_file" : "log_syslog", e.what());
            return;
        }
    }
    if (!broker_.reload(next, changes)) {
        spdlog::error("SIGHUP: {}: nothing changed (the reason is above)", config_path_);
        if (destination) destination->abandon();
        return;
    }
    if (destination) {
        spdlog::info("SIGHUP: the log goes to {} from now on", destination->description());
        util::switch_log_destination(std::move(*destination));
    }
    if (changed(changes, "log_level")) {
        if (level_override_) {
            spdlog::info("SIGHUP: log_level is {} now, but RUST_LOG's level {} stays in force",
                         config::to_string(next.log_level), *level_override_);
        } else {
            util::set_log_level(std::string(config::to_string(next.log_level)));
        }
    }
    report(config_path_, changes);
    for (const auto& warning : config::exposed_file_warnings(broker_.config(), config_path_))
        spdlog::warn("{}", warning);
}

}  // namespace akasa::cli
