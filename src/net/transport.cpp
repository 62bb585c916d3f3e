#include "net/transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace akasa::net {

const std::string& Transport::layer_error() const {
    static const std::string none;
    return none;
}

const TransportInfo& Transport::info() const {
    static const TransportInfo plain_tcp;
    return plain_tcp;
}

TcpTransport::TcpTransport(int fd, std::string peer_address)
    : fd_(fd), peer_(std::move(peer_address)) {}

TcpTransport::~TcpTransport() {
    stop_counting();
    ::close(fd_);
}

void TcpTransport::count_in(ListenerCounters* counters) {
    stop_counting();
    counters_ = counters;
    if (!counters_) return;
    counters_->current.fetch_add(1, std::memory_order_relaxed);
    counters_->total.fetch_add(1, std::memory_order_relaxed);
}

void TcpTransport::stop_counting() noexcept {
    if (!counters_) return;
    counters_->current.fetch_sub(1, std::memory_order_relaxed);
    counters_ = nullptr;
}

IoResult TcpTransport::read(std::uint8_t* data, std::size_t capacity) {
    for (;;) {
        ssize_t n = ::recv(fd_, data, capacity, 0);
        if (n > 0) {
            const auto bytes = static_cast<std::size_t>(n);
            return {IoResult::Status::ok, bytes, 0, bytes == capacity};
        }
        if (n == 0) return {IoResult::Status::closed, 0, 0};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Status::would_block, 0, 0};
        return {IoResult::Status::error, 0, errno};
    }
}

IoResult TcpTransport::write(const std::uint8_t* data, std::size_t size) {
    for (;;) {
        ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
        if (n >= 0) return {IoResult::Status::ok, static_cast<std::size_t>(n), 0};
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoResult::Status::would_block, 0, 0};
        if (errno == EPIPE || errno == ECONNRESET) return {IoResult::Status::closed, 0, errno};
        return {IoResult::Status::error, 0, errno};
    }
}

void TcpTransport::shutdown_write() noexcept {
    ::shutdown(fd_, SHUT_WR);
}

}  // namespace akasa::net
