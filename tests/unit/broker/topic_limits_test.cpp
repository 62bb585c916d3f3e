#include "broker/topic_limits.h"

#include <gtest/gtest.h>

#include <string>

namespace akasa::broker {
namespace {

TopicLimits limits(std::uint16_t levels, std::uint16_t length) {
    config::Config config;
    config.max_topic_levels = levels;
    config.max_topic_length = length;
    return TopicLimits(config);
}

TEST(TopicLimits, LevelsAreCountedLikeTheTriesDo) {
    const auto three = limits(3, 65535);
    EXPECT_FALSE(three.check_name("a/b/c"));
    EXPECT_FALSE(three.check_name("a//"));  // empty levels are levels: 3
    const auto breach = three.check_name("a//b/");
    ASSERT_TRUE(breach);
    EXPECT_EQ(breach->key, "max_topic_levels");
    EXPECT_EQ(breach->actual, 4u);
    EXPECT_EQ(breach->limit, 3u);
    EXPECT_EQ(breach->describe(), "4 levels, more than max_topic_levels (3)");
    EXPECT_TRUE(limits(1, 65535).check_name("/"));
    EXPECT_FALSE(limits(1, 65535).check_name("abc"));
}

TEST(TopicLimits, LengthIsInBytes) {
    const auto five = limits(128, 5);
    EXPECT_FALSE(five.check_name("abcde"));
    EXPECT_FALSE(five.check_name("\xC3\xA9\xC3\xA9/"));  // two 2-byte characters and '/'
    const auto breach = five.check_name("\xC3\xA9\xC3\xA9\xC3\xA9");  // 3 characters, 6 bytes
    ASSERT_TRUE(breach);
    EXPECT_EQ(breach->describe(), "6 bytes, more than max_topic_length (5)");
}

TEST(TopicLimits, FiltersCountWildcardsButNotTheSharePrefix) {
    const auto three = limits(3, 8);
    EXPECT_FALSE(three.check_filter("a/+/#"));
    EXPECT_TRUE(three.check_filter("a/+/b/#"));
    EXPECT_FALSE(three.check_filter("$share/group/a/+/#"));  // the filter part: a/+/#, 5 bytes
    EXPECT_TRUE(three.check_filter("$share/group/a/+/b/#"));
    EXPECT_TRUE(three.check_filter("$share/g/abcdefghi"));  // 9 bytes
    // Not a valid shared subscription: counted whole (the codec refuses it anyway).
    EXPECT_TRUE(three.check_filter("$share/x/"));
}

TEST(TopicLimits, TopicsForLogLinesAreCutOnACharacterBoundary) {
    EXPECT_EQ(topic_for_log("short/topic"), "short/topic");
    const std::string deep = "x" + std::string(100, '/');
    EXPECT_EQ(topic_for_log(deep), "x" + std::string(47, '/') + "... (101 bytes)");
    // 47 ASCII bytes, then a 2-byte character that the 48-byte cut would split.
    const std::string split = std::string(47, 'a') + "\xC3\xA9" + std::string(10, 'b');
    EXPECT_EQ(topic_for_log(split), std::string(47, 'a') + "... (59 bytes)");
}

TEST(TopicLimits, DroppedTopicsKeepTheCountAndTheFirstExamples) {
    const auto two = limits(2, 65535);
    DroppedTopics left;
    DroppedTopics right;
    EXPECT_EQ(left.summary(), "");
    left.add("retained message", "a/b/c", *two.check_name("a/b/c"));
    right.add("subscription", "a/+/#", *two.check_filter("a/+/#"));
    right.add("queued message", "q/q/q", *two.check_name("q/q/q"));
    right.add("will", "w/w/w", *two.check_name("w/w/w"));
    left.merge(right);
    EXPECT_EQ(left.count(), 4u);
    EXPECT_EQ(left.summary(),
              "retained message \"a/b/c\" (3 levels, more than max_topic_levels (2)); "
              "subscription \"a/+/#\" (3 levels, more than max_topic_levels (2)); "
              "queued message \"q/q/q\" (3 levels, more than max_topic_levels (2)); ...");
}

}  // namespace
}  // namespace akasa::broker
