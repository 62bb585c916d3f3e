// A CONNACK and the client's Maximum Packet Size [MQTT-3.1.2-24]: optional properties are
// left out to make it fit (Response Information here; Reason String and User Properties
// [MQTT-3.2.2-19/20] likewise); one that still does not fit is not sent and the connection
// is closed at once, not at connect_timeout.
#include <gtest/gtest.h>

#include "mqtt/encoder.h"
#include "support/fixture.h"

namespace akasa::testing {
namespace {

using mqtt::ProtocolVersion;

class ConnackFitTest : public ServerTest {
  protected:
    void configure(ServerProcess& s) override {
        s.add_config("response_information: \"replies/{client_id}\"");
        // Far above the waits below: a close seen here is not the connect timeout.
        s.add_config("connect_timeout: 120");
    }
    static mqtt::Properties asking(std::optional<std::uint32_t> limit) {
        mqtt::Properties p;
        p.request_response_information = 1;
        p.session_expiry_interval = 30;
        if (limit) p.maximum_packet_size = *limit;
        return p;
    }
    // The CONNACK's size with and without its Response Information, for a client id of
    // the length of "fit-0".
    void measure(std::size_t& full, std::size_t& without_response_information) {
        TestClient probe(port(), ProtocolVersion::V5);
        auto connack = probe.connect_ok("fit-0", true, asking(std::nullopt));
        ASSERT_TRUE(connack.properties.response_information.has_value());
        full = mqtt::encoded_size(mqtt::Packet(connack), ProtocolVersion::V5);
        connack.properties.response_information.reset();
        without_response_information =
            mqtt::encoded_size(mqtt::Packet(connack), ProtocolVersion::V5);
        probe.disconnect();
    }
    // Sends a CONNECT whose smallest CONNACK is one byte over the client's limit.
    static void connect_too_small(TestClient& client, std::string_view client_id,
                                  std::size_t smallest_connack) {
        mqtt::Connect connect;
        connect.version = ProtocolVersion::V5;
        connect.client_id = client_id;
        connect.properties = asking(static_cast<std::uint32_t>(smallest_connack - 1));
        client.send(connect);
    }
};

TEST_F(ConnackFitTest, ResponseInformationLeftOutToFit_MQTT_3_1_2_24) {
    std::size_t full = 0, small = 0;
    measure(full, small);
    ASSERT_LT(small, full);
    TestClient client(port(), ProtocolVersion::V5);
    const auto connack =
        client.connect_ok("fit-1", true, asking(static_cast<std::uint32_t>(small)));
    EXPECT_FALSE(connack.properties.response_information.has_value());
    EXPECT_EQ(connack.properties.session_expiry_interval, 30u);  // required ones stay
    // The session works.
    client.subscribe("fit/t", mqtt::QoS::AtLeastOnce);
    client.publish("fit/t", "x", mqtt::QoS::AtMostOnce);
    EXPECT_EQ(client.receive_publish().payload, "x");

    TestClient roomy(port(), ProtocolVersion::V5);
    const auto full_connack =
        roomy.connect_ok("fit-2", true, asking(static_cast<std::uint32_t>(full)));
    EXPECT_TRUE(full_connack.properties.response_information.has_value());  // fits: kept
}

TEST_F(ConnackFitTest, ConnackThatCannotFitClosesAtOnce_MQTT_3_1_2_24) {
    std::size_t full = 0, small = 0;
    measure(full, small);
    TestClient client(port(), ProtocolVersion::V5);
    connect_too_small(client, "fit-3", small);
    std::vector<std::unique_ptr<Received>> before;
    EXPECT_TRUE(client.wait_closed(10s, &before));
    EXPECT_TRUE(before.empty()) << "no packet larger than the limit, no CONNACK at all";
    EXPECT_TRUE(server.wait_for_log("exceeds its Maximum Packet Size"));
    // Others are served as before.
    TestClient other(port(), ProtocolVersion::V5);
    EXPECT_EQ(other.connect_ok("fit-4").reason_code, 0);
}

TEST_F(ConnackFitTest, ConnackThatCannotFitTakesNoSessionOver) {
    // Checked before the takeover [MQTT-3.1.4-3]: a connection that cannot be answered does
    // not close the client id's current connection or touch its session.
    std::size_t full = 0, small = 0;
    measure(full, small);
    TestClient holder(port(), ProtocolVersion::V5);
    holder.connect_ok("fit-5", true, asking(std::nullopt));
    holder.subscribe("fit/held", mqtt::QoS::AtLeastOnce);

    TestClient intruder(port(), ProtocolVersion::V5);
    connect_too_small(intruder, "fit-5", small);
    EXPECT_TRUE(intruder.wait_closed(10s));

    TestClient publisher(port());
    publisher.connect_ok("fit-6");
    publisher.publish("fit/held", "still mine", mqtt::QoS::AtLeastOnce);
    EXPECT_EQ(holder.receive_publish().payload, "still mine");
    EXPECT_EQ(server.log().find("session taken over"), std::string::npos);
}

}  // namespace
}  // namespace akasa::testing
