#include "broker/session/packet_id_allocator.h"

#include <gtest/gtest.h>

#include <set>

namespace akasa::broker {
namespace {

TEST(PacketIdAllocator, HandsOutIncreasingNonZeroIds_MQTT_2_2_1_3) {
    PacketIdAllocator ids;
    EXPECT_EQ(ids.allocate(), 1);
    EXPECT_EQ(ids.allocate(), 2);
    EXPECT_EQ(ids.allocate(), 3);
    EXPECT_EQ(ids.used_count(), 3u);
}

TEST(PacketIdAllocator, SkipsIdsStillInUseAfterWrapping) {
    PacketIdAllocator ids;
    for (int i = 0; i < 65535; ++i)
        ASSERT_TRUE(ids.allocate().has_value());
    EXPECT_FALSE(ids.allocate().has_value());  // all 65,535 in use
    EXPECT_TRUE(ids.release(3));
    EXPECT_TRUE(ids.release(7));
    EXPECT_EQ(ids.allocate(), 3);
    EXPECT_EQ(ids.allocate(), 7);
    EXPECT_FALSE(ids.allocate().has_value());
}

TEST(PacketIdAllocator, ReleaseOfUnknownIdIsReported) {
    PacketIdAllocator ids;
    EXPECT_FALSE(ids.release(5));
    auto id = ids.allocate();
    ASSERT_TRUE(id);
    EXPECT_TRUE(ids.release(*id));
    EXPECT_FALSE(ids.release(*id));
    EXPECT_FALSE(ids.in_use(*id));
}

TEST(PacketIdAllocator, NeverReturnsZeroAcrossTheWrap) {
    PacketIdAllocator ids;
    std::set<std::uint16_t> seen;
    for (int i = 0; i < 70000; ++i) {
        auto id = ids.allocate();
        ASSERT_TRUE(id);
        ASSERT_NE(*id, 0);
        ids.release(*id);
        seen.insert(*id);
    }
    EXPECT_EQ(seen.size(), 65535u);
}

TEST(PacketIdAllocator, MarkUsedReservesAnId) {
    PacketIdAllocator ids;
    EXPECT_TRUE(ids.mark_used(1));
    EXPECT_FALSE(ids.mark_used(1));
    EXPECT_FALSE(ids.mark_used(0));
    EXPECT_EQ(ids.allocate(), 2);
}

}  // namespace
}  // namespace akasa::broker
