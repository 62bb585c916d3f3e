#include "harness/fake_transport.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <system_error>

namespace akasa::broker::harness {
namespace {

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

FakePeer::FakePeer() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) {
        throw_errno("socketpair");
    }
    broker_fd_ = fds[0];
    client_fd_ = fds[1];
    // A small send buffer: "full" costs a few KB of filler, not the default ~200 KB.
    const int size = 4096;
    ::setsockopt(broker_fd_, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

FakePeer::~FakePeer() {
    ::close(broker_fd_);
    ::close(client_fd_);
}

void FakePeer::push(std::span<const std::uint8_t> bytes) {
    input_.insert(input_.end(), bytes.begin(), bytes.end());
    sync_readiness();
}

void FakePeer::close_input() {
    input_closed_ = true;
    sync_readiness();
}

void FakePeer::reset() {
    reset_ = true;
    sync_readiness();
}

std::vector<std::uint8_t> FakePeer::take_output() {
    std::vector<std::uint8_t> taken;
    taken.swap(output_);
    first_write_order_ = 0;
    return taken;
}

void FakePeer::set_room(std::size_t bytes) {
    room_ = bytes;
    sync_readiness();
}

void FakePeer::sync_readiness() {
    if (reset_) {
        // Both directions down: the broker's fd reports EPOLLHUP whatever its interest, as a
        // reset TCP socket reports EPOLLERR | EPOLLHUP.
        ::shutdown(client_fd_, SHUT_RDWR);
        return;
    }
    const bool readable = unread() > 0 || input_closed_;
    if (readable && !token_sent_ && !input_closed_) {
        const std::uint8_t token = 1;
        if (::send(client_fd_, &token, 1, MSG_NOSIGNAL) == 1) token_sent_ = true;
    } else if (!readable && token_sent_) {
        std::uint8_t token;
        if (::recv(broker_fd_, &token, 1, 0) == 1) token_sent_ = false;
    }
    // End of stream keeps the fd readable for good, as a TCP FIN does.
    if (input_closed_) ::shutdown(client_fd_, SHUT_WR);

    const bool writable = room_ > 0;
    if (!writable && !filled_) {
        // Fill the send buffer until the kernel refuses more: the fd stops being writable.
        std::array<std::uint8_t, 1024> filler{};
        while (::send(broker_fd_, filler.data(), filler.size(), MSG_NOSIGNAL) > 0) {
        }
        filled_ = true;
    } else if (writable && filled_) {
        std::array<std::uint8_t, 4096> sink;
        while (::recv(client_fd_, sink.data(), sink.size(), 0) > 0) {
        }
        filled_ = false;
    }
}

FakeTransport::FakeTransport(std::shared_ptr<FakePeer> peer, std::string peer_address)
    : peer_(std::move(peer)), address_(std::move(peer_address)) {
    peer_->transport_alive_ = true;
}

FakeTransport::~FakeTransport() {
    peer_->transport_alive_ = false;
}

net::IoResult FakeTransport::read(std::uint8_t* data, std::size_t capacity) {
    FakePeer& peer = *peer_;
    if (peer.reset_) return {net::IoResult::Status::error, 0, ECONNRESET};
    if (peer.unread() == 0) {
        if (peer.input_closed_) return {net::IoResult::Status::closed, 0, 0};
        return {net::IoResult::Status::would_block, 0, 0};
    }
    const std::size_t n = std::min({capacity, peer.unread(), peer.read_chunk_});
    std::copy_n(peer.input_.begin() + static_cast<std::ptrdiff_t>(peer.input_read_), n, data);
    peer.input_read_ += n;
    peer.bytes_read_ += n;
    if (peer.input_read_ == peer.input_.size()) {
        peer.input_.clear();
        peer.input_read_ = 0;
    }
    peer.sync_readiness();
    return {net::IoResult::Status::ok, n, 0, n == capacity};  // as a socket says it
}

net::IoResult FakeTransport::write(const std::uint8_t* data, std::size_t size) {
    FakePeer& peer = *peer_;
    if (peer.reset_) return {net::IoResult::Status::closed, 0, ECONNRESET};
    const std::size_t n = std::min(size, peer.room_);
    if (n == 0) return {net::IoResult::Status::would_block, 0, 0};
    peer.output_.insert(peer.output_.end(), data, data + n);
    peer.bytes_written_ += n;
    static std::atomic<std::uint64_t> writes{0};  // to any peer, in this process
    const std::uint64_t order = ++writes;
    if (peer.first_write_order_ == 0) peer.first_write_order_ = order;
    if (peer.room_ != FakePeer::kUnlimited) peer.room_ -= n;
    peer.sync_readiness();
    return {net::IoResult::Status::ok, n, 0};
}

}  // namespace akasa::broker::harness
