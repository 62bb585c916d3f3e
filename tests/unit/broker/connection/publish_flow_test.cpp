// PUBLISH through one worker, from a client to a subscriber: QoS 0, 1 and 2 with their
// acknowledgement flows in both directions [MQTT-4.3], the QoS each subscriber gets
// [MQTT-3.8.4-6], and the packet ids the broker picks.
#include <gtest/gtest.h>

#include "harness/engine_harness.h"

namespace akasa::broker::harness {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

// Takes what `client` received and expects exactly one packet of type T.
template <class T>
T only(TestClient& client) {
    const auto packets = client.take();
    if (packets.size() != 1 || !packets[0].get<T>()) {
        ADD_FAILURE() << "expected one " << mqtt::to_string(mqtt::packet_type(mqtt::Packet(T{})))
                      << ", got " << describe(packets);
        return T{};
    }
    return *packets[0].get<T>();
}

// A delivered PUBLISH with its views copied out.
struct Delivered {
    QoS qos;
    std::uint16_t packet_id;
    std::string topic;
    std::string payload;
};

Delivered only_publish(TestClient& client) {
    const auto packets = client.take();
    if (packets.size() != 1 || !packets[0].get<mqtt::Publish>()) {
        ADD_FAILURE() << "expected one PUBLISH, got " << describe(packets);
        return {};
    }
    const auto& p = *packets[0].get<mqtt::Publish>();
    return {p.qos, p.packet_id, std::string(p.topic), std::string(p.payload)};
}

class EnginePublish : public ::testing::Test {
  protected:
    EngineHarness broker;
    TestClient& publisher = broker.connect(connect_packet("publisher"));
};

TEST_F(EnginePublish, QoS0ReachesTheSubscriberWithoutAnyAcknowledgement) {
    TestClient& subscriber = broker.connect(connect_packet("subscriber"));
    broker.subscribe(subscriber, "t/#", QoS::AtMostOnce);
    publisher.send(publish_packet("t/a", "zero"));
    broker.run();
    const auto delivered = only_publish(subscriber);
    EXPECT_EQ(delivered.qos, QoS::AtMostOnce);
    EXPECT_EQ(delivered.packet_id, 0);
    EXPECT_EQ(delivered.topic, "t/a");
    EXPECT_EQ(delivered.payload, "zero");
    EXPECT_TRUE(publisher.take().empty());
}

TEST_F(EnginePublish, QoS1IsAcknowledgedAndDeliveredWithAnIdOfTheBrokers) {
    TestClient& subscriber = broker.connect(connect_packet("subscriber"));
    broker.subscribe(subscriber, "t/#", QoS::AtLeastOnce);
    publisher.send(publish_packet("t/a", "one", QoS::AtLeastOnce, 77));
    broker.run();
    EXPECT_EQ(only<mqtt::PubAck>(publisher).packet_id, 77);
    const auto first = only_publish(subscriber);
    EXPECT_EQ(first.qos, QoS::AtLeastOnce);
    EXPECT_NE(first.packet_id, 0);
    EXPECT_EQ(first.payload, "one");

    // While the first is unacknowledged, the next one gets another id.
    publisher.send(publish_packet("t/a", "two", QoS::AtLeastOnce, 78));
    broker.run();
    EXPECT_EQ(only<mqtt::PubAck>(publisher).packet_id, 78);
    const auto second = only_publish(subscriber);
    EXPECT_NE(second.packet_id, first.packet_id);

    subscriber.send(ack<mqtt::PubAck>(first.packet_id));
    subscriber.send(ack<mqtt::PubAck>(second.packet_id));
    broker.run();
    EXPECT_TRUE(subscriber.take().empty());
    EXPECT_TRUE(subscriber.connected());
}

TEST_F(EnginePublish, EachSubscriberGetsTheLowerOfItsGrantAndThePublishQoS) {
    TestClient& at_most_once = broker.connect(connect_packet("q0"));
    broker.subscribe(at_most_once, "t/#", QoS::AtMostOnce);
    TestClient& exactly_once = broker.connect(connect_packet("q2"));
    broker.subscribe(exactly_once, "t/#", QoS::ExactlyOnce);

    publisher.send(publish_packet("t/b", "x", QoS::AtLeastOnce, 5));
    broker.run();
    EXPECT_EQ(only_publish(at_most_once).qos, QoS::AtMostOnce);
    EXPECT_EQ(only_publish(exactly_once).qos, QoS::AtLeastOnce);

    publisher.send(publish_packet("t/b", "y"));  // QoS 0
    broker.run();
    EXPECT_EQ(only_publish(exactly_once).qos, QoS::AtMostOnce);
}

TEST_F(EnginePublish, QoS2FlowsBothWays) {
    TestClient& subscriber = broker.connect(connect_packet("subscriber", ProtocolVersion::V5));
    broker.subscribe(subscriber, "t/#", QoS::ExactlyOnce);

    // Publisher to broker: PUBLISH, PUBREC, PUBREL, PUBCOMP.
    publisher.send(publish_packet("t/c", "two", QoS::ExactlyOnce, 9));
    broker.run();
    EXPECT_EQ(only<mqtt::PubRec>(publisher).packet_id, 9);
    // Sent again before PUBREL (DUP): acknowledged, not delivered twice [MQTT-4.3.3-9].
    auto again = publish_packet("t/c", "two", QoS::ExactlyOnce, 9);
    again.dup = true;
    publisher.send(again);
    broker.run();
    EXPECT_EQ(only<mqtt::PubRec>(publisher).packet_id, 9);
    publisher.send(ack<mqtt::PubRel>(9));
    broker.run();
    const auto pubcomp = only<mqtt::PubComp>(publisher);
    EXPECT_EQ(pubcomp.packet_id, 9);
    EXPECT_EQ(pubcomp.reason_code, ReasonCode::Success);

    // Broker to subscriber: one PUBLISH, then PUBREC, PUBREL, PUBCOMP.
    const auto delivered = only_publish(subscriber);
    EXPECT_EQ(delivered.qos, QoS::ExactlyOnce);
    EXPECT_EQ(delivered.payload, "two");
    ASSERT_NE(delivered.packet_id, 0);
    subscriber.send(ack<mqtt::PubRec>(delivered.packet_id));
    broker.run();
    EXPECT_EQ(only<mqtt::PubRel>(subscriber).packet_id, delivered.packet_id);
    subscriber.send(ack<mqtt::PubComp>(delivered.packet_id));
    broker.run();
    EXPECT_TRUE(subscriber.take().empty());

    // A PUBREL for an id the broker does not hold is still answered: 0x92 in v5.
    subscriber.send(ack<mqtt::PubRel>(4321));
    broker.run();
    const auto unknown = only<mqtt::PubComp>(subscriber);
    EXPECT_EQ(unknown.packet_id, 4321);
    EXPECT_EQ(unknown.reason_code, ReasonCode::PacketIdentifierNotFound);
}

TEST_F(EnginePublish, ReceiveMaximumHoldsTheRestUntilAnAcknowledgement) {
    auto connect = connect_packet("narrow", ProtocolVersion::V5);
    connect.properties.receive_maximum = 2;
    TestClient& subscriber = broker.connect(connect);
    broker.subscribe(subscriber, "t/#", QoS::AtLeastOnce);

    for (std::uint16_t id = 1; id <= 3; ++id)
        publisher.send(publish_packet("t/d", std::to_string(id), QoS::AtLeastOnce, id));
    broker.run();
    EXPECT_EQ(publisher.take().size(), 3u);  // PUBACKs: the publisher is not held
    auto packets = subscriber.take();
    ASSERT_EQ(packets.size(), 2u) << describe(packets);
    const std::uint16_t first_id = packets[0].get<mqtt::Publish>()->packet_id;
    EXPECT_EQ(packets[0].get<mqtt::Publish>()->payload, "1");
    EXPECT_EQ(packets[1].get<mqtt::Publish>()->payload, "2");

    subscriber.send(ack<mqtt::PubAck>(first_id));
    broker.run();
    const auto third = only_publish(subscriber);
    EXPECT_EQ(third.payload, "3");
}

}  // namespace
}  // namespace akasa::broker::harness
