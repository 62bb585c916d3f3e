// Transports being closed with a goodbye (WebSocket close frame, TLS close_notify): kept
// open for a short while so the client's answer is read instead of hitting a closed socket,
// which would reset the connection and could destroy what was sent last. One per event
// loop, on its thread.
//
//   ClosingSockets closing(loop);
//   closing.linger(std::move(transport), now);   // instead of destroying it
//   closing.expire(now);                          // once per tick: ends overdue ones
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "net/event_loop.h"
#include "net/transport.h"

namespace akasa::net {

class ClosingSockets {
  public:
    using Clock = std::chrono::steady_clock;
    // How long a client gets to answer the goodbye, and how many may linger at once
    // (beyond that, sockets close at once as before).
    static constexpr auto kLinger = std::chrono::seconds(2);
    static constexpr std::size_t kMaxLingering = 4096;

    explicit ClosingSockets(EventLoop& loop) : loop_(loop) {}
    ~ClosingSockets();
    ClosingSockets(const ClosingSockets&) = delete;
    ClosingSockets& operator=(const ClosingSockets&) = delete;

    // Says goodbye on `transport` (Transport::begin_close) and keeps it until the client
    // closes, sends garbage, or kLinger passes; a transport with nothing to wait for is
    // destroyed at once. The caller has removed its fd from the loop.
    void linger(std::unique_ptr<Transport> transport, Clock::time_point now);
    // Ends the lingering sockets past their deadline, and frees finished ones.
    void expire(Clock::time_point now);
    std::size_t size() const { return lingering_.size(); }

  private:
    class Entry final : public IoHandler {
      public:
        Entry(ClosingSockets& owner, std::unique_ptr<Transport> transport,
              Clock::time_point deadline)
            : owner_(owner), transport_(std::move(transport)), deadline_(deadline) {}
        void on_io(std::uint32_t events) override;
        Transport& transport() { return *transport_; }
        Clock::time_point deadline() const { return deadline_; }
        std::uint32_t interest = 0;

      private:
        ClosingSockets& owner_;
        std::unique_ptr<Transport> transport_;
        Clock::time_point deadline_;
    };

    // Unregisters an entry; it is destroyed (closing the fd) on the next expire(), since
    // the loop may still hold events for it in the current poll.
    void finish(Entry& entry);

    EventLoop& loop_;
    std::unordered_map<Entry*, std::unique_ptr<Entry>> lingering_;
    std::vector<std::unique_ptr<Entry>> finished_;
    std::vector<std::uint8_t> scratch_;  // drained bytes are thrown away here
};

}  // namespace akasa::net
