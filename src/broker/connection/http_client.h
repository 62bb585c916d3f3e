// One connection on the `http` listener (health, metrics), served on a worker's event loop
// like an MQTT connection but with no session: bytes go to an HttpConnection, responses
// come back. Bounded: the request head is limited by the HttpService (431 beyond it), the
// output stops being produced while the client does not read it, and the worker's tick
// closes a connection that completes no request within `connect_timeout` (idle keep-alive,
// slow or stalled clients).
#pragma once

#include <cstdint>
#include <memory>

#include "broker/routing/message.h"
#include "net/byte_buffer.h"
#include "net/event_loop.h"
#include "net/http/http_service.h"
#include "net/transport.h"

namespace akasa::broker {

class Worker;

class HttpClient final : public net::IoHandler {
  public:
    // Registers `transport`'s fd with the worker's loop (throws std::system_error).
    HttpClient(Worker& worker, std::unique_ptr<net::Transport> transport,
               const net::http::HttpService& service, Clock::time_point deadline);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    void on_io(std::uint32_t events) override;
    // Closes the connection when `now` is past its deadline.
    void tick(Clock::time_point now);
    int fd() const { return transport_->fd(); }

  private:
    void read_input();
    void flush_output();
    void update_interest();
    bool wants_input() const;
    void close();

    Worker& worker_;
    std::unique_ptr<net::Transport> transport_;
    net::http::HttpConnection http_;
    const std::size_t max_input_;
    net::ByteBuffer input_;
    net::ByteBuffer output_;
    Clock::time_point deadline_;
    std::uint32_t interest_ = 0;
    bool closing_ = false;        // last response queued: stop parsing, flush, then close
    bool write_shut_ = false;     // FIN sent: drain the client's input until it closes
    bool peer_finished_ = false;  // the client half-closed: flush, then close
    bool closed_ = false;
};

}  // namespace akasa::broker
