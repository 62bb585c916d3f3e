// The transports of the mqtt (with proxy_mode), mqtts, ws and wss listeners: the sans-I/O
// blocks of src/net/{proxy,tls,websocket} stacked over one TcpTransport, as planned in
// docs/listeners.md.
//
//   socket -> [ProxyStage] -> [TlsSession] -> [WebSocketSession] -> MQTT bytes (read)
//   MQTT bytes -> [WebSocket frame] -> [TLS records] -> pending output -> socket (write)
//
//   TransportStack stack{.listener = "wss", .tls = &holder, .websocket = true};
//   std::unique_ptr<Transport> t = stack.make(fd, peer);   // per accepted socket
//
// Only the worker thread owning the connection touches it. Every layer runs when bytes
// arrive or leave; none has a clock: the broker's connect_timeout bounds the PROXY header,
// the TLS handshake and the WebSocket upgrade, which all come before CONNECT.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "net/byte_buffer.h"
#include "net/proxy/proxy_stage.h"
#include "net/source_filter.h"
#include "net/tls/tls_context.h"
#include "net/tls/tls_session.h"
#include "net/transport.h"
#include "net/websocket/websocket_session.h"

namespace akasa::net {

// How to build the transport of every connection accepted on one listener.
struct TransportStack {
    std::string_view listener = "mqtt";  // a static string: "mqtt", "mqtts", "ws", "wss"
    bool proxy = false;                  // a PROXY v1/v2 header comes first
    bool proxy_tls_termination = false;  // ...and the proxy terminated the client's TLS
    // TLS (mqtts, wss); the holder must outlive every transport made from this stack.
    const tls::TlsContextHolder* tls = nullptr;
    bool websocket = false;
    websocket::FrameLimits websocket_limits;
    // WebSocket: the listener's path and allowed_origins; null allows any path and origin.
    std::shared_ptr<const websocket::UpgradePolicy> upgrade_policy;
    // PROXY: the proxies that may connect (proxy_allowed_sources), checked by the worker at
    // accept before anything is read; null allows any source.
    std::shared_ptr<SourceFilter> allowed_sources;
    // Counted here while the broker serves the connection; must outlive the transports.
    ListenerCounters* counters = nullptr;

    bool layered() const { return proxy || tls != nullptr || websocket; }
    // A TcpTransport when no layer is asked for, else a LayeredTransport. Takes `fd` at once
    // (closed if this throws: OpenSSL out of memory).
    std::unique_ptr<Transport> make(int fd, std::string peer) const;
};

class LayeredTransport final : public Transport {
  public:
    // Encoded output above this many bytes makes write() say would_block, so the broker's
    // own output limit (and its back-pressure on publishers) keeps working; and read() stops
    // reading more from the socket, so the replies of the layers (pongs) a client that does
    // not read them provokes grow by one socket read at most before the connection's own
    // limit stops reading altogether.
    static constexpr std::size_t kPendingLimit = 64 * 1024;
    // TLS may release one buffered partial record (at most 16 KiB + 256) on top of what a
    // read brings: read() reads at most `capacity - kDecodeReserve` raw bytes so that all
    // it decodes fits in the caller's buffer.
    static constexpr std::size_t kDecodeReserve = 18 * 1024;

    LayeredTransport(std::unique_ptr<TcpTransport> tcp, const TransportStack& stack);
    // Says goodbye in each layer that is still open (WebSocket close 1000, TLS close_notify)
    // and sends what the socket takes now; the TcpTransport then closes the fd.
    ~LayeredTransport() override;
    LayeredTransport(const LayeredTransport&) = delete;
    LayeredTransport& operator=(const LayeredTransport&) = delete;

    int fd() const override { return tcp_->fd(); }
    IoResult read(std::uint8_t* data, std::size_t capacity) override;
    // Takes up to 64 KiB per call into one WebSocket frame / TLS records (all of it when
    // the layers accept it), or passes straight to the socket on a PROXY-only stack.
    IoResult write(const std::uint8_t* data, std::size_t size) override;
    void shutdown_write() noexcept override;
    const std::string& peer_address() const override { return peer_; }
    bool has_pending_output() const override { return !pending_.empty(); }
    std::size_t pending_output_size() const override { return pending_.size(); }
    IoResult flush() override { return send_pending(); }
    bool has_buffered_input() const override {
        return !carry_.empty() || (end_ != End::None && !end_reported_);
    }
    const std::string& layer_error() const override { return error_; }
    const TransportInfo& info() const override { return info_; }
    // WebSocket close 1000 and TLS close_notify, unless a layer already ended; true when
    // one of them was sent (the client answers it).
    bool begin_close() override;
    void server_going_away() override { going_away_ = true; }

  private:
    enum class End : std::uint8_t { None, Closed, Failed };

    // Runs raw socket bytes up through the layers; MQTT bytes are appended to `mqtt`,
    // layer replies (handshake, pong, 101, errors) to pending_.
    void decode(std::span<const std::uint8_t> raw, ByteBuffer& mqtt);
    // Bytes a layer above TLS wants sent (WebSocket frames): encrypted when TLS is on.
    void send_down(std::span<const std::uint8_t> bytes);
    void on_proxy_header(const proxy::ProxyHeader& header);
    void on_handshake_done();
    // Queues each open layer's goodbye; true when one was queued.
    bool say_goodbye();
    void end(End how, std::string why);
    IoResult report_end();
    IoResult send_pending();
    std::size_t take_carry(std::uint8_t* data, std::size_t capacity);

    std::unique_ptr<TcpTransport> tcp_;
    std::string peer_;
    // Each layer exists only on the listeners that use it; the PROXY stage is dropped as
    // soon as its header is parsed.
    std::unique_ptr<proxy::ProxyStage> proxy_;
    std::unique_ptr<tls::TlsSession> tls_;
    std::unique_ptr<websocket::WebSocketSession> ws_;
    bool proxy_tls_termination_ = false;
    ByteBuffer pending_;          // encoded output the socket did not take yet
    ByteBuffer carry_;            // decoded bytes beyond the caller's capacity (a safety net)
    bool raw_read_full_ = false;  // the last socket read filled its limit: more likely waits
    End end_ = End::None;
    bool end_reported_ = false;
    bool tls_closed_ = false;  // no close_notify to send any more
    bool goodbye_said_ = false;
    bool going_away_ = false;
    std::string error_;
    TransportInfo info_;
};

}  // namespace akasa::net
