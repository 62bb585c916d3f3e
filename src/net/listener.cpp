#include "net/listener.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

namespace akasa::net {

Listener::Listener(EventLoop& loop, int fd, bool shared, AcceptFn on_accept)
    : loop_(loop), fd_(fd), shared_(shared), on_accept_(std::move(on_accept)) {
    loop_.add(fd_, EPOLLIN | (shared_ ? EPOLLEXCLUSIVE : 0u), this);
    registered_ = true;
}

Listener::~Listener() {
    stop();
    if (!shared_) ::close(fd_);
}

void Listener::stop() noexcept {
    if (!registered_) return;
    loop_.remove(fd_);
    registered_ = false;
}

void Listener::resume_if_paused() {
    if (!paused_) return;
    paused_ = false;
    loop_.add(fd_, EPOLLIN | (shared_ ? EPOLLEXCLUSIVE : 0u), this);
    registered_ = true;
}

void Listener::on_io(std::uint32_t) {
    // Bounded so one busy listener cannot starve the connections of this worker.
    for (int i = 0; i < 64; ++i) {
        Endpoint peer;
        peer.length = sizeof peer.storage;
        int fd = ::accept4(fd_, reinterpret_cast<sockaddr*>(&peer.storage), &peer.length,
                           SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return;
            // EMFILE/ENFILE/ENOBUFS: out of resources. Level-triggered epoll would report
            // the pending connection again at once (a busy loop), so pause until the
            // next tick.
            spdlog::warn("accept failed: {}; pausing this listener for a moment",
                         std::strerror(errno));
            stop();
            paused_ = true;
            return;
        }
        set_nodelay(fd);
        on_accept_(fd, peer);
    }
}

}  // namespace akasa::net
