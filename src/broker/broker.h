// The server: shared state plus N worker threads, each with its own epoll loop. `akasa
// start` builds one, starts it, and stops it on SIGINT/SIGTERM.
//
//   Broker broker(config, passwords);
//   broker.start();          // binds listeners (throws std::system_error), starts threads
//   ...                       // serve until a signal
//   broker.stop();           // v5 clients get DISCONNECT 0x8B, output flushed, threads joined
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "auth/password_file.h"
#include "broker/broker_context.h"
#include "config/config.h"
#include "net/http/http_service.h"

namespace akasa::broker {

class Broker {
  public:
    Broker(config::Config config, std::shared_ptr<const auth::PasswordFile> passwords);
    ~Broker();
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    void start();
    void stop();
    // The version GET /health reports on the http listener (set before start()).
    void set_version(std::string version) { version_ = std::move(version); }

    std::uint32_t worker_count() const;
    // Every worker's counters (for metrics and tests); valid while the broker lives.
    const BrokerContext& context() const { return *context_; }

    // The Prometheus text of GET /metrics: every worker's counters summed (relaxed loads,
    // callable from any thread) plus the shared gauges.
    std::string render_metrics() const;

  private:
    void listen_mqtt();
    void listen_http();

    std::unique_ptr<BrokerContext> context_;
    std::unique_ptr<net::http::HttpService> http_service_;  // used by the workers' threads
    std::string version_ = "unknown";
    std::chrono::steady_clock::time_point started_at_;
    std::vector<int> shared_listen_fds_;
    bool started_ = false;
};

// worker_threads from the config, or one per CPU this process may run on (so
// `taskset -c 1 akasa start ...` gets one worker).
std::uint32_t effective_worker_count(std::uint32_t configured);

}  // namespace akasa::broker
