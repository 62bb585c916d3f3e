// WebSocket opening handshake (RFC 6455 4.2) for MQTT (MQTT 3.1.1 / 5.0 section 6).
#include <gtest/gtest.h>

#include <string>

#include "net/http/http_request.h"
#include "net/websocket/handshake.h"

namespace akasa::net::websocket {
namespace {

std::string wire(const http::HttpResponse& r) {
    ByteBuffer out;
    http::append_response(r, out);
    return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

http::HttpRequest parse(const std::string& text) {
    auto r =
        http::parse_http_request({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    EXPECT_EQ(r.status, http::HttpParseStatus::Complete) << r.error;
    return r.request;
}

const std::string kKey = "dGhlIHNhbXBsZSBub25jZQ==";  // RFC 6455 1.3
const std::string kMqtt = "Sec-WebSocket-Protocol: mqtt\r\n";

std::string request(const std::string& extra = kMqtt,
                    const std::string& line = "GET /mqtt HTTP/1.1") {
    return line +
           "\r\nHost: broker\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " +
           kKey + "\r\n" + extra + "\r\n";
}

TEST(WebSocketAcceptKey, Rfc6455Example) {
    EXPECT_EQ(accept_key(kKey), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketUpgrade, AcceptsMqttSubprotocol) {
    auto d = evaluate_upgrade(parse(request()));
    ASSERT_TRUE(d.accepted) << d.error;
    EXPECT_EQ(d.subprotocol, "mqtt");
    EXPECT_EQ(wire(d.response),
              "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
              "Sec-WebSocket-Protocol: mqtt\r\n\r\n");
}

TEST(WebSocketUpgrade, MqttIsChosenWheneverOffered_MQTT_6_0_0_4) {
    // [MQTT-6.0.0-4] the subprotocol the server returns MUST be "mqtt", wherever the client
    // lists it and whatever else it offers.
    for (const char* offer : {"mqtt", "chat, mqttv3.1, mqtt", "mqttv3.1, mqtt", "mqtt, mqttv3.1"}) {
        auto d = evaluate_upgrade(
            parse(request("Sec-WebSocket-Protocol: " + std::string(offer) + "\r\n")));
        ASSERT_TRUE(d.accepted) << offer << ": " << d.error;
        EXPECT_EQ(d.subprotocol, "mqtt") << offer;
        EXPECT_NE(wire(d.response).find("\r\nSec-WebSocket-Protocol: mqtt\r\n"), std::string::npos);
    }
    // Over several fields too.
    auto split = evaluate_upgrade(
        parse(request("Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: mqtt\r\n")));
    ASSERT_TRUE(split.accepted);
    EXPECT_EQ(split.subprotocol, "mqtt");
}

TEST(WebSocketUpgrade, Mqttv31IsChosenWhenMqttIsNotOffered) {
    // MQTT 3.1 clients name the older subprotocol.
    auto d = evaluate_upgrade(parse(request("Sec-WebSocket-Protocol: chat, mqttv3.1\r\n")));
    ASSERT_TRUE(d.accepted) << d.error;
    EXPECT_EQ(d.subprotocol, "mqttv3.1");
    EXPECT_NE(wire(d.response).find("\r\nSec-WebSocket-Protocol: mqttv3.1\r\n"), std::string::npos);
}

TEST(WebSocketUpgrade, NoSubprotocolOfferedIsAcceptedAndAnsweredWithoutOne) {
    // RFC 6455 4.2.2: the server names a subprotocol only from the client's list.
    auto d = evaluate_upgrade(parse(request("")));
    ASSERT_TRUE(d.accepted) << d.error;
    EXPECT_EQ(d.subprotocol, "");
    EXPECT_EQ(wire(d.response).find("Sec-WebSocket-Protocol"), std::string::npos);
    // An empty field offers nothing either.
    auto empty = evaluate_upgrade(parse(request("Sec-WebSocket-Protocol: \r\n")));
    ASSERT_TRUE(empty.accepted) << empty.error;
    EXPECT_EQ(wire(empty.response).find("Sec-WebSocket-Protocol"), std::string::npos);
}

TEST(WebSocketUpgrade, CaseInsensitiveHeaderNamesAndTokens) {
    std::string text =
        "GET /mqtt?client=1 HTTP/1.1\r\nhost: b\r\nupgrade: WebSocket\r\n"
        "connection: keep-alive, UPGRADE\r\nsec-websocket-version: 13\r\n"
        "sec-websocket-key: " +
        kKey + "\r\nsec-websocket-protocol: mqtt\r\n\r\n";
    auto d = evaluate_upgrade(parse(text));
    EXPECT_TRUE(d.accepted) << d.error;
}

void expect_refused(const std::string& text, int status, std::string_view fragment) {
    auto d = evaluate_upgrade(parse(text));
    ASSERT_FALSE(d.accepted);
    EXPECT_EQ(d.response.status, status);
    EXPECT_TRUE(d.response.close);
    EXPECT_NE(d.error.find(fragment), std::string::npos) << d.error;
    EXPECT_EQ(wire(d.response).rfind("HTTP/1.1 " + std::to_string(status), 0), 0u);
}

TEST(WebSocketUpgrade, NonGetIs405) {
    expect_refused(request("", "POST /mqtt HTTP/1.1"), 405, "GET");
}

TEST(WebSocketUpgrade, AnyPathUpgradesWithoutAPathPolicy) {
    // As the Rust Akasa: MQTT.js and others connect to /mqtt, some clients to / or their own.
    for (const char* target : {"/", "/mqtt", "/mqtt/", "/anything/deeper", "/ws?token=abc"}) {
        auto d =
            evaluate_upgrade(parse(request(kMqtt, std::string("GET ") + target + " HTTP/1.1")));
        EXPECT_TRUE(d.accepted) << target << ": " << d.error;
    }
}

TEST(WebSocketUpgrade, WithAPathPolicyOnlyThatPathUpgradesAndTheQueryIsIgnored) {
    const UpgradePolicy policy{.listener = "wss", .path = "/mqtt", .allowed_origins = {}};
    for (const char* target : {"/mqtt", "/mqtt?client=1", "/mqtt?"}) {
        auto d = evaluate_upgrade(parse(request(kMqtt, std::string("GET ") + target + " HTTP/1.1")),
                                  policy);
        EXPECT_TRUE(d.accepted) << target << ": " << d.error;
    }
}

TEST(WebSocketUpgrade, WithAPathPolicyOtherPathsAre404) {
    const UpgradePolicy policy{.listener = "ws", .path = "/mqtt", .allowed_origins = {}};
    for (const char* target : {"/", "/mqtt/", "/MQTT", "/mqtt2", "/other?x=/mqtt"}) {
        auto d = evaluate_upgrade(parse(request(kMqtt, std::string("GET ") + target + " HTTP/1.1")),
                                  policy);
        ASSERT_FALSE(d.accepted) << target;
        EXPECT_EQ(d.response.status, 404) << target;
        EXPECT_TRUE(d.response.close);
        // The client is told where to go; the log names the path and the key.
        EXPECT_NE(d.response.body.find("use /mqtt"), std::string::npos) << d.response.body;
    }
    auto d = evaluate_upgrade(parse(request(kMqtt, "GET /other?x=1 HTTP/1.1")), policy);
    EXPECT_EQ(d.error, "path \"/other\" is not listeners.ws.path (/mqtt)");
}

TEST(WebSocketUpgrade, PathComesBeforeTheOtherHeaderChecks) {
    // A plain GET of another path is not this endpoint at all: 404, not 426.
    const UpgradePolicy policy{.listener = "ws", .path = "/mqtt", .allowed_origins = {}};
    EXPECT_EQ(evaluate_upgrade(parse("GET /index.html HTTP/1.1\r\nHost: b\r\n\r\n"), policy)
                  .response.status,
              404);
}

TEST(WebSocketUpgrade, Http10Is400) {
    expect_refused(request("", "GET /mqtt HTTP/1.0"), 400, "HTTP/1.1");
}

TEST(WebSocketUpgrade, PlainGetWithoutUpgradeIs426) {
    auto d = evaluate_upgrade(parse("GET /mqtt HTTP/1.1\r\nHost: b\r\n\r\n"));
    ASSERT_FALSE(d.accepted);
    EXPECT_EQ(d.response.status, 426);
    EXPECT_NE(wire(d.response).find("Upgrade: websocket\r\n"), std::string::npos);
}

TEST(WebSocketUpgrade, ConnectionWithoutUpgradeIs400) {
    std::string text = request();
    text.replace(text.find("Connection: Upgrade"), 19, "Connection: keep-alive");
    expect_refused(text, 400, "Connection");
}

TEST(WebSocketUpgrade, WrongVersionIs426WithSupportedVersion) {
    std::string text = request();
    text.replace(text.find("Version: 13"), 11, "Version: 8");
    auto d = evaluate_upgrade(parse(text));
    ASSERT_FALSE(d.accepted);
    EXPECT_EQ(d.response.status, 426);
    EXPECT_NE(wire(d.response).find("Sec-WebSocket-Version: 13\r\n"), std::string::npos);
}

TEST(WebSocketUpgrade, MissingVersionIs426) {
    std::string text = request();
    text.erase(text.find("Sec-WebSocket-Version: 13\r\n"), 27);
    expect_refused(text, 426, "Version");
}

TEST(WebSocketUpgrade, MissingKeyIs400) {
    std::string text = request();
    std::size_t at = text.find("Sec-WebSocket-Key");
    text.erase(at, text.find("\r\n", at) + 2 - at);
    expect_refused(text, 400, "missing Sec-WebSocket-Key");
}

TEST(WebSocketUpgrade, KeyNotSixteenBytesIs400) {
    std::string text = request();
    text.replace(text.find(kKey), kKey.size(), "dGhlIHNhbXBsZQ==");  // 11 bytes
    expect_refused(text, 400, "16 bytes");
    std::string bad = request();
    bad.replace(bad.find(kKey), kKey.size(), "!!!!!!!!!!!!!!!!!!!!!!==");
    expect_refused(bad, 400, "16 bytes");
}

TEST(WebSocketUpgrade, OnlyUnsupportedSubprotocolsIs400AndTheLogQuotesThem) {
    // Names are case-sensitive (RFC 6455 11.3.4): MQTT is not mqtt.
    expect_refused(request("Sec-WebSocket-Protocol: chat, MQTT\r\n"), 400, "subprotocol");
    auto d = evaluate_upgrade(
        parse(request("Sec-WebSocket-Protocol: chat\r\nSec-WebSocket-Protocol: MQTT\r\n")));
    EXPECT_EQ(d.error, "subprotocols offered \"chat, MQTT\" include neither mqtt nor mqttv3.1");
    EXPECT_NE(d.response.body.find("mqtt"), std::string::npos);
}

}  // namespace
}  // namespace akasa::net::websocket
