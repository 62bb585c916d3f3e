// A SIGHUP's new config generation in the engine (config_generation.h): the worker takes it
// between two loop iterations; a connection accepted afterwards gets the new limits, one
// accepted before keeps those its CONNACK announced.
#include <gtest/gtest.h>

#include <string>

#include "harness/engine_harness.h"

namespace akasa::broker::harness {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

// A v5 connection and its CONNACK (the test fails without one).
TestClient& connect_v5(EngineHarness& broker, std::string_view client_id, mqtt::Connack& connack) {
    TestClient& client = broker.add_client();
    client.send(connect_packet(client_id, ProtocolVersion::V5));
    broker.run();
    const auto packets = client.take();
    if (packets.size() != 1 || !packets[0].get<mqtt::Connack>()) {
        ADD_FAILURE() << "expected one CONNACK, got " << describe(packets);
    } else {
        connack = *packets[0].get<mqtt::Connack>();
    }
    return client;
}

// The reason code of the PUBACK answering a QoS 1 PUBLISH.
ReasonCode puback_for(EngineHarness& broker, TestClient& client, std::string_view topic,
                      std::string_view payload, std::uint16_t packet_id) {
    client.send(publish_packet(topic, payload, QoS::AtLeastOnce, packet_id));
    broker.run();
    const auto packets = client.take();
    const auto* ack = packets.empty() ? nullptr : packets.back().get<mqtt::PubAck>();
    if (!ack) {
        ADD_FAILURE() << "expected a PUBACK, got " << describe(packets);
        return ReasonCode::UnspecifiedError;
    }
    return ack->reason_code;
}

TEST(EngineConfigReload, NewConnectionsGetTheNewLimitsConnectedOnesKeepTheirs) {
    config::Config config = EngineHarness::default_config();
    config.max_packet_size_server = 100000;
    config.max_topic_levels = 8;
    EngineHarness broker(config);
    mqtt::Connack connack;
    TestClient& old = connect_v5(broker, "old", connack);
    EXPECT_EQ(connack.properties.maximum_packet_size, 100000u);

    config.max_packet_size_server = 1000;
    config.max_topic_levels = 2;
    broker.reload(config);
    broker.run();

    TestClient& fresh = connect_v5(broker, "fresh", connack);
    EXPECT_EQ(connack.properties.maximum_packet_size, 1000u);
    EXPECT_EQ(puback_for(broker, fresh, "a/b/c", "", 1), ReasonCode::TopicNameInvalid);
    const std::string large(5000, 'x');
    EXPECT_EQ(puback_for(broker, old, "a/b/c", large, 1), ReasonCode::Success);
    EXPECT_TRUE(old.connected());

    fresh.send(publish_packet("t", large));
    broker.run();
    const auto packets = fresh.take();
    ASSERT_EQ(packets.size(), 1u) << describe(packets);
    ASSERT_NE(packets[0].get<mqtt::Disconnect>(), nullptr) << describe(packets);
    EXPECT_EQ(packets[0].get<mqtt::Disconnect>()->reason_code, ReasonCode::PacketTooLarge);
    EXPECT_FALSE(fresh.connected());
}

}  // namespace
}  // namespace akasa::broker::harness
