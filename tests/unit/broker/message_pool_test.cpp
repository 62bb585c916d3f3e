// Messages live in one pooled block each: the publish path (Message::from_publish and the
// last reference going away) allocates nothing once the pool is warm. Counted by replacing
// the global operator new for this test binary.
#include "broker/routing/message_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "broker/routing/message.h"

#include "../counting_new.h"

namespace akasa::broker {
namespace {

long allocations() {
    return ::akasa::testing::allocations();
}

mqtt::Publish sample_publish(std::string_view payload) {
    mqtt::Publish p;
    p.topic = "sensors/room-12/temperature";
    p.payload = payload;
    p.qos = mqtt::QoS::AtLeastOnce;
    return p;
}

TEST(MessagePool, AFreedBlockIsReusedForTheNextMessageOfItsSize) {
    if (!message_pool::pooling_enabled()) GTEST_SKIP() << "sanitizer build: pool bypassed";
    void* first = message_pool::allocate(200);
    message_pool::deallocate(first, 200);
    EXPECT_GE(message_pool::cached_blocks(1), 1u);  // 200 bytes: the 256-byte class
    void* second = message_pool::allocate(256);
    EXPECT_EQ(first, second);
    message_pool::deallocate(second, 256);
}

TEST(MessagePool, LargeBlocksGoToTheSystem) {
    void* big = message_pool::allocate(message_pool::kMaxPooledBytes + 1);
    ASSERT_NE(big, nullptr);
    message_pool::deallocate(big, message_pool::kMaxPooledBytes + 1);
}

TEST(MessagePool, BlocksFreedOnAnotherThreadAreNotLost) {
    // Allocated here, freed there: the other thread's cache takes them and gives them back
    // to the system when it ends (LeakSanitizer in the ASan build would report a loss).
    std::vector<std::shared_ptr<const Message>> made;
    for (int i = 0; i < 100; ++i)
        made.push_back(Message::create("t", "payload", {}, false, 0));
    std::thread([&] { made.clear(); }).join();
    EXPECT_TRUE(made.empty());
}

// Two workers: messages published on one and released on the other, more of them than the
// releasing thread's cache holds. The surplus must come back to the publishing thread
// through the depot, not through the system allocator.
TEST(MessagePool, BlocksReleasedOnAnotherThreadComeBackWithoutTheSystemAllocator) {
    if (!message_pool::pooling_enabled()) GTEST_SKIP() << "sanitizer build: pool bypassed";
    constexpr std::size_t kBytes = 100;  // the 128-byte class
    const std::size_t cache_blocks = message_pool::kMaxCachedBytesPerClass / 128;
    std::vector<void*> blocks(2 * cache_blocks + 1000);
    for (auto& block : blocks)
        block = message_pool::allocate(kBytes);
    std::thread([&] {
        for (void* block : blocks)
            message_pool::deallocate(block, kBytes);
    }).join();
    // That thread kept cache_blocks (given back to the system when it ended) and passed
    // the other ~cache_blocks on: this thread gets half of them without allocating.
    std::fill(blocks.begin(), blocks.end(), nullptr);
    const long before = allocations();
    for (std::size_t i = 0; i < cache_blocks / 2; ++i)
        blocks[i] = message_pool::allocate(kBytes);
    EXPECT_EQ(allocations(), before);
    for (void* block : blocks) {
        if (block) message_pool::deallocate(block, kBytes);
    }
}

TEST(Message, TopicAndPayloadAreCopiedIntoTheMessage) {
    std::string payload(1000, 'x');
    const auto publish = sample_publish(payload);
    auto m = Message::from_publish(publish, "alias/topic", 7, Clock::now());
    payload.assign(1000, 'y');  // the message does not view the caller's bytes
    EXPECT_EQ(m->topic, "alias/topic");
    EXPECT_EQ(m->payload, std::string(1000, 'x'));
    EXPECT_EQ(m->qos, mqtt::QoS::AtLeastOnce);
    EXPECT_EQ(m->publisher, 7u);
}

TEST(Message, EmptyTopicAndPayloadAreFine) {
    auto m = Message::create({}, {}, mqtt::QoS::AtMostOnce, true, 0);
    EXPECT_TRUE(m->topic.empty());
    EXPECT_TRUE(m->payload.empty());
    EXPECT_TRUE(m->retain);
}

// Issue 7: zero heap allocations per message in the steady state.
TEST(Message, PublishingAllocatesNothingOnceThePoolIsWarm) {
    if (!message_pool::pooling_enabled()) GTEST_SKIP() << "sanitizer build: pool bypassed";
    const std::string payload(64, 'p');
    const auto publish = sample_publish(payload);
    const auto now = Clock::now();
    Message::from_publish(publish, publish.topic, 1, now).reset();  // warm the pool
    const long before = allocations();
    for (int i = 0; i < 1000; ++i) {
        auto m = Message::from_publish(publish, publish.topic, 1, now);
        ASSERT_EQ(m->payload.size(), 64u);
    }
    EXPECT_EQ(allocations(), before);
}

TEST(Message, TheCounterSeesAColdAllocation) {
    const long before = allocations();
    auto m = Message::create("t", std::string(message_pool::kMaxPooledBytes, 'x'), {}, false, 0);
    EXPECT_GT(allocations(), before);  // beyond the pooled sizes: always the system
}

}  // namespace
}  // namespace akasa::broker
