#include "broker/limits/limit_log.h"

#include <gtest/gtest.h>

namespace akasa::broker {
namespace {

using namespace std::chrono_literals;

TEST(LimitLog, OneLinePerKindAndIntervalThenTheCountHeldBack) {
    LimitLog log;
    const auto t0 = LimitLog::Clock::time_point{} + 1000s;
    auto first = log.take(MemoryLimit::Subscriptions, t0);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->suffix(), " (max_subscriptions_per_client)");
    // A flood within the interval: held back, counted.
    for (int i = 0; i < 5; ++i)
        EXPECT_FALSE(log.take(MemoryLimit::Subscriptions, t0 + 1s));
    // Another kind has its own interval.
    EXPECT_TRUE(log.take(MemoryLimit::RetainedBytes, t0 + 2s));
    EXPECT_FALSE(log.take(MemoryLimit::Subscriptions, t0 + LimitLog::kInterval - 1s));
    auto next = log.take(MemoryLimit::Subscriptions, t0 + LimitLog::kInterval);
    ASSERT_TRUE(next);
    EXPECT_EQ(next->held_back, 6u);
    EXPECT_EQ(next->suffix(), " (max_subscriptions_per_client; 6 more since the last report)");
    EXPECT_FALSE(log.take(MemoryLimit::Subscriptions, t0 + LimitLog::kInterval + 1s));
}

TEST(MemoryLimit, EveryLimitNamesItsConfigKey) {
    for (std::size_t i = 0; i < kMemoryLimitCount; ++i) {
        const auto key = config_key(static_cast<MemoryLimit>(i));
        EXPECT_TRUE(key.starts_with("max_")) << i;
    }
    EXPECT_EQ(or_unlimited(0), UINT64_MAX);
    EXPECT_EQ(or_unlimited(7), 7u);
}

}  // namespace
}  // namespace akasa::broker
