// MQTT 5 CONNACK: each capability the server announces is also enforced (spec 3.2.2.3).
// One fixture per configuration, each test checking the announcement and the behaviour.
#include <gtest/gtest.h>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

// The DISCONNECT the server sends before closing (fails the test if there is none).
mqtt::Disconnect server_disconnect(TestClient& client) {
    std::vector<std::unique_ptr<Received>> before;
    EXPECT_TRUE(client.wait_closed(5s, &before));
    for (const auto& r : before) {
        if (const auto* d = r->get<mqtt::Disconnect>()) {
            auto copy = *d;
            copy.properties = {};  // views into `before`
            return copy;
        }
    }
    ADD_FAILURE() << "no DISCONNECT before the close";
    return {};
}

std::uint8_t code(ReasonCode reason) {
    return static_cast<std::uint8_t>(reason);
}

class DefaultsTest : public ServerTest {};

TEST_F(DefaultsTest, DefaultConnackAnnouncesOnlyLimitsThatApply_MQTT_3_2_2_3) {
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack = client.connect_ok("defaults");
    const auto& p = connack.properties;
    // Absent means "available" / "no limit" for these [3.2.2.3.5, .11, .12, .13, .6].
    EXPECT_FALSE(p.retain_available.has_value());
    EXPECT_FALSE(p.wildcard_subscription_available.has_value());
    EXPECT_FALSE(p.subscription_identifier_available.has_value());
    EXPECT_FALSE(p.shared_subscription_available.has_value());
    EXPECT_FALSE(p.maximum_qos.has_value());
    EXPECT_FALSE(p.maximum_packet_size.has_value());
    ASSERT_TRUE(p.receive_maximum.has_value());  // max_inflight_server: 10
    EXPECT_EQ(*p.receive_maximum, 10);
    ASSERT_TRUE(p.topic_alias_maximum.has_value());  // topic_alias_max: 65535
    EXPECT_EQ(*p.topic_alias_maximum, 65535);
    // No Authentication Method without one in CONNECT [MQTT-4.12.0-6].
    EXPECT_FALSE(p.authentication_method.has_value());
}

class RetainOffTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override { s.add_config("retain_available: false"); }
};

TEST_F(RetainOffTest, AnnouncedAndRetainedPublishGets0x9A_MQTT_3_2_2_14) {
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack = client.connect_ok("retain-off");
    ASSERT_TRUE(connack.properties.retain_available.has_value());
    EXPECT_EQ(*connack.properties.retain_available, 0);
    mqtt::Publish publish;
    publish.topic = "r/t";
    publish.payload = "x";
    publish.retain = true;
    client.send(publish);
    EXPECT_EQ(server_disconnect(client).reason_code, ReasonCode::RetainNotSupported);
}

TEST_F(RetainOffTest, RetainedWillIsRefused_MQTT_3_2_2_13) {
    TestClient client(port(), ProtocolVersion::V5);
    mqtt::Will will;
    will.topic = "w/t";
    will.payload = "bye";
    will.retain = true;
    const auto connack = client.connect("retained-will", true, 60, {}, will);
    EXPECT_EQ(connack.reason_code, code(ReasonCode::RetainNotSupported));
    EXPECT_TRUE(client.wait_closed());
}

class WildcardOffTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override {
        s.add_config("wildcard_subscription_available: false");
    }
};

TEST_F(WildcardOffTest, AnnouncedAndWildcardFilterGets0xA2) {
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack = client.connect_ok("wildcard-off");
    ASSERT_TRUE(connack.properties.wildcard_subscription_available.has_value());
    EXPECT_EQ(*connack.properties.wildcard_subscription_available, 0);
    EXPECT_EQ(client.subscribe("a/+", QoS::AtMostOnce),
              std::vector<std::uint8_t>{code(ReasonCode::WildcardSubscriptionsNotSupported)});
    EXPECT_EQ(client.subscribe("a/#", QoS::AtMostOnce),
              std::vector<std::uint8_t>{code(ReasonCode::WildcardSubscriptionsNotSupported)});
    EXPECT_EQ(client.subscribe("a/b", QoS::AtLeastOnce), std::vector<std::uint8_t>{1});
}

// SUBSCRIBE "x/#" and returns the SUBACK's reason string (empty when there is none).
std::string refused_subscribe_reason(TestClient& client) {
    mqtt::Subscribe subscribe;
    subscribe.packet_id = client.next_packet_id();
    subscribe.topics.push_back({"x/#", {}});
    client.send(subscribe);
    const auto suback = client.expect<mqtt::Suback>();
    EXPECT_EQ(suback.reason_codes,
              std::vector<std::uint8_t>{code(ReasonCode::WildcardSubscriptionsNotSupported)});
    return std::string(suback.properties.reason_string.value_or(""));
}

TEST_F(WildcardOffTest, RefusalIsExplainedUnlessProblemInformationIsOff_MQTT_3_1_2_29) {
    TestClient client(port(), ProtocolVersion::V5);
    client.connect_ok("explained");
    EXPECT_NE(refused_subscribe_reason(client).find("wildcard_subscription_available"),
              std::string::npos);
    // Request Problem Information 0: no Reason String on a SUBACK [MQTT-3.1.2-29].
    TestClient quiet(port(), ProtocolVersion::V5);
    mqtt::Properties no_problems;
    no_problems.request_problem_information = 0;
    quiet.connect_ok("not-explained", true, no_problems);
    EXPECT_EQ(refused_subscribe_reason(quiet), "");
}

class SubscriptionIdsOffTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override { s.add_config("subscription_id_available: false"); }
};

TEST_F(SubscriptionIdsOffTest, AnnouncedAndSubscribeWithIdGets0xA1) {
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack = client.connect_ok("subid-off");
    ASSERT_TRUE(connack.properties.subscription_identifier_available.has_value());
    EXPECT_EQ(*connack.properties.subscription_identifier_available, 0);
    mqtt::Subscribe subscribe;
    subscribe.packet_id = 1;
    subscribe.topics.push_back({"s/t", {}});
    subscribe.properties.subscription_identifiers.push_back(7);
    client.send(subscribe);
    EXPECT_EQ(server_disconnect(client).reason_code,
              ReasonCode::SubscriptionIdentifiersNotSupported);
}

class SharedOffTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override {
        s.add_config("shared_subscription_available: false");
    }
};

TEST_F(SharedOffTest, AnnouncedAndSharedFilterGets0x9E) {
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack = client.connect_ok("shared-off");
    ASSERT_TRUE(connack.properties.shared_subscription_available.has_value());
    EXPECT_EQ(*connack.properties.shared_subscription_available, 0);
    EXPECT_EQ(client.subscribe("$share/g/t", QoS::AtMostOnce),
              std::vector<std::uint8_t>{code(ReasonCode::SharedSubscriptionsNotSupported)});
}

class MaxQoSZeroTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override { s.add_config("max_allowed_qos: 0"); }
};

TEST_F(MaxQoSZeroTest, AnnouncedAndWillAboveItIsRefused_MQTT_3_2_2_12) {
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack = client.connect_ok("qos0");
    ASSERT_TRUE(connack.properties.maximum_qos.has_value());
    EXPECT_EQ(*connack.properties.maximum_qos, 0);
    EXPECT_EQ(client.subscribe("q/t", QoS::ExactlyOnce), std::vector<std::uint8_t>{0});

    TestClient with_will(port(), ProtocolVersion::V5);
    mqtt::Will will;
    will.topic = "w/t";
    will.payload = "bye";
    will.qos = QoS::AtLeastOnce;
    EXPECT_EQ(with_will.connect("qos0-will", true, 60, {}, will).reason_code,
              code(ReasonCode::QoSNotSupported));
}

class LimitsTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override {
        s.add_config("max_packet_size_server: 1024");
        s.add_config("topic_alias_max: 4");
        s.add_config("max_inflight_server: 3");
    }
};

TEST_F(LimitsTest, MaximumPacketSizeAnnouncedAndEnforcedWith0x95_MQTT_3_2_2_15) {
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack = client.connect_ok("max-size");
    ASSERT_TRUE(connack.properties.maximum_packet_size.has_value());
    EXPECT_EQ(*connack.properties.maximum_packet_size, 1024u);
    client.publish("m/t", std::string(900, 'x'), QoS::AtLeastOnce);  // fits
    mqtt::Publish publish;
    publish.topic = "m/t";
    const std::string big(1100, 'x');
    publish.payload = big;
    client.send(publish);
    EXPECT_EQ(server_disconnect(client).reason_code, ReasonCode::PacketTooLarge);
}

TEST_F(LimitsTest, TopicAliasMaximumAnnouncedAndEnforcedWith0x94_MQTT_3_3_2_9) {
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack = client.connect_ok("alias-max");
    ASSERT_TRUE(connack.properties.topic_alias_maximum.has_value());
    EXPECT_EQ(*connack.properties.topic_alias_maximum, 4);
    mqtt::Properties alias;
    alias.topic_alias = 4;
    client.publish("a/t", "ok", QoS::AtLeastOnce, false, alias);  // within the maximum
    mqtt::Publish publish;
    publish.topic = "a/t";
    publish.payload = "x";
    publish.properties.topic_alias = 5;
    client.send(publish);
    EXPECT_EQ(server_disconnect(client).reason_code, ReasonCode::TopicAliasInvalid);
}

TEST_F(LimitsTest, ReceiveMaximumAnnouncedAndEnforcedWith0x93_MQTT_3_3_4_9) {
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack = client.connect_ok("recv-max");
    ASSERT_TRUE(connack.properties.receive_maximum.has_value());
    EXPECT_EQ(*connack.properties.receive_maximum, 3);
    // QoS 2 messages stay unacknowledged (for the Receive Maximum) until PUBCOMP: four
    // without PUBREL is one more than announced.
    for (std::uint16_t id = 1; id <= 4; ++id) {
        mqtt::Publish publish;
        publish.topic = "rm/t";
        publish.payload = "x";
        publish.qos = QoS::ExactlyOnce;
        publish.packet_id = id;
        client.send(publish);
        if (id <= 3) {
            EXPECT_EQ(client.expect<mqtt::PubRec>().packet_id, id);
        }
    }
    EXPECT_EQ(server_disconnect(client).reason_code, ReasonCode::ReceiveMaximumExceeded);
}

class KeepAliveTest5 : public ServerTest {
  protected:
    void configure(ServerProcess& s) override { s.add_config("max_keep_alive: 30"); }
};

TEST_F(KeepAliveTest5, ServerKeepAliveLowersLargeValues_MQTT_3_2_2_22) {
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack = client.connect("keep-alive", true, 600);
    ASSERT_EQ(connack.reason_code, 0);
    ASSERT_TRUE(connack.properties.server_keep_alive.has_value());
    EXPECT_EQ(*connack.properties.server_keep_alive, 30);
}

TEST_F(DefaultsTest, SessionExpiryIsCappedAndAnnounced) {
    // Covered for the default (no cap) here: the interval asked for is granted and echoed.
    TestClient client(port(), ProtocolVersion::V5);
    mqtt::Properties p;
    p.session_expiry_interval = 120;
    const auto connack = client.connect_ok("expiry", true, p);
    ASSERT_TRUE(connack.properties.session_expiry_interval.has_value());
    EXPECT_EQ(*connack.properties.session_expiry_interval, 120u);
}

}  // namespace
}  // namespace akasa::testing
