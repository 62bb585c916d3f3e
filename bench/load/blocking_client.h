// A blocking MQTT 3.1.1 client over plain TCP, one per thread, for the churn mode: it walks
// one client through connect, subscribe, publish and receive, one step at a time, where the
// event-loop workers of the other modes hold thousands of connections at once. Every wait has
// a deadline; a failure throws std::runtime_error naming the step.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mqtt/decoder.h"
#include "mqtt/packets.h"
#include "tcp_connect.h"

namespace akasa::bench {

class BlockingClient {
  public:
    BlockingClient() = default;
    ~BlockingClient();
    BlockingClient(const BlockingClient&) = delete;
    BlockingClient& operator=(const BlockingClient&) = delete;

    // Connects and waits for CONNACK; returns its session present flag. Throws when the
    // broker refuses the connection or does not answer within `timeout_s`.
    bool connect(const BrokerAddress& broker, std::uint32_t source_index,
                 std::string_view client_id, bool clean_session, double timeout_s);
    // Subscribes to one filter and waits for its SUBACK (throws on a failure code).
    void subscribe(std::string_view filter, mqtt::QoS qos, double timeout_s);
    // Publishes at QoS 1 and waits for its PUBACK. PUBLISHes arriving meanwhile go to `on_message`
    // (acknowledged by the client).
    void publish_qos1(std::string_view topic, std::string_view payload, double timeout_s);
    // Reads until `done()` is true or `idle_timeout_s` passes without a packet; false on the
    // timeout. Each PUBLISH goes to `on_message` and is acknowledged (QoS 1).
    bool receive_until(const std::function<bool()>& done, double idle_timeout_s);
    // Sends DISCONNECT and closes the socket.
    void disconnect();
    // Closes the socket without DISCONNECT.
    void close();

    // Called for every PUBLISH received.
    std::function<void(const mqtt::Publish&)> on_message;

  private:
    void send(const mqtt::Packet& packet);
    void flush_acks();
    // Writes all of `bytes`; fails when they are not all sent within 10 s.
    void send_all(std::span<const std::uint8_t> bytes);
    // Waits for the next packet (up to `timeout_s`), in packet_; false on the timeout. A
    // PUBLISH has been handled when it returns (on_message called, its PUBACK queued).
    bool next_packet(double timeout_s);

    int fd_ = -1;
    std::uint16_t next_id_ = 1;
    mqtt::StreamDecoder decoder_;
    mqtt::Packet packet_;
    std::vector<std::uint8_t> out_;
    std::vector<std::uint8_t> acks_;
};

}  // namespace akasa::bench
