// A worker's loop time (loop_load.h): busy from each wake-up to the next wait, summed; the
// lag of the 1-second tick, latest value only. Clock values are the test's, not the clock's.
#include <gtest/gtest.h>

#include <chrono>

#include "broker/worker/loop_load.h"
#include "broker/worker/worker_counters.h"

namespace akasa::broker {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

std::uint64_t busy_ns(const WorkerCounters& c) {
    return c.loop_busy_ns.load(std::memory_order_relaxed);
}

TEST(LoopLoad, CountsOnlyTheTimeBetweenWakingAndWaiting) {
    WorkerCounters counters;
    const Clock::time_point t0{};
    LoopLoad load(t0);
    load.before_wait(t0 + milliseconds(2), counters);  // started, worked 2 ms
    load.woke(t0 + milliseconds(100));                 // waited 98 ms: not counted
    load.before_wait(t0 + milliseconds(103), counters);
    load.woke(t0 + milliseconds(103));  // a poll that found events at once
    load.before_wait(t0 + milliseconds(103) + microseconds(500), counters);
    EXPECT_EQ(busy_ns(counters), 5'500'000u);
}

// A wait that returns without a wake-up being noted (the test seam's fixed clock) never
// counts backwards.
TEST(LoopLoad, NeverCountsANegativeStretch) {
    WorkerCounters counters;
    const Clock::time_point t0 = Clock::time_point{} + milliseconds(10);
    LoopLoad load(t0);
    load.before_wait(t0 - milliseconds(5), counters);
    EXPECT_EQ(busy_ns(counters), 0u);
}

TEST(LoopLoad, LagIsTheLatestTickLateness) {
    WorkerCounters counters;
    const Clock::time_point due = Clock::time_point{} + std::chrono::seconds(1);
    LoopLoad::tick_ran(due, due + milliseconds(250), counters);
    EXPECT_EQ(counters.loop_lag_ns.load(), 250'000'000u);
    LoopLoad::tick_ran(due + std::chrono::seconds(1), due + std::chrono::seconds(1), counters);
    EXPECT_EQ(counters.loop_lag_ns.load(), 0u);                // a gauge: the latest, not the worst
    LoopLoad::tick_ran(due, due - milliseconds(1), counters);  // early: not negative
    EXPECT_EQ(counters.loop_lag_ns.load(), 0u);
}

}  // namespace
}  // namespace akasa::broker
