// systemd's watchdog (WatchdogSec=) fed by the workers themselves: every interval a task is
// posted to each worker's loop, and WATCHDOG=1 goes out only when all of the previous round
// ran. A worker stuck in a call (a plugin that never returns, a deadlock) stops the pings,
// and systemd restarts the service; a healthy but idle server keeps pinging.
//
//   WorkerWatchdog watchdog(broker, notifier, *notifier.watchdog_interval());  // thread runs
//   ...                                                // destroy before broker.stop()
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "broker/broker.h"
#include "util/service_notify.h"

namespace akasa::cli {

class WorkerWatchdog {
  public:
    // `broker` (started) and `notifier` must outlive this object.
    WorkerWatchdog(const broker::Broker& broker, const util::ServiceNotifier& notifier,
                   std::chrono::microseconds interval);
    ~WorkerWatchdog();
    WorkerWatchdog(const WorkerWatchdog&) = delete;
    WorkerWatchdog& operator=(const WorkerWatchdog&) = delete;

  private:
    void run();

    const broker::Broker& broker_;
    const util::ServiceNotifier& notifier_;
    const std::chrono::microseconds interval_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;  // last: starts once the rest is initialized
};

}  // namespace akasa::cli
