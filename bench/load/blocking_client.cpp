#include "blocking_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "clock.h"
#include "mqtt/encoder.h"

namespace akasa::bench {
namespace {

using mqtt::ProtocolVersion;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error(what);
}

// Milliseconds left until `deadline_ns` for poll(), at least 0.
int millis_until(std::uint64_t deadline_ns) {
    const std::uint64_t now = monotonic_ns();
    return now >= deadline_ns ? 0 : static_cast<int>((deadline_ns - now) / 1'000'000 + 1);
}

}  // namespace

BlockingClient::~BlockingClient() {
    close();
}

void BlockingClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

bool BlockingClient::connect(const BrokerAddress& broker, std::uint32_t source_index,
                             std::string_view client_id, bool clean_session, double timeout_s) {
    close();
    decoder_ = mqtt::StreamDecoder(ProtocolVersion::V311);
    acks_.clear();
    fd_ = start_connect(broker, 32, source_index);
    if (fd_ < 0) fail(std::string("connect: ") + std::strerror(errno));
    const std::uint64_t deadline = monotonic_ns() + seconds_to_ns(timeout_s);
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, millis_until(deadline)) != 1) fail("connect: timed out");
    if (const int error = connect_error(fd_); error != 0)
        fail(std::string("connect: ") + std::strerror(error));
    mqtt::Connect packet;
    packet.clean_start = clean_session;
    packet.keep_alive = 60;
    packet.client_id = client_id;
    send(packet);
    if (!next_packet(timeout_s)) fail("CONNACK: timed out");
    const auto* connack = std::get_if<mqtt::Connack>(&packet_);
    if (!connack) fail("CONNACK: another packet came first");
    if (connack->reason_code != 0)
        fail("CONNACK: refused with code " + std::to_string(connack->reason_code));
    return connack->session_present;
}

void BlockingClient::subscribe(std::string_view filter, mqtt::QoS qos, double timeout_s) {
    mqtt::Subscribe packet;
    packet.packet_id = next_id_++;
    if (next_id_ == 0) next_id_ = 1;
    packet.topics.push_back({.filter = filter, .options = {.qos = qos}});
    send(packet);
    const std::uint64_t deadline = monotonic_ns() + seconds_to_ns(timeout_s);
    while (true) {
        if (!next_packet(static_cast<double>(millis_until(deadline)) / 1000)) {
            fail("SUBACK: timed out");
        }
        if (const auto* suback = std::get_if<mqtt::Suback>(&packet_)) {
            if (suback->reason_codes.empty() || suback->reason_codes[0] >= 0x80)
                fail("SUBACK: the subscription was refused");
            return;
        }
    }
}

void BlockingClient::publish_qos1(std::string_view topic, std::string_view payload,
                                  double timeout_s) {
    mqtt::Publish packet;
    packet.qos = mqtt::QoS::AtLeastOnce;
    packet.topic = topic;
    packet.payload = payload;
    packet.packet_id = next_id_++;
    if (next_id_ == 0) next_id_ = 1;
    const std::uint16_t id = packet.packet_id;
    send(packet);
    const std::uint64_t deadline = monotonic_ns() + seconds_to_ns(timeout_s);
    while (true) {
        if (!next_packet(static_cast<double>(millis_until(deadline)) / 1000)) {
            fail("PUBACK: timed out");
        }
        if (const auto* ack = std::get_if<mqtt::PubAck>(&packet_); ack && ack->packet_id == id)
            return;
    }
}

bool BlockingClient::receive_until(const std::function<bool()>& done, double idle_timeout_s) {
    while (!done()) {
        if (!next_packet(idle_timeout_s)) return false;
    }
    flush_acks();
    return true;
}

void BlockingClient::disconnect() {
    if (fd_ < 0) return;
    flush_acks();
    send(mqtt::Disconnect{});
    close();
}

void BlockingClient::send(const mqtt::Packet& packet) {
    out_.clear();
    mqtt::encode(packet, ProtocolVersion::V311, out_);
    send_all(out_);
}

void BlockingClient::send_all(std::span<const std::uint8_t> bytes) {
    std::size_t sent = 0;
    const std::uint64_t deadline = monotonic_ns() + 10 * kNsPerSecond;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EINTR)
            fail(std::string("send: ") + std::strerror(errno));
        pollfd p{fd_, POLLOUT, 0};
        if (::poll(&p, 1, millis_until(deadline)) == 0) fail("send: timed out");
    }
}

void BlockingClient::flush_acks() {
    if (acks_.empty() || fd_ < 0) return;
    send_all(acks_);
    acks_.clear();
}

bool BlockingClient::next_packet(double timeout_s) {
    const std::uint64_t deadline = monotonic_ns() + seconds_to_ns(timeout_s);
    std::uint8_t buffer[64 * 1024];
    while (true) {
        const auto status = decoder_.next(packet_);
        if (status == mqtt::StreamDecoder::Status::Error)
            fail("decoding the broker's packets: " + std::string(decoder_.error().message));
        if (status == mqtt::StreamDecoder::Status::Packet) {
            const auto* publish = std::get_if<mqtt::Publish>(&packet_);
            if (!publish) return true;
            if (on_message) on_message(*publish);
            if (publish->qos == mqtt::QoS::AtLeastOnce) {
                mqtt::encode(mqtt::PubAck{publish->packet_id, mqtt::ReasonCode::Success, {}},
                             ProtocolVersion::V311, acks_);
            }
            return true;
        }
        // Everything buffered is handled: acknowledge it before waiting for more.
        flush_acks();
        const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
        if (n > 0) {
            decoder_.feed({buffer, static_cast<std::size_t>(n)});
            continue;
        }
        if (n == 0) fail("the broker closed the connection");
        if (errno != EAGAIN && errno != EINTR) fail(std::string("recv: ") + std::strerror(errno));
        pollfd p{fd_, POLLIN, 0};
        const int ready = ::poll(&p, 1, millis_until(deadline));
        if (ready == 0) return false;
    }
}

}  // namespace akasa::bench
