// allowed_origins in the WebSocket upgrade (net/websocket/handshake.h): a listed Origin is
// upgraded, another one gets 403, and a request without Origin (a non-browser client) passes.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "net/http/http_request.h"
#include "net/websocket/handshake.h"
#include "net/websocket/websocket_session.h"

namespace akasa::net::websocket {
namespace {

std::span<const std::uint8_t> bytes(const std::string& s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::string text(const ByteBuffer& b) {
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string request(const std::string& extra) {
    return "GET /mqtt HTTP/1.1\r\nHost: broker\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
           "Sec-WebSocket-Protocol: mqtt\r\n" +
           extra + "\r\n";
}

http::HttpRequest parse(const std::string& text) {
    auto r = http::parse_http_request(bytes(text));
    EXPECT_EQ(r.status, http::HttpParseStatus::Complete) << r.error;
    return r.request;
}

const UpgradePolicy kPolicy{
    .listener = "ws",
    .path = "",
    .allowed_origins = {{"https://app.example.com", "http://localhost:3000"}}};

UpgradeDecision decide(const std::string& extra, const UpgradePolicy& policy = kPolicy) {
    return evaluate_upgrade(parse(request(extra)), policy);
}

TEST(WebSocketOrigin, ListedOriginIsUpgraded) {
    EXPECT_TRUE(decide("Origin: https://app.example.com\r\n").accepted);
    EXPECT_TRUE(decide("Origin: http://localhost:3000\r\n").accepted);
}

TEST(WebSocketOrigin, SchemeAndHostCompareCaseInsensitivelyAndDefaultPortsMatch) {
    EXPECT_TRUE(decide("Origin: HTTPS://App.Example.COM\r\n").accepted);
    EXPECT_TRUE(decide("Origin: https://app.example.com:443\r\n").accepted);
    EXPECT_TRUE(decide("origin: https://app.example.com\r\n").accepted);  // field name too
}

TEST(WebSocketOrigin, UnlistedOriginIsRefusedWith403AndTheLogNamesItAndTheKey) {
    auto d = decide("Origin: https://evil.example\r\n");
    EXPECT_FALSE(d.accepted);
    EXPECT_EQ(d.response.status, 403);
    EXPECT_TRUE(d.response.close);
    EXPECT_EQ(d.error, "origin \"https://evil.example\" is not in listeners.ws.allowed_origins");
    // Another port, scheme or a path is another origin.
    EXPECT_FALSE(decide("Origin: http://localhost:3001\r\n").accepted);
    EXPECT_FALSE(decide("Origin: http://app.example.com\r\n").accepted);
    EXPECT_FALSE(decide("Origin: https://app.example.com.evil.example\r\n").accepted);
    EXPECT_FALSE(decide("Origin: https://app.example.com/\r\n").accepted);
    EXPECT_FALSE(decide("Origin: null\r\n").accepted);
    EXPECT_FALSE(decide("Origin: \r\n").accepted);
}

TEST(WebSocketOrigin, TheOriginIsEscapedInTheLogText) {
    // The HTTP parser already refuses control characters in a field; bytes above 0x7f, quotes
    // and tabs get through it and are escaped.
    auto d = decide("Origin: https://x.example\xc2\x9b\t\"\\\r\n");
    EXPECT_EQ(d.response.status, 403);
    EXPECT_EQ(d.error,
              "origin \"https://x.example\\xc2\\x9b\\x09\\\"\\\\\" is not in "
              "listeners.ws.allowed_origins");
}

TEST(WebSocketOrigin, EveryOriginFieldMustBeListed) {
    EXPECT_FALSE(
        decide("Origin: https://app.example.com\r\nOrigin: https://evil.example\r\n").accepted);
}

TEST(WebSocketOrigin, NoOriginHeaderIsUpgraded) {
    // Non-browser clients (MQTT.js in node, paho, mosquitto) send none.
    EXPECT_TRUE(decide("").accepted);
}

TEST(WebSocketOrigin, WithoutAPolicyAnyOriginIsUpgraded) {
    EXPECT_TRUE(decide("Origin: https://evil.example\r\n", UpgradePolicy{}).accepted);
}

TEST(WebSocketOrigin, AnEmptyListRefusesEveryBrowser) {
    const UpgradePolicy none{
        .listener = "wss", .path = "", .allowed_origins = std::vector<std::string>{}};
    const auto refused = decide("Origin: https://app.example.com\r\n", none);
    EXPECT_EQ(refused.response.status, 403);
    EXPECT_EQ(refused.error,
              "origin \"https://app.example.com\" is not in listeners.wss.allowed_origins");
    EXPECT_TRUE(decide("", none).accepted);
}

TEST(WebSocketOrigin, OtherErrorsComeFirst) {
    // A bad request keeps its own answer: the origin does not hide what is wrong with it.
    auto r = parse("GET /mqtt HTTP/1.1\r\nHost: b\r\nOrigin: https://evil.example\r\n\r\n");
    EXPECT_EQ(evaluate_upgrade(r, kPolicy).response.status, 426);
    UpgradePolicy with_path = kPolicy;
    with_path.path = "/mqtt";
    auto other = parse(request("Origin: https://evil.example\r\n"));
    other.target = "/other";
    EXPECT_EQ(evaluate_upgrade(other, with_path).response.status, 404);
}

TEST(WebSocketOrigin, SessionAnswers403AndFails) {
    WebSocketSession ws({}, http::kDefaultMaxHeadSize,
                        std::make_shared<const UpgradePolicy>(kPolicy));
    ByteBuffer mqtt, wire;
    auto r = ws.feed(bytes(request("Origin: https://evil.example\r\n")), mqtt, wire);
    EXPECT_EQ(r.status, FeedStatus::Failed);
    EXPECT_EQ(r.close_code, 0);
    EXPECT_EQ(r.error,
              "WebSocket upgrade: origin \"https://evil.example\" is not in "
              "listeners.ws.allowed_origins");
    EXPECT_EQ(text(wire).rfind("HTTP/1.1 403 Forbidden\r\n", 0), 0u) << text(wire);
    EXPECT_NE(text(wire).find("Connection: close\r\n"), std::string::npos);
    EXPECT_FALSE(ws.upgraded());
    EXPECT_TRUE(mqtt.empty());
}

TEST(WebSocketOrigin, SessionUpgradesAListedOrigin) {
    WebSocketSession ws({}, http::kDefaultMaxHeadSize,
                        std::make_shared<const UpgradePolicy>(kPolicy));
    ByteBuffer mqtt, wire;
    auto r = ws.feed(bytes(request("Origin: https://app.example.com\r\n")), mqtt, wire);
    EXPECT_EQ(r.status, FeedStatus::Open);
    EXPECT_TRUE(ws.upgraded());
    EXPECT_EQ(text(wire).rfind("HTTP/1.1 101 ", 0), 0u);
}

}  // namespace
}  // namespace akasa::net::websocket
