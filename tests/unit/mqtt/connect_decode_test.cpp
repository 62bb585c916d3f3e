// CONNECT decoding: protocol name/level, connect flags, payload fields (spec 3.1).
#include <gtest/gtest.h>

#include "test_support.h"

namespace akasa::mqtt::testing {
namespace {

constexpr auto V31 = ProtocolVersion::V31;
constexpr auto V311 = ProtocolVersion::V311;
constexpr auto V5 = ProtocolVersion::V5;

// A CONNECT body: name, level, flags, keep alive 60, [properties], then the payload bytes.
Bytes connect_packet(std::string_view name, uint8_t level, uint8_t flags, const Bytes& payload,
                     const Bytes& properties = {}) {
    return frame(0x10, cat({str(name), {level, flags, 0x00, 0x3C}, properties, payload}));
}
Bytes connect311(uint8_t flags, const Bytes& payload) {
    return connect_packet("MQTT", 4, flags, payload);
}
Bytes connect5(uint8_t flags, const Bytes& payload, const Bytes& properties = props({})) {
    return connect_packet("MQTT", 5, flags, payload, properties);
}

Connect decode_connect_ok(const Bytes& wire) {
    Packet packet;
    const auto error = decode(wire, V311, packet);
    EXPECT_FALSE(error) << (error ? error->message : "");
    return std::holds_alternative<Connect>(packet) ? std::get<Connect>(packet) : Connect{};
}

TEST(ConnectDecode, MinimalOfEachVersion) {
    const Bytes wire = connect_packet("MQIsdp", 3, 0x02, str("id"));
    const Connect v31 = decode_connect_ok(wire);  // views into `wire`
    EXPECT_EQ(v31.version, V31);
    EXPECT_EQ(v31.protocol_name, "MQIsdp");
    EXPECT_TRUE(v31.clean_start);
    EXPECT_EQ(v31.keep_alive, 60);
    EXPECT_EQ(v31.client_id, "id");
    EXPECT_EQ(decode_connect_ok(connect311(0x00, str(""))).version, V311);
    EXPECT_EQ(decode_connect_ok(connect5(0x00, str(""))).version, V5);
}

TEST(ConnectDecode, AllFieldsIn311) {
    const Bytes wire =
        connect311(0xF6, cat({str("id"), str("will/t"), str("bye"), str("user"), str("pw")}));
    const Connect connect = decode_connect_ok(wire);
    ASSERT_TRUE(connect.will);
    EXPECT_EQ(connect.will->topic, "will/t");
    EXPECT_EQ(connect.will->payload, "bye");
    EXPECT_EQ(connect.will->qos, QoS::ExactlyOnce);
    EXPECT_TRUE(connect.will->retain);
    EXPECT_EQ(connect.username, "user");
    EXPECT_EQ(connect.password, "pw");
}

// [MQTT-3.1.2-2] unsupported level: the server answers CONNACK 0x01 (3.x) / 0x84 (v5).
TEST(ConnectDecode, UnknownProtocolLevelIsReportedDistinctly_MQTT_3_1_2_2) {
    Packet packet;
    const Bytes wire = connect_packet("MQTT", 6, 0x02, str("id"));
    const auto error = decode(wire, V311, packet);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->reason, ReasonCode::UnsupportedProtocolVersion);
    const auto& connect = std::get<Connect>(packet);
    EXPECT_EQ(static_cast<int>(connect.version), 6);  // the raw level, for the answer
    EXPECT_EQ(connect.protocol_name, "MQTT");
}

TEST(ConnectDecode, NameAndLevelMustMatch) {
    EXPECT_EQ(reject_reason(connect_packet("MQTT", 3, 0x02, str("id")), V311),
              ReasonCode::UnsupportedProtocolVersion);
    EXPECT_EQ(reject_reason(connect_packet("MQIsdp", 4, 0x02, str("id")), V311),
              ReasonCode::UnsupportedProtocolVersion);
}

// [MQTT-3.1.2-1] a wrong protocol name.
TEST(ConnectDecode, UnknownProtocolNameIsReportedAsUnsupported_MQTT_3_1_2_1) {
    EXPECT_EQ(reject_reason(connect_packet("MQTX", 4, 0x02, str("id")), V311),
              ReasonCode::UnsupportedProtocolVersion);
}

// [MQTT-3.1.2-3] the reserved flag must be 0.
TEST(ConnectDecode, ReservedFlagIsMalformed_MQTT_3_1_2_3) {
    EXPECT_EQ(reject_reason(connect311(0x03, str("id")), V311), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(connect5(0x01, str("id")), V5), ReasonCode::MalformedPacket);
}

// [MQTT-3.1.2-11] (3.1.1 -11/-13, v5 -11): Will QoS must be 0 without the Will Flag.
TEST(ConnectDecode, WillQoSWithoutWillFlagIsMalformed_MQTT_3_1_2_11) {
    EXPECT_EQ(reject_reason(connect311(0x08, str("id")), V311), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(connect5(0x10, str("id")), V5), ReasonCode::MalformedPacket);
}

// [MQTT-3.1.2-13] (v5) / [MQTT-3.1.2-15] (3.1.1): Will Retain must be 0 without the Will Flag.
TEST(ConnectDecode, WillRetainWithoutWillFlagIsMalformed_MQTT_3_1_2_13) {
    EXPECT_EQ(reject_reason(connect311(0x20, str("id")), V311), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(connect5(0x20, str("id")), V5), ReasonCode::MalformedPacket);
}

// [MQTT-3.1.2-12] (v5) / [MQTT-3.1.2-14] (3.1.1): Will QoS 3 is malformed.
TEST(ConnectDecode, WillQoS3IsMalformed_MQTT_3_1_2_14) {
    const Bytes payload = cat({str("id"), str("t"), str("p")});
    EXPECT_EQ(reject_reason(connect311(0x1C, payload), V311), ReasonCode::MalformedPacket);
}

// [MQTT-3.1.2-22] 3.1.1: no password without a user name. v5 allows it.
TEST(ConnectDecode, PasswordWithoutUserName_MQTT_3_1_2_22) {
    const Bytes payload = cat({str("id"), str("pw")});
    EXPECT_EQ(reject_reason(connect311(0x40, payload), V311), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(connect_packet("MQIsdp", 3, 0x40, payload), V31),
              ReasonCode::MalformedPacket);
    Packet packet;
    const Bytes wire = connect5(0x40, payload);
    ASSERT_FALSE(decode(wire, V5, packet));
    const auto& connect = std::get<Connect>(packet);
    EXPECT_FALSE(connect.username);
    EXPECT_EQ(connect.password, "pw");
}

TEST(ConnectDecode, FlaggedFieldsMissingAreMalformed) {
    EXPECT_EQ(reject_reason(connect311(0x80, str("id")), V311), ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(connect311(0xC0, cat({str("id"), str("u")})), V311),
              ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(connect311(0x04, cat({str("id"), str("t")})), V311),
              ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(connect311(0x00, {}), V311), ReasonCode::MalformedPacket);
}

TEST(ConnectDecode, TrailingBytesAreMalformed) {
    EXPECT_EQ(reject_reason(connect311(0x00, cat({str("id"), {0x00}})), V311),
              ReasonCode::MalformedPacket);
}

TEST(ConnectDecode, TruncatedHeaderIsMalformed) {
    EXPECT_EQ(reject_reason(frame(0x10, cat({str("MQTT"), {0x04, 0x02}})), V311),
              ReasonCode::MalformedPacket);
    EXPECT_EQ(reject_reason(frame(0x10, {0x00, 0x04, 'M'}), V311), ReasonCode::MalformedPacket);
}

// [MQTT-1.5.4-1] / [MQTT-3.1.3-4] the Client Identifier is a UTF-8 Encoded String.
TEST(ConnectDecode, InvalidUtf8ClientIdIsMalformed_MQTT_3_1_3_4) {
    EXPECT_EQ(reject_reason(connect311(0x02, str("\xed\xa0\x80")), V311),
              ReasonCode::MalformedPacket);
}

TEST(ConnectDecode, InvalidUtf8UserNameIsMalformed) {
    EXPECT_EQ(reject_reason(connect311(0x80, cat({str("id"), str("\xff")})), V311),
              ReasonCode::MalformedPacket);
}

TEST(ConnectDecode, WillTopicWithWildcardIsRefused) {
    EXPECT_EQ(reject_reason(connect311(0x04, cat({str("id"), str("a/#"), str("p")})), V311),
              ReasonCode::TopicNameInvalid);
}

TEST(ConnectDecode, V5PropertiesAndWillProperties) {
    const Bytes properties = props({0x11, 0, 0, 0, 30,  // Session Expiry Interval 30
                                    0x21, 0, 10,        // Receive Maximum 10
                                    0x26, 0, 1, 'k', 0, 1, 'v'});
    const Bytes will_properties = props({0x18, 0, 0, 0, 5});  // Will Delay Interval 5
    Packet packet;
    const Bytes wire =
        connect5(0x04, cat({str("id"), will_properties, str("t"), str("p")}), properties);
    ASSERT_FALSE(decode(wire, V5, packet));
    const auto& connect = std::get<Connect>(packet);
    EXPECT_EQ(connect.properties.session_expiry_interval, 30u);
    EXPECT_EQ(connect.properties.receive_maximum, 10);
    ASSERT_EQ(connect.properties.user_properties.size(), 1u);
    ASSERT_TRUE(connect.will);
    EXPECT_EQ(connect.will->properties.will_delay_interval, 5u);
}

TEST(ConnectDecode, V5WillPropertyNotAllowedInConnectPropertiesIsMalformed) {
    // Will Delay Interval belongs in the Will Properties only.
    EXPECT_EQ(reject_reason(connect5(0x00, str("id"), props({0x18, 0, 0, 0, 5})), V5),
              ReasonCode::MalformedPacket);
}

TEST(ConnectDecode, V5ConnectPropertyNotAllowedInWillPropertiesIsMalformed) {
    const Bytes will_properties = props({0x11, 0, 0, 0, 5});  // Session Expiry Interval
    EXPECT_EQ(
        reject_reason(connect5(0x04, cat({str("id"), will_properties, str("t"), str("p")})), V5),
        ReasonCode::MalformedPacket);
}

TEST(ConnectDecode, V5ReportsTheVersionOnLaterErrors) {
    // A malformed v5 CONNECT: the engine still learns the version to answer in v5 form.
    Packet packet;
    const auto error = decode(connect5(0x01, str("id")), V311, packet);
    ASSERT_TRUE(error);
    EXPECT_EQ(std::get<Connect>(packet).version, V5);
}

}  // namespace
}  // namespace akasa::mqtt::testing
