// Runs the real `akasa` binary (AKASA_BINARY) for an integration test: writes a config
// with a free port to a temp dir, starts the server, waits until its log says it started
// (an event, not a sleep), and on stop() sends SIGTERM and returns the exit status.
// The server's log lines are collected and can be awaited (wait_for_log).
//
//   ServerProcess server;                       // default config, anonymous
//   server.start();
//   TestClient client(server.port());
//   ...
//   EXPECT_EQ(server.stop(), 0);
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace akasa::testing {

class ServerProcess {
  public:
    ServerProcess();
    ~ServerProcess();  // kills the server if still running
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // Extra YAML lines appended to the config (top-level keys, e.g. "max_allowed_qos: 1").
    void add_config(const std::string& yaml_lines) { extra_config_ += yaml_lines + "\n"; }
    // 2 by default, so sessions and connections cross workers; 1 for tests that need one
    // thread's ordering (a publisher and its subscribers served by the same loop).
    void set_worker_threads(int n) { worker_threads_ = n; }
    // listeners.mqtt.reuse_port (default true: one listening socket per worker).
    void set_reuse_port(bool reuse_port) { reuse_port_ = reuse_port; }
    // Enables auth with a password file containing these users (written with
    // `akasa insert-password`).
    void add_user(const std::string& username, const std::string& password);

    // Starts and waits (up to 20 s) for the "started" log line; throws on failure.
    void start();
    // SIGTERM, wait for exit; returns the exit status (or 128+signal).
    int stop();
    bool running() const { return pid_ > 0; }

    std::uint16_t port() const { return port_; }
    const std::string& dir() const { return dir_; }

    // Waits until a log line containing `text` has appeared (counting from the start).
    bool wait_for_log(const std::string& text,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
    std::string log() const;

  private:
    void reader_loop(int fd);

    std::string dir_;
    std::string extra_config_;
    int worker_threads_ = 2;
    std::vector<std::pair<std::string, std::string>> users_;
    std::uint16_t port_ = 0;
    bool reuse_port_ = true;
    pid_t pid_ = -1;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string log_;  // guarded by mutex_
};

// A TCP port that was free a moment ago.
std::uint16_t free_port();

}  // namespace akasa::testing
