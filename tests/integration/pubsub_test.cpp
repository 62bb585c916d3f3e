// PUBLISH / SUBSCRIBE routing: QoS 0/1/2 in both directions, QoS downgrade, overlapping
// subscriptions, wildcards and $-topics, UNSUBSCRIBE, across worker threads.
#include <gtest/gtest.h>

#include <set>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

class PubSubTest : public ServerTest {};

TEST_F(PubSubTest, DeliversEachQoSBothDirections) {
    for (auto version : {ProtocolVersion::V311, ProtocolVersion::V5}) {
        TestClient sub(port(), version), pub(port(), version);
        sub.connect_ok("sub");
        pub.connect_ok("pub");
        EXPECT_EQ(sub.subscribe("q/+", QoS::ExactlyOnce), std::vector<std::uint8_t>{2});
        pub.publish("q/0", "zero", QoS::AtMostOnce);
        pub.publish("q/1", "one", QoS::AtLeastOnce);
        pub.publish("q/2", "two", QoS::ExactlyOnce);
        auto got = sub.receive_messages(3);
        // Per-topic order is kept; across topics from one publisher too (one connection).
        EXPECT_EQ(got[0].payload, "zero");
        EXPECT_EQ(got[0].qos, QoS::AtMostOnce);
        EXPECT_EQ(got[1].payload, "one");
        EXPECT_EQ(got[1].qos, QoS::AtLeastOnce);
        EXPECT_EQ(got[2].payload, "two");
        EXPECT_EQ(got[2].qos, QoS::ExactlyOnce);
    }
}

TEST_F(PubSubTest, DeliveryQoSIsTheLowerOfPublishAndGranted_MQTT_3_8_4_8) {
    TestClient sub(port()), pub(port());
    sub.connect_ok("sub");
    pub.connect_ok("pub");
    sub.subscribe("d", QoS::AtLeastOnce);
    pub.publish("d", "x", QoS::ExactlyOnce);
    auto got = sub.receive_messages(1);
    EXPECT_EQ(got[0].qos, QoS::AtLeastOnce);
}

TEST_F(PubSubTest, OverlappingSubscriptionsDeliverOnceAtHighestQoS_MQTT_3_3_4_2) {
    TestClient sub(port()), pub(port());
    sub.connect_ok("sub");
    pub.connect_ok("pub");
    sub.subscribe("o/#", QoS::AtMostOnce);
    sub.subscribe("o/+", QoS::AtLeastOnce);
    pub.publish("o/x", "m", QoS::ExactlyOnce);
    auto got = sub.receive_messages(1);
    EXPECT_EQ(got[0].qos, QoS::AtLeastOnce);
    EXPECT_TRUE(sub.quiet_for(200ms));
}

TEST_F(PubSubTest, WildcardDoesNotMatchDollarTopics_MQTT_4_7_2_1) {
    TestClient sub(port()), pub(port());
    sub.connect_ok("sub");
    pub.connect_ok("pub");
    sub.subscribe("#", QoS::AtLeastOnce);
    pub.publish("$SYS/x", "hidden", QoS::AtLeastOnce);
    pub.publish("visible", "shown", QoS::AtLeastOnce);
    auto got = sub.receive_messages(1);
    EXPECT_EQ(got[0].topic, "visible");
}

TEST_F(PubSubTest, InvalidFilterIsRefusedInSuback_MQTT_3_8_4_4) {
    TestClient v3(port());
    v3.connect_ok("v3");
    EXPECT_EQ(v3.subscribe("a/#/b", QoS::AtMostOnce), std::vector<std::uint8_t>{0x80});
    TestClient v5(port(), ProtocolVersion::V5);
    v5.connect_ok("v5");
    EXPECT_EQ(v5.subscribe("a+", QoS::AtMostOnce), std::vector<std::uint8_t>{0x8F});
}

TEST_F(PubSubTest, UnsubscribeStopsDelivery_MQTT_3_10_4_1) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port());
    sub.connect_ok("sub");
    pub.connect_ok("pub");
    sub.subscribe("u", QoS::AtLeastOnce);
    mqtt::Unsubscribe unsubscribe;
    unsubscribe.packet_id = sub.next_packet_id();
    unsubscribe.topic_filters = {"u", "never-subscribed"};
    sub.send(unsubscribe);
    auto unsuback = sub.expect<mqtt::Unsuback>();
    EXPECT_EQ(unsuback.reason_codes,
              (std::vector<std::uint8_t>{
                  0x00, static_cast<std::uint8_t>(ReasonCode::NoSubscriptionExisted)}));
    pub.publish("u", "gone", QoS::AtLeastOnce);
    pub.publish("sentinel", "s", QoS::AtLeastOnce);
    sub.subscribe("sentinel", QoS::AtLeastOnce);
    pub.publish("sentinel", "s2", QoS::AtLeastOnce);
    auto got = sub.receive_messages(1);
    EXPECT_EQ(got[0].payload, "s2");
}

TEST_F(PubSubTest, NoLocalIsHonoured_MQTT_3_8_3_3) {
    TestClient c(port(), ProtocolVersion::V5);
    c.connect_ok("self");
    mqtt::SubscriptionOptions options;
    options.no_local = true;
    c.subscribe("nl", QoS::AtLeastOnce, options);
    c.subscribe("other", QoS::AtLeastOnce);
    c.publish("nl", "mine", QoS::AtLeastOnce);
    c.publish("other", "marker", QoS::AtMostOnce);
    // The PUBACK of "nl" came first; the only delivery is the marker.
    auto got = c.receive_messages(1);
    EXPECT_EQ(got[0].topic, "other");
}

TEST_F(PubSubTest, ManySubscribersOnBothWorkersGetEveryMessageInOrder) {
    // Eight subscribers land on both worker threads (SO_REUSEPORT spreads them), so this
    // crosses threads through the worker inboxes.
    std::vector<std::unique_ptr<TestClient>> subs;
    for (int i = 0; i < 8; ++i) {
        subs.push_back(std::make_unique<TestClient>(
            port(), i % 2 ? ProtocolVersion::V5 : ProtocolVersion::V311));
        subs.back()->connect_ok("s" + std::to_string(i));
        subs.back()->subscribe("fan/#", QoS::ExactlyOnce);
    }
    TestClient pub(port());
    pub.connect_ok("fan-pub");
    const int kMessages = 50;
    for (int i = 0; i < kMessages; ++i) {
        pub.publish("fan/t", std::to_string(i), static_cast<QoS>(i % 3));
    }
    for (auto& sub : subs) {
        auto got = sub->receive_messages(kMessages);
        for (int i = 0; i < kMessages; ++i)
            EXPECT_EQ(got[i].payload, std::to_string(i));
    }
}

TEST_F(PubSubTest, SharedSubscriptionDeliversToOneMember_MQTT_4_8_2) {
    TestClient a(port(), ProtocolVersion::V5), b(port(), ProtocolVersion::V5), pub(port());
    a.connect_ok("a");
    b.connect_ok("b");
    pub.connect_ok("p");
    a.subscribe("$share/g/job", QoS::AtLeastOnce);
    b.subscribe("$share/g/job", QoS::AtLeastOnce);
    a.subscribe("done", QoS::AtLeastOnce);
    b.subscribe("done", QoS::AtLeastOnce);
    pub.publish("job", "j", QoS::AtLeastOnce);
    pub.publish("done", "d", QoS::AtLeastOnce);
    // Each member sees "done"; exactly one of them got the job first.
    auto got_a = a.receive_messages(1);
    int jobs = got_a[0].topic == "job" ? 1 : 0;
    if (jobs) a.receive_messages(1);
    auto got_b = b.receive_messages(1);
    if (got_b[0].topic == "job") {
        ++jobs;
        b.receive_messages(1);
    }
    EXPECT_EQ(jobs, 1);
}

TEST_F(PubSubTest, SubscriptionIdentifierIsSent_MQTT_3_3_4_3) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port());
    sub.connect_ok("sub");
    pub.connect_ok("pub");
    mqtt::Properties props;
    props.subscription_identifiers = {42};
    sub.subscribe("sid/#", QoS::AtLeastOnce, {}, props);
    pub.publish("sid/x", "m", QoS::AtLeastOnce);
    auto got = sub.receive_messages(1);
    EXPECT_EQ(got[0].properties.subscription_identifiers, std::vector<std::uint32_t>{42});
}

TEST_F(PubSubTest, OverlappingSubscriptionsWithIdentifiersGetOnePublishEach_MQTT_3_3_4_3) {
    // multiple_subscription_id_in_publish is false by default: one PUBLISH per subscription.
    TestClient sub(port(), ProtocolVersion::V5), pub(port());
    sub.connect_ok("sub");
    pub.connect_ok("pub");
    mqtt::Properties one, two;
    one.subscription_identifiers = {1};
    two.subscription_identifiers = {2};
    sub.subscribe("ids/+", QoS::AtLeastOnce, {}, one);
    sub.subscribe("ids/#", QoS::AtLeastOnce, {}, two);
    pub.publish("ids/x", "m", QoS::AtLeastOnce);
    auto got = sub.receive_messages(2);
    std::set<std::uint32_t> ids;
    for (const auto& m : got) {
        ASSERT_EQ(m.properties.subscription_identifiers.size(), 1u);
        ids.insert(m.properties.subscription_identifiers[0]);
    }
    EXPECT_EQ(ids, (std::set<std::uint32_t>{1, 2}));
}

class MultipleIdsTest : public ServerTest {
    void configure(ServerProcess& s) override {
        s.add_config("multiple_subscription_id_in_publish: true");
    }
};

TEST_F(MultipleIdsTest, OverlappingSubscriptionsShareOnePublishWithAllIdentifiers) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port());
    sub.connect_ok("sub");
    pub.connect_ok("pub");
    mqtt::Properties one, two;
    one.subscription_identifiers = {1};
    two.subscription_identifiers = {2};
    sub.subscribe("ids/+", QoS::AtLeastOnce, {}, one);
    sub.subscribe("ids/#", QoS::AtLeastOnce, {}, two);
    pub.publish("ids/x", "m", QoS::AtLeastOnce);
    auto got = sub.receive_messages(1);
    std::set<std::uint32_t> ids(got[0].properties.subscription_identifiers.begin(),
                                got[0].properties.subscription_identifiers.end());
    EXPECT_EQ(ids, (std::set<std::uint32_t>{1, 2}));
    EXPECT_EQ(sub.publishes_within(200ms), 0u);
}

class SharedListenerTest : public ServerTest {
    void configure(ServerProcess& s) override { s.set_reuse_port(false); }
};

TEST_F(SharedListenerTest, OneListeningSocketSharedByAllWorkersServesClients) {
    std::vector<std::unique_ptr<TestClient>> subs;
    for (int i = 0; i < 6; ++i) {
        subs.push_back(std::make_unique<TestClient>(port()));
        subs.back()->connect_ok("shared-" + std::to_string(i));
        subs.back()->subscribe("sl", QoS::AtLeastOnce);
    }
    TestClient pub(port());
    pub.connect_ok("shared-pub");
    pub.publish("sl", "hello", QoS::AtLeastOnce);
    for (auto& sub : subs)
        EXPECT_EQ(sub->receive_messages(1)[0].payload, "hello");
}

class MaxQoSTest : public ServerTest {
    void configure(ServerProcess& s) override { s.add_config("max_allowed_qos: 1"); }
};

TEST_F(MaxQoSTest, GrantedQoSIsCapped) {
    TestClient c(port());
    c.connect_ok("c");
    EXPECT_EQ(c.subscribe("t", QoS::ExactlyOnce), std::vector<std::uint8_t>{1});
}

TEST_F(MaxQoSTest, V5PublishAboveMaximumQoSIsDisconnected_MQTT_3_2_2_11) {
    TestClient c(port(), ProtocolVersion::V5);
    auto connack = c.connect_ok("c");
    ASSERT_TRUE(connack.properties.maximum_qos.has_value());
    EXPECT_EQ(*connack.properties.maximum_qos, 1);
    mqtt::Publish p;
    p.topic = "t";
    p.qos = QoS::ExactlyOnce;
    p.packet_id = 1;
    c.send(p);
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(c.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
    EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::QoSNotSupported);
}

}  // namespace
}  // namespace akasa::testing
