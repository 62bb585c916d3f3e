#include "worker.h"

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "clock.h"
#include "mqtt/decoder.h"
#include "payload_stamp.h"

namespace akasa::bench {

namespace {

constexpr std::size_t kReadChunk = 256 * 1024;  // one read() into the worker's scratch
// Reads per connection per loop iteration: subscribers are drained (nearly) to EAGAIN before
// publishers get their turn, so a flooding publisher cannot starve its own subscriber and
// make the tool the bottleneck it is measuring.
constexpr int kReadsPerService = 64;
constexpr std::size_t kWriteBatchBytes = 64 * 1024;  // publishes queued per write()
constexpr std::uint64_t kIdlePollNs = 5'000'000;     // re-check RunControl this often when idle
// Fixed-rate publishers are paced in steps of at least this much, so each write carries a few
// messages at high rates (the stamp is taken at the actual send, so latency stays exact).
constexpr std::uint64_t kMinTimerNs = 1'000'000;
constexpr std::uint16_t kSubscribePacketId = 1;

std::string describe_endpoint(const BrokerAddress& broker) {
    char text[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, &broker.address.sin_addr, text, sizeof text);
    return std::string(text) + ":" + std::to_string(ntohs(broker.address.sin_port));
}

}  // namespace

void WorkerStats::merge(const WorkerStats& other) {
    sent_total += other.sent_total;
    sent_in_window += other.sent_in_window;
    received_in_window += other.received_in_window;
    foreign_messages += other.foreign_messages;
    unknown_acks += other.unknown_acks;
    closed_by_broker += other.closed_by_broker;
    last_ready_ns = std::max(last_ready_ns, other.last_ready_ns);
    sequence.received += other.sequence.received;
    sequence.gaps += other.sequence.gaps;
    sequence.skipped += other.sequence.skipped;
    sequence.out_of_order += other.sequence.out_of_order;
    latency.merge(other.latency);
    connect_latency.merge(other.connect_latency);
}

Worker::Worker(const WorkerSettings& settings, std::vector<ConnectionSpec> specs,
               RunControl& control)
    : settings_(settings),
      specs_(std::move(specs)),
      control_(control),
      encoder_(settings.version),
      connections_(specs_.size()),
      read_scratch_(std::make_unique_for_overwrite<std::uint8_t[]>(kReadChunk)) {
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw std::runtime_error(std::string("epoll_create1: ") + strerror(errno));
    if (settings_.rate > 0) interval_ns_ = static_cast<std::uint64_t>(1e9 / settings_.rate);
    for (std::size_t i = 0; i < specs_.size(); ++i) {
        Connection& c = connections_[i];
        c.spec = &specs_[i];
        if (c.spec->role == Role::kPublisher) {
            c.publish = encoder_.publish({.topic = c.spec->topic,
                                          .qos = settings_.qos,
                                          .payload_size = settings_.payload_size});
            if (settings_.qos != mqtt::QoS::AtMostOnce) c.inflight_ids.assign(65536 / 64, 0);
            // Spread fixed-rate publishers evenly over one interval instead of in lockstep.
            if (settings_.publisher_count > 0) {
                c.schedule_offset_ns = interval_ns_ * c.spec->index / settings_.publisher_count;
            }
            publishers_.push_back(&c);
        } else if (c.spec->role == Role::kSubscriber) {
            c.tracker = std::make_unique<SequenceTracker>(settings_.publisher_count);
        }
    }
    active_.reserve(connections_.size());
    servicing_.reserve(connections_.size());
}

Worker::~Worker() {
    for (Connection& c : connections_) {
        if (c.fd >= 0) ::close(c.fd);
    }
    if (epoll_fd_ >= 0) ::close(epoll_fd_);
}

void Worker::run() {
    std::vector<epoll_event> events(1024);
    if (settings_.keepalive_s > 0) {
        next_ping_ns_ = monotonic_ns() + settings_.keepalive_s * kNsPerSecond / 2;
    }
    while (true) {
        now_ns_ = monotonic_ns();
        if (control_.stop.load(std::memory_order_acquire)) break;
        publish_start_ns_ = control_.publish_start_ns.load(std::memory_order_acquire);
        publish_stop_ns_ = control_.publish_stop_ns.load(std::memory_order_relaxed);
        measure_start_ns_ = control_.measure_start_ns.load(std::memory_order_relaxed);
        measure_end_ns_ = control_.measure_end_ns.load(std::memory_order_relaxed);

        start_next_connects(now_ns_);
        if (now_ns_ >= publish_start_ns_ && now_ns_ < publish_stop_ns_) {
            for (Connection* p : publishers_) {
                if (!p->active && wants_to_send(*p, now_ns_)) activate(*p);
            }
        }
        if (now_ns_ >= next_ping_ns_) {
            for (Connection& c : connections_) {
                if (c.state != State::kReady) continue;
                encoder_.append_pingreq(c.out);
                activate(c);
            }
            next_ping_ns_ = now_ns_ + settings_.keepalive_s * kNsPerSecond / 2;
        }

        timespec timeout{0, 0};
        if (active_.empty()) {
            const std::uint64_t wait = next_timer_ns(now_ns_) - now_ns_;
            timeout.tv_sec = static_cast<time_t>(wait / kNsPerSecond);
            timeout.tv_nsec = static_cast<long>(wait % kNsPerSecond);
        }
        const int n = epoll_pwait2(epoll_fd_, events.data(), static_cast<int>(events.size()),
                                   &timeout, nullptr);
        if (n < 0 && errno != EINTR) {
            control_.fail(std::string("epoll_pwait2: ") + strerror(errno));
            break;
        }
        now_ns_ = monotonic_ns();
        for (int i = 0; i < n; ++i) {
            on_event(*static_cast<Connection*>(events[i].data.ptr), events[i].events);
        }
        servicing_.swap(active_);
        active_.clear();
        for (Connection* c : servicing_)
            c->active = false;
        // All reads first (see kReadsPerService), then all writes.
        for (Connection* c : servicing_) {
            if (c->state != State::kClosed && c->readable) read_from(*c);
        }
        for (Connection* c : servicing_) {
            if (c->state != State::kClosed) service_writes(*c, now_ns_);
        }
        servicing_.clear();
        publish_progress();
    }
    disconnect_all();
    publish_progress();
}

std::uint64_t Worker::next_timer_ns(std::uint64_t now) const {
    std::uint64_t next = now + kIdlePollNs;
    next = std::min(next, next_ping_ns_);
    if (interval_ns_ > 0 && now >= publish_start_ns_ && now < publish_stop_ns_) {
        for (const Connection* p : publishers_) {
            if (p->state != State::kReady || !p->writable) continue;
            next = std::min(
                next, publish_start_ns_ + p->schedule_offset_ns + p->next_sequence * interval_ns_);
        }
    } else if (publish_start_ns_ > now) {
        next = std::min(next, publish_start_ns_);
    }
    return std::max(next, now + kMinTimerNs);
}

void Worker::start_next_connects(std::uint64_t now) {
    while (next_to_connect_ < connections_.size() && connecting_ < settings_.connect_concurrency) {
        Connection& c = connections_[next_to_connect_];
        const auto source_index = static_cast<std::uint32_t>(next_to_connect_);
        ++next_to_connect_;
        c.started_ns = now;
        c.fd = start_connect(settings_.broker, settings_.source_ips, source_index);
        if (c.fd < 0) {
            const int error = errno;
            c.state = State::kClosed;
            control_.fail("cannot connect to " + describe_endpoint(settings_.broker) + ": " +
                          strerror(error) + (error == EMFILE ? " (raise `ulimit -n`)" : ""));
            continue;
        }
        c.state = State::kConnecting;
        ++connecting_;
        ++open_;
        epoll_event event{};
        event.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
        event.data.ptr = &c;
        if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, c.fd, &event) != 0) {
            fail(c, std::string("epoll_ctl: ") + strerror(errno));
        }
    }
}

void Worker::on_event(Connection& c, std::uint32_t events) {
    if (c.state == State::kClosed) return;
    if (c.state == State::kConnecting) {
        if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) == 0) return;
        const int error = connect_error(c.fd);
        if (error != 0) {
            fail(c, "cannot connect to " + describe_endpoint(settings_.broker) + ": " +
                        strerror(error));
            return;
        }
        on_connected(c);
    }
    if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c.readable = true;
    if (events & EPOLLOUT) c.writable = true;
    activate(c);
}

void Worker::on_connected(Connection& c) {
    // CONNECT and SUBSCRIBE go out together: a client may send before CONNACK arrives.
    encoder_.append_connect(c.out, c.spec->client_id, settings_.clean_start, settings_.keepalive_s,
                            settings_.session_expiry_s);
    if (c.spec->role != Role::kPublisher) {
        encoder_.append_subscribe(c.out, kSubscribePacketId, c.spec->topic, settings_.qos);
    }
    c.state = State::kAwaitConnack;
    c.writable = true;
    if (settings_.layers.any()) {
        c.layers = std::make_unique<ClientLayers>(settings_.layers);
        c.layers->start(c.wire);
    }
}

void Worker::activate(Connection& c) {
    if (c.active || c.state == State::kClosed) return;
    c.active = true;
    active_.push_back(&c);
}

void Worker::service_writes(Connection& c, std::uint64_t now) {
    if (c.writable) {
        if (c.spec->role == Role::kPublisher) fill_publisher(c, now);
        if (has_output(c)) flush(c);
    }
    if (c.state == State::kClosed) return;
    if (c.readable || (c.writable && (has_output(c) || wants_to_send(c, now_ns_)))) {
        activate(c);
    }
}

void Worker::read_from(Connection& c) {
    for (int i = 0; i < kReadsPerService; ++i) {
        const ssize_t n = ::read(c.fd, read_scratch_.get(), kReadChunk);
        if (n == 0) {
            fail(c, "the broker closed the connection of client '" + c.spec->client_id + "'");
            return;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                c.readable = false;
                return;
            }
            if (errno == EINTR) continue;
            fail(c, "read from the broker failed for client '" + c.spec->client_id +
                        "': " + strerror(errno));
            return;
        }
        now_ns_ = monotonic_ns();
        const auto bytes = static_cast<std::size_t>(n);
        if (c.layers) {
            if (!feed_layers(c, {read_scratch_.get(), bytes})) return;
        } else if (c.in.empty()) {
            // Parse straight from the scratch buffer unless a partial packet is pending.
            const std::size_t used = handle_bytes(c, {read_scratch_.get(), bytes});
            if (used == SIZE_MAX) return;
            if (used < bytes) c.in.append(read_scratch_.get() + used, bytes - used);
        } else {
            c.in.append(read_scratch_.get(), bytes);
            const std::size_t used = handle_bytes(c, c.in.readable());
            if (used == SIZE_MAX) return;
            c.in.consume(used);
        }
        // A short read drained the socket; edge-triggered epoll reports the next arrival.
        if (bytes < kReadChunk) {
            c.readable = false;
            return;
        }
    }
}

bool Worker::feed_layers(Connection& c, std::span<const std::uint8_t> bytes) {
    if (auto error = c.layers->feed(bytes, c.in, c.wire)) {
        fail(c, "client '" + c.spec->client_id + "': " + *error);
        return false;
    }
    if (has_output(c)) activate(c);  // handshake records, the upgrade done, pongs
    const std::size_t used = handle_bytes(c, c.in.readable());
    if (used == SIZE_MAX) return false;
    c.in.consume(used);
    return true;
}

std::size_t Worker::handle_bytes(Connection& c, std::span<const std::uint8_t> bytes) {
    std::size_t used = 0;
    while (used < bytes.size()) {
        const auto rest = bytes.subspan(used);
        const mqtt::HeaderResult header = mqtt::decode_fixed_header(rest);
        if (header.status == mqtt::HeaderStatus::NeedMore) break;
        if (header.status == mqtt::HeaderStatus::Error) {
            fail(c, std::string("malformed packet from the broker: ") + header.error.message);
            return SIZE_MAX;
        }
        const std::size_t size = header.header.packet_size();
        if (rest.size() < size) break;
        if (!handle_packet(
                c, header.header,
                rest.subspan(header.header.header_size, header.header.remaining_length))) {
            return SIZE_MAX;
        }
        used += size;
    }
    return used;
}

bool Worker::handle_packet(Connection& c, const mqtt::FixedHeader& header,
                           std::span<const std::uint8_t> body) {
    using mqtt::PacketType;
    if (header.type == PacketType::Publish) {
        if (auto error = mqtt::decode_publish(header, body, settings_.version, publish_scratch_)) {
            fail(c, std::string("malformed PUBLISH from the broker: ") + error->message);
            return false;
        }
        handle_publish(c);
        return true;
    }
    if (auto error = mqtt::decode_packet(header, body, settings_.version, packet_scratch_)) {
        fail(c, std::string("malformed ") + mqtt::to_string(header.type) +
                    " from the broker: " + error->message);
        return false;
    }
    switch (header.type) {
        case PacketType::Connack: {
            const auto& connack = std::get<mqtt::Connack>(packet_scratch_);
            if (c.state != State::kAwaitConnack) {
                fail(c, "unexpected CONNACK");
                return false;
            }
            if (connack.reason_code != 0) {
                const auto code = static_cast<mqtt::ReasonCode>(connack.reason_code);
                fail(c, "the broker refused client '" + c.spec->client_id + "': " +
                            (settings_.version == mqtt::ProtocolVersion::V5
                                 ? mqtt::to_string(code)
                                 : mqtt::to_string(
                                       static_cast<mqtt::ConnectReturnCode>(connack.reason_code))));
                return false;
            }
            if (c.spec->role == Role::kPublisher) {
                mark_ready(c);
            } else {
                c.state = State::kAwaitSuback;
            }
            return true;
        }
        case PacketType::Suback: {
            const auto& suback = std::get<mqtt::Suback>(packet_scratch_);
            if (c.state != State::kAwaitSuback) {
                fail(c, "unexpected SUBACK");
                return false;
            }
            if (suback.reason_codes.empty() || suback.reason_codes[0] >= 0x80) {
                fail(c, "the broker refused the subscription of client '" + c.spec->client_id +
                            "' to '" + c.spec->topic + "'");
                return false;
            }
            mark_ready(c);
            return true;
        }
        case PacketType::PubAck:
            handle_ack(c, std::get<mqtt::PubAck>(packet_scratch_).packet_id);
            return true;
        case PacketType::PubRec: {
            const auto id = std::get<mqtt::PubRec>(packet_scratch_).packet_id;
            encoder_.pubrel().append_to(c.out, id);
            activate(c);
            return true;
        }
        case PacketType::PubComp:
            handle_ack(c, std::get<mqtt::PubComp>(packet_scratch_).packet_id);
            return true;
        case PacketType::PubRel: {
            const auto id = std::get<mqtt::PubRel>(packet_scratch_).packet_id;
            encoder_.pubcomp().append_to(c.out, id);
            activate(c);
            return true;
        }
        case PacketType::Pingresp:
            return true;
        case PacketType::Disconnect:
            fail(c, std::string("the broker disconnected client '") + c.spec->client_id + "': " +
                        mqtt::to_string(std::get<mqtt::Disconnect>(packet_scratch_).reason_code));
            return false;
        default:
            fail(c, std::string("unexpected ") + mqtt::to_string(header.type) + " from the broker");
            return false;
    }
}

void Worker::handle_publish(Connection& c) {
    const mqtt::Publish& publish = publish_scratch_;
    if (publish.qos == mqtt::QoS::AtLeastOnce) {
        encoder_.puback().append_to(c.out, publish.packet_id);
        activate(c);
    } else if (publish.qos == mqtt::QoS::ExactlyOnce) {
        encoder_.pubrec().append_to(c.out, publish.packet_id);
        activate(c);
    }
    const auto stamp = read_payload_stamp(
        {reinterpret_cast<const std::uint8_t*>(publish.payload.data()), publish.payload.size()},
        settings_.run_id);
    if (!stamp || !c.tracker ||
        !c.tracker->observe(stamp->publisher_id, stamp->sequence, stats_.sequence)) {
        ++stats_.foreign_messages;
        return;
    }
    ++received_total_;
    if (now_ns_ >= measure_start_ns_ && now_ns_ < measure_end_ns_) {
        ++stats_.received_in_window;
        stats_.latency.record(now_ns_ > stamp->sent_ns ? now_ns_ - stamp->sent_ns : 0);
    }
}

void Worker::handle_ack(Connection& c, std::uint16_t packet_id) {
    if (c.inflight_ids.empty()) {
        ++stats_.unknown_acks;
        return;
    }
    std::uint64_t& word = c.inflight_ids[packet_id / 64];
    const std::uint64_t bit = std::uint64_t{1} << (packet_id % 64);
    if ((word & bit) == 0) {
        ++stats_.unknown_acks;
        return;
    }
    word &= ~bit;
    --c.inflight;
    if (wants_to_send(c, now_ns_)) activate(c);
}

std::uint64_t Worker::messages_due(const Connection& c, std::uint64_t now) const {
    if (c.state != State::kReady || now < publish_start_ns_ || now >= publish_stop_ns_) return 0;
    std::uint64_t due = UINT64_MAX;
    if (interval_ns_ > 0) {
        const std::uint64_t first = publish_start_ns_ + c.schedule_offset_ns;
        const std::uint64_t scheduled = now < first ? 0 : (now - first) / interval_ns_ + 1;
        due = scheduled > c.next_sequence ? scheduled - c.next_sequence : 0;
    }
    if (settings_.qos != mqtt::QoS::AtMostOnce) {
        const auto window = static_cast<std::uint64_t>(settings_.max_inflight) - c.inflight;
        due = std::min(due, window);
    }
    return due;
}

bool Worker::wants_to_send(const Connection& c, std::uint64_t now) const {
    return c.spec->role == Role::kPublisher && c.writable && messages_due(c, now) > 0;
}

void Worker::fill_publisher(Connection& c, std::uint64_t now) {
    std::uint64_t due = messages_due(c, now);
    if (due == 0) return;
    const std::size_t batch = std::max<std::size_t>(1, kWriteBatchBytes / c.publish.size());
    due = std::min<std::uint64_t>(due, batch);
    const bool in_window = now >= measure_start_ns_ && now < measure_end_ns_;
    const bool acknowledged = settings_.qos != mqtt::QoS::AtMostOnce;
    for (std::uint64_t i = 0; i < due; ++i) {
        std::uint16_t packet_id = 0;
        if (acknowledged) {
            // Ids cycle through 1..65535, skipping any still in flight.
            while (true) {
                packet_id = c.next_packet_id;
                c.next_packet_id = c.next_packet_id == 65535 ? 1 : c.next_packet_id + 1;
                std::uint64_t& word = c.inflight_ids[packet_id / 64];
                const std::uint64_t bit = std::uint64_t{1} << (packet_id % 64);
                if ((word & bit) == 0) {
                    word |= bit;
                    break;
                }
            }
            ++c.inflight;
        }
        std::uint8_t* payload = c.publish.append_to(c.out, packet_id);
        write_payload_stamp(payload, {.run_id = settings_.run_id,
                                      .publisher_id = c.spec->index,
                                      .sequence = c.next_sequence++,
                                      .sent_ns = now});
    }
    stats_.sent_total += due;
    if (in_window) stats_.sent_in_window += due;
}

void Worker::flush(Connection& c) {
    if (c.layers && c.layers->ready() && !c.out.empty()) {
        c.layers->write(c.out.readable(), c.wire);
        c.out.clear();
    }
    ByteBuffer& wire = c.layers ? c.wire : c.out;
    while (!wire.empty()) {
        const ssize_t n = ::send(c.fd, wire.data(), wire.size(), MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                c.writable = false;
                return;
            }
            fail(c, "write to the broker failed for client '" + c.spec->client_id +
                        "': " + strerror(errno));
            return;
        }
        const auto written = static_cast<std::size_t>(n);
        const bool partial = written < wire.size();
        wire.consume(written);
        if (partial) {
            c.writable = false;  // the socket buffer is full; EPOLLOUT says when it drains
            return;
        }
    }
    if (c.spec->role == Role::kIdle && c.state == State::kReady && !has_output(c)) {
        c.out.release();
        c.wire.release();
    }
}

void Worker::mark_ready(Connection& c) {
    c.state = State::kReady;
    --connecting_;
    stats_.connect_latency.record(now_ns_ - c.started_ns);
    stats_.last_ready_ns = std::max(stats_.last_ready_ns, now_ns_);
    if (c.spec->role == Role::kIdle) c.in.release();
    control_.ready_connections.fetch_add(1, std::memory_order_release);
}

void Worker::fail(Connection& c, const std::string& why) {
    const bool stopping = control_.stop.load(std::memory_order_relaxed);
    if (c.state != State::kReady && c.state != State::kClosed) --connecting_;
    if (!stopping) {
        if (c.state == State::kReady) ++stats_.closed_by_broker;
        control_.fail(why);
    }
    close_connection(c);
}

void Worker::close_connection(Connection& c) {
    if (c.fd >= 0) {
        ::close(c.fd);  // also removes it from the epoll set
        c.fd = -1;
        --open_;
    }
    c.state = State::kClosed;
    c.readable = c.writable = false;
}

void Worker::disconnect_all() {
    for (Connection& c : connections_) {
        if (c.fd < 0) continue;
        if (c.state == State::kReady) {
            encoder_.append_disconnect(c.out);
            if (c.layers) {
                c.layers->write(c.out.readable(), c.wire);
                c.out.clear();
            }
            const ByteBuffer& wire = c.layers ? c.wire : c.out;
            ::send(c.fd, wire.data(), wire.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        close_connection(c);
    }
}

void Worker::publish_progress() {
    if (stats_.sent_total != reported_sent_) {
        control_.sent_messages.fetch_add(stats_.sent_total - reported_sent_,
                                         std::memory_order_relaxed);
        reported_sent_ = stats_.sent_total;
    }
    if (received_total_ != reported_received_) {
        control_.received_messages.fetch_add(received_total_ - reported_received_,
                                             std::memory_order_relaxed);
        reported_received_ = received_total_;
    }
}

}  // namespace akasa::bench
