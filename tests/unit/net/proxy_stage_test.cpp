// The PROXY header stage: buffering across reads and passing the rest through.
#include "net/proxy/proxy_stage.h"

#include <gtest/gtest.h>

#include <string>

namespace akasa::net::proxy {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string text(const ByteBuffer& b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

TEST(ProxyStage, HeaderAndMqttInOneRead) {
    ProxyStage stage;
    ByteBuffer rest;
    EXPECT_EQ(stage.feed(bytes("PROXY TCP4 1.2.3.4 5.6.7.8 10 1883\r\nMQTT"), rest),
              StageStatus::Passing);
    ASSERT_TRUE(stage.header());
    EXPECT_EQ(stage.header()->source->to_string(), "1.2.3.4:10");
    EXPECT_EQ(text(rest), "MQTT");
    EXPECT_EQ(stage.feed(bytes("more"), rest), StageStatus::Passing);
    EXPECT_EQ(text(rest), "MQTTmore");
}

TEST(ProxyStage, HeaderSplitOverReads) {
    ProxyStage stage;
    ByteBuffer rest;
    std::string all = "PROXY TCP6 ::1 ::2 1 2\r\nxy";
    for (std::size_t i = 0; i + 3 < all.size(); ++i) {
        EXPECT_EQ(stage.feed(bytes(all.substr(i, 1)), rest), StageStatus::NeedMore) << i;
    }
    EXPECT_EQ(stage.feed(bytes(all.substr(all.size() - 3)), rest), StageStatus::Passing);
    EXPECT_EQ(text(rest), "xy");
    EXPECT_EQ(stage.header()->destination->to_string(), "[::2]:2");
}

TEST(ProxyStage, InvalidHeaderFailsForGood) {
    ProxyStage stage;
    ByteBuffer rest;
    EXPECT_EQ(stage.feed(bytes("\x10\x0c"), rest), StageStatus::Failed);
    EXPECT_NE(stage.error().find("PROXY"), std::string::npos);
    EXPECT_EQ(stage.feed(bytes("PROXY UNKNOWN\r\n"), rest), StageStatus::Failed);
    EXPECT_TRUE(rest.empty());
    EXPECT_FALSE(stage.header());
}

}  // namespace
}  // namespace akasa::net::proxy
