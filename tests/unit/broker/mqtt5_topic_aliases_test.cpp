#include "broker/mqtt5/mqtt5_topic_aliases.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "mqtt/decoder.h"

namespace akasa::broker {
namespace {

TEST(OutboundTopicAliasesTest, DisabledWhenTheClientAllowsNone_MQTT_3_1_2_27) {
    OutboundTopicAliases aliases;
    aliases.reset(0);
    EXPECT_FALSE(aliases.enabled());
    for (int i = 0; i < 3; ++i)
        EXPECT_EQ(aliases.choose("some/long/topic").alias, 0);
}

TEST(OutboundTopicAliasesTest, SecondUseSetsTheAliasThirdOmitsTheTopic) {
    OutboundTopicAliases aliases;
    aliases.reset(10);
    EXPECT_EQ(aliases.choose("a/hot/topic").alias, 0);  // once: maybe never again
    const auto set = aliases.choose("a/hot/topic");
    EXPECT_EQ(set.alias, 1);
    EXPECT_TRUE(set.send_topic);
    const auto use = aliases.choose("a/hot/topic");
    EXPECT_EQ(use.alias, 1);
    EXPECT_FALSE(use.send_topic);
}

TEST(OutboundTopicAliasesTest, ShortTopicsNeverGetAnAlias) {
    OutboundTopicAliases aliases;
    aliases.reset(10);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(aliases.choose("a/b").alias, 0);  // 3 bytes: an alias saves nothing
}

TEST(OutboundTopicAliasesTest, StaysWithinTheMaximumAndEvictsTheLeastRecentlyUsed_MQTT_3_1_2_26) {
    OutboundTopicAliases aliases;
    aliases.reset(2);
    auto warm = [&](const std::string& t) {
        aliases.choose(t);
        return aliases.choose(t);
    };
    EXPECT_EQ(warm("topic/one").alias, 1);
    EXPECT_EQ(warm("topic/two").alias, 2);
    EXPECT_FALSE(aliases.choose("topic/one").send_topic);  // one is now the more recent
    const auto three = warm("topic/three");
    EXPECT_EQ(three.alias, 2);  // two was least recently used
    EXPECT_TRUE(three.send_topic);
    EXPECT_EQ(aliases.choose("topic/one").alias, 1);
    EXPECT_FALSE(aliases.choose("topic/one").send_topic);
}

TEST(OutboundTopicAliasesTest, ForgottenNewMappingIsSentAgain) {
    OutboundTopicAliases aliases;
    aliases.reset(4);
    aliases.choose("x/topic");
    const auto set = aliases.choose("x/topic");
    aliases.forget(set);  // that PUBLISH was not sent
    const auto again = aliases.choose("x/topic");
    EXPECT_NE(again.alias, 0);
    EXPECT_TRUE(again.send_topic);
}

TEST(OutboundTopicAliasesTest, ClientSideReplayAlwaysResolvesTheRightTopic) {
    // Simulates a client resolving every choice over many topics and a small table.
    OutboundTopicAliases aliases;
    aliases.reset(3);
    std::map<std::uint16_t, std::string> client;
    for (int i = 0; i < 2000; ++i) {
        const std::string topic = "t/" + std::to_string((i * 7919) % 11);
        const auto choice = aliases.choose(topic);
        ASSERT_LE(choice.alias, 3);
        if (choice.alias == 0) continue;
        if (choice.send_topic) {
            client[choice.alias] = topic;
        } else {
            ASSERT_EQ(client.at(choice.alias), topic) << "at " << i;
        }
    }
}

TEST(OutboundTopicAliasesTest, EncodedPublishHasThePacketIdWhereReported) {
    OutboundTopicAliases aliases;
    aliases.reset(5);
    std::vector<std::uint8_t> out;
    for (int i = 0; i < 3; ++i) {
        mqtt::Publish publish;
        publish.topic = "enc/topic";
        publish.payload = "p";
        publish.qos = mqtt::QoS::AtLeastOnce;
        publish.packet_id = 0x1234;
        const auto result = encode_with_alias(aliases, publish, out);
        ASSERT_LT(result.packet_id_offset + 1, out.size());
        EXPECT_EQ(out[result.packet_id_offset], 0x12);
        EXPECT_EQ(out[result.packet_id_offset + 1], 0x34);
    }
}

}  // namespace
}  // namespace akasa::broker
