// A net::Transport with no network behind it, for tests that drive the broker engine: the
// test pushes the client's bytes, takes what the broker wrote, and decides when the "socket"
// is full, closed or reset.
//
// Its fd is one end of a socketpair that never carries MQTT bytes, only readiness: readable
// while pushed bytes wait (or the client closed), writable while the client takes bytes. So
// the worker's own epoll loop dispatches events as it does for a TCP socket: level-triggered
// and filtered by the interest the connection registered (no EPOLLIN while it holds reading,
// EPOLLOUT only while it has output pending and the socket has room).
//
//   auto peer = std::make_shared<FakePeer>();
//   worker.serve_for_test(std::make_unique<FakeTransport>(peer, "10.0.0.1:5000"));
//   peer->push(connect_bytes);        // the broker reads them on its next poll
//   peer->set_room(0);                // its writes would block from now on
//   auto written = peer->take_output();
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "net/transport.h"

namespace akasa::broker::harness {

// The client's side of one fake connection. Shared by the test and the transport, so what
// the broker wrote last stays readable after the connection is gone.
class FakePeer {
  public:
    static constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();

    FakePeer();  // throws std::system_error when the socketpair cannot be made
    ~FakePeer();
    FakePeer(const FakePeer&) = delete;
    FakePeer& operator=(const FakePeer&) = delete;

    // --- Client to broker ---
    void push(std::span<const std::uint8_t> bytes);
    // The client finished sending (FIN): once the pushed bytes are read, read() says closed.
    void close_input();
    // The connection was reset: the broker's reads and writes fail from now on.
    void reset();
    // Bytes pushed that the broker has not read yet.
    std::size_t unread() const { return input_.size() - input_read_; }
    // At most this many bytes per read() (kUnlimited: whatever the broker asks for).
    void set_read_chunk(std::size_t bytes) { read_chunk_ = bytes == 0 ? 1 : bytes; }

    // --- Broker to client ---
    // What the broker wrote since the last call.
    std::vector<std::uint8_t> take_output();
    // How many more bytes the socket takes before write() returns would_block (0: full).
    void set_room(std::size_t bytes);
    std::size_t room() const { return room_; }
    // The broker called shutdown_write().
    bool write_shut() const { return write_shut_; }

    // --- For the harness ---
    // False once the broker destroyed the transport (the connection is gone).
    bool transport_alive() const { return transport_alive_; }
    // Totals since creation: how much moved, so a driver can tell when nothing does.
    std::size_t bytes_read() const { return bytes_read_; }
    std::size_t bytes_written() const { return bytes_written_; }
    // When the broker first wrote to this peer since the last take_output(): a count of
    // writes to all peers, so tests can tell which connection was written first (0: none).
    std::uint64_t first_write_order() const { return first_write_order_; }
    int broker_fd() const { return broker_fd_; }

  private:
    friend class FakeTransport;

    // Brings the broker fd's readiness in line with the state above.
    void sync_readiness();

    int broker_fd_ = -1;  // registered with the worker's loop
    int client_fd_ = -1;  // the other end: sends the readiness token, holds the fill bytes
    std::vector<std::uint8_t> input_;
    std::size_t input_read_ = 0;
    std::vector<std::uint8_t> output_;
    std::size_t read_chunk_ = kUnlimited;
    std::size_t room_ = kUnlimited;
    std::size_t bytes_read_ = 0;
    std::size_t bytes_written_ = 0;
    std::uint64_t first_write_order_ = 0;
    bool input_closed_ = false;
    bool reset_ = false;
    bool token_sent_ = false;  // a byte waits on broker_fd_: it reads as readable
    bool filled_ = false;      // broker_fd_'s send buffer is full: it reads as not writable
    bool write_shut_ = false;
    bool transport_alive_ = false;
};

class FakeTransport final : public net::Transport {
  public:
    FakeTransport(std::shared_ptr<FakePeer> peer, std::string peer_address);
    ~FakeTransport() override;

    int fd() const override { return peer_->broker_fd_; }
    net::IoResult read(std::uint8_t* data, std::size_t capacity) override;
    net::IoResult write(const std::uint8_t* data, std::size_t size) override;
    void shutdown_write() noexcept override { peer_->write_shut_ = true; }
    const std::string& peer_address() const override { return address_; }

  private:
    std::shared_ptr<FakePeer> peer_;
    std::string address_;
};

}  // namespace akasa::broker::harness
