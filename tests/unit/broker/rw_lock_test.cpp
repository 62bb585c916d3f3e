#include "broker/routing/rw_lock.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

namespace akasa::broker {
namespace {

// Writers keep two plain counters equal under the exclusive lock; readers under the shared
// lock must never see them differ (and TSan must see no race on them).
TEST(RwLock, ReadersNeverSeeAWriteInProgress) {
    RwLock lock;
    long first = 0;
    long second = 0;
    std::atomic<bool> writers_done{false};
    std::atomic<int> torn{0};
    std::atomic<long> reads{0};

    std::vector<std::thread> readers;
    for (int r = 0; r < 3; ++r) {
        readers.emplace_back([&] {
            do {
                std::shared_lock guard(lock);
                if (first != second) torn.fetch_add(1);
                reads.fetch_add(1);
            } while (!writers_done.load());
        });
    }
    std::vector<std::thread> writers;
    for (int w = 0; w < 2; ++w) {
        writers.emplace_back([&] {
            for (int i = 0; i < 2000; ++i) {
                std::unique_lock guard(lock);
                ++first;
                ++second;
            }
        });
    }
    for (auto& t : writers)
        t.join();
    writers_done.store(true);
    for (auto& t : readers)
        t.join();
    EXPECT_EQ(torn.load(), 0);
    EXPECT_EQ(first, 4000);
    EXPECT_EQ(second, 4000);
    EXPECT_GE(reads.load(), 3);
}

TEST(RwLock, TryLockFailsWhileReadOrWriteHeld) {
    RwLock lock;
    lock.lock_shared();
    EXPECT_FALSE(lock.try_lock());
    std::thread other([&] {
        EXPECT_TRUE(lock.try_lock_shared());
        lock.unlock_shared();
    });
    other.join();
    lock.unlock_shared();
    ASSERT_TRUE(lock.try_lock());
    std::thread reader([&] { EXPECT_FALSE(lock.try_lock_shared()); });
    reader.join();
    lock.unlock();
    EXPECT_TRUE(lock.try_lock_shared());
    lock.unlock_shared();
}

}  // namespace
}  // namespace akasa::broker
