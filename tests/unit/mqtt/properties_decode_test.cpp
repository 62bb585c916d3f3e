// v5 properties: allowed set per packet (table 2.2.2.2), duplicates, values, lengths.
#include <gtest/gtest.h>

#include "test_support.h"

namespace akasa::mqtt::testing {
namespace {

constexpr auto V5 = ProtocolVersion::V5;

// A QoS 0 PUBLISH to "t" with the given property bytes.
Bytes publish_with(const Bytes& property_bytes) {
    return frame(0x30, cat({str("t"), props(property_bytes), {'p'}}));
}
// A CONNECT with the given property bytes.
Bytes connect_with(const Bytes& property_bytes) {
    return frame(0x10, cat({str("MQTT"), {5, 0x02, 0, 60}, props(property_bytes), str("c")}));
}
// A CONNACK with the given property bytes.
Bytes connack_with(const Bytes& property_bytes) {
    return frame(0x20, cat({{0x00, 0x00}, props(property_bytes)}));
}
// A SUBSCRIBE of "a" with the given property bytes.
Bytes subscribe_with(const Bytes& property_bytes) {
    return frame(0x82, cat({{0x00, 0x01}, props(property_bytes), str("a"), {0x00}}));
}

TEST(Properties, AllMessagePropertiesInPublish) {
    const Bytes wire = publish_with({0x01, 0x01,                            // payload format
                                     0x02, 0,    0,    0x0E, 0x10,          // expiry 3600
                                     0x03, 0,    1,    'c',                 // content type
                                     0x08, 0,    1,    'r',                 // response topic
                                     0x09, 0,    2,    0x00, 0xFF,          // correlation data
                                     0x0B, 0x80, 0x01,                      // subscription id 128
                                     0x0B, 0x05,                            // and 5
                                     0x23, 0,    9,                         // topic alias
                                     0x26, 0,    1,    'k',  0,    1, 'v',  // user property
                                     0x26, 0,    1,    'k',  0,    1, 'w'});
    Packet packet;
    ASSERT_FALSE(decode(wire, V5, packet));
    const auto& p = std::get<Publish>(packet).properties;
    EXPECT_EQ(p.payload_format_indicator, 1);
    EXPECT_EQ(p.message_expiry_interval, 3600u);
    EXPECT_EQ(p.content_type, "c");
    EXPECT_EQ(p.response_topic, "r");
    EXPECT_EQ(p.correlation_data, std::string_view("\x00\xff", 2));
    EXPECT_EQ(p.subscription_identifiers, (std::vector<uint32_t>{128, 5}));
    EXPECT_EQ(p.topic_alias, 9);
    ASSERT_EQ(p.user_properties.size(), 2u);  // order kept [MQTT-3.3.2-18]
    EXPECT_EQ(p.user_properties[1].second, "w");
}

// 2.2.2.2: an identifier not valid for the packet type is a Malformed Packet.
TEST(Properties, PropertyNotAllowedInThePacketIsMalformed) {
    EXPECT_EQ(reject_reason(publish_with({0x11, 0, 0, 0, 1}), V5), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(connect_with({0x23, 0, 1}), V5), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(connack_with({0x17, 1}), V5), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(subscribe_with({0x1F, 0, 1, 'x'}), V5), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(frame(0xE0, cat({{0x00}, props({0x21, 0, 1})})), V5),
              ReasonCode::MalformedPacket);
}

TEST(Properties, UnknownIdentifierIsMalformed) {
    EXPECT_EQ(reject_reason(publish_with({0x04, 0}), V5), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(publish_with({0x7F, 0}), V5), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(publish_with({0x80, 0x01, 0}), V5), ReasonCode::MalformedPacket);
}

TEST(Properties, RepeatedSingleValuedPropertyIsAProtocolError) {
    EXPECT_EQ(reject_reason(publish_with({0x02, 0, 0, 0, 1, 0x02, 0, 0, 0, 2}), V5),
              ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connect_with({0x21, 0, 1, 0x21, 0, 1}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connect_with({0x15, 0, 1, 'a', 0x15, 0, 1, 'b'}), V5),
              ReasonCode::ProtocolError);
}

// Subscription Identifier may repeat only in PUBLISH.
TEST(Properties, SubscriptionIdentifierTwiceInSubscribeIsAProtocolError) {
    EXPECT_EQ(reject_reason(subscribe_with({0x0B, 1, 0x0B, 2}), V5), ReasonCode::ProtocolError);
}

// 3.8.2.1.2: a Subscription Identifier of 0 is a Protocol Error.
TEST(Properties, SubscriptionIdentifierZeroIsAProtocolError) {
    EXPECT_EQ(reject_reason(subscribe_with({0x0B, 0}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(publish_with({0x0B, 0}), V5), ReasonCode::ProtocolError);
}

TEST(Properties, SubscriptionIdentifierOfFiveBytesIsMalformed) {
    EXPECT_EQ(reject_reason(subscribe_with({0x0B, 0xFF, 0xFF, 0xFF, 0xFF, 0x01}), V5),
              ReasonCode::MalformedPacket);
}

TEST(Properties, LargestSubscriptionIdentifierIsAccepted) {
    Packet packet;
    const Bytes wire = subscribe_with({0x0B, 0xFF, 0xFF, 0xFF, 0x7F});
    ASSERT_FALSE(decode(wire, V5, packet));
    EXPECT_EQ(std::get<Subscribe>(packet).properties.subscription_identifiers,
              (std::vector<uint32_t>{268435455}));
}

// 3.1.2.11.3: Receive Maximum 0 is a Protocol Error; 3.1.2.11.4: Maximum Packet Size 0 too.
TEST(Properties, ZeroReceiveMaximumAndMaximumPacketSizeAreProtocolErrors) {
    EXPECT_EQ(reject_reason(connect_with({0x21, 0, 0}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connect_with({0x27, 0, 0, 0, 0}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connack_with({0x21, 0, 0}), V5), ReasonCode::ProtocolError);
}

// 3.3.2.3.4: Topic Alias 0 is refused with Topic Alias invalid [MQTT-3.3.2-8].
TEST(Properties, TopicAliasZeroIsTopicAliasInvalid_MQTT_3_3_2_8) {
    EXPECT_EQ(reject_reason(publish_with({0x23, 0, 0}), V5), ReasonCode::TopicAliasInvalid);
}

TEST(Properties, ByteFlagsAboveOneAreProtocolErrors) {
    EXPECT_EQ(reject_reason(publish_with({0x01, 2}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connect_with({0x17, 2}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connect_with({0x19, 2}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connack_with({0x24, 2}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connack_with({0x25, 2}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connack_with({0x28, 2}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connack_with({0x29, 2}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(connack_with({0x2A, 2}), V5), ReasonCode::ProtocolError);
}

TEST(Properties, AuthenticationDataWithoutMethodIsAProtocolError) {
    EXPECT_EQ(reject_reason(connect_with({0x16, 0, 1, 'd'}), V5), ReasonCode::ProtocolError);
}

TEST(Properties, ResponseTopicWithWildcardIsAProtocolError) {
    EXPECT_EQ(reject_reason(publish_with({0x08, 0, 1, '#'}), V5), ReasonCode::ProtocolError);
}

TEST(Properties, PropertyLengthOverrunningThePacketIsMalformed) {
    // Property length says 10, only 2 bytes follow.
    EXPECT_EQ(reject_reason(frame(0x30, cat({str("t"), {0x0A, 0x01, 0x01}})), V5),
              ReasonCode::MalformedPacket);
}

TEST(Properties, ValueOverrunningThePropertyLengthIsMalformed) {
    // The block is 3 bytes, but Message Expiry Interval needs 1 + 4.
    EXPECT_EQ(reject_reason(frame(0x30, cat({str("t"), {0x03, 0x02, 0, 0, 0, 1}})), V5),
              ReasonCode::MalformedPacket);
    // A string property whose length runs past the block.
    EXPECT_EQ(reject_reason(publish_with({0x03, 0, 5, 'a'}), V5), ReasonCode::MalformedPacket);
}

// [MQTT-1.5.4-1] strings in properties are UTF-8 too.
TEST(Properties, InvalidUtf8InAStringPropertyIsMalformed) {
    EXPECT_EQ(reject_reason(publish_with({0x03, 0, 1, 0xFF}), V5), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(publish_with({0x26, 0, 1, 'k', 0, 1, 0x00}), V5),
              ReasonCode::MalformedPacket);
}

TEST(Properties, BinaryDataNeedNotBeUtf8) {
    Packet packet;
    const Bytes wire = publish_with({0x09, 0, 2, 0xFF, 0x00});
    EXPECT_FALSE(decode(wire, V5, packet));
}

// --- User Property limits (DecodeLimits, the server's max_user_properties and
// max_user_property_bytes) ---

Bytes user_properties(int count, std::size_t value_size = 0) {
    Bytes out;
    const std::string value(value_size, 'v');
    for (int i = 0; i < count; ++i)
        out = cat({out, {0x26}, str("k"), str(value)});
    return out;
}

DecodeResult decode_limited(const Bytes& wire, const DecodeLimits& limits, Packet& packet) {
    const HeaderResult header = decode_fixed_header(wire);
    const auto body = std::span<const uint8_t>(wire).subspan(header.header.header_size);
    return decode_packet(header.header, body, V5, packet, limits);
}

TEST(Properties, UserPropertiesUpToTheLimitDecode) {
    Packet packet;
    EXPECT_FALSE(decode_limited(publish_with(user_properties(3)), {3, 100}, packet));
    EXPECT_EQ(std::get<Publish>(packet).properties.user_properties.size(), 3u);
    // Keys and values together: 3 x (1 + 2) = 9 bytes.
    EXPECT_FALSE(decode_limited(publish_with(user_properties(3, 2)), {10, 9}, packet));
}

TEST(Properties, MoreUserPropertiesThanTheLimitAreQuotaExceeded) {
    Packet packet;
    const auto error = decode_limited(publish_with(user_properties(4)), {3, 1000}, packet);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->reason, ReasonCode::QuotaExceeded);
    EXPECT_EQ(std::string_view(error->message), kTooManyUserProperties.message);
    // Refused when the one past the limit is seen: never more than the limit kept.
    EXPECT_LE(std::get<Publish>(packet).properties.user_properties.size(), 3u);
}

TEST(Properties, UserPropertyBytesBeyondTheLimitAreQuotaExceeded) {
    Packet packet;
    const auto error = decode_limited(publish_with(user_properties(3, 2)), {10, 8}, packet);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->reason, ReasonCode::QuotaExceeded);
    EXPECT_EQ(std::string_view(error->message), kUserPropertiesTooLarge.message);
}

// A refused QoS 1 PUBLISH still has its packet id: the engine answers PUBACK 0x97.
TEST(Properties, RefusedPublishKeepsItsPacketId) {
    const Bytes wire = frame(0x32, cat({str("t"), {0x12, 0x34}, props(user_properties(2)), {'p'}}));
    Packet packet;
    const auto error = decode_limited(wire, {1, 1000}, packet);
    ASSERT_TRUE(error);
    EXPECT_EQ(std::get<Publish>(packet).packet_id, 0x1234);
    EXPECT_EQ(std::get<Publish>(packet).qos, QoS::AtLeastOnce);
}

// Every packet with properties, the will's included, is held to the limits.
TEST(Properties, UserPropertyLimitsApplyToEveryPacketType) {
    const DecodeLimits limits{1, 1000};
    const Bytes two = user_properties(2);
    Packet packet;
    for (const Bytes& wire : {connect_with(two), subscribe_with(two),
                              frame(0x40, cat({{0, 1, 0x00}, props(two)})),         // PUBACK
                              frame(0xE0, cat({{0x00}, props(two)})),               // DISCONNECT
                              frame(0xA2, cat({{0, 1}, props(two), str("a")}))}) {  // UNSUBSCRIBE
        const auto error = decode_limited(wire, limits, packet);
        ASSERT_TRUE(error);
        EXPECT_EQ(error->reason, ReasonCode::QuotaExceeded);
    }
    // A will's properties (flags 0x06: will, clean start).
    const Bytes with_will = frame(0x10, cat({str("MQTT"),
                                             {5, 0x06, 0, 60},
                                             props({}),
                                             str("c"),
                                             props(two),
                                             str("w/t"),
                                             str("p")}));
    const auto error = decode_limited(with_will, limits, packet);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->reason, ReasonCode::QuotaExceeded);
}

TEST(Properties, NoUserPropertyLimitByDefault) {
    Packet packet;
    EXPECT_FALSE(decode(publish_with(user_properties(5000)), V5, packet));
}

}  // namespace
}  // namespace akasa::mqtt::testing
