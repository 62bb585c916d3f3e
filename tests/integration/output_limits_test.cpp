// Large payloads leave from the message itself, not from a copy in each subscriber's output
// (ClientConnection::write_publish, referenced_payloads.h): interleaved with small messages,
// in every wire form (3.1.1, v5 shared form, v5 with a Subscription Identifier, v5 with
// outbound Topic Aliases), every message arrives whole and in order. And one larger than
// max_output_buffer_bytes still reaches a client that reads, as do the QoS 0 messages that
// arrive right behind it.
#include <gtest/gtest.h>

#include <future>
#include <string>
#include <vector>

#include "mqtt/encoder.h"
#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;

// A payload that differs in every byte position and from message to message.
std::string payload_for(int index, std::size_t size) {
    std::string out(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        out[i] = static_cast<char>('a' + (i * 7 + static_cast<std::size_t>(index)) % 26);
    return out;
}

constexpr std::size_t kLarge = 300 * 1000;  // beyond ClientConnection::kReferencedPayload

class OutputLimitsTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override { s.add_config("max_output_buffer_bytes: 65536"); }
};

void publish_mix(TestClient& pub, const std::string& topic, int count) {
    for (int i = 0; i < count; ++i)
        pub.publish(topic, payload_for(i, i % 2 == 0 ? kLarge : 10), QoS::AtLeastOnce);
}

void expect_mix(const std::vector<ReceivedMessage>& got, const std::string& topic) {
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_EQ(got[i].topic, topic) << i;
        const auto expected = payload_for(static_cast<int>(i), i % 2 == 0 ? kLarge : 10);
        EXPECT_TRUE(got[i].payload == expected) << "message " << i << " differs";
    }
}

TEST_F(OutputLimitsTest, LargeAndSmallMessagesArriveWholeInEveryWireForm) {
    constexpr int kCount = 12;
    for (auto version : {ProtocolVersion::V311, ProtocolVersion::V5}) {
        TestClient sub(port(), version), pub(port(), version);
        sub.connect_ok("sub");
        pub.connect_ok("pub");
        sub.subscribe("mix/#", QoS::AtLeastOnce);
        publish_mix(pub, "mix/a", kCount);
        expect_mix(sub.receive_messages(kCount, 30s), "mix/a");
    }
    // v5 with a Subscription Identifier: a form encoded per subscriber.
    TestClient sub(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    sub.connect_ok("sub-id");
    pub.connect_ok("pub-id");
    mqtt::Properties id;
    id.subscription_identifiers.push_back(7);
    sub.subscribe("ids/#", QoS::AtMostOnce, {}, id);
    publish_mix(pub, "ids/b", kCount);
    const auto got = sub.receive_messages(kCount, 30s);
    expect_mix(got, "ids/b");
    EXPECT_EQ(got[0].properties.subscription_identifiers, std::vector<std::uint32_t>{7});
}

TEST_F(OutputLimitsTest, TopicAliasedFormsCarryTheirPayloads) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    mqtt::Properties aliases;
    aliases.topic_alias_maximum = 10;
    sub.connect_ok("sub-alias", true, aliases);
    pub.connect_ok("pub-alias");
    sub.subscribe("alias/#", QoS::AtLeastOnce);
    constexpr int kCount = 8;
    publish_mix(pub, "alias/topic", kCount);
    const auto got = sub.receive_messages(kCount, 30s);
    for (std::size_t i = 0; i < got.size(); ++i) {
        const auto expected = payload_for(static_cast<int>(i), i % 2 == 0 ? kLarge : 10);
        EXPECT_TRUE(got[i].payload == expected) << "message " << i << " differs";
    }
    // From the second delivery of the topic on, the server used an alias.
    bool aliased = false;
    for (const auto& m : got)
        aliased = aliased || (m.topic.empty() && m.properties.topic_alias.has_value());
    EXPECT_TRUE(aliased);
}

// A client that reads gets a message whatever its size, the output limit notwithstanding
// (64 KiB here): 2 MB at QoS 0 and QoS 1.
TEST_F(OutputLimitsTest, AMessageLargerThanTheOutputLimitReachesAReader) {
    TestClient sub(port()), pub(port());
    sub.connect_ok("sub-big");
    pub.connect_ok("pub-big");
    sub.subscribe("big", QoS::AtLeastOnce);
    const std::string big = payload_for(3, 2'000'000);
    pub.publish("big", big, QoS::AtMostOnce);
    pub.publish("big", big, QoS::AtLeastOnce);
    const auto got = sub.receive_messages(2, 30s);
    EXPECT_TRUE(got[0].payload == big);
    EXPECT_TRUE(got[1].payload == big);
    EXPECT_EQ(got[1].qos, QoS::AtLeastOnce);
}

// QoS 0 messages that reach a subscriber in one pass of its worker (one read of their
// publisher, one batch from another worker) are written one after the other before the
// worker sends anything. A large one takes the output past max_output_buffer_bytes at once:
// the messages behind it must not be dropped as "output the client has not taken" before
// that output was even offered to the client, which reads. The publisher's stream is
// written so that the broker receives the end of the first large message together with the
// small ones behind it, however the threads are scheduled.
TEST_F(OutputLimitsTest, QoS0MessagesBehindALargeOneInOnePassReachAReader) {
    TestClient sub(port()), pub(port());
    sub.connect_ok("sub-burst");
    pub.connect_ok("pub-burst");
    sub.subscribe("burst", QoS::AtMostOnce);
    // Beyond the limit (64 KiB here), and few enough bytes for the sockets to take at once.
    constexpr std::size_t kBig = 100 * 1000;
    const std::vector<std::size_t> sizes{kBig, 10, 10, 10, kBig, 10};
    std::vector<std::uint8_t> stream;
    std::size_t first_end = 0;  // where the first message ends in the stream
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        const std::string payload = payload_for(static_cast<int>(i), sizes[i]);
        mqtt::Publish publish;
        publish.topic = "burst";
        publish.payload = payload;
        mqtt::encode(publish, ProtocolVersion::V311, stream);
        if (i == 0) first_end = stream.size();
    }
    // The subscriber reads while the messages arrive, as a client would.
    auto received =
        std::async(std::launch::async, [&] { return sub.receive_messages(sizes.size(), 30s); });
    // All but the last byte of the first message, then that byte and everything behind it in
    // one write: the broker gets the first message whole only together with the others.
    pub.send_raw(std::span(stream).first(first_end - 1));
    pub.send_raw(std::span(stream).subspan(first_end - 1));
    const auto got = received.get();
    ASSERT_EQ(got.size(), sizes.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
        EXPECT_TRUE(got[i].payload == payload_for(static_cast<int>(i), sizes[i]))
            << "message " << i << " differs";
    }
}

}  // namespace
}  // namespace akasa::testing
