#include "test_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "mqtt/decoder.h"
#include "mqtt/encoder.h"

namespace akasa::testing {

using Clock = std::chrono::steady_clock;

TestClient::TestClient(std::uint16_t port, mqtt::ProtocolVersion version) : version_(version) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        int e = errno;
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error(std::string("connect: ") + std::strerror(e));
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

TestClient::~TestClient() {
    close();
}

void TestClient::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void TestClient::send_raw(std::span<const std::uint8_t> bytes) {
    std::size_t done = 0;
    while (done < bytes.size()) {
        ssize_t n = ::send(fd_, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw std::runtime_error(std::string("send: ") + std::strerror(errno));
        }
        done += static_cast<std::size_t>(n);
    }
}

void TestClient::send(const mqtt::Packet& packet) {
    std::vector<std::uint8_t> out;
    mqtt::encode(packet, version_, out);
    send_raw(out);
}

std::unique_ptr<Received> TestClient::receive(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        auto header = mqtt::decode_fixed_header(buffer_);
        if (header.status == mqtt::HeaderStatus::Error) {
            throw std::runtime_error(std::string("bad packet from server: ") +
                                     header.error.message);
        }
        if (header.status == mqtt::HeaderStatus::Complete &&
            buffer_.size() >= header.header.packet_size()) {
            auto r = std::make_unique<Received>();
            r->bytes.assign(buffer_.begin(), buffer_.begin() + header.header.packet_size());
            buffer_.erase(buffer_.begin(), buffer_.begin() + header.header.packet_size());
            std::span<const std::uint8_t> body(r->bytes.data() + header.header.header_size,
                                               header.header.remaining_length);
            if (auto error = mqtt::decode_packet(header.header, body, version_, r->packet)) {
                throw std::runtime_error(std::string("undecodable packet from server: ") +
                                         error->message);
            }
            return r;
        }
        if (closed_ || fd_ < 0) return nullptr;
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return nullptr;
        pollfd p{fd_, POLLIN, 0};
        int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return nullptr;
        std::uint8_t chunk[65536];
        ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            closed_ = true;
            continue;  // decode what is buffered, then report the close
        }
        buffer_.insert(buffer_.end(), chunk, chunk + n);
    }
}

bool TestClient::wait_closed(std::chrono::milliseconds timeout,
                             std::vector<std::unique_ptr<Received>>* before) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) return false;
        auto r = receive(left);
        if (r) {
            if (before) before->push_back(std::move(r));
            continue;
        }
        return closed_;
    }
}

bool TestClient::quiet_for(std::chrono::milliseconds window) {
    auto r = receive(window);
    if (r) {
        keep_.push_back(std::move(r));
        return false;
    }
    return true;
}

std::uint16_t TestClient::next_packet_id() {
    if (++packet_id_ == 0) packet_id_ = 1;
    return packet_id_;
}

mqtt::Connack TestClient::connect(std::string_view client_id, bool clean_start,
                                  std::uint16_t keep_alive, const mqtt::Properties& properties,
                                  std::optional<mqtt::Will> will,
                                  std::optional<std::string_view> username,
                                  std::optional<std::string_view> password) {
    mqtt::Connect c;
    c.version = version_;
    c.clean_start = clean_start;
    c.keep_alive = keep_alive;
    c.client_id = client_id;
    c.properties = properties;
    c.will = std::move(will);
    c.username = username;
    c.password = password;
    send(c);
    return expect<mqtt::Connack>();
}

mqtt::Connack TestClient::connect_ok(std::string_view client_id, bool clean_start,
                                     const mqtt::Properties& properties) {
    auto connack = connect(client_id, clean_start, 60, properties);
    if (connack.reason_code != 0) {
        throw std::runtime_error("CONNACK refused with " + std::to_string(connack.reason_code));
    }
    return connack;
}

std::vector<std::uint8_t> TestClient::subscribe(std::string_view filter, mqtt::QoS qos,
                                                mqtt::SubscriptionOptions options,
                                                const mqtt::Properties& properties) {
    mqtt::Subscribe s;
    s.packet_id = next_packet_id();
    options.qos = qos;
    s.topics.push_back({filter, options});
    s.properties = properties;
    send(s);
    auto suback = expect<mqtt::Suback>();
    if (suback.packet_id != s.packet_id) throw std::runtime_error("SUBACK packet id mismatch");
    return suback.reason_codes;
}

void TestClient::publish(std::string_view topic, std::string_view payload, mqtt::QoS qos,
                         bool retain, const mqtt::Properties& properties) {
    mqtt::Publish p;
    p.topic = topic;
    p.payload = payload;
    p.qos = qos;
    p.retain = retain;
    p.properties = properties;
    if (qos != mqtt::QoS::AtMostOnce) p.packet_id = next_packet_id();
    send(p);
    if (qos == mqtt::QoS::AtLeastOnce) {
        auto ack = expect<mqtt::PubAck>();
        if (ack.packet_id != p.packet_id) throw std::runtime_error("PUBACK id mismatch");
    } else if (qos == mqtt::QoS::ExactlyOnce) {
        auto rec = expect<mqtt::PubRec>();
        if (rec.packet_id != p.packet_id) throw std::runtime_error("PUBREC id mismatch");
        send(mqtt::PubRel{p.packet_id, mqtt::ReasonCode::Success, {}});
        auto comp = expect<mqtt::PubComp>();
        if (comp.packet_id != p.packet_id) throw std::runtime_error("PUBCOMP id mismatch");
    }
}

mqtt::Publish TestClient::receive_publish(std::chrono::milliseconds timeout, bool ack) {
    auto publish = expect<mqtt::Publish>(timeout);
    if (!ack) return publish;
    if (publish.qos == mqtt::QoS::AtLeastOnce) {
        send(mqtt::PubAck{publish.packet_id, mqtt::ReasonCode::Success, {}});
    } else if (publish.qos == mqtt::QoS::ExactlyOnce) {
        send(mqtt::PubRec{publish.packet_id, mqtt::ReasonCode::Success, {}});
        auto rel = expect<mqtt::PubRel>(timeout);
        if (rel.packet_id != publish.packet_id) throw std::runtime_error("PUBREL id mismatch");
        send(mqtt::PubComp{publish.packet_id, mqtt::ReasonCode::Success, {}});
    }
    return publish;
}

std::vector<ReceivedMessage> TestClient::receive_messages(std::size_t count,
                                                          std::chrono::milliseconds timeout,
                                                          bool ack) {
    std::vector<ReceivedMessage> result;
    const auto deadline = Clock::now() + timeout;
    while (result.size() < count) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) left = std::chrono::milliseconds(1);
        std::shared_ptr<Received> r = receive(left);
        if (!r) {
            throw std::runtime_error("received " + std::to_string(result.size()) + " of " +
                                     std::to_string(count) + " messages, then " +
                                     (closed_ ? "connection closed" : "timeout"));
        }
        if (auto* rel = r->get<mqtt::PubRel>()) {
            send(mqtt::PubComp{rel->packet_id, mqtt::ReasonCode::Success, {}});
            continue;
        }
        auto* p = r->get<mqtt::Publish>();
        if (!p) {
            throw std::runtime_error(std::string("expected PUBLISH, got ") +
                                     mqtt::to_string(mqtt::packet_type(r->packet)));
        }
        ReceivedMessage m;
        m.topic.assign(p->topic);
        m.payload.assign(p->payload);
        m.qos = p->qos;
        m.retain = p->retain;
        m.dup = p->dup;
        m.packet_id = p->packet_id;
        m.properties = p->properties;
        m.owner = r;
        if (ack && p->qos == mqtt::QoS::AtLeastOnce) {
            send(mqtt::PubAck{p->packet_id, mqtt::ReasonCode::Success, {}});
        } else if (ack && p->qos == mqtt::QoS::ExactlyOnce) {
            send(mqtt::PubRec{p->packet_id, mqtt::ReasonCode::Success, {}});
        }
        result.push_back(std::move(m));
    }
    return result;
}

std::size_t TestClient::publishes_within(std::chrono::milliseconds window) {
    std::size_t publishes = 0;
    while (auto r = receive(window)) {
        if (auto* rel = r->get<mqtt::PubRel>()) {
            send(mqtt::PubComp{rel->packet_id, mqtt::ReasonCode::Success, {}});
        } else if (auto* p = r->get<mqtt::Publish>()) {
            ++publishes;
            std::fprintf(stderr, "unexpected PUBLISH %.*s '%.*s' qos %d dup %d id %d\n",
                         static_cast<int>(p->topic.size()), p->topic.data(),
                         static_cast<int>(p->payload.size()), p->payload.data(),
                         static_cast<int>(p->qos), p->dup, p->packet_id);
        }
    }
    return publishes;
}

void TestClient::disconnect(mqtt::ReasonCode reason, const mqtt::Properties& properties) {
    send(mqtt::Disconnect{reason, properties});
}

}  // namespace akasa::testing
