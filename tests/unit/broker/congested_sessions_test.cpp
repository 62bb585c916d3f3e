#include "broker/flow/congested_sessions.h"

#include <gtest/gtest.h>

#include <vector>

#include "broker/flow/publisher_throttle.h"

namespace akasa::broker {
namespace {

TEST(CongestedSessions, AddRemoveContains) {
    CongestedSessions set;
    EXPECT_FALSE(set.contains(7));
    set.add(7);
    set.add(7);  // once only
    EXPECT_TRUE(set.contains(7));
    EXPECT_FALSE(set.contains(8));
    set.remove(7);
    EXPECT_FALSE(set.contains(7));
    set.remove(7);  // not there: nothing changes
    EXPECT_FALSE(set.contains(7));
    set.add(8);
    EXPECT_TRUE(set.contains(8));
}

// Publishers waiting for subscribers on other workers come back only once their subscriber
// left the congested set, a batch at a time, oldest first; forget() and take_batch() keep
// the count of remote waits right.
TEST(PublisherThrottle, RemoteWaitsResumeWhenTheirSubscriberDrained) {
    PublisherThrottle throttle;
    std::vector<ClientConnection*> publishers;
    for (std::size_t i = 0; i < PublisherThrottle::kResumeBatch + 4; ++i)
        publishers.push_back(reinterpret_cast<ClientConnection*>(0x1000 + 16 * i));
    for (auto* p : publishers)
        throttle.add_paused_for_remote(*p, p == publishers.back() ? 2 : 1);
    EXPECT_TRUE(throttle.any_waiting_for_remote());

    CongestedSessions congested;
    congested.add(1);
    congested.add(2);
    auto still = [&](SessionId s) { return congested.contains(s); };
    EXPECT_TRUE(throttle.take_remote_drained(still).empty());

    congested.remove(1);
    auto first = throttle.take_remote_drained(still);
    ASSERT_EQ(first.size(), PublisherThrottle::kResumeBatch);
    EXPECT_EQ(first.front().publisher, publishers.front());
    auto second = throttle.take_remote_drained(still);
    EXPECT_EQ(second.size(), 3u);  // the last one waits for subscriber 2
    EXPECT_TRUE(throttle.any_waiting_for_remote());

    throttle.forget(*publishers.back());
    EXPECT_FALSE(throttle.any_waiting_for_remote());
    EXPECT_FALSE(throttle.any_paused());
}

TEST(PublisherThrottle, TickResumeCountsRemoteWaits) {
    PublisherThrottle throttle;
    auto* p = reinterpret_cast<ClientConnection*>(0x2000);
    throttle.add_paused_for_remote(*p, 5);
    auto batch = throttle.take_batch(nullptr);  // the 1-second tick resumes the oldest
    ASSERT_EQ(batch.size(), 1u);
    EXPECT_EQ(batch[0].remote_subscriber, 5u);
    EXPECT_FALSE(throttle.any_waiting_for_remote());
}

}  // namespace
}  // namespace akasa::broker
