// The pieces of the shared-subscription hand-over (mqtt5/shared_redispatch.h) that need no
// running worker: choosing the other member, and taking deliveries out of an outbox.
#include "broker/mqtt5/shared_redispatch.h"

#include <gtest/gtest.h>

#include <vector>

#include "broker/session/outbox.h"

namespace akasa::broker {
namespace {

using config::SharedSubscriptionMode;
using mqtt::QoS;

Delivery tagged(QoS qos, std::string_view payload, std::uint32_t group) {
    Delivery d;
    d.message = Message::create("t", payload, qos, false, 0);
    d.qos = qos;
    d.shared_group = group;
    return d;
}

TEST(SharedGroupTag, NeverZeroAndStable) {
    EXPECT_NE(mqtt5::shared_group_tag(""), 0u);
    EXPECT_EQ(mqtt5::shared_group_tag("workers"), mqtt5::shared_group_tag("workers"));
    EXPECT_NE(mqtt5::shared_group_tag("workers"), mqtt5::shared_group_tag("others"));
}

TEST(PickOtherOnlineMember, SkipsTheLeavingMemberAndOfflineOnes_MQTT_4_8_2) {
    OnlineSessions online;
    const std::vector<Subscription> members{{.session = 1}, {.session = 2}, {.session = 3}};
    auto message = Message::create("t", "p", QoS::AtLeastOnce, false, 9);
    for (auto mode : {SharedSubscriptionMode::Random, SharedSubscriptionMode::HashClientId,
                      SharedSubscriptionMode::HashTopicName}) {
        // Nobody else online: none.
        online.set(1, true);
        EXPECT_EQ(mqtt5::pick_other_online_member(mode, members, *message, 0, online, 1),
                  static_cast<std::size_t>(-1));
        // Only member 3 online besides the leaving one, whatever the mode starts with.
        online.set(3, true);
        for (std::uint32_t random = 0; random < 6; ++random) {
            EXPECT_EQ(mqtt5::pick_other_online_member(mode, members, *message, random, online, 1),
                      2u);
        }
        online.set(1, false);
        online.set(3, false);
    }
    EXPECT_EQ(
        mqtt5::pick_other_online_member(SharedSubscriptionMode::Random, {}, *message, 0, online, 1),
        static_cast<std::size_t>(-1));
}

TEST(OutboxTake, PendingKeepsTheOrderOfTheRest) {
    Outbox box;
    for (int i = 0; i < 5; ++i)
        ASSERT_TRUE(box.enqueue(tagged(QoS::AtLeastOnce, std::to_string(i), i % 2 ? 7 : 0), 10));
    std::vector<std::string> taken;
    box.take_pending_if([&](Delivery& d) {
        if (d.shared_group == 0) return false;
        taken.emplace_back(d.message->payload);
        return true;
    });
    EXPECT_EQ(taken, (std::vector<std::string>{"1", "3"}));
    std::size_t expired = 0;
    std::vector<std::string> left;
    while (auto d = box.next_pending(Clock::now(), expired))
        left.emplace_back(d->message->payload);
    EXPECT_EQ(left, (std::vector<std::string>{"0", "2", "4"}));
}

TEST(OutboxTake, InflightFreesTheWindowAndThePacketId) {
    Outbox box;
    const auto now = Clock::now();
    const std::uint16_t first = box.start(tagged(QoS::AtLeastOnce, "a", 7), now).packet_id;
    const std::uint16_t second = box.start(tagged(QoS::ExactlyOnce, "b", 7), now).packet_id;
    EXPECT_FALSE(box.has_window_room(2));
    box.take_inflight_if(
        [](InflightEntry& e) { return e.delivery.qos == QoS::AtLeastOnce; });  // QoS 2 stays
    EXPECT_EQ(box.inflight_size(), 1u);
    EXPECT_TRUE(box.has_window_room(2));
    EXPECT_EQ(box.acknowledge(mqtt::PacketType::PubAck, first), Outbox::AckResult::UnknownId);
    EXPECT_EQ(box.acknowledge(mqtt::PacketType::PubRec, second), Outbox::AckResult::Released);
    // The freed id can be handed out again.
    bool reused = false;
    for (int i = 0; i < 70000 && !reused; ++i) {
        auto& e = box.start(tagged(QoS::AtLeastOnce, "c", 0), now);
        reused = e.packet_id == first;
        ASSERT_TRUE(box.discard(e.packet_id));
    }
    EXPECT_TRUE(reused);
}

}  // namespace
}  // namespace akasa::broker
