// The $SYS topics' names, value formats and load averages (src/broker/sys/sys_tree.h).
#include "broker/sys/sys_tree.h"

#include <map>
#include <string>

#include <gtest/gtest.h>

namespace akasa::broker::sys {
namespace {

std::map<std::string, std::string> as_map(const std::vector<SysMessage>& messages) {
    std::map<std::string, std::string> out;
    for (const auto& m : messages)
        out[m.topic] = m.payload;
    return out;
}

TEST(SysTopicTest, OnlyTheFirstLevelSysIsTheServers) {
    EXPECT_TRUE(is_sys_topic("$SYS"));
    EXPECT_TRUE(is_sys_topic("$SYS/broker/uptime"));
    EXPECT_TRUE(is_sys_topic("$SYS/"));
    EXPECT_FALSE(is_sys_topic("$SYSTEM/x"));
    EXPECT_FALSE(is_sys_topic("$sys/x"));
    EXPECT_FALSE(is_sys_topic("a/$SYS/x"));
    EXPECT_FALSE(is_sys_topic("$share/g/$SYS"));
    EXPECT_FALSE(is_sys_topic(""));
}

// mosquitto's one exception: bridges publish their state (and wills) there.
TEST(SysTopicTest, BridgeStateTopicsAreLeftToTheAcl) {
    EXPECT_TRUE(is_server_topic("$SYS/broker/uptime"));
    EXPECT_TRUE(is_server_topic("$SYS"));
    EXPECT_FALSE(is_server_topic("$SYS/broker/connection/c1/state"));
    EXPECT_FALSE(is_server_topic("$SYS/broker/connection/my dev/state"));
    EXPECT_TRUE(is_server_topic("$SYS/broker/connection/a/b/state"));
    EXPECT_TRUE(is_server_topic("$SYS/broker/connection/state"));
    EXPECT_TRUE(is_server_topic("$SYS/broker/connection/c1/state/x"));
    EXPECT_FALSE(is_server_topic("a/b"));
}

TEST(SysTreeTest, FirstUpdatePublishesEveryTopicInMosquittosFormats) {
    SysTree tree("akasa version 1.2.3");
    const auto got = as_map(tree.update({.uptime_seconds = 42,
                                         .clients_connected = 2,
                                         .clients_total = 5,
                                         .publish_received = 7,
                                         .publish_sent = 9,
                                         .bytes_received = 100,
                                         .bytes_sent = 200,
                                         .retained_messages = 3,
                                         .subscriptions = 4,
                                         .heap_bytes = 4096},
                                        0));
    EXPECT_EQ(got.at("$SYS/broker/version"), "akasa version 1.2.3");
    EXPECT_EQ(got.at("$SYS/broker/uptime"), "42 seconds");
    EXPECT_EQ(got.at("$SYS/broker/clients/connected"), "2");
    EXPECT_EQ(got.at("$SYS/broker/clients/disconnected"), "3");
    EXPECT_EQ(got.at("$SYS/broker/clients/total"), "5");
    EXPECT_EQ(got.at("$SYS/broker/clients/maximum"), "5");
    EXPECT_EQ(got.at("$SYS/broker/messages/received"), "7");
    EXPECT_EQ(got.at("$SYS/broker/messages/sent"), "9");
    EXPECT_EQ(got.at("$SYS/broker/publish/messages/received"), "7");
    EXPECT_EQ(got.at("$SYS/broker/publish/messages/sent"), "9");
    EXPECT_EQ(got.at("$SYS/broker/bytes/received"), "100");
    EXPECT_EQ(got.at("$SYS/broker/bytes/sent"), "200");
    EXPECT_EQ(got.at("$SYS/broker/retained messages/count"), "3");
    EXPECT_EQ(got.at("$SYS/broker/subscriptions/count"), "4");
    EXPECT_EQ(got.at("$SYS/broker/heap/current"), "4096");
    EXPECT_EQ(got.at("$SYS/broker/heap/maximum"), "4096");
    for (const char* load : {"messages/received", "messages/sent", "publish/received",
                             "publish/sent", "bytes/received", "bytes/sent", "sockets"}) {
        for (const char* period : {"1min", "5min", "15min"}) {
            EXPECT_EQ(got.at(std::string("$SYS/broker/load/") + load + "/" + period), "0.00")
                << load << " " << period;
        }
    }
}

TEST(SysTreeTest, LaterUpdatesPublishOnlyWhatChanged) {
    SysTree tree("v");
    SysSample sample{.uptime_seconds = 1, .clients_total = 1, .heap_bytes = 10};
    tree.update(sample, 0);
    sample.uptime_seconds = 11;
    const auto got = as_map(tree.update(sample, 10));
    EXPECT_EQ(got, (std::map<std::string, std::string>{{"$SYS/broker/uptime", "11 seconds"}}));
}

TEST(SysTreeTest, MaximaKeepTheirPeak) {
    SysTree tree("v");
    tree.update({.clients_total = 4, .heap_bytes = 1000}, 0);
    const auto got = as_map(tree.update({.clients_total = 2, .heap_bytes = 500}, 10));
    EXPECT_EQ(got.at("$SYS/broker/clients/total"), "2");
    EXPECT_FALSE(got.contains("$SYS/broker/clients/maximum"));  // still 4
    EXPECT_EQ(got.at("$SYS/broker/heap/current"), "500");
    EXPECT_FALSE(got.contains("$SYS/broker/heap/maximum"));  // still 1000
}

TEST(SysTreeTest, HeapTopicsAbsentWhenTheAllocatorDoesNotSay) {
    SysTree tree("v");
    const auto got = as_map(tree.update({.heap_bytes = 0}, 0));
    EXPECT_FALSE(got.contains("$SYS/broker/heap/current"));
    EXPECT_FALSE(got.contains("$SYS/broker/heap/maximum"));
}

// mosquitto's moving average: 60 messages in 60 s is a rate of 60 per minute; after one
// minute the 1-minute average is 60 * (1 - e^-1), the 5-minute one 60 * (1 - e^-0.2).
TEST(SysTreeTest, LoadIsAnExponentialMovingAverageOfTheRatePerMinute) {
    SysTree tree("v");
    tree.update({.publish_received = 100}, 0);
    const auto got = as_map(tree.update({.publish_received = 160}, 60));
    EXPECT_EQ(got.at("$SYS/broker/load/messages/received/1min"), "37.93");
    EXPECT_EQ(got.at("$SYS/broker/load/messages/received/5min"), "10.88");
    EXPECT_EQ(got.at("$SYS/broker/load/messages/received/15min"), "3.87");
    EXPECT_EQ(got.at("$SYS/broker/load/publish/received/1min"), "37.93");
    EXPECT_FALSE(got.contains("$SYS/broker/load/messages/sent/1min"));  // still 0.00
}

}  // namespace
}  // namespace akasa::broker::sys
