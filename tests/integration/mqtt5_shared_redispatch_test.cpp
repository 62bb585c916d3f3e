// Shared subscriptions when a member goes away (spec 4.8.2): its QoS 1 messages left
// unacknowledged and the messages queued for it go to another online member of the group;
// a QoS 2 PUBLISH already sent stays with that member [MQTT-4.8.2-4][MQTT-4.8.2-5]; a
// message the member refused is discarded, never resent elsewhere [MQTT-4.8.2-6].
// Two worker threads (the default): the members may live on different workers.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;

class SharedRedispatchTest : public ServerTest {
  protected:
    static std::set<std::string> payloads(const std::vector<ReceivedMessage>& messages) {
        std::set<std::string> result;
        for (const auto& m : messages)
            result.insert(m.payload);
        return result;
    }
    static std::set<std::string> numbered(int count) {
        std::set<std::string> result;
        for (int i = 0; i < count; ++i)
            result.insert(std::to_string(i));
        return result;
    }
};

// QoS 1: the member's connection breaks with two PUBLISH packets unacknowledged (its
// Receive Maximum) and the rest queued; the server may hand them to another member as soon
// as the connection is lost (spec 4.8.2, QoS 1), and does.
TEST_F(SharedRedispatchTest, UnackedQos1GoesToAnotherMemberWhenConnectionBreaks_MQTT_4_8_2) {
    TestClient a(port(), ProtocolVersion::V5), b(port(), ProtocolVersion::V5),
        pub(port(), ProtocolVersion::V5);
    mqtt::Properties small_window;
    small_window.receive_maximum = 2;
    a.connect_ok("shared-a", true, small_window);
    a.subscribe("$share/g/jobs", QoS::AtLeastOnce);
    pub.connect_ok("shared-pub");
    constexpr int kMessages = 6;
    for (int i = 0; i < kMessages; ++i)
        pub.publish("jobs", std::to_string(i), QoS::AtLeastOnce);
    // A is the only member: it gets its window's worth and acknowledges nothing.
    const auto sent_to_a = a.receive_messages(2, 5s, /*ack=*/false);
    EXPECT_EQ(sent_to_a.size(), 2u);

    b.connect_ok("shared-b");
    b.subscribe("$share/g/jobs", QoS::AtLeastOnce);
    a.close();  // no DISCONNECT: the connection is lost
    const auto got = b.receive_messages(kMessages);
    EXPECT_EQ(payloads(got), numbered(kMessages));
    for (const auto& m : got)
        EXPECT_EQ(m.topic, "jobs");
    EXPECT_EQ(b.publishes_within(300ms), 0u);  // each once
}

// A normal DISCONNECT of a session that ends with it: same, and the session's end is when
// the spec says the server SHOULD send them to another member.
TEST_F(SharedRedispatchTest, CleanDisconnectHandsQueueToAnotherMember_MQTT_4_8_2) {
    TestClient a(port(), ProtocolVersion::V5), b(port(), ProtocolVersion::V5),
        pub(port(), ProtocolVersion::V5);
    a.connect_ok("clean-a");
    a.subscribe("$share/g/work", QoS::AtLeastOnce);
    pub.connect_ok("clean-pub");
    constexpr int kMessages = 4;
    for (int i = 0; i < kMessages; ++i)
        pub.publish("work", std::to_string(i), QoS::AtLeastOnce);
    EXPECT_EQ(a.receive_messages(kMessages, 5s, /*ack=*/false).size(),
              static_cast<std::size_t>(kMessages));
    b.connect_ok("clean-b");
    b.subscribe("$share/g/work", QoS::AtLeastOnce);
    a.disconnect();
    EXPECT_EQ(payloads(b.receive_messages(kMessages)), numbered(kMessages));
}

// QoS 2: the PUBLISH already sent to A stays with A's session and is sent again when A
// comes back [MQTT-4.8.2-4]; the QoS 2 message still queued for A (not sent) moves to B.
TEST_F(SharedRedispatchTest, SentQos2StaysAndIsResentOnReconnect_MQTT_4_8_2_4) {
    mqtt::Properties persistent;
    persistent.session_expiry_interval = 600;
    mqtt::Properties persistent_window = persistent;
    persistent_window.receive_maximum = 1;
    TestClient b(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    {
        TestClient a(port(), ProtocolVersion::V5);
        a.connect_ok("q2-a", true, persistent_window);
        a.subscribe("$share/g2/exact", QoS::ExactlyOnce);
        pub.connect_ok("q2-pub");
        pub.publish("exact", "sent", QoS::ExactlyOnce);
        pub.publish("exact", "queued", QoS::ExactlyOnce);
        const auto first = a.receive_messages(1, 5s, /*ack=*/false);  // no PUBREC
        ASSERT_EQ(first.size(), 1u);
        EXPECT_EQ(first[0].payload, "sent");
        b.connect_ok("q2-b");
        b.subscribe("$share/g2/exact", QoS::ExactlyOnce);
        a.close();
    }
    ASSERT_TRUE(server.wait_for_log("client q2-a disconnected"));
    const auto moved = b.receive_messages(1);
    EXPECT_EQ(moved[0].payload, "queued");
    // Not the one already sent to A [MQTT-4.8.2-4].
    EXPECT_EQ(b.publishes_within(300ms), 0u);

    TestClient a_again(port(), ProtocolVersion::V5);
    const auto connack = a_again.connect_ok("q2-a", false, persistent_window);
    EXPECT_TRUE(connack.session_present);
    const auto resent = a_again.receive_messages(1);
    EXPECT_EQ(resent[0].payload, "sent");
    EXPECT_EQ(resent[0].qos, QoS::ExactlyOnce);
    EXPECT_TRUE(resent[0].dup);
    a_again.disconnect();
}

// QoS 2 sent to a member whose session then ends (expiry 0: with the connection): the
// message must not go to another member [MQTT-4.8.2-5].
TEST_F(SharedRedispatchTest, SentQos2NotGivenToOthersWhenSessionEnds_MQTT_4_8_2_5) {
    TestClient b(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    {
        TestClient a(port(), ProtocolVersion::V5);
        a.connect_ok("q2end-a");
        a.subscribe("$share/g5/exact", QoS::ExactlyOnce);
        pub.connect_ok("q2end-pub");
        pub.publish("exact", "only-a", QoS::ExactlyOnce);
        ASSERT_EQ(a.receive_messages(1, 5s, /*ack=*/false).size(), 1u);
        b.connect_ok("q2end-b");
        b.subscribe("$share/g5/exact", QoS::ExactlyOnce);
        a.close();
    }
    ASSERT_TRUE(server.wait_for_log("client q2end-a disconnected"));
    EXPECT_EQ(b.publishes_within(500ms), 0u);
    // B still gets new messages of the group: the quiet above was not a dead subscription.
    pub.publish("exact", "next", QoS::ExactlyOnce);
    EXPECT_EQ(b.receive_messages(1)[0].payload, "next");
}

// A message the member refused with a PUBACK reason code >= 0x80 is discarded, not sent to
// another member [MQTT-4.8.2-6]; only the one left unacknowledged moves.
TEST_F(SharedRedispatchTest, RefusedMessageIsNotResentElsewhere_MQTT_4_8_2_6) {
    TestClient a(port(), ProtocolVersion::V5), b(port(), ProtocolVersion::V5),
        pub(port(), ProtocolVersion::V5);
    a.connect_ok("refuse-a");
    a.subscribe("$share/g6/t", QoS::AtLeastOnce);
    pub.connect_ok("refuse-pub");
    pub.publish("t", "refused", QoS::AtLeastOnce);
    pub.publish("t", "unacked", QoS::AtLeastOnce);
    const auto got = a.receive_messages(2, 5s, /*ack=*/false);
    ASSERT_EQ(got.size(), 2u);
    ASSERT_EQ(got[0].payload, "refused");
    a.send(mqtt::PubAck{got[0].packet_id, mqtt::ReasonCode::UnspecifiedError, {}});
    b.connect_ok("refuse-b");
    b.subscribe("$share/g6/t", QoS::AtLeastOnce);
    a.close();
    const auto moved = b.receive_messages(1);
    EXPECT_EQ(moved[0].payload, "unacked");
    EXPECT_EQ(b.publishes_within(300ms), 0u);
}

// MQTT 3.1.1 members share too: the same hand-over.
TEST_F(SharedRedispatchTest, V311MembersHandOverUnackedQos1_MQTT_4_8_2) {
    TestClient a(port()), b(port()), pub(port());
    a.connect_ok("v3-redispatch-a");
    a.subscribe("$share/g3/v3", QoS::AtLeastOnce);
    pub.connect_ok("v3-redispatch-pub");
    constexpr int kMessages = 5;
    for (int i = 0; i < kMessages; ++i)
        pub.publish("v3", std::to_string(i), QoS::AtLeastOnce);
    EXPECT_EQ(a.receive_messages(kMessages, 5s, /*ack=*/false).size(),
              static_cast<std::size_t>(kMessages));
    b.connect_ok("v3-redispatch-b");
    b.subscribe("$share/g3/v3", QoS::AtLeastOnce);
    a.close();
    EXPECT_EQ(payloads(b.receive_messages(kMessages)), numbered(kMessages));
}

// No other member online: the messages stay with the member's session and are sent again
// when it comes back (the offline member B gets none of them).
TEST_F(SharedRedispatchTest, StayWithSessionWhenNoOtherMemberIsOnline_MQTT_4_8_2) {
    mqtt::Properties persistent;
    persistent.session_expiry_interval = 600;
    {
        TestClient b(port(), ProtocolVersion::V5);
        b.connect_ok("stay-b", true, persistent);
        b.subscribe("$share/g7/s", QoS::AtLeastOnce);
        b.disconnect();  // an offline member
    }
    // Offline for the server too (DISCONNECT is not answered): else B could take the message.
    ASSERT_TRUE(server.wait_for_log("client stay-b disconnected"));
    TestClient pub(port(), ProtocolVersion::V5);
    {
        TestClient a(port(), ProtocolVersion::V5);
        a.connect_ok("stay-a", true, persistent);
        a.subscribe("$share/g7/s", QoS::AtLeastOnce);
        pub.connect_ok("stay-pub");
        pub.publish("s", "kept", QoS::AtLeastOnce);
        ASSERT_EQ(a.receive_messages(1, 5s, /*ack=*/false).size(), 1u);
        a.close();
    }
    ASSERT_TRUE(server.wait_for_log("client stay-a disconnected"));
    TestClient a_again(port(), ProtocolVersion::V5);
    a_again.connect_ok("stay-a", false, persistent);
    const auto resent = a_again.receive_messages(1);
    EXPECT_EQ(resent[0].payload, "kept");
    EXPECT_TRUE(resent[0].dup);
    TestClient b_again(port(), ProtocolVersion::V5);
    b_again.connect_ok("stay-b", false, persistent);
    EXPECT_EQ(b_again.publishes_within(300ms), 0u);
}

// A new connection of the same client taking the session over resumes it at once: its
// unacknowledged messages are resent to it [MQTT-4.4.0-1], not handed to another member.
TEST_F(SharedRedispatchTest, TakeoverKeepsMessagesWithTheResumedSession_MQTT_4_8_2) {
    mqtt::Properties persistent;
    persistent.session_expiry_interval = 600;
    TestClient a(port(), ProtocolVersion::V5), b(port(), ProtocolVersion::V5),
        pub(port(), ProtocolVersion::V5);
    a.connect_ok("takeover-a", true, persistent);
    a.subscribe("$share/g8/t", QoS::AtLeastOnce);
    pub.connect_ok("takeover-pub");
    pub.publish("t", "mine", QoS::AtLeastOnce);
    ASSERT_EQ(a.receive_messages(1, 5s, /*ack=*/false).size(), 1u);
    b.connect_ok("takeover-b");
    b.subscribe("$share/g8/t", QoS::AtLeastOnce);
    TestClient a_new(port(), ProtocolVersion::V5);
    a_new.connect_ok("takeover-a", false, persistent);  // the old connection is closed
    const auto resent = a_new.receive_messages(1);
    EXPECT_EQ(resent[0].payload, "mine");
    EXPECT_TRUE(resent[0].dup);
    EXPECT_EQ(b.publishes_within(300ms), 0u);
}

}  // namespace
}  // namespace akasa::testing
