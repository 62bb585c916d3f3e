// TLS and/or WebSocket between the load tool's MQTT bytes and its socket (--tls, --ws), so
// the same workers can load mqtts, ws and wss listeners. Sans-I/O like the server's layers,
// and built from the same pieces (net::tls::TlsSession, net::websocket::WebSocketStream) in
// their client roles.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "net/byte_buffer.h"
#include "net/tls/tls_session.h"
#include "net/websocket/frame_codec.h"

namespace akasa::bench {

struct LayerSettings {
    net::tls::SslContextPtr tls;  // set: TLS
    bool websocket = false;
    std::string host;  // SNI and the Host header
    std::string ws_path = "/mqtt";

    bool any() const { return tls != nullptr || websocket; }
};

// A TLS client context for --tls: certificates checked against `ca_file` when given (else not
// checked: a load tool usually meets test certificates), a client certificate when `cert_file`
// is given. Throws std::runtime_error naming the file OpenSSL refused.
net::tls::SslContextPtr make_client_tls_context(const std::string& ca_file,
                                                const std::string& cert_file,
                                                const std::string& key_file);

class ClientLayers {
  public:
    explicit ClientLayers(const LayerSettings& settings);

    // Once the TCP connect is done: the ClientHello and/or the upgrade request go to `wire_out`.
    void start(net::ByteBuffer& wire_out);

    // Bytes read from the socket: MQTT bytes are appended to `mqtt_in`, and what the layers
    // answer (handshake records, pongs) to `wire_out`. Returns why the stream failed, or
    // nothing.
    std::optional<std::string> feed(std::span<const std::uint8_t> wire, net::ByteBuffer& mqtt_in,
                                    net::ByteBuffer& wire_out);

    // True once MQTT bytes may be sent (after the WebSocket upgrade; TLS buffers early writes).
    bool ready() const { return !settings_.websocket || upgraded_; }

    // MQTT bytes to send: framed and/or encrypted into `wire_out`.
    void write(std::span<const std::uint8_t> mqtt, net::ByteBuffer& wire_out);

  private:
    void write_plain(std::span<const std::uint8_t> bytes, net::ByteBuffer& wire_out);
    std::optional<std::string> read_upgrade_response(net::ByteBuffer& mqtt_in,
                                                     net::ByteBuffer& wire_out);

    const LayerSettings& settings_;
    std::unique_ptr<net::tls::TlsSession> tls_;
    std::unique_ptr<net::websocket::WebSocketStream> websocket_;
    bool upgraded_ = false;
    net::ByteBuffer plain_in_;  // decrypted bytes not yet passed on (TLS, or the 101 head)
    net::ByteBuffer frames_;    // WebSocket frames of ours before encryption
};

}  // namespace akasa::bench
