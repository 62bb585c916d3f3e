// CONNECT as the engine answers it (connect_handler.cpp): the CONNACK and its Session
// Present flag, and the takeover of a client id by a new connection [MQTT-3.1.4-3].
#include <gtest/gtest.h>

#include "harness/engine_harness.h"

namespace akasa::broker::harness {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

// Sends `connect` on a new connection and returns its CONNACK (the test fails without one).
mqtt::Connack connack_for(EngineHarness& broker, const mqtt::Connect& connect) {
    TestClient& client = broker.add_client();
    client.send(connect);
    broker.run();
    const auto packets = client.take();
    if (packets.size() != 1 || !packets[0].get<mqtt::Connack>()) {
        ADD_FAILURE() << "expected one CONNACK, got " << describe(packets);
        return {};
    }
    return *packets[0].get<mqtt::Connack>();
}

void disconnect(EngineHarness& broker, TestClient& client) {
    client.send(mqtt::Disconnect{});
    broker.run();
    ASSERT_FALSE(client.connected());
}

TEST(EngineConnect, V311SessionPresentOnlyWhenAStoredSessionIsResumed) {
    EngineHarness broker;
    TestClient& first = broker.add_client();
    first.send(connect_packet("dev", ProtocolVersion::V311, /*clean_start=*/false));
    broker.run();
    auto packets = first.take();
    ASSERT_EQ(packets.size(), 1u) << describe(packets);
    ASSERT_NE(packets[0].get<mqtt::Connack>(), nullptr) << describe(packets);
    EXPECT_EQ(packets[0].get<mqtt::Connack>()->reason_code, 0);
    EXPECT_FALSE(packets[0].get<mqtt::Connack>()->session_present);
    EXPECT_TRUE(first.connected());
    disconnect(broker, first);

    auto connack = connack_for(broker, connect_packet("dev", ProtocolVersion::V311, false));
    EXPECT_EQ(connack.reason_code, 0);
    EXPECT_TRUE(connack.session_present);

    // Clean Session ends the stored session [MQTT-3.1.2-6]: nothing is resumed.
    connack = connack_for(broker, connect_packet("dev", ProtocolVersion::V311, true));
    EXPECT_TRUE(connack.reason_code == 0 && !connack.session_present);
}

TEST(EngineConnect, V5SessionPresentFollowsCleanStartAndExpiry) {
    EngineHarness broker;
    TestClient& first = broker.add_client();
    first.send(lasting("dev5", /*clean_start=*/true, 300));
    broker.run();
    auto packets = first.take();
    ASSERT_EQ(packets.size(), 1u) << describe(packets);
    const auto* connack = packets[0].get<mqtt::Connack>();
    ASSERT_NE(connack, nullptr) << describe(packets);
    EXPECT_EQ(connack->reason_code, 0);
    EXPECT_FALSE(connack->session_present);
    EXPECT_EQ(connack->properties.session_expiry_interval, 300u);
    disconnect(broker, first);

    EXPECT_TRUE(connack_for(broker, lasting("dev5", false, 300)).session_present);

    // Session Expiry 0 (the default): the session ends with the connection.
    TestClient& brief = broker.connect(connect_packet("brief", ProtocolVersion::V5, true));
    disconnect(broker, brief);
    EXPECT_FALSE(
        connack_for(broker, connect_packet("brief", ProtocolVersion::V5, false)).session_present);
}

TEST(EngineConnect, FirstPacketOtherThanConnectClosesTheConnection) {
    EngineHarness broker;
    TestClient& client = broker.add_client();
    client.send(mqtt::Pingreq{});
    broker.run();
    EXPECT_FALSE(client.connected());
    EXPECT_TRUE(client.take().empty());
}

TEST(EngineConnect, SilentClientIsDisconnectedAfterOneAndAHalfKeepAlives) {
    EngineHarness broker;
    TestClient& client = broker.connect(connect_packet("quiet", ProtocolVersion::V5));  // 60 s
    broker.advance(std::chrono::seconds(89));
    broker.run();
    EXPECT_TRUE(client.connected());
    client.send(mqtt::Pingreq{});  // a packet restarts the count
    broker.run();
    const auto answers = client.take();
    ASSERT_EQ(answers.size(), 1u) << describe(answers);
    EXPECT_NE(answers[0].get<mqtt::Pingresp>(), nullptr);
    broker.advance(std::chrono::seconds(89));
    broker.run();
    EXPECT_TRUE(client.connected());
    broker.advance(std::chrono::seconds(2));
    broker.run();
    EXPECT_FALSE(client.connected());
    const auto packets = client.take();
    ASSERT_EQ(packets.size(), 1u) << describe(packets);
    ASSERT_NE(packets[0].get<mqtt::Disconnect>(), nullptr) << describe(packets);
    EXPECT_EQ(packets[0].get<mqtt::Disconnect>()->reason_code, ReasonCode::KeepAliveTimeout);
}

TEST(EngineConnect, V5TakeoverDisconnectsTheOldConnectionWith0x8E) {
    EngineHarness broker;
    TestClient& old_connection = broker.connect(lasting("twin", true, 300));
    broker.subscribe(old_connection, "news/#", QoS::AtLeastOnce);

    TestClient& new_connection = broker.add_client();
    new_connection.send(lasting("twin", /*clean_start=*/false, 300));
    broker.run();

    const auto old_packets = old_connection.take();
    ASSERT_EQ(old_packets.size(), 1u) << describe(old_packets);
    const auto* disconnect = old_packets[0].get<mqtt::Disconnect>();
    ASSERT_NE(disconnect, nullptr) << describe(old_packets);
    EXPECT_EQ(disconnect->reason_code, ReasonCode::SessionTakenOver);  // 0x8E
    EXPECT_FALSE(old_connection.connected());

    const auto new_packets = new_connection.take();
    ASSERT_EQ(new_packets.size(), 1u) << describe(new_packets);
    ASSERT_NE(new_packets[0].get<mqtt::Connack>(), nullptr) << describe(new_packets);
    EXPECT_TRUE(new_packets[0].get<mqtt::Connack>()->session_present);
    EXPECT_TRUE(new_connection.connected());

    // The session (its subscription) went with it.
    TestClient& publisher = broker.connect(connect_packet("pub"));
    publisher.send(publish_packet("news/today", "hello"));
    broker.run();
    const auto delivered = new_connection.take();
    ASSERT_EQ(delivered.size(), 1u) << describe(delivered);
    ASSERT_NE(delivered[0].get<mqtt::Publish>(), nullptr) << describe(delivered);
    EXPECT_EQ(delivered[0].get<mqtt::Publish>()->topic, "news/today");
}

TEST(EngineConnect, V311TakeoverClosesTheOldConnectionWithoutAPacket) {
    EngineHarness broker;
    TestClient& old_connection =
        broker.connect(connect_packet("twin3", ProtocolVersion::V311, false));
    TestClient& new_connection = broker.add_client();
    new_connection.send(connect_packet("twin3", ProtocolVersion::V311, false));
    broker.run();

    EXPECT_FALSE(old_connection.connected());
    EXPECT_TRUE(old_connection.take().empty());  // 3.x has no DISCONNECT from the server
    const auto packets = new_connection.take();
    ASSERT_EQ(packets.size(), 1u) << describe(packets);
    ASSERT_NE(packets[0].get<mqtt::Connack>(), nullptr) << describe(packets);
    EXPECT_TRUE(packets[0].get<mqtt::Connack>()->session_present);
}

TEST(EngineConnect, TakeoverResendsUnacknowledgedMessagesWithDup) {
    // [MQTT-4.4.0-1]: on resumption the PUBLISH not acknowledged on the old connection is
    // sent again, DUP set, with the same packet id.
    EngineHarness broker;
    TestClient& old_connection =
        broker.connect(connect_packet("resumer", ProtocolVersion::V311, false));
    broker.subscribe(old_connection, "r/#", QoS::AtLeastOnce);
    TestClient& publisher = broker.connect(connect_packet("pub"));
    publisher.send(publish_packet("r/1", "again", QoS::AtLeastOnce, 1));
    broker.run();
    const auto first = old_connection.take();
    ASSERT_EQ(first.size(), 1u) << describe(first);
    ASSERT_NE(first[0].get<mqtt::Publish>(), nullptr) << describe(first);
    const std::uint16_t id = first[0].get<mqtt::Publish>()->packet_id;
    EXPECT_FALSE(first[0].get<mqtt::Publish>()->dup);

    TestClient& new_connection = broker.add_client();
    new_connection.send(connect_packet("resumer", ProtocolVersion::V311, false));
    broker.run();
    const auto packets = new_connection.take();
    ASSERT_EQ(packets.size(), 2u) << describe(packets);
    ASSERT_NE(packets[0].get<mqtt::Connack>(), nullptr) << describe(packets);
    const auto* resent = packets[1].get<mqtt::Publish>();
    ASSERT_NE(resent, nullptr) << describe(packets);
    EXPECT_TRUE(resent->dup);
    EXPECT_EQ(resent->packet_id, id);
    EXPECT_EQ(resent->payload, "again");
}

}  // namespace
}  // namespace akasa::broker::harness
