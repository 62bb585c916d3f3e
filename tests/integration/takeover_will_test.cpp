// Takeover of a client id by a new connection (on any worker thread), wills, retained
// messages and keep alive.
#include <gtest/gtest.h>

#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

class TakeoverTest : public ServerTest {};

TEST_F(TakeoverTest, NewConnectionClosesTheOldOne_MQTT_3_1_4_3) {
    // Repeated, so both "same worker" and "other worker" cases occur (SO_REUSEPORT spreads
    // connections over the two workers).
    auto old = std::make_unique<TestClient>(port(), ProtocolVersion::V5);
    mqtt::Properties expiry;
    expiry.session_expiry_interval = 600;
    old->connect_ok("taken", false, expiry);
    old->subscribe("tk", QoS::AtLeastOnce);
    for (int round = 0; round < 10; ++round) {
        auto fresh = std::make_unique<TestClient>(port(), ProtocolVersion::V5);
        EXPECT_TRUE(fresh->connect_ok("taken", false, expiry).session_present);
        std::vector<std::unique_ptr<Received>> before;
        ASSERT_TRUE(old->wait_closed(5s, &before));
        ASSERT_EQ(before.size(), 1u);
        ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
        EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::SessionTakenOver);
        old = std::move(fresh);
    }
    // The subscription survived every takeover.
    TestClient pub(port());
    pub.connect_ok("tk-pub");
    pub.publish("tk", "still-here", QoS::AtLeastOnce);
    EXPECT_EQ(old->receive_messages(1)[0].payload, "still-here");
}

TEST_F(TakeoverTest, V3TakeoverClosesOldConnection_MQTT_3_1_4_2) {
    TestClient old(port());
    old.connect_ok("v3-taken");
    TestClient fresh(port());
    fresh.connect_ok("v3-taken");
    EXPECT_TRUE(old.wait_closed());
    fresh.send(mqtt::Pingreq{});
    fresh.expect<mqtt::Pingresp>();
}

class WillTest : public ServerTest {};

mqtt::Will make_will(std::string_view topic, std::string_view payload, bool retain = false) {
    mqtt::Will will;
    will.topic = topic;
    will.payload = payload;
    will.qos = QoS::AtLeastOnce;
    will.retain = retain;
    return will;
}

TEST_F(WillTest, WillIsPublishedOnAbnormalClose_MQTT_3_1_2_8) {
    TestClient watcher(port());
    watcher.connect_ok("watcher");
    watcher.subscribe("will/#", QoS::AtLeastOnce);
    {
        TestClient dying(port());
        EXPECT_EQ(dying.connect("dying", true, 60, {}, make_will("will/dying", "gone")).reason_code,
                  0);
        dying.close();  // no DISCONNECT
    }
    auto got = watcher.receive_messages(1);
    EXPECT_EQ(got[0].topic, "will/dying");
    EXPECT_EQ(got[0].payload, "gone");
}

TEST_F(WillTest, WillIsNotPublishedOnNormalDisconnect_MQTT_3_1_2_10) {
    TestClient watcher(port());
    watcher.connect_ok("watcher");
    watcher.subscribe("will/#", QoS::AtLeastOnce);
    {
        TestClient polite(port());
        polite.connect("polite", true, 60, {}, make_will("will/polite", "should-not"));
        polite.disconnect();
        polite.wait_closed();
    }
    TestClient marker(port());
    marker.connect_ok("marker");
    marker.publish("will/marker", "m", QoS::AtLeastOnce);
    EXPECT_EQ(watcher.receive_messages(1)[0].topic, "will/marker");
}

TEST_F(WillTest, V5DisconnectWithWillMessagePublishesIt) {
    TestClient watcher(port());
    watcher.connect_ok("watcher");
    watcher.subscribe("will/#", QoS::AtLeastOnce);
    TestClient c(port(), ProtocolVersion::V5);
    c.connect("v5-will", true, 60, {}, make_will("will/v5", "asked"));
    c.disconnect(ReasonCode::DisconnectWithWill);
    EXPECT_EQ(watcher.receive_messages(1)[0].payload, "asked");
}

TEST_F(WillTest, WillIsPublishedOnProtocolError) {
    TestClient watcher(port());
    watcher.connect_ok("watcher");
    watcher.subscribe("will/#", QoS::AtLeastOnce);
    TestClient c(port());
    c.connect("broken", true, 60, {}, make_will("will/broken", "violation"));
    mqtt::Connect again;
    again.client_id = "broken";
    c.send(again);  // second CONNECT [MQTT-3.1.0-2]
    EXPECT_TRUE(c.wait_closed());
    EXPECT_EQ(watcher.receive_messages(1)[0].payload, "violation");
}

TEST_F(WillTest, RetainedWillIsStored) {
    {
        TestClient c(port());
        c.connect("rw", true, 60, {}, make_will("will/retained", "kept", true));
        c.close();
    }
    // Once the server logged the close, the will is published; a new subscriber gets it.
    ASSERT_TRUE(server.wait_for_log("client rw disconnected"));
    TestClient watcher(port());
    watcher.connect_ok("w1");
    watcher.subscribe("will/retained", QoS::AtLeastOnce);
    auto got = watcher.receive_messages(1);
    EXPECT_EQ(got[0].payload, "kept");
    EXPECT_TRUE(got[0].retain);
}

class RetainTest : public ServerTest {};

TEST_F(RetainTest, RetainedMessageIsDeliveredOnSubscribeWithRetainFlag_MQTT_3_3_1_6) {
    TestClient pub(port());
    pub.connect_ok("rp");
    pub.publish("ret/a", "A", QoS::AtLeastOnce, true);
    pub.publish("ret/b", "B1", QoS::AtLeastOnce, true);
    pub.publish("ret/b", "B2", QoS::AtLeastOnce, true);  // replaces B1
    TestClient sub(port());
    sub.connect_ok("rs");
    sub.subscribe("ret/+", QoS::AtLeastOnce);
    auto got = sub.receive_messages(2);
    std::set<std::string> payloads{got[0].payload, got[1].payload};
    EXPECT_EQ(payloads, (std::set<std::string>{"A", "B2"}));
    EXPECT_TRUE(got[0].retain && got[1].retain);  // [MQTT-3.3.1-8]
}

TEST_F(RetainTest, EmptyPayloadDeletesRetainedMessage_MQTT_3_3_1_10) {
    TestClient pub(port());
    pub.connect_ok("rp");
    pub.publish("del/x", "X", QoS::AtLeastOnce, true);
    pub.publish("del/x", "", QoS::AtLeastOnce, true);
    pub.publish("del/y", "Y", QoS::AtLeastOnce, true);
    TestClient sub(port());
    sub.connect_ok("rs");
    sub.subscribe("del/#", QoS::AtLeastOnce);
    auto got = sub.receive_messages(1);
    EXPECT_EQ(got[0].payload, "Y");
    EXPECT_EQ(sub.publishes_within(200ms), 0u);
}

TEST_F(RetainTest, LiveDeliveryClearsRetainFlagUnlessRetainAsPublished_MQTT_3_3_1_12) {
    TestClient plain(port(), ProtocolVersion::V5), rap(port(), ProtocolVersion::V5);
    plain.connect_ok("plain");
    rap.connect_ok("rap");
    plain.subscribe("live", QoS::AtLeastOnce);
    mqtt::SubscriptionOptions options;
    options.retain_as_published = true;
    rap.subscribe("live", QoS::AtLeastOnce, options);
    TestClient pub(port());
    pub.connect_ok("p");
    pub.publish("live", "L", QoS::AtLeastOnce, true);
    EXPECT_FALSE(plain.receive_messages(1)[0].retain);
    EXPECT_TRUE(rap.receive_messages(1)[0].retain);
}

TEST_F(RetainTest, RetainHandling_MQTT_3_3_1_9_to_11) {
    TestClient pub(port());
    pub.connect_ok("p");
    pub.publish("rh", "R", QoS::AtLeastOnce, true);
    TestClient sub(port(), ProtocolVersion::V5);
    sub.connect_ok("s");
    mqtt::SubscriptionOptions never;
    never.retain_handling = 2;
    sub.subscribe("rh", QoS::AtLeastOnce, never);
    EXPECT_EQ(sub.publishes_within(200ms), 0u);
    mqtt::SubscriptionOptions if_new;
    if_new.retain_handling = 1;
    sub.subscribe("rh", QoS::AtLeastOnce, if_new);  // exists already: not sent
    EXPECT_EQ(sub.publishes_within(200ms), 0u);
    sub.subscribe("rh", QoS::AtLeastOnce);  // handling 0: sent
    EXPECT_EQ(sub.receive_messages(1)[0].payload, "R");
}

class KeepAliveTest : public ServerTest {};

TEST_F(KeepAliveTest, SilentClientIsDisconnectedAfterOneAndAHalfKeepAlive_MQTT_3_1_2_24) {
    // A v5 keep alive of 1 s is raised to min_keep_alive (10 s): use 3.1.1.
    TestClient v3(port());
    EXPECT_EQ(v3.connect("silent", true, 1).reason_code, 0);
    EXPECT_TRUE(v3.wait_closed(10s));
}

TEST_F(KeepAliveTest, V5ServerKeepAliveRaisesSmallValues_MQTT_3_2_2_21) {
    TestClient c(port(), ProtocolVersion::V5);
    auto connack = c.connect("ka", true, 2);
    ASSERT_TRUE(connack.properties.server_keep_alive.has_value());
    EXPECT_EQ(*connack.properties.server_keep_alive, 10);
}

class ShutdownTest : public ::testing::Test {};

TEST_F(ShutdownTest, V5ClientsGetServerShuttingDownAndExitIsZero) {
    ServerProcess server;
    server.start();
    TestClient c(server.port(), ProtocolVersion::V5);
    c.connect_ok("bye");
    TestClient v3(server.port());
    v3.connect_ok("bye3");
    EXPECT_EQ(server.stop(), 0);
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(c.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
    EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::ServerShuttingDown);
    EXPECT_TRUE(v3.wait_closed());
    EXPECT_NE(server.log().find("client bye disconnected"), std::string::npos);
}

TEST_F(ShutdownTest, PendingOutputIsFlushedBeforeDisconnect) {
    ServerProcess server;
    server.start();
    TestClient sub(server.port(), ProtocolVersion::V5), pub(server.port());
    sub.connect_ok("backlog");
    pub.connect_ok("backlog-pub");
    sub.subscribe("bl", QoS::AtMostOnce);
    const std::string payload(4096, 'b');
    const int kMessages = 200;  // 800 KiB: below the output limit, above socket buffers
    for (int i = 0; i < kMessages; ++i)
        pub.publish("bl", payload, QoS::AtLeastOnce);
    // The subscriber has not read anything yet; stop the server while it reads.
    int exit_status = -1;
    std::thread stopper([&] { exit_status = server.stop(); });
    auto got = sub.receive_messages(kMessages, 20s);
    EXPECT_EQ(got.size(), static_cast<std::size_t>(kMessages));
    auto disconnect = sub.expect<mqtt::Disconnect>();
    EXPECT_EQ(disconnect.reason_code, ReasonCode::ServerShuttingDown);
    stopper.join();
    EXPECT_EQ(exit_status, 0);
}

TEST_F(ShutdownTest, WillsOfConnectedClientsArePublishedBeforeTheyClose_MQTT_3_1_2_8) {
    // The server closes these connections without a DISCONNECT from the clients: their wills
    // go out, to subscribers on both workers, before those are told the server is going.
    ServerProcess server;
    server.start();
    TestClient watcher(server.port(), ProtocolVersion::V5);
    watcher.connect_ok("watcher");
    watcher.subscribe("gone/#", QoS::AtLeastOnce);
    constexpr int kClients = 6;  // spread over both workers by the kernel's port hash
    std::vector<std::unique_ptr<TestClient>> clients;
    std::set<std::string> expected;
    for (int i = 0; i < kClients; ++i) {
        const std::string id = "leaving-" + std::to_string(i);
        clients.push_back(std::make_unique<TestClient>(server.port()));
        ASSERT_EQ(clients.back()
                      ->connect(id, true, 60, {}, make_will("gone/" + id, "offline"))
                      .reason_code,
                  0);
        expected.insert("gone/" + id);
    }
    TestClient polite(server.port());
    polite.connect("polite", true, 60, {}, make_will("gone/polite", "should-not"));
    polite.send(mqtt::Disconnect{});
    ASSERT_TRUE(polite.wait_closed());

    int exit_status = -1;
    std::jthread stopper([&] { exit_status = server.stop(); });  // joined on any exit
    std::set<std::string> topics;
    // Not acknowledged: the server may close right after the DISCONNECT, and a PUBACK sent
    // to a closed socket would fail the test for nothing.
    for (const auto& message : watcher.receive_messages(kClients, 20s, /*ack=*/false))
        topics.insert(message.topic);
    EXPECT_EQ(topics, expected);
    EXPECT_EQ(watcher.expect<mqtt::Disconnect>().reason_code, ReasonCode::ServerShuttingDown);
    stopper.join();
    EXPECT_EQ(exit_status, 0);
    EXPECT_NE(server.log().find("shutdown: published"), std::string::npos);
}

}  // namespace
}  // namespace akasa::testing
