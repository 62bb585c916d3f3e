// The seam between a connection and the bytes on the wire. Plain TCP today; TLS,
// WebSocket and PROXY protocol are further Transports later, so the broker never touches
// a socket directly.
#pragma once

#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace akasa::net {

struct IoResult {
    enum class Status { ok, would_block, closed, error };
    Status status = Status::ok;
    std::size_t bytes = 0;  // transferred when status == ok
    int error = 0;          // errno when status == error
};

class Transport {
  public:
    virtual ~Transport() = default;

    // The fd to register with the event loop.
    virtual int fd() const = 0;
    // Reads up to `capacity` bytes. `closed` means the peer finished sending.
    virtual IoResult read(std::uint8_t* data, std::size_t capacity) = 0;
    // Writes as much of `data` as the socket takes now.
    virtual IoResult write(const std::uint8_t* data, std::size_t size) = 0;
    // Stops sending (FIN) once written data is out; reading continues to work.
    virtual void shutdown_write() noexcept = 0;
    // "ip:port" of the peer, for logs and hooks.
    virtual const std::string& peer_address() const = 0;
};

// A connected, non-blocking TCP socket. Owns the fd and closes it on destruction.
class TcpTransport final : public Transport {
  public:
    TcpTransport(int fd, std::string peer_address);
    ~TcpTransport() override;

    int fd() const override { return fd_; }
    IoResult read(std::uint8_t* data, std::size_t capacity) override;
    IoResult write(const std::uint8_t* data, std::size_t size) override;
    void shutdown_write() noexcept override;
    const std::string& peer_address() const override { return peer_; }

  private:
    int fd_;
    std::string peer_;
};

}  // namespace akasa::net
