// The hot path does not allocate: decoding a QoS 0 PUBLISH (3.1.1 and v5 without properties)
// into a reused packet, and encoding one into a buffer with room. Counted by replacing the
// global operator new for this test binary.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "test_support.h"

#include "../counting_new.h"

namespace akasa::mqtt::testing {
namespace {

long allocations() {
    return ::akasa::testing::allocations();
}

TEST(HotPathAllocations, TheCounterSeesAllocations) {
    const long before = allocations();
    auto* bytes = new Bytes(16);
    EXPECT_GT(allocations(), before);
    delete bytes;
}

TEST(HotPathAllocations, DecodingQoS0PublishDoesNotAllocate) {
    for (auto version : {ProtocolVersion::V311, ProtocolVersion::V5}) {
        Publish sample;
        sample.topic = "sensors/room-12/temperature";
        sample.payload = "21.5";
        const Bytes wire = encoded(sample, version);
        Packet packet{Publish{}};
        Publish direct;

        const long before = allocations();
        for (int i = 0; i < 100; ++i) {
            const HeaderResult header = decode_fixed_header(wire);
            const auto body = std::span<const uint8_t>(wire).subspan(header.header.header_size);
            ASSERT_FALSE(decode_packet(header.header, body, version, packet));
            ASSERT_FALSE(decode_publish(header.header, body, version, direct));
        }
        EXPECT_EQ(allocations(), before);
        EXPECT_TRUE(std::get<Publish>(packet) == sample);
        EXPECT_TRUE(direct == sample);
    }
}

TEST(HotPathAllocations, DecodingWithUserPropertiesReusesCapacity) {
    Publish sample;
    sample.topic = "t";
    sample.properties.user_properties = {{"a", "b"}, {"c", "d"}};
    const Bytes wire = encoded(sample, ProtocolVersion::V5);
    const HeaderResult header = decode_fixed_header(wire);
    const auto body = std::span<const uint8_t>(wire).subspan(header.header.header_size);
    Publish out;
    ASSERT_FALSE(decode_publish(header.header, body, ProtocolVersion::V5, out));  // warms up
    const long before = allocations();
    ASSERT_FALSE(decode_publish(header.header, body, ProtocolVersion::V5, out));
    EXPECT_EQ(allocations(), before);
    EXPECT_TRUE(out == sample);
}

TEST(HotPathAllocations, EncodingIntoAReservedBufferDoesNotAllocate) {
    Publish sample;
    sample.topic = "sensors/room-12/temperature";
    sample.payload = "21.5";
    Bytes out;
    out.reserve(256);
    const long before = allocations();
    encode(sample, ProtocolVersion::V311, out);
    encode(sample, ProtocolVersion::V5, out);
    EXPECT_EQ(allocations(), before);
    EXPECT_FALSE(out.empty());
}

}  // namespace
}  // namespace akasa::mqtt::testing
