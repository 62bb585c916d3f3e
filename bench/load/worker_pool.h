// Runs the workers of a run on their threads, connections dealt round-robin, and lets the
// main thread wait for them, sample the broker meanwhile, and collect merged statistics.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "process_probe.h"
#include "report.h"
#include "run_control.h"
#include "worker.h"

namespace akasa::bench {

class WorkerPool {
  public:
    WorkerPool(const WorkerSettings& settings, const std::vector<ConnectionSpec>& specs,
               int threads, RunControl& control);
    ~WorkerPool();

    void start();
    // Waits until every connection is ready (true), a connection failed, or the deadline.
    bool wait_ready(std::uint64_t deadline_ns);
    void stop_and_join();
    WorkerStats merged_stats() const;

  private:
    RunControl& control_;
    std::size_t connection_count_ = 0;
    std::vector<std::unique_ptr<Worker>> workers_;
    std::vector<std::thread> threads_;
};

// Samples the broker's CPU and memory from the main thread while the workers run.
class BrokerMonitor {
  public:
    explicit BrokerMonitor(pid_t pid);

    bool enabled() const { return pid_ > 0; }
    void poll();          // call every ~100 ms: tracks the highest RSS
    void begin_window();  // CPU is measured between these two
    void end_window();
    std::optional<BrokerUsage> usage() const;

  private:
    pid_t pid_;
    std::optional<ProcessSample> before_, window_start_, window_end_;
    std::uint64_t max_rss_ = 0;
};

// Sleeps until `deadline_ns`, polling `monitor` and returning early when `done()` holds.
template <typename Done>
void wait_until(std::uint64_t deadline_ns, BrokerMonitor& monitor, Done done);

}  // namespace akasa::bench

#include "worker_pool_inl.h"
