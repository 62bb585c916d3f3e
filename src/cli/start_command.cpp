// `akasa start --config FILE`: load the config, start the broker, serve until SIGINT or
// SIGTERM (SIGHUP reloads, see config_reload.h), then shut down in order (see
// broker/broker.h) and exit 0.
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "auth/password_store.h"
#include "broker/broker.h"
#include "broker/worker/worker.h"
#include "cli/build_info.h"
#include "cli/commands.h"
#include "cli/config_reload.h"
#include "cli/worker_watchdog.h"
#include "config/config_loader.h"
#include "config/file_exposure.h"
#include "util/log.h"
#include "util/service_notify.h"

namespace akasa::cli {

namespace {

void notify(const util::ServiceNotifier& notifier, std::string_view state) {
    if (notifier.enabled() && !notifier.send(state)) {
        spdlog::warn("cannot send {} to systemd's NOTIFY_SOCKET",
                     state.substr(0, state.find('\n')));
    }
}

}  // namespace

int start(const std::string& config_path) {
    config::Config config;
    std::vector<std::string> config_warnings;
    try {
        config = config::load_config_file(config_path, &config_warnings);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "akasa: %s\n", e.what());
        return 1;
    }
    // RUST_LOG, the Rust Akasa's way (its docker examples set it), overrides log_level.
    std::optional<std::string> rust_log_level;
    const char* rust_log = std::getenv("RUST_LOG");
    if (rust_log) rust_log_level = util::level_from_rust_log(rust_log);
    // What the server creates (the log file, the store's files) is for its own user only.
    ::umask(0077);
    try {
        util::init_logging({
            .level =
                std::string(rust_log_level ? *rust_log_level : config::to_string(config.log_level)),
            .json = config.log_format == config::LogFormat::Json,
            .file = config.log_file,
            .syslog_socket = config.log_syslog,
        });
    } catch (const std::exception& e) {
        std::fprintf(stderr, "akasa: %s: %s\n", config.log_file ? "log_file" : "log_syslog",
                     e.what());
        return 1;
    }
    for (const auto& warning : config_warnings)
        spdlog::warn("{}", warning);
    if (rust_log && !rust_log_level) {
        spdlog::warn(
            "RUST_LOG=\"{}\" names no level (trace, debug, info, warn, error, off); "
            "log_level applies",
            rust_log);
    } else if (rust_log_level) {
        spdlog::info("log level {} from RUST_LOG (overrides log_level)", *rust_log_level);
    }

    std::shared_ptr<auth::PasswordStore> passwords;
    if (config.auth.enable) {
        try {
            passwords = std::make_shared<auth::PasswordStore>(*config.auth.password_file);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "akasa: cannot load the password file: %s\n", e.what());
            return 1;
        }
    }

    // Every thread inherits this mask, so the signals reach only the sigwait() below.
    // SIGPIPE is ignored by the sockets themselves (MSG_NOSIGNAL) but blocked for safety.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    sigaddset(&signals, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    const auto exposure_warnings = config::exposed_file_warnings(config, config_path);
    broker::Broker broker(std::move(config), std::move(passwords));
    broker.set_version(AKASA_VERSION);
    broker.set_commit(std::string(build_commit()));
    try {
        broker.start();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "akasa: %s\n", e.what());
        return 1;
    }
    // After the start, so that a start that fails names only what made it fail.
    {
        std::error_code ec;
        const auto cwd = std::filesystem::current_path(ec);
        spdlog::info(
            "config {}; relative paths in it (persistence.dir, password_file, "
            "acl_file, TLS files) are relative to the working directory {}",
            std::filesystem::absolute(config_path, ec).lexically_normal().string(), cwd.string());
    }
    for (const auto& warning : exposure_warnings)
        spdlog::warn("{}", warning);
    spdlog::info("{} started", version_line());
    // Under systemd (Type=notify): start() returned, so every listener is bound and the
    // store recovered. No-ops without $NOTIFY_SOCKET.
    const auto notifier = util::ServiceNotifier::from_environment();
    notify(notifier, "READY=1");
    std::optional<WorkerWatchdog> watchdog;
    if (auto interval = notifier.watchdog_interval()) watchdog.emplace(broker, notifier, *interval);
    ConfigReloader reloader(config_path, broker, rust_log_level);

    for (;;) {
        int signal = 0;
        if (sigwait(&signals, &signal) != 0) continue;
        if (signal == SIGINT || signal == SIGTERM) {
            spdlog::info("received {}, shutting down", signal == SIGINT ? "SIGINT" : "SIGTERM");
            notify(notifier, "STOPPING=1");
            break;
        }
        if (signal == SIGHUP) {
            // First, so that after logrotate's rename even this line is in the new file.
            if (auto error = util::reopen_log_file()) {
                spdlog::error("SIGHUP: still logging to the renamed log file: {}", *error);
            }
            spdlog::info("received SIGHUP, reloading");
            notify(notifier, util::ServiceNotifier::reloading_state());
            reloader.reload();
            notify(notifier, "READY=1");
        }
    }
    watchdog.reset();  // its tasks go to the workers, which stop() ends
    broker.stop();
    spdlog::info("akasa stopped");
    return 0;
}

}  // namespace akasa::cli
