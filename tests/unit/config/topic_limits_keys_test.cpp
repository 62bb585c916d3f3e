// max_topic_levels and max_topic_length (docs/configuration.md, docs/security.md).
#include <gtest/gtest.h>

#include <string>

#include "config_test_util.h"

namespace akasa::config {
namespace {

using testing_util::expect_config_error;
using testing_util::kMinimal;

Config with(const std::string& lines) {
    return parse_config_text(std::string(kMinimal) + lines);
}

TEST(TopicLimitsKeysTest, DefaultsAreDocumented) {
    const Config config = parse_config_text(kMinimal);
    EXPECT_EQ(config.max_topic_levels, 128);
    EXPECT_EQ(config.max_topic_length, 65535);
}

TEST(TopicLimitsKeysTest, BothEndsOfTheRangeAreAccepted) {
    Config config = with("max_topic_levels: 1\nmax_topic_length: 1\n");
    EXPECT_EQ(config.max_topic_levels, 1);
    EXPECT_EQ(config.max_topic_length, 1);
    config = with("max_topic_levels: 65535\nmax_topic_length: 65535\n");
    EXPECT_EQ(config.max_topic_levels, 65535);
    EXPECT_EQ(config.max_topic_length, 65535);
}

TEST(TopicLimitsKeysTest, OutOfRangeNamesTheKeyTheValueAndTheRange) {
    expect_config_error(std::string(kMinimal) + "max_topic_levels: 0\n",
                        {"config:6: max_topic_levels", "\"0\"", "1 to 65535"});
    expect_config_error(std::string(kMinimal) + "max_topic_levels: 65536\n",
                        {"max_topic_levels", "\"65536\"", "1 to 65535"});
    expect_config_error(std::string(kMinimal) + "max_topic_length: 0\n",
                        {"config:6: max_topic_length", "\"0\"", "1 to 65535"});
    expect_config_error(std::string(kMinimal) + "max_topic_length: 70000\n",
                        {"max_topic_length", "\"70000\"", "1 to 65535"});
    expect_config_error(std::string(kMinimal) + "max_topic_length: -1\n",
                        {"max_topic_length", "\"-1\"", "out of range"});
}

TEST(TopicLimitsKeysTest, WrongTypesNameTheKey) {
    expect_config_error(std::string(kMinimal) + "max_topic_levels: \"128\"\n",
                        {"max_topic_levels"});
    expect_config_error(std::string(kMinimal) + "max_topic_length: 1e3\n", {"max_topic_length"});
}

}  // namespace
}  // namespace akasa::config
