// The hashing pool's contract (src/auth/hashing_pool.h): jobs run on the pool's threads, the
// queue is bounded, stop() drops what has not started and joins. No timing: jobs are held
// with latches, so every assertion follows from an event.
#include "auth/hashing_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <latch>
#include <memory>
#include <set>
#include <thread>

namespace akasa::auth {
namespace {

TEST(HashingPool, RunsJobsOnItsOwnThreads) {
    HashingPool pool(2, 8);
    EXPECT_EQ(pool.thread_count(), 2u);
    std::promise<std::thread::id> ran;
    auto on = ran.get_future();
    ASSERT_TRUE(pool.try_submit([&] { ran.set_value(std::this_thread::get_id()); }));
    EXPECT_NE(on.get(), std::this_thread::get_id());
}

TEST(HashingPool, AFullQueueRefusesAndDropsTheJob) {
    HashingPool pool(1, 2);
    std::latch started(1);
    std::latch release(1);
    ASSERT_TRUE(pool.try_submit([&] {
        started.count_down();
        release.wait();
    }));
    started.wait();  // the thread is busy: from now on jobs wait in the queue
    std::atomic<int> ran{0};
    EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
    EXPECT_TRUE(pool.try_submit([&] { ++ran; }));
    EXPECT_EQ(pool.queued(), 2u);
    auto witness = std::make_shared<int>(0);
    std::weak_ptr<int> dropped = witness;
    EXPECT_FALSE(pool.try_submit([witness = std::move(witness), &ran] { ++ran; }));
    EXPECT_TRUE(dropped.expired()) << "a refused job is destroyed at once";
    std::latch done(1);
    release.count_down();
    // A job submitted after the others runs after them (one thread, submission order).
    while (!pool.try_submit([&] { done.count_down(); })) {
        std::this_thread::yield();  // the queue drains as the thread takes the two jobs
    }
    done.wait();
    EXPECT_EQ(ran.load(), 2);
}

TEST(HashingPool, StopDropsWaitingJobsLetsTheRunningOneFinishAndRefusesMore) {
    auto pool = std::make_unique<HashingPool>(1, 4);
    std::latch started(1);
    std::latch release(1);
    std::atomic<bool> finished{false};
    ASSERT_TRUE(pool->try_submit([&] {
        started.count_down();
        release.wait();
        finished = true;
    }));
    started.wait();
    auto witness = std::make_shared<int>(0);
    std::weak_ptr<int> waiting = witness;
    std::atomic<bool> waiting_ran{false};
    ASSERT_TRUE(
        pool->try_submit([witness = std::move(witness), &waiting_ran] { waiting_ran = true; }));
    std::thread stopper([&] { pool->stop(); });
    // Once stop() has taken the waiting job out of the queue (nothing else can: the only
    // thread is busy), let the running job finish, which stop() is joining.
    while (pool->queued() != 0)
        std::this_thread::yield();
    release.count_down();
    stopper.join();
    EXPECT_TRUE(finished.load());
    EXPECT_FALSE(waiting_ran.load());
    EXPECT_TRUE(waiting.expired()) << "the job that had not started is destroyed unrun";
    EXPECT_FALSE(pool->try_submit([] {}));
    pool.reset();  // a second stop, from the destructor, is harmless
}

TEST(HashingPool, AThrowingJobDoesNotKillItsThread) {
    HashingPool pool(1, 4);
    ASSERT_TRUE(pool.try_submit([] { throw std::runtime_error("OpenSSL failed"); }));
    std::promise<void> after;
    ASSERT_TRUE(pool.try_submit([&] { after.set_value(); }));
    after.get_future().get();
}

TEST(HashingPool, ManyJobsFromManyThreadsAllRun) {
    HashingPool pool(3, 10000);
    constexpr int kJobs = 2000;
    std::atomic<int> ran{0};
    std::latch all(kJobs);
    std::vector<std::thread> submitters;
    for (int t = 0; t < 4; ++t) {
        submitters.emplace_back([&] {
            for (int i = 0; i < kJobs / 4; ++i) {
                EXPECT_TRUE(pool.try_submit([&] {
                    ++ran;
                    all.count_down();
                }));
            }
        });
    }
    for (auto& s : submitters)
        s.join();
    all.wait();
    EXPECT_EQ(ran.load(), kJobs);
}

}  // namespace
}  // namespace akasa::auth
