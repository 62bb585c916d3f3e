// Shared subscriptions and sessions that are offline (spec 4.8.2): a message goes to one
// online member of the group while there is one.
#include <gtest/gtest.h>

#include <string>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;

class SharedOnlineTest : public ServerTest {};

TEST_F(SharedOnlineTest, OfflineMemberGetsNothingWhileAnotherIsOnline_MQTT_4_8_2) {
    mqtt::Properties persistent;
    persistent.session_expiry_interval = 600;
    {
        TestClient away(port(), ProtocolVersion::V5);
        away.connect_ok("shared-away", true, persistent);
        away.subscribe("$share/g/jobs", QoS::AtLeastOnce);
        away.disconnect();  // its session (and membership) stays
    }
    // Offline for the server too (DISCONNECT is not answered): else it could take messages.
    ASSERT_TRUE(server.wait_for_log("client shared-away disconnected"));
    TestClient here(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    here.connect_ok("shared-here");
    here.subscribe("$share/g/jobs", QoS::AtLeastOnce);
    pub.connect_ok("shared-pub");
    constexpr int kMessages = 40;  // Random mode: without the rule, ~half would queue
    for (int i = 0; i < kMessages; ++i)
        pub.publish("jobs", std::to_string(i), QoS::AtLeastOnce);
    EXPECT_EQ(here.receive_messages(kMessages).size(), static_cast<std::size_t>(kMessages));
    TestClient back(port(), ProtocolVersion::V5);
    back.connect_ok("shared-away", false, persistent);
    EXPECT_EQ(back.publishes_within(300ms), 0u);
}

// A member that comes back to its stored session (without subscribing again) is online
// for its group again: the broker lists it at CONNECT, not only at SUBSCRIBE.
TEST_F(SharedOnlineTest, ResumedMemberIsOnlineWithoutSubscribingAgain_MQTT_4_8_2) {
    mqtt::Properties persistent;
    persistent.session_expiry_interval = 600;
    for (const char* id : {"resume-away", "resume-back"}) {
        TestClient member(port(), ProtocolVersion::V5);
        member.connect_ok(id, true, persistent);
        member.subscribe("$share/r/jobs", QoS::AtLeastOnce);
        member.disconnect();
        ASSERT_TRUE(server.wait_for_log(std::string("client ") + id + " disconnected"));
    }
    TestClient back(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    back.connect_ok("resume-back", false, persistent);
    pub.connect_ok("resume-pub");
    constexpr int kMessages = 40;  // were it not listed, about half would queue for the other
    for (int i = 0; i < kMessages; ++i)
        pub.publish("jobs", std::to_string(i), QoS::AtLeastOnce);
    EXPECT_EQ(back.receive_messages(kMessages).size(), static_cast<std::size_t>(kMessages));
    TestClient away(port(), ProtocolVersion::V5);
    away.connect_ok("resume-away", false, persistent);
    EXPECT_EQ(away.publishes_within(300ms), 0u);
}

TEST_F(SharedOnlineTest, V311ClientsCanShare) {
    TestClient a(port()), b(port()), pub(port());
    a.connect_ok("v3-share-a");
    b.connect_ok("v3-share-b");
    // QoS 0: no inflight window, so publishes_within can count without acknowledging.
    a.subscribe("$share/g3/t", QoS::AtMostOnce);
    b.subscribe("$share/g3/t", QoS::AtMostOnce);
    pub.connect_ok("v3-share-pub");
    constexpr int kMessages = 20;
    for (int i = 0; i < kMessages; ++i)
        pub.publish("t", std::to_string(i), QoS::AtLeastOnce);
    // Each message exactly once across the group.
    const std::size_t got_a = a.publishes_within(500ms);
    const std::size_t got_b = b.publishes_within(300ms);
    EXPECT_EQ(got_a + got_b, static_cast<std::size_t>(kMessages));
}

}  // namespace
}  // namespace akasa::testing
