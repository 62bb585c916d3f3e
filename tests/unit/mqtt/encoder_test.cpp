// Exact wire bytes produced by the encoder (short forms, flags, version differences).
#include <gtest/gtest.h>

#include <string>

#include "test_support.h"

namespace akasa::mqtt::testing {
namespace {

constexpr auto V31 = ProtocolVersion::V31;
constexpr auto V311 = ProtocolVersion::V311;
constexpr auto V5 = ProtocolVersion::V5;

TEST(Encoder, Connect311) {
    Connect connect;
    connect.client_id = "id";
    connect.keep_alive = 60;
    connect.username = "u";
    const Bytes expected =
        frame(0x10, cat({str("MQTT"), {0x04, 0x82, 0x00, 0x3C}, str("id"), str("u")}));
    EXPECT_EQ(encoded(connect, V311), expected);
}

TEST(Encoder, Connect31UsesMQIsdp) {
    Connect connect;
    connect.version = V31;
    connect.client_id = "id";
    connect.clean_start = false;
    const Bytes expected = frame(0x10, cat({str("MQIsdp"), {0x03, 0x00, 0x00, 0x00}, str("id")}));
    Bytes out;
    encode(connect, out);
    EXPECT_EQ(out, expected);
}

TEST(Encoder, ConnectWillFlags) {
    Connect connect;
    connect.version = V5;
    connect.client_id = "";
    connect.will = Will{"t", "p", QoS::ExactlyOnce, true, {}};
    const Bytes expected = frame(
        0x10,
        cat({str("MQTT"), {0x05, 0x36, 0x00, 0x00, 0x00}, str(""), {0x00}, str("t"), str("p")}));
    Bytes out;
    encode(connect, out);
    EXPECT_EQ(out, expected);
}

TEST(Encoder, PublishQoS0) {
    Publish publish;
    publish.topic = "a/b";
    publish.payload = "xy";
    publish.retain = true;
    EXPECT_EQ(encoded(publish, V311), frame(0x31, cat({str("a/b"), {'x', 'y'}})));
    EXPECT_EQ(encoded(publish, V5), frame(0x31, cat({str("a/b"), {0x00, 'x', 'y'}})));
}

TEST(Encoder, PublishQoS1WithPacketIdAndDup) {
    Publish publish;
    publish.topic = "t";
    publish.qos = QoS::AtLeastOnce;
    publish.dup = true;
    publish.packet_id = 0x0102;
    EXPECT_EQ(encoded(publish, V311), frame(0x3A, cat({str("t"), {0x01, 0x02}})));
}

// The head of a PUBLISH is its whole encoding minus the payload bytes: the Remaining Length
// still counts them, so head + payload is the packet (a large payload is sent from the
// message, not copied; ClientConnection::write_publish).
TEST(Encoder, PublishHeadIsThePacketWithoutItsPayload) {
    const std::string payload(300, 'p');  // a two-byte Remaining Length
    Publish publish;
    publish.topic = "a/b";
    publish.qos = QoS::AtLeastOnce;
    publish.packet_id = 7;
    publish.payload = payload;
    publish.properties.user_properties.emplace_back("k", "v");
    for (auto version : {V311, V5}) {
        const Bytes whole = encoded(publish, version);
        Bytes head = {0xEE};  // appended to what is there, like encode()
        encode_publish_head(publish, version, head);
        ASSERT_EQ(head.size(), 1 + whole.size() - payload.size());
        EXPECT_EQ(Bytes(head.begin() + 1, head.end()),
                  Bytes(whole.begin(), whole.end() - static_cast<std::ptrdiff_t>(payload.size())));
        EXPECT_LE(head.capacity(), 64u) << "the payload's room must not be allocated";
    }
}

TEST(Encoder, PropertiesAreDroppedFor3x) {
    Publish publish;
    publish.topic = "t";
    publish.properties.message_expiry_interval = 5;
    EXPECT_EQ(encoded(publish, V311), frame(0x30, str("t")));
    EXPECT_EQ(encoded(publish, V5), frame(0x30, cat({str("t"), {0x05, 0x02, 0, 0, 0, 5}})));
}

TEST(Encoder, EncodedSizeMatchesForLargePayloads) {
    const std::string payload(200000, 'x');  // a 3-byte Remaining Length
    Publish publish;
    publish.topic = "t";
    publish.payload = payload;
    publish.properties.user_properties = {{"k", "v"}};
    for (auto version : {V311, V5}) {
        EXPECT_EQ(encoded(publish, version).size(), encoded_size(publish, version));
    }
}

// v5 3.4.2.1: Success without properties uses Remaining Length 2.
TEST(Encoder, PubAckShortForms) {
    PubAck ack;
    ack.packet_id = 7;
    EXPECT_EQ(encoded(ack, V5), (Bytes{0x40, 0x02, 0x00, 0x07}));
    ack.reason_code = ReasonCode::NoMatchingSubscribers;
    EXPECT_EQ(encoded(ack, V5), (Bytes{0x40, 0x03, 0x00, 0x07, 0x10}));
    EXPECT_EQ(encoded(ack, V311), (Bytes{0x40, 0x02, 0x00, 0x07}));
    ack.properties.reason_string = "r";
    EXPECT_EQ(encoded(ack, V5), (Bytes{0x40, 0x08, 0x00, 0x07, 0x10, 0x04, 0x1F, 0x00, 0x01, 'r'}));
}

TEST(Encoder, PubRelHasFlags0010) {
    PubRel rel;
    rel.packet_id = 1;
    EXPECT_EQ(encoded(rel, V311), (Bytes{0x62, 0x02, 0x00, 0x01}));
}

TEST(Encoder, SubscribeOptions) {
    Subscribe subscribe;
    subscribe.packet_id = 1;
    subscribe.topics.push_back({"a", {QoS::AtLeastOnce, true, true, 2}});
    EXPECT_EQ(encoded(subscribe, V311), frame(0x82, cat({{0x00, 0x01}, str("a"), {0x01}})));
    EXPECT_EQ(encoded(subscribe, V5), frame(0x82, cat({{0x00, 0x01, 0x00}, str("a"), {0x2D}})));
}

TEST(Encoder, UnsubscribeAndUnsuback) {
    Unsubscribe unsubscribe;
    unsubscribe.packet_id = 2;
    unsubscribe.topic_filters = {"a"};
    EXPECT_EQ(encoded(unsubscribe, V311), frame(0xA2, cat({{0x00, 0x02}, str("a")})));
    Unsuback unsuback;
    unsuback.packet_id = 2;
    unsuback.reason_codes = {0x11};
    EXPECT_EQ(encoded(unsuback, V311), (Bytes{0xB0, 0x02, 0x00, 0x02}));
    EXPECT_EQ(encoded(unsuback, V5), (Bytes{0xB0, 0x04, 0x00, 0x02, 0x00, 0x11}));
}

TEST(Encoder, ConnackPerVersion) {
    Connack connack;
    connack.session_present = true;
    connack.reason_code = 0;
    EXPECT_EQ(encoded(connack, V311), (Bytes{0x20, 0x02, 0x01, 0x00}));
    EXPECT_EQ(encoded(connack, V31), (Bytes{0x20, 0x02, 0x00, 0x00}));
    EXPECT_EQ(encoded(connack, V5), (Bytes{0x20, 0x03, 0x01, 0x00, 0x00}));
}

// v5 3.14.2.1: a normal DISCONNECT without properties is 2 bytes.
TEST(Encoder, DisconnectAndAuthShortForms) {
    Disconnect disconnect;
    EXPECT_EQ(encoded(disconnect, V5), (Bytes{0xE0, 0x00}));
    EXPECT_EQ(encoded(disconnect, V311), (Bytes{0xE0, 0x00}));
    disconnect.reason_code = ReasonCode::SessionTakenOver;
    EXPECT_EQ(encoded(disconnect, V5), (Bytes{0xE0, 0x01, 0x8E}));
    EXPECT_EQ(encoded(disconnect, V311), (Bytes{0xE0, 0x00}));
    Auth auth;
    EXPECT_EQ(encoded(auth, V5), (Bytes{0xF0, 0x00}));
    auth.reason_code = ReasonCode::ReAuthenticate;
    EXPECT_EQ(encoded(auth, V5), (Bytes{0xF0, 0x02, 0x19, 0x00}));
}

TEST(Encoder, PingPackets) {
    EXPECT_EQ(encoded(Pingreq{}, V311), (Bytes{0xC0, 0x00}));
    EXPECT_EQ(encoded(Pingresp{}, V5), (Bytes{0xD0, 0x00}));
}

TEST(Encoder, AppendsWithoutClearing) {
    Bytes out{0xAA};
    encode(Pingreq{}, V311, out);
    encode(Packet{Pingresp{}}, V311, out);
    EXPECT_EQ(out, (Bytes{0xAA, 0xC0, 0x00, 0xD0, 0x00}));
}

TEST(Encoder, PropertiesSize) {
    Properties p;
    EXPECT_EQ(properties_size(p), 0u);
    p.subscription_identifiers = {128};  // id + 2-byte varint
    p.user_properties = {{"k", "vv"}};   // id + 3 + 4
    EXPECT_EQ(properties_size(p), 3u + 8u);
}

}  // namespace
}  // namespace akasa::mqtt::testing
