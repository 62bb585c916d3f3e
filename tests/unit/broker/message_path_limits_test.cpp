#include "broker/limits/message_path_limits.h"

#include <gtest/gtest.h>

#include <cstdint>

namespace akasa::broker {
namespace {

TEST(MessagePathLimits, DefaultsAsTheChecksUseThem) {
    const MessagePathLimits limits(config::MemoryLimits{}, 1 << 20);
    EXPECT_EQ(limits.output, 8u << 20);
    EXPECT_EQ(limits.output_pause, 1u << 20);  // kOutputPause: below half the output limit
    EXPECT_EQ(limits.queue_bytes, 64u << 20);
    EXPECT_EQ(limits.topic_alias_bytes, 4u << 20);
    EXPECT_EQ(limits.subscriptions, 1024u);
    EXPECT_EQ(limits.client_id_length, 256u);
    EXPECT_EQ(limits.retained.max_messages, 1'000'000u);
    EXPECT_EQ(limits.retained.max_bytes, 1u << 30);
    EXPECT_EQ(limits.decode.max_user_properties, 1024u);
    EXPECT_EQ(limits.decode.max_user_property_bytes, 65536u);
}

// 0 means "no limit": the largest value, so every check stays one comparison.
TEST(MessagePathLimits, ZeroIsNoLimit) {
    config::MemoryLimits configured;
    configured.max_in_mem_pending_bytes = 0;
    configured.max_topic_alias_bytes = 0;
    configured.max_subscriptions_per_client = 0;
    configured.max_client_id_length = 0;
    configured.max_retained_messages = 0;
    configured.max_retained_bytes = 0;
    configured.max_user_properties = 0;
    configured.max_user_property_bytes = 0;
    const MessagePathLimits limits(configured, 1 << 20);
    EXPECT_EQ(limits.queue_bytes, SIZE_MAX);
    EXPECT_EQ(limits.topic_alias_bytes, SIZE_MAX);
    EXPECT_EQ(limits.subscriptions, SIZE_MAX);
    EXPECT_EQ(limits.client_id_length, SIZE_MAX);
    EXPECT_EQ(limits.retained.max_messages, SIZE_MAX);
    EXPECT_EQ(limits.retained.max_bytes, SIZE_MAX);
    EXPECT_EQ(limits.decode.max_user_properties, UINT32_MAX);
    EXPECT_EQ(limits.decode.max_user_property_bytes, UINT32_MAX);
}

// A small output limit pauses reading at half of it, leaving room for QoS 0 on its way.
TEST(MessagePathLimits, SmallOutputLimitPausesAtHalf) {
    config::MemoryLimits configured;
    configured.max_output_buffer_bytes = 65536;
    const MessagePathLimits limits(configured, 1 << 20);
    EXPECT_EQ(limits.output, 65536u);
    EXPECT_EQ(limits.output_pause, 32768u);
}

}  // namespace
}  // namespace akasa::broker
