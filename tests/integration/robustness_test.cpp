// Malformed input closes only the offending connection, with the spec's reason code where
// the protocol allows one; random garbage never crashes, stalls or disturbs other clients.
#include <gtest/gtest.h>

#include <random>

#include "mqtt/encoder.h"
#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

class RobustnessTest : public ServerTest {
    void configure(ServerProcess& s) override { s.add_config("max_packet_size_server: 1024"); }
};

TEST_F(RobustnessTest, MalformedPacketGetsDisconnectWithMalformedPacket_MQTT_4_13_1_1) {
    TestClient c(port(), ProtocolVersion::V5);
    c.connect_ok("malformed");
    // SUBSCRIBE with reserved flags 0000 instead of 0010 [MQTT-3.8.1-1].
    const std::uint8_t bad[] = {0x80, 6, 0, 1, 0, 1, 'a', 0};
    c.send_raw(bad);
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(c.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
    EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::MalformedPacket);
}

TEST_F(RobustnessTest, OversizedPacketGetsPacketTooLarge_MQTT_3_2_2_15) {
    TestClient c(port(), ProtocolVersion::V5);
    auto connack = c.connect_ok("big");
    ASSERT_TRUE(connack.properties.maximum_packet_size.has_value());
    EXPECT_EQ(*connack.properties.maximum_packet_size, 1024u);
    std::string payload(4096, 'x');
    mqtt::Publish p;
    p.topic = "big";
    p.payload = payload;
    c.send(p);
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(c.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
    EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::PacketTooLarge);
}

TEST_F(RobustnessTest, V3ProtocolErrorClosesWithoutDisconnect) {
    TestClient c(port());
    c.connect_ok("v3-bad");
    const std::uint8_t bad[] = {0xF0, 0};  // AUTH does not exist in 3.1.1
    c.send_raw(bad);
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(c.wait_closed(5s, &before));
    EXPECT_TRUE(before.empty());
}

TEST_F(RobustnessTest, PacketsSplitIntoSingleBytesAreReassembled) {
    TestClient c(port());
    mqtt::Connect connect;
    connect.client_id = "byte-by-byte";
    mqtt::Subscribe subscribe;
    subscribe.packet_id = 1;
    subscribe.topics.push_back({"bytes", {}});
    std::vector<std::uint8_t> bytes;
    mqtt::encode(connect, bytes);
    mqtt::encode(subscribe, ProtocolVersion::V311, bytes);
    for (auto b : bytes)
        c.send_raw(std::span<const std::uint8_t>(&b, 1));
    EXPECT_EQ(c.expect<mqtt::Connack>().reason_code, 0);
    EXPECT_EQ(c.expect<mqtt::Suback>().packet_id, 1);
}

TEST_F(RobustnessTest, RandomGarbageNeverDisturbsAWellBehavedClient) {
    TestClient good_sub(port()), good_pub(port());
    good_sub.connect_ok("good-sub");
    good_pub.connect_ok("good-pub");
    good_sub.subscribe("g", QoS::AtLeastOnce);

    std::mt19937 random(12345);
    for (int round = 0; round < 200; ++round) {
        TestClient garbage(port());
        std::vector<std::uint8_t> bytes(1 + random() % 300);
        for (auto& b : bytes)
            b = static_cast<std::uint8_t>(random());
        if (round % 2 == 0) {
            // Half the rounds start with a valid CONNECT so the garbage reaches the
            // connected-state handlers.
            mqtt::Connect connect;
            connect.version = round % 4 == 0 ? ProtocolVersion::V5 : ProtocolVersion::V311;
            connect.client_id = "garbage";
            std::vector<std::uint8_t> prefix;
            mqtt::encode(connect, prefix);
            bytes.insert(bytes.begin(), prefix.begin(), prefix.end());
        }
        garbage.send_raw(bytes);
        if (round % 10 == 0) {
            good_pub.publish("g", std::to_string(round), QoS::AtLeastOnce);
            EXPECT_EQ(good_sub.receive_messages(1)[0].payload, std::to_string(round));
        }
    }
    good_pub.publish("g", "still-alive", QoS::AtLeastOnce);
    EXPECT_EQ(good_sub.receive_messages(1)[0].payload, "still-alive");
}

}  // namespace
}  // namespace akasa::testing
