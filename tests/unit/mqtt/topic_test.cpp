// Topic names, topic filters, shared subscriptions and matching (spec 4.7, 4.8.2).
#include <gtest/gtest.h>

#include "mqtt/topic.h"

namespace akasa::mqtt {
namespace {

using namespace std::string_view_literals;

TEST(TopicName, AcceptsOrdinaryNames) {
    EXPECT_TRUE(validate_topic_name("a"));
    EXPECT_TRUE(validate_topic_name("/"));
    EXPECT_TRUE(validate_topic_name("a//b/"));
    EXPECT_TRUE(validate_topic_name("$SYS/broker/uptime"));
    EXPECT_TRUE(validate_topic_name(" spaces are fine "));
}

// [MQTT-4.7.3-1] at least one character.
TEST(TopicName, RejectsEmpty_MQTT_4_7_3_1) {
    EXPECT_FALSE(validate_topic_name(""));
}

// [MQTT-3.3.2-2] no wildcards in a Topic Name.
TEST(TopicName, RejectsWildcards_MQTT_3_3_2_2) {
    EXPECT_FALSE(validate_topic_name("a/+"));
    EXPECT_FALSE(validate_topic_name("a/#"));
    EXPECT_FALSE(validate_topic_name("a+b"));
}

// [MQTT-4.7.3-2] no U+0000.
TEST(TopicName, RejectsNull_MQTT_4_7_3_2) {
    EXPECT_FALSE(validate_topic_name("a\0b"sv));
}

TEST(TopicFilter, AcceptsWellPlacedWildcards) {
    for (auto filter : {"#", "+", "a/#", "a/+/b", "+/+", "/+", "+/", "a//#", "$SYS/#", "a/b"}) {
        EXPECT_TRUE(validate_topic_filter(filter)) << filter;
    }
}

// [MQTT-4.7.1-1] '#' alone as the last level; [MQTT-4.7.1-2] '+' occupies a whole level.
TEST(TopicFilter, RejectsMisplacedWildcards_MQTT_4_7_1_1_and_2) {
    for (auto filter : {"a/#/b", "#/a", "a#", "a/b#", "a+", "a/+b", "+a/b", "##", "++"}) {
        EXPECT_FALSE(validate_topic_filter(filter)) << filter;
    }
}

TEST(TopicFilter, RejectsEmptyAndNull) {
    EXPECT_FALSE(validate_topic_filter(""));
    EXPECT_FALSE(validate_topic_filter("a\0"sv));
}

TEST(SharedSubscription, ParsesGroupAndFilter) {
    const auto shared = parse_shared_subscription("$share/group-1/a/+/c");
    ASSERT_TRUE(shared);
    EXPECT_EQ(shared->group, "group-1");
    EXPECT_EQ(shared->filter, "a/+/c");
    EXPECT_TRUE(validate_topic_filter("$share/g/#"));
}

TEST(SharedSubscription, NonSharedFiltersAreNotParsed) {
    EXPECT_FALSE(parse_shared_subscription("a/b"));
    EXPECT_FALSE(parse_shared_subscription("$shared/g/a"));
    EXPECT_FALSE(parse_shared_subscription("$share"));
    EXPECT_TRUE(validate_topic_filter("$share"));  // an ordinary one-level filter
}

// [MQTT-4.8.2-1] the ShareName is at least one character, [MQTT-4.8.2-2] without '/', '+', '#',
// and a topic filter follows.
TEST(SharedSubscription, RejectsBadShareNamesAndMissingFilter_MQTT_4_8_2_1_and_2) {
    for (auto filter : {"$share/", "$share//a", "$share/g", "$share/g/", "$share/g+/a",
                        "$share/#/a", "$share/+/a", "$share/g/a/#/b"}) {
        EXPECT_FALSE(validate_topic_filter(filter)) << filter;
        EXPECT_FALSE(parse_shared_subscription(filter)) << filter;
    }
}

TEST(TopicMatch, ExactAndSingleLevel) {
    EXPECT_TRUE(topic_matches_filter("a/b/c", "a/b/c"));
    EXPECT_FALSE(topic_matches_filter("a/b/c", "a/b"));
    EXPECT_FALSE(topic_matches_filter("a/b", "a/b/c"));
    EXPECT_TRUE(topic_matches_filter("a/b/c", "a/+/c"));
    EXPECT_TRUE(topic_matches_filter("a//c", "a/+/c"));
    EXPECT_FALSE(topic_matches_filter("a/b/d", "a/+/c"));
    EXPECT_TRUE(topic_matches_filter("a", "+"));
    EXPECT_FALSE(topic_matches_filter("a/b", "+"));
    EXPECT_TRUE(topic_matches_filter("/a", "+/a"));
    EXPECT_TRUE(topic_matches_filter("/", "+/+"));
    EXPECT_TRUE(topic_matches_filter("a/", "a/+"));
}

TEST(TopicMatch, MultiLevelIncludesTheParent) {
    EXPECT_TRUE(topic_matches_filter("a", "a/#"));  // 4.7.1.2: "sport/#" matches "sport"
    EXPECT_TRUE(topic_matches_filter("a/b/c", "a/#"));
    EXPECT_TRUE(topic_matches_filter("a/b/c", "#"));
    EXPECT_TRUE(topic_matches_filter("/", "#"));
    EXPECT_FALSE(topic_matches_filter("b", "a/#"));
    EXPECT_TRUE(topic_matches_filter("a/b", "a/+/#"));
    EXPECT_FALSE(topic_matches_filter("ab", "a/#"));
}

// [MQTT-4.7.2-1] wildcards at the first level do not match topics starting with '$'.
TEST(TopicMatch, DollarTopicsAreNotMatchedByLeadingWildcards_MQTT_4_7_2_1) {
    EXPECT_FALSE(topic_matches_filter("$SYS/uptime", "#"));
    EXPECT_FALSE(topic_matches_filter("$SYS/uptime", "+/uptime"));
    EXPECT_TRUE(topic_matches_filter("$SYS/uptime", "$SYS/#"));
    EXPECT_TRUE(topic_matches_filter("$SYS/uptime", "$SYS/+"));
    EXPECT_TRUE(topic_matches_filter("a/$b", "a/+"));
}

}  // namespace
}  // namespace akasa::mqtt

namespace akasa::mqtt {
namespace {

TEST(TopicName, WildcardOrNullAtAnyOffsetIsFound) {
    // validate_topic_name tests 8 bytes at a time; check every position of a long name.
    for (char bad : {'+', '#', '\0'}) {
        for (size_t at = 0; at < 21; ++at) {
            std::string topic(21, 'a');
            topic[at] = bad;
            EXPECT_FALSE(validate_topic_name(topic)) << int(bad) << " at " << at;
        }
    }
    EXPECT_TRUE(validate_topic_name(std::string(21, 'a')));
    EXPECT_TRUE(validate_topic_name("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9/\x2a\x2c\x22\x24"));
}

}  // namespace
}  // namespace akasa::mqtt
