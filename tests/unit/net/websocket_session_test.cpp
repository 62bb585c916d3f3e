// A WebSocket connection from the upgrade request to frames and the close.
#include "net/websocket/websocket_session.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

namespace akasa::net::websocket {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string text(const ByteBuffer& b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

const std::string kUpgrade =
    "GET /mqtt HTTP/1.1\r\nHost: b\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    "Sec-WebSocket-Protocol: mqtt\r\n\r\n";

// A masked binary frame (mask 0) holding `payload`.
std::string frame(const std::string& payload) {
    std::string f = {'\x82', static_cast<char>(0x80 | payload.size()), 0, 0, 0, 0};
    return f + payload;
}

TEST(WebSocketSession, UpgradeThenFramesInTheSameRead) {
    WebSocketSession ws;
    ByteBuffer mqtt, wire;
    auto r = ws.feed(bytes(kUpgrade + frame(std::string("\xc0\x00", 2))), mqtt, wire);
    EXPECT_EQ(r.status, FeedStatus::Open);
    EXPECT_TRUE(ws.upgraded());
    EXPECT_EQ(ws.subprotocol(), "mqtt");
    EXPECT_EQ(text(wire).rfind("HTTP/1.1 101 Switching Protocols\r\n", 0), 0u);
    EXPECT_EQ(text(mqtt), std::string("\xc0\x00", 2));

    wire.clear();
    ws.write(bytes(std::string("\xd0\x00", 2)), wire);
    EXPECT_EQ(text(wire), std::string("\x82\x02\xd0\x00", 4));
}

TEST(WebSocketSession, UpgradeSplitOverReads) {
    WebSocketSession ws;
    ByteBuffer mqtt, wire;
    for (char c : kUpgrade.substr(0, kUpgrade.size() - 1)) {
        ASSERT_EQ(ws.feed(bytes(std::string(1, c)), mqtt, wire).status, FeedStatus::Open);
    }
    EXPECT_FALSE(ws.upgraded());
    EXPECT_TRUE(wire.empty());
    EXPECT_EQ(ws.feed(bytes("\n"), mqtt, wire).status, FeedStatus::Open);
    EXPECT_TRUE(ws.upgraded());
}

TEST(WebSocketSession, NothingIsWrittenBeforeTheUpgrade) {
    WebSocketSession ws;
    ByteBuffer wire;
    ws.write(bytes("x"), wire);
    ws.close(close_code::kGoingAway, "", wire);
    EXPECT_TRUE(wire.empty());
}

TEST(WebSocketSession, BadUpgradeGetsAnHttpErrorNotASilentClose) {
    WebSocketSession ws;
    ByteBuffer mqtt, wire;
    auto r = ws.feed(bytes("GET /mqtt HTTP/1.1\r\nHost: b\r\n\r\n"), mqtt, wire);
    EXPECT_EQ(r.status, FeedStatus::Failed);
    EXPECT_EQ(r.close_code, 0);
    EXPECT_EQ(text(wire).rfind("HTTP/1.1 426 Upgrade Required\r\n", 0), 0u) << text(wire);
    EXPECT_NE(text(wire).find("Connection: close"), std::string::npos);
    EXPECT_EQ(ws.feed(bytes(kUpgrade), mqtt, wire).status, FeedStatus::Failed);
}

TEST(WebSocketSession, PathPolicyAnswers404OnAnotherPathAndUpgradesOnItsOwn) {
    auto policy = std::make_shared<const UpgradePolicy>(
        UpgradePolicy{.listener = "ws", .path = "/mqtt", .allowed_origins = {}});
    std::string elsewhere = kUpgrade;
    elsewhere.replace(0, 9, "GET /ws");
    WebSocketSession refused({}, http::kDefaultMaxHeadSize, policy);
    ByteBuffer mqtt, wire;
    auto r = refused.feed(bytes(elsewhere), mqtt, wire);
    EXPECT_EQ(r.status, FeedStatus::Failed);
    EXPECT_EQ(r.error, "WebSocket upgrade: path \"/ws\" is not listeners.ws.path (/mqtt)");
    EXPECT_EQ(text(wire).rfind("HTTP/1.1 404 Not Found\r\n", 0), 0u) << text(wire);
    EXPECT_NE(text(wire).find("Connection: close\r\n"), std::string::npos);

    WebSocketSession accepted({}, http::kDefaultMaxHeadSize, policy);
    ByteBuffer wire2;
    EXPECT_EQ(accepted.feed(bytes(kUpgrade), mqtt, wire2).status, FeedStatus::Open);
    EXPECT_TRUE(accepted.upgraded());
}

TEST(WebSocketSession, MalformedRequestIs400) {
    WebSocketSession ws;
    ByteBuffer mqtt, wire;
    auto r = ws.feed(bytes(std::string("\x10\x0c\x00\x04MQTT\r\n\r\n", 12)), mqtt, wire);
    EXPECT_EQ(r.status, FeedStatus::Failed);
    EXPECT_EQ(text(wire).rfind("HTTP/1.1 400", 0), 0u);
}

TEST(WebSocketSession, OversizedRequestHeadIs431) {
    WebSocketSession ws({}, 1024);
    ByteBuffer mqtt, wire;
    auto r = ws.feed(bytes("GET /mqtt HTTP/1.1\r\nX: " + std::string(2000, 'a')), mqtt, wire);
    EXPECT_EQ(r.status, FeedStatus::Failed);
    EXPECT_EQ(text(wire).rfind("HTTP/1.1 431", 0), 0u);
}

TEST(WebSocketSession, CloseAfterUpgrade) {
    WebSocketSession ws;
    ByteBuffer mqtt, wire;
    ws.feed(bytes(kUpgrade), mqtt, wire);
    wire.clear();
    ws.close(close_code::kNormal, "", wire);
    EXPECT_EQ(text(wire), std::string("\x88\x02\x03\xe8", 4));
    wire.clear();
    ws.write(bytes("x"), wire);  // nothing after our close frame
    EXPECT_TRUE(wire.empty());
}

}  // namespace
}  // namespace akasa::net::websocket
