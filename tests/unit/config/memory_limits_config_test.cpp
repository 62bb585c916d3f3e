// The memory limit keys of ours (memory_limits_reader.cpp): defaults, values read, 0 for
// "no limit" where allowed, and errors that name the key.
#include <gtest/gtest.h>

#include <string>

#include "config/config_loader.h"
#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::kMinimal;

std::string with(const std::string& extra) {
    return std::string(kMinimal) + extra;
}

TEST(MemoryLimitsConfigTest, Defaults) {
    const MemoryLimits limits = parse_config_text(kMinimal).memory_limits;
    EXPECT_EQ(limits.max_output_buffer_bytes, 8u << 20);
    EXPECT_EQ(limits.max_in_mem_pending_bytes, 64u << 20);
    EXPECT_EQ(limits.max_in_mem_pending_bytes_total, 1u << 30);
    EXPECT_EQ(limits.max_user_properties, 1024u);
    EXPECT_EQ(limits.max_user_property_bytes, 65536u);
    EXPECT_EQ(limits.max_topic_alias_bytes, 4u << 20);
    EXPECT_EQ(limits.max_client_id_length, 256u);
    EXPECT_EQ(limits.max_subscriptions_per_client, 1024u);
    EXPECT_EQ(limits.max_retained_messages, 1'000'000u);
    EXPECT_EQ(limits.max_retained_bytes, 1u << 30);
}

TEST(MemoryLimitsConfigTest, ReadsEveryKey) {
    const MemoryLimits limits = parse_config_text(with("max_output_buffer_bytes: 65536\n"
                                                       "max_in_mem_pending_bytes: 1000\n"
                                                       "max_in_mem_pending_bytes_total: 9000\n"
                                                       "max_user_properties: 3\n"
                                                       "max_user_property_bytes: 100\n"
                                                       "max_topic_alias_bytes: 200\n"
                                                       "max_client_id_length: 23\n"
                                                       "max_subscriptions_per_client: 5\n"
                                                       "max_retained_messages: 6\n"
                                                       "max_retained_bytes: 7000000000\n"))
                                    .memory_limits;
    EXPECT_EQ(limits.max_output_buffer_bytes, 65536u);
    EXPECT_EQ(limits.max_in_mem_pending_bytes, 1000u);
    EXPECT_EQ(limits.max_in_mem_pending_bytes_total, 9000u);
    EXPECT_EQ(limits.max_user_properties, 3u);
    EXPECT_EQ(limits.max_user_property_bytes, 100u);
    EXPECT_EQ(limits.max_topic_alias_bytes, 200u);
    EXPECT_EQ(limits.max_client_id_length, 23u);
    EXPECT_EQ(limits.max_subscriptions_per_client, 5u);
    EXPECT_EQ(limits.max_retained_messages, 6u);
    EXPECT_EQ(limits.max_retained_bytes, 7'000'000'000u);  // beyond 32 bits: a big server
}

TEST(MemoryLimitsConfigTest, ZeroMeansNoLimitWhereAllowed) {
    const MemoryLimits limits = parse_config_text(with("max_in_mem_pending_bytes: 0\n"
                                                       "max_in_mem_pending_bytes_total: 0\n"
                                                       "max_user_properties: 0\n"
                                                       "max_user_property_bytes: 0\n"
                                                       "max_topic_alias_bytes: 0\n"
                                                       "max_client_id_length: 0\n"
                                                       "max_subscriptions_per_client: 0\n"
                                                       "max_retained_messages: 0\n"
                                                       "max_retained_bytes: 0\n"))
                                    .memory_limits;
    EXPECT_EQ(limits.max_client_id_length, 0u);
    EXPECT_EQ(limits.max_retained_bytes, 0u);
    EXPECT_EQ(limits.max_in_mem_pending_bytes_total, 0u);
}

TEST(MemoryLimitsConfigTest, ErrorsNameTheKeyAndTheProblem) {
    // The output buffer has no "no limit": it is what stops reading from a client that
    // does not read.
    expect_config_error(with("max_output_buffer_bytes: 0\n"),
                        {"max_output_buffer_bytes", "\"0\"", "65536"});
    expect_config_error(with("max_output_buffer_bytes: 4294967296\n"),
                        {"max_output_buffer_bytes", "4294967295"});
    expect_config_error(with("max_client_id_length: 10\n"),
                        {"max_client_id_length", "10 is below 23", "MQTT-3.1.3-5"});
    expect_config_error(with("max_client_id_length: 65536\n"), {"max_client_id_length"});
    expect_config_error(with("max_user_properties: -1\n"), {"max_user_properties", "\"-1\""});
    expect_config_error(with("max_retained_bytes: 1GiB\n"), {"max_retained_bytes", "\"1GiB\""});
    expect_config_error(with("max_in_mem_pending_bytes_total: -5\n"),
                        {"max_in_mem_pending_bytes_total", "\"-5\""});
}

}  // namespace
}  // namespace akasa::config
