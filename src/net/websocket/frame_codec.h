// WebSocket framing (RFC 6455 section 5) for MQTT over WebSocket, sans-I/O.
//
// WebSocketStream turns the client's frames into the MQTT byte stream: binary data frames
// and their continuations are unmasked straight into `mqtt_out` (MQTT packets may be split
// across frames and frames may hold many packets: the MQTT decoder sees one stream), pings
// are answered, and the close handshake is run. Frames for the client are written with the
// append_* functions (server frames are never masked).
//
//   WebSocketStream ws(limits);
//   FeedResult r = ws.feed({in.data(), in.size()}, mqtt_in, output);  // consumes all input
//   decode_mqtt(mqtt_in);
//   if (r.status != FeedStatus::Open) close_after_flush(output);
//   append_binary_frame(encoded_packets, output);
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "net/byte_buffer.h"

namespace akasa::net::websocket {

enum class Opcode : std::uint8_t {
    Continuation = 0x0,
    Text = 0x1,
    Binary = 0x2,
    Close = 0x8,
    Ping = 0x9,
    Pong = 0xa,
};

// Close status codes (RFC 6455 7.4.1).
namespace close_code {
inline constexpr std::uint16_t kNormal = 1000;
inline constexpr std::uint16_t kGoingAway = 1001;
inline constexpr std::uint16_t kProtocolError = 1002;
inline constexpr std::uint16_t kUnsupportedData = 1003;  // text frames: MQTT is binary
inline constexpr std::uint16_t kNoStatus = 1005;         // close frame without a code
inline constexpr std::uint16_t kInvalidPayload = 1007;   // close reason not UTF-8
inline constexpr std::uint16_t kPolicyViolation = 1008;
inline constexpr std::uint16_t kMessageTooBig = 1009;
inline constexpr std::uint16_t kInternalError = 1011;
}  // namespace close_code

// Which side of the connection a stream is: the server reads masked frames and writes
// unmasked ones; a client (our load tool) the opposite (RFC 6455 5.1).
enum class Endpoint : std::uint8_t { Server, Client };

struct FrameLimits {
    // Largest payload of one frame, and of one (possibly fragmented) message. Bigger ones
    // are refused with 1009 as soon as their header says so.
    std::uint64_t max_frame_payload = 268435460;
    std::uint64_t max_message_size = 268435460;

    bool operator==(const FrameLimits&) const = default;
};

enum class FeedStatus {
    Open,    // keep going
    Closed,  // close handshake finished or answered: flush the output, then close the TCP
    Failed,  // protocol violation: a close frame with `close_code` was appended; flush, close
};

struct FeedResult {
    FeedStatus status = FeedStatus::Open;
    std::uint16_t close_code = 0;  // Closed: the peer's code (kNoStatus if none); Failed: ours
    std::string error;             // Failed: a sentence for the log
};

class WebSocketStream {
  public:
    explicit WebSocketStream(FrameLimits limits = {}, Endpoint endpoint = Endpoint::Server)
        : limits_(limits), endpoint_(endpoint) {}

    // Consumes all of `in` (a read's worth of bytes, any split). Unmasked application data
    // goes to `mqtt_out`; pongs and close frames for the client go to `wire_out`. Once the
    // status is not Open, later calls consume nothing and return the same status.
    FeedResult feed(std::span<const std::uint8_t> in, ByteBuffer& mqtt_out, ByteBuffer& wire_out);

    // Starts the close handshake from our side (server shutting down, MQTT error...): a close
    // frame is appended to `wire_out`; feed() then reports Closed when the client answers.
    // Does nothing if a close frame was already sent.
    void close(std::uint16_t code, std::string_view reason, ByteBuffer& wire_out);

    bool close_sent() const { return close_sent_; }

    // A binary frame carrying MQTT bytes, masked when this stream is a client's.
    void write_binary(std::span<const std::uint8_t> payload, ByteBuffer& wire_out) {
        append_own_frame(Opcode::Binary, payload, wire_out);
    }

  private:
    FeedResult fail(std::uint16_t code, std::string message, ByteBuffer& wire_out);
    // Header complete: validates it and prepares for the payload. Returns an error result,
    // or a result with status Open to go on.
    FeedResult start_frame(ByteBuffer& wire_out);
    FeedResult finish_control_frame(ByteBuffer& wire_out);
    // Writes in[i] ^ mask for the current payload offset to out[i].
    void unmask_into(std::span<const std::uint8_t> in, std::uint8_t* out) const;

    // A frame of ours: masked with a fresh key when we are the client.
    void append_own_frame(Opcode opcode, std::span<const std::uint8_t> payload,
                          ByteBuffer& wire_out);

    FrameLimits limits_;
    Endpoint endpoint_ = Endpoint::Server;
    std::uint32_t mask_state_ = 0x9e3779b9;  // client only: source of masking keys
    // Current frame header (at most 2 + 8 + 4 bytes).
    std::uint8_t header_[14] = {};
    std::size_t header_have_ = 0;
    std::size_t header_need_ = 2;
    bool in_payload_ = false;
    bool fin_ = false;
    Opcode opcode_ = Opcode::Binary;
    std::uint8_t mask_[4] = {};
    std::uint64_t payload_left_ = 0;
    std::uint64_t payload_offset_ = 0;  // for the mask index
    std::string control_payload_;       // ping/pong/close: <= 125 bytes
    bool in_message_ = false;           // a fragmented binary message is in progress
    std::uint64_t message_size_ = 0;
    bool close_sent_ = false;
    FeedResult final_;  // set once not Open
};

// A server frame (FIN set, unmasked) with the given opcode and payload.
void append_frame(Opcode opcode, std::span<const std::uint8_t> payload, ByteBuffer& out);
// A binary frame carrying MQTT bytes.
inline void append_binary_frame(std::span<const std::uint8_t> payload, ByteBuffer& out) {
    append_frame(Opcode::Binary, payload, out);
}
// A close frame with a status code and a reason (truncated to fit 125 bytes).
void append_close_frame(std::uint16_t code, std::string_view reason, ByteBuffer& out);
// A client frame (FIN set) masked with `key` (RFC 6455 5.3).
void append_masked_frame(Opcode opcode, std::span<const std::uint8_t> payload,
                         const std::uint8_t (&key)[4], ByteBuffer& out);
// The payload of a close frame: the code, then the reason truncated to fit 125 bytes.
std::size_t close_payload(std::uint16_t code, std::string_view reason, std::uint8_t (&out)[125]);

}  // namespace akasa::net::websocket
