// Variable Byte Integer edge values (spec 1.5.5, 3.1.1 table 2.4).
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace akasa::mqtt::testing
