// The server: shared state plus N worker threads, each with its own epoll loop. `akasa
// start` builds one, starts it, reloads it on SIGHUP and stops it on SIGINT/SIGTERM.
//
//   Broker broker(config, passwords);
//   broker.start();          // binds listeners (throws std::system_error), starts threads
//   ...                       // serve until a signal
//   auto changes = config::diff_config(broker.config(), reread);   // SIGHUP
//   if (!broker.reload(reread, changes)) ...   // nothing changed (logged why)
//   broker.stop();           // v5 clients get DISCONNECT 0x8B, output flushed, threads joined
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "auth/password_store.h"
#include "broker/broker_context.h"
#include "config/config.h"
#include "config/config_diff.h"
#include "metrics/registry.h"
#include "net/http/http_service.h"
#include "net/tls/tls_context.h"
#include "net/transport.h"

namespace akasa::broker {

namespace sys {
class SysPublisher;
}

class Broker {
  public:
    Broker(config::Config config, std::shared_ptr<auth::PasswordStore> passwords);
    ~Broker();
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    void start();
    void stop();
    // The config in force (main thread): the one read at start with what reloads applied.
    const config::Config& config() const;
    // SIGHUP (main thread, broker_reload.cpp): puts the reloadable `changes` of `next` (the
    // config file read again; changes = config::diff_config(config(), next)) in force, and
    // reads the password file, the ACL file and the TLS files again (from their new paths
    // when those changed). A plugin's new options are marked not reloadable in `changes` when
    // the plugin cannot take them. First whatever can fail is prepared: the files are read
    // and the TLS contexts built, then the plugins given their new options. If anything
    // fails, nothing changes (plugins that took new options get their previous ones back),
    // the reason is logged, and false is returned. Otherwise the files' contents are swapped
    // in, and every worker takes a new config generation (config_generation.h) before this
    // returns (a worker stuck longer than kReloadTimeout takes it later; logged). Log
    // settings are the caller's (util/log.h).
    bool reload(const config::Config& next, std::vector<config::KeyChange>& changes);
    // The version GET /health reports on the http listener (set before start()).
    void set_version(std::string version) { version_ = std::move(version); }
    // The git commit of the build, for akasa_build_info (set before start()).
    void set_commit(std::string commit) { commit_ = std::move(commit); }

    std::uint32_t worker_count() const;
    // Every worker's counters (for metrics and tests); valid while the broker lives.
    const BrokerContext& context() const { return *context_; }

    // The Prometheus text of GET /metrics: every worker's counters summed (relaxed loads,
    // callable from any thread), each worker's loop, the shared gauges, the build and the
    // process (/proc/self).
    std::string render_metrics() const;
    // The registry render_metrics() renders (also read by the $SYS publisher).
    metrics::Registry collect_metrics() const;

  private:
    // How long stop() waits for the workers to publish their clients' wills.
    static constexpr std::chrono::seconds kWillsAtShutdownTimeout{5};
    // How long reload() waits for the workers to take the new config generation.
    static constexpr std::chrono::seconds kReloadTimeout{5};
    // Posts `task` to every worker and waits until each ran it, or `timeout` passed; returns
    // how many had not (a worker stuck in a plugin call). The task may run later still.
    std::size_t run_on_every_worker(std::function<void(Worker&)> task,
                                    std::chrono::seconds timeout);
    void publish_wills_before_stop();
    // The hashing threads for password checks and the failed-login limiter (auth.*).
    void start_login_checks(std::uint32_t workers);

    // broker_listeners.cpp: the mqtt, mqtts, ws and wss listeners with their transport
    // stacks; TLS contexts are built first (TlsConfigError names the listener and file).
    void listen_mqtt();
    void listen_http();
    // A TLS listener's new settings and the context built from them (reload()).
    struct TlsUpdate {
        std::string_view name;  // "mqtts", "wss"
        net::tls::TlsContextHolder* holder;
        config::TlsListener listener;
        net::tls::SslContextPtr context;
    };
    // One per TLS listener, from `config`; false (the failures logged) when a context cannot
    // be built.
    bool prepare_tls_contexts(const config::Config& config, std::vector<TlsUpdate>& out) const;
    void commit_tls_contexts(std::vector<TlsUpdate>& updates);
    // broker_reload.cpp: gives the plugins whose options changed their new ones; on a
    // refusal, gives those that took them their `running` options back and returns false.
    bool reconfigure_plugins(const config::Config& running, const config::Config& next,
                             const std::vector<config::KeyChange>& changes);
    void add_listener_metrics(metrics::Registry& registry) const;
    // sys_interval > 0: worker 0 publishes the $SYS topics (src/broker/sys/).
    void start_sys_topics();
    std::uint64_t uptime_seconds() const;  // since start()

    std::unique_ptr<BrokerContext> context_;
    std::unique_ptr<net::http::HttpService> http_service_;  // used by the workers' threads
    // Connections per MQTT listener kind, for the metrics: mqtt, mqtts, ws, wss.
    std::array<net::ListenerCounters, 4> listener_counters_;
    // One per TLS listener ("mqtts", "wss"); workers read them on accept, reload() swaps.
    std::vector<std::pair<std::string, std::unique_ptr<net::tls::TlsContextHolder>>> tls_contexts_;
    std::string version_ = "unknown";
    std::string commit_ = "unknown";
    std::chrono::steady_clock::time_point started_at_;
    std::vector<int> shared_listen_fds_;
    std::unique_ptr<sys::SysPublisher> sys_publisher_;  // used by worker 0's thread
    bool started_ = false;
};

// worker_threads from the config, or one per CPU this process may run on (so
// `taskset -c 1 akasa start ...` gets one worker).
std::uint32_t effective_worker_count(std::uint32_t configured);

}  // namespace akasa::broker
