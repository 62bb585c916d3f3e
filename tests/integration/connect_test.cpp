// CONNECT / CONNACK for MQTT 3.1, 3.1.1 and 5.0 against the real server.
#include <gtest/gtest.h>

#include "support/server_process.h"
#include "support/test_client.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

class ConnectTest : public ::testing::Test {
  protected:
    void SetUp() override { server.start(); }
    void TearDown() override { EXPECT_EQ(server.stop(), 0) << server.log(); }
    ServerProcess server;
};

TEST_F(ConnectTest, AcceptsAllThreeProtocolVersions) {
    for (auto version : {ProtocolVersion::V31, ProtocolVersion::V311, ProtocolVersion::V5}) {
        TestClient client(server.port(), version);
        auto connack = client.connect("versions-" + std::to_string(static_cast<int>(version)));
        EXPECT_EQ(connack.reason_code, 0);
        EXPECT_FALSE(connack.session_present);
    }
}

TEST_F(ConnectTest, UnsupportedProtocolLevelGetsReturnCode1_MQTT_3_1_2_2) {
    TestClient client(server.port());
    // CONNECT "MQTT" level 6, clean session, keep alive 60, client id "x".
    const std::uint8_t connect[] = {0x10, 13, 0, 4, 'M', 'Q', 'T', 'T', 6, 0x02, 0, 60, 0, 1, 'x'};
    client.send_raw(connect);
    auto connack = client.expect<mqtt::Connack>();
    EXPECT_EQ(connack.reason_code, 1);
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ConnectTest, EmptyClientIdWithCleanSessionIsAssigned_MQTT_3_1_3_6) {
    TestClient client(server.port());
    EXPECT_EQ(client.connect("", true).reason_code, 0);
    client.subscribe("t", QoS::AtMostOnce);  // the session works
}

TEST_F(ConnectTest, EmptyClientIdWithoutCleanSessionIsRefused_MQTT_3_1_3_8) {
    TestClient client(server.port());
    EXPECT_EQ(client.connect("", false).reason_code, 2);
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ConnectTest, V5EmptyClientIdGetsAssignedClientIdentifier_MQTT_3_2_2_16) {
    TestClient client(server.port(), ProtocolVersion::V5);
    auto connack = client.connect("", true);
    EXPECT_EQ(connack.reason_code, 0);
    ASSERT_TRUE(connack.properties.assigned_client_identifier.has_value());
    EXPECT_FALSE(connack.properties.assigned_client_identifier->empty());
}

TEST_F(ConnectTest, V5ConnackAnnouncesReceiveMaximum) {
    TestClient client(server.port(), ProtocolVersion::V5);
    auto connack = client.connect("rm");
    ASSERT_TRUE(connack.properties.receive_maximum.has_value());
    EXPECT_EQ(*connack.properties.receive_maximum, 10);
}

TEST_F(ConnectTest, SecondConnectIsAProtocolError_MQTT_3_1_0_2) {
    TestClient client(server.port(), ProtocolVersion::V5);
    client.connect_ok("twice");
    mqtt::Connect again;
    again.version = ProtocolVersion::V5;
    again.client_id = "twice";
    client.send(again);
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(client.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    auto* disconnect = before[0]->get<mqtt::Disconnect>();
    ASSERT_NE(disconnect, nullptr);
    EXPECT_EQ(disconnect->reason_code, ReasonCode::ProtocolError);
}

TEST_F(ConnectTest, FirstPacketMustBeConnect_MQTT_3_1_0_1) {
    TestClient client(server.port());
    client.send(mqtt::Pingreq{});
    EXPECT_TRUE(client.wait_closed());
}

TEST_F(ConnectTest, PingreqGetsPingresp_MQTT_3_12_4_1) {
    TestClient client(server.port());
    client.connect_ok("pinger");
    client.send(mqtt::Pingreq{});
    client.expect<mqtt::Pingresp>();
}

TEST(ConnectTimeout, ConnectionWithoutConnectIsClosed) {
    ServerProcess server;
    server.add_config("connect_timeout: 1");
    server.start();
    TestClient client(server.port());
    EXPECT_TRUE(client.wait_closed(10s));
    EXPECT_EQ(server.stop(), 0);
}

TEST(ConnectV31, LongClientIdRefusedWhenChecked) {
    ServerProcess server;
    server.add_config("check_v310_client_id_length: true");
    server.start();
    {
        TestClient client(server.port(), ProtocolVersion::V31);
        EXPECT_EQ(client.connect("a-client-id-longer-than-23-characters").reason_code, 2);
    }
    {
        TestClient client(server.port(), ProtocolVersion::V31);
        EXPECT_EQ(client.connect("short-id").reason_code, 0);
    }
    EXPECT_EQ(server.stop(), 0);
}

TEST(MaxConnections, ConnectionsBeyondTheLimitAreClosed) {
    ServerProcess server;
    server.add_config("max_connections: 2");
    server.start();
    TestClient a(server.port()), b(server.port());
    a.connect_ok("a");
    b.connect_ok("b");
    TestClient c(server.port());
    EXPECT_TRUE(c.wait_closed());
    EXPECT_TRUE(server.wait_for_log("max_connections (2) reached"));
    EXPECT_EQ(server.stop(), 0);
}

class AuthTest : public ::testing::Test {
  protected:
    void SetUp() override {
        server.add_user("alice", "secret");
        server.start();
    }
    void TearDown() override { EXPECT_EQ(server.stop(), 0) << server.log(); }
    ServerProcess server;
};

TEST_F(AuthTest, GoodPasswordIsAccepted) {
    for (auto version : {ProtocolVersion::V311, ProtocolVersion::V5}) {
        TestClient client(server.port(), version);
        EXPECT_EQ(client.connect("a", true, 60, {}, std::nullopt, "alice", "secret").reason_code,
                  0);
    }
}

TEST_F(AuthTest, BadPasswordIsRefused) {
    TestClient v3(server.port());
    EXPECT_EQ(v3.connect("a", true, 60, {}, std::nullopt, "alice", "wrong").reason_code, 4);
    EXPECT_TRUE(v3.wait_closed());
    TestClient v5(server.port(), ProtocolVersion::V5);
    EXPECT_EQ(v5.connect("a", true, 60, {}, std::nullopt, "alice", "wrong").reason_code, 0x86);
    EXPECT_TRUE(v5.wait_closed());
}

TEST_F(AuthTest, MissingCredentialsAreNotAuthorized) {
    TestClient v3(server.port());
    EXPECT_EQ(v3.connect("a").reason_code, 5);
    TestClient v5(server.port(), ProtocolVersion::V5);
    EXPECT_EQ(v5.connect("b").reason_code, 0x87);
}

}  // namespace
}  // namespace akasa::testing
