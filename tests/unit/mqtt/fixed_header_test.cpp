// The fixed header: packet type, reserved flags, Remaining Length, maximum packet size.
#include <gtest/gtest.h>

#include "test_support.h"

namespace akasa::mqtt::testing {
namespace {

HeaderResult header_of(const Bytes& data, uint32_t max = kMaxPacketSize) {
    return decode_fixed_header(data, max);
}

TEST(FixedHeader, NeedsMoreUntilTheRemainingLengthIsComplete) {
    EXPECT_EQ(header_of({}).status, HeaderStatus::NeedMore);
    EXPECT_EQ(header_of({0x30}).status, HeaderStatus::NeedMore);
    EXPECT_EQ(header_of({0x30, 0x80}).status, HeaderStatus::NeedMore);
    const HeaderResult result = header_of({0x30, 0x80, 0x01});
    ASSERT_EQ(result.status, HeaderStatus::Complete);
    EXPECT_EQ(result.header.type, PacketType::Publish);
    EXPECT_EQ(result.header.remaining_length, 128u);
    EXPECT_EQ(result.header.header_size, 3);
    EXPECT_EQ(result.header.packet_size(), 131u);
}

TEST(FixedHeader, ReservedPacketTypeZeroIsMalformed) {
    EXPECT_EQ(header_of({0x00, 0x00}).error.reason, ReasonCode::MalformedPacket);
}

TEST(FixedHeader, RemainingLengthOfFiveBytesIsMalformed) {
    const HeaderResult result = header_of({0x30, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F});
    ASSERT_EQ(result.status, HeaderStatus::Error);
    EXPECT_EQ(result.error.reason, ReasonCode::MalformedPacket);
}

TEST(FixedHeader, NonMinimalRemainingLengthIsMalformed_MQTT_1_5_5_1) {
    EXPECT_EQ(header_of({0xC0, 0x80, 0x00}).error.reason, ReasonCode::MalformedPacket);
}

TEST(FixedHeader, LargestRemainingLengthIsAccepted) {
    const HeaderResult result = header_of({0x30, 0xFF, 0xFF, 0xFF, 0x7F});
    ASSERT_EQ(result.status, HeaderStatus::Complete);
    EXPECT_EQ(result.header.remaining_length, kMaxRemainingLength);
    EXPECT_EQ(result.header.packet_size(), kMaxPacketSize);
}

// The size check happens on the header alone, before any body byte is buffered.
TEST(FixedHeader, PacketAboveMaximumSizeIsRefusedBeforeTheBody) {
    Bytes header{0x30};
    encode_varint(1000, header);  // 1 + 2 + 1000 = 1003 bytes in total
    EXPECT_EQ(header_of(header, 1003).status, HeaderStatus::Complete);
    const HeaderResult result = header_of(header, 1002);
    ASSERT_EQ(result.status, HeaderStatus::Error);
    EXPECT_EQ(result.error.reason, ReasonCode::PacketTooLarge);
}

struct FlagCase {
    uint8_t first_byte;
    bool valid;
};

class ReservedFlags : public ::testing::TestWithParam<FlagCase> {};

// [MQTT-2.2.2-1] (v5) / [MQTT-2.2.2-2] (3.1.1): reserved flags must have the listed values.
TEST_P(ReservedFlags, AreCheckedPerType_MQTT_2_2_2_1) {
    const auto [first_byte, valid] = GetParam();
    const HeaderResult result = header_of({first_byte, 0x00});
    if (valid) {
        EXPECT_EQ(result.status, HeaderStatus::Complete);
    } else {
        ASSERT_EQ(result.status, HeaderStatus::Error);
        EXPECT_EQ(result.error.reason, ReasonCode::MalformedPacket);
    }
}

INSTANTIATE_TEST_SUITE_P(
    AllTypes, ReservedFlags,
    ::testing::Values(
        FlagCase{0x10, true}, FlagCase{0x11, false}, FlagCase{0x20, true}, FlagCase{0x28, false},
        FlagCase{0x40, true}, FlagCase{0x42, false}, FlagCase{0x50, true}, FlagCase{0x52, false},
        FlagCase{0x62, true},  // PUBREL 0010 [MQTT-3.6.1-1]
        FlagCase{0x60, false}, FlagCase{0x63, false}, FlagCase{0x6A, false}, FlagCase{0x70, true},
        FlagCase{0x71, false}, FlagCase{0x82, true},  // SUBSCRIBE 0010 [MQTT-3.8.1-1]
        FlagCase{0x80, false}, FlagCase{0x83, false}, FlagCase{0x90, true}, FlagCase{0x94, false},
        FlagCase{0xA2, true},  // UNSUBSCRIBE 0010 [MQTT-3.10.1-1]
        FlagCase{0xA0, false}, FlagCase{0xB0, true}, FlagCase{0xB1, false}, FlagCase{0xC0, true},
        FlagCase{0xC8, false}, FlagCase{0xD0, true}, FlagCase{0xD4, false}, FlagCase{0xE0, true},
        FlagCase{0xE1, false}, FlagCase{0xF0, true}, FlagCase{0xF2, false}));

// MQTT 3.1 framed PUBREL, SUBSCRIBE and UNSUBSCRIBE as QoS 1 packets whose DUP flag a client
// sets when it resends them; a 3.1 connection may do that, a 3.1.1 or 5.0 one may not.
TEST(ReservedFlags, Mqtt31MaySetDupOnPubrelSubscribeUnsubscribe) {
    for (uint8_t first : {0x6A, 0x8A, 0xAA}) {
        const std::vector<uint8_t> wire{first, 0x00};
        EXPECT_EQ(decode_fixed_header(wire, kMaxPacketSize, true).status, HeaderStatus::Complete)
            << int(first);
        EXPECT_EQ(decode_fixed_header(wire, kMaxPacketSize, false).status, HeaderStatus::Error)
            << int(first);
    }
    // Other reserved bits stay reserved in 3.1 as well.
    const std::vector<uint8_t> qos2_subscribe{0x84, 0x00};
    EXPECT_EQ(decode_fixed_header(qos2_subscribe, kMaxPacketSize, true).status,
              HeaderStatus::Error);
}

TEST(PublishFlags, AllValidCombinationsAreAccepted) {
    for (uint8_t first : {0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x3A, 0x3B, 0x3C, 0x3D}) {
        EXPECT_EQ(header_of({first, 0x00}).status, HeaderStatus::Complete) << int(first);
    }
}

// [MQTT-3.3.1-4] A PUBLISH packet MUST NOT have both QoS bits set to 1.
TEST(PublishFlags, QoS3IsMalformed_MQTT_3_3_1_4) {
    EXPECT_EQ(header_of({0x36, 0x00}).error.reason, ReasonCode::MalformedPacket);
    EXPECT_EQ(header_of({0x3F, 0x00}).error.reason, ReasonCode::MalformedPacket);
}

// [MQTT-3.3.1-2] The DUP flag MUST be set to 0 for all QoS 0 messages.
TEST(PublishFlags, DupWithQoS0IsMalformed_MQTT_3_3_1_2) {
    EXPECT_EQ(header_of({0x38, 0x00}).error.reason, ReasonCode::MalformedPacket);
    EXPECT_EQ(header_of({0x39, 0x00}).error.reason, ReasonCode::MalformedPacket);
}

TEST(DecodePacket, BodyShorterThanTheRemainingLengthIsMalformed) {
    FixedHeader header;
    header.type = PacketType::Pingreq;
    header.remaining_length = 2;
    header.header_size = 2;
    Packet packet;
    const Bytes body{0x00};
    const auto error = decode_packet(header, body, ProtocolVersion::V311, packet);
    ASSERT_TRUE(error);
    EXPECT_EQ(error->reason, ReasonCode::MalformedPacket);
}

}  // namespace
}  // namespace akasa::mqtt::testing
