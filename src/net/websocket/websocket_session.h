// One MQTT-over-WebSocket connection from its first byte: the HTTP upgrade (bounded request
// head, 101 or an HTTP error response), then framing. Sits above TCP (ws) or above a
// TlsSession (wss), below the MQTT decoder.
//
//   WebSocketSession ws;
//   FeedResult r = ws.feed(bytes_from_below, mqtt_in, to_below);
//   if (r.status != FeedStatus::Open) close_after_flush(to_below);
//   ws.write(encoded_mqtt, to_below);    // one binary frame
#pragma once

#include <memory>
#include <span>
#include <string>

#include "net/byte_buffer.h"
#include "net/http/http_request.h"
#include "net/websocket/frame_codec.h"
#include "net/websocket/handshake.h"

namespace akasa::net::websocket {

class WebSocketSession {
  public:
    // `policy`: the listener's path and allowed_origins (handshake.h); null: any path, any
    // origin.
    explicit WebSocketSession(FrameLimits limits = {},
                              std::size_t max_head_size = http::kDefaultMaxHeadSize,
                              std::shared_ptr<const UpgradePolicy> policy = nullptr)
        : stream_(limits), max_head_size_(max_head_size), policy_(std::move(policy)) {}

    // Before the upgrade: buffers the request head; once complete, appends the 101 (or the
    // HTTP error response, then Failed with close_code 0) to `wire_out` and decodes any
    // bytes after the head as frames. After it: WebSocketStream::feed.
    FeedResult feed(std::span<const std::uint8_t> in, ByteBuffer& mqtt_out, ByteBuffer& wire_out);

    // Wraps MQTT bytes in one binary frame. Nothing is sent before the upgrade or after a
    // close frame (the server never speaks first in MQTT).
    void write(std::span<const std::uint8_t> mqtt, ByteBuffer& wire_out);

    // Starts the close handshake (see WebSocketStream::close).
    void close(std::uint16_t code, std::string_view reason, ByteBuffer& wire_out);

    bool upgraded() const { return upgraded_; }
    const std::string& subprotocol() const { return subprotocol_; }

  private:
    WebSocketStream stream_;
    std::size_t max_head_size_;
    std::shared_ptr<const UpgradePolicy> policy_;  // until the upgrade is decided
    ByteBuffer head_;  // request bytes until the head is complete; freed after
    bool upgraded_ = false;
    std::string subprotocol_;
    FeedResult refused_;
};

}  // namespace akasa::net::websocket
