// The seam between a connection and the bytes on the wire: plain TCP (TcpTransport), or
// TLS / WebSocket / PROXY protocol layered over it (LayeredTransport, layered_transport.h),
// so the broker never touches a socket directly.
//
// Contract for every transport (the event loop is level-triggered on the socket only):
//  - read() returns every byte it decoded; nothing decoded is kept back where no socket
//    event would bring it out again (see has_buffered_input for the one exception).
//  - write() may encode into its own pending output; has_pending_output() then asks for
//    EPOLLOUT and flush() (called first on EPOLLOUT) sends it.
#pragma once

#include <sys/uio.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "net/proxy/proxy_header.h"

namespace akasa::net {

struct IoResult {
    enum class Status { ok, would_block, closed, error };
    Status status = Status::ok;
    std::size_t bytes = 0;  // transferred when status == ok
    int error = 0;          // errno when status == error
    // A read that took all it asked of the socket (or left decoded bytes for the next
    // call): more likely waits. A reader that keeps getting these is behind its client.
    bool more_waiting = false;
};

// What a connection's layers learned about the client, for hooks and logs. Filled as the
// layers complete (PROXY header, TLS handshake); empty for plain TCP.
struct TransportInfo {
    std::string_view listener = "mqtt";  // "mqtt", "mqtts", "ws" or "wss"
    // Our own TLS (mqtts, wss): the verified client certificate, once the handshake is done.
    std::optional<std::string> tls_peer_subject;      // RFC 2253: "CN=device-1,O=Acme"
    std::optional<std::string> tls_peer_common_name;  // "device-1"
    std::optional<std::string> tls_version;           // "TLSv1.3"
    // proxy_mode TlsTermination: what the proxy says about the TLS it terminated.
    std::optional<std::string> sni;  // the AUTHORITY TLV (the host name the client asked for)
    // The PROXY header as received (all TLVs), on proxy listeners.
    std::optional<proxy::ProxyHeader> proxy;
};

// Connections of one listener, for the per-listener metrics; bumped by the worker threads,
// read by a scrape (relaxed: each value is only a count).
struct ListenerCounters {
    std::atomic<std::uint64_t> current{0};
    std::atomic<std::uint64_t> total{0};
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
    // "ip:port" of the peer, for logs and hooks: the PROXY header's source address on
    // proxy listeners once the header arrived, else the TCP peer.
    virtual const std::string& peer_address() const = 0;

    // Encoded bytes waiting for the socket (TLS records, WebSocket frames): include EPOLLOUT
    // in the interest while true, and call flush() on EPOLLOUT before writing more.
    virtual bool has_pending_output() const { return false; }
    // How many encoded bytes wait for the socket: what a client that does not read makes
    // the layers hold (WebSocket pongs, TLS records). The connection stops reading while its
    // own output and these together are over its limit.
    virtual std::size_t pending_output_size() const { return 0; }
    // Sends pending output; `ok` once all of it is out, `would_block` when the socket is full.
    virtual IoResult flush() { return {}; }
    // True when read() has something to report without a socket event: its last call
    // returned data and a layer ended right behind it (a WebSocket close frame, a TLS
    // close_notify), so the next read() returns `closed` / `error` at once.
    virtual bool has_buffered_input() const { return false; }
    // Why read() or write() returned `error` with `error == 0`: a layer refused the peer's
    // bytes ("TLS handshake: certificate verify failed", "WebSocket upgrade: ..."). Empty
    // otherwise.
    virtual const std::string& layer_error() const;
    // Facts about the client for hooks (listener kind, TLS subject, PROXY TLVs).
    virtual const TransportInfo& info() const;
    // The broker is done with this connection: say goodbye in each layer (WebSocket close
    // frame, TLS close_notify) and start sending it. True when the client will answer, so
    // the socket is worth reading a little longer (net::ClosingSockets) rather than closed
    // at once, which would reset the connection under the bytes just sent.
    virtual bool begin_close() { return false; }
    // The whole server is stopping: a later goodbye says "going away" (WebSocket 1001,
    // RFC 6455 7.4.1) rather than a normal close.
    virtual void server_going_away() {}
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

    // Counts this connection in `counters` (current and total) until stop_counting() or
    // destruction; `counters` must outlive the transport.
    void count_in(ListenerCounters* counters);
    void stop_counting() noexcept;

  private:
    int fd_;
    std::string peer_;
    ListenerCounters* counters_ = nullptr;
};

}  // namespace akasa::net
