// Where a worker's loop spends its time, for akasa_worker_busy_seconds_total and
// akasa_worker_loop_lag_seconds. Fed with the clock reads the loop makes anyway (Worker::run):
// no clock read of its own, one relaxed store per loop iteration, no lock.
//
//   LoopLoad load(Clock::now());
//   for (;;) {
//       now = Clock::now();
//       load.before_wait(now, counters);   // busy since the last wake-up
//       ... wait in epoll ...; load.woke(time the wait ended);
//       ... handle events; when the 1-second tick runs: load.tick_ran(due, now, counters);
//   }
#pragma once

#include <chrono>
#include <cstdint>

#include "broker/routing/message.h"
#include "broker/worker/worker_counters.h"

namespace akasa::broker {

class LoopLoad {
  public:
    explicit LoopLoad(Clock::time_point start) : woke_at_(start) {}

    // The loop stopped waiting (events arrived, the poll timed out, a pause ended).
    void woke(Clock::time_point at) { woke_at_ = at; }

    // The loop is about to wait again: the time since it woke was spent handling events.
    void before_wait(Clock::time_point at, WorkerCounters& counters) const {
        if (at > woke_at_) counters.add(counters.loop_busy_ns, nanoseconds(at - woke_at_));
    }

    // The 1-second tick due at `due` runs at `at`: how late it is, is how long anything
    // that became ready waits behind the work in progress.
    static void tick_ran(Clock::time_point due, Clock::time_point at, WorkerCounters& counters) {
        counters.set(counters.loop_lag_ns, at > due ? nanoseconds(at - due) : 0);
    }

  private:
    static std::uint64_t nanoseconds(Clock::duration d) {
        return static_cast<std::uint64_t>(
            std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
    }

    Clock::time_point woke_at_;
};

}  // namespace akasa::broker
