// Variable Byte Integer edge values (spec 1.5.5, 3.1.1 table 2.4).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "mqtt/decoder.h"
#include "mqtt/encoder.h"
#include "mqtt/varint.h"
#include "test_support.h"

namespace akasa::mqtt::testing {
namespace {

struct Edge {
    uint32_t value;
    Bytes wire;
};

class VarintEdges : public ::testing::TestWithParam<Edge> {};

TEST_P(VarintEdges, EncodesAndDecodesTheSpecTableValues) {
    const auto& [value, wire] = GetParam();
    Bytes out;
    encode_varint(value, out);
    EXPECT_EQ(out, wire);
    EXPECT_EQ(varint_size(value), wire.size());
    const VarintResult result = decode_varint(wire);
    ASSERT_EQ(result.status, VarintStatus::Ok);
    EXPECT_EQ(result.value, value);
    EXPECT_EQ(result.size, wire.size());
}

INSTANTIATE_TEST_SUITE_P(SpecTable, VarintEdges,
                         ::testing::Values(Edge{0, {0x00}}, Edge{127, {0x7F}},
                                           Edge{128, {0x80, 0x01}}, Edge{16383, {0xFF, 0x7F}},
                                           Edge{16384, {0x80, 0x80, 0x01}},
                                           Edge{2097151, {0xFF, 0xFF, 0x7F}},
                                           Edge{2097152, {0x80, 0x80, 0x80, 0x01}},
                                           Edge{268435455, {0xFF, 0xFF, 0xFF, 0x7F}}));

TEST(Varint, FifthByteIsMalformed) {
    const Bytes wire{0xFF, 0xFF, 0xFF, 0xFF, 0x01};
    EXPECT_EQ(decode_varint(wire).status, VarintStatus::Malformed);
}

TEST(Varint, FourContinuationBytesAreMalformedEvenWithoutAFifth) {
    const Bytes wire{0x80, 0x80, 0x80, 0x80};
    EXPECT_EQ(decode_varint(wire).status, VarintStatus::Malformed);
}

TEST(Varint, CutOffNeedsMore) {
    EXPECT_EQ(decode_varint(Bytes{}).status, VarintStatus::NeedMore);
    EXPECT_EQ(decode_varint(Bytes{0x80}).status, VarintStatus::NeedMore);
    EXPECT_EQ(decode_varint(Bytes{0xFF, 0xFF, 0xFF}).status, VarintStatus::NeedMore);
}

// [MQTT-1.5.5-1] The encoded value MUST use the minimum number of bytes necessary.
TEST(Varint, NonMinimalFormsAreMalformed_MQTT_1_5_5_1) {
    EXPECT_EQ(decode_varint(Bytes{0x80, 0x00}).status, VarintStatus::Malformed);
    EXPECT_EQ(decode_varint(Bytes{0xFF, 0x80, 0x00}).status, VarintStatus::Malformed);
    EXPECT_EQ(decode_varint(Bytes{0x80, 0x80, 0x80, 0x00}).status, VarintStatus::Malformed);
}

TEST(Varint, DecodeIgnoresBytesAfterTheInteger) {
    const VarintResult result = decode_varint(Bytes{0x05, 0xAA, 0xBB});
    ASSERT_EQ(result.status, VarintStatus::Ok);
    EXPECT_EQ(result.value, 5u);
    EXPECT_EQ(result.size, 1);
}

// Issue 15 item 8: the size the encoder reserves and the bytes it writes agree at and past
// the largest valid value, so a too-large packet is sized, not written past its buffer.
TEST(Varint, SizeAgreesWithWhatIsWrittenAtTheBoundary) {
    for (uint32_t value : {0u, 127u, 128u, 16383u, 16384u, 2097151u, 2097152u, kMaxVarint,
                           kMaxVarint + 1, 0xFFFFFFFFu}) {
        uint8_t dest[kMaxVarintWriteSize + 1] = {};
        dest[kMaxVarintWriteSize] = 0xEE;
        EXPECT_EQ(write_varint(value, dest), varint_size(value)) << value;
        EXPECT_EQ(dest[kMaxVarintWriteSize], 0xEE) << value;
    }
    EXPECT_EQ(varint_size(kMaxVarint), 4);
    EXPECT_EQ(varint_size(kMaxVarint + 1), 5);
}

// The case from the review: a 3.1.1 PUBLISH near the maximum size grows past it once its v5
// properties are added for a v5 subscriber. The encoding must stay in its buffer and be
// larger than any client accepts (kMaxPacketSize), so the delivery path drops it.
TEST(Varint, APublishBeyondTheLargestRemainingLengthIsSizedNotOverrun) {
    Publish publish;
    publish.topic = "t";
    const std::string payload(kMaxVarint - 3, 'x');  // Remaining Length kMaxVarint in 3.1.1
    publish.payload = payload;
    publish.qos = QoS::AtMostOnce;
    std::vector<uint8_t> v311;
    encode(publish, ProtocolVersion::V311, v311);
    EXPECT_EQ(v311.size(), 1 + 4 + kMaxVarint);
    EXPECT_EQ(encoded_size(publish, ProtocolVersion::V311), v311.size());
    v311 = {};
    publish.properties.subscription_identifiers.push_back(1);
    std::vector<uint8_t> v5;
    encode(publish, ProtocolVersion::V5, v5);
    EXPECT_EQ(encoded_size(publish, ProtocolVersion::V5), v5.size());
    EXPECT_GT(v5.size(), kMaxPacketSize);
}

}  // namespace
}  // namespace akasa::mqtt::testing
