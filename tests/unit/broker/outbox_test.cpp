#include "broker/session/outbox.h"

#include <gtest/gtest.h>

namespace akasa::broker {
namespace {

using mqtt::PacketType;
using mqtt::QoS;

Delivery make(QoS qos, std::string payload = "p",
              std::optional<Clock::time_point> expires = std::nullopt) {
    auto message = Message::create("t", payload, qos, false, 0);
    message->expires_at = expires;
    return Delivery{message, qos, false, 0, {}};
}

TEST(Outbox, WindowLimitsInflight) {
    Outbox box;
    const auto now = Clock::now();
    EXPECT_TRUE(box.has_window_room(2));
    box.start(make(QoS::AtLeastOnce), now);
    box.start(make(QoS::AtLeastOnce), now);
    EXPECT_FALSE(box.has_window_room(2));
    EXPECT_TRUE(box.has_window_room(3));
}

TEST(Outbox, PubAckCompletesQoS1) {
    Outbox box;
    auto& entry = box.start(make(QoS::AtLeastOnce), Clock::now());
    const auto id = entry.packet_id;
    EXPECT_EQ(box.acknowledge(PacketType::PubAck, id), Outbox::AckResult::Completed);
    EXPECT_TRUE(box.empty());
    EXPECT_EQ(box.acknowledge(PacketType::PubAck, id), Outbox::AckResult::UnknownId);
}

TEST(Outbox, QoS2GoesThroughPubRecThenPubComp_MQTT_4_3_3) {
    Outbox box;
    const auto id = box.start(make(QoS::ExactlyOnce), Clock::now()).packet_id;
    EXPECT_EQ(box.acknowledge(PacketType::PubAck, id), Outbox::AckResult::WrongPacket);
    EXPECT_EQ(box.acknowledge(PacketType::PubComp, id), Outbox::AckResult::WrongPacket);
    EXPECT_EQ(box.acknowledge(PacketType::PubRec, id), Outbox::AckResult::Released);
    EXPECT_EQ(box.inflight().front().stage, InflightEntry::Stage::AwaitPubComp);
    EXPECT_EQ(box.inflight().front().delivery.message, nullptr);  // payload freed early
    // A repeated PUBREC is answered again (PUBREL resend).
    EXPECT_EQ(box.acknowledge(PacketType::PubRec, id), Outbox::AckResult::Released);
    EXPECT_EQ(box.acknowledge(PacketType::PubComp, id), Outbox::AckResult::Completed);
    EXPECT_TRUE(box.empty());
}

TEST(Outbox, PendingQueueIsBoundedAndFifo) {
    Outbox box;
    EXPECT_TRUE(box.enqueue(make(QoS::AtLeastOnce, "a"), 2));
    EXPECT_TRUE(box.enqueue(make(QoS::AtLeastOnce, "b"), 2));
    EXPECT_FALSE(box.enqueue(make(QoS::AtLeastOnce, "c"), 2));
    std::size_t expired = 0;
    EXPECT_EQ(box.next_pending(Clock::now(), expired)->message->payload, "a");
    EXPECT_EQ(box.next_pending(Clock::now(), expired)->message->payload, "b");
    EXPECT_FALSE(box.next_pending(Clock::now(), expired).has_value());
    EXPECT_EQ(expired, 0u);
}

TEST(Outbox, ExpiredMessagesAreSkipped_MQTT_3_3_2_5) {
    Outbox box;
    const auto now = Clock::now();
    box.enqueue(make(QoS::AtLeastOnce, "old", now - std::chrono::seconds(1)), 10);
    box.enqueue(make(QoS::AtLeastOnce, "fresh", now + std::chrono::seconds(60)), 10);
    std::size_t expired = 0;
    EXPECT_EQ(box.next_pending(now, expired)->message->payload, "fresh");
    EXPECT_EQ(expired, 1u);
}

TEST(Outbox, InflightKeepsSendOrderForResend_MQTT_4_6_0_1) {
    Outbox box;
    const auto now = Clock::now();
    const auto a = box.start(make(QoS::AtLeastOnce, "a"), now).packet_id;
    const auto b = box.start(make(QoS::AtLeastOnce, "b"), now).packet_id;
    const auto c = box.start(make(QoS::AtLeastOnce, "c"), now).packet_id;
    EXPECT_EQ(box.acknowledge(PacketType::PubAck, b), Outbox::AckResult::Completed);
    ASSERT_EQ(box.inflight().size(), 2u);
    EXPECT_EQ(box.inflight()[0].packet_id, a);
    EXPECT_EQ(box.inflight()[1].packet_id, c);
}

TEST(Outbox, DropPendingQoS0KeepsTheRest) {
    Outbox box;
    box.enqueue(make(QoS::AtMostOnce, "zero"), 10);
    box.enqueue(make(QoS::AtLeastOnce, "one"), 10);
    box.drop_pending_qos0();
    EXPECT_EQ(box.pending_size(), 1u);
}

TEST(Outbox, DiscardFreesTheId) {
    Outbox box;
    const auto id = box.start(make(QoS::AtLeastOnce), Clock::now()).packet_id;
    EXPECT_TRUE(box.discard(id));
    EXPECT_FALSE(box.discard(id));
    EXPECT_TRUE(box.empty());
}

// --- Queued bytes (max_in_mem_pending_bytes) ---

TEST(Outbox, PendingBytesFollowTheQueue) {
    Outbox box;
    EXPECT_EQ(box.pending_bytes(), 0u);
    box.enqueue(make(QoS::AtLeastOnce, std::string(100, 'a')), 10);  // topic "t" + 100
    box.enqueue(make(QoS::AtMostOnce, std::string(50, 'b')), 10);
    box.enqueue(make(QoS::AtLeastOnce, std::string(10, 'c')), 10);
    EXPECT_EQ(box.pending_bytes(), 101u + 51u + 11u);
    std::size_t expired = 0;
    box.next_pending(Clock::now(), expired);
    EXPECT_EQ(box.pending_bytes(), 51u + 11u);
    box.drop_pending_qos0();
    EXPECT_EQ(box.pending_bytes(), 11u);
    box.take_pending_if([](Delivery&) { return true; });
    EXPECT_EQ(box.pending_bytes(), 0u);
    EXPECT_EQ(box.pending_size(), 0u);
}

TEST(Outbox, ExpiredMessagesLeaveThePendingBytes) {
    Outbox box;
    const auto now = Clock::now();
    box.enqueue(make(QoS::AtLeastOnce, "old", now - std::chrono::seconds(1)), 10);
    box.enqueue(make(QoS::AtLeastOnce, "new"), 10);
    std::size_t expired = 0;
    ASSERT_TRUE(box.next_pending(now, expired));
    EXPECT_EQ(expired, 1u);
    EXPECT_EQ(box.pending_bytes(), 0u);
}

TEST(Outbox, ByteLimitRefusesWhatWouldPassIt) {
    Outbox box;
    EXPECT_TRUE(box.enqueue(make(QoS::AtLeastOnce, std::string(59, 'a')), 100, 100));  // 60
    EXPECT_TRUE(box.enqueue(make(QoS::AtLeastOnce, std::string(39, 'b')), 100, 100));  // 100
    Delivery refused = make(QoS::AtLeastOnce, "c");
    EXPECT_FALSE(box.enqueue(std::move(refused), 100, 100));
    EXPECT_NE(refused.message, nullptr);  // left intact for the caller (persistence)
    EXPECT_EQ(box.pending_size(), 2u);
    EXPECT_EQ(box.pending_bytes(), 100u);
}

// A message larger than the byte limit still queues when nothing else is queued: the limit
// must not make it undeliverable to a client whose window is full.
TEST(Outbox, EmptyQueueTakesOneMessageOfAnySize) {
    Outbox box;
    EXPECT_TRUE(box.enqueue(make(QoS::AtLeastOnce, std::string(1000, 'a')), 100, 100));
    EXPECT_FALSE(box.enqueue(make(QoS::AtLeastOnce, "b"), 100, 100));
    EXPECT_EQ(box.front_pending()->message->size, 1001u);
}

}  // namespace
}  // namespace akasa::broker
