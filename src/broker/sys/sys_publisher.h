// Publishes the $SYS topics every sys_interval seconds from worker 0's 1-second tick, so
// they take the normal path of a server-originated message (Worker::publish_will: stored as
// retained, routed to the subscribers of every worker). Only topics whose value changed are
// published again, as mosquitto does.
//
//   auto sys = std::make_unique<SysPublisher>(config.sys_interval, "akasa version 1.0",
//                                             [&] { return take_sample(); });
//   worker0.set_tick_task([p = sys.get()](Worker& w) { p->on_tick(w); });
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>

#include "broker/routing/message.h"
#include "broker/sys/sys_tree.h"

namespace akasa::broker {
class Worker;
}

namespace akasa::broker::sys {

class SysPublisher {
  public:
    // `sample` runs on the publishing worker's thread: it must only read shared state.
    SysPublisher(std::chrono::seconds interval, std::string version,
                 std::function<SysSample()> sample);

    // Worker 0's thread, every tick: publishes when the interval has passed (at the first
    // tick, then every `interval`).
    void on_tick(Worker& worker);

  private:
    std::chrono::seconds interval_;
    std::function<SysSample()> sample_;
    SysTree tree_;
    std::optional<Clock::time_point> last_;
};

}  // namespace akasa::broker::sys
