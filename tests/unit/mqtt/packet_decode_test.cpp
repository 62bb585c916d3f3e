// Decoding every packet but CONNECT: valid short forms and one test per malformed case.
#include <gtest/gtest.h>

#include "test_support.h"

namespace akasa::mqtt::testing {
namespace {

constexpr auto V31 = ProtocolVersion::V31;
constexpr auto V311 = ProtocolVersion::V311;
constexpr auto V5 = ProtocolVersion::V5;

template <typename T>
T decode_as(const Bytes& wire, ProtocolVersion version) {
    Packet packet;
    const auto error = decode(wire, version, packet);
    EXPECT_FALSE(error) << (error ? error->message : "");
    EXPECT_TRUE(std::holds_alternative<T>(packet));
    return std::holds_alternative<T>(packet) ? std::get<T>(packet) : T{};
}

// ---- PUBLISH ----

TEST(PublishDecode, QoS0HasNoPacketIdentifier) {
    const Bytes wire = frame(0x30, cat({str("a/b"), {'h', 'i'}}));
    const auto publish = decode_as<Publish>(wire, V311);
    EXPECT_EQ(publish.topic, "a/b");
    EXPECT_EQ(publish.packet_id, 0);
    EXPECT_EQ(publish.payload, "hi");
}

TEST(PublishDecode, FlagsAndPacketIdentifier) {
    const Bytes wire = frame(0x3D, cat({str("t"), {0x12, 0x34}}));  // DUP, QoS 2, RETAIN
    const auto publish = decode_as<Publish>(wire, V311);
    EXPECT_TRUE(publish.dup);
    EXPECT_EQ(publish.qos, QoS::ExactlyOnce);
    EXPECT_TRUE(publish.retain);
    EXPECT_EQ(publish.packet_id, 0x1234);
    EXPECT_TRUE(publish.payload.empty());
}

// [MQTT-2.2.1-3] (v5) / [MQTT-2.3.1-1] (3.1.1): QoS > 0 needs a non-zero Packet Identifier.
TEST(PublishDecode, PacketIdentifierZeroIsAProtocolError_MQTT_2_2_1_3) {
    EXPECT_EQ(reject_reason(frame(0x32, cat({str("t"), {0x00, 0x00}})), V311),
              ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(frame(0x34, cat({str("t"), {0x00, 0x00}, {0x00}})), V5),
              ReasonCode::ProtocolError);
}

TEST(PublishDecode, MissingPacketIdentifierIsMalformed) {
    EXPECT_EQ(reject_reason(frame(0x32, cat({str("t"), {0x01}})), V311),
              ReasonCode::MalformedPacket);
}

TEST(PublishDecode, TopicLengthOverrunningThePacketIsMalformed) {
    EXPECT_EQ(reject_reason(frame(0x30, {0x00, 0x05, 'a', 'b'}), V311),
              ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(frame(0x30, {0x00}), V311), ReasonCode::MalformedPacket);
}

// [MQTT-3.3.2-1] the Topic Name is a UTF-8 Encoded String.
TEST(PublishDecode, InvalidUtf8TopicIsMalformed_MQTT_3_3_2_1) {
    EXPECT_EQ(reject_reason(frame(0x30, str("a\xc0\x80")), V311), ReasonCode::MalformedPacket);
}

// [MQTT-3.3.2-2] no wildcards in the Topic Name.
TEST(PublishDecode, WildcardInTopicIsTopicNameInvalid_MQTT_3_3_2_2) {
    EXPECT_EQ(reject_reason(frame(0x30, str("a/+")), V311), ReasonCode::TopicNameInvalid);
    EXPECT_EQ(reject_reason(frame(0x30, cat({str("#"), props({})})), V5),
              ReasonCode::TopicNameInvalid);
}

// [MQTT-4.7.3-1] topic names are at least one character long (3.x).
TEST(PublishDecode, EmptyTopicIn311IsMalformed_MQTT_4_7_3_1) {
    EXPECT_EQ(reject_reason(frame(0x30, str("")), V311), ReasonCode::MalformedPacket);
}

// v5 3.3.2.3.4: a zero-length Topic Name without a Topic Alias is a Protocol Error.
TEST(PublishDecode, EmptyTopicWithoutAliasIsAProtocolErrorInV5) {
    EXPECT_EQ(reject_reason(frame(0x30, cat({str(""), props({})})), V5), ReasonCode::ProtocolError);
    const Bytes aliased = frame(0x30, cat({str(""), props({0x23, 0x00, 0x02}), {'x'}}));
    const auto publish = decode_as<Publish>(aliased, V5);
    EXPECT_EQ(publish.properties.topic_alias, 2);
    EXPECT_EQ(publish.payload, "x");
}

TEST(PublishDecode, V5MissingPropertyLengthIsMalformed) {
    EXPECT_EQ(reject_reason(frame(0x30, str("t")), V5), ReasonCode::MalformedPacket);
}

TEST(PublishDecode, PayloadMayBeAnyBytes) {
    const Bytes wire = frame(0x30, cat({str("t"), {0x00, 0xFF, 0xC0}}));
    EXPECT_EQ(decode_as<Publish>(wire, V311).payload.size(), 3u);
}

TEST(PublishDecode, ReusingAPacketClearsOldProperties) {
    Packet packet;
    const Bytes with_props = frame(0x30, cat({str("t"), props({0x02, 0, 0, 0, 9})}));
    ASSERT_FALSE(decode(with_props, V5, packet));
    const Bytes without = frame(0x30, cat({str("t"), props({})}));
    ASSERT_FALSE(decode(without, V5, packet));
    EXPECT_TRUE(std::get<Publish>(packet).properties.empty());
}

// ---- PUBACK, PUBREC, PUBREL, PUBCOMP ----

TEST(PublishResponseDecode, V311IsJustThePacketIdentifier) {
    EXPECT_EQ(decode_as<PubAck>(frame(0x40, {0x00, 0x07}), V311).packet_id, 7);
    EXPECT_EQ(decode_as<PubRel>(frame(0x62, {0x00, 0x07}), V31).packet_id, 7);
    EXPECT_EQ(reject_reason(frame(0x40, {0x00, 0x07, 0x00}), V311), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(frame(0x50, {0x00}), V311), ReasonCode::MalformedPacket);
}

TEST(PublishResponseDecode, PacketIdentifierZeroIsAProtocolError_MQTT_2_2_1_3) {
    EXPECT_EQ(reject_reason(frame(0x70, {0x00, 0x00}), V311), ReasonCode::ProtocolError);
}

// v5 3.4.2.1: Remaining Length 2 means Success and no properties; 3 means no properties.
TEST(PublishResponseDecode, V5ShortForms) {
    const auto short_form = decode_as<PubAck>(frame(0x40, {0x00, 0x07}), V5);
    EXPECT_EQ(short_form.reason_code, ReasonCode::Success);
    const auto with_reason = decode_as<PubRec>(frame(0x50, {0x00, 0x07, 0x10}), V5);
    EXPECT_EQ(with_reason.reason_code, ReasonCode::NoMatchingSubscribers);
    EXPECT_TRUE(with_reason.properties.empty());
    const Bytes full = frame(0x62, cat({{0x00, 0x07, 0x92}, props({0x1F, 0x00, 0x01, 'r'})}));
    const auto with_props = decode_as<PubRel>(full, V5);
    EXPECT_EQ(with_props.reason_code, ReasonCode::PacketIdentifierNotFound);
    EXPECT_EQ(with_props.properties.reason_string, "r");
}

TEST(PublishResponseDecode, V5ReasonCodeNotAllowedForTheTypeIsAProtocolError) {
    EXPECT_EQ(reject_reason(frame(0x40, {0x00, 0x07, 0x92}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(frame(0x70, {0x00, 0x07, 0x10}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(frame(0x40, {0x00, 0x07, 0x01}), V5), ReasonCode::ProtocolError);
}

TEST(PublishResponseDecode, V5PropertyLengthOverrunIsMalformed) {
    EXPECT_EQ(reject_reason(frame(0x40, {0x00, 0x07, 0x00, 0x05, 0x1F}), V5),
              ReasonCode::MalformedPacket);
}

// ---- SUBSCRIBE ----

TEST(SubscribeDecode, TopicsAndOptions) {
    const Bytes wire = frame(0x82, cat({{0x00, 0x01}, str("a/+"), {0x01}, str("#"), {0x02}}));
    const auto subscribe = decode_as<Subscribe>(wire, V311);
    EXPECT_EQ(subscribe.packet_id, 1);
    ASSERT_EQ(subscribe.topics.size(), 2u);
    EXPECT_EQ(subscribe.topics[0].filter, "a/+");
    EXPECT_EQ(subscribe.topics[0].options.qos, QoS::AtLeastOnce);
    EXPECT_EQ(subscribe.topics[1].options.qos, QoS::ExactlyOnce);
}

TEST(SubscribeDecode, V5OptionBits) {
    const Bytes wire = frame(0x82, cat({{0x00, 0x01}, props({}), str("a"), {0x2D}}));
    const auto subscribe = decode_as<Subscribe>(wire, V5);
    const auto& options = subscribe.topics.at(0).options;
    EXPECT_EQ(options.qos, QoS::AtLeastOnce);
    EXPECT_TRUE(options.no_local);
    EXPECT_TRUE(options.retain_as_published);
    EXPECT_EQ(options.retain_handling, 2);
}

// [MQTT-3.8.3-3] (3.1.1) / [MQTT-3.8.3-2] (v5): at least one topic filter.
TEST(SubscribeDecode, EmptyPayloadIsAProtocolError_MQTT_3_8_3_3) {
    EXPECT_EQ(reject_reason(frame(0x82, {0x00, 0x01}), V311), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(frame(0x82, {0x00, 0x01, 0x00}), V5), ReasonCode::ProtocolError);
}

// [MQTT-3-8.3-4] (3.1.1): bits 7-2 of the requested QoS byte are reserved.
TEST(SubscribeDecode, ReservedOptionBitsIn311AreMalformed_MQTT_3_8_3_4) {
    EXPECT_EQ(reject_reason(frame(0x82, cat({{0x00, 0x01}, str("a"), {0x04}})), V311),
              ReasonCode::MalformedPacket);
}

// [MQTT-3.8.3-5] (v5): bits 7-6 of the Subscription Options are reserved.
TEST(SubscribeDecode, ReservedOptionBitsInV5AreMalformed_MQTT_3_8_3_5) {
    EXPECT_EQ(reject_reason(frame(0x82, cat({{0x00, 0x01}, props({}), str("a"), {0x40}})), V5),
              ReasonCode::MalformedPacket);
}

TEST(SubscribeDecode, QoS3IsMalformed) {
    EXPECT_EQ(reject_reason(frame(0x82, cat({{0x00, 0x01}, str("a"), {0x03}})), V311),
              ReasonCode::MalformedPacket);
}

TEST(SubscribeDecode, RetainHandling3IsAProtocolError) {
    EXPECT_EQ(reject_reason(frame(0x82, cat({{0x00, 0x01}, props({}), str("a"), {0x30}})), V5),
              ReasonCode::ProtocolError);
}

// [MQTT-3.8.3-4] (v5): No Local on a Shared Subscription is a Protocol Error.
TEST(SubscribeDecode, NoLocalOnSharedSubscriptionIsAProtocolError_MQTT_3_8_3_4) {
    const Bytes wire = frame(0x82, cat({{0x00, 0x01}, props({}), str("$share/g/a"), {0x04}}));
    EXPECT_EQ(reject_reason(wire, V5), ReasonCode::ProtocolError);
}

TEST(SubscribeDecode, PacketIdentifierZeroIsAProtocolError_MQTT_2_2_1_3) {
    EXPECT_EQ(reject_reason(frame(0x82, cat({{0x00, 0x00}, str("a"), {0x00}})), V311),
              ReasonCode::ProtocolError);
}

TEST(SubscribeDecode, MissingOptionsByteIsMalformed) {
    EXPECT_EQ(reject_reason(frame(0x82, cat({{0x00, 0x01}, str("a")})), V311),
              ReasonCode::MalformedPacket);
}

TEST(SubscribeDecode, EmptyOrInvalidUtf8FilterIsMalformed) {
    EXPECT_EQ(reject_reason(frame(0x82, cat({{0x00, 0x01}, str(""), {0x00}})), V311),
              ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(frame(0x82, cat({{0x00, 0x01}, str("\xed\xa0\x80"), {0x00}})), V311),
              ReasonCode::MalformedPacket);
}

TEST(SubscribeDecode, FilterSyntaxIsLeftToTheEngine) {
    // "a/#/b" is decoded; validate_topic_filter lets the engine refuse it in SUBACK.
    const Bytes wire = frame(0x82, cat({{0x00, 0x01}, str("a/#/b"), {0x00}}));
    EXPECT_EQ(decode_as<Subscribe>(wire, V311).topics.at(0).filter, "a/#/b");
}

// ---- SUBACK ----

TEST(SubackDecode, ReturnCodes) {
    const auto suback = decode_as<Suback>(frame(0x90, {0x00, 0x02, 0x00, 0x01, 0x02, 0x80}), V311);
    EXPECT_EQ(suback.reason_codes, (std::vector<uint8_t>{0, 1, 2, 0x80}));
    EXPECT_EQ(reject_reason(frame(0x90, {0x00, 0x02, 0x03}), V311), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(frame(0x90, {0x00, 0x02, 0x00, 0x04}), V5), ReasonCode::ProtocolError);
}

// ---- UNSUBSCRIBE ----

TEST(UnsubscribeDecode, Filters) {
    const Bytes wire = frame(0xA2, cat({{0x00, 0x03}, str("a"), str("b/#")}));
    const auto unsubscribe = decode_as<Unsubscribe>(wire, V311);
    EXPECT_EQ(unsubscribe.topic_filters, (std::vector<std::string_view>{"a", "b/#"}));
}

// [MQTT-3.10.3-2] at least one topic filter.
TEST(UnsubscribeDecode, EmptyPayloadIsAProtocolError_MQTT_3_10_3_2) {
    EXPECT_EQ(reject_reason(frame(0xA2, {0x00, 0x03}), V311), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(frame(0xA2, {0x00, 0x03, 0x00}), V5), ReasonCode::ProtocolError);
}

TEST(UnsubscribeDecode, TruncatedFilterIsMalformed) {
    EXPECT_EQ(reject_reason(frame(0xA2, {0x00, 0x03, 0x00, 0x02, 'a'}), V311),
              ReasonCode::MalformedPacket);
}

// ---- UNSUBACK ----

TEST(UnsubackDecode, V311HasNoReasonCodes) {
    EXPECT_TRUE(decode_as<Unsuback>(frame(0xB0, {0x00, 0x03}), V311).reason_codes.empty());
    EXPECT_EQ(reject_reason(frame(0xB0, {0x00, 0x03, 0x00}), V311), ReasonCode::MalformedPacket);
}

TEST(UnsubackDecode, V5ReasonCodes) {
    const auto unsuback = decode_as<Unsuback>(frame(0xB0, {0x00, 0x03, 0x00, 0x00, 0x11}), V5);
    EXPECT_EQ(unsuback.reason_codes, (std::vector<uint8_t>{0x00, 0x11}));
    EXPECT_EQ(reject_reason(frame(0xB0, {0x00, 0x03, 0x00, 0x01}), V5), ReasonCode::ProtocolError);
}

// ---- PINGREQ, PINGRESP, DISCONNECT, AUTH, CONNACK ----

TEST(EmptyPackets, MustHaveNoBody) {
    decode_as<Pingreq>(frame(0xC0, {}), V311);
    decode_as<Pingresp>(frame(0xD0, {}), V5);
    EXPECT_EQ(reject_reason(frame(0xC0, {0x00}), V311), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(frame(0xE0, {0x00}), V311), ReasonCode::MalformedPacket);
}

// v5 3.14.2.1: Remaining Length 0 means Normal disconnection; < 2 means no properties.
TEST(DisconnectDecode, V5ShortForms) {
    EXPECT_EQ(decode_as<Disconnect>(frame(0xE0, {}), V5).reason_code,
              ReasonCode::NormalDisconnection);
    EXPECT_EQ(decode_as<Disconnect>(frame(0xE0, {0x04}), V5).reason_code,
              ReasonCode::DisconnectWithWill);
    const Bytes full = frame(0xE0, cat({{0x8E}, props({0x11, 0, 0, 0, 0})}));
    EXPECT_EQ(decode_as<Disconnect>(full, V5).properties.session_expiry_interval, 0u);
}

TEST(DisconnectDecode, V5ReasonCodeNotAllowedIsAProtocolError) {
    EXPECT_EQ(reject_reason(frame(0xE0, {0x01}), V5), ReasonCode::ProtocolError);
    EXPECT_EQ(reject_reason(frame(0xE0, {0x84}), V5), ReasonCode::ProtocolError);
}

TEST(AuthDecode, OnlyInV5) {
    EXPECT_EQ(reject_reason(frame(0xF0, {}), V311), ReasonCode::MalformedPacket);
    EXPECT_EQ(decode_as<Auth>(frame(0xF0, {}), V5).reason_code, ReasonCode::Success);
}

TEST(AuthDecode, ReasonCodesAndProperties) {
    const Bytes wire = frame(0xF0, cat({{0x18}, props({0x15, 0, 1, 'M', 0x16, 0, 1, 'd'})}));
    const auto auth = decode_as<Auth>(wire, V5);
    EXPECT_EQ(auth.reason_code, ReasonCode::ContinueAuthentication);
    EXPECT_EQ(auth.properties.authentication_method, "M");
    EXPECT_EQ(auth.properties.authentication_data, "d");
    EXPECT_EQ(reject_reason(frame(0xF0, cat({{0x80}, props({})})), V5), ReasonCode::ProtocolError);
}

TEST(ConnackDecode, V311AndV31) {
    const auto connack = decode_as<Connack>(frame(0x20, {0x01, 0x00}), V311);
    EXPECT_TRUE(connack.session_present);
    EXPECT_EQ(connack.reason_code, 0);
    EXPECT_FALSE(decode_as<Connack>(frame(0x20, {0x00, 0x05}), V31).session_present);
    // [MQTT-3.2.2-1] bits 7-1 of the acknowledge flags are reserved.
    EXPECT_EQ(reject_reason(frame(0x20, {0x02, 0x00}), V311), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(frame(0x20, {0x00, 0x06}), V311), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(frame(0x20, {0x00}), V311), ReasonCode::MalformedPacket);
}

TEST(ConnackDecode, V5ReasonAndProperties) {
    const Bytes wire = frame(0x20, cat({{0x00, 0x87}, props({0x1F, 0, 2, 'n', 'o'})}));
    const auto connack = decode_as<Connack>(wire, V5);
    EXPECT_EQ(connack.reason_code, 0x87);
    EXPECT_EQ(connack.properties.reason_string, "no");
    EXPECT_EQ(reject_reason(frame(0x20, cat({{0x00, 0x10}, props({})})), V5),
              ReasonCode::ProtocolError);
}

}  // namespace
}  // namespace akasa::mqtt::testing
