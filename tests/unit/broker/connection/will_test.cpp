// The will of a connection [MQTT-3.1.2-8..10]: published when the connection ends without
// a DISCONNECT (the client closed, the connection was reset), not after a normal one.
#include <gtest/gtest.h>

#include "harness/engine_harness.h"

namespace akasa::broker::harness {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

class EngineWill : public ::testing::Test {
  protected:
    void SetUp() override { broker.subscribe(watcher, "wills/#", QoS::AtLeastOnce); }

    // A client with a will on wills/<client id>.
    TestClient& connect_with_will(std::string_view client_id,
                                  ProtocolVersion version = ProtocolVersion::V311) {
        const std::string topic = "wills/" + std::string(client_id);
        auto connect = connect_packet(client_id, version);
        connect.will = will_of(topic, "gone", QoS::AtLeastOnce);
        return broker.connect(connect);  // encoded at once: the views may end with this call
    }

    // The wills the watcher received (their topics).
    std::vector<std::string> wills_seen() {
        std::vector<std::string> topics;
        for (const auto& packet : watcher.take()) {
            if (const auto* publish = packet.get<mqtt::Publish>()) {
                EXPECT_EQ(publish->payload, "gone");
                topics.emplace_back(publish->topic);
            }
        }
        return topics;
    }

    EngineHarness broker;
    TestClient& watcher = broker.connect(connect_packet("watcher"));
};

TEST_F(EngineWill, PublishedWhenTheClientClosesWithoutDisconnect) {
    TestClient& client = connect_with_will("dropper");
    broker.run();
    EXPECT_TRUE(wills_seen().empty());
    client.close();
    broker.run();
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(wills_seen(), std::vector<std::string>{"wills/dropper"});
}

TEST_F(EngineWill, PublishedWhenTheConnectionIsReset) {
    TestClient& client = connect_with_will("resetter");
    client.reset();
    broker.run();
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(wills_seen(), std::vector<std::string>{"wills/resetter"});
}

TEST_F(EngineWill, NotPublishedAfterDisconnect) {
    TestClient& client = connect_with_will("polite");
    client.send(mqtt::Disconnect{});
    broker.run();
    EXPECT_FALSE(client.connected());
    EXPECT_TRUE(wills_seen().empty());
}

TEST_F(EngineWill, V5DisconnectWithWillMessagePublishesIt) {
    TestClient& client = connect_with_will("asker", ProtocolVersion::V5);
    client.send(mqtt::Disconnect{ReasonCode::DisconnectWithWill, {}});  // 0x04
    broker.run();
    EXPECT_FALSE(client.connected());
    EXPECT_EQ(wills_seen(), std::vector<std::string>{"wills/asker"});
}

TEST_F(EngineWill, PublishedWhenTheConnectionIsTakenOver) {
    // The old connection ends without DISCONNECT; with no Will Delay its will goes out then.
    TestClient& first = connect_with_will("twin");
    TestClient& second = broker.add_client();
    second.send(connect_packet("twin"));
    broker.run();
    EXPECT_FALSE(first.connected());
    EXPECT_TRUE(second.connected());
    EXPECT_EQ(wills_seen(), std::vector<std::string>{"wills/twin"});
}

TEST_F(EngineWill, DelayedWillIsCancelledByANewConnectionBeforeTheDelay) {
    // [MQTT-3.1.2-8]: not published when a new connection for the client id comes before
    // the Will Delay Interval passed; published once it passed otherwise.
    auto connect = connect_packet("slow", ProtocolVersion::V5, true);
    connect.properties.session_expiry_interval = 300;
    connect.will = will_of("wills/slow", "gone", QoS::AtLeastOnce);
    connect.will->properties.will_delay_interval = 5;
    TestClient& first = broker.connect(connect);
    first.close();
    broker.run();
    EXPECT_TRUE(wills_seen().empty());  // waiting for its delay
    broker.connect(connect_packet("slow", ProtocolVersion::V5, false)).close();
    broker.advance(std::chrono::seconds(10));
    broker.run();
    // The second connection had no will: nothing after the delay either.
    EXPECT_TRUE(wills_seen().empty());

    TestClient& third = broker.connect(connect);
    third.close();
    broker.run();
    broker.advance(std::chrono::seconds(6));
    broker.run();
    EXPECT_EQ(wills_seen(), std::vector<std::string>{"wills/slow"});
}

}  // namespace
}  // namespace akasa::broker::harness
