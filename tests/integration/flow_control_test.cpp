// Bounded buffers: a stalled subscriber never slows the others; v5 topic aliases and will
// delay.
#include <gtest/gtest.h>

#include <sys/socket.h>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

class FlowControlTest : public ServerTest {};

// A stalled QoS 1 subscriber and a fast QoS 0 one share a topic flooded by one publisher.
void stalled_subscriber_does_not_slow_others(std::uint16_t port) {
    TestClient stalled(port), fast(port), pub(port);
    stalled.connect_ok("stalled");
    fast.connect_ok("fast");
    pub.connect_ok("pub");
    stalled.subscribe("flood", QoS::AtLeastOnce);  // never reads from here on
    fast.subscribe("flood", QoS::AtMostOnce);

    // 40 MiB through the server: far beyond the stalled client's output limit (1 MiB)
    // plus its queue and socket buffers. The fast subscriber reads each batch of 50
    // (500 KiB, below its own output limit, so none of its QoS 0 messages may be dropped).
    const int kBatches = 80, kBatch = 50;
    const std::string payload(10 * 1024, 'x');
    for (int batch = 0; batch < kBatches; ++batch) {
        for (int i = 0; i < kBatch; ++i)
            pub.publish("flood", payload, QoS::AtLeastOnce);
        ASSERT_EQ(fast.receive_messages(kBatch, 30s).size(), static_cast<std::size_t>(kBatch));
    }
    // The server is still responsive, and the stalled client still connected.
    pub.send(mqtt::Pingreq{});
    pub.expect<mqtt::Pingresp>();
}

TEST_F(FlowControlTest, StalledSubscriberDoesNotSlowOthers) {
    stalled_subscriber_does_not_slow_others(port());
}

// With one worker the publisher is paused for the congested subscriber (publisher_throttle.h)
// until that subscriber is found stalled and stops holding it.
class FlowControlOneWorkerTest : public ServerTest {
    void configure(ServerProcess& s) override { s.set_worker_threads(1); }
};

TEST_F(FlowControlOneWorkerTest, StalledSubscriberDoesNotSlowOthers) {
    stalled_subscriber_does_not_slow_others(port());
}

TEST_F(FlowControlTest, V5TopicAliasFromClientIsResolved_MQTT_3_3_2_12) {
    TestClient sub(port()), pub(port(), ProtocolVersion::V5);
    sub.connect_ok("sub");
    auto connack = pub.connect_ok("alias-pub");
    ASSERT_TRUE(connack.properties.topic_alias_maximum.has_value());
    sub.subscribe("alias/t", QoS::AtLeastOnce);
    mqtt::Properties set_alias;
    set_alias.topic_alias = 1;
    pub.publish("alias/t", "first", QoS::AtLeastOnce, false, set_alias);
    pub.publish("", "second", QoS::AtLeastOnce, false, set_alias);  // topic from the alias
    auto got = sub.receive_messages(2);
    EXPECT_EQ(got[0].topic, "alias/t");
    EXPECT_EQ(got[1].topic, "alias/t");
    EXPECT_EQ(got[1].payload, "second");
}

TEST_F(FlowControlTest, V5UnknownTopicAliasIsProtocolError_MQTT_3_3_4_7) {
    TestClient pub(port(), ProtocolVersion::V5);
    pub.connect_ok("bad-alias");
    mqtt::Publish p;
    p.properties.topic_alias = 5;
    p.payload = "x";
    pub.send(p);
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(pub.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
    EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::ProtocolError);
}

TEST_F(FlowControlTest, WillDelayIsCancelledByReconnect_MQTT_3_1_3_9) {
    TestClient watcher(port());
    watcher.connect_ok("watcher");
    watcher.subscribe("wd/#", QoS::AtLeastOnce);
    mqtt::Properties expiry;
    expiry.session_expiry_interval = 600;
    mqtt::Will will;
    will.topic = "wd/delayed";
    will.payload = "late";
    will.qos = QoS::AtLeastOnce;
    will.properties.will_delay_interval = 3;
    // A new connection cancels the will whether it resumes the session (Clean Start 0) or
    // ends it (Clean Start 1) [MQTT-3.1.2-8].
    for (const char* id : {"wd", "wd-clean"}) {
        TestClient c(port(), ProtocolVersion::V5);
        ASSERT_EQ(c.connect(id, false, 60, expiry, will).reason_code, 0);
        c.close();
        ASSERT_TRUE(server.wait_for_log(std::string("client ") + id + " disconnected"));
    }
    TestClient back(port(), ProtocolVersion::V5);
    EXPECT_TRUE(back.connect_ok("wd", false, expiry).session_present);
    TestClient clean(port(), ProtocolVersion::V5);
    EXPECT_FALSE(clean.connect_ok("wd-clean", true, expiry).session_present);
    // Past the delay (3 s, checked on a 1 s tick) nothing was published.
    EXPECT_EQ(watcher.publishes_within(5s), 0u);
}

TEST_F(FlowControlTest, WillDelayElapsesThenWillIsPublished) {
    TestClient watcher(port());
    watcher.connect_ok("watcher");
    watcher.subscribe("wd/#", QoS::AtLeastOnce);
    mqtt::Properties expiry;
    expiry.session_expiry_interval = 600;
    mqtt::Will will;
    will.topic = "wd/delayed";
    will.payload = "late";
    will.qos = QoS::AtLeastOnce;
    will.properties.will_delay_interval = 1;
    {
        TestClient c(port(), ProtocolVersion::V5);
        ASSERT_EQ(c.connect("wd2", false, 60, expiry, will).reason_code, 0);
        c.close();
    }
    EXPECT_EQ(watcher.receive_messages(1, 10s)[0].payload, "late");
}

}  // namespace
}  // namespace akasa::testing
