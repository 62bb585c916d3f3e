#include "hook/acl/filter_relations.h"

#include <gtest/gtest.h>

namespace akasa::hook::acl {
namespace {

TEST(FilterCoversTest, ExactAndWildcards) {
    EXPECT_TRUE(filter_covers("a/b", "a/b"));
    EXPECT_FALSE(filter_covers("a/b", "a/c"));
    EXPECT_TRUE(filter_covers("a/+", "a/b"));
    EXPECT_TRUE(filter_covers("a/+", "a/+"));
    EXPECT_FALSE(filter_covers("a/b", "a/+"));
    EXPECT_FALSE(filter_covers("a/+", "a/#"));
    EXPECT_TRUE(filter_covers("a/#", "a/+/c"));
    EXPECT_TRUE(filter_covers("a/#", "a/#"));
    EXPECT_TRUE(filter_covers("a/#", "a"));  // '#' also matches the parent level
    EXPECT_FALSE(filter_covers("a/+", "a"));
    EXPECT_FALSE(filter_covers("a", "a/b"));
    EXPECT_FALSE(filter_covers("a/b", "a"));
    EXPECT_TRUE(filter_covers("#", "anything/at/all"));
    EXPECT_TRUE(filter_covers("#", "#"));
}

// [MQTT-4.7.2-1] a leading wildcard never reaches '$' topics.
TEST(FilterCoversTest, LeadingWildcardDoesNotCoverDollarTopics) {
    EXPECT_FALSE(filter_covers("#", "$SYS/#"));
    EXPECT_FALSE(filter_covers("+/x", "$SYS/x"));
    EXPECT_TRUE(filter_covers("$SYS/#", "$SYS/broker/load"));
    EXPECT_TRUE(filter_covers("#", "+/x"));
}

TEST(FiltersOverlapTest, SharedTopics) {
    EXPECT_TRUE(filters_overlap("a/+", "+/b"));
    EXPECT_TRUE(filters_overlap("a/#", "a"));
    EXPECT_TRUE(filters_overlap("a", "a/#"));
    EXPECT_TRUE(filters_overlap("#", "a/b/c"));
    EXPECT_TRUE(filters_overlap("a/b/#", "a/+"));
    EXPECT_FALSE(filters_overlap("a/+", "a"));
    EXPECT_FALSE(filters_overlap("a/b", "a/c"));
    EXPECT_FALSE(filters_overlap("a/+/c", "a/b/d"));
    EXPECT_FALSE(filters_overlap("a/b", "a/b/c"));
}

// [MQTT-4.7.2-1]
TEST(FiltersOverlapTest, DollarTopicsOnlyMeetFiltersThatNameThem) {
    EXPECT_FALSE(filters_overlap("#", "$SYS/x"));
    EXPECT_FALSE(filters_overlap("$SYS/#", "+/#"));
    EXPECT_TRUE(filters_overlap("$SYS/#", "$SYS/+"));
    EXPECT_TRUE(filters_overlap("#", "+"));
}

}  // namespace
}  // namespace akasa::hook::acl
