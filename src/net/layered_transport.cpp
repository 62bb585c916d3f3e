#include "net/layered_transport.h"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

namespace akasa::net {
namespace {

// Raw reads per read() call when they bring only layer traffic (handshake, pings): bounded
// so one connection cannot hold the loop; level-triggered epoll calls again if more waits.
constexpr int kMaxRawReads = 8;
// Plaintext taken per write() call: one WebSocket frame / a few TLS records at a time, so
// pending output grows in steps the back-pressure check sees.
constexpr std::size_t kMaxEncodePerWrite = 64 * 1024;

// Scratch buffers between layers, shared by all connections of a worker thread: a read()
// or write() runs to completion before the next connection's starts, and nothing stays in
// them between calls. Idle connections so keep no intermediate buffers.
struct LayerScratch {
    ByteBuffer after_proxy;
    ByteBuffer plaintext;
    ByteBuffer mqtt;
    ByteBuffer wire;  // WebSocket frames on their way into TLS
};

LayerScratch& scratch() {
    thread_local LayerScratch buffers;
    return buffers;
}

}  // namespace

std::unique_ptr<Transport> TransportStack::make(int fd, std::string peer) const {
    auto tcp = std::make_unique<TcpTransport>(fd, std::move(peer));
    tcp->count_in(counters);
    if (!layered()) return tcp;
    return std::make_unique<LayeredTransport>(std::move(tcp), *this);
}

LayeredTransport::LayeredTransport(std::unique_ptr<TcpTransport> tcp, const TransportStack& stack)
    : tcp_(std::move(tcp)),
      peer_(tcp_->peer_address()),
      proxy_tls_termination_(stack.proxy && stack.proxy_tls_termination) {
    info_.listener = stack.listener;
    if (stack.proxy) proxy_ = std::make_unique<proxy::ProxyStage>();
    if (stack.tls) tls_ = std::make_unique<tls::TlsSession>(stack.tls->current());
    if (stack.websocket) {
        ws_ = std::make_unique<websocket::WebSocketSession>(
            stack.websocket_limits, http::kDefaultMaxHeadSize, stack.upgrade_policy);
    }
}

LayeredTransport::~LayeredTransport() {
    say_goodbye();
    send_pending();  // best effort: what the socket takes now
}

bool LayeredTransport::say_goodbye() {
    if (goodbye_said_) return false;
    goodbye_said_ = true;
    bool said = false;
    if (end_ == End::None && ws_ && ws_->upgraded()) {
        ByteBuffer& wire = scratch().wire;
        wire.clear();
        ws_->close(going_away_ ? websocket::close_code::kGoingAway : websocket::close_code::kNormal,
                   {}, tls_ ? wire : pending_);
        if (tls_) send_down(wire.readable());
        said = true;
    }
    if (tls_ && !tls_closed_ && tls_->handshake_done()) {
        tls_->shutdown(pending_);
        tls_closed_ = true;
        said = true;
    }
    return said;
}

bool LayeredTransport::begin_close() {
    tcp_->stop_counting();  // the broker is done with it; lingering is not a connection
    const bool said = say_goodbye();
    const IoResult sent = send_pending();
    return said && sent.status != IoResult::Status::closed &&
           sent.status != IoResult::Status::error;
}

IoResult LayeredTransport::read(std::uint8_t* data, std::size_t capacity) {
    if (!carry_.empty()) {
        const std::size_t n = take_carry(data, capacity);
        return {IoResult::Status::ok, n, 0, raw_read_full_ || !carry_.empty()};
    }
    if (end_ != End::None) return report_end();
    if (!tls_ && !ws_ && !proxy_) return tcp_->read(data, capacity);  // PROXY header done

    const std::size_t raw_limit = capacity > 2 * kDecodeReserve
                                      ? capacity - kDecodeReserve
                                      : std::max<std::size_t>(1, capacity / 2);
    for (int round = 0; round < kMaxRawReads; ++round) {
        const IoResult raw = tcp_->read(data, raw_limit);
        if (raw.status != IoResult::Status::ok) return raw;
        raw_read_full_ = raw.more_waiting;
        if (!tls_ && !ws_ && !proxy_) return raw;  // the header ended in an earlier round
        ByteBuffer& mqtt = scratch().mqtt;
        mqtt.clear();
        decode({data, raw.bytes}, mqtt);
        // Replies of the layers (handshake records, the 101, pongs, alerts) go out now; a
        // socket error shows up on the next read or write.
        send_pending();
        if (!mqtt.empty()) {
            const std::size_t n = std::min(mqtt.size(), capacity);
            std::memcpy(data, mqtt.data(), n);
            if (n < mqtt.size()) carry_.append(mqtt.data() + n, mqtt.size() - n);
            // Decoded bytes are fewer than the raw ones (TLS records, WebSocket frames): the
            // raw read says whether the client is ahead of us.
            return {IoResult::Status::ok, n, 0, raw_read_full_ || !carry_.empty()};
        }
        if (end_ != End::None) return report_end();
        // The client is not taking our replies: read no more for it now (the connection
        // decides from pending_output_size() whether to stop reading altogether).
        if (pending_.size() >= kPendingLimit) break;
    }
    return {IoResult::Status::would_block, 0, 0};
}

void LayeredTransport::decode(std::span<const std::uint8_t> raw, ByteBuffer& mqtt) {
    LayerScratch& s = scratch();
    std::span<const std::uint8_t> bytes = raw;
    if (proxy_) {
        s.after_proxy.clear();
        switch (proxy_->feed(bytes, s.after_proxy)) {
            case proxy::StageStatus::NeedMore:
                return;
            case proxy::StageStatus::Failed:
                // The spec: close at once, send nothing.
                end(End::Failed, "PROXY header: " + proxy_->error());
                return;
            case proxy::StageStatus::Passing:
                break;
        }
        on_proxy_header(*proxy_->header());
        proxy_.reset();
        bytes = s.after_proxy.readable();
    }
    if (tls_ && !bytes.empty()) {
        s.plaintext.clear();
        const bool was_done = tls_->handshake_done();
        const tls::TlsResult r = tls_->feed(bytes, s.plaintext, pending_);
        if (!was_done && tls_->handshake_done()) on_handshake_done();
        if (r.status != tls::TlsStatus::Ok) {
            tls_closed_ = true;
            end(r.status == tls::TlsStatus::Closed ? End::Closed : End::Failed, r.error);
        }
        bytes = s.plaintext.readable();
    }
    if (bytes.empty()) return;
    if (!ws_) {
        mqtt.append(bytes);
        return;
    }
    s.wire.clear();
    const websocket::FeedResult r = ws_->feed(bytes, mqtt, tls_ ? s.wire : pending_);
    if (tls_) send_down(s.wire.readable());
    if (r.status == websocket::FeedStatus::Closed) {
        end(End::Closed, {});
    } else if (r.status == websocket::FeedStatus::Failed) {
        end(End::Failed, r.error);
    }
}

void LayeredTransport::send_down(std::span<const std::uint8_t> bytes) {
    if (bytes.empty()) return;
    if (!tls_) {
        pending_.append(bytes);
        return;
    }
    if (tls_closed_) return;
    const tls::TlsResult r = tls_->write(bytes, pending_);
    if (r.status != tls::TlsStatus::Ok) {
        tls_closed_ = true;
        end(End::Failed, r.error);
    }
}

IoResult LayeredTransport::write(const std::uint8_t* data, std::size_t size) {
    // After a layer ended, output has nowhere to go; the connection closes on its next
    // read (has_buffered_input), so it is taken and dropped rather than called an error.
    if (end_ != End::None) return {IoResult::Status::ok, size, 0};
    if (!tls_ && !ws_) {
        // PROXY only: MQTT bytes go straight to the socket (nothing is ever pending here).
        if (pending_.empty()) return tcp_->write(data, size);
    }
    if (pending_.size() >= kPendingLimit) {
        const IoResult sent = send_pending();
        if (sent.status == IoResult::Status::closed || sent.status == IoResult::Status::error)
            return sent;
        if (pending_.size() >= kPendingLimit) return {IoResult::Status::would_block, 0, 0};
    }
    const std::size_t n = std::min(size, kMaxEncodePerWrite);
    const std::span<const std::uint8_t> mqtt(data, n);
    if (ws_) {
        ByteBuffer& wire = scratch().wire;
        wire.clear();
        ws_->write(mqtt, tls_ ? wire : pending_);
        if (tls_) send_down(wire.readable());
    } else if (tls_) {
        send_down(mqtt);
    } else {
        pending_.append(mqtt);
    }
    if (end_ == End::Failed) {
        end_reported_ = true;
        return {IoResult::Status::error, 0, 0};
    }
    const IoResult sent = send_pending();
    if (sent.status == IoResult::Status::closed || sent.status == IoResult::Status::error)
        return sent;
    return {IoResult::Status::ok, n, 0};
}

void LayeredTransport::shutdown_write() noexcept {
    send_pending();
    tcp_->shutdown_write();
}

IoResult LayeredTransport::send_pending() {
    while (!pending_.empty()) {
        const IoResult r = tcp_->write(pending_.data(), pending_.size());
        if (r.status == IoResult::Status::ok) {
            pending_.consume(r.bytes);
            continue;
        }
        // A socket that failed will never take these bytes: drop them, so nobody waits.
        if (r.status != IoResult::Status::would_block) pending_.release();
        return r;
    }
    pending_.shrink_if_idle();
    return {};
}

void LayeredTransport::on_proxy_header(const proxy::ProxyHeader& header) {
    // LOCAL (a health check by the proxy) and address families without a source keep the
    // real TCP peer, as the spec says.
    if (header.command == proxy::ProxyCommand::Proxy && header.source) {
        peer_ = header.source->to_string();
    }
    if (proxy_tls_termination_) {
        info_.sni = header.authority;
        if (header.ssl) {
            info_.tls_version = header.ssl->version;
            if (header.ssl->client_cert_verified()) info_.tls_peer_common_name = header.ssl->cn;
        }
    }
    info_.proxy = header;
    std::string tls;
    if (info_.tls_version) tls += ", TLS " + *info_.tls_version;
    if (info_.sni) tls += ", SNI " + *info_.sni;
    if (info_.tls_peer_common_name) tls += ", client certificate CN " + *info_.tls_peer_common_name;
    spdlog::debug("PROXY {} {} header from {}: client {}{}",
                  header.version == proxy::ProxyVersion::V1 ? "v1" : "v2",
                  header.command == proxy::ProxyCommand::Local ? "LOCAL" : "PROXY",
                  tcp_->peer_address(), peer_, tls);
}

void LayeredTransport::on_handshake_done() {
    info_.tls_version = tls_->protocol_version();
    info_.tls_peer_subject = tls_->peer_subject();
    info_.tls_peer_common_name = tls_->peer_common_name();
    spdlog::debug("TLS handshake with {} done: {} {}{}", peer_, *info_.tls_version, tls_->cipher(),
                  info_.tls_peer_subject ? ", client certificate " + *info_.tls_peer_subject : "");
}

void LayeredTransport::end(End how, std::string why) {
    if (end_ != End::None) return;
    end_ = how;
    error_ = std::move(why);
    // Before CONNECT the broker logs nothing about a closing connection: say why here.
    if (how == End::Failed) spdlog::info("closing connection from {}: {}", peer_, error_);
}

IoResult LayeredTransport::report_end() {
    end_reported_ = true;
    if (end_ == End::Closed) return {IoResult::Status::closed, 0, 0};
    return {IoResult::Status::error, 0, 0};
}

std::size_t LayeredTransport::take_carry(std::uint8_t* data, std::size_t capacity) {
    const std::size_t n = std::min(carry_.size(), capacity);
    std::memcpy(data, carry_.data(), n);
    carry_.consume(n);
    carry_.shrink_if_idle(0);
    return n;
}

}  // namespace akasa::net
