// The broker engine without sockets or threads, for unit tests: one Worker that is never
// start()ed, its connections over FakeTransports (fake_transport.h), run by the test one
// loop iteration at a time with a clock that moves only when the test says so.
//
// Tests speak MQTT bytes (the project's own encoder and decoder) through TestClient and see
// none of the engine's classes: engine_harness.cpp is the only test code that touches them
// (through Worker's test seam, worker.h), so reshaping the engine means editing that file.
//
//   EngineHarness broker;                                   // config::Config defaults
//   TestClient& sub = broker.connect(connect_packet("sub"));  // CONNECT, CONNACK checked
//   broker.subscribe(sub, "a/#", mqtt::QoS::AtLeastOnce);
//   TestClient& pub = broker.connect(connect_packet("pub"));
//   pub.send(publish_packet("a/b", "hi", mqtt::QoS::AtLeastOnce, 7));
//   broker.run();                                           // until nothing moves
//   auto packets = sub.take();                              // the PUBLISH, decoded
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.h"
#include "harness/fake_transport.h"
#include "harness/recording_store.h"
#include "mqtt/packets.h"
#include "mqtt/types.h"

namespace akasa::broker {
struct BrokerContext;
class Worker;
}  // namespace akasa::broker

namespace akasa::broker::harness {

// One packet the broker sent, decoded. Its views point into `bytes`: movable, not copyable.
struct Received {
    Received() = default;
    Received(Received&&) = default;
    Received& operator=(Received&&) = default;
    Received(const Received&) = delete;
    Received& operator=(const Received&) = delete;

    std::vector<std::uint8_t> bytes;  // the packet as it was on the wire
    mqtt::Packet packet;

    mqtt::PacketType type() const { return mqtt::packet_type(packet); }
    // The packet as a T, or null when it is another type.
    template <class T>
    const T* get() const {
        return std::get_if<T>(&packet);
    }
};

// "CONNACK, PUBLISH q1 id 3 a/b, PUBACK id 3": for failure messages.
std::string describe(const std::vector<Received>& packets);

// The client's end of one connection.
class TestClient {
  public:
    TestClient(std::shared_ptr<FakePeer> peer, mqtt::ProtocolVersion version);

    // Encodes `packet` for this client's version (a CONNECT sets the version) and makes it
    // readable for the broker, which reads it on the next loop iteration.
    void send(const mqtt::Packet& packet);
    void send_bytes(std::span<const std::uint8_t> bytes);
    // The client closes its side (FIN) / the connection is reset.
    void close() { peer_->close_input(); }
    void reset() { peer_->reset(); }
    // The client stops taking bytes: the broker's writes would block (its socket is full).
    void stop_reading() { peer_->set_room(0); }
    // The client takes bytes again, up to `room` of them before the socket is full again.
    void start_reading(std::size_t room = FakePeer::kUnlimited) { peer_->set_room(room); }

    // Packets the broker wrote since the last take(); a partial one waits for the next.
    std::vector<Received> take();
    // Bytes sent that the broker has not read from the socket.
    std::size_t unread_input() const { return peer_->unread(); }
    // The broker still holds the connection (false once it closed and destroyed it).
    bool connected() const { return peer_->transport_alive(); }
    mqtt::ProtocolVersion version() const { return version_; }
    FakePeer& peer() { return *peer_; }
    const FakePeer& peer() const { return *peer_; }

  private:
    std::shared_ptr<FakePeer> peer_;
    mqtt::ProtocolVersion version_;
    std::vector<std::uint8_t> partial_;  // received bytes not yet a whole packet
};

class EngineHarness {
  public:
    // config::Config defaults, except that no password is asked for (auth.enable false).
    static config::Config default_config() {
        config::Config config;
        config.auth.enable = false;
        return config;
    }

    // With config.persistence.enable the store is a real one in a fresh temporary directory
    // (config.persistence.dir is replaced), watched through store().
    explicit EngineHarness(config::Config config = default_config());
    ~EngineHarness();
    EngineHarness(const EngineHarness&) = delete;
    EngineHarness& operator=(const EngineHarness&) = delete;

    // A new connection, as if accepted on a listener; `version` until it sends a CONNECT.
    TestClient& add_client(mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V311);
    // add_client, send `connect`, run; fails the test unless the answer starts with a
    // CONNACK that accepts it. Everything received is taken (with a resumed session's
    // messages: send the CONNECT yourself to see those).
    TestClient& connect(const mqtt::Connect& connect);
    // SUBSCRIBE to one filter, run; fails the test unless the SUBACK grants `qos`.
    void subscribe(TestClient& client, std::string_view filter, mqtt::QoS qos,
                   std::uint16_t packet_id = 1);

    // One iteration of the worker's loop (its poll does not wait); returns the events it
    // dispatched.
    int step();
    // Bytes the broker's connection of `client` holds for input it has not handled yet.
    std::size_t input_buffer_bytes(const TestClient& client) const;
    // Iterations until the engine is quiet: a few in a row dispatch no event and move no
    // byte. Fails the test when that never happens.
    void run();
    // A SIGHUP reload as Broker::reload ends one: `config` becomes a new config generation,
    // posted to the worker, which takes it in the next step().
    void reload(config::Config config);
    // Moves the worker's clock; the next step() ticks (once) when a second has passed.
    void advance(std::chrono::milliseconds by) { now_ += by; }

    // QoS 0 PUBLISHes dropped unrouted because the worker was too far behind on their
    // client (akasa_messages_dropped_total{reason="qos0_worker_behind"}).
    std::uint64_t dropped_worker_behind() const;
    // QoS 0 deliveries dropped because their subscriber's output was full
    // (akasa_messages_dropped_total{reason="qos0_output_full"}).
    std::uint64_t dropped_output_full() const;

    bool persistent() const { return store_ != nullptr; }
    // The store under the engine (persistence on only).
    RecordingStore& store();

  private:
    std::size_t activity() const;  // bytes moved and connections alive, all clients

    std::filesystem::path store_dir_;  // removed last
    RecordingStore* store_ = nullptr;  // owned by the context's Persistence
    std::unique_ptr<BrokerContext> context_;
    Worker* worker_ = nullptr;  // owned by the context
    std::chrono::steady_clock::time_point now_;
    std::vector<std::unique_ptr<TestClient>> clients_;
    std::uint16_t next_port_ = 40000;
};

// Packets with the fields tests set most; their views point at the arguments.
mqtt::Connect connect_packet(std::string_view client_id,
                             mqtt::ProtocolVersion version = mqtt::ProtocolVersion::V311,
                             bool clean_start = true);
mqtt::Publish publish_packet(std::string_view topic, std::string_view payload,
                             mqtt::QoS qos = mqtt::QoS::AtMostOnce, std::uint16_t packet_id = 0);
// A v5 CONNECT whose session outlives its connection by `session_expiry_s`.
mqtt::Connect lasting(std::string_view client_id, bool clean_start,
                      std::uint32_t session_expiry_s = 3600);
mqtt::Subscribe subscribe_packet(std::uint16_t packet_id, std::string_view filter, mqtt::QoS qos);
mqtt::Will will_of(std::string_view topic, std::string_view payload,
                   mqtt::QoS qos = mqtt::QoS::AtMostOnce);
// A PubAck, PubRec, PubRel or PubComp for `packet_id`, reason Success.
template <class Response>
Response ack(std::uint16_t packet_id) {
    Response response;
    response.packet_id = packet_id;
    return response;
}

}  // namespace akasa::broker::harness
