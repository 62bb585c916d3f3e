#include "net/event_loop.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace akasa::net {
namespace {

// A tag the wake fd is registered with, distinct from every real handler address.
IoHandler* const kWakeTag = nullptr;

[[noreturn]] void throw_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

EventLoop::EventLoop() : events_(256) {
    epoll_fd_ = ::epoll_create1(EPOLL_CLOEXEC);
    if (epoll_fd_ < 0) throw_errno("epoll_create1");
    wake_fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (wake_fd_ < 0) {
        int saved = errno;
        ::close(epoll_fd_);
        errno = saved;
        throw_errno("eventfd");
    }
    add(wake_fd_, EPOLLIN, kWakeTag);
}

EventLoop::~EventLoop() {
    ::close(wake_fd_);
    ::close(epoll_fd_);
}

void EventLoop::add(int fd, std::uint32_t events, IoHandler* handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) != 0) throw_errno("epoll_ctl(ADD)");
}

void EventLoop::modify(int fd, std::uint32_t events, IoHandler* handler) {
    epoll_event ev{};
    ev.events = events;
    ev.data.ptr = handler;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) != 0) throw_errno("epoll_ctl(MOD)");
}

void EventLoop::remove(int fd) noexcept {
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr);
}

int EventLoop::poll(int timeout_ms, int max_events) {
    int capacity = static_cast<int>(events_.size());
    if (max_events > 0 && max_events < capacity) capacity = max_events;
    int n = ::epoll_wait(epoll_fd_, events_.data(), capacity, timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return 0;
        throw_errno("epoll_wait");
    }
    if (n > 0 && on_ready_) on_ready_();
    for (int i = 0; i < n; ++i) {
        auto* handler = static_cast<IoHandler*>(events_[i].data.ptr);
        if (handler == kWakeTag) {
            std::uint64_t value;
            while (::read(wake_fd_, &value, sizeof value) > 0) {
            }
            // Clear before the owner drains its queues so a concurrent wake() is not lost.
            wake_pending_.store(false, std::memory_order_release);
            woken_ = true;
            continue;
        }
        handler->on_io(events_[i].events);
    }
    if (n == static_cast<int>(events_.size()) && events_.size() < 4096) {  // not when capped
        events_.resize(events_.size() * 2);
    }
    return n;
}

void EventLoop::wake() noexcept {
    if (wake_pending_.exchange(true, std::memory_order_acq_rel)) return;
    std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_fd_, &one, sizeof one);
}

bool EventLoop::take_wakeup() noexcept {
    bool was = woken_;
    woken_ = false;
    return was;
}

}  // namespace akasa::net
