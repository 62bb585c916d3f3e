// One epoll instance plus an eventfd for cross-thread wakeups. Each worker thread owns one
// EventLoop; only `wake()` may be called from other threads.
//
//   EventLoop loop;
//   loop.add(fd, EPOLLIN, &handler);        // handler->on_io(events) when ready
//   while (running) { loop.poll(timeout_ms); if (loop.take_wakeup()) drain_queue(); }
#pragma once

#include <sys/epoll.h>

#include <functional>

#include <atomic>
#include <cstdint>
#include <vector>

namespace akasa::net {

// Receives readiness events for one file descriptor. The handler must stay alive while its
// fd is registered; remove the fd before destroying the handler.
class IoHandler {
  public:
    virtual void on_io(std::uint32_t events) = 0;

  protected:
    ~IoHandler() = default;
};

class EventLoop {
  public:
    EventLoop();  // throws std::system_error when epoll/eventfd cannot be created
    ~EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    // Registration; events are EPOLL* flags (level-triggered unless EPOLLET is given).
    // Failures throw std::system_error: they mean a programming error or fd exhaustion.
    void add(int fd, std::uint32_t events, IoHandler* handler);
    void modify(int fd, std::uint32_t events, IoHandler* handler);
    void remove(int fd) noexcept;

    // Waits up to timeout_ms (-1 = forever) and calls the ready handlers. A handler may
    // remove any fd, including other ready ones, only if it defers destroying their
    // handlers until poll() returns (the worker keeps a graveyard for that).
    // `max_events` > 0 handles at most that many; the others stay ready for the next call
    // (epoll keeps them queued, in order). Returns the number of events dispatched.
    int poll(int timeout_ms, int max_events = 0);

    // Called once per poll() that found events, after the wait and before any handler: the
    // owner refreshes its clock there, so that handlers never see the time from before a
    // wait (a deadline computed from it would be early by up to the wait).
    void set_on_ready(std::function<void()> on_ready) { on_ready_ = std::move(on_ready); }

    // Thread-safe: makes the current or next poll() return and take_wakeup() true.
    // Coalesces: many wake() calls before the loop runs cost one eventfd write.
    void wake() noexcept;

    // True once after one or more wake() calls; resets the flag.
    bool take_wakeup() noexcept;

  private:
    int epoll_fd_ = -1;
    int wake_fd_ = -1;
    std::atomic<bool> wake_pending_{false};
    bool woken_ = false;
    std::vector<epoll_event> events_;
    std::function<void()> on_ready_;
};

}  // namespace akasa::net
