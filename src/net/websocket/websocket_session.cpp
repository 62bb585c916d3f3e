#include "net/websocket/websocket_session.h"

#include "net/websocket/handshake.h"

namespace akasa::net::websocket {

FeedResult WebSocketSession::feed(std::span<const std::uint8_t> in, ByteBuffer& mqtt_out,
                                  ByteBuffer& wire_out) {
    if (upgraded_) return stream_.feed(in, mqtt_out, wire_out);
    if (refused_.status != FeedStatus::Open) return refused_;

    head_.append(in);
    http::HttpParseResult parsed =
        http::parse_http_request({head_.data(), head_.size()}, max_head_size_);
    if (parsed.status == http::HttpParseStatus::NeedMore) return {};
    if (parsed.status == http::HttpParseStatus::Error) {
        http::append_response(http::HttpResponse::error(parsed.error_status, parsed.error),
                              wire_out);
        refused_ = {FeedStatus::Failed, 0, "WebSocket upgrade: " + parsed.error};
        head_ = ByteBuffer();
        return refused_;
    }
    UpgradeDecision decision =
        policy_ ? evaluate_upgrade(parsed.request, *policy_) : evaluate_upgrade(parsed.request);
    policy_.reset();  // decided: the connection needs it no more
    http::append_response(decision.response, wire_out);
    if (!decision.accepted) {
        refused_ = {FeedStatus::Failed, 0, "WebSocket upgrade: " + decision.error};
        head_ = ByteBuffer();
        return refused_;
    }
    upgraded_ = true;
    subprotocol_ = std::move(decision.subprotocol);
    // A client may send its first frames right behind the request.
    ByteBuffer after = std::move(head_);
    head_ = ByteBuffer();
    after.consume(parsed.size);
    return stream_.feed({after.data(), after.size()}, mqtt_out, wire_out);
}

void WebSocketSession::write(std::span<const std::uint8_t> mqtt, ByteBuffer& wire_out) {
    if (!upgraded_ || stream_.close_sent() || mqtt.empty()) return;
    append_binary_frame(mqtt, wire_out);
}

void WebSocketSession::close(std::uint16_t code, std::string_view reason, ByteBuffer& wire_out) {
    if (upgraded_) stream_.close(code, reason, wire_out);
}

}  // namespace akasa::net::websocket
