// Sessions and QoS state: persistent sessions queue QoS 1/2 while offline, session present,
// clean start, resend with DUP on reconnect, exactly-once QoS 2, the inflight window.
#include <gtest/gtest.h>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

class SessionTest : public ServerTest {};

// Disconnects a client and waits until the server has seen it go (the next CONNECT with
// the same id would otherwise race the close).
void disconnect_and_wait(TestClient& client) {
    client.disconnect();
    client.wait_closed();
}

// One worker: with two, the barrier's PUBACK can reach the publisher while the QoS 0 message
// still waits in the subscriber worker's cross-thread queue; a session resumed in that window
// legitimately receives it live.
class OfflineQueueTest : public ServerTest {
    void configure(ServerProcess& s) override { s.set_worker_threads(1); }
};

TEST_F(OfflineQueueTest, PersistentSubscriberGetsEveryQoS1And2MessageSentWhileOffline) {
    for (auto version : {ProtocolVersion::V311, ProtocolVersion::V5}) {
        mqtt::Properties expiry;
        if (version == ProtocolVersion::V5) expiry.session_expiry_interval = 3600;
        {
            TestClient sub(port(), version);
            EXPECT_FALSE(sub.connect_ok("offline-sub", false, expiry).session_present);
            sub.subscribe("off/#", QoS::ExactlyOnce);
            disconnect_and_wait(sub);
        }
        TestClient pub(port());
        pub.connect_ok("offline-pub");
        const int kMessages = 100;
        for (int i = 0; i < kMessages; ++i) {
            pub.publish("off/t", std::to_string(i), i % 2 ? QoS::ExactlyOnce : QoS::AtLeastOnce);
        }
        pub.publish("off/t", "qos0-not-kept", QoS::AtMostOnce);
        // Its PUBACK means the QoS 0 message before it was routed (to the offline session).
        pub.publish("elsewhere", "barrier", QoS::AtLeastOnce);
        TestClient sub(port(), version);
        // [MQTT-3.2.2-2]: session present when the session is resumed.
        EXPECT_TRUE(sub.connect_ok("offline-sub", false, expiry).session_present);
        auto got = sub.receive_messages(kMessages);
        for (int i = 0; i < kMessages; ++i) {
            EXPECT_EQ(got[i].payload, std::to_string(i));
            EXPECT_EQ(got[i].qos, i % 2 ? QoS::ExactlyOnce : QoS::AtLeastOnce);
        }
        EXPECT_EQ(sub.publishes_within(200ms), 0u);  // QoS 0 is not queued offline
        // Clean up for the next version: end the session.
        sub.disconnect();
        sub.wait_closed();
        TestClient cleaner(port(), version);
        cleaner.connect_ok("offline-sub", true);
        disconnect_and_wait(cleaner);
    }
}

TEST_F(SessionTest, CleanSessionDiscardsTheOldSession_MQTT_3_1_2_6) {
    {
        TestClient sub(port());
        sub.connect_ok("clean", false);
        sub.subscribe("c", QoS::AtLeastOnce);
        disconnect_and_wait(sub);
    }
    TestClient sub(port());
    EXPECT_FALSE(sub.connect_ok("clean", true).session_present);
    TestClient pub(port());
    pub.connect_ok("clean-pub");
    pub.publish("c", "x", QoS::AtLeastOnce);
    EXPECT_TRUE(sub.quiet_for(200ms));  // the subscription went with the session
}

TEST_F(SessionTest, UnacknowledgedPublishIsResentWithDupOnReconnect_MQTT_4_4_0_1) {
    {
        TestClient sub(port());
        sub.connect_ok("resend", false);
        sub.subscribe("r", QoS::AtLeastOnce);
        TestClient pub(port());
        pub.connect_ok("resend-pub");
        pub.publish("r", "once", QoS::AtLeastOnce);
        auto first = sub.receive_messages(1, 5s, /*ack=*/false);
        EXPECT_FALSE(first[0].dup);
        sub.close();  // network drop, no PUBACK
    }
    TestClient sub(port());
    // The server may still be closing the old connection: a takeover is fine too.
    EXPECT_TRUE(sub.connect_ok("resend", false).session_present);
    auto again = sub.receive_messages(1);
    EXPECT_EQ(again[0].payload, "once");
    EXPECT_TRUE(again[0].dup);  // [MQTT-3.3.1-1]
}

TEST_F(SessionTest, PubrelIsResentOnReconnect_MQTT_4_4_0_1) {
    std::uint16_t id = 0;
    {
        TestClient sub(port());
        sub.connect_ok("rel", false);
        sub.subscribe("r2", QoS::ExactlyOnce);
        TestClient pub(port());
        pub.connect_ok("rel-pub");
        pub.publish("r2", "m", QoS::ExactlyOnce);
        auto publish = sub.expect<mqtt::Publish>();
        id = publish.packet_id;
        sub.send(mqtt::PubRec{id, ReasonCode::Success, {}});
        auto rel = sub.expect<mqtt::PubRel>();
        EXPECT_EQ(rel.packet_id, id);
        sub.close();
    }
    TestClient sub(port());
    EXPECT_TRUE(sub.connect_ok("rel", false).session_present);
    auto rel = sub.expect<mqtt::PubRel>();
    EXPECT_EQ(rel.packet_id, id);
    sub.send(mqtt::PubComp{id, ReasonCode::Success, {}});
    EXPECT_TRUE(sub.quiet_for(200ms));  // the message itself is not sent again
}

TEST_F(SessionTest, QoS2FromClientIsDeliveredExactlyOnce_MQTT_4_3_3_9) {
    TestClient sub(port()), pub(port());
    sub.connect_ok("eo-sub");
    pub.connect_ok("eo-pub");
    sub.subscribe("eo", QoS::ExactlyOnce);
    mqtt::Publish p;
    p.topic = "eo";
    p.payload = "only-once";
    p.qos = QoS::ExactlyOnce;
    p.packet_id = 7;
    pub.send(p);
    EXPECT_EQ(pub.expect<mqtt::PubRec>().packet_id, 7);
    p.dup = true;  // the client did not see the PUBREC and resends
    pub.send(p);
    EXPECT_EQ(pub.expect<mqtt::PubRec>().packet_id, 7);
    pub.send(mqtt::PubRel{7, ReasonCode::Success, {}});
    EXPECT_EQ(pub.expect<mqtt::PubComp>().packet_id, 7);
    pub.publish("eo", "marker", QoS::AtLeastOnce);
    auto got = sub.receive_messages(2);
    EXPECT_EQ(got[0].payload, "only-once");
    EXPECT_EQ(got[1].payload, "marker");
}

TEST_F(SessionTest, ClientReceiveMaximumLimitsInflightMessages_MQTT_3_3_4_9) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port());
    mqtt::Properties props;
    props.receive_maximum = 2;
    sub.connect_ok("rm-sub", true, props);
    pub.connect_ok("rm-pub");
    sub.subscribe("rm", QoS::AtLeastOnce);
    for (int i = 0; i < 5; ++i)
        pub.publish("rm", std::to_string(i), QoS::AtLeastOnce);
    auto first = sub.receive_messages(2, 5s, /*ack=*/false);
    EXPECT_TRUE(sub.quiet_for(300ms));  // window full
    sub.send(mqtt::PubAck{first[0].packet_id, ReasonCode::Success, {}});
    auto next = sub.receive_messages(1, 5s, false);
    EXPECT_EQ(next[0].payload, "2");
}

TEST_F(SessionTest, V5ExceedingOurReceiveMaximumIsDisconnected_MQTT_3_3_4_9) {
    TestClient pub(port(), ProtocolVersion::V5);
    pub.connect_ok("greedy");
    for (std::uint16_t id = 1; id <= 11; ++id) {
        mqtt::Publish p;
        p.topic = "g";
        p.qos = QoS::ExactlyOnce;
        p.packet_id = id;
        pub.send(p);
    }
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(pub.wait_closed(5s, &before));
    ASSERT_FALSE(before.empty());
    auto* d = before.back()->get<mqtt::Disconnect>();
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->reason_code, ReasonCode::ReceiveMaximumExceeded);
}

TEST_F(SessionTest, V5SessionExpiryZeroEndsSessionAtDisconnect_MQTT_3_1_2_23) {
    {
        TestClient c(port(), ProtocolVersion::V5);
        c.connect_ok("exp0", false);  // no Session Expiry Interval: 0
        c.subscribe("x", QoS::AtLeastOnce);
        disconnect_and_wait(c);
    }
    TestClient c(port(), ProtocolVersion::V5);
    EXPECT_FALSE(c.connect_ok("exp0", false).session_present);
}

TEST_F(SessionTest, V5DisconnectCanEndSessionWithExpiryZero) {
    mqtt::Properties long_expiry;
    long_expiry.session_expiry_interval = 3600;
    {
        TestClient c(port(), ProtocolVersion::V5);
        c.connect_ok("exp-change", false, long_expiry);
        mqtt::Properties zero;
        zero.session_expiry_interval = 0;
        c.disconnect(ReasonCode::NormalDisconnection, zero);
        c.wait_closed();
    }
    TestClient c(port(), ProtocolVersion::V5);
    EXPECT_FALSE(c.connect_ok("exp-change", false, long_expiry).session_present);
}

TEST_F(SessionTest, V5DisconnectSettingExpiryAfterZeroIsProtocolError_MQTT_3_14_2_2) {
    TestClient c(port(), ProtocolVersion::V5);
    c.connect_ok("exp-bad", true);
    mqtt::Properties props;
    props.session_expiry_interval = 60;
    c.disconnect(ReasonCode::NormalDisconnection, props);
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(c.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
    EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::ProtocolError);
}

class QueueLimitTest : public ServerTest {
    // One worker: with two, a PUBACK can reach the publisher before the subscriber's worker
    // has queued the message, and a quick reconnect would then receive the rest live.
    void configure(ServerProcess& s) override {
        s.add_config("max_in_mem_pending_messages: 5");
        s.set_worker_threads(1);
    }
};

TEST_F(QueueLimitTest, OfflineQueueIsBoundedAndKeepsTheOldest) {
    {
        TestClient sub(port());
        sub.connect_ok("bounded", false);
        sub.subscribe("b", QoS::AtLeastOnce);
        disconnect_and_wait(sub);
    }
    TestClient pub(port());
    pub.connect_ok("bounded-pub");
    for (int i = 0; i < 10; ++i)
        pub.publish("b", std::to_string(i), QoS::AtLeastOnce);
    TestClient sub(port());
    EXPECT_TRUE(sub.connect_ok("bounded", false).session_present);
    auto got = sub.receive_messages(5);
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(got[i].payload, std::to_string(i));
    EXPECT_TRUE(sub.quiet_for(300ms));
}

class V3ExpiryTest : public ServerTest {
    void configure(ServerProcess& s) override { s.add_config("v3_session_expiry_interval: 1"); }
};

TEST_F(V3ExpiryTest, PersistentV3SessionExpiresAfterConfiguredInterval) {
    {
        TestClient c(port());
        c.connect_ok("v3-expiring", false);
        c.subscribe("x", QoS::AtLeastOnce);
        disconnect_and_wait(c);
    }
    ASSERT_TRUE(server.wait_for_log("session of client v3-expiring expired"));
    TestClient c(port());
    EXPECT_FALSE(c.connect_ok("v3-expiring", false).session_present);
}

class InflightTimeoutTest : public ServerTest {
    void configure(ServerProcess& s) override { s.add_config("inflight_timeout: 1"); }
};

TEST_F(InflightTimeoutTest, V3UnacknowledgedMessageIsResentAfterInflightTimeout) {
    TestClient sub(port()), pub(port());
    sub.connect_ok("slow-acker");
    pub.connect_ok("p");
    sub.subscribe("it", QoS::AtLeastOnce);
    pub.publish("it", "m", QoS::AtLeastOnce);
    auto first = sub.receive_messages(1, 5s, false);
    auto again = sub.receive_messages(1, 10s, false);
    EXPECT_TRUE(again[0].dup);
    EXPECT_EQ(again[0].packet_id, first[0].packet_id);
}

}  // namespace
}  // namespace akasa::testing
