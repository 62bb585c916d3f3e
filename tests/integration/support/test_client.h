// A small blocking MQTT client for integration tests, built on the project's codec. Every
// wait has a timeout and waits on the socket (poll), never sleeps. Failures (timeout,
// unexpected packet) throw std::runtime_error, which GoogleTest reports with the message.
//
//   TestClient c(server.port(), ProtocolVersion::V5);
//   c.connect("client-1");                       // CONNECT + expects CONNACK 0
//   c.subscribe("a/#", QoS::AtLeastOnce);        // SUBSCRIBE + expects SUBACK
//   c.publish("a/b", "hi", QoS::AtLeastOnce);    // PUBLISH + expects PUBACK
//   auto msg = c.expect<mqtt::Publish>();        // next packet must be a PUBLISH
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/packets.h"

namespace akasa::testing {

using namespace std::chrono_literals;

// A packet received, with the bytes its views point into.
struct Received {
    std::vector<std::uint8_t> bytes;
    mqtt::Packet packet;

    template <class T>
    const T* get() const {
        return std::get_if<T>(&packet);
    }
};

// A PUBLISH as received, owned.
struct ReceivedMessage {
    std::string topic;
    std::string payload;
    mqtt::QoS qos = mqtt::QoS::AtMostOnce;
    bool retain = false;
    bool dup = false;
    std::uint16_t packet_id = 0;
    mqtt::Properties properties;  // views into `owner`
    std::shared_ptr<Received> owner;
};

class TestClient {
  public:
    explicit TestClient(std::uint16_t port,
                        mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V311);
    ~TestClient();
    TestClient(const TestClient&) = delete;
    TestClient& operator=(const TestClient&) = delete;

    mqtt::ProtocolVersion version() const { return version_; }

    void send(const mqtt::Packet& packet);
    void send_raw(std::span<const std::uint8_t> bytes);

    // The next packet, or nullopt on timeout or when the server closed the connection.
    std::unique_ptr<Received> receive(std::chrono::milliseconds timeout = 5s);
    // The next packet, which must be a T.
    template <class T>
    T expect(std::chrono::milliseconds timeout = 5s) {
        auto r = receive(timeout);
        if (!r)
            throw std::runtime_error(std::string("expected ") + type_name<T>() + ", got " +
                                     (closed_ ? "connection closed" : "timeout"));
        if (!r->get<T>()) {
            throw std::runtime_error(std::string("expected ") + type_name<T>() + ", got " +
                                     mqtt::to_string(mqtt::packet_type(r->packet)));
        }
        keep_.push_back(std::move(r));  // keeps the views valid for the test
        return *keep_.back()->get<T>();
    }
    // True when the server closes the connection within the timeout (packets before the
    // close are collected into `before`, if given).
    bool wait_closed(std::chrono::milliseconds timeout = 5s,
                     std::vector<std::unique_ptr<Received>>* before = nullptr);
    // True when nothing arrives within `window` (for "must not be delivered" checks; the
    // window is a bound, not a timing assumption: a late packet still fails later checks).
    bool quiet_for(std::chrono::milliseconds window);

    // CONNECT with the given fields and returns the CONNACK.
    mqtt::Connack connect(std::string_view client_id, bool clean_start = true,
                          std::uint16_t keep_alive = 60, const mqtt::Properties& properties = {},
                          std::optional<mqtt::Will> will = std::nullopt,
                          std::optional<std::string_view> username = std::nullopt,
                          std::optional<std::string_view> password = std::nullopt);
    // connect() that must be accepted (throws otherwise).
    mqtt::Connack connect_ok(std::string_view client_id, bool clean_start = true,
                             const mqtt::Properties& properties = {});
    // SUBSCRIBE one filter; returns the SUBACK reason codes.
    std::vector<std::uint8_t> subscribe(std::string_view filter, mqtt::QoS qos,
                                        mqtt::SubscriptionOptions options = {},
                                        const mqtt::Properties& properties = {});
    // PUBLISH and complete its QoS flow (PUBACK, or PUBREC/PUBREL/PUBCOMP).
    void publish(std::string_view topic, std::string_view payload, mqtt::QoS qos,
                 bool retain = false, const mqtt::Properties& properties = {});
    // Waits for a PUBLISH and acknowledges it per its QoS (PUBACK, or PUBREC -> PUBREL ->
    // PUBCOMP, handled here). Other packets in between throw.
    mqtt::Publish receive_publish(std::chrono::milliseconds timeout = 5s, bool ack = true);
    // Receives `count` PUBLISH packets, acknowledging each per QoS and handling
    // PUBREL/PUBCOMP interleaved with them (as a real client with a window would). Throws
    // on timeout (for the whole batch) or on any other packet type.
    std::vector<ReceivedMessage> receive_messages(std::size_t count,
                                                  std::chrono::milliseconds timeout = 10s,
                                                  bool ack = true);
    // Answers PUBREL with PUBCOMP until nothing arrives for `window`; returns how many
    // PUBLISH packets arrived meanwhile (for "nothing more is delivered" checks).
    std::size_t publishes_within(std::chrono::milliseconds window);
    void disconnect(mqtt::ReasonCode reason = mqtt::ReasonCode::NormalDisconnection,
                    const mqtt::Properties& properties = {});
    std::uint16_t next_packet_id();

    void close();

  private:
    template <class T>
    static const char* type_name() {
        return mqtt::to_string(
            static_cast<mqtt::PacketType>(mqtt::Packet(std::in_place_type<T>).index() + 1));
    }

    int fd_ = -1;
    mqtt::ProtocolVersion version_;
    std::vector<std::uint8_t> buffer_;
    bool closed_ = false;
    std::uint16_t packet_id_ = 0;
    std::vector<std::unique_ptr<Received>> keep_;
};

}  // namespace akasa::testing
