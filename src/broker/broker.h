// The server: shared state plus N worker threads, each with its own epoll loop. `akasa
// start` builds one, starts it, and stops it on SIGINT/SIGTERM.
//
//   Broker broker(config, passwords);
//   broker.start();          // binds listeners (throws std::system_error), starts threads
//   ...                       // serve until a signal
//   broker.stop();           // v5 clients get DISCONNECT 0x8B, output flushed, threads joined
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "auth/password_file.h"
#include "broker/broker_context.h"
#include "config/config.h"

namespace akasa::broker {

class Broker {
  public:
    Broker(config::Config config, std::shared_ptr<const auth::PasswordFile> passwords);
    ~Broker();
    Broker(const Broker&) = delete;
    Broker& operator=(const Broker&) = delete;

    void start();
    void stop();

    std::uint32_t worker_count() const;
    // Every worker's counters (for metrics and tests); valid while the broker lives.
    const BrokerContext& context() const { return *context_; }

  private:
    std::unique_ptr<BrokerContext> context_;
    std::vector<int> shared_listen_fds_;
    bool started_ = false;
};

// worker_threads from the config, or one per CPU this process may run on (so
// `taskset -c 1 akasa start ...` gets one worker).
std::uint32_t effective_worker_count(std::uint32_t configured);

}  // namespace akasa::broker
