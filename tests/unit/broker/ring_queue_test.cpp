#include "broker/session/ring_queue.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>
#include <vector>

namespace akasa::broker {
namespace {

std::vector<int> contents(const RingQueue<std::unique_ptr<int>>& q) {
    std::vector<int> out;
    for (const auto& p : q)
        out.push_back(*p);
    return out;
}

TEST(RingQueue, IsFifoAcrossWrapAroundAndGrowth) {
    RingQueue<std::unique_ptr<int>> q;
    int next_in = 0;
    int next_out = 0;
    // Push more than pop so the ring both wraps and grows with a head in the middle.
    for (int round = 0; round < 50; ++round) {
        for (int i = 0; i < 3; ++i)
            q.push_back(std::make_unique<int>(next_in++));
        for (int i = 0; i < 2; ++i) {
            ASSERT_EQ(*q.front(), next_out++);
            q.pop_front();
        }
    }
    EXPECT_EQ(q.size(), 50u);
    const auto all = contents(q);
    for (std::size_t i = 0; i < all.size(); ++i)
        EXPECT_EQ(all[i], next_out + int(i));
}

TEST(RingQueue, EraseKeepsOrderAndReturnsTheNextPosition) {
    RingQueue<std::unique_ptr<int>> q;
    for (int i = 0; i < 6; ++i)
        q.push_back(std::make_unique<int>(i));
    q.pop_front();  // head not at slot 0
    auto it = q.begin();
    ++it;
    ++it;  // element 3
    it = q.erase(it);
    EXPECT_EQ(**it, 4);
    EXPECT_EQ(contents(q), (std::vector<int>{1, 2, 4, 5}));
    it = q.erase(q.begin());
    EXPECT_EQ(**it, 2);
    EXPECT_EQ(contents(q), (std::vector<int>{2, 4, 5}));
}

TEST(RingQueue, EraseIfRemovesMatchesInOrder) {
    RingQueue<std::unique_ptr<int>> q;
    for (int i = 0; i < 10; ++i)
        q.push_back(std::make_unique<int>(i));
    q.erase_if([](const std::unique_ptr<int>& p) { return *p % 3 == 0; });
    EXPECT_EQ(contents(q), (std::vector<int>{1, 2, 4, 5, 7, 8}));
    q.push_back(std::make_unique<int>(10));
    EXPECT_EQ(q.size(), 7u);
}

TEST(RingQueue, MatchesADequeUnderRandomOperations) {
    RingQueue<std::unique_ptr<int>> q;
    std::deque<int> model;
    std::minstd_rand random(7);
    for (int step = 0; step < 20000; ++step) {
        const auto op = random() % 4;
        if (op <= 1) {
            q.push_back(std::make_unique<int>(step));
            model.push_back(step);
        } else if (op == 2 && !model.empty()) {
            q.pop_front();
            model.pop_front();
        } else if (op == 3 && !model.empty()) {
            const std::size_t at = random() % model.size();
            auto it = q.begin();
            for (std::size_t i = 0; i < at; ++i)
                ++it;
            q.erase(it);
            model.erase(model.begin() + static_cast<std::ptrdiff_t>(at));
        }
        ASSERT_EQ(q.size(), model.size());
    }
    EXPECT_EQ(contents(q), std::vector<int>(model.begin(), model.end()));
}

TEST(RingQueue, DestroysWhatItHolds) {
    auto counter = std::make_shared<int>(0);
    {
        RingQueue<std::shared_ptr<int>> q;
        for (int i = 0; i < 9; ++i)
            q.push_back(std::shared_ptr<int>(counter));
        q.pop_front();
        EXPECT_EQ(counter.use_count(), 9);
    }
    EXPECT_EQ(counter.use_count(), 1);
}

}  // namespace
}  // namespace akasa::broker
