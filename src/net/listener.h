// A listening TCP socket registered with one worker's event loop. With reuse_port every
// worker binds its own socket and the kernel spreads connections; without it one socket is
// shared and each worker registers it with EPOLLEXCLUSIVE so one wakes per connection.
#pragma once

#include <functional>
#include <memory>

#include "net/event_loop.h"
#include "net/socket.h"

namespace akasa::net {

class Listener final : public IoHandler {
  public:
    // Called for each accepted, non-blocking, TCP_NODELAY socket; the callee owns `fd`.
    using AcceptFn = std::function<void(int fd, const Endpoint& peer)>;

    // `fd` is a listening socket from listen_tcp(); shared tells whether other workers
    // poll the same fd (then this Listener does not close it).
    Listener(EventLoop& loop, int fd, bool shared, AcceptFn on_accept);
    ~Listener();
    Listener(const Listener&) = delete;
    Listener& operator=(const Listener&) = delete;

    // Stops accepting (used at shutdown).
    void stop() noexcept;
    // Re-arms a listener that paused itself because the process ran out of file
    // descriptors (EMFILE/ENFILE); the worker calls it from its periodic tick.
    void resume_if_paused();

    void on_io(std::uint32_t events) override;

  private:
    EventLoop& loop_;
    int fd_;
    bool shared_;
    bool registered_ = false;
    bool paused_ = false;
    AcceptFn on_accept_;
};

}  // namespace akasa::net
