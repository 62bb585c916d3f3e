#include "cli/worker_watchdog.h"

#include <atomic>
#include <memory>

#include <spdlog/spdlog.h>

#include "broker/worker/worker.h"

namespace akasa::cli {

WorkerWatchdog::WorkerWatchdog(const broker::Broker& broker, const util::ServiceNotifier& notifier,
                               std::chrono::microseconds interval)
    : broker_(broker), notifier_(notifier), interval_(interval), thread_([this] { run(); }) {}

WorkerWatchdog::~WorkerWatchdog() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void WorkerWatchdog::run() {
    const auto& workers = broker_.context().workers;
    bool withheld = false;  // logged once per stall, not once per interval
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        // Shared with the posted tasks: a stuck worker may run its task after this round.
        auto waiting = std::make_shared<std::atomic<std::size_t>>(workers.size());
        for (const auto& worker : workers) {
            worker->post([waiting](broker::Worker&) { waiting->fetch_sub(1); });
        }
        if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) break;
        const std::size_t behind = waiting->load();
        if (behind == 0) {
            if (withheld) spdlog::warn("watchdog: every worker answers again");
            withheld = false;
            if (!notifier_.send("WATCHDOG=1")) spdlog::warn("watchdog: cannot notify systemd");
        } else if (!withheld) {
            withheld = true;
            spdlog::error(
                "watchdog: {} worker(s) did not run a task within {} ms; WATCHDOG=1 withheld "
                "(systemd restarts the service after WatchdogSec)",
                behind, std::chrono::duration_cast<std::chrono::milliseconds>(interval_).count());
        }
    }
}

}  // namespace akasa::cli
