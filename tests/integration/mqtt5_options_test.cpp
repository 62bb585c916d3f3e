// MQTT 5 behaviours behind config keys of ours: validate_payload_format (0x99) and
// response_information (Request Response Information / Response Information).
#include <gtest/gtest.h>

#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;
using mqtt::QoS;
using mqtt::ReasonCode;

const std::string kNotUtf8 = "\xff\xfe broken";

mqtt::Publish utf8_marked(std::string_view topic, const std::string& payload, QoS qos,
                          std::uint16_t id) {
    mqtt::Publish publish;
    publish.topic = topic;
    publish.payload = payload;
    publish.qos = qos;
    publish.packet_id = id;
    publish.properties.payload_format_indicator = 1;
    return publish;
}

class PayloadFormatTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override { s.add_config("validate_payload_format: true"); }
};

TEST_F(PayloadFormatTest, InvalidUtf8MarkedAsUtf8GetsPubackWith0x99AndIsNotRouted) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    sub.connect_ok("pfi-sub");
    pub.connect_ok("pfi-pub");
    sub.subscribe("pfi/t", QoS::AtLeastOnce);
    pub.send(utf8_marked("pfi/t", kNotUtf8, QoS::AtLeastOnce, 1));
    EXPECT_EQ(pub.expect<mqtt::PubAck>().reason_code, ReasonCode::PayloadFormatInvalid);
    pub.send(utf8_marked("pfi/t", "h\xc3\xa9llo", QoS::AtLeastOnce, 2));  // valid UTF-8
    EXPECT_EQ(pub.expect<mqtt::PubAck>().reason_code, ReasonCode::Success);
    // Not marked as UTF-8: any bytes are fine.
    pub.publish("pfi/t", kNotUtf8, QoS::AtLeastOnce);
    auto got = sub.receive_messages(2);
    EXPECT_EQ(got[0].payload, "h\xc3\xa9llo");
    EXPECT_EQ(got[1].payload, kNotUtf8);
    EXPECT_EQ(sub.publishes_within(200ms), 0u);
}

TEST_F(PayloadFormatTest, QoS2GetsPubrecWith0x99AndQoS0ADisconnect) {
    TestClient pub(port(), ProtocolVersion::V5);
    pub.connect_ok("pfi-qos");
    pub.send(utf8_marked("pfi/t", kNotUtf8, QoS::ExactlyOnce, 3));
    EXPECT_EQ(pub.expect<mqtt::PubRec>().reason_code, ReasonCode::PayloadFormatInvalid);
    pub.send(utf8_marked("pfi/t", kNotUtf8, QoS::AtMostOnce, 0));
    std::vector<std::unique_ptr<Received>> before;
    ASSERT_TRUE(pub.wait_closed(5s, &before));
    ASSERT_EQ(before.size(), 1u);
    ASSERT_NE(before[0]->get<mqtt::Disconnect>(), nullptr);
    EXPECT_EQ(before[0]->get<mqtt::Disconnect>()->reason_code, ReasonCode::PayloadFormatInvalid);
}

TEST_F(PayloadFormatTest, WillMarkedUtf8ThatIsNotGetsConnack0x99) {
    TestClient client(port(), ProtocolVersion::V5);
    mqtt::Will will;
    will.topic = "pfi/will";
    will.payload = kNotUtf8;
    will.properties.payload_format_indicator = 1;
    EXPECT_EQ(client.connect("pfi-will", true, 60, {}, will).reason_code,
              static_cast<std::uint8_t>(ReasonCode::PayloadFormatInvalid));
}

class NoPayloadFormatCheckTest : public ServerTest {};

TEST_F(NoPayloadFormatCheckTest, PayloadFormatIndicatorIsForwardedUnchecked_MQTT_3_3_2_4) {
    TestClient sub(port(), ProtocolVersion::V5), pub(port(), ProtocolVersion::V5);
    sub.connect_ok("pfi-off-sub");
    pub.connect_ok("pfi-off-pub");
    sub.subscribe("pfi/t", QoS::AtLeastOnce);
    pub.send(utf8_marked("pfi/t", kNotUtf8, QoS::AtLeastOnce, 1));
    EXPECT_EQ(pub.expect<mqtt::PubAck>().reason_code, ReasonCode::Success);
    auto got = sub.receive_messages(1)[0];
    EXPECT_EQ(got.payload, kNotUtf8);
    // [MQTT-3.3.2-4]: the indicator reaches the subscriber unaltered.
    EXPECT_EQ(got.properties.payload_format_indicator, std::optional<std::uint8_t>(1));
}

TEST_F(NoPayloadFormatCheckTest, NoResponseInformationWhenNoneIsConfigured) {
    TestClient client(port(), ProtocolVersion::V5);
    mqtt::Properties ask;
    ask.request_response_information = 1;
    EXPECT_FALSE(client.connect_ok("ri-none", true, ask).properties.response_information);
}

class ResponseInformationTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override {
        s.add_config("response_information: \"reply/{client_id}/\"");
    }
};

TEST_F(ResponseInformationTest, SentOnlyWhenRequested_MQTT_3_1_2_28) {
    TestClient asking(port(), ProtocolVersion::V5);
    mqtt::Properties ask;
    ask.request_response_information = 1;
    const auto connack = asking.connect_ok("ri-client", true, ask);
    ASSERT_TRUE(connack.properties.response_information.has_value());
    EXPECT_EQ(*connack.properties.response_information, "reply/ri-client/");

    TestClient silent(port(), ProtocolVersion::V5);
    EXPECT_FALSE(silent.connect_ok("ri-silent").properties.response_information.has_value());
}

}  // namespace
}  // namespace akasa::testing
