// What the server sends a v5 client, within that client's limits: outbound topic aliases
// within its Topic Alias Maximum, its Maximum Packet Size for PUBLISH and other packets,
// reason strings on server-initiated DISCONNECT, and Message Expiry counted down.
#include <gtest/gtest.h>

#include <map>
#include <thread>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

class OutboundTest : public ServerTest {};

// Resolves topic aliases as a client must, failing on an alias it was never told.
class AliasTable {
  public:
    explicit AliasTable(std::uint16_t maximum) : maximum_(maximum) {}
    std::string resolve(const ReceivedMessage& m) {
        if (!m.properties.topic_alias) return m.topic;
        const auto alias = *m.properties.topic_alias;
        EXPECT_GE(alias, 1);
        EXPECT_LE(alias, maximum_) << "[MQTT-3.1.2-26] alias above the client's maximum";
        if (!m.topic.empty()) {
            table_[alias] = m.topic;
            return m.topic;
        }
        auto it = table_.find(alias);
        EXPECT_NE(it, table_.end()) << "alias " << alias << " used before it was set";
        return it == table_.end() ? std::string() : it->second;
    }

  private:
    std::uint16_t maximum_;
    std::map<std::uint16_t, std::string> table_;
};

TEST_F(OutboundTest, HotTopicGetsAnAliasAndLaterPublishesOmitTheTopic_MQTT_3_1_2_26) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    mqtt::Properties allow;
    allow.topic_alias_maximum = 2;
    sub.connect_ok("alias-sub", true, allow);
    pub.connect_ok("alias-pub");
    sub.subscribe("hot/#", QoS::AtLeastOnce);
    const std::string topic = "hot/sensors/building-7/floor-3/temperature";
    for (int i = 0; i < 5; ++i)
        pub.publish(topic, std::to_string(i), QoS::AtLeastOnce);
    auto got = sub.receive_messages(5);
    AliasTable table(2);
    int without_topic = 0;
    for (int i = 0; i < 5; ++i) {
        EXPECT_EQ(table.resolve(got[i]), topic);
        EXPECT_EQ(got[i].payload, std::to_string(i));
        if (got[i].topic.empty()) ++without_topic;
    }
    // The first delivery pays no alias (the topic may never come again); from the second
    // on the alias is set once and then saves the topic's bytes.
    EXPECT_FALSE(got[0].properties.topic_alias.has_value());
    EXPECT_TRUE(got[1].properties.topic_alias.has_value());
    EXPECT_EQ(without_topic, 3);
}

TEST_F(OutboundTest, ManyTopicsStayWithinTheClientsMaximum_MQTT_3_1_2_26) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    mqtt::Properties allow;
    allow.topic_alias_maximum = 3;
    sub.connect_ok("alias-many-sub", true, allow);
    pub.connect_ok("alias-many-pub");
    sub.subscribe("many/#", QoS::AtMostOnce);
    std::vector<std::string> sent;
    for (int round = 0; round < 6; ++round) {
        for (int t = 0; t < 7; ++t) {
            sent.push_back("many/topic-number-" + std::to_string((t * 3 + round) % 7));
            pub.publish(sent.back(), "x", QoS::AtLeastOnce);
        }
    }
    auto got = sub.receive_messages(sent.size());
    AliasTable table(3);
    for (std::size_t i = 0; i < sent.size(); ++i)
        EXPECT_EQ(table.resolve(got[i]), sent[i]) << "message " << i;
}

TEST_F(OutboundTest, NoAliasesWhenTheClientAllowsNone_MQTT_3_1_2_27) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    sub.connect_ok("no-alias-sub");
    pub.connect_ok("no-alias-pub");
    sub.subscribe("plain/#", QoS::AtMostOnce);
    for (int i = 0; i < 4; ++i)
        pub.publish("plain/a/long/topic/name", "x", QoS::AtLeastOnce);
    for (const auto& m : sub.receive_messages(4)) {
        EXPECT_EQ(m.topic, "plain/a/long/topic/name");
        EXPECT_FALSE(m.properties.topic_alias.has_value());
    }
}

TEST_F(OutboundTest, PublishTooLargeForTheClientIsSkipped_MQTT_3_1_2_25) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    mqtt::Properties limit;
    limit.maximum_packet_size = 128;
    sub.connect_ok("small-sub", true, limit);
    pub.connect_ok("big-pub");
    sub.subscribe("size/t", QoS::AtLeastOnce);
    pub.publish("size/t", std::string(500, 'b'), QoS::AtLeastOnce);  // never sent to sub
    pub.publish("size/t", "small", QoS::AtLeastOnce);
    // The small one arrives, first: the large one was treated as delivered, so it neither
    // blocks the inflight window nor comes later.
    EXPECT_EQ(sub.receive_publish().payload, "small");
    EXPECT_EQ(sub.publishes_within(300ms), 0u);
}

TEST_F(OutboundTest, ConnackReasonStringIsDroppedWhenTooLarge_MQTT_3_2_2_19) {
    TestClient roomy(port(), ProtocolVersion::V5);
    mqtt::Properties bad_method;
    bad_method.authentication_method = "NO-SUCH-METHOD";
    auto connack = roomy.connect("roomy", true, 60, bad_method);
    EXPECT_EQ(connack.reason_code, static_cast<std::uint8_t>(ReasonCode::BadAuthenticationMethod));
    EXPECT_TRUE(connack.properties.reason_string.has_value());

    TestClient tight(port(), ProtocolVersion::V5);
    auto tight_props = bad_method;
    tight_props.maximum_packet_size = 16;
    connack = tight.connect("tight", true, 60, tight_props);
    EXPECT_EQ(connack.reason_code, static_cast<std::uint8_t>(ReasonCode::BadAuthenticationMethod));
    EXPECT_FALSE(connack.properties.reason_string.has_value());
}

TEST_F(OutboundTest, ServerDisconnectHasAReasonStringThatFits_MQTT_3_14_2_3) {
    for (const std::uint32_t limit : {1000u, 16u}) {  // 16: the CONNACK fits, no reason
        TestClient client(port(), ProtocolVersion::V5);
        mqtt::Properties p;
        p.maximum_packet_size = limit;
        client.connect_ok("reason-" + std::to_string(limit), true, p);
        mqtt::Publish publish;  // alias 0 is never valid [MQTT-3.3.2-8]
        publish.topic = "t";
        publish.properties.topic_alias = 0;
        client.send(publish);
        std::vector<std::unique_ptr<Received>> before;
        ASSERT_TRUE(client.wait_closed(5s, &before));
        ASSERT_EQ(before.size(), 1u);
        const auto* d = before[0]->get<mqtt::Disconnect>();
        ASSERT_NE(d, nullptr);
        EXPECT_LE(before[0]->bytes.size(), limit);
        EXPECT_EQ(d->properties.reason_string.has_value(), limit == 1000u);
        if (d->properties.reason_string) {
            EXPECT_NE(d->properties.reason_string->find("Topic Alias"), std::string_view::npos);
        }
    }
}

TEST_F(OutboundTest, QueuedMessageIsForwardedWithItsRemainingExpiry_MQTT_3_3_2_6) {
    mqtt::Properties session;
    session.session_expiry_interval = 600;
    {
        TestClient sub(port(), ProtocolVersion::V5);
        sub.connect_ok("expiry-sub", true, session);
        sub.subscribe("exp/t", QoS::AtLeastOnce);
        sub.disconnect();
    }
    TestClient pub(port(), ProtocolVersion::V5);
    pub.connect_ok("expiry-pub");
    mqtt::Properties expiry;
    expiry.message_expiry_interval = 300;
    pub.publish("exp/t", "kept", QoS::AtLeastOnce, false, expiry);
    TestClient sub(port(), ProtocolVersion::V5);
    sub.connect_ok("expiry-sub", false, session);
    auto m = sub.receive_messages(1)[0];
    EXPECT_EQ(m.payload, "kept");
    ASSERT_TRUE(m.properties.message_expiry_interval.has_value());
    EXPECT_LE(*m.properties.message_expiry_interval, 300u);
    EXPECT_GT(*m.properties.message_expiry_interval, 0u);
}

TEST_F(OutboundTest, ExpiredMessagesAreNeverDelivered_MQTT_3_3_2_5) {
    mqtt::Properties session;
    session.session_expiry_interval = 600;
    {
        TestClient sub(port(), ProtocolVersion::V5);
        sub.connect_ok("expired-sub", true, session);
        sub.subscribe("gone/#", QoS::AtLeastOnce);
        sub.disconnect();
    }
    TestClient pub(port(), ProtocolVersion::V5);
    pub.connect_ok("expired-pub");
    mqtt::Properties one_second;
    one_second.message_expiry_interval = 1;
    pub.publish("gone/queued", "late", QoS::AtLeastOnce, false, one_second);
    pub.publish("gone/retained", "late", QoS::AtLeastOnce, true, one_second);
    // The condition is time itself: no event marks an expiry, so wait past it.
    std::this_thread::sleep_for(std::chrono::milliseconds(2100));
    pub.publish("gone/marker", "fresh", QoS::AtLeastOnce);
    TestClient sub(port(), ProtocolVersion::V5);
    sub.connect_ok("expired-sub", false, session);
    // Only the fresh message: the queued one expired, and so did the retained one.
    auto got = sub.receive_messages(1);
    EXPECT_EQ(got[0].topic, "gone/marker");
    EXPECT_EQ(sub.publishes_within(300ms), 0u);
    TestClient late(port(), ProtocolVersion::V5);
    late.connect_ok("expired-late");
    late.subscribe("gone/retained", QoS::AtLeastOnce);
    EXPECT_EQ(late.publishes_within(300ms), 0u);
}

TEST_F(OutboundTest, WillMessageExpiryCountsFromPublication) {
    // Spec 3.1.3.2.4: the will's Message Expiry Interval is sent as the Publication Expiry
    // Interval when the will is published, however long the connection lasted before.
    TestClient watcher(port(), ProtocolVersion::V5);
    watcher.connect_ok("will-watcher");
    watcher.subscribe("will/expiry", QoS::AtLeastOnce);
    TestClient dying(port(), ProtocolVersion::V5);
    mqtt::Will will;
    will.topic = "will/expiry";
    will.payload = "gone";
    will.qos = QoS::AtLeastOnce;
    will.properties.message_expiry_interval = 1;
    ASSERT_EQ(dying.connect("will-expiry", true, 60, {}, will).reason_code, 0);
    // Longer than the interval: counted from CONNECT, the will would have expired.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    dying.close();  // no DISCONNECT: the will is published
    auto got = watcher.receive_messages(1)[0];
    EXPECT_EQ(got.payload, "gone");
    ASSERT_TRUE(got.properties.message_expiry_interval.has_value());
    EXPECT_EQ(*got.properties.message_expiry_interval, 1u);
}

}  // namespace
}  // namespace akasa::testing
