#include "net/byte_buffer.h"

#include <gtest/gtest.h>

#include <string>

namespace akasa::net {
namespace {

std::string contents(const ByteBuffer& b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST(ByteBuffer, StartsWithoutStorage) {
    ByteBuffer b;
    EXPECT_TRUE(b.empty());
    EXPECT_EQ(b.capacity(), 0u);
}

TEST(ByteBuffer, AppendConsumeKeepsOrder) {
    ByteBuffer b;
    b.append("hello ", 6);
    b.append("world", 5);
    b.consume(6);
    EXPECT_EQ(contents(b), "world");
    b.append("!", 1);
    EXPECT_EQ(contents(b), "world!");
    b.consume(6);
    EXPECT_TRUE(b.empty());
}

TEST(ByteBuffer, GrowsPastItsCapacity) {
    ByteBuffer b;
    std::string big(100000, 'x');
    b.append(big.data(), big.size());
    b.consume(99990);
    b.append("tail", 4);
    EXPECT_EQ(contents(b), "xxxxxxxxxxtail");
}

TEST(ByteBuffer, ShrinksWhenIdle) {
    ByteBuffer b;
    std::string big(100000, 'x');
    b.append(big.data(), big.size());
    b.shrink_if_idle();
    EXPECT_GT(b.capacity(), 0u);  // not empty: kept
    b.consume(b.size());
    b.shrink_if_idle();
    EXPECT_EQ(b.capacity(), 0u);
}

}  // namespace
}  // namespace akasa::net
